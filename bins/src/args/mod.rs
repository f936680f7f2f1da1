//! Flag groups, each defined once and resolved once.
//!
//! Every group is a clap struct flattened into the binaries that take it, and
//! each has one function that checks it and turns it into the options a job
//! takes (`resolve`, the LowArgs → HiArgs step of ripgrep). Jobs take those
//! options, never another job's flags, so `run-pipeline` builds exactly what
//! the single-purpose tools build, with the same checks.
//!
//! - [`database`] sets `--database-url` → a parsed [`agent_where::db::DatabaseUrl`];
//! - [`logging`] sets `-q`, `-v`, `--log-format`;
//! - [`output`] sets `--format`;
//! - [`batch`] sets `--batch-size`, `--workers`;
//! - [`routing`] sets `--max-market-age`, `--max-signal-age`, `--include-hip3`;
//! - [`host`] sets `--no-executor-marks`, `--no-agent-routing-history` (Maxxit's schema);
//! - [`http`] sets venue request timeouts and retries;
//! - [`venues`] sets each venue's endpoints, options and file flags, from the
//!   registry of venues (unprefixed in `sync-<venue>-markets`, prefixed with
//!   the venue key in `run-pipeline`), and `--testnet`;
//! - [`lock`] sets `--lock-timeout`, the longest wait for another run's lock;
//! - [`duration`] sets the one duration grammar every age and window flag uses.

pub mod batch;
pub mod database;
pub mod duration;
pub mod host;
pub mod http;
pub mod lock;
pub mod logging;
pub mod output;
pub mod routing;
pub mod venues;
