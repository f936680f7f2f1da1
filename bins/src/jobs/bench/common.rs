//! What both benchmarks use: the recorded markets of every venue, the
//! routing options, and the process's peak memory.

use agent_where::db::locks;
use agent_where::db::markets::{self, ApplyOptions};
use agent_where::venues::{HttpOptions, Origin, SOURCES, SourceSettings};
use anyhow::Result;
use chrono::TimeDelta;
use tokio_postgres::Client;

use crate::args::host::HostArgs;
use crate::jobs::route::{Follow, RouteOptions};
use crate::output::{CsvMode, Format};

/// The options both benchmarks route with: every pending signal of every
/// agent, markets up to 26 h old (the recorded ones), signals up to 24 h.
pub(super) fn route_options(
    batch_size: usize,
    workers: usize,
    follow: Option<Follow>,
) -> RouteOptions {
    RouteOptions {
        batch_size,
        limit: None,
        agent: None,
        dry_run: false,
        workers,
        max_market_age: TimeDelta::hours(26),
        max_signal_age: TimeDelta::hours(24),
        include_hip3: false,
        host: HostArgs::default(),
        format: Format::Json,
        csv: CsvMode::Guarded,
        follow,
    }
}

/// Syncs every venue from its recorded responses (Hyperliquid's main dex
/// only), through the same parse-and-apply path as the sync tools.
pub(super) async fn load_recorded_markets(client: &mut Client) -> Result<()> {
    let now = chrono::Utc::now();
    let settings = SourceSettings::default();
    for source in SOURCES {
        let venue = source.info().venue;
        let sync = source.configure(&settings, Origin::Recorded)?;
        let responses = sync.load(&HttpOptions::default(), &[]).await?;
        let fetched = sync.parse(&responses, now)?;
        let options = ApplyOptions {
            scope: fetched.scope,
            allow_mass_delist: false,
            dry_run: false,
            source: source.info().recorded_source.to_owned(),
            built_in: true,
            started_at: now,
            lock_timeout: locks::DEFAULT_TIMEOUT,
        };
        markets::apply(client, venue, &fetched.markets, &options).await?;
    }
    Ok(())
}

/// Peak resident set size of this process in MB (Linux `VmHWM`).
pub(super) fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// Resets the peak RSS counter so the next reading covers only what follows.
pub(super) fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}
