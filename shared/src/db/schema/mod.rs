//! The database schema: forward-only migrations from `migrations/`, embedded
//! in the binaries and applied by `setup-agent-where` under an advisory lock;
//! the objects they build, verified in the catalog ([`objects`], against the
//! Prisma models of [`prisma`]) and repaired when another tool removed them;
//! and the check every other binary runs before it touches data.

use anyhow::{Context, Result, bail};
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, GenericClient};

use super::connect::DatabaseUrl;
use super::typed;
use super::{DbContext, databases};

pub mod objects;
pub mod prisma;

mod embedded {
    refinery::embed_migrations!("../migrations");
}

/// The table refinery records applied migrations in.
pub const HISTORY_TABLE: &str = "agent_where_schema_history";

/// Advisory lock key held while migrating ("AGWHMIGR").
pub const MIGRATION_LOCK_KEY: i64 = 0x4147_5748_4D49_4752;

/// One migration embedded in this build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedMigration {
    pub version: i32,
    pub name: String,
    pub checksum: String,
}

/// Every migration this build carries, in version order.
#[must_use]
pub fn embedded_migrations() -> Vec<EmbeddedMigration> {
    let mut all: Vec<EmbeddedMigration> = embedded::migrations::runner()
        .get_migrations()
        .iter()
        .map(|m| EmbeddedMigration {
            version: i32::try_from(m.version()).unwrap_or(i32::MAX),
            name: m.name().to_owned(),
            checksum: m.checksum().to_string(),
        })
        .collect();
    all.sort_by_key(|m| m.version);
    all
}

/// The schema version this build needs.
#[must_use]
pub fn latest_version() -> i32 {
    embedded_migrations().last().map_or(0, |m| m.version)
}

/// What the database holds compared with this build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaState {
    /// Highest applied version, `None` when nothing was ever applied.
    pub applied: Option<i32>,
    /// The version this build needs.
    pub latest: i32,
    /// Migrations of this build not yet applied.
    pub pending: Vec<EmbeddedMigration>,
    /// Applied migrations whose recorded checksum differs from this build's file.
    pub divergent: Vec<i32>,
    /// Applied versions this build does not know (the database is newer).
    pub unknown: Vec<i32>,
}

impl SchemaState {
    #[must_use]
    pub fn is_current(&self) -> bool {
        self.pending.is_empty() && self.divergent.is_empty() && self.unknown.is_empty()
    }
}

/// Reads the schema state without writing anything.
pub async fn inspect(client: &Client) -> Result<SchemaState> {
    let embedded = embedded_migrations();
    let latest = embedded.last().map_or(0, |m| m.version);
    let exists = !existing_tables(client, &[HISTORY_TABLE])
        .await
        .db_context("cannot read the schema version")?
        .is_empty();
    let applied_rows = if exists {
        typed::query(client, sql!("schema/applied_migrations.sql"), &[])
            .await
            .db_context("cannot read the schema version")?
    } else {
        Vec::new()
    };
    let applied = applied_rows
        .iter()
        .map(|r| Ok((r.try_get("version")?, r.try_get("checksum")?)))
        .collect::<Result<Vec<(i32, String)>, tokio_postgres::Error>>()
        .db_context("cannot read the schema version")?;
    let pending = embedded
        .iter()
        .filter(|m| !applied.iter().any(|(v, _)| *v == m.version))
        .cloned()
        .collect();
    let divergent = applied
        .iter()
        .filter(|(v, sum)| {
            embedded
                .iter()
                .any(|m| m.version == *v && &m.checksum != sum)
        })
        .map(|(v, _)| *v)
        .collect();
    let unknown = applied
        .iter()
        .filter(|(v, _)| !embedded.iter().any(|m| m.version == *v))
        .map(|(v, _)| *v)
        .collect();
    Ok(SchemaState {
        applied: applied.iter().map(|(v, _)| *v).max(),
        latest,
        pending,
        divergent,
        unknown,
    })
}

/// Fails with an actionable message unless the schema is exactly this build's.
/// Every binary except `setup-agent-where` calls this before touching data.
pub async fn ensure_current(client: &Client) -> Result<()> {
    let state = inspect(client).await?;
    if !state.divergent.is_empty() {
        bail!(
            "the database's migration(s) {:?} differ from this build's files: the schema was changed outside Agent Where or by another build",
            state.divergent
        );
    }
    if !state.unknown.is_empty() {
        bail!(
            "the database schema is at version {} but this build only knows up to {}: upgrade Agent Where",
            state.applied.unwrap_or(0),
            state.latest
        );
    }
    if !state.pending.is_empty() {
        bail!(
            "the database schema is {} (this build needs version {}): run `setup-agent-where` first",
            state
                .applied
                .map_or_else(|| "not set up".to_owned(), |v| format!("at version {v}")),
            state.latest
        );
    }
    let problems = objects::verify(client).await?;
    if !problems.is_empty() {
        bail!(
            "the database lacks objects Agent Where needs, removed by another tool (a `prisma db push`?): {}: run `setup-agent-where` to repair",
            summary(&problems)
        );
    }
    Ok(())
}

/// The first problems, `; `-separated, and how many more there are.
#[must_use]
pub fn summary(problems: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = problems
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if problems.len() > SHOWN {
        text.push_str(&format!(" (and {} more)", problems.len() - SHOWN));
    }
    text
}

/// Re-creates the objects another tool removed by re-running every
/// migration of this build in one transaction, under the migration lock
/// (as [`migrate`] takes it): each migration is written to be re-run (`IF
/// NOT EXISTS`, `OR REPLACE`, guarded blocks) and leaves what exists as it
/// is. Returns the problems that remain (what re-running cannot fix, such as
/// a column whose type was changed), empty when all is repaired; what it
/// could fix is kept.
pub async fn repair(
    url: &DatabaseUrl,
    client: &mut Client,
    lock_timeout: std::time::Duration,
) -> Result<Vec<String>> {
    with_migration_lock(url, client, lock_timeout, "repairing", repair_locked).await
}

/// Runs `work` on `client` under the migration lock (taken as [`migrate`]
/// describes), then releases it and checks that it held to the end: a lock
/// lost meanwhile fails the call, since the work may then have run
/// unprotected. `doing` names the work in that error (`repairing`).
async fn with_migration_lock<T>(
    url: &DatabaseUrl,
    client: &mut Client,
    lock_timeout: std::time::Duration,
    doing: &str,
    work: impl AsyncFnOnce(&mut Client) -> Result<T>,
) -> Result<T> {
    let lock = super::locks::acquire_on(
        url,
        client,
        MIGRATION_LOCK_KEY,
        "the migration lock",
        lock_timeout,
    )
    .await?;
    let result = work(client).await;
    let released = lock.release(client).await;
    let value = result?;
    released.with_context(|| {
        format!(
            "the migration lock was lost while {doing} (its connection ended): run setup-agent-where again to verify the schema"
        )
    })?;
    Ok(value)
}

async fn repair_locked(client: &mut Client) -> Result<Vec<String>> {
    if objects::verify(&*client).await?.is_empty() {
        return Ok(Vec::new());
    }
    preflight(client).await?;
    let runner = embedded::migrations::runner();
    let mut migrations: Vec<_> = runner.get_migrations().iter().collect();
    migrations.sort_by_key(|m| m.version());
    let tx = client
        .transaction()
        .await
        .db_context("cannot start the repair")?;
    let grants = drop_decisions_view(&tx).await?;
    for m in migrations {
        let Some(sql) = m.sql() else { continue };
        tx.batch_execute(sql).await.with_db_context(|| {
            format!(
                "cannot repair: re-running V{}__{} failed",
                m.version(),
                m.name()
            )
        })?;
    }
    grant_again(&tx, &grants).await?;
    let remaining = objects::verify(&tx).await?;
    tx.commit().await.db_context("cannot commit the repair")?;
    Ok(remaining)
}

/// Applies every pending migration on `client` while holding the migration
/// lock, so concurrent setups migrate once and all succeed. Returns the
/// versions this call applied (empty when another caller got there first).
///
/// On a direct connection or through a session-mode pooler the lock is
/// session-level on `client` itself: one server connection per setup, so
/// concurrent setups through a small session pool cannot each hold one and
/// wait for a second. Through a transaction pooler it is transaction-scoped
/// and held on a second connection to `url` ([`super::locks`]), so it holds
/// there and is never left on a pooled connection; waiting for it ends after
/// `lock_timeout` with an error naming the holder. Releasing it is checked:
/// a lock lost meanwhile fails the setup, since the migrations may then
/// have run unprotected.
pub async fn migrate(
    url: &DatabaseUrl,
    client: &mut Client,
    lock_timeout: std::time::Duration,
) -> Result<Vec<EmbeddedMigration>> {
    with_migration_lock(url, client, lock_timeout, "migrating", migrate_locked).await
}

async fn migrate_locked(client: &mut Client) -> Result<Vec<EmbeddedMigration>> {
    let before = inspect(client).await?;
    if !before.divergent.is_empty() || !before.unknown.is_empty() {
        ensure_current(client).await?;
    }
    if before.pending.is_empty() {
        return Ok(Vec::new());
    }
    preflight(client).await?;
    // Re-applying an earlier definition of the view (its history lost) over
    // a later, longer one would fail: start it afresh.
    let grants = if before.pending.iter().any(|m| m.version < VIEW_LAST_DEFINED) {
        drop_decisions_view(&*client).await?
    } else {
        Vec::new()
    };
    let mut runner = embedded::migrations::runner()
        .set_abort_divergent(true)
        .set_abort_missing(true);
    runner.set_migration_table_name(HISTORY_TABLE);
    runner.run_async(client).await.map_err(|e| {
        anyhow::anyhow!(
            "migration failed: {}",
            one_line(&crate::errors::chain_text(&e))
        )
    })?;
    grant_again(&*client, &grants).await?;
    Ok(before.pending)
}

/// The migration that last defines the view `routing_decisions` (V14
/// appended `requested_token`).
const VIEW_LAST_DEFINED: i32 = 14;

/// Drops the view `routing_decisions` (it holds no data) and returns its
/// grants as statements: an earlier migration's `CREATE OR REPLACE VIEW`
/// cannot drop the columns a later one appended, so re-running migrations
/// (setup's repair, or a lost history) starts the view afresh.
async fn drop_decisions_view<C: GenericClient>(client: &C) -> Result<Vec<String>> {
    let grants = typed::query(client, sql!("schema/view_grants.sql"), &[])
        .await
        .db_context("cannot read the grants on routing_decisions")?
        .iter()
        .map(|r| r.get(0))
        .collect();
    client
        .batch_execute("DROP VIEW IF EXISTS routing_decisions")
        .await
        .db_context("cannot re-create the view routing_decisions")?;
    Ok(grants)
}

/// Grants again what [`drop_decisions_view`] returned.
async fn grant_again<C: GenericClient>(client: &C, grants: &[String]) -> Result<()> {
    for grant in grants {
        client
            .batch_execute(grant)
            .await
            .db_context("cannot grant again the grants on routing_decisions")?;
    }
    Ok(())
}

/// Refuses, before any migration is applied, a database that a migration
/// would reject half-way (migrations commit one by one): so a refused setup
/// changes nothing.
async fn preflight(client: &Client) -> Result<()> {
    let present = existing_tables(client, &["venue_routing_config"])
        .await
        .db_context("cannot inspect the schema")?;
    if present.is_empty() {
        return Ok(());
    }
    let globals: i64 = typed::query_one(client, sql!("schema/count_global_configs.sql"), &[])
        .await
        .and_then(|r| r.try_get(0))
        .db_context("cannot read `venue_routing_config`")?;
    if globals > 1 {
        bail!(
            "`venue_routing_config` holds {globals} global rows (agent_id IS NULL): keep one, delete the others, then run setup-agent-where again (nothing was changed)"
        );
    }
    Ok(())
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Creates the URL's database when it does not exist. Returns whether it
/// created it. Safe when several callers race: the losers see it exists.
pub async fn create_database_if_missing(url: &DatabaseUrl) -> Result<bool> {
    let admin = connect_maintenance(url).await?;
    let name = url.database();
    if databases::exists(&admin, name)
        .await
        .db_context("cannot list databases")?
    {
        return Ok(false);
    }
    match databases::create(&admin, name).await {
        Ok(()) => Ok(true),
        Err(e)
            if e.code() == Some(&SqlState::DUPLICATE_DATABASE)
                || e.code() == Some(&SqlState::UNIQUE_VIOLATION) =>
        {
            Ok(false)
        }
        Err(e) => Err(e)
            .with_db_context(|| format!("cannot create database `{name}`"))
            .context("create it by hand or grant CREATEDB to the user"),
    }
}

/// Whether the URL's database exists (connects to the maintenance database).
pub async fn database_exists(url: &DatabaseUrl) -> Result<bool> {
    let admin = connect_maintenance(url).await?;
    databases::exists(&admin, url.database())
        .await
        .db_context("cannot list databases")
}

/// Connects to the server's maintenance database (`postgres`, else
/// `template1`: some hosted servers have no `postgres`) to look up or create
/// the URL's database. A failure names the URL's own database, the one the
/// user asked for, not the maintenance database.
async fn connect_maintenance(url: &DatabaseUrl) -> Result<Client> {
    let mut first_error = None;
    for maintenance in ["postgres", "template1"] {
        match url
            .connect_config(url.with_database(maintenance).pg_config())
            .await?
        {
            Ok(client) => return Ok(client),
            Err(e) => {
                // Only a server that answered is worth a second try.
                let answered = e.as_db_error().is_some();
                first_error.get_or_insert(e);
                if !answered {
                    break;
                }
            }
        }
    }
    Err(match first_error {
        Some(e) => url.connect_error(&e),
        None => anyhow::anyhow!("cannot connect to PostgreSQL at {}", url.host_port()),
    })
}

/// Which of `tables` exist (in the search path).
pub async fn existing_tables<C: GenericClient>(
    client: &C,
    tables: &[&str],
) -> Result<Vec<String>, tokio_postgres::Error> {
    typed::query(client, sql!("schema/existing_tables.sql"), &[&tables])
        .await?
        .iter()
        .map(|r| r.try_get("name"))
        .collect()
}
