//! What a routing run reports: the summary (table or JSON) and the
//! terminal-safe text of its cells.

use std::time::Instant;

use agent_where::routing::Counts;
use anyhow::Result;
use serde::Serialize;
use uuid::Uuid;

use super::RouteOptions;
use crate::output::{self, CsvMode, Format, Table};

/// What a run did (the final summary).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub run_id: Option<Uuid>,
    pub dry_run: bool,
    pub claimed: u64,
    pub routed: u64,
    pub skipped: u64,
    pub routed_by_venue: std::collections::BTreeMap<String, u64>,
    pub skipped_by_reason: std::collections::BTreeMap<String, u64>,
    pub batches: u64,
    pub workers: usize,
    pub batch_size: usize,
    pub elapsed_seconds: f64,
    pub signals_per_second: f64,
    /// Times a batch loaded the market snapshot (the others reused it: no
    /// sync had committed since).
    pub snapshot_loads: u64,
    /// What `--follow` did; absent without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow: Option<FollowSummary>,
}

impl Summary {
    pub(super) fn new(
        run_id: Option<Uuid>,
        options: &RouteOptions,
        counts: Counts,
        batches: u64,
        started: Instant,
    ) -> Summary {
        let elapsed = started.elapsed().as_secs_f64();
        #[allow(clippy::cast_precision_loss)]
        let rate = if elapsed > 0.0 {
            counts.claimed as f64 / elapsed
        } else {
            0.0
        };
        Summary {
            run_id,
            dry_run: options.dry_run,
            claimed: counts.claimed,
            routed: counts.routed,
            skipped: counts.skipped,
            routed_by_venue: counts.routed_by_venue,
            skipped_by_reason: counts.skipped_by_reason,
            batches,
            workers: options.workers,
            batch_size: options.batch_size,
            elapsed_seconds: (elapsed * 1000.0).round() / 1000.0,
            signals_per_second: rate.round(),
            snapshot_loads: 0,
            follow: None,
        }
    }

    pub(super) fn table(&self) -> Table {
        let mut t = Table::new(["metric", "value"]).numbers(&["value"]);
        if let Some(id) = self.run_id {
            t.row(["run".to_owned(), id.to_string()]);
        }
        if self.dry_run {
            t.row(["mode", "dry run (nothing written)"]);
        }
        t.row(["claimed".to_owned(), self.claimed.to_string()]);
        t.row(["routed".to_owned(), self.routed.to_string()]);
        for (venue, n) in &self.routed_by_venue {
            t.row([format!("routed {venue}"), n.to_string()]);
        }
        t.row(["skipped".to_owned(), self.skipped.to_string()]);
        for (reason, n) in &self.skipped_by_reason {
            t.row([format!("skipped {reason}"), n.to_string()]);
        }
        t.row(["batches".to_owned(), self.batches.to_string()]);
        t.row([
            "elapsed s".to_owned(),
            format!("{:.3}", self.elapsed_seconds),
        ]);
        t.row([
            "signals/s".to_owned(),
            format!("{:.0}", self.signals_per_second),
        ]);
        if let Some(f) = &self.follow {
            t.row(["follow s".to_owned(), format!("{:.0}", f.follow_seconds)]);
            t.row(["wake-up".to_owned(), f.wake_up.to_owned()]);
            t.row(["notifications".to_owned(), f.notifications.to_string()]);
            t.row(["polls".to_owned(), f.polls.to_string()]);
            t.row(["reconnects".to_owned(), f.reconnects.to_string()]);
            if let Some(by) = &f.stopped_by {
                t.row(["stopped by".to_owned(), by.clone()]);
            }
        }
        t
    }
}

/// What a following run did besides routing (the summary's `follow`).
#[derive(Debug, Clone, Serialize)]
pub struct FollowSummary {
    /// `--follow` in seconds.
    pub follow_seconds: f64,
    /// `listen` (woken by the trigger's notifications, polling every 5 s as a
    /// safety net) or `poll` (every `--poll-interval`).
    pub wake_up: &'static str,
    pub poll_interval_ms: u64,
    /// Notifications received.
    pub notifications: u64,
    /// Polls sent (one statement each).
    pub polls: u64,
    /// Connections re-opened after one was cut.
    pub reconnects: u64,
    /// `SIGTERM` / `SIGINT` when a signal ended the run early.
    pub stopped_by: Option<String>,
}

/// `text` with control characters escaped (`\u{7}`), so that a hostile
/// token cannot move the terminal's cursor; everything else unchanged.
pub(super) fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

pub(super) fn print_summary(summary: &Summary, format: Format, csv: CsvMode) -> Result<()> {
    match format {
        Format::Json => output::print_json(summary),
        format => output::print_table(&summary.table(), format, csv),
    }
}
