use super::*;
use crate::domain::cost::{max_order_usd_of, opening_refusal_of};
use crate::venues::test_support::{find, rejection};

fn body(text: &str) -> Body {
    Body::new("orderBookDetails", text.as_bytes().to_vec())
}

fn rejected(text: &str) -> String {
    rejection(parse(&body(text)))
}

#[test]
fn the_real_snapshot_is_stored_with_its_statistics_unknown() {
    let markets = parse(&recorded()).expect("valid");
    // 233 perpetual books (market_id 0..232), 216 active; spot books skipped.
    assert_eq!(markets.len(), 233);
    assert_eq!(markets.iter().filter(|m| m.listed).count(), 216);
    let btc = find(&markets, "BTC");
    assert_eq!(btc.market_index, Some(1));
    assert_eq!(btc.market_name, "BTC/USD");
    assert_eq!(btc.group.as_deref(), Some("crypto"));
    // min_initial_margin_fraction 200 bps = 2 % → 50×.
    assert_eq!(btc.max_leverage, Some(50));
    // supported_size_decimals 5 → size step 0.00001 BTC.
    assert_eq!(btc.min_position, Some(1e-5));
    assert_eq!(btc.figures.taker_fee_bps, Some(0.0));
    // No statistics in the snapshot: stored, with those figures unknown.
    assert_eq!(btc.current_price, None);
    assert_eq!(btc.figures.open_interest_usd, None);
    assert_eq!(btc.figures.day_volume_usd, None);
    assert_eq!(btc.figures.liquidity_usd, None);
    assert_eq!(opening_refusal_of(&btc.metadata), None);
    // order_quote_limit "281474976.710655" (2^48 − 1 micro-USDC).
    assert_eq!(max_order_usd_of(&btc.metadata), Some(281_474_976.710_655));
    let pepe = find(&markets, "1000PEPE");
    assert_eq!(
        (pepe.base_symbol.as_str(), pepe.price_scale),
        ("PEPE", 1000.0)
    );
    let mkr = find(&markets, "MKR");
    assert!(!mkr.listed);
    assert_eq!(mkr.max_leverage, None);
    assert_eq!(mkr.figures.liquidity_usd, Some(0.0));
}

#[test]
fn reduce_only_books_refuse_openings_though_active() {
    let markets = parse(&recorded()).expect("valid");
    for token in ["AAOI", "USDHKD", "WDC"] {
        let m = find(&markets, token);
        assert!(m.listed, "{token} is active");
        assert_eq!(
            opening_refusal_of(&m.metadata),
            Some(OpeningRefusal::ReduceOnly),
            "{token}"
        );
    }
    // Every force_reduce_only book of the snapshot (25), none other for that.
    let reduce_only = markets
        .iter()
        .filter(|m| opening_refusal_of(&m.metadata) == Some(OpeningRefusal::ReduceOnly))
        .count();
    assert_eq!(reduce_only, 25);
    assert_eq!(opening_refusal_of(&find(&markets, "ETH").metadata), None);
    // USDHKD's order_quote_limit "25.000000": the largest order it takes.
    assert_eq!(
        max_order_usd_of(&find(&markets, "USDHKD").metadata),
        Some(25.0)
    );
}

#[test]
fn asset_classes_give_groups_and_canonical_symbols() {
    let markets = parse(&recorded()).expect("valid");
    for (token, base, quote, group) in [
        ("US500", "SPX", "USD", "etfs"),
        ("US100", "NDX", "USD", "etfs"),
        ("WTI", "CL", "USD", "commodities"),
        ("XCU", "HG", "USD", "commodities"),
        ("EURUSD", "EUR", "USD", "forex"),
        ("USDJPY", "USDJPY", "JPY", "forex"),
        ("AAPL", "AAPL", "USD", "stocks"),
        ("US10Y", "US10Y", "USD", "bonds"),
        ("SAMSUNGUSD", "SAMSUNG", "USD", "stocks"),
        // SPX on Lighter is the SPX6900 memecoin (a CRYPTO token), never the S&P 500.
        ("SPX", "SPX6900", "USD", "crypto"),
        ("ETH", "ETH", "USD", "crypto"),
    ] {
        let m = find(&markets, token);
        assert_eq!(
            (
                m.base_symbol.as_str(),
                m.quote_symbol.as_str(),
                m.group.as_deref()
            ),
            (base, quote, Some(group)),
            "{token}"
        );
    }
    // About 90 books are real-world assets, none of them grouped crypto.
    let rwa = markets
        .iter()
        .filter(|m| m.group.as_deref().is_some_and(|g| g != "crypto"))
        .count();
    assert!((90..=120).contains(&rwa), "{rwa}");
}

#[test]
fn won_priced_books_are_never_usd_priced() {
    // A live-shaped reply: the real books with statistics added, so that
    // a won price would become USD figures if it were taken as USD.
    let mut reply: serde_json::Value = serde_json::from_str(RECORDED_DETAILS).expect("json");
    for d in reply["order_book_details"].as_array_mut().expect("books") {
        d["mark_price"] = json!("55000.00");
        d["last_trade_price"] = json!(55_000.0);
        d["open_interest"] = json!(100.0);
        d["daily_quote_token_volume"] = json!(1_000_000.0);
    }
    let markets = parse(&body(&reply.to_string())).expect("valid");
    let won: Vec<&Market> = markets.iter().filter(|m| m.quote_symbol == "KRW").collect();
    let mut names: Vec<&str> = won.iter().map(|m| m.token_symbol.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["HANMI", "HYUNDAI", "KRCOMP", "SAMSUNG", "SKHYNIX", "USDKRW"]
    );
    for m in won {
        let t = &m.token_symbol;
        assert_eq!(m.market_name, format!("{t}/KRW"));
        assert_eq!(m.metadata["price_currency"], "KRW", "{t}");
        // The price is kept as given, in won; nothing in USD is derived from it.
        assert_eq!(m.current_price, Some(55_000.0), "{t}");
        assert_eq!(m.figures.open_interest_usd, None, "{t}");
        assert_eq!(m.figures.day_volume_usd, None, "{t}");
        assert_eq!(max_order_usd_of(&m.metadata), None, "{t}");
        if m.listed {
            assert_eq!(m.figures.liquidity_usd, None, "{t}");
        }
        assert_eq!(
            opening_refusal_of(&m.metadata),
            Some(OpeningRefusal::QuoteNotUsd),
            "{t}"
        );
    }
    // Its USD-listed twin is USD-priced and takes openings.
    let usd = find(&markets, "SAMSUNGUSD");
    assert_eq!(usd.figures.open_interest_usd, Some(100.0 * 55_000.0));
    assert_eq!(opening_refusal_of(&usd.metadata), None);
}

#[test]
fn the_token_table_is_lighter_s_and_lists_every_book() {
    let markets = parse(&recorded()).expect("valid");
    assert!(markets.iter().all(|m| m.group.is_some()));
    assert_eq!(
        asset_class("1000PEPE").as_ref().map(AssetClass::group),
        Some("crypto")
    );
    // Lighter's table classes USDHKD as crypto; a fiat pair is forex.
    let usdhkd = find(&markets, "USDHKD");
    assert_eq!(
        (
            usdhkd.base_symbol.as_str(),
            usdhkd.quote_symbol.as_str(),
            usdhkd.group.as_deref()
        ),
        ("USDHKD", "HKD", Some("forex"))
    );
}

fn row(symbol: &str, id: i64) -> serde_json::Value {
    json!({"symbol": symbol, "market_id": id, "market_type": "perp", "status": "active",
        "taker_fee": "0.0200", "maker_fee": "0.0020", "min_base_amount": "0.01",
        "supported_size_decimals": 2, "supported_price_decimals": 4,
        "min_initial_margin_fraction": 500, "last_trade_price": 2.0, "mark_price": "2.5",
        "daily_quote_token_volume": 1000.0, "open_interest": "100"})
}

fn reply(rows: &[serde_json::Value]) -> String {
    json!({"code": 200, "order_book_details": rows}).to_string()
}

#[test]
fn fees_are_percent_and_spot_books_are_skipped() {
    let mut spot = row("ETH/USDC", 2048);
    spot["market_type"] = json!("spot");
    let markets = parse(&body(&reply(&[row("AAA", 1), spot]))).expect("valid");
    assert_eq!(markets.len(), 1);
    let a = &markets[0];
    assert_eq!(a.figures.taker_fee_bps, Some(2.0));
    assert_eq!(a.maker_fee_bps, Some(0.2));
    // A close is another taker order: the same per-market fee.
    assert_eq!(a.cost.close_fee_bps, Some(2.0));
    assert_eq!(a.max_leverage, Some(20));
    assert_eq!(a.current_price, Some(2.5));
    assert_eq!(a.figures.open_interest_usd, Some(250.0));
    assert_eq!(a.figures.liquidity_usd, Some(250.0));
    // Not in Lighter's token table: asset class unknown, not assumed crypto.
    assert_eq!(a.group, None);
    assert_eq!(opening_refusal_of(&a.metadata), None);
    assert_eq!(max_order_usd_of(&a.metadata), None);
}

#[test]
fn hidden_books_refuse_openings() {
    let mut r = row("AAA", 1);
    r["market_config"] = json!({"force_reduce_only": false, "hidden": true});
    let markets = parse(&body(&reply(&[r]))).expect("valid");
    assert_eq!(
        opening_refusal_of(&markets[0].metadata),
        Some(OpeningRefusal::Hidden)
    );
}

#[test]
fn malformed_absurd_and_duplicate_responses_are_rejected() {
    let edit = |field: &str, value: serde_json::Value| {
        let mut r = row("AAA", 1);
        r[field] = value;
        reply(&[r])
    };
    let cases = [
        (edit("mark_price", json!("NaN")), "not finite"),
        (edit("open_interest", json!("-1")), "negative"),
        (edit("taker_fee", json!("abc")), "not a number"),
        (edit("taker_fee", json!("50")), "more than 10 %"),
        (edit("order_quote_limit", json!("-5")), "negative"),
        (edit("order_quote_limit", json!("1e16")), "absurdly large"),
        (
            edit("market_config", json!({"hidden": "yes"})),
            "invalid response",
        ),
        (
            edit("min_initial_margin_fraction", json!(0)),
            "not in 10..=10000",
        ),
        (
            edit("min_initial_margin_fraction", json!(5)),
            "not in 10..=10000",
        ),
        (edit("supported_size_decimals", json!(40)), "not in 0..=18"),
        (edit("market_id", json!(-1)), "not an id"),
        (edit("symbol", json!("xyz:AAA")), "dex prefix"),
        (edit("symbol", json!("")), "empty market symbol"),
        (edit("mark_price", json!("1e30")), "absurdly large"),
        (edit("status", json!(1)), "invalid response"),
        (reply(&[]), "the order book list is empty"),
        (
            r#"{"code":429,"message":"too many requests"}"#.to_owned(),
            "code 429: too many requests",
        ),
        (r#"{"code":200}"#.to_owned(), "no `order_book_details`"),
        ("not json".to_owned(), "invalid response"),
    ];
    for (text, want) in cases {
        let e = rejected(&text);
        assert!(e.contains(want), "want {want:?} in {e}");
        assert!(e.starts_with("LIGHTER `orderBookDetails`: "), "{e}");
    }
    assert!(rejected(&reply(&[row("AAA", 1), row("BBB", 1)])).contains("duplicate market_id 1"));
    assert!(rejected(&reply(&[row("AAA", 1), row("AAA", 2)])).contains("duplicate market `AAA`"));
    let many: Vec<serde_json::Value> = (0..100_000).map(|i| row(&format!("A{i}"), i)).collect();
    assert!(rejected(&reply(&many)).contains("100000 order books"));
}
