//! Secrets: no output of any binary (errors, logs at every level in text and
//! JSON, `--help`, usage errors, panics) contains the database password, and
//! an unreachable database ends the run with exit 2 within the connect
//! timeout, naming host and port.
//!
//! The binaries are discovered from `bins/src/bin/`, so a new binary is
//! covered as soon as it exists; [`case`] must say how to run it (the test
//! fails naming any binary it does not know).

use std::collections::BTreeSet;
use std::time::Duration;

use agent_where::testing::{TestDb, server_url, url_for_database};
use agent_where_cli::cli::{self, CommonArgs, DatabaseArgs, LogArgs, LogFormat};
use anyhow::{Context, Result};
use futures_util::StreamExt;

use crate::support::bin::{Bin, Output, package_binaries};
use crate::support::db::{user_of, with_userinfo};
use crate::support::venue::{fixture_arg, write_temp};

/// The password every URL in this file carries (raw and percent-decoded
/// forms, plus a core that survives any partial encoding).
const PW_PLAIN: &str = "MARKER-s3cret-4f9a";
const PW_ENCODED: &str = "pw%2FZq7xMARKs3cret%3A4f%409a%25";
const PW_DECODED: &str = "pw/Zq7xMARKs3cret:4f@9a%";
const PW_CORE: &str = "Zq7xMARKs3cret";
/// The password of the key/value (libpq DSN) form.
const PW_KV: &str = "kvZq7xMARKs3cret";

/// Every form of every marker; none may appear in any output.
const FORBIDDEN: [&str; 6] = [PW_PLAIN, PW_ENCODED, PW_DECODED, PW_CORE, PW_KV, "s3cret"];

/// Longest any run may take (a hung run fails the test, it does not stall it).
const DEADLINE: Duration = Duration::from_secs(60);

/// How to run one binary in this test.
struct Case {
    /// Arguments of a run that works on a migrated database.
    run: Vec<String>,
    /// Arguments and exit code of a run on an empty (not migrated) database.
    on_empty: (Vec<String>, i32),
}

/// Files the cases read.
struct Files {
    hl: String,
    pairs: String,
    prices: String,
    /// The directory of the recorded GMX responses.
    gmx: String,
    aevo: String,
    lighter: String,
    garbage: String,
}

/// THE list of binaries this test knows how to run: add a new binary here.
fn case(name: &str, f: &Files) -> Option<Case> {
    let s = |v: &[&str]| v.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
    let with = |v: &[&str], extra: &[&str]| {
        let mut all = s(v);
        all.extend(s(extra));
        all
    };
    Some(match name {
        "setup-agent-where" => {
            let run = s(&["--no-create-database"]);
            Case {
                on_empty: (with(&["--no-create-database"], &["--check"]), 1),
                run,
            }
        }
        "routing-config" => Case {
            run: s(&["show", "--format", "json"]),
            on_empty: (s(&["show"]), 2),
        },
        "routing-stats" | "route-pending-signals" => Case {
            run: s(&["--format", "json"]),
            on_empty: (s(&[]), 2),
        },
        "sync-hyperliquid-markets" => {
            let run = s(&["--from-file", &f.hl]);
            Case {
                on_empty: (run.clone(), 2),
                run,
            }
        }
        "sync-ostium-markets" => {
            let run = s(&["--pairs-file", &f.pairs, "--prices-file", &f.prices]);
            Case {
                on_empty: (run.clone(), 2),
                run,
            }
        }
        "sync-gmx-markets" => {
            let run = s(&["--from-file", &f.gmx]);
            Case {
                on_empty: (run.clone(), 2),
                run,
            }
        }
        "sync-aevo-markets" => {
            let run = s(&["--from-file", &f.aevo]);
            Case {
                on_empty: (run.clone(), 2),
                run,
            }
        }
        "sync-lighter-markets" => {
            let run = s(&["--from-file", &f.lighter]);
            Case {
                on_empty: (run.clone(), 2),
                run,
            }
        }
        // The benchmark names a server and makes its own scratch databases,
        // so it runs on a database that is not set up as well.
        "bench-routing" => {
            let run = s(&[
                "--signals",
                "40",
                "--reference-sample",
                "10",
                "--format",
                "json",
            ]);
            Case {
                on_empty: (run.clone(), 0),
                run,
            }
        }
        // Its setup step would migrate the shared not-migrated database
        // (and change what the other binaries find there), so that run uses
        // a variant refused after parsing, before connecting.
        "run-pipeline" => Case {
            run: s(&["--offline", "--no-create-database", "--format", "json"]),
            on_empty: (
                s(&["--offline", "--no-create-database", "--workers", "0"]),
                2,
            ),
        },
        _ => return None,
    })
}

/// A work failure (exit 1) of the binaries that have one besides the
/// database: a venue response that is not what the venue sends.
fn work_failure(name: &str, f: &Files) -> Option<Vec<String>> {
    match name {
        "sync-hyperliquid-markets" => Some(vec!["--from-file".into(), f.garbage.clone()]),
        "sync-ostium-markets" => Some(vec![
            "--pairs-file".into(),
            f.garbage.clone(),
            "--prices-file".into(),
            f.prices.clone(),
        ]),
        "sync-aevo-markets" | "sync-lighter-markets" => {
            Some(vec!["--from-file".into(), f.garbage.clone()])
        }
        "routing-stats" => Some(vec!["health".into()]),
        _ => None,
    }
}

/// How the URL reaches the binary.
#[derive(Clone, Copy, Debug)]
enum Via {
    Flag,
    Env,
}

/// One process run to scan.
#[derive(Debug)]
struct Spec {
    label: String,
    bin: String,
    args: Vec<String>,
    url: Option<String>,
    via: Via,
    rust_log: Option<&'static str>,
    /// Expected exit code.
    code: i32,
}

/// A finished run and what it was.
#[derive(Debug)]
struct Ran {
    spec: Spec,
    out: Output,
}

async fn execute(spec: Spec) -> Result<Ran> {
    let mut bin = Bin::new(&spec.bin).args(&spec.args).timeout(DEADLINE);
    if let Some(url) = &spec.url {
        bin = match spec.via {
            Via::Flag => bin.database(url),
            Via::Env => bin.env("DATABASE_URL", url),
        };
    }
    if let Some(level) = spec.rust_log {
        bin = bin.env("RUST_LOG", level);
    }
    let out = bin.run().await.with_context(|| spec.label.clone())?;
    Ok(Ran { spec, out })
}

/// Panics if any marker form appears in `text` (case-insensitively).
fn assert_clean(label: &str, what: &str, text: &str) {
    let lower = text.to_lowercase();
    for marker in FORBIDDEN {
        assert!(
            !lower.contains(&marker.to_lowercase()),
            "{label}: {what} contains the password marker {marker:?}:\n{text}"
        );
    }
}

/// `url` with a password (given as it appears in the URL).
fn with_password(url: &str, password: &str) -> String {
    with_userinfo(url, &user_of(url), Some(password))
}

/// A libpq key/value string for database `db` on the test server.
fn key_value(db: &str) -> String {
    let server = agent_where::db::DatabaseUrl::parse(&server_url()).expect("server URL");
    let host_port = server.host_port();
    let (host, port) = host_port.rsplit_once(':').unwrap_or((&host_port, "5432"));
    format!(
        "host={host} port={port} user={} password={PW_KV} dbname={db} connect_timeout=5",
        server.user()
    )
}

#[tokio::test]
async fn no_output_of_any_binary_contains_the_database_password() -> Result<()> {
    let files_dir = tempfile::tempdir()?;
    let files = Files {
        hl: fixture_arg("hyperliquid/metaAndAssetCtxs.json"),
        pairs: fixture_arg("ostium/pairs.graphql.json"),
        prices: fixture_arg("ostium/latest-prices.json"),
        gmx: fixture_arg("gmx"),
        aevo: fixture_arg("aevo/markets.json"),
        lighter: fixture_arg("lighter/orderBookDetails.json"),
        garbage: write_temp(
            &files_dir,
            "garbage.json",
            format!("{{\"not\": \"a venue response {PW_PLAIN}\"}}"),
        ),
    };
    let names = package_binaries();
    assert!(names.len() >= 5, "binaries found: {names:?}");
    let unknown: Vec<&String> = names.iter().filter(|n| case(n, &files).is_none()).collect();
    assert!(
        unknown.is_empty(),
        "add these binaries to `case()` in bins/tests/it/secrets.rs: {unknown:?}"
    );

    let db = TestDb::migrated().await?;
    let empty = TestDb::empty().await?;
    // Never synced and never routed: `routing-stats health` fails there
    // whatever the other runs do to `db` meanwhile.
    let quiet = TestDb::migrated().await?;
    let quiet_url = with_password(quiet.url(), PW_ENCODED);
    // A server that accepts TCP connections and never answers: only a
    // connect timeout that covers the whole handshake ends the wait.
    let silent = std::net::TcpListener::bind("127.0.0.1:0")?;
    let silent_port = silent.local_addr()?.port();

    let reachable_plain = with_password(db.url(), PW_PLAIN);
    let reachable_encoded = with_password(db.url(), PW_ENCODED);
    assert!(
        reachable_encoded.contains(PW_ENCODED),
        "{reachable_encoded}"
    );
    let missing_db = with_password(&url_for_database("aw_no_such_database_x"), PW_ENCODED);
    let unknown_role = with_userinfo(&reachable_encoded, "aw_no_such_role_x", Some(PW_ENCODED));
    let not_migrated = with_password(empty.url(), PW_ENCODED);
    let refused = format!("postgres://postgres:{PW_ENCODED}@127.0.0.1:1/x?connect_timeout=2");
    let hung =
        format!("postgres://postgres:{PW_PLAIN}@127.0.0.1:{silent_port}/x?connect_timeout=2");
    let bad_urls = [
        format!("postgres://postgres:{PW_ENCODED}@127.0.0.1:notaport/x"),
        format!("postgres://postgres:{PW_PLAIN}@127.0.0.1:5432/x?sslmode=sometimes"),
        format!("postgres://postgres:{PW_PLAIN}@127.0.0.1:5432/x?connect_timeout=soon"),
        format!("postgres://postgres:{PW_ENCODED}@[::1/x"),
        format!("host=127.0.0.1 password={PW_KV} port=oops"),
    ];

    let mut specs = Vec::new();
    for name in &names {
        let c = case(name, &files).expect("checked above");
        let spec = |label: &str, args: Vec<String>, url: &str, via: Via, code: i32| Spec {
            label: format!("{name} {label}"),
            bin: name.clone(),
            args,
            url: Some(url.to_owned()),
            via,
            rust_log: None,
            code,
        };
        let verbose = |mut args: Vec<String>, json: bool| {
            args.push("-vv".into());
            if json {
                args.extend(["--log-format".into(), "json".into()]);
            }
            args
        };
        // Help, version, usage errors: the URL is given but must not show.
        for via in [Via::Flag, Via::Env] {
            specs.push(spec(
                "--help",
                vec!["--help".into()],
                &reachable_encoded,
                via,
                0,
            ));
            specs.push(spec(
                "--version",
                vec!["--version".into()],
                &reachable_plain,
                via,
                0,
            ));
            let mut bad = c.run.clone();
            bad.push("--no-such-flag".into());
            specs.push(spec("bad flag", bad, &reachable_encoded, via, 2));
            let mut bad = c.run.clone();
            bad.extend(["--log-format".into(), "yaml".into()]);
            specs.push(spec("bad value", bad, &reachable_encoded, via, 2));
        }
        for url in &bad_urls {
            specs.push(spec(
                "bad URL",
                verbose(c.run.clone(), false),
                url,
                Via::Flag,
                2,
            ));
            specs.push(spec(
                "bad URL (env)",
                verbose(c.run.clone(), true),
                url,
                Via::Env,
                2,
            ));
        }
        for json in [false, true] {
            let fmt = if json { "json logs" } else { "text logs" };
            // Runs that work, the URL by flag and by env, and the key/value form.
            specs.push(spec(
                &format!("ok {fmt}"),
                verbose(c.run.clone(), json),
                &reachable_encoded,
                Via::Flag,
                0,
            ));
            specs.push(spec(
                &format!("ok (env) {fmt}"),
                verbose(c.run.clone(), json),
                &reachable_plain,
                Via::Env,
                0,
            ));
            specs.push(spec(
                &format!("ok (key/value) {fmt}"),
                verbose(c.run.clone(), json),
                &key_value(db.name()),
                Via::Env,
                0,
            ));
            // Runs that fail: no server, a silent server, no such database,
            // no such role, a schema not migrated, a rejected input.
            specs.push(spec(
                &format!("refused {fmt}"),
                verbose(c.run.clone(), json),
                &refused,
                Via::Flag,
                2,
            ));
            specs.push(spec(
                &format!("silent server {fmt}"),
                verbose(c.run.clone(), json),
                &hung,
                if json { Via::Env } else { Via::Flag },
                2,
            ));
            specs.push(spec(
                &format!("missing database {fmt}"),
                verbose(c.run.clone(), json),
                &missing_db,
                Via::Env,
                // The benchmark only uses the server of its URL.
                if name == "bench-routing" { 0 } else { 2 },
            ));
            specs.push(spec(
                &format!("unknown role {fmt}"),
                verbose(c.run.clone(), json),
                &unknown_role,
                Via::Flag,
                2,
            ));
            specs.push(spec(
                &format!("not migrated {fmt}"),
                verbose(c.on_empty.0.clone(), json),
                &not_migrated,
                Via::Flag,
                c.on_empty.1,
            ));
            if let Some(args) = work_failure(name, &files) {
                specs.push(spec(
                    &format!("work failure {fmt}"),
                    verbose(args, json),
                    &quiet_url,
                    Via::Env,
                    1,
                ));
            }
        }
        // Every library's own logs too (tokio-postgres, deadpool, rustls…).
        let mut all_trace = spec(
            "RUST_LOG=trace",
            c.run.clone(),
            &reachable_encoded,
            Via::Flag,
            0,
        );
        all_trace.rust_log = Some("trace");
        specs.push(all_trace);
        let mut all_trace = spec(
            "RUST_LOG=trace refused",
            c.run.clone(),
            &refused,
            Via::Env,
            2,
        );
        all_trace.rust_log = Some("trace");
        specs.push(all_trace);
    }

    let count = specs.len();
    let results: Vec<Result<Ran>> = futures_util::stream::iter(specs.into_iter().map(execute))
        .buffer_unordered(4)
        .collect()
        .await;
    let mut seen_levels = BTreeSet::new();
    for ran in results {
        let Ran { spec, out: r } = ran?;
        let label = &spec.label;
        assert_clean(label, "stdout", &r.stdout);
        assert_clean(label, "stderr", &r.stderr);
        assert_eq!(
            r.code,
            Some(spec.code),
            "{label}: exit code\nstdout: {}\nstderr: {}",
            r.stdout,
            r.stderr
        );
        if spec.code == 2 && !label.contains("bad flag") && !label.contains("bad value") {
            // Fatal errors are one `error:` line (logs may precede it).
            let errors: Vec<&str> = r
                .stderr
                .lines()
                .filter(|l| l.contains(": error: "))
                .collect();
            assert_eq!(errors.len(), 1, "{label}: {}", r.stderr);
        }
        if label.contains("refused") || label.contains("silent server") {
            let port = if label.contains("refused") {
                "127.0.0.1:1".to_owned()
            } else {
                format!("127.0.0.1:{silent_port}")
            };
            assert!(
                r.stderr.contains(&port),
                "{label}: no host:port: {}",
                r.stderr
            );
            assert!(
                r.elapsed < Duration::from_secs(10),
                "{label}: took {:?} with connect_timeout=2",
                r.elapsed
            );
        }
        if label.contains("-vv") || label.contains("logs") {
            for level in ["TRACE", "DEBUG", "INFO"] {
                if r.stderr.contains(level) {
                    seen_levels.insert(level);
                }
            }
        }
    }
    // The scan saw real logs, not silence.
    assert!(
        seen_levels.contains("DEBUG") || seen_levels.contains("TRACE"),
        "{seen_levels:?}"
    );
    assert!(count > 100, "{count} runs");

    // Nothing stored in the database carries the password either.
    let client = db.client().await?;
    let quiet_client = quiet.client().await?;
    for (client, table) in [
        (&client, "routing_runs"),
        (&client, "venue_sync_runs"),
        (&client, "agent_where_schema_history"),
        (&quiet_client, "venue_sync_runs"),
    ] {
        let rows = client
            .query(&format!("SELECT to_jsonb(t)::text FROM {table} t"), &[])
            .await?;
        for row in rows {
            assert_clean(table, "a stored row", row.get::<_, &str>(0));
        }
    }
    drop(silent);
    Ok(())
}

/// The panic hook `cli::run` installs redacts the message. No binary has a
/// panic reachable from outside, so this test runs `cli::run` with a job
/// that panics in a child process (this very test, re-executed) and scans
/// the child's stderr.
#[test]
fn a_panic_inside_a_job_prints_one_redacted_line() {
    const CHILD: &str = "AW_SECRETS_PANIC_CHILD";
    let url = format!("postgres://postgres:{PW_ENCODED}@127.0.0.1:1/x");
    if std::env::var_os(CHILD).is_some() {
        let common = CommonArgs {
            database: DatabaseArgs {
                database_url: Some(url.clone()),
                default_database: None,
            },
            log: LogArgs {
                quiet: 0,
                verbose: 2,
                log_format: LogFormat::Text,
            },
        };
        let _ = cli::run("panicking-tool", &common, || async move {
            panic!("cannot go on with {url} (password {PW_DECODED})");
        });
        return;
    }
    // The harness names a test by its module path without the crate's name.
    let (_, module) = module_path!()
        .split_once("::")
        .expect("a module of the test crate");
    let out = Bin::at(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            &format!("{module}::a_panic_inside_a_job_prints_one_redacted_line"),
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD, "1")
        .run_blocking()
        .expect("re-run the test binary");
    let (stderr, stdout) = (&out.stderr, &out.stdout);
    assert_ne!(out.code, Some(0), "the child must panic");
    assert_clean("panic", "stderr", stderr);
    assert_clean("panic", "stdout", stdout);
    let line = stderr
        .lines()
        .find(|l| l.starts_with("panicking-tool: error: internal error"))
        .unwrap_or_else(|| panic!("no panic line: {stderr}"));
    assert!(line.contains("********"), "{line}");
    assert!(line.contains("127.0.0.1:1"), "{line}");
}

/// `cli::redact` removes every form of a registered URL password.
#[test]
fn redact_removes_raw_and_decoded_passwords() {
    cli::register_secrets_of_url(&format!("postgres://u:{PW_ENCODED}@h/d"));
    cli::register_secrets_of_url(&format!("host=h password={PW_KV} dbname=d"));
    let text = format!("a {PW_ENCODED} b {PW_DECODED} c {PW_KV} d");
    let red = cli::redact(&text);
    assert_eq!(red, "a ******** b ******** c ******** d");
    let err = anyhow::anyhow!("outer: {PW_DECODED}").context(format!("ctx {PW_ENCODED}"));
    let line = cli::error_line(&err);
    assert_clean("error_line", "line", &line);
    assert!(line.starts_with("ctx ********"), "{line}");
}
