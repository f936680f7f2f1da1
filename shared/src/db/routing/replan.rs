//! Re-planning a routing connection whose cached plans were made for
//! tables much smaller than they are now (issue 20: the burst, and a long
//! follow on a table that started empty).
//!
//! A server session caches its plans: the routing statements' and the
//! foreign-key checks' of the history's write (`venue_routing_history` →
//! `signals`). Plans cached while `signals` held a few rows (a follower's
//! first batches of one signal on a new database) scan the table whole: for
//! each check of a burst, so the batch turns quadratic, and for every
//! statement of every later batch while the table grows (measured: a
//! follower's median latency rose from 2.7 ms to 10 ms in five minutes at 50
//! signals/s, 135 ms over 50 minutes), until an ANALYZE invalidates them,
//! which never comes where autovacuum is off. `DISCARD PLANS` in the batch's
//! transaction makes the server plan them anew for the tables as they are.
//! It is sent before a batch far larger than any before it on the connection,
//! and before the first batch once the plans are a minute old: a few
//! milliseconds of planning at most once a minute, whatever made the tables
//! grow (Maxxit's other signals as well as the ones routed here).

use std::time::{Duration, Instant};

use anyhow::Result;
use tokio_postgres::Transaction;

use super::Statements;
use crate::db::DbContext;

const DISCARD_PLANS: &str = sql!("routing/discard_plans.sql");

/// The smallest batch that makes a connection re-plan ([`outgrows`]).
const REPLAN_MIN_BATCH: usize = 1_000;

/// How old a connection's cached plans may grow before its next batch
/// re-plans.
pub const REPLAN_AFTER: Duration = Duration::from_secs(60);

/// What a connection knows of its cached plans.
#[derive(Debug)]
pub(super) struct Plans {
    /// The most signals one batch on this connection has claimed.
    largest_batch: usize,
    /// When they were last made anew (the connection's start, or its last
    /// re-plan).
    made_at: Instant,
    /// [`REPLAN_AFTER`], or another age set with
    /// [`Statements::replan_after`].
    replan_after: Duration,
}

impl Plans {
    pub(super) fn new() -> Plans {
        Plans {
            largest_batch: 0,
            made_at: Instant::now(),
            replan_after: REPLAN_AFTER,
        }
    }

    /// Records a batch of `claimed` signals about to be written at `now`, and
    /// whether the plans must be made anew first.
    fn before_batch(&mut self, claimed: usize, now: Instant) -> bool {
        let due = outgrows(claimed, self.largest_batch)
            || now.saturating_duration_since(self.made_at) >= self.replan_after;
        self.largest_batch = self.largest_batch.max(claimed);
        if due {
            self.made_at = now;
        }
        due
    }
}

/// Whether a batch of `claimed` signals, on a connection whose largest batch
/// so far claimed `largest_before`, should re-plan first: at least
/// [`REPLAN_MIN_BATCH`] and more than twice any batch before. A connection's
/// first large batch re-plans once; later ones of the same size do not, and
/// small batches never do.
fn outgrows(claimed: usize, largest_before: usize) -> bool {
    claimed >= REPLAN_MIN_BATCH && claimed > largest_before.saturating_mul(2)
}

impl Statements {
    /// Re-plans this connection's plans after `age` instead of
    /// [`REPLAN_AFTER`] (tests; tuning).
    #[must_use]
    pub fn replan_after(self, age: Duration) -> Statements {
        if let Ok(mut plans) = self.plans.lock() {
            plans.replan_after = age;
        }
        self
    }

    /// Re-plans before writing a batch of `claimed` signals when the batch
    /// outgrows the session's cached plans ([`outgrows`]) or they are older
    /// than their limit ([`REPLAN_AFTER`]); records the batch.
    pub(super) async fn replan_if_outgrown(
        &self,
        tx: &Transaction<'_>,
        claimed: usize,
    ) -> Result<()> {
        let due = self
            .plans
            .lock()
            .is_ok_and(|mut plans| plans.before_batch(claimed, Instant::now()));
        if due {
            tx.batch_execute(DISCARD_PLANS)
                .await
                .db_context("cannot re-plan the routing statements")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::{Plans, REPLAN_AFTER, REPLAN_MIN_BATCH, outgrows};

    #[test]
    fn only_a_batch_far_larger_than_any_before_replans() {
        // A connection's first batch of a burst re-plans, once.
        assert!(outgrows(5_000, 0));
        assert!(outgrows(5_000, 1));
        assert!(!outgrows(5_000, 5_000));
        assert!(!outgrows(4_000, 5_000));
        // Small batches never do, however many.
        assert!(!outgrows(REPLAN_MIN_BATCH - 1, 0));
        // Growth beyond twice the largest so far does again.
        assert!(!outgrows(2_000, 1_000));
        assert!(outgrows(2_001, 1_000));
    }

    #[test]
    fn plans_older_than_their_limit_are_made_anew_before_the_next_batch_once() {
        let start = Instant::now();
        let mut plans = Plans::new();
        plans.made_at = start;
        // Small batches within the minute: no re-plan, however many.
        for second in 0..60 {
            assert!(!plans.before_batch(1, start + Duration::from_secs(second)));
        }
        // The first batch once the plans are a minute old re-plans, and the
        // minute starts again from there.
        let later = start + REPLAN_AFTER;
        assert!(plans.before_batch(1, later));
        assert!(!plans.before_batch(1, later + Duration::from_secs(1)));
        assert!(plans.before_batch(1, later + REPLAN_AFTER));
        // A burst re-plans whatever the plans' age, and restarts the minute.
        let burst = later + REPLAN_AFTER + Duration::from_secs(5);
        assert!(plans.before_batch(5_000, burst));
        assert!(!plans.before_batch(5_000, burst + Duration::from_secs(1)));
        // An idle connection's first batch after a long pause re-plans once.
        let after_pause = burst + Duration::from_secs(3_600);
        assert!(plans.before_batch(1, after_pause));
        assert!(!plans.before_batch(1, after_pause));
    }
}
