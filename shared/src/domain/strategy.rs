//! Routing configuration: the strategy that picks a venue, where an
//! effective configuration came from, and the configuration itself.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::venue::{Venue, default_priority};

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
    /// The built-in default (`HYPERLIQUID, OSTIUM`, `FIRST_AVAILABLE`, failover on).
    #[must_use]
    pub fn builtin_default() -> Self {
        RoutingConfig {
            venue_priority: default_priority(),
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
