//! `run-pipeline` against the real PostgreSQL: the offline quick start on a
//! database that does not exist yet (every demo signal decided, the summary
//! printed, steps in order), a second run on the same database, machine-
//! readable output, a venue failure that routing survives, and a fatal
//! failure that stops the pipeline naming its step.

use std::time::Duration;

use agent_where::testing::TestDb;
use anyhow::{Context, Result};
use wiremock::{MockServer, ResponseTemplate};

use crate::support::bin::{Bin, Output};
use crate::support::db::{admin, count, database_exists};
use crate::support::routing::pending;
use crate::support::venue::{
    mount_hyperliquid, mount_ostium, recorded_pairs, recorded_perp_dexs, recorded_prices,
};

/// The step names in order: setup, one sync per registered venue, then the
/// demo signals, routing and the summary.
fn step_names(venues: &[&str]) -> Vec<String> {
    let mut names = vec!["setup".to_owned()];
    names.extend(venues.iter().map(|key| format!("sync-{key}")));
    names.extend(["demo-signals", "route", "summary"].map(str::to_owned));
    names
}

/// The prefix of every step line, `[n/N] name … `, in order, of a run that
/// syncs every registered venue.
fn steps() -> Vec<String> {
    let keys: Vec<&str> = agent_where::venues::SOURCES
        .iter()
        .map(|s| s.info().key)
        .collect();
    steps_for(&keys)
}

/// The step prefixes of a run that syncs `venues` (`--venues`).
fn steps_for(venues: &[&str]) -> Vec<String> {
    let names = step_names(venues);
    let total = names.len();
    names
        .iter()
        .enumerate()
        .map(|(i, name)| format!("[{}/{total}] {name} … ", i + 1))
        .collect()
}

/// The prefix of the line of step `name`.
fn step(name: &str) -> String {
    steps()
        .into_iter()
        .find(|s| s.contains(&format!("] {name} … ")))
        .unwrap_or_else(|| panic!("no step `{name}`"))
}

/// Runs `run-pipeline` with `args` and `--database-url url`.
async fn pipeline(url: &str, args: &[&str]) -> Result<Output> {
    Bin::new("run-pipeline")
        .args(args)
        .database(url)
        .timeout(Duration::from_secs(120))
        .run()
        .await
}

/// The number after `label` in `text` (e.g. `routed 412`).
fn figure(text: &str, label: &str) -> i64 {
    let at = text
        .find(label)
        .unwrap_or_else(|| panic!("`{label}` not in {text}"));
    text[at + label.len()..]
        .trim_start()
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no number after `{label}` in {text}"))
}

#[tokio::test]
async fn offline_demo_run_on_a_new_database_decides_every_signal() -> Result<()> {
    let db = TestDb::unborn();
    let run = pipeline(db.url(), &["--offline", "--demo-signals", "500"]).await?;
    assert_eq!(run.code, Some(0), "{}", run.show());

    // Every step, in order, each ok, with its time.
    let mut last = 0;
    for step in steps() {
        let step = step.as_str();
        let at = run
            .stdout
            .find(step)
            .unwrap_or_else(|| panic!("step `{step}` missing:\n{}", run.show()));
        assert!(at > last, "`{step}` out of order:\n{}", run.show());
        last = at;
        let line = run.line(step);
        assert!(
            line[step.len()..].starts_with("ok ("),
            "{line}\n{}",
            run.show()
        );
        assert!(line.contains(" s): "), "{line}");
    }
    // The data is said to be a dated recording.
    assert!(
        run.stdout.starts_with("offline: ") && run.stdout.contains("January 2026"),
        "{}",
        run.show()
    );
    assert!(run.line(&step("setup")).contains("created the database"));
    assert!(
        run.line(&step("sync-hyperliquid"))
            .contains("225 markets seen, 187 listed: 225 added"),
        "{}",
        run.show()
    );
    assert!(run.line(&step("sync-ostium")).contains("52 markets seen"));
    assert!(
        run.line(&step("sync-ostium"))
            .contains("recorded January 2026 capture")
    );
    assert!(
        run.line(&step("demo-signals"))
            .contains("500 pending MULTI signals over 40 token spellings"),
        "{}",
        run.show()
    );

    // The database: nothing pending, one history row per demo signal.
    let client = db.client().await?;
    assert_eq!(pending(&client).await?, 0);
    assert_eq!(count(&client, "SELECT count(*) FROM signals").await?, 500);
    assert_eq!(
        count(&client, "SELECT count(*) FROM venue_routing_history").await?,
        500
    );
    assert_eq!(
        count(
            &client,
            "SELECT count(DISTINCT signal_id) FROM venue_routing_history"
        )
        .await?,
        500
    );
    let routed = count(
        &client,
        "SELECT count(*) FROM signals WHERE venue IN ('HYPERLIQUID', 'OSTIUM')",
    )
    .await?;
    let skipped = count(
        &client,
        "SELECT count(*) FROM signals WHERE venue = 'MULTI' AND skipped_reason IS NOT NULL",
    )
    .await?;
    assert_eq!(routed + skipped, 500);
    // The demo mix has tokens on each venue and tokens no venue lists.
    assert!(
        routed > 0 && skipped > 0,
        "routed {routed} skipped {skipped}"
    );
    for venue in ["HYPERLIQUID", "OSTIUM"] {
        let n = count(
            &client,
            &format!("SELECT count(*) FROM signals WHERE venue = '{venue}'"),
        )
        .await?;
        assert!(n > 0, "nothing routed to {venue}");
    }
    assert_eq!(
        count(
            &client,
            "SELECT count(*) FROM venue_sync_runs WHERE status = 'SUCCEEDED'"
        )
        .await?,
        // One successful sync per registered venue.
        i64::try_from(agent_where::venues::SOURCES.len())?
    );

    // The route line and the printed summary agree with the database.
    let route = run.line(&step("route"));
    assert_eq!(figure(route, "): "), 500, "{route}");
    assert_eq!(figure(route, "decided: "), routed, "{route}");
    assert_eq!(figure(route, "), "), skipped, "{route}");
    let summary = &run.stdout[run.stdout.find(&step("summary")).unwrap_or(0)..];
    assert!(summary.contains("Routing decisions, last day"), "{summary}");
    assert_eq!(figure(summary, "decisions "), 500, "{summary}");
    assert_eq!(figure(summary, "routed "), routed, "{summary}");
    assert_eq!(figure(summary, "skipped "), skipped, "{summary}");
    assert!(summary.contains("HYPERLIQUID") && summary.contains("OSTIUM"));
    assert!(summary.contains("skip reason"), "{summary}");
    Ok(())
}

#[tokio::test]
async fn a_second_run_changes_nothing_and_finds_nothing_pending() -> Result<()> {
    let db = TestDb::migrated().await?;
    let first = pipeline(db.url(), &["--offline", "--demo-signals", "50"]).await?;
    assert_eq!(first.code, Some(0), "{}", first.show());
    let again = pipeline(db.url(), &["--offline"]).await?;
    assert_eq!(again.code, Some(0), "{}", again.show());
    assert!(
        again.line(&step("setup")).contains("up to date")
            && again.line(&step("setup")).contains("nothing changed"),
        "{}",
        again.show()
    );
    assert!(
        again
            .line(&step("sync-hyperliquid"))
            .contains("0 added, 0 updated, 225 unchanged"),
        "{}",
        again.show()
    );
    assert_eq!(
        again.line(&step("demo-signals")),
        format!("{}skipped: no --demo-signals", step("demo-signals"))
    );
    assert!(
        again
            .line(&step("route"))
            .ends_with("no pending MULTI signals"),
        "{}",
        again.show()
    );
    // The summary still covers the first run's decisions.
    assert!(again.stdout.contains("decisions 50 "), "{}", again.show());
    // A second demo run reuses the agent.
    let third = pipeline(db.url(), &["--offline", "--demo-signals", "10"]).await?;
    assert_eq!(third.code, Some(0), "{}", third.show());
    assert!(
        third
            .line(&step("demo-signals"))
            .contains("reused the demo agent")
    );
    assert!(third.line(&step("route")).contains("10 signals decided"));
    let client = db.client().await?;
    assert_eq!(
        count(&client, "SELECT count(*) FROM venue_routing_history").await?,
        60
    );
    assert_eq!(count(&client, "SELECT count(*) FROM agents").await?, 1);
    Ok(())
}

#[tokio::test]
async fn json_summary_keeps_stdout_parseable() -> Result<()> {
    let db = TestDb::migrated().await?;
    let run = pipeline(
        db.url(),
        &["--offline", "--demo-signals", "40", "--format", "json"],
    )
    .await?;
    assert_eq!(run.code, Some(0), "{}", run.show());
    let json: serde_json::Value = serde_json::from_str(&run.stdout)
        .with_context(|| format!("stdout is not JSON:\n{}", run.show()))?;
    assert_eq!(json["decisions"], 40);
    assert_eq!(json["window"]["label"], "day");
    // The step lines went to stderr, in order.
    let mut last = 0;
    for step in steps() {
        let step = step.as_str();
        let at = run
            .stderr
            .find(step)
            .unwrap_or_else(|| panic!("`{step}` not on stderr:\n{}", run.show()));
        assert!(at >= last);
        last = at;
    }
    assert!(run.stderr.contains("January 2026"));
    Ok(())
}

#[tokio::test]
async fn an_unreachable_database_stops_at_setup_with_exit_2() -> Result<()> {
    // Port 1 on the loopback: nothing listens there, the refusal is immediate.
    let run = pipeline(
        "postgres://postgres@127.0.0.1:1/agent_where?connect_timeout=5",
        &["--offline", "--demo-signals", "10"],
    )
    .await?;
    assert_eq!(run.code, Some(2), "{}", run.show());
    assert!(
        run.line(&step("setup"))[step("setup").len()..].starts_with("FAILED ("),
        "{}",
        run.show()
    );
    assert!(!run.stdout.contains(&steps()[1]), "{}", run.show());
    let error = run
        .stderr
        .lines()
        .find(|l| l.starts_with("run-pipeline: error: "))
        .unwrap_or_else(|| panic!("no error line:\n{}", run.show()));
    assert!(
        error.contains("step `setup` failed, pipeline stopped: "),
        "{error}"
    );
    assert!(error.contains("127.0.0.1:1"), "{error}");
    Ok(())
}

#[tokio::test]
async fn a_rejected_venue_is_recorded_and_routing_goes_on_with_exit_1() -> Result<()> {
    let server = MockServer::start().await;
    mount_hyperliquid(
        &server,
        recorded_perp_dexs(),
        ResponseTemplate::new(422).set_body_string("Failed to deserialize the JSON body"),
    )
    .await;
    mount_ostium(&server, recorded_pairs(), recorded_prices()).await;
    let db = TestDb::migrated().await?;
    let base = server.uri();
    let run = pipeline(
        db.url(),
        &[
            "--hyperliquid-api-url",
            &base,
            "--ostium-subgraph-url",
            &format!("{base}/gn"),
            "--ostium-prices-url",
            &format!("{base}/prices"),
            "--retries",
            "0",
            "--venues",
            "hyperliquid,ostium",
            "--demo-signals",
            "80",
        ],
    )
    .await?;
    assert_eq!(run.code, Some(1), "{}", run.show());
    let two = steps_for(&["hyperliquid", "ostium"]);
    let step = |name: &str| {
        two.iter()
            .find(|s| s.contains(&format!("] {name} … ")))
            .cloned()
            .unwrap_or_else(|| panic!("no step `{name}`"))
    };
    let hl = run.line(&step("sync-hyperliquid"));
    assert!(hl.contains("FAILED (") && hl.contains("422"), "{hl}");
    assert!(
        run.line(&step("sync-ostium")).contains("ok ("),
        "{}",
        run.show()
    );
    assert!(
        run.line(&step("route")).contains("80 signals decided"),
        "{}",
        run.show()
    );
    assert!(run.stdout.contains("decisions 80 "), "{}", run.show());
    let error = run
        .stderr
        .lines()
        .find(|l| l.starts_with("run-pipeline: error: "))
        .unwrap_or_else(|| panic!("no error line:\n{}", run.show()));
    assert!(error.contains("step `sync-hyperliquid` failed"), "{error}");
    assert!(!run.stdout.starts_with("offline"), "{}", run.show());

    let client = db.client().await?;
    assert_eq!(
        count(
            &client,
            "SELECT count(*) FROM venue_sync_runs WHERE venue = 'HYPERLIQUID' AND status = 'FAILED'"
        )
        .await?,
        1
    );
    // Hyperliquid never synced: nothing may be routed there.
    assert_eq!(
        count(
            &client,
            "SELECT count(*) FROM signals WHERE venue = 'HYPERLIQUID'"
        )
        .await?,
        0
    );
    assert!(
        count(
            &client,
            "SELECT count(*) FROM signals WHERE venue = 'OSTIUM'"
        )
        .await?
            > 0
    );
    assert_eq!(pending(&client).await?, 0);
    Ok(())
}

#[tokio::test]
async fn no_create_database_stops_at_setup_and_creates_nothing() -> Result<()> {
    let db = TestDb::unborn();
    let run = pipeline(db.url(), &["--offline", "--no-create-database"]).await?;
    assert_eq!(run.code, Some(2), "{}", run.show());
    assert!(
        run.line(&step("setup")).contains("FAILED ("),
        "{}",
        run.show()
    );
    assert!(!run.stdout.contains(&steps()[1]), "{}", run.show());
    assert!(
        run.stderr.contains("step `setup` failed") && run.stderr.contains("does not exist"),
        "{}",
        run.show()
    );
    let exists = database_exists(&admin().await?, db.name()).await?;
    assert!(!exists, "the database was created");
    Ok(())
}

#[tokio::test]
async fn offline_run_syncs_every_venue_and_routes_a_token_only_a_new_venue_lists() -> Result<()> {
    let db = TestDb::migrated().await?;
    let run = pipeline(db.url(), &["--offline", "--demo-signals", "40"]).await?;
    assert_eq!(run.code, Some(0), "{}", run.show());
    // Every registered venue synced from its recorded data.
    for (name, figures, source) in [
        (
            "sync-gmx",
            "8 markets seen, 7 listed: 8 added",
            "fixture written from the documented response shape, built in",
        ),
        (
            "sync-aevo",
            "9 markets seen, 8 listed: 9 added",
            "fixture written from the documented response shape, built in",
        ),
        (
            "sync-lighter",
            "233 markets seen, 216 listed: 233 added",
            "Lighter's own metadata snapshot (its SDK's fallback, no market statistics), built in",
        ),
    ] {
        let line = run.line(&step(name));
        assert!(line.contains(figures), "{line}");
        assert!(line.contains(source), "{line}");
    }
    // The default priority still routes the demo mix to the two first venues only.
    let client = db.client().await?;
    assert_eq!(
        count(
            &client,
            "SELECT count(*) FROM signals WHERE venue NOT IN ('MULTI', 'HYPERLIQUID', 'OSTIUM')"
        )
        .await?,
        0
    );

    // A priority naming the new venues after the default ones: a token that
    // only one new venue lists goes there; one Hyperliquid lists stays there.
    client
        .batch_execute(
            "UPDATE venue_routing_config
                SET venue_priority = ARRAY['HYPERLIQUID', 'OSTIUM', 'GMX', 'AEVO', 'LIGHTER']
              WHERE agent_id IS NULL",
        )
        .await?;
    let ids: Vec<uuid::Uuid> = client
        .query(
            "INSERT INTO signals (agent_id, token_symbol, venue, side, size_model, risk_model)
             SELECT '00000000-0000-4000-8000-00000000d3a0', t, 'MULTI', 'LONG', '{}', '{}'
             FROM unnest(ARRAY['CRO', 'AEVO-PERP', 'EDGE', 'BTC', 'DOGE']) AS t
             RETURNING id",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let again = pipeline(db.url(), &["--offline"]).await?;
    assert_eq!(again.code, Some(0), "{}", again.show());
    let decided = client
        .query(
            "SELECT s.token_symbol, s.venue::text, h.market_symbol
             FROM signals s JOIN venue_routing_history h ON h.signal_id = s.id
             WHERE s.id = ANY($1)
             ORDER BY s.token_symbol",
            &[&ids],
        )
        .await?;
    let got: Vec<(String, String, Option<String>)> = decided
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let want = [
        ("AEVO-PERP", "AEVO", Some("AEVO-PERP")),
        ("BTC", "HYPERLIQUID", Some("BTC")),
        ("CRO", "GMX", Some("CRO/USD [WETH-USDC]")),
        ("DOGE", "HYPERLIQUID", Some("DOGE")),
        ("EDGE", "LIGHTER", Some("EDGE")),
    ];
    assert_eq!(
        got.iter()
            .map(|(t, v, m)| (t.as_str(), v.as_str(), m.as_deref()))
            .collect::<Vec<_>>(),
        want,
        "{}",
        again.show()
    );
    Ok(())
}

#[tokio::test]
async fn offline_lighter_books_refuse_openings_and_meet_canonical_symbols() -> Result<()> {
    let db = TestDb::migrated().await?;
    let first = pipeline(db.url(), &["--offline", "--demo-signals", "1"]).await?;
    assert_eq!(first.code, Some(0), "{}", first.show());
    let client = db.client().await?;
    // Only Lighter, so that every token below is decided on Lighter's real books.
    client
        .batch_execute(
            "UPDATE venue_routing_config SET venue_priority = ARRAY['LIGHTER']
              WHERE agent_id IS NULL",
        )
        .await?;
    let ids: Vec<uuid::Uuid> = client
        .query(
            "INSERT INTO signals (agent_id, token_symbol, venue, side, size_model, risk_model)
             SELECT '00000000-0000-4000-8000-00000000d3a0', t, 'MULTI', 'LONG', '{}', '{}'
             FROM unnest(ARRAY['AAOI', 'USDHKD', 'WDC', 'USDKRW', 'SAMSUNG', 'US500', 'WTI',
                               'EURUSD', 'SPX6900']) AS t
             RETURNING id",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let again = pipeline(db.url(), &["--offline"]).await?;
    assert_eq!(again.code, Some(0), "{}", again.show());
    let decided: Vec<(String, String, Option<String>, Option<String>)> = client
        .query(
            "SELECT s.token_symbol, s.venue::text, h.market_symbol, s.skipped_reason
             FROM signals s JOIN venue_routing_history h ON h.signal_id = s.id
             WHERE s.id = ANY($1)
             ORDER BY s.token_symbol",
            &[&ids],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    let skipped = |token: &str, code: &str| {
        (
            token.to_owned(),
            "MULTI".to_owned(),
            None,
            Some(format!("NO_VENUE_AVAILABLE: LIGHTER: {code} ({token})")),
        )
    };
    let routed = |token: &str, market: &str| {
        (
            token.to_owned(),
            "LIGHTER".to_owned(),
            Some(market.to_owned()),
            None,
        )
    };
    assert_eq!(
        decided,
        [
            skipped("AAOI", "REDUCE_ONLY"),
            routed("EURUSD", "EURUSD"),
            routed("SAMSUNG", "SAMSUNGUSD"),
            routed("SPX6900", "SPX"),
            routed("US500", "US500"),
            skipped("USDHKD", "REDUCE_ONLY"),
            skipped("USDKRW", "QUOTE_NOT_USD"),
            skipped("WDC", "REDUCE_ONLY"),
            routed("WTI", "WTI"),
        ],
        "{}",
        again.show()
    );
    // The refusal is recorded per venue in the audit trail, as routing reports it.
    let reason: Option<String> = client
        .query_one(
            "SELECT h.venue_availability -> 'LIGHTER' ->> 'reason'
             FROM venue_routing_history h JOIN signals s ON s.id = h.signal_id
             WHERE s.id = ANY($1) AND s.token_symbol = 'WDC'",
            &[&ids],
        )
        .await?
        .get(0);
    assert_eq!(reason.as_deref(), Some("REDUCE_ONLY"));
    Ok(())
}
