//! `routing-config`: show, set, list and remove the routing configuration
//! (the original's `/api/venue-routing/config`, as a CLI), including per-token
//! overrides. One module per subcommand; this one holds the flags, the input
//! checks they share and the dispatch. Every input is validated before
//! anything is written; agent checks and the write share one transaction
//! (`agent_where::db::config::write` / `remove`).

mod list;
mod remove;
mod set;
mod show;

use std::str::FromStr;

use agent_where::domain::{ConfigSource, Strategy, Venue};
use agent_where::venues::registry;
use anyhow::{Result, anyhow, bail};
use clap::{Subcommand, ValueEnum};
use uuid::Uuid;

use crate::cli::{CommonArgs, Outcome};

pub use set::SetArgs;

/// Show, set, list and remove the venue routing configuration: the global config, per-agent
/// configs and per-token overrides. Precedence for a signal: agent+token override, agent config,
/// global+token override, global config, built-in default (HYPERLIQUID,OSTIUM / FIRST_AVAILABLE /
/// failover on). Invalid input is rejected (exit 2) and nothing is written.
#[derive(Debug, clap::Parser)]
#[command(name = "routing-config", version, after_help = AFTER_HELP)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
    /// Output format: table or json.
    #[arg(long, value_enum, default_value_t = ConfigFormat::Table, global = true)]
    pub format: ConfigFormat,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// The examples and exit codes of `routing-config --help`.
pub const AFTER_HELP: &str = concat!(
    "Examples:
  routing-config show --agent 6f1c0c1e-8d2a-4c57-9a53-0b1d8e2f4a10 --token SPX
  routing-config show --token BTC --explain
  routing-config set --priority OSTIUM,HYPERLIQUID --strategy LOWEST_COST --assumed-notional 25000
  routing-config set --priority OSTIUM,HYPERLIQUID --strategy LOWEST_FEES --failover true
  routing-config set --token SPX --priority OSTIUM
  routing-config remove --agent 6f1c0c1e-8d2a-4c57-9a53-0b1d8e2f4a10 --token SPX
  routing-config list --format json

Venues: those Agent Where syncs (`sync-<venue>-markets`); one never synced is unavailable. Token symbols are stored
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
    /// agent_token, agent, global_token, global or default. With --explain and --token:
    /// what a LONG and a SHORT on the token would cost on each venue.
    Show(ShowArgs),
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
#[derive(Debug, Clone, clap::Args)]
pub struct Selector {
    /// Agent id (UUID). Default: none (the global level).
    #[arg(long, value_name = "UUID")]
    pub agent: Option<String>,
    /// Token symbol of a per-token override (stored canonical: upper-case, `$` stripped).
    /// Default: none (no override).
    #[arg(long, value_name = "SYMBOL")]
    pub token: Option<String>,
}

/// Flags of `show`.
#[derive(Debug, Clone, clap::Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub selector: Selector,
    /// With --token: per venue of the priority list, the fee rule and what a LONG and a
    /// SHORT of the assumed notional would cost (open and close fee, half spread, price
    /// impact, total, in bps; top of book without an assumed notional), from the synced
    /// markets, and the capacity left on each side. Default: off.
    #[arg(long, requires = "token")]
    pub explain: bool,
}

/// The checked target of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    agent: Option<Uuid>,
    token: Option<String>,
}

impl Target {
    pub(crate) fn level(&self) -> ConfigSource {
        match (self.agent.is_some(), self.token.is_some()) {
            (true, true) => ConfigSource::AgentToken,
            (true, false) => ConfigSource::Agent,
            (false, true) => ConfigSource::GlobalToken,
            (false, false) => ConfigSource::Global,
        }
    }

    pub(crate) fn describe(&self) -> String {
        match (&self.agent, &self.token) {
            (Some(a), Some(t)) => format!("override for `{t}` of agent `{a}`"),
            (Some(a), None) => format!("config of agent `{a}`"),
            (None, Some(t)) => format!("global override for `{t}`"),
            (None, None) => "global config".to_owned(),
        }
    }
}

pub(crate) fn parse_selector(s: &Selector) -> Result<Target> {
    let agent = s.agent.as_deref().map(parse_agent).transpose()?;
    let token = s.token.as_deref().map(canonical_token).transpose()?;
    Ok(Target { agent, token })
}

fn parse_agent(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw.trim()).map_err(|_| anyhow!("invalid --agent `{raw}`: not a UUID"))
}

/// The canonical symbol an override is stored under: the same
/// normalisation signals go through (`$btc` → `BTC`, `GOLD` → `XAU`).
pub fn canonical_token(raw: &str) -> Result<String> {
    agent_where::symbols::canonical_symbol(raw)
        .map_err(|e| anyhow::anyhow!("invalid --token `{raw}`: {e}"))
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
        let venue = Venue::from_str(name).map_err(|_| {
            anyhow!(
                "unknown venue `{name}` in --priority (expected {})",
                registry::synced_labels("or")
            )
        })?;
        if !venue.is_routable() {
            bail!("`{name}` cannot be in --priority: MULTI is what routing resolves, not a venue");
        }
        if venue.info().is_none() {
            bail!(
                "venue `{name}` in --priority is not supported: Agent Where syncs only {} markets, so it would never be available",
                registry::synced_labels("and")
            );
        }
        if venues.contains(&venue) {
            bail!("venue `{name}` appears more than once in --priority `{raw}`");
        }
        venues.push(venue);
    }
    Ok(venues)
}

pub(crate) fn parse_strategy_arg(raw: &str) -> Result<Strategy> {
    Strategy::from_str(&raw.trim().to_ascii_uppercase()).map_err(|_| {
        anyhow!(
            "unknown --strategy `{raw}` (expected FIRST_AVAILABLE, BEST_LIQUIDITY, LOWEST_FEES or LOWEST_COST)"
        )
    })
}

pub(crate) fn parse_failover_arg(raw: &str) -> Result<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => bail!("invalid --failover `{raw}` (expected true or false)"),
    }
}

/// Runs `routing-config` with its flags.
pub async fn run(args: &Args) -> Result<Outcome> {
    run_with(&args.common, &args.command, args.format).await
}

/// Runs a `routing-config` command.
pub async fn run_with(
    common: &CommonArgs,
    command: &Command,
    format: ConfigFormat,
) -> Result<Outcome> {
    match command {
        Command::Show(args) => {
            show::run(
                common,
                &parse_selector(&args.selector)?,
                args.explain,
                format,
            )
            .await
        }
        Command::Set(args) => set::run(common, &set::validate(args)?, format).await,
        Command::List => list::run(common, format).await,
        Command::Remove(selector) => {
            let target = parse_selector(selector)?;
            if target.agent.is_none() && target.token.is_none() {
                bail!(
                    "the global config cannot be removed (setup-agent-where would recreate it): change it with `routing-config set --priority …`, or remove an agent's config with --agent / an override with --token"
                );
            }
            remove::run(common, &target, format).await
        }
    }
}

pub(crate) fn join_venues(venues: &[Venue]) -> String {
    venues
        .iter()
        .map(|v| v.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub(crate) fn on_off(b: bool) -> &'static str {
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
            ("xyz:tsla", Ok("TSLA")),
            ("BTC/USD", Ok("BTC")),
            ("gold", Ok("XAU")),
            ("usdjpy", Ok("USDJPY")),
            ("", Err("empty token symbol")),
            ("$", Err("empty token symbol")),
            ("bt c", Err("invalid character")),
            (&"A".repeat(65), Err("65 bytes")),
        ] {
            match (canonical_token(raw), want) {
                (Ok(got), Ok(w)) => assert_eq!(got, w, "{raw:?}"),
                (Err(e), Err(w)) => assert!(e.to_string().contains(w), "{raw:?}: {e}"),
                (got, w) => panic!("{raw:?}: got {got:?}, want {w:?}"),
            }
        }
        assert_eq!(canonical_token(&"A".repeat(64)).ok(), Some("A".repeat(64)));
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
            ("SPOT", "venue `SPOT` in --priority is not supported"),
            ("OSTIUM,SPOT", "syncs only"),
            ("OSTIUM,ostium", "venue `ostium` appears more than once"),
        ] {
            let err = parse_priority_arg(raw).expect_err(raw).to_string();
            assert!(err.contains(want), "{raw:?}: {err}");
        }
        // The message lists the venues of the registry.
        let err = parse_priority_arg("OSTIUM,SPOT")
            .expect_err("SPOT")
            .to_string();
        let listed = format!("syncs only {} markets", registry::synced_labels("and"));
        assert!(err.contains(&listed), "{err}");
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
