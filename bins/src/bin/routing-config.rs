//! `routing-config`: show, set, list and remove the venue routing configuration.

use std::process::ExitCode;

use agent_where_cli::cli::{self, CommonArgs};
use agent_where_cli::jobs::routing_config::{self, AFTER_HELP, Command, ConfigFormat};
use clap::Parser;

/// Show, set, list and remove the venue routing configuration: the global config, per-agent
/// configs and per-token overrides. Precedence for a signal: agent+token override, agent config,
/// global+token override, global config, built-in default (HYPERLIQUID,OSTIUM / FIRST_AVAILABLE /
/// failover on). Invalid input is rejected (exit 2) and nothing is written.
#[derive(Debug, Parser)]
#[command(name = "routing-config", version, after_help = AFTER_HELP)]
struct Args {
    #[command(subcommand)]
    command: Command,
    /// Output format: table or json.
    #[arg(long, value_enum, default_value_t = ConfigFormat::Table, global = true)]
    format: ConfigFormat,
    #[command(flatten)]
    common: CommonArgs,
}

fn main() -> ExitCode {
    let args = Args::parse();
    cli::run("routing-config", &args.common, || {
        routing_config::run(&args.common, &args.command, args.format)
    })
}
