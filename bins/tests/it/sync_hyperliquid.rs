//! Binary tier: `sync-hyperliquid-markets` against a test database and a
//! local HTTP server (127.0.0.1) serving the recorded responses.

use std::time::{Duration, Instant};

use agent_where::testing::TestDb;
use anyhow::Result;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::bin::Bin;
use crate::support::markets::{
    active_state, assert_nothing_changed, assert_untouched_and_failure_recorded, markets_content,
    markets_table, sync, sync_runs,
};
use crate::support::venue::{
    FAST, fixture, fixture_arg, fixture_json, fixture_path, hyperliquid, mount_hyperliquid,
    ok_json, recorded_hyperliquid, write_temp,
};
use crate::support::wait_for;

const BIN: &str = "sync-hyperliquid-markets";

async fn recorded_venue() -> MockServer {
    hyperliquid(recorded_hyperliquid()).await
}

fn write_json(dir: &tempfile::TempDir, name: &str, value: &Value) -> String {
    write_temp(dir, name, serde_json::to_vec(value).expect("json"))
}

#[tokio::test]
async fn syncs_recorded_responses_over_http_then_a_second_sync_changes_nothing() -> Result<()> {
    let db = TestDb::migrated().await?;
    let server = recorded_venue().await;
    let url = server.uri();
    let args = ["--api-url", &url, "--dexes", "xyz", "--format", "json"];
    let first = sync(BIN, db.url(), &args).await?;
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let s = first.json();
    assert_eq!(s["added"], 256);
    assert_eq!(s["markets_seen"], 256);
    assert_eq!(s["active_total"], 256 - 38 - 4);

    let client = db.client().await?;
    let row = client
        .query_one(
            "SELECT count(*), count(*) FILTER (WHERE NOT is_active AND delisted_at IS NOT NULL)
             FROM venue_markets WHERE venue = 'HYPERLIQUID'",
            &[],
        )
        .await?;
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (256, 42));
    let pepe = client
        .query_one(
            "SELECT base_symbol, price_scale, market_index, current_price::float8, max_leverage, taker_fee_bps
             FROM venue_markets WHERE venue = 'HYPERLIQUID' AND token_symbol = 'kPEPE'",
            &[],
        )
        .await?;
    assert_eq!(pepe.get::<_, String>(0), "PEPE");
    assert_eq!(pepe.get::<_, f64>(1), 1000.0);
    assert_eq!(pepe.get::<_, i32>(2), 15);
    assert_eq!(pepe.get::<_, f64>(3), 0.005_882);
    assert_eq!(pepe.get::<_, i32>(4), 10);
    assert_eq!(pepe.get::<_, f64>(5), 4.5);
    let hip3 = client
        .query(
            "SELECT token_symbol, market_index, dex, taker_fee_bps FROM venue_markets
             WHERE token_symbol IN ('xyz:XYZ100', 'xyz:TSLA', 'xyz:GOLD') ORDER BY market_index",
            &[],
        )
        .await?;
    let hip3: Vec<(String, i32, String, f64)> = hip3
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    assert_eq!(
        hip3,
        [
            ("xyz:XYZ100".to_owned(), 110_000, "xyz".to_owned(), 0.9),
            ("xyz:TSLA".to_owned(), 110_001, "xyz".to_owned(), 0.9),
            ("xyz:GOLD".to_owned(), 110_003, "xyz".to_owned(), 9.0),
        ]
    );
    let before = markets_content(&client).await?;

    let second = sync(BIN, db.url(), &args).await?;
    assert_eq!(second.code, Some(0), "{}", second.stderr);
    assert_nothing_changed(&second.json(), 256);
    let table = sync(BIN, db.url(), &["--api-url", &url, "--dexes", "xyz"]).await?;
    assert!(table.stdout.contains("no changes"), "{}", table.stdout);
    // Same content; only last_synced moved.
    assert_eq!(markets_content(&client).await?, before);
    let runs = sync_runs(&client).await?;
    assert_eq!(runs.len(), 3);
    assert!(runs.iter().all(|(status, _)| status == "SUCCEEDED"));
    Ok(())
}

#[tokio::test]
async fn save_response_writes_files_that_from_file_accepts() -> Result<()> {
    let server = recorded_venue().await;
    let url = server.uri();
    let saved = tempfile::tempdir()?;
    let dir = saved.path().join("responses");
    let dir_arg = dir.display().to_string();

    let over_http = TestDb::migrated().await?;
    let r = sync(
        BIN,
        over_http.url(),
        &[
            "--api-url",
            &url,
            "--dexes",
            "xyz",
            "--save-response",
            &dir_arg,
        ],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    for f in [
        "metaAndAssetCtxs.json",
        "metaAndAssetCtxs.xyz.json",
        "perpDexs.json",
    ] {
        assert!(dir.join(f).is_file(), "{f} not saved");
    }
    assert_eq!(
        std::fs::read(dir.join("metaAndAssetCtxs.json"))?,
        std::fs::read(fixture_path("hyperliquid/metaAndAssetCtxs.json"))?
    );

    let from_files = TestDb::migrated().await?;
    let r = sync(
        BIN,
        from_files.url(),
        &["--from-file", &dir_arg, "--dexes", "xyz"],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        markets_content(&from_files.client().await?).await?,
        markets_content(&over_http.client().await?).await?
    );

    // A single file works for the main dex; a file with --dexes is refused.
    let single = TestDb::migrated().await?;
    let main_file = dir.join("metaAndAssetCtxs.json").display().to_string();
    let r = sync(
        BIN,
        single.url(),
        &["--from-file", &main_file, "--format", "json"],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.json()["added"], 225);
    let r = sync(
        BIN,
        single.url(),
        &["--from-file", &main_file, "--dexes", "xyz"],
    )
    .await?;
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.error_line().contains("must be a directory"),
        "{}",
        r.stderr
    );
    Ok(())
}

#[tokio::test]
async fn a_market_missing_from_the_response_is_delisted_and_reactivated_when_back() -> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    let full = fixture_json("hyperliquid/metaAndAssetCtxs.json");
    let mut cut = full.clone();
    let last = cut[0]["universe"]
        .as_array_mut()
        .and_then(Vec::pop)
        .expect("universe");
    cut[1].as_array_mut().and_then(Vec::pop).expect("ctxs");
    let name = last["name"].as_str().expect("name").to_owned();
    assert!(last.get("isDelisted").is_none(), "pick an active market");

    let files = tempfile::tempdir()?;
    let full_path = write_json(&files, "full.json", &full);
    let cut_path = write_json(&files, "cut.json", &cut);
    let r = sync(BIN, db.url(), &["--from-file", &full_path]).await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(active_state(&client, &name).await?, (true, false));

    let r = sync(
        BIN,
        db.url(),
        &["--from-file", &cut_path, "--format", "json"],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.json()["changes"]["delisted"], json!([name]));
    assert_eq!(r.json()["unchanged"], 224);
    assert_eq!(active_state(&client, &name).await?, (false, true));

    let r = sync(
        BIN,
        db.url(),
        &["--from-file", &full_path, "--format", "json"],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.json()["changes"]["reactivated"], json!([name]));
    assert_eq!(active_state(&client, &name).await?, (true, false));
    Ok(())
}

#[tokio::test]
async fn dry_run_prints_changes_and_writes_nothing() -> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    let main = fixture_arg("hyperliquid/metaAndAssetCtxs.json");
    let r = sync(BIN, db.url(), &["--from-file", &main, "--dry-run"]).await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("would be added: "), "{}", r.stdout);
    assert!(r.stdout.contains("nothing was written"), "{}", r.stdout);
    assert!(markets_table(&client).await?.is_empty());
    assert!(sync_runs(&client).await?.is_empty());
    Ok(())
}

/// A fault case: what the server answers, extra flags, what stderr must say.
struct Fault {
    name: &'static str,
    response: ResponseTemplate,
    args: Vec<&'static str>,
    expect: Vec<&'static str>,
    requests: Option<usize>,
}

fn body_with(edit: impl Fn(&mut Value)) -> Vec<u8> {
    let mut v = fixture_json("hyperliquid/metaAndAssetCtxs.json");
    edit(&mut v);
    serde_json::to_vec(&v).expect("json")
}

#[tokio::test]
async fn every_fault_exits_1_leaves_markets_untouched_and_records_a_failed_run() -> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    let main = fixture_arg("hyperliquid/metaAndAssetCtxs.json");
    let r = sync(BIN, db.url(), &["--from-file", &main]).await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let before = markets_table(&client).await?;
    let recorded = fixture("hyperliquid/metaAndAssetCtxs.json");

    let huge = {
        let n = 100_000;
        let universe: Vec<Value> = (0..n)
            .map(|i| json!({"name": format!("C{i}"), "szDecimals": 1, "maxLeverage": 3}))
            .collect();
        let ctxs: Vec<Value> = (0..n)
            .map(|_| json!({"funding": "0", "openInterest": "1", "dayNtlVlm": "1", "markPx": "1"}))
            .collect();
        serde_json::to_vec(&json!([{"universe": universe}, ctxs]))?
    };
    let faults = vec![
        Fault {
            name: "HTTP 500 after retries",
            response: ResponseTemplate::new(500).set_body_string("upstream exploded"),
            args: vec![],
            expect: vec!["HTTP 500", "upstream exploded", "(3 attempts)"],
            requests: Some(3),
        },
        Fault {
            name: "HTTP 422 plain text fails at once",
            response: ResponseTemplate::new(422)
                .set_body_string("Failed to deserialize the JSON body into the target type"),
            args: vec![],
            expect: vec![
                "HTTP 422 Unprocessable Entity: Failed to deserialize the JSON body into the target type (1 attempt)",
            ],
            requests: Some(1),
        },
        Fault {
            name: "malformed JSON",
            response: ok_json("{this is not json"),
            args: vec![],
            expect: vec!["invalid response"],
            requests: None,
        },
        Fault {
            name: "truncated JSON",
            response: ok_json(recorded.as_bytes()[..recorded.len() / 2].to_vec()),
            args: vec![],
            expect: vec!["invalid response", "EOF"],
            requests: None,
        },
        Fault {
            name: "empty list",
            response: ok_json(r#"[{"universe":[]},[]]"#),
            args: vec![],
            expect: vec!["response rejected", "empty"],
            requests: None,
        },
        Fault {
            name: "mass delist without the flag",
            response: ok_json(body_with(|v| {
                v[0]["universe"].as_array_mut().expect("u").truncate(10);
                v[1].as_array_mut().expect("c").truncate(10);
            })),
            args: vec![],
            expect: vec!["more than half", "--allow-mass-delist"],
            requests: None,
        },
        Fault {
            name: "NaN mark price",
            response: ok_json(body_with(|v| v[1][0]["markPx"] = json!("NaN"))),
            args: vec![],
            expect: vec!["`markPx` of `BTC` is not finite"],
            requests: None,
        },
        Fault {
            name: "negative leverage",
            response: ok_json(body_with(|v| {
                v[0]["universe"][1]["maxLeverage"] = json!(-25);
            })),
            args: vec![],
            expect: vec!["`maxLeverage` of `ETH` is -25"],
            requests: None,
        },
        Fault {
            name: "duplicate names",
            response: ok_json(body_with(|v| v[0]["universe"][1]["name"] = json!("BTC"))),
            args: vec![],
            expect: vec!["duplicate market `BTC`"],
            requests: None,
        },
        Fault {
            name: "universe and contexts differ in length",
            response: ok_json(body_with(|v| {
                v[1].as_array_mut().expect("c").pop();
            })),
            args: vec![],
            expect: vec!["225 universe entries but 224 asset contexts"],
            requests: None,
        },
        Fault {
            name: "100 000 markets",
            response: ok_json(huge),
            args: vec![],
            expect: vec!["100000 markets"],
            requests: None,
        },
    ];
    let mut failed_runs = 0;
    for fault in faults {
        let server = hyperliquid(fault.response).await;
        let url = server.uri();
        let mut args = vec!["--api-url", url.as_str()];
        args.extend(FAST);
        args.extend(fault.args.iter().copied());
        let r = sync(BIN, db.url(), &args).await?;
        let line = r.error_line();
        assert_eq!(r.code, Some(1), "{}: {}", fault.name, r.stderr);
        assert!(
            line.starts_with("sync-hyperliquid-markets: error: cannot ")
                && line.contains("HYPERLIQUID"),
            "{}: {line}",
            fault.name
        );
        if !fault.name.starts_with("mass delist") {
            assert!(
                line.contains(&format!("`POST {url}/info (metaAndAssetCtxs)`")),
                "{}: endpoint missing in {line}",
                fault.name
            );
        }
        for want in &fault.expect {
            assert!(
                line.contains(want),
                "{}: want {want:?} in {line}",
                fault.name
            );
        }
        assert!(r.stdout.is_empty(), "{}: stdout {}", fault.name, r.stdout);
        if let Some(n) = fault.requests {
            let got = server.received_requests().await.map_or(0, |r| r.len());
            assert_eq!(got, n, "{}: requests", fault.name);
        }
        failed_runs += 1;
        assert_untouched_and_failure_recorded(
            &client,
            fault.name,
            &before,
            &fault.expect,
            failed_runs,
        )
        .await?;
    }

    // The mass delist goes through when allowed.
    let server = hyperliquid(ok_json(body_with(|v| {
        v[0]["universe"].as_array_mut().expect("u").truncate(10);
        v[1].as_array_mut().expect("c").truncate(10);
    })))
    .await;
    let r = sync(
        BIN,
        db.url(),
        &[
            "--api-url",
            &server.uri(),
            "--allow-mass-delist",
            "--format",
            "json",
        ],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.json()["markets_seen"], 10);
    assert!(r.json()["delisted"].as_i64().expect("n") > 150);
    Ok(())
}

#[tokio::test]
async fn rate_limit_with_retry_after_is_honoured_then_succeeds() -> Result<()> {
    let db = TestDb::migrated().await?;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/info"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/info"))
        .respond_with(recorded_hyperliquid())
        .with_priority(5)
        .mount(&server)
        .await;
    let started = Instant::now();
    let mut args = vec!["--api-url".to_owned(), server.uri()];
    args.extend(FAST.iter().map(|s| (*s).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = sync(BIN, db.url(), &args).await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 not honoured (the retry delay flag is 10 ms)"
    );
    assert_eq!(server.received_requests().await.map_or(0, |r| r.len()), 2);
    assert!(r.stderr.contains("retrying"), "{}", r.stderr);
    let client = db.client().await?;
    assert_eq!(markets_table(&client).await?.len(), 225);
    Ok(())
}

#[tokio::test]
async fn bad_usage_and_unreachable_database_exit_2() -> Result<()> {
    let db = TestDb::migrated().await?;
    let r = sync(
        BIN,
        db.url(),
        &["--testnet", "--api-url", "http://127.0.0.1:9"],
    )
    .await?;
    assert_eq!(r.code, Some(2));
    assert!(r.error_line().contains("`--testnet`"), "{}", r.stderr);
    let r = sync(BIN, db.url(), &["--dexes", "../x"]).await?;
    assert_eq!(r.code, Some(2));
    assert!(r.error_line().contains("`--dexes`"), "{}", r.stderr);
    let r = sync(BIN, db.url(), &["--retries", "999"]).await?;
    assert_eq!(r.code, Some(2));
    let main = fixture_arg("hyperliquid/metaAndAssetCtxs.json");
    let r = sync(
        BIN,
        "postgres://postgres:hunter2-marker@127.0.0.1:1/nowhere",
        &["--from-file", &main],
    )
    .await?;
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.error_line().contains("127.0.0.1:1"), "{}", r.stderr);
    assert!(!r.stderr.contains("hunter2-marker"));
    Ok(())
}

#[tokio::test]
async fn a_sync_killed_mid_apply_leaves_the_old_list_and_a_rerun_applies_all() -> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    let files = tempfile::tempdir()?;
    let old = fixture_json("hyperliquid/metaAndAssetCtxs.json");
    let old_path = write_json(&files, "old.json", &old);
    let r = sync(BIN, db.url(), &["--from-file", &old_path]).await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let before = markets_table(&client).await?;

    // The new list moves every mark price up by 1.
    let mut new = old.clone();
    for ctx in new[1].as_array_mut().expect("ctxs") {
        let px: f64 = ctx["markPx"].as_str().expect("px").parse()?;
        ctx["markPx"] = json!(format!("{}", px + 1.0));
    }
    let new_path = write_json(&files, "new.json", &new);
    let last = old[0]["universe"]
        .as_array()
        .and_then(|u| u.last())
        .and_then(|a| a["name"].as_str())
        .expect("last name")
        .to_owned();

    // Hold a row lock on the last market so the apply blocks half-way
    // through its upsert, then SIGKILL the process.
    let mut locker = db.client().await?;
    let tx = locker.transaction().await?;
    tx.execute(
        "SELECT 1 FROM venue_markets WHERE token_symbol = $1 FOR UPDATE",
        &[&last],
    )
    .await?;
    let mut child = Bin::new(BIN)
        .args(["--from-file", &new_path])
        .database(db.url())
        .spawn()?;
    let dbname = db.name().to_owned();
    wait_for(Duration::from_secs(30), "the apply to block on the row lock", || {
        let client = &client;
        let dbname = dbname.clone();
        async move {
            let n: i64 = client
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity
                     WHERE datname = $1 AND wait_event_type = 'Lock' AND query LIKE '-- Applies one venue%'",
                    &[&dbname],
                )
                .await?
                .get(0);
            Ok(n > 0)
        }
    })
    .await?;
    child.kill()?;
    let killed = child.finish(Duration::from_secs(10)).await?;
    assert_ne!(killed.code, Some(0), "{killed:?}");
    tx.rollback().await?;
    // The orphaned backend finishes its statement, cannot commit, and goes.
    wait_for(Duration::from_secs(30), "the killed sync's backend to end", || {
        let client = &client;
        let dbname = dbname.clone();
        async move {
            let n: i64 = client
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity
                     WHERE datname = $1 AND pid <> pg_backend_pid() AND query LIKE '-- Applies one venue%'",
                    &[&dbname],
                )
                .await?
                .get(0);
            Ok(n == 0)
        }
    })
    .await?;
    drop(locker);
    assert_eq!(
        markets_table(&client).await?,
        before,
        "half-applied list visible"
    );
    let succeeded = sync_runs(&client)
        .await?
        .iter()
        .filter(|(s, _)| s == "SUCCEEDED")
        .count();
    assert_eq!(succeeded, 1, "the killed run must not be recorded as done");

    let r = sync(
        BIN,
        db.url(),
        &["--from-file", &new_path, "--format", "json"],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.json()["updated"], 225);
    let rows = client
        .query(
            "SELECT market_index, current_price::float8 FROM venue_markets ORDER BY market_index",
            &[],
        )
        .await?;
    assert_eq!(rows.len(), 225);
    for row in rows {
        let i = usize::try_from(row.get::<_, i32>(0))?;
        let want: f64 = old[1][i]["markPx"].as_str().expect("px").parse::<f64>()? + 1.0;
        let got: f64 = row.get(1);
        assert!((got - want).abs() < 1e-7, "index {i}: {got} vs {want}");
    }
    Ok(())
}

#[tokio::test]
async fn dexes_all_follows_perp_dexs_and_unknown_dexes_are_refused() -> Result<()> {
    let db = TestDb::migrated().await?;
    let server = MockServer::start().await;
    let mut dexes = fixture_json("hyperliquid/perpDexs.json");
    dexes.as_array_mut().expect("dexes").truncate(2); // null + xyz
    mount_hyperliquid(
        &server,
        ok_json(serde_json::to_vec(&dexes)?),
        recorded_hyperliquid(),
    )
    .await;
    let url = server.uri();
    let r = sync(
        BIN,
        db.url(),
        &["--api-url", &url, "--dexes", "all", "--format", "json"],
    )
    .await?;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.json()["added"], 256);
    let r = sync(BIN, db.url(), &["--api-url", &url, "--dexes", "nope"]).await?;
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.error_line()
            .contains("dex `nope` is not listed by perpDexs (listed: xyz)"),
        "{}",
        r.stderr
    );
    Ok(())
}
