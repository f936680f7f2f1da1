//! TLS to PostgreSQL: `sslmode=require` and `verify-full` against a throwaway
//! TLS-only cluster with a self-signed CA, and a clear failure for the wrong CA.
//! The cluster runs on a spare loopback port and is stopped when the test ends.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::bin::{Bin, Output};

/// Runs a system tool (openssl, PostgreSQL's own) and asserts it succeeded.
fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn pg_bindir() -> PathBuf {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return dir;
        }
    }
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| {
            rd.filter_map(std::result::Result::ok)
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    candidates.sort();
    candidates
        .into_iter()
        .rev()
        .find(|p| p.join("initdb").exists())
        .expect("PostgreSQL server binaries (initdb) are installed")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs a PostgreSQL tool as the `postgres` user when we are root (the
/// server refuses to run as root), else as ourselves.
fn pg_command(bindir: &Path, tool: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bindir.join(tool));
        c
    } else {
        Command::new(bindir.join(tool))
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    run(Command::new("openssl").current_dir(dir).args(args));
}

/// Makes a CA and a server certificate signed by it for 127.0.0.1/localhost.
fn make_certs(dir: &Path, ca: &str, with_server: bool) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN={ca}"),
            "-keyout",
            &format!("{ca}.key"),
            "-out",
            &format!("{ca}.pem"),
        ],
    );
    if with_server {
        std::fs::write(
            dir.join("san.ext"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
        )
        .expect("write san.ext");
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                &format!("{ca}.pem"),
                "-CAkey",
                &format!("{ca}.key"),
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                "san.ext",
                "-out",
                "server.crt",
            ],
        );
    }
}

struct Cluster {
    bindir: PathBuf,
    data: PathBuf,
    port: u16,
    _dir: tempfile::TempDir,
    certs: PathBuf,
}

impl Cluster {
    fn start() -> Cluster {
        let bindir = pg_bindir();
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().to_owned();
        let data = root.join("data");
        let certs = root.join("certs");
        std::fs::create_dir_all(&certs).expect("mkdir certs");
        make_certs(&certs, "agent-where-test-ca", true);
        make_certs(&certs, "some-other-ca", false);
        if is_root() {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&root));
        }
        run(Command::new("chmod")
            .arg("0600")
            .arg(certs.join("server.key")));
        run(Command::new("chmod").arg("0755").arg(&root).arg(&certs));
        for f in ["agent-where-test-ca.pem", "some-other-ca.pem"] {
            run(Command::new("chmod").arg("0644").arg(certs.join(f)));
        }
        run(pg_command(&bindir, "initdb")
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-D"])
            .arg(&data));
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("spare port")
            .port();
        let conf = format!(
            "port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{root}'\n\
             ssl = on\nssl_cert_file = '{certs}/server.crt'\nssl_key_file = '{certs}/server.key'\n\
             fsync = off\nshared_buffers = 16MB\nmax_connections = 20\n",
            root = root.display(),
            certs = certs.display()
        );
        let conf_path = data.join("postgresql.conf");
        let mut existing = std::fs::read_to_string(&conf_path).expect("read postgresql.conf");
        existing.push_str(&conf);
        std::fs::write(&conf_path, existing).expect("write postgresql.conf");
        std::fs::write(
            data.join("pg_hba.conf"),
            "hostssl all aw_password_user 127.0.0.1/32 scram-sha-256\n\
             hostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\nlocal all all trust\n",
        )
        .expect("write pg_hba.conf");
        run(pg_command(&bindir, "pg_ctl")
            .args(["-w", "-t", "60", "-D"])
            .arg(&data)
            .arg("-l")
            .arg(root.join("server.log"))
            .arg("start"));
        Cluster {
            bindir,
            data,
            port,
            _dir: dir,
            certs,
        }
    }

    fn url(&self, params: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/agent_where_tls?{params}",
            self.port
        )
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = pg_command(&self.bindir, "pg_ctl")
            .args(["-m", "immediate", "-D"])
            .arg(&self.data)
            .arg("stop")
            .output();
    }
}

/// `setup-agent-where --database-url url args…` with `PGPASSWORD` set to
/// `pgpassword`, or unset.
fn setup_with(url: &str, args: &[&str], pgpassword: Option<&str>) -> Output {
    let bin = Bin::new("setup-agent-where").database(url).args(args);
    let bin = match pgpassword {
        Some(password) => bin.env("PGPASSWORD", password),
        None => bin.env_remove("PGPASSWORD"),
    };
    bin.run_blocking().expect("run setup-agent-where")
}

fn setup(url: &str) -> Output {
    setup_with(url, &["--format", "json"], None)
}

#[test]
fn tls_modes_against_a_tls_only_server() {
    let cluster = Cluster::start();
    let ca = cluster.certs.join("agent-where-test-ca.pem");
    let wrong_ca = cluster.certs.join("some-other-ca.pem");

    // require: encrypted, certificate not verified.
    let out = setup(&cluster.url("sslmode=require"));
    assert_eq!(out.code, Some(0), "sslmode=require: {}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json report");
    assert_eq!(report["up_to_date"], true);

    // verify-full with the right CA and a certificate for 127.0.0.1.
    let out = setup(&cluster.url(&format!("sslmode=verify-full&sslrootcert={}", ca.display())));
    assert_eq!(out.code, Some(0), "sslmode=verify-full: {}", out.stderr);

    // verify-ca checks the chain only.
    let out = setup(&cluster.url(&format!("sslmode=verify-ca&sslrootcert={}", ca.display())));
    assert_eq!(out.code, Some(0), "{}", out.stderr);

    // verify-full with the wrong CA: exit 2, one clear line naming the server.
    let out = setup(&cluster.url(&format!(
        "sslmode=verify-full&sslrootcert={}",
        wrong_ca.display()
    )));
    assert_eq!(out.code, Some(2));
    let stderr = &out.stderr;
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("127.0.0.1:{}", cluster.port)) && stderr.contains("certificate"),
        "{stderr}"
    );

    // Without TLS the server refuses us (hostnossl reject): exit 2.
    let out = setup(&cluster.url("sslmode=disable"));
    assert_eq!(out.code, Some(2), "{}", out.stderr);
}

/// A URL without a password takes it from `PGPASSWORD`, as libpq does, and
/// the password never shows in any output.
#[test]
fn password_from_pgpassword() {
    let cluster = Cluster::start();
    let password = "pgpassword-marker-7c1e";
    let admin = format!(
        "postgres://postgres@127.0.0.1:{}/postgres?sslmode=require",
        cluster.port
    );
    let out = Command::new("psql")
        .args([
            admin.as_str(),
            "-qAtc",
            &format!("CREATE ROLE aw_password_user LOGIN SUPERUSER PASSWORD '{password}'"),
        ])
        .output()
        .expect("run psql");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = format!(
        "postgres://aw_password_user@127.0.0.1:{}/agent_where_pw?sslmode=require",
        cluster.port
    );
    let without = setup(&url);
    assert_eq!(without.code, Some(2), "no password must fail");
    let with = setup_with(&url, &["--format", "json", "-vv"], Some(password));
    let all = format!("{}{}", with.stdout, with.stderr);
    assert_eq!(with.code, Some(0), "{all}");
    assert!(!all.contains(password), "password leaked: {all}");
    let wrong = setup_with(&url, &[], Some("not-the-password-marker"));
    assert_eq!(wrong.code, Some(2));
    assert!(!wrong.stderr.contains("not-the-password-marker"));
}
