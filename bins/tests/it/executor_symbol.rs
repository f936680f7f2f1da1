//! Issue 22: on Maxxit's schema "routed" means Maxxit's executor can trade
//! it. Its executor trades a routed signal's `token_symbol` as it stands
//! (`services/trade-executor-worker/src/lib/trade-executor-llm.ts`):
//! Hyperliquid sends `coin: token_symbol`; Ostium looks the pair up in its
//! pair table as `${token}/USD`, then `USD/${token}`, then a pair starting
//! with `${token}/` or ending with `/${token}`. These tests put every routed
//! signal's token through that resolution, as SQL, and check that it
//! reaches exactly the market routing chose.

use std::collections::BTreeMap;

use agent_where::testing::TestDb;
use anyhow::Result;
use serde_json::Value;
use tokio_postgres::Client;
use uuid::Uuid;

use crate::maxxit::maxxit_ready;
use crate::support::bin::run;
use crate::support::venue::fixture_arg;

/// The fixture's MULTI agent.
const AGENT: &str = "a0000000-0000-4000-8000-000000000001";

/// Spellings agents write (issue 22's fifteen, and a HIP-3 coin).
const SPELLINGS: [&str; 16] = [
    "PEPE", "BONK", "SOL-PERP", "btc", "$ETH", "Btc-Usd", "eth/usdt", "GOLD", "EURUSD", "USDJPY",
    "BTC", "kPEPE", "XAU", "HYPE", "LINK", "xyz:TSLA",
];

/// Maxxit's executor resolution as SQL: the market a signal's token reaches
/// on its venue, or NULL. Hyperliquid: the coin exists. Ostium: over the
/// pair symbols (`FROM/TO`), `token/USD`, else `USD/token`, else the one pair
/// starting with `token/` or ending with `/token` (several: its `findFirst`
/// picks any, so none counts as reached).
const EXECUTOR_RESOLVES: &str = "
WITH pairs AS (
    SELECT DISTINCT market_name AS symbol FROM venue_markets WHERE venue = 'OSTIUM'
)
SELECT s.id::text, s.venue::text, s.token_symbol,
       CASE s.venue::text
           WHEN 'HYPERLIQUID' THEN (
               SELECT min(m.token_symbol) FROM venue_markets AS m
               WHERE m.venue = 'HYPERLIQUID' AND m.token_symbol = s.token_symbol)
           WHEN 'OSTIUM' THEN coalesce(
               (SELECT p.symbol FROM pairs AS p WHERE p.symbol = s.token_symbol || '/USD'),
               (SELECT p.symbol FROM pairs AS p WHERE p.symbol = 'USD/' || s.token_symbol),
               (SELECT CASE WHEN count(*) = 1 THEN min(p.symbol) END FROM pairs AS p
                WHERE starts_with(p.symbol, s.token_symbol || '/')
                   OR right(p.symbol, length(s.token_symbol) + 1) = '/' || s.token_symbol))
       END AS reached,
       h.market_symbol, h.requested_token, h.token_symbol
FROM signals AS s
JOIN venue_routing_history AS h ON h.signal_id = s.id AND h.outcome = 'ROUTED'
WHERE s.id = ANY ($1::uuid[])";

/// One routed signal as the executor will see it.
#[derive(Debug)]
struct Routed {
    venue: String,
    token: String,
    reached: Option<String>,
    market: Option<String>,
    requested: Option<String>,
}

/// A Maxxit database with the fixture's markets plus Hyperliquid's `xyz`
/// dex, Ostium first (so crypto spellings reach Ostium's lookup) but SOL on
/// Hyperliquid, and one pending signal per spelling. Returns the ids.
async fn ready_with_spellings() -> Result<(TestDb, Client, Vec<(Uuid, &'static str)>)> {
    let (db, client) = maxxit_ready().await?;
    run(
        "sync-hyperliquid-markets",
        db.url(),
        &["--from-file", &fixture_arg("hyperliquid"), "--dexes", "xyz"],
    )
    .await?
    .expect_code(0, "sync the xyz dex");
    for args in [
        &["set", "--priority", "OSTIUM,HYPERLIQUID"][..],
        &["set", "--token", "SOL", "--priority", "HYPERLIQUID"][..],
    ] {
        run("routing-config", db.url(), args)
            .await?
            .expect_code(0, &format!("routing-config {args:?}"));
    }
    let mut ids = Vec::new();
    for token in SPELLINGS {
        let id: Uuid = client
            .query_one(
                "INSERT INTO signals (agent_id, token_symbol, venue, side, size_model, risk_model,
                                      llm_should_trade, llm_fund_allocation, llm_leverage)
                 VALUES ($1::text::uuid, $2, 'MULTI', 'LONG', '{\"type\": \"balance-percentage\", \"value\": 5}',
                         '{}', true, 5, 2)
                 RETURNING id",
                &[&AGENT, &token],
            )
            .await?
            .get(0);
        ids.push((id, token));
    }
    Ok((db, client, ids))
}

async fn route(db: &TestDb, extra: &[&str]) -> Result<()> {
    let mut args = vec!["--max-market-age", "1000d"];
    args.extend_from_slice(extra);
    run("route-pending-signals", db.url(), &args)
        .await?
        .expect_code(0, &format!("route-pending-signals {extra:?}"));
    Ok(())
}

async fn routed(client: &Client, ids: &[(Uuid, &str)]) -> Result<BTreeMap<Uuid, Routed>> {
    let only: Vec<Uuid> = ids.iter().map(|(id, _)| *id).collect();
    let mut out = BTreeMap::new();
    for r in client.query(EXECUTOR_RESOLVES, &[&only]).await? {
        let id: String = r.get(0);
        out.insert(
            id.parse()?,
            Routed {
                venue: r.get(1),
                token: r.get(2),
                reached: r.get(3),
                market: r.get(4),
                requested: r.get(5),
            },
        );
    }
    Ok(out)
}

#[tokio::test]
async fn every_routed_token_reaches_exactly_its_market_through_maxxits_executor() -> Result<()> {
    let (db, client, ids) = ready_with_spellings().await?;
    route(&db, &[]).await?;
    let routed = routed(&client, &ids).await?;
    // Every spelling routes (the HIP-3 coin because its token names the dex).
    assert_eq!(routed.len(), SPELLINGS.len(), "{routed:#?}");
    for (id, spelling) in &ids {
        let r = &routed[id];
        assert!(
            r.reached.is_some() && r.reached == r.market,
            "{spelling}: handed over as `{}` on {}, which Maxxit's executor resolves to {:?}, not the routed market {:?}",
            r.token,
            r.venue,
            r.reached,
            r.market
        );
        assert_eq!(r.requested.as_deref(), Some(*spelling), "requested token");
    }
    // What each spelling became: the coin, or the spelling Maxxit's pair
    // lookup maps to that one pair.
    let became: BTreeMap<&str, (String, String)> = ids
        .iter()
        .map(|(id, s)| (*s, (routed[id].venue.clone(), routed[id].token.clone())))
        .collect();
    for (spelling, venue, token) in [
        ("PEPE", "HYPERLIQUID", "kPEPE"),
        ("BONK", "HYPERLIQUID", "kBONK"),
        ("SOL-PERP", "HYPERLIQUID", "SOL"),
        ("btc", "OSTIUM", "BTC"),
        ("$ETH", "OSTIUM", "ETH"),
        ("Btc-Usd", "OSTIUM", "BTC"),
        ("eth/usdt", "OSTIUM", "ETH"),
        ("GOLD", "OSTIUM", "XAU"),
        ("EURUSD", "OSTIUM", "EUR"),
        ("USDJPY", "OSTIUM", "JPY"),
        ("xyz:TSLA", "HYPERLIQUID", "xyz:TSLA"),
    ] {
        assert_eq!(
            became[spelling],
            (venue.to_owned(), token.to_owned()),
            "{spelling}"
        );
    }
    // Export and the stats filter show the agent's own spelling.
    let export = run(
        "routing-stats",
        db.url(),
        &[
            "export", "--since", "1d", "--format", "json", "--token", "usdjpy",
        ],
    )
    .await?;
    export.expect_code(0, "export");
    let rows: Vec<Value> = export
        .stdout
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    assert_eq!(rows.len(), 1, "{}", export.stdout);
    assert_eq!(rows[0]["requested_token"], "USDJPY");
    assert_eq!(rows[0]["market_symbol"], "USD/JPY");
    Ok(())
}

#[tokio::test]
async fn a_pair_no_spelling_reaches_alone_is_not_routed_there_and_the_rewrite_can_be_turned_off()
-> Result<()> {
    let (db, client, ids) = ready_with_spellings().await?;
    // Another writer's row lists JPY/USD too: `JPY` now reaches JPY/USD and
    // `USD` many pairs, so nothing hands USD/JPY over unambiguously.
    client
        .batch_execute(
            "INSERT INTO venue_markets (venue, token_symbol, market_name, market_index, is_active, last_synced)
             VALUES ('OSTIUM', 'JPYUSD', 'JPY/USD', 900, true, now())",
        )
        .await?;
    route(&db, &[]).await?;
    let usdjpy = ids.iter().find(|(_, s)| *s == "USDJPY").map(|(id, _)| *id);
    let row = client
        .query_one(
            "SELECT s.venue::text, s.skipped_reason, s.token_symbol, h.requested_token
             FROM signals s JOIN venue_routing_history h ON h.signal_id = s.id WHERE s.id = $1",
            &[&usdjpy],
        )
        .await?;
    let (venue, reason, token, requested): (String, Option<String>, String, Option<String>) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    assert_eq!(venue, "MULTI", "not routed to Ostium");
    let reason = reason.unwrap_or_default();
    assert!(
        reason.contains("OSTIUM: NO_EXECUTOR_SYMBOL (USD/JPY)"),
        "{reason}"
    );
    assert_eq!(
        (token.as_str(), requested.as_deref()),
        ("USDJPY", Some("USDJPY"))
    );
    // The other spellings still reach their markets.
    for r in routed(&client, &ids).await?.values() {
        assert!(r.reached.is_some() && r.reached == r.market, "{r:?}");
    }

    // With the rewrite off (an executor that reads market_symbol) only the
    // venue changes, and USD/JPY is routed as any pair.
    let (db, client, ids) = ready_with_spellings().await?;
    client
        .batch_execute(
            "INSERT INTO venue_markets (venue, token_symbol, market_name, market_index, is_active, last_synced)
             VALUES ('OSTIUM', 'JPYUSD', 'JPY/USD', 900, true, now())",
        )
        .await?;
    let before_off = rows_of(&client, &ids).await?;
    route(&db, &["--executor-symbol", "off"]).await?;
    let after = rows_of(&client, &ids).await?;
    for (id, spelling) in &ids {
        let (mut was, mut now) = (before_off[id].clone(), after[id].clone());
        assert_ne!(now["venue"], "MULTI", "{spelling} routed");
        for row in [&mut was, &mut now] {
            row.as_object_mut().map(|o| o.remove("venue"));
        }
        assert_eq!(was, now, "{spelling}: only the venue changes");
    }
    Ok(())
}

/// Every column of the given signals, as JSON, by id.
async fn rows_of(client: &Client, ids: &[(Uuid, &str)]) -> Result<BTreeMap<Uuid, Value>> {
    let only: Vec<Uuid> = ids.iter().map(|(id, _)| *id).collect();
    let mut out = BTreeMap::new();
    for r in client
        .query(
            "SELECT id::text, to_jsonb(s) FROM signals s WHERE id = ANY($1)",
            &[&only],
        )
        .await?
    {
        let id: String = r.get(0);
        out.insert(id.parse()?, r.get(1));
    }
    Ok(out)
}

/// Inserts a pending MULTI signal of the fixture's agent without deployment.
async fn insert_signal(client: &Client, token: &str) -> Result<Uuid> {
    Ok(client
        .query_one(
            "INSERT INTO signals (agent_id, token_symbol, venue, side, size_model, risk_model)
             VALUES ($1::text::uuid, $2, 'MULTI', 'LONG', '{\"type\": \"balance-percentage\", \"value\": 5}', '{}')
             RETURNING id",
            &[&AGENT, &token],
        )
        .await?
        .get(0))
}

#[tokio::test]
async fn a_venue_maxxits_executor_does_not_run_needs_the_operators_explicit_word() -> Result<()> {
    let (db, client) = maxxit_ready().await?;
    run(
        "sync-gmx-markets",
        db.url(),
        &["--from-file", &fixture_arg("gmx")],
    )
    .await?
    .expect_code(0, "sync-gmx-markets");
    let global = "SELECT venue_priority, allow_venues_without_executor FROM venue_routing_config WHERE agent_id IS NULL";
    let stored =
        |row: tokio_postgres::Row| -> (Vec<String>, Option<bool>) { (row.get(0), row.get(1)) };
    let before = stored(client.query_one(global, &[]).await?);

    // Refused without the flag, and nothing is written.
    let refused = run(
        "routing-config",
        db.url(),
        &["set", "--priority", "GMX,HYPERLIQUID,OSTIUM"],
    )
    .await?;
    refused.expect_code(2, "a priority naming GMX without the flag");
    assert!(
        refused.stderr.contains("GMX")
            && refused.stderr.contains("--allow-venues-without-executor"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        refused.stderr.trim().lines().count(),
        1,
        "{}",
        refused.stderr
    );
    assert_eq!(stored(client.query_one(global, &[]).await?), before);

    // With it: accepted, with a one-line warning.
    let allowed = run(
        "routing-config",
        db.url(),
        &[
            "set",
            "--priority",
            "GMX,HYPERLIQUID,OSTIUM",
            "--allow-venues-without-executor",
        ],
    )
    .await?;
    allowed.expect_code(0, "with --allow-venues-without-executor");
    let warning: Vec<&str> = allowed.stderr.trim().lines().collect();
    assert_eq!(warning.len(), 1, "{}", allowed.stderr);
    assert!(
        warning[0].contains("warning") && warning[0].contains("GMX"),
        "{}",
        allowed.stderr
    );
    let doge = insert_signal(&client, "DOGE").await?;
    route(&db, &[]).await?;
    let venue = |id: Uuid| {
        let client = &client;
        async move {
            let row = client
                .query_one(
                    "SELECT s.venue::text, h.routing_reason FROM signals s
                     JOIN venue_routing_history h ON h.signal_id = s.id WHERE s.id = $1",
                    &[&id],
                )
                .await?;
            anyhow::Ok((row.get::<_, String>(0), row.get::<_, String>(1)))
        }
    };
    assert_eq!(venue(doge).await?.0, "GMX");
    // health reports it: Maxxit's executor fails such a signal.
    let health = run(
        "routing-stats",
        db.url(),
        &["health", "--max-sync-age", "1000d", "--format", "csv"],
    )
    .await?;
    health.expect_code(1, "health with a signal routed to GMX");
    let line = health.line("routed-without-executor");
    assert!(line.contains(",FAIL,1,0,"), "{line}");

    // A stored priority naming GMX without the allowance (a row written by
    // hand or by the original system): routing passes GMX by.
    client
        .batch_execute("UPDATE venue_routing_config SET allow_venues_without_executor = NULL")
        .await?;
    let doge = insert_signal(&client, "DOGE").await?;
    route(&db, &[]).await?;
    let (venue, reason) = venue(doge).await?;
    assert_eq!(venue, "HYPERLIQUID", "{reason}");
    assert!(
        reason.starts_with("GMX: NO_EXECUTOR → HYPERLIQUID: available"),
        "{reason}"
    );
    Ok(())
}

/// Maxxit's unique index on (agent, token, deployment, 6-hour window): two
/// spellings of one token in one window cannot both become the same symbol.
/// The first gets it, the other keeps its token, and the batch never fails.
#[tokio::test]
async fn two_spellings_of_one_token_in_one_window_never_fail_the_batch() -> Result<()> {
    let (db, client) = maxxit_ready().await?;
    let mut ids = Vec::new();
    for token in ["btc", "$BTC"] {
        let id: Uuid = client
            .query_one(
                "INSERT INTO signals (agent_id, deployment_id, token_symbol, venue, side, size_model, risk_model, created_at)
                 VALUES ($1::text::uuid, 'd0000000-0000-4000-8000-000000000001', $2, 'MULTI', 'LONG',
                         '{\"type\": \"balance-percentage\", \"value\": 5}', '{}',
                         date_trunc('hour', now()) - interval '1 minute')
                 RETURNING id",
                &[&AGENT, &token],
            )
            .await?
            .get(0);
        ids.push(id);
    }
    route(&db, &[]).await?;
    let rows = client
        .query(
            "SELECT venue::text, token_symbol FROM signals WHERE id = ANY($1) ORDER BY created_at, id",
            &[&ids],
        )
        .await?;
    let got: Vec<(String, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    // Routed (to Ostium: the deployment holds BTC there), the batch whole.
    assert!(got.iter().all(|(v, _)| v == "OSTIUM"), "{got:?}");
    assert!(
        got.iter().filter(|(_, t)| t == "BTC").count() <= 1,
        "{got:?}"
    );
    Ok(())
}
