//! `bench-routing`: routing throughput against the per-signal approach and
//! PostgreSQL's own limit, measured in one run.

use std::process::ExitCode;

use agent_where_cli::cli::{self, CommonArgs};
use agent_where_cli::jobs::bench::{self, BenchOptions};
use agent_where_cli::output::Format;
use clap::Parser;

/// Benchmark routing on a scratch database: prepares a copy per approach
/// (schema, recorded markets, N pending MULTI signals over the demo token mix)
/// and measures (1) a per-signal router as the original worked, on a sample,
/// (2) one set-based SQL statement doing the whole job (the floor), and (3)
/// the real route-pending-signals code path. Prints a table and the line
/// `ratio_vs_reference=<x> ratio_vs_limit=<y>`. `--database-url` names the
/// server; the scratch databases are created on it and dropped afterwards.
#[derive(Debug, Parser)]
#[command(name = "bench-routing", version, after_help = AFTER_HELP)]
struct Args {
    /// Pending signals to route.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(i64).range(1..=10_000_000))]
    signals: i64,
    /// Signals the per-signal reference routes (its cost per signal is constant).
    #[arg(long, default_value_t = 5_000, value_parser = clap::value_parser!(i64).range(1..))]
    reference_sample: i64,
    /// Batch size of agent-where (as route-pending-signals --batch-size).
    #[arg(long, env = "AGENT_WHERE_BATCH_SIZE", default_value_t = 5_000)]
    batch_size: usize,
    /// Parallel batches of agent-where (as route-pending-signals --workers).
    #[arg(long, env = "AGENT_WHERE_WORKERS", default_value_t = 1)]
    workers: usize,
    /// Keep the scratch databases (`agent_where_bench_<pid>*`) for inspection.
    #[arg(long)]
    keep: bool,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    common: CommonArgs,
}

const AFTER_HELP: &str = concat!(
    "Examples:
  cargo run --release --bin bench-routing -- --signals 100000
  bench-routing --signals 1000000 --reference-sample 5000 --workers 2
  bench-routing --signals 5000 --format json

",
    agent_where_cli::exit_codes_help!()
);

fn main() -> ExitCode {
    let args = Args::parse();
    let options = BenchOptions {
        signals: args.signals,
        reference_sample: args.reference_sample,
        batch_size: args.batch_size,
        workers: args.workers,
        keep: args.keep,
        format: args.format,
    };
    cli::run("bench-routing", &args.common, || {
        bench::run(&args.common, &options)
    })
}
