//! `--database-url` / `DATABASE_URL`: which PostgreSQL every tool talks to.

use agent_where::db::DatabaseUrl;
use anyhow::Result;
use clap::Args;

use crate::cli::register_secrets_of_url;

/// The database flag.
#[derive(Debug, Clone, Default, Args)]
pub struct DatabaseArgs {
    /// PostgreSQL URL, e.g. `postgres://user:password@host:5432/agent_where?sslmode=require`
    /// (sslmode: disable, prefer, require, verify-ca, verify-full; sslrootcert=FILE).
    /// Default: from PGHOST, PGPORT, PGDATABASE, PGUSER as libpq reads them, else
    /// localhost:5432, database `agent_where`, the OS user.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<String>,
    /// The database when no URL is given and `PGDATABASE` is unset, instead of
    /// `agent_where` (run-pipeline's demo: `agent_where_demo`). Not a flag.
    #[arg(skip)]
    pub default_database: Option<&'static str>,
}

impl DatabaseArgs {
    /// The database URL from the flag, the env var or the local default. Its
    /// password is registered for redaction before anything can print it.
    pub fn resolve(&self) -> Result<DatabaseUrl> {
        match &self.database_url {
            Some(raw) if !raw.trim().is_empty() => {
                register_secrets_of_url(raw);
                DatabaseUrl::parse(raw)
            }
            _ => match self.default_database {
                Some(database) => DatabaseUrl::local_default_named(database),
                None => DatabaseUrl::local_default(),
            },
        }
    }
}
