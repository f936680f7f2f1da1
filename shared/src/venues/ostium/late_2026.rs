//! The late-2026 recorded responses (`fixtures/ostium/2026-11`, written from
//! the documented shapes): overnight caps and day-trading windows, a pair at
//! its open-interest cap on one side, and the dynamic-spread fields.

use chrono::{DateTime, Utc};

use super::*;
use crate::domain::Side;
use crate::domain::cost::{CostModel, FeeRule, ImpactModel};
use crate::venues::http::read_body;
use crate::venues::test_support::find;

fn file(name: &str) -> Body {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/ostium/2026-11")
        .join(name);
    read_body(&path).expect("fixture readable")
}

fn responses() -> OstiumResponses {
    OstiumResponses {
        pairs: file(PAIRS_FILE),
        prices: file(PRICES_FILE),
        impact: Some(file(IMPACT_FILE)),
    }
}

fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_017_600, 0).expect("time")
}

#[test]
fn fees_open_only_with_the_maker_rule_and_no_closing_fee() {
    let markets = parse(&responses(), at()).expect("valid");
    let btc = find(&markets, "BTC");
    assert_eq!(btc.cost.close_fee_bps, Some(0.0));
    let Some(CostModel { fees, impact }) = &btc.cost.model else {
        panic!("no model");
    };
    assert_eq!(
        fees,
        &FeeRule::Imbalance {
            maker_bps: 3.0,
            taker_bps: 10.0,
            maker_max_leverage: Some(20.0),
            close_bps: 0.0,
        }
    );
    let ImpactModel::OracleQuote {
        bid,
        ask,
        mid,
        dynamic: Some(d),
    } = impact
    else {
        panic!("{impact:?}");
    };
    assert_eq!((*bid, *mid, *ask), (101_257.4, 101_262.5, 101_267.6));
    // priceImpactK 1e12 ÷ 1e27; volumes and threshold ÷ 1e18; decayRate 1e15 ÷ 1e18.
    assert!((d.price_impact_k - 1e-15).abs() < 1e-27);
    let near = |a: f64, b: f64| (a - b).abs() <= b.abs() * 1e-12;
    assert!(near(d.net_vol_threshold_usd, 50_000.0), "{d:?}");
    assert!(near(d.decay_rate_per_s, 0.001), "{d:?}");
    assert!(near(d.buy_volume_usd, 420_000.0), "{d:?}");
    assert!(near(d.sell_volume_usd, 380_000.0), "{d:?}");
    assert_eq!(d.updated_at, 1_795_017_540);
    // priceImpactK 0: no dynamic spread, fills at the bid/ask.
    let eur = find(&markets, "EUR");
    assert!(matches!(
        eur.cost.model.as_ref().map(|m| &m.impact),
        Some(ImpactModel::OracleQuote { dynamic: None, .. })
    ));
    // Forex has no maker rate (makerMaxLeverage 0).
    assert!(matches!(
        eur.cost.model.as_ref().map(|m| &m.fees),
        Some(FeeRule::Imbalance {
            maker_max_leverage: None,
            ..
        })
    ));
}

#[test]
fn capacity_is_per_side_and_zero_at_the_cap() {
    let markets = parse(&responses(), at()).expect("valid");
    let nvda = find(&markets, "NVDA");
    // Longs hold $40.1M of a $40M cap: no room for a long.
    assert_eq!(nvda.cost.capacity_usd(Side::Long), Some(0.0));
    let short = nvda.cost.capacity_usd(Side::Short).expect("short");
    assert!((short - 29_000_000.0).abs() < 1.0, "{short}");
    let btc = find(&markets, "BTC");
    let long = btc.cost.long_capacity_usd.expect("long");
    assert!((long - 11_600_000.0).abs() < 1.0, "{long}");
}

#[test]
fn overnight_caps_and_day_trading_windows_are_stored() {
    let markets = parse(&responses(), at()).expect("valid");
    let tsla = find(&markets, "TSLA");
    assert_eq!(tsla.cost.overnight_max_leverage, Some(10.0));
    assert_eq!(tsla.cost.day_trading_closed, Some(true));
    assert_eq!(
        tsla.cost.day_trading_toggle_at,
        Some(at() + chrono::TimeDelta::seconds(63_060))
    );
    assert_eq!(tsla.max_leverage, Some(100));
    let nvda = find(&markets, "NVDA");
    assert_eq!(nvda.cost.overnight_max_leverage, Some(5.0));
    assert_eq!(nvda.cost.day_trading_closed, Some(false));
    // Crypto: no overnight cap, never toggles (-1).
    let btc = find(&markets, "BTC");
    assert_eq!(btc.cost.overnight_max_leverage, None);
    assert_eq!(btc.cost.day_trading_toggle_at, None);
    // The January capture still parses, with its overnight caps.
    let jan = parse(&recorded(), at()).expect("valid");
    assert_eq!(find(&jan, "NVDA").cost.overnight_max_leverage, Some(10.0));
    assert_eq!(find(&jan, "BTC").cost.close_fee_bps, Some(0.0));
}

#[test]
fn an_impact_reply_the_subgraph_refused_leaves_the_impact_unknown() {
    let mut r = responses();
    r.impact = Some(Body::new(
        "impact",
        br#"{"errors":[{"message":"Type `Pair` has no field `priceImpactK`"}]}"#.to_vec(),
    ));
    let markets = parse(&r, at()).expect("valid");
    assert!(matches!(
        find(&markets, "BTC").cost.model.as_ref().map(|m| &m.impact),
        Some(ImpactModel::OracleQuote { dynamic: None, .. })
    ));
    // Present but absurd values are rejected like any other field.
    r.impact = Some(Body::new(
        "impact",
        br#"{"data":{"pairs":[{"id":"0","priceImpactK":"NaN"}]}}"#.to_vec(),
    ));
    assert!(parse(&r, at()).is_err());
}
