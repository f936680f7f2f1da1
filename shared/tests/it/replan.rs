//! A routing connection that lives long (a follower) re-plans before a batch
//! much larger than any before it (issue 20's burst): the plans its server
//! session cached while `signals` held a few rows would make each of the
//! batch's foreign-key checks (`venue_routing_history.signal_id` →
//! `signals`) scan the whole table.

use std::time::{Duration, Instant};

use agent_where::db::routing::{
    BatchSettings, SnapshotCache, Statements, finish_run, route_batch_cached, start_run,
};
use agent_where::testing::TestDb;
use anyhow::{Result, bail};
use serde_json::json;
use tokio_postgres::Client;
use uuid::Uuid;

const BURST: i64 = 3_000;

/// Sequential scans of `signals` and history rows inserted, as the server's
/// statistics report them once they include `history_rows` inserts (a
/// backend flushes its counters within about a second of going idle).
async fn scans_once_flushed(observer: &Client, history_rows: i64) -> Result<i64> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        observer
            .batch_execute("SELECT pg_stat_clear_snapshot()")
            .await?;
        let row = observer
            .query_one(
                "SELECT (SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'signals'),
                        (SELECT n_tup_ins FROM pg_stat_user_tables
                         WHERE relname = 'venue_routing_history')",
                &[],
            )
            .await?;
        let (scans, inserted): (i64, i64) = (row.get(0), row.get(1));
        if inserted >= history_rows {
            return Ok(scans);
        }
        if Instant::now() > deadline {
            bail!("the statistics did not report {history_rows} history rows within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Asks the server to flush `client`'s session statistics as soon as it is
/// idle (PostgreSQL 15 and later; older servers flush within 10 s anyway).
async fn flush_stats_soon(client: &Client) -> Result<()> {
    client
        .batch_execute(
            "DO $$ BEGIN PERFORM pg_stat_force_next_flush(); \
             EXCEPTION WHEN undefined_function THEN NULL; END $$",
        )
        .await?;
    Ok(())
}

async fn insert_signals(client: &Client, agent: Uuid, n: i64) -> Result<()> {
    client
        .execute(
            "INSERT INTO signals (agent_id, token_symbol, venue, side, size_model, risk_model)
             SELECT $1, 'BTC', 'MULTI', 'LONG', '{}'::jsonb, '{}'::jsonb
             FROM generate_series(1, $2::bigint)",
            &[&agent, &n],
        )
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_long_lived_connection_replans_for_a_burst_instead_of_scanning_signals_per_row()
-> Result<()> {
    let db = TestDb::migrated().await?;
    let mut client = db.client().await?;
    let observer = db.client().await?;
    // Only this test's statements may change the plans: no autovacuum ANALYZE.
    // The table's statistics are those of an empty, vacuumed `signals` (a
    // new deployment, or the benchmark's scratch database), so the server
    // plans for a table of a page or so.
    client
        .batch_execute("ALTER TABLE signals SET (autovacuum_enabled = false)")
        .await?;
    client.batch_execute("VACUUM ANALYZE signals").await?;
    let agent: Uuid = client
        .query_one(
            "INSERT INTO agents (creator_wallet, name, venue, profit_receiver_address)
             VALUES ('0xabc', 'test agent', 'MULTI', '0xabc') RETURNING id",
            &[],
        )
        .await?
        .get(0);
    let settings = BatchSettings::default();
    let statements = Statements::prepare(&client, settings.host).await?;
    let cache = SnapshotCache::new();
    let run = start_run(&client, &json!({}), None, None).await?;

    // A follower's first batches: one signal each, on an almost empty table,
    // enough of them for the server to settle on its cached plans.
    for _ in 0..10 {
        insert_signals(&client, agent, 1).await?;
        let counts =
            route_batch_cached(&mut client, &statements, &settings, run, 5_000, &cache).await?;
        assert_eq!(counts.claimed, 1);
    }
    flush_stats_soon(&client).await?;
    let before = scans_once_flushed(&observer, 10).await?;

    // The burst, decided on the same connection.
    insert_signals(&client, agent, BURST).await?;
    let counts =
        route_batch_cached(&mut client, &statements, &settings, run, 5_000, &cache).await?;
    assert_eq!(counts.claimed, u64::try_from(BURST)?);
    finish_run(&client, run, None).await?;
    flush_stats_soon(&client).await?;
    let after = scans_once_flushed(&observer, 10 + BURST).await?;

    // The batch's own statements scan `signals` a handful of times at most;
    // stale plans would scan it once per history row (≈ BURST times).
    let scans = after - before;
    assert!(
        scans < BURST / 10,
        "the burst's batch scanned `signals` {scans} times for {BURST} decisions: \
         its foreign-key checks ran on plans made for an almost empty table"
    );
    Ok(())
}

/// Routes `n` batches of one new signal each on `client`'s connection.
async fn single_batches(
    client: &mut Client,
    statements: &Statements,
    run: Uuid,
    agent: Uuid,
    cache: &SnapshotCache,
    n: usize,
) -> Result<()> {
    let settings = BatchSettings::default();
    for _ in 0..n {
        insert_signals(client, agent, 1).await?;
        let counts = route_batch_cached(client, statements, &settings, run, 5_000, cache).await?;
        assert_eq!(counts.claimed, 1);
    }
    flush_stats_soon(client).await
}

#[tokio::test]
async fn a_long_lived_connection_replans_once_its_plans_are_old_instead_of_scanning_a_grown_table()
-> Result<()> {
    const BATCHES: usize = 20;
    let db = TestDb::migrated().await?;
    let observer = db.client().await?;
    let mut stale = db.client().await?;
    let mut fresh = db.client().await?;
    // As in the burst test: plans made on an empty, vacuumed `signals`, and
    // no autovacuum ANALYZE to invalidate them.
    observer
        .batch_execute("ALTER TABLE signals SET (autovacuum_enabled = false)")
        .await?;
    observer.batch_execute("VACUUM ANALYZE signals").await?;
    let agent: Uuid = observer
        .query_one(
            "INSERT INTO agents (creator_wallet, name, venue, profit_receiver_address)
             VALUES ('0xabc', 'test agent', 'MULTI', '0xabc') RETURNING id",
            &[],
        )
        .await?
        .get(0);
    let host = BatchSettings::default().host;
    // Two followers: one keeps its plans for the hour, one re-plans once they
    // are half a second old (REPLAN_AFTER is a minute; the rule is the same).
    let keeps = Statements::prepare(&stale, host)
        .await?
        .replan_after(Duration::from_secs(3_600));
    let replans = Statements::prepare(&fresh, host)
        .await?
        .replan_after(Duration::from_millis(500));
    let cache = SnapshotCache::new();
    let run = start_run(&observer, &json!({}), None, None).await?;
    single_batches(&mut stale, &keeps, run, agent, &cache, 10).await?;
    single_batches(&mut fresh, &replans, run, agent, &cache, 10).await?;

    // The table grows by signals routing never sees (another venue's, as
    // most of Maxxit's are), and the plans age.
    observer
        .execute(
            "INSERT INTO signals (agent_id, token_symbol, venue, side, size_model, risk_model)
             SELECT $1, 'BTC', 'HYPERLIQUID', 'LONG', '{}'::jsonb, '{}'::jsonb
             FROM generate_series(1, 20000)",
            &[&agent],
        )
        .await?;
    tokio::time::sleep(Duration::from_millis(600)).await;

    let mut decided = 20_i64;
    let start = scans_once_flushed(&observer, decided).await?;
    single_batches(&mut stale, &keeps, run, agent, &cache, BATCHES).await?;
    decided += i64::try_from(BATCHES)?;
    let after_stale = scans_once_flushed(&observer, decided).await?;
    single_batches(&mut fresh, &replans, run, agent, &cache, BATCHES).await?;
    decided += i64::try_from(BATCHES)?;
    let after_fresh = scans_once_flushed(&observer, decided).await?;
    finish_run(&observer, run, None).await?;

    // Plans kept from the empty table scan all of `signals` at least once a
    // batch; plans made anew look signals up by their index.
    let stale_scans = after_stale - start;
    let fresh_scans = after_fresh - after_stale;
    let batches = i64::try_from(BATCHES)?;
    assert!(
        stale_scans >= batches,
        "the measure is blind: plans kept from an empty table scanned `signals` only \
         {stale_scans} times in {BATCHES} batches"
    );
    assert!(
        fresh_scans < batches / 4,
        "a connection whose plans aged scanned the grown `signals` {fresh_scans} times in \
         {BATCHES} batches (plans kept: {stale_scans})"
    );
    Ok(())
}
