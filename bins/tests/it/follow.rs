//! `route-pending-signals --follow`: a follower decides signals as they
//! arrive (LISTEN on the `signals_pending_notify` trigger, or polling behind
//! a transaction pooler), ends cleanly on SIGTERM, outlives a cut
//! connection, decides exactly once beside other routers, and decides on the
//! newest committed market sync.

use std::time::Duration;

use agent_where::testing::TestDb;
use agent_where::testing::pgbouncer::PgBouncer;
use anyhow::{Context, Result};
use serde_json::{Value, json};
use tokio_postgres::Client;
use uuid::Uuid;

use crate::route_pending_signals::setup;
use crate::support::bin::{Bin, Running};
use crate::support::db::count;
use crate::support::routing::{
    assert_decided_iff_history, assert_runs_match_history, insert_signals, pending,
};
use crate::support::{wait_for, wait_until};

const BIN: &str = "route-pending-signals";

/// Generous bound of the waits below (they end as soon as the state is
/// reached; they are not timing assertions).
const WAIT: Duration = Duration::from_secs(60);

fn follower(url: &str, extra: &[&str]) -> Result<Running> {
    Bin::new(BIN)
        .database(url)
        .args(["--follow", "10m", "--format", "json"])
        .args(extra)
        .spawn()
}

/// Waits until a RUNNING run exists and nothing is pending (the follower has
/// routed what was there and is now waiting).
async fn wait_following(client: &Client, runs: i64) -> Result<()> {
    wait_for(WAIT, "the followers to route what was pending", || async {
        Ok(count(
            client,
            "SELECT count(*) FROM routing_runs WHERE status = 'RUNNING'",
        )
        .await?
            == runs
            && pending(client).await? == 0)
    })
    .await
}

/// Inserts one pending BTC signal of `agent` and returns its id.
async fn insert_one(client: &Client, agent: Uuid, token: &str) -> Result<Uuid> {
    Ok(client
        .query_one(
            "INSERT INTO signals (agent_id, token_symbol, venue, side, size_model, risk_model)
             VALUES ($1, $2, 'MULTI', 'LONG', '{\"type\": \"balance-percentage\", \"value\": 5}', '{}')
             RETURNING id",
            &[&agent, &token],
        )
        .await?
        .get(0))
}

/// Waits until signal `id` has its history row; returns its outcome.
async fn wait_decided(client: &Client, id: Uuid) -> Result<String> {
    wait_until(WAIT, "the follower to decide the new signal", || async {
        Ok(client
            .query_opt(
                "SELECT outcome FROM venue_routing_history WHERE signal_id = $1 AND decided_at IS NOT NULL",
                &[&id],
            )
            .await?
            .map(|r| r.get(0)))
    })
    .await
}

/// SIGTERM, then the summary of a run that must exit 0.
async fn stop(running: Running) -> Result<(Value, String)> {
    running.terminate()?;
    let out = running.finish(WAIT).await?;
    assert_eq!(out.code, Some(0), "{}", out.show());
    Ok((serde_json::from_str(&out.stdout)?, out.stderr))
}

#[tokio::test]
async fn a_follower_decides_a_signal_inserted_after_it_started() -> Result<()> {
    let (db, client, agent) = setup(6).await?;
    let running = follower(db.url(), &[])?;
    wait_following(&client, 1).await?;
    let id = insert_one(&client, agent, "BTC").await?;
    assert_eq!(wait_decided(&client, id).await?, "ROUTED");
    let (summary, stderr) = stop(running).await?;
    assert_eq!(summary["claimed"], json!(7), "{summary}");
    assert_eq!(summary["follow"]["wake_up"], json!("listen"), "{summary}");
    assert_eq!(
        summary["follow"]["stopped_by"],
        json!("SIGTERM"),
        "{summary}"
    );
    assert!(
        summary["follow"]["notifications"].as_u64() >= Some(1),
        "{summary}"
    );
    assert!(!stderr.contains("error"), "{stderr}");
    let status: String = client
        .query_one("SELECT status FROM routing_runs", &[])
        .await?
        .get(0);
    assert_eq!(status, "COMPLETED");
    assert_decided_iff_history(&client).await?;
    assert_runs_match_history(&client).await?;
    // decided_at is the database clock of the write, never before the signal.
    let early = count(
        &client,
        "SELECT count(*) FROM routing_decisions d JOIN signals s ON s.id = d.signal_id
         WHERE d.decided_at IS NULL OR d.decided_at < s.created_at OR d.decision_latency_seconds < 0",
    )
    .await?;
    assert_eq!(early, 0);
    Ok(())
}

#[tokio::test]
async fn sigterm_mid_batch_commits_the_batch_whole_and_exits_0() -> Result<()> {
    let (db, mut client, _agent) = setup(3000).await?;
    // Hold a lock that makes the router's history COPY wait, mid-batch.
    let blocker = db.client().await?;
    blocker
        .batch_execute("BEGIN; LOCK TABLE venue_routing_history IN SHARE MODE")
        .await?;
    let running = follower(db.url(), &["--batch-size", "1000"])?;
    wait_for(WAIT, "the router to reach its history COPY", || async {
        Ok(count(
            &client,
            "SELECT count(*) FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%COPY venue_routing_history%'",
        )
        .await?
            == 1)
    })
    .await?;
    running.terminate()?;
    // Let the signal arrive while the batch still waits, then release it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    blocker.batch_execute("ROLLBACK").await?;
    let (summary, _) = stop_after_signal(running).await?;
    assert_eq!(
        summary["follow"]["stopped_by"],
        json!("SIGTERM"),
        "{summary}"
    );
    // The open batch committed whole, and no further batch was claimed.
    assert_eq!(summary["claimed"], json!(1000), "{summary}");
    assert_eq!(
        count(&client, "SELECT count(*) FROM venue_routing_history").await?,
        1000
    );
    assert_eq!(pending(&client).await?, 2000);
    let run = client
        .query_one("SELECT status, claimed FROM routing_runs", &[])
        .await?;
    assert_eq!(run.get::<_, String>(0), "COMPLETED");
    assert_eq!(run.get::<_, i64>(1), 1000);
    assert_decided_iff_history(&client).await?;
    assert_runs_match_history(&client).await?;
    let _ = &mut client;
    Ok(())
}

/// The output of a run already sent SIGTERM.
async fn stop_after_signal(running: Running) -> Result<(Value, String)> {
    let out = running.finish(WAIT).await?;
    assert_eq!(out.code, Some(0), "{}", out.show());
    Ok((serde_json::from_str(&out.stdout)?, out.stderr))
}

#[tokio::test]
async fn followers_plain_runs_and_workers_decide_arriving_signals_exactly_once() -> Result<()> {
    const CHUNKS: i32 = 40;
    const CHUNK: i32 = 500;
    let (db, client, agent) = setup(0).await?;
    let a = follower(db.url(), &["--batch-size", "200"])?;
    let b = follower(
        db.url(),
        &["--batch-size", "200", "--poll-interval", "50ms"],
    )?;
    wait_following(&client, 2).await?;
    let tokens = ["BTC", "ETH", "XAU", "PEPE", "DOGE", "TSLA"];
    let mut plain = Vec::new();
    for chunk in 0..CHUNKS {
        insert_signals(&client, agent, CHUNK, &tokens).await?;
        if chunk == CHUNKS / 4 {
            plain.push(
                Bin::new(BIN)
                    .database(db.url())
                    .args(["--batch-size", "300", "--format", "json"])
                    .spawn()?,
            );
        }
        if chunk == CHUNKS / 2 {
            plain.push(
                Bin::new(BIN)
                    .database(db.url())
                    .args(["--batch-size", "300", "--workers", "2", "--format", "json"])
                    .spawn()?,
            );
        }
    }
    let mut claimed = 0;
    for run in plain {
        let out = run.finish(WAIT).await?;
        assert_eq!(out.code, Some(0), "{}", out.show());
        let summary: Value = serde_json::from_str(&out.stdout)?;
        claimed += summary["claimed"].as_i64().context("claimed")?;
    }
    wait_for(WAIT, "every signal to be decided", || async {
        Ok(pending(&client).await? == 0)
    })
    .await?;
    for running in [a, b] {
        let (summary, _) = stop(running).await?;
        claimed += summary["claimed"].as_i64().context("claimed")?;
    }
    let n = i64::from(CHUNKS * CHUNK);
    assert_eq!(claimed, n, "the summaries add up to every signal once");
    assert_eq!(assert_decided_iff_history(&client).await?, n);
    assert_runs_match_history(&client).await?;
    assert_eq!(
        count(
            &client,
            "SELECT count(*) FROM routing_runs WHERE status = 'COMPLETED'"
        )
        .await?,
        4
    );
    Ok(())
}

#[tokio::test]
async fn a_follower_through_a_transaction_pooler_polls_and_decides_arriving_signals() -> Result<()>
{
    let (db, client, agent) = setup(3).await?;
    let bouncer = PgBouncer::start(3)?;
    let url = format!("{}?pooler=transaction", bouncer.url(db.name()));
    let running = follower(&url, &["--poll-interval", "100ms"])?;
    wait_following(&client, 1).await?;
    let mut ids = Vec::new();
    for token in ["BTC", "XAU", "DOGE"] {
        ids.push(insert_one(&client, agent, token).await?);
    }
    for id in ids {
        wait_decided(&client, id).await?;
    }
    let (summary, stderr) = stop(running).await?;
    assert_eq!(summary["claimed"], json!(6), "{summary}\n{}", bouncer.log());
    assert_eq!(summary["follow"]["wake_up"], json!("poll"), "{summary}");
    assert!(summary["follow"]["polls"].as_u64() >= Some(1), "{summary}");
    assert!(!stderr.contains("error"), "{stderr}");
    assert_decided_iff_history(&client).await?;
    assert_runs_match_history(&client).await?;
    Ok(())
}

#[tokio::test]
async fn a_sync_committing_during_a_follow_is_used_by_the_next_decision() -> Result<()> {
    let (db, client, agent) = setup(0).await?;
    let running = follower(db.url(), &[])?;
    wait_following(&client, 1).await?;
    // NEWT is listed nowhere yet: skipped, on the snapshot loaded now.
    let first = insert_one(&client, agent, "NEWT").await?;
    assert_eq!(wait_decided(&client, first).await?, "SKIPPED");
    // A second signal with no sync in between reuses that snapshot.
    let second = insert_one(&client, agent, "BTC").await?;
    assert_eq!(wait_decided(&client, second).await?, "ROUTED");
    // A sync lists NEWT (markets and the sync's row in one transaction, as
    // the sync tools write them).
    client
        .batch_execute(
            "BEGIN;
             INSERT INTO venue_markets (venue, token_symbol, market_name, market_index, base_symbol, price_scale, is_active, market_open, max_leverage)
             VALUES ('HYPERLIQUID', 'NEWT', 'NEWT/USD', 99, 'NEWT', 1, true, NULL, 10);
             INSERT INTO venue_sync_runs (venue, source, status, started_at, finished_at)
             VALUES ('HYPERLIQUID', 'test', 'SUCCEEDED', now(), now());
             COMMIT;",
        )
        .await?;
    let third = insert_one(&client, agent, "NEWT").await?;
    assert_eq!(
        wait_decided(&client, third).await?,
        "ROUTED",
        "the decision after the sync uses the synced market"
    );
    let (summary, _) = stop(running).await?;
    assert_eq!(summary["claimed"], json!(3), "{summary}");
    assert_eq!(
        summary["snapshot_loads"],
        json!(2),
        "one load before the sync, one after it; the batch between reused it: {summary}"
    );
    Ok(())
}

#[tokio::test]
async fn a_follower_whose_connections_are_cut_reconnects_and_keeps_deciding() -> Result<()> {
    let (db, client, agent) = setup(2).await?;
    let running = follower(db.url(), &[])?;
    wait_following(&client, 1).await?;
    let killed = count(
        &client,
        "SELECT count(*) FROM (
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()
         ) AS t",
    )
    .await?;
    assert!(killed >= 2, "the follower's connections: {killed}");
    let id = insert_one(&client, agent, "ETH").await?;
    assert_eq!(wait_decided(&client, id).await?, "ROUTED");
    let (summary, stderr) = stop(running).await?;
    assert_eq!(summary["claimed"], json!(3), "{summary}");
    assert!(
        summary["follow"]["reconnects"].as_u64() >= Some(1),
        "{summary}"
    );
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("lost the database connection"))
        .collect();
    assert_eq!(warnings.len(), 1, "one warning line: {stderr}");
    let status: String = client
        .query_one("SELECT status FROM routing_runs", &[])
        .await?
        .get(0);
    assert_eq!(status, "COMPLETED");
    assert_decided_iff_history(&client).await?;
    assert_runs_match_history(&client).await?;
    Ok(())
}

#[tokio::test]
async fn follow_refuses_more_than_an_hour_and_dry_runs() -> Result<()> {
    let db = TestDb::migrated().await?;
    for (args, names) in [
        (&["--follow", "2h"][..], "--follow"),
        (&["--follow", "1m", "--dry-run"][..], "--dry-run"),
        (
            &["--follow", "1m", "--poll-interval", "5ms"][..],
            "--poll-interval",
        ),
    ] {
        let out = Bin::new(BIN).database(db.url()).args(args).run().await?;
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.show());
        let first = out.stderr.lines().next().unwrap_or_default();
        assert!(first.contains(names), "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty());
    }
    assert_eq!(
        count(&db.client().await?, "SELECT count(*) FROM routing_runs").await?,
        0
    );
    Ok(())
}
