//! The one place that prints data: `--format table|csv|json` to stdout or to
//! `--output FILE` (written atomically: a temporary file renamed into place).
//! Logs and progress go to stderr elsewhere.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::ValueEnum;
use serde::Serialize;

/// Output format of data on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Aligned columns for people.
    #[default]
    Table,
    /// Comma-separated values with a header row.
    Csv,
    /// JSON, pretty-printed.
    Json,
}

/// A table of strings: rendered as aligned text or as CSV.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    #[must_use]
    pub fn new<I, S>(headers: I) -> Table
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Table {
            headers: headers.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    /// Aligned text; numeric-looking cells are right-aligned.
    #[must_use]
    pub fn render(&self) -> String {
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let line = |cells: &[String], out: &mut String| {
            let mut parts = Vec::with_capacity(columns);
            for (i, width) in widths.iter().enumerate() {
                let cell = cells.get(i).map_or("", String::as_str);
                let pad = width.saturating_sub(cell.chars().count());
                if is_numeric(cell) {
                    parts.push(format!("{}{cell}", " ".repeat(pad)));
                } else {
                    parts.push(format!("{cell}{}", " ".repeat(pad)));
                }
            }
            out.push_str(parts.join("  ").trim_end());
            out.push('\n');
        };
        line(&self.headers, &mut out);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(&rule, &mut out);
        for row in &self.rows {
            line(row, &mut out);
        }
        out
    }

    /// CSV with a header row.
    pub fn to_csv(&self) -> Result<String> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&self.headers)?;
        for row in &self.rows {
            writer.write_record(row)?;
        }
        let bytes = writer.into_inner().context("cannot finish CSV output")?;
        Ok(String::from_utf8(bytes)?)
    }
}

fn is_numeric(cell: &str) -> bool {
    let trimmed = cell.trim_end_matches('%').trim_end_matches(" ms");
    !trimmed.is_empty() && trimmed.parse::<f64>().is_ok()
}

/// Where data goes: stdout, or a file replaced atomically on success.
pub struct Sink {
    target: Option<PathBuf>,
    temp: Option<tempfile::NamedTempFile>,
}

impl Sink {
    /// Opens stdout (`None`) or a temporary file beside `path`.
    pub fn open(path: Option<&Path>) -> Result<Sink> {
        match path {
            None => Ok(Sink {
                target: None,
                temp: None,
            }),
            Some(path) => {
                let dir = path
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or_else(|| Path::new("."));
                let temp = tempfile::Builder::new()
                    .prefix(".agent-where-")
                    .tempfile_in(dir)
                    .with_context(|| format!("cannot write to `{}`", dir.display()))?;
                Ok(Sink {
                    target: Some(path.to_owned()),
                    temp: Some(temp),
                })
            }
        }
    }

    /// Renames the temporary file into place (no-op for stdout).
    pub fn commit(self) -> Result<()> {
        if let (Some(target), Some(temp)) = (self.target, self.temp) {
            temp.as_file().sync_all().ok();
            temp.persist(&target)
                .with_context(|| format!("cannot write `{}`", target.display()))?;
        } else {
            std::io::stdout().flush()?;
        }
        Ok(())
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.temp {
            Some(file) => file.write(buf),
            None => std::io::stdout().write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.temp {
            Some(file) => file.flush(),
            None => std::io::stdout().flush(),
        }
    }
}

/// Writes a text block to stdout.
pub fn print_text(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Writes a value as pretty JSON to stdout, with a trailing newline.
pub fn print_json<T: Serialize>(value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    print_text(&text)
}

/// Prints a table in the chosen text format (JSON callers use `print_json`).
pub fn print_table(table: &Table, format: Format) -> Result<()> {
    match format {
        Format::Csv => print_text(&table.to_csv()?),
        Format::Table | Format::Json => print_text(&table.render()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_and_csv_has_header() {
        let mut t = Table::new(["venue", "routed"]);
        t.row(["HYPERLIQUID", "12"]);
        t.row(["OSTIUM", "3"]);
        let text = t.render();
        assert!(text.contains("HYPERLIQUID      12"), "{text}");
        assert!(text.contains("OSTIUM            3"), "{text}");
        let csv = t.to_csv().expect("csv");
        assert_eq!(csv, "venue,routed\nHYPERLIQUID,12\nOSTIUM,3\n");
    }

    #[test]
    fn sink_replaces_file_only_on_commit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old").expect("write");
        let mut sink = Sink::open(Some(&path)).expect("open");
        sink.write_all(b"new").expect("write");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "old");
        sink.commit().expect("commit");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new");
    }
}
