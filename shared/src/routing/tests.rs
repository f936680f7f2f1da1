//! Table-driven tests of decisions over a hand-built market snapshot.

use chrono::{TimeDelta, TimeZone};
use serde_json::json;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::*;
use crate::domain::Venue::{Hyperliquid as HL, Ostium as OS, Spot};
use crate::domain::{ConfigSource, RoutingConfig, Side, Strategy, Venue};
use crate::symbols::Token;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0)
        .single()
        .expect("valid time")
}

fn hl(name: &str, index: i32, max_lev: i32) -> MarketRow {
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
        max_leverage: Some(max_lev),
        ..MarketRow::default()
    }
}

fn os(from: &str, to: &str, pair: i32, max_lev: i32) -> MarketRow {
    let sym = crate::venues::ostium::market_symbol(from, to);
    MarketRow {
        venue: Some(OS),
        token_symbol: crate::venues::ostium::token_symbol(from, to),
        market_name: format!("{from}/{to}"),
        market_index: Some(pair),
        base_symbol: sym.base_symbol,
        price_scale: 1.0,
        is_active: true,
        market_open: Some(true),
        max_leverage: Some(max_lev),
        ..MarketRow::default()
    }
}

fn markets() -> Vec<MarketRow> {
    let mut matic = hl("MATIC", 30, 20);
    matic.delisted = true;
    matic.is_active = false;
    // As stored: a closed market is listed (no delisted_at) yet inactive.
    let mut tsla = os("TSLA", "USD", 20, 10);
    tsla.market_open = Some(false);
    tsla.is_active = false;
    let mut nvda = os("NVDA", "USD", 21, 10);
    nvda.is_active = false;
    vec![
        hl("BTC", 0, 40),
        hl("ETH", 1, 25),
        hl("SOL", 5, 20),
        hl("kPEPE", 12, 10),
        hl("HYPE", 159, 10),
        hl("SPX", 180, 5),
        matic,
        hl("xyz:TSLA", 110_003, 10),
        hl("xyz:GOLD", 110_010, 20),
        os("BTC", "USD", 0, 100),
        os("ETH", "USD", 1, 100),
        os("XAU", "USD", 5, 100),
        os("EUR", "USD", 2, 100),
        os("USD", "JPY", 3, 100),
        os("HYPE", "USD", 41, 10),
        os("SPX", "USD", 11, 50),
        tsla,
        nvda,
        // Original-sync row without base_symbol: derived from its names.
        MarketRow {
            base_symbol: String::new(),
            ..os("XRP", "USD", 39, 50)
        },
    ]
}

fn fresh() -> Vec<(Venue, DateTime<Utc>)> {
    vec![
        (HL, now() - TimeDelta::hours(1)),
        (OS, now() - TimeDelta::minutes(30)),
    ]
}

fn snapshot() -> MarketSnapshot {
    MarketSnapshot::new(markets(), &fresh())
}

fn signal(token: &str) -> PendingSignal {
    PendingSignal {
        id: Uuid::from_u128(1),
        agent_id: Uuid::from_u128(2),
        token_symbol: token.to_owned(),
        side: "LONG".to_owned(),
        leverage: Ok(None),
        created_at: now() - TimeDelta::minutes(5),
        size: SizeModel::default(),
        deployment: None,
    }
}

fn cfg(priority: &[Venue], strategy: Strategy, failover: bool) -> RoutingConfig {
    RoutingConfig {
        venue_priority: priority.to_vec(),
        routing_strategy: strategy,
        failover_enabled: failover,
    }
}

fn run(
    s: &PendingSignal,
    config: &RoutingConfig,
    snap: &MarketSnapshot,
    o: &RoutingOptions,
) -> Decision {
    let requested = s.leverage.as_ref().ok().copied().flatten();
    decide(
        s,
        Token::parse(&s.token_symbol),
        config,
        ConfigSource::Default,
        OrderSize::of(&s.size, requested, None),
        snap,
        &OpenPositions::default(),
        o,
    )
}

/// (venue, market symbol) of a routed decision, or the skip code.
fn summary(d: &Decision, snap: &MarketSnapshot) -> String {
    match d.selected() {
        Some(c) => format!(
            "{} {}",
            c.venue,
            c.market
                .and_then(|i| snap.market(i))
                .map_or("?", MarketRow::market_symbol)
        ),
        None => d.skip().map_or("?", Skip::code).to_owned(),
    }
}

fn reason(s: &PendingSignal, d: &Decision, snap: &MarketSnapshot, o: &RoutingOptions) -> String {
    render(s, d, &[], snap, o).routing_reason
}

#[test]
fn issue_examples_route_to_the_right_market() {
    let snap = snapshot();
    let o = RoutingOptions::defaults_at(now());
    let config = RoutingConfig::builtin_default();
    let cases = [
        ("btc", "HYPERLIQUID BTC"),
        ("$ETH", "HYPERLIQUID ETH"),
        ("BTC/USD", "HYPERLIQUID BTC"),
        ("SOL-PERP", "HYPERLIQUID SOL"),
        ("ETHUSDT", "HYPERLIQUID ETH"),
        ("PEPE", "HYPERLIQUID kPEPE"),
        ("kPEPE", "HYPERLIQUID kPEPE"),
        ("XAU", "OSTIUM XAU/USD"),
        ("EURUSD", "OSTIUM EUR/USD"),
        ("GOLD", "OSTIUM XAU/USD"),
        ("USDJPY", "OSTIUM USD/JPY"),
        ("USD/JPY", "OSTIUM USD/JPY"),
        ("XRP", "OSTIUM XRP/USD"),
        ("HYPE", "HYPERLIQUID HYPE"),
        ("BTC_MANUAL_1731500000", "HYPERLIQUID BTC"),
        // HIP-3 markets are not eligible by default, and a bare JPY is not USD/JPY.
        ("TSLA", "NO_VENUE_AVAILABLE"),
        ("JPY", "NO_VENUE_AVAILABLE"),
        ("DOGE", "NO_VENUE_AVAILABLE"),
    ];
    for (token, want) in cases {
        let s = signal(token);
        let d = run(&s, &config, &snap, &o);
        assert_eq!(summary(&d, &snap), want, "token {token:?}");
    }
}

#[test]
fn reasons_name_each_checked_venue() {
    let snap = snapshot();
    let o = RoutingOptions::defaults_at(now());
    let config = RoutingConfig::builtin_default();
    let cases = [
        (
            "XAU",
            "HYPERLIQUID: NOT_LISTED → OSTIUM: available (XAU/USD, pair 5)",
        ),
        ("PEPE", "HYPERLIQUID: available (kPEPE, asset 12)"),
        (
            "MATIC",
            "NO_VENUE_AVAILABLE: HYPERLIQUID: DELISTED (MATIC) → OSTIUM: NOT_LISTED",
        ),
        (
            "TSLA",
            "NO_VENUE_AVAILABLE: HYPERLIQUID: NOT_LISTED → OSTIUM: MARKET_CLOSED (TSLA/USD)",
        ),
        (
            "NVDA",
            "NO_VENUE_AVAILABLE: HYPERLIQUID: NOT_LISTED → OSTIUM: DELISTED (NVDA/USD)",
        ),
    ];
    for (token, want) in cases {
        let s = signal(token);
        let d = run(&s, &config, &snap, &o);
        let r = render(&s, &d, &[], &snap, &o);
        assert_eq!(r.routing_reason, want, "token {token}");
        if r.outcome == "SKIPPED" {
            assert_eq!(r.skipped_reason.as_deref(), Some(want));
        } else {
            assert_eq!(r.skipped_reason, None);
        }
    }
}

#[test]
fn first_available_stops_at_the_first_available_venue() {
    let snap = snapshot();
    let o = RoutingOptions::defaults_at(now());
    let s = signal("BTC");
    let d = run(&s, &RoutingConfig::builtin_default(), &snap, &o);
    let r = render(&s, &d, &[], &snap, &o);
    assert_eq!(r.checked_venues, vec!["HYPERLIQUID"]);
    assert_eq!(r.market_symbol, Some("BTC"));
    let json: serde_json::Value = serde_json::from_str(&r.venue_availability).expect("json");
    assert_eq!(json["HYPERLIQUID"]["available"], json!(true));
    assert_eq!(json["HYPERLIQUID"]["market"], json!("BTC"));
    assert_eq!(json["HYPERLIQUID"]["market_index"], json!(0));
    assert!(json.get("OSTIUM").is_none());

    let s = signal("XAU");
    let d = run(&s, &RoutingConfig::builtin_default(), &snap, &o);
    let r = render(&s, &d, &[], &snap, &o);
    assert_eq!(r.checked_venues, vec!["HYPERLIQUID", "OSTIUM"]);
    let json: serde_json::Value = serde_json::from_str(&r.venue_availability).expect("json");
    assert_eq!(
        json["HYPERLIQUID"],
        json!({"available": false, "reason": "NOT_LISTED"})
    );
    assert_eq!(json["OSTIUM"]["available"], json!(true));
    assert_eq!(json["OSTIUM"]["market"], json!("XAU/USD"));
    assert_eq!(json["OSTIUM"]["market_index"], json!(5));
    assert_eq!(r.market_symbol, Some("XAU/USD"));
    assert_eq!(r.history_token, "XAU");
}

#[test]
fn priority_order_and_failover() {
    let snap = snapshot();
    let o = RoutingOptions::defaults_at(now());
    let s = signal("BTC");
    let d = run(
        &s,
        &cfg(&[OS, HL], Strategy::FirstAvailable, true),
        &snap,
        &o,
    );
    assert_eq!(summary(&d, &snap), "OSTIUM BTC/USD");

    // Failover off: only the first venue is considered (not "routing off").
    let d = run(
        &s,
        &cfg(&[HL, OS], Strategy::FirstAvailable, false),
        &snap,
        &o,
    );
    assert_eq!(summary(&d, &snap), "HYPERLIQUID BTC");
    let s = signal("XAU");
    let d = run(
        &s,
        &cfg(&[HL, OS], Strategy::FirstAvailable, false),
        &snap,
        &o,
    );
    assert_eq!(summary(&d, &snap), "NO_VENUE_AVAILABLE");
    assert_eq!(
        reason(&s, &d, &snap, &o),
        "NO_VENUE_AVAILABLE: HYPERLIQUID: NOT_LISTED (failover off: only the first venue is considered)"
    );
    let d = run(
        &s,
        &cfg(&[OS, HL], Strategy::FirstAvailable, false),
        &snap,
        &o,
    );
    assert_eq!(summary(&d, &snap), "OSTIUM XAU/USD");
}

#[test]
fn unsupported_venues_are_reported_and_skipped() {
    let snap = snapshot();
    let o = RoutingOptions::defaults_at(now());
    let s = signal("XAU");
    let d = run(
        &s,
        &cfg(&[Spot, OS], Strategy::FirstAvailable, true),
        &snap,
        &o,
    );
    assert_eq!(summary(&d, &snap), "OSTIUM XAU/USD");
    assert_eq!(
        reason(&s, &d, &snap, &o),
        "SPOT: UNSUPPORTED_VENUE → OSTIUM: available (XAU/USD, pair 5)"
    );
}

#[test]
fn built_in_market_data_is_unavailable_outside_a_demo_database() {
    let o = RoutingOptions::defaults_at(now());
    let s = signal("BTC");
    let config = RoutingConfig::builtin_default();
    let synced = [
        (HL, now() - TimeDelta::hours(1)),
        (OS, now() - TimeDelta::hours(1)),
    ];
    // Hyperliquid's latest sync read the built-in data: skipped, fresh or not.
    let snap = MarketSnapshot::new(markets(), &synced).with_built_in(&[HL]);
    assert!(snap.built_in(HL) && !snap.built_in(OS));
    let d = run(&s, &config, &snap, &o);
    assert_eq!(summary(&d, &snap), "OSTIUM BTC/USD");
    assert_eq!(
        reason(&s, &d, &snap, &o),
        "HYPERLIQUID: BUILT_IN_MARKET_DATA (its last sync read the illustrative data built into the binary; routed only in a demo database) → OSTIUM: available (BTC/USD, pair 0)"
    );
    let json: serde_json::Value =
        serde_json::from_str(&render(&s, &d, &[], &snap, &o).venue_availability).expect("json");
    assert_eq!(json["HYPERLIQUID"]["reason"], json!("BUILT_IN_MARKET_DATA"));
    assert!(json["HYPERLIQUID"]["last_sync"].is_string());
    // Both venues built in: nothing routes.
    let both = MarketSnapshot::new(markets(), &synced).with_built_in(&[HL, OS]);
    let d = run(&s, &config, &both, &o);
    assert!(
        reason(&s, &d, &both, &o).starts_with(
            "NO_VENUE_AVAILABLE: HYPERLIQUID: BUILT_IN_MARKET_DATA (its last sync read the illustrative data built into the binary; routed only in a demo database) → OSTIUM: BUILT_IN_MARKET_DATA"
        ),
        "{}",
        reason(&s, &d, &both, &o)
    );
    // The same markets without the flag (a demo database) route as usual.
    let demo = MarketSnapshot::new(markets(), &synced);
    assert_eq!(
        summary(&run(&s, &config, &demo, &o), &demo),
        "HYPERLIQUID BTC"
    );
}

#[test]
fn stale_and_unsynced_venues_are_unavailable() {
    let o = RoutingOptions::defaults_at(now());
    let s = signal("BTC");
    let config = RoutingConfig::builtin_default();
    let stale = MarketSnapshot::new(
        markets(),
        &[
            (HL, now() - TimeDelta::hours(30)),
            (OS, now() - TimeDelta::hours(2)),
        ],
    );
    let d = run(&s, &config, &stale, &o);
    assert_eq!(summary(&d, &stale), "OSTIUM BTC/USD");
    assert_eq!(
        reason(&s, &d, &stale, &o),
        "HYPERLIQUID: STALE_MARKET_DATA (last sync 30h ago, max 26h) → OSTIUM: available (BTC/USD, pair 0)"
    );
    let json: serde_json::Value =
        serde_json::from_str(&render(&s, &d, &[], &stale, &o).venue_availability).expect("json");
    assert_eq!(json["HYPERLIQUID"]["reason"], json!("STALE_MARKET_DATA"));
    assert!(json["HYPERLIQUID"]["last_sync"].is_string());

    let never = MarketSnapshot::new(markets(), &[]);
    let d = run(&s, &config, &never, &o);
    assert_eq!(
        reason(&s, &d, &never, &o),
        "NO_VENUE_AVAILABLE: HYPERLIQUID: STALE_MARKET_DATA (never synced) → OSTIUM: STALE_MARKET_DATA (never synced)"
    );
    // A tighter --max-market-age makes a 1 h old sync stale.
    let tight = RoutingOptions {
        max_market_age: TimeDelta::minutes(45),
        ..o
    };
    let d = run(&s, &config, &snapshot(), &tight);
    assert_eq!(summary(&d, &snapshot()), "OSTIUM BTC/USD");
}

#[test]
fn expired_signals_are_skipped() {
    let snap = snapshot();
    let o = RoutingOptions::defaults_at(now());
    let mut s = signal("BTC");
    s.created_at = now() - TimeDelta::hours(30);
    let d = run(&s, &RoutingConfig::builtin_default(), &snap, &o);
    assert_eq!(d.skip().map(Skip::code), Some("SIGNAL_EXPIRED"));
    let r = render(&s, &d, &[], &snap, &o);
    assert_eq!(
        r.routing_reason,
        "SIGNAL_EXPIRED: created 30h ago (max 24h)"
    );
    assert_eq!(r.skipped_reason.as_deref(), Some(r.routing_reason.as_str()));
    assert!(r.checked_venues.is_empty());
    assert_eq!(r.venue_availability, "{}");
    // Exactly at the limit is still routed; --max-signal-age 30m expires a 45m old one.
    s.created_at = now() - TimeDelta::hours(24);
    assert!(
        run(&s, &RoutingConfig::builtin_default(), &snap, &o)
            .venue()
            .is_some()
    );
    s.created_at = now() - TimeDelta::minutes(45);
    let short = RoutingOptions {
        max_signal_age: TimeDelta::minutes(30),
        ..o
    };
    let d = run(&s, &RoutingConfig::builtin_default(), &snap, &short);
    assert_eq!(
        reason(&s, &d, &snap, &short),
        "SIGNAL_EXPIRED: created 45m ago (max 30m)"
    );
}

#[test]
fn hostile_signals_are_invalid_not_crashes() {
    let snap = snapshot();
    let o = RoutingOptions::defaults_at(now());
    let config = RoutingConfig::builtin_default();
    let long = "A".repeat(10_000);
    let tokens: [(&str, &str); 9] = [
        ("", "INVALID_SIGNAL: empty token symbol"),
        ("   ", "INVALID_SIGNAL: empty token symbol"),
        (
            &long,
            "INVALID_SIGNAL: token symbol of 10000 bytes (at most 64)",
        ),
        (
            "🚀",
            "INVALID_SIGNAL: token symbol contains invalid character \\u{1f680}",
        ),
        (
            "BTC\u{7}",
            "INVALID_SIGNAL: token symbol contains invalid character \\u{7}",
        ),
        (
            "ÉTH",
            "INVALID_SIGNAL: token symbol contains invalid character \\u{c9}",
        ),
        (
            "BTC'; DROP TABLE signals; --",
            "INVALID_SIGNAL: token symbol contains invalid character \\u{27}",
        ),
        ("$", "INVALID_SIGNAL: empty token symbol"),
        ("\n\t", "INVALID_SIGNAL: empty token symbol"),
    ];
    for (token, want) in tokens {
        let s = signal(token);
        let d = run(&s, &config, &snap, &o);
        let r = render(&s, &d, &[], &snap, &o);
        assert_eq!(r.routing_reason, want, "token {token:?}");
        assert_eq!(r.outcome, "SKIPPED");
        assert!(r.history_token.chars().count() <= 64);
        assert_eq!(r.history_token, token.chars().take(64).collect::<String>());
    }

    let mut s = signal("BTC");
    s.side = "sideways\u{0}!".to_owned();
    let d = run(&s, &config, &snap, &o);
    assert_eq!(
        reason(&s, &d, &snap, &o),
        "INVALID_SIGNAL: unknown side \"sideways\\0!\" (expected LONG or SHORT)"
    );
    for side in ["long", " SHORT ", "buy", "Sell"] {
        s.side = side.to_owned();
        assert!(run(&s, &config, &snap, &o).venue().is_some(), "side {side}");
    }
    s.side = "x".repeat(500);
    let d = run(&s, &config, &snap, &o);
    assert!(reason(&s, &d, &snap, &o).len() < 100);
}

#[test]
fn size_models_are_validated() {
    let cases = [
        (json!({"type": "balance-percentage", "value": 5}), Ok(None)),
        (json!({"leverage": null}), Ok(None)),
        (json!({"leverage": 10}), Ok(Some(10.0))),
        (json!({"leverage": 2.5}), Ok(Some(2.5))),
        (json!({"leverage": "20"}), Ok(Some(20.0))),
        (json!({"leverage": " 3x"}), Ok(Some(3.0))),
        (
            json!({"leverage": -3}),
            Err("size_model leverage must be a positive finite number (got -3)"),
        ),
        (
            json!({"leverage": 0}),
            Err("size_model leverage must be a positive finite number (got 0)"),
        ),
        (
            json!({"leverage": "NaN"}),
            Err("size_model leverage must be a positive finite number (got \"NaN\")"),
        ),
        (
            json!({"leverage": "inf"}),
            Err("size_model leverage must be a positive finite number (got \"inf\")"),
        ),
        (
            json!({"leverage": [1]}),
            Err("size_model leverage must be a positive finite number (got array)"),
        ),
        (
            json!({"leverage": true}),
            Err("size_model leverage must be a positive finite number (got boolean)"),
        ),
        (
            json!([1, 2]),
            Err("size_model is a JSON array, not an object"),
        ),
        (
            json!("5%"),
            Err("size_model is a JSON string, not an object"),
        ),
        (json!(null), Err("size_model is a JSON null, not an object")),
    ];
    for (value, want) in cases {
        let got = leverage_from_size_model(&value).map_err(|e| e.to_string());
        assert_eq!(got, want.map_err(str::to_owned), "size_model {value}");
    }
    let snap = snapshot();
    let o = RoutingOptions::defaults_at(now());
    let mut s = signal("BTC");
    s.leverage = leverage_from_size_model(&json!({"leverage": "abc"}));
    let d = run(&s, &RoutingConfig::builtin_default(), &snap, &o);
    assert_eq!(
        reason(&s, &d, &snap, &o),
        "INVALID_SIGNAL: size_model leverage must be a positive finite number (got \"abc\")"
    );
}

#[test]
fn leverage_above_a_market_cap_makes_the_venue_unavailable() {
    let snap = snapshot();
    let o = RoutingOptions::defaults_at(now());
    let config = RoutingConfig::builtin_default();
    let mut s = signal("BTC");
    s.leverage = Ok(Some(40.0));
    assert_eq!(
        summary(&run(&s, &config, &snap, &o), &snap),
        "HYPERLIQUID BTC"
    );
    s.leverage = Ok(Some(50.0));
    let d = run(&s, &config, &snap, &o);
    assert_eq!(summary(&d, &snap), "OSTIUM BTC/USD");
    assert_eq!(
        reason(&s, &d, &snap, &o),
        "HYPERLIQUID: LEVERAGE_ABOVE_MAX (BTC: 50x requested, max 40x) → OSTIUM: available (BTC/USD, pair 0)"
    );
    let json: serde_json::Value =
        serde_json::from_str(&render(&s, &d, &[], &snap, &o).venue_availability).expect("json");
    assert_eq!(json["HYPERLIQUID"]["reason"], json!("LEVERAGE_ABOVE_MAX"));
    assert_eq!(
        json["HYPERLIQUID"]["requested_leverage"].as_f64(),
        Some(50.0)
    );
    assert_eq!(json["HYPERLIQUID"]["max_leverage"], json!(40));
    s.leverage = Ok(Some(150.0));
    let d = run(&s, &config, &snap, &o);
    assert_eq!(
        reason(&s, &d, &snap, &o),
        "NO_VENUE_AVAILABLE: HYPERLIQUID: LEVERAGE_ABOVE_MAX (BTC: 150x requested, max 40x) → OSTIUM: LEVERAGE_ABOVE_MAX (BTC/USD: 150x requested, max 100x)"
    );
}

#[test]
fn a_token_naming_a_dex_routes_only_to_that_dex() {
    let snap = snapshot();
    let o = RoutingOptions::defaults_at(now());
    let config = RoutingConfig::builtin_default();
    let hip3 = RoutingOptions {
        include_hip3: true,
        ..o
    };
    // BTC is listed on Hyperliquid's main dex and on Ostium, but not on `xyz`:
    // `xyz:BTC` asks for the `xyz` market, which does not exist.
    for (token, options) in [("xyz:BTC", &o), ("xyz:BTC", &hip3), ("nodex:BTC", &o)] {
        let s = signal(token);
        let d = run(&s, &config, &snap, options);
        assert_eq!(summary(&d, &snap), "NO_VENUE_AVAILABLE", "token {token:?}");
        let text = reason(&s, &d, &snap, options);
        let dex = token.split(':').next().expect("dex");
        assert_eq!(
            text,
            format!(
                "NO_VENUE_AVAILABLE: HYPERLIQUID: NOT_LISTED (no market on HIP-3 dex `{dex}`) \
                 → OSTIUM: NOT_LISTED (the token names HIP-3 dex `{dex}`)"
            ),
            "token {token:?}"
        );
    }
    // Ostium first, or only Ostium: still never routed there.
    for priority in [&[OS, HL][..], &[OS][..]] {
        let c = cfg(priority, Strategy::FirstAvailable, true);
        let s = signal("xyz:TSLA");
        let d = run(&s, &c, &snap, &o);
        let want = if priority.contains(&HL) {
            "HYPERLIQUID xyz:TSLA"
        } else {
            "NO_VENUE_AVAILABLE"
        };
        assert_eq!(summary(&d, &snap), want, "{priority:?}");
    }
    for strategy in [Strategy::BestLiquidity, Strategy::LowestFees] {
        let c = cfg(&[OS, HL], strategy, true);
        let d = run(&signal("xyz:GOLD"), &c, &snap, &o);
        assert_eq!(summary(&d, &snap), "HYPERLIQUID xyz:GOLD", "{strategy:?}");
    }
}

#[test]
fn tokens_breaking_the_documented_rules_are_invalid() {
    let snap = snapshot();
    let o = RoutingOptions::defaults_at(now());
    let config = RoutingConfig::builtin_default();
    for token in [
        "BTC\n",
        "BTC\r\n",
        "\tBTC",
        "BTC\u{7f}",
        "$$BTC$$",
        "$$BTC",
        "BTC$",
        "BTC/USD/EUR",
        "BTC-USD-EUR",
        "BTC/-USD",
        "a:b:BTC",
        ":BTC",
        "xyz:",
        "BTC\u{a0}",
    ] {
        let s = signal(token);
        let d = run(&s, &config, &snap, &o);
        assert_eq!(summary(&d, &snap), "INVALID_SIGNAL", "token {token:?}");
        let text = reason(&s, &d, &snap, &o);
        assert!(
            !text.chars().any(char::is_control),
            "reason carries a raw control character: {text:?}"
        );
    }
}

#[test]
fn hip3_markets_only_when_enabled_or_named() {
    let snap = snapshot();
    let o = RoutingOptions::defaults_at(now());
    let config = RoutingConfig::builtin_default();
    let s = signal("TSLA");
    assert_eq!(
        summary(&run(&s, &config, &snap, &o), &snap),
        "NO_VENUE_AVAILABLE"
    );
    let hip3 = RoutingOptions {
        include_hip3: true,
        ..o
    };
    let d = run(&s, &config, &snap, &hip3);
    assert_eq!(summary(&d, &snap), "HYPERLIQUID xyz:TSLA");
    let json: serde_json::Value =
        serde_json::from_str(&render(&s, &d, &[], &snap, &hip3).venue_availability).expect("json");
    assert_eq!(json["HYPERLIQUID"]["dex"], json!("xyz"));
    assert_eq!(json["HYPERLIQUID"]["market_index"], json!(110_003));
    // Naming the dex in the token makes it eligible without the flag.
    let s = signal("xyz:TSLA");
    assert_eq!(
        summary(&run(&s, &config, &snap, &o), &snap),
        "HYPERLIQUID xyz:TSLA"
    );
    // Another dex named: not listed there.
    let s = signal("abc:TSLA");
    assert_eq!(
        summary(&run(&s, &config, &snap, &o), &snap),
        "NO_VENUE_AVAILABLE"
    );
    // Main dex still preferred when HIP-3 is on: GOLD → HL xyz:GOLD only with the flag.
    let s = signal("GOLD");
    assert_eq!(
        summary(&run(&s, &config, &snap, &hip3), &snap),
        "HYPERLIQUID xyz:GOLD"
    );
    let s = signal("BTC");
    assert_eq!(
        summary(&run(&s, &config, &snap, &hip3), &snap),
        "HYPERLIQUID BTC"
    );
}

#[test]
fn listed_market_wins_over_a_delisted_duplicate() {
    let mut old = hl("kSHIB", 40, 10);
    old.delisted = true;
    let mut new = hl("SHIB", 90, 10);
    new.market_index = Some(90);
    let snap = MarketSnapshot::new(vec![old, new], &fresh());
    let o = RoutingOptions::defaults_at(now());
    let d = run(
        &signal("SHIB"),
        &RoutingConfig::builtin_default(),
        &snap,
        &o,
    );
    assert_eq!(summary(&d, &snap), "HYPERLIQUID SHIB");
}

/// Markets with the figures the strategies compare.
fn strategy_snapshot(tweak: impl Fn(&mut Vec<MarketRow>)) -> MarketSnapshot {
    let mut h = hl("BTC", 0, 40);
    h.figures.open_interest_usd = Some(2.0e9);
    h.figures.day_volume_usd = Some(3.0e9);
    h.figures.spread_bps = Some(1.0);
    h.figures.taker_fee_bps = Some(4.5);
    let mut o = os("BTC", "USD", 0, 100);
    o.figures.max_open_interest_usd = Some(10.0e6);
    o.figures.long_open_interest_usd = Some(4.0e6);
    o.figures.short_open_interest_usd = Some(9.5e6);
    o.figures.spread_bps = Some(2.0);
    o.figures.taker_fee_bps = Some(3.0);
    let mut list = vec![h, o];
    tweak(&mut list);
    MarketSnapshot::new(list, &fresh())
}

#[test]
fn figures_follow_the_documented_formulas() {
    let snap = strategy_snapshot(|_| {});
    let h = snap.market(0).expect("hl");
    let o = snap.market(1).expect("os");
    assert_eq!(liquidity_usd(h, Side::Long), Some(2.0e9));
    assert_eq!(liquidity_usd(o, Side::Long), Some(6.0e6));
    assert_eq!(liquidity_usd(o, Side::Short), Some(0.5e6));
    assert_eq!(cost_bps(h), Some(5.0));
    assert_eq!(cost_bps(o), Some(4.0));
    // Over-full side: capacity floors at zero.
    let mut full = o.clone();
    full.figures.long_open_interest_usd = Some(12.0e6);
    assert_eq!(liquidity_usd(&full, Side::Long), Some(0.0));
    // Hyperliquid main dex without a synced fee: base tier; HIP-3 without one: unknown.
    let mut no_fee = h.clone();
    no_fee.figures.taker_fee_bps = None;
    no_fee.figures.spread_bps = None;
    assert_eq!(cost_bps(&no_fee), Some(4.5));
    no_fee.dex = Some("xyz".to_owned());
    assert_eq!(cost_bps(&no_fee), None);
    let mut no_oi = h.clone();
    no_oi.figures.open_interest_usd = None;
    assert_eq!(liquidity_usd(&no_oi, Side::Long), None);
}

#[test]
fn strategies_pick_by_their_figure_with_fallbacks() {
    struct Case {
        name: &'static str,
        strategy: Strategy,
        side: &'static str,
        tweak: fn(&mut Vec<MarketRow>),
        want: &'static str,
        choice: Choice,
        note: &'static str,
    }
    let cases = [
        Case {
            name: "liquidity: Hyperliquid deeper",
            strategy: Strategy::BestLiquidity,
            side: "LONG",
            tweak: |_| {},
            want: "HYPERLIQUID BTC",
            choice: Choice::Best,
            note: "BEST_LIQUIDITY: HYPERLIQUID $2.00B vs OSTIUM $6.00M (highest liquidity)",
        },
        Case {
            name: "liquidity: Ostium capacity larger than a thin Hyperliquid book",
            strategy: Strategy::BestLiquidity,
            side: "LONG",
            tweak: |m| m[0].figures.day_volume_usd = Some(1.0e6),
            want: "OSTIUM BTC/USD",
            choice: Choice::Best,
            note: "BEST_LIQUIDITY: HYPERLIQUID $1.00M vs OSTIUM $6.00M (highest liquidity)",
        },
        Case {
            name: "liquidity: side matters (short capacity is small)",
            strategy: Strategy::BestLiquidity,
            side: "SHORT",
            tweak: |m| m[0].figures.day_volume_usd = Some(1.0e6),
            want: "HYPERLIQUID BTC",
            choice: Choice::Best,
            note: "BEST_LIQUIDITY: HYPERLIQUID $1.00M vs OSTIUM $500.0k (highest liquidity)",
        },
        Case {
            name: "liquidity: tie falls back to priority",
            strategy: Strategy::BestLiquidity,
            side: "LONG",
            tweak: |m| {
                m[0].figures.open_interest_usd = Some(6.0e6);
            },
            want: "HYPERLIQUID BTC",
            choice: Choice::Tie,
            note: "BEST_LIQUIDITY: HYPERLIQUID $6.00M vs OSTIUM $6.00M (tie, fell back to priority order)",
        },
        Case {
            name: "liquidity: missing metric falls back to priority",
            strategy: Strategy::BestLiquidity,
            side: "LONG",
            tweak: |m| {
                m[0].figures.day_volume_usd = Some(1.0);
                m[1].figures.max_open_interest_usd = None;
            },
            want: "HYPERLIQUID BTC",
            choice: Choice::MissingMetric,
            note: "BEST_LIQUIDITY: liquidity unknown for OSTIUM, fell back to priority order",
        },
        Case {
            name: "liquidity: one venue closed, the other is the only candidate",
            strategy: Strategy::BestLiquidity,
            side: "LONG",
            tweak: |m| {
                m[0].is_active = false;
            },
            want: "OSTIUM BTC/USD",
            choice: Choice::OnlyCandidate,
            note: "BEST_LIQUIDITY: OSTIUM is the only available venue",
        },
        Case {
            name: "fees: Ostium cheaper",
            strategy: Strategy::LowestFees,
            side: "LONG",
            tweak: |_| {},
            want: "OSTIUM BTC/USD",
            choice: Choice::Best,
            note: "LOWEST_FEES: HYPERLIQUID 5.00 bps vs OSTIUM 4.00 bps (lowest cost estimate)",
        },
        Case {
            name: "fees: tie falls back to priority",
            strategy: Strategy::LowestFees,
            side: "LONG",
            tweak: |m| m[1].figures.spread_bps = Some(4.0),
            want: "HYPERLIQUID BTC",
            choice: Choice::Tie,
            note: "LOWEST_FEES: HYPERLIQUID 5.00 bps vs OSTIUM 5.00 bps (tie, fell back to priority order)",
        },
        Case {
            name: "fees: Ostium fee unknown",
            strategy: Strategy::LowestFees,
            side: "LONG",
            tweak: |m| m[1].figures.taker_fee_bps = None,
            want: "HYPERLIQUID BTC",
            choice: Choice::MissingMetric,
            note: "LOWEST_FEES: cost estimate unknown for OSTIUM, fell back to priority order",
        },
        Case {
            name: "fees: cheapest venue closed never wins",
            strategy: Strategy::LowestFees,
            side: "LONG",
            tweak: |m| m[1].market_open = Some(false),
            want: "HYPERLIQUID BTC",
            choice: Choice::OnlyCandidate,
            note: "LOWEST_FEES: HYPERLIQUID is the only available venue",
        },
    ];
    let o = RoutingOptions::defaults_at(now());
    for case in cases {
        let snap = strategy_snapshot(case.tweak);
        let mut s = signal("BTC");
        s.side = case.side.to_owned();
        let d = run(&s, &cfg(&[HL, OS], case.strategy, true), &snap, &o);
        assert_eq!(summary(&d, &snap), case.want, "{}", case.name);
        assert!(
            matches!(d.outcome, Outcome::Routed { choice, .. } if choice == case.choice),
            "{}: {:?}",
            case.name,
            d.outcome
        );
        let r = render(&s, &d, &[], &snap, &o);
        // Comparing strategies check every considered venue.
        assert_eq!(
            r.checked_venues,
            vec!["HYPERLIQUID", "OSTIUM"],
            "{}",
            case.name
        );
        let note = r.routing_reason.split("; ").nth(1).unwrap_or_default();
        assert_eq!(note, case.note, "{}", case.name);
    }
}

#[test]
fn availability_json_records_each_venues_figures() {
    let snap = strategy_snapshot(|_| {});
    let o = RoutingOptions::defaults_at(now());
    let s = signal("BTC");
    let d = run(
        &s,
        &cfg(&[HL, OS], Strategy::BestLiquidity, true),
        &snap,
        &o,
    );
    let r = render(&s, &d, &[], &snap, &o);
    let json: serde_json::Value = serde_json::from_str(&r.venue_availability).expect("json");
    assert_eq!(json["HYPERLIQUID"]["liquidity_usd"].as_f64(), Some(2.0e9));
    assert_eq!(json["OSTIUM"]["liquidity_usd"].as_f64(), Some(6.0e6));
    assert_eq!(json["HYPERLIQUID"]["cost_bps"].as_f64(), Some(5.0));
    assert_eq!(json["OSTIUM"]["cost_bps"].as_f64(), Some(4.0));
    assert_eq!(json["HYPERLIQUID"]["selected"], json!(true));
    assert!(json["OSTIUM"].get("selected").is_none());
}

#[test]
fn config_notes_end_the_reason() {
    let snap = snapshot();
    let o = RoutingOptions::defaults_at(now());
    let s = signal("DOGE");
    let d = run(&s, &RoutingConfig::builtin_default(), &snap, &o);
    let notes = vec!["agent config ignored: unknown venue `FOO`".to_owned()];
    let r = render(&s, &d, &notes, &snap, &o);
    assert_eq!(
        r.routing_reason,
        "NO_VENUE_AVAILABLE: HYPERLIQUID: NOT_LISTED → OSTIUM: NOT_LISTED; config: agent config ignored: unknown venue `FOO`"
    );
    assert_eq!(r.skipped_reason.as_deref(), Some(r.routing_reason.as_str()));
}

#[test]
fn json_escapes_hostile_market_names() {
    let mut m = hl("BTC", 0, 40);
    m.token_symbol = "B\"T\\C\u{1}".to_owned();
    let snap = MarketSnapshot::new(vec![m], &fresh());
    let o = RoutingOptions::defaults_at(now());
    let s = signal("BTC");
    let d = run(&s, &RoutingConfig::builtin_default(), &snap, &o);
    let r = render(&s, &d, &[], &snap, &o);
    let json: serde_json::Value = serde_json::from_str(&r.venue_availability).expect("valid json");
    assert_eq!(json["HYPERLIQUID"]["market"], json!("B\"T\\C\u{1}"));
}

#[test]
fn ages_format_compactly() {
    assert_eq!(render::format_age(TimeDelta::seconds(45)), "45s");
    assert_eq!(render::format_age(TimeDelta::minutes(30)), "30m");
    assert_eq!(render::format_age(TimeDelta::hours(26)), "26h");
    assert_eq!(render::format_age(TimeDelta::days(5)), "5d");
}

fn deployed(token: &str, status: &str, enabled: Option<&[&str]>) -> PendingSignal {
    PendingSignal {
        deployment: Some(Deployment {
            id: Uuid::from_u128(77),
            status: Some(status.to_owned()),
            enabled_venues: enabled.map(|l| l.iter().map(|v| (*v).to_owned()).collect()),
        }),
        ..signal(token)
    }
}

fn decide_with(s: &PendingSignal, positions: &OpenPositions) -> (Decision, String) {
    let snap = snapshot();
    let o = RoutingOptions::defaults_at(now());
    let requested = s.leverage.as_ref().ok().copied().flatten();
    let d = decide(
        s,
        Token::parse(&s.token_symbol),
        &RoutingConfig::builtin_default(),
        ConfigSource::Default,
        OrderSize::of(&s.size, requested, None),
        &snap,
        positions,
        &o,
    );
    let reason = render(s, &d, &[], &snap, &o).routing_reason;
    (d, reason)
}

#[test]
fn deployments_restrict_venues_and_inactive_ones_skip() {
    let none = OpenPositions::default();
    // Both enabled: as without a deployment.
    let (d, _) = decide_with(
        &deployed("BTC", "ACTIVE", Some(&["HYPERLIQUID", "OSTIUM"])),
        &none,
    );
    assert_eq!(d.venue(), Some(HL));
    // Hyperliquid not enabled: BTC goes to Ostium, Hyperliquid marked.
    let (d, reason) = decide_with(&deployed("BTC", "ACTIVE", Some(&["OSTIUM"])), &none);
    assert_eq!(d.venue(), Some(OS), "{reason}");
    assert!(
        reason.starts_with("HYPERLIQUID: NOT_ENABLED → OSTIUM: available"),
        "{reason}"
    );
    // Gold only on Ostium, deployment on Hyperliquid only: NO_ENABLED_VENUE.
    let (d, reason) = decide_with(&deployed("XAU", "ACTIVE", Some(&["HYPERLIQUID"])), &none);
    assert_eq!(
        d.skip().map(Skip::code),
        Some("NO_ENABLED_VENUE"),
        "{reason}"
    );
    assert!(
        reason.contains("HYPERLIQUID: NOT_LISTED → OSTIUM: NOT_ENABLED"),
        "{reason}"
    );
    assert!(
        reason.ends_with("(the deployment enables HYPERLIQUID)"),
        "{reason}"
    );
    // Not listed anywhere: enabling would not help, NO_VENUE_AVAILABLE.
    let (d, _) = decide_with(&deployed("NOPE", "ACTIVE", Some(&["HYPERLIQUID"])), &none);
    assert_eq!(d.skip().map(Skip::code), Some("NO_VENUE_AVAILABLE"));
    // An empty list enables nothing; NULL restricts nothing.
    let (d, _) = decide_with(&deployed("BTC", "ACTIVE", Some(&[])), &none);
    assert_eq!(d.skip().map(Skip::code), Some("NO_ENABLED_VENUE"));
    let (d, _) = decide_with(&deployed("BTC", "ACTIVE", None), &none);
    assert_eq!(d.venue(), Some(HL));
    // Paused, cancelled or missing deployments.
    for status in ["PAUSED", "CANCELLED"] {
        let (d, reason) = decide_with(&deployed("BTC", status, None), &none);
        assert_eq!(d.skip().map(Skip::code), Some("DEPLOYMENT_INACTIVE"));
        assert!(reason.ends_with(&format!("is {status}")), "{reason}");
    }
    let mut gone = deployed("BTC", "ACTIVE", None);
    if let Some(d) = gone.deployment.as_mut() {
        d.status = None;
    }
    let (d, reason) = decide_with(&gone, &none);
    assert_eq!(d.skip().map(Skip::code), Some("DEPLOYMENT_INACTIVE"));
    assert!(reason.ends_with("is missing"), "{reason}");
}

#[test]
fn open_positions_decide_the_venue_ahead_of_the_strategy() {
    let dep = Uuid::from_u128(77);
    // A position on Ostium recorded as `btc/usd`: the same token as `$BTC`.
    let ostium = OpenPositions::new([(dep, "OSTIUM", "btc/usd")]);
    let s = deployed("$BTC", "ACTIVE", Some(&["HYPERLIQUID"]));
    let (d, reason) = decide_with(&s, &ostium);
    assert_eq!(d.venue(), Some(OS), "{reason}");
    assert_eq!(
        d.checks.as_slice().len(),
        1,
        "only the position's venue is checked"
    );
    assert!(reason.contains("OPEN_POSITION"), "{reason}");
    // Another deployment's position does not count.
    let other = OpenPositions::new([(Uuid::from_u128(78), "OSTIUM", "BTC")]);
    let (d, _) = decide_with(&deployed("BTC", "ACTIVE", None), &other);
    assert_eq!(d.venue(), Some(HL));
    // A position where the market is closed: skipped, never sent elsewhere.
    let tsla = OpenPositions::new([(dep, "OSTIUM", "TSLA")]);
    let (d, reason) = decide_with(&deployed("TSLA", "ACTIVE", None), &tsla);
    assert_eq!(
        d.skip().map(Skip::code),
        Some("POSITION_VENUE_UNAVAILABLE"),
        "{reason}"
    );
    assert!(reason.contains("OSTIUM: MARKET_CLOSED"), "{reason}");
    // Positions on two venues, or on a venue no signal is routed to.
    let both = OpenPositions::new([(dep, "OSTIUM", "ETH"), (dep, "HYPERLIQUID", "ETH-PERP")]);
    let (d, reason) = decide_with(&deployed("ETH", "ACTIVE", None), &both);
    assert_eq!(
        d.skip().map(Skip::code),
        Some("CONFLICTING_POSITIONS"),
        "{reason}"
    );
    assert!(reason.contains("on HYPERLIQUID and OSTIUM"), "{reason}");
    let multi = OpenPositions::new([(dep, "MULTI", "ETH")]);
    let (d, reason) = decide_with(&deployed("ETH", "ACTIVE", None), &multi);
    assert_eq!(
        d.skip().map(Skip::code),
        Some("CONFLICTING_POSITIONS"),
        "{reason}"
    );
    assert!(reason.contains("on MULTI"), "{reason}");
}

/// Issue 22: the position rule hands over the executor symbol too, and a
/// position Maxxit's executor opened from a handed-over symbol (`JPY` for
/// USD/JPY) is the same token as the agent's `USDJPY`.
#[test]
fn the_position_rule_hands_over_the_executor_symbol_and_reads_it_back() {
    let snap = snapshot();
    let o = RoutingOptions {
        executor_symbol: true,
        executor_venues: Some(&crate::routing::MAXXIT_EXECUTOR_VENUES),
        ..RoutingOptions::defaults_at(now())
    };
    let dep = Uuid::from_u128(77);
    let rows = [(dep, "OSTIUM", "JPY"), (dep, "HYPERLIQUID", "kPEPE")];
    // Without the markets `JPY` is read as its own token, and misses.
    assert!(OpenPositions::new(rows).venues(dep, "USDJPY").is_empty());
    let positions = OpenPositions::with_markets(rows, Some(&snap));
    assert_eq!(positions.venues(dep, "USDJPY"), ["OSTIUM"]);
    assert_eq!(positions.venues(dep, "PEPE"), ["HYPERLIQUID"]);
    for (token, venue, handed) in [("USDJPY", OS, "JPY"), ("PEPE", HL, "kPEPE")] {
        let s = deployed(token, "ACTIVE", None);
        let d = decide(
            &s,
            Token::parse(token),
            &RoutingConfig::builtin_default(),
            ConfigSource::Default,
            OrderSize::default(),
            &snap,
            &positions,
            &o,
        );
        let r = render(&s, &d, &[], &snap, &o);
        assert_eq!(d.venue(), Some(venue), "{}", r.routing_reason);
        assert!(
            r.routing_reason.contains("OPEN_POSITION"),
            "{}",
            r.routing_reason
        );
        assert_eq!(r.executor_symbol, Some(handed), "{token}");
        assert_eq!(r.requested_token, token);
    }
    // A venue the executor does not run is NO_EXECUTOR for the position too.
    let gmx = OpenPositions::new([(dep, "GMX", "BTC")]);
    let s = deployed("BTC", "ACTIVE", None);
    let d = decide(
        &s,
        Token::parse("BTC"),
        &RoutingConfig::builtin_default(),
        ConfigSource::Default,
        OrderSize::default(),
        &snap,
        &gmx,
        &o,
    );
    assert_eq!(d.skip().map(Skip::code), Some("POSITION_VENUE_UNAVAILABLE"));
    assert_eq!(d.checks.as_slice()[0].verdict, Verdict::NoExecutor);
}

/// `venue_markets` has two writers on Maxxit: its own sync scripts (rows
/// without a canonical symbol, `is_active` = open now) and Agent Where
/// (`delisted_at` = not listed, `is_active` = listed and open now).
#[test]
fn rows_of_both_writers_read_as_each_writer_means_them() {
    let o = RoutingOptions::defaults_at(now());
    let config = RoutingConfig::builtin_default();
    let foreign = |from: &str, to: &str, pair: i32, active: bool| MarketRow {
        base_symbol: String::new(),
        market_open: None,
        is_active: active,
        ..os(from, to, pair, 50)
    };
    let mut rows = markets();
    // Maxxit's rows: DAX closed by its writer, an open USD/MXN keyed `USD`.
    let mut dax = foreign("DAX", "EUR", 15, false);
    dax.token_symbol = "DAX".to_owned();
    let mut mxn_theirs = foreign("USD", "MXN", 17, true);
    mxn_theirs.token_symbol = "USD".to_owned();
    mxn_theirs.max_leverage = Some(50);
    // Ours for the same pair, closed at the moment.
    let mut mxn_ours = os("USD", "MXN", 17, 20);
    mxn_ours.market_open = Some(false);
    mxn_ours.is_active = false;
    rows.extend([dax, mxn_theirs, mxn_ours]);
    let snap = MarketSnapshot::new(rows, &fresh());

    // A row only Maxxit keeps, inactive: not listed (nothing says "closed").
    let s = signal("DAX");
    let d = run(&s, &config, &snap, &o);
    assert_eq!(
        reason(&s, &d, &snap, &o),
        "NO_VENUE_AVAILABLE: HYPERLIQUID: NOT_LISTED → OSTIUM: DELISTED (DAX/EUR)"
    );
    // Our row wins over Maxxit's for the same market: closed, not available.
    let s = signal("USDMXN");
    let d = run(&s, &config, &snap, &o);
    assert_eq!(
        reason(&s, &d, &snap, &o),
        "NO_VENUE_AVAILABLE: HYPERLIQUID: NOT_LISTED → OSTIUM: MARKET_CLOSED (USD/MXN)"
    );
}

#[test]
fn listed_means_not_delisted_and_active_or_merely_closed() {
    let open = os("BTC", "USD", 0, 100);
    assert!(open.is_listed() && open.is_own());
    let closed = MarketRow {
        is_active: false,
        market_open: Some(false),
        ..open.clone()
    };
    assert!(closed.is_listed());
    let delisted = MarketRow {
        delisted: true,
        ..closed.clone()
    };
    assert!(!delisted.is_listed());
    let theirs_off = MarketRow {
        base_symbol: String::new(),
        is_active: false,
        market_open: None,
        ..open.clone()
    };
    assert!(!theirs_off.is_listed() && !theirs_off.is_own());
}

/// Lighter's real metadata snapshot as routing reads it, synced an hour ago.
fn lighter_snapshot(tweak: impl Fn(&mut serde_json::Value)) -> MarketSnapshot {
    use crate::venues::{http::Body, lighter};
    let mut reply: serde_json::Value =
        serde_json::from_str(lighter::RECORDED_DETAILS).expect("json");
    for d in reply["order_book_details"].as_array_mut().expect("books") {
        tweak(d);
    }
    let body = Body::new("orderBookDetails", reply.to_string().into_bytes());
    let rows = lighter::parse(&body)
        .expect("valid")
        .iter()
        .map(MarketRow::from)
        .collect();
    MarketSnapshot::new(rows, &[(Venue::Lighter, now() - TimeDelta::hours(1))])
}

fn fixed_usdc(token: &str, collateral: f64) -> PendingSignal {
    PendingSignal {
        size: SizeModel {
            kind: Some(FIXED_USDC.to_owned()),
            value: Some(collateral),
            ..SizeModel::default()
        },
        ..signal(token)
    }
}

#[test]
fn lighter_books_that_refuse_openings_are_not_routed() {
    let snap = lighter_snapshot(|_| {});
    let o = RoutingOptions::defaults_at(now());
    let config = cfg(&[Venue::Lighter], Strategy::FirstAvailable, true);
    // Active, but market_config.force_reduce_only: no new position.
    for token in ["AAOI", "USDHKD", "WDC"] {
        let s = signal(token);
        let d = run(&s, &config, &snap, &o);
        assert_eq!(summary(&d, &snap), "NO_VENUE_AVAILABLE", "{token}");
        assert_eq!(
            d.checks.as_slice()[0].verdict,
            Verdict::OpeningRefused(crate::domain::cost::OpeningRefusal::ReduceOnly),
            "{token}"
        );
        assert_eq!(
            reason(&s, &d, &snap, &o),
            format!("NO_VENUE_AVAILABLE: LIGHTER: REDUCE_ONLY ({token})")
        );
    }
    // A signal that closes an open position there is not refused.
    let deployment = Uuid::from_u128(9);
    let mut s = signal("WDC");
    s.deployment = Some(Deployment {
        id: deployment,
        status: Some("ACTIVE".to_owned()),
        enabled_venues: None,
    });
    let positions = OpenPositions::new([(deployment, "LIGHTER", "WDC")]);
    let d = decide(
        &s,
        Token::parse("WDC"),
        &config,
        ConfigSource::Default,
        OrderSize::default(),
        &snap,
        &positions,
        &o,
    );
    assert_eq!(summary(&d, &snap), "LIGHTER WDC");
    // Won-priced books take no USD-sized order; the USD twin does.
    assert_eq!(
        summary(&run(&signal("USDKRW"), &config, &snap, &o), &snap),
        "NO_VENUE_AVAILABLE"
    );
    assert_eq!(
        reason(
            &signal("USDKRW"),
            &run(&signal("USDKRW"), &config, &snap, &o),
            &snap,
            &o
        ),
        "NO_VENUE_AVAILABLE: LIGHTER: QUOTE_NOT_USD (USDKRW)"
    );
    assert_eq!(
        summary(&run(&signal("SAMSUNG"), &config, &snap, &o), &snap),
        "LIGHTER SAMSUNGUSD"
    );
}

#[test]
fn lighter_index_commodity_and_fx_tickers_meet_their_canonical_symbols() {
    let snap = lighter_snapshot(|_| {});
    let o = RoutingOptions::defaults_at(now());
    let config = cfg(&[Venue::Lighter], Strategy::FirstAvailable, true);
    for (token, want) in [
        ("US500", "LIGHTER US500"),
        ("SPX", "LIGHTER US500"),
        ("SP500", "LIGHTER US500"),
        ("WTI", "LIGHTER WTI"),
        ("CL", "LIGHTER WTI"),
        ("EURUSD", "LIGHTER EURUSD"),
        ("EUR/USD", "LIGHTER EURUSD"),
        ("US100", "LIGHTER US100"),
        ("XCU", "LIGHTER XCU"),
        // Lighter's `SPX` book is the SPX6900 memecoin.
        ("SPX6900", "LIGHTER SPX"),
    ] {
        let d = run(&signal(token), &config, &snap, &o);
        assert_eq!(summary(&d, &snap), want, "{token}");
    }
}

#[test]
fn lighter_order_quote_limit_is_a_per_order_capacity() {
    // USDHKD as the snapshot has it, but taking openings (its
    // force_reduce_only lifted), to exercise its 25 USD order_quote_limit.
    let snap = lighter_snapshot(|d| {
        if d["symbol"] == "USDHKD" {
            d["market_config"]["force_reduce_only"] = json!(false);
        }
    });
    let o = RoutingOptions::defaults_at(now());
    let config = cfg(&[Venue::Lighter], Strategy::FirstAvailable, true);
    let s = fixed_usdc("USDHKD", 100.0);
    let d = run(&s, &config, &snap, &o);
    assert_eq!(summary(&d, &snap), "NO_VENUE_AVAILABLE");
    assert_eq!(
        d.checks.as_slice()[0].verdict,
        Verdict::AboveCapacity {
            notional: 100.0,
            capacity: 25.0,
            per_order: true
        }
    );
    assert_eq!(
        reason(&s, &d, &snap, &o),
        "NO_VENUE_AVAILABLE: LIGHTER: ABOVE_CAPACITY (USDHKD: $100 order, $25 max per order)"
    );
    let small = run(&fixed_usdc("USDHKD", 20.0), &config, &snap, &o);
    assert_eq!(summary(&small, &snap), "LIGHTER USDHKD");
    // Without a known notional the cap refuses nothing.
    assert_eq!(
        summary(&run(&signal("USDHKD"), &config, &snap, &o), &snap),
        "LIGHTER USDHKD"
    );
}
