//! Database access: connecting, the schema, and one module per `sql/` area.
//! Every statement lives in `sql/` and is loaded with `sql!`; the only
//! SQL text built at run time is a handful of database-level statements
//! (`CREATE DATABASE`, `DROP DATABASE`) whose identifiers PostgreSQL itself
//! quotes (`sql/databases/*.sql` return the statement, `format('%I')`).
//! Nothing outside this module sends SQL.
//!
//! Every database error is reported through [`DbContext`]: one line saying
//! what failed, then the server's message and SQLSTATE (or that the
//! connection was lost).

/// The text of a statement file under `sql/`, embedded at compile time:
/// `sql!("routing/heartbeat.sql")` is `sql/routing/heartbeat.sql`. Defined
/// before the submodules, so each of them may call it without an import.
macro_rules! sql {
    ($path:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../sql/", $path))
    };
}

pub mod bench;
pub mod config;
pub mod connect;
pub mod databases;
pub mod demo;
pub mod host;
pub mod locks;
pub mod markets;
pub mod routing;
pub mod schema;
pub mod setup;
pub mod stats;
pub mod typed;

use std::fmt::Display;

pub use connect::{DatabaseUrl, Pooler, TlsMode, describe_pg_error, redact_secrets};

/// Adds what failed to a database error: `cannot X: <message> (<SQLSTATE>)`,
/// or `cannot X: the database connection was lost (<cause>)`.
pub trait DbContext<T> {
    /// `what` says what failed (`cannot read the routing configuration`).
    fn db_context<W: Display>(self, what: W) -> anyhow::Result<T>;

    /// [`DbContext::db_context`] with `what` built only on error.
    fn with_db_context<W: Display, F: FnOnce() -> W>(self, what: F) -> anyhow::Result<T>;
}

impl<T> DbContext<T> for Result<T, tokio_postgres::Error> {
    fn db_context<W: Display>(self, what: W) -> anyhow::Result<T> {
        self.map_err(|e| db_error(&what, &e))
    }

    fn with_db_context<W: Display, F: FnOnce() -> W>(self, what: F) -> anyhow::Result<T> {
        self.map_err(|e| db_error(&what(), &e))
    }
}

impl<T> DbContext<T> for Result<T, deadpool_postgres::PoolError> {
    fn db_context<W: Display>(self, what: W) -> anyhow::Result<T> {
        self.map_err(|e| pool_error(&what, &e))
    }

    fn with_db_context<W: Display, F: FnOnce() -> W>(self, what: F) -> anyhow::Result<T> {
        self.map_err(|e| pool_error(&what(), &e))
    }
}

/// Starts the read-only, repeatable-read transaction a report or a dry run
/// reads in: every query of it sees the same data and the same `now()`.
pub async fn read_snapshot(
    client: &mut tokio_postgres::Client,
) -> anyhow::Result<tokio_postgres::Transaction<'_>> {
    client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .db_context("cannot start a read-only transaction")
}

pub(crate) fn db_error(what: &dyn Display, e: &tokio_postgres::Error) -> anyhow::Error {
    if e.is_closed() {
        anyhow::anyhow!(
            "{what}: the database connection was lost ({})",
            describe_pg_error(e)
        )
    } else {
        anyhow::anyhow!("{what}: {}", describe_pg_error(e))
    }
}

/// Whether `e` (an error of this module's [`DbContext`]) says the database
/// connection itself ended (closed, or terminated by the server: SQLSTATE
/// class 57P, e.g. `pg_terminate_backend`, a restart), as opposed to a
/// statement failing on a live connection. A following router reconnects on
/// these.
#[must_use]
pub fn is_connection_lost(e: &anyhow::Error) -> bool {
    let text = format!("{e:#}");
    text.contains("the database connection was lost")
        || text.contains("57P01")
        || text.contains("57P02")
        || text.contains("57P03")
        || text.contains("terminating connection")
        || text.contains("connection closed")
        || text.contains("error communicating with the server")
}

fn pool_error(what: &dyn Display, e: &deadpool_postgres::PoolError) -> anyhow::Error {
    match e {
        deadpool_postgres::PoolError::Backend(e) => db_error(what, e),
        deadpool_postgres::PoolError::Timeout(deadpool_postgres::TimeoutType::Wait) => {
            anyhow::anyhow!(
                "{what}: no free connection in this tool's pool within {} s: report this as a bug",
                connect::POOL_WAIT_TIMEOUT.as_secs()
            )
        }
        other => anyhow::anyhow!("{what}: {other}"),
    }
}
