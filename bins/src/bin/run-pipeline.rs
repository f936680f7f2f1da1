//! `run-pipeline`: setup, one market sync per venue, optional demo signals,
//! routing and a summary, in order, in one process.
//! Flags and work live in `jobs::pipeline`.

use std::process::ExitCode;

use agent_where_cli::cli;
use agent_where_cli::jobs::pipeline::{Args, run};
use clap::Parser;

fn main() -> ExitCode {
    let args = Args::parse();
    cli::run("run-pipeline", &args.common, || run(&args))
}
