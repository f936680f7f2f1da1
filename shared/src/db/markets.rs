//! Applying a venue's validated market list to `venue_markets`, all or nothing.
//!
//! One transaction per sync: a per-venue advisory lock (two syncs of a venue
//! serialise), then one set-based statement (`sql/markets/apply.sql`) that
//! upserts every market, deactivates the missing ones and reports the diff,
//! a mass-delist guard, and the `venue_sync_runs` row, committed together.
//! A process killed anywhere before the commit leaves the table as it was;
//! readers see the old list or the new one, never half of it.

use std::fmt;

use anyhow::{Result, anyhow};
use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, GenericClient};
use uuid::Uuid;

use super::DbContext;
use super::typed::{self, Param};
use crate::domain::{Market, Venue};

/// How a sync applies its list.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Dexes whose missing markets are deactivated (`""` = main dex); `None`
    /// = every market of the venue.
    pub scope: Option<Vec<String>>,
    /// Allow deactivating more than half of the scope's active markets.
    pub allow_mass_delist: bool,
    /// Run everything, then roll back and record no run.
    pub dry_run: bool,
    /// Where the list came from (URL or file), for `venue_sync_runs.source`.
    pub source: String,
    /// The list came from the responses built into the binary (illustrative
    /// data): `venue_sync_runs.built_in`, which keeps routing off it outside a
    /// demo database.
    pub built_in: bool,
    pub started_at: DateTime<Utc>,
    /// Longest wait for the venue's sync lock (another sync of the venue
    /// applying) and for any row lock of the apply; then it fails with 55P03.
    pub lock_timeout: std::time::Duration,
}

/// Token symbols per kind of change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    pub added: Vec<String>,
    pub updated: Vec<String>,
    pub reactivated: Vec<String>,
    pub delisted: Vec<String>,
}

/// What a sync did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncSummary {
    pub venue: Venue,
    pub source: String,
    pub dry_run: bool,
    pub markets_seen: i32,
    pub added: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub reactivated: i32,
    pub delisted: i32,
    /// Active markets of the venue in the synced scope before and after.
    pub active_before: i64,
    pub active_total: i64,
    /// The `venue_sync_runs` row (none for a dry run).
    pub run_id: Option<Uuid>,
    pub changes: Changes,
}

impl SyncSummary {
    /// Whether anything changed.
    #[must_use]
    pub fn changed(&self) -> bool {
        self.added + self.updated + self.reactivated + self.delisted > 0
    }
}

/// The apply would deactivate more than half of the active markets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MassDelist {
    pub venue: Venue,
    pub delisted: i32,
    pub active_before: i64,
    pub sample: Vec<String>,
}

impl fmt::Display for MassDelist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the response would deactivate {} of {} active {} markets (more than half, e.g. {}); nothing was changed: pass --allow-mass-delist if this is real",
            self.delisted,
            self.active_before,
            self.venue,
            self.sample.join(", ")
        )
    }
}

impl std::error::Error for MassDelist {}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// The canonical symbols that pending MULTI signals and the last day's
/// routing decisions name, most named first (tokens spelled differently but
/// meaning the same asset are counted together; invalid tokens are left
/// out), from at most `limit` distinct tokens.
pub async fn demanded_symbols<C: GenericClient>(client: &C, limit: usize) -> Result<Vec<String>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = typed::query(client, sql!("markets/token_demand.sql"), &[&limit])
        .await
        .db_context("cannot read the tokens signals name")?;
    let mut counts: Vec<(String, i64)> = Vec::new();
    for row in &rows {
        let token: String = row.get("token_symbol");
        let n: i64 = row.get("signals");
        let Ok(parsed) = crate::symbols::Token::parse(&token) else {
            continue;
        };
        match counts.iter_mut().find(|(c, _)| *c == parsed.canonical) {
            Some((_, total)) => *total += n,
            None => counts.push((parsed.canonical, n)),
        }
    }
    // Stable: ties keep the order the query gave.
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    Ok(counts.into_iter().map(|(c, _)| c).collect())
}

/// Active markets of `venue` within `scope`.
pub async fn count_active<C: GenericClient>(
    client: &C,
    venue: Venue,
    scope: Option<&[String]>,
) -> Result<i64> {
    let scope: Option<Vec<String>> = scope.map(<[String]>::to_vec);
    let row = typed::query_one(
        client,
        sql!("markets/count_active.sql"),
        &[&venue.as_str(), &scope],
    )
    .await
    .db_context("cannot count active markets")?;
    Ok(row.get(0))
}

/// Applies a validated list for one venue in one transaction (see the module doc).
/// Errors: [`MassDelist`] (inside the anyhow error) when the guard trips;
/// otherwise database errors.
pub async fn apply(
    client: &mut Client,
    venue: Venue,
    markets: &[Market],
    options: &ApplyOptions,
) -> Result<SyncSummary> {
    if let Some(m) = markets.iter().find(|m| m.venue != venue) {
        return Err(anyhow!(
            "market `{}` of {} given to a {venue} sync",
            m.token_symbol,
            m.venue
        ));
    }
    let tx = client
        .transaction()
        .await
        .db_context("cannot start the market transaction")?;
    let timeout_ms = options.lock_timeout.as_millis().max(1).to_string();
    typed::execute(&tx, sql!("locks/set_lock_timeout.sql"), &[&timeout_ms])
        .await
        .db_context("cannot set the lock timeout")?;
    typed::execute(
        &tx,
        sql!("markets/lock_venue.sql"),
        &[&venue.as_str()],
    )
    .await
    .map_err(|e| {
        if e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) {
            anyhow!(
                "cannot take the {venue} market sync lock: another sync of {venue} held it for more than {} s (lock timeout; raise --lock-timeout if it is just slow)",
                options.lock_timeout.as_secs_f64()
            )
        } else {
            super::db_error(&"cannot take the market sync lock", &e)
        }
    })?;
    let scope = options.scope.as_deref();
    let active_before = count_active(&tx, venue, scope).await?;

    let col = |f: &dyn Fn(&Market) -> Option<f64>| markets.iter().map(f).collect::<Vec<_>>();
    let token_symbol: Vec<&str> = markets.iter().map(|m| m.token_symbol.as_str()).collect();
    let market_name: Vec<&str> = markets.iter().map(|m| m.market_name.as_str()).collect();
    let market_index: Vec<Option<i32>> = markets.iter().map(|m| m.market_index).collect();
    let base_symbol: Vec<&str> = markets.iter().map(|m| m.base_symbol.as_str()).collect();
    let quote_symbol: Vec<&str> = markets.iter().map(|m| m.quote_symbol.as_str()).collect();
    let price_scale: Vec<f64> = markets.iter().map(|m| m.price_scale).collect();
    let dex: Vec<Option<&str>> = markets.iter().map(|m| m.dex.as_deref()).collect();
    let listed: Vec<bool> = markets.iter().map(|m| m.listed).collect();
    let market_open: Vec<Option<bool>> = markets.iter().map(|m| m.market_open).collect();
    let market_status_at: Vec<Option<DateTime<Utc>>> =
        markets.iter().map(|m| m.market_status_at).collect();
    let min_position = col(&|m| m.min_position);
    let max_leverage: Vec<Option<i32>> = markets.iter().map(|m| m.max_leverage).collect();
    let group: Vec<Option<&str>> = markets.iter().map(|m| m.group.as_deref()).collect();
    let current_price = col(&|m| m.current_price);
    let liquidity = col(&|m| m.figures.liquidity_usd);
    let oi = col(&|m| m.figures.open_interest_usd);
    let long_oi = col(&|m| m.figures.long_open_interest_usd);
    let short_oi = col(&|m| m.figures.short_open_interest_usd);
    let max_oi = col(&|m| m.figures.max_open_interest_usd);
    let volume = col(&|m| m.figures.day_volume_usd);
    let spread = col(&|m| m.figures.spread_bps);
    let taker = col(&|m| m.figures.taker_fee_bps);
    let maker = col(&|m| m.maker_fee_bps);
    let funding = col(&|m| m.funding_rate);
    let metadata: Vec<&serde_json::Value> = markets.iter().map(|m| &m.metadata).collect();
    let close_fee = col(&|m| m.cost.close_fee_bps);
    let long_capacity = col(&|m| m.cost.long_capacity_usd);
    let short_capacity = col(&|m| m.cost.short_capacity_usd);
    let at_cap: Vec<Option<bool>> = markets
        .iter()
        .map(|m| m.cost.at_open_interest_cap)
        .collect();
    let overnight = col(&|m| m.cost.overnight_max_leverage);
    let day_closed: Vec<Option<bool>> = markets.iter().map(|m| m.cost.day_trading_closed).collect();
    let day_toggle: Vec<Option<DateTime<Utc>>> = markets
        .iter()
        .map(|m| m.cost.day_trading_toggle_at)
        .collect();
    let cost_model = markets
        .iter()
        .map(|m| m.cost.model.as_ref().map(serde_json::to_value).transpose())
        .collect::<Result<Vec<Option<serde_json::Value>>, _>>()?;
    let depth = markets
        .iter()
        .map(|m| m.cost.depth.as_ref().map(serde_json::to_value).transpose())
        .collect::<Result<Vec<Option<serde_json::Value>>, _>>()?;
    let capacity_limit: Vec<Option<&str>> = markets
        .iter()
        .map(|m| m.cost.capacity_limit.as_deref())
        .collect();
    let venue_name = venue.as_str();
    let params: [&dyn Param; 37] = [
        &venue_name,
        &options.scope,
        &token_symbol,
        &market_name,
        &market_index,
        &base_symbol,
        &quote_symbol,
        &price_scale,
        &dex,
        &listed,
        &market_open,
        &market_status_at,
        &min_position,
        &max_leverage,
        &group,
        &current_price,
        &liquidity,
        &oi,
        &long_oi,
        &short_oi,
        &max_oi,
        &volume,
        &spread,
        &taker,
        &maker,
        &funding,
        &metadata,
        &close_fee,
        &long_capacity,
        &short_capacity,
        &at_cap,
        &overnight,
        &day_closed,
        &day_toggle,
        &cost_model,
        &depth,
        &capacity_limit,
    ];
    let rows = typed::query(&tx, sql!("markets/apply.sql"), &params)
        .await
        .db_context("cannot apply the market list")?;

    let mut changes = Changes::default();
    let mut unchanged = 0_usize;
    for row in &rows {
        let token: String = row.get(0);
        let change: &str = row.get(1);
        match change {
            "added" => changes.added.push(token),
            "updated" => changes.updated.push(token),
            "reactivated" => changes.reactivated.push(token),
            "delisted" => changes.delisted.push(token),
            _ => unchanged += 1,
        }
    }
    for list in [
        &mut changes.added,
        &mut changes.updated,
        &mut changes.reactivated,
        &mut changes.delisted,
    ] {
        list.sort();
    }
    let active_total = count_active(&tx, venue, scope).await?;
    let delisted = count(changes.delisted.len());
    if !options.allow_mass_delist && active_before > 0 && i64::from(delisted) * 2 > active_before {
        let sample = changes.delisted.iter().take(5).cloned().collect();
        // Dropping the transaction rolls it back; be explicit about it.
        tx.rollback()
            .await
            .db_context("cannot roll back the market transaction")?;
        return Err(anyhow::Error::new(MassDelist {
            venue,
            delisted,
            active_before,
            sample,
        }));
    }
    let mut summary = SyncSummary {
        venue,
        source: options.source.clone(),
        dry_run: options.dry_run,
        markets_seen: count(markets.len()),
        added: count(changes.added.len()),
        updated: count(changes.updated.len()),
        unchanged: count(unchanged),
        reactivated: count(changes.reactivated.len()),
        delisted,
        active_before,
        active_total,
        run_id: None,
        changes,
    };
    if options.dry_run {
        tx.rollback()
            .await
            .db_context("cannot roll back the dry run")?;
        return Ok(summary);
    }
    let run_id = insert_run(
        &tx,
        &summary_run(&summary, options.started_at, options.built_in),
    )
    .await?;
    tx.commit()
        .await
        .db_context("cannot commit the market list")?;
    summary.run_id = Some(run_id);
    Ok(summary)
}

/// A `venue_sync_runs` row.
#[derive(Debug, Clone)]
pub struct SyncRun<'a> {
    pub venue: Venue,
    pub source: &'a str,
    pub status: &'a str,
    pub started_at: DateTime<Utc>,
    pub counts: Option<[i32; 7]>,
    pub error: Option<&'a str>,
    /// The responses were the ones built into the binary.
    pub built_in: bool,
}

fn summary_run(s: &SyncSummary, started_at: DateTime<Utc>, built_in: bool) -> SyncRun<'_> {
    SyncRun {
        venue: s.venue,
        source: &s.source,
        built_in,
        status: "SUCCEEDED",
        started_at,
        counts: Some([
            s.markets_seen,
            s.added,
            s.updated,
            s.delisted,
            s.reactivated,
            s.unchanged,
            i32::try_from(s.active_total).unwrap_or(i32::MAX),
        ]),
        error: None,
    }
}

async fn insert_run<C: GenericClient>(client: &C, run: &SyncRun<'_>) -> Result<Uuid> {
    let c = run.counts.map_or([None; 7], |c| c.map(Some));
    let stale_after = super::routing::RUN_STALE_AFTER.as_secs_f64();
    let row = typed::query_one(
        client,
        sql!("markets/insert_sync_run.sql"),
        &[
            &run.venue.as_str(),
            &run.source,
            &run.status,
            &run.started_at,
            &c[0],
            &c[1],
            &c[2],
            &c[3],
            &c[4],
            &c[5],
            &c[6],
            &run.error,
            &stale_after,
            &run.built_in,
        ],
    )
    .await
    .db_context("cannot record the sync run")?;
    Ok(row.get(0))
}

/// Records a FAILED run with its error, in a statement of its own (after the
/// apply transaction, if any, was rolled back). `built_in`: the run read the
/// responses built into the binary.
pub async fn record_failure<C: GenericClient>(
    client: &C,
    venue: Venue,
    source: &str,
    built_in: bool,
    started_at: DateTime<Utc>,
    error: &str,
) -> Result<Uuid> {
    insert_run(
        client,
        &SyncRun {
            venue,
            source,
            status: "FAILED",
            started_at,
            counts: None,
            error: Some(error),
            built_in,
        },
    )
    .await
}
