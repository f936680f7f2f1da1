//! Deciding one signal: validity, expiry, each considered venue's verdict,
//! then the strategy's choice among the available venues.

use super::snapshot::{MarketSnapshot, SymbolMarkets, slot};
use super::strategy;
use super::types::{
    Checks, Choice, Decision, Invalid, MarketRow, OpenPositions, Outcome, PendingSignal,
    RoutingOptions, Skip, VenueCheck, Verdict,
};
use crate::domain::{ConfigSource, RoutingConfig, Side, Strategy, Venue};
use crate::symbols::{SymbolError, Token};

/// Decides one signal whose token the caller parsed once (to look its
/// configuration up with the canonical symbol).
///
/// Order: an invalid signal (token, side, size_model) is skipped as
/// `INVALID_SIGNAL`; then an expired one as `SIGNAL_EXPIRED`; then one whose
/// deployment does not trade now as `DEPLOYMENT_INACTIVE`. When the
/// deployment holds an open position in the token, that position's venue
/// decides (`OPEN_POSITION`, ahead of the strategy and of the deployment's
/// enabled venues: the position is closed or flipped where it is); positions
/// on two venues are `CONFLICTING_POSITIONS`, a position venue that cannot
/// take the signal `POSITION_VENUE_UNAVAILABLE`. Otherwise the considered
/// venues (the whole priority list with failover, else only its first venue)
/// are checked in order, a venue that could take the signal but that the
/// deployment has not enabled being `NOT_ENABLED`, and the strategy picks
/// among the available ones; none available is `NO_ENABLED_VENUE` when a
/// venue was refused only because it is not enabled, else
/// `NO_VENUE_AVAILABLE`.
#[must_use]
#[allow(clippy::too_many_arguments)]
pub fn decide(
    signal: &PendingSignal,
    token: Result<Token, SymbolError>,
    config: &RoutingConfig,
    config_source: ConfigSource,
    snapshot: &MarketSnapshot,
    positions: &OpenPositions,
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
    let deployment = signal.deployment.as_ref();
    if deployment.is_some_and(|d| !d.is_active()) {
        decision.outcome = Outcome::Skipped(Skip::DeploymentInactive);
        return decision;
    }
    let entry = snapshot.entry(&token.canonical);
    let named_dex = token.dex.as_deref();
    let held = deployment.map_or(&[][..], |d| positions.venues(d.id, &token.canonical));
    match held {
        [] => {}
        [label] => {
            let Some(venue) = label.parse::<Venue>().ok().filter(|v| v.is_routable()) else {
                decision.outcome = Outcome::Skipped(Skip::ConflictingPositions {
                    venues: held.to_vec(),
                });
                return decision;
            };
            let check = check_venue(venue, entry, named_dex, leverage, snapshot, options);
            decision.checks.push(check);
            decision.outcome = if check.verdict.is_available() {
                Outcome::Routed {
                    check: 0,
                    choice: Choice::OpenPosition,
                }
            } else {
                Outcome::Skipped(Skip::PositionVenueUnavailable)
            };
            return decision;
        }
        _ => {
            decision.outcome = Outcome::Skipped(Skip::ConflictingPositions {
                venues: held.to_vec(),
            });
            return decision;
        }
    }
    let stops_at_first = config.routing_strategy == Strategy::FirstAvailable;
    for &venue in config.considered_venues() {
        if decision.checks.contains(venue) {
            continue;
        }
        let mut check = check_venue(venue, entry, named_dex, leverage, snapshot, options);
        // A venue that could take the signal but that the deployment has
        // not enabled is NOT_ENABLED; one that could not take it anyway
        // keeps its own verdict (enabling it would change nothing).
        if check.verdict.is_available() && deployment.is_some_and(|d| !d.enables(venue)) {
            check.verdict = Verdict::NotEnabled;
        }
        decision.checks.push(check);
        if stops_at_first && check.verdict.is_available() {
            break;
        }
    }
    let checks = decision.checks.as_slice();
    if !checks.iter().any(|c| c.verdict.is_available())
        && checks.iter().any(|c| c.verdict == Verdict::NotEnabled)
    {
        decision.outcome = Outcome::Skipped(Skip::NoEnabledVenue);
        return decision;
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
    if m.delisted {
        return Verdict::Delisted;
    }
    if m.market_open == Some(false) {
        return Verdict::MarketClosed;
    }
    if !m.is_active {
        return Verdict::Delisted;
    }
    if let (Some(requested), Some(max)) = (leverage, m.max_leverage)
        && requested > f64::from(max)
    {
        return Verdict::LeverageAboveMax { requested, max };
    }
    Verdict::Available
}
