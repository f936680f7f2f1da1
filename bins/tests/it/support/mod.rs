//! What the integration tests share, written once: running a binary of this
//! package against a test database with a deadline ([`bin`]), the database
//! queries and URL edits several areas need ([`db`]), the recorded venue
//! responses as files and served over HTTP ([`venue`]), snapshots of what a
//! market sync may change ([`markets`]), and pending signals with the
//! routing invariants every routing test checks ([`routing`]).

pub(crate) mod bin;
pub(crate) mod db;
pub(crate) mod markets;
pub(crate) mod routing;
pub(crate) mod venue;

use std::future::Future;
use std::time::Duration;

use anyhow::{Result, ensure};

/// Polls `probe` every 20 ms until it yields a value, for at most `limit`.
pub(crate) async fn wait_until<T, F, Fut>(limit: Duration, what: &str, mut probe: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(value) = probe().await? {
            return Ok(value);
        }
        ensure!(
            tokio::time::Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Polls `pred` every 20 ms until it holds, for at most `limit`.
pub(crate) async fn wait_for<F, Fut>(limit: Duration, what: &str, mut pred: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<bool>>,
{
    wait_until(limit, what, || {
        let holds = pred();
        async move { Ok(holds.await?.then_some(())) }
    })
    .await
}
