//! `run-pipeline`: the whole job once, in order, in one process: setup →
//! one market sync per selected venue (`--venues`, default every venue of the
//! registry) → demo signals (when asked) → route → summary. Each step calls
//! the same library function as its own binary, with options resolved by the
//! same flag groups, and prints one line: `[n/N] name … ok (1.23 s): outcome`
//! or `… FAILED (…): error`.
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
use agent_where::db::markets::SyncSummary;
use agent_where::db::setup::SetupReport;
use agent_where::venues::{Origin, VenueSource};
use anyhow::{Result, anyhow};
use clap::Parser;

use super::route::{self, RouteOptions};
use super::routing_stats::window::WindowName;
use super::routing_stats::{self, SummaryOptions};
use super::setup::{self, SetupOptions};
use super::sync::{self, DelistArgs, SyncPlan};
use crate::args::batch::BatchArgs;
use crate::args::host::HostArgs;
use crate::args::http::HttpArgs;
use crate::args::lock::LockArgs;
use crate::args::output::OutputArgs;
use crate::args::routing::RoutingArgs;
use crate::args::venues::VenueSources;
use crate::cli::{CommonArgs, Outcome, WorkFailed, error_line, work_failed};
use crate::output::{self, Format};

/// Largest `--demo-signals`.
pub const MAX_DEMO_SIGNALS: i64 = 1_000_000;

/// What `--offline` says about its data, on every run that uses it.
pub const OFFLINE_NOTE: &str = "offline: venue markets come from the responses built into this binary, \
captures of January 2026 or fixtures written from the documented shapes, as each sync line says \
(markets, prices and market hours as of then; Ostium's stock markets were closed in its capture). \
Illustrative data: never trade on it.";

/// Run the whole job once, in order: setup-agent-where (create and migrate the
/// database), one market sync per venue (--venues), optional demo signals,
/// route-pending-signals, and a routing-stats summary. Each step is printed
/// with its time and outcome; the first fatal failure stops the run and names
/// the step. The quick start, and the simplest cron job.
#[derive(Debug, Parser)]
#[command(name = "run-pipeline", version, after_help = AFTER_HELP)]
pub struct Args {
    /// Sync from the venue responses built into the binary (captures of
    /// January 2026, or fixtures written from the documented shapes) instead
    /// of calling the venues (no network). Illustrative data: runs only on a
    /// demo database (default `agent_where_demo`), refuses any other. Default:
    /// live.
    #[arg(long, env = "AGENT_WHERE_OFFLINE", conflicts_with = crate::args::venues::TESTNET)]
    pub offline: bool,
    /// Before routing, create the demo MULTI agent if missing and N pending
    /// signals over a realistic token mix (1 to 1000000). Runs only on a demo
    /// database (default `agent_where_demo`), refuses any other. Default: none.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..=MAX_DEMO_SIGNALS))]
    pub demo_signals: Option<i64>,
    /// Fail at setup instead of creating the database when it does not exist
    /// (for schedules against a database that must already be there).
    #[arg(long)]
    pub no_create_database: bool,
    #[command(flatten)]
    pub venues: VenueSources,
    #[command(flatten)]
    pub delist: DelistArgs,
    #[command(flatten)]
    pub lock: LockArgs,
    #[command(flatten)]
    pub http: HttpArgs,
    #[command(flatten)]
    pub batch: BatchArgs,
    #[command(flatten)]
    pub routing: RoutingArgs,
    #[command(flatten)]
    pub host: HostArgs,
    /// Window of the closing summary (routing-stats --window).
    #[arg(long, value_enum, default_value_t = WindowName::Day)]
    pub window: WindowName,
    /// Format of the closing summary; with csv or json the step lines go to
    /// stderr and stdout holds only the summary.
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

const AFTER_HELP: &str = concat!(
    "Examples:
  run-pipeline --offline --demo-signals 1000       # quick start: no network, demo signals
  run-pipeline --dexes xyz --workers 2             # live sync, then route (cron)
  run-pipeline --venues hyperliquid,ostium --window hour --format json > last-run.json

Steps: setup, one sync-<venue> per venue, demo-signals, route, summary. A sync whose
venue response is rejected or unreachable is recorded as FAILED and routing goes on with
the last good markets (exit 1 at the end); any other failure stops the run at its step
(exit 2).

--offline and --demo-signals write illustrative data, so they run only on a demo database:
without --database-url, DATABASE_URL or PGDATABASE they use `agent_where_demo`, which the demo
creates and marks as its own; a database holding another application's tables, another agent's
signals or markets synced from a live API or files is refused before any step (exit 2).

",
    crate::exit_codes_help!()
);

/// Everything validated before the first step runs.
struct Plan {
    origin: Origin,
    syncs: Vec<(&'static dyn VenueSource, SyncPlan)>,
    route: RouteOptions,
    summary: SummaryOptions,
}

fn plan(args: &Args) -> Result<Plan> {
    let origin = if args.offline {
        Origin::Recorded
    } else {
        Origin::Configured
    };
    let http = args.http.resolve()?;
    let mut syncs = Vec::new();
    for selected in args.venues.resolve(origin == Origin::Configured)? {
        syncs.push((
            selected.source,
            SyncPlan {
                sync: sync::configure(selected.source, &selected.settings, origin)?,
                origin,
                http: http.clone(),
                save_response: None,
                dry_run: false,
                allow_mass_delist: args.delist.allow_mass_delist,
                lock_timeout: args.lock.resolve(),
            },
        ));
    }
    let route = RouteOptions::from_groups(&args.batch, &args.routing, &args.host)?;
    let summary = SummaryOptions {
        csv: args.output.csv.mode(),
        ..SummaryOptions::window(args.window, args.output.format)
    };
    Ok(Plan {
        origin,
        syncs,
        route,
        summary,
    })
}

/// Prints step lines: on stdout with the table format, else on stderr.
struct Steps {
    to_stdout: bool,
    names: Vec<String>,
    done: usize,
}

impl Steps {
    fn new(to_stdout: bool, plan: &Plan) -> Steps {
        let mut names = vec!["setup".to_owned()];
        names.extend(
            plan.syncs
                .iter()
                .map(|(s, _)| format!("sync-{}", s.info().key)),
        );
        names.extend(["demo-signals", "route", "summary"].map(str::to_owned));
        Steps {
            to_stdout,
            names,
            done: 0,
        }
    }

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
        let (n, total) = (self.done, self.names.len());
        let name = &self.names[n - 1];
        let secs = started.elapsed().as_secs_f64();
        let text = match result {
            Ok(outcome) => format!("[{n}/{total}] {name} … ok ({secs:.2} s): {outcome}"),
            Err(error) => format!("[{n}/{total}] {name} … FAILED ({secs:.2} s): {error}"),
        };
        self.line(&text)
    }

    fn skip(&mut self, why: &str) -> Result<()> {
        self.done += 1;
        let (n, total) = (self.done, self.names.len());
        self.line(&format!(
            "[{n}/{total}] {} … skipped: {why}",
            self.names[n - 1]
        ))
    }

    /// The name of the step being run.
    fn current(&self) -> String {
        self.names[self.done].clone()
    }
}

/// Runs the pipeline.
pub async fn run(args: &Args) -> Result<Outcome> {
    let plan = plan(args)?;
    // --offline and --demo-signals write illustrative data: only into a demo
    // database (issue 23), by default `agent_where_demo`, checked before any
    // step changes anything.
    let demo = plan.origin == Origin::Recorded || args.demo_signals.is_some();
    let mut common = args.common.clone();
    // A database that cannot be read is the setup step's failure, as without
    // the demo; a refusal is the run's one line, before any step.
    let mut unreadable = None;
    if demo {
        common.database.default_database = Some(demo::DEMO_DATABASE);
        match demo_database_refusal(&common, args).await {
            Ok(Some(refusal)) => return Err(refusal),
            Ok(None) => {}
            Err(e) => unreadable = Some(e),
        }
    }
    let common = &common;
    let mut steps = Steps::new(args.output.format == Format::Table, &plan);
    if plan.origin == Origin::Recorded {
        steps.line(OFFLINE_NOTE)?;
    }
    // Work failures of the syncs: recorded, the run goes on.
    let mut failed: Vec<String> = Vec::new();

    // setup
    let started = Instant::now();
    let options = SetupOptions {
        check: false,
        no_create_database: args.no_create_database,
        host: agent_where::db::host::ExpectedHost::Auto,
        hold_multi: None,
        format: Format::Table,
        csv: crate::output::CsvMode::Guarded,
        lock_timeout: args.lock.resolve(),
    };
    let report = match unreadable {
        Some(e) => Err(e),
        None => setup::execute(common, &options).await,
    };
    let report = fatal(&mut steps, started, report)?;
    let mut outcome = setup_outcome(&report);
    if demo {
        let marked = mark_demo_database(common).await;
        if fatal(&mut steps, started, marked)? {
            outcome.push_str("; marked as a demo database");
        }
    }
    steps.report(started, Ok(&outcome))?;

    // one sync per venue
    for (source, sync_plan) in &plan.syncs {
        let started = Instant::now();
        let result = sync::execute(common, *source, sync_plan).await;
        if let Some(summary) = sync_step(&mut steps, started, result, &mut failed)? {
            steps.report(started, Ok(&sync_outcome(&summary)))?;
        }
    }

    // demo signals
    match args.demo_signals {
        Some(n) => {
            let started = Instant::now();
            let result = demo_signals(common, n).await;
            let text = fatal(&mut steps, started, result)?;
            steps.report(started, Ok(&text))?;
        }
        None => steps.skip("no --demo-signals")?,
    }

    // route
    let started = Instant::now();
    let result = route::execute(common, &plan.route).await;
    let summary = fatal(&mut steps, started, result)?;
    steps.report(started, Ok(&route_outcome(&summary)))?;

    // summary
    let started = Instant::now();
    let result = routing_stats::summary_text(common, &plan.summary).await;
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

/// The refusal of a database that is not a demo database (see
/// `agent_where::db::demo`), told reading only: one line naming it and the
/// way out, exit 2. `Err`: the database could not be read.
async fn demo_database_refusal(common: &CommonArgs, args: &Args) -> Result<Option<anyhow::Error>> {
    let url = common.database_url()?;
    let demo::DemoDatabase::Refused(reasons) = demo::inspect(&url).await? else {
        return Ok(None);
    };
    let flags = match (args.offline, args.demo_signals.is_some()) {
        (true, true) => "--offline (AGENT_WHERE_OFFLINE) and --demo-signals write",
        (true, false) => "--offline (AGENT_WHERE_OFFLINE) writes",
        _ => "--demo-signals writes",
    };
    let way_out = if url.database() == demo::DEMO_DATABASE {
        format!(
            "run the demo on a database of its own: drop this one (`dropdb {}`) and run again, or pass --database-url postgres:///another_demo",
            demo::DEMO_DATABASE
        )
    } else {
        format!(
            "run the demo on a database of its own: --database-url postgres:///{}",
            demo::DEMO_DATABASE
        )
    };
    Ok(Some(anyhow!(
        "refused: {flags} illustrative data, which goes only into a demo database, and {url} is not one ({}); nothing was changed; {way_out}",
        reasons.join("; ")
    )))
}

/// Marks the pipeline's database as the demo's (after setup). Returns
/// whether it marked it now.
async fn mark_demo_database(common: &CommonArgs) -> Result<bool> {
    let (_, client) = common.connect_checked().await?;
    demo::mark(&client, "run-pipeline").await
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
        "{} markets seen, {} listed: {} added, {} updated, {} unchanged, {} reactivated, {} delisted; source: {}",
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
    use chrono::TimeDelta;

    use super::*;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("run-pipeline").chain(args.iter().copied()))
    }

    #[test]
    fn defaults_and_pass_through_flags_parse() {
        let a = parse(&["--offline", "--demo-signals", "1000"]).expect("parses");
        assert!(a.offline);
        assert_eq!(a.demo_signals, Some(1000));
        assert_eq!(a.batch.batch_size, 5000);
        assert_eq!(a.batch.workers, 1);
        assert_eq!(a.routing.max_market_age, TimeDelta::hours(26));
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
        assert!(p.syncs.iter().all(|(_, s)| s.allow_mass_delist));
        let hyperliquid = p
            .syncs
            .iter()
            .find(|(s, _)| s.info().key == "hyperliquid")
            .map(|(_, plan)| plan)
            .expect("hyperliquid is synced");
        let settings = format!("{:?}", hyperliquid.sync);
        assert!(settings.contains(r#"dexes: Only(["xyz"])"#), "{settings}");
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
            snapshot_loads: 1,
            follow: None,
        };
        assert_eq!(
            route_outcome(&s),
            "10 signals decided: 7 routed (HYPERLIQUID 5, OSTIUM 2), 3 skipped (NO_VENUE_AVAILABLE 3); 1 batch, 1000 signals/s"
        );
    }
}
