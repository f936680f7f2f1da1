//! A throwaway PgBouncer in transaction mode in front of the test server, as
//! hosted PostgreSQL users connect (Supabase, Railway, Render, Neon), for the
//! tests that must run every tool through a real pooler.
//!
//! [`PgBouncer::start`] writes its configuration and user list into a
//! private temporary directory, picks a free loopback port, starts the
//! `pgbouncer` binary in the foreground and waits until it accepts
//! connections; dropping the guard kills it and removes the directory, also
//! when the test fails. Its pool has no prepared-statement support
//! (`pool_mode = transaction` on PgBouncer 1.18 from Debian 12, or any
//! version with `max_prepared_statements = 0`): the setting under which a
//! named prepared statement breaks.
//!
//! [`binary`] finds `pgbouncer` (`AGENT_WHERE_TEST_PGBOUNCER`, `PATH`,
//! `/usr/sbin`, `/usr/bin`) and, when it is missing and this process can
//! install it (root, `apt-get` present), installs the Debian package once
//! (one installer per process; apt's own lock, waited for, orders several
//! processes). Otherwise it fails with one line saying how to install it:
//! these tests never skip silently.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};

use crate::db::DatabaseUrl;

/// Environment variable naming the `pgbouncer` executable to use.
pub const BINARY_ENV: &str = "AGENT_WHERE_TEST_PGBOUNCER";

/// What a developer runs when the tests cannot install PgBouncer themselves.
pub const INSTALL_HINT: &str = "install it with `sudo apt-get install -y pgbouncer` (Debian/Ubuntu) or `brew install pgbouncer` (macOS), or set AGENT_WHERE_TEST_PGBOUNCER to its path";

fn candidates() -> Vec<PathBuf> {
    let mut all = Vec::new();
    if let Some(path) = std::env::var_os("PATH") {
        all.extend(std::env::split_paths(&path).map(|d| d.join("pgbouncer")));
    }
    all.push(PathBuf::from("/usr/sbin/pgbouncer"));
    all.push(PathBuf::from("/usr/bin/pgbouncer"));
    all.push(PathBuf::from("/usr/local/bin/pgbouncer"));
    all
}

fn find() -> Option<PathBuf> {
    if let Some(explicit) = std::env::var_os(BINARY_ENV) {
        return Some(PathBuf::from(explicit));
    }
    candidates().into_iter().find(|p| p.is_file())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn has(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `apt-get <args>` quietly, waiting up to 5 minutes for apt's lock (another
/// test process, or another engineer's, may be installing too).
fn apt_get(args: &[&str]) -> Result<()> {
    let out = Command::new("apt-get")
        .args(["-o", "DPkg::Lock::Timeout=300", "-y", "-qq"])
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdin(Stdio::null())
        .output()
        .context("cannot run apt-get")?;
    if out.status.success() {
        Ok(())
    } else {
        bail!(
            "`apt-get {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        )
    }
}

fn install() -> Result<()> {
    if !is_root() || !has("apt-get") {
        bail!(
            "pgbouncer is not installed and this process cannot install it (needs root and apt-get): {INSTALL_HINT}"
        );
    }
    if apt_get(&["install", "pgbouncer"]).is_err() {
        // A fresh machine may have no package lists yet.
        apt_get(&["update"])?;
        apt_get(&["install", "pgbouncer"])?;
    }
    // The package may start its own service (port 6432) where services can
    // start; the tests only need the binary, so leave nothing running.
    if Path::new("/run/systemd/system").exists() {
        let _ = Command::new("systemctl")
            .args(["disable", "--now", "pgbouncer.service"])
            .output();
    }
    Ok(())
}

/// The `pgbouncer` executable, installed first if missing and possible.
pub fn binary() -> Result<PathBuf> {
    static INSTALL: Mutex<()> = Mutex::new(());
    if let Some(found) = find() {
        return Ok(found);
    }
    let _once = INSTALL
        .lock()
        .map_err(|_| anyhow!("pgbouncer installer poisoned"))?;
    if let Some(found) = find() {
        return Ok(found);
    }
    install().context("cannot install pgbouncer for the pooler tests")?;
    find().ok_or_else(|| {
        anyhow!("pgbouncer was installed but is not on PATH or in /usr/sbin: {INSTALL_HINT}")
    })
}

/// A running PgBouncer (transaction pooling) in front of the test server.
pub struct PgBouncer {
    child: Child,
    port: u16,
    dir: PathBuf,
    user: String,
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl PgBouncer {
    /// Starts PgBouncer with `pool_mode = transaction` and a server pool of
    /// `pool_size` connections per database and user, in front of the
    /// server of [`super::server_url`].
    pub fn start(pool_size: u32) -> Result<PgBouncer> {
        PgBouncer::start_mode("transaction", pool_size)
    }

    /// Starts PgBouncer with `pool_mode = session`: one server connection
    /// per client connection for as long as the client stays, at most
    /// `pool_size` of them per database and user (the others wait).
    pub fn start_session(pool_size: u32) -> Result<PgBouncer> {
        PgBouncer::start_mode("session", pool_size)
    }

    fn start_mode(mode: &str, pool_size: u32) -> Result<PgBouncer> {
        let binary = binary()?;
        let server = DatabaseUrl::parse(&super::server_url())?;
        let host_port = server.host_port();
        let (host, port) = host_port
            .rsplit_once(':')
            .ok_or_else(|| anyhow!("test server `{host_port}` has no port"))?;
        let user = server.user().to_owned();
        let mut last_error = None;
        // A port picked free may be taken before PgBouncer binds it: retry.
        for _ in 0..3 {
            let dir = private_dir()?;
            match Self::spawn(
                &binary,
                mode,
                &dir,
                host,
                port,
                &user,
                server.password(),
                pool_size,
            ) {
                Ok(bouncer) => return Ok(bouncer),
                Err(e) => {
                    let _ = std::fs::remove_dir_all(&dir);
                    last_error = Some(e);
                }
            }
        }
        Err(last_error.unwrap_or_else(|| anyhow!("cannot start pgbouncer")))
    }

    #[allow(clippy::too_many_arguments)]
    fn spawn(
        binary: &Path,
        mode: &str,
        dir: &Path,
        host: &str,
        server_port: &str,
        user: &str,
        password: Option<String>,
        pool_size: u32,
    ) -> Result<PgBouncer> {
        let port = free_port()?;
        let password = password
            .map(|p| format!(" password={p}"))
            .unwrap_or_default();
        let config = format!(
            "[databases]\n\
             * = host={host} port={server_port}{password}\n\
             [pgbouncer]\n\
             listen_addr = 127.0.0.1\n\
             listen_port = {port}\n\
             unix_socket_dir =\n\
             auth_type = trust\n\
             auth_file = {dir}/userlist.txt\n\
             pool_mode = {mode}\n\
             default_pool_size = {pool_size}\n\
             max_client_conn = 500\n\
             ignore_startup_parameters = extra_float_digits,options\n\
             logfile = {dir}/pgbouncer.log\n\
             pidfile = {dir}/pgbouncer.pid\n",
            dir = dir.display()
        );
        std::fs::write(dir.join("pgbouncer.ini"), config)?;
        std::fs::write(
            dir.join("userlist.txt"),
            format!("\"{user}\" \"\"\n\"postgres\" \"\"\n"),
        )?;
        let mut command = Command::new(binary);
        if is_root() {
            // PgBouncer refuses to run as root; its files must be readable
            // (and its log writable) by the user it switches to.
            let status = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(dir)
                .status()
                .context("cannot run chown")?;
            if !status.success() {
                bail!("cannot hand {} to the postgres user", dir.display());
            }
            command.args(["-u", "postgres"]);
        }
        let child = command
            .arg(dir.join("pgbouncer.ini"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let mut bouncer = PgBouncer {
            child,
            port,
            dir: dir.to_owned(),
            user: user.to_owned(),
        };
        bouncer.wait_ready()?;
        Ok(bouncer)
    }

    fn wait_ready(&mut self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait()? {
                let mut stderr = String::new();
                if let Some(mut pipe) = self.child.stderr.take() {
                    let _ = pipe.read_to_string(&mut stderr);
                }
                let log =
                    std::fs::read_to_string(self.dir.join("pgbouncer.log")).unwrap_or_default();
                bail!(
                    "pgbouncer exited at start ({status}): {} {}",
                    stderr.trim(),
                    log.lines().rev().take(5).collect::<Vec<_>>().join(" | ")
                );
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "pgbouncer did not listen on 127.0.0.1:{} within 15 s",
                    self.port
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The port it listens on (127.0.0.1).
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of `database` through the pooler, as the test server's user.
    #[must_use]
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{}@127.0.0.1:{}/{database}",
            self.user, self.port
        )
    }

    /// PgBouncer's log so far (for assertion messages).
    #[must_use]
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("pgbouncer.log")).unwrap_or_default()
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A new directory only we (and the user PgBouncer runs as) can read.
fn private_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "agent-where-pgbouncer-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}
