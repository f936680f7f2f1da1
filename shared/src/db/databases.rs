//! Databases as a whole: whether one exists, creating one (empty or from a
//! template), dropping and renaming. These statements take no parameters and
//! cannot run inside a transaction, so each is built by PostgreSQL itself
//! (`format('… %I', name)` in `sql/databases/*.sql`, which quotes the names)
//! and then run as a simple query.
//!
//! Errors are returned as they are, so callers can match SQLSTATEs (a
//! concurrent creator's `duplicate_database`, a template still in use).

use super::typed::{self, Param};
use tokio_postgres::{Client, GenericClient};

/// Whether database `name` exists.
pub async fn exists<C: GenericClient>(
    client: &C,
    name: &str,
) -> Result<bool, tokio_postgres::Error> {
    let row = typed::query_one(client, sql!("databases/exists.sql"), &[&name]).await?;
    row.try_get("exists")
}

/// Names of the databases matching the `LIKE` pattern.
pub async fn names_like<C: GenericClient>(
    client: &C,
    pattern: &str,
) -> Result<Vec<String>, tokio_postgres::Error> {
    typed::query(client, sql!("databases/names_like.sql"), &[&pattern])
        .await?
        .iter()
        .map(|r| r.try_get("name"))
        .collect()
}

/// Creates an empty database `name`.
pub async fn create(client: &Client, name: &str) -> Result<(), tokio_postgres::Error> {
    run_built(client, sql!("databases/create_statement.sql"), &[&name]).await
}

/// Creates database `name` as a copy of `template`.
pub async fn create_from_template(
    client: &Client,
    name: &str,
    template: &str,
) -> Result<(), tokio_postgres::Error> {
    run_built(
        client,
        sql!("databases/create_from_template_statement.sql"),
        &[&name, &template],
    )
    .await
}

/// Drops database `name` if it exists, closing its connections.
pub async fn drop_if_exists(client: &Client, name: &str) -> Result<(), tokio_postgres::Error> {
    run_built(client, sql!("databases/drop_statement.sql"), &[&name]).await
}

/// Renames database `from` to `to`.
pub async fn rename(client: &Client, from: &str, to: &str) -> Result<(), tokio_postgres::Error> {
    run_built(
        client,
        sql!("databases/rename_statement.sql"),
        &[&from, &to],
    )
    .await
}

/// Asks PostgreSQL for the statement (`builder` returns one `statement`
/// column), then runs it as a simple query.
async fn run_built(
    client: &Client,
    builder: &str,
    params: &[&dyn Param],
) -> Result<(), tokio_postgres::Error> {
    let statement: String = typed::query_one(client, builder, params)
        .await?
        .try_get("statement")?;
    client.batch_execute(&statement).await
}
