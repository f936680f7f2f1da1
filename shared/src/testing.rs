//! Test support: a fresh PostgreSQL database per test.
//!
//! Tests run against the real server (`TEST_DATABASE_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`). A migrated template database
//! is built once per migration set (under an advisory lock, so parallel test
//! processes share it) and every test clones it with `CREATE DATABASE …
//! TEMPLATE`, which takes milliseconds. The clone is dropped when the
//! [`TestDb`] goes out of scope. Not used by the binaries.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Result;
use sha2::{Digest, Sha256};
use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

use crate::db::schema;
use crate::db::{DatabaseUrl, DbContext, databases};

pub mod pgbouncer;

/// Advisory lock key held while the template is being built ("AGWHTMPL").
const TEMPLATE_LOCK_KEY: i64 = 0x4147_5748_544D_504C;

/// Prefix of every per-test database.
pub const TEST_DB_PREFIX: &str = "aw_test_";

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
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
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
