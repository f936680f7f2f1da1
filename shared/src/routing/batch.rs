//! Routing's one entry point for a batch: every claimed signal's token parsed
//! once, its configuration resolved, the decision made and rendered, and the
//! batch's counters. Production (`db::routing`), `--dry-run` and the criterion
//! benchmark all call [`decide_batch`].
//!
//! Pure but for one clock read per signal: `Instant` measures each decision's
//! compute time (`routing_duration_us`); it never influences a decision.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::Serialize;
use uuid::Uuid;

use super::decide::decide;
use super::decision::{Decision, RoutingOptions};
use super::deployment::OpenPositions;
use super::render::{RenderedDecision, render};
use super::signal::{OrderSize, PendingSignal};
use super::snapshot::MarketSnapshot;
use crate::config::ConfigSet;
use crate::domain::Venue;
use crate::symbols::Token;

/// One decided signal with what is written beside the decision.
#[derive(Debug, Clone)]
pub struct Decided<'a> {
    pub signal: PendingSignal,
    pub decision: Decision,
    /// The priority list the configuration asked for.
    pub requested_venues: Vec<Venue>,
    /// The decision as `signals` and `venue_routing_history` store it.
    pub rendered: RenderedDecision<'a>,
    /// Compute time of token parsing, config lookup and decision.
    pub duration_us: i64,
}

/// A decided batch: one [`Decided`] per signal, in the order given, and the counters.
#[derive(Debug, Clone, Default)]
pub struct BatchDecisions<'a> {
    pub decided: Vec<Decided<'a>>,
    pub counts: Counts,
}

/// Decides and renders every signal of a batch against one configuration set,
/// one market snapshot and the open positions of the batch's deployments.
#[must_use]
pub fn decide_batch<'a>(
    signals: Vec<PendingSignal>,
    configs: &ConfigSet,
    snapshot: &'a MarketSnapshot,
    positions: &OpenPositions,
    options: &RoutingOptions,
) -> BatchDecisions<'a> {
    let prepared = configs.prepare();
    let mut counts = Counts::default();
    let decided = signals
        .into_iter()
        .map(|signal| {
            let started = Instant::now();
            let token = Token::parse(&signal.token_symbol);
            let canonical = token.as_ref().map_or("", |t| t.canonical.as_str());
            let effective = prepared.effective(signal.agent_id, canonical);
            let requested = signal.leverage.as_ref().ok().copied().flatten();
            let order = OrderSize::of(&signal.size, requested, effective.assumed_notional_usd);
            // The operator's explicit allowance lifts the host executor's venue rule.
            let options = &RoutingOptions {
                executor_venues: options
                    .executor_venues
                    .filter(|_| !effective.allow_venues_without_executor),
                ..*options
            };
            let decision = decide(
                &signal,
                token,
                &effective.config,
                effective.source,
                order,
                snapshot,
                positions,
                options,
            );
            let duration_us = i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX);
            let rendered = render(&signal, &decision, &effective.notes, snapshot, options);
            counts.record(&rendered);
            Decided {
                signal,
                decision,
                requested_venues: effective.config.venue_priority,
                rendered,
                duration_us,
            }
        })
        .collect();
    BatchDecisions { decided, counts }
}

/// Counts of one batch (or a whole run).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub claimed: u64,
    pub routed: u64,
    pub skipped: u64,
    pub routed_by_venue: BTreeMap<String, u64>,
    pub skipped_by_reason: BTreeMap<String, u64>,
}

impl Counts {
    /// Adds another batch's counts.
    pub fn add(&mut self, other: &Counts) {
        self.claimed += other.claimed;
        self.routed += other.routed;
        self.skipped += other.skipped;
        for (k, v) in &other.routed_by_venue {
            *self.routed_by_venue.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.skipped_by_reason {
            *self.skipped_by_reason.entry(k.clone()).or_default() += v;
        }
    }

    /// Counts one rendered decision.
    pub fn record(&mut self, r: &RenderedDecision<'_>) {
        self.claimed += 1;
        match (r.venue, r.skip_code) {
            (Some(v), _) => {
                self.routed += 1;
                *self
                    .routed_by_venue
                    .entry(v.as_str().to_owned())
                    .or_default() += 1;
            }
            (None, code) => {
                self.skipped += 1;
                *self
                    .skipped_by_reason
                    .entry(code.unwrap_or("UNKNOWN").to_owned())
                    .or_default() += 1;
            }
        }
    }
}

/// One decision, as `--dry-run` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionView {
    pub signal_id: Uuid,
    pub agent_id: Uuid,
    /// Canonical symbol, or the raw token cut to 64 characters when invalid.
    pub token_symbol: String,
    pub outcome: String,
    pub selected_venue: Option<String>,
    pub market_symbol: Option<String>,
    pub routing_reason: String,
    pub strategy: String,
    pub config_source: String,
    pub checked_venues: Vec<String>,
    pub venue_availability: serde_json::Value,
    pub routing_duration_us: i64,
}

impl DecisionView {
    /// The view of a decided signal.
    pub fn new(d: &Decided<'_>) -> Result<DecisionView, serde_json::Error> {
        let r = &d.rendered;
        Ok(DecisionView {
            signal_id: d.signal.id,
            agent_id: d.signal.agent_id,
            token_symbol: r.history_token.clone(),
            outcome: r.outcome.to_owned(),
            selected_venue: r.venue.map(|v| v.as_str().to_owned()),
            market_symbol: r.market_symbol.map(str::to_owned),
            routing_reason: r.routing_reason.clone(),
            strategy: d.decision.strategy.as_str().to_owned(),
            config_source: d.decision.config_source.as_str().to_owned(),
            checked_venues: r.checked_venues.iter().map(|v| (*v).to_owned()).collect(),
            venue_availability: serde_json::from_str(&r.venue_availability)?,
            routing_duration_us: d.duration_us,
        })
    }
}
