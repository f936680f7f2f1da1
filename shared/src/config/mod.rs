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

/// A stored venue name: `Venue`'s parser, and only its `venue_t` spelling
/// (the database enum is case-sensitive, so `hyperliquid` is no venue there).
fn parse_venue(name: &str) -> Result<Venue, String> {
    match name.parse::<Venue>().ok().filter(|v| v.as_str() == name) {
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
    /// `canonical_symbol` (pass `""` for "no particular token"): the one walk
    /// of [`PreparedConfigSet::effective`], on this set prepared.
    #[must_use]
    pub fn effective(&self, agent_id: Uuid, canonical_symbol: &str) -> EffectiveConfig {
        self.prepare().effective(agent_id, canonical_symbol)
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
    /// The precedence walk: the configuration a signal of `agent_id` on
    /// `canonical_symbol` is routed by. A level is only looked at while it
    /// can still matter (so only those are noted when unusable).
    #[must_use]
    pub fn effective(&self, agent_id: Uuid, canonical_symbol: &str) -> EffectiveConfig {
        let agent = self.agents.get(&agent_id);
        let mut walk = Walk {
            symbol: canonical_symbol,
            priority: None,
            row: None,
            notes: Vec::new(),
        };
        walk.take_list(
            agent.and_then(|a| a.overrides.get(canonical_symbol)),
            ConfigSource::AgentToken,
        );
        walk.take_row(agent.and_then(|a| a.row.as_ref()), ConfigSource::Agent);
        if walk.priority.is_none() {
            walk.take_list(
                self.global_overrides.get(canonical_symbol),
                ConfigSource::GlobalToken,
            );
        }
        if walk.row.is_none() {
            walk.take_row(self.global.as_ref(), ConfigSource::Global);
        }
        let (routing_strategy, failover_enabled) = walk.row.unwrap_or_else(|| {
            let d = RoutingConfig::builtin_default();
            (d.routing_strategy, d.failover_enabled)
        });
        let (venue_priority, source) = match walk.priority {
            Some((list, source)) => (list.to_vec(), source),
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
            assumed_notional_usd: agent.and_then(|a| a.assumed).or(self.global_assumed),
            allow_venues_without_executor: agent.and_then(|a| a.allow).unwrap_or(self.global_allow),
        }
    }
}

struct Walk<'a> {
    symbol: &'a str,
    priority: Option<(&'a [Venue], ConfigSource)>,
    row: Option<(Strategy, bool)>,
    notes: Vec<String>,
}

impl<'a> Walk<'a> {
    fn take_list(&mut self, level: Option<&'a Result<Vec<Venue>, String>>, source: ConfigSource) {
        match level {
            None => {}
            Some(Ok(list)) => self.priority = Some((list, source)),
            Some(Err(reason)) => self.note(source, reason),
        }
    }

    fn take_row(&mut self, level: Option<&'a Result<RoutingConfig, String>>, source: ConfigSource) {
        match level {
            None => {}
            Some(Ok(config)) => {
                self.row = Some((config.routing_strategy, config.failover_enabled));
                if self.priority.is_none() {
                    self.priority = Some((&config.venue_priority, source));
                }
            }
            Some(Err(reason)) => self.note(source, reason),
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
mod tests;
