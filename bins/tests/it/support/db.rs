//! Database helpers several areas use: a connection to the test server
//! itself, one-number queries, whole-table dumps, and test URLs edited to
//! log in as another role or to mark a process's connections.
//! Each test's own database is an [`agent_where::testing::TestDb`].

use agent_where::db::DatabaseUrl;
use agent_where::testing::url_for_database;
use anyhow::Result;
use serde_json::Value;
use tokio_postgres::Client;

/// A connection to the test server's `postgres` database (to create, list
/// and drop databases and roles).
pub async fn admin() -> Result<Client> {
    DatabaseUrl::parse(&url_for_database("postgres"))?
        .connect()
        .await
}

/// The single `bigint` that `sql` returns.
pub async fn count(client: &Client, sql: &str) -> Result<i64> {
    Ok(client.query_one(sql, &[]).await?.get(0))
}

/// Whether database `name` exists on the server `client` is connected to.
pub async fn database_exists(client: &Client, name: &str) -> Result<bool> {
    Ok(client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)",
            &[&name],
        )
        .await?
        .get(0))
}

/// Every row of a table (with an `id` column) as JSON, in id order.
pub async fn dump_rows(client: &Client, table: &str) -> Result<Vec<Value>> {
    Ok(client
        .query(
            &format!("SELECT to_jsonb(t) FROM {table} AS t ORDER BY id"),
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
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
