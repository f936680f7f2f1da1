//! `run-pipeline`: the whole job once, in order, in one process: setup →
//! sync Hyperliquid → sync Ostium → demo signals (when asked) → route →
//! summary. Each step calls the same library function as its own binary and
//! prints one line: `[n/6] name … ok (1.23 s): outcome` or `… FAILED (…): error`.
//!
//! Where the lines go: with `--format table` (the default) the step lines and
//! the summary are all on stdout (they are the run's report); with `--format
//! csv|json` the step lines go to stderr so that stdout is only the summary,
//! parseable as such.
//!
//! Failure policy: a fatal error (bad flags, database unreachable, schema
//! behind, any database failure) stops the pipeline at that step, naming it,
//! exit 2. A rejected or unreachable venue response (what makes a sync binary
//! exit 1) is recorded as a FAILED sync and the pipeline goes on: the router
//! then decides with the markets of the last successful sync, which its
//! staleness check (`--max-market-age`) accepts or refuses; the summary is
//! printed and the run exits 1 naming the failed step.

use std::fmt::Write as _;
use std::time::Instant;

use agent_where::db::demo;
use anyhow::{Result, anyhow, bail};
use chrono::TimeDelta;
use clap::Parser;

use super::route::{self, RouteOptions};
use super::routing_stats::window::WindowName;
use super::routing_stats::{self, SummaryArgs, WindowArgs};
use super::setup::{self, SetupOptions};
use super::sync::{self, ApplyArgs, HttpArgs};
use super::sync_hyperliquid::{self, Origin};
use super::sync_ostium;
use crate::cli::{CommonArgs, Outcome, WorkFailed, error_line, work_failed};
use crate::output::{self, Format};
use agent_where::db::markets::SyncSummary;
use agent_where::db::setup::SetupReport;
use agent_where::venues::hyperliquid::DexSelection;

/// How many steps a run has (the demo step is reported even when skipped).
pub const STEPS: usize = 6;

/// The step names, in order, as printed.
pub const STEP_NAMES: [&str; STEPS] = [
    "setup",
    "sync-hyperliquid",
    "sync-ostium",
    "demo-signals",
    "route",
    "summary",
];

/// Largest `--demo-signals`.
pub const MAX_DEMO_SIGNALS: i64 = 1_000_000;

/// What `--offline` says about its data, on every run that uses it.
pub const OFFLINE_NOTE: &str = "offline: venue markets come from the recorded capture of January 2026 \
built into this binary (markets, prices and market hours as of then; Ostium's stock markets were \
closed in that capture). Illustrative data: never trade on it.";

/// Run the whole job once, in order: setup-agent-where (create and migrate the
/// database), sync-hyperliquid-markets, sync-ostium-markets, optional demo
/// signals, route-pending-signals, and a routing-stats summary. Each step is
/// printed with its time and outcome; the first fatal failure stops the run
/// and names the step. The quick start, and the simplest cron job.
#[derive(Debug, Parser)]
#[command(name = "run-pipeline", version, after_help = AFTER_HELP)]
pub struct Args {
    /// Sync from the venue responses recorded in January 2026 and built into
    /// the binary instead of calling the venues (no network). Default: live.
    #[arg(long, env = "AGENT_WHERE_OFFLINE")]
    pub offline: bool,
    /// Before routing, create the demo MULTI agent if missing and N pending
    /// signals over a realistic token mix (1 to 1000000). Default: none.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..=MAX_DEMO_SIGNALS))]
    pub demo_signals: Option<i64>,
    /// Fail at setup instead of creating the database when it does not exist
    /// (for schedules against a database that must already be there).
    #[arg(long)]
    pub no_create_database: bool,
    /// HIP-3 builder dexes to sync besides Hyperliquid's main dex: `xyz,flx`
    /// or `all` (offline: the capture holds `xyz` only). Default: main dex only.
    #[arg(long, value_name = "LIST", env = "HYPERLIQUID_DEXES")]
    pub dexes: Option<String>,
    /// Sync from the venues' testnets (conflicts with --offline and the URL flags).
    #[arg(long, env = "AGENT_WHERE_TESTNET", conflicts_with = "offline")]
    pub testnet: bool,
    /// Hyperliquid API base URL (`/info` appended). Default: https://api.hyperliquid.xyz
    #[arg(long, env = "HYPERLIQUID_API_URL", value_name = "URL")]
    pub hyperliquid_api_url: Option<String>,
    /// Ostium subgraph URL. Default: the mainnet subgraph.
    #[arg(long, env = "OSTIUM_SUBGRAPH_URL", value_name = "URL")]
    pub ostium_subgraph_url: Option<String>,
    /// Ostium latest-prices URL. Default: https://metadata-backend.ostium.io/PricePublish/latest-prices
    #[arg(long, env = "OSTIUM_PRICES_URL", value_name = "URL")]
    pub ostium_prices_url: Option<String>,
    /// Apply a sync even when it would deactivate more than half of a venue's
    /// active markets. Default: refuse (the sync step fails, markets unchanged).
    #[arg(long)]
    pub allow_mass_delist: bool,
    #[command(flatten)]
    pub http: HttpArgs,
    /// Signals claimed and written per routing transaction (1 to 100000).
    #[arg(long, env = "AGENT_WHERE_BATCH_SIZE", default_value_t = 5000)]
    pub batch_size: usize,
    /// Routing batches run in parallel, each on its own connection (1 to 64).
    #[arg(long, env = "AGENT_WHERE_WORKERS", default_value_t = 1)]
    pub workers: usize,
    /// A venue whose last successful sync is older than this is unavailable to
    /// routing (units s, m, h, d).
    #[arg(long, env = "AGENT_WHERE_MAX_MARKET_AGE", default_value = "26h", value_parser = route::parse_duration)]
    pub max_market_age: TimeDelta,
    /// Signals older than this are skipped as SIGNAL_EXPIRED (units s, m, h, d).
    #[arg(long, env = "AGENT_WHERE_MAX_SIGNAL_AGE", default_value = "24h", value_parser = route::parse_duration)]
    pub max_signal_age: TimeDelta,
    /// Window of the closing summary (routing-stats --window).
    #[arg(long, value_enum, default_value_t = WindowName::Day)]
    pub window: WindowName,
    /// Format of the closing summary; with csv or json the step lines go to
    /// stderr and stdout holds only the summary.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub common: CommonArgs,
}

const AFTER_HELP: &str = concat!(
    "Examples:
  run-pipeline --offline --demo-signals 1000       # quick start: no network, demo signals
  run-pipeline --dexes xyz --workers 2             # live sync, then route (cron)
  run-pipeline --window hour --format json > last-run.json

Steps: [1/6] setup, [2/6] sync-hyperliquid, [3/6] sync-ostium, [4/6] demo-signals,
[5/6] route, [6/6] summary. A sync whose venue response is rejected or unreachable is
recorded as FAILED and routing goes on with the last good markets (exit 1 at the end);
any other failure stops the run at its step (exit 2).

",
    crate::exit_codes_help!()
);

/// Everything validated before the first step runs.
struct Plan {
    origin: Origin,
    hyperliquid: sync_hyperliquid::Args,
    ostium: sync_ostium::Args,
    route: RouteOptions,
    summary: SummaryArgs,
}

fn plan(args: &Args) -> Result<Plan> {
    let origin = if args.offline {
        if args.hyperliquid_api_url.is_some()
            || args.ostium_subgraph_url.is_some()
            || args.ostium_prices_url.is_some()
        {
            tracing::debug!("--offline: venue URLs are ignored");
        }
        Origin::Recorded
    } else {
        Origin::Configured
    };
    if let Some(raw) = &args.dexes {
        let selection = DexSelection::parse(raw).map_err(|e| anyhow!("`--dexes`: {e}"))?;
        if let (Origin::Recorded, DexSelection::Only(names)) = (origin, &selection)
            && names.iter().any(|n| n != "xyz")
        {
            bail!(
                "`--dexes {raw}` with `--offline`: the recorded capture holds only the main dex and `xyz`"
            );
        }
    }
    args.http.options()?;
    let apply = ApplyArgs {
        save_response: None,
        dry_run: false,
        allow_mass_delist: args.allow_mass_delist,
        format: Format::Table,
    };
    let offline = origin == Origin::Recorded;
    let hyperliquid = sync_hyperliquid::Args {
        api_url: if offline {
            None
        } else {
            args.hyperliquid_api_url.clone()
        },
        testnet: args.testnet,
        dexes: args.dexes.clone(),
        from_file: None,
        http: args.http.clone(),
        apply: apply.clone(),
        common: args.common.clone(),
    };
    let ostium = sync_ostium::Args {
        subgraph_url: if offline {
            None
        } else {
            args.ostium_subgraph_url.clone()
        },
        prices_url: if offline {
            None
        } else {
            args.ostium_prices_url.clone()
        },
        testnet: args.testnet,
        pairs_file: None,
        prices_file: None,
        http: args.http.clone(),
        apply,
        common: args.common.clone(),
    };
    if args.testnet && args.hyperliquid_api_url.is_some() {
        bail!(
            "`--testnet` and `--hyperliquid-api-url` / `HYPERLIQUID_API_URL` are both set: choose one"
        );
    }
    if args.testnet && args.ostium_subgraph_url.is_some() {
        bail!(
            "`--testnet` and `--ostium-subgraph-url` / `OSTIUM_SUBGRAPH_URL` are both set: choose one"
        );
    }
    if !offline {
        for (flag, url) in [
            ("--hyperliquid-api-url", &args.hyperliquid_api_url),
            ("--ostium-subgraph-url", &args.ostium_subgraph_url),
            ("--ostium-prices-url", &args.ostium_prices_url),
        ] {
            if let Some(url) = url {
                sync::check_url(flag, url)?;
            }
        }
    }
    let route = RouteOptions {
        batch_size: args.batch_size,
        limit: None,
        agent: None,
        dry_run: false,
        workers: args.workers,
        max_market_age: args.max_market_age,
        max_signal_age: args.max_signal_age,
        include_hip3: false,
        format: Format::Table,
    };
    route.validate()?;
    let summary = SummaryArgs {
        window: WindowArgs {
            window: Some(args.window),
            since: None,
            until: None,
        },
        filters: routing_stats::FilterArgs::default(),
        group_by: None,
        top: 10,
        format: args.format,
        output: None,
    };
    Ok(Plan {
        origin,
        hyperliquid,
        ostium,
        route,
        summary,
    })
}

/// Prints step lines: on stdout with the table format, else on stderr.
struct Steps {
    to_stdout: bool,
    done: usize,
}

impl Steps {
    fn line(&self, text: &str) -> Result<()> {
        if self.to_stdout {
            output::print_text(&format!("{text}\n"))
        } else {
            eprintln!("{text}");
            Ok(())
        }
    }

    fn report(&mut self, started: Instant, result: std::result::Result<&str, &str>) -> Result<()> {
        self.done += 1;
        let name = STEP_NAMES[self.done - 1];
        let secs = started.elapsed().as_secs_f64();
        let text = match result {
            Ok(outcome) => format!(
                "[{}/{STEPS}] {name} … ok ({secs:.2} s): {outcome}",
                self.done
            ),
            Err(error) => format!(
                "[{}/{STEPS}] {name} … FAILED ({secs:.2} s): {error}",
                self.done
            ),
        };
        self.line(&text)
    }

    fn skip(&mut self, why: &str) -> Result<()> {
        self.done += 1;
        let name = STEP_NAMES[self.done - 1];
        self.line(&format!("[{}/{STEPS}] {name} … skipped: {why}", self.done))
    }

    /// The name of the step being run.
    fn current(&self) -> &'static str {
        STEP_NAMES[self.done]
    }
}

/// Runs the pipeline.
pub async fn run(args: &Args) -> Result<Outcome> {
    let plan = plan(args)?;
    let mut steps = Steps {
        to_stdout: args.format == Format::Table,
        done: 0,
    };
    if plan.origin == Origin::Recorded {
        steps.line(OFFLINE_NOTE)?;
    }
    // Work failures of the syncs: recorded, the run goes on.
    let mut failed: Vec<String> = Vec::new();

    // 1. setup
    let started = Instant::now();
    let options = SetupOptions {
        check: false,
        no_create_database: args.no_create_database,
        format: Format::Table,
    };
    let report = setup::execute(&args.common, &options).await;
    let report = fatal(&mut steps, started, report)?;
    steps.report(started, Ok(&setup_outcome(&report)))?;

    // 2. and 3. the syncs
    let started = Instant::now();
    let result = sync_hyperliquid::execute(&plan.hyperliquid, plan.origin).await;
    if let Some(summary) = sync_step(&mut steps, started, result, &mut failed)? {
        steps.report(started, Ok(&sync_outcome(&summary)))?;
    }
    let started = Instant::now();
    let result = sync_ostium::execute(&plan.ostium, plan.origin).await;
    if let Some(summary) = sync_step(&mut steps, started, result, &mut failed)? {
        steps.report(started, Ok(&sync_outcome(&summary)))?;
    }

    // 4. demo signals
    match args.demo_signals {
        Some(n) => {
            let started = Instant::now();
            let result = demo_signals(&args.common, n).await;
            let text = fatal(&mut steps, started, result)?;
            steps.report(started, Ok(&text))?;
        }
        None => steps.skip("no --demo-signals")?,
    }

    // 5. route
    let started = Instant::now();
    let result = route::execute(&args.common, &plan.route).await;
    let summary = fatal(&mut steps, started, result)?;
    steps.report(started, Ok(&route_outcome(&summary)))?;

    // 6. summary
    let started = Instant::now();
    let result = routing_stats::summary_text(&args.common, &plan.summary).await;
    let text = fatal(&mut steps, started, result)?;
    steps.report(
        started,
        Ok(&format!(
            "routing-stats over the last {} follows",
            window_name(args.window)
        )),
    )?;
    if steps.to_stdout {
        output::print_text("\n")?;
    }
    output::print_text(&text)?;
    if plan.origin == Origin::Recorded && steps.to_stdout {
        output::print_text(&format!("\n{OFFLINE_NOTE}\n"))?;
    }

    if failed.is_empty() {
        Ok(Outcome::Success)
    } else {
        Err(work_failed(anyhow!(
            "{}; routing used the markets of the last successful sync",
            failed.join("; ")
        )))
    }
}

/// A step that stops the pipeline when it fails: prints its FAILED line and
/// returns the error naming the step (the exit code stays the cause's).
fn fatal<T>(steps: &mut Steps, started: Instant, result: Result<T>) -> Result<T> {
    match result {
        Ok(v) => Ok(v),
        Err(e) => {
            let name = steps.current();
            steps.report(started, Err(&error_line(&e)))?;
            Err(e.context(format!("step `{name}` failed, pipeline stopped")))
        }
    }
}

/// A sync step: a rejected or unreachable venue (work failure) is reported
/// and remembered, anything else stops the pipeline.
fn sync_step(
    steps: &mut Steps,
    started: Instant,
    result: Result<SyncSummary>,
    failed: &mut Vec<String>,
) -> Result<Option<SyncSummary>> {
    match result {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.downcast_ref::<WorkFailed>().is_some() => {
            let name = steps.current();
            let line = error_line(&e);
            steps.report(started, Err(&line))?;
            failed.push(format!("step `{name}` failed: {line}"));
            Ok(None)
        }
        Err(e) => fatal(steps, started, Err(e)),
    }
}

async fn demo_signals(common: &CommonArgs, n: i64) -> Result<String> {
    let (_, client) = common.connect_checked().await?;
    let created = demo::ensure_demo_agent(&client).await?;
    let inserted =
        demo::insert_signals(&client, demo::DEMO_AGENT_ID, n, &demo::DEMO_TOKENS).await?;
    Ok(format!(
        "{} the demo agent `{}`; {inserted} pending MULTI signals over {} token spellings",
        if created { "created" } else { "reused" },
        demo::DEMO_AGENT_ID,
        demo::DEMO_TOKENS.len()
    ))
}

fn setup_outcome(r: &SetupReport) -> String {
    let version = r
        .schema_version
        .map_or_else(|| "none".to_owned(), |v| v.to_string());
    if !r.changed() {
        return format!(
            "database {} up to date (schema version {version}), nothing changed",
            r.database
        );
    }
    format!(
        "database {} at schema version {version}: {}",
        r.database,
        r.changes().join(", ")
    )
}

fn sync_outcome(s: &SyncSummary) -> String {
    format!(
        "{} markets seen, {} active: {} added, {} updated, {} unchanged, {} reactivated, {} delisted; source: {}",
        s.markets_seen,
        s.active_total,
        s.added,
        s.updated,
        s.unchanged,
        s.reactivated,
        s.delisted,
        s.source
    )
}

fn route_outcome(s: &route::Summary) -> String {
    if s.claimed == 0 {
        return "no pending MULTI signals".to_owned();
    }
    let mut text = format!("{} signals decided: {} routed", s.claimed, s.routed);
    let venues: Vec<String> = s
        .routed_by_venue
        .iter()
        .map(|(v, n)| format!("{v} {n}"))
        .collect();
    if !venues.is_empty() {
        let _ = write!(text, " ({})", venues.join(", "));
    }
    let _ = write!(text, ", {} skipped", s.skipped);
    let reasons: Vec<String> = s
        .skipped_by_reason
        .iter()
        .map(|(r, n)| format!("{r} {n}"))
        .collect();
    if !reasons.is_empty() {
        let _ = write!(text, " ({})", reasons.join(", "));
    }
    let _ = write!(
        text,
        "; {} batch{}, {:.0} signals/s",
        s.batches,
        if s.batches == 1 { "" } else { "es" },
        s.signals_per_second
    );
    text
}

fn window_name(w: WindowName) -> &'static str {
    match w {
        WindowName::Hour => "hour",
        WindowName::Day => "day",
        WindowName::Week => "week",
        WindowName::All => "all time",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("run-pipeline").chain(args.iter().copied()))
    }

    #[test]
    fn defaults_and_pass_through_flags_parse() {
        let a = parse(&["--offline", "--demo-signals", "1000"]).expect("parses");
        assert!(a.offline);
        assert_eq!(a.demo_signals, Some(1000));
        assert_eq!(a.batch_size, 5000);
        assert_eq!(a.workers, 1);
        assert_eq!(a.max_market_age, TimeDelta::hours(26));
        assert_eq!(a.window, WindowName::Day);
        let p = plan(&a).expect("valid");
        assert_eq!(p.origin, Origin::Recorded);
        assert_eq!(p.summary.window.window, Some(WindowName::Day));

        let a = parse(&[
            "--dexes",
            "xyz",
            "--workers",
            "3",
            "--batch-size",
            "100",
            "--max-signal-age",
            "2h",
            "--window",
            "week",
            "--format",
            "json",
            "--allow-mass-delist",
        ])
        .expect("parses");
        let p = plan(&a).expect("valid");
        assert_eq!(p.route.workers, 3);
        assert_eq!(p.route.batch_size, 100);
        assert_eq!(p.route.max_signal_age, TimeDelta::hours(2));
        assert!(p.hyperliquid.apply.allow_mass_delist && p.ostium.apply.allow_mass_delist);
        assert_eq!(p.hyperliquid.dexes.as_deref(), Some("xyz"));
        assert_eq!(p.summary.format, Format::Json);
    }

    #[test]
    fn bad_values_are_refused_before_any_step() {
        assert!(parse(&["--demo-signals", "0"]).is_err());
        assert!(parse(&["--offline", "--testnet"]).is_err());
        assert!(parse(&["--max-market-age", "soon"]).is_err());
        let e = plan(&parse(&["--workers", "0"]).expect("parses")).err();
        assert!(e.is_some_and(|e| e.to_string().contains("--workers")));
        let e = plan(&parse(&["--dexes", "bad name!"]).expect("parses")).err();
        assert!(e.is_some_and(|e| e.to_string().contains("--dexes")));
        let e = plan(&parse(&["--offline", "--dexes", "xyz,flx"]).expect("parses")).err();
        assert!(e.is_some_and(|e| e.to_string().contains("recorded capture holds only")));
        assert!(plan(&parse(&["--offline", "--dexes", "all"]).expect("parses")).is_ok());
        let e = plan(&parse(&["--hyperliquid-api-url", "ftp://x"]).expect("parses")).err();
        assert!(e.is_some_and(|e| e.to_string().contains("--hyperliquid-api-url")));
    }

    #[test]
    fn route_outcome_names_venues_and_reasons() {
        let s = route::Summary {
            run_id: None,
            dry_run: false,
            claimed: 10,
            routed: 7,
            skipped: 3,
            routed_by_venue: [("HYPERLIQUID".to_owned(), 5), ("OSTIUM".to_owned(), 2)].into(),
            skipped_by_reason: [("NO_VENUE_AVAILABLE".to_owned(), 3)].into(),
            batches: 1,
            workers: 1,
            batch_size: 5000,
            elapsed_seconds: 0.01,
            signals_per_second: 1000.0,
        };
        assert_eq!(
            route_outcome(&s),
            "10 signals decided: 7 routed (HYPERLIQUID 5, OSTIUM 2), 3 skipped (NO_VENUE_AVAILABLE 3); 1 batch, 1000 signals/s"
        );
    }
}
