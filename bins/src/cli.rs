//! What every binary shares: the common flags (`--database-url`, `-q`, `-v`,
//! `--log-format`), logging to stderr, secret redaction, and the mapping from
//! a job's result to the process exit code (0 ok, 1 work failed, 2 fatal).
//! The only place that ends the process.

use std::io::Write;
use std::process::ExitCode;
use std::sync::{Mutex, OnceLock};

use agent_where::db::{DatabaseUrl, redact_secrets, schema};
use anyhow::Result;
use clap::Args;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

pub use crate::args::database::DatabaseArgs;
pub use crate::args::logging::{LogArgs, LogFormat};

/// The exit-code paragraph of every binary's `--help` (a macro so that
/// binaries can `concat!` it into their `after_help`).
#[macro_export]
macro_rules! exit_codes_help {
    () => {
        "Exit codes: 0 success; 1 the job ran but its work failed (a check failed, a venue response was rejected); 2 fatal (bad usage or configuration, database unreachable, schema not migrated)."
    };
}

/// How a job ended when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything done: exit 0.
    Success,
    /// The job ran but some or all of its work failed: exit 1.
    Failed,
}

/// An error that means "the job ran but its work failed": exit 1, not 2.
/// Example: a venue response rejected by a sync.
#[derive(Debug)]
pub struct WorkFailed(pub anyhow::Error);

impl std::fmt::Display for WorkFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for WorkFailed {}

/// Marks an error as a work failure (exit 1).
#[must_use]
pub fn work_failed(e: anyhow::Error) -> anyhow::Error {
    anyhow::Error::new(WorkFailed(e))
}

/// Flags shared by every binary: the database and logging groups.
#[derive(Debug, Clone, Default, Args)]
pub struct CommonArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

impl CommonArgs {
    /// The database URL (see [`DatabaseArgs::resolve`]).
    pub fn database_url(&self) -> Result<DatabaseUrl> {
        self.database.resolve()
    }

    /// Connects and checks the schema is this build's (all but setup do this).
    pub async fn connect_checked(&self) -> Result<(DatabaseUrl, tokio_postgres::Client)> {
        let url = self.database_url()?;
        let client = url.connect().await?;
        schema::ensure_current(&client).await?;
        Ok((url, client))
    }

    /// Opens a pool of `size` connections and checks the schema.
    pub async fn pool_checked(
        &self,
        size: usize,
    ) -> Result<(DatabaseUrl, deadpool_postgres::Pool)> {
        let url = self.database_url()?;
        let pool = url.pool(size).await?;
        {
            let client = pool.get().await?;
            schema::ensure_current(&client).await?;
        }
        Ok((url, pool))
    }

    /// Whether progress bars and spinners may be drawn (never when quiet).
    #[must_use]
    pub fn show_progress(&self) -> bool {
        self.log.quiet == 0
    }
}

fn secrets() -> &'static Mutex<Vec<String>> {
    static SECRETS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    SECRETS.get_or_init(|| Mutex::new(Vec::new()))
}

/// Registers a string that must never appear in any output.
pub fn register_secret(secret: &str) {
    if secret.len() >= 2
        && let Ok(mut all) = secrets().lock()
        && !all.iter().any(|s| s == secret)
    {
        all.push(secret.to_owned());
    }
}

/// Registers the password of a database URL (URL or key/value form), raw and
/// percent-decoded.
pub fn register_secrets_of_url(raw: &str) {
    for p in DatabaseUrl::secrets_of(raw) {
        register_secret(&p);
    }
}

/// Replaces every registered secret in `text`.
#[must_use]
pub fn redact(text: &str) -> String {
    match secrets().lock() {
        Ok(all) => redact_secrets(text, all.as_slice()),
        Err(_) => text.to_owned(),
    }
}

/// A stderr writer that redacts secrets from every log line.
#[derive(Clone, Copy)]
struct RedactingStderr;

impl Write for RedactingStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        std::io::stderr().write_all(redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

impl<'a> MakeWriter<'a> for RedactingStderr {
    type Writer = RedactingStderr;

    fn make_writer(&'a self) -> Self::Writer {
        *self
    }
}

/// The log filter for `-q`/`-v`: our own crates at `own`, every library
/// (tokio-postgres, deadpool, refinery, hyper, rustls) at `libraries`. The
/// libraries stay silent unless `-v` is given: at the default level a failure
/// is reported once, by the one error line (their warnings, e.g. deadpool's
/// `Connection error` when a connection is lost, repeat it).
fn log_filter(quiet: u8, verbose: u8) -> String {
    let (own, libraries) = match (quiet, verbose) {
        (q, _) if q >= 2 => ("error", "off"),
        (1, _) => ("warn", "off"),
        (_, 0) => ("info", "off"),
        (_, 1) => ("debug", "warn"),
        _ => ("trace", "info"),
    };
    format!("agent_where={own},agent_where_cli={own},{libraries}")
}

fn init_logging(common: &CommonArgs) {
    let own = log_filter(common.log.quiet, common.log.verbose);
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(own));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(RedactingStderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false);
    let _ = match common.log.log_format {
        LogFormat::Text => builder.compact().try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// The one-line error text: the whole cause chain, newlines folded, secrets redacted.
#[must_use]
pub fn error_line(e: &anyhow::Error) -> String {
    let text = format!("{e:#}");
    redact(&text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Runs a binary: parses nothing (the caller did), sets up logging, redaction
/// and the runtime, runs the job and maps the result to the exit code.
pub fn run<F, Fut>(binary: &str, common: &CommonArgs, job: F) -> ExitCode
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Outcome>>,
{
    if let Some(raw) = &common.database.database_url {
        register_secrets_of_url(raw);
    }
    if let Ok(password) = std::env::var("PGPASSWORD") {
        register_secret(&password);
    }
    let panicking = binary.to_owned();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "{panicking}: error: internal error (please report it): {}{location}",
            redact(&message)
        );
    }));
    init_logging(common);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{binary}: error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(job());
    // Do not wait for connection tasks that are still draining.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        // The reader of stdout went away (`… | head -1`): it took what it
        // wanted; not an error, nothing to say.
        Err(_) if crate::output::stdout_closed() => ExitCode::SUCCESS,
        Ok(Outcome::Failed) => ExitCode::from(1),
        Err(e) => {
            eprintln!("{binary}: error: {}", error_line(&e));
            if e.downcast_ref::<WorkFailed>().is_some() {
                ExitCode::from(1)
            } else {
                ExitCode::from(2)
            }
        }
    }
}
