//! Routing configuration as stored (`venue_routing_config` rows and
//! `venue_routing_overrides`) and the precedence that turns it into the
//! configuration one signal is routed by:
//!
//! agent+token override → agent row → global+token override → global row →
//! built-in default.
//!
//! An override supplies only the priority list; strategy and failover come
//! from the most specific usable *row*. A stored row or override that cannot
//! be used (NULL or empty priority, unknown venue, `MULTI`, unknown strategy —
//! all possible in a database the original system wrote) is skipped with a
//! note, and the next level applies. Pure: no I/O.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Serialize;
use uuid::Uuid;

use crate::domain::{ConfigSource, RoutingConfig, Strategy, Usd, Venue};

/// A stored config row as it is, before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredConfig {
    pub venue_priority: Option<Vec<String>>,
    pub routing_strategy: String,
    pub failover_enabled: bool,
    /// The notional assumed for signals sized relative to a balance.
    pub assumed_notional_usd: Option<Usd>,
    /// The operator allowed venues the host's executor does not run
    /// (`routing-config set --allow-venues-without-executor`).
    pub allow_venues_without_executor: bool,
}

impl StoredConfig {
    /// Interprets the row. `Err` holds the reason it cannot be used (NULL,
    /// empty or unknown venues, `MULTI`, unknown strategy); callers fall back
    /// on the next level of precedence and say why. Duplicated venues keep
    /// their first position.
    pub fn to_config(&self) -> Result<RoutingConfig, String> {
        let venue_priority = parse_priority(self.venue_priority.as_deref())?;
        let routing_strategy = parse_strategy(&self.routing_strategy)?;
        Ok(RoutingConfig {
            venue_priority,
            routing_strategy,
            failover_enabled: self.failover_enabled,
        })
    }
}

/// Interprets a stored priority list (`venue_priority text[]`). A venue
/// Agent Where does not sync (`SPOT`) is kept (routing reports it
/// unsupported); duplicates keep their first
/// position. `Err` holds the reason the list cannot be used.
pub fn parse_priority(list: Option<&[String]>) -> Result<Vec<Venue>, String> {
    let Some(list) = list else {
        return Err("venue_priority is NULL".to_owned());
    };
    if list.is_empty() {
        return Err("venue_priority is empty".to_owned());
    }
    let mut venues = Vec::with_capacity(list.len());
    for name in list {
        let venue = parse_venue(name)?;
        if !venues.contains(&venue) {
            venues.push(venue);
        }
    }
    Ok(venues)
}

fn parse_venue(name: &str) -> Result<Venue, String> {
    match Venue::ALL.into_iter().find(|v| v.as_str() == name) {
        Some(Venue::Multi) => Err("`MULTI` in venue_priority".to_owned()),
        Some(v) => Ok(v),
        None => Err(format!("unknown venue `{name}`")),
    }
}

fn parse_strategy(name: &str) -> Result<Strategy, String> {
    Strategy::ALL
        .into_iter()
        .find(|s| s.as_str() == name)
        .ok_or_else(|| format!("unknown routing_strategy `{name}`"))
}

/// Everything stored that can apply to a batch of signals: the global row,
/// the rows of the batch's agents, and the per-token overrides (keyed by
/// canonical symbol).
///
/// [`ConfigSet::effective`] interprets the stored values on each call; a
/// caller resolving many signals should call [`ConfigSet::prepare`] once and
/// use [`PreparedConfigSet::effective`], which only looks things up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigSet {
    pub global: Option<StoredConfig>,
    pub agents: HashMap<Uuid, StoredConfig>,
    pub global_overrides: HashMap<String, Vec<String>>,
    pub agent_overrides: HashMap<(Uuid, String), Vec<String>>,
}

/// The configuration a signal is routed by, where its priority list came
/// from, and why more specific stored levels were skipped, if any were.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EffectiveConfig {
    pub config: RoutingConfig,
    /// The level that supplied the priority list.
    pub source: ConfigSource,
    /// Human-readable notes on stored levels that were skipped
    /// (e.g. "agent config ignored: unknown venue `FOO`").
    pub notes: Vec<String>,
    /// The notional assumed for a relative size: the agent row's value, else
    /// the global row's (rows routing otherwise ignores included: the value
    /// is valid on its own), else none.
    pub assumed_notional_usd: Option<Usd>,
    /// Whether venues the host's executor does not run may be routed to:
    /// the agent row's allowance when it has a row, else the global row's.
    pub allow_venues_without_executor: bool,
}

impl ConfigSet {
    /// The effective configuration for a signal of `agent_id` on
    /// `canonical_symbol` (pass `""` for "no particular token").
    #[must_use]
    pub fn effective(&self, agent_id: Uuid, canonical_symbol: &str) -> EffectiveConfig {
        let assumed = self
            .agents
            .get(&agent_id)
            .and_then(|r| r.assumed_notional_usd)
            .or_else(|| self.global.as_ref().and_then(|g| g.assumed_notional_usd));
        let allow = self.agents.get(&agent_id).map_or_else(
            || {
                self.global
                    .as_ref()
                    .is_some_and(|g| g.allow_venues_without_executor)
            },
            |r| r.allow_venues_without_executor,
        );
        resolve(
            canonical_symbol,
            assumed,
            allow,
            || {
                if self.agent_overrides.is_empty() || canonical_symbol.is_empty() {
                    return None;
                }
                self.agent_overrides
                    .get(&(agent_id, canonical_symbol.to_owned()))
                    .map(|list| owned(parse_priority(Some(list))))
            },
            || self.agents.get(&agent_id).map(|row| owned(row.to_config())),
            || {
                self.global_overrides
                    .get(canonical_symbol)
                    .map(|list| owned(parse_priority(Some(list))))
            },
            || self.global.as_ref().map(|row| owned(row.to_config())),
        )
    }

    /// Interprets every stored row and override once, so that
    /// [`PreparedConfigSet::effective`] is lookups only.
    #[must_use]
    pub fn prepare(&self) -> PreparedConfigSet {
        let mut agents: HashMap<Uuid, PreparedAgent> = HashMap::with_capacity(self.agents.len());
        for (id, row) in &self.agents {
            let agent = agents.entry(*id).or_default();
            agent.row = Some(row.to_config());
            agent.assumed = row.assumed_notional_usd;
            agent.allow = Some(row.allow_venues_without_executor);
        }
        for ((id, symbol), list) in &self.agent_overrides {
            agents
                .entry(*id)
                .or_default()
                .overrides
                .insert(symbol.clone(), parse_priority(Some(list)));
        }
        PreparedConfigSet {
            global: self.global.as_ref().map(StoredConfig::to_config),
            global_assumed: self.global.as_ref().and_then(|g| g.assumed_notional_usd),
            global_allow: self
                .global
                .as_ref()
                .is_some_and(|g| g.allow_venues_without_executor),
            global_overrides: self
                .global_overrides
                .iter()
                .map(|(symbol, list)| (symbol.clone(), parse_priority(Some(list))))
                .collect(),
            agents,
        }
    }
}

/// One level of the precedence walk as stored, for `routing-config show`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigLevel {
    pub level: ConfigSource,
    /// `None`: nothing stored at this level.
    pub venue_priority: Option<Vec<String>>,
    /// `None` for an override (it holds only a priority list).
    pub routing_strategy: Option<String>,
    pub failover_enabled: Option<bool>,
    /// `None` for an override, and for a row without one.
    pub assumed_notional_usd: Option<Usd>,
    /// Why routing ignores the stored value, if it does.
    pub problem: Option<String>,
}

impl ConfigLevel {
    /// A stored row's level (`row` = `None`: nothing stored there).
    #[must_use]
    pub fn row(level: ConfigSource, row: Option<&StoredConfig>) -> ConfigLevel {
        ConfigLevel {
            level,
            venue_priority: row.map(|r| r.venue_priority.clone().unwrap_or_default()),
            routing_strategy: row.map(|r| r.routing_strategy.clone()),
            failover_enabled: row.map(|r| r.failover_enabled),
            assumed_notional_usd: row.and_then(|r| r.assumed_notional_usd),
            problem: row.and_then(|r| r.to_config().err()),
        }
    }

    /// A per-token override's level (`list` = `None`: no override).
    #[must_use]
    pub fn override_list(level: ConfigSource, list: Option<&Vec<String>>) -> ConfigLevel {
        ConfigLevel {
            level,
            venue_priority: list.cloned(),
            routing_strategy: None,
            failover_enabled: None,
            assumed_notional_usd: None,
            problem: list.and_then(|l| parse_priority(Some(l)).err()),
        }
    }
}

/// The effective configuration for an agent and/or token, and every level
/// of the walk that applies to them, most specific first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub effective: EffectiveConfig,
    pub levels: Vec<ConfigLevel>,
}

impl ConfigSet {
    /// Explains the configuration of signals of `agent` (none: an agent with
    /// no config of its own) on `canonical_symbol` (none: any token), with the
    /// same walk [`ConfigSet::effective`] takes.
    #[must_use]
    pub fn explain(&self, agent: Option<Uuid>, canonical_symbol: Option<&str>) -> Explanation {
        let effective =
            self.effective(agent.unwrap_or(Uuid::nil()), canonical_symbol.unwrap_or(""));
        let mut levels = Vec::new();
        if let Some(a) = agent {
            if let Some(t) = canonical_symbol {
                levels.push(ConfigLevel::override_list(
                    ConfigSource::AgentToken,
                    self.agent_overrides.get(&(a, t.to_owned())),
                ));
            }
            levels.push(ConfigLevel::row(ConfigSource::Agent, self.agents.get(&a)));
        }
        if let Some(t) = canonical_symbol {
            levels.push(ConfigLevel::override_list(
                ConfigSource::GlobalToken,
                self.global_overrides.get(t),
            ));
        }
        levels.push(ConfigLevel::row(ConfigSource::Global, self.global.as_ref()));
        Explanation { effective, levels }
    }
}

/// A [`ConfigSet`] with every stored value interpreted once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreparedConfigSet {
    global: Option<Result<RoutingConfig, String>>,
    global_assumed: Option<Usd>,
    global_allow: bool,
    global_overrides: HashMap<String, Result<Vec<Venue>, String>>,
    agents: HashMap<Uuid, PreparedAgent>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct PreparedAgent {
    row: Option<Result<RoutingConfig, String>>,
    assumed: Option<Usd>,
    /// `Some` when the agent has a row.
    allow: Option<bool>,
    overrides: HashMap<String, Result<Vec<Venue>, String>>,
}

impl PreparedConfigSet {
    /// Same result as [`ConfigSet::effective`] on the set this was prepared from.
    #[must_use]
    pub fn effective(&self, agent_id: Uuid, canonical_symbol: &str) -> EffectiveConfig {
        let agent = self.agents.get(&agent_id);
        resolve(
            canonical_symbol,
            agent.and_then(|a| a.assumed).or(self.global_assumed),
            agent.and_then(|a| a.allow).unwrap_or(self.global_allow),
            || {
                agent
                    .and_then(|a| a.overrides.get(canonical_symbol))
                    .map(borrowed_list)
            },
            || agent.and_then(|a| a.row.as_ref()).map(borrowed_row),
            || {
                self.global_overrides
                    .get(canonical_symbol)
                    .map(borrowed_list)
            },
            || self.global.as_ref().map(borrowed_row),
        )
    }
}

type ListLevel<'a> = Result<Cow<'a, [Venue]>, Cow<'a, str>>;
type RowLevel<'a> = Result<Cow<'a, RoutingConfig>, Cow<'a, str>>;

fn owned<'a, T, B>(r: Result<T, String>) -> Result<Cow<'a, B>, Cow<'a, str>>
where
    B: ToOwned<Owned = T> + ?Sized,
{
    r.map(Cow::Owned).map_err(Cow::Owned)
}

fn borrowed_list(r: &Result<Vec<Venue>, String>) -> ListLevel<'_> {
    match r {
        Ok(v) => Ok(Cow::Borrowed(v.as_slice())),
        Err(e) => Err(Cow::Borrowed(e.as_str())),
    }
}

fn borrowed_row(r: &Result<RoutingConfig, String>) -> RowLevel<'_> {
    match r {
        Ok(c) => Ok(Cow::Borrowed(c)),
        Err(e) => Err(Cow::Borrowed(e.as_str())),
    }
}

/// The precedence walk. Each level is produced lazily: levels that cannot
/// matter any more are never interpreted (nor noted).
fn resolve<'a>(
    symbol: &str,
    assumed_notional_usd: Option<Usd>,
    allow_venues_without_executor: bool,
    agent_token: impl FnOnce() -> Option<ListLevel<'a>>,
    agent_row: impl FnOnce() -> Option<RowLevel<'a>>,
    global_token: impl FnOnce() -> Option<ListLevel<'a>>,
    global_row: impl FnOnce() -> Option<RowLevel<'a>>,
) -> EffectiveConfig {
    let mut walk = Walk {
        symbol,
        priority: None,
        row: None,
        notes: Vec::new(),
    };
    walk.take_list(agent_token(), ConfigSource::AgentToken);
    walk.take_row(agent_row(), ConfigSource::Agent);
    if walk.priority.is_none() {
        walk.take_list(global_token(), ConfigSource::GlobalToken);
    }
    if walk.row.is_none() {
        walk.take_row(global_row(), ConfigSource::Global);
    }
    let (routing_strategy, failover_enabled) = walk.row.unwrap_or_else(|| {
        let d = RoutingConfig::builtin_default();
        (d.routing_strategy, d.failover_enabled)
    });
    let (venue_priority, source) = match walk.priority {
        Some((list, source)) => (list.into_owned(), source),
        None => (
            RoutingConfig::builtin_default().venue_priority,
            ConfigSource::Default,
        ),
    };
    EffectiveConfig {
        config: RoutingConfig {
            venue_priority,
            routing_strategy,
            failover_enabled,
        },
        source,
        notes: walk.notes,
        assumed_notional_usd,
        allow_venues_without_executor,
    }
}

struct Walk<'a, 's> {
    symbol: &'s str,
    priority: Option<(Cow<'a, [Venue]>, ConfigSource)>,
    row: Option<(Strategy, bool)>,
    notes: Vec<String>,
}

impl<'a> Walk<'a, '_> {
    fn take_list(&mut self, level: Option<ListLevel<'a>>, source: ConfigSource) {
        match level {
            None => {}
            Some(Ok(list)) => self.priority = Some((list, source)),
            Some(Err(reason)) => self.note(source, &reason),
        }
    }

    fn take_row(&mut self, level: Option<RowLevel<'a>>, source: ConfigSource) {
        match level {
            None => {}
            Some(Ok(config)) => {
                self.row = Some((config.routing_strategy, config.failover_enabled));
                if self.priority.is_none() {
                    let list = match config {
                        Cow::Borrowed(c) => Cow::Borrowed(c.venue_priority.as_slice()),
                        Cow::Owned(c) => Cow::Owned(c.venue_priority),
                    };
                    self.priority = Some((list, source));
                }
            }
            Some(Err(reason)) => self.note(source, &reason),
        }
    }

    fn note(&mut self, source: ConfigSource, reason: &str) {
        let what = match source {
            ConfigSource::AgentToken => format!("agent override for `{}`", self.symbol),
            ConfigSource::Agent => "agent config".to_owned(),
            ConfigSource::GlobalToken => format!("global override for `{}`", self.symbol),
            ConfigSource::Global => "global config".to_owned(),
            ConfigSource::Default => "default config".to_owned(),
        };
        self.notes.push(format!("{what} ignored: {reason}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConfigSource::{Agent, AgentToken, Default as Dflt, Global, GlobalToken};
    use Strategy::{BestLiquidity, FirstAvailable, LowestFees};
    use Venue::{Gmx, Hyperliquid as HL, Ostium as OS, Spot};

    const AGENT: Uuid = Uuid::from_u128(0xA);
    const OTHER: Uuid = Uuid::from_u128(0xB);

    fn row(list: Option<&[&str]>, strategy: &str, failover: bool) -> StoredConfig {
        StoredConfig {
            venue_priority: list.map(|l| l.iter().map(|s| (*s).to_owned()).collect()),
            routing_strategy: strategy.to_owned(),
            failover_enabled: failover,
            assumed_notional_usd: None,
            allow_venues_without_executor: false,
        }
    }

    fn list(l: &[&str]) -> Vec<String> {
        l.iter().map(|s| (*s).to_owned()).collect()
    }

    /// A set with every level populated (and valid): agent+SPX override,
    /// agent row, global+SPX and global+ETH overrides, global row.
    fn full() -> ConfigSet {
        let mut set = ConfigSet {
            global: Some(row(Some(&["HYPERLIQUID", "OSTIUM"]), "LOWEST_FEES", true)),
            ..ConfigSet::default()
        };
        set.agents.insert(
            AGENT,
            row(Some(&["OSTIUM", "HYPERLIQUID"]), "BEST_LIQUIDITY", false),
        );
        set.agent_overrides
            .insert((AGENT, "SPX".to_owned()), list(&["OSTIUM"]));
        set.global_overrides
            .insert("SPX".to_owned(), list(&["HYPERLIQUID"]));
        set.global_overrides
            .insert("ETH".to_owned(), list(&["OSTIUM", "GMX"]));
        set
    }

    struct Case {
        name: &'static str,
        set: ConfigSet,
        agent: Uuid,
        symbol: &'static str,
        priority: Vec<Venue>,
        strategy: Strategy,
        failover: bool,
        source: ConfigSource,
        notes: Vec<&'static str>,
    }

    fn cases() -> Vec<Case> {
        let mut v = Vec::new();
        let mut c = |name, set, agent, symbol, priority, strategy, failover, source, notes| {
            v.push(Case {
                name,
                set,
                agent,
                symbol,
                priority,
                strategy,
                failover,
                source,
                notes,
            });
        };
        // --- each precedence level wins when present and valid
        c(
            "agent+token override beats everything; strategy from agent row",
            full(),
            AGENT,
            "SPX",
            vec![OS],
            BestLiquidity,
            false,
            AgentToken,
            vec![],
        );
        c(
            "agent row beats global+token override",
            full(),
            AGENT,
            "ETH",
            vec![OS, HL],
            BestLiquidity,
            false,
            Agent,
            vec![],
        );
        c(
            "agent row for a token without any override",
            full(),
            AGENT,
            "BTC",
            vec![OS, HL],
            BestLiquidity,
            false,
            Agent,
            vec![],
        );
        c(
            "global+token override for an agent without a row; strategy from global row",
            full(),
            OTHER,
            "SPX",
            vec![HL],
            LowestFees,
            true,
            GlobalToken,
            vec![],
        );
        c(
            "global override keeps GMX (the router marks it unavailable)",
            full(),
            OTHER,
            "ETH",
            vec![OS, Gmx],
            LowestFees,
            true,
            GlobalToken,
            vec![],
        );
        c(
            "global row when nothing more specific exists",
            full(),
            OTHER,
            "BTC",
            vec![HL, OS],
            LowestFees,
            true,
            Global,
            vec![],
        );
        c(
            "no token: overrides never apply",
            full(),
            AGENT,
            "",
            vec![OS, HL],
            BestLiquidity,
            false,
            Agent,
            vec![],
        );
        c(
            "empty set: built-in default",
            ConfigSet::default(),
            AGENT,
            "BTC",
            vec![HL, OS],
            FirstAvailable,
            true,
            Dflt,
            vec![],
        );
        c(
            "override of another agent does not apply",
            {
                let mut s = ConfigSet::default();
                s.agent_overrides
                    .insert((OTHER, "SPX".into()), list(&["OSTIUM"]));
                s
            },
            AGENT,
            "SPX",
            vec![HL, OS],
            FirstAvailable,
            true,
            Dflt,
            vec![],
        );
        c(
            "agent+token override without any row: default strategy and failover",
            {
                let mut s = ConfigSet::default();
                s.agent_overrides
                    .insert((AGENT, "SPX".into()), list(&["OSTIUM"]));
                s
            },
            AGENT,
            "SPX",
            vec![OS],
            FirstAvailable,
            true,
            AgentToken,
            vec![],
        );
        c(
            "global+token override without a global row: default strategy",
            {
                let mut s = ConfigSet::default();
                s.global_overrides
                    .insert("SPX".into(), list(&["OSTIUM", "HYPERLIQUID"]));
                s
            },
            AGENT,
            "SPX",
            vec![OS, HL],
            FirstAvailable,
            true,
            GlobalToken,
            vec![],
        );
        c(
            "agent+token override with only a global row: strategy from global row",
            {
                let mut s = full();
                s.agents.clear();
                s
            },
            AGENT,
            "SPX",
            vec![OS],
            LowestFees,
            true,
            AgentToken,
            vec![],
        );
        c(
            "symbol match is exact (canonical symbols only)",
            full(),
            OTHER,
            "spx",
            vec![HL, OS],
            LowestFees,
            true,
            Global,
            vec![],
        );
        // --- unusable stored values fall through, with a note
        c(
            "agent override NULL-free but empty list falls to agent row",
            {
                let mut s = full();
                s.agent_overrides.insert((AGENT, "SPX".into()), vec![]);
                s
            },
            AGENT,
            "SPX",
            vec![OS, HL],
            BestLiquidity,
            false,
            Agent,
            vec!["agent override for `SPX` ignored: venue_priority is empty"],
        );
        c(
            "agent override with MULTI falls to agent row",
            {
                let mut s = full();
                s.agent_overrides
                    .insert((AGENT, "SPX".into()), list(&["MULTI", "OSTIUM"]));
                s
            },
            AGENT,
            "SPX",
            vec![OS, HL],
            BestLiquidity,
            false,
            Agent,
            vec!["agent override for `SPX` ignored: `MULTI` in venue_priority"],
        );
        c(
            "agent row with unknown venue: global+token override and global row",
            {
                let mut s = full();
                s.agents.insert(
                    AGENT,
                    row(Some(&["HYPERLIQUID", "FOO"]), "FIRST_AVAILABLE", true),
                );
                s
            },
            AGENT,
            "SPX",
            vec![OS],
            LowestFees,
            true,
            AgentToken,
            vec!["agent config ignored: unknown venue `FOO`"],
        );
        c(
            "agent row with unknown venue, no agent override: global+token override",
            {
                let mut s = full();
                s.agents
                    .insert(AGENT, row(Some(&["FOO"]), "FIRST_AVAILABLE", true));
                s.agent_overrides.clear();
                s
            },
            AGENT,
            "SPX",
            vec![HL],
            LowestFees,
            true,
            GlobalToken,
            vec!["agent config ignored: unknown venue `FOO`"],
        );
        c(
            "agent row with NULL priority falls to the global row",
            {
                let mut s = full();
                s.agents.insert(AGENT, row(None, "FIRST_AVAILABLE", true));
                s
            },
            AGENT,
            "BTC",
            vec![HL, OS],
            LowestFees,
            true,
            Global,
            vec!["agent config ignored: venue_priority is NULL"],
        );
        c(
            "agent row with empty priority falls to the global row",
            {
                let mut s = full();
                s.agents
                    .insert(AGENT, row(Some(&[]), "FIRST_AVAILABLE", true));
                s
            },
            AGENT,
            "BTC",
            vec![HL, OS],
            LowestFees,
            true,
            Global,
            vec!["agent config ignored: venue_priority is empty"],
        );
        c(
            "agent row with unknown strategy falls to the global row",
            {
                let mut s = full();
                s.agents
                    .insert(AGENT, row(Some(&["OSTIUM"]), "CHEAPEST", true));
                s
            },
            AGENT,
            "BTC",
            vec![HL, OS],
            LowestFees,
            true,
            Global,
            vec!["agent config ignored: unknown routing_strategy `CHEAPEST`"],
        );
        c(
            "agent row with MULTI falls to the global row",
            {
                let mut s = full();
                s.agents
                    .insert(AGENT, row(Some(&["MULTI"]), "FIRST_AVAILABLE", true));
                s
            },
            AGENT,
            "BTC",
            vec![HL, OS],
            LowestFees,
            true,
            Global,
            vec!["agent config ignored: `MULTI` in venue_priority"],
        );
        c(
            "broken global override falls to the global row",
            {
                let mut s = full();
                s.global_overrides.insert("SPX".into(), list(&["BINANCE"]));
                s
            },
            OTHER,
            "SPX",
            vec![HL, OS],
            LowestFees,
            true,
            Global,
            vec!["global override for `SPX` ignored: unknown venue `BINANCE`"],
        );
        c(
            "broken global row falls to the default",
            ConfigSet {
                global: Some(row(Some(&["OSTIUM"]), "ROUND_ROBIN", true)),
                ..ConfigSet::default()
            },
            AGENT,
            "BTC",
            vec![HL, OS],
            FirstAvailable,
            true,
            Dflt,
            vec!["global config ignored: unknown routing_strategy `ROUND_ROBIN`"],
        );
        c(
            "global override with broken global row: priority from override, strategy default",
            {
                let mut s = full();
                s.agents.clear();
                s.agent_overrides.clear();
                s.global = Some(row(None, "FIRST_AVAILABLE", false));
                s
            },
            AGENT,
            "SPX",
            vec![HL],
            FirstAvailable,
            true,
            GlobalToken,
            vec!["global config ignored: venue_priority is NULL"],
        );
        c(
            "every level broken: default, four notes in precedence order",
            {
                let mut s = ConfigSet {
                    global: Some(row(Some(&[]), "FIRST_AVAILABLE", true)),
                    ..ConfigSet::default()
                };
                s.agents
                    .insert(AGENT, row(Some(&["X"]), "FIRST_AVAILABLE", true));
                s.agent_overrides.insert((AGENT, "SPX".into()), vec![]);
                s.global_overrides.insert("SPX".into(), list(&["MULTI"]));
                s
            },
            AGENT,
            "SPX",
            vec![HL, OS],
            FirstAvailable,
            true,
            Dflt,
            vec![
                "agent override for `SPX` ignored: venue_priority is empty",
                "agent config ignored: unknown venue `X`",
                "global override for `SPX` ignored: `MULTI` in venue_priority",
                "global config ignored: venue_priority is empty",
            ],
        );
        c(
            "broken global row not noted when the agent row applies",
            {
                let mut s = full();
                s.global = Some(row(None, "FIRST_AVAILABLE", true));
                s
            },
            AGENT,
            "BTC",
            vec![OS, HL],
            BestLiquidity,
            false,
            Agent,
            vec![],
        );
        // --- list interpretation
        c(
            "duplicates keep their first position",
            ConfigSet {
                global: Some(row(
                    Some(&["OSTIUM", "HYPERLIQUID", "OSTIUM", "SPOT", "HYPERLIQUID"]),
                    "FIRST_AVAILABLE",
                    true,
                )),
                ..ConfigSet::default()
            },
            AGENT,
            "BTC",
            vec![OS, HL, Spot],
            FirstAvailable,
            true,
            Global,
            vec![],
        );
        c(
            "lower-case venue names are not venue_t values",
            ConfigSet {
                global: Some(row(Some(&["hyperliquid"]), "FIRST_AVAILABLE", true)),
                ..ConfigSet::default()
            },
            AGENT,
            "BTC",
            vec![HL, OS],
            FirstAvailable,
            true,
            Dflt,
            vec!["global config ignored: unknown venue `hyperliquid`"],
        );
        v
    }

    #[test]
    fn precedence_table() {
        for case in cases() {
            let prepared = case.set.prepare();
            for (how, got) in [
                ("direct", case.set.effective(case.agent, case.symbol)),
                ("prepared", prepared.effective(case.agent, case.symbol)),
            ] {
                let want = EffectiveConfig {
                    config: RoutingConfig {
                        venue_priority: case.priority.clone(),
                        routing_strategy: case.strategy,
                        failover_enabled: case.failover,
                    },
                    source: case.source,
                    notes: case.notes.iter().map(|s| (*s).to_owned()).collect(),
                    assumed_notional_usd: None,
                    allow_venues_without_executor: false,
                };
                assert_eq!(got, want, "{} ({how})", case.name);
            }
        }
    }

    #[test]
    fn stored_config_to_config_reports_the_reason() {
        assert_eq!(
            row(Some(&["OSTIUM", "OSTIUM"]), "LOWEST_FEES", false).to_config(),
            Ok(RoutingConfig {
                venue_priority: vec![OS],
                routing_strategy: LowestFees,
                failover_enabled: false,
            })
        );
        assert_eq!(
            row(Some(&["OSTIUM", "FOO"]), "LOWEST_FEES", false).to_config(),
            Err("unknown venue `FOO`".to_owned())
        );
    }

    /// The prepared set resolves many agents by lookups and agrees with the
    /// stored rows (speed is measured by the routing benchmark, not here).
    #[test]
    fn prepared_effective_resolves_many_agents() {
        let mut set = full();
        for i in 0..1000_u128 {
            set.agents.insert(
                Uuid::from_u128(0x1000 + i),
                row(Some(&["OSTIUM", "HYPERLIQUID"]), "FIRST_AVAILABLE", true),
            );
        }
        let prepared = set.prepare();
        for i in 0..2000_u128 {
            let agent = Uuid::from_u128(0x1000 + i % 1000);
            let e = prepared.effective(agent, "BTC");
            assert_eq!(e.source, Agent);
            assert_eq!(
                e.config.venue_priority,
                vec![Venue::Ostium, Venue::Hyperliquid]
            );
            assert_eq!(e, set.effective(agent, "BTC"));
        }
    }
}
