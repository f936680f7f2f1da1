//! `--no-executor-marks`, `--skip-mark`, `--no-agent-routing-history`: what
//! routing writes into the host's own tables on Maxxit's schema (no effect
//! elsewhere); `--executor-symbol`: whether a routed signal's token_symbol
//! becomes the symbol the host's executor resolves to exactly the chosen
//! market.

use agent_where::db::host::SkipMark;
use clap::{Args, ValueEnum};

/// `--executor-symbol`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ExecutorSymbolArg {
    /// On for Maxxit's schema (its executor trades token_symbol as written), off elsewhere.
    #[default]
    Auto,
    /// Rewrite token_symbol on any host whose executor trades it as written.
    On,
    /// Write only the venue: for an executor that reads venue_routing_history.market_symbol.
    Off,
}

impl ExecutorSymbolArg {
    /// `None`: the host's default.
    #[must_use]
    pub fn setting(self) -> Option<bool> {
        match self {
            ExecutorSymbolArg::Auto => None,
            ExecutorSymbolArg::On => Some(true),
            ExecutorSymbolArg::Off => Some(false),
        }
    }
}

/// The host hand-off flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Args)]
pub struct HostArgs {
    /// On Maxxit's schema, do not mark skipped signals in the columns Maxxit's executor
    /// reads (trade_executed = the skip mark, execution_result = the reason). Without the marks
    /// the executor does not see skips (it never reads skipped_reason) and trades them.
    #[arg(long, env = "AGENT_WHERE_NO_EXECUTOR_MARKS")]
    pub no_executor_marks: bool,
    /// On Maxxit's schema, the trade_executed value of a skip: FAILED, Maxxit's own "not
    /// traded" value (its Telegram notifier then tells the agent's followers, with the
    /// reason), or SKIPPED, the mark of earlier versions (the notifier reads it as waiting).
    #[arg(
        long,
        value_enum,
        ignore_case = true,
        default_value_t = SkipMarkArg::Failed,
        env = "AGENT_WHERE_SKIP_MARK"
    )]
    pub skip_mark: SkipMarkArg,
    /// On Maxxit's schema, do not write a row per decision to `agent_routing_history`
    /// (the table Maxxit's dashboard reads).
    #[arg(long, env = "AGENT_WHERE_NO_AGENT_ROUTING_HISTORY")]
    pub no_agent_routing_history: bool,
    /// Whether a routed signal's token_symbol becomes the symbol the host's executor resolves
    /// to exactly the chosen market (Hyperliquid's coin `kPEPE`, an Ostium spelling Maxxit's
    /// pair lookup maps to that one pair: `XAU`, `JPY`); the agent's token stays in
    /// venue_routing_history.requested_token. With it, an Ostium pair no spelling reaches
    /// unambiguously is NO_EXECUTOR_SYMBOL.
    #[arg(long, env = "AGENT_WHERE_EXECUTOR_SYMBOL", value_enum, default_value_t = ExecutorSymbolArg::Auto)]
    pub executor_symbol: ExecutorSymbolArg,
}

/// `--skip-mark`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum SkipMarkArg {
    #[default]
    #[value(name = "FAILED")]
    Failed,
    #[value(name = "SKIPPED")]
    Skipped,
}

impl From<SkipMarkArg> for SkipMark {
    fn from(a: SkipMarkArg) -> SkipMark {
        match a {
            SkipMarkArg::Failed => SkipMark::Failed,
            SkipMarkArg::Skipped => SkipMark::Skipped,
        }
    }
}
