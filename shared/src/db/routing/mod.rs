//! Routing batches against the database: claim pending `MULTI` signals with
//! `FOR UPDATE SKIP LOCKED`, load the market snapshot and the batch's
//! configuration once, decide in Rust ([`crate::routing`]), then write every
//! signal update and every history row with set-based statements and advance
//! the run's counters, all in ONE transaction. A batch either commits whole
//! (signals, history, counters) or not at all; a killed process loses only
//! its open batch, which the next run claims again.
//!
//! No statement is sent per signal: a batch costs the same dozen round trips
//! whether it holds 10 signals or 10 000.

use std::collections::HashSet;
use std::error::Error as StdError;

use anyhow::{Context, Result, anyhow};
use chrono::{DateTime, TimeDelta, Utc};
use tokio_postgres::types::{FromSql, Type};
use tokio_postgres::{Client, Row, Statement, Transaction};
use uuid::Uuid;

use super::config::load_config_set;
use super::host::{HostSchema, SkipMark};
use super::typed::{self, Param};
use super::{DbContext, Pooler};
use crate::domain::Venue;
use crate::routing::{
    BatchDecisions, Counts, DecisionView, Deployment, MarketSnapshot, OpenPositions, PendingSignal,
    RoutingOptions, SizeModel, SizeModelError, decide_batch, leverage_from_parts,
};

mod history;
mod replan;
pub use replan::REPLAN_AFTER;
mod runs;
mod snapshot;

use history::{insert_agent_history, write_history};
pub use runs::{StaleRun, fail_stale_runs, finish_run, heartbeat, start_run};
use snapshot::snapshot_from_rows;
pub use snapshot::{SnapshotCache, SyncVersion, load_snapshot, market_snapshot};

const CLAIM: &str = sql!("signals/claim_pending.sql");
const PREVIEW: &str = sql!("signals/preview_pending.sql");
const COUNT: &str = sql!("signals/count_pending.sql");
const APPLY: &str = sql!("signals/apply_decisions.sql");
const MAXXIT_CLAIM: &str = sql!("maxxit/claim_pending.sql");
const MAXXIT_PREVIEW: &str = sql!("maxxit/preview_pending.sql");
const MAXXIT_COUNT: &str = sql!("maxxit/count_pending.sql");
const MAXXIT_APPLY: &str = sql!("maxxit/apply_decisions.sql");
const MAXXIT_SYMBOL_CONFLICTS: &str = sql!("maxxit/executor_symbol_conflicts.sql");
const MAXXIT_POSITIONS: &str = sql!("maxxit/open_positions.sql");
const MAXXIT_AGENT_HISTORY: &str = sql!("maxxit/insert_agent_routing_history.sql");
const SNAPSHOT: &str = sql!("routing/market_snapshot.sql");
const COPY_HISTORY: &str = sql!("routing/copy_history.sql");
const INSERT_HISTORY: &str = sql!("routing/insert_history.sql");
const HISTORY_TYPES: &str = sql!("routing/history_column_types.sql");
const ADD_BATCH: &str = sql!("routing/add_batch_to_run.sql");
const INSERT_RUN: &str = sql!("routing/insert_run.sql");
const FINISH_RUN: &str = sql!("routing/finish_run.sql");
const HEARTBEAT: &str = sql!("routing/heartbeat.sql");
const FAIL_STALE_RUNS: &str = sql!("routing/fail_stale_runs.sql");
const SYNC_VERSION: &str = sql!("routing/sync_version.sql");

/// Longest a batch reuses a loaded market snapshot even when no sync has
/// committed since (a safety net for markets changed by hand).
pub const SNAPSHOT_REUSE_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// How often a running route-pending-signals run refreshes its
/// `routing_runs.heartbeat_at` from its own connection (every committed batch
/// refreshes it too).
pub const RUN_HEARTBEAT_INTERVAL: std::time::Duration = std::time::Duration::from_secs(15);

/// A `RUNNING` run without a heartbeat for longer than this is STALE: its
/// process was killed or lost its connection (20 missed heartbeats). Sync
/// runs, which take seconds, are judged by their age with the same limit.
pub const RUN_STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(300);

/// What a batch needs besides its signals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchSettings {
    /// Only this agent's signals.
    pub agent: Option<Uuid>,
    pub max_signal_age: TimeDelta,
    pub max_market_age: TimeDelta,
    pub include_hip3: bool,
    /// The host schema ([`host::detect`]): what pending means, what a
    /// decision writes.
    pub host: HostSchema,
    /// On Maxxit's schema, mark a skipped signal in the columns its executor
    /// reads (`trade_executed`, `execution_result`).
    pub executor_marks: bool,
    /// The `trade_executed` value of a skip's executor mark.
    pub skip_mark: SkipMark,
    /// On Maxxit's schema, write a row per decision to `agent_routing_history`
    /// when that table exists.
    pub agent_routing_history: bool,
    /// Whether a routed signal's `token_symbol` becomes its executor symbol
    /// ([`crate::routing::handoff`]); `None`: the host's default (on for
    /// Maxxit's schema, whose executor trades the token as written).
    pub executor_symbol: Option<bool>,
}

impl Default for BatchSettings {
    fn default() -> Self {
        BatchSettings {
            agent: None,
            max_signal_age: TimeDelta::hours(24),
            max_market_age: TimeDelta::hours(26),
            include_hip3: false,
            host: HostSchema::Minimal,
            executor_marks: true,
            skip_mark: SkipMark::default(),
            agent_routing_history: true,
            executor_symbol: None,
        }
    }
}

impl BatchSettings {
    /// Whether routed signals get their executor symbol: the setting, else
    /// on for Maxxit's schema.
    #[must_use]
    pub fn writes_executor_symbol(&self) -> bool {
        self.executor_symbol.unwrap_or(self.host.is_maxxit())
    }

    /// Whether decisions go to Maxxit's `agent_routing_history` too.
    fn writes_agent_history(&self) -> bool {
        self.agent_routing_history
            && matches!(
                self.host,
                HostSchema::Maxxit {
                    agent_routing_history: true
                }
            )
    }
}

/// The statements a routing connection uses, in the variants of the host
/// schema. On a direct connection they are prepared once per connection and
/// reused by every batch, and the history is written with binary COPY.
/// Through a transaction-mode pooler ([`Pooler::Transaction`]) nothing is
/// prepared: each statement is sent as the unnamed statement ([`typed`])
/// and the history is one `INSERT … SELECT FROM unnest(…)`, since a prepared
/// statement would be missing on the next transaction's server connection.
pub struct Statements {
    host: HostSchema,
    prepared: Option<Prepared>,
    /// What the connection knows of its server session's cached plans
    /// ([`replan`]).
    plans: std::sync::Mutex<replan::Plans>,
}

struct Prepared {
    claim: Statement,
    preview: Statement,
    snapshot: Statement,
    apply: Statement,
    copy_history: Statement,
    history_types: Vec<Type>,
    add_batch: Statement,
    /// Maxxit's schema: the open positions of the batch's deployments.
    positions: Option<Statement>,
    /// Maxxit's schema with its dashboard table.
    agent_history: Option<Statement>,
    sync_version: Statement,
}

/// One of the routing statements.
#[derive(Debug, Clone, Copy)]
enum Which {
    Claim,
    Preview,
    Snapshot,
    Apply,
    AddBatch,
    Positions,
    AgentHistory,
    SyncVersion,
}

impl Which {
    /// The statement's text on `host`.
    fn sql(self, host: HostSchema) -> &'static str {
        let maxxit = host.is_maxxit();
        match self {
            Which::Claim if maxxit => MAXXIT_CLAIM,
            Which::Claim => CLAIM,
            Which::Preview if maxxit => MAXXIT_PREVIEW,
            Which::Preview => PREVIEW,
            Which::Snapshot => SNAPSHOT,
            Which::Apply if maxxit => MAXXIT_APPLY,
            Which::Apply => APPLY,
            Which::AddBatch => ADD_BATCH,
            Which::Positions => MAXXIT_POSITIONS,
            Which::AgentHistory => MAXXIT_AGENT_HISTORY,
            Which::SyncVersion => SYNC_VERSION,
        }
    }
}

impl Prepared {
    fn statement(&self, which: Which) -> Option<&Statement> {
        match which {
            Which::Claim => Some(&self.claim),
            Which::Preview => Some(&self.preview),
            Which::Snapshot => Some(&self.snapshot),
            Which::Apply => Some(&self.apply),
            Which::AddBatch => Some(&self.add_batch),
            Which::Positions => self.positions.as_ref(),
            Which::AgentHistory => self.agent_history.as_ref(),
            Which::SyncVersion => Some(&self.sync_version),
        }
    }
}

impl Statements {
    /// The statements for a connection through `pooler`: prepared
    /// ([`Statements::prepare`]) unless it is a transaction-mode pooler.
    pub async fn for_connection(
        client: &Client,
        host: HostSchema,
        pooler: Pooler,
    ) -> Result<Statements> {
        match pooler {
            Pooler::None => Statements::prepare(client, host).await,
            Pooler::Transaction => Ok(Statements {
                host,
                prepared: None,
                plans: std::sync::Mutex::new(replan::Plans::new()),
            }),
        }
    }

    /// Prepares every routing statement on `client` (pipelined), the variants
    /// of the host schema: for a direct connection.
    pub async fn prepare(client: &Client, host: HostSchema) -> Result<Statements> {
        let what = "cannot prepare the routing statements";
        let (claim, preview, snapshot, apply, copy_history, types, add_batch, sync_version) =
            futures_util::try_join!(
                client.prepare(Which::Claim.sql(host)),
                client.prepare(Which::Preview.sql(host)),
                client.prepare(SNAPSHOT),
                client.prepare(Which::Apply.sql(host)),
                client.prepare(COPY_HISTORY),
                client.prepare(HISTORY_TYPES),
                client.prepare(ADD_BATCH),
                client.prepare(SYNC_VERSION),
            )
            .db_context(what)?;
        let positions = if host.is_maxxit() {
            Some(client.prepare(MAXXIT_POSITIONS).await.db_context(what)?)
        } else {
            None
        };
        let agent_history = if has_agent_history_table(host) {
            Some(
                client
                    .prepare(MAXXIT_AGENT_HISTORY)
                    .await
                    .db_context(what)?,
            )
        } else {
            None
        };
        Ok(Statements {
            host,
            prepared: Some(Prepared {
                claim,
                preview,
                snapshot,
                apply,
                copy_history,
                history_types: types.columns().iter().map(|c| c.type_().clone()).collect(),
                add_batch,
                positions,
                agent_history,
                sync_version,
            }),
            plans: std::sync::Mutex::new(replan::Plans::new()),
        })
    }

    async fn query(
        &self,
        tx: &Transaction<'_>,
        which: Which,
        params: &[&dyn Param],
    ) -> Result<Vec<Row>, tokio_postgres::Error> {
        match self.prepared.as_ref().and_then(|p| p.statement(which)) {
            Some(statement) => tx.query(statement, &typed::untyped(params)).await,
            None => typed::query(tx, which.sql(self.host), params).await,
        }
    }

    async fn execute(
        &self,
        tx: &Transaction<'_>,
        which: Which,
        params: &[&dyn Param],
    ) -> Result<u64, tokio_postgres::Error> {
        match self.prepared.as_ref().and_then(|p| p.statement(which)) {
            Some(statement) => tx.execute(statement, &typed::untyped(params)).await,
            None => typed::execute(tx, which.sql(self.host), params).await,
        }
    }
}

/// Whether the host has Maxxit's `agent_routing_history` table.
fn has_agent_history_table(host: HostSchema) -> bool {
    matches!(
        host,
        HostSchema::Maxxit {
            agent_routing_history: true
        }
    )
}

/// The open positions of the signals' deployments (none without the
/// statement: the host has no positions).
async fn open_positions(
    tx: &Transaction<'_>,
    statements: &Statements,
    signals: &[PendingSignal],
    snapshot: &MarketSnapshot,
) -> Result<OpenPositions> {
    if !statements.host.is_maxxit() {
        return Ok(OpenPositions::default());
    }
    let deployments: Vec<Uuid> = signals
        .iter()
        .filter_map(|s| s.deployment.as_ref().map(|d| d.id))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if deployments.is_empty() {
        return Ok(OpenPositions::default());
    }
    let what = "cannot read the deployments' open positions";
    let rows = statements
        .query(tx, Which::Positions, &[&deployments])
        .await
        .db_context(what)?;
    let mut read = Vec::with_capacity(rows.len());
    for row in &rows {
        let deployment: Uuid = row.try_get("deployment_id").db_context(what)?;
        let venue: String = row.try_get("venue").db_context(what)?;
        let token: String = row.try_get("token_symbol").db_context(what)?;
        read.push((deployment, venue, token));
    }
    Ok(OpenPositions::with_markets(
        read.iter().map(|(d, v, t)| (*d, v.as_str(), t.as_str())),
        Some(snapshot),
    ))
}

fn signal_from_row(row: &Row) -> Result<PendingSignal> {
    let size_model_type: Option<String> = row.try_get("size_model_type")?;
    // jsonb holds what serde_json refuses to read (numbers beyond f64 such
    // as 1e400, nesting deeper than 128): that is a bad leverage of this one
    // signal, not a failure of the whole batch.
    let leverage = match row.try_get::<_, Option<serde_json::Value>>("leverage") {
        Ok(leverage) => leverage_from_parts(
            size_model_type.as_deref().unwrap_or("null"),
            leverage.as_ref(),
        ),
        Err(_) => Err(SizeModelError::BadLeverage(
            "a JSON value out of range or nested too deeply".to_owned(),
        )),
    };
    // Read from the JSON text as stored: jsonb holds numbers serde_json
    // cannot read (1e400), and such a value is an impossible size of this
    // one signal (`SizeModel::check`), not a failure of the batch.
    let (size_value, unreadable_value) = SizeModel::read_value(
        row.try_get::<_, Option<JsonbRaw>>("size_value")?
            .as_ref()
            .map(|j| j.0.as_str()),
    );
    let deployment = row
        .try_get::<_, Option<Uuid>>("deployment_id")?
        .map(|id| -> Result<Deployment> {
            let enabled: Option<Vec<Option<String>>> = row.try_get("enabled_venues")?;
            Ok(Deployment {
                id,
                status: row.try_get("deployment_status")?,
                enabled_venues: enabled.map(|list| {
                    list.into_iter()
                        .flatten()
                        .map(|v| v.trim().to_ascii_uppercase())
                        .collect()
                }),
            })
        })
        .transpose()?;
    Ok(PendingSignal {
        id: row.try_get("id")?,
        agent_id: row.try_get("agent_id")?,
        token_symbol: row.try_get("token_symbol")?,
        side: row.try_get("side")?,
        leverage,
        created_at: row.try_get("created_at")?,
        size: SizeModel {
            kind: row.try_get("size_type")?,
            value: size_value,
            unreadable_value,
            llm_fund_allocation: row.try_get("llm_fund_allocation")?,
            llm_leverage: row.try_get("llm_leverage")?,
        },
        deployment,
    })
}

/// Loads the batch's configuration (the global row, the rows and overrides of
/// the batch's agents) and decides every signal with [`decide_batch`].
async fn decide_loaded<'a>(
    tx: &Transaction<'_>,
    statements: &Statements,
    signals: Vec<PendingSignal>,
    snapshot: &'a MarketSnapshot,
    options: &RoutingOptions,
) -> Result<BatchDecisions<'a>> {
    let agents: Vec<Uuid> = signals
        .iter()
        .map(|s| s.agent_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let (configs, positions) = futures_util::try_join!(
        load_config_set(tx, &agents),
        open_positions(tx, statements, &signals, snapshot)
    )?;
    Ok(decide_batch(
        signals, &configs, snapshot, &positions, options,
    ))
}

fn options_at(settings: &BatchSettings, now: DateTime<Utc>) -> RoutingOptions {
    RoutingOptions {
        now,
        max_signal_age: settings.max_signal_age,
        max_market_age: settings.max_market_age,
        include_hip3: settings.include_hip3,
        executor_symbol: settings.writes_executor_symbol(),
        executor_venues: settings.host.executor_venues(),
    }
}

/// Routes one batch of at most `limit` pending signals in one transaction and
/// commits it. Returns the batch's counts (zero when nothing was left to claim).
/// Loads the market snapshot with the claim; see [`route_batch_cached`] for
/// the variant that reuses a loaded snapshot.
pub async fn route_batch(
    client: &mut Client,
    statements: &Statements,
    settings: &BatchSettings,
    run_id: Uuid,
    limit: usize,
) -> Result<Counts> {
    let what = "cannot route a batch of pending signals";
    let tx = client.transaction().await.db_context(what)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let claim_params: [&dyn Param; 2] = [&settings.agent, &limit];
    let (rows, snapshot_rows) = futures_util::try_join!(
        statements.query(&tx, Which::Claim, &claim_params),
        statements.query(&tx, Which::Snapshot, &[]),
    )
    .db_context(what)?;
    if rows.is_empty() {
        tx.rollback().await.db_context(what)?;
        return Ok(Counts::default());
    }
    let (snapshot, now) = snapshot_from_rows(&snapshot_rows)?;
    statements.replan_if_outgrown(&tx, rows.len()).await?;
    write_batch(tx, statements, settings, run_id, &rows, &snapshot, now).await
}

/// [`route_batch`] with the market snapshot of `cache`: the claim goes with
/// the small sync check (`sql/routing/sync_version.sql`), and the snapshot is
/// loaded only when a sync committed since `cache` was filled. The version is
/// read before the snapshot, so a sync committing in between only causes one
/// more load later, never a stale decision.
pub async fn route_batch_cached(
    client: &mut Client,
    statements: &Statements,
    settings: &BatchSettings,
    run_id: Uuid,
    limit: usize,
    cache: &SnapshotCache,
) -> Result<Counts> {
    let what = "cannot route a batch of pending signals";
    let tx = client.transaction().await.db_context(what)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let claim_params: [&dyn Param; 2] = [&settings.agent, &limit];
    let (rows, version_rows) = futures_util::try_join!(
        statements.query(&tx, Which::Claim, &claim_params),
        statements.query(&tx, Which::SyncVersion, &[]),
    )
    .db_context(what)?;
    if rows.is_empty() {
        tx.rollback().await.db_context(what)?;
        return Ok(Counts::default());
    }
    let row = version_rows
        .first()
        .context("the sync check returned no row")?;
    let version = SyncVersion {
        syncs: row.try_get("syncs").db_context(what)?,
        newest_sync_at: row.try_get("newest_sync_at").db_context(what)?,
    };
    let now: DateTime<Utc> = row.try_get("now").db_context(what)?;
    statements.replan_if_outgrown(&tx, rows.len()).await?;
    let snapshot = if let Some(snapshot) = cache.get(version) {
        snapshot
    } else {
        let (snapshot, _) = load_snapshot(&tx, statements).await?;
        let snapshot = std::sync::Arc::new(snapshot);
        cache.put(version, std::sync::Arc::clone(&snapshot));
        snapshot
    };
    write_batch(tx, statements, settings, run_id, &rows, &snapshot, now).await
}

/// Whether a signal is pending (of `agent` when given) and not held by
/// another router: the claim statement itself with a limit of one, outside
/// any transaction (one statement; its row lock ends with it). The indexed
/// poll of a following router, agnostic of what pending means on the host.
pub async fn probe_pending<C: tokio_postgres::GenericClient>(
    client: &C,
    host: HostSchema,
    agent: Option<Uuid>,
) -> Result<bool> {
    let one: i64 = 1;
    typed::query(client, Which::Claim.sql(host), &[&agent, &one])
        .await
        .map(|rows| !rows.is_empty())
        .db_context("cannot look for pending signals")
}

/// Decides the claimed `rows` on `snapshot` at `now`, writes signals, history
/// and run counters, and commits `tx`.
async fn write_batch(
    tx: Transaction<'_>,
    statements: &Statements,
    settings: &BatchSettings,
    run_id: Uuid,
    rows: &[Row],
    snapshot: &MarketSnapshot,
    now: DateTime<Utc>,
) -> Result<Counts> {
    let signals = rows
        .iter()
        .map(signal_from_row)
        .collect::<Result<Vec<_>>>()
        .context("cannot read the claimed signals")?;
    let options = options_at(settings, now);
    let BatchDecisions { decided, counts } =
        decide_loaded(&tx, statements, signals, snapshot, &options).await?;
    let ids: Vec<Uuid> = decided.iter().map(|d| d.signal.id).collect();
    let venues: Vec<Option<&str>> = decided
        .iter()
        .map(|d| d.rendered.venue.map(Venue::as_str))
        .collect();
    let reasons: Vec<Option<&str>> = decided
        .iter()
        .map(|d| d.rendered.skipped_reason.as_deref())
        .collect();
    let mut tokens: Vec<Option<&str>> =
        decided.iter().map(|d| d.rendered.executor_symbol).collect();
    if settings.host.is_maxxit() && tokens.iter().any(Option::is_some) {
        // Maxxit's unique index on (agent, token, deployment, 6 h window):
        // a symbol it already holds for a sibling signal keeps the token.
        let conflicts = typed::query(&tx, MAXXIT_SYMBOL_CONFLICTS, &[&ids, &tokens])
            .await
            .db_context("cannot check the executor symbols against Maxxit's unique index")?;
        let keep: HashSet<Uuid> = conflicts.iter().map(|r| r.get::<_, Uuid>(0)).collect();
        for (id, token) in ids.iter().zip(tokens.iter_mut()) {
            if keep.contains(id) {
                *token = None;
            }
        }
    }
    let updated = if settings.host.is_maxxit() {
        statements
            .execute(
                &tx,
                Which::Apply,
                &[
                    &ids,
                    &venues,
                    &reasons,
                    &settings.executor_marks,
                    &settings.skip_mark.as_str(),
                    &tokens,
                ],
            )
            .await
    } else {
        statements
            .execute(&tx, Which::Apply, &[&ids, &venues, &reasons, &tokens])
            .await
    }
    .db_context("cannot write the routing decisions to `signals`")?;
    if updated != ids.len() as u64 {
        return Err(anyhow!(
            "cannot write the routing decisions to `signals`: {updated} of {} claimed signals were still pending; the batch was rolled back",
            ids.len()
        ));
    }
    write_history(&tx, statements, &decided, Some(run_id)).await?;
    if settings.writes_agent_history() && has_agent_history_table(statements.host) {
        insert_agent_history(&tx, statements, &decided).await?;
    }
    let routed = serde_json::to_string(&counts.routed_by_venue)?;
    let skipped = serde_json::to_string(&counts.skipped_by_reason)?;
    #[allow(clippy::cast_possible_wrap)]
    let (claimed_n, routed_n, skipped_n) = (
        counts.claimed as i64,
        counts.routed as i64,
        counts.skipped as i64,
    );
    statements
        .execute(
            &tx,
            Which::AddBatch,
            &[
                &run_id, &claimed_n, &routed_n, &skipped_n, &routed, &skipped,
            ],
        )
        .await
        .db_context("cannot update the routing run")?;
    tx.commit()
        .await
        .db_context("cannot commit a routing batch")?;
    Ok(counts)
}

/// What `--dry-run` decided: every decision, the counters and the number of batches.
#[derive(Debug, Clone, Default)]
pub struct Preview {
    pub decisions: Vec<DecisionView>,
    pub counts: Counts,
    pub batches: u64,
}

/// `--dry-run`: decides up to `limit` pending signals (all without one), in
/// batches of `batch_size`, inside one read-only repeatable-read transaction:
/// no locks, no writes, no run row.
pub async fn preview(
    client: &mut Client,
    statements: &Statements,
    settings: &BatchSettings,
    limit: Option<u64>,
    batch_size: usize,
) -> Result<Preview> {
    let tx = super::read_snapshot(client).await?;
    let mut preview = Preview::default();
    let mut after = preview_start();
    let mut remaining = limit.unwrap_or(u64::MAX);
    while remaining > 0 {
        let take = usize::try_from(remaining.min(batch_size as u64)).unwrap_or(usize::MAX);
        let (decisions, counts, last_key) =
            preview_batch(&tx, statements, settings, after, take).await?;
        let n = counts.claimed;
        if n == 0 {
            break;
        }
        preview.batches += 1;
        remaining -= n.min(remaining);
        preview.counts.add(&counts);
        preview.decisions.extend(decisions);
        match last_key {
            Some(key) if n as usize == take => after = key,
            _ => break,
        }
    }
    tx.rollback()
        .await
        .db_context("cannot end the read-only transaction")?;
    Ok(preview)
}

/// Decides up to `limit` pending signals after `after` (keyset) inside `tx`.
async fn preview_batch(
    tx: &Transaction<'_>,
    statements: &Statements,
    settings: &BatchSettings,
    after: (DateTime<Utc>, Uuid),
    limit: usize,
) -> Result<(Vec<DecisionView>, Counts, Option<(DateTime<Utc>, Uuid)>)> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let preview_params: [&dyn Param; 4] = [&settings.agent, &limit, &after.0, &after.1];
    let (rows, snapshot_rows) = futures_util::try_join!(
        statements.query(tx, Which::Preview, &preview_params),
        statements.query(tx, Which::Snapshot, &[]),
    )
    .db_context("cannot read pending signals")?;
    if rows.is_empty() {
        return Ok((Vec::new(), Counts::default(), None));
    }
    let signals = rows
        .iter()
        .map(signal_from_row)
        .collect::<Result<Vec<_>>>()
        .context("cannot read the pending signals")?;
    let last_key = signals.last().map(|s| (s.created_at, s.id));
    let (snapshot, now) = snapshot_from_rows(&snapshot_rows)?;
    let options = options_at(settings, now);
    let BatchDecisions { decided, counts } =
        decide_loaded(tx, statements, signals, &snapshot, &options).await?;
    let decisions = decided
        .iter()
        .map(DecisionView::new)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((decisions, counts, last_key))
}

/// The keyset position before every signal.
fn preview_start() -> (DateTime<Utc>, Uuid) {
    // Year 1: before any signal, and inside PostgreSQL's timestamp range.
    let start = DateTime::<Utc>::from_timestamp(-62_135_596_800, 0).unwrap_or_default();
    (start, Uuid::nil())
}

/// A `jsonb` (or `json`) value read as its JSON text, unparsed (binary
/// format: version 1 + text).
#[derive(Debug)]
struct JsonbRaw(String);

impl<'a> FromSql<'a> for JsonbRaw {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        let text = if *ty == Type::JSONB {
            match raw.split_first() {
                Some((&1, rest)) => rest,
                _ => return Err("unsupported jsonb version".into()),
            }
        } else {
            raw
        };
        Ok(JsonbRaw(std::str::from_utf8(text)?.to_owned()))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::JSONB || *ty == Type::JSON
    }
}

/// Pending signals (of `agent` when given) on the host schema.
pub async fn count_pending(client: &Client, host: HostSchema, agent: Option<Uuid>) -> Result<i64> {
    let statement = if host.is_maxxit() {
        MAXXIT_COUNT
    } else {
        COUNT
    };
    typed::query_one(client, statement, &[&agent])
        .await
        .map(|r| r.get(0))
        .db_context("cannot count pending signals")
}
