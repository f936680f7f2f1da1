//! `load_config_set` against a real database: it loads the global row, every
//! global override and exactly the rows and overrides of the agents asked for.

use agent_where::config::StoredConfig;
use agent_where::db::config::load_config_set;
use agent_where::domain::{ConfigSource, Strategy, Venue};
use agent_where::testing::TestDb;
use uuid::Uuid;

async fn agent(client: &tokio_postgres::Client, name: &str) -> anyhow::Result<Uuid> {
    Ok(client
        .query_one(
            "INSERT INTO agents (creator_wallet, name, venue, profit_receiver_address) \
             VALUES ('0xc', $1, 'MULTI', '0xp') RETURNING id",
            &[&name],
        )
        .await?
        .get(0))
}

#[tokio::test]
async fn loads_global_and_requested_agents_only() -> anyhow::Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    let a = agent(&client, "a").await?;
    let b = agent(&client, "b").await?;
    client
        .batch_execute(&format!(
            "INSERT INTO venue_routing_config (agent_id, venue_priority, routing_strategy, failover_enabled) VALUES
               (NULL, ARRAY['OSTIUM','HYPERLIQUID'], 'LOWEST_FEES', true),
               ('{a}', ARRAY['OSTIUM'], 'BEST_LIQUIDITY', false),
               ('{b}', NULL, 'FIRST_AVAILABLE', true);
             INSERT INTO venue_routing_overrides (agent_id, token_symbol, venue_priority) VALUES
               (NULL, 'SPX', ARRAY['OSTIUM']),
               ('{a}', 'BTC', ARRAY['HYPERLIQUID']),
               ('{b}', 'ETH', ARRAY['OSTIUM']);"
        ))
        .await?;

    let set = load_config_set(&client, &[a]).await?;
    assert_eq!(
        set.global,
        Some(StoredConfig {
            venue_priority: Some(vec!["OSTIUM".into(), "HYPERLIQUID".into()]),
            routing_strategy: "LOWEST_FEES".into(),
            failover_enabled: true,
            assumed_notional_usd: None,
            allow_venues_without_executor: false,
        })
    );
    assert_eq!(set.agents.keys().copied().collect::<Vec<_>>(), vec![a]);
    assert_eq!(set.global_overrides.len(), 1);
    assert_eq!(set.global_overrides["SPX"], vec!["OSTIUM".to_owned()]);
    assert_eq!(set.agent_overrides.len(), 1);
    assert!(set.agent_overrides.contains_key(&(a, "BTC".to_owned())));

    let e = set.effective(a, "BTC");
    assert_eq!(e.source, ConfigSource::AgentToken);
    assert_eq!(e.config.venue_priority, vec![Venue::Hyperliquid]);
    assert_eq!(e.config.routing_strategy, Strategy::BestLiquidity);
    assert!(!e.config.failover_enabled);

    // Agent b's row has a NULL priority (possible in a Maxxit database).
    let set = load_config_set(&client, &[a, b]).await?;
    let e = set.prepare().effective(b, "DOGE");
    assert_eq!(e.source, ConfigSource::Global);
    assert_eq!(
        e.notes,
        vec!["agent config ignored: venue_priority is NULL"]
    );

    // No agents: just the global level.
    let set = load_config_set(&client, &[]).await?;
    assert!(set.agents.is_empty() && set.agent_overrides.is_empty());
    assert_eq!(set.effective(a, "SPX").source, ConfigSource::GlobalToken);
    Ok(())
}
