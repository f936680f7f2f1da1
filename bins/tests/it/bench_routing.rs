//! The benchmark runs end to end in CI size: it completes and prints the
//! ratio line (the figures themselves are measured on a quiet machine and
//! reported in README, never asserted: this machine is small and noisy).

use anyhow::Result;

use crate::support::bin::Bin;
use crate::support::db::admin;

#[tokio::test]
async fn bench_routing_completes_and_prints_the_ratio_line() -> Result<()> {
    let server = agent_where::testing::url_for_database("postgres");
    let out = Bin::new("bench-routing")
        .database(&server)
        .args([
            "--signals",
            "5000",
            "--reference-sample",
            "300",
            "--batch-size",
            "1000",
        ])
        .run()
        .await?;
    let (stdout, stderr) = (&out.stdout, &out.stderr);
    assert_eq!(out.code, Some(0), "{stdout}{stderr}");
    for approach in [
        "reference (per signal)",
        "limit (one SQL statement)",
        "agent-where",
    ] {
        assert!(stdout.contains(approach), "{stdout}");
    }
    let last = stdout.trim_end().lines().last().unwrap_or_default();
    let (reference, limit) = last
        .strip_prefix("ratio_vs_reference=")
        .and_then(|rest| rest.split_once(" ratio_vs_limit="))
        .unwrap_or_else(|| panic!("last line is not the ratio line: {last:?}"));
    for figure in [reference, limit] {
        let value: f64 = figure
            .parse()
            .unwrap_or_else(|_| panic!("not a number: {figure:?}"));
        assert!(value.is_finite() && value > 0.0, "{last}");
    }
    // The scratch databases are dropped afterwards.
    let base = stderr
        .split("database=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no scratch database named in the log: {stderr}"));
    assert!(base.starts_with("agent_where_bench_"), "{base}");
    let left: i64 = admin()
        .await?
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname LIKE $1 || '%'",
            &[&base],
        )
        .await?
        .get(0);
    assert_eq!(left, 0, "scratch databases of {base} left behind");
    Ok(())
}
