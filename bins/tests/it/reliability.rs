//! Reliability of `route-pending-signals` under concurrency, crashes,
//! database faults and hostile input, against the real PostgreSQL and the
//! real binaries (markets synced from the recorded venue responses).
//!
//! Every test ends with the same invariants: a signal is decided if and only
//! if it has exactly one history row that agrees with it, and every
//! `routing_runs` row's counters equal its run's history rows.

use std::collections::BTreeMap;
use std::time::Duration;

use agent_where::testing::TestDb;
use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};
use tokio_postgres::Client;
use uuid::Uuid;

use crate::support::bin::{Bin, run};
use crate::support::db::{backends, count, with_application_name};
use crate::support::markets::sync_recorded;
use crate::support::routing::{
    assert_decided_iff_history, assert_runs_match_history, history_counts, insert_agent,
    insert_signals, pending, run_sums,
};
use crate::support::venue::fixture;
use crate::support::{wait_for, wait_until};

const ROUTER: &str = "route-pending-signals";

/// Tokens that route (to either venue) or are skipped for want of a venue.
const MIX: [&str; 10] = [
    "BTC", "ETH", "PEPE", "XAU", "EURUSD", "GOLD", "SOL-PERP", "DOGE", "NOPE", "$eth",
];

async fn ready(n: i32) -> Result<(TestDb, Client, Uuid)> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    sync_recorded(db.url()).await?;
    let agent = insert_agent(&client).await?;
    insert_signals(&client, agent, n, &MIX).await?;
    Ok((db, client, agent))
}

#[tokio::test]
async fn eight_concurrent_routers_decide_50_000_signals_exactly_once() -> Result<()> {
    const N: i64 = 50_000;
    let (db, client, _agent) = ready(i32::try_from(N)?).await?;
    assert_eq!(pending(&client).await?, N);
    let outputs = tokio::time::timeout(
        Duration::from_secs(600),
        futures_util::future::join_all((0..8).map(|_| {
            Bin::new(ROUTER)
                .args(["--format", "json", "--batch-size", "500"])
                .database(db.url())
                .timeout(Duration::from_secs(600))
                .run()
        })),
    )
    .await
    .context("eight routers did not finish within 10 minutes")?;
    let mut summaries = Vec::new();
    for out in outputs {
        let out = out?;
        assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
        summaries.push(serde_json::from_str::<Value>(&out.stdout)?);
    }

    assert_eq!(pending(&client).await?, 0, "signals left pending");
    assert_eq!(assert_decided_iff_history(&client).await?, N);
    let (all, routed, skipped) = history_counts(&client).await?;
    assert_eq!(all, N, "history rows");
    assert_eq!(
        count(
            &client,
            "SELECT count(DISTINCT signal_id) FROM venue_routing_history"
        )
        .await?,
        N
    );
    assert_eq!(run_sums(&client).await?, (all, routed, skipped));
    assert!(
        routed > 0 && skipped > 0,
        "routed {routed}, skipped {skipped}"
    );
    assert_runs_match_history(&client).await?;
    assert_eq!(
        count(
            &client,
            "SELECT count(*) FROM routing_runs WHERE status = 'COMPLETED'"
        )
        .await?,
        8
    );
    // Each process reported what its run row holds, and they add up.
    let mut claimed_total = 0;
    let mut busy = 0;
    for s in &summaries {
        let id: Uuid = s["run_id"].as_str().context("run_id")?.parse()?;
        let row = client
            .query_one(
                "SELECT claimed, routed, skipped FROM routing_runs WHERE id = $1",
                &[&id],
            )
            .await?;
        let claimed: i64 = row.get(0);
        assert_eq!(json!(claimed), s["claimed"], "{s}");
        assert_eq!(json!(row.get::<_, i64>(1)), s["routed"], "{s}");
        assert_eq!(json!(row.get::<_, i64>(2)), s["skipped"], "{s}");
        claimed_total += claimed;
        if claimed > 0 {
            busy += 1;
        }
    }
    assert_eq!(claimed_total, N);
    eprintln!(
        "{busy} of 8 routers claimed signals: {:?}",
        summaries
            .iter()
            .map(|s| s["claimed"].clone())
            .collect::<Vec<_>>()
    );
    assert!(busy >= 2, "only {busy} of 8 routers claimed anything");
    Ok(())
}

/// Hyperliquid's recorded list (variant A) and the same list with BTC,
/// ETH, DOGE and FARTCOIN delisted (variant B; asset ids 0, 1, 12, 165, so
/// both ends of the list change). Ostium lists BTC and ETH, not DOGE or
/// FARTCOIN. With the default priority (Hyperliquid first), a batch that
/// sees A routes all four to HYPERLIQUID; one that sees B routes BTC and ETH
/// to OSTIUM and skips DOGE and FARTCOIN. Anything else is a mixed list.
fn flip_variants(dir: &tempfile::TempDir) -> Result<(String, String)> {
    let a: Value = serde_json::from_str(&fixture("hyperliquid/metaAndAssetCtxs.json"))?;
    let mut b = a.clone();
    let universe = b[0]["universe"].as_array_mut().context("universe")?;
    for (index, name) in [(0, "BTC"), (1, "ETH"), (12, "DOGE"), (165, "FARTCOIN")] {
        ensure!(
            universe[index]["name"] == json!(name),
            "fixture order changed"
        );
        universe[index]["isDelisted"] = json!(true);
    }
    let pa = dir.path().join("a.json");
    let pb = dir.path().join("b.json");
    std::fs::write(&pa, serde_json::to_vec(&a)?)?;
    std::fs::write(&pb, serde_json::to_vec(&b)?)?;
    Ok((pa.display().to_string(), pb.display().to_string()))
}

/// Which market list a decision is consistent with: 'A', 'B' or '?'.
const VARIANT_OF_ROW: &str = "
    CASE
      WHEN h.outcome = 'ROUTED' AND h.selected_venue = 'HYPERLIQUID' THEN 'A'
      WHEN h.token_symbol IN ('BTC', 'ETH') AND h.outcome = 'ROUTED'
           AND h.selected_venue = 'OSTIUM' THEN 'B'
      WHEN h.token_symbol IN ('DOGE', 'FARTCOIN') AND h.outcome = 'SKIPPED'
           AND h.routing_reason LIKE '%HYPERLIQUID: DELISTED (%) → OSTIUM: NOT_LISTED' THEN 'B'
      ELSE '?'
    END";

#[tokio::test]
async fn routing_during_market_syncs_sees_whole_lists_only() -> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    sync_recorded(db.url()).await?;
    let agent = insert_agent(&client).await?;
    let files = tempfile::tempdir()?;
    let (list_a, list_b) = flip_variants(&files)?;
    let tokens = ["BTC", "DOGE", "ETH", "FARTCOIN"];

    // A sync loop that flips the list until told to stop.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flipper = {
        let stop = std::sync::Arc::clone(&stop);
        let url = db.url().to_owned();
        tokio::spawn(async move {
            let mut flips = 0_u32;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let list = if flips.is_multiple_of(2) {
                    &list_b
                } else {
                    &list_a
                };
                let r = run("sync-hyperliquid-markets", &url, &["--from-file", list]).await?;
                ensure!(r.code == Some(0), "sync failed: {}", r.stderr);
                flips += 1;
            }
            Ok::<u32, anyhow::Error>(flips)
        })
    };

    // Route in rounds (two processes at once, small batches) until batches
    // have seen both lists, or give up after a minute.
    let started = std::time::Instant::now();
    let mut inserted = 0_i64;
    let (mut seen_a, mut seen_b) = (0_i64, 0_i64);
    while (seen_a == 0 || seen_b == 0) && started.elapsed() < Duration::from_secs(60) {
        insert_signals(&client, agent, 2_000, &tokens).await?;
        inserted += 2_000;
        let routers = (0..2).map(|_| {
            Bin::new(ROUTER)
                .args(["--batch-size", "20", "--format", "json"])
                .database(db.url())
                .run()
        });
        for out in futures_util::future::join_all(routers).await {
            let out = out?;
            assert_eq!(out.code, Some(0), "{}", out.stderr);
        }
        // One batch = one transaction = one (run_id, created_at): every
        // row of a batch must match the same list.
        let rows = client
            .query(
                &format!(
                    "SELECT h.run_id, h.created_at::text, string_agg(DISTINCT {VARIANT_OF_ROW}, ''),
                            count(*), count(DISTINCT h.token_symbol)
                     FROM venue_routing_history h
                     GROUP BY h.run_id, h.created_at"
                ),
                &[],
            )
            .await?;
        seen_a = 0;
        seen_b = 0;
        for row in &rows {
            let variant: &str = row.get(2);
            let size: i64 = row.get(3);
            let distinct: i64 = row.get(4);
            match variant {
                "A" => seen_a += 1,
                "B" => seen_b += 1,
                other => {
                    let detail = client
                        .query(
                            "SELECT token_symbol, outcome, selected_venue::text, routing_reason
                             FROM venue_routing_history WHERE run_id = $1 AND created_at::text = $2",
                            &[&row.get::<_, Uuid>(0), &row.get::<_, String>(1)],
                        )
                        .await?
                        .iter()
                        .map(|r| {
                            format!(
                                "{} {} {:?} {}",
                                r.get::<_, String>(0),
                                r.get::<_, String>(1),
                                r.get::<_, Option<String>>(2),
                                r.get::<_, String>(3)
                            )
                        })
                        .collect::<Vec<_>>();
                    panic!("a batch saw a mixed market list ({other}): {detail:#?}");
                }
            }
            // Batches hold all four tokens (but the last of a run may be short).
            assert!(size <= 20, "a batch of {size}");
            if size == 20 {
                assert_eq!(distinct, 4);
            }
        }
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let flips = flipper.await??;
    eprintln!("{inserted} signals, {flips} syncs: {seen_a} batches saw list A, {seen_b} list B");
    assert!(
        seen_a > 0 && seen_b > 0,
        "the syncs ({flips}) never changed the list during routing: {seen_a} A / {seen_b} B batches"
    );
    assert_eq!(pending(&client).await?, 0);
    assert_eq!(assert_decided_iff_history(&client).await?, inserted);
    assert_runs_match_history(&client).await?;
    Ok(())
}

#[tokio::test]
async fn a_router_killed_mid_run_loses_nothing_and_a_rerun_finishes_exactly_once() -> Result<()> {
    const N: i64 = 20_000;
    let (db, client, _agent) = ready(i32::try_from(N)?).await?;
    let app = format!("aw-kill-{:08x}", rand::random::<u32>());
    let url = with_application_name(db.url(), &app);
    let mut child = Bin::new(ROUTER)
        .args(["--batch-size", "100", "--workers", "2"])
        .database(&url)
        .spawn()?;
    wait_for(Duration::from_secs(120), "a committed batch", || {
        let client = &client;
        async move { Ok(count(client, "SELECT count(*) FROM venue_routing_history").await? > 0) }
    })
    .await?;
    child.kill()?; // SIGKILL
    let killed = child.finish(Duration::from_secs(30)).await?;
    assert_eq!(killed.code, None, "killed by a signal: {killed:?}");
    // The dead process's backends roll their open batches back and go.
    wait_for(
        Duration::from_secs(30),
        "the killed router's backends to end",
        || {
            let (client, name, app) = (&client, db.name(), app.as_str());
            async move { Ok(backends(client, name, app).await? == 0) }
        },
    )
    .await?;

    let decided = assert_decided_iff_history(&client).await?;
    let left = pending(&client).await?;
    eprintln!("killed after {decided} decisions, {left} left");
    assert!(decided > 0, "no batch was committed");
    assert!(left > 0, "the run finished before the kill");
    assert_eq!(decided + left, N);
    assert_runs_match_history(&client).await?;
    assert_eq!(
        count(
            &client,
            "SELECT count(*) FROM routing_runs WHERE status = 'RUNNING'"
        )
        .await?,
        1,
        "the killed run cannot mark itself"
    );

    let rerun = run(ROUTER, db.url(), &["--format", "json"]).await?;
    rerun.expect_code(0, "rerun");
    assert_eq!(rerun.json()["claimed"], json!(left));
    assert_eq!(pending(&client).await?, 0);
    assert_eq!(assert_decided_iff_history(&client).await?, N);
    let (all, routed, skipped) = history_counts(&client).await?;
    assert_eq!(all, N);
    assert_eq!(run_sums(&client).await?, (all, routed, skipped));
    assert_runs_match_history(&client).await?;
    Ok(())
}

#[tokio::test]
async fn a_backend_terminated_mid_batch_fails_the_run_cleanly_and_a_rerun_completes() -> Result<()>
{
    const N: i64 = 500;
    let (db, client, _agent) = ready(i32::try_from(N)?).await?;
    let app = format!("aw-term-{:08x}", rand::random::<u32>());
    let url = with_application_name(db.url(), &app);

    // Stop the first batch at its history COPY (its signal UPDATE done)…
    let mut history_locker = db.client().await?;
    let history_lock = history_locker.transaction().await?;
    history_lock
        .batch_execute("LOCK TABLE venue_routing_history IN SHARE MODE")
        .await?;
    let child = Bin::new(ROUTER)
        .args(["--batch-size", "50", "--format", "json"])
        .database(&url)
        .spawn()?;
    let at_copy = lock_waiter(&client, &db, &app, "COPY venue_routing_history").await?;
    assert!(at_copy > 0);
    // …then let it write its history and stop it at the run counters, the
    // last statement before COMMIT: everything but the commit is done.
    let mut run_locker = db.client().await?;
    let run_lock = run_locker.transaction().await?;
    let locked = run_lock
        .execute(
            "SELECT 1 FROM routing_runs WHERE status = 'RUNNING' FOR UPDATE",
            &[],
        )
        .await?;
    assert_eq!(locked, 1);
    history_lock.rollback().await?;
    let pid = lock_waiter(&client, &db, &app, "UPDATE routing_runs").await?;
    // Nothing of the open batch is visible from outside.
    assert_eq!(pending(&client).await?, N);
    assert_eq!(
        count(&client, "SELECT count(*) FROM venue_routing_history").await?,
        0
    );

    let terminated: bool = client
        .query_one("SELECT pg_terminate_backend($1)", &[&pid])
        .await?
        .get(0);
    assert!(terminated);
    run_lock.rollback().await?;
    let failed = child.finish(Duration::from_secs(60)).await?;
    assert_eq!(failed.code, Some(2), "{failed:?}");
    let errors: Vec<&str> = failed
        .stderr
        .lines()
        .filter(|l| l.contains(": error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{}", failed.stderr);
    let line = errors[0];
    assert!(line.starts_with("route-pending-signals: error: "), "{line}");
    assert!(
        line.contains("connection") && line.contains("terminat"),
        "not clear: {line}"
    );
    assert!(
        failed.stdout.is_empty(),
        "no summary after a failure: {}",
        failed.stdout
    );
    eprintln!("terminated router said: {line}");

    assert_eq!(pending(&client).await?, N, "a half-written batch");
    assert_eq!(assert_decided_iff_history(&client).await?, 0);
    assert_eq!(
        count(&client, "SELECT count(*) FROM venue_routing_history").await?,
        0
    );
    let run = client
        .query_one("SELECT status, claimed, error FROM routing_runs", &[])
        .await?;
    assert_eq!(run.get::<_, &str>(0), "FAILED");
    assert_eq!(run.get::<_, i64>(1), 0);
    assert!(run.get::<_, Option<&str>>(2).is_some_and(|e| !e.is_empty()));

    let rerun = run_router_json(&db).await?;
    assert_eq!(rerun["claimed"], json!(N));
    assert_eq!(pending(&client).await?, 0);
    assert_eq!(assert_decided_iff_history(&client).await?, N);
    assert_runs_match_history(&client).await?;
    Ok(())
}

/// Waits (at most a minute) for a backend of application `app` to wait on
/// a lock in a statement containing `needle`; returns its pid.
async fn lock_waiter(client: &Client, db: &TestDb, app: &str, needle: &str) -> Result<i32> {
    wait_until(
        Duration::from_secs(60),
        &format!("a backend of {app} to wait on a lock in `{needle}`"),
        || async {
            Ok(client
                .query_opt(
                    "SELECT pid FROM pg_stat_activity
                     WHERE datname = $1 AND application_name = $2
                       AND wait_event_type = 'Lock' AND query LIKE '%' || $3 || '%'",
                    &[&db.name(), &app, &needle],
                )
                .await?
                .map(|row| row.get(0)))
        },
    )
    .await
}

async fn run_router_json(db: &TestDb) -> Result<Value> {
    let r = run(ROUTER, db.url(), &["--format", "json"]).await?;
    r.expect_code(0, "route-pending-signals");
    Ok(r.json())
}

/// Hostile token symbols: each must be skipped as INVALID_SIGNAL.
fn hostile_tokens() -> Vec<String> {
    let mut t: Vec<String> = [
        "",
        " ",
        "\t \n",
        "🚀",
        "ビットコイン",
        "BTC🚀",
        "\u{1}BTC",
        "BTC\u{7}",
        "\u{1b}[31mBTC\u{1b}[0m",
        "BTC\r\nETH",
        "'; DROP TABLE signals; --",
        "BTC'; DELETE FROM signals; --",
        "Robert'); DROP TABLE agents;--",
        "BTC OR 1=1",
        "$",
        "-PERP",
        "/USD",
        "%",
        "\\",
        "\u{202e}CTB",
        "BTC\u{200b}",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    t.push("A".repeat(10_000));
    t.push("BTC".repeat(3_334));
    t.push("é".repeat(5_000));
    t
}

/// Malformed `size_model` values (with a good token): each must be skipped
/// as INVALID_SIGNAL.
const HOSTILE_SIZE_MODELS: [&str; 14] = [
    r#"{"leverage": "ten"}"#,
    r#"{"leverage": "NaN"}"#,
    r#"{"leverage": "Infinity"}"#,
    r#"{"leverage": "-Infinity"}"#,
    r#"{"leverage": -5}"#,
    r#"{"leverage": 0}"#,
    r#"{"leverage": [10]}"#,
    r#"{"leverage": {"value": 10}}"#,
    r#"{"leverage": true}"#,
    r#"{"leverage": 1e400}"#,
    r#"{"leverage": "1e400"}"#,
    "[1, 2, 3]",
    r#""5x""#,
    "null",
];

#[tokio::test]
async fn hostile_signals_are_skipped_with_a_reason_and_good_ones_still_route() -> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    sync_recorded(db.url()).await?;
    let agent = insert_agent(&client).await?;
    let agents_before = count(&client, "SELECT count(*) FROM agents").await?;
    // Good and hostile signals interleaved, all in one batch.
    let good_model = r#"{"type": "balance-percentage", "value": 5, "leverage": 3}"#;
    let mut rows: Vec<(String, String, bool)> = Vec::new();
    let tokens = hostile_tokens();
    let good = ["BTC", "ETH", "XAU", "$eth", "EURUSD"];
    for (i, t) in tokens.iter().enumerate() {
        rows.push((good[i % good.len()].to_owned(), good_model.to_owned(), true));
        rows.push((t.clone(), good_model.to_owned(), false));
    }
    for (i, m) in HOSTILE_SIZE_MODELS.iter().enumerate() {
        rows.push((good[i % good.len()].to_owned(), good_model.to_owned(), true));
        rows.push(("BTC".to_owned(), (*m).to_owned(), false));
    }
    // A deeply nested leverage (deeper than JSON parsers like to go).
    rows.push((
        "BTC".to_owned(),
        format!(r#"{{"leverage": {}1{}}}"#, "[".repeat(500), "]".repeat(500)),
        false,
    ));
    let mut good_ids = Vec::new();
    let mut bad_ids = Vec::new();
    for (i, (token, model, is_good)) in rows.iter().enumerate() {
        let id: Uuid = client
            .query_one(
                "INSERT INTO signals (agent_id, token_symbol, venue, side, size_model, risk_model, created_at)
                 VALUES ($1, $2, 'MULTI', 'LONG', $3::text::jsonb, '{}', now() - make_interval(secs => $4))
                 RETURNING id",
                &[&agent, token, model, &(f64::from(u32::try_from(rows.len() - i)?))],
            )
            .await
            .with_context(|| format!("insert {token:?} / {model}"))?
            .get(0);
        if *is_good {
            good_ids.push(id);
        } else {
            bad_ids.push(id);
        }
    }
    let n = i64::try_from(rows.len())?;

    // A dry run prints every decision without raw control characters.
    for format in ["table", "json", "csv"] {
        let r = run(ROUTER, db.url(), &["--dry-run", "--format", format]).await?;
        r.expect_code(0, &format!("--dry-run --format {format}"));
        assert!(
            !r.stdout.contains('\u{1b}')
                && !r.stdout.contains('\u{7}')
                && !r.stdout.contains('\u{1}'),
            "{format}: raw control characters on stdout"
        );
        if format == "json" {
            assert_eq!(r.json()["summary"]["claimed"], json!(n));
        }
    }

    let summary = run_router_json(&db).await?;
    assert_eq!(summary["claimed"], json!(n));
    assert_eq!(summary["batches"], json!(1), "one batch: {summary}");

    let good_routed = client
        .query_one(
            "SELECT count(*) FROM signals WHERE id = ANY($1) AND venue IN ('HYPERLIQUID', 'OSTIUM')",
            &[&good_ids],
        )
        .await?
        .get::<_, i64>(0);
    assert_eq!(
        good_routed,
        i64::try_from(good_ids.len())?,
        "good signals not routed"
    );
    let skipped: BTreeMap<String, String> = client
        .query(
            "SELECT id::text, coalesce(skipped_reason, '(none: ' || venue::text || ')')
             FROM signals WHERE id = ANY($1)",
            &[&bad_ids],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(skipped.len(), bad_ids.len());
    let not_invalid: Vec<(&String, String)> = rows
        .iter()
        .filter(|(_, _, g)| !g)
        .zip(&bad_ids)
        .filter_map(|((token, model, _), id)| {
            let reason = &skipped[&id.to_string()];
            (!reason.starts_with("INVALID_SIGNAL: ")).then(|| {
                (
                    reason,
                    format!(
                        "{:?} / {}",
                        token.chars().take(40).collect::<String>(),
                        model.chars().take(60).collect::<String>()
                    ),
                )
            })
        })
        .collect();
    assert!(
        not_invalid.is_empty(),
        "not skipped as INVALID_SIGNAL: {not_invalid:#?}"
    );
    for reason in skipped.values() {
        assert!(reason.len() < 1_000, "reason of {} bytes", reason.len());
        assert!(
            !reason.chars().any(char::is_control),
            "control characters in {reason:?}"
        );
    }

    assert_eq!(assert_decided_iff_history(&client).await?, n);
    assert_runs_match_history(&client).await?;
    assert_eq!(
        count(&client, "SELECT count(*) FROM agents").await?,
        agents_before
    );
    let longest = count(
        &client,
        "SELECT max(length(token_symbol))::bigint FROM venue_routing_history",
    )
    .await?;
    assert!(longest <= 256, "history keeps a {longest}-character token");

    // The reports read the hostile history fine.
    for args in [
        &["--format", "json"][..],
        &["export", "--format", "csv"][..],
    ] {
        run("routing-stats", db.url(), args)
            .await?
            .expect_code(0, &format!("routing-stats {args:?}"));
    }
    Ok(())
}

/// Sizes that are present but impossible (issue 26): `size_model`, Maxxit's
/// `llm_fund_allocation` and `llm_leverage` (as SQL), and the reason each is
/// skipped with.
const IMPOSSIBLE_SIZES: [(&str, &str, &str, &str); 16] = [
    (
        r#"{"type": "fixed-usdc", "value": -100, "leverage": 3}"#,
        "NULL",
        "NULL",
        "size_model.value -100 is not a positive amount",
    ),
    (
        r#"{"type": "fixed-usdc", "value": 0}"#,
        "NULL",
        "NULL",
        "size_model.value 0 is not a positive amount",
    ),
    (
        r#"{"type": "fixed-usdc", "value": "1e400"}"#,
        "NULL",
        "NULL",
        r#"size_model.value "1e400" is not a positive amount"#,
    ),
    (
        r#"{"type": "fixed-usdc", "value": 1e400}"#,
        "NULL",
        "NULL",
        "size_model.value a number of 401 characters is not a positive amount",
    ),
    (
        r#"{"type": "fixed-usdc", "value": "NaN"}"#,
        "NULL",
        "NULL",
        r#"size_model.value "NaN" is not a positive amount"#,
    ),
    (
        r#"{"type": "fixed-usdc", "value": "=1+1\u001b[2J"}"#,
        "NULL",
        "NULL",
        r#"size_model.value "=1+1\u{1b}[2J" is not a positive amount"#,
    ),
    (
        r#"{"type": "fixed-usdc", "value": {"usd": 5}}"#,
        "NULL",
        "NULL",
        "size_model.value a JSON object is not a positive amount",
    ),
    (
        r#"{"type": "fixed-usdc", "value": 1e308, "leverage": 10}"#,
        "NULL",
        "NULL",
        "size_model.value 1e308 is above the bound of 10^15 USD",
    ),
    (
        r#"{"type": "fixed-usdc", "value": 1e14, "leverage": 20}"#,
        "NULL",
        "NULL",
        "size_model.value 1e14 × leverage 20 is above the bound of 10^15 USD",
    ),
    (
        r#"{"type": "fixed-usdc", "value": 100, "leverage": 1e307}"#,
        "NULL",
        "NULL",
        "size_model.value 100 × leverage 1e307 overflows",
    ),
    (
        r#"{"type": "balance-percentage", "value": 150}"#,
        "NULL",
        "NULL",
        "size_model.value 150 is not a percentage of the balance in (0, 100]",
    ),
    (
        r#"{"type": "balance-percentage", "value": -5}"#,
        "NULL",
        "NULL",
        "size_model.value -5 is not a percentage of the balance in (0, 100]",
    ),
    (
        r#"{"type": "balance-percentage", "value": 5}"#,
        "0",
        "NULL",
        "llm_fund_allocation 0 is not a percentage in (0, 100]",
    ),
    (
        r#"{"type": "balance-percentage", "value": 5}"#,
        "'NaN'",
        "NULL",
        "llm_fund_allocation NaN is not a percentage in (0, 100]",
    ),
    (
        r#"{"type": "balance-percentage", "value": 5}"#,
        "10",
        "-2",
        "llm_leverage -2 is not a positive finite number",
    ),
    (
        r#"{"type": "balance-percentage", "value": 5}"#,
        "10",
        "'Infinity'",
        "llm_leverage inf is not a positive finite number",
    ),
];

#[tokio::test]
async fn impossible_sizes_are_invalid_signals_and_a_missing_amount_is_priced_at_the_top_of_the_book()
-> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    sync_recorded(db.url()).await?;
    run(
        "routing-config",
        db.url(),
        &[
            "set",
            "--priority",
            "HYPERLIQUID,OSTIUM",
            "--strategy",
            "LOWEST_COST",
        ],
    )
    .await?
    .expect_code(0, "routing-config set");
    let agent = insert_agent(&client).await?;
    let insert = |model: String, alloc: &str, lev: &str| {
        let client = &client;
        let sql = format!(
            "INSERT INTO signals (agent_id, token_symbol, venue, side, size_model, risk_model,
                                  llm_fund_allocation, llm_leverage, created_at)
             VALUES ($1, 'BTC', 'MULTI', 'LONG', $2::text::jsonb, '{{}}', {alloc}, {lev},
                     now() - interval '1 minute')
             RETURNING id::text"
        );
        async move {
            let row = client.query_one(&sql, &[&agent, &model]).await?;
            anyhow::Ok(row.get::<_, String>(0))
        }
    };
    // Good signals of the same batch, one of them without an amount.
    let good = [
        r#"{"type": "fixed-usdc", "value": 100, "leverage": 3}"#,
        r#"{"type": "balance-percentage", "value": 5}"#,
        r#"{"type": "balance-percentage", "value": 100}"#,
    ];
    let mut good_ids = Vec::new();
    for model in good {
        good_ids.push(insert(model.to_owned(), "NULL", "NULL").await?);
    }
    good_ids.push(
        insert(
            r#"{"type": "balance-percentage", "value": 5}"#.to_owned(),
            "50",
            "2",
        )
        .await?,
    );
    let missing = insert(
        r#"{"type": "fixed-usdc", "leverage": 3}"#.to_owned(),
        "NULL",
        "NULL",
    )
    .await?;
    let mut want: BTreeMap<String, String> = BTreeMap::new();
    for (model, alloc, lev, reason) in IMPOSSIBLE_SIZES {
        let id = insert(model.to_owned(), alloc, lev).await?;
        want.insert(id, format!("INVALID_SIGNAL: {reason}"));
    }

    // The dry run shows the outcomes the run writes.
    let dry = run(ROUTER, db.url(), &["--dry-run", "--format", "json"]).await?;
    dry.expect_code(0, "--dry-run");
    let dry = dry.json();
    let decisions = dry["decisions"].as_array().context("decisions")?;
    let by_id = |id: &str| {
        decisions
            .iter()
            .find(|d| d["signal_id"] == json!(id))
            .cloned()
            .unwrap_or(Value::Null)
    };
    for (id, reason) in &want {
        let d = by_id(id);
        assert_eq!(d["outcome"], "SKIPPED", "{d}");
        assert_eq!(d["routing_reason"], json!(reason), "{d}");
    }
    for id in good_ids.iter().chain([&missing]) {
        assert_eq!(by_id(id)["outcome"], "ROUTED", "{}", by_id(id));
    }
    let dry_missing = by_id(&missing)["venue_availability"].clone();

    run_router_json(&db).await?;
    for (id, reason) in &want {
        let row = client
            .query_one(
                "SELECT s.skipped_reason, s.venue::text, h.routing_reason
                 FROM signals s JOIN venue_routing_history h ON h.signal_id = s.id
                 WHERE s.id = $1::text::uuid",
                &[id],
            )
            .await?;
        let (skipped, venue, history): (Option<String>, String, String) =
            (row.get(0), row.get(1), row.get(2));
        assert_eq!(skipped.as_deref(), Some(reason.as_str()), "{id}");
        assert_eq!(venue, "MULTI", "{reason}");
        assert_eq!(&history, reason);
    }
    let routed = client
        .query_one(
            "SELECT count(*) FROM signals WHERE id::text = ANY($1)
             AND venue IN ('HYPERLIQUID', 'OSTIUM') AND skipped_reason IS NULL",
            &[&good_ids],
        )
        .await?
        .get::<_, i64>(0);
    assert_eq!(routed, i64::try_from(good_ids.len())?);
    // A fixed-usdc signal without an amount: unknown notional, top of book.
    let v: Value = client
        .query_one(
            "SELECT h.venue_availability FROM venue_routing_history h
             WHERE h.signal_id = $1::text::uuid",
            &[&missing],
        )
        .await?
        .get(0);
    let venue = client
        .query_one(
            "SELECT venue::text FROM signals WHERE id = $1::text::uuid",
            &[&missing],
        )
        .await?
        .get::<_, String>(0);
    let chosen = &v[venue.as_str()];
    assert_eq!(chosen["cost_basis"], "top_of_book", "{v}");
    assert_eq!(chosen["cost_fallback"], "no_notional", "{v}");
    assert_eq!(chosen["notional_source"], "no_amount", "{v}");
    assert_eq!(dry_missing, v, "the dry run prices it the same way");
    assert_decided_iff_history(&client).await?;
    Ok(())
}

/// On Maxxit's schema: `llm_fund_allocation` outside (0, 100] and an
/// `llm_leverage` that is not positive and finite are impossible sizes; the
/// fixture's pending ETH signal of the same deployment (5 %, 2×) routes.
#[tokio::test]
async fn maxxit_llm_sizes_out_of_range_are_invalid_signals() -> Result<()> {
    let (db, client) = crate::maxxit::maxxit_ready().await?;
    // One token each: Maxxit allows one signal per agent, token and
    // deployment in a 6-hour bucket.
    let cases: [(&str, &str, &str, Option<&str>); 5] = [
        (
            "ARB",
            "150",
            "2",
            Some("llm_fund_allocation 150 is not a percentage in (0, 100]"),
        ),
        (
            "OP",
            "-1",
            "2",
            Some("llm_fund_allocation -1 is not a percentage in (0, 100]"),
        ),
        (
            "SUI",
            "5",
            "0",
            Some("llm_leverage 0 is not a positive finite number"),
        ),
        (
            "APT",
            "5",
            "'NaN'",
            Some("llm_leverage NaN is not a positive finite number"),
        ),
        ("", "", "", None),
    ];
    let mut ids = Vec::new();
    for (token, alloc, lev, _) in cases {
        if token.is_empty() {
            ids.push("50000000-0000-4000-8000-000000000005".to_owned());
            continue;
        }
        let id: String = client
            .query_one(
                &format!(
                    "INSERT INTO signals (agent_id, deployment_id, token_symbol, venue, side, size_model,
                                          risk_model, created_at, llm_should_trade, llm_fund_allocation,
                                          llm_leverage)
                     VALUES ('a0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000001',
                             '{token}', 'MULTI', 'LONG', '{{\"type\": \"balance-percentage\", \"value\": 5}}',
                             '{{}}', now() - interval '1 minute', true, {alloc}, {lev})
                     RETURNING id::text"
                ),
                &[],
            )
            .await?
            .get(0);
        ids.push(id);
    }
    let dry = run(
        ROUTER,
        db.url(),
        &["--dry-run", "--format", "json", "--max-market-age", "1000d"],
    )
    .await?;
    dry.expect_code(0, "--dry-run on Maxxit's schema");
    let dry = dry.json();
    let decisions = dry["decisions"].as_array().context("decisions")?;
    let run_out = run(
        ROUTER,
        db.url(),
        &["--format", "json", "--max-market-age", "1000d"],
    )
    .await?;
    run_out.expect_code(0, "route-pending-signals on Maxxit's schema");
    for (id, (_, _, _, reason)) in ids.iter().zip(cases) {
        let row = client
            .query_one(
                "SELECT skipped_reason, venue::text FROM signals WHERE id = $1::text::uuid",
                &[id],
            )
            .await?;
        let (skipped, venue): (Option<String>, String) = (row.get(0), row.get(1));
        let d = decisions
            .iter()
            .find(|d| d["signal_id"] == json!(id))
            .context("a dry-run decision")?;
        if let Some(reason) = reason {
            let want = format!("INVALID_SIGNAL: {reason}");
            assert_eq!(skipped.as_deref(), Some(want.as_str()));
            assert_eq!(venue, "MULTI");
            assert_eq!(d["routing_reason"], json!(want));
        } else {
            assert_eq!(skipped, None, "{venue}");
            assert_eq!(venue, "HYPERLIQUID");
            assert_eq!(d["selected_venue"], "HYPERLIQUID");
        }
    }
    Ok(())
}
