//! Demo data lands as pending MULTI signals of a MULTI agent.

use agent_where::db::demo::{self, DEMO_AGENT_ID, DEMO_TOKENS};
use agent_where::testing::TestDb;

#[tokio::test]
async fn demo_agent_and_signals_are_pending_multi() -> anyhow::Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    assert!(demo::ensure_demo_agent(&client).await?);
    assert!(
        !demo::ensure_demo_agent(&client).await?,
        "second call reuses the agent"
    );
    let inserted = demo::insert_signals(&client, DEMO_AGENT_ID, 1000, &DEMO_TOKENS).await?;
    assert_eq!(inserted, 1000);
    let row = client
        .query_one(
            "SELECT count(*), count(DISTINCT token_symbol), min(created_at) > now() - interval '11 minutes'
             FROM signals WHERE agent_id = $1 AND venue = 'MULTI' AND skipped_reason IS NULL",
            &[&DEMO_AGENT_ID],
        )
        .await?;
    assert_eq!(row.get::<_, i64>(0), 1000);
    assert_eq!(row.get::<_, i64>(1), DEMO_TOKENS.len() as i64);
    assert!(row.get::<_, bool>(2));
    let venue: String = client
        .query_one(
            "SELECT venue::text FROM agents WHERE id = $1",
            &[&DEMO_AGENT_ID],
        )
        .await?
        .get(0);
    assert_eq!(venue, "MULTI");
    Ok(())
}
