//! Deciding one signal: validity, expiry, each considered venue's verdict,
//! then the strategy's choice among the available venues.

use chrono::{DateTime, Utc};

use super::snapshot::{MarketSnapshot, SymbolMarkets, slot};
use super::strategy;
use super::types::{
    Checks, Decision, Invalid, MarketRow, OrderSize, Outcome, PendingSignal, RoutingOptions, Skip,
    VenueCheck, Verdict,
};
use crate::cost::in_overnight_window;
use crate::domain::{ConfigSource, RoutingConfig, Side, Strategy, Venue};
use crate::symbols::{SymbolError, Token};

/// Decides one signal whose token the caller parsed once (to look its
/// configuration up with the canonical symbol).
///
/// Order: an invalid signal (token, side, size_model) is skipped as
/// `INVALID_SIGNAL`; then an expired one as `SIGNAL_EXPIRED`; then the
/// considered venues (the whole priority list with failover, else only its
/// first venue) are checked in order and the strategy picks among the
/// available ones; none available is `NO_VENUE_AVAILABLE`. `order` is the
/// signal's order as the batch sized it ([`OrderSize::of`]): a venue whose
/// market is at its open-interest cap on the signal's side, or has less
/// capacity left than the order, is not available.
#[must_use]
pub fn decide(
    signal: &PendingSignal,
    token: Result<Token, SymbolError>,
    config: &RoutingConfig,
    config_source: ConfigSource,
    order: OrderSize,
    snapshot: &MarketSnapshot,
    options: &RoutingOptions,
) -> Decision {
    let side = Side::parse(&signal.side);
    let mut decision = Decision {
        token,
        outcome: Outcome::Skipped(Skip::NoVenueAvailable),
        strategy: config.routing_strategy,
        config_source,
        failover_enabled: config.failover_enabled,
        checks: Checks::default(),
        side,
        order,
    };
    let token = match &decision.token {
        Ok(t) => t,
        Err(e) => {
            decision.outcome = Outcome::Skipped(Skip::InvalidSignal(Invalid::Token(e.clone())));
            return decision;
        }
    };
    let Some(side) = side else {
        decision.outcome = Outcome::Skipped(Skip::InvalidSignal(Invalid::Side));
        return decision;
    };
    let leverage = match &signal.leverage {
        Ok(l) => *l,
        Err(e) => {
            decision.outcome = Outcome::Skipped(Skip::InvalidSignal(Invalid::SizeModel(e.clone())));
            return decision;
        }
    };
    let age = options.now - signal.created_at;
    if age > options.max_signal_age {
        decision.outcome = Outcome::Skipped(Skip::SignalExpired { age });
        return decision;
    }
    let entry = snapshot.entry(&token.canonical);
    let named_dex = token.dex.as_deref();
    let stops_at_first = config.routing_strategy == Strategy::FirstAvailable;
    for &venue in config.considered_venues() {
        if decision.checks.contains(venue) {
            continue;
        }
        let wanted = Wanted {
            leverage,
            side,
            order: &order,
            now: options.now,
        };
        let check = check_venue(venue, entry, named_dex, &wanted, snapshot, options);
        decision.checks.push(check);
        if stops_at_first && check.verdict.is_available() {
            break;
        }
    }
    if let Some((index, choice)) = strategy::select(
        config.routing_strategy,
        &mut decision.checks,
        snapshot,
        side,
        &order,
        options.now,
    ) {
        decision.outcome = Outcome::Routed {
            check: u8::try_from(index).unwrap_or(0),
            choice,
        };
    }
    decision
}

/// What a signal asks of a market.
struct Wanted<'a> {
    leverage: Option<f64>,
    side: Side,
    order: &'a OrderSize,
    now: DateTime<Utc>,
}

fn check_venue(
    venue: Venue,
    entry: Option<&SymbolMarkets>,
    named_dex: Option<&str>,
    wanted: &Wanted<'_>,
    snapshot: &MarketSnapshot,
    options: &RoutingOptions,
) -> VenueCheck {
    let mut check = VenueCheck {
        venue,
        verdict: Verdict::UnsupportedVenue,
        market: None,
        figure: None,
    };
    let (Some(s), Some(info)) = (slot(venue), venue.info()) else {
        return check;
    };
    let fresh = snapshot.last_sync[s].is_some_and(|at| options.now - at <= options.max_market_age);
    let market_verdict = |i: u32| market_verdict(&snapshot.markets[i as usize], wanted);
    let mut first: Option<(u32, Verdict)> = None;
    let mut available: Option<u32> = None;
    if let Some(entry) = entry {
        let hip3_ok = info.builder_dexes && (options.include_hip3 || named_dex.is_some());
        let main = if named_dex.is_some() && info.builder_dexes {
            None
        } else {
            entry.main[s]
        };
        let hip3 = entry.hip3.iter().copied().filter(|&i| {
            hip3_ok
                && named_dex.is_none_or(|d| {
                    snapshot.markets[i as usize]
                        .dex
                        .as_deref()
                        .is_some_and(|md| md.eq_ignore_ascii_case(d))
                })
        });
        for i in main.into_iter().chain(hip3) {
            let v = market_verdict(i);
            if first.is_none() {
                first = Some((i, v));
            }
            if v.is_available() {
                available = Some(i);
                break;
            }
        }
    }
    match (available, first) {
        (Some(i), _) => {
            check.market = Some(i);
            check.verdict = Verdict::Available;
        }
        (None, Some((i, v))) => {
            check.market = Some(i);
            check.verdict = v;
        }
        (None, None) => check.verdict = Verdict::NotListed,
    }
    if !fresh {
        check.verdict = Verdict::StaleMarketData;
    }
    check
}

fn market_verdict(m: &MarketRow, wanted: &Wanted<'_>) -> Verdict {
    if !m.is_listed() {
        return Verdict::Delisted;
    }
    if m.market_open == Some(false) {
        return Verdict::MarketClosed;
    }
    if let Some(requested) = wanted.leverage {
        let overnight = m
            .overnight_max_leverage
            .filter(|o| o.is_finite() && *o >= 1.0)
            .filter(|_| {
                in_overnight_window(m.day_trading_closed, m.day_trading_toggle_at, wanted.now)
            });
        #[allow(clippy::cast_possible_truncation)]
        let cap = match (m.max_leverage, overnight) {
            (Some(max), Some(o)) => Some((f64::from(max).min(o.floor()) as i32, true)),
            (None, Some(o)) => Some((o.floor().min(f64::from(i32::MAX)) as i32, true)),
            (Some(max), None) => Some((max, false)),
            (None, None) => None,
        };
        if let Some((max, overnight)) = cap
            && requested > f64::from(max)
        {
            return Verdict::LeverageAboveMax {
                requested,
                max,
                overnight,
            };
        }
    }
    let capacity = match wanted.side {
        Side::Long => m.long_capacity_usd,
        Side::Short => m.short_capacity_usd,
    };
    if let Some(capacity) = capacity.filter(|c| !c.is_nan()) {
        if capacity <= 0.0 {
            return Verdict::OpenInterestCap { side: wanted.side };
        }
        if let Some(notional) = wanted.order.notional_usd
            && notional > capacity
        {
            return Verdict::AboveCapacity { notional, capacity };
        }
    }
    Verdict::Available
}
