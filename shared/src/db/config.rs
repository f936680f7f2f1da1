//! Routing configuration in `venue_routing_config` (and per-token overrides).

use anyhow::Result;
use tokio_postgres::GenericClient;

use super::connect::describe_pg_error;
use crate::domain::{RoutingConfig, Strategy, Venue};

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

/// A stored config row as it is, before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredConfig {
    pub venue_priority: Option<Vec<String>>,
    pub routing_strategy: String,
    pub failover_enabled: bool,
}

impl StoredConfig {
    /// Interprets the row; `None` when it cannot be used (empty or unknown
    /// venues, `MULTI`, unknown strategy), in which case callers fall back on
    /// the next level of precedence and say why.
    pub fn to_config(&self) -> std::result::Result<RoutingConfig, String> {
        let raw = self.venue_priority.clone().unwrap_or_default();
        if raw.is_empty() {
            return Err("empty venue_priority".to_owned());
        }
        let mut venues = Vec::with_capacity(raw.len());
        for name in raw {
            let venue: Venue = name
                .parse()
                .map_err(|e: crate::domain::UnknownVenue| e.to_string())?;
            if !venue.is_routable() {
                return Err("MULTI in venue_priority".to_owned());
            }
            if !venues.contains(&venue) {
                venues.push(venue);
            }
        }
        let strategy: Strategy = self
            .routing_strategy
            .parse()
            .map_err(|e: crate::domain::UnknownStrategy| e.to_string())?;
        Ok(RoutingConfig {
            venue_priority: venues,
            routing_strategy: strategy,
            failover_enabled: self.failover_enabled,
        })
    }
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
