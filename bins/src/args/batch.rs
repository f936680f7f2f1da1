//! `--batch-size`, `--workers`: how routing splits its work.

use anyhow::{Result, bail};
use clap::Args;

/// Largest `--batch-size`.
pub const MAX_BATCH_SIZE: usize = 100_000;
/// Largest `--workers`.
pub const MAX_WORKERS: usize = 64;

/// The batch flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Args)]
pub struct BatchArgs {
    /// Signals claimed and written per transaction (1 to 100000).
    #[arg(long, env = "AGENT_WHERE_BATCH_SIZE", default_value_t = 5000)]
    pub batch_size: usize,
    /// Batches routed in parallel, each on its own connection (1 to 64).
    #[arg(long, env = "AGENT_WHERE_WORKERS", default_value_t = 1)]
    pub workers: usize,
}

/// Checked batch options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch {
    pub batch_size: usize,
    pub workers: usize,
}

impl BatchArgs {
    /// Checks the ranges clap cannot express.
    pub fn resolve(&self) -> Result<Batch> {
        Batch {
            batch_size: self.batch_size,
            workers: self.workers,
        }
        .checked()
    }
}

impl Batch {
    /// The options, if within range.
    pub fn checked(self) -> Result<Batch> {
        if self.batch_size == 0 || self.batch_size > MAX_BATCH_SIZE {
            bail!(
                "invalid `--batch-size {}`: expected 1 to {MAX_BATCH_SIZE}",
                self.batch_size
            );
        }
        if self.workers == 0 || self.workers > MAX_WORKERS {
            bail!(
                "invalid `--workers {}`: expected 1 to {MAX_WORKERS}",
                self.workers
            );
        }
        Ok(self)
    }
}
