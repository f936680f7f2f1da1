//! Database tier: applying market lists to `venue_markets` (diff, delisting,
//! reactivation, mass-delist guard, dry run, sync scope, run rows).

use agent_where::db::markets::{self, ApplyOptions, MassDelist};
use agent_where::domain::{Market, Venue};
use agent_where::testing::TestDb;
use agent_where::venues::{hyperliquid, ostium};
use anyhow::Result;
use chrono::Utc;

fn options(scope: Option<Vec<String>>) -> ApplyOptions {
    ApplyOptions {
        scope,
        allow_mass_delist: false,
        dry_run: false,
        source: "test".to_owned(),
        built_in: false,
        started_at: Utc::now(),
        lock_timeout: agent_where::db::locks::DEFAULT_TIMEOUT,
    }
}

/// The scope of a sync of Hyperliquid's main dex only.
fn main_scope() -> Vec<String> {
    vec![String::new()]
}

fn hl_markets(with_xyz: bool) -> Vec<Market> {
    hyperliquid::parse(&hyperliquid::recorded(with_xyz)).expect("recorded response is valid")
}

async fn table(client: &tokio_postgres::Client) -> Result<Vec<String>> {
    Ok(client
        .query(
            "SELECT to_jsonb(m)::text FROM venue_markets m ORDER BY venue, token_symbol",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

async fn runs(client: &tokio_postgres::Client) -> Result<Vec<(String, Option<i32>)>> {
    Ok(client
        .query(
            "SELECT status, added FROM venue_sync_runs ORDER BY started_at, finished_at",
            &[],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
}

#[tokio::test]
async fn first_sync_adds_second_changes_nothing() -> Result<()> {
    let db = TestDb::migrated().await?;
    let mut client = db.client().await?;
    let list = hl_markets(false);
    let first = markets::apply(
        &mut client,
        Venue::Hyperliquid,
        &list,
        &options(Some(main_scope())),
    )
    .await?;
    assert_eq!((first.added, first.updated, first.delisted), (225, 0, 0));
    assert_eq!(first.active_total, 187);
    assert!(first.run_id.is_some());
    let second = markets::apply(
        &mut client,
        Venue::Hyperliquid,
        &list,
        &options(Some(main_scope())),
    )
    .await?;
    assert_eq!(
        (
            second.added,
            second.updated,
            second.delisted,
            second.reactivated,
            second.unchanged
        ),
        (0, 0, 0, 0, 225)
    );
    assert!(!second.changed());
    let row = client
        .query_one(
            "SELECT is_active, delisted_at IS NOT NULL, min_position::float8, market_index, base_symbol, price_scale
             FROM venue_markets WHERE token_symbol = 'kPEPE'",
            &[],
        )
        .await?;
    assert!(row.get::<_, bool>(0));
    assert!(!row.get::<_, bool>(1));
    assert_eq!(row.get::<_, f64>(2), 1.0);
    assert_eq!(row.get::<_, i32>(3), 15);
    assert_eq!(row.get::<_, String>(4), "PEPE");
    assert_eq!(row.get::<_, f64>(5), 1000.0);
    let matic: (bool, bool) = client
        .query_one(
            "SELECT is_active, delisted_at IS NOT NULL FROM venue_markets WHERE token_symbol = 'MATIC'",
            &[],
        )
        .await
        .map(|r| (r.get(0), r.get(1)))?;
    assert_eq!(matic, (false, true));
    assert_eq!(
        runs(&client).await?,
        [
            ("SUCCEEDED".to_owned(), Some(225)),
            ("SUCCEEDED".to_owned(), Some(0))
        ]
    );
    Ok(())
}

#[tokio::test]
async fn missing_market_is_delisted_then_reactivated_and_updates_are_counted() -> Result<()> {
    let db = TestDb::migrated().await?;
    let mut client = db.client().await?;
    let list = hl_markets(false);
    markets::apply(
        &mut client,
        Venue::Hyperliquid,
        &list,
        &options(Some(main_scope())),
    )
    .await?;
    let without_btc: Vec<Market> = list
        .iter()
        .filter(|m| m.token_symbol != "BTC")
        .cloned()
        .collect();
    let s = markets::apply(
        &mut client,
        Venue::Hyperliquid,
        &without_btc,
        &options(Some(main_scope())),
    )
    .await?;
    assert_eq!(s.changes.delisted, ["BTC"]);
    assert_eq!(s.unchanged, 224);
    let btc: (bool, bool) = client
        .query_one(
            "SELECT is_active, delisted_at IS NOT NULL FROM venue_markets WHERE token_symbol = 'BTC'",
            &[],
        )
        .await
        .map(|r| (r.get(0), r.get(1)))?;
    assert_eq!(btc, (false, true), "kept, deactivated, delisted_at set");

    let mut changed = list.clone();
    if let Some(eth) = changed.iter_mut().find(|m| m.token_symbol == "ETH") {
        eth.current_price = Some(1234.5);
    }
    let s = markets::apply(
        &mut client,
        Venue::Hyperliquid,
        &changed,
        &options(Some(main_scope())),
    )
    .await?;
    assert_eq!(s.changes.reactivated, ["BTC"]);
    assert_eq!(s.changes.updated, ["ETH"]);
    assert_eq!(s.unchanged, 223);
    let btc: (bool, bool) = client
        .query_one(
            "SELECT is_active, delisted_at IS NULL FROM venue_markets WHERE token_symbol = 'BTC'",
            &[],
        )
        .await
        .map(|r| (r.get(0), r.get(1)))?;
    assert_eq!(btc, (true, true), "reactivated, delisted_at cleared");
    Ok(())
}

#[tokio::test]
async fn mass_delist_is_refused_unless_allowed_and_dry_run_writes_nothing() -> Result<()> {
    let db = TestDb::migrated().await?;
    let mut client = db.client().await?;
    let list = hl_markets(false);
    markets::apply(
        &mut client,
        Venue::Hyperliquid,
        &list,
        &options(Some(main_scope())),
    )
    .await?;
    let before = table(&client).await?;
    let few: Vec<Market> = list.iter().take(10).cloned().collect();
    let err = markets::apply(
        &mut client,
        Venue::Hyperliquid,
        &few,
        &options(Some(main_scope())),
    )
    .await
    .expect_err("guard trips");
    let guard = err
        .downcast_ref::<MassDelist>()
        .expect("a MassDelist error");
    assert_eq!(guard.active_before, 187);
    assert!(err.to_string().contains("--allow-mass-delist"), "{err}");
    assert_eq!(table(&client).await?, before, "nothing written");

    let mut dry = options(Some(main_scope()));
    dry.dry_run = true;
    dry.allow_mass_delist = true;
    let s = markets::apply(&mut client, Venue::Hyperliquid, &few, &dry).await?;
    assert!(s.dry_run && s.run_id.is_none());
    assert!(s.delisted > 150);
    assert_eq!(table(&client).await?, before, "dry run rolled back");
    assert_eq!(runs(&client).await?.len(), 1, "no run row for the dry run");

    let mut allowed = options(Some(main_scope()));
    allowed.allow_mass_delist = true;
    let s = markets::apply(&mut client, Venue::Hyperliquid, &few, &allowed).await?;
    assert_eq!(i64::from(s.delisted), 187 - s.active_total);
    Ok(())
}

#[tokio::test]
async fn a_main_dex_sync_leaves_builder_dex_markets_alone() -> Result<()> {
    let db = TestDb::migrated().await?;
    let mut client = db.client().await?;
    let scope = Some(vec![String::new(), "xyz".to_owned()]);
    let s = markets::apply(
        &mut client,
        Venue::Hyperliquid,
        &hl_markets(true),
        &options(scope),
    )
    .await?;
    assert_eq!(s.added, 256);
    let s = markets::apply(
        &mut client,
        Venue::Hyperliquid,
        &hl_markets(false),
        &options(Some(main_scope())),
    )
    .await?;
    assert_eq!((s.delisted, s.unchanged), (0, 225));
    let xyz_active: i64 = client
        .query_one(
            "SELECT count(*) FROM venue_markets WHERE dex = 'xyz' AND is_active",
            &[],
        )
        .await?
        .get(0);
    assert_eq!(xyz_active, 27);
    let tsla: i32 = client
        .query_one(
            "SELECT market_index FROM venue_markets WHERE token_symbol = 'xyz:TSLA'",
            &[],
        )
        .await?
        .get(0);
    assert_eq!(tsla, 110_001);
    Ok(())
}

#[tokio::test]
async fn ostium_pairs_get_one_row_each_and_resync_is_unchanged() -> Result<()> {
    let db = TestDb::migrated().await?;
    let mut client = db.client().await?;
    let list = ostium::parse(&ostium::recorded(), Utc::now())?;
    let s = markets::apply(&mut client, Venue::Ostium, &list, &options(None)).await?;
    assert_eq!((s.added, s.active_total), (52, 52));
    // A later observation time alone is not a change.
    let again = ostium::parse(
        &ostium::recorded(),
        Utc::now() + chrono::Duration::seconds(60),
    )?;
    let s = markets::apply(&mut client, Venue::Ostium, &again, &options(None)).await?;
    assert_eq!((s.unchanged, s.updated), (52, 0));
    let rows = client
        .query(
            "SELECT token_symbol, market_name, base_symbol, quote_symbol, max_leverage, taker_fee_bps
             FROM venue_markets WHERE venue = 'OSTIUM' AND token_symbol IN ('USDJPY', 'USDCAD', 'HYPE', 'BTC')
             ORDER BY token_symbol",
            &[],
        )
        .await?;
    let got: Vec<(String, String, String, String, i32, f64)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
        .collect();
    let want = [
        ("BTC", "BTC/USD", "BTC", "USD", 100, 10.0),
        ("HYPE", "HYPE/USD", "HYPE", "USD", 75, 10.0),
        ("USDCAD", "USD/CAD", "USDCAD", "CAD", 200, 3.0),
        ("USDJPY", "USD/JPY", "USDJPY", "JPY", 200, 3.0),
    ];
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert_eq!(
            (
                g.0.as_str(),
                g.1.as_str(),
                g.2.as_str(),
                g.3.as_str(),
                g.4,
                g.5
            ),
            w
        );
    }
    let closed: i64 = client
        .query_one(
            "SELECT count(*) FROM venue_markets WHERE venue = 'OSTIUM' AND \"group\" = 'stocks' AND market_open = false AND market_status_at IS NOT NULL",
            &[],
        )
        .await?
        .get(0);
    assert_eq!(closed, 22);
    Ok(())
}

#[tokio::test]
async fn failed_runs_are_recorded() -> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    markets::record_failure(
        &client,
        Venue::Ostium,
        "http://x",
        false,
        Utc::now(),
        "boom",
    )
    .await?;
    let row = client
        .query_one(
            "SELECT venue::text, status, error, finished_at IS NOT NULL, added FROM venue_sync_runs",
            &[],
        )
        .await?;
    assert_eq!(row.get::<_, String>(0), "OSTIUM");
    assert_eq!(row.get::<_, String>(1), "FAILED");
    assert_eq!(row.get::<_, String>(2), "boom");
    assert!(row.get::<_, bool>(3));
    assert_eq!(row.get::<_, Option<i32>>(4), None);
    Ok(())
}
