//! `setup-agent-where` against the real PostgreSQL: empty databases,
//! Maxxit-shaped databases (every row survives), idempotence, concurrency,
//! `--check`, the install order on a Prisma host, and every `sql/` file
//! preparing against the migrated schema.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use agent_where::db::schema;
use agent_where::testing::{TestDb, sql_dir, sql_files};
use agent_where_cli::jobs::setup::REQUIRED_TABLES;
use anyhow::Result;
use serde_json::Value;
use tokio_postgres::Client;

use crate::support::bin::{Bin, Output};
use crate::support::db::{database_exists, dump_rows};

const SETUP: &str = "setup-agent-where";
const MAXXIT_SCHEMA: &str = include_str!("../../../shared/tests/fixtures/maxxit_schema.sql");
const MAXXIT_ROUTING: &str = include_str!("../../../shared/tests/fixtures/maxxit_routing.sql");
const MAXXIT_2026: &str = include_str!("../../../shared/tests/fixtures/maxxit_2026.sql");

/// Tables of the Maxxit fixture (all have a uuid `id`).
const MAXXIT_TABLES: [&str; 6] = [
    "agents",
    "agent_deployments",
    "signals",
    "positions",
    "venue_markets",
    "venues_status",
];

/// Binary `name` with `args` and `--database-url url`, logging warnings only.
async fn run(name: &str, url: &str, args: &[&str]) -> Result<Output> {
    Bin::new(name)
        .args(args)
        .database(url)
        .env("RUST_LOG", "warn")
        .timeout(Duration::from_secs(120))
        .run()
        .await
}

async fn setup(db: &TestDb, args: &[&str]) -> Result<Output> {
    run(SETUP, db.url(), args).await
}

/// Column definitions of a table: name → (type, nullable, default).
async fn dump_columns(client: &Client, table: &str) -> Result<BTreeMap<String, String>> {
    Ok(client
        .query(
            "SELECT column_name::text, format('%s %s %s', udt_name, is_nullable, column_default) \
             FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
            &[&table],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
}

/// The whole public schema from the catalog: columns, indexes, constraints, enums.
async fn dump_schema(client: &Client) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for sql in [
        "SELECT format('column %s.%s %s %s %s %s', table_name, column_name, ordinal_position, udt_name, is_nullable, column_default) \
         FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1",
        "SELECT format('index %s %s', indexname, indexdef) FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1",
        "SELECT format('constraint %s.%s %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) \
         FROM pg_constraint AS c JOIN pg_namespace AS n ON n.oid = c.connamespace WHERE n.nspname = 'public' ORDER BY 1",
        "SELECT format('enum %s %s %s', t.typname, e.enumsortorder, e.enumlabel) FROM pg_enum AS e \
         JOIN pg_type AS t ON t.oid = e.enumtypid ORDER BY 1",
    ] {
        for row in client.query(sql, &[]).await? {
            out.push(row.get::<_, String>(0));
        }
    }
    Ok(out)
}

async fn venue_labels(client: &Client) -> Result<Vec<String>> {
    Ok(client
        .query(
            "SELECT enumlabel::text FROM pg_enum WHERE enumtypid = 'venue_t'::regtype ORDER BY enumsortorder",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

async fn table_exists(client: &Client, table: &str) -> Result<bool> {
    Ok(client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])
        .await?
        .get(0))
}

async fn global_rows(client: &Client) -> Result<Vec<Value>> {
    Ok(client
        .query(
            "SELECT jsonb_build_object('venue_priority', venue_priority, 'routing_strategy', routing_strategy, \
             'failover_enabled', failover_enabled) FROM venue_routing_config WHERE agent_id IS NULL",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

fn default_global() -> Value {
    serde_json::json!({
        "venue_priority": ["HYPERLIQUID", "OSTIUM"],
        "routing_strategy": "FIRST_AVAILABLE",
        "failover_enabled": true,
    })
}

/// Asserts that every row and column that existed before is unchanged after;
/// columns added since must be NULL in those rows.
fn assert_rows_preserved(table: &str, before: &[Value], after: &[Value]) {
    assert_eq!(before.len(), after.len(), "{table}: row count changed");
    for (old, new) in before.iter().zip(after) {
        let (Some(old), Some(new)) = (old.as_object(), new.as_object()) else {
            panic!("{table}: rows are not objects");
        };
        for (column, value) in old {
            assert_eq!(new.get(column), Some(value), "{table}.{column} changed");
        }
        for (column, value) in new {
            if !old.contains_key(column) {
                assert!(value.is_null(), "{table}.{column}: new column not NULL");
            }
        }
    }
}

#[tokio::test]
async fn empty_database_gets_the_whole_schema_and_the_default_global_config() -> Result<()> {
    let db = TestDb::empty().await?;
    let first = setup(&db, &[]).await?;
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    assert!(
        first.stdout.contains("changes: applied V1__"),
        "{}",
        first.stdout
    );
    assert!(first.stdout.contains("created the global routing config"));
    let client = db.client().await?;
    assert_eq!(
        venue_labels(&client).await?,
        // The enum's labels in the order of the registry's `Venue::ALL`
        // (SPOT … MULTI, then AEVO and LIGHTER from V8), which per-venue
        // arrays rely on.
        agent_where::domain::Venue::ALL.map(agent_where::domain::Venue::as_str)
    );
    for table in REQUIRED_TABLES {
        assert!(table_exists(&client, table).await?, "table {table} missing");
    }
    assert_eq!(global_rows(&client).await?, vec![default_global()]);
    let versions: i64 = client
        .query_one(
            &format!("SELECT count(*) FROM {}", schema::HISTORY_TABLE),
            &[],
        )
        .await?
        .get(0);
    assert_eq!(
        versions,
        i64::try_from(schema::embedded_migrations().len())?
    );
    Ok(())
}

#[tokio::test]
async fn second_run_changes_nothing_and_says_so() -> Result<()> {
    let db = TestDb::empty().await?;
    assert_eq!(setup(&db, &[]).await?.code, Some(0));
    let client = db.client().await?;
    let schema_before = dump_schema(&client).await?;
    let config_before = dump_rows(&client, "venue_routing_config").await?;
    let second = setup(&db, &[]).await?;
    assert_eq!(second.code, Some(0), "{}", second.stderr);
    assert!(
        second.stdout.contains("no changes: already up to date"),
        "{}",
        second.stdout
    );
    assert_eq!(dump_schema(&client).await?, schema_before);
    assert_eq!(
        dump_rows(&client, "venue_routing_config").await?,
        config_before
    );
    Ok(())
}

#[tokio::test]
async fn maxxit_database_keeps_every_row_and_column() -> Result<()> {
    let db = TestDb::empty().await?;
    let client = db.client().await?;
    client.batch_execute(MAXXIT_SCHEMA).await?;
    let mut rows_before = BTreeMap::new();
    let mut columns_before = BTreeMap::new();
    for table in MAXXIT_TABLES {
        let rows = dump_rows(&client, table).await?;
        assert!(!rows.is_empty(), "fixture table {table} has no rows");
        rows_before.insert(table, rows);
        columns_before.insert(table, dump_columns(&client, table).await?);
    }
    assert!(!venue_labels(&client).await?.contains(&"MULTI".to_owned()));

    let run = setup(&db, &[]).await?;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    for table in MAXXIT_TABLES {
        assert_rows_preserved(
            table,
            &rows_before[table],
            &dump_rows(&client, table).await?,
        );
        let after = dump_columns(&client, table).await?;
        for (column, definition) in &columns_before[table] {
            assert_eq!(
                after.get(column),
                Some(definition),
                "{table}.{column} redefined"
            );
        }
    }
    assert_eq!(
        venue_labels(&client).await?,
        // The enum's labels in the order of the registry's `Venue::ALL`
        // (SPOT … MULTI, then AEVO and LIGHTER from V8), which per-venue
        // arrays rely on.
        agent_where::domain::Venue::ALL.map(agent_where::domain::Venue::as_str)
    );
    for table in REQUIRED_TABLES {
        assert!(table_exists(&client, table).await?, "table {table} missing");
    }
    assert_eq!(global_rows(&client).await?, vec![default_global()]);
    // The Maxxit unique *index* (not a constraint) is kept, not duplicated.
    let indexes: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'venue_markets' \
             AND indexdef LIKE 'CREATE UNIQUE INDEX%(venue, token_symbol)'",
            &[],
        )
        .await?
        .get(0);
    assert_eq!(indexes, 1);
    let again = setup(&db, &[]).await?;
    assert!(again.stdout.contains("no changes"), "{}", again.stdout);
    Ok(())
}

async fn maxxit_with_routing(db: &TestDb) -> Result<Client> {
    let client = db.client().await?;
    client.batch_execute(MAXXIT_SCHEMA).await?;
    // The original added MULTI with its tables; it must be committed before use.
    client
        .batch_execute("ALTER TYPE venue_t ADD VALUE 'MULTI'")
        .await?;
    client.batch_execute(MAXXIT_ROUTING).await?;
    Ok(client)
}

#[tokio::test]
async fn maxxit_database_with_routing_tables_keeps_rows_and_the_users_global_config() -> Result<()>
{
    let db = TestDb::empty().await?;
    let client = maxxit_with_routing(&db).await?;
    let tables = ["venue_routing_config", "venue_routing_history", "agents"];
    let mut before = BTreeMap::new();
    for table in tables {
        before.insert(table, dump_rows(&client, table).await?);
    }
    let run = setup(&db, &[]).await?;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(!run.stdout.contains("created the global routing config"));
    for table in tables {
        assert_rows_preserved(table, &before[table], &dump_rows(&client, table).await?);
    }
    let nullable: String = client
        .query_one(
            "SELECT is_nullable::text FROM information_schema.columns \
             WHERE table_name = 'venue_routing_history' AND column_name = 'selected_venue'",
            &[],
        )
        .await?
        .get(0);
    // Maxxit's model declares it NOT NULL; migration 2 relaxed it and
    // migration 7 restores it (a skip records MULTI, the venue asked for).
    assert_eq!(nullable, "NO");
    assert_eq!(
        global_rows(&client).await?,
        vec![serde_json::json!({
            "venue_priority": ["OSTIUM", "HYPERLIQUID"],
            "routing_strategy": "LOWEST_FEES",
            "failover_enabled": false,
        })]
    );
    // routing-config upserts through the Prisma unique index (not a constraint).
    let set = run_routing_config(
        &db,
        &[
            "set",
            "--agent",
            "12121212-1212-4121-8121-121212121212",
            "--priority",
            "OSTIUM",
        ],
    )
    .await?;
    assert_eq!(set.code, Some(0), "{}", set.stderr);
    assert!(set.stdout.starts_with("updated "), "{}", set.stdout);
    let row: Value = client
        .query_one(
            "SELECT jsonb_build_object('id', id, 'p', venue_priority) FROM venue_routing_config \
             WHERE agent_id = '12121212-1212-4121-8121-121212121212'",
            &[],
        )
        .await?
        .get(0);
    assert_eq!(
        row,
        serde_json::json!({"id": "e0000000-0000-4000-8000-000000000002", "p": ["OSTIUM"]})
    );
    Ok(())
}

async fn run_routing_config(db: &TestDb, args: &[&str]) -> Result<Output> {
    run("routing-config", db.url(), args).await
}

#[tokio::test]
async fn two_global_rows_stop_setup_before_any_change() -> Result<()> {
    let db = TestDb::empty().await?;
    let client = maxxit_with_routing(&db).await?;
    client
        .batch_execute(
            "INSERT INTO venue_routing_config (agent_id, venue_priority) VALUES (NULL, '{HYPERLIQUID}')",
        )
        .await?;
    let schema_before = dump_schema(&client).await?;
    let config_before = dump_rows(&client, "venue_routing_config").await?;
    let run = setup(&db, &[]).await?;
    assert_eq!(run.code, Some(2), "{}", run.stdout);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("`venue_routing_config` holds 2 global rows (agent_id IS NULL): keep one"),
        "{}",
        run.stderr
    );
    assert_eq!(dump_schema(&client).await?, schema_before);
    assert_eq!(
        dump_rows(&client, "venue_routing_config").await?,
        config_before
    );
    assert!(!table_exists(&client, schema::HISTORY_TABLE).await?);
    Ok(())
}

#[tokio::test]
async fn four_concurrent_setups_on_a_new_database_all_succeed_and_migrate_once() -> Result<()> {
    let db = TestDb::unborn();
    let runs = futures_util::future::join_all((0..4).map(|_| setup(&db, &["-q"]))).await;
    for run in runs {
        let run = run?;
        assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    }
    let client = db.client().await?;
    let versions: Vec<i32> = client
        .query(
            &format!(
                "SELECT version FROM {} ORDER BY version",
                schema::HISTORY_TABLE
            ),
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let expected: Vec<i32> = schema::embedded_migrations()
        .iter()
        .map(|m| m.version)
        .collect();
    assert_eq!(versions, expected);
    assert_eq!(global_rows(&client).await?, vec![default_global()]);
    Ok(())
}

#[tokio::test]
async fn every_sql_file_prepares_against_the_migrated_schema() -> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    // Statements for Maxxit's schema (sql/maxxit/) prepare against it, set up.
    let maxxit_db = TestDb::empty().await?;
    let maxxit = maxxit_db.client().await?;
    maxxit.batch_execute(MAXXIT_2026).await?;
    let run = setup(&maxxit_db, &[]).await?;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let root = sql_dir();
    let files = sql_files();
    assert!(
        files.len() >= 10,
        "only {} files under {}",
        files.len(),
        root.display()
    );
    let mut bad = Vec::new();
    for file in &files {
        let (name, text) = (&file.name, &file.text);
        if !text.trim_start().starts_with("--") {
            bad.push(format!(
                "{name}: no leading `--` comment saying what it does"
            ));
        }
        let target = if name.starts_with("maxxit/") {
            &maxxit
        } else {
            &client
        };
        if let Err(e) = target.prepare(text).await {
            bad.push(format!(
                "{name}: {}",
                agent_where::db::describe_pg_error(&e)
            ));
        }
    }
    assert!(bad.is_empty(), "bad SQL files:\n{}", bad.join("\n"));
    Ok(())
}

#[tokio::test]
async fn check_passes_when_up_to_date_and_fails_without_writing_when_not() -> Result<()> {
    let ready = TestDb::empty().await?;
    assert_eq!(setup(&ready, &[]).await?.code, Some(0));
    let ok = setup(&ready, &["--check"]).await?;
    assert_eq!(ok.code, Some(0), "{}", ok.stderr);
    assert!(ok.stdout.contains("check: up to date"), "{}", ok.stdout);

    let empty = TestDb::empty().await?;
    let behind = setup(&empty, &["--check"]).await?;
    assert_eq!(behind.code, Some(1), "{}", behind.stderr);
    assert_eq!(behind.stderr.lines().count(), 1, "{}", behind.stderr);
    assert!(
        behind.stderr.contains("is not up to date")
            && behind.stderr.contains("run `setup-agent-where`"),
        "{}",
        behind.stderr
    );
    let client = empty.client().await?;
    assert!(!table_exists(&client, schema::HISTORY_TABLE).await?);
    assert!(!table_exists(&client, "venue_routing_config").await?);
    assert!(venue_labels(&client).await.is_err(), "venue_t was created");

    // A database that does not exist is not created by --check.
    let unborn = TestDb::unborn();
    let missing = setup(&unborn, &["--check"]).await?;
    assert_eq!(missing.code, Some(1), "{}", missing.stderr);
    assert!(
        missing.stderr.contains("does not exist"),
        "{}",
        missing.stderr
    );
    assert!(!database_exists(&client, unborn.name()).await?);
    Ok(())
}

#[tokio::test]
async fn unreachable_server_error_names_the_target_database() -> Result<()> {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let out = run(
        SETUP,
        "postgres://postgres@127.0.0.1:1/my_target_db",
        &["-q"],
    )
    .await?;
    assert_eq!(out.code, Some(2));
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("database `my_target_db`"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("database `postgres`"),
        "{}",
        out.stderr
    );
    Ok(())
}

/// Every column, index, constraint and enum label of the public schema, one
/// line each, so "unchanged" is each line of before still in after.
async fn catalog_lines(client: &Client) -> Result<BTreeSet<String>> {
    Ok(dump_schema(client).await?.into_iter().collect())
}

#[tokio::test]
async fn setup_on_maxxits_2026_schema_changes_none_of_its_objects() -> Result<()> {
    let db = TestDb::empty().await?;
    let client = db.client().await?;
    client.batch_execute(MAXXIT_2026).await?;
    let before = catalog_lines(&client).await?;
    let rows_before = dump_rows(&client, "signals").await?;
    setup(&db, &["--host", "maxxit"])
        .await?
        .expect_code(0, "setup on Maxxit's schema");
    let after = catalog_lines(&client).await?;
    let changed: Vec<&String> = before.difference(&after).collect();
    assert!(
        changed.is_empty(),
        "setup changed or removed Maxxit's objects: {changed:#?}"
    );
    assert!(
        after.len() > before.len(),
        "setup added Agent Where's objects"
    );
    assert_eq!(dump_rows(&client, "signals").await?, rows_before);
    Ok(())
}

#[tokio::test]
async fn an_install_order_that_breaks_maxxit_is_refused_before_any_change() -> Result<()> {
    // Why: set up first, Agent Where creates `venue_t`, `agents` and
    // `signals`, and Maxxit's own migrations then fail on them.
    let wrong_order = TestDb::empty().await?;
    setup(&wrong_order, &[]).await?.expect_code(0, "setup");
    let e = wrong_order
        .client()
        .await?
        .batch_execute(MAXXIT_2026)
        .await
        .expect_err("Maxxit's migration fails after Agent Where's");
    assert!(format!("{e:?}").contains("already exists"), "{e:?}");

    // `--host maxxit` on a database without Maxxit's schema.
    let empty = TestDb::empty().await?;
    let out = setup(&empty, &["--host", "maxxit"]).await?;
    out.expect_code(2, "--host maxxit on an empty database");
    assert!(
        out.error_line().contains("no Maxxit schema yet")
            && out.error_line().contains("npx prisma migrate deploy")
            && out.error_line().contains("nothing was changed"),
        "{}",
        out.show()
    );
    let client = empty.client().await?;
    assert!(!table_exists(&client, schema::HISTORY_TABLE).await?);
    assert!(venue_labels(&client).await.is_err(), "venue_t was created");

    // A database where Prisma has begun but Maxxit's tables are not there yet
    // (any --host): refused too.
    client
        .batch_execute(
            "CREATE TABLE _prisma_migrations (id varchar(36) PRIMARY KEY, migration_name varchar(255) NOT NULL)",
        )
        .await?;
    let out = setup(&empty, &[]).await?;
    out.expect_code(2, "a half-installed Prisma host");
    assert!(
        out.error_line()
            .contains("`_prisma_migrations` but not Maxxit's tables"),
        "{}",
        out.show()
    );
    assert!(!table_exists(&client, schema::HISTORY_TABLE).await?);
    assert!(!table_exists(&client, "agents").await?);

    // `--host minimal` refuses Maxxit's schema; `--host maxxit` takes it.
    let maxxit = TestDb::empty().await?;
    maxxit.client().await?.batch_execute(MAXXIT_2026).await?;
    let out = setup(&maxxit, &["--host", "minimal"]).await?;
    out.expect_code(2, "--host minimal on Maxxit");
    assert!(
        out.error_line().contains("has Maxxit's schema"),
        "{}",
        out.show()
    );
    let out = setup(&maxxit, &["--host", "maxxit", "--format", "json"]).await?;
    out.expect_code(0, "--host maxxit on Maxxit");
    assert_eq!(out.json()["host"], "maxxit");
    Ok(())
}
