//! Demo data: a MULTI agent and pending signals over a realistic token mix,
//! for `run-pipeline --demo-signals N` and for the routing benchmark.

use anyhow::Result;
use tokio_postgres::GenericClient;
use uuid::Uuid;

use super::DbContext;
use super::typed;

/// Id of the demo agent (fixed, so reruns reuse it).
pub const DEMO_AGENT_ID: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_d3a0);

/// The token mix, as agents write them: majors listed on both venues (some
/// spelled `$eth`, `BTC/USD`, `SOL-PERP`), Hyperliquid-only tokens (including
/// the 1000-unit `PEPE`), Ostium-only forex, commodities, indices and stocks
/// in several spellings (stocks are closed in the recorded price capture),
/// and unknown tokens that no venue lists.
pub const DEMO_TOKENS: [&str; 40] = [
    "BTC",
    "ETH",
    "SOL",
    "btc",
    "$eth",
    "BTC/USD",
    "SOL-PERP",
    "ETHUSDT",
    "XRP",
    "HYPE",
    "BNB",
    "LINK",
    "ADA",
    "TRX",
    "DOGE",
    "SUI",
    "WIF",
    "PEPE",
    "kPEPE",
    "FARTCOIN",
    "PURR",
    "AVAX",
    "ARB",
    "XAU",
    "GOLD",
    "XAU/USD",
    "EURUSD",
    "EUR/USD",
    "USDJPY",
    "GBP",
    "US500",
    "SPX",
    "NDX",
    "WTI",
    "TSLA",
    "NVDA",
    "AAPL",
    "NOTATOKEN",
    "FOO123",
    "XYZ999",
];

/// Creates the demo agent if missing. Returns whether it created it.
pub async fn ensure_demo_agent<C: GenericClient>(client: &C) -> Result<bool> {
    let rows = typed::query(
        client,
        include_str!("../../../sql/demo/ensure_demo_agent.sql"),
        &[&DEMO_AGENT_ID],
    )
    .await
    .db_context("cannot create the demo agent")?;
    Ok(!rows.is_empty())
}

/// Inserts `count` pending MULTI signals for `agent` over `tokens` in one
/// statement. Returns how many it inserted.
pub async fn insert_signals<C: GenericClient>(
    client: &C,
    agent: Uuid,
    count: i64,
    tokens: &[&str],
) -> Result<i64> {
    let tokens: Vec<&str> = tokens.to_vec();
    let row = typed::query_one(
        client,
        include_str!("../../../sql/demo/insert_demo_signals.sql"),
        &[&agent, &count, &tokens],
    )
    .await
    .db_context("cannot create demo signals")?;
    Ok(row.get(0))
}
