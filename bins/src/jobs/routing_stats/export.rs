//! `routing-stats export`: every decision of the window, one row per history
//! row, oldest first, streamed from a server-side cursor straight into the
//! output, so memory stays flat however large the window is.

use std::io::{BufWriter, IsTerminal, Write};

use agent_where::db::stats::{self, ExportRow};
use anyhow::{Context, Result};
use indicatif::ProgressBar;

use super::{ExportArgs, resolve_window};
use crate::cli::{CommonArgs, Outcome};
use crate::output::{Column, CsvMode, CsvWriter, Format, Sink};
use crate::progress;

/// The CSV columns of `export`, in order (documented in README.md; append
/// new columns at the end only).
pub const EXPORT_COLUMNS: [&str; 21] = [
    "id",
    "created_at",
    "signal_id",
    "agent_id",
    "token_symbol",
    "market_symbol",
    "outcome",
    "selected_venue",
    "skip_reason",
    "strategy",
    "config_source",
    "checked_venues",
    "routing_duration_us",
    "routing_duration_ms",
    "run_id",
    "original_system",
    "routing_reason",
    "venue_availability",
    "requested_token",
    "decided_at",
    "decision_latency_seconds",
];

/// The numeric columns of `export` (every other column is text, guarded in
/// CSV unless `--csv-raw`).
const EXPORT_NUMBERS: [&str; 4] = [
    "id",
    "routing_duration_us",
    "routing_duration_ms",
    "decision_latency_seconds",
];

/// Rows fetched from the cursor per round trip.
const BATCH: i32 = 2_000;

/// Runs `export`.
pub(super) async fn run(common: &CommonArgs, args: &ExportArgs) -> Result<Outcome> {
    let spec = args.window.validate()?;
    let filters = args.filters.validate()?;
    let (_, mut client) = common.connect_checked().await?;
    let tx = agent_where::db::read_snapshot(&mut client).await?;
    let window = resolve_window(&tx, &spec).await?;
    let f = filters.bind(&window);
    let bar = if common.show_progress() && std::io::stderr().is_terminal() {
        let total = stats::export_count(&tx, &f).await?;
        progress::bar(
            true,
            u64::try_from(total).unwrap_or(0),
            "exporting decisions",
        )
    } else {
        ProgressBar::hidden()
    };
    let mut writer = RowWriter::open(
        args.format,
        args.csv.mode(),
        Sink::open(args.output.as_deref())?,
    )?;
    let written = stats::export(&tx, &f, BATCH, |row| {
        writer.write(&row)?;
        bar.inc(1);
        Ok(())
    })
    .await?;
    drop(tx);
    writer.finish()?.commit()?;
    bar.finish_and_clear();
    if common.log.quiet == 0 {
        eprintln!(
            "routing-stats: exported {written} decision{} to {}",
            if written == 1 { "" } else { "s" },
            args.output
                .as_deref()
                .map_or_else(|| "stdout".to_owned(), |p| format!("`{}`", p.display()))
        );
    }
    Ok(Outcome::Success)
}

/// Writes rows in the chosen format as they arrive.
enum RowWriter {
    Csv(Box<CsvWriter<Sink>>),
    Json(BufWriter<Sink>),
    Table(BufWriter<Sink>),
}

impl RowWriter {
    fn open(format: Format, csv: CsvMode, sink: Sink) -> Result<RowWriter> {
        Ok(match format {
            Format::Csv => {
                let kinds = EXPORT_COLUMNS
                    .iter()
                    .map(|c| {
                        if EXPORT_NUMBERS.contains(c) {
                            Column::Number
                        } else {
                            Column::Text
                        }
                    })
                    .collect();
                let w = CsvWriter::new(sink, &EXPORT_COLUMNS, kinds, csv)
                    .context("cannot write the export")?;
                RowWriter::Csv(Box::new(w))
            }
            Format::Json => RowWriter::Json(BufWriter::new(sink)),
            Format::Table => {
                let mut w = BufWriter::new(sink);
                writeln!(
                    w,
                    "{:<26}  {:<7}  {:<11}  {:<10}  {:<18}  {:>9}  agent",
                    "created_at (UTC)", "outcome", "venue", "token", "skip reason", "time_us"
                )
                .context("cannot write the export")?;
                RowWriter::Table(w)
            }
        })
    }

    fn write(&mut self, row: &ExportRow) -> Result<()> {
        match self {
            RowWriter::Csv(w) => w.write(&csv_record(row)),
            RowWriter::Json(w) => {
                let mut line = serde_json::to_vec(row)?;
                line.push(b'\n');
                w.write_all(&line).map_err(csv::Error::from)
            }
            RowWriter::Table(w) => writeln!(
                w,
                "{:<26}  {:<7}  {:<11}  {:<10}  {:<18}  {:>9}  {}",
                row.created_at.format("%Y-%m-%d %H:%M:%S%.6f"),
                row.outcome,
                row.selected_venue.as_deref().unwrap_or("-"),
                clip(&row.token_symbol, 10),
                row.skip_reason.as_deref().unwrap_or("-"),
                row.routing_duration_us
                    .map_or_else(|| "-".to_owned(), |us| us.to_string()),
                row.agent_id
            )
            .map_err(csv::Error::from),
        }
        .context("cannot write the export")
    }

    fn finish(self) -> Result<Sink> {
        let sink = match self {
            RowWriter::Csv(w) => w.finish().context("cannot write the export")?,
            RowWriter::Json(w) | RowWriter::Table(w) => w
                .into_inner()
                .map_err(|e| anyhow::anyhow!("cannot write the export: {}", e.error()))?,
        };
        Ok(sink)
    }
}

fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(width - 1).collect();
        s.push('…');
        s
    }
}

/// One CSV record in the order of `EXPORT_COLUMNS`; absent values are empty.
fn csv_record(row: &ExportRow) -> [String; 21] {
    let opt = |v: Option<&str>| v.unwrap_or_default().to_owned();
    [
        row.id.to_string(),
        row.created_at.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
        row.signal_id.to_string(),
        row.agent_id.to_string(),
        row.token_symbol.clone(),
        opt(row.market_symbol.as_deref()),
        row.outcome.clone(),
        opt(row.selected_venue.as_deref()),
        opt(row.skip_reason.as_deref()),
        opt(row.strategy.as_deref()),
        opt(row.config_source.as_deref()),
        row.checked_venues.join("|"),
        row.routing_duration_us
            .map(|v| v.to_string())
            .unwrap_or_default(),
        row.routing_duration_ms
            .map(|v| v.to_string())
            .unwrap_or_default(),
        row.run_id.map(|v| v.to_string()).unwrap_or_default(),
        row.original_system.to_string(),
        row.routing_reason.clone(),
        row.venue_availability.to_string(),
        opt(row.requested_token.as_deref()),
        row.decided_at
            .map(|t| t.format("%Y-%m-%d %H:%M:%S%.6f").to_string())
            .unwrap_or_default(),
        row.decision_latency_seconds
            .map(|v| v.to_string())
            .unwrap_or_default(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_marks_cut_text() {
        assert_eq!(clip("BTC", 10), "BTC");
        assert_eq!(clip("AVERYLONGTOKEN", 5), "AVER…");
    }
}
