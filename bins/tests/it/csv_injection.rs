//! Formula injection through CSV (issue 27): attacker-controlled text (a
//! signal's token, kept raw in the history for an invalid signal) reaches
//! `routing-stats export`, a `--format csv` summary grouped by token and the
//! dry run's CSV; every text cell starting a formula gets a leading `'`,
//! numbers stay numbers, and `--csv-raw` writes the exact text.

use agent_where::testing::TestDb;
use anyhow::{Context, Result};
use tokio_postgres::Client;

use crate::support::bin::run;
use crate::support::markets::sync_recorded;
use crate::support::routing::insert_agent;

/// The tokens of the issue: each a formula to a spreadsheet.
const FORMULA_TOKENS: [&str; 4] = [
    r#"=HYPERLINK("http://x.example","BTC")"#,
    "+1+cmd|'/C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
];

/// A CSV text parsed back: the header and the records.
fn parse(text: &str) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers()?.iter().map(str::to_owned).collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        rows.push(record?.iter().map(str::to_owned).collect());
    }
    Ok((header, rows))
}

fn column(header: &[String], name: &str) -> Result<usize> {
    header
        .iter()
        .position(|h| h == name)
        .with_context(|| format!("no column {name} in {header:?}"))
}

/// Runs `tool args…` twice, guarded and with `--csv-raw`, and checks that a
/// CSV parser reads the same rows and columns from both.
async fn both(
    db: &TestDb,
    tool: &str,
    args: &[&str],
) -> Result<(
    (Vec<String>, Vec<Vec<String>>),
    (Vec<String>, Vec<Vec<String>>),
)> {
    let guarded = run(tool, db.url(), args).await?;
    guarded.expect_code(0, tool);
    let mut raw_args = args.to_vec();
    raw_args.push("--csv-raw");
    let raw = run(tool, db.url(), &raw_args).await?;
    raw.expect_code(0, &format!("{tool} --csv-raw"));
    let (g, r) = (parse(&guarded.stdout)?, parse(&raw.stdout)?);
    assert_eq!(g.0, r.0, "{tool}: same header");
    assert_eq!(g.1.len(), r.1.len(), "{tool}: same number of rows");
    for (gr, rr) in g.1.iter().zip(&r.1) {
        assert_eq!(gr.len(), g.0.len(), "{tool}: every row has every column");
        assert_eq!(gr.len(), rr.len(), "{tool}: same number of columns");
    }
    Ok((g, r))
}

/// Checks a text column: each formula token appears once, guarded by `'`
/// in `guarded` and as stored in `raw` (rows in the same order); `exact`:
/// as the signal spelled it (the summary groups tokens upper-cased).
fn check_tokens(what: &str, guarded: &[Vec<String>], raw: &[Vec<String>], col: usize, exact: bool) {
    for token in FORMULA_TOKENS {
        let i = raw
            .iter()
            .position(|r| {
                if exact {
                    r[col] == token
                } else {
                    r[col] == token.to_uppercase()
                }
            })
            .unwrap_or_else(|| {
                let cells: Vec<&String> = raw.iter().map(|r| &r[col]).collect();
                panic!("{what}: --csv-raw lacks the token {token:?}: {cells:?}")
            });
        assert_eq!(
            guarded[i][col],
            format!("'{}", raw[i][col]),
            "{what}: {token:?}"
        );
    }
    for (g, r) in guarded.iter().zip(raw) {
        assert!(
            !g[col].starts_with(['=', '+', '-', '@', '\t', '\r']),
            "{what}: unguarded cell {:?}",
            g[col]
        );
        let plain = g[col].strip_prefix('\'').unwrap_or(&g[col]);
        assert_eq!(plain, r[col], "{what}: the guard only prefixes");
    }
}

async fn signals(client: &Client) -> Result<()> {
    let agent = insert_agent(client).await?;
    for token in FORMULA_TOKENS.iter().chain(&["BTC", "ETH"]) {
        client
            .execute(
                "INSERT INTO signals (agent_id, token_symbol, venue, side, size_model, risk_model, created_at)
                 VALUES ($1, $2, 'MULTI', 'LONG', '{\"type\": \"balance-percentage\", \"value\": 5}',
                         '{}', now() - interval '1 minute')",
                &[&agent, token],
            )
            .await?;
    }
    Ok(())
}

#[tokio::test]
async fn formula_text_is_guarded_in_every_csv_numbers_stay_numbers_and_csv_raw_is_exact()
-> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    sync_recorded(db.url()).await?;
    signals(&client).await?;

    // The dry run's CSV: the token column.
    let ((gh, g), (_, r)) = both(
        &db,
        "route-pending-signals",
        &["--dry-run", "--format", "csv"],
    )
    .await?;
    assert_eq!(g.len(), 6);
    check_tokens("dry run", &g, &r, column(&gh, "token")?, true);

    let out = run("route-pending-signals", db.url(), &["--format", "json"]).await?;
    out.expect_code(0, "route-pending-signals");
    // A negative figure in a numeric column (a row as another writer may
    // have left it): it must stay a number.
    client
        .execute(
            "UPDATE venue_routing_history SET routing_duration_us = -250, routing_duration_ms = -1
             WHERE token_symbol = 'BTC'",
            &[],
        )
        .await?;
    client
        .execute(
            "UPDATE venue_routing_history SET routing_duration_us = NULL, routing_duration_ms = NULL
             WHERE token_symbol <> 'BTC'",
            &[],
        )
        .await?;

    // export: token_symbol guarded, durations numbers.
    let ((h, g), (_, r)) = both(&db, "routing-stats", &["export", "--since", "1d", "-q"]).await?;
    assert_eq!(g.len(), 6);
    check_tokens("export", &g, &r, column(&h, "token_symbol")?, true);
    // The token as the agent wrote it (issue 22) is the same untrusted text.
    let requested = column(&h, "requested_token")?;
    check_tokens("export", &g, &r, requested, true);
    let (us, ms, token) = (
        column(&h, "routing_duration_us")?,
        column(&h, "routing_duration_ms")?,
        column(&h, "token_symbol")?,
    );
    let btc = g
        .iter()
        .find(|row| row[token] == "BTC")
        .context("BTC row")?;
    assert_eq!(btc[us], "-250", "numbers stay numbers");
    assert_eq!(btc[ms], "-1");
    // Reasons of invalid signals are text; none starts a formula here, and
    // every other cell is unchanged by the guard.
    for (gr, rr) in g.iter().zip(&r) {
        for (i, (gc, rc)) in gr.iter().zip(rr).enumerate() {
            if i != token && i != requested {
                assert_eq!(gc, rc, "column {}", h[i]);
            }
        }
    }

    // A summary grouped by token: the key is text, every figure a number.
    let ((h, g), (_, r)) = both(
        &db,
        "routing-stats",
        &["--window", "day", "--group-by", "token", "--format", "csv"],
    )
    .await?;
    let key = column(&h, "key")?;
    check_tokens("group-by token", &g, &r, key, false);
    let avg = column(&h, "avg_ms")?;
    let btc = g
        .iter()
        .find(|row| row[key] == "BTC")
        .context("BTC group")?;
    assert_eq!(btc[avg], "-0.25", "a negative figure stays a number");
    for row in &g {
        for (i, cell) in row.iter().enumerate().filter(|(i, _)| *i != key) {
            assert!(
                cell.is_empty() || cell.parse::<f64>().is_ok(),
                "column {} holds {cell:?}, not a number",
                h[i]
            );
        }
    }
    // JSON is unaffected: the exact token.
    let out = run(
        "routing-stats",
        db.url(),
        &["--window", "day", "--group-by", "token", "--format", "json"],
    )
    .await?;
    let json = out.expect_code(0, "routing-stats json").json();
    let keys: Vec<&str> = json
        .as_array()
        .context("rows")?
        .iter()
        .filter_map(|row| row["key"].as_str())
        .collect();
    for token in FORMULA_TOKENS {
        let stored = token.to_uppercase();
        assert!(
            keys.contains(&stored.as_str()),
            "json lacks {stored:?}: {keys:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn every_tool_that_writes_csv_takes_csv_raw() -> Result<()> {
    for args in [
        vec!["route-pending-signals"],
        vec!["run-pipeline"],
        vec!["setup-agent-where"],
        vec!["bench-routing"],
        vec!["sync-hyperliquid-markets"],
        vec!["sync-ostium-markets"],
        vec!["sync-aevo-markets"],
        vec!["sync-gmx-markets"],
        vec!["sync-lighter-markets"],
        vec!["routing-stats"],
        vec!["routing-stats", "export"],
        vec!["routing-stats", "health"],
    ] {
        let mut help = args[1..].to_vec();
        help.push("--help");
        let out = run(args[0], "postgres://127.0.0.1:1/none", &help).await?;
        out.expect_code(0, &format!("{args:?} --help"));
        assert!(out.stdout.contains("--csv-raw"), "{args:?}: {}", out.stdout);
    }
    // routing-config writes no CSV (table or JSON only).
    let out = run(
        "routing-config",
        "postgres://127.0.0.1:1/none",
        &["--format", "csv", "list"],
    )
    .await?;
    assert_eq!(out.code, Some(2), "{}", out.show());
    Ok(())
}
