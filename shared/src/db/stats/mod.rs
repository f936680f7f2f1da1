//! Routing statistics read from `venue_routing_history`, `routing_runs`,
//! `venue_sync_runs`, `venue_markets` and `signals`: exact SQL aggregates
//! over a whole window (never a sample of the newest rows), typed results,
//! and a streaming export. The binary `routing-stats` only formats these.
//!
//! Definitions shared by every query (see `sql/stats/group_by.sql`):
//! - a decision is **routed** when `outcome = 'ROUTED'`, or when `outcome` is
//!   NULL (rows of the original system) and a venue was selected; every other
//!   decision is **skipped**;
//! - the **skip reason** is the code before the first `:` of the signal's
//!   `skipped_reason` when it is an upper-case word, else that of the history
//!   row's `routing_reason` (unless it names a venue), else `UNKNOWN`;
//! - **decision time** is `routing_duration_us`; rows without it are left out
//!   of averages and percentiles (never counted as zero). Percentiles are
//!   `percentile_cont` (linear interpolation between the two nearest values);
//! - the window is `since <= created_at < until`, either bound optional.

use std::collections::BTreeMap;

use anyhow::Result;
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::Serialize;
use tokio_postgres::{GenericClient, Row, Transaction};
use uuid::Uuid;

use super::DbContext;
use super::host::HostSchema;
use super::typed::{self, Param};
use crate::domain::Venue;

mod group_key;
pub use group_key::{GroupKey, UnknownGroupKey};

/// Which decisions a query covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Inclusive lower bound on `created_at`; `None` = unbounded.
    pub since: Option<DateTime<Utc>>,
    /// Exclusive upper bound on `created_at`; `None` = unbounded.
    pub until: Option<DateTime<Utc>>,
    /// Case-insensitive match on `token_symbol` (as the agent wrote it) or on
    /// `market_symbol` (the venue market it was routed to).
    pub token: Option<String>,
    /// The deciding signal's `agent_id`.
    pub agent: Option<Uuid>,
    /// Decisions routed to this venue or in which it was checked.
    pub venue: Option<Venue>,
}

impl Filters {
    fn venue_text(&self) -> Option<&'static str> {
        self.venue.map(Venue::as_str)
    }
}

/// Group key of skipped decisions when grouping by venue.
pub const SKIPPED_KEY: &str = "(skipped)";
/// Group key of routed decisions when grouping by reason.
pub const ROUTED_KEY: &str = "(routed)";

/// Aggregates of one group of decisions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRow {
    pub key: String,
    pub decisions: i64,
    pub routed: i64,
    pub skipped: i64,
    /// Routed decisions per selected venue (`venue_t` label).
    pub routed_by_venue: BTreeMap<String, i64>,
    /// Decisions with a recorded decision time.
    pub timed: i64,
    pub avg_us: Option<f64>,
    pub p50_us: Option<f64>,
    pub p95_us: Option<f64>,
    pub max_us: Option<f64>,
    /// Decisions with a recorded signal-to-decision latency (`decided_at`,
    /// migration V12).
    pub latency_decisions: i64,
    /// Signal-to-decision latency in seconds (`decided_at − signals.created_at`).
    pub latency_p50_s: Option<f64>,
    pub latency_p95_s: Option<f64>,
    pub latency_p99_s: Option<f64>,
    pub latency_max_s: Option<f64>,
}

impl GroupRow {
    /// A group with no decisions.
    #[must_use]
    pub fn empty(key: impl Into<String>) -> GroupRow {
        GroupRow {
            key: key.into(),
            decisions: 0,
            routed: 0,
            skipped: 0,
            routed_by_venue: BTreeMap::new(),
            timed: 0,
            avg_us: None,
            p50_us: None,
            p95_us: None,
            max_us: None,
            latency_decisions: 0,
            latency_p50_s: None,
            latency_p95_s: None,
            latency_p99_s: None,
            latency_max_s: None,
        }
    }

    /// Routed decisions as a percentage of all decisions; `None` without decisions.
    #[must_use]
    pub fn success_rate_pct(&self) -> Option<f64> {
        percent(self.routed, self.decisions)
    }

    /// Routed decisions whose selected venue is `venue`.
    #[must_use]
    pub fn routed_to(&self, venue: Venue) -> i64 {
        self.routed_by_venue
            .get(venue.as_str())
            .copied()
            .unwrap_or(0)
    }

    /// Routed decisions whose selected venue is none of `venues`.
    #[must_use]
    pub fn routed_elsewhere(&self, venues: &[Venue]) -> i64 {
        self.routed - venues.iter().map(|v| self.routed_to(*v)).sum::<i64>()
    }

    fn from_row(row: &Row) -> Result<GroupRow, tokio_postgres::Error> {
        let by_venue: serde_json::Value = row.try_get("routed_by_venue")?;
        Ok(GroupRow {
            key: row.try_get("key")?,
            decisions: row.try_get("decisions")?,
            routed: row.try_get("routed")?,
            skipped: row.try_get("skipped")?,
            routed_by_venue: by_venue
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_i64().unwrap_or(0)))
                        .collect()
                })
                .unwrap_or_default(),
            timed: row.try_get("timed")?,
            avg_us: row.try_get("avg_us")?,
            p50_us: row.try_get("p50_us")?,
            p95_us: row.try_get("p95_us")?,
            max_us: row.try_get("max_us")?,
            latency_decisions: row.try_get("latency_decisions")?,
            latency_p50_s: row.try_get("latency_p50_s")?,
            latency_p95_s: row.try_get("latency_p95_s")?,
            latency_p99_s: row.try_get("latency_p99_s")?,
            latency_max_s: row.try_get("latency_max_s")?,
        })
    }
}

/// `part` as a percentage of `whole`; `None` when `whole` is zero.
#[must_use]
#[allow(clippy::cast_precision_loss)]
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// The database clock (`now()`; inside a transaction, its start).
pub async fn clock<C: GenericClient>(client: &C) -> Result<DateTime<Utc>> {
    let row = typed::query_one(client, sql!("stats/clock.sql"), &[])
        .await
        .db_context("cannot read the database clock")?;
    Ok(row.get("now"))
}

/// Decisions aggregated per group, at most `limit` groups (all when `None`).
/// Groups come by decisions (most first) then key; hours and days by time.
pub async fn group_by<C: GenericClient>(
    client: &C,
    filters: &Filters,
    key: GroupKey,
    limit: Option<i64>,
) -> Result<Vec<GroupRow>> {
    let venue = filters.venue_text();
    let key_text = key.as_str();
    let params: [&dyn Param; 7] = [
        &filters.since,
        &filters.until,
        &filters.token,
        &filters.agent,
        &venue,
        &key_text,
        &limit,
    ];
    let rows = typed::query(client, sql!("stats/group_by.sql"), &params)
        .await
        .db_context("cannot read `venue_routing_history`")?;
    rows.iter()
        .map(GroupRow::from_row)
        .collect::<Result<_, _>>()
        .db_context("cannot read `venue_routing_history`")
}

/// The whole window as one group (zeros when it holds no decision).
pub async fn totals<C: GenericClient>(client: &C, filters: &Filters) -> Result<GroupRow> {
    let mut rows = group_by(client, filters, GroupKey::All, None).await?;
    Ok(rows.pop().unwrap_or_else(|| GroupRow::empty("all")))
}

/// Adds an empty row for every hour or day of `[since, until)` that has no
/// decision, so time series have no gaps. Rows must come from `group_by` with
/// the same key (sorted by time); other keys are returned unchanged.
#[must_use]
pub fn fill_time_gaps(
    rows: Vec<GroupRow>,
    key: GroupKey,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<GroupRow> {
    let (step, format) = match key {
        GroupKey::Hour => (Duration::hours(1), "%Y-%m-%d %H:%M"),
        GroupKey::Day => (Duration::days(1), "%Y-%m-%d"),
        _ => return rows,
    };
    let Ok(mut at) = since.duration_trunc(step) else {
        return rows;
    };
    let mut keys = Vec::new();
    while at < until {
        keys.push(at.format(format).to_string());
        at += step;
    }
    let mut out = Vec::with_capacity(keys.len().max(rows.len()));
    let mut rows = rows.into_iter().peekable();
    for key in keys {
        while let Some(row) = rows.next_if(|r| r.key < key) {
            out.push(row);
        }
        match rows.next_if(|r| r.key == key) {
            Some(row) => out.push(row),
            None => out.push(GroupRow::empty(key)),
        }
    }
    out.extend(rows);
    out
}

/// The chosen venue's estimated cost over routed decisions (bps).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CostFigures {
    /// Routed decisions.
    pub routed: i64,
    /// Routed decisions whose chosen venue has a cost figure.
    pub costed: i64,
    /// Of those, figures at the order's notional (the rest top of book).
    pub at_notional: i64,
    pub avg_cost_bps: Option<f64>,
    pub avg_fee_bps: Option<f64>,
    pub avg_half_spread_bps: Option<f64>,
    pub avg_impact_bps: Option<f64>,
}

/// [`CostFigures`] over all routed decisions and per selected venue.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChosenCost {
    pub all: CostFigures,
    pub by_venue: Vec<(String, CostFigures)>,
}

/// The mean estimated cost of the chosen venue (exact SQL aggregates over
/// the whole window; `sql/stats/chosen_cost.sql`).
pub async fn chosen_cost<C: GenericClient>(client: &C, filters: &Filters) -> Result<ChosenCost> {
    let venue = filters.venue_text();
    let params: [&dyn Param; 5] = [
        &filters.since,
        &filters.until,
        &filters.token,
        &filters.agent,
        &venue,
    ];
    let what = "cannot read `venue_routing_history`";
    let rows = typed::query(client, sql!("stats/chosen_cost.sql"), &params)
        .await
        .db_context(what)?;
    let mut out = ChosenCost::default();
    for row in &rows {
        let figures = CostFigures {
            routed: row.try_get("routed").db_context(what)?,
            costed: row.try_get("costed").db_context(what)?,
            at_notional: row.try_get("at_notional").db_context(what)?,
            avg_cost_bps: row.try_get("avg_cost_bps").db_context(what)?,
            avg_fee_bps: row.try_get("avg_fee_bps").db_context(what)?,
            avg_half_spread_bps: row.try_get("avg_half_spread_bps").db_context(what)?,
            avg_impact_bps: row.try_get("avg_impact_bps").db_context(what)?,
        };
        match row.try_get::<_, Option<String>>("venue").db_context(what)? {
            None => out.all = figures,
            Some(v) => out.by_venue.push((v, figures)),
        }
    }
    Ok(out)
}

/// Routing runs started in a window, and the newest run overall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoutingRuns {
    pub runs: i64,
    pub completed: i64,
    pub failed: i64,
    /// RUNNING with a fresh heartbeat.
    pub running: i64,
    /// RUNNING without a heartbeat for longer than
    /// [`super::routing::RUN_STALE_AFTER`]: killed, or its connection lost.
    pub stale: i64,
    pub claimed: i64,
    pub routed: i64,
    pub skipped: i64,
    pub last_started_at: Option<DateTime<Utc>>,
    pub last_finished_at: Option<DateTime<Utc>>,
    /// `COMPLETED`, `FAILED`, `RUNNING` or `STALE` (see [`RoutingRuns::stale`]).
    pub last_status: Option<String>,
}

fn stale_after_seconds() -> f64 {
    super::routing::RUN_STALE_AFTER.as_secs_f64()
}

/// Routing runs whose `started_at` lies in `[since, until)`.
pub async fn routing_runs<C: GenericClient>(
    client: &C,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> Result<RoutingRuns> {
    let row = typed::query_one(
        client,
        sql!("stats/routing_runs.sql"),
        &[&since, &until, &stale_after_seconds()],
    )
    .await
    .db_context("cannot read `routing_runs`")?;
    Ok(RoutingRuns {
        runs: row.get("runs"),
        completed: row.get("completed"),
        failed: row.get("failed"),
        running: row.get("running"),
        stale: row.get("stale"),
        claimed: row.get("claimed"),
        routed: row.get("routed"),
        skipped: row.get("skipped"),
        last_started_at: row.get("last_started_at"),
        last_finished_at: row.get("last_finished_at"),
        last_status: row.get("last_status"),
    })
}

/// A venue's sync state and market counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VenueSync {
    pub venue: String,
    /// `max(finished_at)` of its `SUCCEEDED` sync runs; `None` = never synced.
    pub last_success_at: Option<DateTime<Utc>>,
    /// Seconds since `last_success_at`.
    pub age_seconds: Option<f64>,
    /// Status of its newest sync run of any status (`STALE` for one left
    /// RUNNING longer than [`super::routing::RUN_STALE_AFTER`]).
    pub last_attempt_status: Option<String>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_error: Option<String>,
    pub active_markets: i64,
    pub total_markets: i64,
}

/// Sync state of each venue, in the order given.
pub async fn venue_sync<C: GenericClient>(client: &C, venues: &[Venue]) -> Result<Vec<VenueSync>> {
    let names: Vec<&str> = venues.iter().map(|v| v.as_str()).collect();
    let rows = typed::query(
        client,
        sql!("stats/venue_sync.sql"),
        &[&names, &stale_after_seconds()],
    )
    .await
    .db_context("cannot read `venue_sync_runs`")?;
    Ok(rows
        .iter()
        .map(|row| VenueSync {
            venue: row.get("venue"),
            last_success_at: row.get("last_success_at"),
            age_seconds: row.get("age_seconds"),
            last_attempt_status: row.get("last_attempt_status"),
            last_attempt_at: row.get("last_attempt_at"),
            last_attempt_error: row.get("last_attempt_error"),
            active_markets: row.get("active_markets"),
            total_markets: row.get("total_markets"),
        })
        .collect())
}

/// A run left RUNNING that can no longer finish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaleRun {
    /// `routing` or `sync`.
    pub kind: String,
    /// The venue of a sync run.
    pub venue: Option<String>,
    pub id: Uuid,
    pub started_at: DateTime<Utc>,
    /// Its last heartbeat (routing runs), else its start.
    pub last_seen_at: DateTime<Utc>,
    pub host: Option<String>,
    pub pid: Option<i32>,
}

/// Routing runs RUNNING without a heartbeat, and sync runs RUNNING, for
/// longer than [`super::routing::RUN_STALE_AFTER`]; oldest first.
pub async fn stale_runs<C: GenericClient>(client: &C) -> Result<Vec<StaleRun>> {
    let rows = typed::query(
        client,
        sql!("stats/stale_runs.sql"),
        &[&stale_after_seconds()],
    )
    .await
    .db_context("cannot read `routing_runs`")?;
    rows.iter()
        .map(|row| {
            Ok(StaleRun {
                kind: row.try_get("kind")?,
                venue: row.try_get("venue")?,
                id: row.try_get("id")?,
                started_at: row.try_get("started_at")?,
                last_seen_at: row.try_get("last_seen_at")?,
                host: row.try_get("host")?,
                pid: row.try_get("pid")?,
            })
        })
        .collect::<Result<Vec<_>, tokio_postgres::Error>>()
        .db_context("cannot read `routing_runs`")
}

/// Outside a demo database, the listed markets per venue whose figures a
/// sync of the data built into the binary wrote last (issue 23), as
/// (venue, markets); empty in a demo database or when there are none.
pub async fn built_in_markets<C: GenericClient>(client: &C) -> Result<Vec<(String, i64)>> {
    let rows = typed::query(client, sql!("stats/built_in_markets.sql"), &[])
        .await
        .db_context("cannot read which markets hold built-in data")?;
    rows.iter()
        .map(|row| Ok((row.try_get("venue")?, row.try_get("markets")?)))
        .collect::<Result<Vec<_>, tokio_postgres::Error>>()
        .db_context("cannot read which markets hold built-in data")
}

/// The venues stats and health report on: every venue of the built-in
/// default priority, and every other registered venue once it was synced
/// (a sync run of any status, or stored markets), in registry order. A
/// registered venue nobody syncs is simply unavailable to routing: it adds
/// no columns to the reports and no failing health check.
pub async fn venues_in_use<C: GenericClient>(client: &C) -> Result<Vec<Venue>> {
    let synced = crate::venues::registry::synced();
    let names: Vec<&str> = synced.iter().map(|v| v.as_str()).collect();
    let rows = typed::query(client, sql!("stats/venues_in_use.sql"), &[&names])
        .await
        .db_context("cannot read `venue_sync_runs`")?;
    let seen: Vec<String> = rows.iter().map(|r| r.get("venue")).collect();
    Ok(synced
        .into_iter()
        .filter(|v| {
            crate::domain::DEFAULT_PRIORITY.contains(v) || seen.iter().any(|s| s == v.as_str())
        })
        .collect())
}

/// Pending `MULTI` signals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pending {
    pub pending: i64,
    pub oldest_at: Option<DateTime<Utc>>,
    pub oldest_age_seconds: Option<f64>,
    /// Maxxit's schema: of the pending ones, those held for routing (the hold
    /// mark `AWAITING_ROUTE`), and the oldest one's age. `None` elsewhere.
    pub held: Option<i64>,
    pub oldest_held_age_seconds: Option<f64>,
}

/// On Maxxit's schema: how many `MULTI` signals of the window Maxxit's own
/// trade decision declined (`llm_should_trade = false`), which are never
/// pending (informational).
pub async fn declined<C: GenericClient>(
    client: &C,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> Result<i64> {
    typed::query_one(client, sql!("maxxit/stats_declined.sql"), &[&since, &until])
        .await
        .and_then(|r| r.try_get("declined"))
        .db_context("cannot read declined signals")
}

/// How many `MULTI` signals wait for routing on the host schema, and how old
/// the oldest is.
pub async fn pending<C: GenericClient>(client: &C, host: HostSchema) -> Result<Pending> {
    let statement = if host.is_maxxit() {
        sql!("maxxit/stats_pending.sql")
    } else {
        sql!("stats/pending.sql")
    };
    let row = typed::query_one(client, statement, &[])
        .await
        .db_context("cannot read pending signals")?;
    Ok(Pending {
        pending: row.get("pending"),
        oldest_at: row.get("oldest_at"),
        oldest_age_seconds: row.get("oldest_age_seconds"),
        held: if host.is_maxxit() {
            Some(row.get("held"))
        } else {
            None
        },
        oldest_held_age_seconds: if host.is_maxxit() {
            row.get("oldest_held_age_seconds")
        } else {
            None
        },
    })
}

/// On Maxxit's schema: how many signals of the window its executor executed
/// as `MULTI` (before or without a routing decision: the race the
/// one-line executor change of docs/maxxit.md closes).
pub async fn executed_unrouted<C: GenericClient>(
    client: &C,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> Result<i64> {
    typed::query_one(
        client,
        sql!("maxxit/executed_unrouted.sql"),
        &[&since, &until],
    )
    .await
    .and_then(|r| r.try_get("executed"))
    .db_context("cannot read executed signals")
}

/// How many decisions of the window routed a signal to a venue outside
/// `executor_venues` (the venues the host's executor runs).
pub async fn routed_without_executor<C: GenericClient>(
    client: &C,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    executor_venues: &[crate::domain::Venue],
) -> Result<i64> {
    let runs: Vec<&str> = executor_venues.iter().map(|v| v.as_str()).collect();
    typed::query_one(
        client,
        sql!("stats/routed_without_executor.sql"),
        &[&since, &until, &runs],
    )
    .await
    .and_then(|r| r.try_get("routed"))
    .db_context("cannot read decisions routed to venues without an executor")
}

/// How many history rows `export` would write.
pub async fn export_count<C: GenericClient>(client: &C, filters: &Filters) -> Result<i64> {
    let venue = filters.venue_text();
    let row = typed::query_one(
        client,
        sql!("stats/export_count.sql"),
        &[
            &filters.since,
            &filters.until,
            &filters.token,
            &filters.agent,
            &venue,
        ],
    )
    .await
    .db_context("cannot read `venue_routing_history`")?;
    Ok(row.get("decisions"))
}

/// One history row as exported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportRow {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub signal_id: Uuid,
    pub agent_id: Uuid,
    pub token_symbol: String,
    pub market_symbol: Option<String>,
    /// `ROUTED` or `SKIPPED` (derived for rows of the original system).
    pub outcome: String,
    pub selected_venue: Option<String>,
    pub skip_reason: Option<String>,
    pub strategy: Option<String>,
    pub config_source: Option<String>,
    pub checked_venues: Vec<String>,
    pub routing_duration_us: Option<i64>,
    pub routing_duration_ms: Option<i32>,
    pub run_id: Option<Uuid>,
    /// Written by the original system (`outcome` NULL).
    pub original_system: bool,
    pub routing_reason: String,
    /// Each checked venue's verdict, as the router wrote it.
    pub venue_availability: serde_json::Value,
    /// The token as the agent wrote it (rows before migration 14: none).
    pub requested_token: Option<String>,
    /// The database clock when the decision was written (migration V12;
    /// `None` for older rows).
    pub decided_at: Option<DateTime<Utc>>,
    /// `decided_at − signals.created_at` in seconds.
    pub decision_latency_seconds: Option<f64>,
}

impl ExportRow {
    fn from_row(row: &Row) -> ExportRow {
        ExportRow {
            id: row.get("id"),
            created_at: row.get("created_at"),
            signal_id: row.get("signal_id"),
            agent_id: row.get("agent_id"),
            token_symbol: row.get("token_symbol"),
            market_symbol: row.get("market_symbol"),
            outcome: row.get("outcome"),
            selected_venue: row.get("selected_venue"),
            skip_reason: row.get("skip_reason"),
            strategy: row.get("strategy"),
            config_source: row.get("config_source"),
            checked_venues: row
                .get::<_, Option<Vec<String>>>("checked_venues")
                .unwrap_or_default(),
            routing_duration_us: row.get("routing_duration_us"),
            routing_duration_ms: row.get("routing_duration_ms"),
            run_id: row.get("run_id"),
            original_system: row.get("original_system"),
            routing_reason: row.get("routing_reason"),
            venue_availability: row.get("venue_availability"),
            requested_token: row.get("requested_token"),
            decided_at: row.get("decided_at"),
            decision_latency_seconds: row.get("decision_latency_seconds"),
        }
    }
}

/// The cursor `export` reads through.
const EXPORT_CURSOR: &str = "agent_where_export";

/// Streams every history row of the window, oldest first, through a
/// server-side cursor (`DECLARE … CURSOR FOR` sql/stats/export.sql, then
/// `FETCH FORWARD batch` until it runs dry), so memory stays constant
/// whatever the window holds. A SQL cursor rather than a protocol portal:
/// it needs no prepared statement, so it works through a transaction-mode
/// pooler too (it lives in `transaction`, which pins one server connection).
/// Returns the number of rows passed to `each`.
pub async fn export<F>(
    transaction: &Transaction<'_>,
    filters: &Filters,
    batch: i32,
    mut each: F,
) -> Result<u64>
where
    F: FnMut(ExportRow) -> Result<()>,
{
    const DECLARE: &str = concat!(
        "DECLARE agent_where_export NO SCROLL CURSOR FOR\n",
        sql!("stats/export.sql")
    );
    let venue = filters.venue_text();
    let read = "cannot read `venue_routing_history`";
    typed::execute(
        transaction,
        DECLARE,
        &[
            &filters.since,
            &filters.until,
            &filters.token,
            &filters.agent,
            &venue,
        ],
    )
    .await
    .db_context(read)?;
    let batch = batch.max(1);
    let fetch = format!("FETCH FORWARD {batch} FROM {EXPORT_CURSOR}");
    let mut written = 0u64;
    loop {
        let rows = typed::query(transaction, &fetch, &[])
            .await
            .db_context(read)?;
        let done = rows.len() < usize::try_from(batch).unwrap_or(usize::MAX);
        for row in &rows {
            each(ExportRow::from_row(row))?;
            written += 1;
        }
        if done {
            transaction
                .batch_execute(&format!("CLOSE {EXPORT_CURSOR}"))
                .await
                .db_context(read)?;
            return Ok(written);
        }
    }
}

#[cfg(test)]
mod tests;
