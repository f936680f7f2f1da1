//! `routing-config show`: the effective config for an agent and/or token,
//! the level it came from and every level of the precedence walk
//! (`agent_where::config::ConfigSet::explain`); with `--explain`, what an
//! order on the token would cost on each venue
//! (`agent_where::routing::explain::venue_costs`).

use std::fmt::Write as _;

use agent_where::config::{ConfigLevel, Explanation};
use agent_where::db::config as db;
use agent_where::domain::{ConfigSource, Strategy, Usd, Venue};
use agent_where::routing::explain::{VenueCost, venue_costs};
use agent_where::symbols::Token;
use anyhow::{Context, Result};
use serde::Serialize;
use uuid::Uuid;

use super::{ConfigFormat, Target, join_venues, on_off};
use crate::cli::{CommonArgs, Outcome};
use crate::output::{self, Table};

#[derive(Debug, Serialize)]
struct ShowReport {
    agent_id: Option<Uuid>,
    token_symbol: Option<String>,
    source: ConfigSource,
    venue_priority: Vec<Venue>,
    routing_strategy: Strategy,
    failover_enabled: bool,
    assumed_notional_usd: Option<Usd>,
    notes: Vec<String>,
    levels: Vec<ConfigLevel>,
    /// `--explain`: each venue's figures, LONG then SHORT.
    #[serde(skip_serializing_if = "Option::is_none")]
    costs: Option<Vec<VenueCost>>,
}

pub(crate) async fn run(
    common: &CommonArgs,
    target: &Target,
    explain: bool,
    format: ConfigFormat,
) -> Result<Outcome> {
    let (_, client) = common.connect_checked().await?;
    let mut extra_note = None;
    if let Some(agent) = target.agent {
        let venue = db::require_agent(&client, agent).await?;
        if venue != Venue::Multi.as_str() {
            extra_note = Some(format!(
                "agent `{agent}` has venue `{venue}`: only MULTI agents' signals are routed"
            ));
        }
    }
    let agents: Vec<Uuid> = target.agent.into_iter().collect();
    let set = db::load_config_set(&client, &agents).await?;
    let Explanation { effective, levels } = set.explain(target.agent, target.token.as_deref());
    let costs = match (&target.token, explain) {
        (Some(token), true) => {
            let (snapshot, now) = agent_where::db::routing::market_snapshot(&client).await?;
            let token = Token {
                canonical: token.clone(),
                dex: None,
            };
            Some(venue_costs(
                &token,
                &effective.config.venue_priority,
                effective.assumed_notional_usd,
                &snapshot,
                now,
                false,
            ))
        }
        _ => None,
    };
    let mut report = ShowReport {
        agent_id: target.agent,
        token_symbol: target.token.clone(),
        source: effective.source,
        venue_priority: effective.config.venue_priority,
        routing_strategy: effective.config.routing_strategy,
        failover_enabled: effective.config.failover_enabled,
        assumed_notional_usd: effective.assumed_notional_usd,
        notes: effective.notes,
        levels,
        costs,
    };
    report.notes.extend(extra_note);
    if format == ConfigFormat::Json {
        output::print_json(&report)?;
        return Ok(Outcome::Success);
    }
    let mut t = Table::new(["field", "value"]);
    t.row([
        "agent".to_owned(),
        report
            .agent_id
            .map_or_else(|| "(global)".to_owned(), |a| a.to_string()),
    ]);
    t.row([
        "token".to_owned(),
        report
            .token_symbol
            .clone()
            .unwrap_or_else(|| "(any)".to_owned()),
    ]);
    t.row(["source".to_owned(), report.source.to_string()]);
    t.row([
        "venue_priority".to_owned(),
        join_venues(&report.venue_priority),
    ]);
    t.row([
        "routing_strategy".to_owned(),
        report.routing_strategy.to_string(),
    ]);
    t.row([
        "failover_enabled".to_owned(),
        report.failover_enabled.to_string(),
    ]);
    t.row([
        "assumed_notional_usd".to_owned(),
        report.assumed_notional_usd.map_or_else(
            || "(none: relative sizes are priced top of book)".to_owned(),
            |n| n.get().to_string(),
        ),
    ]);
    for level in &report.levels {
        t.row([format!("level {}", level.level), describe_level(level)]);
    }
    for note in &report.notes {
        t.row(["note".to_owned(), note.clone()]);
    }
    let mut text = t.render();
    if let Some(costs) = &report.costs {
        text.push('\n');
        text.push_str(&costs_table(costs, report.assumed_notional_usd));
    }
    output::print_text(&text).context("cannot print the config")?;
    Ok(Outcome::Success)
}

/// The `--explain` table: one row per venue and side, then each venue's fee rule.
fn costs_table(costs: &[VenueCost], assumed: Option<Usd>) -> String {
    let bps = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |x| format!("{x:.4}"));
    let mut out = match assumed {
        Some(n) => format!("cost of a {n} order, bps of notional:\n"),
        None => "cost at the top of book (no assumed notional), bps of notional:\n".to_owned(),
    };
    let mut t = Table::new([
        "venue",
        "side",
        "market",
        "verdict",
        "open_fee",
        "close_fee",
        "half_spread",
        "impact",
        "total",
        "basis",
        "capacity_usd",
    ]);
    for c in costs {
        t.row([
            c.venue.to_string(),
            c.side.as_str().to_owned(),
            c.market.clone().unwrap_or_else(|| "-".to_owned()),
            c.verdict.to_owned(),
            bps(c.open_fee_bps),
            bps(c.close_fee_bps),
            bps(c.half_spread_bps),
            bps(c.impact_bps),
            bps(c.total_bps),
            match (c.basis, c.fallback) {
                (Some(b), Some(f)) => format!("{b} ({f})"),
                (Some(b), None) => b.to_owned(),
                _ => "-".to_owned(),
            },
            c.capacity_usd
                .map_or_else(|| "-".to_owned(), |v| format!("{v:.0}")),
        ]);
    }
    out.push_str(&t.render());
    let mut seen: Vec<Venue> = Vec::new();
    for c in costs {
        if let Some(rule) = &c.fee_rule
            && !seen.contains(&c.venue)
        {
            seen.push(c.venue);
            let _ = writeln!(out, "fees {}: {rule}", c.venue);
        }
    }
    out
}

fn describe_level(level: &ConfigLevel) -> String {
    let Some(list) = &level.venue_priority else {
        return "not set".to_owned();
    };
    let mut text = if list.is_empty() {
        "(empty)".to_owned()
    } else {
        list.join(",")
    };
    if let (Some(s), Some(f)) = (&level.routing_strategy, level.failover_enabled) {
        let _ = write!(text, " / {s} / failover {}", on_off(f));
    }
    if let Some(p) = &level.problem {
        let _ = write!(text, " (ignored: {p})");
    }
    text
}
