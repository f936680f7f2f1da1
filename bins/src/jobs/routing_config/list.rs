//! `routing-config list`: every stored config row and per-token override,
//! with why routing ignores an entry when it does.

use agent_where::db::config as db;
use agent_where::domain::ConfigSource;
use anyhow::Result;
use serde::Serialize;
use uuid::Uuid;

use super::ConfigFormat;
use crate::cli::{CommonArgs, Outcome};
use crate::output::{self, Table};

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

pub(crate) async fn run(common: &CommonArgs, format: ConfigFormat) -> Result<Outcome> {
    let (_, client) = common.connect_checked().await?;
    let entries: Vec<ListEntry> = db::list_all(&client)
        .await?
        .into_iter()
        .map(|c| {
            let level = c.level();
            let problem = c.problem();
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
