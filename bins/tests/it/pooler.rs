//! Every tool through a real PgBouncer in transaction mode without
//! prepared-statement support (as Supabase, Railway, Render and Neon users
//! connect), started by the test: setup (concurrently too), both syncs,
//! routing-config, ten routing runs, routing-stats (summary, group-by,
//! export, health) and run-pipeline; the migration lock holds through the
//! pooler, never leaks onto a pooled connection, and a lock that is held
//! elsewhere ends a setup within its timeout with a clear error.

use std::time::Duration;

use agent_where::db::schema::{HISTORY_TABLE, MIGRATION_LOCK_KEY, embedded_migrations};
use agent_where::testing::pgbouncer::PgBouncer;
use agent_where::testing::{TestDb, sql_files};
use anyhow::Result;
use tokio_postgres::Client;

use crate::support::bin::{Bin, Output, run};
use crate::support::db::{admin, count};
use crate::support::routing::{
    assert_decided_iff_history, assert_runs_match_history, insert_agent, insert_signals, pending,
};
use crate::support::venue::fixture_arg;

/// `url` with the pooler setting (the URL parameter).
fn transaction_mode(url: &str) -> String {
    format!("{url}?pooler=transaction")
}

/// Advisory locks (held or awaited) on the migration key in database `name`
/// (advisory locks are per database).
async fn migration_locks(client: &Client, name: &str) -> Result<i64> {
    let key = MIGRATION_LOCK_KEY;
    Ok(client
        .query_one(
            "SELECT count(*) FROM pg_locks
             WHERE locktype = 'advisory'
               AND database = (SELECT oid FROM pg_database WHERE datname = $2)
               AND ((classid::bigint << 32) | objid::bigint) = $1",
            &[&key, &name],
        )
        .await?
        .get(0))
}

fn assert_no_prepared_statement_errors(out: &Output, bouncer: &PgBouncer) {
    for text in [&out.stderr, &out.stdout] {
        assert!(
            !text.contains("prepared statement")
                && !text.contains("42P05")
                && !text.contains("26000"),
            "{}\n--- pgbouncer log\n{}",
            out.show(),
            bouncer.log()
        );
    }
}

/// Runs `name args --database-url url` and expects exit 0.
async fn ok(name: &str, url: &str, args: &[&str], bouncer: &PgBouncer) -> Result<Output> {
    let out = run(name, url, args).await?;
    assert_no_prepared_statement_errors(&out, bouncer);
    out.expect_code(0, name);
    Ok(out)
}

#[tokio::test]
async fn every_tool_works_through_pgbouncer_in_transaction_mode() -> Result<()> {
    let db = TestDb::unborn();
    let bouncer = PgBouncer::start(4)?;
    let url = transaction_mode(&bouncer.url(db.name()));

    // setup creates and migrates the database through the pooler; again: no change.
    ok("setup-agent-where", &url, &[], &bouncer).await?;
    let again = ok("setup-agent-where", &url, &[], &bouncer).await?;
    assert!(again.stdout.contains("no changes"), "{}", again.show());
    ok("setup-agent-where", &url, &["--check"], &bouncer).await?;

    // Both syncs, twice (the second changes nothing).
    let hyperliquid = fixture_arg("hyperliquid/metaAndAssetCtxs.json");
    let pairs = fixture_arg("ostium/pairs.graphql.json");
    let prices = fixture_arg("ostium/latest-prices.json");
    for _ in 0..2 {
        ok(
            "sync-hyperliquid-markets",
            &url,
            &["--from-file", &hyperliquid],
            &bouncer,
        )
        .await?;
        ok(
            "sync-ostium-markets",
            &url,
            &["--pairs-file", &pairs, "--prices-file", &prices],
            &bouncer,
        )
        .await?;
    }

    // routing-config: every subcommand.
    for args in [
        &[
            "set",
            "--priority",
            "OSTIUM,HYPERLIQUID",
            "--strategy",
            "BEST_LIQUIDITY",
        ][..],
        &["set", "--token", "XAU", "--priority", "OSTIUM"][..],
        &["show"][..],
        &["show", "--token", "XAU"][..],
        &["list"][..],
        &["remove", "--token", "XAU"][..],
        &[
            "set",
            "--priority",
            "HYPERLIQUID,OSTIUM",
            "--strategy",
            "FIRST_AVAILABLE",
        ][..],
    ] {
        ok("routing-config", &url, args, &bouncer).await?;
    }

    // Ten routing runs, each over new signals, one and two workers.
    let client = db.client().await?;
    let agent = insert_agent(&client).await?;
    for round in 0..10 {
        insert_signals(
            &client,
            agent,
            300,
            &["BTC", "ETH", "XAU", "kPEPE", "DOGE", "EURUSD"],
        )
        .await?;
        let workers = if round % 2 == 0 { "1" } else { "2" };
        let out = ok(
            "route-pending-signals",
            &url,
            &[
                "--batch-size",
                "100",
                "--workers",
                workers,
                "--format",
                "json",
            ],
            &bouncer,
        )
        .await?;
        assert_eq!(out.json()["claimed"], 300, "round {round}: {}", out.show());
    }
    assert_eq!(pending(&client).await?, 0);
    assert_eq!(assert_decided_iff_history(&client).await?, 3000);
    assert_runs_match_history(&client).await?;
    // The unnest-written history carries what the COPY would have.
    assert_eq!(
        count(
            &client,
            "SELECT count(*) FROM venue_routing_history
             WHERE requested_venue = 'MULTI' AND checked_venues IS NOT NULL
               AND jsonb_typeof(venue_availability) = 'object' AND run_id IS NOT NULL
               AND routing_duration_us IS NOT NULL AND strategy IS NOT NULL"
        )
        .await?,
        3000
    );
    insert_signals(&client, agent, 20, &["BTC"]).await?;
    ok(
        "route-pending-signals",
        &url,
        &["--dry-run", "--limit", "5"],
        &bouncer,
    )
    .await?;

    // routing-stats: summary, group-by, export, health.
    ok("routing-stats", &url, &[], &bouncer).await?;
    ok("routing-stats", &url, &["--format", "json"], &bouncer).await?;
    ok(
        "routing-stats",
        &url,
        &["--window", "week", "--group-by", "day", "--format", "csv"],
        &bouncer,
    )
    .await?;
    let dir = tempfile::tempdir()?;
    let csv = dir.path().join("decisions.csv");
    ok(
        "routing-stats",
        &url,
        &[
            "export",
            "--since",
            "1d",
            "--output",
            &csv.display().to_string(),
        ],
        &bouncer,
    )
    .await?;
    let exported = std::fs::read_to_string(&csv)?.lines().count();
    assert_eq!(exported, 3001, "header + one row per decision");
    let health = run("routing-stats", &url, &["health"]).await?;
    assert_no_prepared_statement_errors(&health, &bouncer);
    assert!(matches!(health.code, Some(0 | 1)), "{}", health.show());

    // run-pipeline, with the setting from the environment this time. The
    // demo refuses this database (another agent's signals: not a demo
    // database, issue 23) and runs on one of its own.
    let demo = |name: &str| {
        Bin::new("run-pipeline")
            .args(["--offline", "--demo-signals", "300"])
            .database(&bouncer.url(name))
            .env("AGENT_WHERE_POOLER", "transaction")
            .timeout(Duration::from_secs(120))
            .run()
    };
    let signals = count(&client, "SELECT count(*) FROM signals").await?;
    let out = demo(db.name()).await?;
    assert_no_prepared_statement_errors(&out, &bouncer);
    out.expect_code(2, "run-pipeline on a database that is not a demo database");
    assert_eq!(
        count(&client, "SELECT count(*) FROM signals").await?,
        signals
    );
    let demo_db = TestDb::unborn();
    let out = demo(demo_db.name()).await?;
    assert_no_prepared_statement_errors(&out, &bouncer);
    out.expect_code(0, "run-pipeline");
    assert_eq!(pending(&demo_db.client().await?).await?, 0);
    // The refused run routed nothing: the 20 signals the dry run left.
    assert_eq!(pending(&client).await?, 20);
    assert_eq!(migration_locks(&admin().await?, db.name()).await?, 0);
    assert_eq!(migration_locks(&admin().await?, demo_db.name()).await?, 0);
    Ok(())
}

#[tokio::test]
async fn concurrent_setups_through_pgbouncer_migrate_once_and_leave_no_lock() -> Result<()> {
    let db = TestDb::unborn();
    let bouncer = PgBouncer::start(4)?;
    let url = transaction_mode(&bouncer.url(db.name()));
    let runs = futures_util::future::join_all((0..4).map(|_| {
        Bin::new("setup-agent-where")
            .arg("-q")
            .database(&url)
            .timeout(Duration::from_secs(120))
            .run()
    }))
    .await;
    for out in runs {
        let out = out?;
        assert_no_prepared_statement_errors(&out, &bouncer);
        out.expect_code(0, "concurrent setup");
    }
    let client = db.client().await?;
    let versions: Vec<i32> = client
        .query(
            &format!("SELECT version FROM {HISTORY_TABLE} ORDER BY version"),
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let expected: Vec<i32> = embedded_migrations().iter().map(|m| m.version).collect();
    assert_eq!(versions, expected, "each migration applied once");
    // No pooled server connection kept the lock: a later setup does not hang.
    let admin = admin().await?;
    assert_eq!(migration_locks(&admin, db.name()).await?, 0);
    for _ in 0..3 {
        let out = Bin::new("setup-agent-where")
            .database(&url)
            .timeout(Duration::from_secs(60))
            .run()
            .await?;
        out.expect_code(0, "a later setup");
        assert_eq!(migration_locks(&admin, db.name()).await?, 0);
    }
    Ok(())
}

#[tokio::test]
async fn four_setups_through_a_session_pooler_of_two_connections_all_succeed() -> Result<()> {
    // Each setup migrates on the connection that holds the migration lock:
    // one server connection per setup, so four setups through a pool of two
    // take turns (the pooler queues the others) instead of each holding one
    // connection and waiting for a second.
    let db = TestDb::unborn();
    let bouncer = PgBouncer::start_session(2)?;
    let url = format!("{}?pooler=session", bouncer.url(db.name()));
    let runs = futures_util::future::join_all((0..4).map(|_| {
        Bin::new("setup-agent-where")
            .args(["-q", "--lock-timeout", "90s"])
            .database(&url)
            .timeout(Duration::from_secs(150))
            .run()
    }))
    .await;
    for out in runs {
        let out = out?;
        assert_eq!(
            out.code,
            Some(0),
            "{}
--- pgbouncer log
{}",
            out.show(),
            bouncer.log()
        );
    }
    let client = db.client().await?;
    let versions: Vec<i32> = client
        .query(
            &format!("SELECT version FROM {HISTORY_TABLE} ORDER BY version"),
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let expected: Vec<i32> = embedded_migrations().iter().map(|m| m.version).collect();
    assert_eq!(versions, expected, "each migration applied once");
    assert_eq!(migration_locks(&admin().await?, db.name()).await?, 0);
    Ok(())
}

#[tokio::test]
async fn a_setup_waiting_for_a_pooled_connection_ends_within_its_timeout_with_one_line()
-> Result<()> {
    let db = TestDb::migrated().await?;
    let bouncer = PgBouncer::start_session(1)?;
    let url = format!("{}?pooler=session", bouncer.url(db.name()));
    // Another client holds the pool's only server connection.
    let holder = agent_where::db::DatabaseUrl::parse(&url)?.connect().await?;
    holder.batch_execute("SELECT 1").await?;
    let out = Bin::new("setup-agent-where")
        .args(["--lock-timeout", "2s"])
        .database(&url)
        .timeout(Duration::from_secs(60))
        .run()
        .await?;
    assert_eq!(out.code, Some(2), "{}", out.show());
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.show());
    assert!(
        out.stderr.contains("no answer within 2 s")
            && out.stderr.contains("server connection from the pooler"),
        "{}",
        out.show()
    );
    drop(holder);
    Ok(())
}

#[tokio::test]
async fn a_migration_lock_held_elsewhere_ends_setup_within_its_timeout() -> Result<()> {
    let db = TestDb::empty().await?;
    // An idle session holding the lock, as an older setup could leave it on
    // a pooled server connection.
    let holder = db.client().await?;
    holder
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK_KEY])
        .await?;
    let holder_pid: i32 = holder
        .query_one("SELECT pg_backend_pid()", &[])
        .await?
        .get(0);
    let bouncer = PgBouncer::start(4)?;
    for url in [
        db.url().to_owned(),
        transaction_mode(&bouncer.url(db.name())),
    ] {
        let out = Bin::new("setup-agent-where")
            .args(["--lock-timeout", "2s"])
            .database(&url)
            .timeout(Duration::from_secs(60))
            .run()
            .await?;
        out.expect_code(2, "setup behind a held lock");
        assert!(
            out.elapsed < Duration::from_secs(30),
            "took {:?}",
            out.elapsed
        );
        // One error line; before it at most the note that setup is waiting.
        let lines: Vec<&str> = out.stderr.lines().collect();
        let errors: Vec<&&str> = lines.iter().filter(|l| l.contains(": error: ")).collect();
        assert_eq!(errors.len(), 1, "{}", out.show());
        assert!(
            lines.len() == 1
                || (lines.len() == 2 && lines[0].contains("waiting for the migration lock")),
            "{}",
            out.show()
        );
        let line = errors[0];
        assert!(
            line.starts_with("setup-agent-where: error: cannot take the migration lock")
                && line.contains("2 s")
                && line.contains(&format!("pid {holder_pid}"))
                && line.contains("idle"),
            "{}",
            out.show()
        );
    }
    // Nothing was applied while the lock was held elsewhere.
    let client = db.client().await?;
    let applied: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_class WHERE relname = $1",
            &[&HISTORY_TABLE],
        )
        .await?
        .get(0);
    assert_eq!(applied, 0);
    // Once the holder lets go, setup goes through the pooler.
    holder
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK_KEY])
        .await?;
    run(
        "setup-agent-where",
        &transaction_mode(&bouncer.url(db.name())),
        &["-q"],
    )
    .await?
    .expect_code(0, "setup once the lock is free");
    Ok(())
}

/// Every `sql/` file, prepared against the migrated schema: its parameters
/// and result columns are built-in types, so the unnamed-statement path
/// never needs tokio-postgres's named type-lookup statements (which would
/// break behind a transaction pooler). `history_column_types.sql` is the
/// one exception: it reads `venue_t` for the binary COPY of direct
/// connections only.
#[tokio::test]
async fn every_sql_file_sends_and_returns_only_built_in_types() -> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    // Statements for Maxxit's schema (sql/maxxit/) prepare against it, set up.
    let maxxit_db = TestDb::empty().await?;
    let maxxit = maxxit_db.client().await?;
    maxxit
        .batch_execute(include_str!(
            "../../../shared/tests/fixtures/maxxit_2026.sql"
        ))
        .await?;
    run("setup-agent-where", maxxit_db.url(), &["-q"])
        .await?
        .expect_code(0, "setup on Maxxit's schema");
    let mut bad = Vec::new();
    for file in &sql_files() {
        let name = &file.name;
        if name.ends_with("history_column_types.sql") {
            continue;
        }
        let target = if name.starts_with("maxxit/") {
            &maxxit
        } else {
            &client
        };
        let statement = target.prepare(&file.text).await?;
        for (i, ty) in statement.params().iter().enumerate() {
            if tokio_postgres::types::Type::from_oid(ty.oid()).is_none() {
                bad.push(format!("{name}: parameter ${} is `{}`", i + 1, ty.name()));
            }
        }
        for column in statement.columns() {
            if tokio_postgres::types::Type::from_oid(column.type_().oid()).is_none() {
                bad.push(format!(
                    "{name}: column `{}` is `{}`",
                    column.name(),
                    column.type_().name()
                ));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "select or cast to a built-in type:\n{}",
        bad.join("\n")
    );
    Ok(())
}

#[tokio::test]
async fn a_sync_lock_held_elsewhere_ends_the_sync_within_its_timeout() -> Result<()> {
    let db = TestDb::migrated().await?;
    let bouncer = PgBouncer::start(4)?;
    // Another OSTIUM sync, stuck inside its apply transaction.
    let mut holder = db.client().await?;
    let stuck = holder.transaction().await?;
    stuck
        .execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('agent_where.market_sync.' || 'OSTIUM', 0))",
            &[],
        )
        .await?;
    let pairs = fixture_arg("ostium/pairs.graphql.json");
    let prices = fixture_arg("ostium/latest-prices.json");
    for url in [
        db.url().to_owned(),
        transaction_mode(&bouncer.url(db.name())),
    ] {
        let out = Bin::new("sync-ostium-markets")
            .args(["--pairs-file", &pairs, "--prices-file", &prices])
            .args(["--lock-timeout", "1s"])
            .database(&url)
            .timeout(Duration::from_secs(60))
            .run()
            .await?;
        out.expect_code(2, "sync behind a held venue lock");
        assert!(
            out.elapsed < Duration::from_secs(30),
            "took {:?}",
            out.elapsed
        );
        let errors: Vec<&str> = out
            .stderr
            .lines()
            .filter(|l| l.contains(": error: "))
            .collect();
        assert_eq!(errors.len(), 1, "{}", out.show());
        assert!(
            errors[0].contains("cannot take the OSTIUM market sync lock")
                && errors[0].contains("1 s"),
            "{}",
            out.show()
        );
    }
    stuck.rollback().await?;
    let client = db.client().await?;
    assert_eq!(
        count(&client, "SELECT count(*) FROM venue_markets").await?,
        0,
        "nothing applied while the lock was held"
    );
    Ok(())
}

#[tokio::test]
async fn bench_routing_refuses_a_transaction_pooler_before_connecting() -> Result<()> {
    let out = Bin::new("bench-routing")
        .args(["--signals", "10"])
        .database("postgres://postgres@127.0.0.1:1/postgres?pooler=transaction")
        .timeout(Duration::from_secs(30))
        .run()
        .await?;
    out.expect_code(2, "bench-routing behind a pooler");
    assert!(
        out.error_line().contains("measures a direct connection")
            && out.error_line().contains("pooler=none"),
        "{}",
        out.show()
    );
    Ok(())
}
