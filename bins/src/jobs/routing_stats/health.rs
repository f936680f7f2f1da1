//! `routing-stats health`: the checks cron alerts on. Each venue synced
//! successfully within `--max-sync-age` and has an active market; the success
//! rate of the window is at least `--min-success-rate` once it holds
//! `--min-decisions`; the oldest pending `MULTI` signal is younger than
//! `--max-pending-age`; no run is left RUNNING without a heartbeat (killed, or
//! its connection lost); the 99th percentile of the window's signal-to-decision
//! latency is within `--max-latency`; on Maxxit's schema, no `MULTI` signal of
//! the window was executed by its executor without a routing decision and none
//! waits held for routing longer than `--max-held-age`; outside a demo
//! database, no listed market holds the illustrative data built into the
//! binary (issue 23). Exit 0 when all pass, 1 otherwise.

use agent_where::db::stats::{self, Filters};
use agent_where::domain::Venue;
use anyhow::{Result, anyhow};
use chrono::Duration;
use serde::Serialize;

use super::window::{Window, human_age, parse_duration};
use super::{HealthArgs, cell, emit, parse_venue, pct_text, resolve_window};
use crate::cli::{CommonArgs, Outcome};
use crate::output::{CsvMode, Format, Table};

/// One check and its verdict.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Check {
    /// `sync-age`, `active-markets`, `success-rate`, `pending-age`,
    /// `stale-runs`, `built-in-markets`, `routing-latency`, or on Maxxit's schema
    /// `held-too-long` and `executed-unrouted`.
    pub check: &'static str,
    /// The venue checked, for per-venue checks.
    pub venue: Option<String>,
    pub ok: bool,
    /// The measured figure (seconds, markets, percent); `None` when there is none.
    pub value: Option<f64>,
    /// The threshold the figure is compared with.
    pub threshold: f64,
    /// The figure and verdict in words.
    pub detail: String,
}

/// What `health --format json` prints.
#[derive(Debug, Clone, Serialize)]
pub(super) struct HealthReport {
    pub ok: bool,
    pub checks: Vec<Check>,
}

/// Validated thresholds.
#[derive(Debug, Clone)]
struct Thresholds {
    venues: Vec<Venue>,
    max_sync_age: Duration,
    min_success_rate: f64,
    min_decisions: i64,
    max_pending_age: Duration,
    max_held_age: Duration,
    max_latency: Duration,
}

fn thresholds(args: &HealthArgs) -> Result<Thresholds> {
    let age = |flag: &str, raw: &str| {
        parse_duration(raw).ok_or_else(|| {
            anyhow!("invalid `{flag}` value `{raw}`: expected a duration such as 30m, 6h, 2d, 1w")
        })
    };
    if !(0.0..=100.0).contains(&args.min_success_rate) {
        return Err(anyhow!(
            "invalid `--min-success-rate` value `{}`: expected a percentage from 0 to 100",
            args.min_success_rate
        ));
    }
    let mut venues = Vec::new();
    for raw in &args.venues {
        let v = parse_venue("--venue", raw)?;
        if !venues.contains(&v) {
            venues.push(v);
        }
    }
    Ok(Thresholds {
        venues,
        max_sync_age: age("--max-sync-age", &args.max_sync_age)?,
        min_success_rate: args.min_success_rate,
        min_decisions: i64::from(args.min_decisions),
        max_pending_age: age("--max-pending-age", &args.max_pending_age)?,
        max_held_age: age("--max-held-age", &args.max_held_age)?,
        max_latency: age("--max-latency", &args.max_latency)?,
    })
}

#[allow(clippy::cast_precision_loss)]
fn seconds(d: Duration) -> f64 {
    d.num_seconds() as f64
}

/// Runs `health`.
pub(super) async fn run(common: &CommonArgs, args: &HealthArgs) -> Result<Outcome> {
    let spec = args.window.validate()?;
    let limits = thresholds(args)?;
    let (_, mut client) = common.connect_checked().await?;
    let tx = agent_where::db::read_snapshot(&mut client).await?;
    let window = resolve_window(&tx, &spec).await?;
    // Without --venue: the venues in use (a registered venue never synced is
    // unavailable, not unhealthy).
    let venues = if limits.venues.is_empty() {
        stats::venues_in_use(&tx).await?
    } else {
        limits.venues.clone()
    };
    let syncs = stats::venue_sync(&tx, &venues).await?;
    let totals = stats::totals(
        &tx,
        &Filters {
            since: window.since,
            until: window.until,
            ..Filters::default()
        },
    )
    .await?;
    let host = agent_where::db::host::detect(&tx).await?;
    let pending = stats::pending(&tx, host).await?;
    let stale = stats::stale_runs(&tx).await?;
    let built_in = stats::built_in_markets(&tx).await?;
    let executed_unrouted = if host.is_maxxit() {
        Some(stats::executed_unrouted(&tx, window.since, window.until).await?)
    } else {
        None
    };
    let without_executor = match host.executor_venues() {
        Some(runs) => Some((
            stats::routed_without_executor(&tx, window.since, window.until, runs).await?,
            runs,
        )),
        None => None,
    };
    drop(tx);

    let mut checks = Vec::new();
    let max_sync = seconds(limits.max_sync_age);
    for s in &syncs {
        let (ok, detail) = match s.age_seconds {
            None => (false, "never synced successfully".to_owned()),
            Some(age) => (
                age <= max_sync,
                format!(
                    "last successful sync {} ago (limit {})",
                    human_age(age),
                    human_age(max_sync)
                ),
            ),
        };
        checks.push(Check {
            check: "sync-age",
            venue: Some(s.venue.clone()),
            ok,
            value: s.age_seconds,
            threshold: max_sync,
            detail,
        });
    }
    for s in &syncs {
        #[allow(clippy::cast_precision_loss)]
        checks.push(Check {
            check: "active-markets",
            venue: Some(s.venue.clone()),
            ok: s.active_markets >= 1,
            value: Some(s.active_markets as f64),
            threshold: 1.0,
            detail: format!(
                "{} active of {} markets (need at least 1)",
                s.active_markets, s.total_markets
            ),
        });
    }
    let rate = totals.success_rate_pct();
    let judged = totals.decisions >= limits.min_decisions;
    checks.push(Check {
        check: "success-rate",
        venue: None,
        ok: !judged || rate.is_some_and(|r| r >= limits.min_success_rate),
        value: rate,
        threshold: limits.min_success_rate,
        detail: if judged {
            format!(
                "{} routed of {} decisions in the {} (need at least {}%)",
                pct_text(rate),
                totals.decisions,
                window_words(&window),
                limits.min_success_rate
            )
        } else {
            format!(
                "{} decisions in the {}: fewer than {}, not judged",
                totals.decisions,
                window_words(&window),
                limits.min_decisions
            )
        },
    });
    let max_pending = seconds(limits.max_pending_age);
    checks.push(Check {
        check: "pending-age",
        venue: None,
        ok: pending.oldest_age_seconds.is_none_or(|a| a <= max_pending),
        value: pending.oldest_age_seconds,
        threshold: max_pending,
        detail: match pending.oldest_age_seconds {
            None => "no pending MULTI signal".to_owned(),
            Some(age) => format!(
                "oldest of {} pending MULTI signals is {} old (limit {})",
                pending.pending,
                human_age(age),
                human_age(max_pending)
            ),
        },
    });
    if let Some(held) = pending.held {
        // Maxxit's schema: signals held for routing (the hold mark), which
        // Maxxit's executor waits for; routing stopped if they age.
        let max_held = seconds(limits.max_held_age);
        checks.push(Check {
            check: "held-too-long",
            venue: None,
            ok: pending.oldest_held_age_seconds.is_none_or(|a| a <= max_held),
            value: pending.oldest_held_age_seconds,
            threshold: max_held,
            detail: match pending.oldest_held_age_seconds {
                None => "no MULTI signal held for routing".to_owned(),
                Some(age) => format!(
                    "oldest of {held} MULTI signals held for routing (AWAITING_ROUTE, the executor waits) is {} old (limit {}): run route-pending-signals",
                    human_age(age),
                    human_age(max_held)
                ),
            },
        });
    }
    checks.push(stale_check(&stale));
    checks.push(built_in_check(&built_in));
    let max_latency = seconds(limits.max_latency);
    checks.push(Check {
        check: "routing-latency",
        venue: None,
        ok: totals.latency_p99_s.is_none_or(|p99| p99 <= max_latency),
        value: totals.latency_p99_s,
        threshold: max_latency,
        detail: match (totals.latency_p99_s, totals.latency_max_s) {
            (Some(p99), max) => format!(
                "p99 signal-to-decision latency {} over {} decisions in the {} (max {}; limit {})",
                latency_text(p99),
                totals.latency_decisions,
                window_words(&window),
                max.map_or_else(|| "-".to_owned(), latency_text),
                latency_text(max_latency)
            ),
            (None, _) => format!(
                "no decision with a recorded latency in the {}",
                window_words(&window)
            ),
        },
    });
    if let Some(n) = executed_unrouted {
        #[allow(clippy::cast_precision_loss)]
        checks.push(Check {
            check: "executed-unrouted",
            venue: None,
            ok: n == 0,
            value: Some(n as f64),
            threshold: 0.0,
            detail: format!(
                "{n} MULTI signals of the {} executed by the host's executor without a routing decision (it runs MULTI as OSTIUM: see docs/maxxit.md)",
                window_words(&window)
            ),
        });
    }
    if let Some((n, runs)) = without_executor {
        #[allow(clippy::cast_precision_loss)]
        checks.push(Check {
            check: "routed-without-executor",
            venue: None,
            ok: n == 0,
            value: Some(n as f64),
            threshold: 0.0,
            detail: format!(
                "{n} signals of the {} routed to a venue the host's executor does not run (it runs {}): they fail unless another executor trades them",
                window_words(&window),
                runs.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            ),
        });
    }

    let report = HealthReport {
        ok: checks.iter().all(|c| c.ok),
        checks,
    };
    emit(None, &render(&report, args.format, args.csv.mode())?)?;
    Ok(if report.ok {
        Outcome::Success
    } else {
        Outcome::Failed
    })
}

/// `stale-runs`: no run left RUNNING that can no longer finish (a routing
/// run without a heartbeat, a sync run, for longer than the staleness limit).
fn stale_check(stale: &[stats::StaleRun]) -> Check {
    let limit = agent_where::db::routing::RUN_STALE_AFTER.as_secs_f64();
    let described: Vec<String> = stale
        .iter()
        .take(3)
        .map(|r| match r.kind.as_str() {
            "sync" => format!(
                "{} sync run started {} UTC",
                r.venue.as_deref().unwrap_or("?"),
                r.started_at.format("%Y-%m-%d %H:%M:%S")
            ),
            _ => format!(
                "routing run {} on {} pid {}, last heartbeat {} UTC",
                r.id,
                r.host.as_deref().unwrap_or("?"),
                r.pid.map_or_else(|| "?".to_owned(), |p| p.to_string()),
                r.last_seen_at.format("%Y-%m-%d %H:%M:%S")
            ),
        })
        .collect();
    #[allow(clippy::cast_precision_loss)]
    Check {
        check: "stale-runs",
        venue: None,
        ok: stale.is_empty(),
        value: Some(stale.len() as f64),
        threshold: limit,
        detail: if stale.is_empty() {
            format!(
                "no run left RUNNING without a heartbeat for more than {}",
                human_age(limit)
            )
        } else {
            format!(
                "{} run(s) RUNNING without a heartbeat for more than {} (killed or lost the database connection): {}{}; the next run of the same kind marks them FAILED",
                stale.len(),
                human_age(limit),
                described.join("; "),
                if stale.len() > described.len() {
                    "; …"
                } else {
                    ""
                }
            )
        },
    }
}

/// `built-in-markets`: outside a demo database no listed market holds the
/// illustrative data built into the binary (`run-pipeline --offline`).
fn built_in_check(built_in: &[(String, i64)]) -> Check {
    let total: i64 = built_in.iter().map(|(_, n)| n).sum();
    #[allow(clippy::cast_precision_loss)]
    Check {
        check: "built-in-markets",
        venue: None,
        ok: total == 0,
        value: Some(total as f64),
        threshold: 0.0,
        detail: if total == 0 {
            "no market holds the illustrative data built into the binary (or this is a demo database)"
                .to_owned()
        } else {
            format!(
                "{total} listed markets hold the illustrative data built into the binary ({}) in a database that is not a demo database: routing skips a venue while its latest sync is built in (BUILT_IN_MARKET_DATA); sync those venues live (sync-<venue>-markets)",
                built_in
                    .iter()
                    .map(|(v, n)| format!("{v} {n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
    }
}

/// Seconds with millisecond precision below a minute, else as an age.
fn latency_text(s: f64) -> String {
    if s < 60.0 {
        format!("{s:.3} s")
    } else {
        human_age(s)
    }
}

fn window_words(w: &Window) -> String {
    match w.label {
        "custom" => "chosen window".to_owned(),
        "all" => "whole history".to_owned(),
        other => format!("last {other}"),
    }
}

fn render(report: &HealthReport, format: Format, csv: CsvMode) -> Result<String> {
    let status = |ok: bool| if ok { "OK" } else { "FAIL" };
    match format {
        Format::Json => {
            let mut text = serde_json::to_string_pretty(report)?;
            text.push('\n');
            Ok(text)
        }
        Format::Csv => {
            let mut t = Table::new(["check", "venue", "status", "value", "threshold", "detail"])
                .numbers(&["value"]);
            for c in &report.checks {
                t.row([
                    c.check.to_owned(),
                    c.venue.clone().unwrap_or_default(),
                    status(c.ok).to_owned(),
                    cell(c.value),
                    c.threshold.to_string(),
                    c.detail.clone(),
                ]);
            }
            t.to_csv(csv)
        }
        Format::Table => {
            let mut t = Table::new(["status", "check", "figure"]);
            for c in &report.checks {
                let name = match &c.venue {
                    Some(v) => format!("{} {v}", c.check),
                    None => c.check.to_owned(),
                };
                t.row([status(c.ok).to_owned(), name, c.detail.clone()]);
            }
            let failed = report.checks.iter().filter(|c| !c.ok).count();
            let mut text = t.render();
            text.push_str(&if failed == 0 {
                format!("\nhealth: OK ({} checks passed)\n", report.checks.len())
            } else {
                format!(
                    "\nhealth: FAIL ({failed} of {} checks failed)\n",
                    report.checks.len()
                )
            });
            Ok(text)
        }
    }
}
