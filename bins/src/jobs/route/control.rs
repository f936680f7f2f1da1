//! Stopping a run from outside (SIGTERM, SIGINT, a benchmark) and the
//! counters a following run keeps while it runs.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Result, anyhow};

/// Counters of a following run, readable while it runs (`bench-routing
/// --follow` reads the idle statement rate from them).
#[derive(Debug, Default)]
pub struct FollowStats {
    pub notifications: AtomicU64,
    pub polls: AtomicU64,
    pub heartbeats: AtomicU64,
    pub reconnects: AtomicU64,
    /// Whether the follower LISTENs (set once it does).
    pub listening: AtomicBool,
}

impl FollowStats {
    /// Statements the follower sent outside routing batches: polls and
    /// heartbeats (a notification costs none).
    pub fn idle_statements(&self) -> u64 {
        self.polls.load(Ordering::Relaxed) + self.heartbeats.load(Ordering::Relaxed)
    }
}

/// Stops a run from outside (a signal, a benchmark) and reads its counters.
#[derive(Debug)]
pub struct RunControl {
    pub(super) stop: tokio::sync::watch::Sender<bool>,
    pub(super) stopped_by: Mutex<Option<String>>,
    pub stats: FollowStats,
}

impl Default for RunControl {
    fn default() -> Self {
        RunControl {
            stop: tokio::sync::watch::channel(false).0,
            stopped_by: Mutex::new(None),
            stats: FollowStats::default(),
        }
    }
}

impl RunControl {
    /// A control that nothing has stopped.
    #[must_use]
    pub fn new() -> Arc<RunControl> {
        Arc::new(RunControl::default())
    }

    /// Asks the run to stop: no new batch is claimed, the open ones commit,
    /// the run row is COMPLETED. `why` is said in the summary (`SIGTERM`).
    pub fn stop(&self, why: Option<&str>) {
        if let (Some(why), Ok(mut by)) = (why, self.stopped_by.lock()) {
            by.get_or_insert_with(|| why.to_owned());
        }
        self.stop.send_replace(true);
    }

    pub(super) fn stopped(&self) -> bool {
        *self.stop.borrow()
    }

    /// Ends the run cleanly on SIGTERM or SIGINT (registered now, so a
    /// signal arriving from here on is caught).
    pub(super) fn on_signals(self: &Arc<Self>) -> Result<()> {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term =
            signal(SignalKind::terminate()).map_err(|e| anyhow!("cannot handle SIGTERM: {e}"))?;
        let mut int =
            signal(SignalKind::interrupt()).map_err(|e| anyhow!("cannot handle SIGINT: {e}"))?;
        let control = Arc::clone(self);
        tokio::spawn(async move {
            let name = tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = int.recv() => "SIGINT",
            };
            tracing::info!("{name}: finishing the open batch, then stopping");
            control.stop(Some(name));
        });
        Ok(())
    }
}
