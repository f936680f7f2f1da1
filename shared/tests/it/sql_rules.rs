//! A rule several statements share is written, one statement per file, in
//! each of them: what "pending" means (and the partial indexes that serve
//! it), what a demo database is, which decisions a `routing-stats` filter
//! selects. These checks read the files and fail when one of them says it
//! differently: a statement that drifted would claim a signal another one
//! does not count, skip the index, or report on other decisions than the
//! summary beside it.

use std::path::Path;

use agent_where::db::demo::DEMO_AGENT_ID;
use agent_where::testing::{SqlFile, sql_files, sql_files_in};

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
    holders(
        &rule(&MAXXIT_RULE, true),
        "s.llm_should_trade IS DISTINCT FROM false",
        &[
            "maxxit/apply_decisions.sql",
            "maxxit/claim_pending.sql",
            "maxxit/count_pending.sql",
            "maxxit/preview_pending.sql",
            "maxxit/stats_pending.sql",
        ],
    );
    let files = sql_files_in(&["signals", "stats"]);
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

/// A demo database: its mark names it, and it holds no other agent's signal
/// (two index probes around the demo agent's id).
fn demo_database_rule() -> String {
    let id = DEMO_AGENT_ID;
    format!(
        "NOT ( EXISTS ( SELECT 1 FROM agent_where_demo_database AS d WHERE d.database_name = current_database() ) \
         AND NOT EXISTS ( SELECT 1 FROM signals AS s WHERE s.agent_id < '{id}' ) \
         AND NOT EXISTS ( SELECT 1 FROM signals AS s WHERE s.agent_id > '{id}' ) )"
    )
}

/// The decision filters of `routing-stats` (window, token, agent, venue) over
/// `routing_decisions AS d`.
const DECISION_FILTER: &str = "($1::timestamptz IS NULL OR d.created_at >= $1::timestamptz) \
    AND ($2::timestamptz IS NULL OR d.created_at < $2::timestamptz) \
    AND ($3::text IS NULL OR upper(d.token_symbol) = upper($3::text) OR upper(d.market_symbol) = upper($3::text) \
    OR upper(d.requested_token) = upper($3::text)) \
    AND ($4::uuid IS NULL OR d.agent_id = $4::uuid) \
    AND ($5::text IS NULL OR d.selected_venue = $5::text OR $5::text = ANY (d.checked_venues))";

/// The files that hold `rule`, which must be exactly `expected`: a new
/// statement that shares the rule's opening but drifted fails too.
fn holders(rule: &str, opening: &str, expected: &[&str]) {
    let rule = normalized(rule);
    let opening = normalized(opening);
    for f in sql_files() {
        let text = normalized(&f.text);
        if expected.contains(&f.name.as_str()) {
            assert!(
                text.contains(&rule),
                "sql/{} does not state the rule as written here: {rule}",
                f.name
            );
        } else {
            assert!(
                !text.contains(&opening),
                "sql/{} starts the rule ({opening}) but is not among its holders {expected:?}: \
                 state it whole and add the file here",
                f.name
            );
        }
    }
}

#[test]
fn the_demo_database_rule_and_the_decision_filter_read_the_same_everywhere() {
    holders(
        &demo_database_rule(),
        "FROM agent_where_demo_database AS d WHERE d.database_name = current_database()",
        &["routing/market_snapshot.sql", "stats/built_in_markets.sql"],
    );
    holders(
        DECISION_FILTER,
        "OR $5::text = ANY (d.checked_venues)",
        &[
            "stats/chosen_cost.sql",
            "stats/export.sql",
            "stats/group_by.sql",
        ],
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
