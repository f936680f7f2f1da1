//! `routing-config set`: create or update the global config, an agent's
//! config or a per-token override, after checking every input.

use std::fmt::Write as _;

use agent_where::db::config::{self as db, AssumedNotional, ConfigWrite};
use agent_where::db::host;
use agent_where::domain::{ConfigSource, Strategy, Usd};
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
    /// FIRST_AVAILABLE, BEST_LIQUIDITY, LOWEST_FEES or LOWEST_COST. Default:
    /// FIRST_AVAILABLE for a new row, the stored value for an existing one. Not with --token.
    #[arg(long, value_name = "STRATEGY")]
    pub strategy: Option<String>,
    /// The order notional in USD that costs and capacity checks assume for signals sized
    /// relative to a balance (balance-percentage), or `none` to remove it. Default: none for
    /// a new row, the stored value for an existing one. Not with --token.
    #[arg(long, value_name = "USD|none")]
    pub assumed_notional: Option<String>,
    /// true: try the venues in order; false: consider only the first venue. Default:
    /// true for a new row, the stored value for an existing one. Not with --token.
    #[arg(long, value_name = "true|false")]
    pub failover: Option<String>,
    /// Route to venues the host's executor does not run (on Maxxit's schema GMX, AEVO and
    /// LIGHTER: its executor fails them, "Venue … not supported yet"), e.g. because an
    /// executor of your own trades them. Without it, on Maxxit's schema a priority naming one
    /// is refused; routing checks it too (such a venue is NO_EXECUTOR for signals this row
    /// configures; an override takes it from the agent's or the global row).
    #[arg(long)]
    pub allow_venues_without_executor: bool,
}

/// A fully validated `set`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SetRequest {
    target: Target,
    priority: Vec<String>,
    strategy: Option<Strategy>,
    failover: Option<bool>,
    assumed: AssumedNotional,
    allow_venues_without_executor: bool,
}

/// Parses `--assumed-notional`: a positive amount of USD below 10^15, or `none`.
pub(crate) fn parse_assumed_notional(raw: &str) -> Result<AssumedNotional> {
    let t = raw.trim();
    if t.eq_ignore_ascii_case("none") {
        return Ok(AssumedNotional::Clear);
    }
    let amount = t.trim_start_matches('$').replace('_', "");
    match amount.parse::<f64>().ok().and_then(Usd::new) {
        Some(v) => Ok(AssumedNotional::Set(v)),
        None => bail!(
            "invalid --assumed-notional `{raw}` (expected a positive amount of USD below 10^15, e.g. 25000, or `none`)"
        ),
    }
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
    let assumed = args
        .assumed_notional
        .as_deref()
        .map(parse_assumed_notional)
        .transpose()?
        .unwrap_or_default();
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
        if let Some(a) = &args.assumed_notional {
            bail!(
                "--assumed-notional `{a}` cannot be used with --token: an override sets only the priority (the assumed notional comes from the agent's or the global row)"
            );
        }
    }
    Ok(SetRequest {
        target,
        priority,
        strategy,
        failover,
        assumed,
        allow_venues_without_executor: args.allow_venues_without_executor,
    })
}

pub(crate) async fn run(
    common: &CommonArgs,
    req: &SetRequest,
    format: ConfigFormat,
) -> Result<Outcome> {
    let (_, mut client) = common.connect_checked().await?;
    // A schema routing refuses (an older Maxxit) is judged by routing itself.
    let host = host::detect(&client).await.ok();
    if let Some(runs) = host.and_then(host::HostSchema::executor_venues) {
        let without: Vec<&str> = req
            .priority
            .iter()
            .map(String::as_str)
            .filter(|v| !runs.iter().any(|r| r.as_str() == *v))
            .collect();
        if !without.is_empty() {
            let named = without.join(", ");
            if !req.allow_venues_without_executor {
                bail!(
                    "--priority names {named}, which Maxxit's executor does not run (it fails such signals: \"Venue … not supported yet\"); to route there anyway (an executor of your own trades it), add --allow-venues-without-executor; nothing was changed"
                );
            }
            // One line on stderr: the operator asked for it, and should know.
            eprintln!(
                "routing-config: warning: --priority names {named}, which Maxxit's executor does not run: signals routed there wait for another executor"
            );
        }
    }
    let done = db::write(
        &mut client,
        &ConfigWrite {
            agent: req.target.agent,
            token: req.target.token.as_deref(),
            venue_priority: &req.priority,
            strategy: req.strategy.map(Strategy::as_str),
            failover: req.failover,
            assumed_notional: req.assumed,
            allow_venues_without_executor: req.allow_venues_without_executor,
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
        assumed_notional_usd: done.assumed_notional_usd,
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
    if let Some(n) = report.assumed_notional_usd {
        let _ = write!(line, " / assumed notional {n}");
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
    assumed_notional_usd: Option<Usd>,
}
