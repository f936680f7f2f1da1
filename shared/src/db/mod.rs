//! Database access: connecting, the schema, and one module per `sql/` area.
//! Every statement lives in `sql/` and is loaded with `include_str!`.

pub mod config;
pub mod connect;
pub mod demo;
pub mod markets;
pub mod routing;
pub mod schema;
pub mod stats;

pub use connect::{DatabaseUrl, TlsMode, describe_pg_error};
