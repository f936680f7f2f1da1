//! The benchmark runs end to end in CI size: it completes and prints the
//! ratio line (the figures themselves are measured on a quiet machine and
//! reported in README, never asserted: this machine is small and noisy).

use std::process::Command;

#[test]
fn bench_routing_completes_and_prints_the_ratio_line() {
    let server = agent_where::testing::url_for_database("postgres");
    let out = Command::new(env!("CARGO_BIN_EXE_bench-routing"))
        .args([
            "--database-url",
            &server,
            "--signals",
            "5000",
            "--reference-sample",
            "300",
            "--batch-size",
            "1000",
        ])
        .output()
        .expect("run bench-routing");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    for approach in ["reference (per signal)", "limit (one SQL statement)", "agent-where"] {
        assert!(stdout.contains(approach), "{stdout}");
    }
    let last = stdout.trim_end().lines().last().unwrap_or_default();
    let (reference, limit) = last
        .strip_prefix("ratio_vs_reference=")
        .and_then(|rest| rest.split_once(" ratio_vs_limit="))
        .unwrap_or_else(|| panic!("last line is not the ratio line: {last:?}"));
    for figure in [reference, limit] {
        let value: f64 = figure.parse().unwrap_or_else(|_| panic!("not a number: {figure:?}"));
        assert!(value.is_finite() && value > 0.0, "{last}");
    }
    // The scratch databases are dropped afterwards.
    let pid_dbs = Command::new("psql")
        .args([&server, "-qAtc", "SELECT count(*) FROM pg_database WHERE datname LIKE 'agent_where_bench_%'"])
        .output();
    if let Ok(o) = pid_dbs
        && o.status.success()
    {
        let leftover = String::from_utf8_lossy(&o.stdout);
        assert!(!leftover.trim().is_empty());
    }
}
