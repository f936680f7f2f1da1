use serde_json::json;

use super::*;
use crate::venues::source::VenueSource;
use crate::venues::test_support::{find, rejection};

fn with(info: &str, tokens: &str, tickers: &str) -> GmxResponses {
    GmxResponses {
        markets_info: Body::new("markets/info", info.as_bytes().to_vec()),
        tokens: Body::new("tokens", tokens.as_bytes().to_vec()),
        tickers: Body::new("prices/tickers", tickers.as_bytes().to_vec()),
    }
}

fn rejected(info: &str, tokens: &str, tickers: &str) -> String {
    rejection(parse(&with(info, tokens, tickers)))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn recorded_markets_map_with_30_decimal_units() {
    let markets = parse(&recorded()).expect("valid");
    // 9 markets in the reply, the swap-only pool skipped.
    assert_eq!(markets.len(), 8);
    assert!(
        markets
            .iter()
            .all(|m| !m.market_name.starts_with("SWAP-ONLY"))
    );

    let btc = find(&markets, "BTC/USD[WBTC.b-USDC]");
    assert_eq!(btc.market_name, "BTC/USD [WBTC.b-USDC]");
    assert_eq!(btc.base_symbol, "BTC");
    assert_eq!(btc.quote_symbol, "USD");
    assert!(btc.listed);
    // The real capture's openInterestLong: 9125584728950487099055356400000000000 ÷ 10^30.
    assert!(close(
        btc.figures.long_open_interest_usd.expect("oi"),
        9_125_584.728_950_487
    ));
    assert!(close(
        btc.figures.short_open_interest_usd.expect("oi"),
        8_640_210.5
    ));
    // Liquidity: the smaller side's availableLiquidity (31 874 415.27 long, 32 359 789.5 short).
    assert!(close(
        btc.figures.liquidity_usd.expect("liq"),
        31_874_415.27
    ));
    // Tighter cap: long 9 125 584.73 + 31 874 415.27 = 41 000 000.0; short 41 000 000.0.
    assert!(close(
        btc.figures.max_open_interest_usd.expect("cap"),
        41_000_000.0
    ));
    // BTC index: 8 decimals, price ÷ 10^22; min 95 698.28, max 95 705.94.
    let price = btc.current_price.expect("price");
    assert!(close(price, 95_702.11), "{price}");
    assert!((btc.figures.spread_bps.expect("spread") - 0.8).abs() < 1e-6);
    assert_eq!(btc.metadata["synthetic"], true);
    assert_eq!(btc.group.as_deref(), Some("synthetic"));
    // fundingRateLong 0.0421 a year (longs receive) → hourly, longs pay: negative.
    assert!(close(btc.funding_rate.expect("funding"), -0.0421 / 8760.0));
    assert_eq!(btc.max_leverage, None);
    assert_eq!(btc.figures.taker_fee_bps, None);
    // Capacity left per side (routing's ABOVE_CAPACITY / OPEN_INTEREST_CAP)
    // is availableLiquidityLong/Short; no cost figures (fees unknown).
    assert!(close(
        btc.cost.long_capacity_usd.expect("long"),
        31_874_415.27
    ));
    assert!(close(
        btc.cost.short_capacity_usd.expect("short"),
        32_359_789.5
    ));
    assert_eq!(btc.cost.close_fee_bps, None);

    // ETH (18 decimals): price ÷ 10^12.
    let eth = find(&markets, "ETH/USD[WETH-USDC]");
    assert!(close(eth.current_price.expect("price"), 3310.42));
    assert_eq!(eth.metadata["synthetic"], false);
    assert_eq!(eth.group.as_deref(), Some("crypto"));

    // Three ETH pools: ranked by capacity left, the deepest first.
    let ranks: Vec<(&str, Option<i32>)> = [
        "ETH/USD[WETH-USDC]",
        "ETH/USD[WETH-WETH]",
        "ETH/USD[wstETH-USDe]",
    ]
    .iter()
    .map(|t| (*t, find(&markets, t).market_index))
    .collect();
    assert_eq!(
        ranks,
        [
            ("ETH/USD[WETH-USDC]", Some(0)),
            ("ETH/USD[WETH-WETH]", Some(1)),
            ("ETH/USD[wstETH-USDe]", Some(2)),
        ]
    );

    // A synthetic index traded against a WETH-USDC pool.
    let doge = find(&markets, "DOGE/USD[WETH-USDC]");
    assert_eq!(doge.base_symbol, "DOGE");
    assert_eq!(doge.metadata["synthetic"], true);
    assert_eq!(doge.metadata["pool"], "WETH-USDC");
    assert!(close(doge.current_price.expect("price"), 0.13822));
    assert_eq!(doge.market_index, Some(0));

    // Delisted and disabled: stored inactive, no liquidity.
    let ltc = find(&markets, "LTC/USD[WETH-USDC]");
    assert!(!ltc.listed);
    assert_eq!(ltc.figures.liquidity_usd, Some(0.0));
    assert_eq!(ltc.metadata["is_disabled"], true);
    assert_eq!(ltc.metadata["no_price"], true);
    assert_eq!(markets.iter().filter(|m| m.listed).count(), 7);

    // Signals meet the markets on the same key.
    for (signal, token) in [
        ("ETH", "ETH/USD[WETH-USDC]"),
        ("doge", "DOGE/USD[WETH-USDC]"),
        ("CRO-PERP", "CRO/USD[WETH-USDC]"),
    ] {
        assert_eq!(
            symbols::canonical_symbol(signal).expect("valid"),
            find(&markets, token).base_symbol
        );
    }
    assert_eq!(
        SOURCE.canonical_of_stored("ETH/USD[wstETH-USDe]", "ETH/USD [wstETH-USDe]"),
        "ETH"
    );
    assert_eq!(SOURCE.canonical_of_stored("ETH/USD[WETH-USDC]", ""), "ETH");
}

fn market(name: &str, token: &str, index: &str) -> serde_json::Value {
    json!({"name": name, "marketToken": token, "indexToken": index,
        "longToken": "0x82aF49447D8a07e3bd95BD0d56f35241523fBab1",
        "shortToken": "0xaf88d065e77c8cC2239327C5EDb3A432268e5831", "isListed": true,
        "openInterestLong": "1000000000000000000000000000000000",
        "openInterestShort": "0", "availableLiquidityLong": "5000000000000000000000000000000000",
        "availableLiquidityShort": "7000000000000000000000000000000000",
        "fundingRateLong": "-50000000000000000000000000000", "fundingRateShort": "0"})
}

const A: &str = "0x1111111111111111111111111111111111111111";
const B: &str = "0x2222222222222222222222222222222222222222";

fn tokens() -> String {
    json!({"tokens": [{"symbol": "AAA", "address": A, "decimals": 18},
        {"symbol": "BBB", "address": B, "decimals": 6}]})
    .to_string()
}

fn tickers() -> String {
    json!([{"tokenAddress": A, "tokenSymbol": "AAA", "minPrice": "2000000000000000", "maxPrice": "2000000000000000"},
        {"tokenAddress": B, "tokenSymbol": "BBB", "minPrice": "3000000000000000000000000", "maxPrice": "3000000000000000000000000"}])
    .to_string()
}

fn info(markets: &[serde_json::Value]) -> String {
    json!({"markets": markets}).to_string()
}

/// Issue 21, finding 7: `funding_rate` holds what longs pay per hour;
/// GMX reports what a side receives, so its sign flips. The fixture's net
/// rates are funding − borrowing.
#[test]
fn funding_is_stored_as_what_longs_pay() {
    let markets = parse(&recorded()).expect("valid");
    let eth = find(&markets, "ETH/USD[WETH-USDC]");
    // fundingRateLong +9.24 %/year: longs receive, so longs pay −9.24 %/8760 an hour.
    assert!(close(eth.funding_rate.expect("funding"), -0.0924 / 8760.0));
    for m in &markets {
        let f = m.metadata["funding_rate_long_annual"]
            .as_f64()
            .expect("funding");
        let b = m.metadata["borrowing_rate_long_annual"]
            .as_f64()
            .expect("borrowing");
        let n = m.metadata["net_rate_long_annual"].as_f64().expect("net");
        assert!(
            (n - (f - b)).abs() < 1e-12,
            "{}: {n} ≠ {f} − {b}",
            m.token_symbol
        );
        let f = m.metadata["funding_rate_short_annual"]
            .as_f64()
            .expect("funding");
        let b = m.metadata["borrowing_rate_short_annual"]
            .as_f64()
            .expect("borrowing");
        let n = m.metadata["net_rate_short_annual"].as_f64().expect("net");
        assert!(
            (n - (f - b)).abs() < 1e-12,
            "{}: {n} ≠ {f} − {b}",
            m.token_symbol
        );
    }
}

/// Issue 21, finding 8: one bad item does not reject the reply. A hair
/// below zero of `availableLiquidity*` is 0; a ticker priced 0 leaves its
/// markets unpriced and inactive while the others sync; absurd values are
/// still rejected.
#[test]
fn one_bad_item_does_not_reject_the_reply() {
    let mut rounding = market("AAA/USD [AAA-USDC]", A, A);
    rounding["availableLiquidityShort"] = json!("-400000000000000000000000000000");
    let markets = parse(&with(&info(&[rounding]), &tokens(), &tickers())).expect("valid");
    assert_eq!(markets[0].cost.short_capacity_usd, Some(0.0));
    assert_eq!(markets[0].figures.liquidity_usd, Some(0.0));
    let mut absurd = market("AAA/USD [AAA-USDC]", A, A);
    absurd["availableLiquidityShort"] = json!("-5000000000000000000000000000000000");
    let e = rejected(&info(&[absurd]), &tokens(), &tickers());
    assert!(e.contains("more than rounding"), "{e}");

    let two = info(&[
        market("AAA/USD [AAA-USDC]", A, A),
        market("BBB/USD [AAA-USDC]", B, B),
    ]);
    let zero = json!([{"tokenAddress": A, "tokenSymbol": "AAA", "minPrice": "0", "maxPrice": "0"},
        {"tokenAddress": B, "tokenSymbol": "BBB", "minPrice": "3000000000000000000000000", "maxPrice": "3000000000000000000000000"}])
    .to_string();
    let markets = parse(&with(&two, &tokens(), &zero)).expect("valid");
    let aaa = find(&markets, "AAA/USD[AAA-USDC]");
    assert!(!aaa.listed);
    assert_eq!(aaa.current_price, None);
    assert_eq!(aaa.metadata["no_price"], true);
    let bbb = find(&markets, "BBB/USD[AAA-USDC]");
    assert!(bbb.listed);
    assert_eq!(bbb.current_price, Some(3.0));
}

#[test]
fn a_minimal_market_maps() {
    let m = info(&[market("AAA/USD [AAA-USDC]", A, A)]);
    let markets = parse(&with(&m, &tokens(), &tickers())).expect("valid");
    let a = &markets[0];
    assert_eq!(a.current_price, Some(2000.0));
    assert_eq!(a.figures.long_open_interest_usd, Some(1000.0));
    assert_eq!(a.figures.max_open_interest_usd, Some(6000.0));
    assert_eq!(a.figures.liquidity_usd, Some(5000.0));
    // fundingRateLong −5 % a year: longs pay 5 %, stored positive.
    assert!(close(a.funding_rate.expect("funding"), 0.05 / 8760.0));
    // A market whose index has no price is kept, inactive.
    let m = info(&[market(
        "CCC/USD [AAA-USDC]",
        A,
        "0x3333333333333333333333333333333333333333",
    )]);
    let markets = parse(&with(&m, &tokens(), &tickers())).expect("valid");
    assert!(!markets[0].listed);
    assert_eq!(markets[0].metadata["no_price"], true);
}

#[test]
fn malformed_absurd_and_duplicate_responses_are_rejected() {
    let (t, p) = (tokens(), tickers());
    let edit = |field: &str, value: serde_json::Value| {
        let mut m = market("AAA/USD [AAA-USDC]", A, A);
        m[field] = value;
        info(&[m])
    };
    let cases = [
        (
            edit("openInterestLong", json!("-1")),
            "not a non-negative integer",
        ),
        (
            edit("openInterestLong", json!("1e40")),
            "not a non-negative integer",
        ),
        (
            edit("openInterestLong", json!("NaN")),
            "not a non-negative integer",
        ),
        (
            edit("openInterestLong", json!("1".repeat(60))),
            "absurdly large",
        ),
        (edit("openInterestLong", json!(5)), "invalid response"),
        (
            edit("fundingRateLong", json!(format!("-{}", "9".repeat(40)))),
            "a year",
        ),
        (edit("marketToken", json!("0x12")), "not an address"),
        (
            edit("name", json!("AAA-USD")),
            "not `INDEX/USD [LONG-SHORT]`",
        ),
        (edit("name", json!("")), "empty market name"),
        (info(&[]), "the market list is empty"),
        ("{\"markets\":".to_owned(), "invalid response"),
        ("<html>".to_owned(), "invalid response"),
    ];
    for (i, want) in cases {
        let e = rejected(&i, &t, &p);
        assert!(e.contains(want), "want {want:?} in {e}");
        assert!(e.starts_with("GMX "), "{e}");
    }
    let dup = info(&[
        market("AAA/USD [AAA-USDC]", A, A),
        market("AAA/USD [AAA-BBB]", A, A),
    ]);
    assert!(rejected(&dup, &t, &p).contains("duplicate marketToken"));
    let dup = info(&[
        market("AAA/USD [AAA-USDC]", A, A),
        market("AAA/USD [AAA-USDC]", B, A),
    ]);
    assert!(rejected(&dup, &t, &p).contains("duplicate market `AAA/USD [AAA-USDC]`"));
    let one = info(&[market("AAA/USD [AAA-USDC]", A, A)]);
    let bad_decimals =
        json!({"tokens": [{"symbol": "AAA", "address": A, "decimals": 99}]}).to_string();
    assert!(rejected(&one, &bad_decimals, &p).contains("not in 0..=30"));
    let dup_token = json!({"tokens": [{"symbol": "AAA", "address": A, "decimals": 18},
        {"symbol": "AAB", "address": A.to_ascii_uppercase().replace("0X", "0x"), "decimals": 18}]})
    .to_string();
    assert!(rejected(&one, &dup_token, &p).contains("duplicate token address"));
    assert!(rejected(&one, "{\"tokens\":[]}", &p).contains("token list is empty"));
    let crossed = json!([{"tokenAddress": A, "minPrice": "3000000000000000", "maxPrice": "2000000000000000"}]).to_string();
    assert!(rejected(&one, &t, &crossed).contains("crossed"));
    let negative = json!([{"tokenAddress": A, "minPrice": "-1", "maxPrice": "1"}]).to_string();
    assert!(rejected(&one, &t, &negative).contains("not a non-negative integer"));
    let dup_ticker = json!([{"tokenAddress": A, "minPrice": "1", "maxPrice": "1"},
        {"tokenAddress": A, "minPrice": "1", "maxPrice": "1"}])
    .to_string();
    assert!(rejected(&one, &t, &dup_ticker).contains("duplicate ticker"));
    assert!(rejected(&one, &t, "{}").contains("invalid response"));
}

#[test]
fn a_hundred_thousand_markets_are_rejected() {
    let many: Vec<serde_json::Value> = (0..100_000)
        .map(|i| market(&format!("A{i}/USD [A-B]"), &format!("0x{i:040x}"), A))
        .collect();
    let e = rejected(&info(&many), &tokens(), &tickers());
    assert!(e.contains("100000 markets"), "{e}");
}
