//! `route-pending-signals`: route every pending MULTI signal to a venue.

use std::process::ExitCode;

use agent_where_cli::cli::{self, CommonArgs};
use agent_where_cli::jobs::route::{self, RouteArgs};
use clap::Parser;

/// Route every pending MULTI signal (venue = MULTI, no skipped_reason) to the venue its
/// routing configuration picks, or skip it with a reason. Batches are claimed with
/// FOR UPDATE SKIP LOCKED and written in one transaction each (signals, history rows, run
/// counters): several copies may run at once, and a killed run loses nothing.
#[derive(Debug, Parser)]
#[command(name = "route-pending-signals", version, after_help = route::AFTER_HELP)]
struct Args {
    #[command(flatten)]
    route: RouteArgs,
    #[command(flatten)]
    common: CommonArgs,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let options = args.route.resolve();
    cli::run("route-pending-signals", &args.common, || async {
        route::run(&args.common, &options?).await
    })
}
