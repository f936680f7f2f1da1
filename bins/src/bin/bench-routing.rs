//! `bench-routing`: routing throughput against the per-signal approach and
//! PostgreSQL's own limit, measured in one run.
//! Flags and work live in `jobs::bench`.

use std::process::ExitCode;

use agent_where_cli::cli;
use agent_where_cli::jobs::bench::{Args, run};
use clap::Parser;

fn main() -> ExitCode {
    let args = Args::parse();
    cli::run("bench-routing", &args.common, || run(&args))
}
