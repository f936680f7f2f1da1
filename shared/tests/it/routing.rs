//! Database tests of routing batches: outcomes, history rows, configuration
//! precedence, availability rules, idempotence and run counters.

use agent_where::db::routing::{BatchSettings, Statements, finish_run, route_batch, start_run};
use agent_where::testing::{TestDb, sql_files_in};
use anyhow::Result;
use serde_json::{Value, json};
use tokio_postgres::Client;
use uuid::Uuid;

const MARKETS: &str = "
INSERT INTO venue_markets (venue, token_symbol, market_name, market_index, base_symbol, price_scale,
                           dex, is_active, delisted_at, market_open, max_leverage,
                           open_interest_usd, day_volume_usd, spread_bps, taker_fee_bps,
                           max_open_interest_usd, long_open_interest_usd, short_open_interest_usd)
VALUES
 ('HYPERLIQUID', 'BTC', 'BTC/USD', 0, 'BTC', 1, NULL, true, NULL, NULL, 40, 2e9, 3e9, 1, 4.5, NULL, NULL, NULL),
 ('HYPERLIQUID', 'ETH', 'ETH/USD', 1, 'ETH', 1, NULL, true, NULL, NULL, 25, 1e9, 2e9, 1, 4.5, NULL, NULL, NULL),
 ('HYPERLIQUID', 'SOL', 'SOL/USD', 5, 'SOL', 1, NULL, true, NULL, NULL, 20, 5e8, 6e8, 2, 4.5, NULL, NULL, NULL),
 ('HYPERLIQUID', 'kPEPE', 'kPEPE/USD', 12, 'PEPE', 1000, NULL, true, NULL, NULL, 10, 1e7, 2e7, 5, 4.5, NULL, NULL, NULL),
 ('HYPERLIQUID', 'MATIC', 'MATIC/USD', 30, 'MATIC', 1, NULL, false, now(), NULL, 20, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 ('HYPERLIQUID', 'xyz:TSLA', 'xyz:TSLA/USD', 110003, 'TSLA', 1, 'xyz', true, NULL, NULL, 10, 1e6, 1e6, 10, 9, NULL, NULL, NULL),
 ('OSTIUM', 'BTC', 'BTC/USD', 0, 'BTC', 1, NULL, true, NULL, true, 100, NULL, NULL, 2, 3, 1e7, 4e6, 9.5e6),
 ('OSTIUM', 'ETH', 'ETH/USD', 1, 'ETH', 1, NULL, true, NULL, true, 100, NULL, NULL, 2, 3, 1e7, 1e6, 1e6),
 ('OSTIUM', 'XAU', 'XAU/USD', 5, 'XAU', 1, NULL, true, NULL, true, 100, NULL, NULL, 1, 3, 5e6, 1e6, 1e6),
 ('OSTIUM', 'EUR', 'EUR/USD', 2, 'EUR', 1, NULL, true, NULL, true, 100, NULL, NULL, 1, 3, 5e6, 1e6, 1e6),
 ('OSTIUM', 'USDJPY', 'USD/JPY', 3, 'USDJPY', 1, NULL, true, NULL, true, 100, NULL, NULL, 1, 3, 5e6, 1e6, 1e6),
 ('OSTIUM', 'TSLA', 'TSLA/USD', 20, 'TSLA', 1, NULL, true, NULL, false, 10, NULL, NULL, 5, 5, 1e6, 1e5, 1e5);
INSERT INTO venue_sync_runs (venue, source, status, started_at, finished_at)
VALUES ('HYPERLIQUID', 'test', 'SUCCEEDED', now() - interval '1 hour', now() - interval '1 hour'),
       ('OSTIUM', 'test', 'SUCCEEDED', now() - interval '2 hours', now() - interval '2 hours'),
       ('OSTIUM', 'test', 'FAILED', now() - interval '5 minutes', now() - interval '5 minutes');
";

async fn db_with_markets() -> Result<(TestDb, Client)> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    client.batch_execute(MARKETS).await?;
    Ok((db, client))
}

async fn agent(client: &Client, venue: &str) -> Result<Uuid> {
    Ok(client
        .query_one(
            "INSERT INTO agents (creator_wallet, name, venue, profit_receiver_address)
             VALUES ('0xabc', 'test agent', $1::text::venue_t, '0xabc') RETURNING id",
            &[&venue],
        )
        .await?
        .get(0))
}

/// Inserts a signal created `age_minutes` ago and returns its id.
async fn signal(
    client: &Client,
    agent: Uuid,
    venue: &str,
    token: &str,
    side: &str,
    size_model: &Value,
    age_minutes: i32,
) -> Result<Uuid> {
    Ok(client
        .query_one(
            "INSERT INTO signals (agent_id, token_symbol, venue, side, size_model, risk_model, created_at)
             VALUES ($1, $2, $3::text::venue_t, $4, $5, '{}'::jsonb, now() - make_interval(mins => $6))
             RETURNING id",
            &[&agent, &token, &venue, &side, size_model, &age_minutes],
        )
        .await?
        .get(0))
}

async fn multi(client: &Client, agent: Uuid, token: &str) -> Result<Uuid> {
    signal(client, agent, "MULTI", token, "LONG", &json!({}), 5).await
}

/// Routes everything pending in batches of `batch`, returns the run id.
async fn route_all(client: &mut Client, settings: &BatchSettings, batch: usize) -> Result<Uuid> {
    let statements = Statements::prepare(client, settings.host).await?;
    let run = start_run(client, &json!({}), None, None).await?;
    loop {
        let outcome = route_batch(client, &statements, settings, run, batch).await?;
        if outcome.claimed < batch as u64 {
            break;
        }
    }
    finish_run(client, run, None).await?;
    Ok(run)
}

#[derive(Debug)]
struct Routed {
    venue: String,
    skipped_reason: Option<String>,
    history: Vec<History>,
}

#[derive(Debug)]
#[allow(dead_code)]
struct History {
    token_symbol: String,
    requested: String,
    selected: Option<String>,
    reason: String,
    checked: Vec<String>,
    availability: Value,
    outcome: String,
    strategy: String,
    config_source: String,
    market_symbol: Option<String>,
    run_id: Option<Uuid>,
    duration_us: Option<i64>,
    duration_ms: Option<i32>,
}

async fn state(client: &Client, id: Uuid) -> Result<Routed> {
    let row = client
        .query_one(
            "SELECT venue::text, skipped_reason FROM signals WHERE id = $1",
            &[&id],
        )
        .await?;
    let history = client
        .query(
            "SELECT token_symbol, requested_venue::text, selected_venue::text, routing_reason,
                    checked_venues, venue_availability, outcome, strategy, config_source,
                    market_symbol, run_id, routing_duration_us, routing_duration_ms
             FROM venue_routing_history WHERE signal_id = $1",
            &[&id],
        )
        .await?
        .iter()
        .map(|r| History {
            token_symbol: r.get(0),
            requested: r.get(1),
            selected: r.get(2),
            reason: r.get(3),
            checked: r.get::<_, Option<Vec<String>>>(4).unwrap_or_default(),
            availability: r.get(5),
            outcome: r.get(6),
            strategy: r.get(7),
            config_source: r.get(8),
            market_symbol: r.get(9),
            run_id: r.get(10),
            duration_us: r.get(11),
            duration_ms: r.get(12),
        })
        .collect();
    Ok(Routed {
        venue: row.get(0),
        skipped_reason: row.get(1),
        history,
    })
}

#[tokio::test]
async fn routes_skips_and_audits_every_pending_signal() -> Result<()> {
    let (_db, mut client) = db_with_markets().await?;
    let a = agent(&client, "MULTI").await?;
    // token, side, size_model, age (min), expected venue, market, reason prefix
    type Case = (
        &'static str,
        &'static str,
        Value,
        i32,
        &'static str,
        Option<&'static str>,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            "btc",
            "LONG",
            json!({}),
            5,
            "HYPERLIQUID",
            Some("BTC"),
            "HYPERLIQUID: available (BTC, asset 0)",
        ),
        (
            "$ETH",
            "SHORT",
            json!({}),
            5,
            "HYPERLIQUID",
            Some("ETH"),
            "HYPERLIQUID: available",
        ),
        (
            "BTC/USD",
            "LONG",
            json!({}),
            5,
            "HYPERLIQUID",
            Some("BTC"),
            "HYPERLIQUID: available",
        ),
        (
            "SOL-PERP",
            "LONG",
            json!({}),
            5,
            "HYPERLIQUID",
            Some("SOL"),
            "HYPERLIQUID: available",
        ),
        (
            "ETHUSDT",
            "LONG",
            json!({}),
            5,
            "HYPERLIQUID",
            Some("ETH"),
            "HYPERLIQUID: available",
        ),
        (
            "PEPE",
            "LONG",
            json!({}),
            5,
            "HYPERLIQUID",
            Some("kPEPE"),
            "HYPERLIQUID: available (kPEPE, asset 12)",
        ),
        (
            "XAU",
            "LONG",
            json!({}),
            5,
            "OSTIUM",
            Some("XAU/USD"),
            "HYPERLIQUID: NOT_LISTED → OSTIUM: available (XAU/USD, pair 5)",
        ),
        (
            "GOLD",
            "LONG",
            json!({}),
            5,
            "OSTIUM",
            Some("XAU/USD"),
            "HYPERLIQUID: NOT_LISTED → OSTIUM: available (XAU/USD, pair 5)",
        ),
        (
            "EURUSD",
            "LONG",
            json!({}),
            5,
            "OSTIUM",
            Some("EUR/USD"),
            "HYPERLIQUID: NOT_LISTED → OSTIUM: available (EUR/USD, pair 2)",
        ),
        (
            "USDJPY",
            "LONG",
            json!({}),
            5,
            "OSTIUM",
            Some("USD/JPY"),
            "HYPERLIQUID: NOT_LISTED → OSTIUM: available (USD/JPY, pair 3)",
        ),
        (
            "BTC",
            "LONG",
            json!({"leverage": 50}),
            5,
            "OSTIUM",
            Some("BTC/USD"),
            "HYPERLIQUID: LEVERAGE_ABOVE_MAX (BTC: 50x requested, max 40x) → OSTIUM",
        ),
        (
            "TSLA",
            "LONG",
            json!({}),
            5,
            "MULTI",
            None,
            "NO_VENUE_AVAILABLE: HYPERLIQUID: NOT_LISTED → OSTIUM: MARKET_CLOSED (TSLA/USD)",
        ),
        (
            "MATIC",
            "LONG",
            json!({}),
            5,
            "MULTI",
            None,
            "NO_VENUE_AVAILABLE: HYPERLIQUID: DELISTED (MATIC) → OSTIUM: NOT_LISTED",
        ),
        (
            "DOGE",
            "LONG",
            json!({}),
            5,
            "MULTI",
            None,
            "NO_VENUE_AVAILABLE: HYPERLIQUID: NOT_LISTED → OSTIUM: NOT_LISTED",
        ),
        (
            "BTC",
            "LONG",
            json!({}),
            30 * 60,
            "MULTI",
            None,
            "SIGNAL_EXPIRED: created 30h ago (max 24h)",
        ),
        (
            "🚀",
            "LONG",
            json!({}),
            5,
            "MULTI",
            None,
            "INVALID_SIGNAL: token symbol contains invalid character",
        ),
        (
            "",
            "LONG",
            json!({}),
            5,
            "MULTI",
            None,
            "INVALID_SIGNAL: empty token symbol",
        ),
        (
            "BTC'); DROP TABLE signals; --",
            "LONG",
            json!({}),
            5,
            "MULTI",
            None,
            "INVALID_SIGNAL: token symbol contains invalid character",
        ),
        (
            "BTC",
            "UP",
            json!({}),
            5,
            "MULTI",
            None,
            "INVALID_SIGNAL: unknown side \"UP\"",
        ),
        (
            "BTC",
            "LONG",
            json!([1, 2]),
            5,
            "MULTI",
            None,
            "INVALID_SIGNAL: size_model is a JSON array, not an object",
        ),
        (
            "BTC",
            "LONG",
            json!({"leverage": -3}),
            5,
            "MULTI",
            None,
            "INVALID_SIGNAL: size_model leverage must be a positive finite number (got -3)",
        ),
    ];
    let long_token = "X".repeat(10_000);
    let mut ids = Vec::new();
    for (token, side, size_model, age, ..) in &cases {
        ids.push(signal(&client, a, "MULTI", token, side, size_model, *age).await?);
    }
    let long_id = signal(&client, a, "MULTI", &long_token, "LONG", &json!({}), 5).await?;
    // Signals of other venues are never touched.
    let static_id = signal(&client, a, "HYPERLIQUID", "DOGE", "LONG", &json!({}), 5).await?;
    let skipped_before = signal(&client, a, "MULTI", "BTC", "LONG", &json!({}), 5).await?;
    client
        .execute(
            "UPDATE signals SET skipped_reason = 'manual' WHERE id = $1",
            &[&skipped_before],
        )
        .await?;

    let run = route_all(&mut client, &BatchSettings::default(), 7).await?;

    for ((token, _, _, _, venue, market, reason), id) in cases.iter().zip(&ids) {
        let s = state(&client, *id).await?;
        assert_eq!(s.venue, *venue, "{token:?}");
        assert_eq!(s.history.len(), 1, "{token:?}: exactly one history row");
        let h = &s.history[0];
        assert!(h.reason.starts_with(reason), "{token:?}: {}", h.reason);
        assert_eq!(h.requested, "MULTI");
        assert_eq!(h.market_symbol.as_deref(), *market, "{token:?}");
        assert_eq!(h.run_id, Some(run));
        assert_eq!(h.strategy, "FIRST_AVAILABLE");
        assert_eq!(h.config_source, "default");
        assert!(h.duration_us.is_some_and(|us| us >= 0));
        assert!(h.duration_ms.is_some());
        if *venue == "MULTI" {
            assert_eq!(h.outcome, "SKIPPED");
            // A skip records the venue it was asked for (NOT NULL, as Maxxit's model).
            assert_eq!(h.selected.as_deref(), Some("MULTI"));
            assert_eq!(
                s.skipped_reason.as_deref(),
                Some(h.reason.as_str()),
                "{token:?}"
            );
        } else {
            assert_eq!(h.outcome, "ROUTED");
            assert_eq!(h.selected.as_deref(), Some(*venue));
            assert_eq!(s.skipped_reason, None);
            assert_eq!(h.availability[*venue]["available"], json!(true));
            assert_eq!(h.availability[*venue]["market"], json!(market));
        }
    }
    // History JSON: XAU checked both venues in order, with reasons.
    let xau = state(&client, ids[6]).await?;
    assert_eq!(xau.history[0].checked, vec!["HYPERLIQUID", "OSTIUM"]);
    assert_eq!(xau.history[0].token_symbol, "XAU");
    assert_eq!(
        xau.history[0].availability["HYPERLIQUID"],
        json!({"available": false, "reason": "NOT_LISTED"})
    );
    assert_eq!(
        xau.history[0].availability["OSTIUM"]["market_index"],
        json!(5)
    );
    // FIRST_AVAILABLE stops at the first available venue.
    let btc = state(&client, ids[0]).await?;
    assert_eq!(btc.history[0].checked, vec!["HYPERLIQUID"]);
    let gold = state(&client, ids[7]).await?;
    assert_eq!(
        gold.history[0].token_symbol, "XAU",
        "canonical symbol recorded"
    );
    // Hostile tokens: history keeps the raw token cut to 64 characters.
    let long = state(&client, long_id).await?;
    assert_eq!(long.venue, "MULTI");
    assert_eq!(
        long.skipped_reason.as_deref(),
        Some("INVALID_SIGNAL: token symbol of 10000 bytes (at most 64)")
    );
    assert_eq!(long.history[0].token_symbol, "X".repeat(64));
    let expired = state(&client, ids[14]).await?;
    assert!(expired.history[0].checked.is_empty());
    assert_eq!(expired.history[0].availability, json!({}));

    let untouched = state(&client, static_id).await?;
    assert_eq!(untouched.venue, "HYPERLIQUID");
    assert_eq!(untouched.skipped_reason, None);
    assert!(untouched.history.is_empty());
    let manual = state(&client, skipped_before).await?;
    assert_eq!(manual.skipped_reason.as_deref(), Some("manual"));
    assert!(manual.history.is_empty());

    // Run counters equal the history.
    let total = cases.len() as i64 + 1;
    let row = client
        .query_one(
            "SELECT status, claimed, routed, skipped, routed_by_venue, skipped_by_reason, finished_at IS NOT NULL
             FROM routing_runs WHERE id = $1",
            &[&run],
        )
        .await?;
    assert_eq!(row.get::<_, String>(0), "COMPLETED");
    assert_eq!(row.get::<_, i64>(1), total);
    let hist = client
        .query_one(
            "SELECT count(*) FILTER (WHERE outcome = 'ROUTED'), count(*) FILTER (WHERE outcome = 'SKIPPED')
             FROM venue_routing_history WHERE run_id = $1",
            &[&run],
        )
        .await?;
    assert_eq!(row.get::<_, i64>(2), hist.get::<_, i64>(0));
    assert_eq!(row.get::<_, i64>(3), hist.get::<_, i64>(1));
    assert_eq!(
        row.get::<_, Value>(4),
        json!({"HYPERLIQUID": 6, "OSTIUM": 5})
    );
    assert_eq!(
        row.get::<_, Value>(5),
        json!({"NO_VENUE_AVAILABLE": 3, "SIGNAL_EXPIRED": 1, "INVALID_SIGNAL": 7})
    );
    assert!(row.get::<_, bool>(6));

    // Idempotent: a second run finds nothing to do.
    let statements = Statements::prepare(&client, BatchSettings::default().host).await?;
    let run2 = start_run(&client, &json!({}), None, None).await?;
    let again = route_batch(
        &mut client,
        &statements,
        &BatchSettings::default(),
        run2,
        100,
    )
    .await?;
    assert_eq!(again.claimed, 0);
    let rows: i64 = client
        .query_one("SELECT count(*) FROM venue_routing_history", &[])
        .await?
        .get(0);
    assert_eq!(rows, total);
    Ok(())
}

#[tokio::test]
async fn configuration_precedence_and_failover() -> Result<()> {
    let (_db, mut client) = db_with_markets().await?;
    let with_row = agent(&client, "MULTI").await?;
    let without = agent(&client, "MULTI").await?;
    let no_failover = agent(&client, "MULTI").await?;
    let overridden = agent(&client, "MULTI").await?;

    // Default (no global row yet).
    let default_btc = multi(&client, without, "BTC").await?;
    route_all(&mut client, &BatchSettings::default(), 100).await?;
    let h = &state(&client, default_btc).await?.history[0];
    assert_eq!(
        (h.selected.as_deref(), h.config_source.as_str()),
        (Some("HYPERLIQUID"), "default")
    );

    client
        .batch_execute(&format!(
            "INSERT INTO venue_routing_config (agent_id, venue_priority, routing_strategy, failover_enabled) VALUES
               (NULL, ARRAY['OSTIUM','HYPERLIQUID'], 'FIRST_AVAILABLE', true),
               ('{with_row}', ARRAY['HYPERLIQUID','OSTIUM'], 'FIRST_AVAILABLE', true),
               ('{no_failover}', ARRAY['HYPERLIQUID','OSTIUM'], 'FIRST_AVAILABLE', false);
             INSERT INTO venue_routing_overrides (agent_id, token_symbol, venue_priority) VALUES
               ('{overridden}', 'ETH', ARRAY['OSTIUM']),
               (NULL, 'SOL', ARRAY['SPOT', 'HYPERLIQUID'])"
        ))
        .await?;
    let agent_btc = multi(&client, with_row, "BTC").await?;
    let global_btc = multi(&client, without, "BTC").await?;
    let off_xau = multi(&client, no_failover, "XAU").await?;
    let off_btc = multi(&client, no_failover, "BTC").await?;
    let override_eth = multi(&client, overridden, "ETH").await?;
    let override_btc = multi(&client, overridden, "BTC").await?;
    let global_sol = multi(&client, without, "SOL").await?;
    route_all(&mut client, &BatchSettings::default(), 100).await?;

    let expect = [
        (agent_btc, Some("HYPERLIQUID"), "agent"),
        (global_btc, Some("OSTIUM"), "global"),
        (off_xau, None, "agent"),
        (off_btc, Some("HYPERLIQUID"), "agent"),
        (override_eth, Some("OSTIUM"), "agent_token"),
        (override_btc, Some("OSTIUM"), "global"),
        (global_sol, Some("HYPERLIQUID"), "global_token"),
    ];
    for (id, venue, source) in expect {
        let s = state(&client, id).await?;
        let h = &s.history[0];
        // A skip records the venue it was asked for (NOT NULL, as Maxxit's model).
        assert_eq!(
            h.selected.as_deref(),
            venue.or(Some("MULTI")),
            "{id}: {}",
            h.reason
        );
        assert_eq!(h.config_source, source, "{id}");
    }
    let off = state(&client, off_xau).await?;
    assert_eq!(
        off.skipped_reason.as_deref(),
        Some(
            "NO_VENUE_AVAILABLE: HYPERLIQUID: NOT_LISTED (failover off: only the first venue is considered)"
        )
    );
    assert_eq!(off.history[0].checked, vec!["HYPERLIQUID"]);
    let sol = &state(&client, global_sol).await?.history[0];
    assert!(
        sol.reason
            .starts_with("SPOT: UNSUPPORTED_VENUE → HYPERLIQUID: available"),
        "{}",
        sol.reason
    );
    assert_eq!(
        sol.availability["SPOT"]["reason"],
        json!("UNSUPPORTED_VENUE")
    );
    Ok(())
}

#[tokio::test]
async fn stale_and_unsynced_venues() -> Result<()> {
    let (_db, mut client) = db_with_markets().await?;
    let a = agent(&client, "MULTI").await?;
    // Hyperliquid's last success is 30 h old; a newer FAILED run does not count.
    client
        .batch_execute(
            "UPDATE venue_sync_runs SET finished_at = now() - interval '30 hours' WHERE venue = 'HYPERLIQUID';
             INSERT INTO venue_sync_runs (venue, source, status, started_at, finished_at)
             VALUES ('HYPERLIQUID', 'test', 'FAILED', now(), now())",
        )
        .await?;
    let btc = multi(&client, a, "BTC").await?;
    let pepe = multi(&client, a, "PEPE").await?;
    route_all(&mut client, &BatchSettings::default(), 100).await?;
    let s = state(&client, btc).await?;
    assert_eq!(s.venue, "OSTIUM");
    assert!(
        s.history[0].reason.starts_with(
            "HYPERLIQUID: STALE_MARKET_DATA (last sync 30h ago, max 26h) → OSTIUM: available"
        ),
        "{}",
        s.history[0].reason
    );
    assert_eq!(
        state(&client, pepe).await?.skipped_reason.as_deref(),
        Some(
            "NO_VENUE_AVAILABLE: HYPERLIQUID: STALE_MARKET_DATA (last sync 30h ago, max 26h) → OSTIUM: NOT_LISTED"
        )
    );
    // A longer --max-market-age accepts it; no sync at all is never fresh.
    let eth = multi(&client, a, "ETH").await?;
    let relaxed = BatchSettings {
        max_market_age: chrono::TimeDelta::hours(48),
        ..BatchSettings::default()
    };
    route_all(&mut client, &relaxed, 100).await?;
    assert_eq!(state(&client, eth).await?.venue, "HYPERLIQUID");
    client.batch_execute("DELETE FROM venue_sync_runs").await?;
    let eth2 = multi(&client, a, "ETH").await?;
    route_all(&mut client, &relaxed, 100).await?;
    assert_eq!(
        state(&client, eth2).await?.skipped_reason.as_deref(),
        Some(
            "NO_VENUE_AVAILABLE: HYPERLIQUID: STALE_MARKET_DATA (never synced) → OSTIUM: STALE_MARKET_DATA (never synced)"
        )
    );
    Ok(())
}

#[tokio::test]
async fn agent_filter_and_hip3_flag() -> Result<()> {
    let (_db, mut client) = db_with_markets().await?;
    let a = agent(&client, "MULTI").await?;
    let b = agent(&client, "MULTI").await?;
    let a_tsla = multi(&client, a, "TSLA").await?;
    let b_btc = multi(&client, b, "BTC").await?;
    let settings = BatchSettings {
        agent: Some(a),
        include_hip3: true,
        ..BatchSettings::default()
    };
    route_all(&mut client, &settings, 100).await?;
    let tsla = state(&client, a_tsla).await?;
    assert_eq!(tsla.venue, "HYPERLIQUID");
    assert_eq!(tsla.history[0].market_symbol.as_deref(), Some("xyz:TSLA"));
    assert_eq!(
        tsla.history[0].availability["HYPERLIQUID"]["dex"],
        json!("xyz")
    );
    let other = state(&client, b_btc).await?;
    assert_eq!(other.venue, "MULTI");
    assert!(
        other.history.is_empty(),
        "--agent leaves other agents' signals alone"
    );
    Ok(())
}

#[tokio::test]
async fn every_routing_and_signals_statement_prepares() -> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    let mut prepared = 0;
    for file in sql_files_in(&["routing", "signals"]) {
        let sql = &file.text;
        assert!(
            sql.starts_with("--"),
            "{} starts with a comment",
            file.path.display()
        );
        client
            .prepare(sql)
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e:?}", file.path.display()))?;
        prepared += 1;
    }
    assert!(prepared >= 10);
    Ok(())
}

#[tokio::test]
async fn each_strategy_routes_a_mixed_batch() -> Result<()> {
    let (_db, mut client) = db_with_markets().await?;
    let a = agent(&client, "MULTI").await?;
    // (strategy, [(token, side, expected venue, reason suffix)])
    type Plan = (
        &'static str,
        Vec<(
            &'static str,
            &'static str,
            Option<&'static str>,
            &'static str,
        )>,
    );
    let plans: [Plan; 3] = [
        (
            "BEST_LIQUIDITY",
            vec![
                (
                    "BTC",
                    "LONG",
                    Some("HYPERLIQUID"),
                    "; BEST_LIQUIDITY: HYPERLIQUID $2.00B vs OSTIUM $6.00M (highest liquidity)",
                ),
                (
                    "ETH",
                    "SHORT",
                    Some("HYPERLIQUID"),
                    "; BEST_LIQUIDITY: HYPERLIQUID $1.00B vs OSTIUM $9.00M (highest liquidity)",
                ),
                (
                    "XAU",
                    "LONG",
                    Some("OSTIUM"),
                    "; BEST_LIQUIDITY: OSTIUM is the only available venue",
                ),
                ("TSLA", "LONG", None, ""),
            ],
        ),
        (
            "LOWEST_FEES",
            vec![
                (
                    "BTC",
                    "LONG",
                    Some("OSTIUM"),
                    "; LOWEST_FEES: HYPERLIQUID 5.00 bps vs OSTIUM 4.00 bps (lowest cost estimate)",
                ),
                (
                    "SOL",
                    "LONG",
                    Some("HYPERLIQUID"),
                    "; LOWEST_FEES: HYPERLIQUID is the only available venue",
                ),
                (
                    "EURUSD",
                    "SHORT",
                    Some("OSTIUM"),
                    "; LOWEST_FEES: OSTIUM is the only available venue",
                ),
            ],
        ),
        (
            "FIRST_AVAILABLE",
            vec![
                ("BTC", "LONG", Some("HYPERLIQUID"), ""),
                ("XAU", "LONG", Some("OSTIUM"), ""),
            ],
        ),
    ];
    for (strategy, cases) in plans {
        client
            .execute(
                "INSERT INTO venue_routing_config (agent_id, venue_priority, routing_strategy, failover_enabled)
                 VALUES (NULL, ARRAY['HYPERLIQUID','OSTIUM'], $1, true)
                 ON CONFLICT ((agent_id IS NULL)) WHERE agent_id IS NULL
                 DO UPDATE SET routing_strategy = EXCLUDED.routing_strategy",
                &[&strategy],
            )
            .await?;
        let mut ids = Vec::new();
        for (token, side, ..) in &cases {
            ids.push(signal(&client, a, "MULTI", token, side, &json!({"leverage": 5}), 5).await?);
        }
        route_all(&mut client, &BatchSettings::default(), 100).await?;
        for ((token, _, venue, suffix), id) in cases.iter().zip(ids) {
            let s = state(&client, id).await?;
            let h = &s.history[0];
            assert_eq!(h.strategy, strategy);
            assert_eq!(h.config_source, "global");
            assert_eq!(
                h.selected.as_deref(),
                venue.or(Some("MULTI")),
                "{strategy} {token}: {}",
                h.reason
            );
            if venue.is_some() {
                assert!(
                    h.reason.ends_with(suffix),
                    "{strategy} {token}: {}",
                    h.reason
                );
            }
            if strategy == "FIRST_AVAILABLE" {
                continue;
            }
            // Comparing strategies check every considered venue and record the figures.
            assert_eq!(
                h.checked,
                vec!["HYPERLIQUID", "OSTIUM"],
                "{strategy} {token}"
            );
        }
    }
    // The figures are in the history JSON.
    let btc: Value = client
        .query_one(
            "SELECT h.venue_availability FROM venue_routing_history h
             WHERE h.strategy = 'BEST_LIQUIDITY' AND h.token_symbol = 'BTC'",
            &[],
        )
        .await?
        .get(0);
    assert_eq!(btc["HYPERLIQUID"]["liquidity_usd"].as_f64(), Some(2e9));
    assert_eq!(btc["OSTIUM"]["liquidity_usd"].as_f64(), Some(6e6));
    assert_eq!(btc["HYPERLIQUID"]["cost_bps"].as_f64(), Some(5.0));
    assert_eq!(btc["OSTIUM"]["cost_bps"].as_f64(), Some(4.0));
    assert_eq!(btc["HYPERLIQUID"]["selected"], json!(true));
    Ok(())
}
