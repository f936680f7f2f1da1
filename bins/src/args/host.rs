//! `--no-executor-marks`, `--no-agent-routing-history`: what routing writes
//! into the host's own tables on Maxxit's schema (no effect elsewhere).

use clap::Args;

/// The host hand-off flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Args)]
pub struct HostArgs {
    /// On Maxxit's schema, do not mark skipped signals in the columns Maxxit's executor
    /// reads (trade_executed = 'SKIPPED', execution_result = the reason). Without the marks
    /// the executor does not see skips (it never reads skipped_reason) and trades them.
    #[arg(long, env = "AGENT_WHERE_NO_EXECUTOR_MARKS")]
    pub no_executor_marks: bool,
    /// On Maxxit's schema, do not write a row per decision to `agent_routing_history`
    /// (the table Maxxit's dashboard reads).
    #[arg(long, env = "AGENT_WHERE_NO_AGENT_ROUTING_HISTORY")]
    pub no_agent_routing_history: bool,
}
