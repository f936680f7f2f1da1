//! Agent Where on a Prisma host: the shipped Prisma models
//! (`migrations/prisma/agent_where.prisma`) are exactly the schema setup
//! builds, compared with the catalog the way Prisma's differ would (so a host
//! that pastes them sees no drift; the Prisma CLI cannot be installed here),
//! and what a host's `prisma db push` removes is listed by `--check`, refused
//! by every tool with a way out, and repaired by setup.

use std::collections::BTreeSet;

use agent_where::db::schema::objects::{self, Catalog};
use agent_where::db::schema::prisma::{self, PrismaSchema};
use agent_where::testing::TestDb;
use anyhow::Result;
use tokio_postgres::Client;

use crate::maxxit::{MAXXIT_2026, maxxit_ready};
use crate::support::bin::run;
use crate::support::db::{count, dump_rows};

/// A default as Prisma compares it: `CURRENT_TIMESTAMP` is `now()`.
fn normalized_default(d: Option<&str>) -> Option<String> {
    d.map(|d| d.replace("CURRENT_TIMESTAMP", "now()"))
}

/// Every difference between the models and the catalog that Prisma's
/// differ would act on: a column, type, nullability or default of its own,
/// an index or foreign key it does not declare or declares otherwise, a
/// `venue_t` label in another order. `on_update` is compared only where the
/// host created the tables with Prisma (Maxxit): Agent Where's own minimal
/// tables keep PostgreSQL's default (NO ACTION), and ids are never updated.
fn drift(models: &PrismaSchema, catalog: &Catalog, prisma_host: bool) -> Vec<String> {
    let mut out = Vec::new();
    for model in &models.models {
        let t = model.name.as_str();
        let have: BTreeSet<&str> = catalog.columns_of(t).map(|c| c.name.as_str()).collect();
        let want: BTreeSet<&str> = model.columns.iter().map(|c| c.name.as_str()).collect();
        for extra in have.difference(&want) {
            out.push(format!("{t}.{extra}: in the database, not in the model"));
        }
        for col in &model.columns {
            let Some(found) = catalog.columns_of(t).find(|c| c.name == col.name) else {
                out.push(format!(
                    "{t}.{}: in the model, not in the database",
                    col.name
                ));
                continue;
            };
            if !objects::same_type(&col.sql_type, &found.sql_type) {
                out.push(format!(
                    "{t}.{}: type {} vs {}",
                    col.name, col.sql_type, found.sql_type
                ));
            }
            if col.nullable.is_some_and(|n| n != found.nullable) {
                out.push(format!("{t}.{}: nullability", col.name));
            }
            if normalized_default(col.default.as_deref())
                != normalized_default(found.default.as_deref())
            {
                out.push(format!(
                    "{t}.{}: default {:?} vs {:?}",
                    col.name, col.default, found.default
                ));
            }
        }
        // Prisma sees plain indexes only; partial and expression ones are
        // setup's (objects::PARTIAL_INDEXES).
        let plain: BTreeSet<(String, Vec<String>, bool)> = catalog
            .indexes
            .iter()
            .filter(|i| i.table == t && !i.partial && !i.has_expressions)
            .map(|i| (i.name.clone(), i.columns.clone(), i.unique))
            .collect();
        let declared: BTreeSet<(String, Vec<String>, bool)> = model
            .indexes
            .iter()
            .map(|i| (i.name.clone(), i.columns.clone(), i.unique))
            .collect();
        for i in plain.symmetric_difference(&declared) {
            out.push(format!("{t}: index {i:?} differs"));
        }
        let fks: Vec<_> = catalog
            .constraints
            .iter()
            .filter(|c| c.table == t && c.kind == "f")
            .collect();
        if fks.len() != model.foreign_keys.len() {
            out.push(format!(
                "{t}: {} foreign keys vs {} relations",
                fks.len(),
                model.foreign_keys.len()
            ));
        }
        for fk in &model.foreign_keys {
            let Some(found) = fks.iter().find(|c| c.name == fk.name) else {
                out.push(format!("{t}: foreign key {} missing", fk.name));
                continue;
            };
            let same = found.columns == fk.columns
                && found.references_table.as_deref() == Some(fk.references_table.as_str())
                && found.references_columns == fk.references_columns
                && found.on_delete == Some(fk.on_delete)
                && (!prisma_host || found.on_update == Some(fk.on_update));
            if !same {
                out.push(format!(
                    "{t}: foreign key {} is {found:?}, model {fk:?}",
                    fk.name
                ));
            }
        }
    }
    let labels = models
        .enum_named("venue_t")
        .map(|e| e.values.clone())
        .unwrap_or_default();
    if catalog.venue_labels != labels {
        out.push(format!(
            "venue_t: {:?} vs model {labels:?}",
            catalog.venue_labels
        ));
    }
    out
}

async fn catalog(client: &Client, models: &PrismaSchema) -> Result<Catalog> {
    objects::read_catalog(client, &objects::tables(models)).await
}

#[tokio::test]
async fn shipped_models_are_exactly_the_schema_setup_builds_on_maxxit_and_on_its_own() -> Result<()>
{
    let models = prisma::shipped()?;
    let (_maxxit_db, maxxit) = maxxit_ready().await?;
    let own_db = TestDb::empty().await?;
    run("setup-agent-where", own_db.url(), &[])
        .await?
        .expect_code(0, "setup on an empty database");
    let own = own_db.client().await?;
    for (host, client, prisma_host) in [("maxxit", &maxxit, true), ("own", &own, false)] {
        let c = catalog(client, &models).await?;
        assert_eq!(
            drift(&models, &c, prisma_host),
            Vec::<String>::new(),
            "{host}"
        );
        assert_eq!(
            objects::problems(&models, &c),
            Vec::<String>::new(),
            "{host}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn the_drift_comparison_sees_what_prisma_would_change() -> Result<()> {
    // The comparison above must be able to fail: a column, an index and a
    // default the models do not declare, as a migration could add them.
    let models = prisma::shipped()?;
    let db = TestDb::empty().await?;
    run("setup-agent-where", db.url(), &[])
        .await?
        .expect_code(0, "setup");
    let client = db.client().await?;
    client
        .batch_execute(
            "ALTER TABLE venue_markets ADD COLUMN open_interest_cap double precision;
             CREATE INDEX venue_markets_dex_idx ON venue_markets (dex);
             ALTER TABLE routing_runs ALTER COLUMN claimed SET DEFAULT 1;",
        )
        .await?;
    let found = drift(&models, &catalog(&client, &models).await?, false);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].contains("open_interest_cap"), "{found:#?}");
    assert!(found[1].contains("venue_markets_dex_idx"), "{found:#?}");
    assert!(found[2].contains("routing_runs.claimed"), "{found:#?}");
    Ok(())
}

/// What `prisma db push --accept-data-loss` with Maxxit's own model did to
/// Agent Where's objects before it stopped on the view (the report):
/// the 17 columns Agent Where adds to `venue_markets` are gone (and with
/// them the index on `base_symbol`), and a Prisma
/// that drops partial indexes it does not model (7.4.0) took the pending ones
/// (the minimal schema's and Maxxit's).
const PRISMA_PUSH_DAMAGE: &str = "
ALTER TABLE venue_markets
    DROP COLUMN base_symbol, DROP COLUMN quote_symbol, DROP COLUMN price_scale, DROP COLUMN dex,
    DROP COLUMN market_open, DROP COLUMN market_status_at, DROP COLUMN delisted_at,
    DROP COLUMN liquidity_usd, DROP COLUMN open_interest_usd, DROP COLUMN long_open_interest_usd,
    DROP COLUMN short_open_interest_usd, DROP COLUMN max_open_interest_usd,
    DROP COLUMN day_volume_usd, DROP COLUMN spread_bps, DROP COLUMN taker_fee_bps,
    DROP COLUMN maker_fee_bps, DROP COLUMN funding_rate;
DROP INDEX signals_multi_pending_idx;
DROP INDEX signals_maxxit_pending_idx;
";

#[tokio::test]
async fn what_a_prisma_push_removed_is_listed_refused_and_repaired() -> Result<()> {
    let (db, client) = maxxit_ready().await?;
    let signals_before = dump_rows(&client, "signals").await?;
    let markets_before = count(&client, "SELECT count(*) FROM venue_markets").await?;
    client.batch_execute(PRISMA_PUSH_DAMAGE).await?;

    // The migration history still says "applied"; --check looks at the objects.
    let check = run(
        "setup-agent-where",
        db.url(),
        &["--check", "--format", "json"],
    )
    .await?;
    check.expect_code(1, "check after the push");
    let missing = check.json()["missing_objects"].clone();
    assert_eq!(missing.as_array().map(Vec::len), Some(20), "{missing:#}");
    assert!(
        check
            .error_line()
            .contains("20 object(s) missing or changed")
            && check
                .error_line()
                .contains("column `venue_markets.base_symbol` is missing")
            && check.error_line().contains("(and 15 more)"),
        "{}",
        check.show()
    );

    // Every tool stops with the way out, before touching anything.
    for (bin, args) in [
        ("route-pending-signals", &[][..]),
        (
            "sync-ostium-markets",
            &["--pairs-file", "/dev/null", "--prices-file", "/dev/null"][..],
        ),
        ("routing-stats", &["summary"][..]),
    ] {
        let out = run(bin, db.url(), args).await?;
        out.expect_code(2, bin);
        assert!(
            out.error_line().contains("lacks objects Agent Where needs")
                && out
                    .error_line()
                    .contains("run `setup-agent-where` to repair"),
            "{bin}: {}",
            out.show()
        );
    }

    let repair = run("setup-agent-where", db.url(), &["--format", "json"]).await?;
    repair.expect_code(0, "repair");
    assert_eq!(
        repair.json()["repaired"].as_array().map(Vec::len),
        Some(20),
        "{}",
        repair.show()
    );
    run("setup-agent-where", db.url(), &["--check"])
        .await?
        .expect_code(0, "check after the repair");
    assert_eq!(dump_rows(&client, "signals").await?, signals_before);
    assert_eq!(
        count(&client, "SELECT count(*) FROM venue_markets").await?,
        markets_before
    );
    // The next sync fills the re-created columns in again.
    crate::support::markets::sync_recorded(db.url()).await?;
    assert_eq!(
        count(
            &client,
            "SELECT count(*) FROM venue_markets WHERE base_symbol IS NULL"
        )
        .await?,
        2,
        "only the rows of Maxxit's own sync scripts (USD, DAX) have no canonical symbol"
    );

    // A push that also dropped Agent Where's tables, its migration history
    // among them: setup builds them again.
    client
        .batch_execute(
            "DROP TABLE venue_routing_overrides, venue_sync_runs, routing_runs, agent_where_schema_history",
        )
        .await?;
    run("setup-agent-where", db.url(), &[])
        .await?
        .expect_code(0, "setup after the tables were dropped");
    run("setup-agent-where", db.url(), &["--check"])
        .await?
        .expect_code(0, "check after rebuilding the tables");
    Ok(())
}

#[tokio::test]
async fn what_re_running_the_migrations_cannot_fix_is_named_and_left_alone() -> Result<()> {
    let db = TestDb::empty().await?;
    let client = db.client().await?;
    client.batch_execute(MAXXIT_2026).await?;
    run("setup-agent-where", db.url(), &[])
        .await?
        .expect_code(0, "setup");
    client
        .batch_execute(
            "ALTER TABLE venue_markets ALTER COLUMN price_scale TYPE numeric;
             DROP VIEW routing_decisions;",
        )
        .await?;
    let out = run("setup-agent-where", db.url(), &[]).await?;
    out.expect_code(1, "setup cannot repair a changed type");
    assert!(
        out.error_line().contains("cannot repair database `")
            && out.error_line().contains(
                "column `venue_markets.price_scale` is numeric, expected double precision"
            )
            && out.error_line().contains("fix these by hand"),
        "{}",
        out.show()
    );
    // What re-running could fix (the view) is repaired and kept; the one
    // problem left is named, and --check still fails on it.
    assert!(
        !out.error_line().contains("routing_decisions"),
        "{}",
        out.show()
    );
    assert_eq!(
        count(
            &client,
            "SELECT count(*) FROM pg_views WHERE viewname = 'routing_decisions'"
        )
        .await?,
        1
    );
    run("setup-agent-where", db.url(), &["--check"])
        .await?
        .expect_code(1, "check with the changed type");
    Ok(())
}
