//! The market snapshot a batch decides on: loading it (with the database
//! clock) and the cache that reuses it until a market sync commits.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use tokio_postgres::{Row, Transaction};

use super::{SNAPSHOT, SNAPSHOT_REUSE_LIMIT, Statements, Which};
use crate::db::DbContext;
use crate::db::typed;
use crate::domain::cost::{MarketCost, OpeningRefusal};
use crate::domain::{MarketFigures, Venue};
use crate::routing::{MarketRow, MarketSnapshot};

/// Loads the market snapshot and the database clock (one statement) on any
/// client, outside a routing batch (`routing-config show --explain`).
pub async fn market_snapshot<C: tokio_postgres::GenericClient>(
    client: &C,
) -> Result<(MarketSnapshot, DateTime<Utc>)> {
    let rows = typed::query(client, SNAPSHOT, &[])
        .await
        .db_context("cannot load the market snapshot")?;
    snapshot_from_rows(&rows)
}

/// Loads the market snapshot and the database clock (one statement).
pub async fn load_snapshot(
    client: &Transaction<'_>,
    statements: &Statements,
) -> Result<(MarketSnapshot, DateTime<Utc>)> {
    let rows = statements
        .query(client, Which::Snapshot, &[])
        .await
        .db_context("cannot load the market snapshot")?;
    snapshot_from_rows(&rows)
}

pub(super) fn snapshot_from_rows(rows: &[Row]) -> Result<(MarketSnapshot, DateTime<Utc>)> {
    let mut markets = Vec::with_capacity(rows.len());
    let mut syncs = Vec::new();
    let mut built_in = Vec::new();
    let mut now = None;
    for row in rows {
        let kind: &str = row.try_get("kind")?;
        let venue: Option<Venue> = row
            .try_get::<_, Option<&str>>("venue")?
            .and_then(|v| v.parse().ok());
        match kind {
            "market" => markets.push(MarketRow {
                venue,
                token_symbol: row.try_get("token_symbol")?,
                market_name: row.try_get("market_name")?,
                market_index: row.try_get("market_index")?,
                base_symbol: row
                    .try_get::<_, Option<String>>("base_symbol")?
                    .unwrap_or_default(),
                price_scale: row.try_get::<_, Option<f64>>("price_scale")?.unwrap_or(1.0),
                dex: row.try_get("dex")?,
                is_active: row.try_get("is_active")?,
                delisted: row.try_get("delisted")?,
                market_open: row.try_get("market_open")?,
                max_leverage: row.try_get("max_leverage")?,
                figures: MarketFigures {
                    liquidity_usd: row.try_get("liquidity_usd")?,
                    open_interest_usd: row.try_get("open_interest_usd")?,
                    long_open_interest_usd: row.try_get("long_open_interest_usd")?,
                    short_open_interest_usd: row.try_get("short_open_interest_usd")?,
                    max_open_interest_usd: row.try_get("max_open_interest_usd")?,
                    day_volume_usd: row.try_get("day_volume_usd")?,
                    spread_bps: row.try_get("spread_bps")?,
                    taker_fee_bps: row.try_get("taker_fee_bps")?,
                },
                // A code this build does not know refuses openings as the
                // most conservative known refusal would: never silently open.
                opening_refusal: row
                    .try_get::<_, Option<&str>>("opening_refusal")?
                    .map(|c| OpeningRefusal::from_code(c).unwrap_or(OpeningRefusal::ReduceOnly)),
                max_order_usd: row.try_get("max_order_usd")?,
                cost: MarketCost {
                    close_fee_bps: row.try_get("close_fee_bps")?,
                    long_capacity_usd: row.try_get("long_capacity_usd")?,
                    short_capacity_usd: row.try_get("short_capacity_usd")?,
                    at_open_interest_cap: row.try_get("at_open_interest_cap")?,
                    overnight_max_leverage: row.try_get("overnight_max_leverage")?,
                    day_trading_closed: row.try_get("day_trading_closed")?,
                    day_trading_toggle_at: row.try_get("day_trading_toggle_at")?,
                    // A model or curve this build cannot read is unknown, not fatal:
                    // routing falls back as for a market without one.
                    model: typed_json(row.try_get("cost_model")?),
                    capacity_limit: row.try_get("capacity_limit")?,
                    depth: typed_json(row.try_get("depth_curve")?),
                },
                depth_stale: row
                    .try_get::<_, Option<bool>>("depth_stale")?
                    .unwrap_or(false),
            }),
            "sync" => {
                if let (Some(v), Some(at)) = (venue, row.try_get::<_, Option<DateTime<Utc>>>("at")?)
                {
                    syncs.push((v, at));
                }
            }
            // Issue 23: the venue's latest sync read the built-in data, and
            // this is not a demo database.
            "built_in" => built_in.extend(venue),
            _ => now = row.try_get::<_, Option<DateTime<Utc>>>("at")?,
        }
    }
    let now = now.context("the market snapshot query returned no clock row")?;
    Ok((
        MarketSnapshot::new(markets, &syncs).with_built_in(&built_in),
        now,
    ))
}

/// A jsonb value as its Rust type; `None` when absent or not of that shape.
fn typed_json<T: serde::de::DeserializeOwned>(value: Option<serde_json::Value>) -> Option<T> {
    value.and_then(|v| serde_json::from_value(v).ok())
}

/// The market syncs a loaded snapshot reflects: their number and the newest
/// one's end (`sql/routing/sync_version.sql`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncVersion {
    pub syncs: i64,
    pub newest_sync_at: Option<DateTime<Utc>>,
}

struct CachedSnapshot {
    version: SyncVersion,
    loaded: std::time::Instant,
    snapshot: std::sync::Arc<MarketSnapshot>,
}

/// A market snapshot shared by the batches of one run (and its workers),
/// reloaded only when a market sync has committed since it was loaded (or
/// after [`SNAPSHOT_REUSE_LIMIT`]): small batches of a following router stay
/// cheap, yet no batch decides on a snapshot older than the newest sync it
/// can see.
#[derive(Default)]
pub struct SnapshotCache {
    cached: std::sync::Mutex<Option<CachedSnapshot>>,
    loads: std::sync::atomic::AtomicU64,
}

impl SnapshotCache {
    /// An empty cache: the first batch loads.
    #[must_use]
    pub fn new() -> SnapshotCache {
        SnapshotCache::default()
    }

    /// How many times a batch loaded the snapshot (the rest reused it).
    #[must_use]
    pub fn loads(&self) -> u64 {
        self.loads.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(super) fn get(&self, version: SyncVersion) -> Option<std::sync::Arc<MarketSnapshot>> {
        let cached = self.cached.lock().ok()?;
        cached
            .as_ref()
            .filter(|c| c.version == version && c.loaded.elapsed() < SNAPSHOT_REUSE_LIMIT)
            .map(|c| std::sync::Arc::clone(&c.snapshot))
    }

    pub(super) fn put(&self, version: SyncVersion, snapshot: std::sync::Arc<MarketSnapshot>) {
        self.loads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut cached) = self.cached.lock() {
            *cached = Some(CachedSnapshot {
                version,
                loaded: std::time::Instant::now(),
                snapshot,
            });
        }
    }
}
