//! `bench-routing --follow`: the latency of a following router as another
//! client sees it. One follower (`route-pending-signals --follow`, in this
//! process) on a scratch database; another connection inserts signals one by
//! one as a Poisson process (default 50/s for 30 s), then a burst of 10 000
//! in one statement; a third connection watches for each decision's history
//! row. Reports latency from each insert's commit to its decision becoming
//! visible (p50/p99/max), the burst's time to all decided, the follower's
//! statements per second while idle (counted by the follower itself), peak
//! RSS, and the expected wait under a once-a-minute cron for comparison.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use agent_where::db::demo::{self, DEMO_AGENT_ID, DEMO_TOKENS};
use agent_where::db::{DatabaseUrl, bench, config, locks, schema};
use anyhow::{Result, bail};
use serde::Serialize;
use uuid::Uuid;

use super::common::{load_recorded_markets, peak_rss_mb, reset_peak_rss, route_options};
use crate::jobs::route::{self, Follow, RunControl};
use crate::output::{self, CsvMode, Format, Table};

/// How often the watching client looks for new decisions.
const WATCH_EVERY: Duration = Duration::from_millis(5);

/// Options of the follow benchmark.
#[derive(Debug, Clone)]
pub struct FollowBench {
    /// Mean arrivals per second of the Poisson process.
    pub rate: f64,
    /// How long signals arrive one by one.
    pub seconds: f64,
    /// Signals of the burst (one statement).
    pub burst: i64,
    /// How long the follower's idle statement rate is measured.
    pub idle_seconds: f64,
    pub poll_interval: Duration,
    /// Where the follower connects (another URL to the same server, e.g. a
    /// PgBouncer in front of it); the scratch database's name replaces its
    /// database. Default: `--database-url`.
    pub follower_url: Option<DatabaseUrl>,
    pub keep: bool,
    pub format: Format,
    /// How CSV text cells are written (`--csv-raw`).
    pub csv: CsvMode,
}

/// What `bench-routing --follow` reports.
#[derive(Debug, Clone, Serialize)]
pub struct FollowReport {
    /// `listen` or `poll`: how the follower was woken.
    pub wake_up: String,
    /// `none` or `transaction`: the follower's connection.
    pub pooler: &'static str,
    pub rate_per_second: f64,
    pub arrivals: usize,
    pub latency_p50_ms: f64,
    pub latency_p99_ms: f64,
    pub latency_max_ms: f64,
    pub burst: i64,
    /// From the burst's commit to all of it decided (visible).
    pub burst_seconds: f64,
    /// Statements the idle follower sent per second (its polls and heartbeats).
    pub idle_statements_per_second: f64,
    pub peak_rss_mb: Option<f64>,
    /// Mean wait of a signal under a once-a-minute cron run (arrivals
    /// uniform over the minute), for comparison.
    pub cron_1m_expected_wait_seconds: f64,
}

/// A small deterministic generator (xorshift64*) for the arrival gaps.
struct Arrivals(u64);

impl Arrivals {
    /// The next gap of a Poisson process of `rate` per second.
    fn gap(&mut self, rate: f64) -> Duration {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        #[allow(clippy::cast_precision_loss)]
        let u = ((x >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
        Duration::from_secs_f64(-u.ln() / rate)
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let at = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

/// Runs the follow benchmark on a scratch database of `server` and prints it.
pub async fn run(server: &DatabaseUrl, options: &FollowBench) -> Result<()> {
    if !(options.rate > 0.0 && options.rate <= 5_000.0) {
        bail!(
            "invalid `--rate {}`: expected 0 to 5000 signals per second",
            options.rate
        );
    }
    let name = format!("agent_where_bench_follow_{}", std::process::id());
    let db = server.with_database(&name);
    let admin = server.with_database("postgres").connect().await?;
    bench::recreate_database(&admin, &name).await?;
    let result = measure(&db, options).await;
    if !options.keep {
        bench::drop_database_quietly(&admin, &name).await;
    }
    let report = result?;
    print(&report, options.format, options.csv)
}

async fn measure(db: &DatabaseUrl, options: &FollowBench) -> Result<FollowReport> {
    let mut client = db.connect().await?;
    schema::migrate(db, &mut client, locks::DEFAULT_TIMEOUT).await?;
    config::ensure_global_default(&client).await?;
    // The scratch database is the benchmark's own: a demo database, where
    // routing may use the markets built into the binary (issue 23); without
    // the mark every venue is BUILT_IN_MARKET_DATA and nothing routes.
    demo::mark(&client, "bench-routing").await?;
    load_recorded_markets(&mut client).await?;
    demo::ensure_demo_agent(&client).await?;
    bench::vacuum_analyze(&client).await?;

    let follower_url = options
        .follower_url
        .as_ref()
        .map_or_else(|| db.clone(), |u| u.with_database(db.database()));
    let follow_for = options.idle_seconds + options.seconds + 120.0;
    let route_options = route_options(
        5_000,
        1,
        Some(Follow {
            duration: Duration::from_secs_f64(follow_for.min(3_600.0)),
            poll_interval: options.poll_interval,
        }),
    );
    route_options.validate()?;
    reset_peak_rss();
    let pool = follower_url.pool(route::pool_size(&route_options)).await?;
    let control = RunControl::new();
    let follower = {
        let control = control.clone();
        let url = follower_url.clone();
        tokio::spawn(async move {
            route::execute_with(&pool, &url, &route_options, false, &control).await
        })
    };
    // Let it route the (empty) backlog and settle into waiting.
    tokio::time::sleep(Duration::from_secs(1)).await;

    // Idle: only the follower's own statements (it counts them).
    let before = control.stats.idle_statements();
    let idle_started = Instant::now();
    tokio::time::sleep(Duration::from_secs_f64(options.idle_seconds)).await;
    let idle_elapsed = idle_started.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let idle_rate = (control.stats.idle_statements() - before) as f64 / idle_elapsed;

    // Arrivals: one insert per Poisson arrival from one connection, watched
    // from another.
    let inserter = db.connect().await?;
    let watcher = db.connect().await?;
    let outstanding: std::sync::Arc<std::sync::Mutex<HashMap<Uuid, Instant>>> =
        std::sync::Arc::default();
    let stop_watch = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watch = {
        let outstanding = std::sync::Arc::clone(&outstanding);
        let stop = std::sync::Arc::clone(&stop_watch);
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let ids: Vec<Uuid> = outstanding
                    .lock()
                    .map(|o| o.keys().copied().collect())
                    .unwrap_or_default();
                if !ids.is_empty() {
                    let decided = bench::decided_among(&watcher, &ids).await?;
                    let seen = Instant::now();
                    if let Ok(mut o) = outstanding.lock() {
                        for id in decided {
                            if let Some(at) = o.remove(&id) {
                                latencies.push(seen.duration_since(at).as_secs_f64() * 1000.0);
                            }
                        }
                    }
                } else if stop.load(std::sync::atomic::Ordering::SeqCst) {
                    return Ok::<_, anyhow::Error>((latencies, watcher));
                }
                tokio::time::sleep(WATCH_EVERY).await;
            }
        })
    };
    let seed = u64::from(std::process::id()) | 1;
    let mut arrivals = Arrivals(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let started = Instant::now();
    let end = started + Duration::from_secs_f64(options.seconds);
    let mut next = started + arrivals.gap(options.rate);
    let mut inserted = 0usize;
    while next < end {
        tokio::time::sleep_until(tokio::time::Instant::from_std(next)).await;
        let ids = bench::insert_arriving(&inserter, DEMO_AGENT_ID, 1, &DEMO_TOKENS).await?;
        let committed = Instant::now();
        if let Ok(mut o) = outstanding.lock() {
            for id in ids {
                o.insert(id, committed);
            }
        }
        inserted += 1;
        next += arrivals.gap(options.rate);
    }
    stop_watch.store(true, std::sync::atomic::Ordering::SeqCst);
    let (mut latencies, watcher) = watch.await??;
    latencies.sort_by(f64::total_cmp);

    // The burst: one statement, then until every one of it is decided (the
    // run's committed counter: one row, so watching costs the server nothing).
    let before_burst = bench::running_claimed(&watcher).await?;
    bench::insert_arriving(&inserter, DEMO_AGENT_ID, options.burst, &DEMO_TOKENS).await?;
    let burst_committed = Instant::now();
    let deadline = burst_committed + Duration::from_secs(120);
    loop {
        let decided = bench::running_claimed(&watcher).await? - before_burst;
        if decided >= options.burst {
            break;
        }
        if Instant::now() > deadline {
            bail!(
                "the burst was not decided within 120 s ({decided} of {})",
                options.burst
            );
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let burst_seconds = burst_committed.elapsed().as_secs_f64();
    let peak = peak_rss_mb();
    control.stop(None);
    let summary = follower
        .await
        .map_err(|e| anyhow::anyhow!("the follower stopped unexpectedly: {e}"))??;
    let expected = u64::try_from(inserted)? + u64::try_from(options.burst)?;
    if summary.claimed != expected {
        bail!(
            "the follower decided {} signals, {expected} were inserted",
            summary.claimed
        );
    }
    // A benchmark of decisions that all skip measures the wrong path: the
    // demo token mix routes most signals (85 % on the recorded markets).
    if summary.routed * 2 < summary.claimed {
        bail!(
            "the follower routed only {} of {} signals: the benchmark would not measure routing",
            summary.routed,
            summary.claimed
        );
    }
    Ok(FollowReport {
        wake_up: summary
            .follow
            .as_ref()
            .map_or_else(|| "?".to_owned(), |f| f.wake_up.to_owned()),
        pooler: follower_url.pooler().as_str(),
        rate_per_second: options.rate,
        arrivals: inserted,
        latency_p50_ms: percentile(&latencies, 0.50),
        latency_p99_ms: percentile(&latencies, 0.99),
        latency_max_ms: latencies.last().copied().unwrap_or(f64::NAN),
        burst: options.burst,
        burst_seconds,
        idle_statements_per_second: idle_rate,
        peak_rss_mb: peak,
        cron_1m_expected_wait_seconds: 30.0,
    })
}

fn print(report: &FollowReport, format: Format, csv: CsvMode) -> Result<()> {
    if format == Format::Json {
        return output::print_json(report);
    }
    let mut t = Table::new(["metric", "value"]);
    t.row([
        "wake-up".to_owned(),
        format!("{} (pooler {})", report.wake_up, report.pooler),
    ]);
    t.row([
        "arrivals".to_owned(),
        format!(
            "{} at {}/s (Poisson)",
            report.arrivals, report.rate_per_second
        ),
    ]);
    t.row([
        "latency p50 ms".to_owned(),
        format!("{:.1}", report.latency_p50_ms),
    ]);
    t.row([
        "latency p99 ms".to_owned(),
        format!("{:.1}", report.latency_p99_ms),
    ]);
    t.row([
        "latency max ms".to_owned(),
        format!("{:.1}", report.latency_max_ms),
    ]);
    t.row([
        format!("burst of {} decided in s", report.burst),
        format!("{:.3}", report.burst_seconds),
    ]);
    t.row([
        "idle statements/s".to_owned(),
        format!("{:.2}", report.idle_statements_per_second),
    ]);
    t.row([
        "peak RSS MB".to_owned(),
        report
            .peak_rss_mb
            .map_or_else(|| "-".to_owned(), |v| format!("{v:.1}")),
    ]);
    t.row([
        "1-minute cron: expected wait s".to_owned(),
        format!("{:.0}", report.cron_1m_expected_wait_seconds),
    ]);
    output::print_table(&t, format, csv)
}
