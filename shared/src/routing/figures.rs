//! A market's comparable figures for a signal: the USD liquidity on its
//! side, the taker fee and the cost to open. The strategies compare them,
//! the cost estimate ([`super::cost`]) starts from the fee, and the reason
//! text shows them ([`super::render`](mod@super::render)); they depend on nothing of those.

use super::market_row::MarketRow;
use crate::domain::Side;
use crate::venues::source::LiquidityModel;

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
            let cap = market.figures.max_open_interest_usd?;
            let used = match side {
                Side::Long => market.figures.long_open_interest_usd?,
                Side::Short => market.figures.short_open_interest_usd?,
            };
            (cap - used).max(0.0)
        }
        LiquidityModel::OpenInterestAndVolume => market
            .figures
            .open_interest_usd?
            .min(market.figures.day_volume_usd?),
    };
    value.is_finite().then_some(value)
}

/// The taker fee of a market in bps: the synced `taker_fee_bps`, or for a
/// Hyperliquid main-dex market without one the base tier
/// (the venue's `default_taker_fee_bps`). HIP-3 and Ostium markets need a synced
/// fee (HIP-3 fees are scaled per deployer, Ostium's are per pair).
#[must_use]
pub fn taker_fee_bps(market: &MarketRow) -> Option<f64> {
    match market.figures.taker_fee_bps {
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
        .figures
        .spread_bps
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map_or(0.0, |s| s / 2.0);
    Some(fee + half_spread)
}
