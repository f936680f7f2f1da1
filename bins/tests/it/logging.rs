//! stderr at the default log level: a lost database connection ends a run
//! with its one error line, and no library log line (tokio-postgres,
//! deadpool, refinery, hyper) comes before it; `-v` still shows them.

use std::time::Duration;

use agent_where::testing::TestDb;
use anyhow::Result;
use tokio_postgres::Client;

use crate::support::bin::{Bin, Output};
use crate::support::routing::{insert_agent, insert_signals};
use crate::support::wait_for;

const MARKETS: &str = "
INSERT INTO venue_markets (venue, token_symbol, market_name, market_index, base_symbol, price_scale, is_active, market_open, max_leverage)
VALUES ('HYPERLIQUID', 'BTC', 'BTC/USD', 0, 'BTC', 1, true, NULL, 40),
       ('OSTIUM', 'XAU', 'XAU/USD', 5, 'XAU', 1, true, true, 100);
INSERT INTO venue_sync_runs (venue, source, status, started_at, finished_at)
VALUES ('HYPERLIQUID', 'test', 'SUCCEEDED', now() - interval '1 hour', now() - interval '1 hour'),
       ('OSTIUM', 'test', 'SUCCEEDED', now() - interval '1 hour', now() - interval '1 hour');
";

async fn ready() -> Result<TestDb> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    client.batch_execute(MARKETS).await?;
    let agent = insert_agent(&client).await?;
    insert_signals(&client, agent, 3000, &["BTC", "XAU", "DOGE"]).await?;
    Ok(db)
}

/// Runs the router while its history write waits on a lock, then
/// terminates every backend of the router (the worker's and the run's own
/// connection).
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
    let router = Bin::new("route-pending-signals")
        .database(db.url())
        .args(["--batch-size", "1000"])
        .args(extra)
        .spawn()?;
    wait_for(
        Duration::from_secs(20),
        "the router's history write",
        || waiting_for_history(&client),
    )
    .await?;
    client
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND application_name = 'agent-where'
               AND pid NOT IN (pg_backend_pid(), $1)",
            &[&blocker_pid],
        )
        .await?;
    blocker.batch_execute("ROLLBACK").await?;
    router.finish(Duration::from_secs(60)).await
}

async fn waiting_for_history(client: &Client) -> Result<bool> {
    let waiting: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock'
               AND query LIKE '%venue_routing_history%'",
            &[],
        )
        .await?
        .get(0);
    Ok(waiting > 0)
}

#[tokio::test]
async fn a_lost_connection_prints_one_line_at_the_default_level() -> Result<()> {
    let db = ready().await?;
    let out = route_and_lose_the_connection(&db, &[]).await?;
    out.expect_code(2, "connection lost");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "exactly the error line:\n{}", out.show());
    assert!(
        lines[0].starts_with("route-pending-signals: error: ")
            && lines[0].contains("terminating connection"),
        "{}",
        out.show()
    );

    // -v shows the libraries' own warnings again (deadpool's connection error).
    let db = ready().await?;
    let out = route_and_lose_the_connection(&db, &["-v"]).await?;
    out.expect_code(2, "connection lost, -v");
    assert!(
        out.stderr
            .lines()
            .any(|l| l.contains("WARN") && l.contains("Connection error")),
        "{}",
        out.show()
    );
    assert_eq!(
        out.stderr
            .lines()
            .filter(|l| l.starts_with("route-pending-signals: error: "))
            .count(),
        1,
        "{}",
        out.show()
    );
    Ok(())
}
