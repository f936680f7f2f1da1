//! Connecting to PostgreSQL: parsing the database URL (including the libpq
//! `sslmode` values tokio-postgres does not know), TLS with rustls, a pool, and
//! error messages that name the server but never the password.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres_rustls::MakeRustlsConnect;

mod tls;

use tls::{AcceptAnyCertificate, ChainOnly};

/// Default connect timeout when the URL sets none.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest wait for a free connection of a tool's own pool.
pub const POOL_WAIT_TIMEOUT: Duration = Duration::from_secs(60);

/// A connection that `LISTEN`s ([`DatabaseUrl::listen`]): `client` for
/// statements, `notifications` for wake-ups.
pub struct Listener {
    pub client: tokio_postgres::Client,
    pub notifications: tokio::sync::mpsc::Receiver<()>,
}

/// Database used when neither `--database-url` nor `DATABASE_URL` is set.
pub const DEFAULT_DATABASE: &str = "agent_where";

/// The environment variable that sets [`Pooler`] when the URL does not.
pub const POOLER_ENV: &str = "AGENT_WHERE_POOLER";

/// The libpq `sslmode` values, with libpq's meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Never TLS.
    Disable,
    /// TLS if the server offers it, certificate not verified (libpq's default).
    Prefer,
    /// TLS required, certificate not verified.
    Require,
    /// TLS required, certificate chain verified against the root certificates.
    VerifyCa,
    /// TLS required, chain verified and the host name must match the certificate.
    VerifyFull,
}

impl TlsMode {
    fn parse(value: &str) -> Result<TlsMode> {
        Ok(match value {
            "disable" | "allow" => TlsMode::Disable,
            "prefer" => TlsMode::Prefer,
            "require" => TlsMode::Require,
            "verify-ca" => TlsMode::VerifyCa,
            "verify-full" => TlsMode::VerifyFull,
            other => bail!(
                "unknown `sslmode={other}` in the database URL (expected disable, prefer, require, verify-ca or verify-full)"
            ),
        })
    }
}

/// What sits between us and PostgreSQL, as far as statements are concerned.
///
/// Set with the URL parameter `pooler=` or `AGENT_WHERE_POOLER` (the URL
/// wins): `transaction`, `none`, or `auto` (the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pooler {
    /// PostgreSQL itself, or a pooler in session mode: one server connection
    /// per client connection. Routing prepares its statements once per
    /// connection and writes its history with binary COPY.
    None,
    /// A pooler in transaction mode (PgBouncer `pool_mode = transaction`,
    /// Supabase's port 6543, Neon's `-pooler` hosts): consecutive
    /// transactions of one client may run on different server connections,
    /// so no named prepared statement and no session state is used: every
    /// statement is the unnamed statement, and routing's history COPY is an
    /// `INSERT … SELECT FROM unnest(…)`.
    Transaction,
}

impl Pooler {
    /// `auto`: a host name containing `pooler` (Supabase, Neon) or the
    /// pooler ports 6543 (Supabase's transaction pooler) and 6432
    /// (PgBouncer's default) mean a transaction pooler; anything else a
    /// direct connection. A wrong guess towards `Transaction` costs only
    /// speed; `pooler=none` / `pooler=transaction` override it.
    fn detect(config: &tokio_postgres::Config) -> Pooler {
        let pooler_host = config.get_hosts().iter().any(|h| match h {
            Host::Tcp(name) => name.to_ascii_lowercase().contains("pooler"),
            Host::Unix(_) => false,
        });
        let pooler_port = config.get_ports().iter().any(|p| matches!(p, 6432 | 6543));
        if pooler_host || pooler_port {
            Pooler::Transaction
        } else {
            Pooler::None
        }
    }

    /// Resolves a `pooler=` value (`None`: not given) for `config`.
    fn resolve(value: Option<&str>, config: &tokio_postgres::Config) -> Result<Pooler> {
        match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            None | Some("" | "auto") => Ok(Pooler::detect(config)),
            Some("none" | "session") => Ok(Pooler::None),
            Some("transaction") => Ok(Pooler::Transaction),
            Some(other) => bail!(
                "unknown pooler setting `{other}` (URL parameter `pooler` or AGENT_WHERE_POOLER): expected auto, none or transaction"
            ),
        }
    }

    /// `none` or `transaction`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Pooler::None => "none",
            Pooler::Transaction => "transaction",
        }
    }
}

/// A parsed database URL. Its `Display` is the redacted form, safe to print.
#[derive(Clone)]
pub struct DatabaseUrl {
    config: tokio_postgres::Config,
    tls: TlsMode,
    root_cert: Option<PathBuf>,
    pooler: Pooler,
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "postgres://{}@{}/{}",
            self.user(),
            self.host_port(),
            self.database()
        )
    }
}

impl DatabaseUrl {
    /// Parses a `postgres://` URL or a libpq key/value string. The error never
    /// repeats the input, which may hold a password.
    ///
    /// What the URL leaves out comes from the environment, as libpq does:
    /// host from `PGHOST`, port from `PGPORT`, user from `PGUSER`, database
    /// from `PGDATABASE` and password from `PGPASSWORD`; a value in the URL
    /// always wins over the environment.
    pub fn parse(raw: &str) -> Result<DatabaseUrl> {
        Self::parse_with_env(raw, &process_env)
    }

    /// [`Self::parse`] reading the libpq variables through `env`.
    fn parse_with_env(raw: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<DatabaseUrl> {
        let Extracted {
            rest,
            tls,
            root_cert,
            pooler,
        } = extract_tls_params(raw)?;
        let rest = url_with_env_port(&rest, env);
        let mut config: tokio_postgres::Config =
            rest.parse().map_err(|e: tokio_postgres::Error| {
                anyhow!(
                    "invalid database URL: {}",
                    redact_secrets(&e.to_string(), written_password(raw).as_slice())
                )
            })?;
        fill_from_env(&mut config, env, None)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("agent-where");
        }
        config.ssl_mode(match tls {
            TlsMode::Disable => SslMode::Disable,
            TlsMode::Prefer => SslMode::Prefer,
            TlsMode::Require | TlsMode::VerifyCa | TlsMode::VerifyFull => SslMode::Require,
        });
        let pooler = Pooler::resolve(pooler.or_else(|| env(POOLER_ENV)).as_deref(), &config)?;
        Ok(DatabaseUrl {
            config,
            tls,
            root_cert,
            pooler,
        })
    }

    /// The URL used when none is given, from the libpq variables as libpq
    /// reads them: host `PGHOST` (default `localhost`), port `PGPORT` (5432),
    /// database `PGDATABASE` (default `agent_where`), user `PGUSER` (default
    /// the OS user), password `PGPASSWORD`. Fails only on a bad `PGPORT`.
    pub fn local_default() -> Result<DatabaseUrl> {
        Self::local_default_with_env(&process_env, DEFAULT_DATABASE)
    }

    /// [`Self::local_default`] whose database, without `PGDATABASE`, is
    /// `database` (the demo's `agent_where_demo`).
    pub fn local_default_named(database: &str) -> Result<DatabaseUrl> {
        Self::local_default_with_env(&process_env, database)
    }

    fn local_default_with_env(
        env: &dyn Fn(&str) -> Option<String>,
        database: &str,
    ) -> Result<DatabaseUrl> {
        let mut config = tokio_postgres::Config::new();
        config
            .connect_timeout(DEFAULT_CONNECT_TIMEOUT)
            .application_name("agent-where")
            .ssl_mode(SslMode::Prefer);
        fill_from_env(&mut config, env, Some(database))?;
        let pooler = Pooler::resolve(env(POOLER_ENV).as_deref(), &config)?;
        Ok(DatabaseUrl {
            config,
            tls: TlsMode::Prefer,
            root_cert: None,
            pooler,
        })
    }

    /// What sits between us and the server (see [`Pooler`]).
    #[must_use]
    pub fn pooler(&self) -> Pooler {
        self.pooler
    }

    /// The database name.
    #[must_use]
    pub fn database(&self) -> &str {
        self.config.get_dbname().unwrap_or_default()
    }

    /// The user name.
    #[must_use]
    pub fn user(&self) -> &str {
        self.config.get_user().unwrap_or_default()
    }

    /// `host:port` of the first host (or the socket directory).
    #[must_use]
    pub fn host_port(&self) -> String {
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(h)) if h.contains(':') => format!("[{h}]"),
            Some(Host::Tcp(h)) => h.clone(),
            Some(Host::Unix(p)) => p.display().to_string(),
            None => "localhost".to_owned(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        format!("{host}:{port}")
    }

    #[must_use]
    pub fn tls_mode(&self) -> TlsMode {
        self.tls
    }

    /// The same server and credentials, another database.
    #[must_use]
    pub fn with_database(&self, database: &str) -> DatabaseUrl {
        let mut other = self.clone();
        other.config.dbname(database);
        other
    }

    /// The underlying tokio-postgres configuration.
    #[must_use]
    pub fn pg_config(&self) -> &tokio_postgres::Config {
        &self.config
    }

    /// The password, if the URL has one (for redacting it from foreign text).
    #[must_use]
    pub fn password(&self) -> Option<String> {
        self.config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned())
    }

    /// Builds the TLS connector for this URL's `sslmode`.
    pub fn tls_connector(&self) -> Result<MakeRustlsConnect> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .context("cannot set up TLS")?;
        let config = match self.tls {
            TlsMode::Disable | TlsMode::Prefer | TlsMode::Require => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
                .with_no_client_auth(),
            TlsMode::VerifyCa | TlsMode::VerifyFull => {
                let roots = Arc::new(self.root_store()?);
                let webpki = rustls::client::WebPkiServerVerifier::builder_with_provider(
                    roots,
                    provider.clone(),
                )
                .build()
                .context("cannot set up TLS certificate verification")?;
                if self.tls == TlsMode::VerifyFull {
                    builder.with_webpki_verifier(webpki).with_no_client_auth()
                } else {
                    builder
                        .dangerous()
                        .with_custom_certificate_verifier(Arc::new(ChainOnly(webpki)))
                        .with_no_client_auth()
                }
            }
        };
        Ok(MakeRustlsConnect::new(config))
    }

    fn root_store(&self) -> Result<RootCertStore> {
        let mut store = RootCertStore::empty();
        let path = self.root_cert.clone().or_else(|| {
            let home = std::env::var_os("HOME")?;
            let p = PathBuf::from(home).join(".postgresql/root.crt");
            p.exists().then_some(p)
        });
        match path {
            Some(path) if path.as_os_str() != "system" => {
                let certs = CertificateDer::pem_file_iter(&path)
                    .and_then(Iterator::collect::<Result<Vec<_>, _>>)
                    .map_err(|e| {
                        anyhow!("cannot read `sslrootcert` file `{}`: {e}", path.display())
                    })?;
                let (added, _ignored) = store.add_parsable_certificates(certs);
                if added == 0 {
                    bail!(
                        "`sslrootcert` file `{}` holds no usable certificate",
                        path.display()
                    );
                }
            }
            _ => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        Ok(store)
    }

    /// How long establishing a connection may take in all: TCP connect, TLS,
    /// startup and authentication. tokio-postgres applies `connect_timeout`
    /// to the TCP connect only, so a server that accepts the connection but
    /// never answers would hang forever; libpq bounds the whole handshake,
    /// and so do we (once per host tried).
    #[must_use]
    pub fn handshake_timeout(&self) -> Duration {
        let per_host = self
            .config
            .get_connect_timeout()
            .copied()
            .unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        let hosts = u32::try_from(self.config.get_hosts().len().max(1)).unwrap_or(1);
        per_host.saturating_mul(hosts)
    }

    /// The one-line error for a server that did not complete the handshake
    /// within [`Self::handshake_timeout`].
    #[must_use]
    pub fn timeout_error(&self) -> anyhow::Error {
        anyhow!(
            "cannot connect to PostgreSQL at {} (database `{}`, user `{}`): no answer within {} s (connect_timeout); check --database-url / DATABASE_URL and that the server is running",
            self.host_port(),
            self.database(),
            self.user(),
            self.handshake_timeout().as_secs_f64()
        )
    }

    /// Connects with `config` (this URL's, or a variant of it) within
    /// [`Self::handshake_timeout`] and spawns the connection's driver task.
    /// `Ok(Err(e))` is a failure the server or the network reported, `Err` a
    /// timeout or a bad TLS setting.
    pub async fn connect_config(
        &self,
        config: &tokio_postgres::Config,
    ) -> Result<Result<tokio_postgres::Client, tokio_postgres::Error>> {
        let tls = self.tls_connector()?;
        let connected = tokio::time::timeout(self.handshake_timeout(), config.connect(tls))
            .await
            .map_err(|_| self.timeout_error())?;
        Ok(connected.map(|(client, connection)| {
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::debug!(error = %e, "database connection closed with an error");
                }
            });
            client
        }))
    }

    /// Opens one connection and spawns its driver task.
    pub async fn connect(&self) -> Result<tokio_postgres::Client> {
        self.connect_config(&self.config)
            .await?
            .map_err(|e| self.connect_error(&e))
    }

    /// Opens a connection of its own that `LISTEN`s on `channel` and returns
    /// it with a receiver that gets one message per notification (coalesced:
    /// a notification arriving while one is unread adds nothing). The
    /// receiver ends when the connection does. Only for a direct connection
    /// or a session-mode pooler: behind a transaction pooler `LISTEN` holds
    /// on a server connection that the next statement may not use.
    pub async fn listen(&self, channel: &str) -> Result<Listener> {
        use futures_util::StreamExt;
        let tls = self.tls_connector()?;
        let (client, mut connection) =
            tokio::time::timeout(self.handshake_timeout(), self.config.connect(tls))
                .await
                .map_err(|_| self.timeout_error())?
                .map_err(|e| self.connect_error(&e))?;
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        tokio::spawn(async move {
            let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
            while let Some(message) = messages.next().await {
                match message {
                    Ok(tokio_postgres::AsyncMessage::Notification(_)) => {
                        // Full: a wake-up is already waiting to be read.
                        let _ = tx.try_send(());
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::debug!(error = %e, "listening connection closed with an error");
                        break;
                    }
                }
            }
        });
        // The channel is an identifier chosen by the caller, never user input.
        client
            .batch_execute(&format!("LISTEN {channel}"))
            .await
            .map_err(|e| anyhow!("cannot LISTEN on `{channel}`: {}", describe_pg_error(&e)))?;
        Ok(Listener {
            client,
            notifications: rx,
        })
    }

    /// Builds a pool of at most `max_size` connections and checks out one
    /// connection at once, so a bad URL fails here and not on first use.
    pub async fn pool(&self, max_size: usize) -> Result<Pool> {
        let manager = Manager::from_config(
            self.config.clone(),
            self.tls_connector()?,
            // Fast recycling sends nothing when a connection goes back to
            // the pool. (`Clean` would run session-level resets — CLOSE ALL,
            // DISCARD, pg_advisory_unlock_all — which behind a transaction
            // pooler reach some other server connection.) deadpool's
            // statement cache is filled only by `prepare_cached`, which
            // Agent Where does not use: routing keeps its own statements
            // per connection, and none through a transaction pooler.
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(max_size.max(1))
            .create_timeout(Some(self.handshake_timeout()))
            // Every tool sizes its pool to what it uses at once, so waiting
            // for a free connection is a bug: bounded, never a hang.
            .wait_timeout(Some(POOL_WAIT_TIMEOUT))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .context("cannot build the connection pool")?;
        match pool.get().await {
            Ok(_) => Ok(pool),
            Err(deadpool_postgres::PoolError::Backend(e)) => Err(self.connect_error(&e)),
            Err(deadpool_postgres::PoolError::Timeout(_)) => Err(self.timeout_error()),
            Err(e) => Err(anyhow!(
                "cannot connect to PostgreSQL at {} (database `{}`): {}",
                self.host_port(),
                self.database(),
                self.redact(&e.to_string())
            )),
        }
    }

    /// The one-line error for a failed connection: where, who, why, what to do.
    #[must_use]
    pub fn connect_error(&self, e: &tokio_postgres::Error) -> anyhow::Error {
        let cause = describe_pg_error(e);
        anyhow!(
            "cannot connect to PostgreSQL at {} (database `{}`, user `{}`): {}; check --database-url / DATABASE_URL and that the server is running",
            self.host_port(),
            self.database(),
            self.user(),
            self.redact(&cause)
        )
    }

    /// Removes this URL's password from a text.
    #[must_use]
    pub fn redact(&self, text: &str) -> String {
        redact_secrets(text, self.password().as_slice())
    }

    /// Every form the password of the connection string `raw` may take in
    /// text: the parsed (percent-decoded) password, the password as written
    /// in the URL's user info, and each key/value `password=` value. Used
    /// where the text may be printed before `raw` is parsed (or when it
    /// fails to parse). May hold repeats.
    #[must_use]
    pub fn secrets_of(raw: &str) -> Vec<String> {
        let mut secrets = Vec::new();
        if let Ok(url) = Self::parse(raw)
            && let Some(p) = url.password()
        {
            secrets.push(p);
        }
        secrets.extend(written_password(raw).map(str::to_owned));
        for part in raw.split(|c: char| c.is_whitespace() || c == '&' || c == '?') {
            if let Some(p) = part.strip_prefix("password=") {
                secrets.push(p.trim_matches('\'').to_owned());
            }
        }
        secrets
    }
}

/// Describes a tokio-postgres error on one line, with its source chain.
#[must_use]
pub fn describe_pg_error(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{} ({})", db.message(), db.code().code());
    }
    crate::errors::chain_text(e).replace('\n', " ")
}

/// A variable of the process environment; empty counts as unset (as libpq).
fn process_env(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.is_empty())
}

/// Fills in what the URL left out from the libpq variables, as libpq does:
/// `PGHOST` (comma-separated hosts; a path is a Unix socket directory) else
/// `localhost`, `PGPORT` (comma-separated) else 5432, `PGUSER` else the OS
/// user, `PGDATABASE` else `default_database` (else the user name, as libpq),
/// `PGPASSWORD`. Values the URL has are never replaced.
fn fill_from_env(
    config: &mut tokio_postgres::Config,
    env: &dyn Fn(&str) -> Option<String>,
    default_database: Option<&str>,
) -> Result<()> {
    let var = |key: &str| env(key).filter(|v| !v.trim().is_empty());
    if config.get_hosts().is_empty() {
        match var("PGHOST") {
            Some(hosts) => {
                for host in hosts.split(',').map(str::trim).filter(|h| !h.is_empty()) {
                    config.host(host);
                }
            }
            None => {
                config.host("localhost");
            }
        }
    }
    if config.get_ports().is_empty()
        && let Some(ports) = var("PGPORT")
    {
        for port in ports.split(',').map(str::trim) {
            let port: u16 = port.parse().ok().filter(|p| *p > 0).ok_or_else(|| {
                anyhow!("invalid `PGPORT` value `{port}`: expected a port number")
            })?;
            config.port(port);
        }
    }
    if config.get_user().is_none() {
        let user = ["PGUSER", "USER", "LOGNAME"]
            .iter()
            .find_map(|k| var(k))
            .unwrap_or_else(|| "postgres".to_owned());
        config.user(user);
    }
    if config.get_dbname().is_none() {
        let database = var("PGDATABASE")
            .or_else(|| default_database.map(str::to_owned))
            .unwrap_or_else(|| config.get_user().unwrap_or_default().to_owned());
        config.dbname(database);
    }
    if config.get_password().is_none()
        && let Some(password) = env("PGPASSWORD").filter(|p| !p.is_empty())
    {
        config.password(password);
    }
    Ok(())
}

/// A `postgres://` URL whose hosts have no port gets `PGPORT`'s, as in libpq
/// (tokio-postgres would fill in 5432 itself). Other input is returned as is.
fn url_with_env_port(raw: &str, env: &dyn Fn(&str) -> Option<String>) -> String {
    let Some(ports) = env("PGPORT").filter(|p| !p.trim().is_empty()) else {
        return raw.to_owned();
    };
    let Some((scheme, rest)) = raw.split_once("://") else {
        return raw.to_owned();
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (userinfo, hosts) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    if hosts.is_empty() {
        return raw.to_owned();
    }
    let has_port = |chunk: &str| match chunk.strip_prefix('[') {
        Some(v6) => v6.contains("]:"),
        None => chunk.contains(':'),
    };
    let chunks: Vec<&str> = hosts.split(',').collect();
    if chunks.iter().any(|c| has_port(c)) {
        return raw.to_owned();
    }
    let ports: Vec<&str> = ports.split(',').map(str::trim).collect();
    let hosts = chunks
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let port = ports.get(i).or(ports.first()).copied().unwrap_or("5432");
            format!("{host}:{port}")
        })
        .collect::<Vec<_>>()
        .join(",");
    match userinfo {
        Some(u) => format!("{scheme}://{u}@{hosts}{tail}"),
        None => format!("{scheme}://{hosts}{tail}"),
    }
}

/// A URL without the parameters tokio-postgres cannot take.
struct Extracted {
    rest: String,
    tls: TlsMode,
    root_cert: Option<PathBuf>,
    /// The `pooler` parameter, if given.
    pooler: Option<String>,
}

/// Removes `sslmode` / `sslrootcert` / `pooler` (which tokio-postgres cannot
/// take) from the URL or key/value string, returning what is left and them.
fn extract_tls_params(raw: &str) -> Result<Extracted> {
    let mut tls = TlsMode::Prefer;
    let mut root_cert = None;
    let mut pooler = None;
    let raw = raw.trim();
    if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
        let Some((base, query)) = raw.split_once('?') else {
            return Ok(Extracted {
                rest: raw.to_owned(),
                tls,
                root_cert,
                pooler,
            });
        };
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(value);
            match key {
                "sslmode" => tls = TlsMode::parse(&value)?,
                "sslrootcert" => root_cert = Some(PathBuf::from(value)),
                "pooler" => pooler = Some(value),
                "sslcert" | "sslkey" | "sslcrl" | "sslsni" | "gssencmode" => {}
                _ => kept.push(pair),
            }
        }
        let rest = if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        Ok(Extracted {
            rest,
            tls,
            root_cert,
            pooler,
        })
    } else {
        let mut kept = Vec::new();
        for part in raw.split_whitespace() {
            match part.split_once('=') {
                Some(("sslmode", v)) => tls = TlsMode::parse(v.trim_matches('\''))?,
                Some(("sslrootcert", v)) => {
                    root_cert = Some(PathBuf::from(v.trim_matches('\'')));
                }
                Some(("pooler", v)) => pooler = Some(v.trim_matches('\'').to_owned()),
                _ => kept.push(part),
            }
        }
        Ok(Extracted {
            rest: kept.join(" "),
            tls,
            root_cert,
            pooler,
        })
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(h) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(h);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The password as written in the user info of the URL `raw`
/// (`scheme://user:password@host`), before any decoding.
fn written_password(raw: &str) -> Option<&str> {
    raw.split_once("://")
        .and_then(|(_, rest)| rest.rsplit_once('@'))
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .map(|(_, p)| p)
}

/// The text that stands for a secret in every output.
pub const REDACTED: &str = "********";

/// Replaces each of `secrets` in `text` with [`REDACTED`], in order; empty
/// secrets are skipped. The one redaction: [`DatabaseUrl::redact`] and the
/// binaries' log and error redaction call it.
#[must_use]
pub fn redact_secrets<S: AsRef<str>>(text: &str, secrets: &[S]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().map(AsRef::as_ref).filter(|s| !s.is_empty()) {
        out = out.replace(secret, REDACTED);
    }
    out
}

#[cfg(test)]
mod tests;
