//! `sync-ostium-markets`: fetch Ostium's pairs (subgraph) and latest prices
//! (metadata backend), validate both, join them by feed id and apply the
//! result to `venue_markets` in one transaction.

use std::path::{Path, PathBuf};

use agent_where::db::markets::SyncSummary;
use agent_where::domain::Venue;
use agent_where::venues::ostium::{
    self, MAINNET_SUBGRAPH_URL, OstiumResponses, PRICES_URL, TESTNET_SUBGRAPH_URL,
};
use agent_where::venues::{Fetcher, recorded};
use anyhow::{Result, bail};
use clap::Parser;

use super::sync::{self, ApplyArgs, Fetched, HttpArgs};
pub use super::sync_hyperliquid::Origin;
use crate::cli::{CommonArgs, Outcome};

/// Sync Ostium's pairs into `venue_markets`: one row per pair (`USD/JPY` and
/// `USD/CAD` are distinct markets), with pair id, group, effective max leverage,
/// fees, open interest and remaining OI capacity in USD, price, spread and
/// market hours (open/closed as observed now). Both responses are validated
/// before anything is written, and applied in one transaction; pairs missing
/// from the subgraph, or without a price, are deactivated, never deleted.
#[derive(Debug, Parser)]
#[command(name = "sync-ostium-markets", version, after_help = AFTER_HELP)]
pub struct Args {
    /// Subgraph GraphQL URL for the pairs. Default: the mainnet subgraph
    /// (https://api.subgraph.ormilabs.com/…/ost-prod/live/gn).
    #[arg(long, env = "OSTIUM_SUBGRAPH_URL", value_name = "URL")]
    pub subgraph_url: Option<String>,
    /// Latest-prices URL. Default: https://metadata-backend.ostium.io/PricePublish/latest-prices
    #[arg(long, env = "OSTIUM_PRICES_URL", value_name = "URL")]
    pub prices_url: Option<String>,
    /// Use the testnet (Arbitrum Sepolia) subgraph. Default: mainnet.
    #[arg(long, env = "AGENT_WHERE_TESTNET")]
    pub testnet: bool,
    /// Read a saved subgraph reply instead of querying (needs --prices-file).
    #[arg(long, value_name = "FILE", requires = "prices_file")]
    pub pairs_file: Option<PathBuf>,
    /// Read a saved latest-prices reply instead of fetching (needs --pairs-file).
    #[arg(long, value_name = "FILE", requires = "pairs_file")]
    pub prices_file: Option<PathBuf>,
    #[command(flatten)]
    pub http: HttpArgs,
    #[command(flatten)]
    pub apply: ApplyArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

const AFTER_HELP: &str = concat!(
    "Examples:
  sync-ostium-markets
  sync-ostium-markets --dry-run --format json
  sync-ostium-markets --pairs-file saved/pairs.graphql.json --prices-file saved/latest-prices.json

Stored per pair: token_symbol = FROM for USD-quoted pairs, FROM+TO otherwise (USDJPY, NIKJPY); \
max_leverage = pair maxLeverage if non-zero, else the group's, ÷100; fees in bps = feeP ÷ 10^4 \
(100000 = 10 bps); liquidity_usd = max(0, maxOI ÷ 1e6 − max(long OI, short OI) in USD), the \
capacity left for a new trade on either side; market_open = isMarketOpen at sync time.

",
    crate::exit_codes_help!()
);

/// File names `--save-response` writes.
pub const PAIRS_FILE: &str = "pairs.graphql.json";
pub const PRICES_FILE: &str = "latest-prices.json";

/// Runs the sync and prints its summary.
pub async fn run(args: &Args) -> Result<Outcome> {
    let summary = execute(args, Origin::Configured).await?;
    sync::print_summary(&summary, args.apply.format)?;
    Ok(Outcome::Success)
}

/// Runs the sync without printing. [`Origin::Recorded`] reads the responses
/// built into the binary (`agent_where::venues::recorded`) through the same
/// parse, validate and apply path; market hours are those of the capture.
pub async fn execute(args: &Args, origin: Origin) -> Result<SyncSummary> {
    if origin == Origin::Recorded {
        return sync::execute_sync(
            &args.common,
            Venue::Ostium,
            &args.apply,
            sync::RECORDED_SOURCE.to_owned(),
            || async move {
                let markets = ostium::parse(&recorded::ostium(), chrono::Utc::now())?;
                Ok(Fetched {
                    markets,
                    scope: None,
                })
            },
        )
        .await;
    }
    let http = args.http.options()?;
    let subgraph_url = match (&args.subgraph_url, args.testnet) {
        (Some(_), true) => bail!(
            "`--testnet` and `--subgraph-url` / `OSTIUM_SUBGRAPH_URL` are both set: choose one"
        ),
        (Some(url), false) => url.clone(),
        (None, true) => TESTNET_SUBGRAPH_URL.to_owned(),
        (None, false) => MAINNET_SUBGRAPH_URL.to_owned(),
    };
    let prices_url = args
        .prices_url
        .clone()
        .unwrap_or_else(|| PRICES_URL.to_owned());
    sync::check_url("--subgraph-url", &subgraph_url)?;
    sync::check_url("--prices-url", &prices_url)?;
    let files = args.pairs_file.as_deref().zip(args.prices_file.as_deref());
    let source = match files {
        Some((pairs, prices)) => format!("file:{} + file:{}", pairs.display(), prices.display()),
        None => format!("{} + {}", shown(&subgraph_url), shown(&prices_url)),
    };
    sync::execute_sync(
        &args.common,
        Venue::Ostium,
        &args.apply,
        source,
        || async move {
            let responses = match files {
                Some((pairs, prices)) => read_files(pairs, prices)?,
                None => {
                    let fetcher = Fetcher::new(Venue::Ostium, http)?;
                    ostium::fetch(&fetcher, &subgraph_url, &prices_url).await?
                }
            };
            if let Some(dir) = &args.apply.save_response {
                sync::save_bodies(
                    dir,
                    &[
                        (PAIRS_FILE.to_owned(), &responses.pairs),
                        (PRICES_FILE.to_owned(), &responses.prices),
                    ],
                )?;
            }
            // Market hours as observed when the prices arrived.
            let markets = ostium::parse(&responses, chrono::Utc::now())?;
            Ok(Fetched {
                markets,
                scope: None,
            })
        },
    )
    .await
}

fn shown(url: &str) -> String {
    agent_where::venues::endpoint_label("GET", url, "")
        .trim_start_matches("GET ")
        .to_owned()
}

fn read_files(pairs: &Path, prices: &Path) -> Result<OstiumResponses> {
    Ok(OstiumResponses {
        pairs: sync::read_body(pairs)?,
        prices: sync::read_body(prices)?,
    })
}
