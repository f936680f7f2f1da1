//! Hostile venue responses that are well-formed JSON with finite numbers:
//! absurd figures (open interest 1e300, Ostium `maxOI` 10^40, …), names
//! outside the market-name rules (`BTC'--`), two names that differ only in
//! case (`btc` beside `BTC`) and 400-digit numbers. Each is rejected as a
//! whole by both venues alike: the sync exits 1 with one short error line
//! (no number in it longer than a few digits), `venue_markets` is untouched
//! and a FAILED run records why.

use agent_where::testing::TestDb;
use anyhow::Result;
use serde_json::{Value, json};

use crate::support::bin::run;
use crate::support::markets::{
    assert_untouched_and_failure_recorded, markets_table, sync_recorded,
};
use crate::support::venue::{fixture_json, write_temp};

/// An edit of a recorded response.
type Edit = Box<dyn Fn(&mut Value)>;

/// A case: the edited responses and what the error must say.
struct Case {
    name: &'static str,
    expect: Vec<&'static str>,
}

fn digits_run(text: &str) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    longest
}

fn four_hundred_digits() -> String {
    format!("1{}", "0".repeat(399))
}

#[tokio::test]
async fn absurd_figures_and_bad_names_are_rejected_by_both_venues() -> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    sync_recorded(db.url()).await?;
    let before = markets_table(&client).await?;
    let dir = tempfile::tempdir()?;
    let mut failed_runs = 0;

    // Hyperliquid: universe[0] is BTC, universe[1] ETH.
    let hyperliquid: Vec<(Case, Edit)> = vec![
        (
            Case {
                name: "openInterest 1e300",
                expect: vec!["`open_interest_usd` of `BTC`", "absurdly large", "1e12"],
            },
            Box::new(|v| v[1][0]["openInterest"] = json!("1e300")),
        ),
        (
            Case {
                name: "dayNtlVlm 1e20",
                expect: vec!["`day_volume_usd` of `BTC`", "absurdly large"],
            },
            Box::new(|v| v[1][0]["dayNtlVlm"] = json!("1e20")),
        ),
        (
            Case {
                name: "markPx 1e10",
                expect: vec!["`current_price` of `BTC`", "absurdly large", "1e9"],
            },
            Box::new(|v| v[1][0]["markPx"] = json!("1e10")),
        ),
        (
            Case {
                name: "funding 5 per hour",
                expect: vec!["`funding_rate` of `BTC`"],
            },
            Box::new(|v| v[1][0]["funding"] = json!("5")),
        ),
        (
            Case {
                name: "a 400-digit openInterest",
                expect: vec!["`openInterest` of `BTC`"],
            },
            Box::new(|v| v[1][0]["openInterest"] = json!(four_hundred_digits())),
        ),
        (
            Case {
                name: "btc beside BTC",
                expect: vec!["duplicate market", "`BTC`", "`btc`"],
            },
            Box::new(|v| v[0]["universe"][1]["name"] = json!("btc")),
        ),
        (
            Case {
                name: "a quote in a name",
                expect: vec!["market name", "BTC'--"],
            },
            Box::new(|v| v[0]["universe"][1]["name"] = json!("BTC'--")),
        ),
        // A market name that a spreadsheet would run as a formula never
        // reaches a CSV: the market-name rule rejects it (issue 27).
        (
            Case {
                name: "a formula as a name",
                expect: vec!["market name", "=HYPERLINK", "contains the character"],
            },
            Box::new(|v| {
                v[0]["universe"][1]["name"] = json!(r#"=HYPERLINK("http://x.example","BTC")"#);
            }),
        ),
    ];
    for (case, edit) in hyperliquid {
        let mut body = fixture_json("hyperliquid/metaAndAssetCtxs.json");
        edit(&mut body);
        let file = write_temp(&dir, "metaAndAssetCtxs.json", serde_json::to_vec(&body)?);
        let out = run(
            "sync-hyperliquid-markets",
            db.url(),
            &["--from-file", &file],
        )
        .await?;
        failed_runs += 1;
        check(
            &client,
            &before,
            &case,
            &out,
            failed_runs,
            "sync-hyperliquid-markets",
        )
        .await?;
    }

    // Ostium: pairs[0] is BTC/USD; edits of the pairs response.
    let ostium: Vec<(Case, Edit)> = vec![
        (
            Case {
                name: "maxOI 10^40",
                expect: vec!["`max_open_interest_usd` of `BTC`", "absurdly large", "1e12"],
            },
            Box::new(|v| v["data"]["pairs"][0]["maxOI"] = json!(format!("1{}", "0".repeat(40)))),
        ),
        (
            Case {
                name: "longOI 10^50",
                expect: vec!["open_interest_usd` of `BTC`", "absurdly large"],
            },
            Box::new(|v| v["data"]["pairs"][0]["longOI"] = json!(format!("1{}", "0".repeat(50)))),
        ),
        (
            Case {
                name: "a quote in a name",
                expect: vec!["pair `from`", "BTC'--"],
            },
            Box::new(|v| v["data"]["pairs"][0]["from"] = json!("BTC'--")),
        ),
        (
            Case {
                name: "a formula as a name",
                expect: vec!["pair `from`", "=1+1", "contains the character"],
            },
            Box::new(|v| v["data"]["pairs"][0]["from"] = json!("=1+1")),
        ),
        (
            Case {
                name: "a 400-digit maxLeverage",
                expect: vec!["`maxLeverage` of `BTC/USD`", "(400 characters)"],
            },
            Box::new(|v| v["data"]["pairs"][0]["maxLeverage"] = json!(four_hundred_digits())),
        ),
        (
            Case {
                name: "maxLeverage 10^30",
                expect: vec!["effective max leverage of `BTC/USD`", "(31 characters)"],
            },
            Box::new(|v| {
                v["data"]["pairs"][0]["maxLeverage"] = json!(format!("1{}", "0".repeat(30)));
            }),
        ),
        (
            Case {
                name: "a 400-digit takerFeeP",
                expect: vec!["`takerFeeP` of `BTC/USD`"],
            },
            Box::new(|v| v["data"]["pairs"][0]["takerFeeP"] = json!(four_hundred_digits())),
        ),
    ];
    let prices = write_temp(
        &dir,
        "latest-prices.json",
        serde_json::to_vec(&fixture_json("ostium/latest-prices.json"))?,
    );
    for (case, edit) in ostium {
        let mut pairs = fixture_json("ostium/pairs.graphql.json");
        edit(&mut pairs);
        let file = write_temp(&dir, "pairs.graphql.json", serde_json::to_vec(&pairs)?);
        let out = run(
            "sync-ostium-markets",
            db.url(),
            &["--pairs-file", &file, "--prices-file", &prices],
        )
        .await?;
        failed_runs += 1;
        check(
            &client,
            &before,
            &case,
            &out,
            failed_runs,
            "sync-ostium-markets",
        )
        .await?;
    }
    Ok(())
}

async fn check(
    client: &tokio_postgres::Client,
    before: &[String],
    case: &Case,
    out: &crate::support::bin::Output,
    failed_runs: usize,
    tool: &str,
) -> Result<()> {
    assert_eq!(out.code, Some(1), "{}: {}", case.name, out.show());
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}: one line: {}", case.name, out.show());
    let line = lines[0];
    assert!(
        line.starts_with(&format!("{tool}: error: cannot ")),
        "{}: {line}",
        case.name
    );
    for want in &case.expect {
        assert!(
            line.contains(want),
            "{}: want {want:?} in {line}",
            case.name
        );
    }
    assert!(
        digits_run(line) <= 20 && line.len() < 600,
        "{}: numbers in errors are cut: {line}",
        case.name
    );
    assert_untouched_and_failure_recorded(client, case.name, before, &case.expect, failed_runs)
        .await
}
