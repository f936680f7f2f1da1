//! The summary and its `--group-by` view as text: the table for people and
//! the `section,key,metric,value` CSV.

use agent_where::db::stats::{CostFigures, GroupKey};
use agent_where::domain::Venue;
use agent_where::venues::registry;
use anyhow::Result;

use super::super::window::human_age;
use super::super::{cell, ms_text, pct_text, time_text};
use super::{GroupView, PendingView, SummaryReport, WindowView, group_columns, json};
use crate::output::{CsvMode, Format, Table};

pub(super) fn render_groups(
    rows: &[GroupView],
    group_by: GroupKey,
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
            group_by.as_str()
        ));
    }
    Ok(t.render())
}

/// A horizontal bar of `width` cells for a share in percent, drawn with
/// eighth blocks.
#[must_use]
pub(super) fn bar(share_pct: Option<f64>, width: usize) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let share = share_pct.unwrap_or(0.0).clamp(0.0, 100.0) / 100.0;
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let eighths = (share * (width * 8) as f64).round() as usize;
    let mut out = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
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

pub(super) fn summary_table(r: &SummaryReport) -> String {
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
pub(super) fn summary_csv(r: &SummaryReport, csv: CsvMode) -> Result<String> {
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
