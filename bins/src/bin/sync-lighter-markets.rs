//! `sync-lighter-markets`: sync the venue's markets into `venue_markets`.

use std::process::ExitCode;

fn main() -> ExitCode {
    agent_where_cli::jobs::sync::main("lighter")
}
