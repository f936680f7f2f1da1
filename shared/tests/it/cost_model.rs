//! Database tier of the cost model (issue 14): the late-2026 figures survive
//! apply → snapshot, depth curves go stale when a later sync brings none,
//! the assumed notional is stored and checked, the token demand a sync reads
//! counts what signals name, and a routed batch audits the figures.

use std::path::PathBuf;

use agent_where::db::config::{self as config_db, AssumedNotional, ConfigWrite};
use agent_where::db::markets::{self, ApplyOptions};
use agent_where::db::routing::{
    BatchSettings, Statements, market_snapshot, route_batch, start_run,
};
use agent_where::domain::cost::{FeeRule, ImpactModel};
use agent_where::domain::{Market, Usd, Venue};
use agent_where::routing::MarketRow;
use agent_where::testing::TestDb;
use agent_where::venues::{HttpOptions, Origin, SourceSettings, VenueSource, hyperliquid, ostium};
use anyhow::Result;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tokio_postgres::Client;
use tokio_postgres::error::SqlState;
use uuid::Uuid;

fn fixtures(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_017_600, 0).expect("time")
}

/// Hyperliquid's late-2026 capture through the venue interface, as
/// `sync-hyperliquid-markets --from-file DIR --dexes all [--oi-caps]` reads it.
async fn hl_late_2026(oi_caps: bool, books: bool) -> Vec<Market> {
    let dir = fixtures("hyperliquid/2026-11");
    let mut options = vec![("dexes", "all".to_owned())];
    if oi_caps {
        options.push(("oi-caps", "true".to_owned()));
    }
    let settings = SourceSettings {
        options,
        files: vec![("from-file", dir)],
        ..SourceSettings::default()
    };
    let sync = hyperliquid::SOURCE
        .configure(&settings, Origin::Configured)
        .expect("settings");
    let mut responses = sync
        .load(&HttpOptions::default(), &[])
        .await
        .expect("fixtures readable");
    if !books {
        responses
            .bodies
            .retain(|(name, _)| !name.starts_with("l2Book."));
    }
    sync.parse(&responses, at()).expect("valid").markets
}

async fn ostium_late_2026() -> Vec<Market> {
    let dir = fixtures("ostium/2026-11");
    let settings = SourceSettings {
        files: vec![
            ("pairs-file", dir.join(ostium::PAIRS_FILE)),
            ("prices-file", dir.join(ostium::PRICES_FILE)),
            ("impact-file", dir.join(ostium::IMPACT_FILE)),
        ],
        ..SourceSettings::default()
    };
    let sync = ostium::SOURCE
        .configure(&settings, Origin::Configured)
        .expect("settings");
    let responses = sync
        .load(&HttpOptions::default(), &[])
        .await
        .expect("fixtures readable");
    sync.parse(&responses, at()).expect("valid").markets
}

async fn apply(client: &mut Client, venue: Venue, list: &[Market]) -> Result<()> {
    let options = ApplyOptions {
        scope: None,
        allow_mass_delist: true,
        dry_run: false,
        source: "test".to_owned(),
        built_in: false,
        started_at: Utc::now(),
        lock_timeout: agent_where::db::locks::DEFAULT_TIMEOUT,
    };
    markets::apply(client, venue, list, &options).await?;
    Ok(())
}

async fn row(client: &Client, venue: Venue, token: &str) -> Result<MarketRow> {
    let (snapshot, _) = market_snapshot(client).await?;
    (0..u32::try_from(snapshot.len())?)
        .filter_map(|i| snapshot.market(i))
        .find(|m| m.venue == Some(venue) && m.token_symbol == token)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("{venue} {token} not in the snapshot"))
}

#[tokio::test]
async fn late_2026_figures_survive_apply_and_snapshot() -> Result<()> {
    let db = TestDb::migrated().await?;
    let mut client = db.client().await?;
    let hl = hl_late_2026(true, true).await;
    apply(&mut client, Venue::Hyperliquid, &hl).await?;
    apply(&mut client, Venue::Ostium, &ostium_late_2026().await).await?;

    let sol = row(&client, Venue::Hyperliquid, "SOL").await?;
    assert_eq!(sol.cost.at_open_interest_cap, Some(true));
    assert_eq!(
        (sol.cost.long_capacity_usd, sol.cost.short_capacity_usd),
        (Some(0.0), Some(0.0))
    );
    let hyna = row(&client, Venue::Hyperliquid, "hyna:BTC").await?;
    assert_eq!(
        (hyna.figures.taker_fee_bps, hyna.cost.close_fee_bps),
        (Some(0.5625), Some(0.5625))
    );
    let model = hyna.cost.model.as_ref().expect("cost model");
    assert!(matches!(
        model.fees,
        FeeRule::Taker { ref components, .. } if components.deployer_fee_scale == Some(0.25)
    ));
    assert!(!hyna.depth_stale);
    let btc = row(&client, Venue::Hyperliquid, "BTC").await?;
    let depth = btc.cost.depth.as_ref().expect("fresh depth curve");
    assert_eq!(
        depth,
        hl.iter()
            .find(|m| m.token_symbol == "BTC")
            .and_then(|m| m.cost.depth.as_ref())
            .expect("parsed")
    );
    // No outcome token reached the table.
    let outcomes: i64 = client
        .query_one(
            "SELECT count(*) FROM venue_markets WHERE token_symbol LIKE '#%'",
            &[],
        )
        .await?
        .get(0);
    assert_eq!(outcomes, 0);

    let tsla = row(&client, Venue::Ostium, "TSLA").await?;
    assert_eq!(tsla.cost.overnight_max_leverage, Some(10.0));
    assert_eq!(tsla.cost.day_trading_closed, Some(true));
    assert_eq!(
        tsla.cost.day_trading_toggle_at,
        Some(at() + chrono::TimeDelta::seconds(63_060))
    );
    let nvda = row(&client, Venue::Ostium, "NVDA").await?;
    assert_eq!(nvda.cost.long_capacity_usd, Some(0.0));
    let obtc = row(&client, Venue::Ostium, "BTC").await?;
    assert_eq!(obtc.cost.close_fee_bps, Some(0.0));
    assert!(matches!(
        obtc.cost.model.as_ref().map(|m| &m.impact),
        Some(ImpactModel::OracleQuote { dynamic: Some(d), .. }) if d.price_impact_k > 0.0
    ));
    Ok(())
}

#[tokio::test]
async fn a_later_sync_without_books_leaves_the_curve_stale() -> Result<()> {
    let db = TestDb::migrated().await?;
    let mut client = db.client().await?;
    apply(
        &mut client,
        Venue::Hyperliquid,
        &hl_late_2026(false, true).await,
    )
    .await?;
    assert!(
        row(&client, Venue::Hyperliquid, "BTC")
            .await?
            .cost
            .depth
            .is_some()
    );
    // The next sync brings no books: the stored curve stays, but it is
    // older than the market's figures now, so routing does not use it.
    apply(
        &mut client,
        Venue::Hyperliquid,
        &hl_late_2026(false, false).await,
    )
    .await?;
    let btc = row(&client, Venue::Hyperliquid, "BTC").await?;
    assert!(btc.cost.depth.is_none());
    assert!(btc.depth_stale);
    let stored: bool = client
        .query_one(
            "SELECT depth_curve IS NOT NULL AND depth_synced_at < last_synced
             FROM venue_markets WHERE token_symbol = 'BTC'",
            &[],
        )
        .await?
        .get(0);
    assert!(stored);
    // A sync with books makes it fresh again; a market without a book never had one.
    apply(
        &mut client,
        Venue::Hyperliquid,
        &hl_late_2026(false, true).await,
    )
    .await?;
    let btc = row(&client, Venue::Hyperliquid, "BTC").await?;
    assert!(btc.cost.depth.is_some() && !btc.depth_stale);
    let eth = row(&client, Venue::Hyperliquid, "ETH").await?;
    assert!(eth.cost.depth.is_none() && !eth.depth_stale);
    Ok(())
}

#[tokio::test]
async fn the_assumed_notional_is_stored_kept_cleared_and_checked() -> Result<()> {
    let db = TestDb::migrated().await?;
    let mut client = db.client().await?;
    let priority = vec!["HYPERLIQUID".to_owned(), "OSTIUM".to_owned()];
    let write = |assumed| ConfigWrite {
        agent: None,
        token: None,
        venue_priority: &priority,
        strategy: Some("LOWEST_COST"),
        failover: None,
        assumed_notional: assumed,
        allow_venues_without_executor: false,
    };
    let done = config_db::write(
        &mut client,
        &write(AssumedNotional::Set(Usd::new(25_000.0).expect("valid"))),
    )
    .await?;
    assert_eq!(done.assumed_notional_usd, Usd::new(25_000.0));
    // Kept when not given; the effective config reads it.
    config_db::write(&mut client, &write(AssumedNotional::Keep)).await?;
    let set = config_db::load_config_set(&client, &[]).await?;
    assert_eq!(
        set.effective(Uuid::nil(), "BTC").assumed_notional_usd,
        Usd::new(25_000.0)
    );
    let done = config_db::write(&mut client, &write(AssumedNotional::Clear)).await?;
    assert_eq!(done.assumed_notional_usd, None);
    // The column refuses what Usd refuses.
    for bad in ["-1", "0", "'NaN'", "'Infinity'", "1e16"] {
        let e = client
            .execute(
                &format!("UPDATE venue_routing_config SET assumed_notional_usd = {bad}"),
                &[],
            )
            .await
            .expect_err(bad);
        assert_eq!(e.code(), Some(&SqlState::CHECK_VIOLATION), "{bad}");
    }
    Ok(())
}

async fn agent(client: &Client) -> Result<Uuid> {
    Ok(client
        .query_one(
            "INSERT INTO agents (creator_wallet, name, venue, profit_receiver_address)
             VALUES ('0xabc', 'cost agent', 'MULTI', '0xabc') RETURNING id",
            &[],
        )
        .await?
        .get(0))
}

async fn signal(
    client: &Client,
    agent: Uuid,
    token: &str,
    side: &str,
    size: &Value,
) -> Result<Uuid> {
    Ok(client
        .query_one(
            "INSERT INTO signals (agent_id, token_symbol, venue, side, size_model, risk_model, created_at)
             VALUES ($1, $2, 'MULTI', $3, $4, '{}'::jsonb, now() - interval '1 minute') RETURNING id",
            &[&agent, &token, &side, size],
        )
        .await?
        .get(0))
}

#[tokio::test]
async fn the_sync_reads_the_tokens_signals_name() -> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    let a = agent(&client).await?;
    for token in ["btc", "$BTC", "BTC/USD", "eth", "kPEPE", "", "SOL"] {
        signal(&client, a, token, "LONG", &json!({})).await?;
    }
    // Decided yesterday-ish: the last day's decisions count, older ones not.
    let routed = signal(&client, a, "SOL", "LONG", &json!({})).await?;
    client
        .batch_execute(&format!(
            "UPDATE signals SET venue = 'HYPERLIQUID' WHERE id = '{routed}';
             INSERT INTO venue_routing_history (signal_id, token_symbol, requested_venue, selected_venue,
                 routing_reason, venue_availability, created_at)
             VALUES ('{routed}', 'SOL', 'MULTI', 'HYPERLIQUID', 'x', '{{}}', now() - interval '2 hours'),
                    ('{routed}', 'SOL', 'MULTI', 'HYPERLIQUID', 'x', '{{}}', now() - interval '3 hours'),
                    ('{routed}', 'SOL', 'MULTI', 'HYPERLIQUID', 'x', '{{}}', now() - interval '4 hours'),
                    ('{routed}', 'DOGE', 'MULTI', 'HYPERLIQUID', 'x', '{{}}', now() - interval '3 days');"
        ))
        .await?;
    // SOL 1 pending + 3 decisions, BTC 3 (three spellings), ETH 1, PEPE 1;
    // the empty token is no symbol; DOGE was decided more than a day ago.
    let symbols = markets::demanded_symbols(&client, 100).await?;
    assert_eq!(&symbols[..2], ["SOL", "BTC"]);
    let mut rest = symbols[2..].to_vec();
    rest.sort();
    assert_eq!(rest, ["ETH", "PEPE"]);
    Ok(())
}

#[tokio::test]
async fn a_routed_batch_audits_the_cost_of_the_order() -> Result<()> {
    let db = TestDb::migrated().await?;
    let mut client = db.client().await?;
    apply(
        &mut client,
        Venue::Hyperliquid,
        &hl_late_2026(true, true).await,
    )
    .await?;
    apply(&mut client, Venue::Ostium, &ostium_late_2026().await).await?;
    client
        .batch_execute(
            "INSERT INTO venue_routing_config (agent_id, venue_priority, routing_strategy, failover_enabled)
             VALUES (NULL, ARRAY['HYPERLIQUID','OSTIUM'], 'LOWEST_COST', true)",
        )
        .await?;
    let a = agent(&client).await?;
    // 1 000 USDC × 10 = $10k on BTC: Hyperliquid's book at the order's size.
    let btc = signal(
        &client,
        a,
        "BTC",
        "LONG",
        &json!({"type": "fixed-usdc", "value": 1000, "leverage": 10}),
    )
    .await?;
    // NVDA long: Ostium's pair is at its cap on the long side.
    let nvda = signal(
        &client,
        a,
        "NVDA",
        "LONG",
        &json!({"type": "fixed-usdc", "value": 100}),
    )
    .await?;
    // A relative size without an assumed notional: top of book.
    let sol = signal(
        &client,
        a,
        "SOL",
        "SHORT",
        &json!({"type": "balance-percentage", "value": 5}),
    )
    .await?;
    client
        .batch_execute(&format!(
            "UPDATE signals SET llm_leverage = 4 WHERE id = '{nvda}'"
        ))
        .await?;
    let statements = Statements::prepare(&client, BatchSettings::default().host).await?;
    let run = start_run(&client, &json!({}), None, None).await?;
    let settings = BatchSettings {
        max_market_age: chrono::TimeDelta::days(3650),
        ..BatchSettings::default()
    };
    route_batch(&mut client, &statements, &settings, run, 100).await?;
    let history = |id: Uuid| {
        let client = &client;
        async move {
            let r = client
                .query_one(
                    "SELECT selected_venue::text, routing_reason, venue_availability
                     FROM venue_routing_history WHERE signal_id = $1",
                    &[&id],
                )
                .await?;
            Ok::<_, anyhow::Error>((
                r.get::<_, Option<String>>(0),
                r.get::<_, String>(1),
                r.get::<_, Value>(2),
            ))
        }
    };
    let (venue, reason, v) = history(btc).await?;
    // $10k fits Hyperliquid's first ask level (1.1 BTC ≈ $111k): no impact;
    // 4.5 + 4.5 + half the 1-dollar touch spread (≈ 0.05 bps) ≈ 9.05 bps,
    // against Ostium's 10 bps taker (no spread under its dynamic-spread
    // threshold of $50k).
    assert_eq!(venue.as_deref(), Some("HYPERLIQUID"), "{reason}");
    let h = &v["HYPERLIQUID"];
    assert_eq!(h["notional_usd"], 10_000.0);
    assert_eq!(h["notional_source"], "fixed_collateral");
    assert_eq!(h["cost_basis"], "order_notional");
    assert_eq!(h["impact_source"], "depth_curve");
    assert_eq!(h["impact_bps"], 0.0);
    let total = h["total_cost_bps"].as_f64().expect("number");
    assert!((total - (9.0 + 0.5 / 101_250.5 * 1e4)).abs() < 1e-5, "{h}");
    assert!(reason.contains("LOWEST_COST: HYPERLIQUID"), "{reason}");

    let (venue, reason, v) = history(nvda).await?;
    assert_eq!(
        venue.as_deref(),
        Some("MULTI"),
        "a skip records MULTI (migration 7)"
    );
    assert_eq!(v["OSTIUM"]["reason"], "OPEN_INTEREST_CAP", "{reason}");
    assert!(
        reason.contains("OSTIUM: OPEN_INTEREST_CAP (NVDA/USD, LONG)"),
        "{reason}"
    );
    // llm_leverage sized the order: 100 USDC × 4.
    assert_eq!(v["OSTIUM"]["notional_usd"], 400.0);

    let (_, _, v) = history(sol).await?;
    // SOL is at its cap on Hyperliquid (both sides).
    assert_eq!(v["HYPERLIQUID"]["reason"], "OPEN_INTEREST_CAP");
    assert_eq!(v["HYPERLIQUID"]["cost_basis"], "top_of_book");
    assert_eq!(v["HYPERLIQUID"]["cost_fallback"], "no_notional");
    Ok(())
}
