//! Binary tier: `sync-ostium-markets` against a test database and a local
//! HTTP server (127.0.0.1) serving the recorded subgraph and price responses.

use agent_where::testing::TestDb;
use anyhow::Result;
use serde_json::{Value, json};
use wiremock::{MockServer, ResponseTemplate};

use crate::support::markets::{
    active_state, assert_nothing_changed, assert_untouched_and_failure_recorded, markets_content,
    markets_table, sync, sync_runs,
};
use crate::support::venue::{
    FAST, fixture, fixture_json, fixture_path, ok_json, ostium, recorded_pairs, recorded_prices,
};

const BIN: &str = "sync-ostium-markets";

/// The subgraph and price URLs of `server`; the prices URL carries a query
/// string that must never be shown.
fn urls(server: &MockServer) -> (String, String) {
    (
        format!("{}/gn", server.uri()),
        format!("{}/prices?api_key=not-shown", server.uri()),
    )
}

fn pairs_with(edit: impl Fn(&mut Vec<Value>)) -> Vec<u8> {
    let mut v = fixture_json("ostium/pairs.graphql.json");
    edit(v["data"]["pairs"].as_array_mut().expect("pairs"));
    serde_json::to_vec(&v).expect("json")
}

fn pair_mut<'a>(pairs: &'a mut [Value], from: &str, to: &str) -> &'a mut Value {
    pairs
        .iter_mut()
        .find(|p| p["from"] == from && p["to"] == to)
        .expect("pair present")
}

#[tokio::test]
async fn syncs_recorded_responses_over_http_then_a_second_sync_changes_nothing() -> Result<()> {
    let db = TestDb::migrated().await?;
    let server = ostium(recorded_pairs(), recorded_prices()).await;
    let (gn, prices) = urls(&server);
    let args = [
        "--subgraph-url",
        &gn,
        "--prices-url",
        &prices,
        "--format",
        "json",
    ];
    let r = sync(BIN, db.url(), &args).await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let s = r.json();
    assert_eq!(
        (s["added"].clone(), s["active_total"].clone()),
        (json!(52), json!(52))
    );
    assert!(
        !s["source"].as_str().expect("source").contains("api_key"),
        "query strings are not recorded: {s}"
    );

    let client = db.client().await?;
    let rows = client
        .query(
            "SELECT token_symbol, market_name, market_index, base_symbol, quote_symbol, max_leverage,
                    taker_fee_bps, \"group\", market_open
             FROM venue_markets WHERE venue = 'OSTIUM' ORDER BY market_index",
            &[],
        )
        .await?;
    assert_eq!(rows.len(), 52);
    let ids: Vec<i32> = rows.iter().map(|r| r.get(2)).collect();
    assert_eq!(ids, (0..52).collect::<Vec<i32>>());
    let by_token = |t: &str| {
        rows.iter()
            .find(|r| r.get::<_, String>(0) == t)
            .unwrap_or_else(|| panic!("{t} missing"))
    };
    let jpy = by_token("USDJPY");
    let cad = by_token("USDCAD");
    assert_eq!(jpy.get::<_, String>(1), "USD/JPY");
    assert_eq!(cad.get::<_, String>(1), "USD/CAD");
    assert_eq!(jpy.get::<_, String>(3), "USDJPY");
    assert_eq!(cad.get::<_, String>(4), "CAD");
    assert_eq!(by_token("HYPE").get::<_, i32>(5), 75);
    assert_eq!(by_token("HYPE").get::<_, i32>(2), 41);
    assert_eq!(by_token("BTC").get::<_, i32>(5), 100);
    assert_eq!(by_token("BTC").get::<_, f64>(6), 10.0);
    assert_eq!(by_token("EUR").get::<_, String>(3), "EUR");
    let stocks: Vec<bool> = rows
        .iter()
        .filter(|r| r.get::<_, String>(7) == "stocks")
        .map(|r| r.get::<_, bool>(8))
        .collect();
    assert_eq!(stocks.len(), 22);
    assert!(
        stocks.iter().all(|open| !open),
        "stocks closed at the capture"
    );
    assert!(by_token("XAU").get::<_, bool>(8));
    assert!(by_token("BTC").get::<_, bool>(8));
    let orphans: i64 = client
        .query_one(
            "SELECT count(*) FROM venue_markets WHERE token_symbol IN ('BABA', 'BYD')",
            &[],
        )
        .await?
        .get(0);
    assert_eq!(orphans, 0, "feeds without a pair are ignored");
    // Issue 21: USD/JPY open interest is units × price (298.07… × 158.2975)
    // as stored, and every row names its group's collateral cap as unknown
    // (the vault balance is not in the subgraph reply).
    let jpy = client
        .query_one(
            "SELECT long_open_interest_usd, capacity_limit FROM venue_markets
             WHERE venue = 'OSTIUM' AND token_symbol = 'USDJPY'",
            &[],
        )
        .await?;
    let long: f64 = jpy.get(0);
    assert!(
        (long - 298.067_624_887_635_9 * 158.2975).abs() < 1e-6,
        "{long}"
    );
    assert_eq!(
        jpy.get::<_, Option<String>>(1).as_deref(),
        Some(
            "group `forex` collateral cap unknown (50 % of the vault balance, not in the subgraph reply)"
        )
    );
    let before = markets_content(&client).await?;

    let r = sync(BIN, db.url(), &args).await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_nothing_changed(&r.json(), 52);
    assert_eq!(markets_content(&client).await?, before);
    Ok(())
}

#[tokio::test]
async fn save_response_writes_files_that_the_file_flags_accept() -> Result<()> {
    let server = ostium(recorded_pairs(), recorded_prices()).await;
    let (gn, prices) = urls(&server);
    let saved = tempfile::tempdir()?;
    let dir = saved.path().display().to_string();
    let over_http = TestDb::migrated().await?;
    let r = sync(
        BIN,
        over_http.url(),
        &[
            "--subgraph-url",
            &gn,
            "--prices-url",
            &prices,
            "--save-response",
            &dir,
        ],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let pairs_file = saved.path().join("pairs.graphql.json");
    let prices_file = saved.path().join("latest-prices.json");
    assert_eq!(
        std::fs::read(&prices_file)?,
        std::fs::read(fixture_path("ostium/latest-prices.json"))?
    );
    let from_files = TestDb::migrated().await?;
    let r = sync(
        BIN,
        from_files.url(),
        &[
            "--pairs-file",
            &pairs_file.display().to_string(),
            "--prices-file",
            &prices_file.display().to_string(),
        ],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        markets_content(&from_files.client().await?).await?,
        markets_content(&over_http.client().await?).await?
    );
    // One file without the other is a usage error.
    let r = sync(BIN, from_files.url(), &["--pairs-file", "x.json"]).await?;
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    Ok(())
}

#[tokio::test]
async fn removed_or_unpriced_pairs_are_delisted_and_reactivated_when_back() -> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    let full = ostium(recorded_pairs(), recorded_prices()).await;
    let (gn, prices) = urls(&full);
    let r = sync(
        BIN,
        db.url(),
        &["--subgraph-url", &gn, "--prices-url", &prices],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);

    // SOL leaves the subgraph; HYPE loses its price feed.
    let hype_feed = fixture_json("ostium/pairs.graphql.json")["data"]["pairs"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["from"] == "HYPE"))
        .map(|p| p["feed"].clone())
        .expect("HYPE pair");
    let mut feeds = fixture_json("ostium/latest-prices.json");
    feeds
        .as_array_mut()
        .expect("feeds")
        .retain(|f| f["feed_id"] != hype_feed);
    let cut = ostium(
        ok_json(pairs_with(|p| p.retain(|p| p["from"] != "SOL"))),
        ok_json(serde_json::to_vec(&feeds)?),
    )
    .await;
    let (gn, prices) = urls(&cut);
    let r = sync(
        BIN,
        db.url(),
        &[
            "--subgraph-url",
            &gn,
            "--prices-url",
            &prices,
            "--format",
            "json",
        ],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.json()["changes"]["delisted"], json!(["HYPE", "SOL"]));
    assert_eq!(r.json()["active_total"], 50);
    assert_eq!(active_state(&client, "SOL").await?, (false, true));
    assert_eq!(active_state(&client, "HYPE").await?, (false, true));
    let meta: Value = client
        .query_one(
            "SELECT metadata FROM venue_markets WHERE token_symbol = 'HYPE'",
            &[],
        )
        .await?
        .get(0);
    assert_eq!(meta["no_price_feed"], true);

    let (gn, prices) = urls(&full);
    let r = sync(
        BIN,
        db.url(),
        &[
            "--subgraph-url",
            &gn,
            "--prices-url",
            &prices,
            "--format",
            "json",
        ],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.json()["changes"]["reactivated"], json!(["HYPE", "SOL"]));
    assert_eq!(active_state(&client, "SOL").await?, (true, false));
    assert_eq!(active_state(&client, "HYPE").await?, (true, false));
    Ok(())
}

#[tokio::test]
async fn dry_run_writes_nothing() -> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    let server = ostium(recorded_pairs(), recorded_prices()).await;
    let (gn, prices) = urls(&server);
    let r = sync(
        BIN,
        db.url(),
        &[
            "--subgraph-url",
            &gn,
            "--prices-url",
            &prices,
            "--dry-run",
            "--format",
            "json",
        ],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.json()["dry_run"], true);
    assert_eq!(r.json()["added"], 52);
    assert!(markets_table(&client).await?.is_empty());
    assert!(sync_runs(&client).await?.is_empty());
    Ok(())
}

struct Fault {
    name: &'static str,
    pairs: ResponseTemplate,
    prices: ResponseTemplate,
    /// Which endpoint the message must name.
    endpoint: Option<&'static str>,
    expect: Vec<&'static str>,
}

#[tokio::test]
async fn every_fault_exits_1_leaves_markets_untouched_and_records_a_failed_run() -> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    let good = ostium(recorded_pairs(), recorded_prices()).await;
    let (gn, prices) = urls(&good);
    let r = sync(
        BIN,
        db.url(),
        &["--subgraph-url", &gn, "--prices-url", &prices],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let before = markets_table(&client).await?;
    let recorded = fixture("ostium/pairs.graphql.json");
    let many: Vec<Value> = (0..100_000)
        .map(|i| {
            json!({"id": i.to_string(), "from": format!("C{i}"), "to": "USD", "feed": format!("0x{i}"),
                "longOI": "0", "shortOI": "0", "maxOI": "1", "makerFeeP": "0", "takerFeeP": "0",
                "maxLeverage": "100", "group": {"id": "0", "name": "crypto", "maxLeverage": "100"}})
        })
        .collect();
    let huge = serde_json::to_vec(&json!({"data": {"pairs": many}}))?;

    let faults = vec![
        Fault {
            name: "GraphQL errors with HTTP 200",
            pairs: ok_json(r#"{"errors":[{"message":"Type `Pair` has no field `foo`"}]}"#),
            prices: recorded_prices(),
            endpoint: Some("POST {uri}/gn (pairs)"),
            expect: vec!["GraphQL error: Type `Pair` has no field `foo`"],
        },
        Fault {
            name: "HTTP 500 on the prices after retries",
            pairs: recorded_pairs(),
            prices: ResponseTemplate::new(503).set_body_string("maintenance"),
            endpoint: Some("GET {uri}/prices (latest-prices)"),
            expect: vec!["HTTP 503 Service Unavailable: maintenance (3 attempts)"],
        },
        Fault {
            name: "HTTP 404 fails at once",
            pairs: ResponseTemplate::new(404).set_body_string("no such subgraph"),
            prices: recorded_prices(),
            endpoint: Some("POST {uri}/gn (pairs)"),
            expect: vec!["HTTP 404 Not Found: no such subgraph (1 attempt)"],
        },
        Fault {
            name: "empty pair list",
            pairs: ok_json(r#"{"data":{"pairs":[]}}"#),
            prices: recorded_prices(),
            endpoint: Some("POST {uri}/gn (pairs)"),
            expect: vec!["the pair list is empty"],
        },
        Fault {
            name: "malformed JSON",
            pairs: recorded_pairs(),
            prices: ok_json("[{]"),
            endpoint: Some("GET {uri}/prices (latest-prices)"),
            expect: vec!["invalid response"],
        },
        Fault {
            name: "truncated JSON",
            pairs: ok_json(recorded.as_bytes()[..recorded.len() * 2 / 3].to_vec()),
            prices: recorded_prices(),
            endpoint: Some("POST {uri}/gn (pairs)"),
            expect: vec!["invalid response", "EOF"],
        },
        Fault {
            name: "mass delist without the flag",
            pairs: ok_json(pairs_with(|p| p.truncate(5))),
            prices: recorded_prices(),
            endpoint: None,
            expect: vec!["more than half", "--allow-mass-delist"],
        },
        Fault {
            name: "negative leverage",
            pairs: ok_json(pairs_with(|p| {
                pair_mut(p, "HYPE", "USD")["maxLeverage"] = json!("-7500");
            })),
            prices: recorded_prices(),
            endpoint: Some("POST {uri}/gn (pairs)"),
            expect: vec!["`maxLeverage` of `HYPE/USD` is negative"],
        },
        Fault {
            name: "NaN-like string",
            pairs: ok_json(pairs_with(|p| {
                pair_mut(p, "BTC", "USD")["longOI"] = json!("NaN");
            })),
            prices: recorded_prices(),
            endpoint: Some("POST {uri}/gn (pairs)"),
            expect: vec!["`longOI` of `BTC/USD` is not finite"],
        },
        Fault {
            name: "duplicate pair names",
            pairs: ok_json(pairs_with(|p| {
                pair_mut(p, "ETH", "USD")["from"] = json!("BTC");
            })),
            prices: recorded_prices(),
            endpoint: Some("POST {uri}/gn (pairs)"),
            expect: vec!["duplicate market `BTC`"],
        },
        Fault {
            name: "100 000 markets",
            pairs: ok_json(huge),
            prices: recorded_prices(),
            endpoint: Some("POST {uri}/gn (pairs)"),
            expect: vec!["100000 pairs"],
        },
        Fault {
            name: "a body over the size cap",
            pairs: ok_json(vec![b' '; 65 * 1024 * 1024]),
            prices: recorded_prices(),
            endpoint: Some("POST {uri}/gn (pairs)"),
            expect: vec!["response body larger than 64 MiB"],
        },
    ];
    let mut failed_runs = 0;
    for fault in faults {
        let server = ostium(fault.pairs, fault.prices).await;
        let (gn, prices) = urls(&server);
        let mut args = vec![
            "--subgraph-url",
            gn.as_str(),
            "--prices-url",
            prices.as_str(),
        ];
        args.extend(FAST);
        let r = sync(BIN, db.url(), &args).await?;
        let line = r.error_line();
        assert_eq!(r.code, Some(1), "{}: {}", fault.name, r.stderr);
        assert!(
            line.starts_with("sync-ostium-markets: error: cannot ") && line.contains("OSTIUM"),
            "{}: {line}",
            fault.name
        );
        if let Some(endpoint) = fault.endpoint {
            let endpoint = endpoint.replace("{uri}", &server.uri());
            assert!(
                line.contains(&format!("`{endpoint}`")),
                "{}: want endpoint {endpoint} in {line}",
                fault.name
            );
        }
        assert!(!line.contains("not-shown"), "query string leaked: {line}");
        for want in &fault.expect {
            assert!(
                line.contains(want),
                "{}: want {want:?} in {line}",
                fault.name
            );
        }
        assert!(r.stdout.is_empty(), "{}: stdout {}", fault.name, r.stdout);
        failed_runs += 1;
        assert_untouched_and_failure_recorded(
            &client,
            fault.name,
            &before,
            &fault.expect,
            failed_runs,
        )
        .await?;
    }
    Ok(())
}
