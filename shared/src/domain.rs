//! Domain types shared by every part of Agent Where: sides, strategies,
//! routing configuration and markets (the venue enum lives with the registry
//! of venues, `venues::registry`, and is re-exported here). One name per concept: the Rust variant, the SQL
//! value and the CLI value are the same upper-case word (`HYPERLIQUID`).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::cost::MarketCost;

pub use crate::venues::registry::{UnknownVenue, Venue};

/// The direction of a signal (`signals.side`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Side {
    Long,
    Short,
}

impl Side {
    /// Parses `signals.side` leniently (`long`, ` LONG `, `buy`).
    #[must_use]
    pub fn parse(s: &str) -> Option<Side> {
        match s.trim().to_ascii_uppercase().as_str() {
            "LONG" | "BUY" => Some(Side::Long),
            "SHORT" | "SELL" => Some(Side::Short),
            _ => None,
        }
    }

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Side::Long => "LONG",
            Side::Short => "SHORT",
        }
    }
}

/// `venue_routing_config.routing_strategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Strategy {
    FirstAvailable,
    BestLiquidity,
    LowestFees,
    LowestCost,
}

impl Strategy {
    pub const ALL: [Strategy; 4] = [
        Strategy::FirstAvailable,
        Strategy::BestLiquidity,
        Strategy::LowestFees,
        Strategy::LowestCost,
    ];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Strategy::FirstAvailable => "FIRST_AVAILABLE",
            Strategy::BestLiquidity => "BEST_LIQUIDITY",
            Strategy::LowestFees => "LOWEST_FEES",
            Strategy::LowestCost => "LOWEST_COST",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a string that names no strategy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown strategy `{0}` (expected one of FIRST_AVAILABLE, BEST_LIQUIDITY, LOWEST_FEES, LOWEST_COST)"
)]
pub struct UnknownStrategy(pub String);

impl FromStr for Strategy {
    type Err = UnknownStrategy;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Strategy::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownStrategy(s.to_owned()))
    }
}

/// Where an effective routing configuration came from, most specific first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfigSource {
    /// A per-token override of the signal's agent.
    AgentToken,
    /// The agent's own `venue_routing_config` row.
    Agent,
    /// A global per-token override.
    GlobalToken,
    /// The global `venue_routing_config` row (`agent_id IS NULL`).
    Global,
    /// The built-in default: `HYPERLIQUID, OSTIUM`, `FIRST_AVAILABLE`, failover on.
    Default,
}

impl ConfigSource {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ConfigSource::AgentToken => "agent_token",
            ConfigSource::Agent => "agent",
            ConfigSource::GlobalToken => "global_token",
            ConfigSource::Global => "global",
            ConfigSource::Default => "default",
        }
    }
}

impl fmt::Display for ConfigSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A routing configuration: which venues, in which order, chosen how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingConfig {
    pub venue_priority: Vec<Venue>,
    pub routing_strategy: Strategy,
    pub failover_enabled: bool,
}

impl RoutingConfig {
    /// The built-in default (ARCHITECTURE.md §4).
    #[must_use]
    pub fn builtin_default() -> Self {
        RoutingConfig {
            venue_priority: crate::venues::registry::default_priority(),
            routing_strategy: Strategy::FirstAvailable,
            failover_enabled: true,
        }
    }

    /// The venues a decision considers: the whole list with failover, else only the first.
    #[must_use]
    pub fn considered_venues(&self) -> &[Venue] {
        if self.failover_enabled {
            &self.venue_priority
        } else {
            &self.venue_priority[..self.venue_priority.len().min(1)]
        }
    }
}

impl Default for RoutingConfig {
    fn default() -> Self {
        RoutingConfig::builtin_default()
    }
}

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
    pub liquidity_usd: Option<f64>,
    pub open_interest_usd: Option<f64>,
    pub long_open_interest_usd: Option<f64>,
    pub short_open_interest_usd: Option<f64>,
    pub max_open_interest_usd: Option<f64>,
    pub day_volume_usd: Option<f64>,
    /// Full bid/ask (or impact) spread in basis points of the mid price.
    pub spread_bps: Option<f64>,
    pub taker_fee_bps: Option<f64>,
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

/// A positive, finite amount of US dollars (an assumed order notional).
/// Compared by value; the constructor refuses NaN, infinities and amounts
/// that are not positive, so equality is total.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Usd(f64);

impl Eq for Usd {}

impl Usd {
    /// Largest amount accepted (the database column's check, 10^15).
    pub const MAX: f64 = 1e15;

    /// `None` unless `value` is finite, positive and below [`Usd::MAX`].
    #[must_use]
    pub fn new(value: f64) -> Option<Usd> {
        (value.is_finite() && value > 0.0 && value < Usd::MAX).then_some(Usd(value))
    }

    #[must_use]
    pub const fn get(self) -> f64 {
        self.0
    }
}

impl fmt::Display for Usd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${}", self.0)
    }
}
