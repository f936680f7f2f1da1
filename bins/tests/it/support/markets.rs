//! Market syncs in tests: running a sync binary, snapshots of what a sync
//! may change to compare before and after (`venue_markets` and
//! `venue_sync_runs`), and a sync of both venues from the recorded files for
//! tests that need markets to route to.

use std::time::Duration;

use anyhow::Result;
use tokio_postgres::Client;

use super::bin::{Bin, Output, run};
use super::venue::fixture_arg;

/// Longest a sync may run in the sync tests.
pub(crate) const SYNC_DEADLINE: Duration = Duration::from_secs(60);

/// Runs sync binary `bin` with `args` and `--database-url url`, within
/// [`SYNC_DEADLINE`].
pub(crate) async fn sync(bin: &str, url: &str, args: &[&str]) -> Result<Output> {
    Bin::new(bin)
        .args(args)
        .database(url)
        .timeout(SYNC_DEADLINE)
        .run()
        .await
}

/// Every row of `venue_markets`, whole, in a stable order: "byte-identical"
/// means this is equal before and after.
pub(crate) async fn markets_table(client: &Client) -> Result<Vec<String>> {
    Ok(client
        .query(
            "SELECT to_jsonb(m)::text FROM venue_markets m ORDER BY venue, token_symbol",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// `venue_markets` without ids and timestamps, to compare two databases.
pub(crate) async fn markets_content(client: &Client) -> Result<Vec<String>> {
    Ok(client
        .query(
            "SELECT (to_jsonb(m) - 'id' - 'last_synced' - 'market_status_at' - 'delisted_at')::text
             FROM venue_markets m ORDER BY venue, token_symbol",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// `venue_sync_runs` as (status, error), oldest first.
pub(crate) async fn sync_runs(client: &Client) -> Result<Vec<(String, Option<String>)>> {
    Ok(client
        .query(
            "SELECT status, error FROM venue_sync_runs ORDER BY started_at, finished_at",
            &[],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
}

/// (is_active, delisted_at is set) of one market.
pub(crate) async fn active_state(client: &Client, token: &str) -> Result<(bool, bool)> {
    let row = client
        .query_one(
            "SELECT is_active, delisted_at IS NOT NULL FROM venue_markets WHERE token_symbol = $1",
            &[&token],
        )
        .await?;
    Ok((row.get(0), row.get(1)))
}

/// Syncs both venues from the recorded responses (no HTTP).
pub(crate) async fn sync_recorded(url: &str) -> Result<()> {
    run(
        "sync-hyperliquid-markets",
        url,
        &[
            "--from-file",
            &fixture_arg("hyperliquid/metaAndAssetCtxs.json"),
        ],
    )
    .await?
    .expect_code(0, "sync-hyperliquid-markets");
    run(
        "sync-ostium-markets",
        url,
        &[
            "--pairs-file",
            &fixture_arg("ostium/pairs.graphql.json"),
            "--prices-file",
            &fixture_arg("ostium/latest-prices.json"),
        ],
    )
    .await?
    .expect_code(0, "sync-ostium-markets");
    Ok(())
}

/// What a rejected sync must leave behind: `venue_markets` exactly as
/// `before`, and a FAILED run whose error names everything in `expect` as
/// the newest of `failed_runs` FAILED runs. `fault` names the case.
pub(crate) async fn assert_untouched_and_failure_recorded(
    client: &Client,
    fault: &str,
    before: &[String],
    expect: &[&str],
    failed_runs: usize,
) -> Result<()> {
    assert_eq!(
        markets_table(client).await?,
        before,
        "{fault}: table changed"
    );
    let runs = sync_runs(client).await?;
    let (status, error) = runs.last().expect("a run row");
    assert_eq!(status, "FAILED", "{fault}");
    assert!(
        error
            .as_deref()
            .is_some_and(|e| expect.iter().all(|w| e.contains(w))),
        "{fault}: {error:?}"
    );
    assert_eq!(
        runs.iter().filter(|(s, _)| s == "FAILED").count(),
        failed_runs
    );
    Ok(())
}

/// The JSON summary of a sync that changed nothing: `unchanged` markets,
/// none added, updated, reactivated or delisted.
pub(crate) fn assert_nothing_changed(summary: &serde_json::Value, unchanged: i64) {
    for key in ["added", "updated", "reactivated", "delisted"] {
        assert_eq!(summary[key], 0, "{key}: {summary}");
    }
    assert_eq!(summary["unchanged"], unchanged);
}
