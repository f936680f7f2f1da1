//! Helpers shared by the market sync binary tests: running a binary with a
//! deadline (without blocking the runtime that serves the mock venue), the
//! recorded fixtures, and snapshots of what a sync may change.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use tokio_postgres::Client;

/// Longest a binary may run in a test.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// Flags that keep every HTTP failure quick.
pub const FAST: [&str; 8] = [
    "--connect-timeout",
    "2",
    "--timeout",
    "5",
    "--retries",
    "2",
    "--retry-delay",
    "0.01",
];

pub fn fixture_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(rel)
}

pub fn fixture(rel: &str) -> String {
    std::fs::read_to_string(fixture_path(rel)).expect("fixture readable")
}

pub fn fixture_json(rel: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(rel)).expect("fixture is JSON")
}

/// A finished binary run.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// The `error:` line on stderr.
    pub fn error_line(&self) -> String {
        self.stderr
            .lines()
            .find(|l| l.contains(": error: "))
            .unwrap_or_default()
            .to_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }
}

/// Runs `bin` with `args` and `--database-url url`, quietly, within [`DEADLINE`].
pub async fn run(bin: &str, url: &str, args: &[&str]) -> Result<Run> {
    let mut cmd = tokio::process::Command::new(bin);
    cmd.args(args)
        .args(["--database-url", url])
        .env_remove("DATABASE_URL")
        .env_remove("HYPERLIQUID_API_URL")
        .env_remove("OSTIUM_SUBGRAPH_URL")
        .env_remove("OSTIUM_PRICES_URL")
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    let out = tokio::time::timeout(DEADLINE, cmd.output())
        .await
        .context("binary ran past the test deadline")??;
    Ok(Run::from(out))
}

/// Every row of `venue_markets`, whole, in a stable order: "byte-identical"
/// means this is equal before and after.
pub async fn markets_table(client: &Client) -> Result<Vec<String>> {
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
pub async fn markets_content(client: &Client) -> Result<Vec<String>> {
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
pub async fn sync_runs(client: &Client) -> Result<Vec<(String, Option<String>)>> {
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
pub async fn active_state(client: &Client, token: &str) -> Result<(bool, bool)> {
    let row = client
        .query_one(
            "SELECT is_active, delisted_at IS NOT NULL FROM venue_markets WHERE token_symbol = $1",
            &[&token],
        )
        .await?;
    Ok((row.get(0), row.get(1)))
}

/// Waits until `pred` holds, polling every 50 ms, for at most `limit`.
pub async fn wait_for<F, Fut>(limit: Duration, what: &str, mut pred: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if pred().await? {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            bail!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
