//! The host schema Agent Where runs in, read from the catalog once per run:
//! its own minimal tables (standalone), or Maxxit's, whose executor runs
//! signals per deployment and records what it executed.
//!
//! On Maxxit's schema a pending `MULTI` signal must also be untaken by the
//! executor (no `trade_executed`, no executor error, no position), belongs to
//! a deployment whose status and enabled venues decide where it may go, and
//! its deployment's open positions decide the venue; a skip is marked in the
//! columns the executor reads, and `agent_routing_history` gets a row per
//! decision when it exists. The statements for it are in `sql/maxxit/`.
//!
//! A schema with some of Maxxit's execution columns but not all (an older
//! Maxxit) is refused: routing could re-route executed signals there.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail};
use tokio_postgres::GenericClient;

use super::DbContext;
use crate::domain::Venue;
use crate::routing::MAXXIT_EXECUTOR_VENUES;

/// What routing needs of Maxxit's schema, table by table.
pub const MAXXIT_COLUMNS: [(&str, &[&str]); 3] = [
    (
        "signals",
        &[
            "deployment_id",
            "trade_executed",
            "execution_result",
            "executor_agreement_error",
            "llm_should_trade",
        ],
    ),
    (
        "positions",
        &[
            "signal_id",
            "deployment_id",
            "venue",
            "token_symbol",
            "status",
            "closed_at",
        ],
    ),
    ("agent_deployments", &["id", "status", "enabled_venues"]),
];

/// The columns of Maxxit's dashboard table Agent Where writes.
pub const AGENT_ROUTING_HISTORY_COLUMNS: [&str; 7] = [
    "signal_id",
    "requested_venues",
    "selected_venue",
    "routing_reason",
    "checked_venues",
    "venue_availability",
    "routing_duration_ms",
];

/// The host schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostSchema {
    /// Agent Where's own minimal tables (or a host without execution records).
    Minimal,
    /// Maxxit's schema with its executor's columns.
    Maxxit {
        /// Whether `agent_routing_history` (Maxxit's dashboard) exists.
        agent_routing_history: bool,
    },
}

impl HostSchema {
    /// Whether signals are executed per deployment with execution records.
    #[must_use]
    pub fn is_maxxit(self) -> bool {
        matches!(self, HostSchema::Maxxit { .. })
    }

    /// The venues the host's executor runs (`None`: not known, any venue):
    /// Maxxit's runs Hyperliquid and Ostium.
    #[must_use]
    pub fn executor_venues(self) -> Option<&'static [Venue]> {
        match self {
            HostSchema::Minimal => None,
            HostSchema::Maxxit { .. } => Some(&MAXXIT_EXECUTOR_VENUES),
        }
    }

    /// The name shown in reports and run options.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            HostSchema::Minimal => "minimal",
            HostSchema::Maxxit { .. } => "maxxit",
        }
    }
}

/// What `trade_executed` says of a skip on Maxxit's schema (its executor
/// leaves a signal whose `trade_executed` is set).
///
/// `FAILED` (the default) is Maxxit's own "not traded" value: its Telegram
/// notification worker tells the followers of the agent that the signal was
/// not traded, with `execution_result` as the reason; any other value reads
/// as "waiting" there forever. `SKIPPED` is the mark of earlier versions, for
/// a host that wants it. Rows carrying either mark are not pending, whatever
/// the setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SkipMark {
    #[default]
    Failed,
    Skipped,
}

impl SkipMark {
    /// The value written to `signals.trade_executed`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            SkipMark::Failed => "FAILED",
            SkipMark::Skipped => "SKIPPED",
        }
    }
}

/// The host schema `setup-agent-where` is told to expect (`--host`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExpectedHost {
    /// Whatever the database holds; refuse only a half-installed Prisma host.
    #[default]
    Auto,
    /// Agent Where's own minimal tables (refuse a Maxxit database).
    Minimal,
    /// Maxxit's schema, which must be there already (refuse to create the
    /// minimal tables its Prisma migrations would then fail on).
    Maxxit,
}

/// Refuses, before setup changes anything, an install order that breaks the
/// host: Agent Where's migrations create `venue_t`, `agents` and `signals`
/// when they are missing, and Maxxit's own Prisma migrations then fail on
/// them (`type "venue_t" already exists`). So Maxxit's schema comes first:
/// with `--host maxxit` setup requires it, and in any case it refuses a
/// database where Prisma has started (`_prisma_migrations`) but Maxxit's
/// tables are not there yet. A schema routing refuses (an older Maxxit) is
/// not Maxxit's here: setup still adds its tables to it.
pub async fn check_install_order<C: GenericClient>(
    client: &C,
    expected: ExpectedHost,
) -> Result<()> {
    let maxxit = detect(client).await.is_ok_and(HostSchema::is_maxxit);
    let present = super::schema::existing_tables(client, &["_prisma_migrations", "agents"])
        .await
        .db_context("cannot read the host schema")?;
    let prisma_started = present.iter().any(|t| t == "_prisma_migrations");
    let agents = present.iter().any(|t| t == "agents");
    match expected {
        ExpectedHost::Maxxit if !maxxit => bail!(
            "this database has no Maxxit schema yet (`--host maxxit` needs {}): install Maxxit's schema first (`npx prisma migrate deploy`), then run setup-agent-where; nothing was changed",
            MAXXIT_COLUMNS
                .iter()
                .map(|(t, _)| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ExpectedHost::Minimal if maxxit => bail!(
            "this database has Maxxit's schema, not the minimal one `--host minimal` expects: run setup-agent-where without `--host minimal` (it adds to Maxxit's schema); nothing was changed"
        ),
        _ if prisma_started && !agents => bail!(
            "this database has Prisma's `_prisma_migrations` but not Maxxit's tables yet: finish Maxxit's `npx prisma migrate deploy` first, then run setup-agent-where (set up first, Agent Where would create `venue_t`, `agents` and `signals`, and Maxxit's migrations would fail on them); nothing was changed"
        ),
        _ => Ok(()),
    }
}

/// Reads the host schema from the catalog.
pub async fn detect<C: GenericClient>(client: &C) -> Result<HostSchema> {
    let tables: Vec<&str> = MAXXIT_COLUMNS
        .iter()
        .map(|(t, _)| *t)
        .chain(std::iter::once("agent_routing_history"))
        .collect();
    let rows = super::typed::query(client, sql!("schema/catalog_columns.sql"), &[&tables])
        .await
        .db_context("cannot read the host schema")?;
    let mut present: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in &rows {
        let table: String = row
            .try_get("table_name")
            .db_context("cannot read the host schema")?;
        let column: String = row
            .try_get("column_name")
            .db_context("cannot read the host schema")?;
        present.entry(table).or_default().insert(column);
    }
    classify(&present)
}

/// The host schema from the columns present per table.
pub fn classify(present: &BTreeMap<String, BTreeSet<String>>) -> Result<HostSchema> {
    let has = |table: &str, column: &str| present.get(table).is_some_and(|c| c.contains(column));
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for (table, columns) in MAXXIT_COLUMNS {
        for column in columns {
            if has(table, column) {
                found.push(format!("{table}.{column}"));
            } else {
                missing.push(format!("{table}.{column}"));
            }
        }
    }
    // The minimal schema has `signals` without any execution column.
    let execution_records = found.iter().any(|c| !c.starts_with("agent_deployments."));
    if missing.is_empty() {
        let agent_routing_history = AGENT_ROUTING_HISTORY_COLUMNS
            .iter()
            .all(|c| has("agent_routing_history", c));
        return Ok(HostSchema::Maxxit {
            agent_routing_history,
        });
    }
    if !execution_records {
        return Ok(HostSchema::Minimal);
    }
    bail!(
        "the host schema records executions but lacks {} (found {}): routing could re-route executed signals, so it stops; Agent Where supports its own minimal schema and Maxxit's schema of 2026 (see docs/maxxit.md)",
        missing.join(", "),
        found.join(", ")
    )
}

/// The `trade_executed` value of a signal held for routing by the hold
/// (`setup-agent-where --hold-multi on`): Maxxit's executor takes only NULL,
/// its notifier reads any other value as "waiting".
pub const HOLD_MARK: &str = "AWAITING_ROUTE";

/// Whether the hold of new `MULTI` signals is on (its trigger installed and
/// enabled on `signals`).
pub async fn hold_multi<C: GenericClient>(client: &C) -> Result<bool> {
    super::typed::query_one(client, sql!("maxxit/hold_state.sql"), &[])
        .await
        .and_then(|r| r.try_get("hold_multi"))
        .db_context("cannot read whether the MULTI hold is on")
}

/// Turns the hold of new `MULTI` signals on or off, in one transaction whose
/// lock waits end after `lock_timeout`; returns whether it changed. On
/// installs its function and trigger; off removes them and leaves the
/// signals held already as they are (routing releases or skips them).
/// Maxxit's schema only: refused elsewhere before anything changes.
pub async fn set_hold_multi(
    client: &mut tokio_postgres::Client,
    on: bool,
    lock_timeout: std::time::Duration,
) -> Result<bool> {
    if !detect(&*client).await?.is_maxxit() {
        bail!(
            "`--hold-multi` needs Maxxit's schema (its executor's `trade_executed` column holds the mark); this database has the minimal one; nothing was changed"
        );
    }
    let was = hold_multi(&*client).await?;
    let tx = client
        .transaction()
        .await
        .db_context("cannot start the hold's transaction")?;
    let timeout_ms = lock_timeout.as_millis().max(1).to_string();
    super::typed::execute(&tx, sql!("locks/set_lock_timeout.sql"), &[&timeout_ms])
        .await
        .db_context("cannot set the lock timeout")?;
    let statements: &[&str] = if on {
        &[sql!("maxxit/hold_function.sql"), sql!("maxxit/hold_on.sql")]
    } else {
        &[
            sql!("maxxit/hold_off.sql"),
            sql!("maxxit/hold_function_drop.sql"),
        ]
    };
    for sql in statements {
        tx.batch_execute(sql).await.db_context(if on {
            "cannot turn the MULTI hold on (a lock on `signals` not granted within --lock-timeout?)"
        } else {
            "cannot turn the MULTI hold off (a lock on `signals` not granted within --lock-timeout?)"
        })?;
    }
    tx.commit()
        .await
        .db_context("cannot commit the MULTI hold")?;
    Ok(was != on)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(tables: &[(&str, &[&str])]) -> BTreeMap<String, BTreeSet<String>> {
        tables
            .iter()
            .map(|(t, cols)| {
                (
                    (*t).to_owned(),
                    cols.iter().map(|c| (*c).to_owned()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn minimal_maxxit_and_partial_schemas() {
        let minimal = schema(&[("signals", &["id", "venue", "skipped_reason"])]);
        assert_eq!(classify(&minimal).ok(), Some(HostSchema::Minimal));
        let full: Vec<(&str, &[&str])> = MAXXIT_COLUMNS.to_vec();
        assert_eq!(
            classify(&schema(&full)).ok(),
            Some(HostSchema::Maxxit {
                agent_routing_history: false
            })
        );
        let mut with_dashboard = full.clone();
        with_dashboard.push(("agent_routing_history", &AGENT_ROUTING_HISTORY_COLUMNS));
        assert_eq!(
            classify(&schema(&with_dashboard)).ok(),
            Some(HostSchema::Maxxit {
                agent_routing_history: true
            })
        );
        // An older Maxxit: positions, but no execution columns on signals.
        let older = schema(&[
            ("signals", &["id"]),
            (
                "positions",
                &[
                    "signal_id",
                    "deployment_id",
                    "venue",
                    "token_symbol",
                    "status",
                    "closed_at",
                ],
            ),
        ]);
        let e = classify(&older).expect_err("refused").to_string();
        assert!(e.contains("signals.trade_executed"), "{e}");
        assert!(e.contains("re-route executed signals"), "{e}");
    }
}
