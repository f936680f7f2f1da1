//! `-q`, `-v`, `--log-format`: how much goes to stderr, and in which form.

use clap::{Args, ValueEnum};

/// Log line format on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// The logging flags.
#[derive(Debug, Clone, Default, Args)]
pub struct LogArgs {
    /// Print less: warnings and errors only (-qq: errors only).
    #[arg(short, long, action = clap::ArgAction::Count, global = true, conflicts_with = "verbose")]
    pub quiet: u8,

    /// Print more: -v debug and the libraries' warnings, -vv trace. `RUST_LOG` overrides both.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Log line format on stderr (`json` suits cron and log shippers).
    #[arg(long, value_enum, default_value_t = LogFormat::Text, env = "AGENT_WHERE_LOG_FORMAT", global = true)]
    pub log_format: LogFormat,
}
