//! What an order on a token would cost on each venue of a configuration, for
//! `routing-config show --explain`: the same checks and cost estimate a
//! `LOWEST_COST` decision makes, for a LONG and a SHORT of the agent's
//! assumed notional (top of book without one), every venue of the priority
//! list checked.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::cost::estimate;
use super::decide::decide;
use super::decision::RoutingOptions;
use super::deployment::OpenPositions;
use super::market_row::MarketRow;
use super::signal::{OrderSize, PendingSignal, SizeModel};
use super::snapshot::MarketSnapshot;
use crate::domain::cost::FeeRule;
use crate::domain::{ConfigSource, RoutingConfig, Side, Strategy, Usd, Venue};
use crate::symbols::Token;

/// One venue's figures for one side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VenueCost {
    pub venue: Venue,
    pub side: Side,
    /// `AVAILABLE` or the reason code.
    pub verdict: &'static str,
    pub market: Option<String>,
    /// How the venue charges (fee rule and its parts).
    pub fee_rule: Option<String>,
    pub open_fee_bps: Option<f64>,
    pub close_fee_bps: Option<f64>,
    pub half_spread_bps: Option<f64>,
    pub impact_bps: Option<f64>,
    pub total_bps: Option<f64>,
    /// `order_notional` or `top_of_book`.
    pub basis: Option<&'static str>,
    pub fallback: Option<&'static str>,
    pub capacity_usd: Option<f64>,
}

/// The figures of every venue of `priority` for `token`, LONG then SHORT,
/// at `assumed` notional (top of book when `None`).
#[must_use]
pub fn venue_costs(
    token: &Token,
    priority: &[Venue],
    assumed: Option<Usd>,
    snapshot: &MarketSnapshot,
    now: DateTime<Utc>,
    include_hip3: bool,
) -> Vec<VenueCost> {
    let config = RoutingConfig {
        venue_priority: priority.to_vec(),
        routing_strategy: Strategy::LowestCost,
        failover_enabled: true,
    };
    let options = RoutingOptions {
        include_hip3,
        ..RoutingOptions::defaults_at(now)
    };
    let order = OrderSize::of(&SizeModel::default(), None, assumed);
    let mut out = Vec::new();
    for side in [Side::Long, Side::Short] {
        let signal = PendingSignal {
            id: Uuid::nil(),
            agent_id: Uuid::nil(),
            token_symbol: token.canonical.clone(),
            side: side.as_str().to_owned(),
            leverage: Ok(None),
            created_at: now,
            size: SizeModel::default(),
            deployment: None,
        };
        let decision = decide(
            &signal,
            Ok(token.clone()),
            &config,
            ConfigSource::Default,
            order,
            snapshot,
            &OpenPositions::default(),
            &options,
        );
        for check in decision.checks.as_slice() {
            let market: Option<&MarketRow> = check.market.and_then(|i| snapshot.market(i));
            let e = market.and_then(|m| estimate(m, side, &order, now));
            out.push(VenueCost {
                venue: check.venue,
                side,
                verdict: check.verdict.code(),
                market: market.map(|m| m.market_symbol().to_owned()),
                fee_rule: market
                    .and_then(|m| m.cost.model.as_ref())
                    .map(|c| describe(&c.fees)),
                open_fee_bps: e.map(|e| e.open_fee_bps),
                close_fee_bps: e.map(|e| e.close_fee_bps),
                half_spread_bps: e.map(|e| e.half_spread_bps),
                impact_bps: e.map(|e| e.impact_bps),
                total_bps: e.map(|e| e.total_bps),
                basis: e.map(|e| e.basis.code()),
                fallback: e.and_then(|e| e.fallback.map(super::cost::CostFallback::code)),
                capacity_usd: market.and_then(|m| m.cost.capacity_usd(side)),
            });
        }
    }
    out
}

/// A fee rule in words: `taker 0.5625 bps = 4.5 × 0.125 (deployer fee scale
/// 0.25 from the asset, growth mode); close 0.5625 bps`.
#[must_use]
pub fn describe(rule: &FeeRule) -> String {
    match rule {
        FeeRule::Taker {
            taker_bps,
            close_bps,
            components: c,
        } => {
            let mut text = format!("taker {taker_bps} bps");
            if (c.multiplier - 1.0).abs() > f64::EPSILON {
                text.push_str(&format!(" = {} × {}", c.base_taker_bps, c.multiplier));
            }
            let mut parts = Vec::new();
            if let Some(scale) = c.deployer_fee_scale {
                parts.push(format!(
                    "deployer fee scale {scale} from the {}",
                    c.fee_scale_source.as_deref().unwrap_or("venue")
                ));
            }
            if c.growth_mode {
                parts.push("growth mode".to_owned());
            }
            if !parts.is_empty() {
                text.push_str(&format!(" ({})", parts.join(", ")));
            }
            text.push_str(&format!("; close {close_bps} bps"));
            text
        }
        FeeRule::Imbalance {
            maker_bps,
            taker_bps,
            maker_max_leverage,
            close_bps,
        } => {
            let maker = match maker_max_leverage {
                Some(max) => format!(
                    "maker {maker_bps} bps on the part reducing the long/short imbalance at ≤ {max}x, "
                ),
                None => String::new(),
            };
            format!("open: {maker}taker {taker_bps} bps; close {close_bps} bps")
        }
    }
}
