//! `routing-stats summary` (the default) and its `--group-by` flat view.

mod text;

use agent_where::db::stats::{
    self, CostFigures, GroupKey, GroupRow, ROUTED_KEY, RoutingRuns, SKIPPED_KEY, VenueSync,
};
use agent_where::domain::Venue;
use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::ser::SerializeMap;
use tokio_postgres::Transaction;
use uuid::Uuid;

use super::window::Window;
use super::{FilterSpec, SummaryOptions, emit, ms, resolve_window};
use crate::cli::{CommonArgs, Outcome};
use crate::output::Format;
use text::{render_groups, summary_csv, summary_table};

/// Everything `summary` reports, as printed by `--format json`.
#[derive(Debug, Clone, Serialize)]
pub(super) struct SummaryReport {
    pub window: WindowView,
    pub filters: FiltersView,
    pub decisions: i64,
    pub routed: i64,
    pub skipped: i64,
    pub success_rate_pct: Option<f64>,
    pub decision_time: DecisionTime,
    /// How long signals waited for their decision.
    pub latency: Latency,
    /// The chosen venue's estimated all-in cost (bps) over routed decisions.
    pub chosen_cost: CostFigures,
    pub by_venue: Vec<VenueShare>,
    pub skips_by_reason: Vec<ReasonShare>,
    pub top_tokens: Vec<TokenSplit>,
    pub routing_runs: RoutingRuns,
    pub venue_sync: Vec<VenueSync>,
    /// `MULTI` signals waiting for routing now.
    pub pending: PendingView,
}

/// `MULTI` signals waiting for routing now (not windowed), and on Maxxit's
/// schema the ones its own decision declined in the window (never pending,
/// informational).
#[derive(Debug, Clone, Serialize)]
pub(super) struct PendingView {
    pub pending: i64,
    pub oldest_age_seconds: Option<f64>,
    /// Maxxit's schema only: of the pending ones, those held for routing
    /// (`AWAITING_ROUTE`, `setup-agent-where --hold-multi on`).
    pub held: Option<i64>,
    /// Maxxit's schema only: `llm_should_trade = false`, created in the window.
    pub declined: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct WindowView {
    pub label: &'static str,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct FiltersView {
    pub token: Option<String>,
    pub agent: Option<Uuid>,
    pub venue: Option<Venue>,
}

/// Decision time in milliseconds over the decisions that recorded one.
#[derive(Debug, Clone, Serialize)]
pub(super) struct DecisionTime {
    pub timed: i64,
    pub avg_ms: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub max_ms: Option<f64>,
}

/// Signal-to-decision latency in seconds (`decided_at − signals.created_at`)
/// over the decisions that recorded one (written since migration V12).
#[derive(Debug, Clone, Serialize)]
pub(super) struct Latency {
    pub decisions: i64,
    pub p50_s: Option<f64>,
    pub p95_s: Option<f64>,
    pub p99_s: Option<f64>,
    pub max_s: Option<f64>,
}

impl Latency {
    fn of(r: &GroupRow) -> Latency {
        Latency {
            decisions: r.latency_decisions,
            p50_s: r.latency_p50_s,
            p95_s: r.latency_p95_s,
            p99_s: r.latency_p99_s,
            max_s: r.latency_max_s,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct VenueShare {
    pub venue: String,
    pub routed: i64,
    /// Share of routed decisions.
    pub share_pct: Option<f64>,
    /// Mean estimated all-in cost (bps) of the decisions routed here.
    pub avg_cost_bps: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct ReasonShare {
    pub reason: String,
    pub skipped: i64,
    /// Share of skipped decisions.
    pub share_pct: Option<f64>,
}

/// Routed decisions per venue in use ([`stats::venues_in_use`], named by the
/// venue key), then every other venue together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct VenueCounts {
    pub per_venue: Vec<(&'static str, i64)>,
    pub other_venues: i64,
}

impl VenueCounts {
    fn of(row: &GroupRow, venues: &[Venue]) -> VenueCounts {
        VenueCounts {
            per_venue: venues
                .iter()
                .filter_map(|v| v.info().map(|i| (i.key, row.routed_to(*v))))
                .collect(),
            other_venues: row.routed_elsewhere(venues),
        }
    }

    /// The counts as (column, value), `other_venues` last.
    pub(super) fn columns(&self) -> impl Iterator<Item = (&'static str, i64)> + '_ {
        self.per_venue
            .iter()
            .copied()
            .chain(std::iter::once(("other_venues", self.other_venues)))
    }
}

/// The per-venue column names of the venues in use, `other_venues` last.
fn venue_columns(venues: &[Venue]) -> Vec<&'static str> {
    venues
        .iter()
        .filter_map(|v| v.info().map(|i| i.key))
        .chain(std::iter::once("other_venues"))
        .collect()
}

/// A top token of the summary.
#[derive(Debug, Clone)]
pub(super) struct TokenSplit {
    pub token: String,
    pub decisions: i64,
    pub routed: i64,
    pub skipped: i64,
    pub venues: VenueCounts,
}

impl Serialize for TokenSplit {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("token", &self.token)?;
        map.serialize_entry("decisions", &self.decisions)?;
        map.serialize_entry("routed", &self.routed)?;
        map.serialize_entry("skipped", &self.skipped)?;
        for (column, n) in self.venues.columns() {
            map.serialize_entry(column, &n)?;
        }
        map.end()
    }
}

/// One flat `--group-by` row, as written to CSV and JSON (columns in the
/// order of [`group_columns`]).
#[derive(Debug, Clone)]
pub(super) struct GroupView {
    pub key: String,
    pub decisions: i64,
    pub routed: i64,
    pub skipped: i64,
    pub success_rate_pct: Option<f64>,
    pub venues: VenueCounts,
    pub timed: i64,
    pub avg_ms: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub max_ms: Option<f64>,
    pub latency: Latency,
}

impl Serialize for GroupView {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("key", &self.key)?;
        map.serialize_entry("decisions", &self.decisions)?;
        map.serialize_entry("routed", &self.routed)?;
        map.serialize_entry("skipped", &self.skipped)?;
        map.serialize_entry("success_rate_pct", &self.success_rate_pct)?;
        for (column, n) in self.venues.columns() {
            map.serialize_entry(column, &n)?;
        }
        map.serialize_entry("timed", &self.timed)?;
        map.serialize_entry("avg_ms", &self.avg_ms)?;
        map.serialize_entry("p50_ms", &self.p50_ms)?;
        map.serialize_entry("p95_ms", &self.p95_ms)?;
        map.serialize_entry("max_ms", &self.max_ms)?;
        map.serialize_entry("latency_decisions", &self.latency.decisions)?;
        map.serialize_entry("latency_p50_s", &self.latency.p50_s)?;
        map.serialize_entry("latency_p95_s", &self.latency.p95_s)?;
        map.serialize_entry("latency_p99_s", &self.latency.p99_s)?;
        map.serialize_entry("latency_max_s", &self.latency.max_s)?;
        map.end()
    }
}

/// Column names of `--group-by` CSV (and the JSON fields): one column per
/// venue in use (its key) between the counts and the decision times.
#[must_use]
pub(super) fn group_columns(venues: &[Venue]) -> Vec<&'static str> {
    let mut columns = vec!["key", "decisions", "routed", "skipped", "success_rate_pct"];
    columns.extend(venue_columns(venues));
    columns.extend(["timed", "avg_ms", "p50_ms", "p95_ms", "max_ms"]);
    columns.extend([
        "latency_decisions",
        "latency_p50_s",
        "latency_p95_s",
        "latency_p99_s",
        "latency_max_s",
    ]);
    columns
}

impl GroupView {
    fn of(r: GroupRow, venues: &[Venue]) -> GroupView {
        GroupView {
            success_rate_pct: r.success_rate_pct(),
            avg_ms: ms(r.avg_us),
            p50_ms: ms(r.p50_us),
            p95_ms: ms(r.p95_us),
            max_ms: ms(r.max_us),
            latency: Latency::of(&r),
            venues: VenueCounts::of(&r, venues),
            key: r.key,
            decisions: r.decisions,
            routed: r.routed,
            skipped: r.skipped,
            timed: r.timed,
        }
    }
}

/// Runs `summary`.
pub(super) async fn run(common: &CommonArgs, options: &SummaryOptions) -> Result<Outcome> {
    let text = render(common, options).await?;
    emit(options.output.as_deref(), &text)?;
    Ok(Outcome::Success)
}

/// The text `summary` prints (in `args.format`), not written anywhere.
pub(super) async fn render(common: &CommonArgs, options: &SummaryOptions) -> Result<String> {
    let (_, mut client) = common.connect_checked().await?;
    let tx = agent_where::db::read_snapshot(&mut client).await?;
    let window = resolve_window(&tx, &options.window).await?;
    let filters = &options.filters;
    let text = if let Some(group_by) = options.group_by {
        let venues = stats::venues_in_use(&tx).await?;
        let rows = groups(&tx, &window, filters, group_by, &venues).await?;
        render_groups(&rows, group_by, options.format, options.csv, &venues)?
    } else {
        let report = collect(&tx, &window, filters, options.top).await?;
        match options.format {
            Format::Json => json(&report)?,
            Format::Csv => summary_csv(&report, options.csv)?,
            Format::Table => summary_table(&report),
        }
    };
    drop(tx);
    Ok(text)
}

async fn groups(
    tx: &Transaction<'_>,
    window: &Window,
    filters: &FilterSpec,
    key: GroupKey,
    venues: &[Venue],
) -> Result<Vec<GroupView>> {
    let mut rows = stats::group_by(tx, &filters.bind(window), key, None).await?;
    if let Some(since) = window.since {
        rows = stats::fill_time_gaps(rows, key, since, window.until.unwrap_or(window.now));
    }
    Ok(rows.into_iter().map(|r| GroupView::of(r, venues)).collect())
}

/// Reads every figure of the summary from one snapshot.
pub(super) async fn collect(
    tx: &Transaction<'_>,
    window: &Window,
    filters: &FilterSpec,
    top: u32,
) -> Result<SummaryReport> {
    let f = filters.bind(window);
    let totals = stats::totals(tx, &f).await?;
    let venue_rows = stats::group_by(tx, &f, GroupKey::Venue, None).await?;
    let reason_rows = stats::group_by(tx, &f, GroupKey::Reason, None).await?;
    let token_rows = stats::group_by(tx, &f, GroupKey::Token, Some(i64::from(top))).await?;
    let routing_runs = stats::routing_runs(tx, window.since, window.until).await?;
    let venues = stats::venues_in_use(tx).await?;
    let sync_venues: Vec<Venue> = match filters.venue {
        Some(v) => vec![v],
        None => venues.clone(),
    };
    let venue_sync = stats::venue_sync(tx, &sync_venues).await?;
    let chosen_cost = stats::chosen_cost(tx, &f).await?;
    let host = agent_where::db::host::detect(tx).await?;
    let waiting = stats::pending(tx, host).await?;
    let pending = PendingView {
        pending: waiting.pending,
        oldest_age_seconds: waiting.oldest_age_seconds,
        held: waiting.held,
        declined: if host.is_maxxit() {
            Some(stats::declined(tx, window.since, window.until).await?)
        } else {
            None
        },
    };

    let mut by_venue: Vec<VenueShare> = venues
        .iter()
        .map(|v| VenueShare {
            venue: v.as_str().to_owned(),
            routed: 0,
            share_pct: None,
            avg_cost_bps: None,
        })
        .collect();
    for row in venue_rows.iter().filter(|r| r.key != SKIPPED_KEY) {
        match by_venue.iter_mut().find(|v| v.venue == row.key) {
            Some(v) => v.routed = row.routed,
            None => by_venue.push(VenueShare {
                venue: row.key.clone(),
                routed: row.routed,
                share_pct: None,
                avg_cost_bps: None,
            }),
        }
    }
    for v in &mut by_venue {
        v.share_pct = stats::percent(v.routed, totals.routed);
        v.avg_cost_bps = chosen_cost
            .by_venue
            .iter()
            .find(|(name, _)| *name == v.venue)
            .and_then(|(_, c)| c.avg_cost_bps);
    }
    let skips_by_reason = reason_rows
        .iter()
        .filter(|r| r.key != ROUTED_KEY)
        .map(|r| ReasonShare {
            reason: r.key.clone(),
            skipped: r.skipped,
            share_pct: stats::percent(r.skipped, totals.skipped),
        })
        .collect();
    let top_tokens = token_rows
        .into_iter()
        .map(|r| TokenSplit {
            venues: VenueCounts::of(&r, &venues),
            token: r.key,
            decisions: r.decisions,
            routed: r.routed,
            skipped: r.skipped,
        })
        .collect();
    Ok(SummaryReport {
        window: WindowView {
            label: window.label,
            since: window.since,
            until: window.until,
            now: window.now,
        },
        filters: FiltersView {
            token: filters.token.clone(),
            agent: filters.agent,
            venue: filters.venue,
        },
        decisions: totals.decisions,
        routed: totals.routed,
        skipped: totals.skipped,
        success_rate_pct: totals.success_rate_pct(),
        decision_time: DecisionTime {
            timed: totals.timed,
            avg_ms: ms(totals.avg_us),
            p50_ms: ms(totals.p50_us),
            p95_ms: ms(totals.p95_us),
            max_ms: ms(totals.max_us),
        },
        latency: Latency::of(&totals),
        chosen_cost: chosen_cost.all,
        by_venue,
        skips_by_reason,
        top_tokens,
        routing_runs,
        venue_sync,
        pending,
    })
}

pub(super) fn json<T: Serialize>(value: &T) -> Result<String> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests;
