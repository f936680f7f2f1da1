//! `routing-stats`: routing statistics, a CSV export of every decision, and a
//! health check for cron.
//! Flags and work live in `jobs::routing_stats`.

use std::process::ExitCode;

use agent_where_cli::cli;
use agent_where_cli::jobs::routing_stats::{Args, run};
use clap::Parser;

fn main() -> ExitCode {
    let args = Args::parse();
    cli::run("routing-stats", &args.common, || run(&args))
}
