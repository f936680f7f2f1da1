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
pub(crate) async fn admin() -> Result<Client> {
    DatabaseUrl::parse(&url_for_database("postgres"))?
        .connect()
        .await
}

/// The single `bigint` that `sql` returns.
pub(crate) async fn count(client: &Client, sql: &str) -> Result<i64> {
    Ok(client.query_one(sql, &[]).await?.get(0))
}

/// Whether database `name` exists on the server `client` is connected to.
pub(crate) async fn database_exists(client: &Client, name: &str) -> Result<bool> {
    Ok(client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)",
            &[&name],
        )
        .await?
        .get(0))
}

/// Every row of a table (with an `id` column) as JSON, in id order.
pub(crate) async fn dump_rows(client: &Client, table: &str) -> Result<Vec<Value>> {
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
pub(crate) fn with_application_name(url: &str, name: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}application_name={name}")
}

/// Backends of application `name` in database `db` (other than the caller's).
pub(crate) async fn backends(client: &Client, db: &str, name: &str) -> Result<i64> {
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
pub(crate) fn with_userinfo(url: &str, user: &str, password: Option<&str>) -> String {
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
pub(crate) fn user_of(url: &str) -> String {
    url.split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .map(|(userinfo, _)| userinfo.split(':').next().unwrap_or_default().to_owned())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "postgres".to_owned())
}

/// The whole database as text, to compare before and after: the catalog
/// (every relation, column, constraint, index, view, type, enum label and
/// function outside PostgreSQL's own schemas) and every row of every table,
/// and every sequence's position. "Unchanged" means this is equal.
pub(crate) async fn full_dump(client: &Client) -> Result<Vec<String>> {
    const CATALOG: &str = "
        WITH ns AS (
            SELECT oid, nspname FROM pg_namespace
            WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%'
        )
        SELECT line FROM (
            SELECT format('relation %s.%s %s', ns.nspname, c.relname, c.relkind) AS line
            FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
            UNION ALL
            SELECT format('column %s.%s.%s %s notnull=%s default=%s', ns.nspname, c.relname,
                          a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                          pg_get_expr(d.adbin, d.adrelid))
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN ns ON ns.oid = c.relnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attnum > 0 AND NOT a.attisdropped
            UNION ALL
            SELECT format('constraint %s.%s %s', ns.nspname, co.conname, pg_get_constraintdef(co.oid))
            FROM pg_constraint co JOIN ns ON ns.oid = co.connamespace
            UNION ALL
            SELECT format('index %s', pg_get_indexdef(i.indexrelid))
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN ns ON ns.oid = c.relnamespace
            UNION ALL
            SELECT format('view %s.%s %s', ns.nspname, c.relname, pg_get_viewdef(c.oid))
            FROM pg_class c JOIN ns ON ns.oid = c.relnamespace WHERE c.relkind IN ('v', 'm')
            UNION ALL
            SELECT format('type %s.%s %s', ns.nspname, t.typname, t.typtype)
            FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
            UNION ALL
            SELECT format('enum %s %s %s', t.typname, e.enumsortorder, e.enumlabel)
            FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
            UNION ALL
            SELECT format('function %s.%s(%s)', ns.nspname, p.proname, pg_get_function_arguments(p.oid))
            FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
        ) AS all_lines
        ORDER BY line";
    let mut out: Vec<String> = client
        .query(CATALOG, &[])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let relations: Vec<(String, String, String)> = client
        .query(
            "SELECT quote_ident(n.nspname), quote_ident(c.relname), c.relkind::text
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p', 'S')
               AND n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND n.nspname NOT LIKE 'pg\\_%'
             ORDER BY 1, 2",
            &[],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    for (schema, table, kind) in relations {
        let sql = if kind == "S" {
            format!("SELECT to_jsonb(s)::text FROM {schema}.{table} AS s")
        } else {
            format!("SELECT to_jsonb(t)::text AS row FROM {schema}.{table} AS t ORDER BY 1")
        };
        for row in client.query(&sql, &[]).await? {
            out.push(format!("{schema}.{table} {}", row.get::<_, String>(0)));
        }
    }
    Ok(out)
}
