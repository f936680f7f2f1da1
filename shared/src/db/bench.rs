//! The statements `bench-routing` measures against Agent Where's own routing:
//! the per-signal reference (the original system's way: per signal a config
//! lookup, one availability query per venue in priority order, an `UPDATE`
//! and an `INSERT`, each its own round trip and autocommit) and PostgreSQL's
//! limit (one set-based statement that routes everything), plus the scratch
//! database chores around them. The binary only times and reports.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use tokio_postgres::Client;
use uuid::Uuid;

use super::typed;
use super::{DbContext, databases};
use crate::domain::RoutingConfig;
use crate::symbols::canonical_symbol;

/// Drops `name` if it exists and creates it empty.
pub async fn recreate_database(admin: &Client, name: &str) -> Result<()> {
    databases::drop_if_exists(admin, name)
        .await
        .with_db_context(|| format!("cannot drop `{name}`"))?;
    databases::create(admin, name)
        .await
        .with_db_context(|| format!("cannot create `{name}`"))
}

/// Drops `name` if it exists and creates it as a copy of `template`, then
/// asks for a checkpoint so each measurement starts from the same state
/// (ignored without the right to checkpoint).
pub async fn copy_database(admin: &Client, template: &str, name: &str) -> Result<()> {
    databases::drop_if_exists(admin, name)
        .await
        .with_db_context(|| format!("cannot drop `{name}`"))?;
    databases::create_from_template(admin, name, template)
        .await
        .with_db_context(|| format!("cannot copy `{template}` to `{name}`"))?;
    let _ = admin.batch_execute(sql!("bench/checkpoint.sql")).await;
    Ok(())
}

/// Drops a scratch database, ignoring failures (cleanup).
pub async fn drop_database_quietly(admin: &Client, name: &str) {
    let _ = databases::drop_if_exists(admin, name).await;
}

/// `VACUUM ANALYZE` of the base database before it is copied.
pub async fn vacuum_analyze(client: &Client) -> Result<()> {
    client
        .batch_execute(sql!("bench/vacuum_analyze.sql"))
        .await
        .db_context("cannot vacuum the base database")
}

/// Routes the `sample` oldest pending signals the per-signal way (first
/// available venue; see the module doc). Returns how many it routed and the
/// time the per-signal loop took (reading the sample and preparing the
/// statements are not timed, as the original prepared once per process).
pub async fn route_per_signal(client: &Client, sample: i64) -> Result<(usize, Duration)> {
    let pending = typed::query(client, sql!("bench/select_pending_sample.sql"), &[&sample])
        .await
        .db_context("reference: cannot read pending signals")?;
    let (agent_config, global_config, market, update, insert) = futures_util::try_join!(
        client.prepare(sql!("bench/reference_select_agent_config.sql")),
        client.prepare(sql!("bench/reference_select_global_config.sql")),
        client.prepare(sql!("bench/reference_select_market.sql")),
        client.prepare(sql!("bench/reference_update_signal.sql")),
        client.prepare(sql!("bench/reference_insert_history.sql")),
    )
    .db_context("reference: cannot prepare its statements")?;
    let default_priority: Vec<String> = RoutingConfig::builtin_default()
        .venue_priority
        .iter()
        .map(|v| v.as_str().to_owned())
        .collect();
    let started = Instant::now();
    for row in &pending {
        let decided = Instant::now();
        let id: Uuid = row.try_get("id").db_context("reference")?;
        let agent: Uuid = row.try_get("agent_id").db_context("reference")?;
        let token: String = row.try_get("token_symbol").db_context("reference")?;
        let config_row = match client
            .query_opt(&agent_config, &[&agent])
            .await
            .db_context("reference: agent config")?
        {
            Some(r) => Some(r),
            None => client
                .query_opt(&global_config, &[])
                .await
                .db_context("reference: global config")?,
        };
        let (priority, source): (Vec<String>, &str) = match &config_row {
            Some(r) => (
                r.try_get::<_, Option<Vec<String>>>("venue_priority")
                    .db_context("reference")?
                    .unwrap_or_default(),
                "global",
            ),
            None => (default_priority.clone(), "default"),
        };
        let symbol = canonical_symbol(&token).unwrap_or_else(|_| token.clone());
        let mut checked = Vec::new();
        let mut availability = serde_json::Map::new();
        let mut selected: Option<(String, String)> = None;
        for venue in &priority {
            checked.push(venue.clone());
            let found = client
                .query_opt(&market, &[venue, &symbol])
                .await
                .db_context("reference: market")?;
            let available = match &found {
                Some(m) => {
                    m.try_get::<_, bool>("is_active").db_context("reference")?
                        && m.try_get::<_, bool>("market_open")
                            .db_context("reference")?
                }
                None => false,
            };
            availability.insert(venue.clone(), serde_json::json!({ "available": available }));
            if available && let Some(m) = found {
                selected = Some((
                    venue.clone(),
                    m.try_get("market_name").db_context("reference")?,
                ));
                break;
            }
        }
        let micros = i64::try_from(decided.elapsed().as_micros()).unwrap_or(i64::MAX);
        let (venue, reason, skipped, outcome, market_symbol) = if let Some((v, m)) = &selected {
            (
                Some(v.clone()),
                format!("{v}: available ({m})"),
                None,
                "ROUTED",
                Some(m.clone()),
            )
        } else {
            let r = format!("NO_VENUE_AVAILABLE: no active market for {symbol}");
            (None, r.clone(), Some(r), "SKIPPED", None)
        };
        client
            .execute(&update, &[&id, &venue, &skipped])
            .await
            .db_context("reference: update")?;
        let ms = i32::try_from(micros / 1000).unwrap_or(i32::MAX);
        client
            .execute(
                &insert,
                &[
                    &id,
                    &symbol,
                    &venue,
                    &reason,
                    &checked,
                    &serde_json::Value::Object(availability),
                    &ms,
                    &outcome,
                    &source,
                    &market_symbol,
                    &micros,
                ],
            )
            .await
            .db_context("reference: insert")?;
    }
    Ok((pending.len(), started.elapsed()))
}

/// PostgreSQL alone: one set-based statement routes every pending signal
/// first-available and writes the history. Returns the history rows written.
pub async fn route_all_in_one_statement(client: &Client) -> Result<u64> {
    typed::execute(client, sql!("bench/route_all_first_available.sql"), &[])
        .await
        .db_context("limit statement failed")
}

/// Checks that every one of `signals` was decided once: as many history rows,
/// none left pending.
pub async fn check_all_decided(client: &Client, signals: i64) -> Result<()> {
    let row = typed::query_one(client, sql!("bench/decided_and_pending.sql"), &[])
        .await
        .db_context("cannot count decisions")?;
    let history: i64 = row
        .try_get("history")
        .db_context("cannot count decisions")?;
    let pending: i64 = row
        .try_get("pending")
        .db_context("cannot count decisions")?;
    if history != signals || pending != 0 {
        bail!("wrote {history} history rows and left {pending} pending for {signals} signals");
    }
    Ok(())
}

/// `bench-routing --follow`: inserts `n` pending signals of `agent` created
/// now, in one statement (its own transaction), and returns their ids.
pub async fn insert_arriving(
    client: &Client,
    agent: Uuid,
    n: i64,
    tokens: &[&str],
) -> Result<Vec<Uuid>> {
    let tokens: Vec<&str> = tokens.to_vec();
    let rows = typed::query(
        client,
        sql!("bench/insert_arriving_signals.sql"),
        &[&agent, &n, &tokens],
    )
    .await
    .db_context("cannot insert arriving signals")?;
    Ok(rows.iter().map(|r| r.get("id")).collect())
}

/// Which of `ids` have a committed decision visible to `client`.
pub async fn decided_among(client: &Client, ids: &[Uuid]) -> Result<Vec<Uuid>> {
    let rows = typed::query(client, sql!("bench/decided_among.sql"), &[&ids])
        .await
        .db_context("cannot read decisions")?;
    Ok(rows.iter().map(|r| r.get("signal_id")).collect())
}

/// Signals the running routing runs have decided (committed) so far.
pub async fn running_claimed(client: &Client) -> Result<i64> {
    typed::query_one(client, sql!("bench/running_claimed.sql"), &[])
        .await
        .map(|r| r.get("claimed"))
        .db_context("cannot read the running routing runs")
}
