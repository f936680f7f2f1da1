//! `setup-agent-where`: makes a database ready. Creates the database if it is
//! missing, applies pending migrations under the migration lock, ensures the
//! global routing config exists, then verifies and reports. `--check` only
//! verifies and writes nothing.

use agent_where::db::{DatabaseUrl, config, describe_pg_error, schema};
use anyhow::{Context, Result, anyhow};
use serde::Serialize;
use tokio_postgres::Client;

use crate::cli::{CommonArgs, Outcome, work_failed};
use crate::output::{self, Format, Table};

/// Make a database ready: create it if missing, apply pending migrations
/// under an advisory lock (safe to run from several hosts at once), ensure the
/// global routing config exists (never overwriting one you changed), then
/// verify and print a report. A second run changes nothing and says so.
#[derive(Debug, clap::Parser)]
#[command(name = "setup-agent-where", version, after_help = AFTER_HELP)]
pub struct Args {
    /// Verify only and write nothing: exit 0 if up to date, 1 if not.
    #[arg(long)]
    pub check: bool,
    /// Fail instead of creating the database when it does not exist.
    #[arg(long)]
    pub no_create_database: bool,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub common: CommonArgs,
}

const AFTER_HELP: &str = concat!(
    "Examples:
  setup-agent-where
  setup-agent-where --database-url postgres://app@db.internal/maxxit?sslmode=verify-full
  setup-agent-where --check --format json

Only this tool changes the schema; every other tool refuses to run on a schema that is behind.

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
            format: self.format,
        }
    }
}

/// Options of `setup-agent-where`.
#[derive(Debug, Clone)]
pub struct SetupOptions {
    pub check: bool,
    pub no_create_database: bool,
    pub format: Format,
}

/// Tables Agent Where needs.
pub const REQUIRED_TABLES: [&str; 8] = [
    "agents",
    "signals",
    "venue_markets",
    "venue_routing_config",
    "venue_routing_overrides",
    "venue_routing_history",
    "venue_sync_runs",
    "routing_runs",
];

/// What setup did and found.
#[derive(Debug, Clone, Serialize)]
pub struct SetupReport {
    pub database: String,
    pub created_database: bool,
    pub applied_migrations: Vec<String>,
    pub created_global_config: bool,
    pub schema_version: Option<i32>,
    pub latest_version: i32,
    pub up_to_date: bool,
    pub multi_venue_present: bool,
    pub tables: Vec<TablePresence>,
    pub global_config: Option<GlobalConfigView>,
    pub markets: Vec<MarketCount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TablePresence {
    pub table: String,
    pub present: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct GlobalConfigView {
    pub venue_priority: Vec<String>,
    pub routing_strategy: String,
    pub failover_enabled: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct MarketCount {
    pub venue: String,
    pub total: i64,
    pub active: i64,
}

impl SetupReport {
    /// Whether setup changed anything (database, migrations, global config).
    #[must_use]
    pub fn changed(&self) -> bool {
        !self.changes().is_empty()
    }

    /// What setup changed, one phrase per change, in order.
    #[must_use]
    pub fn changes(&self) -> Vec<String> {
        let mut done = Vec::new();
        if self.created_database {
            done.push("created the database".to_owned());
        }
        if !self.applied_migrations.is_empty() {
            done.push(format!("applied {}", self.applied_migrations.join(", ")));
        }
        if self.created_global_config {
            done.push("created the global routing config".to_owned());
        }
        done
    }
}

/// Runs setup and prints the report.
pub async fn run(common: &CommonArgs, options: &SetupOptions) -> Result<Outcome> {
    let report = execute(common, options).await?;
    print_report(&report, options)?;
    if options.check && !report.up_to_date {
        return Err(work_failed(anyhow!(
            "database `{}` is not up to date (schema {}, this build needs version {}{}): run `setup-agent-where`",
            report.database,
            report
                .schema_version
                .map_or_else(|| "not set up".to_owned(), |v| format!("at version {v}")),
            report.latest_version,
            if report.global_config.is_none() {
                ", no global routing config"
            } else {
                ""
            }
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
    let mut applied = Vec::new();
    let mut created_global_config = false;
    if !options.check {
        applied = schema::migrate(&mut client).await?;
        for m in &applied {
            tracing::info!(version = m.version, name = %m.name, "applied migration");
        }
        created_global_config = config::ensure_global_default(&client).await?;
    }
    let mut report = inspect(&url, &client).await?;
    report.created_database = created_database;
    report.applied_migrations = applied
        .iter()
        .map(|m| format!("V{}__{}", m.version, m.name))
        .collect();
    report.created_global_config = created_global_config;
    Ok(report)
}

/// Reads the verification report without writing anything.
pub async fn inspect(url: &DatabaseUrl, client: &Client) -> Result<SetupReport> {
    let state = schema::inspect(client).await?;
    let venue_values: Vec<String> = if client
        .query_one("SELECT to_regtype('venue_t') IS NOT NULL", &[])
        .await
        .map_err(|e| anyhow!("cannot inspect the schema: {}", describe_pg_error(&e)))?
        .get(0)
    {
        client
            .query(
                include_str!("../../../sql/schema/venue_enum_values.sql"),
                &[],
            )
            .await
            .map_err(|e| anyhow!("cannot read `venue_t`: {}", describe_pg_error(&e)))?
            .iter()
            .map(|r| r.get(0))
            .collect()
    } else {
        Vec::new()
    };
    let wanted: Vec<String> = REQUIRED_TABLES.iter().map(|t| (*t).to_owned()).collect();
    let present: Vec<String> = client
        .query(
            include_str!("../../../sql/schema/existing_tables.sql"),
            &[&wanted],
        )
        .await
        .map_err(|e| anyhow!("cannot list tables: {}", describe_pg_error(&e)))?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let tables = wanted
        .iter()
        .map(|t| TablePresence {
            table: t.clone(),
            present: present.contains(t),
        })
        .collect();
    let global_config = if present.iter().any(|t| t == "venue_routing_config") {
        config::select_global(client)
            .await?
            .map(|c| GlobalConfigView {
                venue_priority: c.venue_priority.unwrap_or_default(),
                routing_strategy: c.routing_strategy,
                failover_enabled: c.failover_enabled,
            })
    } else {
        None
    };
    let markets = if present.iter().any(|t| t == "venue_markets") {
        client
            .query(include_str!("../../../sql/markets/count_by_venue.sql"), &[])
            .await
            .map_err(|e| anyhow!("cannot count markets: {}", describe_pg_error(&e)))?
            .iter()
            .map(|r| MarketCount {
                venue: r.get(0),
                total: r.get(1),
                active: r.get(2),
            })
            .collect()
    } else {
        Vec::new()
    };
    let multi = venue_values.iter().any(|v| v == "MULTI");
    let all_tables = present.len() == REQUIRED_TABLES.len();
    Ok(SetupReport {
        database: url.to_string(),
        created_database: false,
        applied_migrations: Vec::new(),
        created_global_config: false,
        schema_version: state.applied,
        latest_version: state.latest,
        up_to_date: state.is_current() && multi && all_tables && global_config.is_some(),
        multi_venue_present: multi,
        tables,
        global_config,
        markets,
    })
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
    t.row([
        "venue_t has MULTI".to_owned(),
        yes_no(report.multi_venue_present),
    ]);
    for table in &report.tables {
        t.row([format!("table {}", table.table), yes_no(table.present)]);
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
        t.to_csv()?
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
