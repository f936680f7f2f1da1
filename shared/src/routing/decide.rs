//! Deciding one signal: validity, expiry, each considered venue's verdict,
//! then the strategy's choice among the available venues.

use super::snapshot::{MarketSnapshot, SymbolMarkets, slot};
use super::strategy;
use super::types::{
    Checks, Decision, Invalid, MarketRow, Outcome, PendingSignal, RoutingOptions, Skip, VenueCheck,
    Verdict,
};
use crate::domain::{ConfigSource, RoutingConfig, Side, Strategy, Venue};
use crate::symbols::{SymbolError, Token};

/// Decides one signal whose token the caller parsed once (to look its
/// configuration up with the canonical symbol).
///
/// Order: an invalid signal (token, side, size_model) is skipped as
/// `INVALID_SIGNAL`; then an expired one as `SIGNAL_EXPIRED`; then the
/// considered venues (the whole priority list with failover, else only its
/// first venue) are checked in order and the strategy picks among the
/// available ones; none available is `NO_VENUE_AVAILABLE`.
#[must_use]
pub fn decide(
    signal: &PendingSignal,
    token: Result<Token, SymbolError>,
    config: &RoutingConfig,
    config_source: ConfigSource,
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
        let check = check_venue(venue, entry, named_dex, leverage, snapshot, options);
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
    ) {
        decision.outcome = Outcome::Routed {
            check: u8::try_from(index).unwrap_or(0),
            choice,
        };
    }
    decision
}

fn check_venue(
    venue: Venue,
    entry: Option<&SymbolMarkets>,
    named_dex: Option<&str>,
    leverage: Option<f64>,
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
    if named_dex.is_some() && !info.builder_dexes {
        // `xyz:BTC` names a market of the builder dex `xyz` (Hyperliquid
        // HIP-3): a venue without builder dexes does not list it, whatever
        // it lists under the same asset.
        check.verdict = Verdict::NotListed;
        return check;
    }
    let fresh = snapshot.last_sync[s].is_some_and(|at| options.now - at <= options.max_market_age);
    let market_verdict = |i: u32| market_verdict(&snapshot.markets[i as usize], leverage);
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

fn market_verdict(m: &MarketRow, leverage: Option<f64>) -> Verdict {
    if !m.is_listed() {
        return Verdict::Delisted;
    }
    if m.market_open == Some(false) {
        return Verdict::MarketClosed;
    }
    if let (Some(requested), Some(max)) = (leverage, m.max_leverage)
        && requested > f64::from(max)
    {
        return Verdict::LeverageAboveMax { requested, max };
    }
    Verdict::Available
}
