use serde_json::json;

use super::*;
use crate::domain::Market;
use crate::venues::test_support::{find, rejection};

fn body(text: &str) -> Body {
    Body::new("test", text.as_bytes().to_vec())
}

fn main_only(text: &str) -> HyperliquidResponses {
    HyperliquidResponses {
        perp_dexs: None,
        main: body(text),
        dexes: Vec::new(),
        caps: Vec::new(),
        books: Vec::new(),
    }
}

fn rejected(text: &str) -> String {
    rejection(parse(&main_only(text)))
}

#[test]
fn hyperliquid_markets_map_to_canonical() {
    let m = market_symbol("kPEPE");
    assert_eq!(
        (m.base_symbol.as_str(), m.price_scale, m.dex),
        ("PEPE", 1000.0, None)
    );
    let m = market_symbol("BTC");
    assert_eq!((m.base_symbol.as_str(), m.price_scale), ("BTC", 1.0));
    let m = market_symbol("KAITO");
    assert_eq!((m.base_symbol.as_str(), m.price_scale), ("KAITO", 1.0));
    let m = market_symbol("xyz:GOLD");
    assert_eq!(
        (m.base_symbol.as_str(), m.dex.as_deref()),
        ("XAU", Some("xyz"))
    );
    let m = market_symbol("xyz:TSLA");
    assert_eq!(
        (m.base_symbol.as_str(), m.dex.as_deref()),
        ("TSLA", Some("xyz"))
    );
    // SPX on the main dex is the SPX6900 memecoin, not Ostium's S&P 500.
    assert_eq!(market_symbol("SPX").base_symbol, "SPX6900");
    assert_eq!(
        symbols::canonical_symbol("SPX6900").as_deref(),
        Ok("SPX6900")
    );
    assert_ne!(
        symbols::canonical_symbol("US500").expect("valid"),
        market_symbol("SPX").base_symbol
    );
}

#[test]
fn recorded_main_dex_maps_all_225_assets() {
    let markets = parse(&recorded(false)).expect("valid");
    assert_eq!(markets.len(), 225);
    let inactive: Vec<&str> = markets
        .iter()
        .filter(|m| !m.listed)
        .map(|m| m.token_symbol.as_str())
        .collect();
    assert_eq!(inactive.len(), 38);
    for t in ["MATIC", "RNDR", "FTM", "MKR", "HPOS"] {
        assert!(inactive.contains(&t), "{t} should be delisted");
    }
    let btc = find(&markets, "BTC");
    assert_eq!(btc.market_index, Some(0));
    assert_eq!(btc.max_leverage, Some(40));
    assert_eq!(btc.market_name, "BTC/USD");
    assert_eq!(btc.min_position, Some(1e-5));
    assert_eq!(btc.figures.taker_fee_bps, Some(4.5));
    assert_eq!(btc.maker_fee_bps, Some(1.5));
    assert_eq!(btc.group.as_deref(), Some("crypto"));
    assert!(btc.figures.spread_bps.is_some_and(|s| s >= 0.0));
    let oi = btc.figures.open_interest_usd.expect("oi");
    let vol = btc.figures.day_volume_usd.expect("vol");
    assert_eq!(btc.figures.liquidity_usd, Some(oi.min(vol)));
    assert_eq!(btc.metadata["szDecimals"], 5);
    assert_eq!(btc.metadata["marginTableId"], 56);

    let pepe = find(&markets, "kPEPE");
    assert_eq!(pepe.base_symbol, "PEPE");
    assert_eq!(pepe.price_scale, 1000.0);
    assert_eq!(pepe.market_index, Some(15));
    assert_eq!(pepe.current_price, Some(0.005_882));
    let oi = pepe.figures.open_interest_usd.expect("oi");
    assert!((oi - 4_382_708_394.0 * 0.005_882).abs() < 1e-3);

    assert_eq!(find(&markets, "HYPE").market_index, Some(159));
    let matic = find(&markets, "MATIC");
    assert!(!matic.listed);
    assert_eq!(matic.figures.liquidity_usd, Some(0.0));
    assert_eq!(matic.figures.spread_bps, None);
    let hpos = find(&markets, "HPOS");
    assert_eq!(hpos.metadata["onlyIsolated"], true);
    assert_eq!(hpos.metadata["marginMode"], "strictIsolated");
    assert!(markets.iter().all(|m| m.dex.is_none()));
}

#[test]
fn recorded_xyz_dex_has_hip3_ids_and_scaled_fees() {
    let markets = parse(&recorded(true)).expect("valid");
    assert_eq!(markets.len(), 225 + 31);
    let xyz: Vec<&Market> = markets
        .iter()
        .filter(|m| m.dex.as_deref() == Some("xyz"))
        .collect();
    assert_eq!(xyz.len(), 31);
    let idx = find(&markets, "xyz:XYZ100");
    assert_eq!(idx.market_index, Some(110_000));
    assert_eq!(idx.market_name, "xyz:XYZ100/USD");
    assert_eq!(idx.group.as_deref(), Some("hip3:xyz"));
    let tsla = find(&markets, "xyz:TSLA");
    assert_eq!(tsla.market_index, Some(110_001));
    assert_eq!(tsla.base_symbol, "TSLA");
    // Scale 1.0 doubles the fee, growth mode takes 90 % off: 4.5 × 2 × 0.1.
    assert_eq!(tsla.figures.taker_fee_bps, Some(0.9));
    assert_eq!(tsla.maker_fee_bps, Some(0.3));
    assert_eq!(tsla.metadata["deployer_fee_scale_source"], "dex");
    // No growth mode on GOLD and MSTR: the full doubled fee.
    let gold = find(&markets, "xyz:GOLD");
    assert_eq!(gold.base_symbol, "XAU");
    assert_eq!(gold.figures.taker_fee_bps, Some(9.0));
    assert_eq!(find(&markets, "xyz:MSTR").figures.taker_fee_bps, Some(9.0));
    let delisted: Vec<&str> = xyz
        .iter()
        .filter(|m| !m.listed)
        .map(|m| m.token_symbol.as_str())
        .collect();
    assert_eq!(delisted, ["xyz:COST", "xyz:LLY", "xyz:SKHX", "xyz:TSM"]);
    assert_eq!(
        DexSelection::parse("xyz").expect("ok").scope(),
        Some(vec![String::new(), "xyz".to_owned()])
    );
}

#[test]
fn fee_multiplier_follows_the_documented_formula() {
    assert_eq!(hip3_fee_multiplier(1.0, false), 2.0);
    assert_eq!(hip3_fee_multiplier(0.5, false), 1.5);
    assert_eq!(hip3_fee_multiplier(0.0, false), 1.0);
    assert_eq!(hip3_fee_multiplier(3.0, false), 6.0);
    assert!((hip3_fee_multiplier(1.0, true) - 0.2).abs() < 1e-12);
}

#[test]
fn per_asset_fee_scale_wins_over_the_dex_scale() {
    let dexes = r#"[null,{"name":"abc","deployerFeeScale":"1.0"}]"#;
    let dex = r#"[{"universe":[{"name":"abc:X","szDecimals":1,"maxLeverage":5,"deployerFeeScale":"0.5"}]},
        [{"funding":"0.0","openInterest":"1","dayNtlVlm":"2","markPx":"3"}]]"#;
    let responses = HyperliquidResponses {
        perp_dexs: Some(body(dexes)),
        main: body(&minimal("BTC")),
        dexes: vec![("abc".to_owned(), body(dex))],
        caps: Vec::new(),
        books: Vec::new(),
    };
    let markets = parse(&responses).expect("valid");
    let x = find(&markets, "abc:X");
    assert_eq!(x.figures.taker_fee_bps, Some(6.75));
    assert_eq!(x.market_index, Some(110_000));
    assert_eq!(x.metadata["deployer_fee_scale_source"], "asset");
}

fn minimal(name: &str) -> String {
    format!(
        r#"[{{"universe":[{{"name":"{name}","szDecimals":2,"maxLeverage":10}}]}},
        [{{"funding":"0.00001","openInterest":"10","prevDayPx":"1","dayNtlVlm":"100","premium":null,"oraclePx":"2","markPx":"2","midPx":null,"impactPxs":null}}]]"#
    )
}

#[test]
fn nullable_and_missing_ctx_fields_are_accepted() {
    let markets = parse(&main_only(&minimal("FOO"))).expect("valid");
    let m = &markets[0];
    assert_eq!(m.figures.spread_bps, None);
    assert_eq!(m.figures.open_interest_usd, Some(20.0));
    assert_eq!(m.figures.liquidity_usd, Some(20.0));
    assert_eq!(m.metadata["mid_px"], serde_json::Value::Null);
    // Unknown keys anywhere are ignored.
    let extra = minimal("FOO").replace(
        r#""maxLeverage":10"#,
        r#""maxLeverage":10,"newField":{"a":1}"#,
    );
    assert!(parse(&main_only(&extra)).is_ok());
}

#[test]
fn absurd_values_are_rejected() {
    let base = minimal("FOO");
    let cases = [
        (
            base.replace(r#""markPx":"2""#, r#""markPx":"NaN""#),
            "not finite",
        ),
        (
            base.replace(r#""markPx":"2""#, r#""markPx":"inf""#),
            "not finite",
        ),
        (
            base.replace(r#""markPx":"2""#, r#""markPx":"-2""#),
            "negative",
        ),
        (
            base.replace(r#""markPx":"2""#, r#""markPx":"abc""#),
            "not a number",
        ),
        (
            base.replace(r#""markPx":"2""#, r#""markPx":"1e30""#),
            "absurdly large",
        ),
        (
            base.replace(r#""openInterest":"10""#, r#""openInterest":"-10""#),
            "negative",
        ),
        (
            base.replace(r#""funding":"0.00001""#, r#""funding":"NaN""#),
            "not finite",
        ),
        (
            base.replace(r#""maxLeverage":10"#, r#""maxLeverage":-5"#),
            "maxLeverage",
        ),
        (
            base.replace(r#""maxLeverage":10"#, r#""maxLeverage":0"#),
            "maxLeverage",
        ),
        (
            base.replace(r#""szDecimals":2"#, r#""szDecimals":-1"#),
            "szDecimals",
        ),
        (
            base.replace(r#""impactPxs":null"#, r#""impactPxs":["1"]"#),
            "expected 2",
        ),
        (
            base.replace(r#""name":"FOO""#, r#""name":"""#),
            "empty market name",
        ),
        (
            base.replace(r#""name":"FOO""#, r#""name":"F O""#),
            "contains",
        ),
        (
            base.replace(r#""name":"FOO""#, r#""name":"xyz:FOO""#),
            "dex prefix",
        ),
        (
            base.replace(r#""markPx":"2""#, r#""markPx":2"#),
            "invalid response",
        ),
    ];
    for (text, want) in cases {
        let e = rejected(&text);
        assert!(e.contains(want), "want {want:?} in {e}");
        assert!(e.starts_with("HYPERLIQUID `test`: "), "{e}");
    }
}

#[test]
fn shape_faults_are_rejected() {
    assert!(rejected(r#"[{"universe":[]},[]]"#).contains("empty"));
    assert!(rejected("").contains("invalid response"));
    assert!(rejected("not json").contains("invalid response"));
    let full = RECORDED_META_AND_ASSET_CTXS;
    assert!(rejected(&full[..full.len() / 2]).contains("invalid response"));
    assert!(rejected(r#"{"universe":[]}"#).contains("invalid response"));
    let dup = r#"[{"universe":[{"name":"A","szDecimals":1,"maxLeverage":3},{"name":"A","szDecimals":1,"maxLeverage":3}]},
        [{"funding":"0","openInterest":"0","dayNtlVlm":"0","markPx":"1"},{"funding":"0","openInterest":"0","dayNtlVlm":"0","markPx":"1"}]]"#;
    assert!(rejected(dup).contains("duplicate market `A`"));
    let short = r#"[{"universe":[{"name":"A","szDecimals":1,"maxLeverage":3},{"name":"B","szDecimals":1,"maxLeverage":3}]},
        [{"funding":"0","openInterest":"0","dayNtlVlm":"0","markPx":"1"}]]"#;
    assert!(rejected(short).contains("2 universe entries but 1 asset contexts"));
}

#[test]
fn a_hundred_thousand_markets_are_rejected() {
    let n = 100_000;
    let mut universe = Vec::with_capacity(n);
    let mut ctxs = Vec::with_capacity(n);
    for i in 0..n {
        universe.push(json!({"name": format!("C{i}"), "szDecimals": 1, "maxLeverage": 3}));
        ctxs.push(json!({"funding":"0","openInterest":"1","dayNtlVlm":"1","markPx":"1"}));
    }
    let text = serde_json::to_string(&json!([{"universe": universe}, ctxs])).expect("json");
    let e = rejected(&text);
    assert!(e.contains("100000 markets"), "{e}");
}

#[test]
fn dex_selection_and_perp_dexs() {
    assert_eq!(DexSelection::parse(""), Ok(DexSelection::MainOnly));
    assert_eq!(DexSelection::parse("all"), Ok(DexSelection::All));
    assert_eq!(
        DexSelection::parse("xyz, flx,xyz"),
        Ok(DexSelection::Only(vec!["xyz".into(), "flx".into()]))
    );
    assert!(DexSelection::parse("../etc").is_err());
    assert_eq!(DexSelection::All.scope(), None);
    let dexes = parse_perp_dexs(&body(RECORDED_PERP_DEXS)).expect("valid");
    assert_eq!(dexes.len(), 10);
    assert_eq!(dexes[0].name, "xyz");
    assert_eq!(dexes[0].index, 1);
    assert_eq!(dexes[0].deployer_fee_scale, Some(1.0));
    assert!(parse_perp_dexs(&body(r#"[null,{"name":"a"},{"name":"a"}]"#)).is_err());
    assert!(parse_perp_dexs(&body(r#"[null,{"name":"a/b"}]"#)).is_err());
    assert!(parse_perp_dexs(&body(r#"[null,{"name":"a","deployerFeeScale":"-1"}]"#)).is_err());
    // Missing dex-level fee scale (newer responses) is defaulted, not an error.
    assert_eq!(
        parse_perp_dexs(&body(r#"[null,{"name":"a"}]"#)).expect("ok")[0].deployer_fee_scale,
        None
    );
    assert_eq!(
        info_url("https://api.hyperliquid.xyz/"),
        "https://api.hyperliquid.xyz/info"
    );
    assert_eq!(info_url("http://h:1/info"), "http://h:1/info");
}
