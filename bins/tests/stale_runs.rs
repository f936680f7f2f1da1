//! Runs that never finish (a killed process, a lost connection) do not stay
//! "current": a `RUNNING` routing run without a heartbeat for longer than
//! the staleness limit is shown as STALE by the summary, fails `health`, and
//! is marked FAILED by the next routing run; a live run keeps its heartbeat
//! fresh and is left alone. Sync runs are judged by age the same way.

use std::time::Duration;

use agent_where::db::routing::{RUN_HEARTBEAT_INTERVAL, RUN_STALE_AFTER};
use agent_where::testing::TestDb;
use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;
use tokio::process::Command;
use tokio_postgres::Client;

const STATS: &str = env!("CARGO_BIN_EXE_routing-stats");
const ROUTE: &str = env!("CARGO_BIN_EXE_route-pending-signals");
const SYNC_OSTIUM: &str = env!("CARGO_BIN_EXE_sync-ostium-markets");

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn run(bin: &str, db: &TestDb, args: &[&str]) -> Result<Out> {
    let mut cmd = Command::new(bin);
    cmd.args(args)
        .arg("--database-url")
        .arg(db.url())
        .env_remove("DATABASE_URL")
        .env_remove("RUST_LOG")
        .env_remove("AGENT_WHERE_HEALTH_MAX_SYNC_AGE")
        .env_remove("AGENT_WHERE_HEALTH_MIN_SUCCESS_RATE")
        .env_remove("AGENT_WHERE_HEALTH_MIN_DECISIONS")
        .env_remove("AGENT_WHERE_HEALTH_MAX_PENDING_AGE")
        .kill_on_drop(true);
    let out = tokio::time::timeout(Duration::from_secs(60), cmd.output())
        .await
        .map_err(|_| anyhow!("{bin} {args:?} timed out"))??;
    Ok(Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

fn json(out: &Out) -> Result<Value> {
    serde_json::from_str(&out.stdout).with_context(|| format!("not JSON: {}", out.stdout))
}

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
    let summary = run(STATS, &db, &["--format", "json"]).await?;
    assert_eq!(summary.code, 0, "{}", summary.stderr);
    let v = json(&summary)?;
    let runs = &v["routing_runs"];
    assert_eq!(runs["runs"], 2, "{runs}");
    assert_eq!(runs["running"], 1, "only the live run is running: {runs}");
    assert_eq!(runs["stale"], 1, "{runs}");
    let ostium = v["venue_sync"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["venue"] == "OSTIUM"))
        .context("OSTIUM sync row")?;
    assert_eq!(ostium["last_attempt_status"], "STALE", "{ostium}");
    let table = run(STATS, &db, &["--window", "all"]).await?;
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
    let v = json(&run(STATS, &db, &["--format", "json"]).await?)?;
    assert_eq!(v["routing_runs"]["last_status"], "STALE", "{v}");
    let table = run(STATS, &db, &[]).await?;
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
    let health = run(STATS, &db, &["health", "--format", "json"]).await?;
    assert_eq!(health.code, 1, "{}", health.stderr);
    let check = stale_check(&json(&health)?)?;
    assert_eq!(check["ok"], false, "{check}");
    assert_eq!(check["value"], 2.0, "{check}");
    let detail = check["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("gone-host") && detail.contains("4242") && detail.contains("OSTIUM"),
        "{detail}"
    );
    let table = run(STATS, &db, &["health"]).await?;
    assert!(
        table
            .stdout
            .lines()
            .any(|l| l.starts_with("FAIL") && l.contains("stale-runs")),
        "{}",
        table.stdout
    );

    // The next routing run marks the stale run FAILED and leaves the live one.
    let route = run(ROUTE, &db, &["--format", "json"]).await?;
    assert_eq!(route.code, 0, "{}", route.stderr);
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
    let health = json(&run(STATS, &db, &["health", "--format", "json"]).await?)?;
    let check = stale_check(&health)?;
    assert_eq!(check["value"], 1.0, "{check}");

    // The next OSTIUM sync marks the stale sync run FAILED; then the check passes.
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/ostium");
    let sync = run(
        SYNC_OSTIUM,
        &db,
        &[
            "--pairs-file",
            &format!("{fixtures}/pairs.graphql.json"),
            "--prices-file",
            &format!("{fixtures}/latest-prices.json"),
        ],
    )
    .await?;
    assert_eq!(sync.code, 0, "{}", sync.stderr);
    let error: String = client
        .query_one(
            "SELECT error FROM venue_sync_runs WHERE source = 'elsewhere' AND status = 'FAILED'",
            &[],
        )
        .await?
        .get(0);
    assert!(error.contains("STALE"), "{error}");
    let health = json(&run(STATS, &db, &["health", "--format", "json"]).await?)?;
    let check = stale_check(&health)?;
    assert_eq!(check["ok"], true, "{check}");
    Ok(())
}

/// Waits until `sql` (one bool) is true.
async fn wait_until(client: &Client, sql: &str, within: Duration, what: &str) -> Result<()> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if client.query_one(sql, &[]).await?.get::<_, bool>(0) {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            bail!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_live_router_keeps_its_heartbeat_fresh_while_a_batch_waits() -> Result<()> {
    assert!(RUN_HEARTBEAT_INTERVAL * 10 <= RUN_STALE_AFTER);
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    client
        .batch_execute(
            "WITH agent AS (
                 INSERT INTO agents (creator_wallet, name, venue, profit_receiver_address)
                 VALUES ('0xabc', 'multi agent', 'MULTI', '0xabc') RETURNING id)
             INSERT INTO signals (agent_id, token_symbol, venue, side, size_model, risk_model)
             SELECT agent.id, 'BTC', 'MULTI', 'LONG', '{}', '{}'
             FROM agent, generate_series(1, 10)",
        )
        .await?;
    // Hold the history table so the router's only batch waits at its COPY.
    let mut locker = db.client().await?;
    let lock = locker.transaction().await?;
    lock.batch_execute("LOCK TABLE venue_routing_history IN SHARE MODE")
        .await?;
    let url = db.url().to_owned();
    let router = tokio::spawn(async move {
        Command::new(ROUTE)
            .args(["--database-url", &url, "-q"])
            .env_remove("RUST_LOG")
            .kill_on_drop(true)
            .output()
            .await
    });
    wait_until(
        &client,
        "SELECT count(*) = 1 FROM routing_runs WHERE status = 'RUNNING' AND heartbeat_at IS NOT NULL",
        Duration::from_secs(30),
        "the run row with its first heartbeat",
    )
    .await?;
    let first: chrono::DateTime<chrono::Utc> = client
        .query_one("SELECT heartbeat_at FROM routing_runs", &[])
        .await?
        .get(0);
    // While the batch is stuck, the run's own connection still beats.
    wait_until(
        &client,
        &format!(
            "SELECT heartbeat_at > '{}'::timestamptz FROM routing_runs",
            first.to_rfc3339()
        ),
        RUN_HEARTBEAT_INTERVAL * 2 + Duration::from_secs(10),
        "a second heartbeat",
    )
    .await?;
    lock.rollback().await?;
    let out = tokio::time::timeout(Duration::from_secs(60), router).await???;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
