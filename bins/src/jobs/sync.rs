//! What both market syncs share: HTTP flags, apply flags, the run sequence
//! (connect, fetch and validate, apply all or nothing, record the run) and
//! the summary output.
//!
//! Exit behaviour: a rejected response or a failed fetch exits 1 with one line
//! naming the venue, the endpoint and the cause, leaves `venue_markets`
//! untouched and records a FAILED `venue_sync_runs` row; a database that is
//! unreachable or behind exits 2.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use agent_where::db::markets::{self, ApplyOptions, MassDelist, SyncSummary};
use agent_where::domain::{Market, Venue};
use agent_where::venues::{Body, HttpOptions};
use anyhow::{Context, Result, anyhow, bail};
use chrono::{DateTime, Utc};
use clap::Args;

use crate::cli::{CommonArgs, Outcome, error_line, work_failed};
use crate::output::{self, Format, Table};
use crate::progress;

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
    pub fn options(&self) -> Result<HttpOptions> {
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

/// How the fetched list is applied and reported.
#[derive(Debug, Clone, Args)]
pub struct ApplyArgs {
    /// Also write the fetched responses into DIR (created if missing), under the
    /// file names the file options read back.
    #[arg(long, value_name = "DIR")]
    pub save_response: Option<PathBuf>,
    /// Fetch, validate and apply inside a transaction that is rolled back: print
    /// what would change, write nothing (no run row either).
    #[arg(long)]
    pub dry_run: bool,
    /// Apply even when more than half of the active markets would be deactivated
    /// (default: refuse, exit 1, change nothing).
    #[arg(long)]
    pub allow_mass_delist: bool,
    /// Summary format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `venue_sync_runs.source` of a sync from the responses built into the
/// binary (`agent_where::venues::recorded`, captured in January 2026).
pub const RECORDED_SOURCE: &str = "recorded January 2026 capture, built in";

/// A fetched-and-validated market list, ready to apply.
pub struct Fetched {
    pub markets: Vec<Market>,
    /// Dexes whose missing markets are deactivated (`None` = whole venue).
    pub scope: Option<Vec<String>>,
}

/// Reads a saved response.
pub fn read_body(path: &Path) -> Result<Body> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    if meta.len() > agent_where::venues::MAX_BODY_BYTES as u64 {
        bail!(
            "`{}` is larger than {} MiB",
            path.display(),
            agent_where::venues::MAX_BODY_BYTES / (1024 * 1024)
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    Ok(Body::new(format!("file {}", path.display()), bytes))
}

/// Writes fetched responses into `dir` (`--save-response`).
pub fn save_bodies(dir: &Path, files: &[(String, &Body)]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    for (name, body) in files {
        let path = dir.join(name);
        std::fs::write(&path, &body.bytes)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        tracing::info!(path = %path.display(), bytes = body.bytes.len(), "saved response");
    }
    Ok(())
}

/// Runs one sync: connect (exit 2 on failure), fetch and validate (exit 1 and
/// a FAILED run on failure), apply in one transaction, print the summary.
pub async fn run_sync<F, Fut>(
    common: &CommonArgs,
    venue: Venue,
    apply: &ApplyArgs,
    source: String,
    fetch: F,
) -> Result<Outcome>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Fetched>>,
{
    let summary = execute_sync(common, venue, apply, source, fetch).await?;
    print_summary(&summary, apply.format)?;
    Ok(Outcome::Success)
}

/// [`run_sync`] without printing: returns what the sync did. Errors are
/// [`work_failed`] for a rejected response or a failed fetch (a FAILED run
/// is recorded), plain for a database that is unreachable or behind.
pub async fn execute_sync<F, Fut>(
    common: &CommonArgs,
    venue: Venue,
    apply: &ApplyArgs,
    source: String,
    fetch: F,
) -> Result<SyncSummary>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Fetched>>,
{
    let (_, mut client) = common.connect_checked().await?;
    let started_at = Utc::now();
    let spinner = progress::spinner(
        common.show_progress(),
        format!("fetching {venue} markets from {source}"),
    );
    let fetched = fetch().await;
    spinner.finish_and_clear();
    let run = FailedRun {
        venue,
        source: &source,
        started_at,
        dry_run: apply.dry_run,
    };
    let fetched = match fetched {
        Ok(f) => f,
        Err(e) => {
            let e = e.context(format!(
                "cannot sync {venue} markets, `venue_markets` left unchanged"
            ));
            run.record(&client, &e).await;
            return Err(work_failed(e));
        }
    };
    tracing::info!(
        venue = %venue,
        markets = fetched.markets.len(),
        "response validated"
    );
    let options = ApplyOptions {
        scope: fetched.scope,
        allow_mass_delist: apply.allow_mass_delist,
        dry_run: apply.dry_run,
        source: source.clone(),
        started_at,
    };
    let result = markets::apply(&mut client, venue, &fetched.markets, &options).await;
    let summary = match result {
        Ok(s) => s,
        Err(e) => {
            let work = e.downcast_ref::<MassDelist>().is_some();
            let e = e.context(format!("cannot apply {venue} markets"));
            // After a database error the connection may be gone; try anyway.
            run.record(&client, &e).await;
            return Err(if work { work_failed(e) } else { e });
        }
    };
    Ok(summary)
}

/// A FAILED `venue_sync_runs` row, written in a statement of its own (not
/// for dry runs).
struct FailedRun<'a> {
    venue: Venue,
    source: &'a str,
    started_at: DateTime<Utc>,
    dry_run: bool,
}

impl FailedRun<'_> {
    async fn record(&self, client: &tokio_postgres::Client, e: &anyhow::Error) {
        if self.dry_run {
            return;
        }
        let line = error_line(e);
        if let Err(record) =
            markets::record_failure(client, self.venue, self.source, self.started_at, &line).await
        {
            tracing::warn!(error = %error_line(&record), "cannot record the failed run");
        }
    }
}

fn names(list: &[String]) -> String {
    const SHOWN: usize = 20;
    let mut text = list
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if list.len() > SHOWN {
        text.push_str(&format!(" … and {} more", list.len() - SHOWN));
    }
    text
}

/// Prints the summary (table, csv or json) on stdout.
pub fn print_summary(s: &SyncSummary, format: Format) -> Result<()> {
    if format == Format::Json {
        return output::print_json(s);
    }
    let mut t = Table::new([
        "venue",
        "seen",
        "added",
        "updated",
        "unchanged",
        "reactivated",
        "delisted",
        "active",
    ]);
    t.row([
        s.venue.to_string(),
        s.markets_seen.to_string(),
        s.added.to_string(),
        s.updated.to_string(),
        s.unchanged.to_string(),
        s.reactivated.to_string(),
        s.delisted.to_string(),
        s.active_total.to_string(),
    ]);
    if format == Format::Csv {
        return output::print_table(&t, format);
    }
    let mut text = t.render();
    let verb = if s.dry_run { "would be " } else { "" };
    for (kind, list) in [
        ("added", &s.changes.added),
        ("reactivated", &s.changes.reactivated),
        ("delisted", &s.changes.delisted),
        ("updated", &s.changes.updated),
    ] {
        if !list.is_empty() && (s.dry_run || kind != "updated") {
            text.push_str(&format!("{verb}{kind}: {}\n", names(list)));
        }
    }
    text.push_str(&if s.dry_run {
        format!("dry run of {}: nothing was written\n", s.source)
    } else if s.changed() {
        format!("synced from {}\n", s.source)
    } else {
        format!("synced from {}: no changes\n", s.source)
    });
    output::print_text(&text)
}

/// Rejects a URL that is not http(s).
pub fn check_url(flag: &str, url: &str) -> Result<()> {
    agent_where::venues::check_http_url(url).map_err(|e| anyhow!("`{flag}`: {e}"))
}
