//! Test support: a fresh PostgreSQL database per test.
//!
//! Tests run against the real server (`TEST_DATABASE_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`). A migrated template database
//! is built once per migration set (under an advisory lock, so parallel test
//! processes share it) and every test clones it with `CREATE DATABASE …
//! TEMPLATE`, which takes milliseconds. The clone is dropped when the
//! [`TestDb`] goes out of scope. Not used by the binaries.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Result;
use sha2::{Digest, Sha256};
use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

use crate::db::schema;
use crate::db::{DatabaseUrl, DbContext, databases};
use crate::venues;

pub mod pgbouncer;

/// Advisory lock key held while the template is being built ("AGWHTMPL").
const TEMPLATE_LOCK_KEY: i64 = 0x4147_5748_544D_504C;

/// Prefix of every per-test database.
pub const TEST_DB_PREFIX: &str = "aw_test_";

/// Variables outside `AGENT_WHERE_*` that change what a binary does, which a
/// test run of one removes: the database URL, the log filter, and every
/// variable a venue's sync reads (its endpoints, options and switches, taken
/// from [`venues::SOURCES`], so a new venue's are removed too).
#[must_use]
pub fn redirecting_env() -> Vec<&'static str> {
    let mut vars = vec!["DATABASE_URL", "RUST_LOG"];
    for source in venues::SOURCES {
        let info = source.info();
        vars.extend(info.endpoints.iter().map(|e| e.env));
        vars.extend(
            info.options
                .iter()
                .chain(info.switches)
                .filter_map(|o| o.env),
        );
    }
    vars
}

/// The repository's `sql/` directory.
#[must_use]
pub fn sql_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../sql")
}

/// One statement file under `sql/`.
#[derive(Debug, Clone)]
pub struct SqlFile {
    /// Its path under `sql/`, `/`-separated: `stats/clock.sql`.
    pub name: String,
    /// Its full path.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
}

/// Every `sql/**/*.sql` file, sorted by name. Panics when `sql/` cannot be
/// read: a test cannot go on without it.
#[must_use]
pub fn sql_files() -> Vec<SqlFile> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<SqlFile>) {
        let entries =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
                .path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|e| e == "sql") {
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                let name = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push(SqlFile { name, path, text });
            }
        }
    }
    let root = sql_dir();
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}

/// The [`sql_files`] of the `sql/<area>/` directories named.
#[must_use]
pub fn sql_files_in(areas: &[&str]) -> Vec<SqlFile> {
    sql_files()
        .into_iter()
        .filter(|f| areas.iter().any(|a| f.name.split('/').next() == Some(a)))
        .collect()
}

/// The server tests use, as a URL string.
#[must_use]
pub fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// `server_url()` with another database name.
#[must_use]
pub fn url_for_database(name: &str) -> String {
    let base = server_url();
    let mut url = url::Url::parse(&base).unwrap_or_else(|_| {
        url::Url::parse("postgres://postgres@127.0.0.1:5432/postgres").expect("static URL")
    });
    url.set_path(&format!("/{name}"));
    url.to_string()
}

async fn admin() -> Result<Client> {
    DatabaseUrl::parse(&url_for_database("postgres"))?
        .connect()
        .await
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn template_name() -> String {
    let mut hasher = Sha256::new();
    for m in schema::embedded_migrations() {
        hasher.update(m.version.to_le_bytes());
        hasher.update(m.checksum.as_bytes());
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().take(6).fold(String::new(), |mut hex, b| {
        let _ = std::fmt::Write::write_fmt(&mut hex, format_args!("{b:02x}"));
        hex
    });
    format!("aw_tmpl_{hex}")
}

/// A database that exists for one test and is dropped after it.
pub struct TestDb {
    name: String,
    url: String,
}

impl TestDb {
    /// A fresh database with the current schema applied.
    pub async fn migrated() -> Result<TestDb> {
        let template = ensure_template().await?;
        Self::create(Some(&template)).await
    }

    /// A fresh empty database (no migrations), e.g. to load a Maxxit-shaped schema.
    pub async fn empty() -> Result<TestDb> {
        Self::create(None).await
    }

    /// A name for a database that does not exist yet (for tests of creation).
    /// It is dropped, if it came to exist, when the guard is dropped.
    #[must_use]
    pub fn unborn() -> TestDb {
        let name = fresh_name();
        TestDb {
            url: url_for_database(&name),
            name,
        }
    }

    async fn create(template: Option<&str>) -> Result<TestDb> {
        let admin = admin().await?;
        let name = fresh_name();
        let mut attempt = 0;
        loop {
            let created = match template {
                Some(t) => databases::create_from_template(&admin, &name, t).await,
                None => databases::create(&admin, &name).await,
            };
            match created {
                Ok(()) => break,
                Err(e) if e.code() == Some(&SqlState::OBJECT_IN_USE) && attempt < 50 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e).db_context("cannot create test database"),
            }
        }
        Ok(TestDb {
            url: url_for_database(&name),
            name,
        })
    }

    /// The database name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The full URL (what a binary gets as `--database-url`).
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The parsed URL.
    #[must_use]
    pub fn database_url(&self) -> DatabaseUrl {
        DatabaseUrl::parse(&self.url).expect("test URL parses")
    }

    /// A new connection to this database.
    pub async fn client(&self) -> Result<Client> {
        self.database_url().connect().await
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop from a thread of its own: this may run inside a tokio runtime.
        let handle = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(rt) = rt {
                rt.block_on(async {
                    if let Ok(admin) = admin().await {
                        let _ = databases::drop_if_exists(&admin, &name).await;
                    }
                });
            }
        });
        let _ = handle.join();
    }
}

fn fresh_name() -> String {
    format!(
        "{TEST_DB_PREFIX}{}_{:08x}",
        now_secs(),
        rand::random::<u32>()
    )
}

/// Builds the migrated template once per migration set and returns its name.
async fn ensure_template() -> Result<String> {
    let name = template_name();
    let admin = admin().await?;
    if database_exists(&admin, &name).await? {
        return Ok(name);
    }
    let admin_url = DatabaseUrl::parse(&url_for_database("postgres"))?;
    let lock = crate::db::locks::acquire(
        &admin_url,
        TEMPLATE_LOCK_KEY,
        "the test template lock",
        Duration::from_secs(600),
    )
    .await?;
    let result = async {
        if database_exists(&admin, &name).await? {
            return Ok(());
        }
        drop_stale_test_databases(&admin).await;
        let building = format!("{name}_building");
        databases::drop_if_exists(&admin, &building)
            .await
            .db_context("cannot create the template")?;
        databases::create(&admin, &building)
            .await
            .db_context("cannot create the template")?;
        {
            let url = DatabaseUrl::parse(&url_for_database(&building))?;
            let mut client = url.connect().await?;
            schema::migrate(&url, &mut client, crate::db::locks::DEFAULT_TIMEOUT).await?;
        }
        // The migration's connections end asynchronously: retry while the
        // server still counts them.
        let mut attempt = 0;
        loop {
            match databases::rename(&admin, &building, &name).await {
                Ok(()) => break,
                Err(e) if e.code() == Some(&SqlState::OBJECT_IN_USE) && attempt < 50 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e).db_context("cannot rename the template"),
            }
        }
        Ok::<(), anyhow::Error>(())
    }
    .await;
    let released = lock.release().await;
    result?;
    released?;
    Ok(name)
}

async fn database_exists(admin: &Client, name: &str) -> Result<bool> {
    databases::exists(admin, name)
        .await
        .db_context("cannot list databases")
}

/// Drops per-test databases older than two hours (left by killed test runs).
async fn drop_stale_test_databases(admin: &Client) {
    let Ok(names) = databases::names_like(admin, "aw\\_test\\_%").await else {
        return;
    };
    let cutoff = now_secs().saturating_sub(2 * 3600);
    for name in names {
        let born = name
            .strip_prefix(TEST_DB_PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|s| s.parse::<u64>().ok());
        if born.is_some_and(|b| b < cutoff) {
            let _ = databases::drop_if_exists(admin, &name).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_venue_variable_of_the_registry_is_scrubbed() {
        let vars = redirecting_env();
        for expected in [
            "DATABASE_URL",
            "RUST_LOG",
            "HYPERLIQUID_API_URL",
            "HYPERLIQUID_DEXES",
            "HYPERLIQUID_MAX_BOOKS",
            "HYPERLIQUID_OI_CAPS",
            "HYPERLIQUID_BOOKS",
            "OSTIUM_SUBGRAPH_URL",
            "OSTIUM_PRICES_URL",
            "GMX_API_URL",
            "AEVO_API_URL",
            "LIGHTER_API_URL",
        ] {
            assert!(vars.contains(&expected), "{expected} missing from {vars:?}");
        }
    }

    #[test]
    fn sql_files_are_named_under_sql_and_sorted() {
        let files = sql_files();
        assert!(files.len() >= 75, "{}", files.len());
        assert!(files.windows(2).all(|w| w[0].name < w[1].name));
        assert!(files.iter().any(|f| f.name == "stats/clock.sql"));
        let stats = sql_files_in(&["stats"]);
        assert!(!stats.is_empty());
        assert!(stats.iter().all(|f| f.name.starts_with("stats/")));
    }
}
