//! `sync-ostium-markets`: sync Ostium's pairs into `venue_markets`.

use std::process::ExitCode;

use agent_where_cli::cli;
use agent_where_cli::jobs::sync_ostium::{self, Args};
use clap::Parser;

fn main() -> ExitCode {
    let args = Args::parse();
    cli::run("sync-ostium-markets", &args.common, || {
        sync_ostium::run(&args)
    })
}
