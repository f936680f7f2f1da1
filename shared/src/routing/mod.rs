//! Routing decisions: pure functions from pending signals, their configuration
//! and a market snapshot to decisions. No I/O happens here and the caller
//! passes `now` in [`RoutingOptions`], so the same inputs always give the same
//! decisions and tests need no database.
//!
//! - [`batch`]: the one entry point for a batch ([`decide_batch`]): token,
//!   configuration, decision, rendering and counters for every signal;
//! - [`decide`](mod@decide): one signal's decision; [`strategy`]: the winner among the
//!   available venues; [`snapshot`]: the indexed market snapshot;
//! - [`figures`]: a market's comparable figures (liquidity, taker fee, cost
//!   to open) and [`cost`]: the all-in cost estimate built on them;
//! - [`render`](mod@render): the reason text and availability JSON that are written;
//! - the data they share: [`signal`] (the pending signal, its size and
//!   leverage), [`deployment`] (its deployment and open positions),
//!   [`market_row`] (a market as routing reads it) and [`decision`] (the
//!   options, verdicts, checks and outcome).
//!
//! The [`Decision`] is deliberately compact (enums, indices into the
//! snapshot); the human-readable reason and the availability JSON written to
//! `venue_routing_history` are produced by [`render`](mod@render).

pub mod batch;
pub mod cost;
pub mod decide;
pub mod decision;
pub mod deployment;
pub mod explain;
pub mod figures;
pub mod handoff;
pub mod market_row;
pub mod render;
pub mod signal;
pub mod snapshot;
pub mod strategy;

pub use batch::{BatchDecisions, Counts, Decided, DecisionView, decide_batch};
pub use cost::{CostBasis, CostEstimate, CostFallback, ImpactSource, estimate};
pub use decide::decide;
pub use decision::{
    Checks, Choice, Decision, Invalid, Outcome, RoutingOptions, Skip, VenueCheck, Verdict,
};
pub use deployment::{Deployment, OpenPositions};
pub use figures::{cost_bps, liquidity_usd, taker_fee_bps};
pub use handoff::{ExecutorSymbol, MAXXIT_EXECUTOR_VENUES, OstiumPairs};
pub use market_row::MarketRow;
pub use render::{RenderedDecision, render};
pub use signal::{
    FIXED_USDC, MAX_NOTIONAL_USD, NotionalSource, OrderSize, PendingSignal, SizeModel,
    SizeModelError, leverage_from_parts, leverage_from_size_model, quote_untrusted,
};
pub use snapshot::MarketSnapshot;

#[cfg(test)]
mod cost_tests;
#[cfg(test)]
mod tests;
