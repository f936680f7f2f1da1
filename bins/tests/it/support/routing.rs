//! Pending signals for routing tests, inserted in one statement, and the
//! invariants every routing test ends with: a signal is decided if and only
//! if it has exactly one history row that agrees with it, and every
//! `routing_runs` row's counters equal its run's history rows.

use anyhow::{Result, ensure};
use tokio_postgres::Client;
use uuid::Uuid;

use super::db::count;

/// Inserts an agent named `name` with venue `venue` (e.g. `MULTI`).
pub(crate) async fn insert_agent_with(client: &Client, name: &str, venue: &str) -> Result<Uuid> {
    Ok(client
        .query_one(
            "INSERT INTO agents (creator_wallet, name, venue, profit_receiver_address)
             VALUES ('0xabc', $1, $2::text::venue_t, '0xabc') RETURNING id",
            &[&name, &venue],
        )
        .await?
        .get(0))
}

/// Inserts an agent whose signals go to `MULTI`.
pub(crate) async fn insert_agent(client: &Client) -> Result<Uuid> {
    insert_agent_with(client, "multi agent", "MULTI").await
}

/// Inserts `n` pending MULTI signals of `agent` in one statement; signal i
/// (1-based) has token `tokens[i % len]` and is i milliseconds old.
pub(crate) async fn insert_signals(
    client: &Client,
    agent: Uuid,
    n: i32,
    tokens: &[&str],
) -> Result<u64> {
    let tokens: Vec<String> = tokens.iter().map(|t| (*t).to_owned()).collect();
    Ok(client
        .execute(
            "INSERT INTO signals (agent_id, token_symbol, venue, side, size_model, risk_model, created_at)
             SELECT $1, ($3::text[])[1 + i % cardinality($3::text[])], 'MULTI',
                    CASE WHEN i % 2 = 0 THEN 'LONG' ELSE 'SHORT' END,
                    '{\"type\": \"balance-percentage\", \"value\": 5, \"leverage\": 3}', '{}',
                    now() - make_interval(secs => i / 1000.0)
             FROM generate_series(1, $2) AS i",
            &[&agent, &n, &tokens],
        )
        .await?)
}

/// Pending MULTI signals.
pub(crate) async fn pending(client: &Client) -> Result<i64> {
    count(
        client,
        "SELECT count(*) FROM signals WHERE venue = 'MULTI' AND skipped_reason IS NULL",
    )
    .await
}

/// The routing invariant: every signal is decided (venue not MULTI, or a
/// skip reason) if and only if it has a history row, no signal has two, and
/// every history row agrees with its signal (routed ⇔ venue set to the
/// selected venue; skipped ⇔ reason set, venue still MULTI). Returns the
/// number of decided signals.
pub(crate) async fn assert_decided_iff_history(client: &Client) -> Result<i64> {
    let duplicates = count(
        client,
        "SELECT count(*) FROM (SELECT signal_id FROM venue_routing_history
                               GROUP BY signal_id HAVING count(*) > 1) AS d",
    )
    .await?;
    ensure!(
        duplicates == 0,
        "{duplicates} signals have several history rows"
    );
    let decided_without_history = count(
        client,
        "SELECT count(*) FROM signals s
         WHERE (s.venue <> 'MULTI' OR s.skipped_reason IS NOT NULL)
           AND NOT EXISTS (SELECT 1 FROM venue_routing_history h WHERE h.signal_id = s.id)",
    )
    .await?;
    ensure!(
        decided_without_history == 0,
        "{decided_without_history} signals were decided without a history row"
    );
    let history_without_decision = count(
        client,
        "SELECT count(*) FROM venue_routing_history h JOIN signals s ON s.id = h.signal_id
         WHERE s.venue = 'MULTI' AND s.skipped_reason IS NULL",
    )
    .await?;
    ensure!(
        history_without_decision == 0,
        "{history_without_decision} history rows belong to signals still pending"
    );
    let disagreeing = count(
        client,
        "SELECT count(*) FROM venue_routing_history h JOIN signals s ON s.id = h.signal_id
         WHERE NOT CASE h.outcome
                   WHEN 'ROUTED' THEN h.selected_venue IS NOT NULL
                                  AND s.venue = h.selected_venue
                                  AND s.skipped_reason IS NULL
                   WHEN 'SKIPPED' THEN h.selected_venue = 'MULTI'
                                   AND s.venue = 'MULTI'
                                   AND s.skipped_reason IS NOT NULL
                   ELSE false
               END",
    )
    .await?;
    ensure!(
        disagreeing == 0,
        "{disagreeing} history rows disagree with their signal"
    );
    count(
        client,
        "SELECT count(*) FROM signals WHERE venue <> 'MULTI' OR skipped_reason IS NOT NULL",
    )
    .await
}

/// Sums of `routing_runs` counters over every run.
pub(crate) async fn run_sums(client: &Client) -> Result<(i64, i64, i64)> {
    let row = client
        .query_one(
            "SELECT coalesce(sum(claimed), 0)::bigint, coalesce(sum(routed), 0)::bigint,
                    coalesce(sum(skipped), 0)::bigint
             FROM routing_runs",
            &[],
        )
        .await?;
    Ok((row.get(0), row.get(1), row.get(2)))
}

/// History counts: (all, routed, skipped).
pub(crate) async fn history_counts(client: &Client) -> Result<(i64, i64, i64)> {
    let row = client
        .query_one(
            "SELECT count(*), count(*) FILTER (WHERE outcome = 'ROUTED'),
                    count(*) FILTER (WHERE outcome = 'SKIPPED')
             FROM venue_routing_history",
            &[],
        )
        .await?;
    Ok((row.get(0), row.get(1), row.get(2)))
}

/// Every `routing_runs` row's counters equal the history rows of its run:
/// claimed, routed, skipped, routed per venue and skipped per reason code.
pub(crate) async fn assert_runs_match_history(client: &Client) -> Result<()> {
    let bad: Vec<String> = client
        .query(
            "WITH h AS (
                 SELECT h.run_id, h.outcome, h.selected_venue::text AS venue,
                        split_part(s.skipped_reason, ':', 1) AS code
                 FROM venue_routing_history h JOIN signals s ON s.id = h.signal_id
             )
             SELECT to_jsonb(r)::text
             FROM routing_runs r
             WHERE r.claimed <> (SELECT count(*) FROM h WHERE h.run_id = r.id)
                OR r.routed <> (SELECT count(*) FROM h WHERE h.run_id = r.id AND h.outcome = 'ROUTED')
                OR r.skipped <> (SELECT count(*) FROM h WHERE h.run_id = r.id AND h.outcome = 'SKIPPED')
                OR r.routed_by_venue <> coalesce((
                       SELECT jsonb_object_agg(x.venue, x.n) FROM (
                           SELECT venue, count(*) AS n FROM h
                           WHERE h.run_id = r.id AND h.outcome = 'ROUTED' GROUP BY venue) x),
                       '{}'::jsonb)
                OR r.skipped_by_reason <> coalesce((
                       SELECT jsonb_object_agg(x.code, x.n) FROM (
                           SELECT code, count(*) AS n FROM h
                           WHERE h.run_id = r.id AND h.outcome = 'SKIPPED' GROUP BY code) x),
                       '{}'::jsonb)",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    ensure!(
        bad.is_empty(),
        "runs whose counters differ from their history: {bad:?}"
    );
    let orphans = count(
        client,
        "SELECT count(*) FROM venue_routing_history h
         WHERE NOT EXISTS (SELECT 1 FROM routing_runs r WHERE r.id = h.run_id)",
    )
    .await?;
    ensure!(orphans == 0, "{orphans} history rows belong to no run");
    Ok(())
}
