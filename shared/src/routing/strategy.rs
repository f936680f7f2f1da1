//! Routing strategies: how the winner is picked among the available venues.
//!
//! - `FIRST_AVAILABLE`: the first available venue in priority order.
//! - `BEST_LIQUIDITY`: the available venue with the largest comparable USD
//!   liquidity figure for the signal's side ([`liquidity_usd`]).
//! - `LOWEST_FEES`: the available venue with the lowest estimated cost to
//!   open, in bps of notional ([`cost_bps`]).
//!
//! A strategy only ever picks among venues that are available: it never
//! makes an unavailable venue available. When only one venue is available it
//! wins; when a figure is missing for any available venue, or the best
//! figures tie, the first available venue in priority order wins and the
//! decision records why ([`Choice`]).

use super::snapshot::MarketSnapshot;
use super::types::{Checks, Choice, MarketRow};
use crate::domain::{Side, Strategy};
use crate::venues::source::LiquidityModel;

/// Relative difference under which two figures count as equal.
const TIE_TOLERANCE: f64 = 1e-9;

/// The comparable USD liquidity figure of a market for a signal's side.
///
/// - Ostium (no order book, open interest capped per side): the remaining
///   capacity on the signal's side, `max_open_interest_usd − side open
///   interest` (long OI for LONG, short OI for SHORT), at least 0.
/// - Hyperliquid (order book, no synced cap): `min(open_interest_usd,
///   day_volume_usd)`: the smaller of what the market holds open and what
///   it traded in 24 h, a conservative depth proxy.
///
/// `None` when an input is missing or not finite.
#[must_use]
pub fn liquidity_usd(market: &MarketRow, side: Side) -> Option<f64> {
    let value = match market.venue?.info()?.liquidity {
        LiquidityModel::RemainingCapacity => {
            let cap = market.max_open_interest_usd?;
            let used = match side {
                Side::Long => market.long_open_interest_usd?,
                Side::Short => market.short_open_interest_usd?,
            };
            (cap - used).max(0.0)
        }
        LiquidityModel::OpenInterestAndVolume => {
            market.open_interest_usd?.min(market.day_volume_usd?)
        }
    };
    value.is_finite().then_some(value)
}

/// The taker fee of a market in bps: the synced `taker_fee_bps`, or for a
/// Hyperliquid main-dex market without one the base tier
/// ([`HYPERLIQUID_BASE_TAKER_BPS`]). HIP-3 and Ostium markets need a synced
/// fee (HIP-3 fees are scaled per deployer, Ostium's are per pair).
#[must_use]
pub fn taker_fee_bps(market: &MarketRow) -> Option<f64> {
    match market.taker_fee_bps {
        Some(fee) if fee.is_finite() && fee >= 0.0 => Some(fee),
        None if market.dex.is_none() => market.venue?.info()?.default_taker_fee_bps,
        _ => None,
    }
}

/// The estimated cost to open, in bps of notional: the taker fee plus half
/// the full bid/ask (Ostium) or impact (Hyperliquid) spread when the spread
/// is known. `None` when the fee is unknown.
#[must_use]
pub fn cost_bps(market: &MarketRow) -> Option<f64> {
    let fee = taker_fee_bps(market)?;
    let half_spread = market
        .spread_bps
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map_or(0.0, |s| s / 2.0);
    Some(fee + half_spread)
}

/// The strategy's figure for a market; `None` for `FIRST_AVAILABLE`.
#[must_use]
pub fn figure(strategy: Strategy, market: &MarketRow, side: Side) -> Option<f64> {
    match strategy {
        Strategy::FirstAvailable => None,
        Strategy::BestLiquidity => liquidity_usd(market, side),
        Strategy::LowestFees => cost_bps(market),
    }
}

fn ties(a: f64, b: f64) -> bool {
    (a - b).abs() <= TIE_TOLERANCE * a.abs().max(b.abs()).max(1.0)
}

/// Picks the winner among the available checks; fills each available
/// check's figure. Returns its index in `checks` and how it was chosen,
/// `None` when no venue is available.
pub(crate) fn select(
    strategy: Strategy,
    checks: &mut Checks,
    snapshot: &MarketSnapshot,
    side: Side,
) -> Option<(usize, Choice)> {
    let first = checks
        .as_slice()
        .iter()
        .position(|c| c.verdict.is_available())?;
    if strategy == Strategy::FirstAvailable {
        return Some((first, Choice::First));
    }
    let mut available = 0usize;
    let mut missing = false;
    for check in checks.as_mut_slice() {
        if !check.verdict.is_available() {
            continue;
        }
        available += 1;
        check.figure = check
            .market
            .and_then(|i| snapshot.market(i))
            .and_then(|m| figure(strategy, m, side));
        missing |= check.figure.is_none();
    }
    if available == 1 {
        return Some((first, Choice::OnlyCandidate));
    }
    if missing {
        return Some((first, Choice::MissingMetric));
    }
    let better = |a: f64, b: f64| match strategy {
        Strategy::LowestFees => a < b,
        _ => a > b,
    };
    let mut best: Option<(usize, f64)> = None;
    let mut tied = false;
    for (i, check) in checks.as_slice().iter().enumerate() {
        let Some(value) = check.figure.filter(|_| check.verdict.is_available()) else {
            continue;
        };
        match best {
            None => best = Some((i, value)),
            Some((_, b)) if ties(value, b) => tied = true,
            Some((_, b)) if better(value, b) => {
                best = Some((i, value));
                tied = false;
            }
            Some(_) => {}
        }
    }
    best.map(|(i, _)| (i, if tied { Choice::Tie } else { Choice::Best }))
}
