//! `bench-routing`: routing throughput of Agent Where against the per-signal
//! approach of the original system and against PostgreSQL doing the whole job
//! in one statement, measured in one run on the same data.
//!
//! A base database is prepared once (schema, recorded markets, N pending
//! signals); every measurement runs on its own copy (`CREATE DATABASE …
//! TEMPLATE`), so each starts from the same state with no bloat from the last.

mod common;
pub mod follow;

use std::time::{Duration, Instant};

use agent_where::db::config::AssumedNotional;
use agent_where::db::demo::{self, DEMO_AGENT_ID, DEMO_TOKENS};
use agent_where::db::{DatabaseUrl, Pooler, bench, config, locks, schema};
use agent_where::domain::{Strategy, Usd};
use anyhow::{Context, Result, bail};
use serde::Serialize;
use tokio_postgres::Client;

use crate::args::output::CsvRawArg;
use crate::cli::{CommonArgs, Outcome};
use crate::jobs::route;
use crate::output::{self, CsvMode, Format, Table};
use common::{load_recorded_markets, peak_rss_mb, reset_peak_rss, route_options};
use follow::FollowBench;

/// Benchmark routing on a scratch database: prepares a copy per approach
/// (schema, recorded markets, N pending MULTI signals over the demo token mix)
/// and measures (1) a per-signal router as the original worked, on a sample,
/// (2) one set-based SQL statement doing the whole job (the floor), and (3)
/// the real route-pending-signals code path. Prints a table and the line
/// `ratio_vs_reference=<x> ratio_vs_limit=<y>`. `--database-url` names the
/// server; the scratch databases are created on it and dropped afterwards.
#[derive(Debug, clap::Parser)]
#[command(name = "bench-routing", version, after_help = AFTER_HELP)]
pub struct Args {
    /// Pending signals to route.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(i64).range(1..=10_000_000))]
    pub signals: i64,
    /// Signals the per-signal reference routes (its cost per signal is constant).
    #[arg(long, default_value_t = 5_000, value_parser = clap::value_parser!(i64).range(1..))]
    pub reference_sample: i64,
    /// Batch size of agent-where (as route-pending-signals --batch-size).
    #[arg(long, env = "AGENT_WHERE_BATCH_SIZE", default_value_t = 5_000)]
    pub batch_size: usize,
    /// Parallel batches of agent-where (as route-pending-signals --workers).
    #[arg(long, env = "AGENT_WHERE_WORKERS", default_value_t = 1)]
    pub workers: usize,
    /// Keep the scratch databases (`agent_where_bench_<pid>*`) for inspection.
    #[arg(long)]
    pub keep: bool,
    /// The global routing strategy agent-where routes with: FIRST_AVAILABLE (what the
    /// reference and the limit do), BEST_LIQUIDITY, LOWEST_FEES or LOWEST_COST.
    /// Default: FIRST_AVAILABLE.
    #[arg(long, value_name = "STRATEGY", default_value = "FIRST_AVAILABLE")]
    pub strategy: String,
    /// The global assumed notional in USD (the demo signals size relative to a balance, so
    /// LOWEST_COST prices them at this notional). Default: none (top of book).
    #[arg(long, value_name = "USD")]
    pub assumed_notional: Option<f64>,
    /// Measure a follower's latency instead (`route-pending-signals --follow`):
    /// signals arriving one by one at --rate for --seconds, then a burst.
    #[arg(long)]
    pub follow: bool,
    /// With --follow: mean arrivals per second (a Poisson process).
    #[arg(long, default_value_t = 50.0, requires = "follow")]
    pub rate: f64,
    /// With --follow: how long signals arrive one by one.
    #[arg(long, default_value_t = 30.0, requires = "follow")]
    pub seconds: f64,
    /// With --follow: signals inserted at once (one statement) after the arrivals.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(i64).range(1..=1_000_000), requires = "follow")]
    pub burst: i64,
    /// With --follow: seconds the idle follower's statements are counted.
    #[arg(long, default_value_t = 5.0, requires = "follow")]
    pub idle_seconds: f64,
    /// With --follow: the follower's --poll-interval.
    #[arg(long, default_value = "250ms", value_parser = crate::args::duration::parse_interval, requires = "follow")]
    pub poll_interval: Duration,
    /// With --follow: where the follower connects, e.g. a PgBouncer in front of the
    /// same server (`postgres://…@127.0.0.1:6432/x?pooler=transaction`); its database
    /// is replaced by the scratch database. Default: --database-url.
    #[arg(long, value_name = "URL", requires = "follow")]
    pub follower_url: Option<String>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub csv: CsvRawArg,
    #[command(flatten)]
    pub common: CommonArgs,
}

const AFTER_HELP: &str = concat!(
    "Examples:
  cargo run --release --bin bench-routing -- --signals 100000
  bench-routing --signals 1000000 --reference-sample 5000 --workers 2
  bench-routing --signals 5000 --format json
  bench-routing --signals 100000 --strategy LOWEST_COST --assumed-notional 25000
  bench-routing --follow                   # a follower's latency: 50 signals/s for 30 s, then a burst
  bench-routing --follow --follower-url 'postgres://app@127.0.0.1:6432/x?pooler=transaction'

",
    crate::exit_codes_help!()
);

impl Args {
    /// The options the job takes, checked.
    pub fn options(&self) -> Result<BenchOptions> {
        let strategy: Strategy = self
            .strategy
            .trim()
            .to_ascii_uppercase()
            .parse()
            .map_err(|e| anyhow::anyhow!("invalid `--strategy`: {e}"))?;
        let assumed_notional = match self.assumed_notional {
            None => None,
            Some(v) => Some(Usd::new(v).ok_or_else(|| {
                anyhow::anyhow!(
                    "invalid `--assumed-notional {v}`: expected a positive amount of USD below 10^15"
                )
            })?),
        };
        let follow = if self.follow {
            let within = (0.0..=3_000.0).contains(&self.seconds)
                && (0.0..=600.0).contains(&self.idle_seconds)
                && self.seconds > 0.0
                && self.idle_seconds > 0.0;
            if !within {
                anyhow::bail!(
                    "invalid `--seconds` / `--idle-seconds`: expected up to 3000 s and 600 s"
                );
            }
            Some(FollowBench {
                rate: self.rate,
                seconds: self.seconds,
                burst: self.burst,
                idle_seconds: self.idle_seconds,
                poll_interval: self.poll_interval,
                follower_url: self
                    .follower_url
                    .as_deref()
                    .map(DatabaseUrl::parse)
                    .transpose()?,
                keep: self.keep,
                format: self.format,
                csv: self.csv.mode(),
            })
        } else {
            None
        };
        Ok(BenchOptions {
            follow,
            signals: self.signals,
            reference_sample: self.reference_sample,
            batch_size: self.batch_size,
            workers: self.workers,
            keep: self.keep,
            format: self.format,
            csv: self.csv.mode(),
            strategy,
            assumed_notional,
        })
    }
}

/// Options of `bench-routing`.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// `--follow`: the follower's latency instead of throughput.
    pub follow: Option<FollowBench>,
    pub signals: i64,
    pub reference_sample: i64,
    pub batch_size: usize,
    pub workers: usize,
    pub keep: bool,
    pub format: Format,
    /// How CSV text cells are written (`--csv-raw`).
    pub csv: CsvMode,
    /// The global routing strategy of the agent-where measurement.
    pub strategy: Strategy,
    pub assumed_notional: Option<Usd>,
}

/// One measured approach.
#[derive(Debug, Clone, Serialize)]
pub struct Measurement {
    pub approach: &'static str,
    pub signals: i64,
    pub seconds: f64,
    pub signals_per_second: f64,
    pub ms_per_1000: f64,
    pub peak_rss_mb: Option<f64>,
}

impl Measurement {
    fn new(
        approach: &'static str,
        signals: i64,
        elapsed: Duration,
        peak_rss_mb: Option<f64>,
    ) -> Self {
        let seconds = elapsed.as_secs_f64().max(1e-9);
        #[allow(clippy::cast_precision_loss)]
        let n = signals as f64;
        Measurement {
            approach,
            signals,
            seconds,
            signals_per_second: n / seconds,
            ms_per_1000: seconds * 1000.0 * 1000.0 / n.max(1.0),
            peak_rss_mb,
        }
    }
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub signals: i64,
    /// The strategy agent-where routed with.
    pub strategy: Strategy,
    pub measurements: Vec<Measurement>,
    pub ratio_vs_reference: f64,
    pub ratio_vs_limit: f64,
}

/// Runs `bench-routing` with its flags.
pub async fn run(args: &Args) -> Result<Outcome> {
    run_with(&args.common, &args.options()?).await
}

/// Runs the benchmark and prints the table and the ratio line.
pub async fn run_with(common: &CommonArgs, options: &BenchOptions) -> Result<Outcome> {
    if options.signals < 1 {
        bail!("`--signals` must be at least 1");
    }
    let server = common.database_url()?;
    if server.pooler() == Pooler::Transaction {
        bail!(
            "bench-routing measures a direct connection (its per-signal reference prepares statements as the original did, and it copies databases), but {} is a transaction pooler: point --database-url at PostgreSQL itself, or add `pooler=none` if it is not a pooler",
            server.host_port()
        );
    }
    if let Some(follow) = &options.follow {
        follow::run(&server, follow).await?;
        return Ok(Outcome::Success);
    }
    let base_name = format!("agent_where_bench_{}", std::process::id());
    let base = server.with_database(&base_name);
    let admin = server.with_database("postgres").connect().await?;
    let result = measure_all(&server, &admin, &base, options).await;
    if !options.keep {
        for suffix in ["", "_reference", "_limit", "_agent_where"] {
            bench::drop_database_quietly(&admin, &format!("{base_name}{suffix}")).await;
        }
    }
    let report = result?;
    print_report(&report, options.format, options.csv)?;
    Ok(Outcome::Success)
}

async fn measure_all(
    server: &DatabaseUrl,
    admin: &Client,
    base: &DatabaseUrl,
    options: &BenchOptions,
) -> Result<BenchReport> {
    tracing::info!(
        database = base.database(),
        signals = options.signals,
        "preparing the base database"
    );
    prepare_base(admin, base, options).await?;

    let reference_db = copy_of(admin, base, "_reference").await?;
    let sample = options.reference_sample.min(options.signals);
    tracing::info!(sample, "measuring the per-signal reference");
    let reference = measure_reference(&server.with_database(&reference_db), sample).await?;

    let limit_db = copy_of(admin, base, "_limit").await?;
    tracing::info!("measuring the single-statement limit");
    let limit = measure_limit(&server.with_database(&limit_db), options.signals).await?;

    let ours_db = copy_of(admin, base, "_agent_where").await?;
    tracing::info!("measuring agent-where");
    let ours = measure_agent_where(&server.with_database(&ours_db), options).await?;

    let ratio_vs_reference = ours.signals_per_second / reference.signals_per_second;
    let ratio_vs_limit = ours.signals_per_second / limit.signals_per_second;
    Ok(BenchReport {
        signals: options.signals,
        strategy: options.strategy,
        measurements: vec![reference, limit, ours],
        ratio_vs_reference,
        ratio_vs_limit,
    })
}

async fn prepare_base(admin: &Client, base: &DatabaseUrl, options: &BenchOptions) -> Result<()> {
    let signals = options.signals;
    bench::recreate_database(admin, base.database()).await?;
    let mut client = base.connect().await?;
    schema::migrate(base, &mut client, locks::DEFAULT_TIMEOUT).await?;
    config::ensure_global_default(&client).await?;
    // The reference and the limit always route first-available; the
    // strategy applies to agent-where (the global row, for every signal).
    let priority: Vec<String> = agent_where::domain::default_priority()
        .iter()
        .map(|v| v.as_str().to_owned())
        .collect();
    config::upsert_row(
        &client,
        None,
        &priority,
        Some(options.strategy.as_str()),
        None,
        options
            .assumed_notional
            .map_or(AssumedNotional::Keep, AssumedNotional::Set),
        None,
    )
    .await?;
    // The scratch database is the benchmark's own: a demo database, where
    // routing may use the markets built into the binary (issue 23).
    demo::mark(&client, "bench-routing").await?;
    load_recorded_markets(&mut client).await?;
    demo::ensure_demo_agent(&client).await?;
    demo::insert_signals(&client, DEMO_AGENT_ID, signals, &DEMO_TOKENS).await?;
    bench::vacuum_analyze(&client).await
}

async fn copy_of(admin: &Client, base: &DatabaseUrl, suffix: &str) -> Result<String> {
    let name = format!("{}{suffix}", base.database());
    bench::copy_database(admin, base.database(), &name).await?;
    // The mark names the database it was written in: each copy gets its own.
    let copy = base.with_database(&name).connect().await?;
    demo::mark(&copy, "bench-routing").await?;
    Ok(name)
}

/// The original's way: per signal a config lookup, one availability query per
/// venue in priority order, an UPDATE and an INSERT, each its own round trip
/// and autocommit.
async fn measure_reference(url: &DatabaseUrl, sample: i64) -> Result<Measurement> {
    let client = url.connect().await?;
    let (routed, elapsed) = bench::route_per_signal(&client, sample).await?;
    Ok(Measurement::new(
        "reference (per signal)",
        i64::try_from(routed)?,
        elapsed,
        None,
    ))
}

/// PostgreSQL alone: one set-based statement routes everything.
async fn measure_limit(url: &DatabaseUrl, signals: i64) -> Result<Measurement> {
    let client = url.connect().await?;
    let started = Instant::now();
    let written = bench::route_all_in_one_statement(&client).await?;
    let elapsed = started.elapsed();
    if i64::try_from(written)? != signals {
        bail!("limit statement wrote {written} history rows for {signals} signals");
    }
    Ok(Measurement::new(
        "limit (one SQL statement)",
        signals,
        elapsed,
        None,
    ))
}

/// The real `route-pending-signals` code path, in this process, on its own pool.
async fn measure_agent_where(url: &DatabaseUrl, options: &BenchOptions) -> Result<Measurement> {
    let pool = url.pool(options.workers + 1).await?;
    let route_options = route_options(options.batch_size, options.workers, None);
    reset_peak_rss();
    let started = Instant::now();
    let summary = route::execute_on(&pool, url, &route_options, false).await?;
    let elapsed = started.elapsed();
    let peak = peak_rss_mb();
    let client = pool.get().await?;
    if summary.claimed != u64::try_from(options.signals)? {
        bail!(
            "agent-where decided {} signals (expected {})",
            summary.claimed,
            options.signals
        );
    }
    bench::check_all_decided(&client, options.signals)
        .await
        .context("agent-where")?;
    Ok(Measurement::new(
        "agent-where (route-pending-signals)",
        options.signals,
        elapsed,
        peak,
    ))
}

fn print_report(report: &BenchReport, format: Format, csv: CsvMode) -> Result<()> {
    if format == Format::Json {
        output::print_json(report)?;
    } else {
        let mut t = Table::new([
            "approach",
            "signals",
            "seconds",
            "signals/s",
            "ms per 1000",
            "peak RSS MB",
        ])
        .numbers_from(1);
        for m in &report.measurements {
            t.row([
                m.approach.to_owned(),
                m.signals.to_string(),
                format!("{:.3}", m.seconds),
                format!("{:.0}", m.signals_per_second),
                format!("{:.2}", m.ms_per_1000),
                m.peak_rss_mb
                    .map_or_else(|| "-".to_owned(), |v| format!("{v:.1}")),
            ]);
        }
        output::print_table(&t, format, csv)?;
        output::print_text(&format!("agent-where strategy: {}\n", report.strategy))?;
    }
    output::print_text(&format!(
        "ratio_vs_reference={:.2} ratio_vs_limit={:.2}\n",
        report.ratio_vs_reference, report.ratio_vs_limit
    ))
    .context("cannot print the ratio line")
}
