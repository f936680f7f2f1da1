//! `sync-hyperliquid-markets`: sync Hyperliquid's markets into `venue_markets`.

use std::process::ExitCode;

use agent_where_cli::cli;
use agent_where_cli::jobs::sync_hyperliquid::{self, Args};
use clap::Parser;

fn main() -> ExitCode {
    let args = Args::parse();
    cli::run("sync-hyperliquid-markets", &args.common, || {
        sync_hyperliquid::run(&args)
    })
}
