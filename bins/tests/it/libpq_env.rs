//! Without `--database-url` / `DATABASE_URL`, the tools read `PGHOST`,
//! `PGPORT`, `PGDATABASE` and `PGUSER` as libpq does (and a URL's own values
//! win over them).

use agent_where::db::DatabaseUrl;
use agent_where::testing::{TestDb, server_url};
use anyhow::Result;

use crate::support::bin::{Bin, Output, run};

/// Host, port and user of the test server, from its URL.
fn server_parts() -> (String, String, String) {
    let url = DatabaseUrl::parse(&server_url()).expect("test server URL");
    let host_port = url.host_port();
    let (host, port) = host_port.rsplit_once(':').expect("host:port");
    (host.to_owned(), port.to_owned(), url.user().to_owned())
}

/// `setup-agent-where --check --format json` with only `envs` of the libpq
/// variables set.
async fn check(envs: &[(&str, &str)], args: &[&str]) -> Result<Output> {
    let mut bin = Bin::new("setup-agent-where").args(["--check", "--format", "json"]);
    for var in ["PGHOST", "PGPORT", "PGDATABASE", "PGUSER"] {
        bin = bin.env_remove(var);
    }
    for (key, value) in envs {
        bin = bin.env(key, value);
    }
    bin.args(args).run().await
}

#[tokio::test]
async fn pghost_pgport_pgdatabase_and_pguser_are_read_as_libpq_does() -> Result<()> {
    let db = TestDb::migrated().await?;
    run("setup-agent-where", db.url(), &["-q"])
        .await?
        .expect_code(0, "setup");
    let (host, port, user) = server_parts();
    let envs = [
        ("PGHOST", host.as_str()),
        ("PGPORT", port.as_str()),
        ("PGDATABASE", db.name()),
        ("PGUSER", user.as_str()),
    ];
    let out = check(&envs, &[]).await?;
    out.expect_code(0, "no URL: the libpq variables");
    let report = out.json();
    assert_eq!(
        report["database"],
        format!("postgres://{user}@{host}:{port}/{}", db.name()),
        "{}",
        out.show()
    );
    assert_eq!(report["up_to_date"], true, "{}", out.show());

    // A URL without host, port or database takes them from the environment too.
    check(&envs, &["--database-url", "postgres://"])
        .await?
        .expect_code(0, "an empty URL");

    // The URL's own values win: its database does not exist, so --check fails
    // naming that database, not PGDATABASE's.
    let out = check(
        &envs,
        &[
            "--database-url",
            "postgres:///aw_no_such_database_libpq_env",
        ],
    )
    .await?;
    out.expect_code(1, "the URL's database");
    assert!(
        out.stderr.contains("aw_no_such_database_libpq_env"),
        "{}",
        out.show()
    );

    // A bad PGPORT is a one-line usage error naming the variable.
    let out = check(&[("PGPORT", "not-a-port"), ("PGDATABASE", db.name())], &[]).await?;
    out.expect_code(2, "a bad PGPORT");
    assert_eq!(out.stderr.trim_end().lines().count(), 1, "{}", out.show());
    assert!(out.stderr.contains("PGPORT"), "{}", out.show());
    Ok(())
}
