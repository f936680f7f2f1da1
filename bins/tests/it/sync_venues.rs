//! Binary tier for the venues added on the venue interface: each
//! `sync-<venue>-markets` against a test database and a local HTTP server
//! (127.0.0.1) serving the venue's recorded responses, then a second sync
//! that changes nothing, then a rejected response that changes nothing and is
//! recorded as a FAILED run.

use agent_where::testing::TestDb;
use anyhow::Result;
use serde_json::json;
use tokio_postgres::Client;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::markets::{assert_nothing_changed, markets_table, sync, sync_runs};
use crate::support::venue::{FAST, fixture, ok_json};

async fn serve(server: &MockServer, route: &str, body: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(body)
        .mount(server)
        .await;
}

/// (token_symbol, market_name, market_index, base_symbol, is_active) of a
/// venue's rows, by token symbol.
async fn rows(
    client: &Client,
    venue: &str,
) -> Result<Vec<(String, String, Option<i32>, String, bool)>> {
    Ok(client
        .query(
            "SELECT token_symbol, market_name, market_index, base_symbol, is_active
             FROM venue_markets WHERE venue = $1::text::venue_t ORDER BY token_symbol",
            &[&venue],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
        .collect())
}

/// Syncs twice: the first adds every market, the second changes nothing.
async fn sync_then_resync(
    bin: &str,
    db: &TestDb,
    args: &[&str],
    seen: u64,
    active: u64,
) -> Result<()> {
    let r = sync(bin, db.url(), &[args, &["--format", "json"]].concat()).await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let s = r.json();
    assert_eq!(
        (
            s["markets_seen"].clone(),
            s["added"].clone(),
            s["active_total"].clone()
        ),
        (json!(seen), json!(seen), json!(active)),
        "{s}"
    );
    let r = sync(bin, db.url(), &[args, &["--format", "json"]].concat()).await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_nothing_changed(&r.json(), i64::try_from(seen)?);
    Ok(())
}

/// A sync of a rejected response: exit 1, one error line naming the venue
/// and the cause, the table byte for byte as before, a FAILED run.
async fn expect_rejected(
    bin: &str,
    db: &TestDb,
    args: &[&str],
    venue: &str,
    want: &str,
) -> Result<()> {
    let client = db.client().await?;
    let before = markets_table(&client).await?;
    let runs_before = sync_runs(&client).await?.len();
    let r = sync(bin, db.url(), &[args, &FAST].concat()).await?;
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let line = r.error_line();
    assert!(line.contains(venue) && line.contains(want), "{line}");
    assert_eq!(
        r.stderr.lines().filter(|l| l.contains(": error: ")).count(),
        1
    );
    assert_eq!(
        markets_table(&client).await?,
        before,
        "a rejected sync changed markets"
    );
    let runs = sync_runs(&client).await?;
    assert_eq!(runs.len(), runs_before + 1);
    assert_eq!(runs.last().map(|r| r.0.as_str()), Some("FAILED"));
    Ok(())
}

#[tokio::test]
async fn sync_gmx_markets_from_the_recorded_responses_over_http() -> Result<()> {
    const BIN: &str = "sync-gmx-markets";
    let db = TestDb::migrated().await?;
    let server = MockServer::start().await;
    serve(
        &server,
        "/markets/info",
        ok_json(fixture("gmx/markets-info.json")),
    )
    .await;
    serve(&server, "/tokens", ok_json(fixture("gmx/tokens.json"))).await;
    serve(
        &server,
        "/prices/tickers",
        ok_json(fixture("gmx/prices-tickers.json")),
    )
    .await;
    let base = server.uri();
    let args = ["--api-url", base.as_str()];
    // 9 markets in the reply, the swap-only pool is no market: 8 seen, LTC delisted.
    sync_then_resync(BIN, &db, &args, 8, 7).await?;

    let client = db.client().await?;
    let rows = rows(&client, "GMX").await?;
    let eth: Vec<_> = rows.iter().filter(|r| r.3 == "ETH").collect();
    assert_eq!(eth.len(), 3);
    let deepest = eth.iter().find(|r| r.2 == Some(0)).expect("rank 0");
    assert_eq!(deepest.1, "ETH/USD [WETH-USDC]");
    let doge = rows.iter().find(|r| r.3 == "DOGE").expect("synthetic DOGE");
    assert_eq!((doge.0.as_str(), doge.4), ("DOGE/USD[WETH-USDC]", true));
    let ltc = rows.iter().find(|r| r.3 == "LTC").expect("LTC");
    assert!(!ltc.4, "a disabled market is inactive");
    let (long_oi, cap): (f64, f64) = {
        let r = client
            .query_one(
                "SELECT long_open_interest_usd::float8, max_open_interest_usd::float8
                 FROM venue_markets WHERE venue = 'GMX' AND token_symbol = 'BTC/USD[WBTC.b-USDC]'",
                &[],
            )
            .await?;
        (r.get(0), r.get(1))
    };
    assert!((long_oi - 9_125_584.728_950_487).abs() < 0.01, "{long_oi}");
    assert!((cap - 41_000_000.0).abs() < 0.01, "{cap}");

    // The same server now answers garbage for the market list.
    server.reset().await;
    serve(
        &server,
        "/markets/info",
        ok_json(r#"{"markets":[{"name":"ETH/USD [WETH-USDC]"}]}"#),
    )
    .await;
    serve(&server, "/tokens", ok_json(fixture("gmx/tokens.json"))).await;
    serve(
        &server,
        "/prices/tickers",
        ok_json(fixture("gmx/prices-tickers.json")),
    )
    .await;
    expect_rejected(BIN, &db, &args, "GMX", "invalid response").await
}

#[tokio::test]
async fn sync_aevo_markets_from_the_recorded_response_over_http() -> Result<()> {
    const BIN: &str = "sync-aevo-markets";
    let db = TestDb::migrated().await?;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/markets"))
        .and(query_param("instrument_type", "PERPETUAL"))
        .respond_with(ok_json(fixture("aevo/markets.json")))
        .mount(&server)
        .await;
    let base = server.uri();
    let args = ["--api-url", base.as_str()];
    sync_then_resync(BIN, &db, &args, 9, 8).await?;

    let client = db.client().await?;
    let rows = rows(&client, "AEVO").await?;
    let eth = rows.iter().find(|r| r.0 == "ETH-PERP").expect("ETH-PERP");
    assert_eq!(
        (eth.1.as_str(), eth.2, eth.3.as_str()),
        ("ETH-PERP", Some(1), "ETH")
    );
    let pepe = rows
        .iter()
        .find(|r| r.0 == "1000PEPE-PERP")
        .expect("1000PEPE-PERP");
    assert_eq!(pepe.3, "PEPE");
    assert!(!rows.iter().find(|r| r.0 == "BLAST-PERP").expect("BLAST").4);

    server.reset().await;
    let mut bad: serde_json::Value = serde_json::from_str(&fixture("aevo/markets.json"))?;
    bad[0]["mark_price"] = json!("NaN");
    Mock::given(method("GET"))
        .and(path("/markets"))
        .respond_with(ok_json(serde_json::to_vec(&bad)?))
        .mount(&server)
        .await;
    expect_rejected(BIN, &db, &args, "AEVO", "not finite").await
}

/// A Lighter row as routing reads it: token, opening refusal, per-order cap,
/// canonical symbol, quote, group.
type StoredBook = (
    String,
    Option<String>,
    Option<f64>,
    String,
    String,
    Option<String>,
);

#[tokio::test]
async fn sync_lighter_markets_from_the_recorded_response_over_http() -> Result<()> {
    const BIN: &str = "sync-lighter-markets";
    let db = TestDb::migrated().await?;
    let server = MockServer::start().await;
    serve(
        &server,
        "/api/v1/orderBookDetails",
        ok_json(fixture("lighter/orderBookDetails.json")),
    )
    .await;
    let base = server.uri();
    let args = ["--api-url", base.as_str()];
    // Lighter's own snapshot: 233 perpetual books, 216 active.
    sync_then_resync(BIN, &db, &args, 233, 216).await?;

    let client = db.client().await?;
    let r = client
        .query_one(
            "SELECT market_index, max_leverage, taker_fee_bps::float8, min_position::float8,
                    current_price::float8, liquidity_usd
             FROM venue_markets WHERE venue = 'LIGHTER' AND token_symbol = 'BTC'",
            &[],
        )
        .await?;
    assert_eq!(r.get::<_, Option<i32>>(0), Some(1));
    assert_eq!(r.get::<_, Option<i32>>(1), Some(50));
    assert_eq!(r.get::<_, Option<f64>>(2), Some(0.0));
    assert_eq!(r.get::<_, Option<f64>>(3), Some(0.00001));
    // No statistics in the snapshot: stored, unknown.
    assert_eq!(r.get::<_, Option<f64>>(4), None);
    assert_eq!(r.get::<_, Option<f64>>(5), None);
    // What routing reads: the refusal, the per-order cap, the quote, the group.
    let stored: Vec<StoredBook> = client
        .query(
            "SELECT token_symbol, opening_refusal, max_order_usd, base_symbol, quote_symbol, \"group\"
             FROM venue_markets
             WHERE venue = 'LIGHTER'
               AND token_symbol IN ('AAOI', 'USDHKD', 'WDC', 'USDKRW', 'US500', 'SPX', 'EURUSD')
             ORDER BY token_symbol",
            &[],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
        .collect();
    let o = |s: &str| Some(s.to_owned());
    let s = |s: &str| s.to_owned();
    assert_eq!(
        stored,
        [
            (
                s("AAOI"),
                o("REDUCE_ONLY"),
                Some(25e6),
                s("AAOI"),
                s("USD"),
                o("rwa")
            ),
            (
                s("EURUSD"),
                None,
                Some(20e6),
                s("EUR"),
                s("USD"),
                o("forex")
            ),
            (
                s("SPX"),
                None,
                Some(281_474_976.710_655),
                s("SPX6900"),
                s("USD"),
                o("crypto")
            ),
            (s("US500"), None, Some(50e6), s("SPX"), s("USD"), o("etfs")),
            (
                s("USDHKD"),
                o("REDUCE_ONLY"),
                Some(25.0),
                s("USDHKD"),
                s("HKD"),
                o("forex")
            ),
            (
                s("USDKRW"),
                o("QUOTE_NOT_USD"),
                None,
                s("USDKRW"),
                s("KRW"),
                o("forex")
            ),
            (
                s("WDC"),
                o("REDUCE_ONLY"),
                Some(25e6),
                s("WDC"),
                s("USD"),
                o("stocks")
            ),
        ]
    );

    server.reset().await;
    let mut bad: serde_json::Value =
        serde_json::from_str(&fixture("lighter/orderBookDetails.json"))?;
    let first = bad["order_book_details"][0].clone();
    bad["order_book_details"]
        .as_array_mut()
        .expect("books")
        .push(first);
    serve(
        &server,
        "/api/v1/orderBookDetails",
        ok_json(serde_json::to_vec(&bad)?),
    )
    .await;
    expect_rejected(BIN, &db, &args, "LIGHTER", "duplicate market_id 84").await
}

#[tokio::test]
async fn every_registered_venue_has_a_sync_binary_that_syncs_that_venue() -> Result<()> {
    use agent_where::venues::registry::SOURCES;

    use crate::support::bin::{Bin, package_binaries};

    let binaries = package_binaries();
    let syncs: Vec<&String> = binaries.iter().filter(|b| b.starts_with("sync-")).collect();
    assert_eq!(
        syncs.len(),
        SOURCES.len(),
        "one sync binary per venue: {syncs:?}"
    );
    for source in SOURCES {
        let info = source.info();
        let name = format!("sync-{}-markets", info.key);
        assert!(
            binaries.contains(&name),
            "{name} is not a binary: {binaries:?}"
        );
        // Its own venue's flags and text, under its own name.
        let help = Bin::new(&name).arg("--help").run().await?;
        help.expect_code(0, &name);
        let about: String = info
            .about
            .split_whitespace()
            .take(4)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            help.stdout.contains(&about),
            "{name} --help: {}",
            help.stdout
        );
        assert!(
            help.stdout.contains(&format!("Usage: {name} ")),
            "{name} --help: {}",
            help.stdout
        );
        // Errors carry its name (a usage error: nothing is fetched or written).
        let failed = Bin::new(&name)
            .args([
                "--timeout",
                "0",
                "--database-url",
                "postgres://postgres@127.0.0.1:1/none",
            ])
            .run()
            .await?;
        failed.expect_code(2, &name);
        assert!(
            failed
                .stderr
                .starts_with(&format!("{name}: error: `--timeout` must be")),
            "{name}: {}",
            failed.stderr
        );
    }
    Ok(())
}
