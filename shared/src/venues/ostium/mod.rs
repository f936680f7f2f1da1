//! Ostium: pairs from the subgraph (GraphQL `pairs(first: 1000)`), prices and
//! market hours from the metadata backend (`GET /PricePublish/latest-prices`
//! on `metadata-backend.prod.bedrock.ostium.io`, the SDK's host since 3.3.1),
//! joined by `pair.feed` == `feed_id`.
//!
//! Mapping (one [`Market`] per pair, in numeric pair-id order):
//! - `token_symbol` = [`symbols::ostium_token_symbol`] (`BTC`, `USDJPY`,
//!   `NIKJPY`: unique per pair, never `from` alone); `market_name` = `FROM/TO`;
//!   `market_index` = pair id; `group` = the subgraph group name;
//! - `max_leverage` = pair `maxLeverage` when non-zero, else the group's, ÷100
//!   (rounded down if fractional; the exact value is in metadata);
//! - fees: `takerFeeP`/`makerFeeP` are 1e-6 percent, so bps = feeP ÷ 10⁴;
//! - `current_price` = feed `mid`; `spread_bps` = (ask − bid) / mid × 10⁴;
//! - `long/short_open_interest_usd` = OI ÷ 1e18 (base units) × price, with the
//!   price from the feed or else `lastTradePrice` ÷ 1e18, for EVERY pair
//!   (`USD/JPY`, `NIK/JPY` too): the contract compares `openInterest × price`
//!   with `maxOI` (`0xOstium/smart-contracts-public`
//!   `src/lib/TradingCallbacksLib.sol` `withinExposureLimits`);
//! - `max_open_interest_usd` = `maxOI` ÷ 1e6;
//! - `liquidity_usd` = remaining OI capacity = max(0, cap − max(long, short)),
//!   the notional a new trade on either side can still open; 0 when inactive;
//! - `market_open` = `isMarketOpen`, `market_status_at` = when the sync saw it;
//! - `listed` = listed in `pairs` **and** priced by the feed (a pair without
//!   a price is stored inactive, `metadata.no_price_feed = true`). Feeds
//!   without a pair are ignored;
//! - cost and capacity (`MarketCost`): the opening fee rule of
//!   `OstiumPairInfos._getBaseOpeningFee` (maker rate on the part of an order
//!   that reduces the long/short imbalance at leverage ≤ `makerMaxLeverage`,
//!   taker on the rest), no closing fee ("There is no closing fee for
//!   manually closed or automation-triggered exits", Ostium docs, Fee
//!   Breakdown), so `close_fee_bps` = 0; per-side capacity = `maxOI` minus
//!   that side's open interest, at least 0 (`TradingCallbacksLib.withinExposureLimits`
//!   admits an order while the side's OI plus collateral × leverage stays
//!   within `openInterest(pair, 2)`); `overnightMaxLeverage` (0 = none),
//!   `isDayTradingClosed` and the time it flips (`timestampSeconds` plus
//!   `secondsToToggleIsDayTradingClosed`, −1 = never); the feed's bid/ask
//!   and, from the optional `pairImpact` query, the dynamic-spread parameters
//!   (`priceImpactK`, `netVolThreshold`, `decayRate`, `buyVolume`,
//!   `sellVolume`, `lastUpdateTimestamp`) of
//!   `TradingCallbacksLib.getDynamicTradePriceImpact`. With `priceImpactK` 0
//!   or unknown an order fills at the ask (long) or bid (short), as
//!   `_getTradePriceImpact` does;
//! - the group's collateral cap (`group { maxCollateralP longCollateral
//!   shortCollateral }`, the SDK's `getPairs` in `0xOstium/ostium-python-sdk`
//!   `ostium_python_sdk/subgraph.py`; `OstiumPairsStorage.groupMaxCollateral`):
//!   stored in metadata; a group capped at 0 % refuses both sides, otherwise
//!   the bound needs the vault balance and `capacity_limit` says it is unknown;
//! - `funding_rate`: none (`None`): the sync does not read Ostium's funding.
//!
//! Still unverified: the vault balance (not in the subgraph reply, so the
//! group cap is unknown above 0 %), the `longCollateral`/`shortCollateral`
//! scale (÷1e6 as USDC; the subgraph's figure goes negative, so it is not the
//! contract's own), and the `pairImpact` field names against a live subgraph.
//!
//! The module: [`wire`] (the replies' serde types), [`map`] (replies →
//! markets, [`map::map_pair`] by field group), [`fetch`] (HTTP), [`files`]
//! (saved and recorded responses).

mod fetch;
mod files;
mod map;
mod wire;

#[cfg(test)]
mod late_2026;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;

use crate::domain::Venue;
use crate::symbols;
use crate::venues::http::{Body, HttpOptions, VenueError, public_url, read_body};
use crate::venues::source::{
    Endpoint, Fetched, FileFlag, Input, LiquidityModel, MarketSymbolColumn, Origin, Responses,
    SourceError, SourceSettings, VenueInfo, VenueSource, VenueSync,
};

pub use fetch::fetch;
pub use files::{
    IMPACT_FILE, PAIRS_FILE, PRICES_FILE, RECORDED_LATEST_PRICES, RECORDED_PAIRS, recorded,
};
pub use map::parse;

pub(super) const VENUE: Venue = Venue::Ostium;

/// Mainnet subgraph (Ormi).
pub const MAINNET_SUBGRAPH_URL: &str = "https://api.subgraph.ormilabs.com/api/public/67a599d5-c8d2-4cc4-9c4d-2975a97bc5d8/subgraphs/ost-prod/live/gn";
/// Testnet (Arbitrum Sepolia) subgraph.
pub const TESTNET_SUBGRAPH_URL: &str = "https://api.subgraph.ormilabs.com/api/public/67a599d5-c8d2-4cc4-9c4d-2975a97bc5d8/subgraphs/ost-sep/live/gn";
/// Latest prices of every feed (mainnet; no separate testnet host is
/// documented). The host the official SDK reads since release 3.3.1
/// (`0xOstium/ostium-python-sdk`, `ostium_python_sdk/price.py`: `base_url =
/// "https://metadata-backend.prod.bedrock.ostium.io"`, `GET
/// {base_url}/PricePublish/latest-prices`); the older
/// `metadata-backend.ostium.io` is what the January 2026 capture came from.
pub const PRICES_URL: &str =
    "https://metadata-backend.prod.bedrock.ostium.io/PricePublish/latest-prices";

/// Page size of the pairs query; `first` defaults to 100 on the subgraph.
pub const PAIRS_PAGE: usize = 1000;

/// The pairs query: the SDK's `getPairs` (`0xOstium/ostium-python-sdk`,
/// `ostium_python_sdk/subgraph.py`, `get_pairs`), reduced to the fields the
/// sync uses; the group's collateral figures included.
pub const PAIRS_QUERY: &str = "query getPairs { pairs(first: 1000) { id from to feed overnightMaxLeverage longOI shortOI maxOI makerFeeP takerFeeP makerMaxLeverage lastTradePrice maxLeverage group { id name minLeverage maxLeverage maxCollateralP longCollateral shortCollateral } fee { minLevPos } } }";

/// The dynamic-spread fields of every pair, asked for in a query of their
/// own: they are on the `Pair` entity of the subgraph schema the SDKs vendor
/// (`priceImpactK`, `buyVolume`, `sellVolume`, `lastUpdateTimestamp`;
/// the Ostium SDKs' vendored schema) and in third-party queries of the live subgraph (with
/// `netVolThreshold`, `decayRate`), but not in the SDKs' `getPairs`. A
/// subgraph that rejects the query only leaves the impact unknown.
pub const PAIR_IMPACT_QUERY: &str = "query pairImpact { pairs(first: 1000) { id netVolThreshold decayRate priceImpactK buyVolume sellVolume lastUpdateTimestamp } }";

/// The raw responses of one sync: pairs, prices and, when the subgraph
/// answered it, the pairs' dynamic-spread fields.
#[derive(Debug, Clone)]
pub struct OstiumResponses {
    pub pairs: Body,
    pub prices: Body,
    pub impact: Option<Body>,
}

/// Canonical identity of an Ostium pair from its subgraph `from` / `to`
/// ([`symbols::pair_market`]): `BTC/USD` → BTC; `USD/JPY` → USDJPY; display
/// names (`US500/USD`) map to raw ones (SPX).
#[must_use]
pub fn market_symbol(from: &str, to: &str) -> symbols::MarketSymbol {
    symbols::pair_market(from, to)
}

/// Ostium's venue-native `token_symbol`, unique per pair: `from` for USD
/// quoted pairs (as the original system stored them), `from`+`to` otherwise
/// (`USDJPY`, `NIKJPY`), the spelling of Ostium's own `asset=` parameter.
#[must_use]
pub fn token_symbol(from: &str, to: &str) -> String {
    let from = from.trim().to_ascii_uppercase();
    let to = to.trim().to_ascii_uppercase();
    if to == "USD" {
        from
    } else {
        format!("{from}{to}")
    }
}

const SUBGRAPH_URL: &str = "subgraph-url";
const PRICES_URL_FLAG: &str = "prices-url";
const PAIRS_FILE_FLAG: &str = "pairs-file";
const PRICES_FILE_FLAG: &str = "prices-file";
const IMPACT_FILE_FLAG: &str = "impact-file";

/// Ostium's facts.
pub static INFO: VenueInfo = VenueInfo {
    venue: VENUE,
    key: "ostium",
    name: "Ostium",
    about: "Sync Ostium's pairs into `venue_markets`: one row per pair (`USD/JPY` and `USD/CAD` are \
distinct markets), with pair id, group, effective max leverage, fees, open interest and remaining \
OI capacity in USD, price, spread and market hours (open/closed as observed now). Both responses \
are validated before anything is written, and applied in one transaction; pairs missing from the \
subgraph, or without a price, are deactivated, never deleted.",
    details: "Examples:
  sync-ostium-markets
  sync-ostium-markets --dry-run --format json
  sync-ostium-markets --pairs-file saved/pairs.graphql.json --prices-file saved/latest-prices.json

Stored per pair: token_symbol = FROM for USD-quoted pairs, FROM+TO otherwise (USDJPY, NIKJPY); \
max_leverage = pair maxLeverage if non-zero, else the group's, ÷100; fees in bps = feeP ÷ 10^4 \
(100000 = 10 bps); liquidity_usd = max(0, maxOI ÷ 1e6 − max(long OI, short OI) in USD), the \
capacity left for a new trade on either side; market_open = isMarketOpen at sync time.",
    endpoints: &[
        Endpoint {
            flag: SUBGRAPH_URL,
            env: "OSTIUM_SUBGRAPH_URL",
            mainnet: MAINNET_SUBGRAPH_URL,
            testnet: Some(TESTNET_SUBGRAPH_URL),
            help: "Ostium subgraph GraphQL URL for the pairs.",
        },
        Endpoint {
            flag: PRICES_URL_FLAG,
            env: "OSTIUM_PRICES_URL",
            mainnet: PRICES_URL,
            testnet: None,
            help: "Ostium latest-prices URL.",
        },
    ],
    options: &[],
    switches: &[],
    files: &[
        FileFlag {
            flag: PAIRS_FILE_FLAG,
            value_name: "FILE",
            help: "Read a saved subgraph reply instead of querying (needs --prices-file).",
            requires: Some(PRICES_FILE_FLAG),
        },
        FileFlag {
            flag: PRICES_FILE_FLAG,
            value_name: "FILE",
            help: "Read a saved latest-prices reply instead of fetching (needs --pairs-file).",
            requires: Some(PAIRS_FILE_FLAG),
        },
        FileFlag {
            flag: IMPACT_FILE_FLAG,
            value_name: "FILE",
            help: "Also read a saved pairImpact reply (the pairs' dynamic-spread fields; needs \
--pairs-file). Default: none, price impact is the quoted spread.",
            requires: Some(PAIRS_FILE_FLAG),
        },
    ],
    schedule: "every 5 minutes",
    market_symbol: MarketSymbolColumn::MarketName,
    index_label: "pair",
    builder_dexes: false,
    liquidity: LiquidityModel::RemainingCapacity,
    recorded_source: "recorded January 2026 capture, built in",
    default_taker_fee_bps: None,
};

/// Ostium as a [`VenueSource`].
#[derive(Debug)]
pub struct Ostium;

/// The registry's Ostium.
pub static SOURCE: Ostium = Ostium;

/// The saved responses `--pairs-file`, `--prices-file` and `--impact-file`
/// name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Files {
    pub pairs: PathBuf,
    pub prices: PathBuf,
    pub impact: Option<PathBuf>,
}

/// An Ostium sync's settings: the subgraph and price URLs, or the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub subgraph_url: String,
    pub prices_url: String,
    pub input: Input<Files>,
}

impl Settings {
    /// Reads the flags: the pairs and prices files go together.
    pub fn read(settings: &SourceSettings, origin: Origin) -> Result<Settings, String> {
        let files = match (
            settings.file(PAIRS_FILE_FLAG),
            settings.file(PRICES_FILE_FLAG),
        ) {
            (Some(pairs), Some(prices)) => Some(Files {
                pairs: pairs.to_path_buf(),
                prices: prices.to_path_buf(),
                impact: settings.file(IMPACT_FILE_FLAG).map(PathBuf::from),
            }),
            (None, None) if !settings.from_files() => None,
            _ => return Err("`--pairs-file` and `--prices-file` go together".to_owned()),
        };
        Ok(Settings {
            subgraph_url: settings.endpoint(SUBGRAPH_URL).to_owned(),
            prices_url: settings.endpoint(PRICES_URL_FLAG).to_owned(),
            input: Input::of(origin, files),
        })
    }
}

impl VenueSource for Ostium {
    fn info(&self) -> &'static VenueInfo {
        &INFO
    }

    fn configure(
        &self,
        settings: &SourceSettings,
        origin: Origin,
    ) -> Result<Box<dyn VenueSync>, SourceError> {
        let settings = Settings::read(settings, origin).map_err(SourceError::Settings)?;
        Ok(Box::new(settings))
    }

    fn canonical_of_stored(&self, token_symbol: &str, market_name: &str) -> String {
        match market_name.split_once('/') {
            Some((from, to)) => market_symbol(from, to).base_symbol,
            None => token_symbol.to_ascii_uppercase(),
        }
    }
}

impl VenueSync for Settings {
    fn source_label(&self) -> String {
        match &self.input {
            Input::Api => format!(
                "{} + {}",
                public_url(&self.subgraph_url),
                public_url(&self.prices_url)
            ),
            Input::Files(f) => format!("file:{} + file:{}", f.pairs.display(), f.prices.display()),
            Input::Recorded => INFO.recorded_source.to_owned(),
        }
    }

    fn load<'a>(
        &'a self,
        http: &'a HttpOptions,
        _demand: &'a [String],
    ) -> BoxFuture<'a, Result<Responses, SourceError>> {
        Box::pin(
            self.input.load(
                VENUE,
                http,
                recorded,
                move |f| {
                    Ok(OstiumResponses {
                        pairs: read_body(&f.pairs)?,
                        prices: read_body(&f.prices)?,
                        impact: f.impact.as_deref().map(read_body).transpose()?,
                    })
                },
                move |fetcher| async move {
                    fetch(&fetcher, &self.subgraph_url, &self.prices_url).await
                },
            ),
        )
    }

    fn parse(
        &self,
        responses: &Responses,
        observed_at: DateTime<Utc>,
    ) -> Result<Fetched, VenueError> {
        let typed = OstiumResponses {
            pairs: responses.need(VENUE, PAIRS_FILE)?.clone(),
            prices: responses.need(VENUE, PRICES_FILE)?.clone(),
            impact: responses.get(IMPACT_FILE).cloned(),
        };
        Ok(Fetched {
            markets: parse(&typed, observed_at)?,
            scope: None,
        })
    }
}
