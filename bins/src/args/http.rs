//! `--connect-timeout`, `--timeout`, `--retries`, `--retry-delay`: how venue
//! requests wait and retry.

use std::time::Duration;

use agent_where::venues::HttpOptions;
use anyhow::{Result, bail};
use clap::Args;

/// Timeouts and retries of venue requests.
#[derive(Debug, Clone, Args)]
pub struct HttpArgs {
    /// Seconds to wait for a connection to a venue (TCP and TLS).
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub connect_timeout: f64,
    /// Seconds one request may take, body included.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    pub timeout: f64,
    /// Retries after a timeout, connection error, HTTP 429 or 5xx (other 4xx fail at once).
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,
    /// First wait between attempts, in seconds; doubled per retry with ±50 % jitter,
    /// at most 10 s. A `Retry-After` header (capped at 30 s) takes precedence.
    #[arg(long, value_name = "SECONDS", default_value_t = 0.5)]
    pub retry_delay: f64,
}

impl HttpArgs {
    /// Validates the flags into the library's options.
    pub fn resolve(&self) -> Result<HttpOptions> {
        let secs = |name: &str, v: f64, min: f64| -> Result<Duration> {
            if !v.is_finite() || v < min || v > 3600.0 {
                bail!("`--{name}` must be between {min} and 3600 seconds, got {v}");
            }
            Ok(Duration::from_secs_f64(v))
        };
        if self.retries > 20 {
            bail!("`--retries` must be at most 20, got {}", self.retries);
        }
        Ok(HttpOptions {
            connect_timeout: secs("connect-timeout", self.connect_timeout, 0.001)?,
            timeout: secs("timeout", self.timeout, 0.001)?,
            retries: self.retries,
            retry_delay: secs("retry-delay", self.retry_delay, 0.0)?,
        })
    }
}
