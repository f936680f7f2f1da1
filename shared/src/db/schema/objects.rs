//! The database objects Agent Where needs, verified in the catalog one by one
//! (not only by the migration history): every table, column, type,
//! nullability, index and foreign key of its Prisma models
//! ([`super::prisma::MODELS`]), the `venue_t` labels, and what Prisma cannot
//! model: partial and expression indexes, CHECK constraints and the view
//! `routing_decisions`. A foreign tool (a host's `prisma db push`) can remove
//! any of them while the migration history still says "applied";
//! `setup-agent-where --check` lists what is missing and `setup-agent-where`
//! repairs it.

use anyhow::{Context, Result};
use tokio_postgres::GenericClient;

use super::prisma::{self, Action, PrismaSchema};
use crate::db::{DbContext, typed};

/// Partial or expression indexes (Prisma models cannot say them): (table, index).
pub const PARTIAL_INDEXES: [(&str, &str); 7] = [
    ("signals", "signals_multi_pending_idx"),
    (
        "venue_routing_config",
        "venue_routing_config_one_global_key",
    ),
    (
        "venue_routing_overrides",
        "venue_routing_overrides_agent_token_key",
    ),
    (
        "venue_routing_overrides",
        "venue_routing_overrides_global_token_key",
    ),
    ("venue_sync_runs", "venue_sync_runs_venue_finished_at_idx"),
    ("venue_sync_runs", "venue_sync_runs_running_idx"),
    ("routing_runs", "routing_runs_running_idx"),
];

/// Partial indexes of Maxxit's schema only (migration 13 creates them where
/// `signals` has Maxxit's executor columns [`MAXXIT_SIGNAL_COLUMNS`]):
/// (table, index).
pub const MAXXIT_PARTIAL_INDEXES: [(&str, &str); 1] = [("signals", "signals_maxxit_pending_idx")];

/// The `signals` columns migration 13 looks for to tell Maxxit's schema.
pub const MAXXIT_SIGNAL_COLUMNS: [&str; 3] = [
    "trade_executed",
    "executor_agreement_error",
    "llm_should_trade",
];

/// CHECK constraints (Prisma models cannot say them): (table, constraint).
pub const CHECK_CONSTRAINTS: [(&str, &str); 3] = [
    ("venue_sync_runs", "venue_sync_runs_status_check"),
    ("routing_runs", "routing_runs_status_check"),
    (
        "venue_routing_config",
        "venue_routing_config_assumed_notional_usd_check",
    ),
];

/// Triggers (Prisma models cannot say them): (table, trigger, function).
/// `signals_pending_notify` wakes a following router (`route-pending-signals
/// --follow`) when a MULTI signal arrives.
pub const TRIGGERS: [(&str, &str, &str); 1] = [(
    "signals",
    "signals_pending_notify",
    "agent_where_notify_pending",
)];

/// Views Agent Where defines.
pub const VIEWS: [&str; 2] = ["routing_decisions", "signal_token_demand"];

/// One column as the catalog has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogColumn {
    pub table: String,
    pub name: String,
    pub sql_type: String,
    pub nullable: bool,
    pub default: Option<String>,
}

/// One index as the catalog has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogIndex {
    pub table: String,
    pub name: String,
    pub unique: bool,
    pub primary: bool,
    pub partial: bool,
    pub has_expressions: bool,
    pub columns: Vec<String>,
}

/// One foreign key or CHECK constraint as the catalog has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogConstraint {
    pub table: String,
    pub name: String,
    /// `f` (foreign key) or `c` (check).
    pub kind: String,
    pub columns: Vec<String>,
    pub references_table: Option<String>,
    pub references_columns: Vec<String>,
    pub on_delete: Option<Action>,
    pub on_update: Option<Action>,
}

/// What the catalog holds of the objects Agent Where needs.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Which of the tables and views asked about exist.
    pub relations: Vec<String>,
    pub columns: Vec<CatalogColumn>,
    pub indexes: Vec<CatalogIndex>,
    pub constraints: Vec<CatalogConstraint>,
    /// `venue_t` labels in order.
    pub venue_labels: Vec<String>,
    /// The triggers on the tables asked about.
    pub triggers: Vec<CatalogTrigger>,
}

/// One trigger as the catalog has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogTrigger {
    pub table: String,
    pub name: String,
    pub function: String,
    pub enabled: bool,
}

/// The triggers on `tables`.
pub async fn read_triggers<C: GenericClient>(
    client: &C,
    tables: &[String],
) -> Result<Vec<CatalogTrigger>> {
    typed::query(client, sql!("schema/catalog_triggers.sql"), &[&tables])
        .await
        .and_then(|rows| {
            rows.iter()
                .map(|r| {
                    Ok(CatalogTrigger {
                        table: r.try_get("table_name")?,
                        name: r.try_get("trigger_name")?,
                        function: r.try_get("function_name")?,
                        enabled: r.try_get("enabled")?,
                    })
                })
                .collect::<Result<Vec<_>, tokio_postgres::Error>>()
        })
        .db_context("cannot read the catalog's triggers")
}

impl Catalog {
    /// The columns of `table`, in table order.
    pub fn columns_of<'a>(&'a self, table: &'a str) -> impl Iterator<Item = &'a CatalogColumn> {
        self.columns.iter().filter(move |c| c.table == table)
    }

    /// The index `name` of `table`.
    #[must_use]
    pub fn index(&self, table: &str, name: &str) -> Option<&CatalogIndex> {
        self.indexes
            .iter()
            .find(|i| i.table == table && i.name == name)
    }

    /// The constraint `name` of `table`.
    #[must_use]
    pub fn constraint(&self, table: &str, name: &str) -> Option<&CatalogConstraint> {
        self.constraints
            .iter()
            .find(|c| c.table == table && c.name == name)
    }
}

/// Every table the objects live on: the models' and those of the partial
/// indexes (the host's `signals`).
#[must_use]
pub fn tables(models: &PrismaSchema) -> Vec<String> {
    let mut tables: Vec<String> = models.models.iter().map(|m| m.name.clone()).collect();
    for (t, _) in PARTIAL_INDEXES.iter().chain(CHECK_CONSTRAINTS.iter()) {
        if !tables.iter().any(|x| x == t) {
            tables.push((*t).to_owned());
        }
    }
    tables
}

/// Reads what the catalog holds of `tables` and [`VIEWS`].
pub async fn read_catalog<C: GenericClient>(client: &C, tables: &[String]) -> Result<Catalog> {
    let names: Vec<&str> = tables
        .iter()
        .map(String::as_str)
        .chain(VIEWS.iter().copied())
        .collect();
    let relations = super::existing_tables(client, &names)
        .await
        .db_context("cannot read the catalog")?;
    let columns = typed::query(client, sql!("schema/catalog_columns.sql"), &[&tables])
        .await
        .and_then(|rows| {
            rows.iter()
                .map(|r| {
                    Ok(CatalogColumn {
                        table: r.try_get("table_name")?,
                        name: r.try_get("column_name")?,
                        sql_type: r.try_get("sql_type")?,
                        nullable: r.try_get("nullable")?,
                        default: r.try_get("column_default")?,
                    })
                })
                .collect::<Result<Vec<_>, tokio_postgres::Error>>()
        })
        .db_context("cannot read the catalog's columns")?;
    let indexes = typed::query(client, sql!("schema/catalog_indexes.sql"), &[&tables])
        .await
        .and_then(|rows| {
            rows.iter()
                .map(|r| {
                    Ok(CatalogIndex {
                        table: r.try_get("table_name")?,
                        name: r.try_get("index_name")?,
                        unique: r.try_get("is_unique")?,
                        primary: r.try_get("is_primary")?,
                        partial: r.try_get("partial")?,
                        has_expressions: r.try_get("has_expressions")?,
                        columns: r.try_get("columns")?,
                    })
                })
                .collect::<Result<Vec<_>, tokio_postgres::Error>>()
        })
        .db_context("cannot read the catalog's indexes")?;
    let constraints = typed::query(client, sql!("schema/catalog_constraints.sql"), &[&tables])
        .await
        .and_then(|rows| {
            rows.iter()
                .map(|r| {
                    let action = |col: &str| -> Result<Option<Action>, tokio_postgres::Error> {
                        Ok(r.try_get::<_, Option<String>>(col)?
                            .as_deref()
                            .and_then(Action::from_pg))
                    };
                    Ok(CatalogConstraint {
                        table: r.try_get("table_name")?,
                        name: r.try_get("constraint_name")?,
                        kind: r.try_get("kind")?,
                        columns: r.try_get("columns")?,
                        references_table: r.try_get("references_table")?,
                        references_columns: r.try_get("references_columns")?,
                        on_delete: action("on_delete")?,
                        on_update: action("on_update")?,
                    })
                })
                .collect::<Result<Vec<_>, tokio_postgres::Error>>()
        })
        .db_context("cannot read the catalog's constraints")?;
    let venue_labels = typed::query(client, sql!("schema/venue_enum_values.sql"), &[])
        .await
        .and_then(|rows| rows.iter().map(|r| r.try_get("label")).collect())
        .db_context("cannot read `venue_t`")?;
    let triggers = read_triggers(client, tables).await?;
    Ok(Catalog {
        relations,
        columns,
        indexes,
        constraints,
        venue_labels,
        triggers,
    })
}

/// Whether two types are the same as PostgreSQL stores them: a time stamp's
/// default precision is 6, so `timestamptz` and `timestamptz(6)` are one.
#[must_use]
pub fn same_type(expected: &str, actual: &str) -> bool {
    let norm = |t: &str| t.replace("timestamp(6)", "timestamp");
    norm(expected) == norm(actual)
}

/// What is missing or different in `catalog` from the objects Agent Where
/// needs, one line each, in a stable order. Empty when all is there.
#[must_use]
pub fn problems(models: &PrismaSchema, catalog: &Catalog) -> Vec<String> {
    let mut out = Vec::new();
    let exists = |name: &str| catalog.relations.iter().any(|r| r == name);
    for model in &models.models {
        let table = model.name.as_str();
        if !exists(table) {
            out.push(format!("table `{table}` is missing"));
            continue;
        }
        for col in &model.columns {
            let Some(found) = catalog.columns_of(table).find(|c| c.name == col.name) else {
                out.push(format!("column `{table}.{}` is missing", col.name));
                continue;
            };
            if !same_type(&col.sql_type, &found.sql_type) {
                out.push(format!(
                    "column `{table}.{}` is {}, expected {}",
                    col.name, found.sql_type, col.sql_type
                ));
            }
            match (col.nullable, found.nullable) {
                (Some(false), true) => out.push(format!(
                    "column `{table}.{}` allows NULL, expected NOT NULL",
                    col.name
                )),
                (Some(true), false) => out.push(format!(
                    "column `{table}.{}` is NOT NULL, expected to allow NULL",
                    col.name
                )),
                _ => {}
            }
        }
        for index in &model.indexes {
            match catalog.index(table, &index.name) {
                None => out.push(format!("index `{}` on `{table}` is missing", index.name)),
                Some(found) if found.columns != index.columns || found.partial => {
                    out.push(format!(
                        "index `{}` on `{table}` covers ({}){}, expected ({})",
                        index.name,
                        found.columns.join(", "),
                        if found.partial { " partially" } else { "" },
                        index.columns.join(", ")
                    ));
                }
                Some(found) if found.unique != index.unique => out.push(format!(
                    "index `{}` on `{table}` is {}unique, expected {}unique",
                    index.name,
                    if found.unique { "" } else { "not " },
                    if index.unique { "" } else { "not " },
                )),
                Some(_) => {}
            }
        }
        for fk in &model.foreign_keys {
            match catalog.constraint(table, &fk.name) {
                Some(found)
                    if found.kind == "f"
                        && found.columns == fk.columns
                        && found.references_table.as_deref()
                            == Some(fk.references_table.as_str()) => {}
                Some(_) => out.push(format!(
                    "foreign key `{}` on `{table}` does not reference `{}` ({})",
                    fk.name,
                    fk.references_table,
                    fk.references_columns.join(", ")
                )),
                None => out.push(format!("foreign key `{}` on `{table}` is missing", fk.name)),
            }
        }
    }
    for (table, name) in PARTIAL_INDEXES {
        if exists(table) && catalog.index(table, name).is_none() {
            out.push(format!("index `{name}` on `{table}` is missing"));
        }
    }
    let maxxit = MAXXIT_SIGNAL_COLUMNS
        .iter()
        .all(|c| catalog.columns_of("signals").any(|x| x.name == *c));
    for (table, name) in MAXXIT_PARTIAL_INDEXES {
        if maxxit && catalog.index(table, name).is_none() {
            out.push(format!("index `{name}` on `{table}` is missing"));
        }
    }
    for (table, name) in CHECK_CONSTRAINTS {
        if exists(table) && catalog.constraint(table, name).is_none() {
            out.push(format!("check constraint `{name}` on `{table}` is missing"));
        }
    }
    for (table, name, function) in TRIGGERS {
        if !exists(table) {
            continue;
        }
        match catalog
            .triggers
            .iter()
            .find(|t| t.table == table && t.name == name)
        {
            None => out.push(format!("trigger `{name}` on `{table}` is missing")),
            Some(t) if t.function != function => out.push(format!(
                "trigger `{name}` on `{table}` runs `{}`, expected `{function}`",
                t.function
            )),
            Some(t) if !t.enabled => {
                out.push(format!("trigger `{name}` on `{table}` is disabled"));
            }
            Some(_) => {}
        }
    }
    for view in VIEWS {
        if !exists(view) {
            out.push(format!("view `{view}` is missing"));
        }
    }
    if let Some(venue_t) = models.enum_named("venue_t") {
        for label in &venue_t.values {
            if !catalog.venue_labels.iter().any(|l| l == label) {
                out.push(format!("`venue_t` lacks the label `{label}`"));
            }
        }
    }
    out
}

/// Verifies the database against the objects Agent Where needs.
pub async fn verify<C: GenericClient>(client: &C) -> Result<Vec<String>> {
    let models = prisma::shipped().context("this build's Prisma models")?;
    let catalog = read_catalog(client, &tables(&models)).await?;
    Ok(problems(&models, &catalog))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog_of(models: &PrismaSchema) -> Catalog {
        let mut c = Catalog::default();
        for m in &models.models {
            c.relations.push(m.name.clone());
            for col in &m.columns {
                c.columns.push(CatalogColumn {
                    table: m.name.clone(),
                    name: col.name.clone(),
                    sql_type: col.sql_type.replace("timestamp(6)", "timestamp"),
                    nullable: col.nullable.unwrap_or(true),
                    default: col.default.clone(),
                });
            }
            for i in &m.indexes {
                c.indexes.push(CatalogIndex {
                    table: m.name.clone(),
                    name: i.name.clone(),
                    unique: i.unique,
                    primary: i.primary,
                    partial: false,
                    has_expressions: false,
                    columns: i.columns.clone(),
                });
            }
            for fk in &m.foreign_keys {
                c.constraints.push(CatalogConstraint {
                    table: m.name.clone(),
                    name: fk.name.clone(),
                    kind: "f".to_owned(),
                    columns: fk.columns.clone(),
                    references_table: Some(fk.references_table.clone()),
                    references_columns: fk.references_columns.clone(),
                    on_delete: Some(fk.on_delete),
                    on_update: Some(fk.on_update),
                });
            }
        }
        c.relations.push("signals".to_owned());
        c.relations.extend(VIEWS.iter().map(|v| (*v).to_owned()));
        for (t, n) in PARTIAL_INDEXES {
            c.indexes.push(CatalogIndex {
                table: t.to_owned(),
                name: n.to_owned(),
                unique: false,
                primary: false,
                partial: true,
                has_expressions: false,
                columns: Vec::new(),
            });
        }
        for (t, n) in CHECK_CONSTRAINTS {
            c.constraints.push(CatalogConstraint {
                table: t.to_owned(),
                name: n.to_owned(),
                kind: "c".to_owned(),
                columns: Vec::new(),
                references_table: None,
                references_columns: Vec::new(),
                on_delete: None,
                on_update: None,
            });
        }
        c.venue_labels = models
            .enum_named("venue_t")
            .map(|e| e.values.clone())
            .unwrap_or_default();
        for (t, n, f) in TRIGGERS {
            c.triggers.push(CatalogTrigger {
                table: t.to_owned(),
                name: n.to_owned(),
                function: f.to_owned(),
                enabled: true,
            });
        }
        c
    }

    #[test]
    fn a_complete_catalog_has_no_problems_and_each_removal_is_named() {
        let models = prisma::shipped().expect("shipped models parse");
        let full = catalog_of(&models);
        assert_eq!(problems(&models, &full), Vec::<String>::new());

        let mut c = full.clone();
        c.columns
            .retain(|x| !(x.table == "venue_markets" && x.name == "liquidity_usd"));
        c.relations.retain(|r| r != "routing_decisions");
        c.indexes.retain(|i| i.name != "signals_multi_pending_idx");
        c.venue_labels.retain(|l| l != "AEVO");
        if let Some(col) = c
            .columns
            .iter_mut()
            .find(|x| x.table == "venue_routing_history" && x.name == "selected_venue")
        {
            col.nullable = true;
        }
        if let Some(col) = c
            .columns
            .iter_mut()
            .find(|x| x.table == "venue_markets" && x.name == "price_scale")
        {
            col.sql_type = "numeric".to_owned();
        }
        c.constraints
            .retain(|x| x.name != "venue_routing_history_signal_id_fkey");
        c.triggers.retain(|t| t.name != "signals_pending_notify");
        assert_eq!(
            problems(&models, &c),
            [
                "column `venue_markets.price_scale` is numeric, expected double precision",
                "column `venue_markets.liquidity_usd` is missing",
                "column `venue_routing_history.selected_venue` allows NULL, expected NOT NULL",
                "foreign key `venue_routing_history_signal_id_fkey` on `venue_routing_history` is missing",
                "index `signals_multi_pending_idx` on `signals` is missing",
                "trigger `signals_pending_notify` on `signals` is missing",
                "view `routing_decisions` is missing",
                "`venue_t` lacks the label `AEVO`",
            ]
        );

        let mut disabled = full.clone();
        if let Some(t) = disabled.triggers.first_mut() {
            t.enabled = false;
        }
        assert_eq!(
            problems(&models, &disabled),
            ["trigger `signals_pending_notify` on `signals` is disabled"]
        );

        let mut c = full;
        c.relations.retain(|r| r != "routing_runs");
        assert_eq!(
            problems(&models, &c),
            ["table `routing_runs` is missing"],
            "a missing table is one problem, not one per object on it"
        );
    }

    #[test]
    fn timestamps_compare_at_their_default_precision() {
        assert!(same_type(
            "timestamp(6) with time zone",
            "timestamp with time zone"
        ));
        assert!(!same_type(
            "timestamp(3) with time zone",
            "timestamp with time zone"
        ));
        assert!(!same_type("text", "character varying(255)"));
    }
}
