//! Deciding one signal: validity, expiry, each considered venue's verdict,
//! then the strategy's choice among the available venues.

use chrono::{DateTime, Utc};

use super::decision::{
    Checks, Choice, Decision, Invalid, Outcome, RoutingOptions, Skip, VenueCheck, Verdict,
};
use super::deployment::OpenPositions;
use super::handoff::ExecutorSymbol;
use super::market_row::MarketRow;
#[cfg(doc)]
use super::signal::SizeModel;
use super::signal::{OrderSize, PendingSignal};
use super::snapshot::{MarketSnapshot, SymbolMarkets, slot};
use super::strategy;
use crate::domain::cost::in_overnight_window;
use crate::domain::{ConfigSource, RoutingConfig, Side, Strategy, Venue};
use crate::symbols::{SymbolError, Token};

/// Decides one signal whose token the caller parsed once (to look its
/// configuration up with the canonical symbol).
///
/// Order: an invalid signal (token, side, size_model's leverage, an
/// impossible size: [`SizeModel::check`]) is skipped as `INVALID_SIGNAL`; then an expired one as `SIGNAL_EXPIRED`; then one whose
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
/// `NO_VENUE_AVAILABLE`. `order` is the signal's order as the batch sized it
/// ([`OrderSize::of`]): a considered venue whose market is at its
/// open-interest cap on the signal's side, has less capacity left than the
/// order, accepts smaller orders only, or takes no opening order at all
/// (reduce-only, hidden, not priced in USD) is not available (an open
/// position's venue is refused for none of these: the signal may close the
/// position, and positions do not say their side).
#[must_use]
#[allow(clippy::too_many_arguments)]
pub fn decide(
    signal: &PendingSignal,
    token: Result<Token, SymbolError>,
    config: &RoutingConfig,
    config_source: ConfigSource,
    order: OrderSize,
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
    if let Err(e) = signal.size.check(leverage) {
        decision.outcome = Outcome::Skipped(Skip::InvalidSignal(Invalid::SizeModel(e)));
        return decision;
    }
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
            let wanted = Wanted {
                leverage,
                side,
                order: &order,
                now: options.now,
                capacity: false,
            };
            let check = check_venue(venue, entry, named_dex, &wanted, snapshot, options);
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
        let wanted = Wanted {
            leverage,
            side,
            order: &order,
            now: options.now,
            capacity: true,
        };
        let mut check = check_venue(venue, entry, named_dex, &wanted, snapshot, options);
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
    /// Whether the market's open-interest capacity is checked.
    capacity: bool,
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
    if named_dex.is_some() && !info.builder_dexes {
        // `xyz:BTC` names a market of the builder dex `xyz` (Hyperliquid
        // HIP-3): a venue without builder dexes does not list it, whatever
        // it lists under the same asset.
        check.verdict = Verdict::NotListed;
        return check;
    }
    if options
        .executor_venues
        .is_some_and(|runs| !runs.contains(&venue))
    {
        // The host's executor would not run the signal there (Maxxit's:
        // "Venue … not supported yet"), and the configuration does not
        // allow the venue explicitly.
        check.verdict = Verdict::NoExecutor;
        return check;
    }
    let fresh = snapshot.last_sync[s].is_some_and(|at| options.now - at <= options.max_market_age);
    let market_verdict = |i: u32| {
        let v = market_verdict(&snapshot.markets[i as usize], wanted);
        // A market the executor cannot be told about unambiguously is
        // unavailable for a host whose executor trades the token as written.
        if v.is_available()
            && options.executor_symbol
            && matches!(
                snapshot.executor_symbol(i),
                Some(ExecutorSymbol::Unaddressable)
            )
        {
            return Verdict::NoExecutorSymbol;
        }
        v
    };
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
    // Issue 23: illustrative markets never route outside a demo database.
    if snapshot.built_in[s] {
        check.verdict = Verdict::BuiltInMarketData;
    }
    check
}

fn market_verdict(m: &MarketRow, wanted: &Wanted<'_>) -> Verdict {
    if m.delisted {
        return Verdict::Delisted;
    }
    if m.market_open == Some(false) {
        return Verdict::MarketClosed;
    }
    if !m.is_active {
        return Verdict::Delisted;
    }
    if let Some(requested) = wanted.leverage {
        let overnight = m
            .cost
            .overnight_max_leverage
            .filter(|o| o.is_finite() && *o >= 1.0)
            .filter(|_| {
                in_overnight_window(
                    m.cost.day_trading_closed,
                    m.cost.day_trading_toggle_at,
                    wanted.now,
                )
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
    if !wanted.capacity {
        return Verdict::Available;
    }
    if let Some(refusal) = m.opening_refusal {
        return Verdict::OpeningRefused(refusal);
    }
    let capacity = m.cost.capacity_usd(wanted.side).filter(|c| !c.is_nan());
    if capacity.is_some_and(|c| c <= 0.0) {
        return Verdict::OpenInterestCap { side: wanted.side };
    }
    // The tighter of what the side has left and what one order may be.
    let bound = match (capacity, m.max_order_usd.filter(|c| !c.is_nan())) {
        (Some(side), Some(order)) if order < side => Some((order, true)),
        (Some(side), _) => Some((side, false)),
        (None, Some(order)) => Some((order, true)),
        (None, None) => None,
    };
    if let (Some((capacity, per_order)), Some(notional)) = (bound, wanted.order.notional_usd)
        && notional > capacity
    {
        return Verdict::AboveCapacity {
            notional,
            capacity,
            per_order,
        };
    }
    Verdict::Available
}
