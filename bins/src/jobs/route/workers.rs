//! The workers of a run: each claims, decides and commits batches on its own
//! pooled connection until nothing is pending (or, when following, until the
//! follow ends), sharing the `--limit` budget, the counters and the market
//! snapshot.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use agent_where::db::host::HostSchema;
use agent_where::db::routing::{self as db, BatchSettings, SnapshotCache, Statements};
use agent_where::db::{DatabaseUrl, DbContext, Pooler, is_connection_lost};
use agent_where::routing::Counts;
use anyhow::{Result, anyhow};
use deadpool_postgres::Pool;
use indicatif::ProgressBar;
use uuid::Uuid;

use super::RouteOptions;
use super::control::RunControl;
use super::follow::{Following, waker};

/// What the workers of a run share.
pub(super) struct Shared {
    /// Signals still allowed by `--limit` (u64::MAX without one).
    pub(super) remaining: AtomicU64,
    /// A worker failed: the others stop claiming.
    pub(super) failed: AtomicBool,
    pub(super) counts: Mutex<Counts>,
    pub(super) batches: AtomicU64,
    pub(super) bar: ProgressBar,
    /// The market snapshot the run's batches share.
    pub(super) cache: SnapshotCache,
    pub(super) control: Arc<RunControl>,
    pub(super) following: Option<Following>,
}

impl Shared {
    /// Reserves up to `want` signals of the `--limit` budget.
    pub(super) fn reserve(&self, want: u64) -> u64 {
        let mut taken = 0;
        let _ = self
            .remaining
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                taken = left.min(want);
                Some(left - taken)
            });
        taken
    }

    pub(super) fn give_back(&self, n: u64) {
        if n > 0 {
            self.remaining.fetch_add(n, Ordering::SeqCst);
        }
    }

    /// No new batch is to be claimed: a worker failed, the run was stopped,
    /// or the follow is over.
    pub(super) fn halted(&self) -> bool {
        self.failed.load(Ordering::SeqCst)
            || self.control.stopped()
            || self.following.as_ref().is_some_and(Following::over)
    }
}

pub(super) async fn run_workers(
    pool: &Pool,
    url: &DatabaseUrl,
    run_id: Uuid,
    options: &RouteOptions,
    schema: HostSchema,
    shared: &Arc<Shared>,
) -> Result<(Counts, u64)> {
    let pooler = url.pooler();
    let waker = shared.following.as_ref().map(|_| {
        let shared = Arc::clone(shared);
        let pool = pool.clone();
        let url = url.clone();
        let agent = options.agent;
        tokio::spawn(async move {
            if let Some(following) = &shared.following {
                waker(following, &shared.control, &pool, &url, schema, agent).await;
            }
        })
    });
    let mut handles = Vec::with_capacity(options.workers);
    for _ in 0..options.workers {
        let pool = pool.clone();
        let shared = Arc::clone(shared);
        let settings = options.settings(schema);
        let batch_size = options.batch_size as u64;
        handles.push(tokio::spawn(async move {
            let result = worker(&pool, pooler, &shared, &settings, run_id, batch_size).await;
            if result.is_err() {
                shared.failed.store(true, Ordering::SeqCst);
                // Wakes waiting workers so that they see it.
                if let Some(f) = &shared.following {
                    f.wake_up();
                }
            }
            result
        }));
    }
    let mut first_error = None;
    for handle in handles {
        let result = match handle.await {
            Ok(r) => r,
            Err(e) => Err(anyhow!("a routing worker stopped unexpectedly: {e}")),
        };
        if let Err(e) = result
            && first_error.is_none()
        {
            first_error = Some(e);
        }
    }
    if let Some(waker) = waker {
        waker.abort();
        let _ = waker.await;
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    let counts = shared
        .counts
        .lock()
        .map_err(|_| anyhow!("routing counters are unavailable"))?
        .clone();
    Ok((counts, shared.batches.load(Ordering::SeqCst)))
}

/// A worker's connection and its statements.
struct RouterConnection {
    object: deadpool_postgres::Object,
    statements: Statements,
}

impl RouterConnection {
    async fn open(pool: &Pool, pooler: Pooler, host: HostSchema) -> Result<RouterConnection> {
        let object = pool
            .get()
            .await
            .db_context("cannot get a database connection")?;
        let statements = Statements::for_connection(&object, host, pooler).await?;
        Ok(RouterConnection { object, statements })
    }
}

async fn worker(
    pool: &Pool,
    pooler: Pooler,
    shared: &Shared,
    settings: &BatchSettings,
    run_id: Uuid,
    batch_size: u64,
) -> Result<()> {
    let mut connection = RouterConnection::open(pool, pooler, settings.host).await?;
    let mut wake = shared.following.as_ref().map(|f| f.wake.subscribe());
    let mut stop = shared.control.stop.subscribe();
    loop {
        if let Some(wake) = wake.as_mut() {
            wake.borrow_and_update();
        }
        // Drain: batches until one comes back short.
        loop {
            if shared.halted() {
                return Ok(());
            }
            let take = shared.reserve(batch_size);
            if take == 0 {
                return Ok(());
            }
            let limit = usize::try_from(take).unwrap_or(usize::MAX);
            let client: &mut tokio_postgres::Client = &mut connection.object;
            let result = db::route_batch_cached(
                client,
                &connection.statements,
                settings,
                run_id,
                limit,
                &shared.cache,
            )
            .await;
            let counts = match result {
                Ok(counts) => counts,
                Err(e) => {
                    shared.give_back(take);
                    // A follower outlives a cut connection: the batch was
                    // rolled back with it (or committed whole), and a new
                    // connection claims again.
                    let Some(following) = &shared.following else {
                        return Err(e);
                    };
                    if !(connection.object.is_closed() || is_connection_lost(&e)) {
                        return Err(e);
                    }
                    following.warn_lost(&e);
                    drop(connection);
                    connection = following
                        .reconnect(&shared.control, "routing worker", || {
                            RouterConnection::open(pool, pooler, settings.host)
                        })
                        .await?;
                    continue;
                }
            };
            let claimed = counts.claimed;
            shared.give_back(take - claimed.min(take));
            if claimed > 0 {
                shared.batches.fetch_add(1, Ordering::SeqCst);
                shared.bar.inc(claimed);
                if let Ok(mut total) = shared.counts.lock() {
                    total.add(&counts);
                }
                tracing::debug!(claimed, routed = counts.routed, "batch committed");
            }
            if claimed < take {
                break;
            }
        }
        let (Some(following), Some(wake)) = (&shared.following, wake.as_mut()) else {
            return Ok(());
        };
        tokio::select! {
            changed = wake.changed() => {
                if changed.is_err() {
                    return Ok(());
                }
            }
            () = tokio::time::sleep_until(following.deadline) => return Ok(()),
            _ = stop.changed() => return Ok(()),
        }
    }
}
