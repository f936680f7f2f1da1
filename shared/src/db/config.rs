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
