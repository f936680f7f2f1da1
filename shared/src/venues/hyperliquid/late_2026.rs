//! The late-2026 recorded responses (`fixtures/hyperliquid/2026-11`, written
//! from the documented shapes): ten builder dexes, per-asset fee scales,
//! HIP-4 outcome coins, open-interest caps and two order books.

use std::path::Path;

use chrono::DateTime;

use super::files::read_files;
use super::*;
use crate::domain::cost::{CostModel, FeeRule, ImpactModel};
use crate::domain::{Market, Side};
use crate::venues::test_support::find;

fn dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/hyperliquid/2026-11")
}

fn responses() -> HyperliquidResponses {
    read_files(&dir(), &DexSelection::All, true).expect("fixtures readable")
}

fn taker(m: &Market) -> (Option<f64>, Option<f64>) {
    (m.figures.taker_fee_bps, m.cost.close_fee_bps)
}

#[test]
fn every_dex_parses_and_outcome_coins_never_become_markets() {
    let r = responses();
    let dexes = parse_perp_dexs(r.perp_dexs.as_ref().expect("perpDexs")).expect("valid");
    assert_eq!(dexes.len(), 10);
    assert!(dexes.iter().all(|d| d.deployer_fee_scale.is_none()));
    assert_eq!(r.dexes.len(), 10);
    let markets = parse(&r).expect("valid");
    // `#20`, `#21` (main) and `#30` (io) are HIP-4 outcome tokens: skipped.
    assert!(markets.iter().all(|m| !m.token_symbol.starts_with('#')));
    let main: Vec<&str> = markets
        .iter()
        .filter(|m| m.dex.is_none())
        .map(|m| m.token_symbol.as_str())
        .collect();
    assert_eq!(main, ["BTC", "ETH", "SOL", "MATIC", "HYPE", "kPEPE"]);
    // Asset ids stay positional: io is dex 10, its first asset 100000 + 10·10000.
    assert_eq!(find(&markets, "io:ANTHROPIC").market_index, Some(200_000));
    assert_eq!(find(&markets, "kPEPE").market_index, Some(5));
    // The same token on two dexes: BTC on the main dex and on hyna (dex 4).
    let hyna = find(&markets, "hyna:BTC");
    assert_eq!(
        (
            hyna.base_symbol.as_str(),
            hyna.dex.as_deref(),
            hyna.market_index
        ),
        ("BTC", Some("hyna"), Some(140_000))
    );
    assert_eq!(find(&markets, "BTC").market_index, Some(0));
    assert_eq!(find(&markets, "xyz:TSLA").base_symbol, "TSLA");
    assert_eq!(find(&markets, "flx:TSLA").base_symbol, "TSLA");
    // Dexes whose every market is delisted.
    for dex in ["vntl", "abcd", "para", "mkts"] {
        let of_dex: Vec<&Market> = markets
            .iter()
            .filter(|m| m.dex.as_deref() == Some(dex))
            .collect();
        assert!(!of_dex.is_empty(), "{dex}");
        assert!(of_dex.iter().all(|m| !m.listed), "{dex}");
    }
}

#[test]
fn fees_follow_the_per_asset_fee_scale_and_growth_mode() {
    let markets = parse(&responses()).expect("valid");
    // Main dex: the base tier both ways, 4.5 bps.
    assert_eq!(taker(find(&markets, "BTC")), (Some(4.5), Some(4.5)));
    // hyna:BTC, per-asset scale 0.25 < 1 → × (0.25 + 1) = 1.25, growth mode
    // × 0.1 → 0.125; 4.5 × 0.125 = 0.5625 bps each way.
    let hyna = find(&markets, "hyna:BTC");
    assert_eq!(taker(hyna), (Some(0.5625), Some(0.5625)));
    let Some(CostModel {
        fees: FeeRule::Taker { components, .. },
        impact: ImpactModel::OrderBook,
    }) = &hyna.cost.model
    else {
        panic!("{:?}", hyna.cost.model);
    };
    assert_eq!(components.deployer_fee_scale, Some(0.25));
    assert_eq!(components.fee_scale_source.as_deref(), Some("asset"));
    assert!(components.growth_mode);
    assert_eq!(components.multiplier, 0.125);
    // xyz:GOLD, scale 0.5, no growth mode: × 1.5 → 6.75 bps.
    assert_eq!(taker(find(&markets, "xyz:GOLD")), (Some(6.75), Some(6.75)));
    // flx:TSLA, scale 2.0 ≥ 1 → × 2·2 = 4 → 18 bps.
    assert_eq!(taker(find(&markets, "flx:TSLA")), (Some(18.0), Some(18.0)));
    // xyz:TSLA, scale 1.0 → × 2, growth → × 0.2 → 0.9 bps.
    assert_eq!(taker(find(&markets, "xyz:TSLA")), (Some(0.9), Some(0.9)));
    // cash:HOOD publishes no scale (neither asset nor dex): 1.0 by default.
    let hood = find(&markets, "cash:HOOD");
    assert_eq!(taker(hood), (Some(0.9), Some(0.9)));
    assert_eq!(hood.metadata["deployer_fee_scale_source"], "default");
}

#[test]
fn capped_markets_have_no_capacity_on_either_side() {
    let markets = parse(&responses()).expect("valid");
    let sol = find(&markets, "SOL");
    assert_eq!(sol.cost.at_open_interest_cap, Some(true));
    assert_eq!(sol.cost.capacity_usd(Side::Long), Some(0.0));
    assert_eq!(sol.cost.capacity_usd(Side::Short), Some(0.0));
    let nvda = find(&markets, "xyz:NVDA");
    assert_eq!(nvda.cost.at_open_interest_cap, Some(true));
    assert_eq!(nvda.cost.short_capacity_usd, Some(0.0));
    let btc = find(&markets, "BTC");
    assert_eq!(btc.cost.at_open_interest_cap, Some(false));
    assert_eq!(btc.cost.long_capacity_usd, None);
    // Another dex's list does not cap km:NVDA.
    assert_eq!(
        find(&markets, "km:NVDA").cost.at_open_interest_cap,
        Some(false)
    );
    // Without --oi-caps nothing is known.
    let mut r = responses();
    r.caps.clear();
    let markets = parse(&r).expect("valid");
    assert_eq!(find(&markets, "SOL").cost.at_open_interest_cap, None);
    assert_eq!(find(&markets, "SOL").cost.long_capacity_usd, None);
}

#[test]
fn order_books_become_depth_curves() {
    let markets = parse(&responses()).expect("valid");
    let depth = find(&markets, "BTC").cost.depth.clone().expect("BTC book");
    assert_eq!((depth.best_bid, depth.best_ask), (101_250.0, 101_251.0));
    assert_eq!((depth.bids.len(), depth.asks.len()), (4, 4));
    // First ask level: 1.1 × 101251 = 111376.1 at the touch.
    assert_eq!(depth.asks[0], [111_376.1, 0.0]);
    assert_eq!(
        depth.observed_at,
        DateTime::from_timestamp_millis(1_795_017_600_000).expect("time")
    );
    assert!(find(&markets, "hyna:BTC").cost.depth.is_some());
    assert!(find(&markets, "ETH").cost.depth.is_none());
    // The January capture has neither caps nor books.
    let jan = parse(&recorded(true)).expect("valid");
    assert!(
        jan.iter()
            .all(|m| m.cost.depth.is_none() && m.cost.at_open_interest_cap.is_none())
    );
}

/// Issue 21, finding 8: an `l2Book` answered with `null` leaves that
/// book out; the other books and every market still sync. A malformed
/// book is still rejected.
#[test]
fn a_null_book_is_left_out() {
    let body = |t: &str| Body::new("test", t.as_bytes().to_vec());
    let mut r = responses();
    let at = r
        .books
        .iter()
        .position(|(coin, _)| coin == "hyna:BTC")
        .expect("hyna:BTC book");
    r.books[at].1 = body("null");
    let markets = parse(&r).expect("valid");
    assert!(find(&markets, "hyna:BTC").cost.depth.is_none());
    assert!(find(&markets, "BTC").cost.depth.is_some());
    r.books[at].1 = body("[]");
    assert!(parse(&r).is_err());
}

/// Issue 21, finding 7: `funding_rate` holds what longs pay per hour,
/// Hyperliquid's own sign (`funding` > 0: longs pay shorts), unchanged.
#[test]
fn funding_is_stored_as_what_longs_pay() {
    let markets = parse(&recorded(false)).expect("valid");
    let text = RECORDED_META_AND_ASSET_CTXS;
    let tuple: serde_json::Value = serde_json::from_str(text).expect("json");
    let btc_funding: f64 = tuple[1][0]["funding"]
        .as_str()
        .expect("string")
        .parse()
        .expect("number");
    assert_eq!(find(&markets, "BTC").funding_rate, Some(btc_funding));
    assert!(btc_funding != 0.0);
}

#[test]
fn malformed_caps_and_books_are_rejected() {
    let body = |t: &str| Body::new("test", t.as_bytes().to_vec());
    let mut r = responses();
    r.caps[0].1 = body(r#"{"coins":["SOL"]}"#);
    assert!(parse(&r).is_err());
    let mut r = responses();
    r.books.push((
        "NOPE".to_owned(),
        body(r#"{"coin":"NOPE","time":1,"levels":[[{"px":"1","sz":"1","n":1}],[{"px":"2","sz":"1","n":1}]]}"#),
    ));
    assert!(
        parse(&r)
            .expect_err("unknown coin")
            .to_string()
            .contains("no synced dex lists")
    );
    let crossed = r#"{"coin":"ETH","time":1,"levels":[[{"px":"3","sz":"1","n":1}],[{"px":"2","sz":"1","n":1}]]}"#;
    assert!(parse_book("ETH", &body(crossed)).is_err());
    let other = r#"{"coin":"BTC","time":1,"levels":[[],[]]}"#;
    assert!(parse_book("ETH", &body(other)).is_err());
    let nan = r#"{"coin":"ETH","time":1,"levels":[[{"px":"NaN","sz":"1","n":1}],[]]}"#;
    assert!(parse_book("ETH", &body(nan)).is_err());
    // One empty side: no curve, not an error.
    let one_sided = r#"{"coin":"ETH","time":1,"levels":[[{"px":"3","sz":"1","n":1}],[]]}"#;
    assert_eq!(parse_book("ETH", &body(one_sided)).expect("valid"), None);
    assert_eq!(book_file("xyz:TSLA"), "l2Book.xyz%3ATSLA.json");
    assert_eq!(
        book_coin("l2Book.xyz%3ATSLA.json").as_deref(),
        Some("xyz:TSLA")
    );
    assert_eq!(book_coin(&book_file("../etc")).as_deref(), Some("../etc"));
    assert!(!book_file("../etc").contains('/'));
}

#[test]
fn books_fit_the_request_weight_budget() {
    // Main dex only: 1200 − 20 = 1180 weight → 590 books.
    assert_eq!(book_budget(1, 10_000), 590);
    assert_eq!(book_budget(1, 50), 50);
    // perpDexs + main + 10 dexes + 11 cap lists = 23 requests: 740 left → 370 books.
    assert_eq!(book_budget(23, 1000), 370);
    assert_eq!(book_budget(61, 1000), 0);
    let markets = parse(&responses()).expect("valid");
    let demand = vec!["BTC".to_owned(), "TSLA".to_owned(), "NOPE".to_owned()];
    // Main dex first, then builder dexes by name; delisted markets never.
    assert_eq!(
        book_coins(&markets, &demand, 10),
        ["BTC", "hyna:BTC", "flx:TSLA", "xyz:TSLA"]
    );
    assert_eq!(book_coins(&markets, &demand, 1), ["BTC"]);
}
