//! `--lock-timeout`: how long a tool waits for a lock that another run holds
//! (setup's migration lock, a sync's per-venue lock) before it fails.

use std::time::Duration;

use chrono::TimeDelta;
use clap::Args;

use super::duration;

/// The lock flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Args)]
pub struct LockArgs {
    /// Longest wait for a lock another run holds (setup's migration lock, a sync's
    /// per-venue lock); then the tool exits 2 naming the holder. Units s, m, h, d, w.
    #[arg(long, env = "AGENT_WHERE_LOCK_TIMEOUT", default_value = "5m", value_parser = duration::parse)]
    pub lock_timeout: TimeDelta,
}

impl Default for LockArgs {
    fn default() -> Self {
        LockArgs {
            lock_timeout: TimeDelta::minutes(5),
        }
    }
}

impl LockArgs {
    /// The timeout as a std duration (the grammar only yields positive ones).
    #[must_use]
    pub fn resolve(&self) -> Duration {
        self.lock_timeout
            .to_std()
            .unwrap_or(Duration::from_secs(300))
    }
}
