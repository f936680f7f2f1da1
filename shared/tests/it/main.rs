//! The integration tests of the library against a real PostgreSQL, in one
//! test crate: one module per area, each test on a fresh database of its own
//! (`agent_where::testing::TestDb`). One crate links once, and the harness
//! schedules every test of every area together.

mod config;
mod cost_model;
mod demo;
mod markets_apply;
mod replan;
mod routing;
mod sql_rules;
mod stats;
