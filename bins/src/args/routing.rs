//! `--max-market-age`, `--max-signal-age`, `--include-hip3`: what routing
//! considers fresh and eligible.

use chrono::TimeDelta;
use clap::Args;

use super::duration;

/// The routing flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Args)]
pub struct RoutingArgs {
    /// A venue whose last successful market sync is older than this is unavailable
    /// (STALE_MARKET_DATA). Units s, m, h, d, w.
    #[arg(long, env = "AGENT_WHERE_MAX_MARKET_AGE", default_value = "26h", value_parser = duration::parse)]
    pub max_market_age: TimeDelta,
    /// Signals older than this are skipped (SIGNAL_EXPIRED). Units s, m, h, d, w.
    #[arg(long, env = "AGENT_WHERE_MAX_SIGNAL_AGE", default_value = "24h", value_parser = duration::parse)]
    pub max_signal_age: TimeDelta,
    /// Make Hyperliquid HIP-3 (builder dex) markets eligible. Default: only when a signal's
    /// token names the dex (`xyz:TSLA`).
    #[arg(long, env = "AGENT_WHERE_INCLUDE_HIP3")]
    pub include_hip3: bool,
}
