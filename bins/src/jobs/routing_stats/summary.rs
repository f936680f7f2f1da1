//! `routing-stats summary` (the default) and its `--group-by` flat view.

use agent_where::db::stats::{
    self, CostFigures, GroupKey, GroupRow, ROUTED_KEY, RoutingRuns, SKIPPED_KEY, VenueSync,
};
use agent_where::domain::Venue;
use agent_where::venues::registry;
use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::ser::SerializeMap;
use tokio_postgres::Transaction;
use uuid::Uuid;

use super::window::{Window, human_age};
use super::{
    FilterSpec, GroupBy, SummaryOptions, cell, emit, ms, ms_text, pct_text, resolve_window,
    time_text,
};
use crate::cli::{CommonArgs, Outcome};
use crate::output::{CsvMode, Format, Table};

/// Everything `summary` reports, as printed by `--format json`.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryReport {
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
pub struct PendingView {
    pub pending: i64,
    pub oldest_age_seconds: Option<f64>,
    /// Maxxit's schema only: of the pending ones, those held for routing
    /// (`AWAITING_ROUTE`, `setup-agent-where --hold-multi on`).
    pub held: Option<i64>,
    /// Maxxit's schema only: `llm_should_trade = false`, created in the window.
    pub declined: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WindowView {
    pub label: &'static str,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FiltersView {
    pub token: Option<String>,
    pub agent: Option<Uuid>,
    pub venue: Option<Venue>,
}

/// Decision time in milliseconds over the decisions that recorded one.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionTime {
    pub timed: i64,
    pub avg_ms: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub max_ms: Option<f64>,
}

/// Signal-to-decision latency in seconds (`decided_at − signals.created_at`)
/// over the decisions that recorded one (written since migration V12).
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
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
pub struct VenueShare {
    pub venue: String,
    pub routed: i64,
    /// Share of routed decisions.
    pub share_pct: Option<f64>,
    /// Mean estimated all-in cost (bps) of the decisions routed here.
    pub avg_cost_bps: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReasonShare {
    pub reason: String,
    pub skipped: i64,
    /// Share of skipped decisions.
    pub share_pct: Option<f64>,
}

/// Routed decisions per venue in use ([`stats::venues_in_use`], named by the
/// venue key), then every other venue together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueCounts {
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
    fn columns(&self) -> impl Iterator<Item = (&'static str, i64)> + '_ {
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
pub struct TokenSplit {
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
pub struct GroupView {
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
pub fn group_columns(venues: &[Venue]) -> Vec<&'static str> {
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
pub async fn run(common: &CommonArgs, options: &SummaryOptions) -> Result<Outcome> {
    let text = render(common, options).await?;
    emit(options.output.as_deref(), &text)?;
    Ok(Outcome::Success)
}

/// The text `summary` prints (in `args.format`), not written anywhere.
pub async fn render(common: &CommonArgs, options: &SummaryOptions) -> Result<String> {
    let (_, mut client) = common.connect_checked().await?;
    let tx = agent_where::db::read_snapshot(&mut client).await?;
    let window = resolve_window(&tx, &options.window).await?;
    let filters = &options.filters;
    let text = match options.group_by {
        Some(group_by) => {
            let venues = stats::venues_in_use(&tx).await?;
            let rows = groups(&tx, &window, filters, group_by, &venues).await?;
            render_groups(&rows, group_by, options.format, options.csv, &venues)?
        }
        None => {
            let report = collect(&tx, &window, filters, options.top).await?;
            match options.format {
                Format::Json => json(&report)?,
                Format::Csv => summary_csv(&report, options.csv)?,
                Format::Table => summary_table(&report),
            }
        }
    };
    drop(tx);
    Ok(text)
}

async fn groups(
    tx: &Transaction<'_>,
    window: &Window,
    filters: &FilterSpec,
    group_by: GroupBy,
    venues: &[Venue],
) -> Result<Vec<GroupView>> {
    let key = GroupKey::from(group_by);
    let mut rows = stats::group_by(tx, &filters.bind(window), key, None).await?;
    if let Some(since) = window.since {
        rows = stats::fill_time_gaps(rows, key, since, window.until.unwrap_or(window.now));
    }
    Ok(rows.into_iter().map(|r| GroupView::of(r, venues)).collect())
}

/// Reads every figure of the summary from one snapshot.
pub async fn collect(
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

fn json<T: Serialize>(value: &T) -> Result<String> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}

fn render_groups(
    rows: &[GroupView],
    group_by: GroupBy,
    format: Format,
    csv: CsvMode,
    venues: &[Venue],
) -> Result<String> {
    if format == Format::Json {
        return json(&rows);
    }
    // The group key (a token, a venue, a reason, a time) is text; every
    // other column is a number.
    let mut t = Table::new(group_columns(venues)).numbers_from(1);
    for r in rows {
        let counts = [r.decisions, r.routed, r.skipped].map(|n| n.to_string());
        let (rate, times) = if format == Format::Csv {
            (
                cell(r.success_rate_pct),
                [r.avg_ms, r.p50_ms, r.p95_ms, r.max_ms].map(cell),
            )
        } else {
            (
                pct_text(r.success_rate_pct),
                [r.avg_ms, r.p50_ms, r.p95_ms, r.max_ms]
                    .map(|v| v.map_or_else(|| "-".to_owned(), |x| format!("{x:.3}"))),
            )
        };
        let mut cells = vec![r.key.clone()];
        cells.extend(counts);
        cells.push(rate);
        cells.extend(r.venues.columns().map(|(_, n)| n.to_string()));
        cells.push(r.timed.to_string());
        cells.extend(times);
        let l = &r.latency;
        cells.push(l.decisions.to_string());
        let latencies = [l.p50_s, l.p95_s, l.p99_s, l.max_s];
        if format == Format::Csv {
            cells.extend(latencies.map(cell));
        } else {
            cells
                .extend(latencies.map(|v| v.map_or_else(|| "-".to_owned(), |x| format!("{x:.3}"))));
        }
        t.row(cells);
    }
    if format == Format::Csv {
        return t.to_csv(csv);
    }
    if rows.is_empty() {
        return Ok(format!(
            "no decisions in the window (grouped by {})\n",
            group_name(group_by)
        ));
    }
    Ok(t.render())
}

fn group_name(g: GroupBy) -> &'static str {
    GroupKey::from(g).as_str()
}

/// A horizontal bar of `width` cells for a share in percent, drawn with
/// eighth blocks.
#[must_use]
pub fn bar(share_pct: Option<f64>, width: usize) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let share = share_pct.unwrap_or(0.0).clamp(0.0, 100.0) / 100.0;
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let eighths = (share * (width * 8) as f64).round() as usize;
    let mut out = "█".repeat(eighths / 8);
    if eighths % 8 > 0 {
        out.push(PARTS[eighths % 8]);
    }
    out
}

fn window_line(w: &WindowView) -> String {
    let since = w
        .since
        .map_or_else(|| "the beginning".to_owned(), |t| time_text(Some(t)));
    let until = w
        .until
        .map_or_else(|| "now".to_owned(), |t| time_text(Some(t)));
    let name = match w.label {
        "custom" => "custom window".to_owned(),
        "all" => "all history".to_owned(),
        other => format!("last {other}"),
    };
    format!("Routing decisions, {name}: {since} .. {until} (UTC)\n")
}

fn summary_table(r: &SummaryReport) -> String {
    let mut out = window_line(&r.window);
    let mut filters = Vec::new();
    if let Some(t) = &r.filters.token {
        filters.push(format!("token {t}"));
    }
    if let Some(a) = &r.filters.agent {
        filters.push(format!("agent {a}"));
    }
    if let Some(v) = &r.filters.venue {
        filters.push(format!("venue {v} (routed there or checked)"));
    }
    if !filters.is_empty() {
        out.push_str(&format!("Filters: {}\n", filters.join(", ")));
    }
    out.push_str(&format!(
        "\ndecisions {}   routed {}   skipped {}   success rate {}\n",
        r.decisions,
        r.routed,
        r.skipped,
        pct_text(r.success_rate_pct)
    ));
    let d = &r.decision_time;
    out.push_str(&format!(
        "decision time: avg {}  p50 {}  p95 {}  max {}  ({} of {} decisions timed)\n",
        ms_text(d.avg_ms),
        ms_text(d.p50_ms),
        ms_text(d.p95_ms),
        ms_text(d.max_ms),
        d.timed,
        r.decisions
    ));
    let l = &r.latency;
    let secs = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |x| format!("{x:.3} s"));
    out.push_str(&format!(
        "latency (signal to decision): p50 {}  p95 {}  p99 {}  max {}  ({} of {} decisions)\n",
        secs(l.p50_s),
        secs(l.p95_s),
        secs(l.p99_s),
        secs(l.max_s),
        l.decisions,
        r.decisions
    ));

    out.push_str(&cost_line(&r.chosen_cost));
    let mut venues = Table::new(["venue", "routed", "share", "mean cost", ""]);
    for v in &r.by_venue {
        venues.row([
            v.venue.clone(),
            v.routed.to_string(),
            pct_text(v.share_pct),
            bps_text(v.avg_cost_bps),
            bar(v.share_pct, 24),
        ]);
    }
    out.push('\n');
    out.push_str(&venues.render());

    out.push('\n');
    if r.skips_by_reason.is_empty() {
        out.push_str("skip reasons: none\n");
    } else {
        let mut reasons = Table::new(["skip reason", "skipped", "share", ""]);
        for s in &r.skips_by_reason {
            reasons.row([
                s.reason.clone(),
                s.skipped.to_string(),
                pct_text(s.share_pct),
                bar(s.share_pct, 24),
            ]);
        }
        out.push_str(&reasons.render());
    }

    out.push('\n');
    if r.top_tokens.is_empty() {
        out.push_str("tokens: none\n");
    } else {
        let mut headers = vec![
            "token".to_owned(),
            "decisions".to_owned(),
            "routed".to_owned(),
            "skipped".to_owned(),
        ];
        // The venue columns of every token are the venues in use, by label.
        headers.extend(r.top_tokens[0].venues.per_venue.iter().map(|(key, _)| {
            registry::by_key(key).map_or_else(
                || key.to_ascii_uppercase(),
                |s| s.info().venue.as_str().to_owned(),
            )
        }));
        headers.push("other".to_owned());
        let mut tokens = Table::new(headers);
        for t in &r.top_tokens {
            let mut cells = vec![
                t.token.clone(),
                t.decisions.to_string(),
                t.routed.to_string(),
                t.skipped.to_string(),
            ];
            cells.extend(t.venues.columns().map(|(_, n)| n.to_string()));
            tokens.row(cells);
        }
        out.push_str(&tokens.render());
    }

    let runs = &r.routing_runs;
    out.push_str(&format!(
        "\nrouting runs started in the window: {} ({} completed, {} failed, {} running, {} stale); claimed {}, routed {}, skipped {}\n",
        runs.runs,
        runs.completed,
        runs.failed,
        runs.running,
        runs.stale,
        runs.claimed,
        runs.routed,
        runs.skipped
    ));
    if runs.stale > 0 {
        out.push_str(&format!(
            "stale: RUNNING without a heartbeat for more than {}: killed or lost its connection; the next routing run marks it FAILED\n",
            human_age(agent_where::db::routing::RUN_STALE_AFTER.as_secs_f64())
        ));
    }
    out.push_str(&match (&runs.last_status, runs.last_started_at) {
        (Some(status), Some(at)) => format!(
            "last routing run: {status}, started {} UTC ({} ago)\n",
            time_text(Some(at)),
            human_age((r.window.now - at).as_seconds_f64())
        ),
        _ => "last routing run: never\n".to_owned(),
    });
    out.push_str(&pending_line(&r.pending));

    let mut sync = Table::new([
        "venue",
        "last successful sync (UTC)",
        "age",
        "active markets",
        "last attempt",
    ]);
    for v in &r.venue_sync {
        sync.row([
            v.venue.clone(),
            v.last_success_at
                .map_or_else(|| "never".to_owned(), |t| time_text(Some(t))),
            v.age_seconds.map_or_else(|| "-".to_owned(), human_age),
            format!("{} of {}", v.active_markets, v.total_markets),
            match (&v.last_attempt_status, &v.last_attempt_error) {
                (Some(s), Some(e)) if s == "FAILED" => format!("{s}: {e}"),
                (Some(s), _) => s.clone(),
                (None, _) => "-".to_owned(),
            },
        ]);
    }
    out.push('\n');
    out.push_str(&sync.render());
    out
}

/// The signals waiting for routing now, in one line.
fn pending_line(p: &PendingView) -> String {
    let mut line = format!("pending MULTI signals now: {}", p.pending);
    if let Some(age) = p.oldest_age_seconds {
        line.push_str(&format!(", oldest {} old", human_age(age)));
    }
    if let Some(held) = p.held {
        line.push_str(&format!(
            " ({held} held for routing, which Maxxit's executor waits for)"
        ));
    }
    if let Some(declined) = p.declined {
        line.push_str(&format!(
            "; declined by Maxxit's own decision in the window (llm_should_trade = false, never routed): {declined}"
        ));
    }
    line.push('\n');
    line
}

/// `12.34 bps`, `-` when absent.
fn bps_text(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |x| format!("{x:.2} bps"))
}

/// The chosen venue's mean estimated cost, in one line.
fn cost_line(c: &CostFigures) -> String {
    if c.costed == 0 {
        return format!(
            "chosen venue cost: no estimate (0 of {} routed decisions carry one)\n",
            c.routed
        );
    }
    format!(
        "chosen venue cost: mean {} (fees {}, half spread {}, impact {}) over {} of {} routed decisions, {} at the order's notional, the rest top of book\n",
        bps_text(c.avg_cost_bps),
        bps_text(c.avg_fee_bps),
        bps_text(c.avg_half_spread_bps),
        bps_text(c.avg_impact_bps),
        c.costed,
        c.routed,
        c.at_notional
    )
}

/// The summary as long-format CSV: `section,key,metric,value` (empty value =
/// no figure), one figure per row, so it pivots in any spreadsheet.
fn summary_csv(r: &SummaryReport, csv: CsvMode) -> Result<String> {
    let mut t = Table::new(["section", "key", "metric", "value"]).numbers(&["value"]);
    let mut put = |section: &str, key: &str, metric: &str, value: String| {
        t.row([section, key, metric, value.as_str()]);
    };
    put("window", "", "label", r.window.label.to_owned());
    put("window", "", "since", time_text(r.window.since));
    put("window", "", "until", time_text(r.window.until));
    put("window", "", "now", time_text(Some(r.window.now)));
    put("totals", "", "decisions", r.decisions.to_string());
    put("totals", "", "routed", r.routed.to_string());
    put("totals", "", "skipped", r.skipped.to_string());
    put("totals", "", "success_rate_pct", cell(r.success_rate_pct));
    let d = &r.decision_time;
    put("decision_time", "", "timed", d.timed.to_string());
    put("decision_time", "", "avg_ms", cell(d.avg_ms));
    put("decision_time", "", "p50_ms", cell(d.p50_ms));
    put("decision_time", "", "p95_ms", cell(d.p95_ms));
    put("decision_time", "", "max_ms", cell(d.max_ms));
    let l = &r.latency;
    put("latency", "", "decisions", l.decisions.to_string());
    put("latency", "", "p50_s", cell(l.p50_s));
    put("latency", "", "p95_s", cell(l.p95_s));
    put("latency", "", "p99_s", cell(l.p99_s));
    put("latency", "", "max_s", cell(l.max_s));
    let c = &r.chosen_cost;
    put("chosen_cost", "", "costed", c.costed.to_string());
    put("chosen_cost", "", "at_notional", c.at_notional.to_string());
    put("chosen_cost", "", "avg_cost_bps", cell(c.avg_cost_bps));
    put("chosen_cost", "", "avg_fee_bps", cell(c.avg_fee_bps));
    put(
        "chosen_cost",
        "",
        "avg_half_spread_bps",
        cell(c.avg_half_spread_bps),
    );
    put("chosen_cost", "", "avg_impact_bps", cell(c.avg_impact_bps));
    for v in &r.by_venue {
        put("venue", &v.venue, "routed", v.routed.to_string());
        put("venue", &v.venue, "share_pct", cell(v.share_pct));
        put("venue", &v.venue, "avg_cost_bps", cell(v.avg_cost_bps));
    }
    for s in &r.skips_by_reason {
        put("skip_reason", &s.reason, "skipped", s.skipped.to_string());
        put("skip_reason", &s.reason, "share_pct", cell(s.share_pct));
    }
    for tok in &r.top_tokens {
        for (metric, n) in [
            ("decisions", tok.decisions),
            ("routed", tok.routed),
            ("skipped", tok.skipped),
        ]
        .into_iter()
        .chain(tok.venues.columns())
        {
            put("token", &tok.token, metric, n.to_string());
        }
    }
    let runs = &r.routing_runs;
    for (metric, n) in [
        ("runs", runs.runs),
        ("completed", runs.completed),
        ("failed", runs.failed),
        ("running", runs.running),
        ("stale", runs.stale),
        ("claimed", runs.claimed),
        ("routed", runs.routed),
        ("skipped", runs.skipped),
    ] {
        put("routing_runs", "", metric, n.to_string());
    }
    put(
        "routing_runs",
        "",
        "last_status",
        runs.last_status.clone().unwrap_or_default(),
    );
    put(
        "routing_runs",
        "",
        "last_started_at",
        time_text(runs.last_started_at),
    );
    put("pending", "", "pending", r.pending.pending.to_string());
    put(
        "pending",
        "",
        "oldest_age_seconds",
        cell(r.pending.oldest_age_seconds),
    );
    if let Some(held) = r.pending.held {
        put("pending", "", "held", held.to_string());
    }
    if let Some(declined) = r.pending.declined {
        put("pending", "", "declined", declined.to_string());
    }
    for v in &r.venue_sync {
        put(
            "sync",
            &v.venue,
            "last_success_at",
            time_text(v.last_success_at),
        );
        put("sync", &v.venue, "age_seconds", cell(v.age_seconds));
        put(
            "sync",
            &v.venue,
            "active_markets",
            v.active_markets.to_string(),
        );
        put(
            "sync",
            &v.venue,
            "total_markets",
            v.total_markets.to_string(),
        );
        put(
            "sync",
            &v.venue,
            "last_attempt_status",
            v.last_attempt_status.clone().unwrap_or_default(),
        );
    }
    t.to_csv(csv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_with_eighths() {
        assert_eq!(bar(Some(100.0), 4), "████");
        assert_eq!(bar(Some(50.0), 4), "██");
        assert_eq!(bar(Some(12.5), 1), "▏");
        assert_eq!(bar(Some(0.0), 4), "");
        assert_eq!(bar(None, 4), "");
        assert_eq!(bar(Some(250.0), 2), "██");
    }
}
