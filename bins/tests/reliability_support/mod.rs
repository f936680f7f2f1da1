//! Helpers shared by the reliability and least-privilege tests: running any
//! binary of the package by name, syncing the recorded venue responses,
//! inserting pending signals in one statement, and the invariant every
//! routing test checks ("a signal is decided if and only if it has exactly
//! one history row").

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use tokio_postgres::Client;
use uuid::Uuid;

/// The executable of binary `name` (cargo builds every binary of the
/// package before its integration tests run, all in one directory).
pub fn executable(name: &str) -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_setup-agent-where"))
        .parent()
        .expect("binary directory")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// A recorded venue response under `shared/fixtures/`.
pub fn fixture(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(rel)
        .display()
        .to_string()
}

/// A finished run.
#[derive(Debug)]
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    fn from(out: &Output) -> Ran {
        Ran {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Panics with the output unless the run exited with `code`.
    pub fn expect_code(&self, code: i32, what: &str) -> &Ran {
        assert_eq!(
            self.code,
            Some(code),
            "{what}: exit code\nstdout: {}\nstderr: {}",
            self.stdout,
            self.stderr
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

/// A command for binary `name` against `url`, with a clean environment.
pub fn command(name: &str, url: &str, args: &[&str]) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(executable(name));
    cmd.args(args)
        .args(["--database-url", url])
        .env_remove("DATABASE_URL")
        .env_remove("RUST_LOG")
        .env_remove("AGENT_WHERE_LOG_FORMAT")
        .env_remove("AGENT_WHERE_BATCH_SIZE")
        .env_remove("AGENT_WHERE_WORKERS")
        .env_remove("HYPERLIQUID_API_URL")
        .env_remove("OSTIUM_SUBGRAPH_URL")
        .env_remove("OSTIUM_PRICES_URL")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    cmd
}

/// Runs binary `name` to the end (at most `limit`).
pub async fn run_within(limit: Duration, name: &str, url: &str, args: &[&str]) -> Result<Ran> {
    let out = tokio::time::timeout(limit, command(name, url, args).output())
        .await
        .with_context(|| format!("{name} {args:?} ran longer than {limit:?}"))??;
    Ok(Ran::from(&out))
}

/// Runs binary `name` to the end (at most three minutes).
pub async fn run(name: &str, url: &str, args: &[&str]) -> Result<Ran> {
    run_within(Duration::from_secs(180), name, url, args).await
}

/// Syncs both venues from the recorded responses (no HTTP).
pub async fn sync_recorded(url: &str) -> Result<()> {
    run(
        "sync-hyperliquid-markets",
        url,
        &["--from-file", &fixture("hyperliquid/metaAndAssetCtxs.json")],
    )
    .await?
    .expect_code(0, "sync-hyperliquid-markets");
    run(
        "sync-ostium-markets",
        url,
        &[
            "--pairs-file",
            &fixture("ostium/pairs.graphql.json"),
            "--prices-file",
            &fixture("ostium/latest-prices.json"),
        ],
    )
    .await?
    .expect_code(0, "sync-ostium-markets");
    Ok(())
}

/// Inserts an agent whose signals go to `MULTI`.
pub async fn insert_agent(client: &Client) -> Result<Uuid> {
    Ok(client
        .query_one(
            "INSERT INTO agents (creator_wallet, name, venue, profit_receiver_address)
             VALUES ('0xabc', 'multi agent', 'MULTI', '0xabc') RETURNING id",
            &[],
        )
        .await?
        .get(0))
}

/// Inserts `n` pending MULTI signals of `agent` in one statement; signal i
/// (1-based) has token `tokens[i % len]` and is i milliseconds old.
pub async fn insert_signals(client: &Client, agent: Uuid, n: i32, tokens: &[&str]) -> Result<u64> {
    let tokens: Vec<String> = tokens.iter().map(|t| (*t).to_owned()).collect();
    Ok(client
        .execute(
            "INSERT INTO signals (agent_id, token_symbol, venue, side, size_model, risk_model, created_at)
             SELECT $1, ($3::text[])[1 + i % cardinality($3::text[])], 'MULTI',
                    CASE WHEN i % 2 = 0 THEN 'LONG' ELSE 'SHORT' END,
                    '{\"type\": \"balance-percentage\", \"value\": 5, \"leverage\": 3}', '{}',
                    now() - make_interval(secs => i / 1000.0)
             FROM generate_series(1, $2) AS i",
            &[&agent, &n, &tokens],
        )
        .await?)
}

pub async fn count(client: &Client, sql: &str) -> Result<i64> {
    Ok(client.query_one(sql, &[]).await?.get(0))
}

/// Pending MULTI signals.
pub async fn pending(client: &Client) -> Result<i64> {
    count(
        client,
        "SELECT count(*) FROM signals WHERE venue = 'MULTI' AND skipped_reason IS NULL",
    )
    .await
}

/// The routing invariant: every signal is decided (venue not MULTI, or a
/// skip reason) if and only if it has a history row, no signal has two, and
/// every history row agrees with its signal (routed ⇔ venue set to the
/// selected venue; skipped ⇔ reason set, venue still MULTI). Returns the
/// number of decided signals.
pub async fn assert_decided_iff_history(client: &Client) -> Result<i64> {
    let duplicates = count(
        client,
        "SELECT count(*) FROM (SELECT signal_id FROM venue_routing_history
                               GROUP BY signal_id HAVING count(*) > 1) AS d",
    )
    .await?;
    ensure!(
        duplicates == 0,
        "{duplicates} signals have several history rows"
    );
    let decided_without_history = count(
        client,
        "SELECT count(*) FROM signals s
         WHERE (s.venue <> 'MULTI' OR s.skipped_reason IS NOT NULL)
           AND NOT EXISTS (SELECT 1 FROM venue_routing_history h WHERE h.signal_id = s.id)",
    )
    .await?;
    ensure!(
        decided_without_history == 0,
        "{decided_without_history} signals were decided without a history row"
    );
    let history_without_decision = count(
        client,
        "SELECT count(*) FROM venue_routing_history h JOIN signals s ON s.id = h.signal_id
         WHERE s.venue = 'MULTI' AND s.skipped_reason IS NULL",
    )
    .await?;
    ensure!(
        history_without_decision == 0,
        "{history_without_decision} history rows belong to signals still pending"
    );
    let disagreeing = count(
        client,
        "SELECT count(*) FROM venue_routing_history h JOIN signals s ON s.id = h.signal_id
         WHERE NOT CASE h.outcome
                   WHEN 'ROUTED' THEN h.selected_venue IS NOT NULL
                                  AND s.venue = h.selected_venue
                                  AND s.skipped_reason IS NULL
                   WHEN 'SKIPPED' THEN h.selected_venue IS NULL
                                   AND s.venue = 'MULTI'
                                   AND s.skipped_reason IS NOT NULL
                   ELSE false
               END",
    )
    .await?;
    ensure!(
        disagreeing == 0,
        "{disagreeing} history rows disagree with their signal"
    );
    count(
        client,
        "SELECT count(*) FROM signals WHERE venue <> 'MULTI' OR skipped_reason IS NOT NULL",
    )
    .await
}

/// Sums of `routing_runs` counters over every run.
pub async fn run_sums(client: &Client) -> Result<(i64, i64, i64)> {
    let row = client
        .query_one(
            "SELECT coalesce(sum(claimed), 0)::bigint, coalesce(sum(routed), 0)::bigint,
                    coalesce(sum(skipped), 0)::bigint
             FROM routing_runs",
            &[],
        )
        .await?;
    Ok((row.get(0), row.get(1), row.get(2)))
}

/// History counts: (all, routed, skipped).
pub async fn history_counts(client: &Client) -> Result<(i64, i64, i64)> {
    let row = client
        .query_one(
            "SELECT count(*), count(*) FILTER (WHERE outcome = 'ROUTED'),
                    count(*) FILTER (WHERE outcome = 'SKIPPED')
             FROM venue_routing_history",
            &[],
        )
        .await?;
    Ok((row.get(0), row.get(1), row.get(2)))
}

/// Waits until `pred` holds, polling every 20 ms, for at most `limit`.
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
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every `routing_runs` row's counters equal the history rows of its run:
/// claimed, routed, skipped, routed per venue and skipped per reason code.
pub async fn assert_runs_match_history(client: &Client) -> Result<()> {
    let bad: Vec<String> = client
        .query(
            "WITH h AS (
                 SELECT h.run_id, h.outcome, h.selected_venue::text AS venue,
                        split_part(s.skipped_reason, ':', 1) AS code
                 FROM venue_routing_history h JOIN signals s ON s.id = h.signal_id
             )
             SELECT to_jsonb(r)::text
             FROM routing_runs r
             WHERE r.claimed <> (SELECT count(*) FROM h WHERE h.run_id = r.id)
                OR r.routed <> (SELECT count(*) FROM h WHERE h.run_id = r.id AND h.outcome = 'ROUTED')
                OR r.skipped <> (SELECT count(*) FROM h WHERE h.run_id = r.id AND h.outcome = 'SKIPPED')
                OR r.routed_by_venue <> coalesce((
                       SELECT jsonb_object_agg(x.venue, x.n) FROM (
                           SELECT venue, count(*) AS n FROM h
                           WHERE h.run_id = r.id AND h.outcome = 'ROUTED' GROUP BY venue) x),
                       '{}'::jsonb)
                OR r.skipped_by_reason <> coalesce((
                       SELECT jsonb_object_agg(x.code, x.n) FROM (
                           SELECT code, count(*) AS n FROM h
                           WHERE h.run_id = r.id AND h.outcome = 'SKIPPED' GROUP BY code) x),
                       '{}'::jsonb)",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    ensure!(
        bad.is_empty(),
        "runs whose counters differ from their history: {bad:?}"
    );
    let orphans = count(
        client,
        "SELECT count(*) FROM venue_routing_history h
         WHERE NOT EXISTS (SELECT 1 FROM routing_runs r WHERE r.id = h.run_id)",
    )
    .await?;
    ensure!(orphans == 0, "{orphans} history rows belong to no run");
    Ok(())
}

/// `url` with `application_name=name`, to find the process's backends.
pub fn with_application_name(url: &str, name: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}application_name={name}")
}

/// Backends of application `name` in database `db` (other than the caller's).
pub async fn backends(client: &Client, db: &str, name: &str) -> Result<i64> {
    Ok(client
        .query_one(
            "SELECT count(*) FROM pg_stat_activity
             WHERE datname = $1 AND application_name = $2 AND pid <> pg_backend_pid()",
            &[&db, &name],
        )
        .await?
        .get(0))
}

/// `url` (a test URL `postgres://user@host:port/db…` or with a password)
/// with its user and password replaced.
pub fn with_userinfo(url: &str, user: &str, password: Option<&str>) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let rest = match rest.split_once('@') {
        Some((_, after)) => after,
        None => rest,
    };
    match password {
        Some(p) => format!("{scheme}://{user}:{p}@{rest}"),
        None => format!("{scheme}://{user}@{rest}"),
    }
}

/// The user of a test URL.
pub fn user_of(url: &str) -> String {
    url.split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .map(|(userinfo, _)| userinfo.split(':').next().unwrap_or_default().to_owned())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "postgres".to_owned())
}
