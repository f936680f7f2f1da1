//! `route-pending-signals`: route every pending MULTI signal to a venue.
//! Flags and work live in `jobs::route`.

use std::process::ExitCode;

use agent_where_cli::cli;
use agent_where_cli::jobs::route::{Args, run};
use clap::Parser;

fn main() -> ExitCode {
    let args = Args::parse();
    cli::run("route-pending-signals", &args.common, || run(&args))
}
