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

use crate::support::bin::{Output, run};
use crate::support::db::count;
use crate::support::markets::sync_recorded;

pub const MAXXIT_2026: &str = include_str!("../../../shared/tests/fixtures/maxxit_2026.sql");

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

/// A Maxxit database set up by Agent Where, with both venues synced from
/// the recorded responses (January 2026).
pub async fn maxxit_ready() -> Result<(TestDb, Client)> {
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
        assert_eq!(s.trade_executed.as_deref(), Some("SKIPPED"));
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
