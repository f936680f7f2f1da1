//! GMX v2 (Arbitrum): markets from the oracle API's `GET /markets/info`
//! (name, tokens, listing state, open interest, remaining capacity, funding
//! and borrowing per side), token decimals from `GET /tokens`, and prices
//! from `GET /prices/tickers`, joined by token address. `GET /markets`
//! carries a subset of `/markets/info` and is not needed. Sources: GMX docs
//! "REST API — Markets" (gmx-docs.pages.dev/docs/api/rest-api/markets: the
//! routes, `/markets/info` caches 1 s, `/markets` 60 s), "REST V2" (tickers,
//! tokens; copy in biubiujch/hermes-service@3f7e09d `doc/gmxV2api.md`); the
//! field names as a live `/markets/info` reply spells them (a September 2026
//! `curl` transcript quoted in the search index, id 68969957965) and as
//! tradingstrategy-ai/web3-ethereum-defi `eth_defi/gmx/market_depth.py`
//! reads them. `shared/fixtures/README.md` says which recorded values are real.
//!
//! Units (GMX keeps every USD amount as an integer with 30 decimals):
//! - `openInterestLong/Short`, `availableLiquidityLong/Short`: USD × 10³⁰;
//! - `fundingRateLong/Short`, `borrowingRateLong/Short`: annualised fractions
//!   × 10³⁰ (web3-ethereum-defi `MarketDepthInfo`: "annualised, fundingRateLong
//!   / 10^30"), signed;
//! - ticker `minPrice`/`maxPrice`: USD per smallest token unit × 10³⁰, so the
//!   USD price of one token is `price / 10^(30 − decimals)` with the token's
//!   `decimals` from `/tokens` (ETH: 18 → ÷10¹², BTC: 8 → ÷10²²).
//!
//! Mapping (one [`Market`] per perpetual market; swap-only pools such as
//! `SWAP-ONLY [USDC-USDT]` are not markets a signal can trade and are skipped):
//! - `market_name` = GMX's name (`ETH/USD [WETH-USDC]`); `token_symbol` = the
//!   same without spaces (`ETH/USD[WETH-USDC]`), unique per market;
//! - `base_symbol` from [`symbols::pool_market`]: the index (`ETH`), also for
//!   synthetic indexes traded against another pool (`DOGE/USD [WETH-USDC]`:
//!   DOGE, `metadata.synthetic = true`);
//! - several markets per index (collateral pools `[WETH-USDC]`,
//!   `[wstETH-USDe]`, `[WETH-WETH]`): `market_index` is the market's rank
//!   among the markets of its index, 0 for the active one with the most
//!   capacity left (`liquidity_usd`), ties by name. Routing takes the lowest
//!   `market_index` of a symbol, so it picks the deepest pool, deterministically;
//! - `listed` = `isListed` (absent = listed) and not `isDisabled` and the
//!   index token priced by the tickers (a market without a price is stored
//!   inactive, `metadata.no_price = true`);
//! - `current_price` = index mid (`(min + max) / 2`), `spread_bps` =
//!   `(max − min) / mid × 10⁴`;
//! - `long/short_open_interest_usd` = OI ÷ 10³⁰; `max_open_interest_usd` =
//!   the tighter side's cap, `min(OI_side + available_side)`, so that the
//!   remaining capacity routing derives per side (`cap − side OI`) is exact on
//!   the tighter side and never overstated on the other (both sides' figures
//!   are in metadata); `liquidity_usd` = `min(availableLong, availableShort)`,
//!   0 when inactive;
//! - `funding_rate` = minus the long side's rate, made hourly (annual ÷
//!   8760): GMX reports the rate a side RECEIVES (`fundingRateLong > 0`:
//!   longs receive; gmx-io/gmx-interface `sdk/src/utils/fees/index.ts`,
//!   `getFundingFactorPerPeriod`), the column holds the rate longs PAY
//!   ([`crate::domain::Market::funding_rate`]); both sides' funding,
//!   borrowing and net rates (`net = funding − borrowing`) are in metadata;
//! - a slightly negative `availableLiquidity*` (down to −$1, rounding) is 0;
//!   a ticker priced 0 leaves that token unpriced (its markets inactive),
//!   not the reply rejected.
//!
//! Still unverified: that the rates are annualised rather than per hour
//! (web3-ethereum-defi says annualised; gmx-interface's ticker computes them
//! for 1 h), that `synthetic` is in the live `/tokens` reply, the rounding
//! bound of `availableLiquidity*`.
//! - max leverage, fees and minimum size are not in these endpoints (on-chain
//!   market config): stored as unknown (`None`).
//!
//! The module: [`wire`] (the replies' serde types), [`map`] (replies →
//! markets), [`fetch`] (HTTP), [`files`] (saved and recorded responses).

mod fetch;
mod files;
mod map;
mod wire;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;

use crate::domain::Venue;
use crate::symbols::{self, CRYPTO_ONLY_COLLISIONS};
use crate::venues::http::{Body, HttpOptions, VenueError, public_url};
use crate::venues::source::{
    Endpoint, Fetched, FileFlag, Input, LiquidityModel, MarketSymbolColumn, Origin, Responses,
    SourceError, SourceSettings, VenueInfo, VenueSource, VenueSync,
};

pub use fetch::fetch;
pub use files::{
    MARKETS_INFO_FILE, RECORDED_MARKETS_INFO, RECORDED_TICKERS, RECORDED_TOKENS, TICKERS_FILE,
    TOKENS_FILE, recorded,
};
pub use map::parse;

pub(super) const VENUE: Venue = Venue::Gmx;

/// Oracle API of GMX v2 on Arbitrum.
pub const MAINNET_API_URL: &str = "https://arbitrum-api.gmxinfra.io";

/// GMX's fixed-point scale for USD amounts and rates: 10³⁰.
pub const USD_DECIMALS: i32 = 30;

/// Hours per year used to make the annualised funding rate hourly.
pub const HOURS_PER_YEAR: f64 = 8760.0;

/// Largest USD amount accepted as real (open interest, capacity): $10¹⁴.
pub(super) const MAX_USD: f64 = 1e14;

/// Largest annualised rate accepted as real: 100 000 % a year.
pub(super) const MAX_ANNUAL_RATE: f64 = 1000.0;

/// The three raw responses of one sync.
#[derive(Debug, Clone)]
pub struct GmxResponses {
    pub markets_info: Body,
    pub tokens: Body,
    pub tickers: Body,
}

pub(super) const API_URL: &str = "api-url";
pub(super) const FROM_FILE: &str = "from-file";

/// GMX's facts.
pub static INFO: VenueInfo = VenueInfo {
    venue: VENUE,
    key: "gmx",
    name: "GMX v2",
    about: "Sync GMX v2's perpetual markets on Arbitrum into `venue_markets`: one row per market \
(each collateral pool of an index is its own market: `ETH/USD [WETH-USDC]`, `ETH/USD [wstETH-USDe]`), \
with index price and spread, open interest and remaining capacity per side in USD, and funding. \
The three responses are validated before anything is written, and applied in one transaction; \
markets missing from them, delisted or disabled are deactivated, never deleted.",
    details: "Examples:
  sync-gmx-markets
  sync-gmx-markets --dry-run --format json
  sync-gmx-markets --from-file saved/

Stored per market: token_symbol = the GMX name without spaces (ETH/USD[WETH-USDC]); base_symbol = \
the index (DOGE for the synthetic DOGE/USD [WETH-USDC]); market_index = the market's rank among \
the pools of its index (0 = most capacity left, the one routing picks); USD amounts are GMX's \
30-decimal integers ÷ 10^30; prices ÷ 10^(30 − token decimals); liquidity_usd = min(available \
long, available short); max_open_interest_usd = the tighter side's cap; funding_rate = what longs \
pay per hour: minus GMX's long rate (positive when longs receive), annual ÷ 8760. Max leverage and fees are not published by these endpoints (stored as unknown).",
    endpoints: &[Endpoint {
        flag: API_URL,
        env: "GMX_API_URL",
        mainnet: MAINNET_API_URL,
        testnet: None,
        help: "GMX oracle API base URL (`/markets/info`, `/tokens` and `/prices/tickers` are \
appended).",
    }],
    options: &[],
    switches: &[],
    files: &[FileFlag {
        flag: FROM_FILE,
        value_name: "DIR",
        help: "Read saved responses instead of calling the API: a directory holding \
`markets-info.json`, `tokens.json` and `prices-tickers.json` (what --save-response writes).",
        requires: None,
    }],
    schedule: "every 5 minutes",
    market_symbol: MarketSymbolColumn::MarketName,
    index_label: "pool rank",
    builder_dexes: false,
    liquidity: LiquidityModel::RemainingCapacity,
    default_taker_fee_bps: None,
    recorded_source: "fixture written from the documented response shape, built in",
};

/// GMX as a [`VenueSource`].
#[derive(Debug)]
pub struct Gmx;

/// The registry's GMX.
pub static SOURCE: Gmx = Gmx;

/// A GMX sync's settings: `--api-url`, and `--from-file`, a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub api_url: String,
    pub input: Input<PathBuf>,
}

impl VenueSource for Gmx {
    fn info(&self) -> &'static VenueInfo {
        &INFO
    }

    fn configure(
        &self,
        settings: &SourceSettings,
        origin: Origin,
    ) -> Result<Box<dyn VenueSync>, SourceError> {
        if let Some(dir) = settings.file(FROM_FILE)
            && !dir.is_dir()
        {
            return Err(SourceError::Settings(format!(
                "`--from-file` must be a directory holding {MARKETS_INFO_FILE}, {TOKENS_FILE} and {TICKERS_FILE}; `{}` is not one",
                dir.display()
            )));
        }
        Ok(Box::new(Settings {
            api_url: settings.endpoint(API_URL).to_owned(),
            input: Input::of(origin, settings.file(FROM_FILE).map(PathBuf::from)),
        }))
    }

    fn canonical_of_stored(&self, token_symbol: &str, market_name: &str) -> String {
        symbols::pool_market(market_name, &CRYPTO_ONLY_COLLISIONS)
            .or_else(|| {
                symbols::pool_market(&token_symbol.replace('[', " ["), &CRYPTO_ONLY_COLLISIONS)
            })
            .map_or_else(
                || symbols::ticker_market(token_symbol, &CRYPTO_ONLY_COLLISIONS).base_symbol,
                |p| p.symbol.base_symbol,
            )
    }
}

impl VenueSync for Settings {
    fn source_label(&self) -> String {
        match &self.input {
            Input::Api => public_url(&self.api_url),
            Input::Files(dir) => format!("file:{}", dir.display()),
            Input::Recorded => INFO.recorded_source.to_owned(),
        }
    }

    fn load<'a>(
        &'a self,
        http: &'a HttpOptions,
        _demand: &'a [String],
    ) -> BoxFuture<'a, Result<Responses, SourceError>> {
        Box::pin(self.input.load(
            VENUE,
            http,
            recorded,
            move |dir| files::read_dir(dir),
            move |fetcher| async move { fetch(&fetcher, &self.api_url).await },
        ))
    }

    fn parse(
        &self,
        responses: &Responses,
        _observed_at: DateTime<Utc>,
    ) -> Result<Fetched, VenueError> {
        let typed = GmxResponses {
            markets_info: responses.need(VENUE, MARKETS_INFO_FILE)?.clone(),
            tokens: responses.need(VENUE, TOKENS_FILE)?.clone(),
            tickers: responses.need(VENUE, TICKERS_FILE)?.clone(),
        };
        Ok(Fetched {
            markets: parse(&typed)?,
            scope: None,
        })
    }
}
