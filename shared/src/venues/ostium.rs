//! Ostium: pairs from the subgraph (GraphQL `pairs(first: 1000)`), prices and
//! market hours from the metadata backend (`GET /PricePublish/latest-prices`
//! on `metadata-backend.prod.bedrock.ostium.io`, the SDK's host since 3.3.1),
//! joined by `pair.feed` == `feed_id`. VENUES.md §2 has every field and unit.
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

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use futures_util::future::BoxFuture;

use super::check::{
    MAX_MARKETS, check_label, check_markets, check_name, non_negative, show, show_raw,
};
use super::http::{Body, Fetcher, VenueError, endpoint_label, one_line, read_body};
use super::registry::Venue;
use super::source::{
    Endpoint, Fetched, FileFlag, LiquidityModel, MarketSymbolColumn, Origin, Responses,
    SourceSettings, VenueInfo, VenueSource,
};
use crate::cost::{CostModel, DynamicSpread, FeeRule, ImpactModel, MarketCost};
use crate::domain::Market;
use crate::symbols;

const VENUE: Venue = Venue::Ostium;

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
/// VENUES.md §2.2) and in third-party queries of the live subgraph (with
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

// ---- wire types (private) -------------------------------------------------

#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(default)]
    data: Option<PairsData>,
    #[serde(default)]
    errors: Option<Vec<GraphQlError>>,
}

#[derive(Debug, Deserialize)]
struct GraphQlError {
    #[serde(default)]
    message: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PairsData {
    #[serde(default)]
    pairs: Option<Vec<Pair>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Pair {
    id: String,
    from: String,
    to: String,
    feed: String,
    #[serde(default)]
    overnight_max_leverage: Option<String>,
    #[serde(rename = "longOI")]
    long_oi: String,
    #[serde(rename = "shortOI")]
    short_oi: String,
    #[serde(rename = "maxOI")]
    max_oi: String,
    maker_fee_p: String,
    taker_fee_p: String,
    #[serde(default)]
    maker_max_leverage: Option<String>,
    #[serde(default)]
    last_trade_price: Option<String>,
    max_leverage: String,
    group: Group,
    #[serde(default)]
    fee: Option<Fee>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Group {
    id: String,
    name: String,
    #[serde(default)]
    min_leverage: Option<String>,
    max_leverage: String,
    /// The group's collateral cap, in 1e-2 percent of the vault's balance
    /// (`0xOstium/smart-contracts-public` `src/OstiumPairsStorage.sol`,
    /// `groupMaxCollateral` = `maxCollateralP * vault.currentBalance() / 100_00`).
    #[serde(default)]
    max_collateral_p: Option<String>,
    /// Collateral (USDC, 6 decimals) open in the group per side
    /// (`OstiumPairsStorage.groupsCollaterals`, read by `groupCollateral`).
    /// The subgraph's running figure can be negative (the January capture's
    /// crypto group): the contract floors its own at 0, so a negative figure
    /// is stored as unknown.
    #[serde(default)]
    long_collateral: Option<String>,
    #[serde(default)]
    short_collateral: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Fee {
    #[serde(default)]
    min_lev_pos: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ImpactEnvelope {
    #[serde(default)]
    data: Option<ImpactData>,
    #[serde(default)]
    errors: Option<Vec<GraphQlError>>,
}

#[derive(Debug, Deserialize)]
struct ImpactData {
    #[serde(default)]
    pairs: Option<Vec<PairImpactWire>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PairImpactWire {
    id: String,
    #[serde(default)]
    net_vol_threshold: Option<String>,
    #[serde(default)]
    decay_rate: Option<String>,
    #[serde(default)]
    price_impact_k: Option<String>,
    #[serde(default)]
    buy_volume: Option<String>,
    #[serde(default)]
    sell_volume: Option<String>,
    #[serde(default)]
    last_update_timestamp: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PriceFeed {
    /// snake_case on the wire, unlike every other key.
    #[serde(rename = "feed_id")]
    feed_id: String,
    bid: f64,
    mid: f64,
    ask: f64,
    is_market_open: bool,
    #[serde(default)]
    is_day_trading_closed: Option<bool>,
    #[serde(default)]
    seconds_to_toggle_is_day_trading_closed: Option<i64>,
    #[serde(default)]
    timestamp_seconds: Option<i64>,
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

/// Fetches the pairs (GraphQL POST) and the latest prices (GET).
pub async fn fetch(
    fetcher: &Fetcher,
    subgraph_url: &str,
    prices_url: &str,
) -> Result<OstiumResponses, VenueError> {
    let pairs = fetcher
        .post_json(
            subgraph_url,
            "pairs",
            &json!({"query": PAIRS_QUERY, "variables": {}}),
        )
        .await?;
    let prices = fetcher.get(prices_url, "latest-prices").await?;
    let impact = match fetcher
        .post_json(
            subgraph_url,
            "pairImpact",
            &json!({"query": PAIR_IMPACT_QUERY, "variables": {}}),
        )
        .await
    {
        Ok(body) => Some(body),
        Err(e) => {
            tracing::warn!(error = %e, "no dynamic-spread fields: Ostium price impact is the quoted spread");
            None
        }
    };
    Ok(OstiumResponses {
        pairs,
        prices,
        impact,
    })
}

/// Parses the `pairImpact` reply into each pair's dynamic spread (pairs with
/// `priceImpactK` 0 have none: the contract fills them at the bid/ask). A
/// reply with GraphQL errors or without data gives none at all (logged);
/// present values must be sane numbers.
fn parse_impact(body: &Body) -> Result<HashMap<u32, DynamicSpread>, VenueError> {
    let reject = |m: String| VenueError::rejected(VENUE, body, m);
    let Ok(envelope) = serde_json::from_slice::<ImpactEnvelope>(&body.bytes) else {
        tracing::warn!(endpoint = %body.endpoint, "the pairImpact reply is not a GraphQL reply: Ostium price impact is the quoted spread");
        return Ok(HashMap::new());
    };
    if let Some(errors) = envelope.errors.as_ref().filter(|e| !e.is_empty()) {
        let first = errors
            .first()
            .and_then(|e| e.message.as_deref())
            .map_or_else(String::new, |m| one_line(m, 200));
        tracing::warn!(error = %first, "the subgraph refused the pairImpact query: Ostium price impact is the quoted spread");
        return Ok(HashMap::new());
    }
    let Some(pairs) = envelope.data.and_then(|d| d.pairs) else {
        return Ok(HashMap::new());
    };
    let mut out = HashMap::with_capacity(pairs.len());
    for p in pairs {
        let Ok(id) = p.id.trim().parse::<u32>() else {
            return Err(reject(format!(
                "pairImpact pair id {:?} is not a pair index",
                one_line(&p.id, 40)
            )));
        };
        let name = format!("pair {id}");
        let num = |field: &str, v: &Option<String>, d: f64| -> Result<Option<f64>, VenueError> {
            v.as_deref()
                .map(|s| scaled(field, &name, s, d))
                .transpose()
                .map_err(reject)
        };
        let k = num("priceImpactK", &p.price_impact_k, 1e27)?;
        let threshold = num("netVolThreshold", &p.net_vol_threshold, 1e18)?;
        let decay = num("decayRate", &p.decay_rate, 1e18)?;
        let buy = num("buyVolume", &p.buy_volume, 1e18)?;
        let sell = num("sellVolume", &p.sell_volume, 1e18)?;
        let at = num("lastUpdateTimestamp", &p.last_update_timestamp, 1.0)?;
        if let (Some(k), Some(threshold), Some(decay), Some(buy), Some(sell), Some(at)) =
            (k, threshold, decay, buy, sell, at)
            && k > 0.0
        {
            #[allow(clippy::cast_possible_truncation)]
            out.insert(
                id,
                DynamicSpread {
                    price_impact_k: k,
                    net_vol_threshold_usd: threshold,
                    decay_rate_per_s: decay,
                    buy_volume_usd: buy,
                    sell_volume_usd: sell,
                    updated_at: at as i64,
                },
            );
        }
    }
    Ok(out)
}

/// Validates both responses and maps them to markets; `observed_at` is the
/// time the sync saw the market-hours state.
pub fn parse(
    responses: &OstiumResponses,
    observed_at: DateTime<Utc>,
) -> Result<Vec<Market>, VenueError> {
    let pairs_body = &responses.pairs;
    let prices_body = &responses.prices;
    let envelope: Envelope = serde_json::from_slice(&pairs_body.bytes)
        .map_err(|e| VenueError::json(VENUE, pairs_body, &e))?;
    let reject_pairs = |m: String| VenueError::rejected(VENUE, pairs_body, m);
    if let Some(errors) = envelope.errors.as_ref().filter(|e| !e.is_empty()) {
        let messages: Vec<String> = errors
            .iter()
            .take(3)
            .map(|e| one_line(e.message.as_deref().unwrap_or("(no message)"), 200))
            .collect();
        return Err(reject_pairs(format!(
            "GraphQL error{}: {}",
            if errors.len() == 1 { "" } else { "s" },
            messages.join("; ")
        )));
    }
    let Some(data) = envelope.data else {
        return Err(reject_pairs("no `data` in the GraphQL reply".to_owned()));
    };
    let Some(mut pairs) = data.pairs else {
        return Err(reject_pairs(
            "no `data.pairs` in the GraphQL reply".to_owned(),
        ));
    };
    if pairs.is_empty() {
        return Err(reject_pairs("the pair list is empty".to_owned()));
    }
    if pairs.len() > MAX_MARKETS {
        return Err(reject_pairs(format!(
            "{} pairs, more than the {MAX_MARKETS} a real list can hold",
            pairs.len()
        )));
    }
    if pairs.len() >= PAIRS_PAGE {
        return Err(reject_pairs(format!(
            "{} pairs: the `first: {PAIRS_PAGE}` page is full, so the list may be truncated",
            pairs.len()
        )));
    }

    let feeds: Vec<PriceFeed> = serde_json::from_slice(&prices_body.bytes)
        .map_err(|e| VenueError::json(VENUE, prices_body, &e))?;
    let reject_prices = |m: String| VenueError::rejected(VENUE, prices_body, m);
    if feeds.len() > MAX_MARKETS {
        return Err(reject_prices(format!(
            "{} price feeds, more than {MAX_MARKETS}",
            feeds.len()
        )));
    }
    let mut by_feed: HashMap<String, &PriceFeed> = HashMap::with_capacity(feeds.len());
    for f in &feeds {
        if by_feed.insert(f.feed_id.to_ascii_lowercase(), f).is_some() {
            return Err(reject_prices(format!(
                "duplicate feed_id `{}`",
                one_line(&f.feed_id, 80)
            )));
        }
    }

    let mut ids = HashSet::with_capacity(pairs.len());
    let mut keyed = Vec::with_capacity(pairs.len());
    for pair in pairs.drain(..) {
        let id: u32 = pair
            .id
            .trim()
            .parse()
            .ok()
            .filter(|id| *id < 1_000_000)
            .ok_or_else(|| {
                reject_pairs(format!(
                    "pair id {:?} is not a pair index",
                    one_line(&pair.id, 40)
                ))
            })?;
        if !ids.insert(id) {
            return Err(reject_pairs(format!("duplicate pair id {id}")));
        }
        keyed.push((id, pair));
    }
    keyed.sort_by_key(|(id, _)| *id);

    let impact = match &responses.impact {
        Some(body) => parse_impact(body)?,
        None => HashMap::new(),
    };
    let mut tokens = HashSet::with_capacity(keyed.len());
    let mut markets = Vec::with_capacity(keyed.len());
    for (id, pair) in &keyed {
        let feed = by_feed.get(&pair.feed.to_ascii_lowercase()).copied();
        let dynamic = impact.get(id).cloned();
        let market = map_pair(*id, pair, feed, dynamic, observed_at).map_err(|m| {
            if m.starts_with("price feed") {
                reject_prices(m)
            } else {
                reject_pairs(m)
            }
        })?;
        if !tokens.insert(market.token_symbol.clone()) {
            return Err(reject_pairs(format!(
                "duplicate market `{}` (pair {id})",
                market.token_symbol
            )));
        }
        markets.push(market);
    }
    check_markets(VENUE, &markets).map_err(reject_pairs)?;
    Ok(markets)
}

fn scaled(field: &str, market: &str, raw: &str, divisor: f64) -> Result<f64, String> {
    Ok(non_negative(field, market, raw)? / divisor)
}

fn round9(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

/// A group's collateral figures as the subgraph reports them.
struct GroupCollateral {
    /// `maxCollateralP` ÷ 100: percent of the vault's balance.
    max_collateral_pct: Option<f64>,
    /// `longCollateral` / `shortCollateral` ÷ 1e6 (USDC); `None` when absent
    /// or negative (the subgraph's running sum; the contract floors at 0).
    long_usd: Option<f64>,
    short_usd: Option<f64>,
}

impl GroupCollateral {
    fn read(group: &Group, market: &str) -> Result<GroupCollateral, String> {
        let pct = group
            .max_collateral_p
            .as_deref()
            .map(|s| scaled("group.maxCollateralP", market, s, 100.0))
            .transpose()?;
        if let Some(p) = pct
            && p > 100.0
        {
            return Err(format!(
                "`group.maxCollateralP` of `{market}` is {} %, more than the vault",
                show(p)
            ));
        }
        let side = |field: &str, v: &Option<String>| -> Result<Option<f64>, String> {
            Ok(v.as_deref()
                .map(|s| super::check::decimal(field, market, s))
                .transpose()?
                .filter(|c| *c >= 0.0)
                .map(|c| c / 1e6))
        };
        Ok(GroupCollateral {
            max_collateral_pct: pct,
            long_usd: side("group.longCollateral", &group.long_collateral)?,
            short_usd: side("group.shortCollateral", &group.short_collateral)?,
        })
    }

    /// What the group's cap does to the market's capacity, in words
    /// (`venue_markets.capacity_limit`, appended to capacity refusals).
    fn limit(&self, name: &str) -> Option<String> {
        match self.max_collateral_pct {
            Some(0.0) => Some(format!(
                "group `{name}` at its collateral cap (maxCollateralP 0 % of the vault)"
            )),
            Some(p) => Some(format!(
                "group `{name}` collateral cap unknown ({} % of the vault balance, not in the \
subgraph reply)",
                show(p)
            )),
            None => Some(format!(
                "group `{name}` collateral cap unknown (no maxCollateralP in the subgraph reply)"
            )),
        }
    }
}

fn map_pair(
    id: u32,
    pair: &Pair,
    feed: Option<&PriceFeed>,
    dynamic: Option<DynamicSpread>,
    observed_at: DateTime<Utc>,
) -> Result<Market, String> {
    check_name("pair `from`", &pair.from)?;
    check_name("pair `to`", &pair.to)?;
    if pair.feed.is_empty()
        || pair.feed.len() > 130
        || !pair.feed.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(format!(
            "pair {id} has an invalid `feed` {:?}",
            one_line(&pair.feed, 80)
        ));
    }
    check_label("group name", &pair.group.name)?;
    let from = pair.from.trim().to_ascii_uppercase();
    let to = pair.to.trim().to_ascii_uppercase();
    let name = format!("{from}/{to}");
    let n = name.as_str();
    let pair_max = scaled("maxLeverage", n, &pair.max_leverage, 100.0)?;
    let group_max = scaled("group.maxLeverage", n, &pair.group.max_leverage, 100.0)?;
    let leverage = if pair_max > 0.0 { pair_max } else { group_max };
    if !(1.0..=super::MAX_LEVERAGE).contains(&leverage) {
        return Err(format!(
            "effective max leverage of `{n}` is {}× (pair {}, group {}), not in 1..=1000",
            show(leverage),
            show_raw(&pair.max_leverage),
            show_raw(&pair.group.max_leverage)
        ));
    }
    let taker = round9(scaled("takerFeeP", n, &pair.taker_fee_p, 1e4)?);
    let maker = round9(scaled("makerFeeP", n, &pair.maker_fee_p, 1e4)?);
    for (field, bps) in [("takerFeeP", taker), ("makerFeeP", maker)] {
        if bps > 1000.0 {
            return Err(format!(
                "`{field}` of `{n}` is {} bps, more than 10 %",
                show(bps)
            ));
        }
    }
    let long_units = scaled("longOI", n, &pair.long_oi, 1e18)?;
    let short_units = scaled("shortOI", n, &pair.short_oi, 1e18)?;
    let max_oi_usd = scaled("maxOI", n, &pair.max_oi, 1e6)?;
    let last_trade = pair
        .last_trade_price
        .as_deref()
        .map(|s| scaled("lastTradePrice", n, s, 1e18))
        .transpose()?;
    let opt_scaled = |field: &str, v: &Option<String>, d: f64| -> Result<Option<f64>, String> {
        v.as_deref().map(|s| scaled(field, n, s, d)).transpose()
    };
    let overnight = opt_scaled("overnightMaxLeverage", &pair.overnight_max_leverage, 100.0)?;
    let maker_max = opt_scaled("makerMaxLeverage", &pair.maker_max_leverage, 100.0)?;
    let group_min = opt_scaled("group.minLeverage", &pair.group.min_leverage, 100.0)?;
    let min_lev_pos = opt_scaled(
        "fee.minLevPos",
        &pair.fee.as_ref().and_then(|f| f.min_lev_pos.clone()),
        1e6,
    )?;

    if let Some(f) = feed {
        for (field, v) in [("bid", f.bid), ("mid", f.mid), ("ask", f.ask)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(format!(
                    "price feed `{field}` of `{n}` is {}, not a positive price",
                    show(v)
                ));
            }
        }
        if f.ask < f.bid {
            return Err(format!(
                "price feed of `{n}` is crossed: ask {} < bid {}",
                show(f.ask),
                show(f.bid)
            ));
        }
    }
    let (price, price_source) = match (feed, last_trade) {
        (Some(f), _) => (Some(f.mid), "feed"),
        (None, Some(p)) if p > 0.0 => (Some(p), "lastTradePrice"),
        _ => (None, "none"),
    };
    // Open interest is stored in base units (`longOI`/`shortOI` ÷ 1e18) and
    // is worth units × price for EVERY pair, `USD/JPY` and `NIK/JPY` alike:
    // that is the figure the contract holds against the cap
    // (`0xOstium/smart-contracts-public`, `src/lib/TradingCallbacksLib.sol`,
    // `withinExposureLimits`: `openInterest(pair, side) * price / 1e18 / 1e12
    // + collateral * leverage / 100 <= openInterest(pair, 2)`; `registerTrade`
    // in `src/OstiumTradingCallbacks.sol` adds collateral × leverage ÷ open
    // price to it), so no FX conversion applies.
    let to_usd = |units: f64| -> Option<f64> { price.map(|p| units * p) };
    let long_usd = to_usd(long_units);
    let short_usd = to_usd(short_units);
    let listed = feed.is_some();
    let liquidity = match (long_usd, short_usd) {
        (Some(l), Some(s)) if listed => Some((max_oi_usd - l.max(s)).max(0.0)),
        (Some(_), Some(_)) => Some(0.0),
        _ => None,
    };
    // The group's collateral cap, the second half of `withinExposureLimits`:
    // `groupCollateral(pair, side) + collateral <= groupMaxCollateral(pair)`,
    // with `groupMaxCollateral` = `maxCollateralP` (÷100: percent) of the
    // vault's `currentBalance()` (`OstiumPairsStorage.groupMaxCollateral`).
    // The SDK's `getPairs` carries `maxCollateralP`, `longCollateral` and
    // `shortCollateral` (USDC ÷ 1e6) but not the vault balance, so the cap is
    // known only when `maxCollateralP` is 0: then no order can open in the
    // group on either side. Otherwise the bound is unknown and said so.
    let group = GroupCollateral::read(&pair.group, n)?;
    let group_full = group.max_collateral_pct == Some(0.0);
    let capacity = |side: Option<f64>| -> Option<f64> {
        if listed && group_full {
            return Some(0.0);
        }
        side.map(|used| {
            if listed {
                (max_oi_usd - used).max(0.0)
            } else {
                0.0
            }
        })
    };
    let capacity_limit = group.limit(&pair.group.name);
    let cost = MarketCost {
        close_fee_bps: Some(0.0),
        long_capacity_usd: capacity(long_usd),
        short_capacity_usd: capacity(short_usd),
        capacity_limit,
        at_open_interest_cap: None,
        overnight_max_leverage: overnight.filter(|l| *l > 0.0),
        day_trading_closed: feed.and_then(|f| f.is_day_trading_closed),
        // The countdown is as of the entry's own time (entries of closed
        // markets stay frozen at their last update: the January capture's
        // stocks say 1 s at 15:59:59 ET), so the toggle time is the entry's
        // time plus the countdown; −1 means it never toggles (crypto).
        day_trading_toggle_at: feed.and_then(|f| {
            let secs = f
                .seconds_to_toggle_is_day_trading_closed
                .filter(|s| *s >= 0)?;
            let base = f
                .timestamp_seconds
                .and_then(|t| DateTime::from_timestamp(t, 0))
                .unwrap_or(observed_at);
            base.checked_add_signed(chrono::TimeDelta::seconds(secs))
        }),
        // Without a price the pair is inactive and never priced.
        model: feed.map(|f| CostModel {
            fees: FeeRule::Imbalance {
                maker_bps: maker,
                taker_bps: taker,
                maker_max_leverage: maker_max.filter(|l| *l > 0.0),
                close_bps: 0.0,
            },
            impact: ImpactModel::OracleQuote {
                bid: f.bid,
                ask: f.ask,
                mid: f.mid,
                dynamic,
            },
        }),
        depth: None,
    };
    let symbol = market_symbol(&from, &to);
    let metadata = json!({
        "pair_id": id,
        "feed": pair.feed,
        "group_id": pair.group.id,
        "group_max_collateral_pct": group.max_collateral_pct,
        "group_long_collateral_usd": group.long_usd,
        "group_short_collateral_usd": group.short_usd,
        "group_collateral_cap_usd": if group_full { Some(0.0) } else { None },
        "max_leverage_exact": leverage,
        "pair_max_leverage": pair_max,
        "group_max_leverage": group_max,
        "group_min_leverage": group_min,
        "overnight_max_leverage": overnight,
        "maker_max_leverage": maker_max,
        "min_lev_pos_usd": min_lev_pos,
        "long_oi_units": long_units,
        "short_oi_units": short_units,
        "last_trade_price": last_trade,
        "price_source": price_source,
        "no_price_feed": feed.is_none(),
        "is_day_trading_closed": feed.and_then(|f| f.is_day_trading_closed),
        "seconds_to_toggle_day_trading": feed.and_then(|f| f.seconds_to_toggle_is_day_trading_closed),
        "price_timestamp": feed.and_then(|f| f.timestamp_seconds),
        "bid": feed.map(|f| f.bid),
        "ask": feed.map(|f| f.ask),
    });
    #[allow(clippy::cast_possible_truncation)]
    let max_leverage = leverage.floor() as i32;
    Ok(Market {
        venue: VENUE,
        token_symbol: token_symbol(&from, &to),
        market_name: name.clone(),
        market_index: i32::try_from(id).ok(),
        base_symbol: symbol.base_symbol,
        quote_symbol: symbol.quote_symbol,
        price_scale: symbol.price_scale,
        dex: None,
        listed,
        market_open: feed.map(|f| f.is_market_open),
        market_status_at: feed.map(|_| observed_at),
        min_position: min_lev_pos,
        max_leverage: Some(max_leverage),
        group: Some(pair.group.name.clone()),
        current_price: price,
        liquidity_usd: liquidity,
        open_interest_usd: long_usd.zip(short_usd).map(|(l, s)| l + s),
        long_open_interest_usd: long_usd,
        short_open_interest_usd: short_usd,
        max_open_interest_usd: Some(max_oi_usd),
        day_volume_usd: None,
        spread_bps: feed.map(|f| (f.ask - f.bid) / f.mid * 1e4),
        taker_fee_bps: Some(taker),
        maker_fee_bps: Some(maker),
        funding_rate: None,
        metadata,
        cost,
    })
}

// ---- the venue interface ---------------------------------------------------

/// Subgraph `pairs(first: 1000)` reply: 52 pairs (January 2026 capture).
pub const RECORDED_PAIRS: &str = include_str!("../../fixtures/ostium/pairs.graphql.json");
/// `GET /PricePublish/latest-prices`: 54 feeds (January 2026 capture).
pub const RECORDED_LATEST_PRICES: &str = include_str!("../../fixtures/ostium/latest-prices.json");

/// File names `--save-response` writes.
pub const PAIRS_FILE: &str = "pairs.graphql.json";
/// See [`PAIRS_FILE`].
pub const PRICES_FILE: &str = "latest-prices.json";

/// The recorded responses (January 2026 captures, `shared/fixtures/README.md`).
/// Illustrative values only.
#[must_use]
pub fn recorded() -> OstiumResponses {
    OstiumResponses {
        pairs: Body::new(
            format!("recorded {PAIRS_FILE}"),
            RECORDED_PAIRS.as_bytes().to_vec(),
        ),
        prices: Body::new(
            format!("recorded {PRICES_FILE}"),
            RECORDED_LATEST_PRICES.as_bytes().to_vec(),
        ),
        impact: None,
    }
}

const SUBGRAPH_URL: &str = "subgraph-url";
const PRICES_URL_FLAG: &str = "prices-url";
const PAIRS_FILE_FLAG: &str = "pairs-file";
const PRICES_FILE_FLAG: &str = "prices-file";
const IMPACT_FILE_FLAG: &str = "impact-file";

/// File name `--save-response` writes the `pairImpact` reply under.
pub const IMPACT_FILE: &str = "pairImpact.graphql.json";

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

fn shown(url: &str) -> String {
    endpoint_label("GET", url, "")
        .trim_start_matches("GET ")
        .to_owned()
}

impl VenueSource for Ostium {
    fn info(&self) -> &'static VenueInfo {
        &INFO
    }

    fn check(&self, _settings: &SourceSettings, _origin: Origin) -> Result<(), String> {
        Ok(())
    }

    fn source_label(&self, settings: &SourceSettings) -> String {
        match (
            settings.file(PAIRS_FILE_FLAG),
            settings.file(PRICES_FILE_FLAG),
        ) {
            (Some(pairs), Some(prices)) => {
                format!("file:{} + file:{}", pairs.display(), prices.display())
            }
            _ => format!(
                "{} + {}",
                shown(settings.endpoint(SUBGRAPH_URL)),
                shown(settings.endpoint(PRICES_URL_FLAG))
            ),
        }
    }

    fn fetch<'a>(
        &'a self,
        fetcher: &'a Fetcher,
        settings: &'a SourceSettings,
    ) -> BoxFuture<'a, Result<Responses, VenueError>> {
        Box::pin(async move {
            fetch(
                fetcher,
                settings.endpoint(SUBGRAPH_URL),
                settings.endpoint(PRICES_URL_FLAG),
            )
            .await
            .map(Responses::from)
        })
    }

    fn read_files(&self, settings: &SourceSettings) -> anyhow::Result<Responses> {
        match (
            settings.file(PAIRS_FILE_FLAG),
            settings.file(PRICES_FILE_FLAG),
        ) {
            (Some(pairs), Some(prices)) => Ok(Responses::from(OstiumResponses {
                pairs: read_body(pairs)?,
                prices: read_body(prices)?,
                impact: settings.file(IMPACT_FILE_FLAG).map(read_body).transpose()?,
            })),
            _ => anyhow::bail!("`--pairs-file` and `--prices-file` go together"),
        }
    }

    fn recorded(&self, _settings: &SourceSettings) -> Result<Responses, String> {
        Ok(recorded().into())
    }

    fn parse(
        &self,
        responses: &Responses,
        _settings: &SourceSettings,
        _origin: Origin,
        observed_at: DateTime<Utc>,
    ) -> Result<Fetched, VenueError> {
        let missing = |name: &str| {
            VenueError::new(
                VENUE,
                name,
                super::http::Cause::Local(format!("no `{name}` response")),
            )
        };
        let typed = OstiumResponses {
            pairs: responses
                .get(PAIRS_FILE)
                .cloned()
                .ok_or_else(|| missing(PAIRS_FILE))?,
            prices: responses
                .get(PRICES_FILE)
                .cloned()
                .ok_or_else(|| missing(PRICES_FILE))?,
            impact: responses.get(IMPACT_FILE).cloned(),
        };
        Ok(Fetched {
            markets: parse(&typed, observed_at)?,
            scope: None,
        })
    }

    fn canonical_of_stored(&self, token_symbol: &str, market_name: &str) -> String {
        match market_name.split_once('/') {
            Some((from, to)) => market_symbol(from, to).base_symbol,
            None => token_symbol.to_ascii_uppercase(),
        }
    }
}

impl From<OstiumResponses> for Responses {
    fn from(r: OstiumResponses) -> Responses {
        let mut bodies = vec![
            (PAIRS_FILE.to_owned(), r.pairs),
            (PRICES_FILE.to_owned(), r.prices),
        ];
        bodies.extend(r.impact.map(|b| (IMPACT_FILE.to_owned(), b)));
        Responses { bodies }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_768_547_700, 0).expect("time")
    }

    fn find<'a>(markets: &'a [Market], token: &str) -> &'a Market {
        markets
            .iter()
            .find(|m| m.token_symbol == token)
            .unwrap_or_else(|| panic!("{token} missing"))
    }

    fn with(pairs: &str, prices: &str) -> OstiumResponses {
        OstiumResponses {
            pairs: Body::new("pairs", pairs.as_bytes().to_vec()),
            prices: Body::new("prices", prices.as_bytes().to_vec()),
            impact: None,
        }
    }

    fn rejected(pairs: &str, prices: &str) -> String {
        match parse(&with(pairs, prices), at()) {
            Ok(m) => panic!("accepted {} markets", m.len()),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn ostium_pairs_map_to_canonical_and_unique_tokens() {
        let cases = [
            ("BTC", "USD", "BTC", "BTC"),
            ("EUR", "USD", "EUR", "EUR"),
            ("USD", "JPY", "USDJPY", "USDJPY"),
            ("USD", "CAD", "USDCAD", "USDCAD"),
            ("NIK", "JPY", "NIK", "NIKJPY"),
            ("XAU", "USD", "XAU", "XAU"),
            ("US500", "USD", "SPX", "US500"),
        ];
        for (from, to, base, token) in cases {
            assert_eq!(market_symbol(from, to).base_symbol, base, "{from}/{to}");
            assert_eq!(token_symbol(from, to), token, "{from}/{to}");
        }
        // Signals meet markets on the same key.
        for (signal, from, to) in [
            ("EURUSD", "EUR", "USD"),
            ("USDJPY", "USD", "JPY"),
            ("GOLD", "XAU", "USD"),
            ("US500", "SPX", "USD"),
            ("JP225", "NIK", "JPY"),
        ] {
            assert_eq!(
                symbols::canonical_symbol(signal).expect("valid"),
                market_symbol(from, to).base_symbol,
                "{signal}"
            );
        }
    }

    #[test]
    fn recorded_pairs_map_to_52_markets_in_id_order() {
        let markets = parse(&recorded(), at()).expect("valid");
        assert_eq!(markets.len(), 52);
        let ids: Vec<i32> = markets.iter().filter_map(|m| m.market_index).collect();
        assert_eq!(ids, (0..52).collect::<Vec<_>>());
        assert!(markets.iter().all(|m| m.listed));
        // BABA and BYD have feeds but no pair: ignored.
        assert!(
            markets
                .iter()
                .all(|m| !["BABA", "BYD"].contains(&m.token_symbol.as_str()))
        );

        let btc = find(&markets, "BTC");
        assert_eq!(btc.max_leverage, Some(100));
        assert_eq!(btc.taker_fee_bps, Some(10.0));
        assert_eq!(btc.maker_fee_bps, Some(3.0));
        assert_eq!(btc.market_name, "BTC/USD");
        assert_eq!(btc.group.as_deref(), Some("crypto"));
        assert_eq!(btc.current_price, Some(95_687.066_295_173_92));
        assert_eq!(btc.max_open_interest_usd, Some(10_000_000.0));
        assert_eq!(btc.min_position, Some(4.5));
        let long = btc.long_open_interest_usd.expect("long");
        let short = btc.short_open_interest_usd.expect("short");
        assert!((long - 16.190_118_096_356_19 * 95_687.066_295_173_92).abs() < 1e-6);
        assert_eq!(btc.liquidity_usd, Some(10_000_000.0 - long.max(short)));
        assert_eq!(btc.market_open, Some(true));
        assert_eq!(btc.market_status_at, Some(at()));

        let hype = find(&markets, "HYPE");
        assert_eq!(hype.max_leverage, Some(75));
        assert_eq!(hype.market_index, Some(41));

        let jpy = find(&markets, "USDJPY");
        let cad = find(&markets, "USDCAD");
        assert_eq!(
            (jpy.market_name.as_str(), jpy.base_symbol.as_str()),
            ("USD/JPY", "USDJPY")
        );
        assert_eq!(
            (cad.market_name.as_str(), cad.base_symbol.as_str()),
            ("USD/CAD", "USDCAD")
        );
        assert_eq!(jpy.quote_symbol, "JPY");
        assert_eq!(jpy.max_leverage, Some(200));
        // Open interest is units × price for every pair (the next test).
        let nik = find(&markets, "NIKJPY");
        assert_eq!(nik.base_symbol, "NIK");
        assert!(find(&markets, "HSIHKD").long_open_interest_usd.is_some());
        assert_eq!(find(&markets, "EUR").base_symbol, "EUR");

        // Stocks were closed at the capture; forex, indices, commodities open.
        for stock in markets
            .iter()
            .filter(|m| m.group.as_deref() == Some("stocks"))
        {
            assert_eq!(stock.market_open, Some(false), "{}", stock.token_symbol);
            assert_eq!(stock.metadata["is_day_trading_closed"], true);
            assert_eq!(stock.metadata["price_timestamp"], 1_768_510_799);
        }
        assert_eq!(find(&markets, "NVDA").overnight_cap(), Some(10.0));
        assert_eq!(find(&markets, "COIN").overnight_cap(), Some(5.0));
        assert_eq!(find(&markets, "CVX").overnight_cap(), Some(3.0));
        for open in ["EUR", "XAU", "SPX", "CL"] {
            assert_eq!(find(&markets, open).market_open, Some(true), "{open}");
        }
        assert_eq!(find(&markets, "SPX").group.as_deref(), Some("indices"));
    }

    /// Issue 21, finding 1: the contract holds `openInterest × price`
    /// against `maxOI` for every pair (`withinExposureLimits`), so USD/JPY's
    /// and NIK/JPY's open interest and capacity are units × price, with no
    /// USD/xxx or FX special case (January capture).
    #[test]
    fn open_interest_is_units_times_price_for_every_pair() {
        let markets = parse(&recorded(), at()).expect("valid");
        let near = |a: f64, b: f64| (a - b).abs() <= b.abs() * 1e-9;
        // USD/JPY: longOI 298.07…, shortOI 2 686.59… units, mid 158.2975, maxOI $50M.
        let jpy = find(&markets, "USDJPY");
        let (long, short) = (
            298.067_624_887_635_9 * 158.2975,
            2_686.588_552_598_627_9 * 158.2975,
        );
        assert!(
            near(jpy.long_open_interest_usd.expect("long"), long),
            "{jpy:?}"
        );
        assert!(near(jpy.short_open_interest_usd.expect("short"), short));
        // About $425k short, not the $2.7k the USD/xxx special case gave.
        assert!(short > 400_000.0, "{short}");
        assert!(near(
            jpy.cost.long_capacity_usd.expect("cap"),
            50_000_000.0 - long
        ));
        assert!(near(
            jpy.cost.short_capacity_usd.expect("cap"),
            50_000_000.0 - short
        ));
        assert!(near(
            jpy.liquidity_usd.expect("liquidity"),
            50_000_000.0 - short
        ));
        // NIK/JPY: longOI 0.8595…, shortOI 3.8033… units, mid 54 023.28838, maxOI $10M.
        let nik = find(&markets, "NIKJPY");
        let (long, short) = (
            0.859_547_336_500_403_7 * 54_023.288_38,
            3.803_340_265_859_688_6 * 54_023.288_38,
        );
        assert!(
            near(nik.long_open_interest_usd.expect("long"), long),
            "{nik:?}"
        );
        assert!(near(nik.short_open_interest_usd.expect("short"), short));
        assert!(near(
            nik.cost.long_capacity_usd.expect("cap"),
            10_000_000.0 - long
        ));
        assert!(near(
            nik.cost.short_capacity_usd.expect("cap"),
            10_000_000.0 - short
        ));
        // Every other pair quoted in another currency alike.
        for (token, units, mid) in [
            ("USDCAD", 1_725_921.112_095_282_6, 1.38941),
            ("HSIHKD", 0.041_597_226_876_587_002, 26_785.070_46),
        ] {
            let m = find(&markets, token);
            assert!(
                near(m.short_open_interest_usd.expect("short"), units * mid),
                "{token}"
            );
        }
    }

    /// Issue 21, finding 3: the SDK's price host since release 3.3.1.
    #[test]
    fn the_default_price_url_is_the_sdks_host() {
        assert_eq!(
            PRICES_URL,
            "https://metadata-backend.prod.bedrock.ostium.io/PricePublish/latest-prices"
        );
        let prices = INFO
            .endpoints
            .iter()
            .find(|e| e.flag == "prices-url")
            .expect("--prices-url");
        assert_eq!(
            (prices.env, prices.mainnet),
            ("OSTIUM_PRICES_URL", PRICES_URL)
        );
        assert!(PAIRS_QUERY.contains("group { id name minLeverage maxLeverage maxCollateralP longCollateral shortCollateral }"));
    }

    /// Issue 21, finding 2: the group's collateral figures are stored; a group
    /// whose cap is 0 % of the vault refuses both sides, and a cap that needs
    /// the vault balance (not in the reply) is named as unknown.
    #[test]
    fn the_group_collateral_cap_bounds_capacity() {
        let prices = json!([price("0xa", 3.0), price("0xb", 3.0)]).to_string();
        let mut full = pair("0", "AAA", "USD", "0xa");
        full["group"] = json!({"id": "2", "name": "forex", "minLeverage": "100", "maxLeverage": "5000",
            "maxCollateralP": "0", "longCollateral": "925837468684", "shortCollateral": "-611162290342"});
        let mut open = pair("1", "BBB", "USD", "0xb");
        open["group"] = json!({"id": "0", "name": "crypto", "minLeverage": "100", "maxLeverage": "5000",
            "maxCollateralP": "5000", "longCollateral": "1000000", "shortCollateral": "0"});
        let markets = parse(&with(&pairs_text(&[full, open]), &prices), at()).expect("valid");
        let aaa = &markets[0];
        assert_eq!(aaa.cost.long_capacity_usd, Some(0.0));
        assert_eq!(aaa.cost.short_capacity_usd, Some(0.0));
        assert_eq!(
            aaa.cost.capacity_limit.as_deref(),
            Some("group `forex` at its collateral cap (maxCollateralP 0 % of the vault)")
        );
        assert_eq!(aaa.metadata["group_max_collateral_pct"], 0.0);
        assert_eq!(aaa.metadata["group_long_collateral_usd"], 925_837.468_684);
        // The subgraph's negative running sum is unknown, not a negative amount.
        assert_eq!(
            aaa.metadata["group_short_collateral_usd"],
            serde_json::Value::Null
        );
        let bbb = &markets[1];
        assert_eq!(bbb.cost.long_capacity_usd, Some(1000.0 - 3.0));
        assert_eq!(
            bbb.cost.capacity_limit.as_deref(),
            Some(
                "group `crypto` collateral cap unknown (50 % of the vault balance, not in the subgraph reply)"
            )
        );
        assert_eq!(bbb.metadata["group_long_collateral_usd"], 1.0);
        // Absurd group figures are still rejected.
        let mut absurd = pair("0", "AAA", "USD", "0xa");
        absurd["group"]["maxCollateralP"] = json!("20000");
        assert!(rejected(&pairs_text(&[absurd]), &prices).contains("more than the vault"));
        let mut nan = pair("0", "AAA", "USD", "0xa");
        nan["group"]["longCollateral"] = json!("NaN");
        assert!(rejected(&pairs_text(&[nan]), &prices).contains("not finite"));
    }

    trait Overnight {
        fn overnight_cap(&self) -> Option<f64>;
    }
    impl Overnight for Market {
        fn overnight_cap(&self) -> Option<f64> {
            self.metadata["overnight_max_leverage"].as_f64()
        }
    }

    fn pair(id: &str, from: &str, to: &str, feed: &str) -> serde_json::Value {
        json!({"id": id, "from": from, "to": to, "feed": feed, "overnightMaxLeverage": "0",
            "longOI": "1000000000000000000", "shortOI": "0", "maxOI": "1000000000", "makerFeeP": "30000",
            "takerFeeP": "100000", "makerMaxLeverage": "2000", "lastTradePrice": "2000000000000000000",
            "maxLeverage": "0", "group": {"id": "0", "name": "crypto", "minLeverage": "100", "maxLeverage": "5000"},
            "fee": {"minLevPos": "4500000"}})
    }

    fn price(feed: &str, mid: f64) -> serde_json::Value {
        json!({"feed_id": feed, "bid": mid * 0.999, "mid": mid, "ask": mid * 1.001, "isMarketOpen": true,
            "isDayTradingClosed": false, "secondsToToggleIsDayTradingClosed": -1, "from": "X", "to": "USD",
            "timestampSeconds": 1})
    }

    fn pairs_text(pairs: &[serde_json::Value]) -> String {
        json!({"data": {"pairs": pairs}}).to_string()
    }

    #[test]
    fn a_pair_without_price_is_inactive_and_group_leverage_applies() {
        let pairs = pairs_text(&[
            pair("1", "AAA", "USD", "0xa"),
            pair("0", "BBB", "USD", "0xb"),
        ]);
        let prices = json!([price("0xA", 3.0)]).to_string();
        let markets = parse(&with(&pairs, &prices), at()).expect("valid");
        assert_eq!(markets[0].token_symbol, "BBB");
        let bbb = &markets[0];
        assert!(!bbb.listed);
        assert_eq!(bbb.market_open, None);
        assert_eq!(bbb.metadata["no_price_feed"], true);
        assert_eq!(bbb.current_price, Some(2.0));
        assert_eq!(bbb.liquidity_usd, Some(0.0));
        let aaa = &markets[1];
        assert!(aaa.listed);
        assert_eq!(aaa.max_leverage, Some(50));
        assert_eq!(aaa.long_open_interest_usd, Some(3.0));
        assert_eq!(aaa.liquidity_usd, Some(1000.0 - 3.0));
    }

    #[test]
    fn graphql_errors_and_missing_data_are_rejected() {
        let prices = json!([]).to_string();
        let e = rejected(
            r#"{"errors":[{"message":"Type `Pair` has no field `isActive`"}]}"#,
            &prices,
        );
        assert!(
            e.contains("GraphQL error: Type `Pair` has no field `isActive`"),
            "{e}"
        );
        let e = rejected(
            r#"{"data":{"pairs":[]},"errors":[{"message":"indexing error"}]}"#,
            &prices,
        );
        assert!(e.contains("indexing error"), "{e}");
        assert!(rejected(r#"{"data":null}"#, &prices).contains("no `data`"));
        assert!(rejected(r#"{"data":{}}"#, &prices).contains("no `data.pairs`"));
        assert!(rejected(r#"{"data":{"pairs":[]}}"#, &prices).contains("empty"));
        assert!(rejected("<html>", &prices).contains("invalid response"));
        let full = RECORDED_PAIRS;
        assert!(rejected(&full[..full.len() - 100], &prices).contains("invalid response"));
        let e = rejected(RECORDED_PAIRS, r#"{"error":"x"}"#);
        assert!(e.starts_with("OSTIUM `prices`: invalid response"), "{e}");
    }

    #[test]
    fn absurd_values_are_rejected() {
        let prices = json!([price("0xa", 3.0)]).to_string();
        let edit = |field: &str, value: serde_json::Value| {
            let mut p = pair("0", "AAA", "USD", "0xa");
            p[field] = value;
            pairs_text(&[p])
        };
        let cases = [
            (edit("maxLeverage", json!("-500")), "negative"),
            (edit("maxLeverage", json!("NaN")), "not finite"),
            (edit("longOI", json!("inf")), "not finite"),
            (edit("takerFeeP", json!("abc")), "not a number"),
            (edit("takerFeeP", json!("-1")), "negative"),
            (edit("maxLeverage", json!("1000000")), "not in 1..=1000"),
            (edit("maxOI", json!(12)), "invalid response"),
            (edit("id", json!("x1")), "not a pair index"),
            (edit("from", json!("")), "empty"),
        ];
        for (pairs, want) in cases {
            let e = rejected(&pairs, &prices);
            assert!(e.contains(want), "want {want:?} in {e}");
        }
        let mut zero_group = pair("0", "AAA", "USD", "0xa");
        zero_group["group"]["maxLeverage"] = json!("0");
        assert!(rejected(&pairs_text(&[zero_group]), &prices).contains("effective max leverage"));
        let dup = pairs_text(&[
            pair("0", "AAA", "USD", "0xa"),
            pair("0", "BBB", "USD", "0xb"),
        ]);
        assert!(rejected(&dup, &prices).contains("duplicate pair id 0"));
        let dup_token = pairs_text(&[
            pair("0", "AAA", "USD", "0xa"),
            pair("1", "aaa", "usd", "0xb"),
        ]);
        assert!(rejected(&dup_token, &prices).contains("duplicate market `AAA`"));
        let one = pairs_text(&[pair("0", "AAA", "USD", "0xa")]);
        let nan_price = r#"[{"feed_id":"0xa","bid":"NaN","mid":1,"ask":1,"isMarketOpen":true}]"#;
        assert!(rejected(&one, nan_price).contains("invalid response"));
        let zero_price = json!([price("0xa", 0.0)]).to_string();
        assert!(rejected(&one, &zero_price).contains("not a positive price"));
        let dup_feed = json!([price("0xa", 1.0), price("0xA", 2.0)]).to_string();
        assert!(rejected(&one, &dup_feed).contains("duplicate feed_id"));
        let crossed = r#"[{"feed_id":"0xa","bid":2,"mid":1.5,"ask":1,"isMarketOpen":true}]"#;
        assert!(rejected(&one, crossed).contains("crossed"));
    }

    #[test]
    fn too_many_pairs_are_rejected() {
        let many: Vec<serde_json::Value> = (0..100_000)
            .map(|i| pair(&i.to_string(), &format!("A{i}"), "USD", &format!("0x{i}")))
            .collect();
        let e = rejected(&pairs_text(&many), "[]");
        assert!(e.contains("100000 pairs"), "{e}");
        let page: Vec<serde_json::Value> = (0..1000)
            .map(|i| pair(&i.to_string(), &format!("A{i}"), "USD", &format!("0x{i}")))
            .collect();
        assert!(rejected(&pairs_text(&page), "[]").contains("may be truncated"));
    }
}

/// The late-2026 recorded responses (`fixtures/ostium/2026-11`, written from
/// the documented shapes): overnight caps and day-trading windows, a pair at
/// its open-interest cap on one side, and the dynamic-spread fields.
#[cfg(test)]
mod late_2026 {
    use super::*;
    use crate::domain::Side;

    fn file(name: &str) -> Body {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/ostium/2026-11")
            .join(name);
        read_body(&path).expect("fixture readable")
    }

    fn responses() -> OstiumResponses {
        OstiumResponses {
            pairs: file(PAIRS_FILE),
            prices: file(PRICES_FILE),
            impact: Some(file(IMPACT_FILE)),
        }
    }

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_017_600, 0).expect("time")
    }

    fn find<'a>(markets: &'a [Market], token: &str) -> &'a Market {
        markets
            .iter()
            .find(|m| m.token_symbol == token)
            .unwrap_or_else(|| panic!("{token} missing"))
    }

    #[test]
    fn fees_open_only_with_the_maker_rule_and_no_closing_fee() {
        let markets = parse(&responses(), at()).expect("valid");
        let btc = find(&markets, "BTC");
        assert_eq!(btc.cost.close_fee_bps, Some(0.0));
        let Some(CostModel { fees, impact }) = &btc.cost.model else {
            panic!("no model");
        };
        assert_eq!(
            fees,
            &FeeRule::Imbalance {
                maker_bps: 3.0,
                taker_bps: 10.0,
                maker_max_leverage: Some(20.0),
                close_bps: 0.0,
            }
        );
        let ImpactModel::OracleQuote {
            bid,
            ask,
            mid,
            dynamic: Some(d),
        } = impact
        else {
            panic!("{impact:?}");
        };
        assert_eq!((*bid, *mid, *ask), (101_257.4, 101_262.5, 101_267.6));
        // priceImpactK 1e12 ÷ 1e27; volumes and threshold ÷ 1e18; decayRate 1e15 ÷ 1e18.
        assert!((d.price_impact_k - 1e-15).abs() < 1e-27);
        let near = |a: f64, b: f64| (a - b).abs() <= b.abs() * 1e-12;
        assert!(near(d.net_vol_threshold_usd, 50_000.0), "{d:?}");
        assert!(near(d.decay_rate_per_s, 0.001), "{d:?}");
        assert!(near(d.buy_volume_usd, 420_000.0), "{d:?}");
        assert!(near(d.sell_volume_usd, 380_000.0), "{d:?}");
        assert_eq!(d.updated_at, 1_795_017_540);
        // priceImpactK 0: no dynamic spread, fills at the bid/ask.
        let eur = find(&markets, "EUR");
        assert!(matches!(
            eur.cost.model.as_ref().map(|m| &m.impact),
            Some(ImpactModel::OracleQuote { dynamic: None, .. })
        ));
        // Forex has no maker rate (makerMaxLeverage 0).
        assert!(matches!(
            eur.cost.model.as_ref().map(|m| &m.fees),
            Some(FeeRule::Imbalance {
                maker_max_leverage: None,
                ..
            })
        ));
    }

    #[test]
    fn capacity_is_per_side_and_zero_at_the_cap() {
        let markets = parse(&responses(), at()).expect("valid");
        let nvda = find(&markets, "NVDA");
        // Longs hold $40.1M of a $40M cap: no room for a long.
        assert_eq!(nvda.cost.capacity_usd(Side::Long), Some(0.0));
        let short = nvda.cost.capacity_usd(Side::Short).expect("short");
        assert!((short - 29_000_000.0).abs() < 1.0, "{short}");
        let btc = find(&markets, "BTC");
        let long = btc.cost.long_capacity_usd.expect("long");
        assert!((long - 11_600_000.0).abs() < 1.0, "{long}");
    }

    #[test]
    fn overnight_caps_and_day_trading_windows_are_stored() {
        let markets = parse(&responses(), at()).expect("valid");
        let tsla = find(&markets, "TSLA");
        assert_eq!(tsla.cost.overnight_max_leverage, Some(10.0));
        assert_eq!(tsla.cost.day_trading_closed, Some(true));
        assert_eq!(
            tsla.cost.day_trading_toggle_at,
            Some(at() + chrono::TimeDelta::seconds(63_060))
        );
        assert_eq!(tsla.max_leverage, Some(100));
        let nvda = find(&markets, "NVDA");
        assert_eq!(nvda.cost.overnight_max_leverage, Some(5.0));
        assert_eq!(nvda.cost.day_trading_closed, Some(false));
        // Crypto: no overnight cap, never toggles (-1).
        let btc = find(&markets, "BTC");
        assert_eq!(btc.cost.overnight_max_leverage, None);
        assert_eq!(btc.cost.day_trading_toggle_at, None);
        // The January capture still parses, with its overnight caps.
        let jan = parse(&recorded(), at()).expect("valid");
        assert_eq!(find(&jan, "NVDA").cost.overnight_max_leverage, Some(10.0));
        assert_eq!(find(&jan, "BTC").cost.close_fee_bps, Some(0.0));
    }

    #[test]
    fn an_impact_reply_the_subgraph_refused_leaves_the_impact_unknown() {
        let mut r = responses();
        r.impact = Some(Body::new(
            "impact",
            br#"{"errors":[{"message":"Type `Pair` has no field `priceImpactK`"}]}"#.to_vec(),
        ));
        let markets = parse(&r, at()).expect("valid");
        assert!(matches!(
            find(&markets, "BTC").cost.model.as_ref().map(|m| &m.impact),
            Some(ImpactModel::OracleQuote { dynamic: None, .. })
        ));
        // Present but absurd values are rejected like any other field.
        r.impact = Some(Body::new(
            "impact",
            br#"{"data":{"pairs":[{"id":"0","priceImpactK":"NaN"}]}}"#.to_vec(),
        ));
        assert!(parse(&r, at()).is_err());
    }
}
