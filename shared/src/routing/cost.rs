//! The all-in cost of an order on a market, in bps of its notional (the
//! `LOWEST_COST` figure and every decision's audit figures):
//!
//! `total = open fee + close fee + half spread + price impact`
//!
//! - fees from the market's fee rule (`cost::FeeRule`): the taker rate both
//!   ways on an order book, the maker/taker split by open-interest imbalance
//!   and no closing fee on Ostium; markets without a rule use the stored
//!   taker and close fees;
//! - half spread and impact at the order's notional from the market's impact
//!   model: an order book's depth curve (written by the same sync as the
//!   market's figures), or an oracle quote (at the ask or bid, or the dynamic
//!   spread function);
//! - without a notional, or on an order book without a usable depth curve,
//!   the top-of-book figures: fees + half the quoted spread, no impact, and
//!   the estimate says why (`fallback`).

use chrono::{DateTime, Utc};

use super::figures::taker_fee_bps;
use super::market_row::MarketRow;
use super::signal::OrderSize;
use crate::domain::Side;
use crate::domain::cost::ImpactModel;

/// At what size the figures are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostBasis {
    /// At the order's notional.
    OrderNotional,
    /// Top of book: fees and half the quoted spread, no impact.
    TopOfBook,
}

impl CostBasis {
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            CostBasis::OrderNotional => "order_notional",
            CostBasis::TopOfBook => "top_of_book",
        }
    }
}

/// Why the figures are top of book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostFallback {
    /// The order's notional is unknown.
    NoNotional,
    /// The market has an order book but no depth curve.
    NoDepth,
    /// The stored depth curve is older than the market's figures.
    StaleDepth,
}

impl CostFallback {
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            CostFallback::NoNotional => "no_notional",
            CostFallback::NoDepth => "no_depth_curve",
            CostFallback::StaleDepth => "depth_curve_older_than_market",
        }
    }
}

/// Where the spread and impact figures came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImpactSource {
    /// The order book's depth curve.
    DepthCurve,
    /// The spread the market stores (an impact or bid/ask spread).
    StoredSpread,
    /// The oracle's bid/ask.
    OracleQuote,
    /// The oracle's dynamic spread function.
    DynamicSpread,
}

impl ImpactSource {
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            ImpactSource::DepthCurve => "depth_curve",
            ImpactSource::StoredSpread => "stored_spread",
            ImpactSource::OracleQuote => "oracle_quote",
            ImpactSource::DynamicSpread => "dynamic_spread",
        }
    }
}

/// An order's estimated cost on one market, bps of notional.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostEstimate {
    pub open_fee_bps: f64,
    pub close_fee_bps: f64,
    pub half_spread_bps: f64,
    pub impact_bps: f64,
    pub total_bps: f64,
    pub basis: CostBasis,
    pub fallback: Option<CostFallback>,
    pub source: ImpactSource,
    /// The order is larger than the visible book (impact is a lower bound).
    pub beyond_visible_depth: bool,
}

impl CostEstimate {
    /// Open plus close fee.
    #[must_use]
    pub fn fee_bps(&self) -> f64 {
        self.open_fee_bps + self.close_fee_bps
    }
}

fn finite(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite() && *v >= 0.0)
}

/// The estimate for an order of `order` on `side` at `now`; `None` when a
/// fee is unknown (no taker or no close fee).
#[must_use]
pub fn estimate(
    market: &MarketRow,
    side: Side,
    order: &OrderSize,
    now: DateTime<Utc>,
) -> Option<CostEstimate> {
    let notional = order.notional_usd.filter(|q| q.is_finite() && *q > 0.0);
    let model = market.cost.model.as_ref();
    let open_interest = market
        .figures
        .long_open_interest_usd
        .zip(market.figures.short_open_interest_usd);
    let (open_fee_bps, close_fee_bps) = match model {
        Some(m) => (
            m.fees
                .open_bps(side, notional, Some(order.leverage), open_interest),
            m.fees.close_bps(),
        ),
        None => (taker_fee_bps(market)?, finite(market.cost.close_fee_bps)?),
    };
    let mut e = CostEstimate {
        open_fee_bps,
        close_fee_bps,
        half_spread_bps: 0.0,
        impact_bps: 0.0,
        total_bps: 0.0,
        basis: CostBasis::TopOfBook,
        fallback: None,
        source: ImpactSource::StoredSpread,
        beyond_visible_depth: false,
    };
    match model.map(|m| &m.impact) {
        Some(ImpactModel::OracleQuote {
            bid,
            ask,
            mid,
            dynamic,
        }) => {
            let quoted = match side {
                Side::Long => (ask - mid) / mid * 1e4,
                Side::Short => (mid - bid) / mid * 1e4,
            };
            e.source = ImpactSource::OracleQuote;
            match (notional, dynamic) {
                (Some(q), Some(d)) => {
                    let (half, impact) =
                        d.open_impact_bps(side, q, (*bid, *ask, *mid), now.timestamp());
                    e.half_spread_bps = half;
                    e.impact_bps = impact;
                    e.basis = CostBasis::OrderNotional;
                    e.source = ImpactSource::DynamicSpread;
                }
                // Fills at the ask or bid whatever the size
                // (TradingCallbacksLib._getTradePriceImpact).
                (Some(_), None) => {
                    e.half_spread_bps = quoted;
                    e.basis = CostBasis::OrderNotional;
                }
                (None, _) => {
                    e.half_spread_bps = quoted;
                    e.fallback = Some(CostFallback::NoNotional);
                }
            }
        }
        Some(ImpactModel::OrderBook) | None => match (&market.cost.depth, notional) {
            (Some(depth), Some(q)) => {
                let impact = depth.impact(side, q)?;
                e.half_spread_bps = depth.half_spread_bps();
                e.impact_bps = impact.impact_bps;
                e.beyond_visible_depth = impact.beyond_visible_depth;
                e.basis = CostBasis::OrderNotional;
                e.source = ImpactSource::DepthCurve;
            }
            (Some(depth), None) => {
                e.half_spread_bps = depth.half_spread_bps();
                e.source = ImpactSource::DepthCurve;
                e.fallback = Some(CostFallback::NoNotional);
            }
            (None, q) => {
                e.half_spread_bps = finite(market.figures.spread_bps).map_or(0.0, |s| s / 2.0);
                e.fallback = Some(if q.is_none() {
                    CostFallback::NoNotional
                } else if market.depth_stale {
                    CostFallback::StaleDepth
                } else {
                    CostFallback::NoDepth
                });
            }
        },
    }
    e.total_bps = e.open_fee_bps + e.close_fee_bps + e.half_spread_bps + e.impact_bps;
    e.total_bps.is_finite().then_some(e)
}
