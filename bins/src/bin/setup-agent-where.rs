//! `setup-agent-where`: make a database ready for Agent Where.
//! Flags and work live in `jobs::setup`.

use std::process::ExitCode;

use agent_where_cli::cli;
use agent_where_cli::jobs::setup::{Args, run};
use clap::Parser;

fn main() -> ExitCode {
    let args = Args::parse();
    cli::run("setup-agent-where", &args.common, || run(&args))
}
