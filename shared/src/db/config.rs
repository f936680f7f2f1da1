//! Routing configuration in `venue_routing_config` (and per-token overrides).

use std::collections::HashMap;

use anyhow::{Result, anyhow, bail};
use tokio_postgres::{Client, GenericClient};
use uuid::Uuid;

use super::DbContext;
use super::typed::{self, Param};
use crate::config::parse_priority;
pub use crate::config::{ConfigSet, StoredConfig};
use crate::domain::{ConfigSource, Usd, Venue};

/// Creates the global config with the built-in default unless one exists.
/// Returns whether it created it; a changed global row is never overwritten.
pub async fn ensure_global_default<C: GenericClient>(client: &C) -> Result<bool> {
    let rows = typed::query(client, sql!("config/ensure_global.sql"), &[])
        .await
        .db_context("cannot create the global routing config")?;
    Ok(!rows.is_empty())
}

/// The global config row, if any.
pub async fn select_global<C: GenericClient>(client: &C) -> Result<Option<StoredConfig>> {
    let row = typed::query_opt(client, sql!("config/select_global.sql"), &[])
        .await
        .db_context("cannot read the global routing config")?;
    Ok(row.map(|r| StoredConfig {
        venue_priority: r.get(0),
        routing_strategy: r.get(1),
        failover_enabled: r.get(2),
        assumed_notional_usd: r
            .get::<_, Option<f64>>("assumed_notional_usd")
            .and_then(Usd::new),
        allow_venues_without_executor: r
            .get::<_, Option<bool>>("allow_venues_without_executor")
            .unwrap_or(false),
    }))
}

const READ: &str = "cannot read the routing configuration";

/// Loads what can apply to signals of `agent_ids`: the global row, every
/// global per-token override, and the rows and overrides of those agents.
/// Two statements, pipelined on the connection (one round trip of latency).
pub async fn load_config_set<C: GenericClient>(
    client: &C,
    agent_ids: &[Uuid],
) -> Result<ConfigSet> {
    let params: [&dyn Param; 1] = [&agent_ids];
    let (rows, overrides) = futures_util::try_join!(
        typed::query(client, sql!("config/load_rows.sql"), &params),
        typed::query(client, sql!("config/load_overrides.sql"), &params),
    )
    .db_context(READ)?;
    let mut set = ConfigSet {
        agents: HashMap::with_capacity(rows.len()),
        ..ConfigSet::default()
    };
    for r in rows {
        let agent: Option<Uuid> = r.try_get("agent_id").db_context(READ)?;
        let stored = StoredConfig {
            venue_priority: r.try_get("venue_priority").db_context(READ)?,
            routing_strategy: r.try_get("routing_strategy").db_context(READ)?,
            failover_enabled: r.try_get("failover_enabled").db_context(READ)?,
            assumed_notional_usd: r
                .try_get::<_, Option<f64>>("assumed_notional_usd")
                .db_context(READ)?
                .and_then(Usd::new),
            allow_venues_without_executor: r
                .try_get::<_, Option<bool>>("allow_venues_without_executor")
                .db_context(READ)?
                .unwrap_or(false),
        };
        match agent {
            // Oldest global row wins if a database holds several (setup refuses that).
            None => {
                if set.global.is_none() {
                    set.global = Some(stored);
                }
            }
            Some(id) => {
                set.agents.insert(id, stored);
            }
        }
    }
    for r in overrides {
        let agent: Option<Uuid> = r.try_get("agent_id").db_context(READ)?;
        let symbol: String = r.try_get("token_symbol").db_context(READ)?;
        let list: Vec<String> = r.try_get("venue_priority").db_context(READ)?;
        match agent {
            None => {
                set.global_overrides.insert(symbol, list);
            }
            Some(id) => {
                set.agent_overrides.insert((id, symbol), list);
            }
        }
    }
    Ok(set)
}

/// The venue (`venue_t` label) of an agent, `None` when it does not exist.
pub async fn agent_venue<C: GenericClient>(client: &C, agent_id: Uuid) -> Result<Option<String>> {
    Ok(
        typed::query_opt(client, sql!("config/agent_venue.sql"), &[&agent_id])
            .await
            .db_context("cannot read the agent")?
            .map(|r| r.get(0)),
    )
}

/// What `set` does with a row's assumed notional.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AssumedNotional {
    /// Keep the stored value (none for a new row).
    #[default]
    Keep,
    Set(Usd),
    Clear,
}

impl AssumedNotional {
    fn params(self) -> (Option<f64>, bool) {
        match self {
            AssumedNotional::Keep => (None, false),
            AssumedNotional::Set(v) => (Some(v.get()), false),
            AssumedNotional::Clear => (None, true),
        }
    }
}

/// What an upsert did and the values now stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upserted {
    pub venue_priority: Vec<String>,
    /// `None` for a per-token override (it has no strategy of its own).
    pub routing_strategy: Option<String>,
    pub failover_enabled: Option<bool>,
    /// `None` for an override, or a row without one.
    pub assumed_notional_usd: Option<Usd>,
    pub inserted: bool,
    /// Whether any value changed (always true when inserted).
    pub changed: bool,
}

/// Creates or updates a config row: the global one when `agent_id` is `None`.
/// `None` strategy / failover keep the stored values (defaults for a new row).
pub async fn upsert_row<C: GenericClient>(
    client: &C,
    agent_id: Option<Uuid>,
    venue_priority: &[String],
    strategy: Option<&str>,
    failover: Option<bool>,
    assumed: AssumedNotional,
    allow_venues_without_executor: Option<bool>,
) -> Result<Upserted> {
    let (assumed_value, clear) = assumed.params();
    // The agent's statement takes the agent id first, then the same values.
    let values: [&dyn Param; 6] = [
        &venue_priority,
        &strategy,
        &failover,
        &assumed_value,
        &clear,
        &allow_venues_without_executor,
    ];
    let row = match agent_id {
        None => typed::query_one(client, sql!("config/set_global.sql"), &values).await,
        Some(id) => {
            let params: Vec<&dyn Param> =
                std::iter::once(&id as &dyn Param).chain(values).collect();
            typed::query_one(client, sql!("config/set_agent.sql"), &params).await
        }
    }
    .db_context("cannot write the routing config")?;
    let what = "cannot read the written routing config";
    let venue_priority: Option<Vec<String>> = row.try_get("venue_priority").db_context(what)?;
    Ok(Upserted {
        venue_priority: venue_priority.unwrap_or_default(),
        routing_strategy: Some(row.try_get("routing_strategy").db_context(what)?),
        failover_enabled: Some(row.try_get("failover_enabled").db_context(what)?),
        assumed_notional_usd: row
            .try_get::<_, Option<f64>>("assumed_notional_usd")
            .db_context(what)?
            .and_then(Usd::new),
        inserted: row.try_get("inserted").db_context(what)?,
        changed: row.try_get("changed").db_context(what)?,
    })
}

/// Creates or updates a per-token override (global when `agent_id` is `None`).
pub async fn upsert_override<C: GenericClient>(
    client: &C,
    agent_id: Option<Uuid>,
    token_symbol: &str,
    venue_priority: &[String],
) -> Result<Upserted> {
    let row = match agent_id {
        None => {
            typed::query_one(
                client,
                sql!("config/set_global_override.sql"),
                &[&token_symbol, &venue_priority],
            )
            .await
        }
        Some(id) => {
            typed::query_one(
                client,
                sql!("config/set_agent_override.sql"),
                &[&id, &token_symbol, &venue_priority],
            )
            .await
        }
    }
    .db_context("cannot write the routing override")?;
    Ok(Upserted {
        venue_priority: row
            .try_get("venue_priority")
            .db_context("cannot read the written routing override")?,
        routing_strategy: None,
        failover_enabled: None,
        assumed_notional_usd: None,
        inserted: row
            .try_get("inserted")
            .db_context("cannot read the written routing override")?,
        changed: row
            .try_get("changed")
            .db_context("cannot read the written routing override")?,
    })
}

/// Removes an agent's config row; returns whether there was one.
pub async fn remove_agent_row<C: GenericClient>(client: &C, agent_id: Uuid) -> Result<bool> {
    Ok(
        !typed::query(client, sql!("config/remove_agent.sql"), &[&agent_id])
            .await
            .db_context("cannot remove the routing config")?
            .is_empty(),
    )
}

/// Removes a per-token override (global when `agent_id` is `None`); returns
/// whether there was one.
pub async fn remove_override<C: GenericClient>(
    client: &C,
    agent_id: Option<Uuid>,
    token_symbol: &str,
) -> Result<bool> {
    Ok(!typed::query(
        client,
        sql!("config/remove_override.sql"),
        &[&agent_id, &token_symbol],
    )
    .await
    .db_context("cannot remove the routing override")?
    .is_empty())
}

/// One stored row or override, as `routing-config list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedConfig {
    pub agent_id: Option<Uuid>,
    pub agent_name: Option<String>,
    /// `Some` for a per-token override.
    pub token_symbol: Option<String>,
    pub venue_priority: Option<Vec<String>>,
    /// `None` for overrides.
    pub routing_strategy: Option<String>,
    pub failover_enabled: Option<bool>,
    /// `None` for overrides and rows without one.
    pub assumed_notional_usd: Option<Usd>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// Every config row, then every override (global first, then by agent name).
pub async fn list_all<C: GenericClient>(client: &C) -> Result<Vec<ListedConfig>> {
    let (rows, overrides) = futures_util::try_join!(
        typed::query(client, sql!("config/list_rows.sql"), &[]),
        typed::query(client, sql!("config/list_overrides.sql"), &[]),
    )
    .db_context("cannot list the routing configuration")?;
    let mut all = Vec::with_capacity(rows.len() + overrides.len());
    let list = "cannot list the routing configuration";
    for r in rows {
        all.push(ListedConfig {
            agent_id: r.try_get("agent_id").db_context(list)?,
            agent_name: r.try_get("agent_name").db_context(list)?,
            token_symbol: None,
            venue_priority: r.try_get("venue_priority").db_context(list)?,
            routing_strategy: Some(r.try_get("routing_strategy").db_context(list)?),
            failover_enabled: Some(r.try_get("failover_enabled").db_context(list)?),
            assumed_notional_usd: r
                .try_get::<_, Option<f64>>("assumed_notional_usd")
                .db_context(list)?
                .and_then(Usd::new),
            created_at: r.try_get("created_at").db_context(list)?,
            updated_at: r.try_get("updated_at").db_context(list)?,
        });
    }
    for r in overrides {
        all.push(ListedConfig {
            agent_id: r.try_get("agent_id").db_context(list)?,
            agent_name: r.try_get("agent_name").db_context(list)?,
            token_symbol: Some(r.try_get("token_symbol").db_context(list)?),
            venue_priority: Some(r.try_get("venue_priority").db_context(list)?),
            routing_strategy: None,
            failover_enabled: None,
            assumed_notional_usd: None,
            created_at: r.try_get("created_at").db_context(list)?,
            updated_at: r.try_get("updated_at").db_context(list)?,
        });
    }
    Ok(all)
}

impl ListedConfig {
    /// The precedence level this entry is stored at.
    #[must_use]
    pub fn level(&self) -> ConfigSource {
        match (self.agent_id.is_some(), self.token_symbol.is_some()) {
            (true, true) => ConfigSource::AgentToken,
            (true, false) => ConfigSource::Agent,
            (false, true) => ConfigSource::GlobalToken,
            (false, false) => ConfigSource::Global,
        }
    }

    /// Why routing ignores this entry, if it does.
    #[must_use]
    pub fn problem(&self) -> Option<String> {
        match &self.routing_strategy {
            Some(strategy) => StoredConfig {
                venue_priority: self.venue_priority.clone(),
                routing_strategy: strategy.clone(),
                failover_enabled: self.failover_enabled.unwrap_or(true),
                assumed_notional_usd: self.assumed_notional_usd,
                allow_venues_without_executor: false,
            }
            .to_config()
            .err(),
            None => parse_priority(self.venue_priority.as_deref()).err(),
        }
    }
}

/// The agent's venue; fails unless the agent exists.
pub async fn require_agent<C: GenericClient>(client: &C, agent: Uuid) -> Result<String> {
    agent_venue(client, agent)
        .await?
        .ok_or_else(|| anyhow!("agent `{agent}` does not exist"))
}

/// What `routing-config set` writes: a config row (no `token`) or a
/// per-token override, of `agent` or global.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWrite<'a> {
    pub agent: Option<Uuid>,
    /// Canonical symbol of a per-token override.
    pub token: Option<&'a str>,
    pub venue_priority: &'a [String],
    /// `None`: keep the stored value (the default for a new row). Rows only.
    pub strategy: Option<&'a str>,
    /// `None`: keep the stored value (the default for a new row). Rows only.
    pub failover: Option<bool>,
    /// The assumed notional for relative sizes. Rows only.
    pub assumed_notional: AssumedNotional,
    /// The operator allows venues the host's executor does not run
    /// (`--allow-venues-without-executor`). Rows only.
    pub allow_venues_without_executor: bool,
}

/// Writes a config row or override in one transaction with the agent check:
/// the agent must exist and be a `MULTI` agent (no other agent is routed).
pub async fn write(client: &mut Client, w: &ConfigWrite<'_>) -> Result<Upserted> {
    let tx = client
        .transaction()
        .await
        .db_context("cannot start a transaction")?;
    if let Some(agent) = w.agent {
        let venue = require_agent(&tx, agent).await?;
        if venue != Venue::Multi.as_str() {
            bail!(
                "agent `{agent}` has venue `{venue}`: only MULTI agents are routed, so a routing config would never apply to it"
            );
        }
    }
    let done = match w.token {
        None => {
            upsert_row(
                &tx,
                w.agent,
                w.venue_priority,
                w.strategy,
                w.failover,
                w.assumed_notional,
                Some(w.allow_venues_without_executor),
            )
            .await?
        }
        Some(token) => upsert_override(&tx, w.agent, token, w.venue_priority).await?,
    };
    tx.commit().await.db_context("cannot commit")?;
    Ok(done)
}

/// Removes an agent's config row (no `token`) or a per-token override, in one
/// transaction with the agent check. Returns whether there was one.
pub async fn remove(client: &mut Client, agent: Option<Uuid>, token: Option<&str>) -> Result<bool> {
    let tx = client
        .transaction()
        .await
        .db_context("cannot start a transaction")?;
    if let Some(agent) = agent {
        require_agent(&tx, agent).await?;
    }
    let removed = match (agent, token) {
        (agent, Some(token)) => remove_override(&tx, agent, token).await?,
        (Some(agent), None) => remove_agent_row(&tx, agent).await?,
        (None, None) => bail!("nothing to remove"),
    };
    tx.commit().await.db_context("cannot commit")?;
    Ok(removed)
}
