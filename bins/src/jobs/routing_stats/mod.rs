//! `routing-stats`: statistics over the routing audit trail (`summary`, the
//! default), a streamed CSV export of every decision (`export`) and a health
//! check for cron (`health`). The figures come from `agent_where::db::stats`;
//! this module parses flags, validates them once and formats.

mod export;
mod health;
mod summary;
pub mod window;

pub use export::EXPORT_COLUMNS;

use std::io::Write;
use std::path::{Path, PathBuf};

use agent_where::db::stats;
use agent_where::db::stats::{Filters, GroupKey};
use agent_where::domain::Venue;
use anyhow::{Context, Result, anyhow, bail};
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args as ClapArgs, Parser, Subcommand};
use tokio_postgres::Transaction;
use uuid::Uuid;

use crate::args::output::CsvRawArg;
use crate::cli::{CommonArgs, Outcome};
use crate::output::{CsvMode, Format, Sink};
use window::{Window, WindowName, WindowSpec};

/// Routing statistics from the audit trail: decisions, success rate, venue
/// shares, skip reasons, top tokens, decision time, routing runs and venue
/// syncs, computed exactly over the whole window. `export` writes every
/// decision as CSV; `health` checks syncs, markets, success rate and pending
/// signals for cron (exit 1 when a check fails).
#[derive(Debug, Parser)]
#[command(
    name = "routing-stats",
    version,
    after_help = AFTER_HELP
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub summary: SummaryArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

const AFTER_HELP: &str = concat!(
    "Examples:
  routing-stats --window week --token BTC
  routing-stats --window week --group-by day --format csv --output routing-by-day.csv
  routing-stats export --since 2025-03-01 --output decisions.csv
  routing-stats health --max-sync-age 26h --min-success-rate 50

Windows: `since <= created_at < until`; --window hour|day|week|all (default day) ends now or at
--until; --since/--until take RFC 3339, a date (midnight UTC) or a time before now (30m, 6h, 2d, 1w).

",
    crate::exit_codes_help!()
);

/// What to run.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decisions, routed/skipped, success rate, venue shares, skip reasons,
    /// top tokens, decision time, routing runs and venue syncs (the default
    /// when no subcommand is given). With --group-by: one flat row per group.
    Summary(SummaryArgs),
    /// Every decision of the window as CSV, one row per history row, oldest
    /// first, streamed in constant memory.
    Export(ExportArgs),
    /// Checks for cron, each printed as OK or FAIL with its figure: exit 0
    /// when all pass, 1 otherwise.
    Health(HealthArgs),
}

/// The window flags.
#[derive(Debug, Clone, Default, PartialEq, ClapArgs)]
pub struct WindowArgs {
    /// Rolling window ending now (or at --until). Default: day.
    #[arg(long, value_enum, conflicts_with = "since")]
    pub window: Option<WindowName>,
    /// Start of the window, inclusive: RFC 3339, a date, or a time before now
    /// (30m, 6h, 2d, 1w). Conflicts with --window. Default: from --window.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// End of the window, exclusive (same forms as --since). Default: now.
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
}

/// The decision filters.
#[derive(Debug, Clone, Default, PartialEq, ClapArgs)]
pub struct FilterArgs {
    /// Only decisions for this token: matches the symbol the agent wrote or
    /// the venue market symbol, ignoring case. Default: every token.
    #[arg(long, value_name = "SYMBOL")]
    pub token: Option<String>,
    /// Only decisions for signals of this agent (its id). Default: every agent.
    #[arg(long, value_name = "AGENT_ID")]
    pub agent: Option<String>,
    /// Only decisions routed to this venue or in which it was checked
    /// (a venue label such as HYPERLIQUID, any case). Default: every venue.
    #[arg(long, value_name = "VENUE")]
    pub venue: Option<String>,
}

/// `--group-by`: one of the keys the library offers, each with its
/// description in `--help`.
fn group_key_parser() -> impl TypedValueParser<Value = GroupKey> {
    PossibleValuesParser::new(
        GroupKey::OFFERED.map(|k| PossibleValue::new(k.as_str()).help(k.description())),
    )
    .try_map(|s| s.parse::<GroupKey>())
}

/// Flags of `summary`.
#[derive(Debug, Clone, Default, PartialEq, ClapArgs)]
pub struct SummaryArgs {
    #[command(flatten)]
    pub window: WindowArgs,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Instead of the summary, one flat row per group (key, decisions, routed,
    /// skipped, per-venue counts, decision time). Default: the summary.
    #[arg(long, value_parser = group_key_parser())]
    pub group_by: Option<GroupKey>,
    /// How many tokens the summary lists. Default: 10.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: u32,
    /// Output format. Default: table.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub csv: CsvRawArg,
    /// Write to FILE (atomically) instead of stdout. Default: stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// What `summary` reports, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryOptions {
    pub window: WindowSpec,
    pub filters: FilterSpec,
    pub group_by: Option<GroupKey>,
    pub top: u32,
    pub format: Format,
    /// How CSV text cells are written (`--csv-raw`).
    pub csv: CsvMode,
    pub output: Option<PathBuf>,
}

impl SummaryOptions {
    /// The default summary over a named window, printed in `format` (what
    /// run-pipeline closes with).
    #[must_use]
    pub fn window(window: WindowName, format: Format) -> SummaryOptions {
        SummaryOptions {
            window: WindowSpec {
                window: Some(window),
                since: None,
                until: None,
            },
            filters: FilterSpec::default(),
            group_by: None,
            top: 10,
            format,
            csv: CsvMode::Guarded,
            output: None,
        }
    }
}

impl SummaryArgs {
    /// Checks the flags.
    pub fn resolve(&self) -> Result<SummaryOptions> {
        Ok(SummaryOptions {
            window: self.window.validate()?,
            filters: self.filters.validate()?,
            group_by: self.group_by,
            top: self.top,
            format: self.format,
            csv: self.csv.mode(),
            output: self.output.clone(),
        })
    }

    /// The values clap gives when no summary flag is present.
    fn defaults() -> SummaryArgs {
        SummaryArgs {
            top: 10,
            format: Format::Table,
            ..SummaryArgs::default()
        }
    }
}

/// Flags of `export`.
#[derive(Debug, Clone, ClapArgs)]
pub struct ExportArgs {
    #[command(flatten)]
    pub window: WindowArgs,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Output format: csv (the documented columns), json (one object per
    /// line) or table (a compact fixed-width view). Default: csv.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    #[command(flatten)]
    pub csv: CsvRawArg,
    /// Write to FILE (atomically: replaced only when the export completes).
    /// Default: stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Flags of `health`.
#[derive(Debug, Clone, ClapArgs)]
pub struct HealthArgs {
    /// Window of the success-rate check (--window/--since/--until as for summary).
    #[command(flatten)]
    pub window: WindowArgs,
    /// A venue to check (repeat for several). Default: the venues in use (the
    /// default priority's, and every other venue once synced).
    #[arg(long = "venue", value_name = "VENUE")]
    pub venues: Vec<String>,
    /// FAIL a venue whose last successful sync is older than this (or that
    /// never synced). Default: 26h (a daily sync plus slack).
    #[arg(
        long,
        value_name = "AGE",
        default_value = "26h",
        env = "AGENT_WHERE_HEALTH_MAX_SYNC_AGE"
    )]
    pub max_sync_age: String,
    /// FAIL when routed decisions are below this percentage of all decisions
    /// in the window (judged only from --min-decisions on). Default: 50.
    #[arg(
        long,
        value_name = "PERCENT",
        default_value_t = 50.0,
        env = "AGENT_WHERE_HEALTH_MIN_SUCCESS_RATE"
    )]
    pub min_success_rate: f64,
    /// Decisions the window needs before its success rate is judged. Default: 10.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 10,
        env = "AGENT_WHERE_HEALTH_MIN_DECISIONS"
    )]
    pub min_decisions: u32,
    /// FAIL when the oldest pending MULTI signal is older than this. Default: 30m.
    #[arg(
        long,
        value_name = "AGE",
        default_value = "30m",
        env = "AGENT_WHERE_HEALTH_MAX_PENDING_AGE"
    )]
    pub max_pending_age: String,
    /// Maxxit's schema: FAIL when the oldest MULTI signal held for routing
    /// (`setup-agent-where --hold-multi on`) has waited longer than this: Maxxit's
    /// executor waits for it until routing decides it. Default: 5m.
    #[arg(
        long,
        value_name = "AGE",
        default_value = "5m",
        env = "AGENT_WHERE_HEALTH_MAX_HELD_AGE"
    )]
    pub max_held_age: String,
    /// FAIL when the 99th percentile of signal-to-decision latency
    /// (decided_at − the signal's created_at) in the window is above this.
    /// Default: 60s.
    #[arg(
        long,
        value_name = "AGE",
        default_value = "60s",
        env = "AGENT_WHERE_HEALTH_MAX_LATENCY"
    )]
    pub max_latency: String,
    /// Output format. Default: table.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub csv: CsvRawArg,
}

/// Validated filters, not yet bound to a window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterSpec {
    pub token: Option<String>,
    pub agent: Option<Uuid>,
    pub venue: Option<Venue>,
}

/// Parses a venue name in any case; `MULTI` is not a routing target.
pub(crate) fn parse_venue(flag: &str, raw: &str) -> Result<Venue> {
    match raw.parse::<Venue>() {
        Ok(v) if v.is_routable() => Ok(v),
        _ => {
            let routable: Vec<&str> = Venue::ALL
                .iter()
                .filter(|v| v.is_routable())
                .map(|v| v.as_str())
                .collect();
            bail!(
                "invalid `{flag}` value `{raw}`: expected one of {}",
                routable.join(", ")
            )
        }
    }
}

impl FilterArgs {
    pub(crate) fn validate(&self) -> Result<FilterSpec> {
        let token = match self.token.as_deref().map(str::trim) {
            Some("") => bail!("invalid `--token` value ``: expected a symbol such as BTC"),
            other => other.map(str::to_owned),
        };
        let agent = match &self.agent {
            None => None,
            Some(raw) => Some(Uuid::parse_str(raw.trim()).map_err(|_| {
                anyhow!("invalid `--agent` value `{raw}`: expected an agent id (a UUID)")
            })?),
        };
        let venue = self
            .venue
            .as_deref()
            .map(|v| parse_venue("--venue", v))
            .transpose()?;
        Ok(FilterSpec {
            token,
            agent,
            venue,
        })
    }
}

impl FilterSpec {
    pub(crate) fn bind(&self, window: &Window) -> Filters {
        Filters {
            since: window.since,
            until: window.until,
            token: self.token.clone(),
            agent: self.agent,
            venue: self.venue,
        }
    }
}

impl WindowArgs {
    pub(crate) fn validate(&self) -> Result<WindowSpec> {
        WindowSpec::parse(self.window, self.since.as_deref(), self.until.as_deref())
    }
}

/// The summary as `routing-stats` would print it with these flags (for
/// `run-pipeline`), without writing it anywhere.
pub async fn summary_text(common: &CommonArgs, options: &SummaryOptions) -> Result<String> {
    summary::render(common, options).await
}

/// Runs the chosen subcommand (summary when none is given).
pub async fn run(args: &Args) -> Result<Outcome> {
    if args.command.is_some() && args.summary != SummaryArgs::defaults() {
        bail!(
            "summary flags given before the subcommand: put them after it (`routing-stats export --window week`)"
        );
    }
    match &args.command {
        None => summary::run(&args.common, &args.summary.resolve()?).await,
        Some(Command::Summary(summary)) => summary::run(&args.common, &summary.resolve()?).await,
        Some(Command::Export(export)) => export::run(&args.common, export).await,
        Some(Command::Health(health)) => health::run(&args.common, health).await,
    }
}

/// Resolves the window against the database clock.
pub(crate) async fn resolve_window(tx: &Transaction<'_>, spec: &WindowSpec) -> Result<Window> {
    let now = stats::clock(tx).await?;
    spec.resolve(now)
}

/// Writes a finished text to stdout or atomically to a file.
pub(crate) fn emit(output: Option<&Path>, text: &str) -> Result<()> {
    let mut sink = Sink::open(output)?;
    sink.write_all(text.as_bytes())
        .with_context(|| match output {
            Some(p) => format!("cannot write `{}`", p.display()),
            None => "cannot write to stdout".to_owned(),
        })?;
    sink.commit()
}

/// Decision time for people and files: microseconds shown as milliseconds.
pub(crate) fn ms(us: Option<f64>) -> Option<f64> {
    us.map(|v| v / 1_000.0)
}

/// A number for CSV cells: at most six decimals (no binary noise such as
/// `0.9105999999999999`), empty when absent.
pub(crate) fn cell(v: Option<f64>) -> String {
    v.map(|x| {
        let text = format!("{x:.6}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        if text == "-0" {
            "0".to_owned()
        } else {
            text.to_owned()
        }
    })
    .unwrap_or_default()
}

/// A percentage for tables: one decimal, `-` when absent.
pub(crate) fn pct_text(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |x| format!("{x:.1}%"))
}

/// Milliseconds for tables: three decimals, `-` when absent.
pub(crate) fn ms_text(ms: Option<f64>) -> String {
    ms.map_or_else(|| "-".to_owned(), |x| format!("{x:.3} ms"))
}

/// A timestamp for tables and CSV: UTC, `YYYY-MM-DD HH:MM:SS`.
pub(crate) fn time_text(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M:%S").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_flags_mean_summary_and_subcommands_parse() {
        let a = Args::try_parse_from([
            "routing-stats",
            "--window",
            "week",
            "--group-by",
            "day",
            "--format",
            "csv",
        ])
        .expect("parses");
        assert!(a.command.is_none());
        assert_eq!(a.summary.group_by, Some(GroupKey::Day));
        assert_eq!(a.summary.window.window, Some(WindowName::Week));

        let a =
            Args::try_parse_from(["routing-stats", "health", "--venue", "ostium"]).expect("parses");
        assert!(matches!(a.command, Some(Command::Health(ref h)) if h.venues == ["ostium"]));

        let a =
            Args::try_parse_from(["routing-stats", "export", "-o", "x.csv", "-q"]).expect("parses");
        assert!(matches!(a.command, Some(Command::Export(_))));
        assert_eq!(a.common.log.quiet, 1);
    }

    #[test]
    fn summary_defaults_match_clap() {
        let a = Args::try_parse_from(["routing-stats"]).expect("parses");
        assert_eq!(a.summary, SummaryArgs::defaults());
        let a = Args::try_parse_from(["routing-stats", "--database-url", "x", "health"])
            .expect("parses");
        assert_eq!(a.summary, SummaryArgs::defaults());
    }

    #[test]
    fn csv_numbers_have_no_binary_noise() {
        assert_eq!(cell(Some(0.910_599_999_999_999_9)), "0.9106");
        assert_eq!(cell(Some(72.0)), "72");
        assert_eq!(cell(Some(100.0 / 3.0)), "33.333333");
        assert_eq!(cell(None), "");
    }

    #[test]
    fn since_conflicts_with_window() {
        assert!(
            Args::try_parse_from(["routing-stats", "--window", "day", "--since", "1h"]).is_err()
        );
        assert!(
            Args::try_parse_from([
                "routing-stats",
                "export",
                "--window",
                "day",
                "--since",
                "1h"
            ])
            .is_err()
        );
    }

    #[test]
    fn filters_validate_once() {
        let ok = FilterArgs {
            token: Some(" btc ".into()),
            agent: Some("a0000000-0000-4000-8000-000000000001".into()),
            venue: Some("ostium".into()),
        }
        .validate()
        .expect("valid");
        assert_eq!(ok.token.as_deref(), Some("btc"));
        assert_eq!(ok.venue, Some(Venue::Ostium));
        let e = FilterArgs {
            agent: Some("alpha".into()),
            ..FilterArgs::default()
        }
        .validate()
        .expect_err("invalid");
        assert!(e.to_string().contains("`--agent` value `alpha`"), "{e}");
        let e = FilterArgs {
            venue: Some("MULTI".into()),
            ..FilterArgs::default()
        }
        .validate()
        .expect_err("invalid");
        assert!(e.to_string().contains("`--venue` value `MULTI`"), "{e}");
    }
}
