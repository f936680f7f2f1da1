//! Binary tier of the cost model (issue 14): the syncs against a local HTTP
//! server serving the late-2026 recorded responses (open-interest caps, order
//! books of the markets signals name, Ostium's dynamic-spread fields), then
//! routing, `routing-config show --explain` and `routing-stats` on the result.

use std::collections::BTreeSet;

use agent_where::testing::TestDb;
use anyhow::Result;
use serde_json::{Value, json};
use tokio_postgres::Client;
use uuid::Uuid;
use wiremock::matchers::{body_partial_json, body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::bin::run;
use crate::support::markets::markets_content;
use crate::support::venue::{FAST, fixture, fixture_path, ok_json};

const SYNC_HL: &str = "sync-hyperliquid-markets";
const SYNC_OS: &str = "sync-ostium-markets";
const ROUTE: &str = "route-pending-signals";
const CONFIG: &str = "routing-config";
const STATS: &str = "routing-stats";
const PIPELINE: &str = "run-pipeline";

const DEXES: [&str; 10] = [
    "xyz", "flx", "vntl", "hyna", "km", "abcd", "cash", "para", "mkts", "io",
];

fn late(name: &str) -> String {
    fixture(&format!("hyperliquid/2026-11/{name}"))
}

/// A small two-sided book for coins the capture has none for.
fn book(coin: &str, mid: f64) -> String {
    json!({"coin": coin, "time": 1_795_017_600_000_i64, "levels": [
        [{"px": format!("{}", mid - 0.1), "sz": "10", "n": 1}],
        [{"px": format!("{}", mid + 0.1), "sz": "10", "n": 1}]
    ]})
    .to_string()
}

/// Hyperliquid with the late-2026 capture: every dex, its open-interest cap
/// list, and an order book for any coin.
async fn hyperliquid() -> MockServer {
    let server = MockServer::start().await;
    let post = |body: Value| {
        Mock::given(method("POST"))
            .and(path("/info"))
            .and(body_partial_json(body))
    };
    post(json!({"type": "perpDexs"}))
        .respond_with(ok_json(late("perpDexs.json")))
        .mount(&server)
        .await;
    for dex in DEXES {
        post(json!({"type": "metaAndAssetCtxs", "dex": dex}))
            .respond_with(ok_json(late(&format!("metaAndAssetCtxs.{dex}.json"))))
            .with_priority(1)
            .mount(&server)
            .await;
        post(json!({"type": "perpsAtOpenInterestCap", "dex": dex}))
            .respond_with(ok_json(late(&format!("perpsAtOpenInterestCap.{dex}.json"))))
            .with_priority(1)
            .mount(&server)
            .await;
    }
    post(json!({"type": "metaAndAssetCtxs"}))
        .respond_with(ok_json(late("metaAndAssetCtxs.json")))
        .with_priority(5)
        .mount(&server)
        .await;
    post(json!({"type": "perpsAtOpenInterestCap"}))
        .respond_with(ok_json(late("perpsAtOpenInterestCap.json")))
        .with_priority(5)
        .mount(&server)
        .await;
    post(json!({"type": "l2Book", "coin": "BTC"}))
        .respond_with(ok_json(late("l2Book.BTC.json")))
        .with_priority(1)
        .mount(&server)
        .await;
    post(json!({"type": "l2Book", "coin": "hyna:BTC"}))
        .respond_with(ok_json(late("l2Book.hyna%3ABTC.json")))
        .with_priority(1)
        .mount(&server)
        .await;
    for (coin, mid) in [("xyz:TSLA", 412.55), ("flx:TSLA", 412.61), ("ETH", 3620.4)] {
        post(json!({"type": "l2Book", "coin": coin}))
            .respond_with(ok_json(book(coin, mid)))
            .with_priority(1)
            .mount(&server)
            .await;
    }
    server
}

/// The coins of the `l2Book` requests the server received.
async fn books_asked(server: &MockServer) -> BTreeSet<String> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(|r| serde_json::from_slice::<Value>(&r.body).ok())
        .filter(|b| b["type"] == "l2Book")
        .filter_map(|b| b["coin"].as_str().map(str::to_owned))
        .collect()
}

async fn agent(client: &Client) -> Result<Uuid> {
    Ok(client
        .query_one(
            "INSERT INTO agents (creator_wallet, name, venue, profit_receiver_address)
             VALUES ('0xabc', 'cost agent', 'MULTI', '0xabc') RETURNING id",
            &[],
        )
        .await?
        .get(0))
}

async fn signal(
    client: &Client,
    agent: Uuid,
    token: &str,
    side: &str,
    size: &Value,
) -> Result<Uuid> {
    Ok(client
        .query_one(
            "INSERT INTO signals (agent_id, token_symbol, venue, side, size_model, risk_model, created_at)
             VALUES ($1, $2, 'MULTI', $3, $4, '{}'::jsonb, now() - interval '1 minute') RETURNING id",
            &[&agent, &token, &side, size],
        )
        .await?
        .get(0))
}

#[tokio::test]
async fn the_sync_fetches_books_for_the_markets_signals_name_and_routing_prices_on_them()
-> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    let a = agent(&client).await?;
    // BTC is named three times, TSLA twice, ETH once.
    let pct = json!({"type": "balance-percentage", "value": 5});
    for token in ["btc", "BTC/USD", "$BTC", "TSLA", "xyz:TSLA", "ETH"] {
        signal(&client, a, token, "LONG", &pct).await?;
    }
    let server = hyperliquid().await;
    let url = server.uri();
    let saved = tempfile::tempdir()?;
    let dir = saved.path().join("responses");
    let dir_arg = dir.display().to_string();
    let mut args = vec![
        "--api-url",
        url.as_str(),
        "--dexes",
        "all",
        "--oi-caps",
        "--books",
        "--max-books",
        "4",
        "--save-response",
        dir_arg.as_str(),
        "--format",
        "json",
    ];
    args.extend(FAST);
    let r = run(SYNC_HL, db.url(), &args).await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // The four books of the most named symbols: BTC on the main dex and on
    // hyna, TSLA on flx and xyz; ETH is fifth and beyond --max-books 4.
    assert_eq!(
        books_asked(&server).await,
        ["BTC", "flx:TSLA", "hyna:BTC", "xyz:TSLA"]
            .into_iter()
            .map(str::to_owned)
            .collect()
    );
    let with_curve: Vec<String> = client
        .query(
            "SELECT token_symbol FROM venue_markets
             WHERE depth_curve IS NOT NULL AND depth_synced_at = last_synced ORDER BY 1",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(with_curve, ["BTC", "flx:TSLA", "hyna:BTC", "xyz:TSLA"]);
    let capped: Vec<String> = client
        .query(
            "SELECT token_symbol FROM venue_markets WHERE at_open_interest_cap ORDER BY 1",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(capped, ["MATIC", "SOL", "xyz:NVDA"]);
    for file in [
        "perpsAtOpenInterestCap.json",
        "perpsAtOpenInterestCap.xyz.json",
        "l2Book.BTC.json",
        "l2Book.xyz%3ATSLA.json",
    ] {
        assert!(dir.join(file).is_file(), "{file} not saved");
    }

    // The saved responses sync the same markets from files.
    let from_files = TestDb::migrated().await?;
    let r = run(
        SYNC_HL,
        from_files.url(),
        &["--from-file", &dir_arg, "--dexes", "all", "--oi-caps"],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let strip = |rows: Vec<String>| -> Vec<Value> {
        rows.iter()
            .map(|r| {
                let mut v: Value = serde_json::from_str(r).expect("json");
                v.as_object_mut().map(|o| o.remove("depth_synced_at"));
                v
            })
            .collect()
    };
    assert_eq!(
        strip(markets_content(&from_files.client().await?).await?),
        strip(markets_content(&client).await?)
    );

    // LOWEST_COST at an assumed $500k: the BTC book's asks hold 16.2 BTC
    // (≈ $1.64M), so $500k walks into the third level.
    let r = run(
        CONFIG,
        db.url(),
        &[
            "set",
            "--priority",
            "HYPERLIQUID",
            "--strategy",
            "LOWEST_COST",
            "--assumed-notional",
            "500000",
        ],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let r = run(ROUTE, db.url(), &["--format", "json"]).await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let row = client
        .query_one(
            "SELECT h.venue_availability FROM venue_routing_history h
             JOIN signals s ON s.id = h.signal_id WHERE s.token_symbol = 'btc'",
            &[],
        )
        .await?;
    let v: Value = row.get(0);
    let h = &v["HYPERLIQUID"];
    assert_eq!(h["cost_basis"], "order_notional", "{h}");
    assert_eq!(h["impact_source"], "depth_curve");
    assert_eq!(h["notional_usd"], 500_000.0);
    assert_eq!(h["notional_source"], "assumed_notional");
    // 1.1 @ 101251 + 2.4 @ 101252 ($354 380.9) + the rest @ 101256:
    let coins = 1.1 + 2.4 + (500_000.0 - (1.1 * 101_251.0 + 2.4 * 101_252.0)) / 101_256.0;
    let impact = (500_000.0 / coins - 101_251.0) / 101_250.5 * 1e4;
    let got = h["impact_bps"].as_f64().expect("impact");
    assert!((got - impact).abs() < 1e-4, "{got} vs {impact}");
    Ok(())
}

#[tokio::test]
async fn book_requests_beyond_the_weight_budget_or_offline_are_refused() -> Result<()> {
    let db = TestDb::migrated().await?;
    for (args, want) in [
        (
            vec!["--books", "--max-books", "600"],
            "`--max-books 600`: expected a number of books from 1 to 590",
        ),
        (
            vec!["--max-books", "5"],
            "`--max-books` limits `--books`: give `--books` too",
        ),
    ] {
        let r = run(SYNC_HL, db.url(), &args).await?;
        assert_eq!(r.code, Some(2), "{}", r.stderr);
        assert!(r.error_line().contains(want), "{}", r.stderr);
    }
    let r = run(PIPELINE, db.url(), &["--offline", "--books"]).await?;
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("the recorded capture holds no order books"),
        "{}",
        r.stderr
    );
    Ok(())
}

async fn ostium(impact: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/gn"))
        .and(body_string_contains("pairImpact"))
        .respond_with(impact)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/gn"))
        .and(body_string_contains("getPairs"))
        .respond_with(ok_json(fixture("ostium/2026-11/pairs.graphql.json")))
        .with_priority(5)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/prices"))
        .respond_with(ok_json(fixture("ostium/2026-11/latest-prices.json")))
        .mount(&server)
        .await;
    server
}

async fn btc_dynamic_k(client: &Client) -> Result<Option<f64>> {
    Ok(client
        .query_one(
            "SELECT (cost_model -> 'impact' -> 'dynamic' ->> 'price_impact_k')::float8
             FROM venue_markets WHERE venue = 'OSTIUM' AND token_symbol = 'BTC'",
            &[],
        )
        .await?
        .get(0))
}

#[tokio::test]
async fn ostium_stores_the_dynamic_spread_when_the_subgraph_answers() -> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    let server = ostium(ok_json(fixture("ostium/2026-11/pairImpact.graphql.json"))).await;
    let gn = format!("{}/gn", server.uri());
    let prices = format!("{}/prices", server.uri());
    let r = run(
        SYNC_OS,
        db.url(),
        &["--subgraph-url", &gn, "--prices-url", &prices],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let k = btc_dynamic_k(&client).await?.expect("dynamic spread");
    assert!((k - 1e-15).abs() < 1e-27, "{k}");
    let row = client
        .query_one(
            "SELECT long_capacity_usd, overnight_max_leverage, close_fee_bps
             FROM venue_markets WHERE token_symbol = 'NVDA'",
            &[],
        )
        .await?;
    assert_eq!(
        (
            row.get::<_, Option<f64>>(0),
            row.get::<_, Option<f64>>(1),
            row.get::<_, Option<f64>>(2)
        ),
        (Some(0.0), Some(5.0), Some(0.0))
    );

    // A subgraph without the fields answers with GraphQL errors: the sync
    // still applies, the impact is the quoted spread.
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    let server = ostium(ok_json(
        r#"{"errors":[{"message":"Type `Pair` has no field `netVolThreshold`"}]}"#,
    ))
    .await;
    let gn = format!("{}/gn", server.uri());
    let prices = format!("{}/prices", server.uri());
    let r = run(
        SYNC_OS,
        db.url(),
        &["--subgraph-url", &gn, "--prices-url", &prices, "-v"],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(btc_dynamic_k(&client).await?, None);
    assert!(
        r.stderr.contains("refused the pairImpact query"),
        "{}",
        r.stderr
    );
    Ok(())
}

#[tokio::test]
async fn show_explain_prices_the_token_on_every_venue() -> Result<()> {
    let db = TestDb::migrated().await?;
    let dir = fixture_path("hyperliquid/2026-11").display().to_string();
    let r = run(
        SYNC_HL,
        db.url(),
        &["--from-file", &dir, "--dexes", "all", "--oi-caps"],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let o = fixture_path("ostium/2026-11");
    let r = run(
        SYNC_OS,
        db.url(),
        &[
            "--pairs-file",
            &o.join("pairs.graphql.json").display().to_string(),
            "--prices-file",
            &o.join("latest-prices.json").display().to_string(),
        ],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let r = run(
        CONFIG,
        db.url(),
        &[
            "set",
            "--priority",
            "HYPERLIQUID,OSTIUM",
            "--assumed-notional",
            "$25_000",
        ],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("assumed notional $25000"), "{}", r.stdout);
    let r = run(
        CONFIG,
        db.url(),
        &["show", "--token", "btc", "--explain", "--format", "json"],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["assumed_notional_usd"], 25_000.0);
    let costs = v["costs"].as_array().expect("costs");
    assert_eq!(costs.len(), 4, "{v}");
    let find = |venue: &str, side: &str| {
        costs
            .iter()
            .find(|c| c["venue"] == venue && c["side"] == side)
            .unwrap_or_else(|| panic!("{venue} {side}"))
    };
    // Hyperliquid, on the saved book: $25k fits the first ask level (1.1 BTC
    // at 101251), so 4.5 + 4.5 + half the touch spread 0.5 / 101250.5.
    let h = find("HYPERLIQUID", "LONG");
    assert_eq!(h["basis"], "order_notional");
    assert_eq!(h["impact_bps"], 0.0);
    let half = 0.5 / 101_250.5 * 1e4;
    assert!(
        (h["total_bps"].as_f64().expect("n") - (9.0 + half)).abs() < 1e-6,
        "{h}"
    );
    assert!(
        h["fee_rule"]
            .as_str()
            .expect("rule")
            .starts_with("taker 4.5 bps; close 4.5 bps")
    );
    // Ostium without its impact file: the ask, (101267.6 − 101262.5) / 101262.5.
    let o = find("OSTIUM", "LONG");
    assert_eq!(o["basis"], "order_notional");
    let half = (101_267.6 - 101_262.5) / 101_262.5 * 1e4;
    assert!(
        (o["total_bps"].as_f64().expect("n") - (10.0 + half)).abs() < 1e-6,
        "{o}"
    );
    assert!(
        o["fee_rule"]
            .as_str()
            .expect("rule")
            .contains("close 0 bps")
    );
    let text = run(CONFIG, db.url(), &["show", "--token", "BTC", "--explain"]).await?;
    assert_eq!(text.code, Some(0), "{}", text.stderr);
    assert!(
        text.stdout.contains("cost of a $25000 order"),
        "{}",
        text.stdout
    );
    // Bad values and combinations exit 2 and write nothing.
    for args in [
        vec!["set", "--priority", "OSTIUM", "--assumed-notional", "-5"],
        vec!["set", "--priority", "OSTIUM", "--assumed-notional", "lots"],
        vec![
            "set",
            "--token",
            "BTC",
            "--priority",
            "OSTIUM",
            "--assumed-notional",
            "5",
        ],
        vec!["show", "--explain"],
        vec!["set", "--priority", "OSTIUM", "--strategy", "CHEAPEST"],
    ] {
        let r = run(CONFIG, db.url(), &args).await?;
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.stderr);
    }
    let r = run(CONFIG, db.url(), &["show", "--format", "json"]).await?;
    assert_eq!(r.json()["routing_strategy"], "FIRST_AVAILABLE");
    assert_eq!(r.json()["assumed_notional_usd"], 25_000.0);
    Ok(())
}

/// History rows with the cost figures of issue 14 (and rows without).
const COST_SEED: &str = r"
INSERT INTO agents (id, creator_wallet, name, venue, profit_receiver_address)
VALUES ('c0000000-0000-4000-8000-000000000001', '0xc', 'cost', 'MULTI', '0xc');
CREATE TEMP TABLE seed AS
SELECT i, md5('cost-' || i)::uuid AS signal_id,
       now() - make_interval(mins => 1 + i) AS created_at,
       CASE i % 6
           WHEN 0 THEN 'HYPERLIQUID' WHEN 1 THEN 'HYPERLIQUID' WHEN 2 THEN 'OSTIUM'
           WHEN 3 THEN 'OSTIUM' WHEN 4 THEN 'HYPERLIQUID' ELSE NULL END AS venue,
       (i % 37) * 1.7 AS total
FROM generate_series(1, 120) AS i;
INSERT INTO signals (id, agent_id, token_symbol, venue, side, size_model, risk_model, created_at, skipped_reason)
SELECT signal_id, 'c0000000-0000-4000-8000-000000000001', 'BTC',
       COALESCE(venue, 'MULTI')::venue_t, 'LONG', '{}', '{}', created_at,
       CASE WHEN venue IS NULL THEN 'NO_VENUE_AVAILABLE: x' END
FROM seed;
INSERT INTO venue_routing_history (signal_id, token_symbol, requested_venue, selected_venue, routing_reason,
    checked_venues, venue_availability, created_at, outcome, strategy)
SELECT signal_id, 'BTC', 'MULTI', COALESCE(venue, 'MULTI')::venue_t,
       CASE WHEN venue IS NULL THEN 'NO_VENUE_AVAILABLE: x' ELSE 'ok' END,
       ARRAY['HYPERLIQUID', 'OSTIUM'],
       CASE
           -- Every fourth routed row predates issue 14: no figures.
           WHEN venue IS NOT NULL AND i % 4 = 0 THEN jsonb_build_object(venue, jsonb_build_object('available', true))
           WHEN venue IS NULL THEN jsonb_build_object(
               'HYPERLIQUID', jsonb_build_object('available', false, 'reason', 'OPEN_INTEREST_CAP'),
               'OSTIUM', jsonb_build_object('available', false,
                   'reason', CASE WHEN (i / 6) % 2 = 0 THEN 'ABOVE_CAPACITY' ELSE 'NOT_LISTED' END))
           ELSE jsonb_build_object(venue, jsonb_build_object(
               'available', true, 'selected', true,
               'total_cost_bps', total, 'fee_bps', total * 0.5, 'half_spread_bps', total * 0.3,
               'impact_bps', total * 0.2,
               'cost_basis', CASE WHEN i % 3 = 0 THEN 'top_of_book' ELSE 'order_notional' END))
       END,
       created_at,
       CASE WHEN venue IS NULL THEN 'SKIPPED' ELSE 'ROUTED' END,
       'LOWEST_COST'
FROM seed;
";

#[tokio::test]
async fn routing_stats_reports_the_chosen_cost_and_groups_by_it() -> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    client.batch_execute(COST_SEED).await?;
    let r = run(STATS, db.url(), &["--window", "day", "--format", "json"]).await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let v = r.json();
    // Independent SQL over the rows as written.
    let want = client
        .query_one(
            "SELECT count(*) FILTER (WHERE outcome = 'ROUTED'),
                    count(*) FILTER (WHERE venue_availability -> selected_venue::text ? 'total_cost_bps'),
                    count(*) FILTER (WHERE venue_availability -> selected_venue::text ->> 'cost_basis' = 'order_notional'),
                    avg((venue_availability -> selected_venue::text ->> 'total_cost_bps')::float8),
                    avg((venue_availability -> selected_venue::text ->> 'impact_bps')::float8),
                    avg((venue_availability -> selected_venue::text ->> 'total_cost_bps')::float8)
                        FILTER (WHERE selected_venue = 'OSTIUM')
             FROM venue_routing_history",
            &[],
        )
        .await?;
    let c = &v["chosen_cost"];
    assert_eq!(c["routed"], want.get::<_, i64>(0));
    assert_eq!(c["costed"], want.get::<_, i64>(1));
    assert_eq!(c["at_notional"], want.get::<_, i64>(2));
    let close = |a: &Value, b: f64| (a.as_f64().expect("number") - b).abs() < 1e-9;
    assert!(close(&c["avg_cost_bps"], want.get(3)), "{c}");
    assert!(close(&c["avg_impact_bps"], want.get(4)), "{c}");
    let ostium = v["by_venue"]
        .as_array()
        .expect("venues")
        .iter()
        .find(|e| e["venue"] == "OSTIUM")
        .expect("OSTIUM");
    assert!(close(&ostium["avg_cost_bps"], want.get(5)), "{ostium}");

    // --group-by cost: bands of the chosen venue's figure, against SQL.
    let r = run(STATS, db.url(), &["--group-by", "cost", "--format", "json"]).await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let bands: Vec<(String, i64)> = client
        .query(
            "SELECT CASE
                 WHEN outcome = 'SKIPPED' THEN '(skipped)'
                 WHEN NOT (venue_availability -> selected_venue::text ? 'total_cost_bps') THEN '(no figure)'
                 WHEN (venue_availability -> selected_venue::text ->> 'total_cost_bps')::float8 < 5 THEN '0-5 bps'
                 WHEN (venue_availability -> selected_venue::text ->> 'total_cost_bps')::float8 < 10 THEN '5-10 bps'
                 WHEN (venue_availability -> selected_venue::text ->> 'total_cost_bps')::float8 < 20 THEN '10-20 bps'
                 WHEN (venue_availability -> selected_venue::text ->> 'total_cost_bps')::float8 < 50 THEN '20-50 bps'
                 ELSE '50+ bps' END AS band, count(*)
             FROM venue_routing_history GROUP BY 1 ORDER BY 1",
            &[],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let mut got: Vec<(String, i64)> = r
        .json()
        .as_array()
        .expect("rows")
        .iter()
        .map(|g| {
            (
                g["key"].as_str().expect("key").to_owned(),
                g["decisions"].as_i64().expect("n"),
            )
        })
        .collect();
    got.sort();
    assert_eq!(got, bands);

    // --group-by capacity: the refusals among the checked venues.
    let r = run(
        STATS,
        db.url(),
        &["--group-by", "capacity", "--format", "csv"],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let skipped_even = client
        .query_one(
            "SELECT count(*) FROM venue_routing_history
             WHERE outcome = 'SKIPPED' AND venue_availability -> 'OSTIUM' ->> 'reason' = 'ABOVE_CAPACITY'",
            &[],
        )
        .await?
        .get::<_, i64>(0);
    let line = |key: &str| {
        r.stdout
            .lines()
            .find(|l| l.starts_with(&format!("{key},")))
            .and_then(|l| l.split(',').nth(1))
            .and_then(|n| n.parse::<i64>().ok())
            .unwrap_or(0)
    };
    assert_eq!(line("ABOVE_CAPACITY+OPEN_INTEREST_CAP"), skipped_even);
    assert_eq!(line("OPEN_INTEREST_CAP"), 20 - skipped_even);
    assert_eq!(line("(none)"), 100);
    // The table view says what the figures are.
    let r = run(STATS, db.url(), &[]).await?;
    assert!(
        r.stdout.contains("chosen venue cost: mean "),
        "{}",
        r.stdout
    );
    Ok(())
}

#[test]
fn bench_routing_measures_lowest_cost() {
    let server = agent_where::testing::url_for_database("postgres");
    let bench = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_bench-routing"))
            .args([
                "--database-url",
                &server,
                "--signals",
                "400",
                "--reference-sample",
                "40",
                "--batch-size",
                "100",
            ])
            .args(extra)
            .output()
            .expect("run bench-routing")
    };
    let out = bench(&["--strategy", "lowest_cost", "--assumed-notional", "25000"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("agent-where strategy: LOWEST_COST"),
        "{stdout}"
    );
    let last = stdout.trim_end().lines().last().unwrap_or_default();
    assert!(last.starts_with("ratio_vs_reference="), "{last}");
    let out = bench(&["--strategy", "CHEAPEST"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("invalid `--strategy`"), "{stderr}");
}
