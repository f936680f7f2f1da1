//! What "pending" means is written, one statement per file, in every
//! statement that selects, counts or decides pending signals, and in the
//! partial index those statements use. These checks read the files and fail
//! when one of them says it differently: a statement that drifted would claim
//! a signal another one does not count, or skip the index.

use std::path::Path;

use agent_where::testing::{SqlFile, sql_files_in};

/// Maxxit's schema: MULTI, not skipped, not taken by the executor (or held
/// for routing), no executor error, not declined by Maxxit's own decision,
/// no position.
const MAXXIT_RULE: [&str; 6] = [
    "s.venue = 'MULTI'",
    "s.skipped_reason IS NULL",
    "(s.trade_executed IS NULL OR s.trade_executed = 'AWAITING_ROUTE')",
    "s.executor_agreement_error IS NULL",
    "s.llm_should_trade IS DISTINCT FROM false",
    "NOT EXISTS (SELECT 1 FROM positions AS p WHERE p.signal_id = s.id)",
];

/// Agent Where's own schema: MULTI and not skipped.
const OWN_RULE: [&str; 2] = ["s.venue = 'MULTI'", "s.skipped_reason IS NULL"];

/// The text without `--` comments, white space folded to single spaces.
fn normalized(sql: &str) -> String {
    sql.lines()
        .map(|l| l.split_once("--").map_or(l, |(code, _)| code))
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The rule's conditions joined as the statements write them, with or
/// without the `s.` alias.
fn rule(conditions: &[&str], alias: bool) -> String {
    let text = conditions.join(" AND ");
    if alias { text } else { text.replace("s.", "") }
}

fn file<'a>(files: &'a [SqlFile], name: &str) -> &'a SqlFile {
    files
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("sql/{name} is missing"))
}

fn migration(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn the_pending_rule_reads_the_same_in_every_statement_and_index_that_uses_it() {
    let files = sql_files_in(&["maxxit", "signals", "stats"]);
    let maxxit = rule(&MAXXIT_RULE, true);
    for name in [
        "maxxit/claim_pending.sql",
        "maxxit/preview_pending.sql",
        "maxxit/count_pending.sql",
        "maxxit/stats_pending.sql",
        "maxxit/apply_decisions.sql",
    ] {
        assert!(
            normalized(&file(&files, name).text).contains(&maxxit),
            "sql/{name} does not state Maxxit's pending rule as written here: {maxxit}"
        );
    }
    let own = rule(&OWN_RULE, true);
    for name in [
        "signals/claim_pending.sql",
        "signals/preview_pending.sql",
        "signals/count_pending.sql",
        "signals/apply_decisions.sql",
        "stats/pending.sql",
    ] {
        assert!(
            normalized(&file(&files, name).text).contains(&own),
            "sql/{name} does not state the pending rule as written here: {own}"
        );
    }
    // The partial indexes hold every condition a row of its own can decide
    // (the position is another table's).
    let index = rule(&MAXXIT_RULE[..5], false);
    assert!(
        normalized(&migration("V13__maxxit_pending_and_hold.sql")).contains(&index),
        "signals_maxxit_pending_idx (V13) does not index the pending rule: {index}"
    );
    let index = rule(&OWN_RULE, false);
    assert!(
        normalized(&migration("V2__routing_tables_and_indexes.sql")).contains(&index),
        "signals_multi_pending_idx (V2) does not index the pending rule: {index}"
    );
}

#[test]
fn the_rule_check_reads_through_layout_and_comments_but_not_a_changed_condition() {
    let written = "WHERE s.venue = 'MULTI'  -- a note\n  AND s.skipped_reason IS NULL\n";
    assert!(normalized(written).contains(&rule(&OWN_RULE, true)));
    let drifted = "WHERE s.venue = 'MULTI'\n  AND s.skipped_reason IS NOT NULL\n";
    assert!(!normalized(drifted).contains(&rule(&OWN_RULE, true)));
    assert_eq!(
        rule(&OWN_RULE, false),
        "venue = 'MULTI' AND skipped_reason IS NULL"
    );
}
