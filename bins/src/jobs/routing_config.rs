//! `routing-config`: show, set, list and remove the routing configuration
//! (the original's `/api/venue-routing/config`, as a CLI), including per-token
//! overrides. Every input is validated before anything is written; agent
//! checks and the write share one transaction.

use std::fmt::Write as _;
use std::str::FromStr;

use agent_where::config::{ConfigSet, StoredConfig, parse_priority};
use agent_where::db::config as db;
use agent_where::domain::{ConfigSource, Strategy, Venue};
use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use uuid::Uuid;

use crate::cli::{CommonArgs, Outcome};
use crate::output::{self, Table};

/// The examples and exit codes of `routing-config --help`.
pub const AFTER_HELP: &str = concat!(
    "Examples:
  routing-config show --agent 6f1c0c1e-8d2a-4c57-9a53-0b1d8e2f4a10 --token SPX
  routing-config set --priority OSTIUM,HYPERLIQUID --strategy LOWEST_FEES --failover true
  routing-config set --token SPX --priority OSTIUM
  routing-config remove --agent 6f1c0c1e-8d2a-4c57-9a53-0b1d8e2f4a10 --token SPX
  routing-config list --format json

Venues: only HYPERLIQUID and OSTIUM (the venues Agent Where syncs). Token symbols are stored
canonical (trimmed, `$` stripped, upper-case). Every tool but setup-agent-where needs an up-to-date
schema: run setup-agent-where first.

",
    crate::exit_codes_help!()
);

/// Output format of `routing-config`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ConfigFormat {
    /// Aligned text for people.
    #[default]
    Table,
    /// JSON, pretty-printed.
    Json,
}

/// The subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Show the effective config (for an agent and/or token) and which level it came from:
    /// agent_token, agent, global_token, global or default.
    Show(Selector),
    /// Create or update the global config, an agent's config, or a per-token override.
    ///
    /// Without --agent: the global row. With --token: a per-token override, which
    /// holds only a priority list (strategy and failover come from the agent's or the
    /// global row). On a new row, omitted --strategy / --failover take the defaults
    /// (FIRST_AVAILABLE, true); on an existing row they keep its stored values.
    Set(SetArgs),
    /// List every stored config row and per-token override.
    List,
    /// Remove an agent's config row (`--agent`) or a per-token override (`--token`,
    /// with `--agent` for the agent's own). The global row cannot be removed: use `set`.
    Remove(Selector),
}

/// `--agent` / `--token`: which level a command addresses.
#[derive(Debug, Clone, Args)]
pub struct Selector {
    /// Agent id (UUID). Default: none (the global level).
    #[arg(long, value_name = "UUID")]
    pub agent: Option<String>,
    /// Token symbol of a per-token override (stored canonical: upper-case, `$` stripped).
    /// Default: none (no override).
    #[arg(long, value_name = "SYMBOL")]
    pub token: Option<String>,
}

/// Flags of `set`.
#[derive(Debug, Clone, Args)]
pub struct SetArgs {
    #[command(flatten)]
    pub selector: Selector,
    /// Venues in priority order, comma-separated: HYPERLIQUID, OSTIUM. Required.
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

/// The checked target of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    agent: Option<Uuid>,
    token: Option<String>,
}

impl Target {
    fn level(&self) -> ConfigSource {
        match (self.agent.is_some(), self.token.is_some()) {
            (true, true) => ConfigSource::AgentToken,
            (true, false) => ConfigSource::Agent,
            (false, true) => ConfigSource::GlobalToken,
            (false, false) => ConfigSource::Global,
        }
    }

    fn describe(&self) -> String {
        match (&self.agent, &self.token) {
            (Some(a), Some(t)) => format!("override for `{t}` of agent `{a}`"),
            (Some(a), None) => format!("config of agent `{a}`"),
            (None, Some(t)) => format!("global override for `{t}`"),
            (None, None) => "global config".to_owned(),
        }
    }
}

fn parse_selector(s: &Selector) -> Result<Target> {
    let agent = s.agent.as_deref().map(parse_agent).transpose()?;
    let token = s.token.as_deref().map(canonical_token).transpose()?;
    Ok(Target { agent, token })
}

fn parse_agent(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw.trim()).map_err(|_| anyhow!("invalid --agent `{raw}`: not a UUID"))
}

/// The canonical form of a token symbol as overrides store it: trimmed,
/// `$` stripped, upper-case; non-empty, at most 32 characters of
/// `A-Z 0-9 : . _ -`. (To be replaced by the shared symbol normaliser.)
pub fn canonical_token(raw: &str) -> Result<String> {
    let symbol: String = raw
        .trim()
        .chars()
        .filter(|c| *c != '$')
        .collect::<String>()
        .trim()
        .to_ascii_uppercase();
    if symbol.is_empty() {
        bail!("invalid --token `{raw}`: empty symbol");
    }
    if symbol.chars().count() > 32 {
        bail!("invalid --token `{raw}`: longer than 32 characters");
    }
    if let Some(bad) = symbol
        .chars()
        .find(|c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || ":._-".contains(*c)))
    {
        bail!("invalid --token `{raw}`: character `{bad}` (allowed: A-Z 0-9 : . _ -)");
    }
    Ok(symbol)
}

/// Parses `--priority`: the synced venues only, each once, at least one.
pub fn parse_priority_arg(raw: &str) -> Result<Vec<Venue>> {
    if raw.trim().is_empty() {
        bail!("--priority is empty: give venues in order, e.g. `HYPERLIQUID,OSTIUM`");
    }
    let mut venues = Vec::new();
    for item in raw.split(',') {
        let name = item.trim();
        if name.is_empty() {
            bail!("--priority `{raw}` has an empty entry");
        }
        let venue = Venue::from_str(&name.to_ascii_uppercase()).map_err(|_| {
            anyhow!("unknown venue `{name}` in --priority (expected HYPERLIQUID or OSTIUM)")
        })?;
        match venue {
            Venue::Multi => bail!(
                "`{name}` cannot be in --priority: MULTI is what routing resolves, not a venue"
            ),
            Venue::Gmx | Venue::Spot => bail!(
                "venue `{name}` in --priority is not supported: Agent Where syncs only HYPERLIQUID and OSTIUM markets, so it would never be available"
            ),
            Venue::Hyperliquid | Venue::Ostium => {}
        }
        if venues.contains(&venue) {
            bail!("venue `{name}` appears more than once in --priority `{raw}`");
        }
        venues.push(venue);
    }
    Ok(venues)
}

fn parse_strategy_arg(raw: &str) -> Result<Strategy> {
    Strategy::from_str(&raw.trim().to_ascii_uppercase()).map_err(|_| {
        anyhow!(
            "unknown --strategy `{raw}` (expected FIRST_AVAILABLE, BEST_LIQUIDITY or LOWEST_FEES)"
        )
    })
}

fn parse_failover_arg(raw: &str) -> Result<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => bail!("invalid --failover `{raw}` (expected true or false)"),
    }
}

/// A fully validated `set`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SetRequest {
    target: Target,
    priority: Vec<String>,
    strategy: Option<Strategy>,
    failover: Option<bool>,
}

fn validate_set(args: &SetArgs) -> Result<SetRequest> {
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

/// Runs a `routing-config` command.
pub async fn run(common: &CommonArgs, command: &Command, format: ConfigFormat) -> Result<Outcome> {
    match command {
        Command::Show(selector) => show(common, &parse_selector(selector)?, format).await,
        Command::Set(args) => set(common, &validate_set(args)?, format).await,
        Command::List => list(common, format).await,
        Command::Remove(selector) => {
            let target = parse_selector(selector)?;
            if target.agent.is_none() && target.token.is_none() {
                bail!(
                    "the global config cannot be removed (setup-agent-where would recreate it): change it with `routing-config set --priority …`, or remove an agent's config with --agent / an override with --token"
                );
            }
            remove(common, &target, format).await
        }
    }
}

/// Fails unless the agent exists; returns its venue.
async fn require_agent<C: tokio_postgres::GenericClient>(
    client: &C,
    agent: Uuid,
) -> Result<String> {
    db::agent_venue(client, agent)
        .await?
        .ok_or_else(|| anyhow!("agent `{agent}` does not exist"))
}

async fn set(common: &CommonArgs, req: &SetRequest, format: ConfigFormat) -> Result<Outcome> {
    let (_, mut client) = common.connect_checked().await?;
    let tx = client.transaction().await.map_err(|e| {
        anyhow!(
            "cannot start a transaction: {}",
            agent_where::db::describe_pg_error(&e)
        )
    })?;
    if let Some(agent) = req.target.agent {
        let venue = require_agent(&tx, agent).await?;
        if venue != Venue::Multi.as_str() {
            bail!(
                "agent `{agent}` has venue `{venue}`: only MULTI agents are routed, so a routing config would never apply to it"
            );
        }
    }
    let done = match &req.target.token {
        None => {
            db::upsert_row(
                &tx,
                req.target.agent,
                &req.priority,
                req.strategy.map(Strategy::as_str),
                req.failover,
            )
            .await?
        }
        Some(token) => db::upsert_override(&tx, req.target.agent, token, &req.priority).await?,
    };
    tx.commit()
        .await
        .map_err(|e| anyhow!("cannot commit: {}", agent_where::db::describe_pg_error(&e)))?;
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

async fn remove(common: &CommonArgs, target: &Target, format: ConfigFormat) -> Result<Outcome> {
    let (_, mut client) = common.connect_checked().await?;
    let tx = client.transaction().await.map_err(|e| {
        anyhow!(
            "cannot start a transaction: {}",
            agent_where::db::describe_pg_error(&e)
        )
    })?;
    if let Some(agent) = target.agent {
        require_agent(&tx, agent).await?;
    }
    let removed = match (&target.agent, &target.token) {
        (agent, Some(token)) => db::remove_override(&tx, *agent, token).await?,
        (Some(agent), None) => db::remove_agent_row(&tx, *agent).await?,
        (None, None) => bail!("nothing to remove"),
    };
    tx.commit()
        .await
        .map_err(|e| anyhow!("cannot commit: {}", agent_where::db::describe_pg_error(&e)))?;
    if format == ConfigFormat::Json {
        output::print_json(&serde_json::json!({
            "removed": removed,
            "level": target.level(),
            "agent_id": target.agent,
            "token_symbol": target.token,
        }))?;
    } else if removed {
        output::print_text(&format!("removed {}\n", target.describe()))?;
    } else {
        output::print_text(&format!(
            "nothing to remove: there is no {}\n",
            target.describe()
        ))?;
    }
    Ok(Outcome::Success)
}

/// One level of the precedence walk, as `show` reports it.
#[derive(Debug, Serialize)]
struct LevelView {
    level: ConfigSource,
    /// `None`: nothing stored at this level.
    venue_priority: Option<Vec<String>>,
    routing_strategy: Option<String>,
    failover_enabled: Option<bool>,
    /// Why a stored value cannot be used, if it cannot.
    problem: Option<String>,
}

#[derive(Debug, Serialize)]
struct ShowReport {
    agent_id: Option<Uuid>,
    token_symbol: Option<String>,
    source: ConfigSource,
    venue_priority: Vec<Venue>,
    routing_strategy: Strategy,
    failover_enabled: bool,
    notes: Vec<String>,
    levels: Vec<LevelView>,
}

fn row_level(level: ConfigSource, row: Option<&StoredConfig>) -> LevelView {
    LevelView {
        level,
        venue_priority: row.map(|r| r.venue_priority.clone().unwrap_or_default()),
        routing_strategy: row.map(|r| r.routing_strategy.clone()),
        failover_enabled: row.map(|r| r.failover_enabled),
        problem: row.and_then(|r| r.to_config().err()),
    }
}

fn override_level(level: ConfigSource, list: Option<&Vec<String>>) -> LevelView {
    LevelView {
        level,
        venue_priority: list.cloned(),
        routing_strategy: None,
        failover_enabled: None,
        problem: list.and_then(|l| parse_priority(Some(l)).err()),
    }
}

fn show_report(set: &ConfigSet, target: &Target) -> ShowReport {
    // Without --agent, ask for an agent the set holds nothing for.
    let agent = target.agent.unwrap_or(Uuid::nil());
    let token = target.token.as_deref().unwrap_or("");
    let effective = set.effective(agent, token);
    let mut levels = Vec::new();
    if let Some(a) = target.agent {
        if let Some(t) = &target.token {
            levels.push(override_level(
                ConfigSource::AgentToken,
                set.agent_overrides.get(&(a, t.clone())),
            ));
        }
        levels.push(row_level(ConfigSource::Agent, set.agents.get(&a)));
    }
    if let Some(t) = &target.token {
        levels.push(override_level(
            ConfigSource::GlobalToken,
            set.global_overrides.get(t),
        ));
    }
    levels.push(row_level(ConfigSource::Global, set.global.as_ref()));
    ShowReport {
        agent_id: target.agent,
        token_symbol: target.token.clone(),
        source: effective.source,
        venue_priority: effective.config.venue_priority,
        routing_strategy: effective.config.routing_strategy,
        failover_enabled: effective.config.failover_enabled,
        notes: effective.notes,
        levels,
    }
}

async fn show(common: &CommonArgs, target: &Target, format: ConfigFormat) -> Result<Outcome> {
    let (_, client) = common.connect_checked().await?;
    let mut extra_note = None;
    if let Some(agent) = target.agent {
        let venue = require_agent(&client, agent).await?;
        if venue != Venue::Multi.as_str() {
            extra_note = Some(format!(
                "agent `{agent}` has venue `{venue}`: only MULTI agents' signals are routed"
            ));
        }
    }
    let agents: Vec<Uuid> = target.agent.into_iter().collect();
    let set = db::load_config_set(&client, &agents).await?;
    let mut report = show_report(&set, target);
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

fn describe_level(level: &LevelView) -> String {
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

#[derive(Debug, Serialize)]
struct ListEntry {
    level: ConfigSource,
    agent_id: Option<Uuid>,
    agent_name: Option<String>,
    token_symbol: Option<String>,
    venue_priority: Option<Vec<String>>,
    routing_strategy: Option<String>,
    failover_enabled: Option<bool>,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
    /// Why routing ignores this entry, if it does.
    problem: Option<String>,
}

async fn list(common: &CommonArgs, format: ConfigFormat) -> Result<Outcome> {
    let (_, client) = common.connect_checked().await?;
    let entries: Vec<ListEntry> = db::list_all(&client)
        .await?
        .into_iter()
        .map(|c| {
            let level = match (c.agent_id.is_some(), c.token_symbol.is_some()) {
                (true, true) => ConfigSource::AgentToken,
                (true, false) => ConfigSource::Agent,
                (false, true) => ConfigSource::GlobalToken,
                (false, false) => ConfigSource::Global,
            };
            let problem = match &c.routing_strategy {
                Some(strategy) => StoredConfig {
                    venue_priority: c.venue_priority.clone(),
                    routing_strategy: strategy.clone(),
                    failover_enabled: c.failover_enabled.unwrap_or(true),
                }
                .to_config()
                .err(),
                None => parse_priority(c.venue_priority.as_deref()).err(),
            };
            ListEntry {
                level,
                agent_id: c.agent_id,
                agent_name: c.agent_name,
                token_symbol: c.token_symbol,
                venue_priority: c.venue_priority,
                routing_strategy: c.routing_strategy,
                failover_enabled: c.failover_enabled,
                created_at: c.created_at,
                updated_at: c.updated_at,
                problem,
            }
        })
        .collect();
    if format == ConfigFormat::Json {
        output::print_json(&entries)?;
        return Ok(Outcome::Success);
    }
    let mut t = Table::new([
        "level",
        "agent",
        "token",
        "venue_priority",
        "strategy",
        "failover",
        "updated_at",
        "problem",
    ]);
    for e in &entries {
        t.row([
            e.level.to_string(),
            match (&e.agent_id, &e.agent_name) {
                (Some(id), Some(name)) => format!("{id} ({name})"),
                (Some(id), None) => id.to_string(),
                (None, _) => String::new(),
            },
            e.token_symbol.clone().unwrap_or_default(),
            e.venue_priority
                .as_ref()
                .map_or_else(|| "NULL".to_owned(), |l| l.join(",")),
            e.routing_strategy.clone().unwrap_or_default(),
            e.failover_enabled
                .map(|f| f.to_string())
                .unwrap_or_default(),
            e.updated_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            e.problem.clone().unwrap_or_default(),
        ]);
    }
    let mut text = t.render();
    if entries.is_empty() {
        text.push_str("(no stored config: the built-in default applies; run setup-agent-where)\n");
    }
    output::print_text(&text)?;
    Ok(Outcome::Success)
}

fn join_venues(venues: &[Venue]) -> String {
    venues
        .iter()
        .map(|v| v.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_token_normalises_and_validates() {
        for (raw, want) in [
            ("spx", Ok("SPX")),
            (" $btc ", Ok("BTC")),
            ("xyz:tsla", Ok("XYZ:TSLA")),
            ("usdc.e", Ok("USDC.E")),
            ("1000_pepe-x", Ok("1000_PEPE-X")),
            ("", Err("empty symbol")),
            ("$", Err("empty symbol")),
            ("BTC/USD", Err("character `/`")),
            ("bt c", Err("character ` `")),
            (&"A".repeat(33), Err("longer than 32")),
        ] {
            match (canonical_token(raw), want) {
                (Ok(got), Ok(w)) => assert_eq!(got, w, "{raw:?}"),
                (Err(e), Err(w)) => assert!(e.to_string().contains(w), "{raw:?}: {e}"),
                (got, w) => panic!("{raw:?}: got {got:?}, want {w:?}"),
            }
        }
        assert_eq!(canonical_token(&"A".repeat(32)).ok(), Some("A".repeat(32)));
    }

    #[test]
    fn priority_argument_rules() {
        assert_eq!(
            parse_priority_arg("hyperliquid, OSTIUM").ok(),
            Some(vec![Venue::Hyperliquid, Venue::Ostium])
        );
        assert_eq!(parse_priority_arg("OSTIUM").ok(), Some(vec![Venue::Ostium]));
        for (raw, want) in [
            ("", "--priority is empty"),
            (" ", "--priority is empty"),
            ("OSTIUM,,HYPERLIQUID", "empty entry"),
            ("OSTIUM,BINANCE", "unknown venue `BINANCE`"),
            ("MULTI", "`MULTI` cannot be in --priority"),
            ("GMX", "venue `GMX` in --priority is not supported"),
            ("OSTIUM,SPOT", "syncs only HYPERLIQUID and OSTIUM"),
            ("OSTIUM,ostium", "venue `ostium` appears more than once"),
        ] {
            let err = parse_priority_arg(raw).expect_err(raw).to_string();
            assert!(err.contains(want), "{raw:?}: {err}");
        }
    }

    #[test]
    fn strategy_and_failover_arguments() {
        assert_eq!(
            parse_strategy_arg("lowest_fees").ok(),
            Some(Strategy::LowestFees)
        );
        assert!(
            parse_strategy_arg("CHEAPEST")
                .expect_err("rejects")
                .to_string()
                .contains("`CHEAPEST`")
        );
        assert_eq!(parse_failover_arg("FALSE").ok(), Some(false));
        assert!(
            parse_failover_arg("maybe")
                .expect_err("rejects")
                .to_string()
                .contains("`maybe`")
        );
    }
}
