//! The run rows of `routing_runs`: started, heartbeated, finished, and
//! failed when their process went away.

use anyhow::Result;
use tokio_postgres::Client;
use uuid::Uuid;

use super::{FAIL_STALE_RUNS, FINISH_RUN, HEARTBEAT, INSERT_RUN, RUN_STALE_AFTER};
use crate::db::DbContext;
use crate::db::typed;

/// Inserts the RUNNING row of a run and returns its id.
pub async fn start_run(
    client: &Client,
    options: &serde_json::Value,
    host: Option<&str>,
    pid: Option<i32>,
) -> Result<Uuid> {
    typed::query_one(client, INSERT_RUN, &[options, &host, &pid])
        .await
        .map(|r| r.get(0))
        .db_context("cannot record the routing run")
}

/// Ends a run: `COMPLETED`, or `FAILED` with `error`. Returns the run's
/// committed (claimed, routed, skipped) counters.
pub async fn finish_run(
    client: &Client,
    run_id: Uuid,
    error: Option<&str>,
) -> Result<(i64, i64, i64)> {
    let status = if error.is_some() {
        "FAILED"
    } else {
        "COMPLETED"
    };
    typed::query_one(client, FINISH_RUN, &[&run_id, &status, &error])
        .await
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .db_context("cannot finish the routing run")
}

/// Refreshes a running run's heartbeat (never waits for a row lock).
pub async fn heartbeat(client: &Client, run_id: Uuid) -> Result<()> {
    typed::execute(client, HEARTBEAT, &[&run_id])
        .await
        .map(|_| ())
        .db_context("cannot refresh the routing run's heartbeat")
}

/// A stale run that [`fail_stale_runs`] marked FAILED.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleRun {
    pub id: Uuid,
    pub host: Option<String>,
    pub pid: Option<i32>,
}

/// Marks FAILED every RUNNING run (but `run_id`, the caller's) without a
/// heartbeat for longer than [`RUN_STALE_AFTER`], and returns them.
pub async fn fail_stale_runs(client: &Client, run_id: Uuid) -> Result<Vec<StaleRun>> {
    let seconds = RUN_STALE_AFTER.as_secs_f64();
    let rows = typed::query(client, FAIL_STALE_RUNS, &[&seconds, &run_id])
        .await
        .db_context("cannot mark stale routing runs FAILED")?;
    rows.iter()
        .map(|r| {
            Ok(StaleRun {
                id: r.try_get("id")?,
                host: r.try_get("host")?,
                pid: r.try_get("pid")?,
            })
        })
        .collect::<Result<Vec<_>, tokio_postgres::Error>>()
        .db_context("cannot mark stale routing runs FAILED")
}
