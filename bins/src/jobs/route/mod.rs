//! `route-pending-signals`: routes every pending `MULTI` signal in batches.
//! Each batch is one transaction (claim with `SKIP LOCKED`, decide, write
//! signals + history + run counters, commit), so several copies of the job
//! never decide a signal twice and a killed run loses only its open batch.
//! `--workers K` runs K batches at once on K pooled connections.

mod control;
mod dry_run;
mod follow;
mod summary;
mod workers;

pub use control::{FollowStats, RunControl};
pub use summary::{FollowSummary, Summary};

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use agent_where::db::host::{self, HostSchema};
use agent_where::db::routing::{self as db, BatchSettings, SnapshotCache};
use agent_where::db::schema::objects;
use agent_where::db::{DatabaseUrl, DbContext, Pooler};
use agent_where::routing::Counts;
use anyhow::{Result, anyhow, bail};
use chrono::TimeDelta;
use deadpool_postgres::Pool;
use indicatif::ProgressBar;
use uuid::Uuid;

use crate::args::batch::{Batch, BatchArgs};
use crate::args::duration;
use crate::args::host::HostArgs;
use crate::args::output::OutputArgs;
use crate::args::routing::RoutingArgs;
use crate::cli::{CommonArgs, Outcome};
use crate::output::{CsvMode, Format};
use crate::progress;
use dry_run::run_dry;
use follow::Following;
use summary::print_summary;
use workers::{Shared, run_workers};

/// Longest `--max-signal-age`: a signal older than a week is never worth
/// executing (the market has moved; Maxxit's own executor gives up on a
/// signal after 24 hours).
pub const MAX_SIGNAL_AGE_LIMIT: TimeDelta = TimeDelta::days(7);

/// Longest `--follow`: a follower is meant to be restarted (cron, systemd),
/// so that a new build or a changed setting takes effect within the hour.
pub const MAX_FOLLOW: TimeDelta = TimeDelta::hours(1);

/// The channel the `signals_pending_notify` trigger notifies (migration 12).
pub const PENDING_CHANNEL: &str = "agent_where_pending";

/// How often a follower that LISTENs polls anyway: the safety net for a
/// notification it missed (e.g. while reconnecting).
pub const LISTEN_SAFETY_POLL: Duration = Duration::from_secs(5);

/// First and longest pause between reconnection attempts of a follower.
pub const RECONNECT_FIRST_PAUSE: Duration = Duration::from_millis(100);
pub const RECONNECT_MAX_PAUSE: Duration = Duration::from_secs(5);

/// `--follow`: how long to stay and how often to poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Follow {
    /// The run ends this long after it started (a batch in progress then
    /// still commits).
    pub duration: Duration,
    /// How often to look for pending signals without LISTEN (behind a
    /// transaction pooler, without the trigger).
    pub poll_interval: Duration,
}

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
    /// `--follow`: stay and decide signals as they arrive.
    pub follow: Option<Follow>,
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
            follow: None,
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
        if let Some(follow) = self.follow {
            if follow.duration > MAX_FOLLOW.to_std().unwrap_or(Duration::MAX) {
                bail!(
                    "invalid `--follow`: at most 1h (restart the follower from cron or systemd instead)"
                );
            }
            if self.dry_run {
                bail!(
                    "`--follow` cannot be combined with `--dry-run`: a dry run decides what is pending once and writes nothing"
                );
            }
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
  route-pending-signals --follow 55s      # from cron every minute: decides within a second

With --follow the run stays after routing what is pending and decides each new
signal as it arrives (woken by the signals_pending_notify trigger where the
connection can LISTEN, else by polling every --poll-interval). SIGTERM or
SIGINT ends it cleanly: the open batch commits, the run is COMPLETED, exit 0.

Skips are outcomes, not failures: a signal no venue can take is skipped with
NO_VENUE_AVAILABLE, SIGNAL_EXPIRED or INVALID_SIGNAL and the run still exits 0.

",
    crate::exit_codes_help!()
);

/// Route every pending MULTI signal (venue = MULTI, no skipped_reason) to the venue its
/// routing configuration picks, or skip it with a reason. Batches are claimed with
/// FOR UPDATE SKIP LOCKED and written in one transaction each (signals, history rows, run
/// counters): several copies may run at once, and a killed run loses nothing.
#[derive(Debug, clap::Parser)]
#[command(name = "route-pending-signals", version, after_help = AFTER_HELP)]
pub struct Args {
    #[command(flatten)]
    pub route: RouteArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Flags of `route-pending-signals` (without the common ones).
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
    /// After routing what is pending, stay up to DURATION (from the start,
    /// at most 1h: 55s, 10m) deciding each new signal as it arrives.
    #[arg(long, env = "AGENT_WHERE_FOLLOW", value_name = "DURATION", value_parser = duration::parse)]
    pub follow: Option<TimeDelta>,
    /// With --follow: how often to look for pending signals when LISTEN is
    /// not available (transaction pooler, trigger missing); 10ms to 10s.
    #[arg(long, env = "AGENT_WHERE_POLL_INTERVAL", value_name = "DURATION", default_value = "250ms", value_parser = duration::parse_interval)]
    pub poll_interval: Duration,
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
            follow: self
                .follow
                .map(|d| -> Result<Follow> {
                    Ok(Follow {
                        duration: d.to_std().map_err(|_| {
                            anyhow!("invalid `--follow`: expected a positive duration")
                        })?,
                        poll_interval: self.poll_interval,
                    })
                })
                .transpose()?,
            ..RouteOptions::from_groups(&self.batch, &self.routing, &self.host)?
        };
        options.validate()?;
        Ok(options)
    }
}

/// Runs `route-pending-signals` with its flags.
pub async fn run(args: &Args) -> Result<Outcome> {
    run_with(&args.common, &args.route.resolve()?).await
}

/// Runs the job and prints its summary.
pub async fn run_with(common: &CommonArgs, options: &RouteOptions) -> Result<Outcome> {
    options.validate()?;
    if options.dry_run {
        return run_dry(common, options).await;
    }
    let control = RunControl::new();
    control.on_signals()?;
    let (url, pool) = common.pool_checked(pool_size(options)).await?;
    let summary = execute_with(&pool, &url, options, common.show_progress(), &control).await?;
    print_summary(&summary, options.format, options.csv)?;
    Ok(Outcome::Success)
}

/// Connections a run uses at once: one per worker, the run's own (run row,
/// heartbeat) and, when following, the poller's.
#[must_use]
pub fn pool_size(options: &RouteOptions) -> usize {
    options.workers + 1 + usize::from(options.follow.is_some())
}

/// Routes every pending signal (within `--limit` / `--agent`) and returns
/// the summary without printing it: the part `run-pipeline` and
/// `bench-routing` call in-process. Not for `--dry-run`.
pub async fn execute(common: &CommonArgs, options: &RouteOptions) -> Result<Summary> {
    options.validate()?;
    if options.dry_run {
        bail!("`execute` does not do dry runs: use `run`");
    }
    let (url, pool) = common.pool_checked(pool_size(options)).await?;
    execute_on(&pool, &url, options, common.show_progress()).await
}

/// [`execute`] on an existing pool (of at least [`pool_size`] connections,
/// schema already checked) to `url`; `show_progress` draws a bar on a
/// terminal.
pub async fn execute_on(
    pool: &Pool,
    url: &DatabaseUrl,
    options: &RouteOptions,
    show_progress: bool,
) -> Result<Summary> {
    execute_with(pool, url, options, show_progress, &RunControl::new()).await
}

/// [`execute_on`] that `control` can stop and observe.
pub async fn execute_with(
    pool: &Pool,
    url: &DatabaseUrl,
    options: &RouteOptions,
    show_progress: bool,
    control: &Arc<RunControl>,
) -> Result<Summary> {
    let started = Instant::now();
    let pooler = url.pooler();
    let mut admin = pool.get().await.db_context("cannot connect")?;
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
        "follow_seconds": options.follow.map(|f| f.duration.as_secs_f64()),
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
    let following = match options.follow {
        Some(follow) => {
            let listen = pooler == Pooler::None && trigger_enabled(&admin).await?;
            if !listen {
                tracing::debug!(
                    pooler = pooler.as_str(),
                    "following by polling (no LISTEN: transaction pooler or trigger missing)"
                );
            }
            Some(Following {
                follow,
                deadline: tokio::time::Instant::from_std(started) + follow.duration,
                listen,
                wake: tokio::sync::watch::channel(0).0,
                warned_at: Mutex::new(None),
            })
        }
        None => None,
    };
    let shared = Arc::new(Shared {
        remaining: AtomicU64::new(options.limit.unwrap_or(u64::MAX)),
        failed: AtomicBool::new(false),
        counts: Mutex::new(Counts::default()),
        batches: AtomicU64::new(0),
        bar: bar.clone(),
        cache: SnapshotCache::new(),
        control: Arc::clone(control),
        following,
    });
    let result = {
        let work = run_workers(pool, url, run_id, options, schema, &shared);
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
                    control.stats.heartbeats.fetch_add(1, Ordering::Relaxed);
                    if let Err(e) = db::heartbeat(&admin, run_id).await {
                        tracing::debug!("{e:#}");
                        // A follower keeps its heartbeat going on a new
                        // connection (the next beat uses it).
                        if shared.following.is_some() && admin.is_closed()
                            && let Ok(fresh) = pool.get().await
                        {
                            admin = fresh;
                        }
                    }
                }
            }
        }
    };
    bar.finish_and_clear();
    match result {
        Ok((counts, batches)) => {
            if admin.is_closed()
                && let Ok(fresh) = pool.get().await
            {
                admin = fresh;
            }
            db::finish_run(&admin, run_id, None).await?;
            let mut summary = Summary::new(Some(run_id), options, counts, batches, started);
            summary.snapshot_loads = shared.cache.loads();
            if let (Some(f), Some(following)) = (options.follow, &shared.following) {
                let stats = &control.stats;
                summary.follow = Some(FollowSummary {
                    follow_seconds: f.duration.as_secs_f64(),
                    wake_up: if following.listen { "listen" } else { "poll" },
                    poll_interval_ms: u64::try_from(f.poll_interval.as_millis())
                        .unwrap_or(u64::MAX),
                    notifications: stats.notifications.load(Ordering::Relaxed),
                    polls: stats.polls.load(Ordering::Relaxed),
                    reconnects: stats.reconnects.load(Ordering::Relaxed),
                    stopped_by: control.stopped_by.lock().ok().and_then(|b| b.clone()),
                });
            }
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

/// Whether the wake-up trigger (`signals_pending_notify`) is installed and
/// enabled: without it LISTEN would wait for nothing.
async fn trigger_enabled(client: &tokio_postgres::Client) -> Result<bool> {
    let triggers = objects::read_triggers(client, &["signals".to_owned()]).await?;
    Ok(objects::TRIGGERS.iter().all(|(table, name, function)| {
        triggers
            .iter()
            .any(|t| t.table == *table && t.name == *name && t.function == *function && t.enabled)
    }))
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
mod tests;
