//! Re-planning a routing connection before a batch far larger than any it
//! wrote before (issue 20's burst).
//!
//! A server session caches its plans: the routing statements' and the
//! foreign-key checks' of the history's COPY (`venue_routing_history` →
//! `signals`). Plans cached while `signals` held a few rows (a follower's
//! first batches of one signal on a new or freshly vacuumed database) scan
//! the table whole for each check, so a burst turns quadratic until
//! autovacuum's next ANALYZE invalidates them. `DISCARD PLANS` in the batch's
//! transaction makes the server plan them anew for the tables as they are.

use anyhow::Result;
use tokio_postgres::Transaction;

use super::Statements;
use crate::db::DbContext;

const DISCARD_PLANS: &str = sql!("routing/discard_plans.sql");

/// The smallest batch that makes a connection re-plan ([`outgrows`]).
const REPLAN_MIN_BATCH: usize = 1_000;

/// Whether a batch of `claimed` signals, on a connection whose largest batch
/// so far claimed `largest_before`, should re-plan first: at least
/// [`REPLAN_MIN_BATCH`] and more than twice any batch before. A connection's
/// first large batch re-plans once; later ones of the same size do not, and
/// small batches never do.
fn outgrows(claimed: usize, largest_before: usize) -> bool {
    claimed >= REPLAN_MIN_BATCH && claimed > largest_before.saturating_mul(2)
}

impl Statements {
    /// Re-plans before writing a batch of `claimed` signals when it outgrows
    /// the session's cached plans ([`outgrows`]); records the batch's size.
    pub(super) async fn replan_if_outgrown(
        &self,
        tx: &Transaction<'_>,
        claimed: usize,
    ) -> Result<()> {
        let before = self
            .largest_batch
            .fetch_max(claimed, std::sync::atomic::Ordering::Relaxed);
        if outgrows(claimed, before) {
            tx.batch_execute(DISCARD_PLANS)
                .await
                .db_context("cannot re-plan for a large batch")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{REPLAN_MIN_BATCH, outgrows};

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
}
