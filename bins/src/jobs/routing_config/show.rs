//! `routing-config show`: the effective config for an agent and/or token,
//! the level it came from and every level of the precedence walk
//! (`agent_where::config::ConfigSet::explain`).

use std::fmt::Write as _;

use agent_where::config::{ConfigLevel, Explanation};
use agent_where::db::config as db;
use agent_where::domain::{ConfigSource, Strategy, Venue};
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
    notes: Vec<String>,
    levels: Vec<ConfigLevel>,
}

pub(crate) async fn run(
    common: &CommonArgs,
    target: &Target,
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
    let mut report = ShowReport {
        agent_id: target.agent,
        token_symbol: target.token.clone(),
        source: effective.source,
        venue_priority: effective.config.venue_priority,
        routing_strategy: effective.config.routing_strategy,
        failover_enabled: effective.config.failover_enabled,
        notes: effective.notes,
        levels,
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
    for level in &report.levels {
        t.row([format!("level {}", level.level), describe_level(level)]);
    }
    for note in &report.notes {
        t.row(["note".to_owned(), note.clone()]);
    }
    output::print_text(&t.render()).context("cannot print the config")?;
    Ok(Outcome::Success)
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
