//! The README and `docs/` must not rot: the README's two opening commands
//! and its table of binaries, the flags the operations recipes (crontab,
//! GitHub Actions, systemd) and the `run-pipeline` section of
//! `docs/operations.md` use, and its audit-trail queries are all checked
//! against the binaries and the schema of this build. Every page (the README
//! and each `docs/*.md`) names only files that exist (a test path with
//! `::name` names a function of that file), migrations that exist, and
//! relative links whose file and `#anchor` exist; every flag a page gives a
//! binary is in its `--help`; every environment variable a binary reads is
//! in the README.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use agent_where::testing::TestDb;
use anyhow::{Context, Result};

use crate::support::bin::{Bin, executable, package_binaries};
use crate::support::routing::pending;

const README: &str = include_str!("../../../README.md");
/// The operator's manual: recipes, `run-pipeline`, the audit-trail queries.
const OPERATIONS: &str = include_str!("../../../docs/operations.md");
const PIPELINE: &str = "run-pipeline";
const PIPELINE_PREFIX: &str = "cargo run --bin run-pipeline --";
/// The longest the README may grow: it is the entry page, the rest is in `docs/`.
const README_MAX_LINES: usize = 300;

/// A page's sections: `## title` → body (up to the next `## `).
fn section_of<'a>(page: &'a str, title: &str) -> &'a str {
    let start = page
        .find(&format!("\n## {title}\n"))
        .unwrap_or_else(|| panic!("no `## {title}` section"));
    let body = &page[start + title.len() + 5..];
    let end = body.find("\n## ").unwrap_or(body.len());
    &body[..end]
}

/// A section of the README.
fn section(title: &str) -> &'static str {
    section_of(README, title)
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

/// Checks every flag the commands in `pieces` give a binary of `binaries`
/// against its `--help` (or its subcommand's): (flags checked, the binaries
/// run, one line per flag that is not there).
fn check_flags(pieces: &[&str], binaries: &[String]) -> (usize, BTreeSet<String>, Vec<String>) {
    let (mut checked, mut seen, mut wrong) = (0, BTreeSet::new(), Vec::new());
    for piece in pieces {
        for (bin, words) in invocations(piece, binaries) {
            seen.insert(bin.clone());
            let help = help_for(&bin, &words);
            // `cargo run --bin X -- flags`: the bare `--` is cargo's.
            for word in words.iter().filter(|w| w.starts_with("--") && w.len() > 2) {
                let flag = word.split('=').next().unwrap_or(word);
                checked += 1;
                if !(help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n"))) {
                    wrong.push(format!(
                        "`{bin} {}`: `{flag}` is not in the --help of `{bin}` (or of its subcommand)",
                        words.join(" ")
                    ));
                }
            }
        }
    }
    (checked, seen, wrong)
}

#[test]
fn recipe_flags_are_accepted_by_their_binaries() {
    let ops = OPERATIONS;
    // One command per code line (cron, YAML and unit files put one per line).
    let mut texts: Vec<&str> = fenced_lines(ops);
    texts.extend(inline_spans(ops));
    let (checked, seen, wrong) = check_flags(&texts, &table_binaries());
    assert!(wrong.is_empty(), "docs/operations.md: {}", wrong.join("\n"));
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
    for span in inline_spans(section_of(OPERATIONS, "run-pipeline")) {
        for word in span.split_whitespace().filter(|w| w.starts_with("--")) {
            let flag = word.split('=').next().unwrap_or(word);
            assert!(
                help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
                "docs/operations.md run-pipeline section: `{flag}` is not in `run-pipeline --help`"
            );
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} flags checked");
}

#[tokio::test]
async fn audit_trail_queries_run_against_the_schema() -> Result<()> {
    let ops = section_of(OPERATIONS, "Reading the audit trail with psql");
    let start = ops
        .find("```sql")
        .context("no sql block in the audit-trail section")?;
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
            .with_context(|| format!("docs/operations.md query fails: {sql}"))?;
        statements += 1;
    }
    assert!(statements >= 3, "only {statements} queries");
    Ok(())
}

// ---------------------------------------------------------------------------
// Every page (README.md and docs/*.md): files, migrations and links exist.
// ---------------------------------------------------------------------------

/// The repository root (the workspace that holds `bins/`).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("bins/ has a parent")
        .to_path_buf()
}

/// Every page a reader is sent to: `README.md`, then `docs/*.md` sorted, as
/// (path relative to the root, text).
fn pages() -> Vec<(PathBuf, String)> {
    let root = repo_root();
    let mut names = vec![PathBuf::from("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .expect("docs/ is readable")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| PathBuf::from("docs").join(p.file_name().expect("a file name")))
        .collect();
    docs.sort();
    names.extend(docs);
    names
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(root.join(&name))
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", name.display()));
            (name, text)
        })
        .collect()
}

/// The lines of `text` outside fenced code blocks, with their 1-based numbers.
fn prose_lines(text: &str) -> Vec<(usize, &str)> {
    let mut inside = false;
    let mut lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            inside = !inside;
        } else if !inside {
            lines.push((i + 1, line));
        }
    }
    lines
}

/// The anchor GitHub gives a heading: its text without backticks, lower-cased,
/// keeping letters, digits, `-`, `_` and spaces, spaces turned into `-`.
fn slug(heading: &str) -> String {
    heading
        .replace('`', "")
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Every anchor of a Markdown text: one per heading outside code blocks, a
/// repeated one suffixed `-1`, `-2`, … as GitHub does.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for (_, line) in prose_lines(text) {
        let hashes = line.chars().take_while(|c| *c == '#').count();
        let Some(heading) = line.get(hashes..).and_then(|r| r.strip_prefix(' ')) else {
            continue;
        };
        if !(1..=6).contains(&hashes) {
            continue;
        }
        let base = slug(heading);
        let n = seen.entry(base.clone()).or_insert(0);
        out.insert(if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        });
        *n += 1;
    }
    out
}

/// The relative link targets of a Markdown text (`[text](target)` outside
/// code blocks and code spans), with their line numbers.
fn relative_links(text: &str) -> Vec<(usize, String)> {
    let mut links = Vec::new();
    for (number, line) in prose_lines(text) {
        // Code spans are not links: drop every other backtick-separated part.
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        let mut rest = prose.as_str();
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            let end = rest.find(')').unwrap_or(rest.len());
            let target = rest[..end].trim();
            if !target.contains("://") && !target.starts_with("mailto:") {
                links.push((number, target.to_owned()));
            }
            rest = &rest[end..];
        }
    }
    links
}

/// The directories a path a page names may start with.
const REPO_DIRS: [&str; 6] = ["bins/", "shared/", "sql/", "migrations/", "docs/", ".ci/"];

/// Every repository path a text names (`shared/src/x.rs::a_test`,
/// `sql/least_privilege_roles.psql`, `bins/tests/it/`), with its line number:
/// words starting with a directory of the repository. Placeholders (`<venue>`,
/// `*.rs`, `…`) are not paths.
fn named_paths(text: &str) -> Vec<(usize, String)> {
    let mut paths = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let words = line.split(|c: char| {
            c.is_whitespace() || matches!(c, '`' | '(' | ')' | '[' | ']' | ',' | ';' | '"' | '|')
        });
        for word in words {
            // A link's `#anchor` is the link check's concern.
            let word = word.split('#').next().unwrap_or(word);
            let word = word.trim_end_matches(['.', ':']);
            if REPO_DIRS.iter().any(|d| word.starts_with(d))
                && !word.contains(['<', '>', '*', '…', '{', '$'])
            {
                paths.push((i + 1, word.to_owned()));
            }
        }
    }
    paths
}

/// Whether `source` defines a function `name` (`fn name(` or `fn name<`).
fn defines_fn(source: &str, name: &str) -> bool {
    let needle = format!("fn {name}");
    source
        .match_indices(&needle)
        .any(|(at, _)| matches!(source[at + needle.len()..].chars().next(), Some('(' | '<')))
}

#[test]
fn every_path_a_page_names_exists_and_every_named_test_is_in_its_file() {
    let root = repo_root();
    let mut missing = Vec::new();
    let mut tests = 0;
    for (page, text) in pages() {
        for (line, named) in named_paths(&text) {
            let (path, test) = match named.split_once("::") {
                Some((path, test)) => (path, Some(test)),
                None => (named.as_str(), None),
            };
            let file = root.join(path);
            if !file.exists() {
                missing.push(format!(
                    "{}:{line}: `{path}` does not exist",
                    page.display()
                ));
                continue;
            }
            let Some(test) = test else { continue };
            let source = std::fs::read_to_string(&file).unwrap_or_default();
            if defines_fn(&source, test) {
                tests += 1;
            } else {
                missing.push(format!(
                    "{}:{line}: `{path}` has no `fn {test}`",
                    page.display()
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    // The Guarantees table alone names some hundred tests.
    assert!(tests >= 80, "only {tests} named tests checked");
}

/// Migration numbers a text names: `V<n>` as a word (`V11`, `V1__…`) and
/// `migration <n>` / `migrations <n>`, with line numbers.
fn migration_numbers(text: &str) -> Vec<(usize, u32)> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        for (at, c) in chars.iter().enumerate() {
            let starts_word = at == 0 || !(chars[at - 1].is_alphanumeric() || chars[at - 1] == '_');
            if *c != 'V' || !starts_word {
                continue;
            }
            let digits: String = chars[at + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            let after = chars.get(at + 1 + digits.len());
            let ends_word = after.is_none_or(|c| !c.is_alphanumeric() || *c == '_');
            if !digits.is_empty() && ends_word {
                found.push((i + 1, digits.parse().expect("digits")));
            }
        }
        let lower = line.to_lowercase();
        for word in ["migration ", "migrations "] {
            for (at, _) in lower.match_indices(word) {
                let digits: String = lower[at + word.len()..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                if !digits.is_empty() {
                    found.push((i + 1, digits.parse().expect("digits")));
                }
            }
        }
    }
    found
}

#[test]
fn every_migration_a_page_names_has_its_file() {
    let existing: BTreeSet<u32> = std::fs::read_dir(repo_root().join("migrations"))
        .expect("migrations/ is readable")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            let (number, _) = name.strip_prefix('V')?.split_once("__")?;
            number.parse().ok()
        })
        .collect();
    assert!(existing.len() >= 10, "migrations: {existing:?}");
    let mut missing = Vec::new();
    let mut checked = 0;
    for (page, text) in pages() {
        for (line, number) in migration_numbers(&text) {
            checked += 1;
            if !existing.contains(&number) {
                missing.push(format!(
                    "{}:{line}: migration {number} has no migrations/V{number}__*.sql",
                    page.display()
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    assert!(checked >= 5, "only {checked} migration numbers checked");
}

#[test]
fn every_relative_link_reaches_its_file_and_anchor() {
    let root = repo_root().canonicalize().expect("the root exists");
    let mut broken = Vec::new();
    let mut checked = 0;
    let mut linked_pages = BTreeSet::new();
    for (page, text) in pages() {
        let dir = root
            .join(&page)
            .parent()
            .expect("a page's directory")
            .to_path_buf();
        for (line, target) in relative_links(&text) {
            checked += 1;
            let at = format!("{}:{line}: `{target}`", page.display());
            let (path, anchor) = target.split_once('#').unwrap_or((target.as_str(), ""));
            let file = if path.is_empty() {
                root.join(&page)
            } else {
                dir.join(path)
            };
            let Ok(file) = file.canonicalize() else {
                broken.push(format!("{at}: no such file"));
                continue;
            };
            if !file.starts_with(&root) {
                broken.push(format!("{at}: outside the repository"));
                continue;
            }
            if page == Path::new("README.md") {
                linked_pages.insert(file.clone());
            }
            if anchor.is_empty() {
                continue;
            }
            let target_text = std::fs::read_to_string(&file).unwrap_or_default();
            if file.extension().is_none_or(|x| x != "md") || !anchors(&target_text).contains(anchor)
            {
                broken.push(format!("{at}: no heading with anchor #{anchor}"));
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
    assert!(checked >= 30, "only {checked} links checked");
    // The README leads to every page of docs/.
    for (page, _) in pages().iter().skip(1) {
        let file = root.join(page);
        assert!(
            linked_pages.iter().any(|l| *l == file),
            "README.md does not link {}",
            page.display()
        );
    }
}

#[test]
fn the_readme_is_an_entry_page_and_no_page_holds_a_merge_conflict() {
    let lines = README.lines().count();
    assert!(
        lines <= README_MAX_LINES,
        "README.md has {lines} lines, more than {README_MAX_LINES}: move detail into docs/"
    );
    for (page, text) in pages() {
        for (i, line) in text.lines().enumerate() {
            assert!(
                !["<<<<<<< ", "=======", ">>>>>>> "]
                    .iter()
                    .any(|m| line.starts_with(m)),
                "{}:{}: a merge-conflict marker: {line}",
                page.display(),
                i + 1
            );
        }
    }
}

#[test]
fn the_page_checks_read_what_github_shows() {
    // Anchors as GitHub makes them, code blocks and spans excepted.
    let page =
        "# A `b` c\n## Maxxit's hand-off\n## Following: `--follow`\n## X\n## X\n```\n# not\n```\n";
    let found = anchors(page);
    for anchor in [
        "a-b-c",
        "maxxits-hand-off",
        "following---follow",
        "x",
        "x-1",
    ] {
        assert!(found.contains(anchor), "{anchor} not in {found:?}");
    }
    assert!(!found.contains("not"), "{found:?}");
    let links = relative_links("see [a](docs/a.md#b), `[c](d)` and [e](https://x.example/f)\n");
    assert_eq!(links, vec![(1, "docs/a.md#b".to_owned())]);
    let paths =
        named_paths("`bins/tests/it/a.rs::b_c`, (`sql/x.sql`) `shared/fixtures/<venue>/`\n");
    assert_eq!(
        paths,
        vec![
            (1, "bins/tests/it/a.rs::b_c".to_owned()),
            (1, "sql/x.sql".to_owned())
        ]
    );
    let numbers = migration_numbers("V11, (V17) V1__x, GMX v2, VENUE, migration 6; V2a\n");
    assert_eq!(
        numbers.iter().map(|(_, n)| *n).collect::<Vec<_>>(),
        vec![11, 17, 1, 6]
    );
    assert!(defines_fn("fn a_b() {}\nasync fn c<T>()", "c"));
    assert!(!defines_fn("fn a_bc() {}", "a_b"));
}

#[test]
fn every_environment_variable_a_binary_reads_is_in_the_readme() {
    let table = section("Environment");
    let mut read = BTreeSet::new();
    for name in package_binaries() {
        let mut helps = vec![run(&name, &["--help"]).1];
        // Subcommands document their own variables (`routing-stats health`).
        for sub in ["health", "export", "show", "set", "list", "remove"] {
            let (code, help, _) = run(&name, &[sub, "--help"]);
            if code == 0 {
                helps.push(help);
            }
        }
        for help in helps {
            for (at, _) in help.match_indices("[env: ") {
                let rest = &help[at + 6..];
                let end = rest.find(['=', ']']).unwrap_or(rest.len());
                read.insert(rest[..end].to_owned());
            }
        }
    }
    assert!(read.len() >= 20, "variables found in --help: {read:?}");
    let missing: Vec<&String> = read
        .iter()
        .filter(|v| !table.contains(&format!("`{v}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "README's Environment table does not name {missing:?}"
    );
}

#[test]
fn every_flag_a_page_gives_a_binary_is_in_its_help() {
    let binaries = table_binaries();
    let mut wrong = Vec::new();
    let mut checked = 0;
    for (page, text) in pages() {
        let mut texts: Vec<&str> = fenced_lines(&text);
        texts.extend(inline_spans(&text));
        let (page_checked, _, page_wrong) = check_flags(&texts, &binaries);
        checked += page_checked;
        wrong.extend(
            page_wrong
                .into_iter()
                .map(|w| format!("{}: {w}", page.display())),
        );
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(checked >= 60, "only {checked} flags checked");
}
