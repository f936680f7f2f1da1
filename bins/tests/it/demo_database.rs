//! The quick start never writes illustrative data into a live database
//! (issue 23): `run-pipeline --offline --demo-signals` refuses, before
//! changing anything, every database that is not a demo database (Maxxit's
//! schema with its rows, markets synced live, another agent's signal), runs on
//! a new database and again on its own; markets of the data built into the
//! binary never route outside a demo database, and `health` fails on them.

use std::time::Duration;

use agent_where::testing::TestDb;
use anyhow::Result;
use wiremock::MockServer;

use crate::maxxit::MAXXIT_2026;
use crate::support::bin::{Bin, Output, run};
use crate::support::db::{count, full_dump, user_of, with_userinfo};
use crate::support::routing::{insert_agent, insert_signals, pending};
use crate::support::venue::{mount_hyperliquid, recorded_hyperliquid, recorded_perp_dexs};

/// The password the refused runs' URLs carry (the test server trusts local
/// connections, so any password logs in): no output may contain it.
const PASSWORD: &str = "quick-start-s3cret";

/// `run-pipeline --offline --demo-signals 10`, the quick start, on `url`.
async fn quick_start(url: &str) -> Result<Output> {
    Bin::new("run-pipeline")
        .args(["--offline", "--demo-signals", "10"])
        .database(url)
        .timeout(Duration::from_secs(120))
        .run()
        .await
}

/// The test database's URL with a password in it.
fn with_password(db: &TestDb) -> String {
    let user = user_of(db.url());
    with_userinfo(db.url(), &user, Some(PASSWORD))
}

/// Runs the quick start on `db`, which is not a demo database: exit 2, one
/// line naming the database (no password) and the way out, nothing on
/// stdout, and every row and the whole catalog unchanged. Returns the line.
async fn assert_refused_and_unchanged(db: &TestDb, why: &str) -> Result<String> {
    let client = db.client().await?;
    let before = full_dump(&client).await?;
    let out = quick_start(&with_password(db)).await?;
    assert_eq!(out.code, Some(2), "{why}: {}", out.show());
    assert_eq!(out.stdout, "", "{why}: {}", out.show());
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{why}: one line: {}", out.show());
    let line = lines[0];
    assert!(
        line.starts_with("run-pipeline: error: refused: ")
            && line.contains(&format!("/{} is not one", db.name()))
            && line.contains("nothing was changed")
            && line.contains("--database-url postgres:///agent_where_demo"),
        "{why}: {line}"
    );
    assert!(!out.show().contains(PASSWORD), "{why}: {}", out.show());
    assert_eq!(
        full_dump(&client).await?,
        before,
        "{why}: the database changed"
    );
    Ok(line.to_owned())
}

#[tokio::test]
async fn the_quick_start_refuses_maxxits_database_and_changes_nothing() -> Result<()> {
    // Maxxit's schema with its agents, signals and markets, as a Maxxit
    // developer's DATABASE_URL points at it: Agent Where not set up yet.
    let db = TestDb::empty().await?;
    db.client().await?.batch_execute(MAXXIT_2026).await?;
    let line = assert_refused_and_unchanged(&db, "Maxxit, not set up").await?;
    assert!(
        line.contains("another application's tables") && line.contains("agent_deployments"),
        "{line}"
    );
    assert!(
        line.contains("signals of agents other than the demo's"),
        "{line}"
    );
    assert!(line.contains("markets another writer keeps"), "{line}");

    // The same after setup-agent-where: still Maxxit's database.
    run("setup-agent-where", db.url(), &[])
        .await?
        .expect_code(0, "setup on Maxxit's schema");
    assert_refused_and_unchanged(&db, "Maxxit, set up").await?;

    // AGENT_WHERE_OFFLINE left in a scheduled run's environment: refused too.
    let client = db.client().await?;
    let before = full_dump(&client).await?;
    let out = Bin::new("run-pipeline")
        .env("AGENT_WHERE_OFFLINE", "true")
        .database(db.url())
        .timeout(Duration::from_secs(120))
        .run()
        .await?;
    assert_eq!(out.code, Some(2), "{}", out.show());
    assert!(
        out.error_line()
            .contains("--offline (AGENT_WHERE_OFFLINE) writes illustrative data"),
        "{}",
        out.show()
    );
    assert_eq!(full_dump(&client).await?, before);
    Ok(())
}

#[tokio::test]
async fn the_quick_start_refuses_markets_synced_live_and_changes_nothing() -> Result<()> {
    let db = TestDb::migrated().await?;
    let server = MockServer::start().await;
    mount_hyperliquid(&server, recorded_perp_dexs(), recorded_hyperliquid()).await;
    run(
        "sync-hyperliquid-markets",
        db.url(),
        &["--api-url", &server.uri()],
    )
    .await?
    .expect_code(0, "live sync from the local test server");
    let line = assert_refused_and_unchanged(&db, "live markets").await?;
    assert!(
        line.contains("its markets of HYPERLIQUID were synced from a live API or files"),
        "{line}"
    );
    Ok(())
}

#[tokio::test]
async fn the_quick_start_refuses_a_database_holding_another_agents_signal() -> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    let agent = insert_agent(&client).await?;
    insert_signals(&client, agent, 1, &["BTC"]).await?;
    let line = assert_refused_and_unchanged(&db, "a real signal").await?;
    assert!(
        line.contains("signals of agents other than the demo's"),
        "{line}"
    );

    // --demo-signals alone (live syncs) is refused the same way.
    let before = full_dump(&client).await?;
    let out = Bin::new("run-pipeline")
        .args(["--demo-signals", "10", "--venues", "hyperliquid"])
        .database(db.url())
        .run()
        .await?;
    assert_eq!(out.code, Some(2), "{}", out.show());
    assert!(
        out.error_line().contains("--demo-signals writes"),
        "{}",
        out.show()
    );
    assert_eq!(full_dump(&client).await?, before);
    Ok(())
}

#[tokio::test]
async fn the_quick_start_runs_on_a_new_database_and_again_on_its_own() -> Result<()> {
    // A database that does not exist: the demo creates it and marks it.
    let db = TestDb::unborn();
    let first = quick_start(db.url()).await?;
    assert_eq!(first.code, Some(0), "{}", first.show());
    assert!(
        first.stdout.contains("marked as a demo database"),
        "{}",
        first.show()
    );
    let client = db.client().await?;
    assert_eq!(
        count(
            &client,
            "SELECT count(*) FROM agent_where_demo_database
             WHERE database_name = current_database() AND marked_by = 'run-pipeline'"
        )
        .await?,
        1
    );
    assert_eq!(
        count(
            &client,
            "SELECT count(*) FROM venue_sync_runs WHERE built_in AND status = 'SUCCEEDED'"
        )
        .await?,
        i64::try_from(agent_where::venues::SOURCES.len())?
    );
    let routed = count(
        &client,
        "SELECT count(*) FROM signals WHERE venue NOT IN ('MULTI')",
    )
    .await?;
    assert!(routed > 0, "the demo routes on its own data");
    // Rerun on the demo's own database: works as before, marked once.
    let again = quick_start(db.url()).await?;
    assert_eq!(again.code, Some(0), "{}", again.show());
    assert!(!again.stdout.contains("marked as a demo database"));
    assert_eq!(pending(&client).await?, 0);
    assert_eq!(
        count(&client, "SELECT count(*) FROM signals").await?,
        20,
        "two runs of 10 demo signals"
    );

    // A new database that exists (set up, nothing else in it): a demo database.
    let new = TestDb::migrated().await?;
    let out = quick_start(new.url()).await?;
    assert_eq!(out.code, Some(0), "{}", out.show());
    assert_eq!(
        count(
            &new.client().await?,
            "SELECT count(*) FROM agent_where_demo_database WHERE database_name = current_database()"
        )
        .await?,
        1
    );
    Ok(())
}

#[tokio::test]
async fn without_a_database_url_the_quick_start_uses_agent_where_demo() -> Result<()> {
    // Nothing listens on port 1: the run stops at setup, naming the database
    // it was going to use, and creates nothing anywhere.
    let out = Bin::new("run-pipeline")
        .args(["--offline", "--demo-signals", "10"])
        .env("PGHOST", "127.0.0.1")
        .env("PGPORT", "1")
        .env_remove("PGDATABASE")
        .env("PGCONNECT_TIMEOUT", "5")
        .timeout(Duration::from_secs(60))
        .run()
        .await?;
    assert_eq!(out.code, Some(2), "{}", out.show());
    let error = out.error_line();
    assert!(
        error.contains("agent_where_demo") && error.contains("127.0.0.1:1"),
        "{}",
        out.show()
    );
    // Without the demo flags the default stays `agent_where`.
    let out = Bin::new("run-pipeline")
        .env("PGHOST", "127.0.0.1")
        .env("PGPORT", "1")
        .env_remove("PGDATABASE")
        .timeout(Duration::from_secs(60))
        .run()
        .await?;
    assert_eq!(out.code, Some(2), "{}", out.show());
    let error = out.error_line();
    assert!(
        error.contains("agent_where") && !error.contains("agent_where_demo"),
        "{}",
        out.show()
    );
    Ok(())
}

/// The `built-in-markets` line of a table health report.
fn built_in_line(out: &Output) -> String {
    out.stdout
        .lines()
        .find(|l| l.contains("built-in-markets"))
        .unwrap_or_else(|| panic!("no built-in-markets check:\n{}", out.show()))
        .to_owned()
}

#[tokio::test]
async fn built_in_markets_never_route_outside_a_demo_database_and_fail_health() -> Result<()> {
    // The demo's own database: its built-in markets route, health accepts them.
    let db = TestDb::unborn();
    let out = Bin::new("run-pipeline")
        .args(["--offline"])
        .database(db.url())
        .timeout(Duration::from_secs(120))
        .run()
        .await?;
    assert_eq!(out.code, Some(0), "{}", out.show());
    let client = db.client().await?;
    let health = run("routing-stats", db.url(), &["health"]).await?;
    assert!(
        built_in_line(&health).starts_with("OK"),
        "{}",
        health.show()
    );

    // Its mark removed: not a demo database, health fails; marked again: OK.
    client
        .batch_execute("DELETE FROM agent_where_demo_database")
        .await?;
    let health = run("routing-stats", db.url(), &["health"]).await?;
    assert!(
        built_in_line(&health).starts_with("FAIL"),
        "{}",
        health.show()
    );
    client
        .batch_execute(
            "INSERT INTO agent_where_demo_database (database_name, marked_by)
             VALUES (current_database(), 'test')",
        )
        .await?;
    let health = run("routing-stats", db.url(), &["health"]).await?;
    assert!(
        built_in_line(&health).starts_with("OK"),
        "{}",
        health.show()
    );

    // Forced into a database that is not a demo database: marked, but a real
    // agent's signals are pending in it.
    let agent = insert_agent(&client).await?;
    insert_signals(&client, agent, 4, &["BTC", "ETH", "XAU", "DOGE"]).await?;
    let routed = run("route-pending-signals", db.url(), &[]).await?;
    assert_eq!(routed.code, Some(0), "{}", routed.show());
    assert_eq!(
        count(
            &client,
            "SELECT count(*) FROM signals
             WHERE agent_id <> '00000000-0000-4000-8000-00000000d3a0' AND venue = 'MULTI'
               AND skipped_reason LIKE 'NO_VENUE_AVAILABLE: HYPERLIQUID: BUILT_IN_MARKET_DATA%'
               AND skipped_reason LIKE '%OSTIUM: BUILT_IN_MARKET_DATA%'"
        )
        .await?,
        4,
        "every real signal is skipped with the new reason"
    );
    let reasons: Vec<String> = client
        .query(
            "SELECT h.venue_availability -> 'HYPERLIQUID' ->> 'reason' FROM venue_routing_history h",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(reasons, vec!["BUILT_IN_MARKET_DATA"; 4]);

    let health = run("routing-stats", db.url(), &["health"]).await?;
    assert_eq!(health.code, Some(1), "{}", health.show());
    let line = built_in_line(&health);
    assert!(
        line.starts_with("FAIL") && line.contains("HYPERLIQUID 187") && line.contains("OSTIUM"),
        "{line}"
    );

    // A live sync replaces Hyperliquid's built-in markets: it routes again,
    // and health still names the venues that hold built-in data.
    let server = MockServer::start().await;
    mount_hyperliquid(&server, recorded_perp_dexs(), recorded_hyperliquid()).await;
    run(
        "sync-hyperliquid-markets",
        db.url(),
        &["--api-url", &server.uri()],
    )
    .await?
    .expect_code(0, "live sync");
    insert_signals(&client, agent, 1, &["BTC"]).await?;
    run("route-pending-signals", db.url(), &[])
        .await?
        .expect_code(0, "route");
    assert_eq!(
        count(
            &client,
            "SELECT count(*) FROM signals WHERE agent_id <> '00000000-0000-4000-8000-00000000d3a0' AND venue = 'HYPERLIQUID'"
        )
        .await?,
        1
    );
    let health = run("routing-stats", db.url(), &["health"]).await?;
    let line = built_in_line(&health);
    assert!(
        line.starts_with("FAIL") && !line.contains("HYPERLIQUID") && line.contains("OSTIUM"),
        "{line}"
    );
    Ok(())
}
