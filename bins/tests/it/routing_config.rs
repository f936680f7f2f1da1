//! `routing-config` against the real PostgreSQL: every rejected input exits 2
//! with one line naming the bad value and writes nothing; the happy paths of
//! show / set / list / remove, overrides and each precedence level; the one
//! global row; the schema check.

use std::time::Duration;

use agent_where::db::config::ensure_global_default;
use agent_where::testing::TestDb;
use anyhow::Result;
use serde_json::Value;
use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

use crate::support::bin::{Bin, Output};
use crate::support::db::dump_rows;
use crate::support::routing::insert_agent_with;

/// `routing-config args… --database-url url`, logging warnings only.
async fn rc(db: &TestDb, args: &[&str]) -> Result<Output> {
    Bin::new("routing-config")
        .args(args)
        .database(db.url())
        .env("RUST_LOG", "warn")
        .timeout(Duration::from_secs(60))
        .run()
        .await
}

async fn ok_json(db: &TestDb, args: &[&str]) -> Result<Value> {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let run = rc(db, &all).await?;
    assert_eq!(run.code, Some(0), "{args:?}: {}", run.stderr);
    Ok(serde_json::from_str(&run.stdout)?)
}

/// A migrated database with the default global row, a MULTI agent (with a
/// config row and an override), another MULTI agent, and a HYPERLIQUID agent.
struct Fixture {
    db: TestDb,
    client: Client,
    multi: String,
    multi2: String,
    hyperliquid: String,
}

async fn fixture() -> Result<Fixture> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    ensure_global_default(&client).await?;
    let multi = insert_agent_with(&client, "multi-bot", "MULTI")
        .await?
        .to_string();
    let multi2 = insert_agent_with(&client, "multi-two", "MULTI")
        .await?
        .to_string();
    let hyperliquid = insert_agent_with(&client, "hl-bot", "HYPERLIQUID")
        .await?
        .to_string();
    Ok(Fixture {
        db,
        client,
        multi,
        multi2,
        hyperliquid,
    })
}

#[tokio::test]
async fn invalid_inputs_exit_2_name_the_value_and_write_nothing() -> Result<()> {
    let f = fixture().await?;
    let ok = rc(
        &f.db,
        &[
            "set",
            "--agent",
            &f.multi,
            "--priority",
            "OSTIUM",
            "--strategy",
            "LOWEST_FEES",
        ],
    )
    .await?;
    assert_eq!(ok.code, Some(0), "{}", ok.stderr);
    let ok = rc(&f.db, &["set", "--token", "SPX", "--priority", "OSTIUM"]).await?;
    assert_eq!(ok.code, Some(0), "{}", ok.stderr);
    let missing = "5f0c1a7e-0000-4000-8000-00000000abcd";
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["set", "--priority", ""], "--priority is empty"),
        (vec!["set", "--priority", " , "], "has an empty entry"),
        (
            vec!["set", "--priority", "HYPERLIQUID,OSTIUM,HYPERLIQUID"],
            "venue `HYPERLIQUID` appears more than once",
        ),
        (
            vec!["set", "--priority", "OSTIUM,BINANCE"],
            "unknown venue `BINANCE`",
        ),
        (
            vec!["set", "--priority", "MULTI"],
            "`MULTI` cannot be in --priority",
        ),
        (vec!["set", "--priority", "HYPERLIQUID,MULTI"], "`MULTI`"),
        (
            vec!["set", "--priority", "HYPERLIQUID,SPOT"],
            "venue `SPOT` in --priority is not supported: Agent Where syncs only HYPERLIQUID, OSTIUM, GMX, AEVO and LIGHTER",
        ),
        (vec!["set", "--priority", "SPOT"], "venue `SPOT`"),
        (
            vec!["set", "--priority", "OSTIUM", "--strategy", "CHEAPEST"],
            "unknown --strategy `CHEAPEST`",
        ),
        (
            vec!["set", "--priority", "OSTIUM", "--failover", "maybe"],
            "invalid --failover `maybe`",
        ),
        (
            vec!["set", "--agent", "not-a-uuid", "--priority", "OSTIUM"],
            "invalid --agent `not-a-uuid`",
        ),
        (
            vec!["set", "--agent", missing, "--priority", "OSTIUM"],
            "does not exist",
        ),
        (
            vec!["set", "--agent", &f.hyperliquid, "--priority", "OSTIUM"],
            "has venue `HYPERLIQUID`",
        ),
        (
            vec![
                "set",
                "--agent",
                &f.hyperliquid,
                "--token",
                "SPX",
                "--priority",
                "OSTIUM",
            ],
            "has venue `HYPERLIQUID`",
        ),
        (
            vec!["set", "--agent", &f.multi, "--priority", "OSTIUM,FOO"],
            "unknown venue `FOO`",
        ),
        (
            vec![
                "set",
                "--agent",
                &f.multi,
                "--priority",
                "OSTIUM",
                "--failover",
                "yes please",
            ],
            "invalid --failover `yes please`",
        ),
        (
            vec![
                "set",
                "--token",
                "SPX",
                "--priority",
                "OSTIUM",
                "--strategy",
                "LOWEST_FEES",
            ],
            "--strategy `LOWEST_FEES` cannot be used with --token",
        ),
        (
            vec![
                "set",
                "--token",
                "SPX",
                "--priority",
                "OSTIUM",
                "--failover",
                "false",
            ],
            "--failover `false` cannot be used with --token",
        ),
        (
            vec![
                "set",
                "--token",
                "BTC'; DROP TABLE signals",
                "--priority",
                "OSTIUM",
            ],
            "invalid --token `BTC'; DROP TABLE signals`",
        ),
        (
            vec!["set", "--token", "$", "--priority", "OSTIUM"],
            "invalid --token `$`",
        ),
        (
            vec!["set", "--token", "SPX", "--priority", "OSTIUM,OSTIUM"],
            "venue `OSTIUM` appears more than once",
        ),
        (vec!["remove"], "the global config cannot be removed"),
        (vec!["remove", "--agent", "xyz"], "invalid --agent `xyz`"),
        (vec!["remove", "--agent", missing], "does not exist"),
        (vec!["show", "--agent", "xyz"], "invalid --agent `xyz`"),
    ];
    let config_before = dump_rows(&f.client, "venue_routing_config").await?;
    let overrides_before = dump_rows(&f.client, "venue_routing_overrides").await?;
    for (args, want) in cases {
        let run = rc(&f.db, &args).await?;
        assert_eq!(run.code, Some(2), "{args:?}: stderr {}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.starts_with("routing-config: error: ") && run.stderr.contains(want),
            "{args:?}: want {want:?} in {}",
            run.stderr
        );
        assert_eq!(
            dump_rows(&f.client, "venue_routing_config").await?,
            config_before,
            "{args:?} changed venue_routing_config"
        );
        assert_eq!(
            dump_rows(&f.client, "venue_routing_overrides").await?,
            overrides_before,
            "{args:?} changed venue_routing_overrides"
        );
    }
    Ok(())
}

#[tokio::test]
async fn only_one_global_row_is_possible() -> Result<()> {
    let f = fixture().await?;
    let err = f
        .client
        .execute(
            "INSERT INTO venue_routing_config (agent_id, venue_priority) VALUES (NULL, '{OSTIUM}')",
            &[],
        )
        .await
        .expect_err("a second global row must be refused");
    assert_eq!(err.code(), Some(&SqlState::UNIQUE_VIOLATION));
    Ok(())
}

#[tokio::test]
async fn concurrent_global_sets_leave_exactly_one_global_row() -> Result<()> {
    let db = TestDb::migrated().await?; // no global row yet
    let priorities = [
        "OSTIUM",
        "HYPERLIQUID",
        "OSTIUM,HYPERLIQUID",
        "HYPERLIQUID,OSTIUM",
    ];
    let runs = futures_util::future::join_all(
        priorities
            .iter()
            .map(|p| async { rc(&db, &["set", "--priority", p]).await }),
    )
    .await;
    for run in runs {
        let run = run?;
        assert_eq!(run.code, Some(0), "{}", run.stderr);
    }
    let client = db.client().await?;
    let n: i64 = client
        .query_one(
            "SELECT count(*) FROM venue_routing_config WHERE agent_id IS NULL",
            &[],
        )
        .await?
        .get(0);
    assert_eq!(n, 1);
    Ok(())
}

#[tokio::test]
async fn refuses_a_schema_that_is_behind() -> Result<()> {
    let db = TestDb::empty().await?;
    for args in [
        vec!["list"],
        vec!["show"],
        vec!["set", "--priority", "OSTIUM"],
    ] {
        let run = rc(&db, &args).await?;
        assert_eq!(run.code, Some(2), "{args:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(
            run.stderr.contains("run `setup-agent-where`"),
            "{}",
            run.stderr
        );
    }
    Ok(())
}

async fn updated_at(client: &Client, agent: &str) -> Result<Value> {
    Ok(client
        .query_one(
            "SELECT to_jsonb(updated_at) FROM venue_routing_config WHERE agent_id = $1::text::uuid",
            &[&agent],
        )
        .await?
        .get(0))
}

#[tokio::test]
async fn set_show_list_remove_and_every_precedence_level() -> Result<()> {
    let f = fixture().await?;
    let db = &f.db;

    // Global level: the default row setup created.
    let show = ok_json(db, &["show"]).await?;
    assert_eq!(show["source"], "global");
    assert_eq!(
        show["venue_priority"],
        serde_json::json!(["HYPERLIQUID", "OSTIUM"])
    );

    // A new agent row takes the defaults for omitted strategy / failover.
    let set = ok_json(
        db,
        &[
            "set",
            "--agent",
            &f.multi,
            "--priority",
            "ostium,hyperliquid",
        ],
    )
    .await?;
    assert_eq!(set["action"], "created");
    assert_eq!(set["level"], "agent");
    assert_eq!(
        set["venue_priority"],
        serde_json::json!(["OSTIUM", "HYPERLIQUID"])
    );
    assert_eq!(set["routing_strategy"], "FIRST_AVAILABLE");
    assert_eq!(set["failover_enabled"], true);

    let set = ok_json(
        db,
        &[
            "set",
            "--agent",
            &f.multi,
            "--priority",
            "OSTIUM",
            "--strategy",
            "best_liquidity",
            "--failover",
            "false",
        ],
    )
    .await?;
    assert_eq!(set["action"], "updated");
    let stamp = updated_at(&f.client, &f.multi).await?;

    // An existing row keeps its strategy and failover when they are omitted;
    // an identical set changes nothing, not even updated_at.
    let set = ok_json(db, &["set", "--agent", &f.multi, "--priority", "OSTIUM"]).await?;
    assert_eq!(set["action"], "unchanged");
    assert_eq!(set["routing_strategy"], "BEST_LIQUIDITY");
    assert_eq!(set["failover_enabled"], false);
    assert_eq!(updated_at(&f.client, &f.multi).await?, stamp);
    let set = ok_json(
        db,
        &[
            "set",
            "--agent",
            &f.multi,
            "--priority",
            "OSTIUM,HYPERLIQUID",
        ],
    )
    .await?;
    assert_eq!(set["action"], "updated");
    assert_eq!(set["routing_strategy"], "BEST_LIQUIDITY");
    assert_ne!(updated_at(&f.client, &f.multi).await?, stamp);

    // Overrides: symbols are stored canonical.
    let set = ok_json(
        db,
        &[
            "set",
            "--agent",
            &f.multi,
            "--token",
            " $spx ",
            "--priority",
            "HYPERLIQUID",
        ],
    )
    .await?;
    assert_eq!(set["action"], "created");
    assert_eq!(set["level"], "agent_token");
    assert_eq!(set["token_symbol"], "SPX");
    assert_eq!(set["routing_strategy"], Value::Null);
    let set = ok_json(db, &["set", "--token", "SPX", "--priority", "OSTIUM"]).await?;
    assert_eq!(set["level"], "global_token");
    let set = ok_json(
        db,
        &[
            "set",
            "--priority",
            "HYPERLIQUID,OSTIUM",
            "--strategy",
            "LOWEST_FEES",
        ],
    )
    .await?;
    assert_eq!(set["action"], "updated");
    assert_eq!(set["level"], "global");

    // Each precedence level, and where strategy/failover come from.
    for (agent, token, source, priority, strategy, failover) in [
        (
            Some(&f.multi),
            Some("spx"),
            "agent_token",
            vec!["HYPERLIQUID"],
            "BEST_LIQUIDITY",
            false,
        ),
        (
            Some(&f.multi),
            Some("ETH"),
            "agent",
            vec!["OSTIUM", "HYPERLIQUID"],
            "BEST_LIQUIDITY",
            false,
        ),
        (
            Some(&f.multi),
            None,
            "agent",
            vec!["OSTIUM", "HYPERLIQUID"],
            "BEST_LIQUIDITY",
            false,
        ),
        (
            Some(&f.multi2),
            Some("SPX"),
            "global_token",
            vec!["OSTIUM"],
            "LOWEST_FEES",
            true,
        ),
        (
            None,
            Some("SPX"),
            "global_token",
            vec!["OSTIUM"],
            "LOWEST_FEES",
            true,
        ),
        (
            Some(&f.multi2),
            Some("BTC"),
            "global",
            vec!["HYPERLIQUID", "OSTIUM"],
            "LOWEST_FEES",
            true,
        ),
        (
            None,
            None,
            "global",
            vec!["HYPERLIQUID", "OSTIUM"],
            "LOWEST_FEES",
            true,
        ),
    ] {
        let mut args = vec!["show"];
        if let Some(a) = agent {
            args.extend(["--agent", a.as_str()]);
        }
        if let Some(t) = token {
            args.extend(["--token", t]);
        }
        let show = ok_json(db, &args).await?;
        assert_eq!(show["source"], source, "{args:?}");
        assert_eq!(
            show["venue_priority"],
            serde_json::json!(priority),
            "{args:?}"
        );
        assert_eq!(show["routing_strategy"], strategy, "{args:?}");
        assert_eq!(show["failover_enabled"], failover, "{args:?}");
        assert_eq!(show["notes"], serde_json::json!([]), "{args:?}");
    }

    // The table form names the source and every level.
    let table = rc(db, &["show", "--agent", &f.multi, "--token", "SPX"]).await?;
    assert_eq!(table.code, Some(0));
    let lines: Vec<String> = table
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    for want in [
        "source agent_token",
        "level agent_token HYPERLIQUID",
        "level agent OSTIUM,HYPERLIQUID / BEST_LIQUIDITY / failover off",
        "level global_token OSTIUM",
        "level global HYPERLIQUID,OSTIUM / LOWEST_FEES / failover on",
    ] {
        assert!(
            lines.iter().any(|l| l == want),
            "{want:?} in\n{}",
            table.stdout
        );
    }

    // list: every row and override, global first.
    let list = ok_json(db, &["list"]).await?;
    let levels: Vec<&str> = list
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["level"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(levels, ["global", "agent", "global_token", "agent_token"]);
    assert_eq!(list[1]["agent_name"], "multi-bot");
    let text = rc(db, &["list"]).await?;
    assert!(text.stdout.contains("multi-bot"), "{}", text.stdout);

    // A stored value routing cannot use is shown with its problem and skipped.
    f.client
        .execute(
            "UPDATE venue_routing_config SET venue_priority = '{OSTIUM,FOO}' WHERE agent_id = $1::text::uuid",
            &[&f.multi],
        )
        .await?;
    let show = ok_json(db, &["show", "--agent", &f.multi]).await?;
    assert_eq!(show["source"], "global");
    assert_eq!(
        show["notes"],
        serde_json::json!(["agent config ignored: unknown venue `FOO`"])
    );
    let list = ok_json(db, &["list"]).await?;
    assert_eq!(list[1]["problem"], "unknown venue `FOO`");

    // remove: overrides, then the agent row; removing twice is a no-op.
    let removed = rc(db, &["remove", "--agent", &f.multi, "--token", "SPX"]).await?;
    assert_eq!(removed.code, Some(0));
    assert!(
        removed.stdout.starts_with("removed override for `SPX`"),
        "{}",
        removed.stdout
    );
    let again = rc(db, &["remove", "--agent", &f.multi, "--token", "SPX"]).await?;
    assert_eq!(again.code, Some(0));
    assert!(
        again.stdout.starts_with("nothing to remove"),
        "{}",
        again.stdout
    );
    let show = ok_json(db, &["show", "--agent", &f.multi, "--token", "SPX"]).await?;
    assert_eq!(show["source"], "global_token");
    let removed = ok_json(db, &["remove", "--token", "SPX"]).await?;
    assert_eq!(removed["removed"], true);
    let removed = ok_json(db, &["remove", "--agent", &f.multi]).await?;
    assert_eq!(removed["removed"], true);
    let show = ok_json(db, &["show", "--agent", &f.multi, "--token", "SPX"]).await?;
    assert_eq!(show["source"], "global");

    // Without any stored config: the built-in default.
    f.client
        .execute("DELETE FROM venue_routing_config", &[])
        .await?;
    let show = ok_json(db, &["show", "--agent", &f.multi]).await?;
    assert_eq!(show["source"], "default");
    assert_eq!(
        show["venue_priority"],
        serde_json::json!(["HYPERLIQUID", "OSTIUM"])
    );
    assert_eq!(show["routing_strategy"], "FIRST_AVAILABLE");
    assert_eq!(show["failover_enabled"], true);
    let list = rc(db, &["list"]).await?;
    assert!(
        list.stdout.contains("built-in default applies"),
        "{}",
        list.stdout
    );

    // show on a non-MULTI agent works and says its signals are not routed.
    let show = ok_json(db, &["show", "--agent", &f.hyperliquid]).await?;
    assert!(
        show["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("only MULTI agents' signals are routed")),
        "{show}"
    );
    Ok(())
}
