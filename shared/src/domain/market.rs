//! A venue-native market as a sync writes it and routing reads it back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::cost::MarketCost;
use super::venue::Venue;

/// One venue-native market, as a sync writes it to `venue_markets` and as
/// routing reads it back. Amounts are USD unless the name says otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Market {
    pub venue: Venue,
    /// Venue-native, unique per venue: `BTC`, `kPEPE`, `xyz:TSLA`, Ostium `BTC` or `USDJPY`.
    pub token_symbol: String,
    /// Display name: Hyperliquid `BTC/USD`, `xyz:TSLA/USD`; Ostium `FROM/TO`.
    pub market_name: String,
    /// Hyperliquid asset id; Ostium pair id.
    pub market_index: Option<i32>,
    /// Canonical symbol routing matches signals on (`PEPE` for `kPEPE`, `XAU` for `XAU/USD`).
    pub base_symbol: String,
    pub quote_symbol: String,
    /// Units of the base asset one contract unit stands for (1000 for `kPEPE`).
    pub price_scale: f64,
    /// HIP-3 builder dex (`xyz`), `None` for the main dex and Ostium.
    pub dex: Option<String>,
    /// Listed by the venue (stored as `delisted_at IS NULL`; the stored
    /// `is_active` is listed AND open now, see `sql/markets/apply.sql`).
    pub listed: bool,
    /// Ostium market hours; `None` when the venue trades around the clock.
    pub market_open: Option<bool>,
    pub market_status_at: Option<DateTime<Utc>>,
    pub min_position: Option<f64>,
    pub max_leverage: Option<i32>,
    pub group: Option<String>,
    pub current_price: Option<f64>,
    /// Size and price of trading as the venue reports them (stored in
    /// `venue_markets`, read back by routing).
    #[serde(flatten)]
    pub figures: MarketFigures,
    pub maker_fee_bps: Option<f64>,
    /// Funding per hour as a fraction of notional, in ONE convention for
    /// every venue: positive = longs pay shorts, negative = shorts pay longs
    /// (Hyperliquid's own sign; GMX's, which is the receiving side's, is
    /// negated). `None` where the venue's reply has no funding (Ostium,
    /// Aevo, Lighter).
    pub funding_rate: Option<f64>,
    pub metadata: serde_json::Value,
    /// What an order costs and how much the market can still take
    /// (`MarketCost::default()`: nothing known).
    pub cost: MarketCost,
}

/// A market's figures as the venue reports them: the sync stores them in
/// `venue_markets` and routing reads them back into its `MarketRow`, so each
/// is declared here once. Amounts are USD; `None` where the venue's reply has no such
/// figure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct MarketFigures {
    /// What the market can take now, as the venue's reply gives it (see
    /// `routing::figures::liquidity_usd` for the side-aware figure routing uses).
    pub liquidity_usd: Option<f64>,
    pub open_interest_usd: Option<f64>,
    pub long_open_interest_usd: Option<f64>,
    pub short_open_interest_usd: Option<f64>,
    /// The venue's cap on open interest (Ostium, GMX: the smaller side's).
    pub max_open_interest_usd: Option<f64>,
    pub day_volume_usd: Option<f64>,
    /// Full bid/ask (or impact) spread in basis points of the mid price.
    pub spread_bps: Option<f64>,
    pub taker_fee_bps: Option<f64>,
}
