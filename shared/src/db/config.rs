//! Routing configuration in `venue_routing_config` (and per-token overrides).

use std::collections::HashMap;

use anyhow::Result;
use tokio_postgres::GenericClient;
use uuid::Uuid;

use super::connect::describe_pg_error;
pub use crate::config::{ConfigSet, StoredConfig};

/// Creates the global config with the built-in default unless one exists.
/// Returns whether it created it; a changed global row is never overwritten.
pub async fn ensure_global_default<C: GenericClient>(client: &C) -> Result<bool> {
    let rows = client
        .query(include_str!("../../../sql/config/ensure_global.sql"), &[])
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot create the global routing config: {}",
                describe_pg_error(&e)
            )
        })?;
    Ok(!rows.is_empty())
}

/// The global config row, if any.
pub async fn select_global<C: GenericClient>(client: &C) -> Result<Option<StoredConfig>> {
    let row = client
        .query_opt(include_str!("../../../sql/config/select_global.sql"), &[])
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot read the global routing config: {}",
                describe_pg_error(&e)
            )
        })?;
    Ok(row.map(|r| StoredConfig {
        venue_priority: r.get(0),
        routing_strategy: r.get(1),
        failover_enabled: r.get(2),
    }))
}

/// Loads what can apply to signals of `agent_ids`: the global row, every
/// global per-token override, and the rows and overrides of those agents.
/// Two statements, pipelined on the connection (one round trip of latency).
pub async fn load_config_set<C: GenericClient>(
    client: &C,
    agent_ids: &[Uuid],
) -> Result<ConfigSet> {
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&agent_ids];
    let (rows, overrides) = futures_util::try_join!(
        client.query(include_str!("../../../sql/config/load_rows.sql"), &params),
        client.query(
            include_str!("../../../sql/config/load_overrides.sql"),
            &params
        ),
    )
    .map_err(|e| {
        anyhow::anyhow!(
            "cannot read the routing configuration: {}",
            describe_pg_error(&e)
        )
    })?;
    let mut set = ConfigSet {
        agents: HashMap::with_capacity(rows.len()),
        ..ConfigSet::default()
    };
    for r in rows {
        let agent: Option<Uuid> = r.get(0);
        let stored = StoredConfig {
            venue_priority: r.get(1),
            routing_strategy: r.get(2),
            failover_enabled: r.get(3),
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
        let agent: Option<Uuid> = r.get(0);
        let symbol: String = r.get(1);
        let list: Vec<String> = r.get(2);
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

fn db_error(what: &str) -> impl FnOnce(tokio_postgres::Error) -> anyhow::Error + '_ {
    move |e| anyhow::anyhow!("{what}: {}", describe_pg_error(&e))
}

/// The venue (`venue_t` label) of an agent, `None` when it does not exist.
pub async fn agent_venue<C: GenericClient>(client: &C, agent_id: Uuid) -> Result<Option<String>> {
    Ok(client
        .query_opt(
            include_str!("../../../sql/config/agent_venue.sql"),
            &[&agent_id],
        )
        .await
        .map_err(db_error("cannot read the agent"))?
        .map(|r| r.get(0)))
}

/// What an upsert did and the values now stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upserted {
    pub venue_priority: Vec<String>,
    /// `None` for a per-token override (it has no strategy of its own).
    pub routing_strategy: Option<String>,
    pub failover_enabled: Option<bool>,
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
) -> Result<Upserted> {
    let row = match agent_id {
        None => {
            client
                .query_one(
                    include_str!("../../../sql/config/set_global.sql"),
                    &[&venue_priority, &strategy, &failover],
                )
                .await
        }
        Some(id) => {
            client
                .query_one(
                    include_str!("../../../sql/config/set_agent.sql"),
                    &[&id, &venue_priority, &strategy, &failover],
                )
                .await
        }
    }
    .map_err(db_error("cannot write the routing config"))?;
    let venue_priority: Option<Vec<String>> = row.get(0);
    Ok(Upserted {
        venue_priority: venue_priority.unwrap_or_default(),
        routing_strategy: Some(row.get(1)),
        failover_enabled: Some(row.get(2)),
        inserted: row.get(3),
        changed: row.get(4),
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
            client
                .query_one(
                    include_str!("../../../sql/config/set_global_override.sql"),
                    &[&token_symbol, &venue_priority],
                )
                .await
        }
        Some(id) => {
            client
                .query_one(
                    include_str!("../../../sql/config/set_agent_override.sql"),
                    &[&id, &token_symbol, &venue_priority],
                )
                .await
        }
    }
    .map_err(db_error("cannot write the routing override"))?;
    Ok(Upserted {
        venue_priority: row.get(0),
        routing_strategy: None,
        failover_enabled: None,
        inserted: row.get(1),
        changed: row.get(2),
    })
}

/// Removes an agent's config row; returns whether there was one.
pub async fn remove_agent_row<C: GenericClient>(client: &C, agent_id: Uuid) -> Result<bool> {
    Ok(!client
        .query(
            include_str!("../../../sql/config/remove_agent.sql"),
            &[&agent_id],
        )
        .await
        .map_err(db_error("cannot remove the routing config"))?
        .is_empty())
}

/// Removes a per-token override (global when `agent_id` is `None`); returns
/// whether there was one.
pub async fn remove_override<C: GenericClient>(
    client: &C,
    agent_id: Option<Uuid>,
    token_symbol: &str,
) -> Result<bool> {
    Ok(!client
        .query(
            include_str!("../../../sql/config/remove_override.sql"),
            &[&agent_id, &token_symbol],
        )
        .await
        .map_err(db_error("cannot remove the routing override"))?
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
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// Every config row, then every override (global first, then by agent name).
pub async fn list_all<C: GenericClient>(client: &C) -> Result<Vec<ListedConfig>> {
    let (rows, overrides) = futures_util::try_join!(
        client.query(include_str!("../../../sql/config/list_rows.sql"), &[]),
        client.query(include_str!("../../../sql/config/list_overrides.sql"), &[]),
    )
    .map_err(db_error("cannot list the routing configuration"))?;
    let mut all = Vec::with_capacity(rows.len() + overrides.len());
    for r in rows {
        all.push(ListedConfig {
            agent_id: r.get(0),
            agent_name: r.get(1),
            token_symbol: None,
            venue_priority: r.get(2),
            routing_strategy: Some(r.get(3)),
            failover_enabled: Some(r.get(4)),
            created_at: r.get(5),
            updated_at: r.get(6),
        });
    }
    for r in overrides {
        all.push(ListedConfig {
            agent_id: r.get(0),
            agent_name: r.get(1),
            token_symbol: Some(r.get(2)),
            venue_priority: Some(r.get(3)),
            routing_strategy: None,
            failover_enabled: None,
            created_at: r.get(4),
            updated_at: r.get(5),
        });
    }
    Ok(all)
}
