//! `sync-<venue>-markets`: one job for every venue of the registry. It
//! checks the venue's flags, connects, fetches (or reads saved or recorded
//! responses), validates the whole list through the venue module, applies it
//! to `venue_markets` all or nothing, records the run and prints the summary.
//! Each venue's binary reads like the others: `SyncArgs::parse(&SOURCE)`, then
//! `cli::run` with `run(&SOURCE, &args)`.
//!
//! Exit behaviour: a rejected response or a failed fetch exits 1 with one line
//! naming the venue, the endpoint and the cause, leaves `venue_markets`
//! untouched and records a FAILED `venue_sync_runs` row; a database that is
//! unreachable or behind exits 2.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use agent_where::db::markets::{self, ApplyOptions, MassDelist, SyncSummary};
use agent_where::domain::Venue;
use agent_where::venues::{HttpOptions, Origin, Responses, SourceSettings, VenueSource, VenueSync};
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use clap::{Args, Command, FromArgMatches};

use crate::args::http::HttpArgs;
use crate::args::lock::LockArgs;
use crate::args::output::OutputArgs;
use crate::args::venues::{self, VenueFlags};
use crate::cli::{CommonArgs, Outcome, error_line, work_failed};
use crate::output::{self, CsvMode, Format, Table};
use crate::progress;

/// `--allow-mass-delist`: shared by the sync tools and run-pipeline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Args)]
pub struct DelistArgs {
    /// Apply even when more than half of the active markets would be deactivated
    /// (default: refuse, exit 1, change nothing).
    #[arg(long)]
    pub allow_mass_delist: bool,
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
    #[command(flatten)]
    pub delist: DelistArgs,
    #[command(flatten)]
    pub lock: LockArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Everything a sync does, checked.
#[derive(Debug, Clone)]
pub struct SyncPlan {
    /// The venue's settings, read once ([`VenueSource::configure`]).
    pub sync: Arc<dyn VenueSync>,
    pub origin: Origin,
    pub http: HttpOptions,
    pub save_response: Option<PathBuf>,
    pub dry_run: bool,
    pub allow_mass_delist: bool,
    /// Longest wait for the venue's sync lock.
    pub lock_timeout: std::time::Duration,
}

/// The flags of `sync-<venue>-markets`, as parsed.
#[derive(Debug, Clone)]
pub struct SyncArgs {
    pub common: CommonArgs,
    pub http: HttpArgs,
    pub apply: ApplyArgs,
    pub venue: VenueFlags,
}

/// The clap command of a venue's sync tool.
#[must_use]
pub fn command(source: &dyn VenueSource) -> Command {
    let info = source.info();
    let mut cmd = Command::new(binary_name(source)).version(env!("CARGO_PKG_VERSION"));
    cmd = venues::augment_testnet(cmd);
    cmd = venues::augment(cmd, info, false);
    cmd = HttpArgs::augment_args(cmd);
    cmd = ApplyArgs::augment_args(cmd);
    cmd = CommonArgs::augment_args(cmd);
    // Last: a flag group's `augment_args` sets the command's about to the
    // group's doc comment, as a derived parser's own about comes after its
    // flattened groups.
    cmd.about(info.about)
        .after_help(format!("{}\n\n{}", info.details, crate::exit_codes_help!()))
}

/// `sync-<key>-markets`.
#[must_use]
pub fn binary_name(source: &dyn VenueSource) -> String {
    format!("sync-{}-markets", source.info().key)
}

impl SyncArgs {
    /// Parses the flags of `source`'s sync tool from the command line (as
    /// `clap::Parser::parse` does: `--help`, `--version` and usage errors
    /// print and exit).
    #[must_use]
    pub fn parse(source: &dyn VenueSource) -> SyncArgs {
        let matches = command(source).get_matches();
        let parsed = (|| -> Result<SyncArgs, clap::Error> {
            Ok(SyncArgs {
                common: CommonArgs::from_arg_matches(&matches)?,
                http: HttpArgs::from_arg_matches(&matches)?,
                apply: ApplyArgs::from_arg_matches(&matches)?,
                venue: VenueFlags::from_matches(&matches, source.info(), false),
            })
        })();
        parsed.unwrap_or_else(|e| e.exit())
    }
}

/// Reads a venue's settings for a sync from `origin`: usage errors exit 2
/// before anything runs.
pub fn configure(
    source: &dyn VenueSource,
    settings: &SourceSettings,
    origin: Origin,
) -> Result<Arc<dyn VenueSync>> {
    Ok(Arc::from(source.configure(settings, origin)?))
}

/// Checks the flags into a plan (usage errors exit 2 before anything runs).
pub fn plan(source: &dyn VenueSource, args: &SyncArgs) -> Result<SyncPlan> {
    let settings = args.venue.resolve(source.info(), true)?;
    Ok(SyncPlan {
        sync: configure(source, &settings, Origin::Configured)?,
        origin: Origin::Configured,
        http: args.http.resolve()?,
        save_response: args.apply.save_response.clone(),
        dry_run: args.apply.dry_run,
        allow_mass_delist: args.apply.delist.allow_mass_delist,
        lock_timeout: args.apply.lock.resolve(),
    })
}

/// Runs the sync and prints its summary.
pub async fn run(source: &dyn VenueSource, args: &SyncArgs) -> Result<Outcome> {
    let plan = plan(source, args)?;
    let summary = execute(&args.common, source, &plan).await?;
    print_summary(
        &summary,
        args.apply.output.format,
        args.apply.output.csv.mode(),
    )?;
    Ok(Outcome::Success)
}

/// Runs one sync without printing: connect (exit 2 on failure), fetch and
/// validate (a FAILED run and [`work_failed`] on failure), apply in one
/// transaction. [`Origin::Recorded`] reads the venue's recorded responses
/// built into the binary through the same parse, validate and apply path.
pub async fn execute(
    common: &CommonArgs,
    source: &dyn VenueSource,
    plan: &SyncPlan,
) -> Result<SyncSummary> {
    let venue = source.info().venue;
    let label = plan.sync.source_label();
    let (_, mut client) = common.connect_checked().await?;
    let started_at = Utc::now();
    // The symbols signals name, for venues that fetch per-market data
    // (Hyperliquid's --books); read before anything is fetched.
    let mut demand = Vec::new();
    if let Some(limit) = plan.sync.demand_wanted() {
        demand = markets::demanded_symbols(&client, limit).await?;
        tracing::info!(
            venue = %venue,
            symbols = demand.len(),
            "read the symbols pending and recent signals name"
        );
    }
    let spinner = progress::spinner(
        common.show_progress(),
        format!("fetching {venue} markets from {label}"),
    );
    let fetched = async {
        let responses = plan.sync.load(&plan.http, &demand).await?;
        if let Some(dir) = &plan.save_response {
            save_responses(dir, &responses)?;
        }
        // Market hours as observed when the responses arrived.
        Ok::<_, anyhow::Error>(plan.sync.parse(&responses, Utc::now())?)
    }
    .await;
    spinner.finish_and_clear();
    let run = FailedRun {
        venue,
        source: &label,
        built_in: plan.origin == Origin::Recorded,
        started_at,
        dry_run: plan.dry_run,
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
        allow_mass_delist: plan.allow_mass_delist,
        dry_run: plan.dry_run,
        source: label.clone(),
        built_in: plan.origin == Origin::Recorded,
        started_at,
        lock_timeout: plan.lock_timeout,
    };
    let result = markets::apply(&mut client, venue, &fetched.markets, &options).await;
    match result {
        Ok(s) => Ok(s),
        Err(e) => {
            let work = e.downcast_ref::<MassDelist>().is_some();
            let e = e.context(format!("cannot apply {venue} markets"));
            // After a database error the connection may be gone; try anyway.
            run.record(&client, &e).await;
            Err(if work { work_failed(e) } else { e })
        }
    }
}

/// Writes fetched responses into `dir` (`--save-response`), under the names
/// the file flags read back.
pub fn save_responses(dir: &Path, responses: &Responses) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    for (name, body) in &responses.bodies {
        let path = dir.join(name);
        std::fs::write(&path, &body.bytes)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        tracing::info!(path = %path.display(), bytes = body.bytes.len(), "saved response");
    }
    Ok(())
}

/// A FAILED `venue_sync_runs` row, written in a statement of its own (not
/// for dry runs).
struct FailedRun<'a> {
    venue: Venue,
    source: &'a str,
    built_in: bool,
    started_at: DateTime<Utc>,
    dry_run: bool,
}

impl FailedRun<'_> {
    async fn record(&self, client: &tokio_postgres::Client, e: &anyhow::Error) {
        if self.dry_run {
            return;
        }
        let line = error_line(e);
        if let Err(record) = markets::record_failure(
            client,
            self.venue,
            self.source,
            self.built_in,
            self.started_at,
            &line,
        )
        .await
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
pub fn print_summary(s: &SyncSummary, format: Format, csv: CsvMode) -> Result<()> {
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
        "listed",
    ])
    .numbers_from(1);
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
        return output::print_table(&t, format, csv);
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
