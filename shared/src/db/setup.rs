//! What `setup-agent-where` reports after (or instead of, with `--check`)
//! migrating: the schema version against this build, the `venue_t` labels,
//! the tables Agent Where needs, every object it needs verified in the
//! catalog (what another tool removed is listed), the global routing config
//! and the markets per venue. Read-only.

use anyhow::Result;
use serde::Serialize;
use tokio_postgres::Client;

use super::connect::DatabaseUrl;
use super::typed;
use super::{DbContext, config, host, schema};

/// Tables Agent Where needs.
pub const REQUIRED_TABLES: [&str; 8] = [
    "agents",
    "signals",
    "venue_markets",
    "venue_routing_config",
    "venue_routing_overrides",
    "venue_routing_history",
    "venue_sync_runs",
    "routing_runs",
];

/// What setup did and found.
#[derive(Debug, Clone, Serialize)]
pub struct SetupReport {
    pub database: String,
    pub created_database: bool,
    pub applied_migrations: Vec<String>,
    /// Objects another tool had removed that setup re-created.
    pub repaired: Vec<String>,
    pub created_global_config: bool,
    /// The host schema: `minimal`, `maxxit`, or unsupported by routing.
    pub host: String,
    /// Maxxit's schema: whether new `MULTI` signals are held for routing
    /// (`--hold-multi`); `None` on other schemas.
    pub hold_multi: Option<bool>,
    /// What `--hold-multi` changed: `Some(state)` when it turned it on/off.
    pub hold_multi_changed_to: Option<bool>,
    pub schema_version: Option<i32>,
    pub latest_version: i32,
    pub up_to_date: bool,
    pub multi_venue_present: bool,
    pub tables: Vec<TablePresence>,
    /// Objects missing or different from what this build needs (checked once
    /// the migrations are applied), one line each; empty when all is there.
    pub missing_objects: Vec<String>,
    pub global_config: Option<GlobalConfigView>,
    pub markets: Vec<MarketCount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TablePresence {
    pub table: String,
    pub present: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct GlobalConfigView {
    pub venue_priority: Vec<String>,
    pub routing_strategy: String,
    pub failover_enabled: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct MarketCount {
    pub venue: String,
    pub total: i64,
    pub active: i64,
}

impl SetupReport {
    /// Whether setup changed anything (database, migrations, global config).
    #[must_use]
    pub fn changed(&self) -> bool {
        !self.changes().is_empty()
    }

    /// What setup changed, one phrase per change, in order.
    #[must_use]
    pub fn changes(&self) -> Vec<String> {
        let mut done = Vec::new();
        if self.created_database {
            done.push("created the database".to_owned());
        }
        if !self.applied_migrations.is_empty() {
            done.push(format!("applied {}", self.applied_migrations.join(", ")));
        }
        if !self.repaired.is_empty() {
            let repaired: Vec<&str> = self
                .repaired
                .iter()
                .map(|p| p.strip_suffix(" is missing").unwrap_or(p))
                .collect();
            done.push(format!(
                "re-created what another tool removed: {}",
                repaired.join("; ")
            ));
        }
        if self.created_global_config {
            done.push("created the global routing config".to_owned());
        }
        match self.hold_multi_changed_to {
            Some(true) => done.push("turned the MULTI hold on".to_owned()),
            Some(false) => {
                done.push(
                    "turned the MULTI hold off (signals held already stay held until routed)"
                        .to_owned(),
                );
            }
            None => {}
        }
        done
    }
}

/// Reads the verification report without writing anything.
pub async fn inspect(url: &DatabaseUrl, client: &Client) -> Result<SetupReport> {
    let state = schema::inspect(client).await?;
    let venue_values = typed::query(client, sql!("schema/venue_enum_values.sql"), &[])
        .await
        .and_then(|rows| rows.iter().map(|r| r.try_get("label")).collect())
        .db_context("cannot read `venue_t`")?;
    let present = schema::existing_tables(client, &REQUIRED_TABLES)
        .await
        .db_context("cannot list tables")?;
    let tables = REQUIRED_TABLES
        .iter()
        .map(|t| TablePresence {
            table: (*t).to_owned(),
            present: present.iter().any(|p| p == t),
        })
        .collect();
    let global_config = if present.iter().any(|t| t == "venue_routing_config") {
        config::select_global(client)
            .await?
            .map(|c| GlobalConfigView {
                venue_priority: c.venue_priority.unwrap_or_default(),
                routing_strategy: c.routing_strategy,
                failover_enabled: c.failover_enabled,
            })
    } else {
        None
    };
    let markets = if present.iter().any(|t| t == "venue_markets") {
        typed::query(client, sql!("markets/count_by_venue.sql"), &[])
            .await
            .and_then(|rows| {
                rows.iter()
                    .map(|r| {
                        Ok(MarketCount {
                            venue: r.try_get("venue")?,
                            total: r.try_get("total")?,
                            active: r.try_get("active")?,
                        })
                    })
                    .collect()
            })
            .db_context("cannot count markets")?
    } else {
        Vec::new()
    };
    let venue_values: Vec<String> = venue_values;
    let multi = venue_values.iter().any(|v| v == "MULTI");
    let all_tables = present.len() == REQUIRED_TABLES.len();
    let missing_objects = if state.is_current() {
        schema::objects::verify(client).await?
    } else {
        Vec::new()
    };
    // A schema routing refuses (an older Maxxit) is reported, not an error here.
    let detected = host::detect(client).await;
    let hold_multi = match detected {
        Ok(h) if h.is_maxxit() => Some(host::hold_multi(client).await?),
        _ => None,
    };
    let host = detected.map_or("unsupported (routing refuses it)", host::HostSchema::name);
    Ok(SetupReport {
        database: url.to_string(),
        created_database: false,
        applied_migrations: Vec::new(),
        repaired: Vec::new(),
        created_global_config: false,
        host: host.to_owned(),
        hold_multi,
        hold_multi_changed_to: None,
        schema_version: state.applied,
        latest_version: state.latest,
        up_to_date: state.is_current()
            && multi
            && all_tables
            && missing_objects.is_empty()
            && global_config.is_some(),
        multi_venue_present: multi,
        tables,
        missing_objects,
        global_config,
        markets,
    })
}
