//! Binary tests of `route-pending-signals`: summary, dry run, concurrent
//! processes, a backend killed mid-batch, bad usage.

use std::time::Duration;

use agent_where::testing::TestDb;
use anyhow::{Context, Result};
use serde_json::{Value, json};
use tokio_postgres::Client;
use uuid::Uuid;

use crate::support::bin::{Bin, Output};
use crate::support::db::count;
use crate::support::routing::{insert_agent, pending};
use crate::support::wait_until;

const BIN: &str = "route-pending-signals";

pub(crate) const MARKETS: &str = "
INSERT INTO venue_markets (venue, token_symbol, market_name, market_index, base_symbol, price_scale, is_active, market_open, max_leverage)
VALUES ('HYPERLIQUID', 'BTC', 'BTC/USD', 0, 'BTC', 1, true, NULL, 40),
       ('HYPERLIQUID', 'ETH', 'ETH/USD', 1, 'ETH', 1, true, NULL, 25),
       ('HYPERLIQUID', 'kPEPE', 'kPEPE/USD', 12, 'PEPE', 1000, true, NULL, 10),
       ('OSTIUM', 'BTC', 'BTC/USD', 0, 'BTC', 1, true, true, 100),
       ('OSTIUM', 'XAU', 'XAU/USD', 5, 'XAU', 1, true, true, 100),
       ('OSTIUM', 'TSLA', 'TSLA/USD', 20, 'TSLA', 1, true, false, 10);
INSERT INTO venue_sync_runs (venue, source, status, started_at, finished_at)
VALUES ('HYPERLIQUID', 'test', 'SUCCEEDED', now() - interval '1 hour', now() - interval '1 hour'),
       ('OSTIUM', 'test', 'SUCCEEDED', now() - interval '1 hour', now() - interval '1 hour');
";

/// A migrated database with markets, one MULTI agent and `n` pending
/// signals over a token mix (BTC, ETH, XAU, PEPE → routed; DOGE, TSLA → skipped).
pub(crate) async fn setup(n: i32) -> Result<(TestDb, Client, Uuid)> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    client.batch_execute(MARKETS).await?;
    let agent = insert_agent(&client).await?;
    client
        .execute(
            "INSERT INTO signals (agent_id, token_symbol, venue, side, size_model, risk_model, created_at)
             SELECT $1, (ARRAY['BTC', 'ETH', 'XAU', 'PEPE', 'DOGE', 'TSLA'])[1 + i % 6], 'MULTI',
                    CASE WHEN i % 2 = 0 THEN 'LONG' ELSE 'SHORT' END,
                    '{\"type\": \"balance-percentage\", \"value\": 5}', '{}',
                    now() - make_interval(secs => i)
             FROM generate_series(1, $2) AS i",
            &[&agent, &n],
        )
        .await?;
    Ok((db, client, agent))
}

/// `route-pending-signals --database-url url args…`.
async fn run(db: &TestDb, args: &[&str]) -> Result<Output> {
    Bin::new(BIN).database(db.url()).args(args).run().await
}

#[tokio::test]
async fn dry_run_writes_nothing_then_a_run_routes_everything() -> Result<()> {
    let (db, client, _agent) = setup(12).await?;
    let out = run(&db, &["--dry-run", "--format", "json", "--batch-size", "5"]).await?;
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    let printed: Value = serde_json::from_str(&out.stdout)?;
    let decisions = printed["decisions"].as_array().context("decisions")?;
    assert_eq!(decisions.len(), 12);
    assert_eq!(printed["summary"]["claimed"], json!(12));
    assert_eq!(printed["summary"]["dry_run"], json!(true));
    let xau = decisions
        .iter()
        .find(|d| d["token_symbol"] == json!("XAU"))
        .context("an XAU decision")?;
    assert_eq!(xau["selected_venue"], json!("OSTIUM"));
    assert_eq!(xau["market_symbol"], json!("XAU/USD"));
    assert_eq!(
        xau["routing_reason"],
        json!("HYPERLIQUID: NOT_LISTED → OSTIUM: available (XAU/USD, pair 5)")
    );
    assert_eq!(pending(&client).await?, 12);
    assert_eq!(
        count(&client, "SELECT count(*) FROM venue_routing_history").await?,
        0
    );
    assert_eq!(
        count(&client, "SELECT count(*) FROM routing_runs").await?,
        0
    );
    // --limit applies to dry runs too; the table form prints a summary.
    let out = run(&db, &["--dry-run", "--limit", "3"]).await?;
    assert_eq!(out.code, Some(0));
    let stdout = &out.stdout;
    assert!(stdout.contains("dry run (nothing written)"), "{stdout}");
    assert_eq!(
        stdout.matches("ROUTED").count() + stdout.matches("SKIPPED").count(),
        3,
        "{stdout}"
    );

    let out = run(
        &db,
        &["--format", "json", "--limit", "10", "--batch-size", "4"],
    )
    .await?;
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    let summary: Value = serde_json::from_str(&out.stdout)?;
    assert_eq!(summary["claimed"], json!(10));
    assert_eq!(summary["batches"], json!(3));
    let out = run(&db, &["--format", "json"]).await?;
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    let summary: Value = serde_json::from_str(&out.stdout)?;
    assert_eq!(summary["claimed"], json!(2));
    // 12 signals: 2 each of BTC, ETH, XAU, PEPE (routed), DOGE, TSLA (skipped).
    let totals = client
        .query_one(
            "SELECT sum(claimed)::bigint, sum(routed)::bigint, sum(skipped)::bigint, count(*) FILTER (WHERE status = 'COMPLETED')
             FROM routing_runs",
            &[],
        )
        .await?;
    assert_eq!(totals.get::<_, i64>(0), 12);
    assert_eq!(totals.get::<_, i64>(1), 8);
    assert_eq!(totals.get::<_, i64>(2), 4);
    assert_eq!(totals.get::<_, i64>(3), 2);
    assert_eq!(
        count(&client, "SELECT count(*) FROM venue_routing_history").await?,
        12
    );
    // Nothing left: a further run claims nothing and still exits 0.
    let out = run(&db, &["--format", "json"]).await?;
    assert_eq!(out.code, Some(0));
    let summary: Value = serde_json::from_str(&out.stdout)?;
    assert_eq!(summary["claimed"], json!(0));
    Ok(())
}

#[tokio::test]
async fn four_concurrent_processes_decide_each_signal_exactly_once() -> Result<()> {
    const N: i64 = 20_000;
    let (db, client, _agent) = setup(i32::try_from(N)?).await?;
    let args = ["--batch-size", "500", "--format", "json"];
    let (a, b, c, d) = tokio::join!(
        run(&db, &args),
        run(&db, &args),
        run(
            &db,
            &["--batch-size", "500", "--workers", "2", "--format", "json"]
        ),
        run(&db, &args)
    );
    let mut claimed = 0;
    for out in [a?, b?, c?, d?] {
        assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
        let summary: Value = serde_json::from_str(&out.stdout)?;
        claimed += summary["claimed"].as_i64().context("claimed")?;
    }
    assert_eq!(claimed, N, "the processes' summaries add up");
    assert_eq!(pending(&client).await?, 0, "every signal decided");
    assert_eq!(
        count(&client, "SELECT count(*) FROM venue_routing_history").await?,
        N
    );
    assert_eq!(
        count(
            &client,
            "SELECT count(DISTINCT signal_id) FROM venue_routing_history"
        )
        .await?,
        N,
        "exactly one history row per signal"
    );
    let runs = client
        .query_one(
            "SELECT count(*), sum(claimed)::bigint, sum(routed)::bigint, sum(skipped)::bigint,
                    count(*) FILTER (WHERE status = 'COMPLETED')
             FROM routing_runs",
            &[],
        )
        .await?;
    assert_eq!(runs.get::<_, i64>(0), 4);
    assert_eq!(runs.get::<_, i64>(1), N);
    assert_eq!(runs.get::<_, i64>(4), 4);
    let history = client
        .query_one(
            "SELECT count(*) FILTER (WHERE outcome = 'ROUTED'), count(*) FILTER (WHERE outcome = 'SKIPPED')
             FROM venue_routing_history",
            &[],
        )
        .await?;
    assert_eq!(runs.get::<_, i64>(2), history.get::<_, i64>(0));
    assert_eq!(runs.get::<_, i64>(3), history.get::<_, i64>(1));
    assert_eq!(
        count(
            &client,
            "SELECT count(*) FROM signals WHERE venue IN ('HYPERLIQUID', 'OSTIUM')"
        )
        .await?,
        history.get::<_, i64>(0)
    );
    // Per-run counters match that run's history rows.
    let mismatched = count(
        &client,
        "SELECT count(*) FROM routing_runs r
         WHERE r.claimed <> (SELECT count(*) FROM venue_routing_history h WHERE h.run_id = r.id)",
    )
    .await?;
    assert_eq!(mismatched, 0);
    Ok(())
}

#[tokio::test]
async fn a_backend_killed_mid_batch_fails_cleanly_and_a_rerun_completes() -> Result<()> {
    let (db, mut client, _agent) = setup(3000).await?;
    // Hold a lock that makes the router's history COPY wait, mid-batch.
    let blocker = db.client().await?;
    blocker
        .batch_execute("BEGIN; LOCK TABLE venue_routing_history IN SHARE MODE")
        .await?;
    let router = Bin::new(BIN)
        .database(db.url())
        .args(["--batch-size", "1000"])
        .spawn()?;
    let pid: i32 = wait_until(
        Duration::from_secs(15),
        "the router to reach its history COPY",
        || async {
            Ok(client
                .query_opt(
                    "SELECT pid FROM pg_stat_activity
                     WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%COPY venue_routing_history%'",
                    &[],
                )
                .await?
                .map(|r| r.get(0)))
        },
    )
    .await?;
    client
        .execute("SELECT pg_terminate_backend($1)", &[&pid])
        .await?;
    blocker.batch_execute("ROLLBACK").await?;
    let out = router.finish(Duration::from_secs(60)).await?;
    assert_eq!(out.code, Some(2), "stdout: {}", out.stdout);
    let stderr = &out.stderr;
    let error_lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("route-pending-signals: error:"))
        .collect();
    assert_eq!(error_lines.len(), 1, "{stderr}");
    assert!(
        error_lines[0]
            .starts_with("route-pending-signals: error: cannot write `venue_routing_history`"),
        "{stderr}"
    );
    assert!(
        error_lines[0].contains("terminating connection"),
        "{stderr}"
    );
    // Nothing half-written: the batch rolled back whole.
    assert_eq!(
        count(&client, "SELECT count(*) FROM venue_routing_history").await?,
        0
    );
    assert_eq!(pending(&client).await?, 3000);
    let failed = client
        .query_one("SELECT status, claimed, error FROM routing_runs", &[])
        .await?;
    assert_eq!(failed.get::<_, String>(0), "FAILED");
    assert_eq!(failed.get::<_, i64>(1), 0);
    assert!(
        failed
            .get::<_, Option<String>>(2)
            .is_some_and(|e| e.contains("terminating connection"))
    );

    let out = run(&db, &["--format", "json"]).await?;
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert_eq!(
        count(&client, "SELECT count(*) FROM venue_routing_history").await?,
        3000
    );
    assert_eq!(pending(&client).await?, 0);
    client.batch_execute("SELECT 1").await?;
    let _ = &mut client;
    Ok(())
}

#[tokio::test]
async fn bad_usage_exits_2_and_writes_nothing() -> Result<()> {
    let (db, client, _agent) = setup(3).await?;
    for args in [
        &["--batch-size", "0"][..],
        &["--workers", "0"][..],
        &["--max-signal-age", "5w"][..],
        &["--max-market-age", "0h"][..],
        &["--agent", "not-a-uuid"][..],
    ] {
        let out = run(&db, args).await?;
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    assert_eq!(
        count(&client, "SELECT count(*) FROM routing_runs").await?,
        0
    );
    let out = run(&db, &["--help"]).await?;
    let help = &out.stdout;
    for flag in [
        "--batch-size",
        "--limit",
        "--agent",
        "--dry-run",
        "--workers",
        "--max-market-age",
        "--max-signal-age",
        "--include-hip3",
        "Exit codes",
    ] {
        assert!(help.contains(flag), "--help mentions {flag}");
    }
    Ok(())
}
