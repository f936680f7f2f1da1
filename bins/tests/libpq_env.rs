//! Without `--database-url` / `DATABASE_URL`, the tools read `PGHOST`,
//! `PGPORT`, `PGDATABASE` and `PGUSER` as libpq does (and a URL's own values
//! win over them).

use std::time::Duration;

use agent_where::testing::TestDb;
use anyhow::{Result, anyhow};
use serde_json::Value;

const SETUP: &str = env!("CARGO_BIN_EXE_setup-agent-where");

/// Host, port and user of the test server, from its URL.
fn server_parts() -> (String, String, String) {
    let url = agent_where::db::DatabaseUrl::parse(&agent_where::testing::server_url())
        .expect("test server URL");
    let host_port = url.host_port();
    let (host, port) = host_port.rsplit_once(':').expect("host:port");
    (host.to_owned(), port.to_owned(), url.user().to_owned())
}

async fn check(envs: &[(&str, &str)], args: &[&str]) -> Result<(i32, String, String)> {
    let mut cmd = tokio::process::Command::new(SETUP);
    cmd.args(["--check", "--format", "json"])
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("RUST_LOG")
        .env_remove("PGHOST")
        .env_remove("PGPORT")
        .env_remove("PGDATABASE")
        .env_remove("PGUSER")
        .envs(envs.iter().copied())
        .kill_on_drop(true);
    let out = tokio::time::timeout(Duration::from_secs(60), cmd.output())
        .await
        .map_err(|_| anyhow!("setup-agent-where --check timed out"))??;
    Ok((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

#[tokio::test]
async fn pghost_pgport_pgdatabase_and_pguser_are_read_as_libpq_does() -> Result<()> {
    let db = TestDb::migrated().await?;
    let setup = tokio::process::Command::new(SETUP)
        .args(["--database-url", db.url(), "-q"])
        .env_remove("DATABASE_URL")
        .output()
        .await?;
    assert!(
        setup.status.success(),
        "{}",
        String::from_utf8_lossy(&setup.stderr)
    );
    let (host, port, user) = server_parts();
    let envs = [
        ("PGHOST", host.as_str()),
        ("PGPORT", port.as_str()),
        ("PGDATABASE", db.name()),
        ("PGUSER", user.as_str()),
    ];
    let (code, stdout, stderr) = check(&envs, &[]).await?;
    assert_eq!(code, 0, "stdout: {stdout}\nstderr: {stderr}");
    let report: Value = serde_json::from_str(&stdout)?;
    assert_eq!(
        report["database"],
        format!("postgres://{user}@{host}:{port}/{}", db.name()),
        "{stdout}"
    );
    assert_eq!(report["up_to_date"], true, "{stdout}");

    // A URL without host, port or database takes them from the environment too.
    let (code, stdout, stderr) = check(&envs, &["--database-url", "postgres://"]).await?;
    assert_eq!(code, 0, "stdout: {stdout}\nstderr: {stderr}");

    // The URL's own values win: its database does not exist, so --check fails
    // naming that database, not PGDATABASE's.
    let (code, _, stderr) = check(
        &envs,
        &[
            "--database-url",
            "postgres:///aw_no_such_database_libpq_env",
        ],
    )
    .await?;
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("aw_no_such_database_libpq_env"), "{stderr}");

    // A bad PGPORT is a one-line usage error naming the variable.
    let bad = [("PGPORT", "not-a-port"), ("PGDATABASE", db.name())];
    let (code, _, stderr) = check(&bad, &[]).await?;
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("PGPORT"), "{stderr}");
    Ok(())
}
