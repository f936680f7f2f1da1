//! `sync-ostium-markets`: sync Ostium's markets into `venue_markets`.
//! Flags (built from the venue's registry entry) and work live in `jobs::sync`.

use std::process::ExitCode;

use agent_where::venues::ostium::SOURCE;
use agent_where_cli::cli;
use agent_where_cli::jobs::sync::{SyncArgs, run};

fn main() -> ExitCode {
    let args = SyncArgs::parse(&SOURCE);
    cli::run("sync-ostium-markets", &args.common, || run(&SOURCE, &args))
}
