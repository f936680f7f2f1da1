//! `routing-config`: show, set, list and remove the venue routing configuration.
//! Flags and work live in `jobs::routing_config`.

use std::process::ExitCode;

use agent_where_cli::cli;
use agent_where_cli::jobs::routing_config::{Args, run};
use clap::Parser;

fn main() -> ExitCode {
    let args = Args::parse();
    cli::run("routing-config", &args.common, || run(&args))
}
