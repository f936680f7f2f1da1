//! Every binary whose stdout reader goes away (`… | head -1`) ends quietly:
//! exit 0, nothing on stderr (no panic message, no error line).

use anyhow::Result;

use crate::route_pending_signals::setup;
use crate::support::bin::{Bin, Output};

/// Runs `name args… --database-url url` with stdout already closed.
async fn closed(name: &str, url: &str, args: &[&str]) -> Result<Output> {
    Bin::new(name)
        .args(args)
        .database(url)
        .run_with_stdout_closed()
        .await
}

fn assert_quiet(out: &Output, what: &str) {
    assert_eq!(out.code, Some(0), "{what}: exit code\n{}", out.show());
    assert_eq!(out.stderr, "", "{what}: stderr\n{}", out.show());
}

#[tokio::test]
async fn broken_pipe_on_stdout_exits_0_quietly_for_every_printing_binary() -> Result<()> {
    let (db, _client, _agent) = setup(12).await?;
    let runs: [(&str, &[&str]); 6] = [
        ("route-pending-signals", &["--dry-run", "-q"]),
        (
            "route-pending-signals",
            &["--dry-run", "--format", "json", "-q"],
        ),
        ("routing-config", &["show", "-q"]),
        ("routing-config", &["list", "--format", "json", "-q"]),
        ("routing-stats", &["-q"]),
        ("routing-stats", &["export", "-q"]),
    ];
    for (name, args) in runs {
        let out = closed(name, db.url(), args).await?;
        assert_quiet(&out, &format!("{name} {}", args.join(" ")));
    }
    Ok(())
}

#[tokio::test]
async fn broken_pipe_after_routing_keeps_the_work_and_exits_0() -> Result<()> {
    let (db, client, _agent) = setup(12).await?;
    let out = closed("route-pending-signals", db.url(), &["-q"]).await?;
    assert_quiet(&out, "route-pending-signals");
    let pending = crate::support::routing::pending(&client).await?;
    assert_eq!(
        pending, 0,
        "every signal routed before the summary was printed"
    );
    Ok(())
}
