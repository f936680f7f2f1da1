//! Demo data: a MULTI agent and pending signals over a realistic token mix,
//! for `run-pipeline --demo-signals N` and for the routing benchmark; and the
//! demo database they may be written into (issue 23).
//!
//! Illustrative data (the venue responses built into the binary, the demo
//! agent and its signals) goes only into a **demo database**: one the demo
//! marked as its own (a row naming it in `agent_where_demo_database`, written
//! when the demo created the database or found it new), or a new one: no
//! other application's tables, no signal but the demo agent's, no venue
//! synced from a live API or files and no market another writer keeps. A
//! marked database that holds another agent's signals is not a demo database
//! any more. [`inspect`] tells, reading only, before anything is changed.

use anyhow::{Context, Result};
use tokio_postgres::GenericClient;
use uuid::Uuid;

use super::DbContext;
use super::typed;
use super::{DatabaseUrl, schema};

/// The database the demo uses when none is named (no URL, no `PGDATABASE`).
pub const DEMO_DATABASE: &str = "agent_where_demo";

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
        sql!("demo/ensure_demo_agent.sql"),
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
        sql!("demo/insert_demo_signals.sql"),
        &[&agent, &count, &tokens],
    )
    .await
    .db_context("cannot create demo signals")?;
    Ok(row.get(0))
}

/// Whether a database may take the demo's illustrative data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoDatabase {
    /// It does not exist: setup will create it, for the demo.
    Missing,
    /// It carries the demo mark (and holds no other agent's signals).
    Marked,
    /// It is new: nothing in it but what Agent Where and the demo write.
    New,
    /// It is not a demo database, for these reasons (in words).
    Refused(Vec<String>),
}

impl DemoDatabase {
    /// Whether the demo may write into it.
    #[must_use]
    pub fn is_demo(&self) -> bool {
        !matches!(self, DemoDatabase::Refused(_))
    }
}

/// Tells, reading only, whether the database of `url` is a demo database
/// (see the module doc). Works on any schema, set up or not.
pub async fn inspect(url: &DatabaseUrl) -> Result<DemoDatabase> {
    if !schema::database_exists(url).await? {
        return Ok(DemoDatabase::Missing);
    }
    let client = url.connect().await?;
    inspect_connected(&client).await
}

/// [`inspect`] on a connection to an existing database.
pub async fn inspect_connected<C: GenericClient>(client: &C) -> Result<DemoDatabase> {
    const WHAT: &str = "cannot tell whether this is a demo database";
    let tables = [
        "agent_where_demo_database",
        "signals",
        "venue_sync_runs",
        "venue_markets",
    ];
    let present = schema::existing_tables(client, &tables)
        .await
        .db_context(WHAT)?;
    let has = |t: &str| present.iter().any(|p| p == t);
    let mut reasons = Vec::new();
    if has("signals")
        && typed::query_one(client, sql!("demo/other_signals.sql"), &[&DEMO_AGENT_ID])
            .await
            .db_context(WHAT)?
            .try_get::<_, bool>("found")
            .db_context(WHAT)?
    {
        reasons.push("it holds signals of agents other than the demo's".to_owned());
    }
    let marked = has("agent_where_demo_database")
        && typed::query_one(client, sql!("demo/is_marked.sql"), &[])
            .await
            .db_context(WHAT)?
            .try_get::<_, bool>("marked")
            .db_context(WHAT)?;
    if marked {
        return Ok(if reasons.is_empty() {
            DemoDatabase::Marked
        } else {
            DemoDatabase::Refused(reasons)
        });
    }
    let own = own_relations()?;
    let others: Vec<String> = typed::query(client, sql!("demo/other_relations.sql"), &[&own])
        .await
        .db_context(WHAT)?
        .iter()
        .map(|r| r.try_get("name"))
        .collect::<Result<_, _>>()
        .db_context(WHAT)?;
    if !others.is_empty() {
        reasons.insert(
            0,
            format!(
                "it has another application's tables ({})",
                others.join(", ")
            ),
        );
    }
    if has("venue_sync_runs") {
        let venues: Vec<String> = typed::query(client, sql!("demo/real_syncs.sql"), &[])
            .await
            .db_context(WHAT)?
            .iter()
            .map(|r| r.try_get("venue"))
            .collect::<Result<_, _>>()
            .db_context(WHAT)?;
        if !venues.is_empty() {
            reasons.push(format!(
                "its markets of {} were synced from a live API or files",
                venues.join(", ")
            ));
        }
    }
    if has("venue_markets")
        && typed::query_one(client, sql!("demo/other_writers_markets.sql"), &[])
            .await
            .db_context(WHAT)?
            .try_get::<_, bool>("found")
            .db_context(WHAT)?
    {
        reasons.push("it holds markets another writer keeps".to_owned());
    }
    Ok(if reasons.is_empty() {
        DemoDatabase::New
    } else {
        DemoDatabase::Refused(reasons)
    })
}

/// Agent Where's own tables and views (the host tables its minimal schema
/// creates included): what a new database may hold.
fn own_relations() -> Result<Vec<String>> {
    let models = schema::prisma::shipped().context("this build's Prisma models")?;
    let mut own = schema::objects::tables(&models);
    own.extend(schema::objects::VIEWS.iter().map(|v| (*v).to_owned()));
    own.push("agents".to_owned());
    Ok(own)
}

/// Marks the current database as a demo database; `marked_by` names the
/// tool. Returns whether it marked it (false: it was marked already).
pub async fn mark<C: GenericClient>(client: &C, marked_by: &str) -> Result<bool> {
    let rows = typed::query(client, sql!("demo/mark_database.sql"), &[&marked_by])
        .await
        .db_context("cannot mark the demo database")?;
    Ok(!rows.is_empty())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_statements_that_tell_a_demo_database_name_the_demo_agent() {
        // Routing's snapshot and health's check name the demo agent's id in
        // SQL (index probes around it): it must be this one.
        let id = super::DEMO_AGENT_ID.to_string();
        for sql in [
            sql!("routing/market_snapshot.sql"),
            sql!("stats/built_in_markets.sql"),
        ] {
            assert_eq!(sql.matches(id.as_str()).count(), 2, "{sql}");
        }
    }
}
