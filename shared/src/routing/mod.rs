//! Routing decisions: pure functions from pending signals, their configuration
//! and a market snapshot to decisions. No I/O happens here and the caller
//! passes `now` in [`RoutingOptions`], so the same inputs always give the same
//! decisions and tests need no database.
//!
//! - [`batch`]: the one entry point for a batch ([`decide_batch`]): token,
//!   configuration, decision, rendering and counters for every signal;
//! - [`decide`]: one signal's decision; [`strategy`]: the winner among the
//!   available venues; [`snapshot`]: the indexed market snapshot;
//! - [`render`]: the reason text and availability JSON that are written;
//! - [`types`]: the data types all of them share.
//!
//! The [`Decision`] is deliberately compact (enums, indices into the
//! snapshot); the human-readable reason and the availability JSON written to
//! `venue_routing_history` are produced by [`render`].

pub mod batch;
pub mod cost;
pub mod decide;
pub mod explain;
pub mod handoff;
pub mod render;
pub mod snapshot;
pub mod strategy;
pub mod types;

pub use batch::{BatchDecisions, Counts, Decided, DecisionView, decide_batch};
pub use cost::{CostBasis, CostEstimate, CostFallback, ImpactSource, estimate};
pub use decide::decide;
pub use handoff::{ExecutorSymbol, MAXXIT_EXECUTOR_VENUES, OstiumPairs};
pub use render::{RenderedDecision, render};
pub use snapshot::MarketSnapshot;
pub use strategy::{cost_bps, liquidity_usd};
pub use types::{
    Checks, Choice, Decision, Deployment, FIXED_USDC, Invalid, MarketRow, NotionalSource,
    OpenPositions, OrderSize, Outcome, PendingSignal, RoutingOptions, SizeModel, SizeModelError,
    Skip, VenueCheck, Verdict, leverage_from_parts, leverage_from_size_model, quote_untrusted,
};

#[cfg(test)]
mod cost_tests;
#[cfg(test)]
mod tests;
