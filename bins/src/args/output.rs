//! `--format table|csv|json`: the form of the data a tool prints on stdout.

use clap::Args;

use crate::output::Format;

/// The output flag.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Args)]
pub struct OutputArgs {
    /// Output format on stdout: aligned table, CSV with a header, or JSON.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}
