//! Runs that never finish (a killed process, a lost connection) do not stay
//! "current": a `RUNNING` routing run without a heartbeat for longer than
//! the staleness limit is shown as STALE by the summary, fails `health`, and
//! is marked FAILED by the next routing run; a live run keeps its heartbeat
//! fresh and is left alone. Sync runs are judged by age the same way.

use std::time::Duration;

use agent_where::db::routing::{RUN_HEARTBEAT_INTERVAL, RUN_STALE_AFTER};
use agent_where::testing::TestDb;
use anyhow::{Context, Result, anyhow};
use serde_json::Value;

use crate::support::bin::{Bin, run};
use crate::support::routing::{insert_agent, insert_signals};
use crate::support::venue::fixture_arg;
use crate::support::wait_for;

fn stale_check(health: &Value) -> Result<Value> {
    health["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["check"] == "stale-runs"))
        .cloned()
        .ok_or_else(|| anyhow!("no stale-runs check: {health}"))
}

/// A stale routing run (killed 2 h ago), a live one (heartbeat 5 s ago) and
/// a sync run RUNNING for 3 hours.
const SEED: &str = "
INSERT INTO routing_runs (id, status, started_at, heartbeat_at, host, pid, claimed, routed, skipped)
VALUES ('00000000-0000-4000-8000-00000000a001', 'RUNNING', now() - interval '2 hours',
        now() - interval '2 hours' + interval '3 seconds', 'gone-host', 4242, 7, 5, 2),
       ('00000000-0000-4000-8000-00000000a002', 'RUNNING', now() - interval '1 minute',
        now() - interval '5 seconds', 'live-host', 4343, 0, 0, 0);
INSERT INTO venue_sync_runs (venue, source, status, started_at)
VALUES ('OSTIUM', 'elsewhere', 'RUNNING', now() - interval '3 hours');
";

#[tokio::test]
async fn stale_runs_are_shown_reported_by_health_and_failed_by_the_next_run() -> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    client.batch_execute(SEED).await?;

    // The summary counts the killed run as stale, not running, and says so.
    let summary = run("routing-stats", db.url(), &["--format", "json"]).await?;
    summary.expect_code(0, "summary");
    let v = summary.json();
    let runs = &v["routing_runs"];
    assert_eq!(runs["runs"], 2, "{runs}");
    assert_eq!(runs["running"], 1, "only the live run is running: {runs}");
    assert_eq!(runs["stale"], 1, "{runs}");
    let ostium = v["venue_sync"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["venue"] == "OSTIUM"))
        .context("OSTIUM sync row")?;
    assert_eq!(ostium["last_attempt_status"], "STALE", "{ostium}");
    let table = run("routing-stats", db.url(), &["--window", "all"]).await?;
    table.expect_code(0, "summary table");
    assert!(
        table.stdout.contains("1 running, 1 stale"),
        "{}",
        table.stdout
    );

    // The newest run is the live one; once it is stale too, the summary's
    // last run says STALE rather than RUNNING.
    client
        .batch_execute(
            "UPDATE routing_runs SET heartbeat_at = now() - interval '1 hour'
             WHERE id = '00000000-0000-4000-8000-00000000a002'",
        )
        .await?;
    let v = run("routing-stats", db.url(), &["--format", "json"])
        .await?
        .json();
    assert_eq!(v["routing_runs"]["last_status"], "STALE", "{v}");
    let table = run("routing-stats", db.url(), &[]).await?;
    assert!(
        table.stdout.contains("last routing run: STALE"),
        "{}",
        table.stdout
    );
    client
        .batch_execute(
            "UPDATE routing_runs SET heartbeat_at = now() - interval '5 seconds'
             WHERE id = '00000000-0000-4000-8000-00000000a002'",
        )
        .await?;

    // health fails on the stale routing run and the stale sync run.
    let health = run("routing-stats", db.url(), &["health", "--format", "json"]).await?;
    health.expect_code(1, "health with stale runs");
    let check = stale_check(&health.json())?;
    assert_eq!(check["ok"], false, "{check}");
    assert_eq!(check["value"], 2.0, "{check}");
    let detail = check["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("gone-host") && detail.contains("4242") && detail.contains("OSTIUM"),
        "{detail}"
    );
    let table = run("routing-stats", db.url(), &["health"]).await?;
    assert!(
        table
            .stdout
            .lines()
            .any(|l| l.starts_with("FAIL") && l.contains("stale-runs")),
        "{}",
        table.stdout
    );

    // The next routing run marks the stale run FAILED and leaves the live one.
    run("route-pending-signals", db.url(), &["--format", "json"])
        .await?
        .expect_code(0, "the next routing run");
    let rows = client
        .query(
            "SELECT id::text, status, finished_at IS NOT NULL, coalesce(error, '')
             FROM routing_runs WHERE id::text LIKE '00000000-0000-4000-8000-00000000a00%' ORDER BY id",
            &[],
        )
        .await?;
    let stale: (String, String, bool, String) = (
        rows[0].get(0),
        rows[0].get(1),
        rows[0].get(2),
        rows[0].get(3),
    );
    assert_eq!(stale.1, "FAILED", "{stale:?}");
    assert!(stale.2, "finished_at set: {stale:?}");
    assert!(
        stale.3.contains("STALE") && stale.3.contains("heartbeat"),
        "{stale:?}"
    );
    assert_eq!(
        rows[1].get::<_, String>(1),
        "RUNNING",
        "the live run is left alone"
    );

    // Only the stale sync run is left for health to report.
    let health = run("routing-stats", db.url(), &["health", "--format", "json"])
        .await?
        .json();
    let check = stale_check(&health)?;
    assert_eq!(check["value"], 1.0, "{check}");

    // The next OSTIUM sync marks the stale sync run FAILED; then the check passes.
    run(
        "sync-ostium-markets",
        db.url(),
        &[
            "--pairs-file",
            &fixture_arg("ostium/pairs.graphql.json"),
            "--prices-file",
            &fixture_arg("ostium/latest-prices.json"),
        ],
    )
    .await?
    .expect_code(0, "the next OSTIUM sync");
    let error: String = client
        .query_one(
            "SELECT error FROM venue_sync_runs WHERE source = 'elsewhere' AND status = 'FAILED'",
            &[],
        )
        .await?
        .get(0);
    assert!(error.contains("STALE"), "{error}");
    let health = run("routing-stats", db.url(), &["health", "--format", "json"])
        .await?
        .json();
    let check = stale_check(&health)?;
    assert_eq!(check["ok"], true, "{check}");
    Ok(())
}

/// Whether `sql` (one bool) holds.
async fn holds(client: &tokio_postgres::Client, sql: &str) -> Result<bool> {
    Ok(client.query_one(sql, &[]).await?.get(0))
}

#[tokio::test]
async fn a_live_router_keeps_its_heartbeat_fresh_while_a_batch_waits() -> Result<()> {
    assert!(RUN_HEARTBEAT_INTERVAL * 10 <= RUN_STALE_AFTER);
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    let agent = insert_agent(&client).await?;
    insert_signals(&client, agent, 10, &["BTC"]).await?;
    // Hold the history table so the router's only batch waits at its write.
    let mut locker = db.client().await?;
    let lock = locker.transaction().await?;
    lock.batch_execute("LOCK TABLE venue_routing_history IN SHARE MODE")
        .await?;
    let router = Bin::new("route-pending-signals")
        .database(db.url())
        .arg("-q")
        .spawn()?;
    wait_for(
        Duration::from_secs(30),
        "the run row with its first heartbeat",
        || {
            holds(
                &client,
                "SELECT count(*) = 1 FROM routing_runs WHERE status = 'RUNNING' AND heartbeat_at IS NOT NULL",
            )
        },
    )
    .await?;
    let first: chrono::DateTime<chrono::Utc> = client
        .query_one("SELECT heartbeat_at FROM routing_runs", &[])
        .await?
        .get(0);
    // While the batch is stuck, the run's own connection still beats.
    let later = format!(
        "SELECT heartbeat_at > '{}'::timestamptz FROM routing_runs",
        first.to_rfc3339()
    );
    wait_for(
        RUN_HEARTBEAT_INTERVAL * 2 + Duration::from_secs(10),
        "a second heartbeat",
        || holds(&client, &later),
    )
    .await?;
    lock.rollback().await?;
    router
        .finish(Duration::from_secs(60))
        .await?
        .expect_code(0, "the router, once unblocked");
    let row = client
        .query_one(
            "SELECT status, heartbeat_at >= started_at FROM routing_runs",
            &[],
        )
        .await?;
    assert_eq!(row.get::<_, String>(0), "COMPLETED");
    assert!(row.get::<_, bool>(1));
    Ok(())
}
