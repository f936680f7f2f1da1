//! The README must not rot: its two opening commands, its table of
//! binaries, the flags its operations recipes (crontab, GitHub Actions,
//! systemd) and its `run-pipeline` section use, and its audit-trail queries
//! are all checked against the binaries and the schema of this build.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use agent_where::testing::TestDb;
use anyhow::{Context, Result};

use crate::support::bin::{Bin, executable, package_binaries};
use crate::support::routing::pending;

const README: &str = include_str!("../../../README.md");
const PIPELINE: &str = "run-pipeline";
const PIPELINE_PREFIX: &str = "cargo run --bin run-pipeline --";

/// The README's sections: `## title` → body (up to the next `## `).
fn section(title: &str) -> &'static str {
    let start = README
        .find(&format!("\n## {title}\n"))
        .unwrap_or_else(|| panic!("README has no `## {title}` section"));
    let body = &README[start + title.len() + 5..];
    let end = body.find("\n## ").unwrap_or(body.len());
    &body[..end]
}

/// The lines of every fenced code block in `text`.
fn fenced_lines(text: &str) -> Vec<&str> {
    let mut inside = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            inside = !inside;
        } else if inside {
            lines.push(line);
        }
    }
    lines
}

/// Every inline code span (`…`) outside code blocks.
fn inline_spans(text: &str) -> Vec<&str> {
    let mut spans = Vec::new();
    let mut inside_block = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            inside_block = !inside_block;
            continue;
        }
        if inside_block {
            continue;
        }
        let mut parts = line.split('`');
        parts.next();
        while let (Some(span), Some(_)) = (parts.next(), parts.next()) {
            spans.push(span);
        }
    }
    spans
}

/// The first two command lines of the first fenced block (comments cut).
fn top_commands() -> (String, String) {
    let first_block_at = README.find("```").expect("README has a code block");
    assert!(
        !README[..first_block_at].contains("\n## "),
        "the two commands must come before the first section"
    );
    let commands: Vec<String> = fenced_lines(README)
        .into_iter()
        .take(2)
        .map(|l| l.split(" #").next().unwrap_or(l).trim().to_owned())
        .collect();
    (commands[0].clone(), commands[1].clone())
}

/// A binary of this package by name (cargo builds them all for the tests).
fn binary(name: &str) -> PathBuf {
    let path = executable(name);
    assert!(
        path.is_file(),
        "the README names `{name}`, which is not a binary of this build ({})",
        path.display()
    );
    path
}

/// Runs binary `name` with `args`: (exit code, stdout, stderr).
fn run(name: &str, args: &[&str]) -> (i32, String, String) {
    let out = Bin::at(binary(name))
        .args(args)
        .run_blocking()
        .unwrap_or_else(|e| panic!("cannot run {name}: {e:#}"));
    (out.code.unwrap_or(-1), out.stdout, out.stderr)
}

/// The binaries the README's table lists (first column).
fn table_binaries() -> Vec<String> {
    section("Binaries")
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| l.split('`').nth(1).map(str::to_owned))
        .collect()
}

/// The `--help` text that documents the flags of `bin args…`: the
/// subcommand's when the first word names one (`routing-stats health`).
fn help_for(bin: &str, words: &[String]) -> String {
    if let Some(first) = words.first().filter(|w| !w.starts_with('-')) {
        let (code, stdout, _) = run(bin, &[first, "--help"]);
        if code == 0 {
            return stdout;
        }
    }
    let (code, stdout, stderr) = run(bin, &["--help"]);
    assert_eq!(code, 0, "{bin} --help: {stderr}");
    stdout
}

/// Shell words that end one command.
fn ends_command(word: &str) -> bool {
    matches!(word, "|" | "||" | "&&" | ";" | "&")
        || word.starts_with('>')
        || word.starts_with("2>")
        || word.starts_with('#')
}

/// Every `binary words…` invocation in a piece of text.
fn invocations(text: &str, binaries: &[String]) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    let words: Vec<&str> = text.split_whitespace().collect();
    for (i, word) in words.iter().enumerate() {
        let name = word.rsplit(['/', '=']).next().unwrap_or(word);
        if let Some(bin) = binaries.iter().find(|b| *b == name) {
            let args = words[i + 1..]
                .iter()
                .take_while(|w| !ends_command(w))
                .map(|w| (*w).to_owned())
                .collect();
            found.push((bin.clone(), args));
        }
    }
    found
}

#[test]
fn readme_starts_with_the_two_commands() {
    let (pipeline, tests) = top_commands();
    assert!(
        pipeline.starts_with(PIPELINE_PREFIX),
        "first command: {pipeline}"
    );
    assert!(pipeline.contains("--offline") && pipeline.contains("--demo-signals"));
    assert_eq!(tests, "cargo test --workspace");
    let (code, help, _) = run(PIPELINE, &["--help"]);
    assert_eq!(code, 0);
    assert!(help.contains("--offline") && help.contains("--demo-signals"));
}

#[tokio::test]
async fn the_first_command_works_on_a_fresh_database() -> Result<()> {
    let (pipeline, _) = top_commands();
    let args: Vec<&str> = pipeline[PIPELINE_PREFIX.len()..]
        .split_whitespace()
        .collect();
    let db = TestDb::unborn();
    let out = Bin::new(PIPELINE)
        .args(&args)
        .database(db.url())
        .timeout(Duration::from_secs(120))
        .run()
        .await
        .context("the README's first command")?;
    let (stdout, stderr) = (&out.stdout, &out.stderr);
    assert_eq!(out.code, Some(0), "{stdout}\n{stderr}");
    // setup, one sync per registered venue, demo signals, route, summary.
    let steps = agent_where::venues::SOURCES.len() + 4;
    assert!(
        stdout.contains(&format!("[{steps}/{steps}] summary … ok")),
        "{stdout}"
    );
    assert!(stdout.contains("Routing decisions, last day"), "{stdout}");
    let client = db.client().await?;
    assert_eq!(pending(&client).await?, 0);
    Ok(())
}

#[test]
fn every_binary_in_the_table_exists_and_answers_help_and_version() {
    let binaries = table_binaries();
    assert!(binaries.len() >= 7, "binary table: {binaries:?}");
    for name in &binaries {
        let (code, help, stderr) = run(name, &["--help"]);
        assert_eq!(code, 0, "{name} --help: {stderr}");
        assert!(help.contains("Usage:"), "{name} --help: {help}");
        assert!(
            help.contains("Exit codes:"),
            "{name} --help lacks exit codes"
        );
        assert!(help.contains("Examples:"), "{name} --help lacks examples");
        let (code, version, stderr) = run(name, &["--version"]);
        assert_eq!(code, 0, "{name} --version: {stderr}");
        assert!(
            version.starts_with(&format!("{name} ")),
            "{name} --version: {version}"
        );
    }
    // And every binary of the package (`bins/src/bin/*.rs`) is in the table.
    let listed: BTreeSet<&str> = binaries.iter().map(String::as_str).collect();
    let mut sources = 0;
    for name in package_binaries() {
        assert!(
            listed.contains(name.as_str()),
            "`{name}` is a binary but missing from the README's table"
        );
        sources += 1;
    }
    assert_eq!(sources, binaries.len(), "table: {binaries:?}");
}

#[test]
fn recipe_flags_are_accepted_by_their_binaries() {
    let binaries = table_binaries();
    let ops = section("Operations");
    // One command per code line (cron, YAML and unit files put one per line).
    let mut texts: Vec<&str> = fenced_lines(ops);
    texts.extend(inline_spans(ops));
    let mut checked = 0;
    let mut seen = BTreeSet::new();
    for text in &texts {
        for (bin, words) in invocations(text, &binaries) {
            seen.insert(bin.clone());
            let help = help_for(&bin, &words);
            for word in words.iter().filter(|w| w.starts_with("--")) {
                let flag = word.split('=').next().unwrap_or(word);
                assert!(
                    help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
                    "README recipe `{bin} {}`: `{flag}` is not in the --help of `{bin}` (or of its subcommand)",
                    words.join(" ")
                );
                checked += 1;
            }
        }
    }
    // The recipes schedule the syncs, routing, the export and the health check.
    for bin in [
        "sync-ostium-markets",
        "sync-hyperliquid-markets",
        "route-pending-signals",
        "routing-stats",
        "run-pipeline",
    ] {
        assert!(seen.contains(bin), "no recipe runs `{bin}`");
    }
    assert!(checked >= 15, "only {checked} flags checked");
    assert!(ops.contains("SKIP LOCKED") && ops.contains("flock -n"));
}

#[test]
fn run_pipeline_section_flags_exist() {
    let (_, help, _) = run(PIPELINE, &["--help"]);
    let mut checked = 0;
    for span in inline_spans(section("run-pipeline")) {
        for word in span.split_whitespace().filter(|w| w.starts_with("--")) {
            let flag = word.split('=').next().unwrap_or(word);
            assert!(
                help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
                "README run-pipeline section: `{flag}` is not in `run-pipeline --help`"
            );
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} flags checked");
}

#[tokio::test]
async fn audit_trail_queries_run_against_the_schema() -> Result<()> {
    let ops = section("Operations");
    let start = ops.find("```sql").context("no sql block in Operations")?;
    let block = &ops[start + 6..];
    let block = &block[..block.find("```").context("unclosed sql block")?];
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    let mut statements = 0;
    for statement in block.split(';').map(str::trim) {
        let sql: String = statement
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        if sql.trim().is_empty() {
            continue;
        }
        client
            .query(sql.as_str(), &[])
            .await
            .with_context(|| format!("README query fails: {sql}"))?;
        statements += 1;
    }
    assert!(statements >= 3, "only {statements} queries");
    Ok(())
}
