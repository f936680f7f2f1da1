//! Advisory locks that hold behind a transaction-mode pooler, and that are
//! never waited for without end.
//!
//! A session-level advisory lock (`pg_advisory_lock`) belongs to a server
//! connection. Behind a transaction pooler one client's statements run on
//! several server connections: the unlock may reach another connection (and
//! return false) while the lock stays on an idle pooled connection, where
//! the next waiter hangs forever; and two clients may both "hold" it. Every
//! lock here is transaction-scoped instead (`pg_try_advisory_xact_lock`),
//! taken in a transaction kept open on a connection of its own: an open
//! transaction keeps its one server connection, with a pooler or without,
//! and the lock ends with the transaction (commit, rollback, or the
//! connection dying), so it cannot be left behind.
//!
//! Waiting is polling in short transactions, so a waiter holds no server
//! connection of the pooler between attempts (a pool of N connections is
//! not exhausted by N waiting setups), and it ends at a deadline with an
//! error naming the holder.
//!
//! On a direct connection or through a session-mode pooler ([`Pooler::None`])
//! [`acquire_on`] takes a session-level lock on the connection that does the
//! work instead: one server connection per tool, so N tools through a pool
//! of fewer than 2·N connections cannot each hold one connection and wait
//! for a second. Every statement of the wait is bounded by the same
//! deadline, so a pooler that has no server connection to give ends the
//! wait with one line too.

use std::time::Duration;

use anyhow::{Result, anyhow};
use tokio::time::Instant;
use tokio_postgres::Client;

use super::connect::{DatabaseUrl, Pooler};
use super::{DbContext, typed};

/// How long a tool waits by default for a lock another run holds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

const TRY_LOCK: &str = sql!("locks/try_xact_lock.sql");
const HOLDER: &str = sql!("locks/advisory_holder.sql");
const TRY_SESSION_LOCK: &str = sql!("locks/try_session_lock.sql");
const UNLOCK_SESSION_LOCK: &str = sql!("locks/unlock_session_lock.sql");

/// A lock taken by [`acquire_on`]: on a connection of its own (transaction
/// pooler), or on the caller's connection (session-level).
pub enum WorkLock {
    Apart(HeldLock),
    OnConnection { key: i64, what: String },
}

impl WorkLock {
    /// Releases the lock; `client` is the connection it was taken for. An
    /// error means it was lost before this point (see [`HeldLock::release`]).
    pub async fn release(self, client: &Client) -> Result<()> {
        match self {
            WorkLock::Apart(lock) => lock.release().await,
            WorkLock::OnConnection { key, what } => {
                let unlocked: bool = typed::query_one(client, UNLOCK_SESSION_LOCK, &[&key])
                    .await
                    .and_then(|row| row.try_get("unlocked"))
                    .with_db_context(|| format!("cannot release {what}"))?;
                if unlocked {
                    Ok(())
                } else {
                    Err(anyhow!(
                        "cannot release {what}: this connection no longer held it"
                    ))
                }
            }
        }
    }
}

/// `step` within what is left until `deadline`, else the one-line error of a
/// wait for `what` that did not end (a pooler without a free server
/// connection, a server that does not answer).
async fn within<T>(
    deadline: Instant,
    timeout: Duration,
    what: &str,
    step: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    // A last attempt made at the deadline still gets a moment to answer.
    let bound = deadline.max(Instant::now() + Duration::from_secs(1));
    tokio::time::timeout_at(bound, step).await.map_err(|_| {
        anyhow!(
            "cannot take {what}: no answer within {} (lock timeout): waited for a server connection from the pooler or for the server itself; raise --lock-timeout or the pooler's pool size, or run fewer tools at once",
            seconds(timeout)
        )
    })?
}

/// Takes the advisory lock `key` for work done on `client` (a connection to
/// `url`), waiting at most `timeout` in all. Through a transaction pooler it
/// is [`acquire`] (a connection of its own); otherwise a session-level lock
/// on `client` itself, so the work and its lock use one server connection.
pub async fn acquire_on(
    url: &DatabaseUrl,
    client: &Client,
    key: i64,
    what: &str,
    timeout: Duration,
) -> Result<WorkLock> {
    if url.pooler() == Pooler::Transaction {
        return acquire(url, key, what, timeout).await.map(WorkLock::Apart);
    }
    let mut wait = LockWait::new(what, timeout);
    let deadline = wait.deadline;
    loop {
        let locked: bool = within(deadline, timeout, what, async {
            typed::query_one(client, TRY_SESSION_LOCK, &[&key])
                .await
                .and_then(|row| row.try_get("locked"))
                .with_db_context(|| format!("cannot take {what}"))
        })
        .await?;
        if locked {
            return Ok(WorkLock::OnConnection {
                key,
                what: what.to_owned(),
            });
        }
        if !wait.pause().await {
            return Err(timeout_error(client, key, what, timeout).await);
        }
    }
}

/// A transaction-scoped advisory lock, held by an open transaction on a
/// connection of its own until [`HeldLock::release`] (or until dropped,
/// which closes the connection and so ends the transaction).
pub struct HeldLock {
    client: Client,
    what: String,
}

impl HeldLock {
    /// Ends the lock's transaction. An error means the lock was lost before
    /// this point (its connection died, e.g. a server-side timeout), so the
    /// work it protected may have run unprotected: the caller must say so.
    pub async fn release(self) -> Result<()> {
        self.client
            .batch_execute("COMMIT")
            .await
            .with_db_context(|| format!("cannot release {}", self.what))
    }
}

/// Takes the advisory lock `key` (named `what` in messages: "the migration
/// lock"), waiting at most `timeout` for another session to let go of it.
/// Opens a connection of its own for it.
pub async fn acquire(
    url: &DatabaseUrl,
    key: i64,
    what: &str,
    timeout: Duration,
) -> Result<HeldLock> {
    let mut wait = LockWait::new(what, timeout);
    let deadline = wait.deadline;
    let client = within(deadline, timeout, what, url.connect()).await?;
    loop {
        // Transaction control, not a query: sent as the simple protocol.
        let locked: bool = within(deadline, timeout, what, async {
            client
                .batch_execute("BEGIN")
                .await
                .with_db_context(|| format!("cannot take {what}"))?;
            typed::query_one(&client, TRY_LOCK, &[&key])
                .await
                .and_then(|row| row.try_get("locked"))
                .with_db_context(|| format!("cannot take {what}"))
        })
        .await?;
        if locked {
            return Ok(HeldLock {
                client,
                what: what.to_owned(),
            });
        }
        within(deadline, timeout, what, async {
            client
                .batch_execute("ROLLBACK")
                .await
                .with_db_context(|| format!("cannot take {what}"))
        })
        .await?;
        if !wait.pause().await {
            return Err(timeout_error(&client, key, what, timeout).await);
        }
    }
}

/// The waits between tries for a lock held by another session: 50 ms,
/// doubling to 1 s, never past the deadline; the first says once what it
/// waits for.
struct LockWait<'a> {
    what: &'a str,
    timeout: Duration,
    deadline: Instant,
    pause: Duration,
    said: bool,
}

impl<'a> LockWait<'a> {
    fn new(what: &'a str, timeout: Duration) -> LockWait<'a> {
        LockWait {
            what,
            timeout,
            deadline: Instant::now() + timeout,
            pause: Duration::from_millis(50),
            said: false,
        }
    }

    /// Waits before the next try; `false` (without waiting) once the
    /// deadline has passed.
    async fn pause(&mut self) -> bool {
        let now = Instant::now();
        if now >= self.deadline {
            return false;
        }
        if !self.said {
            tracing::info!(
                "waiting for {}: another session holds it (at most {})",
                self.what,
                seconds(self.timeout)
            );
            self.said = true;
        }
        tokio::time::sleep(self.pause.min(self.deadline - now)).await;
        self.pause = (self.pause * 2).min(Duration::from_secs(1));
        true
    }
}

fn seconds(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

/// `cannot take the migration lock: another session held it for more than
/// 2 s: pid 123 (…, idle for 40 s) …`, with what to do about it.
async fn timeout_error(client: &Client, key: i64, what: &str, timeout: Duration) -> anyhow::Error {
    let holder = typed::query_opt(client, HOLDER, &[&key])
        .await
        .ok()
        .flatten();
    let Some(row) = holder else {
        return anyhow!(
            "cannot take {what}: another session held it for more than {} (lock timeout; raise --lock-timeout if it is just slow)",
            seconds(timeout)
        );
    };
    let pid: i32 = row.try_get("pid").unwrap_or_default();
    let mut about = Vec::new();
    if let Ok(Some(app)) = row.try_get::<_, Option<String>>("application_name")
        && !app.is_empty()
    {
        about.push(format!("application `{app}`"));
    }
    if let Ok(Some(client_addr)) = row.try_get::<_, Option<String>>("client") {
        about.push(format!("from {client_addr}"));
    }
    let state: Option<String> = row.try_get("state").ok().flatten();
    if let Some(state) = &state {
        let since = row
            .try_get::<_, Option<f64>>("state_seconds")
            .ok()
            .flatten()
            .map(|s| format!(" for {s:.0} s"))
            .unwrap_or_default();
        about.push(format!("{state}{since}"));
    }
    let advice = if state.as_deref() == Some("idle") {
        format!(
            "an idle holder is a lock left on a pooled connection (by an older setup over a transaction pooler): end it with `SELECT pg_terminate_backend({pid})` or restart the pooler"
        )
    } else {
        "wait for it, or raise --lock-timeout if it is just slow".to_owned()
    };
    anyhow!(
        "cannot take {what}: another session held it for more than {} (lock timeout): pid {pid} ({}); {advice}",
        seconds(timeout),
        about.join(", ")
    )
}
