//! `--dry-run`: decide what is pending on one connection, print every
//! decision and the summary, write nothing.

use std::time::Instant;

use agent_where::db::host;
use agent_where::db::routing::{self as db, Statements};
use anyhow::Result;

use super::RouteOptions;
use super::summary::{Summary, printable};
use crate::cli::{CommonArgs, Outcome};
use crate::output::{self, Format, Table};

pub(super) async fn run_dry(common: &CommonArgs, options: &RouteOptions) -> Result<Outcome> {
    let (url, mut client) = common.connect_checked().await?;
    let schema = host::detect(&client).await?;
    let statements = Statements::for_connection(&client, schema, url.pooler()).await?;
    let started = Instant::now();
    let db::Preview {
        decisions,
        counts,
        batches,
    } = db::preview(
        &mut client,
        &statements,
        &options.settings(schema),
        options.limit,
        options.batch_size,
    )
    .await?;
    let summary = Summary::new(None, options, counts, batches, started);
    match options.format {
        Format::Json => output::print_json(&serde_json::json!({
            "decisions": decisions,
            "summary": summary,
        }))?,
        format => {
            let mut t = Table::new([
                "signal_id",
                "token",
                "outcome",
                "venue",
                "market",
                "strategy",
                "config",
                "reason",
            ]);
            for d in &decisions {
                t.row([
                    d.signal_id.to_string(),
                    printable(&d.token_symbol),
                    d.outcome.clone(),
                    d.selected_venue.clone().unwrap_or_default(),
                    d.market_symbol.clone().unwrap_or_default(),
                    d.strategy.clone(),
                    d.config_source.clone(),
                    printable(&d.routing_reason),
                ]);
            }
            output::print_table(&t, format, options.csv)?;
            if format == Format::Table {
                output::print_text("\n")?;
                output::print_table(&summary.table(), format, options.csv)?;
            }
        }
    }
    Ok(Outcome::Success)
}
