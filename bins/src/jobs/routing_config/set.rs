//! `routing-config set`: create or update the global config, an agent's
//! config or a per-token override, after checking every input.

use std::fmt::Write as _;

use agent_where::db::config::{self as db, ConfigWrite};
use agent_where::domain::{ConfigSource, Strategy};
use anyhow::{Result, bail};
use clap::Args;
use serde::Serialize;
use uuid::Uuid;

use super::{
    ConfigFormat, Selector, Target, on_off, parse_failover_arg, parse_priority_arg, parse_selector,
    parse_strategy_arg,
};
use crate::cli::{CommonArgs, Outcome};
use crate::output;

/// Flags of `set`.
#[derive(Debug, Clone, Args)]
pub struct SetArgs {
    #[command(flatten)]
    pub selector: Selector,
    /// Venues in priority order, comma-separated (venue labels: HYPERLIQUID,
    /// OSTIUM, …; only venues Agent Where syncs). Required.
    #[arg(long, value_name = "LIST", required = true)]
    pub priority: String,
    /// FIRST_AVAILABLE, BEST_LIQUIDITY or LOWEST_FEES. Default: FIRST_AVAILABLE for a
    /// new row, the stored value for an existing one. Not with --token.
    #[arg(long, value_name = "STRATEGY")]
    pub strategy: Option<String>,
    /// true: try the venues in order; false: consider only the first venue. Default:
    /// true for a new row, the stored value for an existing one. Not with --token.
    #[arg(long, value_name = "true|false")]
    pub failover: Option<String>,
}

/// A fully validated `set`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SetRequest {
    target: Target,
    priority: Vec<String>,
    strategy: Option<Strategy>,
    failover: Option<bool>,
}

pub(crate) fn validate(args: &SetArgs) -> Result<SetRequest> {
    let target = parse_selector(&args.selector)?;
    let priority = parse_priority_arg(&args.priority)?
        .into_iter()
        .map(|v| v.as_str().to_owned())
        .collect();
    let strategy = args
        .strategy
        .as_deref()
        .map(parse_strategy_arg)
        .transpose()?;
    let failover = args
        .failover
        .as_deref()
        .map(parse_failover_arg)
        .transpose()?;
    if target.token.is_some() {
        if let Some(s) = &args.strategy {
            bail!(
                "--strategy `{s}` cannot be used with --token: an override sets only the priority (strategy comes from the agent's or the global row)"
            );
        }
        if let Some(f) = &args.failover {
            bail!(
                "--failover `{f}` cannot be used with --token: an override sets only the priority (failover comes from the agent's or the global row)"
            );
        }
    }
    Ok(SetRequest {
        target,
        priority,
        strategy,
        failover,
    })
}

pub(crate) async fn run(
    common: &CommonArgs,
    req: &SetRequest,
    format: ConfigFormat,
) -> Result<Outcome> {
    let (_, mut client) = common.connect_checked().await?;
    let done = db::write(
        &mut client,
        &ConfigWrite {
            agent: req.target.agent,
            token: req.target.token.as_deref(),
            venue_priority: &req.priority,
            strategy: req.strategy.map(Strategy::as_str),
            failover: req.failover,
        },
    )
    .await?;
    let action = if done.inserted {
        "created"
    } else if done.changed {
        "updated"
    } else {
        "unchanged"
    };
    let report = SetReport {
        action,
        level: req.target.level(),
        agent_id: req.target.agent,
        token_symbol: req.target.token.clone(),
        venue_priority: done.venue_priority,
        routing_strategy: done.routing_strategy,
        failover_enabled: done.failover_enabled,
    };
    if format == ConfigFormat::Json {
        output::print_json(&report)?;
        return Ok(Outcome::Success);
    }
    let mut line = format!(
        "{action} {}: {}",
        req.target.describe(),
        report.venue_priority.join(",")
    );
    if let (Some(s), Some(f)) = (&report.routing_strategy, report.failover_enabled) {
        let _ = write!(line, " / {s} / failover {}", on_off(f));
    }
    line.push('\n');
    output::print_text(&line)?;
    Ok(Outcome::Success)
}

#[derive(Debug, Serialize)]
struct SetReport {
    action: &'static str,
    level: ConfigSource,
    agent_id: Option<Uuid>,
    token_symbol: Option<String>,
    venue_priority: Vec<String>,
    routing_strategy: Option<String>,
    failover_enabled: Option<bool>,
}
