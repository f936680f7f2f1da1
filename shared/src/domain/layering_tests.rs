//! The layering rule of `domain`: no file under `src/domain/` reaches a
//! module of the crate outside `domain`, by a crate path or by climbing out
//! with `super`. Every `.rs` file of the directory is read from disk, so a
//! new file is checked without being listed here.
//!
//! The patterns are assembled with `concat!` so that this file, which is
//! checked too, does not spell them.

use std::fs;
use std::path::{Path, PathBuf};

/// The crate-root path prefix.
const CRATE: &str = concat!("crate", "::");
/// One `super` hop.
const SUPER: &str = concat!("super", "::");
/// The one module of the crate a domain file may name from the root.
const DOMAIN: &str = "domain";

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The identifier at the start of `s`.
fn ident(s: &str) -> &str {
    let end = s.find(|c: char| !is_ident(c)).unwrap_or(s.len());
    &s[..end]
}

/// Whether `s` starts a word (no identifier character right before it).
fn word_starts(text: &str, at: usize) -> bool {
    !text[..at].chars().next_back().is_some_and(is_ident)
}

/// The top-level items of a `{ … }` group at the start of `s` (without
/// the braces), or `None` when the group is not closed.
fn group_items(s: &str) -> Option<Vec<&str>> {
    let mut depth = 0usize;
    let mut start = 1;
    let mut items = Vec::new();
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    items.push(&s[start..i]);
                    return Some(items);
                }
            }
            ',' if depth == 1 => {
                items.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    None
}

/// The crate paths in `text` that name something outside `domain`, and the
/// `super` chains longer than `depth` (the file's module depth below
/// `domain`: 0 for `mod.rs`, 1 for `venue.rs`), each with its line number.
fn outside_paths(text: &str, depth: usize) -> Vec<(usize, String)> {
    let line_of = |at: usize| text[..at].matches('\n').count() + 1;
    let mut found = Vec::new();
    for (at, _) in text.match_indices(CRATE) {
        if !word_starts(text, at) {
            continue;
        }
        let rest = text[at + CRATE.len()..].trim_start();
        let inside = if rest.starts_with('{') {
            group_items(rest).is_some_and(|items| {
                items.iter().all(|item| {
                    let item = item.trim();
                    item.is_empty() || ident(item) == DOMAIN
                })
            })
        } else {
            ident(rest) == DOMAIN
        };
        if !inside {
            let line = text[at..].lines().next().unwrap_or_default();
            found.push((line_of(at), line.trim().to_owned()));
        }
    }
    for (at, _) in text.match_indices(SUPER) {
        if !word_starts(text, at) {
            continue;
        }
        // Count the chain once, from its first hop.
        if text[..at].trim_end().ends_with("::") {
            continue;
        }
        let mut hops = 0;
        let mut rest = &text[at..];
        while let Some(after) = rest.strip_prefix(SUPER) {
            hops += 1;
            rest = after.trim_start();
        }
        if hops > depth {
            let line = text[at..].lines().next().unwrap_or_default();
            found.push((line_of(at), line.trim().to_owned()));
        }
    }
    found.sort();
    found
}

/// Every `.rs` file under `dir`, with its module depth below `domain`.
fn rust_files(dir: &Path, depth: usize, out: &mut Vec<(PathBuf, usize)>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, depth + 1, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let is_mod = path.file_name().is_some_and(|n| n == "mod.rs");
            out.push((path, if is_mod { depth } else { depth + 1 }));
        }
    }
}

#[test]
fn domain_files_use_nothing_of_the_crate_outside_domain() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(DOMAIN);
    let mut files = Vec::new();
    rust_files(&root, 0, &mut files);
    files.sort();
    for name in ["mod.rs", "venue.rs", "side.rs", "market.rs", "cost.rs"] {
        assert!(
            files.iter().any(|(p, _)| p.ends_with(name)),
            "{name} not found under {}",
            root.display()
        );
    }
    let mut violations = Vec::new();
    for (path, depth) in &files {
        let text = fs::read_to_string(path).expect("read a domain file");
        for (line, snippet) in outside_paths(&text, *depth) {
            violations.push(format!("{}:{line}: {snippet}", path.display()));
        }
    }
    assert!(
        violations.is_empty(),
        "domain is a leaf: its files may use only `domain` of this crate \
         (move the code that needs more out of domain):\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_check_finds_paths_that_leave_domain() {
    let c = CRATE;
    let s = SUPER;
    let bad = [
        (format!("use {c}venues::registry::Venue;"), 1),
        (format!("let x = {c}config::load();"), 1),
        (format!("use {c}{{domain::Side, venues::source}};"), 1),
        (format!("use {c}{{self}};"), 1),
        (format!("${c}routing::decide!()"), 1),
        (format!("use {s}{s}venues;"), 1),
        (format!("use {s}Side;"), 0),
        (format!("use {s}{s}{s}db;"), 2),
    ];
    for (text, depth) in bad {
        assert_eq!(outside_paths(&text, depth).len(), 1, "not caught: {text}");
    }
    let good = [
        (format!("use {c}domain::Side;"), 1),
        (format!("use {c}{{domain::side::Side, domain::venue}};"), 1),
        (format!("use {s}cost::MarketCost;"), 1),
        (format!("use {s}{s}venue::Venue;"), 2),
        ("use serde::Serialize; pub(super) fn f() {}".to_owned(), 1),
        (format!("mod tests {{ use {s}*; }}"), 1),
    ];
    for (text, depth) in good {
        assert_eq!(outside_paths(&text, depth), Vec::new(), "refused: {text}");
    }
}
