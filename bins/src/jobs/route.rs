//! `route-pending-signals`: routes every pending `MULTI` signal in batches.
//! Each batch is one transaction (claim with `SKIP LOCKED`, decide, write
//! signals + history + run counters, commit), so several copies of the job
//! never decide a signal twice and a killed run loses only its open batch.
//! `--workers K` runs K batches at once on K pooled connections.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use agent_where::db::connect::Listener;
use agent_where::db::host::{self, HostSchema};
use agent_where::db::routing::{self as db, BatchSettings, SnapshotCache, Statements};
use agent_where::db::schema::objects;
use agent_where::db::{DatabaseUrl, DbContext, Pooler, is_connection_lost};
use agent_where::routing::Counts;
use anyhow::{Result, anyhow, bail};
use chrono::TimeDelta;
use deadpool_postgres::Pool;
use indicatif::ProgressBar;
use serde::Serialize;
use uuid::Uuid;

use crate::args::batch::{Batch, BatchArgs};
use crate::args::duration;
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
    /// Times a batch loaded the market snapshot (the others reused it: no
    /// sync had committed since).
    pub snapshot_loads: u64,
    /// What `--follow` did; absent without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow: Option<FollowSummary>,
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
            snapshot_loads: 0,
            follow: None,
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
        if let Some(f) = &self.follow {
            t.row(["follow s".to_owned(), format!("{:.0}", f.follow_seconds)]);
            t.row(["wake-up".to_owned(), f.wake_up.to_owned()]);
            t.row(["notifications".to_owned(), f.notifications.to_string()]);
            t.row(["polls".to_owned(), f.polls.to_string()]);
            t.row(["reconnects".to_owned(), f.reconnects.to_string()]);
            if let Some(by) = &f.stopped_by {
                t.row(["stopped by".to_owned(), by.clone()]);
            }
        }
        t
    }
}

/// What a following run did besides routing (the summary's `follow`).
#[derive(Debug, Clone, Serialize)]
pub struct FollowSummary {
    /// `--follow` in seconds.
    pub follow_seconds: f64,
    /// `listen` (woken by the trigger's notifications, polling every 5 s as a
    /// safety net) or `poll` (every `--poll-interval`).
    pub wake_up: &'static str,
    pub poll_interval_ms: u64,
    /// Notifications received.
    pub notifications: u64,
    /// Polls sent (one statement each).
    pub polls: u64,
    /// Connections re-opened after one was cut.
    pub reconnects: u64,
    /// `SIGTERM` / `SIGINT` when a signal ended the run early.
    pub stopped_by: Option<String>,
}

/// Counters of a following run, readable while it runs (`bench-routing
/// --follow` reads the idle statement rate from them).
#[derive(Debug, Default)]
pub struct FollowStats {
    pub notifications: AtomicU64,
    pub polls: AtomicU64,
    pub heartbeats: AtomicU64,
    pub reconnects: AtomicU64,
    /// Whether the follower LISTENs (set once it does).
    pub listening: AtomicBool,
}

impl FollowStats {
    /// Statements the follower sent outside routing batches: polls and
    /// heartbeats (a notification costs none).
    pub fn idle_statements(&self) -> u64 {
        self.polls.load(Ordering::Relaxed) + self.heartbeats.load(Ordering::Relaxed)
    }
}

/// Stops a run from outside (a signal, a benchmark) and reads its counters.
#[derive(Debug)]
pub struct RunControl {
    stop: tokio::sync::watch::Sender<bool>,
    stopped_by: Mutex<Option<String>>,
    pub stats: FollowStats,
}

impl Default for RunControl {
    fn default() -> Self {
        RunControl {
            stop: tokio::sync::watch::channel(false).0,
            stopped_by: Mutex::new(None),
            stats: FollowStats::default(),
        }
    }
}

impl RunControl {
    /// A control that nothing has stopped.
    #[must_use]
    pub fn new() -> Arc<RunControl> {
        Arc::new(RunControl::default())
    }

    /// Asks the run to stop: no new batch is claimed, the open ones commit,
    /// the run row is COMPLETED. `why` is said in the summary (`SIGTERM`).
    pub fn stop(&self, why: Option<&str>) {
        if let (Some(why), Ok(mut by)) = (why, self.stopped_by.lock()) {
            by.get_or_insert_with(|| why.to_owned());
        }
        self.stop.send_replace(true);
    }

    fn stopped(&self) -> bool {
        *self.stop.borrow()
    }

    /// Ends the run cleanly on SIGTERM or SIGINT (registered now, so a
    /// signal arriving from here on is caught).
    fn on_signals(self: &Arc<Self>) -> Result<()> {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term =
            signal(SignalKind::terminate()).map_err(|e| anyhow!("cannot handle SIGTERM: {e}"))?;
        let mut int =
            signal(SignalKind::interrupt()).map_err(|e| anyhow!("cannot handle SIGINT: {e}"))?;
        let control = Arc::clone(self);
        tokio::spawn(async move {
            let name = tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = int.recv() => "SIGINT",
            };
            tracing::info!("{name}: finishing the open batch, then stopping");
            control.stop(Some(name));
        });
        Ok(())
    }
}

/// Runs the job and prints its summary.
pub async fn run(common: &CommonArgs, options: &RouteOptions) -> Result<Outcome> {
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

/// The state of `--follow` shared by the workers and the waker.
struct Following {
    follow: Follow,
    deadline: tokio::time::Instant,
    /// The waker LISTENs (else it polls).
    listen: bool,
    /// Bumped when a signal may be pending: workers drain again.
    wake: tokio::sync::watch::Sender<u64>,
    /// When the last "connection lost" warning was printed.
    warned_at: Mutex<Option<Instant>>,
}

impl Following {
    fn wake_up(&self) {
        self.wake.send_modify(|n| *n = n.wrapping_add(1));
    }

    fn over(&self) -> bool {
        tokio::time::Instant::now() >= self.deadline
    }

    /// One warning line per outage (several connections are usually cut at
    /// once; a later cut warns again).
    fn warn_lost(&self, cause: &anyhow::Error) {
        let Ok(mut at) = self.warned_at.lock() else {
            return;
        };
        if at.is_some_and(|t| t.elapsed() < Duration::from_secs(30)) {
            return;
        }
        *at = Some(Instant::now());
        tracing::warn!(
            "lost the database connection ({}); reconnecting with backoff (at most {} s between attempts) until the end of --follow",
            crate::cli::error_line(cause),
            RECONNECT_MAX_PAUSE.as_secs()
        );
    }

    /// Retries `connect` with a doubling pause until it succeeds, the run is
    /// stopped, or the follow's end comes (then the last error).
    async fn reconnect<T, F, Fut>(
        &self,
        control: &RunControl,
        what: &str,
        mut connect: F,
    ) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let mut pause = RECONNECT_FIRST_PAUSE;
        loop {
            let error = match connect().await {
                Ok(t) => {
                    control.stats.reconnects.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!("{what}: reconnected");
                    return Ok(t);
                }
                Err(e) => e,
            };
            let wake_at = tokio::time::Instant::now() + pause;
            if control.stopped() || wake_at >= self.deadline {
                return Err(error.context(format!(
                    "{what}: lost the database connection and could not reconnect before the end of --follow"
                )));
            }
            tokio::time::sleep_until(wake_at).await;
            pause = (pause * 2).min(RECONNECT_MAX_PAUSE);
        }
    }
}

struct Shared {
    /// Signals still allowed by `--limit` (u64::MAX without one).
    remaining: AtomicU64,
    /// A worker failed: the others stop claiming.
    failed: AtomicBool,
    counts: Mutex<Counts>,
    batches: AtomicU64,
    bar: ProgressBar,
    /// The market snapshot the run's batches share.
    cache: SnapshotCache,
    control: Arc<RunControl>,
    following: Option<Following>,
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

    /// No new batch is to be claimed: a worker failed, the run was stopped,
    /// or the follow is over.
    fn halted(&self) -> bool {
        self.failed.load(Ordering::SeqCst)
            || self.control.stopped()
            || self.following.as_ref().is_some_and(Following::over)
    }
}

async fn run_workers(
    pool: &Pool,
    url: &DatabaseUrl,
    run_id: Uuid,
    options: &RouteOptions,
    schema: HostSchema,
    shared: &Arc<Shared>,
) -> Result<(Counts, u64)> {
    let pooler = url.pooler();
    let waker = shared.following.as_ref().map(|_| {
        let shared = Arc::clone(shared);
        let pool = pool.clone();
        let url = url.clone();
        let agent = options.agent;
        tokio::spawn(async move { waker(&shared, &pool, &url, schema, agent).await })
    });
    let mut handles = Vec::with_capacity(options.workers);
    for _ in 0..options.workers {
        let pool = pool.clone();
        let shared = Arc::clone(shared);
        let settings = options.settings(schema);
        let batch_size = options.batch_size as u64;
        handles.push(tokio::spawn(async move {
            let result = worker(&pool, pooler, &shared, &settings, run_id, batch_size).await;
            if result.is_err() {
                shared.failed.store(true, Ordering::SeqCst);
                // Wakes waiting workers so that they see it.
                if let Some(f) = &shared.following {
                    f.wake_up();
                }
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
    if let Some(waker) = waker {
        waker.abort();
        let _ = waker.await;
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

/// A worker's connection and its statements.
struct RouterConnection {
    object: deadpool_postgres::Object,
    statements: Statements,
}

impl RouterConnection {
    async fn open(pool: &Pool, pooler: Pooler, host: HostSchema) -> Result<RouterConnection> {
        let object = pool
            .get()
            .await
            .db_context("cannot get a database connection")?;
        let statements = Statements::for_connection(&object, host, pooler).await?;
        Ok(RouterConnection { object, statements })
    }
}

async fn worker(
    pool: &Pool,
    pooler: Pooler,
    shared: &Shared,
    settings: &BatchSettings,
    run_id: Uuid,
    batch_size: u64,
) -> Result<()> {
    let mut connection = RouterConnection::open(pool, pooler, settings.host).await?;
    let mut wake = shared.following.as_ref().map(|f| f.wake.subscribe());
    let mut stop = shared.control.stop.subscribe();
    loop {
        if let Some(wake) = wake.as_mut() {
            wake.borrow_and_update();
        }
        // Drain: batches until one comes back short.
        loop {
            if shared.halted() {
                return Ok(());
            }
            let take = shared.reserve(batch_size);
            if take == 0 {
                return Ok(());
            }
            let limit = usize::try_from(take).unwrap_or(usize::MAX);
            let client: &mut tokio_postgres::Client = &mut connection.object;
            let result = db::route_batch_cached(
                client,
                &connection.statements,
                settings,
                run_id,
                limit,
                &shared.cache,
            )
            .await;
            let counts = match result {
                Ok(counts) => counts,
                Err(e) => {
                    shared.give_back(take);
                    // A follower outlives a cut connection: the batch was
                    // rolled back with it (or committed whole), and a new
                    // connection claims again.
                    let Some(following) = &shared.following else {
                        return Err(e);
                    };
                    if !(connection.object.is_closed() || is_connection_lost(&e)) {
                        return Err(e);
                    }
                    following.warn_lost(&e);
                    drop(connection);
                    connection = following
                        .reconnect(&shared.control, "routing worker", || {
                            RouterConnection::open(pool, pooler, settings.host)
                        })
                        .await?;
                    continue;
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
        let (Some(following), Some(wake)) = (&shared.following, wake.as_mut()) else {
            return Ok(());
        };
        tokio::select! {
            changed = wake.changed() => {
                if changed.is_err() {
                    return Ok(());
                }
            }
            () = tokio::time::sleep_until(following.deadline) => return Ok(()),
            _ = stop.changed() => return Ok(()),
        }
    }
}

/// Waits on `listener`'s next notification; forever without one.
async fn notified(listener: &mut Option<Listener>) -> Option<()> {
    match listener {
        Some(l) => l.notifications.recv().await,
        None => std::future::pending().await,
    }
}

/// The waker of a following run: wakes the workers when a signal may be
/// pending, on a notification (LISTEN) or when its poll — the claim
/// statement with a limit of one — finds one. Polls every `--poll-interval`
/// without LISTEN, every [`LISTEN_SAFETY_POLL`] with it. A cut connection
/// is re-opened with backoff; meanwhile the pool's connection polls.
async fn waker(
    shared: &Shared,
    pool: &Pool,
    url: &DatabaseUrl,
    host: HostSchema,
    agent: Option<Uuid>,
) {
    let Some(following) = &shared.following else {
        return;
    };
    let stats = &shared.control.stats;
    let mut stop = shared.control.stop.subscribe();
    let mut listener: Option<Listener> = None;
    let mut poller: Option<deadpool_postgres::Object> = None;
    let mut listen_pause = RECONNECT_FIRST_PAUSE;
    let mut next_listen = tokio::time::Instant::now();
    loop {
        if following.listen && listener.is_none() && tokio::time::Instant::now() >= next_listen {
            match url.listen(PENDING_CHANNEL).await {
                Ok(l) => {
                    let again = stats.listening.swap(true, Ordering::Relaxed);
                    listener = Some(l);
                    listen_pause = RECONNECT_FIRST_PAUSE;
                    if again {
                        stats.reconnects.fetch_add(1, Ordering::Relaxed);
                        // Notifications sent while it was away are lost.
                        following.wake_up();
                    }
                }
                Err(e) => {
                    if stats.listening.load(Ordering::Relaxed) {
                        following.warn_lost(&e);
                    } else {
                        tracing::debug!("cannot LISTEN, polling instead: {e:#}");
                    }
                    next_listen = tokio::time::Instant::now() + listen_pause;
                    listen_pause = (listen_pause * 2).min(RECONNECT_MAX_PAUSE);
                }
            }
        }
        let interval = if listener.is_some() {
            following.follow.poll_interval.max(LISTEN_SAFETY_POLL)
        } else {
            following.follow.poll_interval
        };
        tokio::select! {
            _ = stop.changed() => return,
            () = tokio::time::sleep_until(following.deadline) => return,
            got = notified(&mut listener) => {
                if got.is_some() {
                    stats.notifications.fetch_add(1, Ordering::Relaxed);
                    following.wake_up();
                } else {
                    // The listening connection ended: poll until it is back.
                    listener = None;
                    following.warn_lost(&anyhow!("the listening connection was closed"));
                }
                continue;
            }
            () = tokio::time::sleep(interval) => {}
        }
        let probed = match &listener {
            Some(l) => db::probe_pending(&l.client, host, agent).await,
            None => {
                if poller.as_ref().is_none_or(|p| p.is_closed()) {
                    poller = None;
                    match pool
                        .get()
                        .await
                        .db_context("cannot get a database connection")
                    {
                        Ok(p) => poller = Some(p),
                        Err(e) => {
                            following.warn_lost(&e);
                            continue;
                        }
                    }
                }
                match &poller {
                    Some(p) => db::probe_pending(&***p, host, agent).await,
                    None => continue,
                }
            }
        };
        stats.polls.fetch_add(1, Ordering::Relaxed);
        match probed {
            Ok(true) => following.wake_up(),
            Ok(false) => {}
            Err(e) => {
                if is_connection_lost(&e) {
                    following.warn_lost(&e);
                    if listener.as_ref().is_some_and(|l| l.client.is_closed()) {
                        listener = None;
                    }
                } else {
                    tracing::debug!("{e:#}");
                }
            }
        }
    }
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
            failed: AtomicBool::new(false),
            counts: Mutex::new(Counts::default()),
            batches: AtomicU64::new(0),
            bar: ProgressBar::hidden(),
            cache: SnapshotCache::new(),
            control: RunControl::new(),
            following: None,
        };
        assert_eq!(shared.reserve(5), 5);
        assert_eq!(shared.reserve(5), 5);
        assert_eq!(shared.reserve(5), 2);
        assert_eq!(shared.reserve(5), 0);
        shared.give_back(3);
        assert_eq!(shared.reserve(5), 3);
    }
}
