//! `--follow`: the state the workers and the waker share, reconnection with
//! backoff, and the waker (LISTEN or polling) that tells workers a signal
//! may be pending.

use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use agent_where::db::connect::Listener;
use agent_where::db::host::HostSchema;
use agent_where::db::routing as db;
use agent_where::db::{DatabaseUrl, DbContext, is_connection_lost};
use anyhow::{Result, anyhow};
use deadpool_postgres::Pool;
use uuid::Uuid;

use super::control::RunControl;
use super::{
    Follow, LISTEN_SAFETY_POLL, PENDING_CHANNEL, RECONNECT_FIRST_PAUSE, RECONNECT_MAX_PAUSE,
};

/// The state of `--follow` shared by the workers and the waker.
pub(super) struct Following {
    pub(super) follow: Follow,
    pub(super) deadline: tokio::time::Instant,
    /// The waker LISTENs (else it polls).
    pub(super) listen: bool,
    /// Bumped when a signal may be pending: workers drain again.
    pub(super) wake: tokio::sync::watch::Sender<u64>,
    /// When the last "connection lost" warning was printed.
    pub(super) warned_at: Mutex<Option<Instant>>,
}

impl Following {
    pub(super) fn wake_up(&self) {
        self.wake.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub(super) fn over(&self) -> bool {
        tokio::time::Instant::now() >= self.deadline
    }

    /// One warning line per outage (several connections are usually cut at
    /// once; a later cut warns again).
    pub(super) fn warn_lost(&self, cause: &anyhow::Error) {
        let Ok(mut at) = self.warned_at.lock() else {
            return;
        };
        if at.is_some_and(|t| t.elapsed() < Duration::from_secs(30)) {
            return;
        }
        *at = Some(Instant::now());
        tracing::warn!(
            "lost the database connection ({}); reconnecting with backoff (at most {} s between attempts) until the end of --follow",
            crate::cli::error_line(cause),
            RECONNECT_MAX_PAUSE.as_secs()
        );
    }

    /// Retries `connect` with a doubling pause until it succeeds, the run is
    /// stopped, or the follow's end comes (then the last error).
    pub(super) async fn reconnect<T, F, Fut>(
        &self,
        control: &RunControl,
        what: &str,
        mut connect: F,
    ) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let mut pause = RECONNECT_FIRST_PAUSE;
        loop {
            let error = match connect().await {
                Ok(t) => {
                    control.stats.reconnects.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!("{what}: reconnected");
                    return Ok(t);
                }
                Err(e) => e,
            };
            let wake_at = tokio::time::Instant::now() + pause;
            if control.stopped() || wake_at >= self.deadline {
                return Err(error.context(format!(
                    "{what}: lost the database connection and could not reconnect before the end of --follow"
                )));
            }
            tokio::time::sleep_until(wake_at).await;
            pause = (pause * 2).min(RECONNECT_MAX_PAUSE);
        }
    }
}

/// Waits on `listener`'s next notification; forever without one.
async fn notified(listener: &mut Option<Listener>) -> Option<()> {
    match listener {
        Some(l) => l.notifications.recv().await,
        None => std::future::pending().await,
    }
}

/// The waker of a following run: wakes the workers when a signal may be
/// pending, on a notification (LISTEN) or when its poll — the claim
/// statement with a limit of one — finds one. Polls every `--poll-interval`
/// without LISTEN, every [`LISTEN_SAFETY_POLL`] with it. A cut connection
/// is re-opened with backoff; meanwhile the pool's connection polls.
pub(super) async fn waker(
    following: &Following,
    control: &RunControl,
    pool: &Pool,
    url: &DatabaseUrl,
    host: HostSchema,
    agent: Option<Uuid>,
) {
    let stats = &control.stats;
    let mut stop = control.stop.subscribe();
    let mut listener: Option<Listener> = None;
    let mut poller: Option<deadpool_postgres::Object> = None;
    let mut listen_pause = RECONNECT_FIRST_PAUSE;
    let mut next_listen = tokio::time::Instant::now();
    loop {
        if following.listen && listener.is_none() && tokio::time::Instant::now() >= next_listen {
            match url.listen(PENDING_CHANNEL).await {
                Ok(l) => {
                    let again = stats.listening.swap(true, Ordering::Relaxed);
                    listener = Some(l);
                    listen_pause = RECONNECT_FIRST_PAUSE;
                    if again {
                        stats.reconnects.fetch_add(1, Ordering::Relaxed);
                        // Notifications sent while it was away are lost.
                        following.wake_up();
                    }
                }
                Err(e) => {
                    if stats.listening.load(Ordering::Relaxed) {
                        following.warn_lost(&e);
                    } else {
                        tracing::debug!("cannot LISTEN, polling instead: {e:#}");
                    }
                    next_listen = tokio::time::Instant::now() + listen_pause;
                    listen_pause = (listen_pause * 2).min(RECONNECT_MAX_PAUSE);
                }
            }
        }
        let interval = if listener.is_some() {
            following.follow.poll_interval.max(LISTEN_SAFETY_POLL)
        } else {
            following.follow.poll_interval
        };
        tokio::select! {
            _ = stop.changed() => return,
            () = tokio::time::sleep_until(following.deadline) => return,
            got = notified(&mut listener) => {
                if got.is_some() {
                    stats.notifications.fetch_add(1, Ordering::Relaxed);
                    following.wake_up();
                } else {
                    // The listening connection ended: poll until it is back.
                    listener = None;
                    following.warn_lost(&anyhow!("the listening connection was closed"));
                }
                continue;
            }
            () = tokio::time::sleep(interval) => {}
        }
        let probed = if let Some(l) = &listener {
            db::probe_pending(&l.client, host, agent).await
        } else {
            if poller.as_ref().is_none_or(|p| p.is_closed()) {
                poller = None;
                match pool
                    .get()
                    .await
                    .db_context("cannot get a database connection")
                {
                    Ok(p) => poller = Some(p),
                    Err(e) => {
                        following.warn_lost(&e);
                        continue;
                    }
                }
            }
            match &poller {
                Some(p) => db::probe_pending(&***p, host, agent).await,
                None => continue,
            }
        };
        stats.polls.fetch_add(1, Ordering::Relaxed);
        match probed {
            Ok(true) => following.wake_up(),
            Ok(false) => {}
            Err(e) => {
                if is_connection_lost(&e) {
                    following.warn_lost(&e);
                    if listener.as_ref().is_some_and(|l| l.client.is_closed()) {
                        listener = None;
                    }
                } else {
                    tracing::debug!("{e:#}");
                }
            }
        }
    }
}
