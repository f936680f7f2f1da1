//! The integration tests of the command-line tools, in one test crate: one
//! module per area (a binary, or a promise such as reliability or secrets),
//! and `support` for what the areas share (running a binary against a test
//! database, the recorded venues, common queries and assertions), written
//! once. One crate links once, and the harness schedules every test of every
//! area together.

mod support;

mod bench_routing;
mod broken_pipe;
mod cost_routing;
mod csv_injection;
mod demo_database;
mod executor_symbol;
mod follow;
mod least_privilege;
mod libpq_env;
mod logging;
mod maxxit;
mod pipeline;
mod pooler;
mod prisma;
mod readme;
mod reliability;
mod route_pending_signals;
mod routing_config;
mod routing_stats;
mod secrets;
mod setup;
mod stale_runs;
mod sync_hyperliquid;
mod sync_ostium;
mod sync_venues;
mod tls;
mod venue_hostile;
