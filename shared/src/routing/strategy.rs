//! Routing strategies: how the winner is picked among the available venues.
//!
//! - `FIRST_AVAILABLE`: the first available venue in priority order.
//! - `BEST_LIQUIDITY`: the available venue with the largest comparable USD
//!   liquidity figure for the signal's side ([`super::figures::liquidity_usd`]).
//! - `LOWEST_FEES`: the available venue with the lowest estimated cost to
//!   open, in bps of notional ([`super::figures::cost_bps`]).
//! - `LOWEST_COST`: the available venue with the lowest all-in cost of the
//!   order at its notional: fees both ways, half spread and price impact
//!   ([`super::cost::estimate`]).
//!
//! A strategy only ever picks among venues that are available: it never
//! makes an unavailable venue available. When only one venue is available it
//! wins; when a figure is missing for any available venue, or the best
//! figures tie, the first available venue in priority order wins and the
//! decision records why ([`Choice`]).

use chrono::{DateTime, Utc};

use super::cost;
use super::decision::{Checks, Choice};
use super::figures::{cost_bps, liquidity_usd};
use super::market_row::MarketRow;
use super::signal::OrderSize;
use super::snapshot::MarketSnapshot;
use crate::domain::{Side, Strategy};

/// Relative difference under which two figures count as equal.
const TIE_TOLERANCE: f64 = 1e-9;

/// The strategy's figure for a market; `None` for `FIRST_AVAILABLE`.
#[must_use]
pub fn figure(
    strategy: Strategy,
    market: &MarketRow,
    side: Side,
    order: &OrderSize,
    now: DateTime<Utc>,
) -> Option<f64> {
    match strategy {
        Strategy::FirstAvailable => None,
        Strategy::BestLiquidity => liquidity_usd(market, side),
        Strategy::LowestFees => cost_bps(market),
        Strategy::LowestCost => cost::estimate(market, side, order, now).map(|e| e.total_bps),
    }
}

/// Whether a lower figure is better (the cost strategies).
#[must_use]
pub const fn lower_is_better(strategy: Strategy) -> bool {
    matches!(strategy, Strategy::LowestFees | Strategy::LowestCost)
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
    order: &OrderSize,
    now: DateTime<Utc>,
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
            .and_then(|m| figure(strategy, m, side, order, now));
        missing |= check.figure.is_none();
    }
    if available == 1 {
        return Some((first, Choice::OnlyCandidate));
    }
    if missing {
        return Some((first, Choice::MissingMetric));
    }
    let better = |a: f64, b: f64| {
        if lower_is_better(strategy) {
            a < b
        } else {
            a > b
        }
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
