//! Capacity, overnight leverage, fee figures and `LOWEST_COST`, on
//! hand-built markets whose every figure is worked out in the comments.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::*;
use crate::config::{ConfigSet, StoredConfig};
use crate::domain::Venue::{Hyperliquid as HL, Ostium as OS};
use crate::domain::cost::{
    CostModel, DepthCurve, DynamicSpread, FeeComponents, FeeRule, ImpactModel, MarketCost,
};
use crate::domain::{MarketFigures, Strategy, Usd, Venue};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 18, 20, 50, 0)
        .single()
        .expect("valid time")
}

/// A Hyperliquid main-dex market: base-tier taker 4.5 bps both ways, an
/// impact spread of 2 bps.
fn hl(name: &str, index: i32) -> MarketRow {
    let sym = crate::venues::hyperliquid::market_symbol(name);
    MarketRow {
        venue: Some(HL),
        token_symbol: name.to_owned(),
        market_name: format!("{name}/USD"),
        market_index: Some(index),
        base_symbol: sym.base_symbol,
        price_scale: sym.price_scale,
        dex: sym.dex,
        is_active: true,
        max_leverage: Some(40),
        figures: MarketFigures {
            spread_bps: Some(2.0),
            taker_fee_bps: Some(4.5),
            ..MarketFigures::default()
        },
        cost: MarketCost {
            close_fee_bps: Some(4.5),
            model: Some(CostModel {
                fees: FeeRule::Taker {
                    taker_bps: 4.5,
                    close_bps: 4.5,
                    components: FeeComponents {
                        base_taker_bps: 4.5,
                        multiplier: 1.0,
                        ..FeeComponents::default()
                    },
                },
                impact: ImpactModel::OrderBook,
            }),
            ..MarketCost::default()
        },
        ..MarketRow::default()
    }
}

/// An Ostium crypto pair: taker 10 / maker 3 bps (maker up to 20×), no
/// closing fee, quoted at 99 990 / 100 000 / 100 010 (1 bp each side).
fn os(from: &str, pair: i32) -> MarketRow {
    let sym = crate::venues::ostium::market_symbol(from, "USD");
    MarketRow {
        venue: Some(OS),
        token_symbol: from.to_owned(),
        market_name: format!("{from}/USD"),
        market_index: Some(pair),
        base_symbol: sym.base_symbol,
        price_scale: 1.0,
        is_active: true,
        market_open: Some(true),
        max_leverage: Some(100),
        figures: MarketFigures {
            spread_bps: Some(2.0),
            taker_fee_bps: Some(10.0),
            long_open_interest_usd: Some(1_500_000.0),
            short_open_interest_usd: Some(1_000_000.0),
            max_open_interest_usd: Some(10_000_000.0),
            ..MarketFigures::default()
        },
        cost: MarketCost {
            close_fee_bps: Some(0.0),
            long_capacity_usd: Some(8_500_000.0),
            short_capacity_usd: Some(9_000_000.0),
            model: Some(CostModel {
                fees: FeeRule::Imbalance {
                    maker_bps: 3.0,
                    taker_bps: 10.0,
                    maker_max_leverage: Some(20.0),
                    close_bps: 0.0,
                },
                impact: ImpactModel::OracleQuote {
                    bid: 99_990.0,
                    ask: 100_010.0,
                    mid: 100_000.0,
                    dynamic: None,
                },
            }),
            ..MarketCost::default()
        },
        ..MarketRow::default()
    }
}

/// A thin Hyperliquid book: bids 99 999 / 99 900, asks 100 001 (1 coin) then
/// 100 101 (1 coin) and 100 301 (8 coins). Mid 100 000, half spread
/// 1/100 000 = 0.1 bp.
fn thin_book() -> DepthCurve {
    DepthCurve::from_levels(
        now(),
        &[(99_999.0, 1.0), (99_900.0, 9.0)],
        &[(100_001.0, 1.0), (100_101.0, 1.0), (100_301.0, 8.0)],
    )
    .expect("valid book")
}

fn snapshot(markets: Vec<MarketRow>) -> MarketSnapshot {
    MarketSnapshot::new(
        markets,
        &[
            (HL, now() - TimeDelta::minutes(10)),
            (OS, now() - TimeDelta::minutes(2)),
        ],
    )
}

// By value: every caller writes its size as a `json!` literal in place.
#[allow(clippy::needless_pass_by_value)]
fn signal(token: &str, side: &str, size: Value) -> (PendingSignal, Option<f64>) {
    let leverage = leverage_from_size_model(&size);
    let s = PendingSignal {
        id: Uuid::from_u128(7),
        agent_id: Uuid::from_u128(8),
        token_symbol: token.to_owned(),
        side: side.to_owned(),
        leverage: leverage.clone(),
        created_at: now() - TimeDelta::minutes(1),
        size: SizeModel {
            kind: size["type"].as_str().map(str::to_owned),
            value: size["value"].as_f64(),
            ..SizeModel::default()
        },
        deployment: None,
    };
    (s, leverage.ok().flatten())
}

fn configs(strategy: Strategy, priority: &[Venue], assumed: Option<f64>) -> ConfigSet {
    ConfigSet {
        global: Some(StoredConfig {
            venue_priority: Some(priority.iter().map(|v| v.as_str().to_owned()).collect()),
            routing_strategy: strategy.as_str().to_owned(),
            failover_enabled: true,
            assumed_notional_usd: assumed.and_then(Usd::new),
            allow_venues_without_executor: false,
        }),
        ..ConfigSet::default()
    }
}

/// Decides one signal through the batch entry point; returns the selected
/// venue (or skip code), the routing reason and the availability JSON.
fn route(
    signal: PendingSignal,
    set: &ConfigSet,
    snap: &MarketSnapshot,
    at: DateTime<Utc>,
) -> (String, String, Value) {
    let options = RoutingOptions::defaults_at(at);
    let batch = decide_batch(vec![signal], set, snap, &OpenPositions::default(), &options);
    let d = &batch.decided[0];
    let who = match d.rendered.venue {
        Some(v) => v.as_str().to_owned(),
        None => d.rendered.skip_code.unwrap_or("?").to_owned(),
    };
    let json = serde_json::from_str(&d.rendered.venue_availability).expect("json");
    (who, d.rendered.routing_reason.clone(), json)
}

/// Equal within 1e-5 bps (depth curves store their points to 1e-6).
fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|x| (x - b).abs() < 1e-5)
}

#[test]
fn the_notional_rule() {
    let size = |kind: Option<&str>, value: Option<f64>| SizeModel {
        kind: kind.map(str::to_owned),
        value,
        ..SizeModel::default()
    };
    // fixed-usdc: 25 USDC × 10× = $250.
    let o = OrderSize::of(&size(Some(FIXED_USDC), Some(25.0)), Some(10.0), None);
    assert_eq!(
        (o.notional_usd, o.leverage, o.source),
        (Some(250.0), 10.0, NotionalSource::FixedCollateral)
    );
    // No leverage: 1×.
    let o = OrderSize::of(&size(Some(FIXED_USDC), Some(25.0)), None, None);
    assert_eq!(o.notional_usd, Some(25.0));
    // llm_leverage when size_model has none.
    let mut llm = size(Some(FIXED_USDC), Some(25.0));
    llm.llm_leverage = Some(4.0);
    assert_eq!(OrderSize::of(&llm, None, None).notional_usd, Some(100.0));
    assert_eq!(
        OrderSize::of(&llm, Some(2.0), None).notional_usd,
        Some(50.0)
    );
    // A relative size: the assumed notional, else unknown.
    let pct = size(Some("balance-percentage"), Some(5.0));
    let assumed = Usd::new(20_000.0);
    let o = OrderSize::of(&pct, Some(3.0), assumed);
    assert_eq!(
        (o.notional_usd, o.source),
        (Some(20_000.0), NotionalSource::AssumedNotional)
    );
    let o = OrderSize::of(&pct, Some(3.0), None);
    assert_eq!(
        (o.notional_usd, o.source),
        (None, NotionalSource::RelativeSize)
    );
    // llm_fund_allocation (percent of balance) makes any size relative.
    let mut alloc = size(Some(FIXED_USDC), Some(25.0));
    alloc.llm_fund_allocation = Some(10.0);
    assert_eq!(
        OrderSize::of(&alloc, None, assumed).source,
        NotionalSource::AssumedNotional
    );
    // fixed-usdc without a usable value: unknown.
    for bad in [None, Some(-5.0), Some(0.0), Some(f64::NAN)] {
        let o = OrderSize::of(&size(Some(FIXED_USDC), bad), None, assumed);
        assert_eq!((o.notional_usd, o.source), (None, NotionalSource::NoAmount));
    }
    // No type at all sizes relative to the balance (the executor's else branch).
    assert_eq!(
        OrderSize::of(&size(None, Some(25.0)), None, None).source,
        NotionalSource::RelativeSize
    );
}

#[test]
fn a_market_at_its_cap_is_refused_for_that_side_only() {
    let mut capped = os("BTC", 0);
    capped.cost.long_capacity_usd = Some(0.0);
    capped.cost.short_capacity_usd = Some(5_000_000.0);
    let snap = snapshot(vec![capped]);
    let set = configs(Strategy::FirstAvailable, &[OS], None);
    let size = json!({"type": "fixed-usdc", "value": 1000, "leverage": 5});
    let (s, _) = signal("BTC", "LONG", size.clone());
    let (who, reason, json) = route(s, &set, &snap, now());
    assert_eq!(who, "NO_VENUE_AVAILABLE");
    assert_eq!(
        reason,
        "NO_VENUE_AVAILABLE: OSTIUM: OPEN_INTEREST_CAP (BTC/USD, LONG)"
    );
    assert_eq!(json["OSTIUM"]["reason"], "OPEN_INTEREST_CAP");
    assert_eq!(json["OSTIUM"]["capacity_usd"], 0.0);
    let (s, _) = signal("BTC", "SHORT", size);
    let (who, _, json) = route(s, &set, &snap, now());
    assert_eq!(who, "OSTIUM");
    assert_eq!(json["OSTIUM"]["capacity_usd"], 5_000_000.0);
}

/// Issue 21, finding 2: a market whose group is at its collateral cap is
/// refused with the reason saying so, as the Ostium sync stores it.
#[test]
fn a_group_at_its_collateral_cap_refuses_the_side_and_says_why() {
    let prices =
        json!([{"feed_id": "0xa", "bid": 99.9, "mid": 100.0, "ask": 100.1, "isMarketOpen": true}]);
    let pairs = json!({"data": {"pairs": [{"id": "0", "from": "BTC", "to": "USD", "feed": "0xa",
        "longOI": "0", "shortOI": "0", "maxOI": "1000000000000", "makerFeeP": "30000",
        "takerFeeP": "100000", "maxLeverage": "0",
        "group": {"id": "0", "name": "crypto", "maxLeverage": "5000", "maxCollateralP": "0",
            "longCollateral": "0", "shortCollateral": "0"}}]}});
    let responses = crate::venues::ostium::OstiumResponses {
        pairs: crate::venues::http::Body::new("pairs", pairs.to_string().into_bytes()),
        prices: crate::venues::http::Body::new("prices", prices.to_string().into_bytes()),
        impact: None,
    };
    let markets = crate::venues::ostium::parse(&responses, now()).expect("valid");
    let snap = snapshot(vec![MarketRow::from(&markets[0])]);
    let set = configs(Strategy::FirstAvailable, &[OS], None);
    let size = json!({"type": "fixed-usdc", "value": 1000, "leverage": 5});
    for side in ["LONG", "SHORT"] {
        let (s, _) = signal("BTC", side, size.clone());
        let (who, reason, json) = route(s, &set, &snap, now());
        assert_eq!(who, "NO_VENUE_AVAILABLE");
        assert_eq!(
            reason,
            format!(
                "NO_VENUE_AVAILABLE: OSTIUM: OPEN_INTEREST_CAP (BTC/USD, {side}) [group `crypto` at its \
collateral cap (maxCollateralP 0 % of the vault)]"
            )
        );
        assert_eq!(json["OSTIUM"]["reason"], "OPEN_INTEREST_CAP");
    }
}

#[test]
fn an_open_positions_venue_is_not_refused_for_capacity() {
    // The deployment holds a BTC position on Ostium, whose long side is at
    // its cap: the signal may close that position (freeing capacity), and
    // positions do not say their side, so the position's venue decides.
    let mut capped = os("BTC", 0);
    capped.cost.long_capacity_usd = Some(0.0);
    let snap = snapshot(vec![hl("BTC", 0), capped]);
    let set = configs(Strategy::LowestCost, &[HL, OS], None);
    let deployment = Uuid::from_u128(99);
    let (mut s, _) = signal(
        "BTC",
        "LONG",
        json!({"type": "fixed-usdc", "value": 1000, "leverage": 5}),
    );
    s.deployment = Some(Deployment {
        id: deployment,
        status: Some("ACTIVE".to_owned()),
        enabled_venues: None,
    });
    let positions = OpenPositions::new([(deployment, "OSTIUM", "BTC")]);
    let options = RoutingOptions::defaults_at(now());
    let batch = decide_batch(vec![s.clone()], &set, &snap, &positions, &options);
    let d = &batch.decided[0];
    assert_eq!(d.rendered.venue, Some(OS), "{}", d.rendered.routing_reason);
    // Without the position the cap refuses Ostium for a long.
    s.deployment = None;
    let (who, _, json) = route(s, &set, &snap, now());
    assert_eq!(who, "HYPERLIQUID");
    assert_eq!(json["OSTIUM"]["reason"], "OPEN_INTEREST_CAP");
}

#[test]
fn an_order_larger_than_the_capacity_left_is_refused() {
    let mut m = os("BTC", 0);
    m.cost.short_capacity_usd = Some(5_000_000.0);
    let snap = snapshot(vec![hl("BTC", 0), m]);
    let set = configs(Strategy::LowestCost, &[OS, HL], None);
    // 1 000 000 USDC × 10× = $10M short, $5M left on the short side.
    let (s, _) = signal(
        "BTC",
        "SHORT",
        json!({"type": "fixed-usdc", "value": 1_000_000, "leverage": 10}),
    );
    let (who, reason, json) = route(s, &set, &snap, now());
    assert_eq!(who, "HYPERLIQUID");
    assert!(
        reason.starts_with(
            "OSTIUM: ABOVE_CAPACITY (BTC/USD: $10.00M order, $5.00M left) → HYPERLIQUID: available"
        ),
        "{reason}"
    );
    assert_eq!(json["OSTIUM"]["reason"], "ABOVE_CAPACITY");
    assert_eq!(json["OSTIUM"]["notional_usd"], 10_000_000.0);
    assert_eq!(json["OSTIUM"]["capacity_usd"], 5_000_000.0);
    // A $4M order fits.
    let (s, _) = signal(
        "BTC",
        "SHORT",
        json!({"type": "fixed-usdc", "value": 400_000, "leverage": 10}),
    );
    let (_, _, json) = route(s, &set, &snap, now());
    assert_eq!(json["OSTIUM"]["available"], true);
}

#[test]
fn overnight_leverage_applies_in_the_overnight_window() {
    let mut tsla = os("TSLA", 22);
    tsla.cost.overnight_max_leverage = Some(10.0);
    tsla.cost.day_trading_closed = Some(true);
    tsla.cost.day_trading_toggle_at = Some(now() + TimeDelta::hours(17));
    let snap = snapshot(vec![tsla]);
    let set = configs(Strategy::FirstAvailable, &[OS], None);
    let size = json!({"type": "fixed-usdc", "value": 100, "leverage": 20});
    let (s, _) = signal("TSLA", "LONG", size.clone());
    let (who, reason, json) = route(s, &set, &snap, now());
    assert_eq!(who, "NO_VENUE_AVAILABLE");
    assert_eq!(
        reason,
        "NO_VENUE_AVAILABLE: OSTIUM: LEVERAGE_ABOVE_MAX (TSLA/USD: 20x requested, max 10x overnight)"
    );
    assert_eq!(json["OSTIUM"]["overnight"], true);
    // 10× fits the overnight cap.
    let (s, _) = signal(
        "TSLA",
        "LONG",
        json!({"type": "fixed-usdc", "value": 100, "leverage": 10}),
    );
    assert_eq!(route(s, &set, &snap, now()).0, "OSTIUM");
    // Once day trading reopens (the toggle time passed), 20× is a day trade.
    let (mut s, _) = signal("TSLA", "LONG", size);
    let later = now() + TimeDelta::hours(18);
    let fresh = MarketSnapshot::new(
        snap.market(0).cloned().into_iter().collect(),
        &[(OS, later - TimeDelta::minutes(1))],
    );
    s.created_at = later - TimeDelta::minutes(1);
    assert_eq!(route(s, &set, &fresh, later).0, "OSTIUM");
}

#[test]
fn fee_figures_match_hand_computed_examples() {
    let snap = snapshot(vec![hl("BTC", 0), os("BTC", 0)]);
    let set = configs(Strategy::LowestCost, &[HL, OS], None);
    // Unknown notional (a relative size, no assumed notional): top of book.
    // Hyperliquid: 4.5 open + 4.5 close + 2/2 half spread = 10 bps.
    // Ostium LONG: 10 taker (no notional: the taker rate) + 0 close
    //   + (100 010 − 100 000)/100 000 = 1 bp half spread = 11 bps.
    let (s, _) = signal(
        "BTC",
        "LONG",
        json!({"type": "balance-percentage", "value": 5}),
    );
    let (who, reason, json) = route(s, &set, &snap, now());
    assert_eq!(who, "HYPERLIQUID");
    let hl_json = &json["HYPERLIQUID"];
    assert!(close(&hl_json["open_fee_bps"], 4.5));
    assert!(close(&hl_json["close_fee_bps"], 4.5));
    assert!(close(&hl_json["fee_bps"], 9.0));
    assert!(close(&hl_json["half_spread_bps"], 1.0));
    assert!(close(&hl_json["impact_bps"], 0.0));
    assert!(close(&hl_json["total_cost_bps"], 10.0));
    assert_eq!(hl_json["cost_basis"], "top_of_book");
    assert_eq!(hl_json["cost_fallback"], "no_notional");
    assert_eq!(
        hl_json["notional_source"],
        "relative_size_without_assumed_notional"
    );
    assert!(hl_json.get("notional_usd").is_none());
    let os_json = &json["OSTIUM"];
    assert!(close(&os_json["open_fee_bps"], 10.0));
    assert!(close(&os_json["close_fee_bps"], 0.0));
    assert!(close(&os_json["half_spread_bps"], 1.0));
    assert!(close(&os_json["total_cost_bps"], 11.0));
    assert_eq!(os_json["impact_source"], "oracle_quote");
    assert!(
        reason.ends_with(
            "; LOWEST_COST: HYPERLIQUID 10.00 bps vs OSTIUM 11.00 bps (lowest all-in cost, top of book: notional unknown)"
        ),
        "{reason}"
    );

    // A SHORT of 160 000 USDC × 5× = $800k on Ostium:
    // longs 1.5M, shorts 1M → imbalance +0.5M; the short reduces it: 500k at
    // the maker rate, 300k at the taker rate → (3·500k + 10·300k)/800k =
    // 5.625 bps; close 0; half spread (100 000 − 99 990)/100 000 = 1 bp;
    // total 6.625 bps. Hyperliquid without a book: 4.5 + 4.5 + 1 = 10 bps,
    // top of book because it has no depth curve.
    let (s, _) = signal(
        "BTC",
        "SHORT",
        json!({"type": "fixed-usdc", "value": 160_000, "leverage": 5}),
    );
    let (who, _, json) = route(s, &set, &snap, now());
    assert_eq!(who, "OSTIUM");
    assert!(close(&json["OSTIUM"]["open_fee_bps"], 5.625));
    assert!(close(&json["OSTIUM"]["total_cost_bps"], 6.625));
    assert_eq!(json["OSTIUM"]["cost_basis"], "order_notional");
    assert_eq!(json["OSTIUM"]["notional_usd"], 800_000.0);
    assert_eq!(json["HYPERLIQUID"]["cost_basis"], "top_of_book");
    assert_eq!(json["HYPERLIQUID"]["cost_fallback"], "no_depth_curve");
    assert!(close(&json["HYPERLIQUID"]["total_cost_bps"], 10.0));
}

#[test]
fn lowest_cost_follows_the_depth_where_lowest_fees_cannot() {
    let mut book = hl("BTC", 0);
    book.cost.depth = Some(thin_book());
    let snap = snapshot(vec![book, os("BTC", 0)]);
    // A $500k LONG (50 000 USDC × 10): on the thin book, 1 coin at 100 001,
    // 1 at 100 101, the rest (500 000 − 200 102 = 299 898) at 100 301, i.e.
    // 2.990 coins: 4.990 coins for $500k, average 100 200.8, 199.8 beyond
    // the touch of 100 001 = 19.98 bps of the mid 100 000. Total on
    // Hyperliquid: 4.5 + 4.5 + 0.1 + 19.98 ≈ 29.08 bps. Ostium fills at the
    // ask whatever the size: 10 + 0 + 1 = 11 bps (the long adds to the
    // imbalance: all taker).
    let size = json!({"type": "fixed-usdc", "value": 50_000, "leverage": 10});
    let (s, _) = signal("BTC", "LONG", size.clone());
    let (who, reason, json) = route(
        s,
        &configs(Strategy::LowestCost, &[HL, OS], None),
        &snap,
        now(),
    );
    assert_eq!(who, "OSTIUM", "{reason}");
    let h = &json["HYPERLIQUID"];
    let coins = 2.0 + (500_000.0 - 200_102.0) / 100_301.0;
    let avg = 500_000.0 / coins;
    let impact = (avg - 100_001.0) / 100_000.0 * 1e4;
    assert!(close(&h["impact_bps"], impact), "{h}");
    assert!(close(&h["half_spread_bps"], 0.1), "{h}");
    assert!(close(&h["total_cost_bps"], 9.0 + 0.1 + impact), "{h}");
    assert_eq!(h["cost_basis"], "order_notional");
    assert_eq!(h["impact_source"], "depth_curve");
    assert!(close(&json["OSTIUM"]["total_cost_bps"], 11.0));
    assert!(
        reason.contains("(lowest all-in cost at $500.0k)"),
        "{reason}"
    );
    // LOWEST_FEES sees only taker + half the stored spread: Hyperliquid
    // 4.5 + 1 = 5.5 bps against Ostium 10 + 1 = 11 bps.
    let (s, _) = signal("BTC", "LONG", size);
    let (who, _, _) = route(
        s,
        &configs(Strategy::LowestFees, &[HL, OS], None),
        &snap,
        now(),
    );
    assert_eq!(who, "HYPERLIQUID");
    // A small order walks nothing: 5 000 USDC × 10× = $50k is less than the
    // $100 001 at the touch: impact 0, total 4.5 + 4.5 + 0.1 = 9.1 bps on
    // Hyperliquid, cheaper than Ostium's 11.
    let (s, _) = signal(
        "BTC",
        "LONG",
        json!({"type": "fixed-usdc", "value": 5_000, "leverage": 10}),
    );
    let (who, _, json) = route(
        s,
        &configs(Strategy::LowestCost, &[HL, OS], None),
        &snap,
        now(),
    );
    assert_eq!(who, "HYPERLIQUID");
    assert!(close(&json["HYPERLIQUID"]["total_cost_bps"], 9.1));
}

#[test]
fn the_assumed_notional_prices_relative_sizes() {
    let mut book = hl("BTC", 0);
    book.cost.depth = Some(thin_book());
    let snap = snapshot(vec![book, os("BTC", 0)]);
    let pct = json!({"type": "balance-percentage", "value": 5, "leverage": 3});
    // With $500k assumed for the agent, the same thin-book impact applies.
    let (s, _) = signal("BTC", "LONG", pct.clone());
    let (who, _, json) = route(
        s,
        &configs(Strategy::LowestCost, &[HL, OS], Some(500_000.0)),
        &snap,
        now(),
    );
    assert_eq!(who, "OSTIUM");
    assert_eq!(json["HYPERLIQUID"]["notional_source"], "assumed_notional");
    assert_eq!(json["HYPERLIQUID"]["notional_usd"], 500_000.0);
    // Without one: top of book on both, Hyperliquid's touch spread 0.1 bp:
    // 9.1 bps against Ostium's 11.
    let (s, _) = signal("BTC", "LONG", pct);
    let (who, _, json) = route(
        s,
        &configs(Strategy::LowestCost, &[HL, OS], None),
        &snap,
        now(),
    );
    assert_eq!(who, "HYPERLIQUID");
    assert_eq!(json["HYPERLIQUID"]["cost_basis"], "top_of_book");
    assert_eq!(json["HYPERLIQUID"]["impact_source"], "depth_curve");
    assert!(close(&json["HYPERLIQUID"]["total_cost_bps"], 9.1));
}

#[test]
fn a_depth_curve_older_than_the_market_is_not_used() {
    let mut stale = hl("BTC", 0);
    stale.depth_stale = true;
    let snap = snapshot(vec![stale]);
    let (s, _) = signal(
        "BTC",
        "LONG",
        json!({"type": "fixed-usdc", "value": 50_000, "leverage": 10}),
    );
    let (_, _, json) = route(s, &configs(Strategy::LowestCost, &[HL], None), &snap, now());
    assert_eq!(json["HYPERLIQUID"]["cost_basis"], "top_of_book");
    assert_eq!(
        json["HYPERLIQUID"]["cost_fallback"],
        "depth_curve_older_than_market"
    );
}

#[test]
fn the_dynamic_spread_prices_ostium_orders_by_size() {
    let mut m = os("BTC", 0);
    m.cost.model = Some(CostModel {
        fees: FeeRule::Imbalance {
            maker_bps: 3.0,
            taker_bps: 10.0,
            maker_max_leverage: Some(20.0),
            close_bps: 0.0,
        },
        impact: ImpactModel::OracleQuote {
            bid: 99_990.0,
            ask: 100_010.0,
            mid: 100_000.0,
            dynamic: Some(DynamicSpread {
                price_impact_k: 2e-15,
                net_vol_threshold_usd: 50_000.0,
                decay_rate_per_s: 0.0,
                buy_volume_usd: 0.0,
                sell_volume_usd: 0.0,
                updated_at: now().timestamp(),
            }),
        },
    });
    let snap = snapshot(vec![m]);
    // $100k long (10 000 × 10): excess over the $50k threshold 50k;
    // half spread 2e-4 · 50k / 2 = $5 → 0.5 bp; impact (50k²/50k)·2e-15·50k²
    // = $0.25 → 0.025 bp; fee all taker (adds to the imbalance): 10 bps.
    let (s, _) = signal(
        "BTC",
        "LONG",
        json!({"type": "fixed-usdc", "value": 10_000, "leverage": 10}),
    );
    let (_, _, json) = route(s, &configs(Strategy::LowestCost, &[OS], None), &snap, now());
    let o = &json["OSTIUM"];
    assert_eq!(o["impact_source"], "dynamic_spread");
    assert!(close(&o["half_spread_bps"], 0.5), "{o}");
    assert!(close(&o["impact_bps"], 0.025), "{o}");
    assert!(close(&o["total_cost_bps"], 10.525), "{o}");
}

/// Decides signals whose `size_model -> 'value'` is the JSON text given
/// (read as the claim query reads it) and Maxxit's columns as given.
fn route_size(
    kind: Option<&str>,
    value_json: Option<&str>,
    leverage: Option<f64>,
    llm: (Option<f64>, Option<f64>),
) -> (String, String) {
    let (value, unreadable_value) = SizeModel::read_value(value_json);
    let s = PendingSignal {
        id: Uuid::from_u128(7),
        agent_id: Uuid::from_u128(8),
        token_symbol: "BTC".to_owned(),
        side: "LONG".to_owned(),
        leverage: Ok(leverage),
        created_at: now() - TimeDelta::minutes(1),
        size: SizeModel {
            kind: kind.map(str::to_owned),
            value,
            unreadable_value,
            llm_fund_allocation: llm.0,
            llm_leverage: llm.1,
        },
        deployment: None,
    };
    let snap = snapshot(vec![hl("BTC", 0), os("BTC", 0)]);
    let set = configs(Strategy::LowestCost, &[HL, OS], None);
    let (who, reason, _) = route(s, &set, &snap, now());
    (who, reason)
}

/// `size_model` type, `value` as JSON text, leverage, Maxxit's
/// `(llm_fund_allocation, llm_leverage)`, and the reason expected.
type SizeCase<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    Option<f64>,
    (Option<f64>, Option<f64>),
    &'a str,
);

#[test]
fn an_impossible_size_is_an_invalid_signal_with_its_reason() {
    let fixed = Some(FIXED_USDC);
    let pct = Some("balance-percentage");
    let none = (None, None);
    let cases: [SizeCase; 16] = [
        (
            fixed,
            Some("-100"),
            None,
            none,
            "size_model.value -100 is not a positive amount",
        ),
        (
            fixed,
            Some("0"),
            None,
            none,
            "size_model.value 0 is not a positive amount",
        ),
        (
            fixed,
            Some(r#""-5""#),
            None,
            none,
            "size_model.value -5 is not a positive amount",
        ),
        (
            fixed,
            Some(r#""1e400""#),
            None,
            none,
            r#"size_model.value "1e400" is not a positive amount"#,
        ),
        (
            fixed,
            Some(r#""NaN""#),
            None,
            none,
            r#"size_model.value "NaN" is not a positive amount"#,
        ),
        (
            fixed,
            Some(r#""ten""#),
            None,
            none,
            r#"size_model.value "ten" is not a positive amount"#,
        ),
        (
            fixed,
            Some("[100]"),
            None,
            none,
            "size_model.value a JSON array is not a positive amount",
        ),
        (
            fixed,
            Some("true"),
            None,
            none,
            "size_model.value a JSON boolean is not a positive amount",
        ),
        (
            fixed,
            Some(&format!("1{}", "0".repeat(400))),
            None,
            none,
            "size_model.value a number of 401 characters is not a positive amount",
        ),
        (
            fixed,
            Some("2e15"),
            None,
            none,
            "size_model.value 2e15 is above the bound of 10^15 USD",
        ),
        (
            fixed,
            Some("200000000000000"),
            Some(10.0),
            none,
            "size_model.value 2e14 × leverage 10 is above the bound of 10^15 USD",
        ),
        (
            fixed,
            Some("100"),
            Some(1e307),
            none,
            "size_model.value 100 × leverage 1e307 overflows",
        ),
        (
            pct,
            Some("150"),
            None,
            none,
            "size_model.value 150 is not a percentage of the balance in (0, 100]",
        ),
        (
            pct,
            Some("0"),
            None,
            none,
            "size_model.value 0 is not a percentage of the balance in (0, 100]",
        ),
        (
            pct,
            Some("5"),
            None,
            (Some(0.0), None),
            "llm_fund_allocation 0 is not a percentage in (0, 100]",
        ),
        (
            pct,
            Some("5"),
            None,
            (None, Some(f64::INFINITY)),
            "llm_leverage inf is not a positive finite number",
        ),
    ];
    for (kind, value, leverage, llm, reason) in cases {
        let (who, got) = route_size(kind, value, leverage, llm);
        assert_eq!(
            (who.as_str(), got.as_str()),
            (
                "INVALID_SIGNAL",
                format!("INVALID_SIGNAL: {reason}").as_str()
            ),
            "{kind:?} {value:?} ×{leverage:?} {llm:?}"
        );
    }
    // Maxxit's llm_leverage is the order's leverage when size_model has none.
    let (who, got) = route_size(fixed, Some("200000000000000"), None, (None, Some(10.0)));
    assert_eq!(who, "INVALID_SIGNAL", "{got}");
    // Possible sizes route; a missing amount (absent or null) stays unknown.
    for (kind, value, llm) in [
        (fixed, Some("25"), none),
        (fixed, Some(r#"" 25 ""#), none),
        (fixed, Some("1e15"), none),
        (fixed, None, none),
        (fixed, Some("null"), none),
        (pct, Some("100"), (Some(100.0), Some(3.0))),
        (pct, None, none),
    ] {
        let (who, got) = route_size(kind, value, Some(1.0), llm);
        assert_ne!(who, "INVALID_SIGNAL", "{kind:?} {value:?}: {got}");
    }
}

#[test]
fn a_missing_amount_is_still_priced_at_the_top_of_the_book() {
    let (value, unreadable_value) = SizeModel::read_value(None);
    assert_eq!((value, unreadable_value), (None, None));
    let (mut s, _) = signal("BTC", "LONG", json!({"type": "fixed-usdc", "leverage": 5}));
    s.size.value = value;
    let snap = snapshot(vec![hl("BTC", 0), os("BTC", 0)]);
    let set = configs(Strategy::LowestCost, &[HL, OS], None);
    let (who, _, json) = route(s, &set, &snap, now());
    assert_eq!(who, "HYPERLIQUID");
    assert_eq!(json["HYPERLIQUID"]["cost_basis"], "top_of_book");
    assert_eq!(json["HYPERLIQUID"]["notional_source"], "no_amount");
}
