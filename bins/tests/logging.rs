//! stderr at the default log level: a lost database connection ends a run
//! with its one error line, and no library log line (tokio-postgres,
//! deadpool, refinery, hyper) comes before it; `-v` still shows them.

use std::process::Output;
use std::time::Duration;

use agent_where::testing::TestDb;
use anyhow::{Context, Result, bail};
use tokio::process::Command;
use tokio_postgres::Client;

const ROUTE: &str = env!("CARGO_BIN_EXE_route-pending-signals");

const SEED: &str = "
INSERT INTO venue_markets (venue, token_symbol, market_name, market_index, base_symbol, price_scale, is_active, market_open, max_leverage)
VALUES ('HYPERLIQUID', 'BTC', 'BTC/USD', 0, 'BTC', 1, true, NULL, 40),
       ('OSTIUM', 'XAU', 'XAU/USD', 5, 'XAU', 1, true, true, 100);
INSERT INTO venue_sync_runs (venue, source, status, started_at, finished_at)
VALUES ('HYPERLIQUID', 'test', 'SUCCEEDED', now() - interval '1 hour', now() - interval '1 hour'),
       ('OSTIUM', 'test', 'SUCCEEDED', now() - interval '1 hour', now() - interval '1 hour');
WITH agent AS (
    INSERT INTO agents (creator_wallet, name, venue, profit_receiver_address)
    VALUES ('0xabc', 'multi agent', 'MULTI', '0xabc') RETURNING id
)
INSERT INTO signals (agent_id, token_symbol, venue, side, size_model, risk_model, created_at)
SELECT agent.id, (ARRAY['BTC', 'XAU', 'DOGE'])[1 + i % 3], 'MULTI', 'LONG',
       '{\"type\": \"balance-percentage\", \"value\": 5}', '{}', now() - make_interval(secs => i)
FROM agent, generate_series(1, 3000) AS i;
";

/// Runs the router while its history COPY waits on a lock, then terminates
/// every backend of the router (the worker's and the run's own connection).
async fn route_and_lose_the_connection(db: &TestDb, extra: &[&str]) -> Result<Output> {
    let client = db.client().await?;
    let blocker = db.client().await?;
    blocker
        .batch_execute("BEGIN; LOCK TABLE venue_routing_history IN SHARE MODE")
        .await?;
    let blocker_pid: i32 = blocker
        .query_one("SELECT pg_backend_pid()", &[])
        .await?
        .get(0);
    let mut cmd = Command::new(ROUTE);
    cmd.arg("--database-url")
        .arg(db.url())
        .args(["--batch-size", "1000"])
        .args(extra)
        .env_remove("DATABASE_URL")
        .env_remove("RUST_LOG")
        .env_remove("AGENT_WHERE_LOG_FORMAT")
        .kill_on_drop(true);
    let router = tokio::spawn(async move { cmd.output().await });
    wait_for_copy(&client).await?;
    client
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND application_name = 'agent-where'
               AND pid NOT IN (pg_backend_pid(), $1)",
            &[&blocker_pid],
        )
        .await?;
    blocker.batch_execute("ROLLBACK").await?;
    tokio::time::timeout(Duration::from_secs(60), router)
        .await
        .context("the router did not end within 60 s")??
        .context("cannot run route-pending-signals")
}

async fn wait_for_copy(client: &Client) -> Result<()> {
    for _ in 0..400 {
        let waiting: i64 = client
            .query_one(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock'
                   AND query LIKE '%COPY venue_routing_history%'",
                &[],
            )
            .await?
            .get(0);
        if waiting > 0 {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("the router never reached its history COPY")
}

#[tokio::test]
async fn a_lost_connection_prints_one_line_at_the_default_level() -> Result<()> {
    let db = TestDb::migrated().await?;
    db.client().await?.batch_execute(SEED).await?;
    let out = route_and_lose_the_connection(&db, &[]).await?;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "exactly the error line:\n{stderr}");
    assert!(
        lines[0].starts_with("route-pending-signals: error: ")
            && lines[0].contains("terminating connection"),
        "{stderr}"
    );

    // -v shows the libraries' own warnings again (deadpool's connection error).
    let db = TestDb::migrated().await?;
    db.client().await?.batch_execute(SEED).await?;
    let out = route_and_lose_the_connection(&db, &["-v"]).await?;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("WARN") && l.contains("Connection error")),
        "{stderr}"
    );
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.starts_with("route-pending-signals: error: "))
            .count(),
        1,
        "{stderr}"
    );
    Ok(())
}
