//! The one place that prints data: `--format table|csv|json` to stdout or to
//! `--output FILE` (written atomically: a temporary file renamed into place).
//! Logs and progress go to stderr elsewhere.

use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

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

/// What a CSV column holds; it decides whether a cell is guarded against
/// formula injection (by the column's type, never by the text's look).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Column {
    /// Text, possibly untrusted (tokens, reasons, market names): a cell
    /// starting with a formula character is neutralised.
    #[default]
    Text,
    /// A number (`-0.0001` stays a number). A cell of such a column that is
    /// not a finite number (an empty cell aside) is guarded like text.
    Number,
}

/// How CSV text cells are written: guarded (default) or, with `--csv-raw`,
/// exactly as the data holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvMode {
    /// A text cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage
    /// return (OWASP's list of formula starts) gets a leading `'`, so a
    /// spreadsheet shows it as text instead of evaluating it.
    #[default]
    Guarded,
    /// Every cell as is (`--csv-raw`), for machine consumers.
    Raw,
}

impl CsvMode {
    /// The mode of a `--csv-raw` flag.
    #[must_use]
    pub const fn from_raw_flag(raw: bool) -> CsvMode {
        if raw { CsvMode::Raw } else { CsvMode::Guarded }
    }
}

/// The first characters that make a spreadsheet read a cell as a formula
/// (OWASP, "CSV Injection").
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The one rule every CSV writer applies to a cell: a text cell (or a
/// non-number in a number column) that begins with a formula character is
/// prefixed with `'`, unless `mode` is raw.
#[must_use]
pub fn csv_cell(kind: Column, cell: &str, mode: CsvMode) -> Cow<'_, str> {
    let number = kind == Column::Number
        && (cell.is_empty() || cell.parse::<f64>().is_ok_and(f64::is_finite));
    if mode == CsvMode::Raw || number || !cell.starts_with(FORMULA_START) {
        Cow::Borrowed(cell)
    } else {
        Cow::Owned(format!("'{cell}"))
    }
}

/// A CSV writer whose every record goes through [`csv_cell`] with its
/// columns' kinds: the one way Agent Where writes CSV.
pub struct CsvWriter<W: Write> {
    inner: csv::Writer<W>,
    kinds: Vec<Column>,
    mode: CsvMode,
}

impl<W: Write> CsvWriter<W> {
    /// Writes the header row (never guarded: the names are ours).
    pub fn new<S: AsRef<str>>(
        out: W,
        headers: &[S],
        kinds: Vec<Column>,
        mode: CsvMode,
    ) -> csv::Result<CsvWriter<W>> {
        let mut inner = csv::Writer::from_writer(out);
        inner.write_record(headers.iter().map(AsRef::as_ref))?;
        Ok(CsvWriter { inner, kinds, mode })
    }

    /// Writes one record; a cell beyond the declared kinds is text.
    pub fn write<S: AsRef<str>>(&mut self, cells: &[S]) -> csv::Result<()> {
        let kinds = &self.kinds;
        let mode = self.mode;
        self.inner
            .write_record(cells.iter().enumerate().map(|(i, c)| {
                let kind = kinds.get(i).copied().unwrap_or_default();
                csv_cell(kind, c.as_ref(), mode).into_owned().into_bytes()
            }))
    }

    /// Flushes and returns the output.
    pub fn finish(self) -> Result<W> {
        self.inner
            .into_inner()
            .map_err(|e| anyhow::anyhow!("cannot finish CSV output: {}", e.error()))
    }
}

/// A table of strings: rendered as aligned text or as CSV.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// The kind of each column (text unless declared a number).
    pub kinds: Vec<Column>,
}

impl Table {
    #[must_use]
    pub fn new<I, S>(headers: I) -> Table
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let headers: Vec<String> = headers.into_iter().map(Into::into).collect();
        Table {
            kinds: vec![Column::Text; headers.len()],
            headers,
            rows: Vec::new(),
        }
    }

    /// Declares the columns named in `headers` numbers (CSV leaves their
    /// numbers unguarded); every other column stays text.
    #[must_use]
    pub fn numbers(mut self, headers: &[&str]) -> Table {
        for (h, kind) in self.headers.iter().zip(&mut self.kinds) {
            if headers.contains(&h.as_str()) {
                *kind = Column::Number;
            }
        }
        self
    }

    /// Declares every column from `first` on a number.
    #[must_use]
    pub fn numbers_from(mut self, first: usize) -> Table {
        for kind in self.kinds.iter_mut().skip(first) {
            *kind = Column::Number;
        }
        self
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

    /// CSV with a header row, text cells guarded unless `mode` is raw.
    pub fn to_csv(&self, mode: CsvMode) -> Result<String> {
        let mut writer = CsvWriter::new(Vec::new(), &self.headers, self.kinds.clone(), mode)?;
        for row in &self.rows {
            writer.write(row)?;
        }
        Ok(String::from_utf8(writer.finish()?)?)
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
            noting_closed(std::io::stdout().flush())?;
        }
        Ok(())
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.temp {
            Some(file) => file.write(buf),
            None => noting_closed(std::io::stdout().write(buf)),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.temp {
            Some(file) => file.flush(),
            None => noting_closed(std::io::stdout().flush()),
        }
    }
}

/// Set once a write to stdout failed because its reader went away.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Passes on the result of a write to stdout, noting a broken pipe (the
/// reader went away: `… | head -1`).
fn noting_closed<T>(result: std::io::Result<T>) -> std::io::Result<T> {
    if let Err(e) = &result
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
    result
}

/// Whether a write to stdout failed because its reader went away (`… |
/// head -1`): the job's error is then that, and the run ends quietly with
/// exit 0 (the reader took what it wanted). A broken pipe elsewhere (the
/// database's socket) is not this.
#[must_use]
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// Writes a text block to stdout.
pub fn print_text(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    noting_closed(out.write_all(text.as_bytes()))?;
    noting_closed(out.flush())?;
    Ok(())
}

/// Writes a value as pretty JSON to stdout, with a trailing newline.
pub fn print_json<T: Serialize>(value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    print_text(&text)
}

/// Prints a table in the chosen text format (JSON callers use `print_json`);
/// `csv` applies to CSV only.
pub fn print_table(table: &Table, format: Format, csv: CsvMode) -> Result<()> {
    match format {
        Format::Csv => print_text(&table.to_csv(csv)?),
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
        let csv = t.to_csv(CsvMode::Guarded).expect("csv");
        assert_eq!(csv, "venue,routed\nHYPERLIQUID,12\nOSTIUM,3\n");
    }

    #[test]
    fn text_cells_starting_a_formula_are_guarded_by_the_column_type() {
        let mut t = Table::new(["token", "funding", "reason"]).numbers(&["funding"]);
        for token in [
            "=HYPERLINK(\"http://x.example\",\"BTC\")",
            "+1+cmd|'/C calc'!A0",
            "@SUM(1+1)",
            "-2+3",
            "\tTAB",
            "\rCR",
            "-5",
            "BTC",
        ] {
            t.row([token, "-0.0001", "=1"]);
        }
        t.row(["BTC", "=2", ""]);
        t.row(["BTC", "", "-"]);
        let guarded = t.to_csv(CsvMode::Guarded).expect("csv");
        let raw = t.to_csv(CsvMode::Raw).expect("csv");
        let read = |text: &str| -> Vec<Vec<String>> {
            csv::Reader::from_reader(text.as_bytes())
                .records()
                .map(|r| r.expect("record").iter().map(str::to_owned).collect())
                .collect()
        };
        let (g, r) = (read(&guarded), read(&raw));
        assert_eq!(g.len(), r.len());
        assert_eq!(g.len(), 10);
        for (i, (g, r)) in g.iter().zip(&r).enumerate() {
            assert_eq!(g.len(), 3);
            assert_eq!(r, &t.rows[i], "--csv-raw gives the exact text");
            for (col, (gc, rc)) in g.iter().zip(r).enumerate() {
                let number = col == 1 && (rc.is_empty() || rc.parse::<f64>().is_ok());
                if rc.starts_with(FORMULA_START) && !number {
                    assert_eq!(gc, &format!("'{rc}"), "row {i} column {col}");
                } else {
                    assert_eq!(gc, rc, "row {i} column {col}");
                }
            }
        }
        assert_eq!(g[0][0], "'=HYPERLINK(\"http://x.example\",\"BTC\")");
        assert_eq!(g[3][0], "'-2+3");
        assert_eq!(
            g[6][0], "'-5",
            "a text column is text whatever the value looks like"
        );
        assert_eq!(g[0][1], "-0.0001", "numbers stay numbers");
        assert_eq!(g[8][1], "'=2", "a non-number in a number column is guarded");
        assert!(guarded.contains("\n'-2+3,-0.0001,'=1\n"), "{guarded}");
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
