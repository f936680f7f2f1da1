//! Agent Where inside Maxxit as Maxxit runs today (`maxxit_2026.sql`: its
//! schema of 2026 with its executor's columns, deployments and positions):
//! executed signals are never touched, deployments and open positions decide
//! where a signal may go, a skip is binding for Maxxit's executor as it is,
//! and Maxxit's dashboard table gets a row per decision.

use std::collections::BTreeMap;

use agent_where::testing::TestDb;
use anyhow::Result;
use serde_json::Value;
use tokio_postgres::Client;
use uuid::Uuid;

use crate::support::bin::{Bin, Output, run};
use crate::support::db::count;
use crate::support::markets::sync_recorded;

pub(crate) const MAXXIT_2026: &str = include_str!("../../../shared/tests/fixtures/maxxit_2026.sql");

/// Signals of the fixture, by the role they play.
const EXECUTED_OPEN_BTC: &str = "50000000-0000-4000-8000-000000000001";
const EXECUTED_30H_AGO: &str = "50000000-0000-4000-8000-000000000002";
const RETRYABLE: &str = "50000000-0000-4000-8000-000000000003";
const EXECUTED_FAILED: &str = "50000000-0000-4000-8000-000000000004";
const ETH_BOTH_VENUES: &str = "50000000-0000-4000-8000-000000000005";
const XAU_HYPERLIQUID_ONLY: &str = "50000000-0000-4000-8000-000000000006";
const ETH_PAUSED: &str = "50000000-0000-4000-8000-000000000007";
const BTC_WITH_OPEN_OSTIUM_POSITION: &str = "50000000-0000-4000-8000-000000000008";
const DOGE_OSTIUM_ONLY: &str = "50000000-0000-4000-8000-000000000009";
const LINK_CONFLICT: &str = "50000000-0000-4000-8000-00000000000a";
const LINK_EXECUTED_OSTIUM: &str = "50000000-0000-4000-8000-00000000000b";
const LINK_EXECUTED_HYPERLIQUID: &str = "50000000-0000-4000-8000-00000000000c";
const XAU_NO_DEPLOYMENT: &str = "50000000-0000-4000-8000-00000000000d";
const SOL_31H_OLD: &str = "50000000-0000-4000-8000-00000000000e";
const SINGLE_VENUE_AGENT: &str = "50000000-0000-4000-8000-00000000000f";

/// Signals Maxxit's executor has taken (or that are not MULTI): never touched.
const TAKEN: [&str; 7] = [
    EXECUTED_OPEN_BTC,
    EXECUTED_30H_AGO,
    RETRYABLE,
    EXECUTED_FAILED,
    LINK_EXECUTED_OSTIUM,
    LINK_EXECUTED_HYPERLIQUID,
    SINGLE_VENUE_AGENT,
];

/// Maxxit's executor query (services/trade-executor-worker/src/worker.ts,
/// every 30 s), as SQL: what it will execute next. MULTI executes as OSTIUM.
const EXECUTOR_QUERY: &str = "
SELECT s.id::text, s.venue::text
FROM signals AS s
JOIN agents AS a ON a.id = s.agent_id
JOIN agent_deployments AS d ON d.id = s.deployment_id
WHERE s.deployment_id IS NOT NULL
  AND (s.trade_executed IS NULL
       OR (s.executor_agreement_error ILIKE '%RETRYABLE%' AND s.created_at >= now() - interval '24 hours'))
  AND s.llm_should_trade = true
  AND s.llm_fund_allocation > 0
  AND a.status IN ('PUBLIC', 'PRIVATE')
  AND d.status = 'ACTIVE'
  AND NOT EXISTS (SELECT 1 FROM positions AS p WHERE p.signal_id = s.id AND p.deployment_id = s.deployment_id)
ORDER BY s.created_at";

/// Maxxit's Telegram notification worker
/// (services/telegram-notification-worker/src/worker.ts, processNotifications),
/// as SQL: the signals of the last 24 h with a deployment it tells the agent's
/// followers about, with the notification type and the reason it gives.
/// `llm_should_trade = false` is "not traded"; with `llm_should_trade = true`,
/// `trade_executed = 'FAILED'` is "not traded" with `execution_result` as the
/// reason, `SUCCESS` with a position is "executed"; NULL or any other value
/// is "waiting" (not selected). (The queue variant, worker-queue.ts, selects
/// the same.) Its de-duplication by `notification_logs` is left out.
const NOTIFIER_QUERY: &str = "
SELECT s.id::text,
       CASE WHEN s.llm_should_trade = false OR s.trade_executed = 'FAILED'
            THEN 'SIGNAL_NOT_TRADED' ELSE 'SIGNAL_EXECUTED' END,
       CASE WHEN s.llm_should_trade = false THEN coalesce(s.skipped_reason, 'Agent decided not to trade')
            WHEN s.trade_executed = 'FAILED'
            THEN coalesce(s.execution_result, 'Trade execution failed (unknown error)') END
FROM signals AS s
JOIN agent_deployments AS d ON d.id = s.deployment_id
WHERE s.created_at >= now() - interval '24 hours'
  AND (s.llm_should_trade = false
       OR (s.llm_should_trade = true
           AND (s.trade_executed = 'FAILED'
                OR (s.trade_executed = 'SUCCESS'
                    AND EXISTS (SELECT 1 FROM positions AS p WHERE p.signal_id = s.id)))))";

/// What Maxxit's notifier would tell the followers now: signal id →
/// (notification type, reason).
async fn notifier_sees(client: &Client) -> Result<BTreeMap<String, (String, Option<String>)>> {
    Ok(client
        .query(NOTIFIER_QUERY, &[])
        .await?
        .iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2))))
        .collect())
}

/// A Maxxit database set up by Agent Where, with both venues synced from
/// the recorded responses (January 2026).
pub(crate) async fn maxxit_ready() -> Result<(TestDb, Client)> {
    let db = TestDb::empty().await?;
    let client = db.client().await?;
    client.batch_execute(MAXXIT_2026).await?;
    run("setup-agent-where", db.url(), &[])
        .await?
        .expect_code(0, "setup on Maxxit's schema");
    sync_recorded(db.url()).await?;
    Ok((db, client))
}

/// Routes the fixture's pending signals (its markets were recorded in
/// January 2026, so any market age is accepted), with `extra` flags; the run
/// must exit 0.
async fn route(db: &TestDb, extra: &[&str]) -> Result<Output> {
    let mut args = vec!["--max-market-age", "1000d"];
    args.extend_from_slice(extra);
    let out = run("route-pending-signals", db.url(), &args).await?;
    out.expect_code(
        0,
        &format!("route-pending-signals {extra:?} on Maxxit's schema"),
    );
    Ok(out)
}

/// Every column of the given signals and of their positions, as JSON.
async fn rows_of(client: &Client, ids: &[&str]) -> Result<BTreeMap<String, Value>> {
    let ids: Vec<Uuid> = ids.iter().map(|i| i.parse()).collect::<Result<_, _>>()?;
    let mut out = BTreeMap::new();
    for row in client
        .query(
            "SELECT s.id::text, to_jsonb(s) || jsonb_build_object('positions',
                    (SELECT coalesce(jsonb_agg(to_jsonb(p) ORDER BY p.id), '[]') FROM positions p WHERE p.signal_id = s.id))
             FROM signals s WHERE s.id = ANY($1)",
            &[&ids],
        )
        .await?
    {
        out.insert(row.get(0), row.get(1));
    }
    Ok(out)
}

#[derive(Debug)]
struct State {
    venue: String,
    skipped_reason: Option<String>,
    trade_executed: Option<String>,
    execution_result: Option<String>,
    history: Vec<(String, Option<String>, String, Value)>,
}

async fn state(client: &Client, id: &str) -> Result<State> {
    let id: Uuid = id.parse()?;
    let s = client
        .query_one(
            "SELECT venue::text, skipped_reason, trade_executed, execution_result FROM signals WHERE id = $1",
            &[&id],
        )
        .await?;
    let history = client
        .query(
            "SELECT outcome, selected_venue::text, routing_reason, venue_availability
             FROM venue_routing_history WHERE signal_id = $1 AND outcome IS NOT NULL",
            &[&id],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    Ok(State {
        venue: s.get(0),
        skipped_reason: s.get(1),
        trade_executed: s.get(2),
        execution_result: s.get(3),
        history,
    })
}

/// What Maxxit's executor would execute next: signal id → venue.
async fn executor_sees(client: &Client) -> Result<BTreeMap<String, String>> {
    Ok(client
        .query(EXECUTOR_QUERY, &[])
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
}

fn skip_code(s: &State) -> &str {
    s.skipped_reason
        .as_deref()
        .and_then(|r| r.split(':').next())
        .unwrap_or("")
}

#[tokio::test]
async fn executed_and_taken_signals_are_never_claimed_changed_or_expired() -> Result<()> {
    let (db, client) = maxxit_ready().await?;
    let before = rows_of(&client, &TAKEN).await?;
    let out = route(&db, &["--format", "json"]).await?;
    assert_eq!(rows_of(&client, &TAKEN).await?, before);
    for id in TAKEN {
        let history = count(
            &client,
            &format!("SELECT count(*) FROM venue_routing_history WHERE signal_id = '{id}' AND outcome IS NOT NULL"),
        )
        .await?;
        assert_eq!(history, 0, "{id} got a decision");
    }
    // The other eight MULTI signals were decided, each once.
    assert_eq!(out.json()["claimed"], 8, "{}", out.show());
    // A second run finds nothing: the skipped ones are decided, the taken ones not pending.
    let again = run("route-pending-signals", db.url(), &["--format", "json"]).await?;
    again.expect_code(0, "second run");
    assert_eq!(again.json()["claimed"], 0);
    Ok(())
}

#[tokio::test]
async fn deployments_and_open_positions_decide_where_a_signal_goes() -> Result<()> {
    let (db, client) = maxxit_ready().await?;
    route(&db, &[]).await?;

    // Both venues enabled: the priority order decides.
    let eth = state(&client, ETH_BOTH_VENUES).await?;
    assert_eq!(eth.venue, "HYPERLIQUID", "{eth:?}");

    // The deployment enables Hyperliquid only; gold is on Ostium only.
    let xau = state(&client, XAU_HYPERLIQUID_ONLY).await?;
    assert_eq!(xau.venue, "MULTI");
    assert_eq!(skip_code(&xau), "NO_ENABLED_VENUE", "{xau:?}");
    assert!(
        xau.history[0].2.contains("OSTIUM: NOT_ENABLED"),
        "{}",
        xau.history[0].2
    );
    assert_eq!(xau.history[0].3["OSTIUM"]["reason"], "NOT_ENABLED");

    // A paused deployment's signal.
    let paused = state(&client, ETH_PAUSED).await?;
    assert_eq!(skip_code(&paused), "DEPLOYMENT_INACTIVE", "{paused:?}");
    assert!(paused.history[0].2.contains("is PAUSED"), "{paused:?}");

    // The deployment holds BTC on Ostium: the signal goes there, ahead of the
    // priority list (Hyperliquid first) and audited as OPEN_POSITION.
    let btc = state(&client, BTC_WITH_OPEN_OSTIUM_POSITION).await?;
    assert_eq!(btc.venue, "OSTIUM", "{btc:?}");
    let (outcome, selected, reason, availability) = &btc.history[0];
    assert_eq!(
        (outcome.as_str(), selected.as_deref()),
        ("ROUTED", Some("OSTIUM"))
    );
    assert!(reason.contains("OPEN_POSITION"), "{reason}");
    assert_eq!(availability["OSTIUM"]["open_position"], true);
    assert!(availability.get("HYPERLIQUID").is_none(), "{availability}");

    // Ostium only, and DOGE is listed on Hyperliquid only: refused because
    // of the deployment, so NO_ENABLED_VENUE (Ostium keeps its own verdict).
    let doge = state(&client, DOGE_OSTIUM_ONLY).await?;
    assert_eq!(skip_code(&doge), "NO_ENABLED_VENUE", "{doge:?}");
    assert_eq!(doge.history[0].3["HYPERLIQUID"]["enabled"], false);
    assert!(doge.history[0].3["OSTIUM"].get("enabled").is_none());
    assert!(
        doge.history[0]
            .2
            .contains("HYPERLIQUID: NOT_ENABLED → OSTIUM: NOT_LISTED"),
        "{}",
        doge.history[0].2
    );

    // Open LINK positions on both venues (`LINK` and `LINK-PERP` are one
    // token after normalisation): a conflict, skipped.
    let link = state(&client, LINK_CONFLICT).await?;
    assert_eq!(skip_code(&link), "CONFLICTING_POSITIONS", "{link:?}");
    assert!(
        link.history[0].2.contains("HYPERLIQUID and OSTIUM"),
        "{}",
        link.history[0].2
    );

    // No deployment: routed as before.
    let plain = state(&client, XAU_NO_DEPLOYMENT).await?;
    assert_eq!(plain.venue, "OSTIUM", "{plain:?}");

    // Nothing executed it, so a 31-hour-old signal expires.
    let old = state(&client, SOL_31H_OLD).await?;
    assert_eq!(skip_code(&old), "SIGNAL_EXPIRED", "{old:?}");
    Ok(())
}

#[tokio::test]
async fn a_skip_is_binding_for_maxxits_executor_and_routed_signals_reach_it() -> Result<()> {
    let (db, client) = maxxit_ready().await?;
    // Before routing the executor would run the MULTI signals (as Ostium).
    let before = executor_sees(&client).await?;
    assert_eq!(
        before.get(ETH_BOTH_VENUES).map(String::as_str),
        Some("MULTI")
    );
    assert_eq!(
        before.get(XAU_HYPERLIQUID_ONLY).map(String::as_str),
        Some("MULTI")
    );
    route(&db, &[]).await?;
    let after = executor_sees(&client).await?;
    // Routed signals reach it with their venue; skipped ones drop out.
    assert_eq!(
        after.get(ETH_BOTH_VENUES).map(String::as_str),
        Some("HYPERLIQUID")
    );
    assert_eq!(
        after.get(BTC_WITH_OPEN_OSTIUM_POSITION).map(String::as_str),
        Some("OSTIUM")
    );
    for skipped in [XAU_HYPERLIQUID_ONLY, DOGE_OSTIUM_ONLY, LINK_CONFLICT] {
        assert!(!after.contains_key(skipped), "{skipped} still executable");
        let s = state(&client, skipped).await?;
        assert_eq!(s.trade_executed.as_deref(), Some("FAILED"));
        let result = s.execution_result.expect("execution_result");
        assert_eq!(
            Some(result.as_str()),
            s.skipped_reason
                .as_ref()
                .map(|r| format!("Agent Where: {r}"))
                .as_deref()
        );
    }
    // The only MULTI signal left for it is the one it already took (a retry).
    let multi: Vec<&String> = after
        .iter()
        .filter(|(_, v)| v.as_str() == "MULTI")
        .map(|(k, _)| k)
        .collect();
    assert_eq!(multi, [RETRYABLE]);
    Ok(())
}

#[tokio::test]
async fn without_executor_marks_a_skip_stays_invisible_to_the_executor() -> Result<()> {
    let (db, client) = maxxit_ready().await?;
    route(&db, &["--no-executor-marks"]).await?;
    let s = state(&client, XAU_HYPERLIQUID_ONLY).await?;
    assert_eq!(skip_code(&s), "NO_ENABLED_VENUE");
    assert_eq!(s.trade_executed, None);
    assert_eq!(s.execution_result, None);
    Ok(())
}

#[tokio::test]
async fn maxxits_dashboard_table_gets_a_row_per_decision_unless_turned_off() -> Result<()> {
    let (db, client) = maxxit_ready().await?;
    let before = count(&client, "SELECT count(*) FROM agent_routing_history").await?;
    route(&db, &[]).await?;
    let decisions = count(
        &client,
        "SELECT count(*) FROM venue_routing_history WHERE outcome IS NOT NULL",
    )
    .await?;
    assert_eq!(decisions, 8);
    let rows = client
        .query(
            "SELECT a.selected_venue::text, a.routing_reason, a.requested_venues, a.checked_venues,
                    a.venue_availability = h.venue_availability, h.outcome, h.selected_venue::text
             FROM agent_routing_history a
             JOIN venue_routing_history h ON h.signal_id = a.signal_id AND h.outcome IS NOT NULL
             WHERE a.routing_reason = h.routing_reason",
            &[],
        )
        .await?;
    assert_eq!(rows.len() as i64, decisions);
    for r in &rows {
        let (selected, outcome, history_selected): (Option<String>, String, String) =
            (r.get(0), r.get(5), r.get(6));
        match outcome.as_str() {
            "ROUTED" => assert_eq!(selected.as_deref(), Some(history_selected.as_str())),
            _ => assert_eq!(selected, None, "a skip has no venue there"),
        }
        assert!(r.get::<_, bool>(4), "same availability JSON");
        assert_eq!(
            r.get::<_, Vec<String>>(2),
            ["HYPERLIQUID", "OSTIUM"],
            "requested = the configured priority"
        );
    }
    assert_eq!(
        count(&client, "SELECT count(*) FROM agent_routing_history").await?,
        before + decisions
    );

    // Turned off: nothing more is written there.
    let (db, client) = maxxit_ready().await?;
    route(&db, &["--no-agent-routing-history"]).await?;
    assert_eq!(
        count(&client, "SELECT count(*) FROM agent_routing_history").await?,
        before
    );
    Ok(())
}

#[tokio::test]
async fn health_reports_multi_signals_the_executor_ran_without_a_decision() -> Result<()> {
    let (db, client) = maxxit_ready().await?;
    route(&db, &[]).await?;
    let health = |db_url: String| async move {
        run(
            "routing-stats",
            &db_url,
            &["health", "--max-sync-age", "1000d", "--format", "csv"],
        )
        .await
    };
    // The fixture's BTC signal ran as MULTI (an Ostium position) two hours ago.
    let out = health(db.url().to_owned()).await?;
    out.expect_code(1, "health on the fixture");
    let line = out.line("executed-unrouted");
    assert!(line.contains(",FAIL,1,0,"), "{line}");
    // Taken signals are not pending (the 30-hour-old executed one would be).
    assert!(out.line("pending-age").contains(",OK,"), "{}", out.show());
    // Once no such signal is in the window, the check passes.
    client
        .batch_execute(
            "UPDATE signals SET created_at = now() - interval '3 days'
             WHERE id = '50000000-0000-4000-8000-000000000001'",
        )
        .await?;
    let out = health(db.url().to_owned()).await?;
    let line = out.line("executed-unrouted");
    assert!(line.contains(",OK,0,0,"), "{line}");
    Ok(())
}

/// Maxxit's own columns of its own sync scripts' rows (`USD`, `DAX`).
async fn maxxits_rows(client: &Client) -> Result<Vec<String>> {
    Ok(client
        .query(
            "SELECT jsonb_build_object('token', token_symbol, 'name', market_name,
                    'index', market_index, 'active', is_active, 'min', min_position::text,
                    'lev', max_leverage, 'group', \"group\", 'price', current_price::text,
                    'synced', last_synced::text)::text
             FROM venue_markets WHERE venue = 'OSTIUM' AND token_symbol IN ('USD', 'DAX')
             ORDER BY token_symbol",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// Maxxit's signal generator asks `venue_markets` whether a token trades on a
/// venue right now: `token_symbol = upper(token) AND is_active`.
async fn maxxit_says_tradable(client: &Client, venue: &str, token: &str) -> Result<bool> {
    Ok(client
        .query_opt(
            "SELECT 1 FROM venue_markets
             WHERE venue = $1::text::venue_t AND token_symbol = upper($2) AND is_active",
            &[&venue, &token],
        )
        .await?
        .is_some())
}

#[tokio::test]
async fn both_writers_of_venue_markets_keep_their_rows_and_meaning() -> Result<()> {
    let db = TestDb::empty().await?;
    let client = db.client().await?;
    client.batch_execute(MAXXIT_2026).await?;
    let theirs = maxxits_rows(&client).await?;
    assert_eq!(theirs.len(), 2);
    run("setup-agent-where", db.url(), &[])
        .await?
        .expect_code(0, "setup on Maxxit's schema");
    // Two syncs: the second one's sweep sees the first one's rows.
    sync_recorded(db.url()).await?;
    sync_recorded(db.url()).await?;

    // Rows only Maxxit's scripts keep are neither delisted nor rewritten.
    assert_eq!(maxxits_rows(&client).await?, theirs);
    let untouched = count(
        &client,
        "SELECT count(*) FROM venue_markets
         WHERE token_symbol IN ('USD', 'DAX') AND delisted_at IS NULL AND base_symbol IS NULL",
    )
    .await?;
    assert_eq!(untouched, 2);

    // `is_active` keeps Maxxit's meaning (tradable now): a closed stock market
    // is listed (no delisted_at) yet inactive; an open one is active.
    let tsla = client
        .query_one(
            "SELECT is_active, delisted_at IS NULL, market_open FROM venue_markets
             WHERE venue = 'OSTIUM' AND token_symbol = 'TSLA'",
            &[],
        )
        .await?;
    assert_eq!(
        (
            tsla.get::<_, bool>(0),
            tsla.get::<_, bool>(1),
            tsla.get::<_, Option<bool>>(2)
        ),
        (false, true, Some(false)),
        "closed at the capture"
    );
    assert!(!maxxit_says_tradable(&client, "OSTIUM", "tsla").await?);
    assert!(maxxit_says_tradable(&client, "OSTIUM", "btc").await?);
    assert!(maxxit_says_tradable(&client, "HYPERLIQUID", "eth").await?);
    // The sync's own count is of listed markets, closed ones included.
    let listed = count(
        &client,
        "SELECT count(*) FROM venue_markets WHERE venue = 'OSTIUM' AND base_symbol IS NOT NULL
         AND delisted_at IS NULL",
    )
    .await?;
    assert_eq!(listed, 52);

    // Routing tells closed from delisted: a TSLA signal is skipped because
    // Ostium's market is closed (Hyperliquid's HIP-3 TSLA is not eligible).
    client
        .execute(
            "UPDATE signals SET token_symbol = 'TSLA' WHERE id = $1",
            &[&ETH_BOTH_VENUES.parse::<Uuid>()?],
        )
        .await?;
    route(&db, &[]).await?;
    let tsla = state(&client, ETH_BOTH_VENUES).await?;
    assert_eq!(tsla.venue, "MULTI", "{tsla:?}");
    assert!(
        tsla.history[0]
            .2
            .contains("OSTIUM: MARKET_CLOSED (TSLA/USD)"),
        "{tsla:?}"
    );
    Ok(())
}

/// Sets Maxxit's own trade decision (`llm_should_trade`) of the given signals.
async fn set_llm_should_trade(client: &Client, ids: &[&str], value: Option<bool>) -> Result<()> {
    let ids: Vec<Uuid> = ids.iter().map(|i| i.parse()).collect::<Result<_, _>>()?;
    client
        .execute(
            "UPDATE signals SET llm_should_trade = $2 WHERE id = ANY($1)",
            &[&ids, &value],
        )
        .await?;
    Ok(())
}

/// How many decisions (ours and Maxxit's dashboard's) name the signal.
async fn decisions_of(client: &Client, id: &str) -> Result<i64> {
    count(
        client,
        &format!(
            "SELECT (SELECT count(*) FROM venue_routing_history WHERE signal_id = '{id}' AND outcome IS NOT NULL)
                  + (SELECT count(*) FROM agent_routing_history WHERE signal_id = '{id}')"
        ),
    )
    .await
}

#[tokio::test]
async fn signals_maxxits_own_decision_declined_are_never_claimed_changed_or_expired() -> Result<()>
{
    // A fresh signal (ETH, 10 minutes old) and a 40-day-old one (SOL).
    let fresh_and_old = [ETH_BOTH_VENUES, SOL_31H_OLD];
    for decision in [Some(false), None, Some(true)] {
        let (db, client) = maxxit_ready().await?;
        client
            .execute(
                "UPDATE signals SET created_at = now() - interval '40 days' WHERE id = $1",
                &[&SOL_31H_OLD.parse::<Uuid>()?],
            )
            .await?;
        set_llm_should_trade(&client, &fresh_and_old, decision).await?;
        let before = rows_of(&client, &fresh_and_old).await?;
        let out = route(&db, &["--format", "json"]).await?;
        if decision == Some(false) {
            // Declined: byte for byte unchanged, no decision anywhere.
            assert_eq!(rows_of(&client, &fresh_and_old).await?, before);
            for id in fresh_and_old {
                assert_eq!(decisions_of(&client, id).await?, 0, "{id} got a decision");
            }
            assert_eq!(out.json()["claimed"], 6, "{}", out.show());
            // Not pending for health either, and counted apart by the summary.
            let health = run(
                "routing-stats",
                db.url(),
                &[
                    "health",
                    "--max-sync-age",
                    "1000d",
                    "--max-pending-age",
                    "1m",
                    "--format",
                    "csv",
                ],
            )
            .await?;
            let line = health.line("pending-age");
            assert!(line.contains(",OK,"), "{}", health.show());
            let summary = run(
                "routing-stats",
                db.url(),
                &["summary", "--window", "all", "--format", "json"],
            )
            .await?;
            summary.expect_code(0, "summary");
            assert_eq!(
                summary.json()["pending"]["pending"],
                0,
                "{}",
                summary.show()
            );
            assert_eq!(
                summary.json()["pending"]["declined"],
                2,
                "{}",
                summary.show()
            );
        } else {
            // No LLM decision (Telegram, research) or a yes: decided as before.
            assert_eq!(out.json()["claimed"], 8, "{decision:?}: {}", out.show());
            let eth = state(&client, ETH_BOTH_VENUES).await?;
            assert_eq!(eth.venue, "HYPERLIQUID", "{decision:?}: {eth:?}");
            let old = state(&client, SOL_31H_OLD).await?;
            assert_eq!(skip_code(&old), "SIGNAL_EXPIRED", "{decision:?}: {old:?}");
        }
    }
    Ok(())
}

/// The signals routing skipped.
async fn skipped_ids(client: &Client) -> Result<Vec<String>> {
    Ok(client
        .query(
            "SELECT id::text FROM signals WHERE skipped_reason IS NOT NULL ORDER BY id",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

#[tokio::test]
async fn a_skip_reaches_the_agents_followers_through_maxxits_notifier() -> Result<()> {
    let (db, client) = maxxit_ready().await?;
    let before = notifier_sees(&client).await?;
    // The executor's own outcomes: executed with a position, and FAILED.
    assert_eq!(
        before.get(EXECUTED_OPEN_BTC).map(|n| n.0.as_str()),
        Some("SIGNAL_EXECUTED")
    );
    assert_eq!(
        before.get(EXECUTED_FAILED).map(|n| n.0.as_str()),
        Some("SIGNAL_NOT_TRADED")
    );
    assert!(!before.contains_key(XAU_HYPERLIQUID_ONLY), "{before:?}");
    route(&db, &[]).await?;

    // Skipped: marked FAILED (the host's "not traded") with the reason, in
    // the notifier's selection with that reason, and never executable.
    let after = notifier_sees(&client).await?;
    let executable = executor_sees(&client).await?;
    let skipped = skipped_ids(&client).await?;
    assert_eq!(skipped.len(), 5, "{skipped:?}");
    for id in &skipped {
        let s = state(&client, id).await?;
        assert_eq!(s.trade_executed.as_deref(), Some("FAILED"), "{s:?}");
        let reason = format!("Agent Where: {}", s.skipped_reason.as_deref().unwrap_or(""));
        assert_eq!(s.execution_result.as_deref(), Some(reason.as_str()));
        assert!(!executable.contains_key(id), "{id} is executable");
        if id != SOL_31H_OLD {
            // (the expired one is older than the notifier's 24 h)
            assert_eq!(
                after.get(id),
                Some(&("SIGNAL_NOT_TRADED".to_owned(), Some(reason))),
                "{id}"
            );
        }
    }
    let xau = &after[XAU_HYPERLIQUID_ONLY].1;
    assert!(
        xau.as_deref()
            .is_some_and(|r| r.starts_with("Agent Where: NO_ENABLED_VENUE: ")),
        "{xau:?}"
    );

    // Routed: waiting for the executor, then "executed" once it marks it.
    assert!(!after.contains_key(ETH_BOTH_VENUES), "{after:?}");
    client
        .batch_execute(&format!(
            "UPDATE signals SET trade_executed = 'SUCCESS', execution_result = 'ok' WHERE id = '{ETH_BOTH_VENUES}';
             INSERT INTO positions (deployment_id, signal_id, venue, token_symbol, side, qty, entry_price)
             VALUES ('d0000000-0000-4000-8000-000000000001', '{ETH_BOTH_VENUES}', 'HYPERLIQUID', 'ETH', 'LONG', 1, 3400)"
        ))
        .await?;
    let executed = notifier_sees(&client).await?;
    assert_eq!(
        executed.get(ETH_BOTH_VENUES).map(|n| n.0.as_str()),
        Some("SIGNAL_EXECUTED")
    );
    // A FAILED skip is no execution for health either.
    let health = run(
        "routing-stats",
        db.url(),
        &["health", "--max-sync-age", "1000d", "--format", "csv"],
    )
    .await?;
    assert!(
        health.line("executed-unrouted").contains(",FAIL,1,0,"),
        "only the fixture's BTC signal: {}",
        health.show()
    );
    Ok(())
}

#[tokio::test]
async fn skip_mark_skipped_marks_as_earlier_versions_did() -> Result<()> {
    // By flag and by environment variable.
    for by_env in [false, true] {
        let (db, client) = maxxit_ready().await?;
        let out = if by_env {
            Bin::new("route-pending-signals")
                .database(db.url())
                .env("AGENT_WHERE_SKIP_MARK", "SKIPPED")
                .args(["--max-market-age", "1000d"])
                .run()
                .await?
        } else {
            run(
                "route-pending-signals",
                db.url(),
                &["--max-market-age", "1000d", "--skip-mark", "SKIPPED"],
            )
            .await?
        };
        out.expect_code(0, "route with the SKIPPED mark");
        let notified = notifier_sees(&client).await?;
        let executable = executor_sees(&client).await?;
        let skipped = skipped_ids(&client).await?;
        assert_eq!(skipped.len(), 5, "{skipped:?}");
        for id in &skipped {
            let s = state(&client, id).await?;
            assert_eq!(s.trade_executed.as_deref(), Some("SKIPPED"), "{s:?}");
            assert_eq!(
                s.execution_result,
                s.skipped_reason
                    .as_ref()
                    .map(|r| format!("Agent Where: {r}"))
            );
            assert!(!executable.contains_key(id));
            assert!(!notified.contains_key(id), "SKIPPED reads as waiting there");
        }
    }
    // A bad value changes nothing.
    let (db, client) = maxxit_ready().await?;
    let out = run("route-pending-signals", db.url(), &["--skip-mark", "DONE"]).await?;
    out.expect_code(2, "a bad --skip-mark");
    assert!(out.stderr.contains("--skip-mark"), "{}", out.show());
    assert!(skipped_ids(&client).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn old_skipped_marks_keep_their_signals_decided() -> Result<()> {
    let (db, client) = maxxit_ready().await?;
    // Two signals an earlier version skipped and marked SKIPPED.
    let old = [XAU_HYPERLIQUID_ONLY, DOGE_OSTIUM_ONLY];
    for id in old {
        client
            .execute(
                "UPDATE signals SET skipped_reason = 'NO_ENABLED_VENUE: earlier version',
                        trade_executed = 'SKIPPED',
                        execution_result = 'Agent Where: NO_ENABLED_VENUE: earlier version'
                 WHERE id = $1",
                &[&id.parse::<Uuid>()?],
            )
            .await?;
    }
    let before = rows_of(&client, &old).await?;
    let out = route(&db, &["--format", "json"]).await?;
    // The other six are decided; the old ones are not pending and stay as they were.
    assert_eq!(out.json()["claimed"], 6, "{}", out.show());
    assert_eq!(rows_of(&client, &old).await?, before);
    let executable = executor_sees(&client).await?;
    for id in old {
        assert!(!executable.contains_key(id));
        assert_eq!(decisions_of(&client, id).await?, 0);
    }
    // New skips get the new mark beside the old ones.
    let paused = state(&client, ETH_PAUSED).await?;
    assert_eq!(
        paused.trade_executed.as_deref(),
        Some("FAILED"),
        "{paused:?}"
    );
    // Health and the summary read both as decided, never pending or executed.
    let health = run(
        "routing-stats",
        db.url(),
        &[
            "health",
            "--max-sync-age",
            "1000d",
            "--max-pending-age",
            "1m",
            "--format",
            "csv",
        ],
    )
    .await?;
    assert!(
        health.line("pending-age").contains(",OK,"),
        "{}",
        health.show()
    );
    assert!(
        health.line("executed-unrouted").contains(",FAIL,1,0,"),
        "{}",
        health.show()
    );
    let summary = run("routing-stats", db.url(), &["summary", "--format", "json"]).await?;
    summary.expect_code(0, "summary");
    assert_eq!(
        summary.json()["pending"]["pending"],
        0,
        "{}",
        summary.show()
    );
    Ok(())
}

const MULTI_ALPHA: &str = "a0000000-0000-4000-8000-000000000001";

/// A new ACTIVE deployment of the MULTI agent with these venues enabled.
async fn new_deployment(client: &Client, venues: &str) -> Result<String> {
    Ok(client
        .query_one(
            "INSERT INTO agent_deployments (agent_id, user_wallet, safe_wallet, status, enabled_venues)
             VALUES ($1::text::uuid, '0xnew', '0xsafe', 'ACTIVE', $2::text::text[])
             RETURNING id::text",
            &[&MULTI_ALPHA, &venues],
        )
        .await?
        .get(0))
}

/// A signal arriving now as Maxxit's signal generator writes it (LLM says
/// trade), `age` old, on `venue` (`MULTI` for a multi-venue agent).
async fn arrive(
    client: &Client,
    token: &str,
    deployment: &str,
    venue: &str,
    age: &str,
) -> Result<String> {
    Ok(client
        .query_one(
            "INSERT INTO signals (agent_id, deployment_id, token_symbol, venue, side, size_model, risk_model,
                                  created_at, llm_should_trade, llm_fund_allocation, llm_leverage)
             VALUES ($1::text::uuid, $2::text::uuid, $3, $4::text::venue_t, 'LONG',
                     '{\"type\": \"balance-percentage\", \"value\": 5}', '{}',
                     now() - $5::text::interval, true, 5, 2)
             RETURNING id::text",
            &[&MULTI_ALPHA, &deployment, &token, &venue, &age],
        )
        .await?
        .get(0))
}

/// `setup-agent-where --hold-multi on|off`.
async fn hold(db: &TestDb, on_off: &str) -> Result<Output> {
    let out = run("setup-agent-where", db.url(), &["--hold-multi", on_off]).await?;
    out.expect_code(0, &format!("setup --hold-multi {on_off}"));
    Ok(out)
}

/// Whether `setup-agent-where --check` reports the hold on.
async fn hold_reported(db: &TestDb) -> Result<Value> {
    let out = run(
        "setup-agent-where",
        db.url(),
        &["--check", "--format", "json"],
    )
    .await?;
    out.expect_code(0, "setup --check");
    Ok(out.json()["hold_multi"].clone())
}

fn assert_held(s: &State) {
    assert_eq!(s.venue, "MULTI", "{s:?}");
    assert_eq!(s.trade_executed.as_deref(), Some("AWAITING_ROUTE"), "{s:?}");
    assert!(
        s.execution_result
            .as_deref()
            .is_some_and(|r| r.starts_with("Agent Where: held for routing")),
        "{s:?}"
    );
}

/// Maxxit's executor query returns no MULTI signal but the one it took
/// itself before the hold (the fixture's retry).
async fn assert_no_undecided_multi_executable(client: &Client) -> Result<()> {
    let multi: Vec<String> = executor_sees(client)
        .await?
        .into_iter()
        .filter(|(_, v)| v == "MULTI")
        .map(|(k, _)| k)
        .collect();
    assert_eq!(multi, [RETRYABLE], "the executor would run these as OSTIUM");
    Ok(())
}

#[tokio::test]
async fn with_the_hold_on_maxxits_executor_never_sees_an_undecided_multi_signal() -> Result<()> {
    let (db, client) = maxxit_ready().await?;
    assert_eq!(hold_reported(&db).await?, false);
    let out = hold(&db, "on").await?;
    assert!(
        out.stdout.contains("turned the MULTI hold on"),
        "{}",
        out.show()
    );
    assert_eq!(hold_reported(&db).await?, true);
    // A second run changes nothing.
    let again = hold(&db, "on").await?;
    assert!(again.stdout.contains("no changes"), "{}", again.show());
    // The fixture's signals came before the hold: routed once.
    route(&db, &[]).await?;
    assert_no_undecided_multi_executable(&client).await?;

    let mut routed = Vec::new();
    let mut skipped = Vec::new();
    for round in 0..4 {
        // Arrivals: ETH where both venues are enabled (routed to Hyperliquid),
        // gold where only Hyperliquid is (skipped: Ostium lists it).
        let eth = arrive(
            &client,
            "ETH",
            &new_deployment(&client, "{HYPERLIQUID,OSTIUM}").await?,
            "MULTI",
            "1 second",
        )
        .await?;
        let xau = arrive(
            &client,
            "XAU",
            &new_deployment(&client, "{HYPERLIQUID}").await?,
            "MULTI",
            "1 second",
        )
        .await?;
        for id in [&eth, &xau] {
            assert_held(&state(&client, id).await?);
        }
        assert_no_undecided_multi_executable(&client).await?;
        let notified = notifier_sees(&client).await?;
        assert!(
            !notified.contains_key(&eth) && !notified.contains_key(&xau),
            "held reads as waiting"
        );
        routed.push(eth);
        skipped.push(xau);
        // Routing runs every other arrival: signals wait held meanwhile.
        if round % 2 == 1 {
            route(&db, &[]).await?;
            assert_no_undecided_multi_executable(&client).await?;
        }
    }
    let executable = executor_sees(&client).await?;
    let notified = notifier_sees(&client).await?;
    for id in &routed {
        // Released on its venue: the executor takes it at its next tick.
        let s = state(&client, id).await?;
        assert_eq!(
            (s.trade_executed.as_deref(), s.execution_result.as_deref()),
            (None, None),
            "{s:?}"
        );
        assert_eq!(executable.get(id).map(String::as_str), Some("HYPERLIQUID"));
    }
    for id in &skipped {
        let s = state(&client, id).await?;
        assert_eq!(skip_code(&s), "NO_ENABLED_VENUE", "{s:?}");
        assert_eq!(s.trade_executed.as_deref(), Some("FAILED"), "{s:?}");
        assert!(
            !executable.contains_key(id),
            "a skip stays invisible to the executor"
        );
        assert_eq!(
            notified.get(id).map(|n| n.0.as_str()),
            Some("SIGNAL_NOT_TRADED")
        );
    }

    // Never held: a signal for another venue, one already executed, one
    // Maxxit's own decision declined.
    let d = new_deployment(&client, "{HYPERLIQUID,OSTIUM}").await?;
    let ostium = arrive(&client, "BTC", &d, "OSTIUM", "1 second").await?;
    client
        .batch_execute(&format!(
            "INSERT INTO signals (agent_id, deployment_id, token_symbol, venue, side, size_model, risk_model,
                                  llm_should_trade, trade_executed, execution_result)
             VALUES ('{MULTI_ALPHA}', '{d}', 'DOGE', 'MULTI', 'LONG', '{{}}', '{{}}', true, 'SUCCESS', 'ok'),
                    ('{MULTI_ALPHA}', '{d}', 'LINK', 'MULTI', 'LONG', '{{}}', '{{}}', false, NULL, NULL)"
        ))
        .await?;
    let untouched = count(
        &client,
        &format!(
            "SELECT count(*) FROM signals WHERE deployment_id = '{d}'
               AND ((token_symbol = 'BTC' AND trade_executed IS NULL)
                 OR (token_symbol = 'DOGE' AND trade_executed = 'SUCCESS' AND execution_result = 'ok')
                 OR (token_symbol = 'LINK' AND trade_executed IS NULL))"
        ),
    )
    .await?;
    assert_eq!(untouched, 3, "{ostium}");
    Ok(())
}

#[tokio::test]
async fn removing_the_hold_leaves_held_signals_held_until_routed() -> Result<()> {
    let (db, client) = maxxit_ready().await?;
    route(&db, &[]).await?;
    hold(&db, "on").await?;
    let held = arrive(
        &client,
        "ETH",
        &new_deployment(&client, "{HYPERLIQUID,OSTIUM}").await?,
        "MULTI",
        "1 second",
    )
    .await?;
    assert_held(&state(&client, &held).await?);
    let out = hold(&db, "off").await?;
    assert!(
        out.stdout.contains("turned the MULTI hold off"),
        "{}",
        out.show()
    );
    assert_eq!(hold_reported(&db).await?, false);
    // Still held: never released to the executor unrouted.
    assert_held(&state(&client, &held).await?);
    assert_no_undecided_multi_executable(&client).await?;
    // New signals are not held any more.
    let after = arrive(
        &client,
        "ETH",
        &new_deployment(&client, "{HYPERLIQUID,OSTIUM}").await?,
        "MULTI",
        "1 second",
    )
    .await?;
    assert_eq!(state(&client, &after).await?.trade_executed, None);
    // Routing releases the held one on its venue.
    route(&db, &[]).await?;
    let s = state(&client, &held).await?;
    assert_eq!(
        (
            s.venue.as_str(),
            s.trade_executed.as_deref(),
            s.execution_result.as_deref()
        ),
        ("HYPERLIQUID", None, None)
    );
    assert_eq!(
        executor_sees(&client).await?.get(&held).map(String::as_str),
        Some("HYPERLIQUID")
    );
    // Refused where it cannot mean anything, and with --check.
    let minimal = TestDb::empty().await?;
    let out = run("setup-agent-where", minimal.url(), &["--hold-multi", "on"]).await?;
    assert_ne!(out.code, Some(0));
    assert!(
        out.error_line().contains("needs Maxxit's schema"),
        "{}",
        out.show()
    );
    assert!(
        out.error_line().contains("nothing was changed"),
        "{}",
        out.show()
    );
    let out = run(
        "setup-agent-where",
        db.url(),
        &["--check", "--hold-multi", "on"],
    )
    .await?;
    out.expect_code(2, "--check with --hold-multi");
    Ok(())
}

#[tokio::test]
async fn held_signals_fail_closed_when_routing_stops() -> Result<()> {
    let (db, client) = maxxit_ready().await?;
    route(&db, &[]).await?;
    hold(&db, "on").await?;
    // Routing stopped for 10 minutes: health fails, the summary counts it.
    let waiting = arrive(
        &client,
        "ETH",
        &new_deployment(&client, "{HYPERLIQUID,OSTIUM}").await?,
        "MULTI",
        "10 minutes",
    )
    .await?;
    let health = |limit: &'static str| {
        let url = db.url().to_owned();
        async move {
            run(
                "routing-stats",
                &url,
                &[
                    "health",
                    "--max-sync-age",
                    "1000d",
                    "--max-held-age",
                    limit,
                    "--format",
                    "csv",
                ],
            )
            .await
        }
    };
    let out = health("5m").await?;
    out.expect_code(1, "health with a held signal older than its limit");
    let line = out.line("held-too-long");
    assert!(line.contains(",FAIL,"), "{}", out.show());
    assert!(line.contains("1 MULTI signals held"), "{line}");
    let out = health("1h").await?;
    assert!(out.line("held-too-long").contains(",OK,"), "{}", out.show());
    let summary = run("routing-stats", db.url(), &["summary", "--format", "json"]).await?;
    summary.expect_code(0, "summary");
    assert_eq!(summary.json()["pending"]["held"], 1, "{}", summary.show());
    assert_no_undecided_multi_executable(&client).await?;

    // Routing stopped for longer than a signal lives: expired, never run.
    client
        .execute(
            "UPDATE signals SET created_at = now() - interval '25 hours' WHERE id = $1::text::uuid",
            &[&waiting],
        )
        .await?;
    // Without executor marks the expired signal stays held.
    route(&db, &["--no-executor-marks"]).await?;
    let s = state(&client, &waiting).await?;
    assert_eq!(skip_code(&s), "SIGNAL_EXPIRED", "{s:?}");
    assert_held(&s);
    assert_no_undecided_multi_executable(&client).await?;
    // With them (the default) it gets the skip marks.
    let expired = arrive(
        &client,
        "ETH",
        &new_deployment(&client, "{HYPERLIQUID,OSTIUM}").await?,
        "MULTI",
        "25 hours",
    )
    .await?;
    assert_held(&state(&client, &expired).await?);
    route(&db, &[]).await?;
    let s = state(&client, &expired).await?;
    assert_eq!(skip_code(&s), "SIGNAL_EXPIRED", "{s:?}");
    assert_eq!(s.trade_executed.as_deref(), Some("FAILED"));
    assert!(!executor_sees(&client).await?.contains_key(&expired));
    // Nothing held waits now.
    let out = health("5m").await?;
    assert!(out.line("held-too-long").contains(",OK,"), "{}", out.show());
    Ok(())
}
