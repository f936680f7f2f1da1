//! `route-pending-signals`: routes every pending `MULTI` signal in batches.
//! Each batch is one transaction (claim with `SKIP LOCKED`, decide, write
//! signals + history + run counters, commit), so several copies of the job
//! never decide a signal twice and a killed run loses only its open batch.
//! `--workers K` runs K batches at once on K pooled connections.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use agent_where::db::host::{self, HostSchema};
use agent_where::db::routing::{self as db, BatchSettings, Statements};
use agent_where::db::{DbContext, Pooler};
use agent_where::routing::Counts;
use anyhow::{Result, anyhow, bail};
use chrono::TimeDelta;
use deadpool_postgres::Pool;
use indicatif::ProgressBar;
use serde::Serialize;
use uuid::Uuid;

use crate::args::batch::{Batch, BatchArgs};
use crate::args::host::HostArgs;
use crate::args::output::OutputArgs;
use crate::args::routing::RoutingArgs;
use crate::cli::{CommonArgs, Outcome};
use crate::output::{self, CsvMode, Format, Table};
use crate::progress;

/// Longest `--max-signal-age`: a signal older than a week is never worth
/// executing (the market has moved; Maxxit's own executor gives up on a
/// signal after 24 hours).
pub const MAX_SIGNAL_AGE_LIMIT: TimeDelta = TimeDelta::days(7);

/// Options of `route-pending-signals`, checked by [`RouteOptions::validate`].
#[derive(Debug, Clone)]
pub struct RouteOptions {
    pub batch_size: usize,
    pub limit: Option<u64>,
    pub agent: Option<Uuid>,
    pub dry_run: bool,
    pub workers: usize,
    pub max_market_age: TimeDelta,
    pub max_signal_age: TimeDelta,
    pub include_hip3: bool,
    pub host: HostArgs,
    pub format: Format,
    /// How CSV text cells are written (`--csv-raw`).
    pub csv: CsvMode,
}

impl RouteOptions {
    /// The options of a run of every pending signal from the batch and
    /// routing groups (what `route-pending-signals` and `run-pipeline` share).
    pub fn from_groups(
        batch: &BatchArgs,
        routing: &RoutingArgs,
        host: &HostArgs,
    ) -> Result<RouteOptions> {
        let batch = batch.resolve()?;
        let options = RouteOptions {
            batch_size: batch.batch_size,
            limit: None,
            agent: None,
            dry_run: false,
            workers: batch.workers,
            max_market_age: routing.max_market_age,
            max_signal_age: routing.max_signal_age,
            include_hip3: routing.include_hip3,
            host: *host,
            format: Format::Table,
            csv: CsvMode::Guarded,
        };
        options.validate()?;
        Ok(options)
    }

    /// Checks the ranges clap cannot express.
    pub fn validate(&self) -> Result<()> {
        Batch {
            batch_size: self.batch_size,
            workers: self.workers,
        }
        .checked()?;
        if self.limit == Some(0) {
            bail!("invalid `--limit 0`: expected at least 1");
        }
        if self.max_signal_age > MAX_SIGNAL_AGE_LIMIT {
            bail!(
                "invalid `--max-signal-age`: at most 7d (a signal older than a week is never worth executing)"
            );
        }
        Ok(())
    }

    fn settings(&self, host: HostSchema) -> BatchSettings {
        BatchSettings {
            agent: self.agent,
            max_signal_age: self.max_signal_age,
            max_market_age: self.max_market_age,
            include_hip3: self.include_hip3,
            host,
            executor_marks: !self.host.no_executor_marks,
            skip_mark: self.host.skip_mark.into(),
            agent_routing_history: !self.host.no_agent_routing_history,
            executor_symbol: self.host.executor_symbol.setting(),
        }
    }
}

/// The `--help` epilogue.
pub const AFTER_HELP: &str = concat!(
    "Examples:
  route-pending-signals
  route-pending-signals --dry-run --limit 20
  route-pending-signals --workers 2 --batch-size 5000 --format json

Skips are outcomes, not failures: a signal no venue can take is skipped with
NO_VENUE_AVAILABLE, SIGNAL_EXPIRED or INVALID_SIGNAL and the run still exits 0.

",
    crate::exit_codes_help!()
);

/// Flags of `route-pending-signals`.
#[derive(Debug, Clone, clap::Args)]
pub struct RouteArgs {
    #[command(flatten)]
    pub batch: BatchArgs,
    #[command(flatten)]
    pub routing: RoutingArgs,
    #[command(flatten)]
    pub host: HostArgs,
    /// Route at most N signals, oldest first. Default: all pending signals.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Only route this agent's signals. Default: every agent's.
    #[arg(long, value_name = "UUID")]
    pub agent: Option<Uuid>,
    /// Decide and print every decision, write nothing (no locks, no run row).
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

impl RouteArgs {
    /// The checked options.
    pub fn resolve(&self) -> Result<RouteOptions> {
        let options = RouteOptions {
            limit: self.limit,
            agent: self.agent,
            dry_run: self.dry_run,
            format: self.output.format,
            csv: self.output.csv.mode(),
            ..RouteOptions::from_groups(&self.batch, &self.routing, &self.host)?
        };
        options.validate()?;
        Ok(options)
    }
}

/// What a run did (the final summary).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub run_id: Option<Uuid>,
    pub dry_run: bool,
    pub claimed: u64,
    pub routed: u64,
    pub skipped: u64,
    pub routed_by_venue: std::collections::BTreeMap<String, u64>,
    pub skipped_by_reason: std::collections::BTreeMap<String, u64>,
    pub batches: u64,
    pub workers: usize,
    pub batch_size: usize,
    pub elapsed_seconds: f64,
    pub signals_per_second: f64,
}

impl Summary {
    fn new(
        run_id: Option<Uuid>,
        options: &RouteOptions,
        counts: Counts,
        batches: u64,
        started: Instant,
    ) -> Summary {
        let elapsed = started.elapsed().as_secs_f64();
        #[allow(clippy::cast_precision_loss)]
        let rate = if elapsed > 0.0 {
            counts.claimed as f64 / elapsed
        } else {
            0.0
        };
        Summary {
            run_id,
            dry_run: options.dry_run,
            claimed: counts.claimed,
            routed: counts.routed,
            skipped: counts.skipped,
            routed_by_venue: counts.routed_by_venue,
            skipped_by_reason: counts.skipped_by_reason,
            batches,
            workers: options.workers,
            batch_size: options.batch_size,
            elapsed_seconds: (elapsed * 1000.0).round() / 1000.0,
            signals_per_second: rate.round(),
        }
    }

    fn table(&self) -> Table {
        let mut t = Table::new(["metric", "value"]).numbers(&["value"]);
        if let Some(id) = self.run_id {
            t.row(["run".to_owned(), id.to_string()]);
        }
        if self.dry_run {
            t.row(["mode", "dry run (nothing written)"]);
        }
        t.row(["claimed".to_owned(), self.claimed.to_string()]);
        t.row(["routed".to_owned(), self.routed.to_string()]);
        for (venue, n) in &self.routed_by_venue {
            t.row([format!("routed {venue}"), n.to_string()]);
        }
        t.row(["skipped".to_owned(), self.skipped.to_string()]);
        for (reason, n) in &self.skipped_by_reason {
            t.row([format!("skipped {reason}"), n.to_string()]);
        }
        t.row(["batches".to_owned(), self.batches.to_string()]);
        t.row([
            "elapsed s".to_owned(),
            format!("{:.3}", self.elapsed_seconds),
        ]);
        t.row([
            "signals/s".to_owned(),
            format!("{:.0}", self.signals_per_second),
        ]);
        t
    }
}

/// Runs the job and prints its summary.
pub async fn run(common: &CommonArgs, options: &RouteOptions) -> Result<Outcome> {
    options.validate()?;
    if options.dry_run {
        return run_dry(common, options).await;
    }
    let summary = execute(common, options).await?;
    print_summary(&summary, options.format, options.csv)?;
    Ok(Outcome::Success)
}

/// Routes every pending signal (within `--limit` / `--agent`) and returns
/// the summary without printing it: the part `run-pipeline` and
/// `bench-routing` call in-process. Not for `--dry-run`.
pub async fn execute(common: &CommonArgs, options: &RouteOptions) -> Result<Summary> {
    options.validate()?;
    if options.dry_run {
        bail!("`execute` does not do dry runs: use `run`");
    }
    let (url, pool) = common.pool_checked(options.workers + 1).await?;
    execute_on(&pool, url.pooler(), options, common.show_progress()).await
}

/// [`execute`] on an existing pool (of at least `workers + 1` connections,
/// schema already checked) to a server behind `pooler`; `show_progress`
/// draws a bar on a terminal.
pub async fn execute_on(
    pool: &Pool,
    pooler: Pooler,
    options: &RouteOptions,
    show_progress: bool,
) -> Result<Summary> {
    let admin = pool.get().await.db_context("cannot connect")?;
    let schema = host::detect(&**admin).await?;
    let show = show_progress && std::io::stderr().is_terminal();
    let bar = if show {
        let pending = db::count_pending(&admin, schema, options.agent).await?;
        let total = u64::try_from(pending).unwrap_or(0);
        progress::bar(
            true,
            options.limit.map_or(total, |l| l.min(total)),
            "routing",
        )
    } else {
        ProgressBar::hidden()
    };
    let run_options = serde_json::json!({
        "batch_size": options.batch_size,
        "limit": options.limit,
        "agent": options.agent,
        "workers": options.workers,
        "max_market_age_seconds": options.max_market_age.num_seconds(),
        "max_signal_age_seconds": options.max_signal_age.num_seconds(),
        "include_hip3": options.include_hip3,
        "host_schema": schema.name(),
        "executor_marks": !options.host.no_executor_marks,
        "skip_mark": agent_where::db::host::SkipMark::from(options.host.skip_mark).as_str(),
        "agent_routing_history": !options.host.no_agent_routing_history,
        "executor_symbol": options.settings(schema).writes_executor_symbol(),
    });
    let machine = hostname();
    let pid = i32::try_from(std::process::id()).ok();
    let run_id = db::start_run(&admin, &run_options, machine.as_deref(), pid).await?;
    tracing::debug!(%run_id, host_schema = schema.name(), "routing run started");
    for stale in db::fail_stale_runs(&admin, run_id).await? {
        tracing::info!(
            run_id = %stale.id,
            host = stale.host.as_deref().unwrap_or("?"),
            pid = stale.pid,
            "marked a stale routing run FAILED (no heartbeat: its process was killed or lost its connection)"
        );
    }
    let started = Instant::now();
    let result = {
        let work = run_workers(pool, pooler, run_id, options, schema, bar.clone());
        tokio::pin!(work);
        let first = tokio::time::Instant::now() + db::RUN_HEARTBEAT_INTERVAL;
        let mut beat = tokio::time::interval_at(first, db::RUN_HEARTBEAT_INTERVAL);
        beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                result = &mut work => break result,
                _ = beat.tick() => {
                    // The workers run in their own tasks meanwhile. A failed
                    // heartbeat is not the run's failure: the batches decide.
                    if let Err(e) = db::heartbeat(&admin, run_id).await {
                        tracing::debug!("{e:#}");
                    }
                }
            }
        }
    };
    bar.finish_and_clear();
    match result {
        Ok((counts, batches)) => {
            db::finish_run(&admin, run_id, None).await?;
            let summary = Summary::new(Some(run_id), options, counts, batches, started);
            tracing::info!(
                claimed = summary.claimed,
                routed = summary.routed,
                skipped = summary.skipped,
                "routing run completed"
            );
            Ok(summary)
        }
        Err(e) => {
            let text = crate::cli::error_line(&e);
            // The run's own connection is apart from the workers'; if it is
            // gone too, try a fresh one.
            let marked = if admin.is_closed() {
                match pool.get().await {
                    Ok(client) => db::finish_run(&client, run_id, Some(&text)).await,
                    Err(err) => Err(anyhow!("{err}")),
                }
            } else {
                db::finish_run(&admin, run_id, Some(&text)).await
            };
            match marked {
                Ok(_) => Err(e),
                // Said on the error line itself: at the default level a
                // failure is one line on stderr.
                Err(m) => {
                    tracing::debug!("cannot mark routing run {run_id} FAILED: {m:#}");
                    Err(anyhow!(
                        "{text}; routing run {run_id} could not be marked FAILED (its connection was lost too): it shows as STALE once its heartbeat is old, and the next run marks it FAILED"
                    ))
                }
            }
        }
    }
}

struct Shared {
    /// Signals still allowed by `--limit` (u64::MAX without one).
    remaining: AtomicU64,
    stop: AtomicBool,
    counts: Mutex<Counts>,
    batches: AtomicU64,
    bar: ProgressBar,
}

impl Shared {
    /// Reserves up to `want` signals of the `--limit` budget.
    fn reserve(&self, want: u64) -> u64 {
        let mut taken = 0;
        let _ = self
            .remaining
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                taken = left.min(want);
                Some(left - taken)
            });
        taken
    }

    fn give_back(&self, n: u64) {
        if n > 0 {
            self.remaining.fetch_add(n, Ordering::SeqCst);
        }
    }
}

async fn run_workers(
    pool: &Pool,
    pooler: Pooler,
    run_id: Uuid,
    options: &RouteOptions,
    schema: HostSchema,
    bar: ProgressBar,
) -> Result<(Counts, u64)> {
    let shared = Arc::new(Shared {
        remaining: AtomicU64::new(options.limit.unwrap_or(u64::MAX)),
        stop: AtomicBool::new(false),
        counts: Mutex::new(Counts::default()),
        batches: AtomicU64::new(0),
        bar,
    });
    let mut handles = Vec::with_capacity(options.workers);
    for _ in 0..options.workers {
        let pool = pool.clone();
        let shared = Arc::clone(&shared);
        let settings = options.settings(schema);
        let batch_size = options.batch_size as u64;
        handles.push(tokio::spawn(async move {
            let result = worker(&pool, pooler, &shared, &settings, run_id, batch_size).await;
            if result.is_err() {
                shared.stop.store(true, Ordering::SeqCst);
            }
            result
        }));
    }
    let mut first_error = None;
    for handle in handles {
        let result = match handle.await {
            Ok(r) => r,
            Err(e) => Err(anyhow!("a routing worker stopped unexpectedly: {e}")),
        };
        if let Err(e) = result
            && first_error.is_none()
        {
            first_error = Some(e);
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    let counts = shared
        .counts
        .lock()
        .map_err(|_| anyhow!("routing counters are unavailable"))?
        .clone();
    Ok((counts, shared.batches.load(Ordering::SeqCst)))
}

async fn worker(
    pool: &Pool,
    pooler: Pooler,
    shared: &Shared,
    settings: &BatchSettings,
    run_id: Uuid,
    batch_size: u64,
) -> Result<()> {
    let mut object = pool
        .get()
        .await
        .db_context("cannot get a database connection")?;
    let client: &mut tokio_postgres::Client = &mut object;
    let statements = Statements::for_connection(client, settings.host, pooler).await?;
    while !shared.stop.load(Ordering::SeqCst) {
        let take = shared.reserve(batch_size);
        if take == 0 {
            break;
        }
        let limit = usize::try_from(take).unwrap_or(usize::MAX);
        let counts = match db::route_batch(client, &statements, settings, run_id, limit).await {
            Ok(counts) => counts,
            Err(e) => {
                shared.give_back(take);
                return Err(e);
            }
        };
        let claimed = counts.claimed;
        shared.give_back(take - claimed.min(take));
        if claimed > 0 {
            shared.batches.fetch_add(1, Ordering::SeqCst);
            shared.bar.inc(claimed);
            if let Ok(mut total) = shared.counts.lock() {
                total.add(&counts);
            }
            tracing::debug!(claimed, routed = counts.routed, "batch committed");
        }
        if claimed < take {
            break;
        }
    }
    Ok(())
}

async fn run_dry(common: &CommonArgs, options: &RouteOptions) -> Result<Outcome> {
    let (url, mut client) = common.connect_checked().await?;
    let schema = host::detect(&client).await?;
    let statements = Statements::for_connection(&client, schema, url.pooler()).await?;
    let started = Instant::now();
    let db::Preview {
        decisions,
        counts,
        batches,
    } = db::preview(
        &mut client,
        &statements,
        &options.settings(schema),
        options.limit,
        options.batch_size,
    )
    .await?;
    let summary = Summary::new(None, options, counts, batches, started);
    match options.format {
        Format::Json => output::print_json(&serde_json::json!({
            "decisions": decisions,
            "summary": summary,
        }))?,
        format => {
            let mut t = Table::new([
                "signal_id",
                "token",
                "outcome",
                "venue",
                "market",
                "strategy",
                "config",
                "reason",
            ]);
            for d in &decisions {
                t.row([
                    d.signal_id.to_string(),
                    printable(&d.token_symbol),
                    d.outcome.clone(),
                    d.selected_venue.clone().unwrap_or_default(),
                    d.market_symbol.clone().unwrap_or_default(),
                    d.strategy.clone(),
                    d.config_source.clone(),
                    printable(&d.routing_reason),
                ]);
            }
            output::print_table(&t, format, options.csv)?;
            if format == Format::Table {
                output::print_text("\n")?;
                output::print_table(&summary.table(), format, options.csv)?;
            }
        }
    }
    Ok(Outcome::Success)
}

/// `text` with control characters escaped (`\u{7}`), so that a hostile
/// token cannot move the terminal's cursor; everything else unchanged.
fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

fn print_summary(summary: &Summary, format: Format, csv: CsvMode) -> Result<()> {
    match format {
        Format::Json => output::print_json(summary),
        format => output::print_table(&summary.table(), format, csv),
    }
}

fn hostname() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_for_the_terminal() {
        assert_eq!(printable("BTC\u{1b}[2J\n"), "BTC\\u{1b}[2J\\u{a}");
        assert_eq!(
            printable("HYPERLIQUID: NOT_LISTED → OSTIUM"),
            "HYPERLIQUID: NOT_LISTED → OSTIUM"
        );
    }

    #[test]
    fn limits_are_reserved_and_given_back() {
        let shared = Shared {
            remaining: AtomicU64::new(12),
            stop: AtomicBool::new(false),
            counts: Mutex::new(Counts::default()),
            batches: AtomicU64::new(0),
            bar: ProgressBar::hidden(),
        };
        assert_eq!(shared.reserve(5), 5);
        assert_eq!(shared.reserve(5), 5);
        assert_eq!(shared.reserve(5), 2);
        assert_eq!(shared.reserve(5), 0);
        shared.give_back(3);
        assert_eq!(shared.reserve(5), 3);
    }
}
