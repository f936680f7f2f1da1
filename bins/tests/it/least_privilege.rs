//! Least privilege: `sql/least_privilege_roles.psql` grants each tool what it
//! needs and no more. The test applies the script (twice: re-running is
//! harmless), gives each group a login role, runs the market syncs as the
//! sync role, `route-pending-signals` as the router role and the read-only
//! tools as the reader role (all succeed), and checks that each role is
//! refused (SQLSTATE 42501) what it must not do; on Maxxit's schema the
//! router also marks skips for the executor and writes Maxxit's dashboard
//! table, and nothing more of Maxxit's.
//!
//! Roles are cluster-wide, so every name carries a random suffix, and every
//! role is dropped at the end (also when the test fails).

use agent_where::db::DatabaseUrl;
use agent_where::testing::TestDb;
use anyhow::{Context, Result};
use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

use crate::support::bin::run;
use crate::support::db::{admin, count, with_userinfo};
use crate::support::routing::{
    assert_decided_iff_history, history_counts, insert_agent, insert_signals, pending,
};
use crate::support::venue::fixture_arg;

const SCRIPT: &str = include_str!("../../../sql/least_privilege_roles.psql");
const GROUPS: [&str; 3] = [
    "agent_where_router",
    "agent_where_sync",
    "agent_where_reader",
];

/// The roles of one test run; dropped (after the test database, which holds
/// their grants) when this guard goes out of scope.
struct Roles {
    suffix: String,
}

impl Roles {
    fn new() -> Roles {
        Roles {
            suffix: format!("{:08x}", rand::random::<u32>()),
        }
    }

    fn group(&self, name: &str) -> String {
        format!("{name}_t{}", self.suffix)
    }

    fn login(&self, group: &str) -> String {
        format!("{}_login", self.group(group))
    }

    fn all(&self) -> Vec<String> {
        let mut all: Vec<String> = GROUPS.iter().map(|g| self.login(g)).collect();
        all.extend(GROUPS.iter().map(|g| self.group(g)));
        all
    }

    /// The script with this run's group names.
    fn script(&self) -> String {
        let mut text = SCRIPT
            .lines()
            // psql meta-commands (none today) are not SQL.
            .filter(|l| !l.trim_start().starts_with('\\'))
            .collect::<Vec<_>>()
            .join("\n");
        for g in GROUPS {
            text = text.replace(g, &self.group(g));
        }
        text
    }
}

async fn drop_roles(names: &[String]) -> Result<()> {
    let admin = admin().await?;
    for name in names {
        admin
            .batch_execute(&format!("DROP ROLE IF EXISTS \"{name}\""))
            .await
            .with_context(|| format!("cannot drop role {name}"))?;
    }
    Ok(())
}

impl Drop for Roles {
    fn drop(&mut self) {
        let names = self.all();
        let handle = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                let _ = rt.block_on(drop_roles(&names));
            }
        });
        let _ = handle.join();
    }
}

/// `db`'s URL for user `role`.
fn url_as(db: &TestDb, role: &str) -> String {
    with_userinfo(db.url(), role, None)
}

/// Runs `sql` as `client` and asserts PostgreSQL refuses it for lack of privilege.
async fn assert_denied(client: &Client, who: &str, sql: &str) {
    match client.batch_execute(sql).await {
        Ok(()) => panic!("{who} may run `{sql}`"),
        Err(e) => assert_eq!(
            e.code(),
            Some(&SqlState::INSUFFICIENT_PRIVILEGE),
            "{who}: `{sql}`: {e:?}"
        ),
    }
}

/// Applies the script (twice: re-running is harmless) and gives each group a
/// login role; returns the URLs of the router, sync and reader logins.
async fn grant(roles: &Roles, db: &TestDb, owner: &Client) -> Result<[String; 3]> {
    let script = roles.script();
    owner.batch_execute(&script).await.context("first run")?;
    owner.batch_execute(&script).await.context("second run")?;
    for g in GROUPS {
        owner
            .batch_execute(&format!(
                "CREATE ROLE \"{}\" LOGIN IN ROLE \"{}\"",
                roles.login(g),
                roles.group(g)
            ))
            .await?;
    }
    Ok(GROUPS.map(|g| url_as(db, &roles.login(g))))
}

/// Revokes what the script granted in `owner`'s database and drops the roles.
async fn revoke_and_drop(roles: &Roles, owner: &Client) -> Result<()> {
    for name in roles.all() {
        owner
            .batch_execute(&format!(
                "REASSIGN OWNED BY \"{name}\" TO CURRENT_USER; DROP OWNED BY \"{name}\""
            ))
            .await?;
    }
    drop_roles(&roles.all()).await
}

#[tokio::test]
async fn on_maxxits_schema_the_router_may_mark_skips_and_nothing_more() -> Result<()> {
    let roles = Roles::new();
    let (db, owner) = crate::maxxit::maxxit_ready().await?;
    // The hold is on: the router needs no more than before to release held
    // signals (trade_executed, execution_result), and may not remove it.
    run("setup-agent-where", db.url(), &["--hold-multi", "on"])
        .await?
        .expect_code(0, "the hold on");
    let [router, _, reader] = grant(&roles, &db, &owner).await?;
    let out = run(
        "route-pending-signals",
        &router,
        &["--max-market-age", "1000d", "--format", "json"],
    )
    .await?;
    out.expect_code(0, "route on Maxxit as the router role");
    assert_eq!(out.json()["claimed"], 8, "{}", out.show());
    assert!(
        count(
            &owner,
            "SELECT count(*) FROM signals WHERE trade_executed = 'FAILED' AND execution_result LIKE 'Agent Where: %'"
        )
        .await?
            > 0,
        "skips are marked for the executor"
    );
    assert_eq!(
        count(
            &owner,
            "SELECT count(*) FROM agent_routing_history WHERE routing_reason IS NOT NULL AND created_at > now() - interval '1 hour'"
        )
        .await?,
        8
    );
    for args in [&["summary"][..], &["export", "--format", "json"][..]] {
        run("routing-stats", &reader, args)
            .await?
            .expect_code(0, &format!("routing-stats {args:?} as the reader role"));
    }
    let health = run("routing-stats", &reader, &["health", "--format", "json"]).await?;
    assert!(
        !health.stderr.contains("permission denied"),
        "{}",
        health.show()
    );
    let as_router = DatabaseUrl::parse(&router)?.connect().await?;
    for sql in [
        "UPDATE signals SET llm_should_trade = false",
        "UPDATE signals SET executor_agreement_error = 'x'",
        "UPDATE positions SET status = 'CLOSED'",
        "DELETE FROM positions",
        "UPDATE agent_deployments SET status = 'PAUSED'",
        "UPDATE agent_routing_history SET routing_reason = 'x'",
        "DELETE FROM agent_routing_history",
        "DROP TRIGGER agent_where_hold_multi ON signals",
        "ALTER TABLE signals DISABLE TRIGGER agent_where_hold_multi",
        "CREATE OR REPLACE FUNCTION agent_where_hold_multi() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
    ] {
        assert_denied(&as_router, "the router role", sql).await;
    }
    drop(as_router);
    revoke_and_drop(&roles, &owner).await
}

#[tokio::test]
async fn each_tool_runs_under_its_least_privilege_role_and_nothing_more() -> Result<()> {
    // Declared before the database so that it is dropped after it.
    let roles = Roles::new();
    let db = TestDb::migrated().await?;
    let owner = db.client().await?;
    let [router, sync, reader] = grant(&roles, &db, &owner).await?;

    // Market sync as the sync role.
    run(
        "sync-hyperliquid-markets",
        &sync,
        &[
            "--from-file",
            &fixture_arg("hyperliquid/metaAndAssetCtxs.json"),
        ],
    )
    .await?
    .expect_code(0, "sync-hyperliquid-markets as the sync role");
    let ostium = [
        "--pairs-file",
        &fixture_arg("ostium/pairs.graphql.json"),
        "--prices-file",
        &fixture_arg("ostium/latest-prices.json"),
    ];
    run("sync-ostium-markets", &sync, &ostium)
        .await?
        .expect_code(0, "sync-ostium-markets as the sync role");
    // A second sync updates what the first inserted.
    run("sync-ostium-markets", &sync, &ostium)
        .await?
        .expect_code(0, "second sync-ostium-markets as the sync role");
    assert!(count(&owner, "SELECT count(*) FROM venue_markets").await? > 200);

    // Routing as the router role.
    let agent = insert_agent(&owner).await?;
    insert_signals(
        &owner,
        agent,
        60,
        &["BTC", "ETH", "PEPE", "XAU", "EURUSD", "NOPE", ""],
    )
    .await?;
    let dry = run(
        "route-pending-signals",
        &router,
        &["--dry-run", "--format", "json"],
    )
    .await?;
    dry.expect_code(0, "route-pending-signals --dry-run as the router role");
    let summary = run(
        "route-pending-signals",
        &router,
        &["--format", "json", "--batch-size", "7", "--workers", "2"],
    )
    .await?;
    summary.expect_code(0, "route-pending-signals as the router role");
    assert_eq!(summary.json()["claimed"], 60, "{}", summary.stdout);
    assert_eq!(pending(&owner).await?, 0);
    assert_eq!(assert_decided_iff_history(&owner).await?, 60);
    let (all, routed, skipped) = history_counts(&owner).await?;
    assert_eq!((all, routed + skipped), (60, 60));
    assert!(
        routed > 0 && skipped > 0,
        "routed {routed}, skipped {skipped}"
    );
    assert_eq!(
        count(
            &owner,
            "SELECT count(*) FROM routing_runs WHERE status = 'COMPLETED'"
        )
        .await?,
        1
    );

    // Reading as the reader role.
    for args in [
        &["--format", "json"][..],
        &["export", "--format", "json"][..],
        &["summary", "--group-by", "venue", "--format", "csv"][..],
    ] {
        run("routing-stats", &reader, args)
            .await?
            .expect_code(0, &format!("routing-stats {args:?} as the reader role"));
    }
    for args in [&["show"][..], &["list"][..]] {
        run("routing-config", &reader, args)
            .await?
            .expect_code(0, &format!("routing-config {args:?} as the reader role"));
    }
    let refused = run(
        "routing-config",
        &reader,
        &[
            "set",
            "--priority",
            "OSTIUM,HYPERLIQUID",
            "--strategy",
            "FIRST_AVAILABLE",
        ],
    )
    .await?;
    assert_eq!(refused.code, Some(2), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("42501") || refused.stderr.contains("permission denied"),
        "{}",
        refused.stderr
    );

    // What each role must not do.
    let as_router = DatabaseUrl::parse(&router)?.connect().await?;
    for sql in [
        "DELETE FROM signals",
        // token_symbol is the router's to write (the executor symbol of a
        // routed signal); the signal's other columns are not.
        "UPDATE signals SET side = 'SHORT'",
        "UPDATE signals SET size_model = '{}'",
        "INSERT INTO signals (agent_id, token_symbol, venue, side, size_model, risk_model)
         SELECT agent_id, 'X', 'MULTI', 'LONG', '{}', '{}' FROM signals LIMIT 1",
        "TRUNCATE signals",
        "UPDATE venue_routing_history SET routing_reason = 'x'",
        "DELETE FROM venue_routing_history",
        "DELETE FROM routing_runs",
        "UPDATE venue_markets SET is_active = false",
        "INSERT INTO venue_sync_runs (venue, source, status) VALUES ('OSTIUM', 'x', 'SUCCEEDED')",
        "UPDATE venue_routing_config SET routing_strategy = 'X'",
        "DELETE FROM agents",
        "CREATE TABLE router_owned (id int)",
    ] {
        assert_denied(&as_router, "the router role", sql).await;
    }
    let as_sync = DatabaseUrl::parse(&sync)?.connect().await?;
    for sql in [
        "SELECT count(*) FROM signals",
        "UPDATE signals SET venue = 'OSTIUM'",
        "DELETE FROM venue_markets",
        "INSERT INTO venue_routing_history (signal_id, token_symbol, requested_venue, routing_reason, venue_availability)
         VALUES (gen_random_uuid(), 'X', 'MULTI', 'x', '{}')",
        "UPDATE venue_routing_config SET routing_strategy = 'X'",
        "UPDATE routing_runs SET status = 'FAILED'",
        "CREATE TABLE sync_owned (id int)",
    ] {
        assert_denied(&as_sync, "the sync role", sql).await;
    }
    let as_reader = DatabaseUrl::parse(&reader)?.connect().await?;
    for sql in [
        "UPDATE signals SET venue = 'OSTIUM'",
        "UPDATE venue_markets SET is_active = false",
        "INSERT INTO venue_routing_config (routing_strategy) VALUES ('FIRST_AVAILABLE')",
        "DELETE FROM venue_routing_overrides",
        "DELETE FROM venue_routing_history",
        "UPDATE routing_runs SET status = 'FAILED'",
        "CREATE TABLE reader_owned (id int)",
    ] {
        assert_denied(&as_reader, "the reader role", sql).await;
    }
    drop((as_router, as_sync, as_reader));

    // Clean up explicitly (the guard is the fallback): revoke what the
    // script granted in this database, then drop the roles, and check that
    // nothing of this run is left in the cluster.
    revoke_and_drop(&roles, &owner).await?;
    let left = admin()
        .await?
        .query_one(
            "SELECT count(*) FROM pg_roles WHERE rolname LIKE '%' || $1",
            &[&format!("_t{}", roles.suffix)],
        )
        .await?
        .get::<_, i64>(0);
    let left_login = admin()
        .await?
        .query_one(
            "SELECT count(*) FROM pg_roles WHERE rolname LIKE '%' || $1 || '%'",
            &[&roles.suffix],
        )
        .await?
        .get::<_, i64>(0);
    assert_eq!((left, left_login), (0, 0), "roles left behind");
    Ok(())
}
