//! `--format table|csv|json` and `--csv-raw`: the form of the data a tool
//! prints on stdout.

use clap::Args;

use crate::output::{CsvMode, Format};

/// The output flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Args)]
pub struct OutputArgs {
    /// Output format on stdout: aligned table, CSV with a header, or JSON.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub csv: CsvRawArg,
}

/// `--csv-raw`, on every tool that writes CSV.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Args)]
pub struct CsvRawArg {
    /// CSV only: write text cells exactly as stored. By default a text cell
    /// starting with = + - @ or a tab/CR gets a leading ' so that a
    /// spreadsheet shows it instead of running it as a formula.
    #[arg(long)]
    pub csv_raw: bool,
}

impl CsvRawArg {
    /// The CSV mode the flag asks for.
    #[must_use]
    pub const fn mode(self) -> CsvMode {
        CsvMode::from_raw_flag(self.csv_raw)
    }
}
