//! `sync-hyperliquid-markets`: fetch Hyperliquid's perpetual markets
//! (`metaAndAssetCtxs`, plus HIP-3 builder dexes on request), validate the
//! whole response and apply it to `venue_markets` in one transaction.

use std::path::{Path, PathBuf};

use agent_where::db::markets::SyncSummary;
use agent_where::domain::Venue;
use agent_where::venues::hyperliquid::{
    self, DexSelection, HyperliquidResponses, MAINNET_API_URL, TESTNET_API_URL,
};
use agent_where::venues::{Body, Fetcher, recorded};
use anyhow::{Result, anyhow, bail};
use clap::Parser;

use super::sync::{self, ApplyArgs, Fetched, HttpArgs};
use crate::cli::{CommonArgs, Outcome};

/// Sync Hyperliquid's perpetual markets into `venue_markets`: one row per asset
/// (delisted ones kept, inactive), with asset id, max leverage, mark price,
/// funding, open interest and 24 h volume in USD, liquidity and base-tier fees.
/// The whole response is validated before anything is written, and applied in
/// one transaction; markets missing from it are deactivated, never deleted.
#[derive(Debug, Parser)]
#[command(name = "sync-hyperliquid-markets", version, after_help = AFTER_HELP)]
pub struct Args {
    /// API base URL (`/info` is appended). Default: https://api.hyperliquid.xyz
    #[arg(long, env = "HYPERLIQUID_API_URL", value_name = "URL")]
    pub api_url: Option<String>,
    /// Use the testnet API (https://api.hyperliquid-testnet.xyz). Default: mainnet.
    #[arg(long, env = "AGENT_WHERE_TESTNET")]
    pub testnet: bool,
    /// HIP-3 builder dexes to sync besides the main dex: `xyz,flx` or `all`.
    /// Default: the main dex only. A sync deactivates missing markets only in
    /// the dexes it covers.
    #[arg(long, value_name = "LIST", env = "HYPERLIQUID_DEXES")]
    pub dexes: Option<String>,
    /// Read a saved `metaAndAssetCtxs` response instead of calling the API. With
    /// --dexes, PATH must be a directory holding `perpDexs.json`,
    /// `metaAndAssetCtxs.json` and `metaAndAssetCtxs.<dex>.json` (what
    /// --save-response writes).
    #[arg(long, value_name = "PATH")]
    pub from_file: Option<PathBuf>,
    #[command(flatten)]
    pub http: HttpArgs,
    #[command(flatten)]
    pub apply: ApplyArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

const AFTER_HELP: &str = concat!(
    "Examples:
  sync-hyperliquid-markets
  sync-hyperliquid-markets --dexes xyz --dry-run
  sync-hyperliquid-markets --from-file saved/ --dexes xyz --format json

Stored per market: token_symbol = the venue name (BTC, kPEPE, xyz:TSLA); base_symbol (PEPE for kPEPE, \
price_scale 1000); market_index = asset id (main dex: universe index; builder dex: 100000 + dex index × 10000 + index); \
min_position = size step in coin units (10^-szDecimals); liquidity_usd = min(open interest × mark, 24 h notional \
volume); fees in bps (taker 4.5 / maker 1.5 base tier, HIP-3 scaled by the deployer fee scale, ×0.1 in growth mode).

",
    crate::exit_codes_help!()
);

/// Where a sync reads its responses from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The venue API, or the files named by the flags.
    Configured,
    /// The recorded capture built into the binary (offline).
    Recorded,
}

/// The one builder dex in the recorded capture.
const RECORDED_DEX: &str = "xyz";

/// File names shared by `--save-response` and `--from-file DIR`.
pub const MAIN_FILE: &str = "metaAndAssetCtxs.json";
pub const PERP_DEXS_FILE: &str = "perpDexs.json";

#[must_use]
pub fn dex_file(dex: &str) -> String {
    format!("metaAndAssetCtxs.{dex}.json")
}

/// Runs the sync and prints its summary.
pub async fn run(args: &Args) -> Result<Outcome> {
    let summary = execute(args, Origin::Configured).await?;
    sync::print_summary(&summary, args.apply.format)?;
    Ok(Outcome::Success)
}

/// Runs the sync without printing. [`Origin::Recorded`] reads the responses
/// built into the binary (`agent_where::venues::recorded`: the main dex and
/// the `xyz` dex) through the same parse, validate and apply path.
pub async fn execute(args: &Args, origin: Origin) -> Result<SyncSummary> {
    let selection = match &args.dexes {
        Some(raw) => DexSelection::parse(raw).map_err(|e| anyhow!("`--dexes`: {e}"))?,
        None => DexSelection::MainOnly,
    };
    let http = args.http.options()?;
    let api_url = match (&args.api_url, args.testnet) {
        (Some(_), true) => {
            bail!("`--testnet` and `--api-url` / `HYPERLIQUID_API_URL` are both set: choose one")
        }
        (Some(url), false) => url.clone(),
        (None, true) => TESTNET_API_URL.to_owned(),
        (None, false) => MAINNET_API_URL.to_owned(),
    };
    sync::check_url("--api-url", &api_url)?;
    let info_url = hyperliquid::info_url(&api_url);
    if let Some(path) = &args.from_file
        && selection != DexSelection::MainOnly
        && !path.is_dir()
    {
        bail!(
            "with `--dexes`, `--from-file` must be a directory holding {PERP_DEXS_FILE}, {MAIN_FILE} and metaAndAssetCtxs.<dex>.json; `{}` is not one",
            path.display()
        );
    }
    if origin == Origin::Recorded {
        return execute_recorded(args, &selection).await;
    }
    let source = match &args.from_file {
        Some(path) => format!("file:{}", path.display()),
        None => agent_where::venues::endpoint_label("POST", &info_url, "")
            .trim_start_matches("POST ")
            .to_owned(),
    };
    let scope = selection.scope();
    sync::execute_sync(
        &args.common,
        Venue::Hyperliquid,
        &args.apply,
        source,
        || async {
            let responses = match &args.from_file {
                Some(path) => read_files(path, &selection)?,
                None => {
                    let fetcher = Fetcher::new(Venue::Hyperliquid, http)?;
                    hyperliquid::fetch(&fetcher, &info_url, &selection).await?
                }
            };
            if let Some(dir) = &args.apply.save_response {
                save(dir, &responses)?;
            }
            let markets = hyperliquid::parse(&responses)?;
            Ok(Fetched { markets, scope })
        },
    )
    .await
}

/// The recorded capture holds the main dex and the `xyz` dex: `--dexes xyz`
/// or `all` syncs both, anything else is refused.
async fn execute_recorded(args: &Args, selection: &DexSelection) -> Result<SyncSummary> {
    let with_xyz = match selection {
        DexSelection::MainOnly => false,
        DexSelection::All => true,
        DexSelection::Only(names) if names.iter().all(|n| n == RECORDED_DEX) => true,
        DexSelection::Only(names) => bail!(
            "`--dexes {}`: the recorded capture holds only the main dex and `{RECORDED_DEX}`",
            names.join(",")
        ),
    };
    let scope = if with_xyz {
        DexSelection::Only(vec![RECORDED_DEX.to_owned()]).scope()
    } else {
        DexSelection::MainOnly.scope()
    };
    sync::execute_sync(
        &args.common,
        Venue::Hyperliquid,
        &args.apply,
        sync::RECORDED_SOURCE.to_owned(),
        || async move {
            let markets = hyperliquid::parse(&recorded::hyperliquid(with_xyz))?;
            Ok(Fetched { markets, scope })
        },
    )
    .await
}

fn read_files(path: &Path, selection: &DexSelection) -> Result<HyperliquidResponses> {
    if !path.is_dir() {
        return Ok(HyperliquidResponses {
            perp_dexs: None,
            main: sync::read_body(path)?,
            dexes: Vec::new(),
        });
    }
    let main = sync::read_body(&path.join(MAIN_FILE))?;
    if *selection == DexSelection::MainOnly {
        return Ok(HyperliquidResponses {
            perp_dexs: None,
            main,
            dexes: Vec::new(),
        });
    }
    let perp_body = sync::read_body(&path.join(PERP_DEXS_FILE))?;
    let names: Vec<String> = match selection {
        DexSelection::All => hyperliquid::parse_perp_dexs(&perp_body)?
            .into_iter()
            .map(|d| d.name)
            .collect(),
        DexSelection::Only(names) => names.clone(),
        DexSelection::MainOnly => Vec::new(),
    };
    let dexes = names
        .into_iter()
        .map(|name| {
            let body = sync::read_body(&path.join(dex_file(&name)))?;
            Ok((name, body))
        })
        .collect::<Result<Vec<(String, Body)>>>()?;
    Ok(HyperliquidResponses {
        perp_dexs: Some(perp_body),
        main,
        dexes,
    })
}

fn save(dir: &Path, r: &HyperliquidResponses) -> Result<()> {
    let mut files = vec![(MAIN_FILE.to_owned(), &r.main)];
    if let Some(p) = &r.perp_dexs {
        files.push((PERP_DEXS_FILE.to_owned(), p));
    }
    for (name, body) in &r.dexes {
        files.push((dex_file(name), body));
    }
    sync::save_bodies(dir, &files)
}
