//! `setup-agent-where`: make a database ready for Agent Where.

use std::process::ExitCode;

use agent_where_cli::cli::{self, CommonArgs};
use agent_where_cli::jobs::setup::{self, SetupOptions};
use agent_where_cli::output::Format;
use clap::Parser;

/// Make a database ready: create it if missing, apply pending migrations
/// under an advisory lock (safe to run from several hosts at once), ensure the
/// global routing config exists (never overwriting one you changed), then
/// verify and print a report. A second run changes nothing and says so.
#[derive(Debug, Parser)]
#[command(name = "setup-agent-where", version, after_help = AFTER_HELP)]
struct Args {
    /// Verify only and write nothing: exit 0 if up to date, 1 if not.
    #[arg(long)]
    check: bool,
    /// Fail instead of creating the database when it does not exist.
    #[arg(long)]
    no_create_database: bool,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    common: CommonArgs,
}

const AFTER_HELP: &str = concat!(
    "Examples:
  setup-agent-where
  setup-agent-where --database-url postgres://app@db.internal/maxxit?sslmode=verify-full
  setup-agent-where --check --format json

Only this tool changes the schema; every other tool refuses to run on a schema that is behind.

",
    agent_where_cli::exit_codes_help!()
);

fn main() -> ExitCode {
    let args = Args::parse();
    let options = SetupOptions {
        check: args.check,
        no_create_database: args.no_create_database,
        format: args.format,
    };
    cli::run("setup-agent-where", &args.common, || {
        setup::run(&args.common, &options)
    })
}
