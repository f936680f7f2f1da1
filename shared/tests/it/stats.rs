//! Database tests of `agent_where::db::stats`: generated history (several
//! venues, reasons, tokens, agents, timestamps across hour/day/week/older,
//! NULL durations, original-system rows) checked against a reference model
//! computed in Rust from the raw rows, and against plain SQL counts written
//! differently from the library's queries.

use std::collections::{BTreeMap, HashSet};

use agent_where::db::host::HostSchema;
use agent_where::db::stats::{self, Filters, GroupKey, GroupRow};
use agent_where::domain::Venue;
use agent_where::testing::{TestDb, sql_files_in};
use anyhow::Result;
use chrono::{DateTime, Duration, Utc};
use tokio_postgres::Client;
use uuid::Uuid;

const SEED: &str = include_str!("../stats_seed.sql");
const ALPHA: &str = "a0000000-0000-4000-8000-000000000001";

/// One history row as the reference model sees it.
#[derive(Debug, Clone)]
struct Decision {
    id: Uuid,
    created_at: DateTime<Utc>,
    routed: bool,
    venue: Option<String>,
    reason: Option<String>,
    duration_us: Option<i64>,
    token: String,
    market: Option<String>,
    agent: Uuid,
    checked: Vec<String>,
}

/// The reason code rule, restated: the word before ':' of the signal's
/// skipped_reason, else of the history's routing_reason unless it is a venue.
fn code(text: Option<&str>, need_colon: bool) -> Option<String> {
    let text = text?;
    if need_colon && !text.contains(':') {
        return None;
    }
    let head = text.split(':').next()?;
    let mut chars = head.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_uppercase());
    let rest_ok = head
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    (first_ok && rest_ok).then(|| head.to_owned())
}

async fn seeded() -> Result<(TestDb, Client)> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    client.batch_execute(SEED).await?;
    Ok((db, client))
}

async fn decisions(client: &Client) -> Result<Vec<Decision>> {
    let rows = client
        .query(
            "SELECT h.id, h.created_at, h.outcome, h.selected_venue::text, h.routing_duration_us,
                    h.token_symbol, h.market_symbol, s.agent_id, s.skipped_reason, h.routing_reason,
                    h.checked_venues
             FROM venue_routing_history h, signals s
             WHERE s.id = h.signal_id",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let outcome: Option<String> = r.get(2);
            let venue: Option<String> = r.get(3);
            let routed = match outcome.as_deref() {
                Some(o) => o == "ROUTED",
                None => venue.is_some(),
            };
            let reason = (!routed).then(|| {
                code(r.get(8), false)
                    .or_else(|| {
                        code(r.get(9), true).filter(|c| {
                            !["HYPERLIQUID", "OSTIUM", "GMX", "SPOT", "MULTI"].contains(&c.as_str())
                        })
                    })
                    .unwrap_or_else(|| "UNKNOWN".to_owned())
            });
            Decision {
                id: r.get(0),
                created_at: r.get(1),
                routed,
                venue,
                reason,
                duration_us: r.get(4),
                token: r.get::<_, String>(5).to_uppercase(),
                market: r.get(6),
                agent: r.get(7),
                checked: r.get::<_, Option<Vec<String>>>(10).unwrap_or_default(),
            }
        })
        .collect())
}

/// What the library should report for a set of decisions.
#[derive(Debug)]
struct Expected {
    decisions: i64,
    routed: i64,
    skipped: i64,
    hyperliquid: i64,
    ostium: i64,
    other: i64,
    timed: i64,
    avg: Option<f64>,
    p50: Option<f64>,
    p95: Option<f64>,
    max: Option<f64>,
}

fn interpolated(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let pos = p * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64))
}

fn expected<'a>(rows: impl IntoIterator<Item = &'a Decision>) -> Expected {
    let rows: Vec<&Decision> = rows.into_iter().collect();
    let routed_to = |v: &str| {
        rows.iter()
            .filter(|d| d.routed && d.venue.as_deref() == Some(v))
            .count() as i64
    };
    let mut times: Vec<f64> = rows
        .iter()
        .filter_map(|d| d.duration_us.map(|v| v as f64))
        .collect();
    times.sort_by(f64::total_cmp);
    let routed = rows.iter().filter(|d| d.routed).count() as i64;
    Expected {
        decisions: rows.len() as i64,
        routed,
        skipped: rows.len() as i64 - routed,
        hyperliquid: routed_to("HYPERLIQUID"),
        ostium: routed_to("OSTIUM"),
        other: routed - routed_to("HYPERLIQUID") - routed_to("OSTIUM"),
        timed: times.len() as i64,
        avg: (!times.is_empty()).then(|| times.iter().sum::<f64>() / times.len() as f64),
        p50: interpolated(&times, 0.5),
        p95: interpolated(&times, 0.95),
        max: times.last().copied(),
    }
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
        _ => false,
    }
}

fn assert_matches(row: &GroupRow, e: &Expected) {
    let ctx = format!("group {}: {row:?} vs {e:?}", row.key);
    assert_eq!(row.decisions, e.decisions, "{ctx}");
    assert_eq!(row.routed, e.routed, "{ctx}");
    assert_eq!(row.skipped, e.skipped, "{ctx}");
    assert_eq!(row.routed_to(Venue::Hyperliquid), e.hyperliquid, "{ctx}");
    assert_eq!(row.routed_to(Venue::Ostium), e.ostium, "{ctx}");
    assert_eq!(
        row.routed_elsewhere(&[Venue::Hyperliquid, Venue::Ostium]),
        e.other,
        "{ctx}"
    );
    assert_eq!(row.timed, e.timed, "{ctx}");
    assert!(close(row.avg_us, e.avg), "avg {ctx}");
    assert!(close(row.p50_us, e.p50), "p50 {ctx}");
    assert!(close(row.p95_us, e.p95), "p95 {ctx}");
    assert!(close(row.max_us, e.max), "max {ctx}");
}

fn windows(now: DateTime<Utc>) -> [(&'static str, Option<DateTime<Utc>>); 4] {
    [
        ("hour", Some(now - Duration::hours(1))),
        ("day", Some(now - Duration::days(1))),
        ("week", Some(now - Duration::weeks(1))),
        ("all", None),
    ]
}

fn in_window(d: &Decision, since: Option<DateTime<Utc>>) -> bool {
    since.is_none_or(|s| d.created_at >= s)
}

#[tokio::test]
async fn totals_match_the_reference_in_every_window() -> Result<()> {
    let (_db, client) = seeded().await?;
    let all = decisions(&client).await?;
    let now = stats::clock(&client).await?;
    let mut sizes = Vec::new();
    for (name, since) in windows(now) {
        let filters = Filters {
            since,
            ..Filters::default()
        };
        let totals = stats::totals(&client, &filters).await?;
        let e = expected(all.iter().filter(|d| in_window(d, since)));
        assert_matches(&totals, &e);
        assert!(
            e.decisions > 0 && e.skipped > 0 && e.timed < e.decisions,
            "{name}: {e:?}"
        );
        sizes.push(e.decisions);
    }
    // The seed really spreads over the windows.
    assert!(sizes.windows(2).all(|w| w[0] < w[1]), "{sizes:?}");
    assert_eq!(sizes[3], 441);
    Ok(())
}

#[tokio::test]
async fn totals_agree_with_plain_sql_counts() -> Result<()> {
    let (_db, client) = seeded().await?;
    let now = stats::clock(&client).await?;
    let week = Filters {
        since: Some(now - Duration::weeks(1)),
        ..Filters::default()
    };
    let totals = stats::totals(&client, &week).await?;
    // Written differently: outcome folded with COALESCE, NULL durations
    // counted by subtraction, the mean as sum / count.
    let row = client
        .query_one(
            "SELECT count(*),
                    sum(CASE COALESCE(outcome, CASE WHEN selected_venue IS NULL THEN 'SKIPPED' ELSE 'ROUTED' END)
                        WHEN 'ROUTED' THEN 1 ELSE 0 END),
                    count(*) - sum(CASE WHEN routing_duration_us IS NULL THEN 1 ELSE 0 END),
                    sum(routing_duration_us)::float8 / count(routing_duration_us),
                    max(routing_duration_us)::float8
             FROM venue_routing_history
             WHERE created_at > now() - interval '7 days'",
            &[],
        )
        .await?;
    assert_eq!(totals.decisions, row.get::<_, i64>(0));
    assert_eq!(totals.routed, row.get::<_, i64>(1));
    assert_eq!(totals.timed, row.get::<_, i64>(2));
    assert!(close(totals.avg_us, row.get(3)));
    assert!(close(totals.max_us, row.get(4)));
    // Skip reasons from the signals' own text (LIKE, not a regex), plus the
    // reset signals whose code only the history holds, plus the free-text one.
    let reasons = stats::group_by(&client, &week, GroupKey::Reason, None).await?;
    let count_of = |key: &str| {
        reasons
            .iter()
            .find(|r| r.key == key)
            .map_or(0, |r| r.decisions)
    };
    for code in ["NO_VENUE_AVAILABLE", "INVALID_SIGNAL"] {
        let n: i64 = client
            .query_one(
                "SELECT count(*) FROM signals s JOIN venue_routing_history h ON h.signal_id = s.id
                 WHERE s.skipped_reason LIKE $1 || ':%' AND h.created_at > now() - interval '7 days'",
                &[&code],
            )
            .await?
            .get(0);
        assert!(n > 0);
        assert_eq!(count_of(code), n, "{code}");
    }
    let expired: i64 = client
        .query_one(
            "SELECT count(*) FROM venue_routing_history
             WHERE routing_reason LIKE 'SIGNAL_EXPIRED:%' AND created_at > now() - interval '7 days'",
            &[],
        )
        .await?
        .get(0);
    assert_eq!(count_of("SIGNAL_EXPIRED"), expired);
    assert_eq!(count_of("UNKNOWN"), 1);
    assert_eq!(count_of(stats::ROUTED_KEY), totals.routed);
    Ok(())
}

#[tokio::test]
async fn group_by_each_key_matches_the_reference() -> Result<()> {
    let (_db, client) = seeded().await?;
    let all = decisions(&client).await?;
    let now = stats::clock(&client).await?;
    let since = Some(now - Duration::weeks(1));
    let filters = Filters {
        since,
        ..Filters::default()
    };
    let window: Vec<&Decision> = all.iter().filter(|d| in_window(d, since)).collect();
    type KeyOf = fn(&Decision) -> String;
    let keys: [(GroupKey, KeyOf); 6] = [
        (GroupKey::Venue, |d| {
            if d.routed {
                d.venue.clone().unwrap_or_default()
            } else {
                stats::SKIPPED_KEY.to_owned()
            }
        }),
        (GroupKey::Token, |d| d.token.clone()),
        (GroupKey::Reason, |d| {
            d.reason
                .clone()
                .unwrap_or_else(|| stats::ROUTED_KEY.to_owned())
        }),
        (GroupKey::Agent, |d| d.agent.to_string()),
        (GroupKey::Hour, |d| {
            d.created_at.format("%Y-%m-%d %H:00").to_string()
        }),
        (GroupKey::Day, |d| {
            d.created_at.format("%Y-%m-%d").to_string()
        }),
    ];
    for (key, key_of) in keys {
        let mut groups: BTreeMap<String, Vec<&Decision>> = BTreeMap::new();
        for d in &window {
            groups.entry(key_of(d)).or_default().push(d);
        }
        let rows = stats::group_by(&client, &filters, key, None).await?;
        let got: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
        let want: HashSet<&str> = groups.keys().map(String::as_str).collect();
        assert_eq!(got.len(), want.len(), "{key:?}: {got:?}");
        assert_eq!(got.iter().copied().collect::<HashSet<_>>(), want, "{key:?}");
        for row in &rows {
            assert_matches(row, &expected(groups[&row.key].iter().copied()));
        }
        if matches!(key, GroupKey::Hour | GroupKey::Day) {
            assert!(got.windows(2).all(|w| w[0] < w[1]), "{key:?} in time order");
        } else {
            assert!(
                rows.windows(2).all(|w| w[0].decisions >= w[1].decisions),
                "{key:?} by size"
            );
        }
    }
    // The limit keeps the biggest groups.
    let top = stats::group_by(&client, &filters, GroupKey::Token, Some(2)).await?;
    assert_eq!(top.len(), 2);
    assert_eq!(top[0].key, "BTC", "BTC and btc are one token");
    Ok(())
}

#[tokio::test]
async fn filters_match_the_reference() -> Result<()> {
    let (_db, client) = seeded().await?;
    let all = decisions(&client).await?;
    let alpha = Uuid::parse_str(ALPHA)?;
    type Pred = Box<dyn Fn(&Decision) -> bool>;
    let cases: Vec<(Filters, Pred)> = vec![
        (
            Filters {
                token: Some("btc".into()),
                ..Filters::default()
            },
            Box::new(|d| d.token == "BTC"),
        ),
        (
            Filters {
                token: Some("xau/usd".into()),
                ..Filters::default()
            },
            Box::new(|d| d.market.as_deref() == Some("XAU/USD")),
        ),
        (
            Filters {
                agent: Some(alpha),
                ..Filters::default()
            },
            Box::new(move |d| d.agent == alpha),
        ),
        (
            Filters {
                venue: Some(Venue::Ostium),
                ..Filters::default()
            },
            Box::new(|d| {
                d.venue.as_deref() == Some("OSTIUM") || d.checked.iter().any(|c| c == "OSTIUM")
            }),
        ),
        (
            Filters {
                token: Some("SOL".into()),
                agent: Some(alpha),
                venue: Some(Venue::Hyperliquid),
                ..Filters::default()
            },
            Box::new(move |d| {
                d.token == "SOL"
                    && d.agent == alpha
                    && (d.venue.as_deref() == Some("HYPERLIQUID")
                        || d.checked.iter().any(|c| c == "HYPERLIQUID"))
            }),
        ),
    ];
    for (filters, pred) in cases {
        let e = expected(all.iter().filter(|d| pred(d)));
        assert!(e.decisions > 0, "{filters:?} selects something");
        assert!(
            e.decisions < all.len() as i64,
            "{filters:?} filters something"
        );
        assert_matches(&stats::totals(&client, &filters).await?, &e);
        assert_eq!(stats::export_count(&client, &filters).await?, e.decisions);
    }
    Ok(())
}

#[tokio::test]
async fn an_empty_window_gives_zeros() -> Result<()> {
    let (_db, client) = seeded().await?;
    let now = stats::clock(&client).await?;
    let future = Filters {
        since: Some(now + Duration::days(1)),
        until: Some(now + Duration::days(2)),
        ..Filters::default()
    };
    let totals = stats::totals(&client, &future).await?;
    assert_eq!(totals, GroupRow::empty("all"));
    assert_eq!(totals.success_rate_pct(), None);
    assert!(
        stats::group_by(&client, &future, GroupKey::Venue, None)
            .await?
            .is_empty()
    );
    let runs = stats::routing_runs(&client, future.since, future.until).await?;
    assert_eq!((runs.runs, runs.claimed, runs.routed), (0, 0, 0));
    assert_eq!(
        runs.last_status.as_deref(),
        Some("RUNNING"),
        "newest run overall"
    );
    Ok(())
}

#[tokio::test]
async fn a_fresh_database_reports_nothing_without_error() -> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    let totals = stats::totals(&client, &Filters::default()).await?;
    assert_eq!(totals, GroupRow::empty("all"));
    let runs = stats::routing_runs(&client, None, None).await?;
    assert_eq!(runs.runs, 0);
    assert_eq!(runs.last_started_at, None);
    let synced = agent_where::venues::registry::synced();
    let sync = stats::venue_sync(&client, &synced).await?;
    assert_eq!(sync.len(), synced.len());
    assert!(
        sync.iter().all(|s| s.last_success_at.is_none()
            && s.age_seconds.is_none()
            && s.active_markets == 0)
    );
    let pending = stats::pending(&client, HostSchema::Minimal).await?;
    assert_eq!((pending.pending, pending.oldest_age_seconds), (0, None));
    let tx_client = &mut db.client().await?;
    let tx = tx_client.transaction().await?;
    let n = stats::export(&tx, &Filters::default(), 10, |_| Ok(())).await?;
    assert_eq!(n, 0);
    Ok(())
}

#[tokio::test]
async fn runs_syncs_and_pending_match_the_seed() -> Result<()> {
    let (_db, client) = seeded().await?;
    let now = stats::clock(&client).await?;
    let day = stats::routing_runs(&client, Some(now - Duration::days(1)), None).await?;
    let expected: (i64, i64, i64, i64, i64, i64, i64) = {
        let r = client
            .query_one(
                "SELECT count(*),
                        count(*) FILTER (WHERE status = 'COMPLETED'),
                        count(*) FILTER (WHERE status = 'FAILED'),
                        count(*) FILTER (WHERE status = 'RUNNING'),
                        sum(claimed)::bigint, sum(routed)::bigint, sum(skipped)::bigint
                 FROM routing_runs WHERE started_at > now() - interval '24 hours'",
                &[],
            )
            .await?;
        (
            r.get(0),
            r.get(1),
            r.get(2),
            r.get(3),
            r.get(4),
            r.get(5),
            r.get(6),
        )
    };
    assert_eq!(
        (
            day.runs,
            day.completed,
            day.failed,
            day.running,
            day.claimed,
            day.routed,
            day.skipped
        ),
        expected
    );
    assert_eq!(
        expected,
        (3, 1, 1, 1, 23, 15, 4),
        "the seed's three runs of the last day"
    );
    assert_eq!(day.last_status.as_deref(), Some("RUNNING"));

    let sync = stats::venue_sync(&client, &[Venue::Ostium, Venue::Hyperliquid, Venue::Gmx]).await?;
    let names: Vec<&str> = sync.iter().map(|s| s.venue.as_str()).collect();
    assert_eq!(
        names,
        ["OSTIUM", "HYPERLIQUID", "GMX"],
        "in the order asked"
    );
    let age = |i: usize| sync[i].age_seconds.expect("synced");
    assert!((age(0) - 7_200.0).abs() < 120.0, "Ostium 2h: {}", age(0));
    assert!(
        (age(1) - 1_800.0).abs() < 120.0,
        "Hyperliquid 30m (not its failed attempt): {}",
        age(1)
    );
    assert_eq!(sync[1].last_attempt_status.as_deref(), Some("FAILED"));
    assert_eq!(sync[1].last_attempt_error.as_deref(), Some("timeout"));
    assert_eq!((sync[0].active_markets, sync[0].total_markets), (2, 2));
    assert_eq!((sync[1].active_markets, sync[1].total_markets), (2, 3));
    assert_eq!(sync[2].last_success_at, None);

    let pending = stats::pending(&client, HostSchema::Minimal).await?;
    assert_eq!(pending.pending, 2);
    let oldest = pending.oldest_age_seconds.expect("pending");
    assert!((oldest - 600.0).abs() < 120.0, "{oldest}");
    Ok(())
}

#[tokio::test]
async fn export_streams_every_row_of_the_window_in_small_batches() -> Result<()> {
    let (db, client) = seeded().await?;
    let all = decisions(&client).await?;
    let now = stats::clock(&client).await?;
    let mut tx_client = db.client().await?;
    for (name, since) in windows(now) {
        let filters = Filters {
            since,
            ..Filters::default()
        };
        let want: BTreeMap<Uuid, &Decision> = all
            .iter()
            .filter(|d| in_window(d, since))
            .map(|d| (d.id, d))
            .collect();
        let tx = tx_client.transaction().await?;
        let mut seen = Vec::new();
        let mut last: Option<DateTime<Utc>> = None;
        // A batch of 7 makes the cursor fetch dozens of times.
        let n = stats::export(&tx, &filters, 7, |row| {
            let d = want.get(&row.id).expect("exported row is in the window");
            assert_eq!(row.outcome == "ROUTED", d.routed, "{name} {row:?}");
            assert_eq!(row.skip_reason, d.reason, "{name} {row:?}");
            assert_eq!(row.routing_duration_us, d.duration_us);
            assert_eq!(row.original_system, row.strategy.is_none());
            assert!(last.is_none_or(|l| l <= row.created_at), "oldest first");
            last = Some(row.created_at);
            seen.push(row.id);
            Ok(())
        })
        .await?;
        tx.commit().await?;
        assert_eq!(n as usize, want.len(), "{name}");
        assert_eq!(seen.len(), want.len(), "{name}");
        assert_eq!(
            seen.iter().collect::<HashSet<_>>().len(),
            want.len(),
            "{name}: no duplicates"
        );
        assert_eq!(
            stats::export_count(&client, &filters).await?,
            want.len() as i64
        );
    }
    Ok(())
}

#[tokio::test]
async fn every_stats_statement_prepares() -> Result<()> {
    let db = TestDb::migrated().await?;
    let client = db.client().await?;
    let mut files = 0;
    for file in sql_files_in(&["stats"]) {
        let text = &file.text;
        assert!(
            text.starts_with("-- "),
            "{} opens with a comment",
            file.path.display()
        );
        client
            .prepare(text)
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.path.display()))?;
        files += 1;
    }
    assert!(files >= 7, "{files}");
    Ok(())
}
