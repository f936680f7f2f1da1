//! `setup-agent-where`: makes a database ready. Refuses an install order that
//! would break the host, creates the database if it is missing, applies
//! pending migrations under the migration lock, repairs objects another tool
//! removed, ensures the global routing config exists, then verifies and
//! reports. `--check` only verifies and writes nothing.

use agent_where::db::host::{self, ExpectedHost};
pub use agent_where::db::setup::REQUIRED_TABLES;
use agent_where::db::setup::{self, SetupReport};
use agent_where::db::{config, schema};
use anyhow::{Context, Result, anyhow};

use crate::args::lock::LockArgs;
use crate::args::output::CsvRawArg;
use crate::cli::{CommonArgs, Outcome, work_failed};
use crate::output::{self, CsvMode, Format, Table};

/// Make a database ready: create it if missing, apply pending migrations
/// under an advisory lock (safe to run from several hosts at once), re-create
/// what another tool removed (a host's `prisma db push`), ensure the global
/// routing config exists (never overwriting one you changed), then verify
/// every object and print a report. A second run changes nothing and says so.
#[derive(Debug, clap::Parser)]
#[command(name = "setup-agent-where", version, after_help = AFTER_HELP)]
pub struct Args {
    /// Verify only and write nothing: exit 0 if up to date, 1 if not.
    #[arg(long)]
    pub check: bool,
    /// Fail instead of creating the database when it does not exist.
    #[arg(long)]
    pub no_create_database: bool,
    /// The host schema to expect. `maxxit`: Maxxit's schema must be there
    /// already (install it first); `minimal`: refuse a Maxxit database;
    /// `auto`: whatever is there, but never a half-installed Prisma host.
    #[arg(long, value_enum, default_value_t = HostChoice::Auto)]
    pub host: HostChoice,
    /// Maxxit's schema: hold every new MULTI signal for routing (`on`: a trigger marks it
    /// trade_executed = 'AWAITING_ROUTE', which Maxxit's executor does not take, until routing
    /// decides it) or stop holding new ones (`off`: signals held already stay held until
    /// routed). Default: leave as it is; --check reports it.
    #[arg(long, value_enum, value_name = "on|off", conflicts_with = "check")]
    pub hold_multi: Option<OnOff>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub csv: CsvRawArg,
    #[command(flatten)]
    pub lock: LockArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `--hold-multi`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

/// `--host`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HostChoice {
    Auto,
    Minimal,
    Maxxit,
}

impl From<HostChoice> for ExpectedHost {
    fn from(c: HostChoice) -> ExpectedHost {
        match c {
            HostChoice::Auto => ExpectedHost::Auto,
            HostChoice::Minimal => ExpectedHost::Minimal,
            HostChoice::Maxxit => ExpectedHost::Maxxit,
        }
    }
}

const AFTER_HELP: &str = concat!(
    "Examples:
  setup-agent-where
  setup-agent-where --host maxxit --database-url postgres://app@db.internal/maxxit?sslmode=verify-full
  setup-agent-where --check --format json

Only this tool changes the schema; every other tool refuses to run on a schema that is behind
or lacks an object it needs. On Maxxit, install Maxxit's schema first, and run this after every
`prisma db push` / `prisma migrate deploy`: it re-creates what Prisma cannot model.

",
    crate::exit_codes_help!()
);

impl Args {
    /// The options the job takes.
    #[must_use]
    pub fn options(&self) -> SetupOptions {
        SetupOptions {
            check: self.check,
            no_create_database: self.no_create_database,
            host: self.host.into(),
            hold_multi: self.hold_multi.map(|h| h == OnOff::On),
            format: self.format,
            csv: self.csv.mode(),
            lock_timeout: self.lock.resolve(),
        }
    }
}

/// Options of `setup-agent-where`.
#[derive(Debug, Clone)]
pub struct SetupOptions {
    pub check: bool,
    pub no_create_database: bool,
    pub host: ExpectedHost,
    /// `--hold-multi`: `Some(on)` to turn the hold on or off.
    pub hold_multi: Option<bool>,
    pub format: Format,
    /// How CSV text cells are written (`--csv-raw`).
    pub csv: CsvMode,
    /// Longest wait for the migration lock another setup holds.
    pub lock_timeout: std::time::Duration,
}

/// Runs `setup-agent-where` with its flags.
pub async fn run(args: &Args) -> Result<Outcome> {
    run_with(&args.common, &args.options()).await
}

/// Runs setup and prints the report.
pub async fn run_with(common: &CommonArgs, options: &SetupOptions) -> Result<Outcome> {
    let report = execute(common, options).await?;
    print_report(&report, options)?;
    if options.check && !report.up_to_date {
        let why = if report.missing_objects.is_empty() {
            format!(
                "schema {}, this build needs version {}{}",
                report
                    .schema_version
                    .map_or_else(|| "not set up".to_owned(), |v| format!("at version {v}")),
                report.latest_version,
                if report.global_config.is_none() {
                    ", no global routing config"
                } else {
                    ""
                }
            )
        } else {
            format!(
                "{} object(s) missing or changed: {}",
                report.missing_objects.len(),
                schema::summary(&report.missing_objects)
            )
        };
        return Err(work_failed(anyhow!(
            "database `{}` is not up to date ({why}): run `setup-agent-where`",
            report.database
        )));
    }
    Ok(Outcome::Success)
}

/// Does the work of setup (create the database unless told not to, migrate,
/// ensure the global config; with `check`, only inspect) and returns the
/// report without printing it.
pub async fn execute(common: &CommonArgs, options: &SetupOptions) -> Result<SetupReport> {
    let url = common.database_url()?;
    let mut created_database = false;
    if options.check || options.no_create_database {
        if !schema::database_exists(&url).await? {
            let msg = anyhow!(
                "database `{}` does not exist on {}: run `setup-agent-where` without --check / --no-create-database, or create it",
                url.database(),
                url.host_port()
            );
            return Err(if options.check { work_failed(msg) } else { msg });
        }
    } else {
        created_database = schema::create_database_if_missing(&url).await?;
        if created_database {
            tracing::info!(database = url.database(), "created database");
        }
    }
    let mut client = url.connect().await?;
    // Through a pooler the first statement waits for a server connection:
    // bounded, like the migration lock's wait, and said in one line.
    tokio::time::timeout(
        options.lock_timeout,
        host::check_install_order(&client, options.host),
    )
    .await
    .map_err(|_| {
        anyhow!(
            "database `{}` gave no answer within {} s: waited for a server connection from the pooler (all in use?) or for the server itself; raise --lock-timeout or the pooler's pool size, or run fewer tools at once",
            url.database(),
            options.lock_timeout.as_secs_f64()
        )
    })??;
    if options.hold_multi.is_some()
        && !host::detect(&client)
            .await
            .is_ok_and(host::HostSchema::is_maxxit)
    {
        return Err(anyhow!(
            "`--hold-multi` needs Maxxit's schema (its executor's `trade_executed` column holds the mark), and database `{}` does not have it; nothing was changed",
            url.database()
        ));
    }
    let mut hold_multi_changed_to = None;
    let mut applied = Vec::new();
    let mut repaired = Vec::new();
    let mut created_global_config = false;
    if !options.check {
        applied = schema::migrate(&url, &mut client, options.lock_timeout).await?;
        for m in &applied {
            tracing::info!(version = m.version, name = %m.name, "applied migration");
        }
        let missing = schema::objects::verify(&client).await?;
        if !missing.is_empty() {
            let remaining = schema::repair(&url, &mut client, options.lock_timeout).await?;
            if !remaining.is_empty() {
                return Err(work_failed(anyhow!(
                    "cannot repair database `{}` by re-running the migrations: {}: fix these by hand (see docs/maxxit.md, Prisma), then run setup-agent-where again",
                    url.database(),
                    schema::summary(&remaining)
                )));
            }
            for m in &missing {
                tracing::info!(object = %m, "repaired");
            }
            repaired = missing;
        }
        created_global_config = config::ensure_global_default(&client).await?;
        if let Some(on) = options.hold_multi
            && host::set_hold_multi(&mut client, on, options.lock_timeout).await?
        {
            hold_multi_changed_to = Some(on);
        }
    }
    let mut report = setup::inspect(&url, &client).await?;
    report.created_database = created_database;
    report.applied_migrations = applied
        .iter()
        .map(|m| format!("V{}__{}", m.version, m.name))
        .collect();
    report.repaired = repaired;
    report.created_global_config = created_global_config;
    report.hold_multi_changed_to = hold_multi_changed_to;
    Ok(report)
}

fn print_report(report: &SetupReport, options: &SetupOptions) -> Result<()> {
    if options.format == Format::Json {
        return output::print_json(report);
    }
    let mut t = Table::new(["check", "value"]);
    t.row(["database".to_owned(), report.database.clone()]);
    t.row([
        "schema version".to_owned(),
        format!(
            "{} (this build: {})",
            report
                .schema_version
                .map_or_else(|| "none".to_owned(), |v| v.to_string()),
            report.latest_version
        ),
    ]);
    t.row(["host schema".to_owned(), report.host.clone()]);
    if let Some(on) = report.hold_multi {
        t.row([
            "MULTI hold (--hold-multi)".to_owned(),
            if on { "on" } else { "off" }.to_owned(),
        ]);
    }
    t.row([
        "venue_t has MULTI".to_owned(),
        yes_no(report.multi_venue_present),
    ]);
    for table in &report.tables {
        t.row([format!("table {}", table.table), yes_no(table.present)]);
    }
    if report.missing_objects.is_empty() {
        t.row([
            "objects".to_owned(),
            if report.up_to_date || report.schema_version == Some(report.latest_version) {
                "all present".to_owned()
            } else {
                "checked once migrated".to_owned()
            },
        ]);
    }
    for m in &report.missing_objects {
        t.row(["missing".to_owned(), m.clone()]);
    }
    t.row([
        "global routing config".to_owned(),
        report.global_config.as_ref().map_or_else(
            || "missing".to_owned(),
            |g| {
                format!(
                    "{} / {} / failover {}",
                    g.venue_priority.join(","),
                    g.routing_strategy,
                    if g.failover_enabled { "on" } else { "off" }
                )
            },
        ),
    ]);
    if report.markets.is_empty() {
        t.row([
            "markets".to_owned(),
            "none yet: run the sync-*-markets tools".to_owned(),
        ]);
    }
    for m in &report.markets {
        t.row([
            format!("markets {}", m.venue),
            format!("{} active of {}", m.active, m.total),
        ]);
    }
    let mut text = if options.format == Format::Csv {
        t.to_csv(options.csv)?
    } else {
        t.render()
    };
    if options.format == Format::Table {
        text.push('\n');
        if options.check {
            text.push_str(if report.up_to_date {
                "check: up to date, nothing to do\n"
            } else {
                "check: NOT up to date: run setup-agent-where\n"
            });
        } else if report.changed() {
            text.push_str(&format!("changes: {}\n", report.changes().join("; ")));
        } else {
            text.push_str("no changes: already up to date\n");
        }
    }
    output::print_text(&text).context("cannot print the report")
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}
