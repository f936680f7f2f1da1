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

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use serde::Deserialize;
use serde_json::json;

use super::check::{MAX_MARKETS, check_label, check_markets, check_name};
use super::http::{Body, Cause, Fetcher, VenueError, endpoint_label, one_line, read_body};
use super::registry::Venue;
use super::source::{
    Endpoint, Fetched, FileFlag, LiquidityModel, MarketSymbolColumn, Origin, Responses,
    SourceSettings, VenueInfo, VenueSource,
};
use crate::cost::MarketCost;
use crate::domain::Market;
use crate::symbols::{self, CRYPTO_ONLY_COLLISIONS};

const VENUE: Venue = Venue::Gmx;

/// Oracle API of GMX v2 on Arbitrum.
pub const MAINNET_API_URL: &str = "https://arbitrum-api.gmxinfra.io";

/// GMX's fixed-point scale for USD amounts and rates: 10³⁰.
pub const USD_DECIMALS: i32 = 30;

/// Hours per year used to make the annualised funding rate hourly.
pub const HOURS_PER_YEAR: f64 = 8760.0;

/// Largest USD amount accepted as real (open interest, capacity): $10¹⁴.
const MAX_USD: f64 = 1e14;

/// Largest annualised rate accepted as real: 100 000 % a year.
const MAX_ANNUAL_RATE: f64 = 1000.0;

/// The three raw responses of one sync.
#[derive(Debug, Clone)]
pub struct GmxResponses {
    pub markets_info: Body,
    pub tokens: Body,
    pub tickers: Body,
}

// ---- wire types (private) -------------------------------------------------

#[derive(Debug, Deserialize)]
struct MarketsInfo {
    markets: Vec<MarketInfo>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MarketInfo {
    name: String,
    market_token: String,
    index_token: String,
    long_token: String,
    short_token: String,
    #[serde(default)]
    is_listed: Option<bool>,
    #[serde(default)]
    is_disabled: Option<bool>,
    #[serde(default)]
    listing_date: Option<String>,
    open_interest_long: String,
    open_interest_short: String,
    available_liquidity_long: String,
    available_liquidity_short: String,
    #[serde(default)]
    pool_amount_long: Option<String>,
    #[serde(default)]
    pool_amount_short: Option<String>,
    #[serde(default)]
    funding_rate_long: Option<String>,
    #[serde(default)]
    funding_rate_short: Option<String>,
    #[serde(default)]
    borrowing_rate_long: Option<String>,
    #[serde(default)]
    borrowing_rate_short: Option<String>,
    /// `netRate*` = `fundingRate*` − `borrowingRate*` (gmx-io/gmx-interface
    /// `getMarketTicker`, per a third-party reading; kept in metadata only).
    #[serde(default)]
    net_rate_long: Option<String>,
    #[serde(default)]
    net_rate_short: Option<String>,
}

/// `/tokens`: `{"tokens": [...]}` (a bare array is accepted too).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum TokenList {
    Wrapped { tokens: Vec<Token> },
    Bare(Vec<Token>),
}

#[derive(Debug, Deserialize)]
struct Token {
    symbol: String,
    address: String,
    decimals: i64,
    #[serde(default)]
    synthetic: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Ticker {
    token_address: String,
    #[serde(default)]
    token_symbol: Option<String>,
    min_price: String,
    max_price: String,
    #[serde(default)]
    timestamp: Option<i64>,
}

/// The zero address GMX gives swap-only pools as their index token.
const ZERO_ADDRESS: &str = "0x0000000000000000000000000000000000000000";

fn check_address(kind: &str, market: &str, raw: &str) -> Result<String, String> {
    let ok =
        raw.len() == 42 && raw.starts_with("0x") && raw[2..].chars().all(|c| c.is_ascii_hexdigit());
    if ok {
        Ok(raw.to_ascii_lowercase())
    } else {
        Err(format!(
            "{kind} of `{market}` is not an address: {:?}",
            one_line(raw, 60)
        ))
    }
}

/// A GMX fixed-point integer (`"9125584728950487099055356400000000000"`)
/// divided by 10^`decimals`. Only digits (and a leading `-` when `signed`):
/// no exponent, no fraction, no `NaN`.
fn fixed(field: &str, market: &str, raw: &str, decimals: i32, signed: bool) -> Result<f64, String> {
    let digits = raw.strip_prefix('-').filter(|_| signed).unwrap_or(raw);
    if digits.is_empty() || digits.len() > 80 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "`{field}` of `{market}` is not a {}integer: {:?}",
            if signed { "" } else { "non-negative " },
            one_line(raw, 60)
        ));
    }
    // Split at the decimal point so that round amounts stay exact
    // (`1000` followed by 30 zeros is 1000.0, not 999.9999999999999).
    let negative = raw.starts_with('-');
    let point = usize::try_from(decimals).unwrap_or(0);
    let split = digits.len().saturating_sub(point);
    let (whole, tail) = digits.split_at(split);
    let whole = if whole.is_empty() {
        0.0
    } else {
        parse_digits(whole)
    };
    let fraction_digits = format!("{}{tail}", "0".repeat(point - tail.len()));
    let fraction_digits = fraction_digits.trim_end_matches('0');
    let fraction = if fraction_digits.is_empty() {
        0.0
    } else {
        parse_digits(fraction_digits)
            / 10_f64.powi(i32::try_from(fraction_digits.len()).unwrap_or(i32::MAX))
    };
    let magnitude = whole + fraction;
    let scaled = if negative { -magnitude } else { magnitude };
    if !scaled.is_finite() {
        return Err(format!("`{field}` of `{market}` is not finite: {raw:?}"));
    }
    Ok(scaled)
}

/// The value of a string of ASCII digits (checked by the caller).
fn parse_digits(digits: &str) -> f64 {
    digits.parse().unwrap_or(f64::INFINITY)
}

fn usd(field: &str, market: &str, raw: &str) -> Result<f64, String> {
    let v = fixed(field, market, raw, USD_DECIMALS, false)?;
    if v > MAX_USD {
        return Err(format!("`{field}` of `{market}` is absurdly large: ${v:e}"));
    }
    Ok(v)
}

/// Rounding below zero tolerated in `availableLiquidity*`, USD.
const AVAILABLE_ROUNDING_USD: f64 = 1.0;

fn available(field: &str, market: &str, raw: &str) -> Result<f64, String> {
    let v = fixed(field, market, raw, USD_DECIMALS, true)?;
    if v < -AVAILABLE_ROUNDING_USD {
        return Err(format!(
            "`{field}` of `{market}` is negative: ${v}, more than rounding"
        ));
    }
    if v > MAX_USD {
        return Err(format!("`{field}` of `{market}` is absurdly large: ${v:e}"));
    }
    Ok(v.max(0.0))
}

fn annual_rate(field: &str, market: &str, raw: Option<&str>) -> Result<Option<f64>, String> {
    let Some(raw) = raw else { return Ok(None) };
    let v = fixed(field, market, raw, USD_DECIMALS, true)?;
    if v.abs() > MAX_ANNUAL_RATE {
        return Err(format!(
            "`{field}` of `{market}` is {v}, more than {MAX_ANNUAL_RATE} a year"
        ));
    }
    Ok(Some(v))
}

/// A token's USD price from a ticker: `(min, max)` per token.
#[derive(Debug, Clone, Copy)]
struct Price {
    min: f64,
    max: f64,
    timestamp: Option<i64>,
}

/// Fetches `/markets/info`, `/tokens` and `/prices/tickers`.
pub async fn fetch(fetcher: &Fetcher, api_url: &str) -> Result<GmxResponses, VenueError> {
    let base = api_url.trim_end_matches('/');
    let markets_info = fetcher
        .get(&format!("{base}/markets/info"), "markets/info")
        .await?;
    let tokens = fetcher.get(&format!("{base}/tokens"), "tokens").await?;
    let tickers = fetcher
        .get(&format!("{base}/prices/tickers"), "prices/tickers")
        .await?;
    Ok(GmxResponses {
        markets_info,
        tokens,
        tickers,
    })
}

/// Validates the three responses and maps them to markets, all or nothing.
pub fn parse(responses: &GmxResponses) -> Result<Vec<Market>, VenueError> {
    let info_body = &responses.markets_info;
    let reject_info = |m: String| VenueError::rejected(VENUE, info_body, m);
    let info: MarketsInfo = serde_json::from_slice(&info_body.bytes)
        .map_err(|e| VenueError::json(VENUE, info_body, &e))?;
    if info.markets.is_empty() {
        return Err(reject_info("the market list is empty".to_owned()));
    }
    if info.markets.len() > MAX_MARKETS {
        return Err(reject_info(format!(
            "{} markets, more than the {MAX_MARKETS} a real list can hold",
            info.markets.len()
        )));
    }

    let tokens = parse_tokens(&responses.tokens)?;
    let prices = parse_tickers(&responses.tickers, &tokens)?;

    let mut seen_tokens = HashSet::with_capacity(info.markets.len());
    let mut seen_names = HashSet::with_capacity(info.markets.len());
    let mut markets = Vec::with_capacity(info.markets.len());
    for m in &info.markets {
        // `INDEX/USD [LONG-SHORT]`: printable here, its parts are checked
        // under the market-name rule where the structure is read.
        check_label("market name", &m.name.replace(' ', "")).map_err(&reject_info)?;
        let market_token =
            check_address("`marketToken`", &m.name, &m.market_token).map_err(&reject_info)?;
        if !seen_tokens.insert(market_token.clone()) {
            return Err(reject_info(format!(
                "duplicate marketToken `{}`",
                m.market_token
            )));
        }
        if !seen_names.insert(m.name.trim().to_owned()) {
            return Err(reject_info(format!("duplicate market `{}`", m.name)));
        }
        if let Some(market) =
            map_market(m, &market_token, &tokens, &prices).map_err(&reject_info)?
        {
            markets.push(market);
        }
    }
    rank_pools(&mut markets);
    check_markets(VENUE, &markets).map_err(reject_info)?;
    Ok(markets)
}

fn parse_tokens(body: &Body) -> Result<HashMap<String, Token>, VenueError> {
    let list: TokenList =
        serde_json::from_slice(&body.bytes).map_err(|e| VenueError::json(VENUE, body, &e))?;
    let list = match list {
        TokenList::Wrapped { tokens } | TokenList::Bare(tokens) => tokens,
    };
    let reject = |m: String| VenueError::rejected(VENUE, body, m);
    if list.is_empty() {
        return Err(reject("the token list is empty".to_owned()));
    }
    if list.len() > MAX_MARKETS {
        return Err(reject(format!(
            "{} tokens, more than {MAX_MARKETS}",
            list.len()
        )));
    }
    let mut out = HashMap::with_capacity(list.len());
    for t in list {
        check_name("token symbol", &t.symbol).map_err(&reject)?;
        let address = check_address("address", &t.symbol, &t.address).map_err(&reject)?;
        if !(0..=30).contains(&t.decimals) {
            return Err(reject(format!(
                "`decimals` of token `{}` is {}, not in 0..=30",
                t.symbol, t.decimals
            )));
        }
        if out.insert(address, t).is_some() {
            return Err(reject("duplicate token address".to_owned()));
        }
    }
    Ok(out)
}

fn parse_tickers(
    body: &Body,
    tokens: &HashMap<String, Token>,
) -> Result<HashMap<String, Price>, VenueError> {
    let list: Vec<Ticker> =
        serde_json::from_slice(&body.bytes).map_err(|e| VenueError::json(VENUE, body, &e))?;
    let reject = |m: String| VenueError::rejected(VENUE, body, m);
    if list.len() > MAX_MARKETS {
        return Err(reject(format!(
            "{} tickers, more than {MAX_MARKETS}",
            list.len()
        )));
    }
    let mut out = HashMap::with_capacity(list.len());
    for t in &list {
        let label = t.token_symbol.as_deref().unwrap_or(&t.token_address);
        let address = check_address("`tokenAddress`", label, &t.token_address).map_err(&reject)?;
        // A ticker of a token /tokens does not list cannot be scaled: ignored.
        let Some(token) = tokens.get(&address) else {
            continue;
        };
        let decimals = 30 - i32::try_from(token.decimals).unwrap_or(30);
        let min = fixed("minPrice", label, &t.min_price, decimals, false).map_err(&reject)?;
        let max = fixed("maxPrice", label, &t.max_price, decimals, false).map_err(&reject)?;
        // One zero-priced ticker leaves that token unpriced (its markets are
        // stored inactive, `metadata.no_price`), not the whole reply rejected;
        // negative, malformed or crossed prices still are.
        if min == 0.0 || max == 0.0 {
            tracing::warn!(token = %label, "GMX ticker priced 0: the token's markets are stored unpriced");
            continue;
        }
        if max < min {
            return Err(reject(format!(
                "ticker of `{label}` is crossed: max {max} < min {min}"
            )));
        }
        let price = Price {
            min,
            max,
            timestamp: t.timestamp,
        };
        if out.insert(address, price).is_some() {
            return Err(reject(format!("duplicate ticker for `{label}`")));
        }
    }
    Ok(out)
}

fn map_market(
    m: &MarketInfo,
    market_token: &str,
    tokens: &HashMap<String, Token>,
    prices: &HashMap<String, Price>,
) -> Result<Option<Market>, String> {
    let name = m.name.trim();
    let index = check_address("`indexToken`", name, &m.index_token)?;
    let long = check_address("`longToken`", name, &m.long_token)?;
    let short = check_address("`shortToken`", name, &m.short_token)?;
    let Some(pooled) = symbols::pool_market(name, &CRYPTO_ONLY_COLLISIONS) else {
        if index == ZERO_ADDRESS {
            return Ok(None); // a swap-only pool
        }
        return Err(format!(
            "market name `{name}` is not `INDEX/USD [LONG-SHORT]`"
        ));
    };
    if index == ZERO_ADDRESS {
        return Ok(None);
    }
    let oi_long = usd("openInterestLong", name, &m.open_interest_long)?;
    let oi_short = usd("openInterestShort", name, &m.open_interest_short)?;
    // `availableLiquidity*` can come back a hair below zero (the pool's
    // reserve minus open interest, rounded): down to −$1 it is 0, below
    // that the reply is rejected as absurd.
    let avail_long = available("availableLiquidityLong", name, &m.available_liquidity_long)?;
    let avail_short = available(
        "availableLiquidityShort",
        name,
        &m.available_liquidity_short,
    )?;
    let funding_long = annual_rate("fundingRateLong", name, m.funding_rate_long.as_deref())?;
    let funding_short = annual_rate("fundingRateShort", name, m.funding_rate_short.as_deref())?;
    let net_long = annual_rate("netRateLong", name, m.net_rate_long.as_deref())?;
    let net_short = annual_rate("netRateShort", name, m.net_rate_short.as_deref())?;
    let borrowing_long = annual_rate("borrowingRateLong", name, m.borrowing_rate_long.as_deref())?;
    let borrowing_short = annual_rate(
        "borrowingRateShort",
        name,
        m.borrowing_rate_short.as_deref(),
    )?;
    for (field, v) in [
        ("poolAmountLong", &m.pool_amount_long),
        ("poolAmountShort", &m.pool_amount_short),
    ] {
        if let Some(raw) = v {
            fixed(field, name, raw, 0, false)?;
        }
    }
    let index_token = tokens.get(&index);
    let price = prices.get(&index).copied();
    let listed = m.is_listed.unwrap_or(true);
    let disabled = m.is_disabled.unwrap_or(false);
    let is_active = listed && !disabled && price.is_some();
    let mid = price.map(|p| (p.min + p.max) / 2.0);
    let spread_bps = price.map(|p| (p.max - p.min) / ((p.min + p.max) / 2.0) * 1e4);
    let cap_long = oi_long + avail_long;
    let cap_short = oi_short + avail_short;
    let symbol = pooled.symbol;
    let token_symbol = name.replace(' ', "");
    let symbol_of = |a: &str| tokens.get(a).map(|t| t.symbol.clone());
    let metadata = json!({
        "market_token": market_token,
        "index_token": index,
        "long_token": long,
        "short_token": short,
        "index_symbol": index_token.map(|t| t.symbol.clone()),
        "long_symbol": symbol_of(&long),
        "short_symbol": symbol_of(&short),
        "pool": pooled.pool,
        "synthetic": index_token.and_then(|t| t.synthetic).unwrap_or(false),
        "is_listed": listed,
        "is_disabled": disabled,
        "no_price": price.is_none(),
        "listing_date": m.listing_date,
        "available_liquidity_long_usd": avail_long,
        "available_liquidity_short_usd": avail_short,
        "max_open_interest_long_usd": cap_long,
        "max_open_interest_short_usd": cap_short,
        "funding_rate_long_annual": funding_long,
        "funding_rate_short_annual": funding_short,
        "net_rate_long_annual": net_long,
        "net_rate_short_annual": net_short,
        "borrowing_rate_long_annual": borrowing_long,
        "borrowing_rate_short_annual": borrowing_short,
        "min_price": price.map(|p| p.min),
        "max_price": price.map(|p| p.max),
        "price_timestamp": price.and_then(|p| p.timestamp),
    });
    Ok(Some(Market {
        venue: VENUE,
        token_symbol,
        market_name: name.to_owned(),
        market_index: None,
        base_symbol: symbol.base_symbol,
        quote_symbol: symbol.quote_symbol,
        price_scale: symbol.price_scale,
        dex: None,
        listed: is_active,
        market_open: None,
        market_status_at: None,
        min_position: None,
        max_leverage: None,
        group: Some(if index_token.and_then(|t| t.synthetic).unwrap_or(false) {
            "synthetic".to_owned()
        } else {
            "crypto".to_owned()
        }),
        current_price: mid,
        liquidity_usd: Some(if is_active {
            avail_long.min(avail_short)
        } else {
            0.0
        }),
        open_interest_usd: Some(oi_long + oi_short),
        long_open_interest_usd: Some(oi_long),
        short_open_interest_usd: Some(oi_short),
        max_open_interest_usd: Some(cap_long.min(cap_short)),
        day_volume_usd: None,
        spread_bps,
        taker_fee_bps: None,
        maker_fee_bps: None,
        // GMX's sign is the receiving side's: `fundingRateLong > 0` means
        // longs RECEIVE (gmx-io/gmx-interface `sdk/src/utils/fees/index.ts`,
        // `getFundingFactorPerPeriod`: the paying (larger) side's factor is
        // `fundingFactorPerSecond * -1`). `funding_rate` is stored in the one
        // convention of every venue (positive = longs pay shorts, per hour),
        // so the long side's rate is negated.
        funding_rate: funding_long.map(|r| -r / HOURS_PER_YEAR),
        metadata,
        // Capacity per side is the API's own `availableLiquidityLong/Short`
        // (what a new position on that side can still open); fees and the
        // price-impact parameters are on-chain config these endpoints do not
        // publish, so routing's cost figures stay unknown for GMX.
        cost: MarketCost {
            long_capacity_usd: Some(if is_active { avail_long } else { 0.0 }),
            short_capacity_usd: Some(if is_active { avail_short } else { 0.0 }),
            ..MarketCost::default()
        },
    }))
}

/// Numbers the markets of each index 0, 1, … in `market_index`: active ones
/// first, then the most capacity left, then by name.
fn rank_pools(markets: &mut [Market]) {
    let mut order: Vec<usize> = (0..markets.len()).collect();
    order.sort_by(|&a, &b| {
        let (ma, mb) = (&markets[a], &markets[b]);
        ma.base_symbol
            .cmp(&mb.base_symbol)
            .then_with(|| mb.listed.cmp(&ma.listed))
            .then_with(|| {
                let la = ma.liquidity_usd.unwrap_or(0.0);
                let lb = mb.liquidity_usd.unwrap_or(0.0);
                lb.total_cmp(&la)
            })
            .then_with(|| ma.market_name.cmp(&mb.market_name))
    });
    let mut rank = 0;
    let mut previous: Option<String> = None;
    for i in order {
        let base = markets[i].base_symbol.clone();
        if previous.as_deref() == Some(base.as_str()) {
            rank += 1;
        } else {
            rank = 0;
        }
        markets[i].market_index = Some(rank);
        previous = Some(base);
    }
}

// ---- the venue interface ---------------------------------------------------

/// `GET /markets/info`: 9 markets (written from the documented shape, see
/// `shared/fixtures/README.md`).
pub const RECORDED_MARKETS_INFO: &str = include_str!("../../fixtures/gmx/markets-info.json");
/// `GET /tokens`.
pub const RECORDED_TOKENS: &str = include_str!("../../fixtures/gmx/tokens.json");
/// `GET /prices/tickers`.
pub const RECORDED_TICKERS: &str = include_str!("../../fixtures/gmx/prices-tickers.json");

/// File names `--save-response` writes and `--from-file DIR` reads.
pub const MARKETS_INFO_FILE: &str = "markets-info.json";
/// See [`MARKETS_INFO_FILE`].
pub const TOKENS_FILE: &str = "tokens.json";
/// See [`MARKETS_INFO_FILE`].
pub const TICKERS_FILE: &str = "prices-tickers.json";

/// The recorded responses built into the binary. Illustrative values only.
#[must_use]
pub fn recorded() -> GmxResponses {
    let body =
        |name: &str, text: &str| Body::new(format!("recorded {name}"), text.as_bytes().to_vec());
    GmxResponses {
        markets_info: body(MARKETS_INFO_FILE, RECORDED_MARKETS_INFO),
        tokens: body(TOKENS_FILE, RECORDED_TOKENS),
        tickers: body(TICKERS_FILE, RECORDED_TICKERS),
    }
}

const API_URL: &str = "api-url";
const FROM_FILE: &str = "from-file";

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

impl From<GmxResponses> for Responses {
    fn from(r: GmxResponses) -> Responses {
        Responses {
            bodies: vec![
                (MARKETS_INFO_FILE.to_owned(), r.markets_info),
                (TOKENS_FILE.to_owned(), r.tokens),
                (TICKERS_FILE.to_owned(), r.tickers),
            ],
        }
    }
}

fn read_dir(dir: &Path) -> anyhow::Result<GmxResponses> {
    Ok(GmxResponses {
        markets_info: read_body(&dir.join(MARKETS_INFO_FILE))?,
        tokens: read_body(&dir.join(TOKENS_FILE))?,
        tickers: read_body(&dir.join(TICKERS_FILE))?,
    })
}

impl VenueSource for Gmx {
    fn info(&self) -> &'static VenueInfo {
        &INFO
    }

    fn check(&self, settings: &SourceSettings, _origin: Origin) -> Result<(), String> {
        match settings.file(FROM_FILE) {
            Some(dir) if !dir.is_dir() => Err(format!(
                "`--from-file` must be a directory holding {MARKETS_INFO_FILE}, {TOKENS_FILE} and {TICKERS_FILE}; `{}` is not one",
                dir.display()
            )),
            _ => Ok(()),
        }
    }

    fn source_label(&self, settings: &SourceSettings) -> String {
        match settings.file(FROM_FILE) {
            Some(dir) => format!("file:{}", dir.display()),
            None => endpoint_label("GET", settings.endpoint(API_URL), "")
                .trim_start_matches("GET ")
                .to_owned(),
        }
    }

    fn fetch<'a>(
        &'a self,
        fetcher: &'a Fetcher,
        settings: &'a SourceSettings,
    ) -> BoxFuture<'a, Result<Responses, VenueError>> {
        Box::pin(async move {
            fetch(fetcher, settings.endpoint(API_URL))
                .await
                .map(Responses::from)
        })
    }

    fn read_files(&self, settings: &SourceSettings) -> anyhow::Result<Responses> {
        let Some(dir) = settings.file(FROM_FILE) else {
            anyhow::bail!("no `--from-file` given");
        };
        read_dir(dir).map(Responses::from)
    }

    fn recorded(&self, _settings: &SourceSettings) -> Result<Responses, String> {
        Ok(recorded().into())
    }

    fn parse(
        &self,
        responses: &Responses,
        _settings: &SourceSettings,
        _origin: Origin,
        _observed_at: DateTime<Utc>,
    ) -> Result<Fetched, VenueError> {
        let get = |name: &str| {
            responses.get(name).cloned().ok_or_else(|| {
                VenueError::new(VENUE, name, Cause::Local(format!("no `{name}` response")))
            })
        };
        let typed = GmxResponses {
            markets_info: get(MARKETS_INFO_FILE)?,
            tokens: get(TOKENS_FILE)?,
            tickers: get(TICKERS_FILE)?,
        };
        Ok(Fetched {
            markets: parse(&typed)?,
            scope: None,
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn find<'a>(markets: &'a [Market], token: &str) -> &'a Market {
        markets
            .iter()
            .find(|m| m.token_symbol == token)
            .unwrap_or_else(|| panic!("{token} missing"))
    }

    fn with(info: &str, tokens: &str, tickers: &str) -> GmxResponses {
        GmxResponses {
            markets_info: Body::new("markets/info", info.as_bytes().to_vec()),
            tokens: Body::new("tokens", tokens.as_bytes().to_vec()),
            tickers: Body::new("prices/tickers", tickers.as_bytes().to_vec()),
        }
    }

    fn rejected(info: &str, tokens: &str, tickers: &str) -> String {
        match parse(&with(info, tokens, tickers)) {
            Ok(m) => panic!("accepted {} markets", m.len()),
            Err(e) => e.to_string(),
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn recorded_markets_map_with_30_decimal_units() {
        let markets = parse(&recorded()).expect("valid");
        // 9 markets in the reply, the swap-only pool skipped.
        assert_eq!(markets.len(), 8);
        assert!(
            markets
                .iter()
                .all(|m| !m.market_name.starts_with("SWAP-ONLY"))
        );

        let btc = find(&markets, "BTC/USD[WBTC.b-USDC]");
        assert_eq!(btc.market_name, "BTC/USD [WBTC.b-USDC]");
        assert_eq!(btc.base_symbol, "BTC");
        assert_eq!(btc.quote_symbol, "USD");
        assert!(btc.listed);
        // The real capture's openInterestLong: 9125584728950487099055356400000000000 ÷ 10^30.
        assert!(close(
            btc.long_open_interest_usd.expect("oi"),
            9_125_584.728_950_487
        ));
        assert!(close(btc.short_open_interest_usd.expect("oi"), 8_640_210.5));
        // Liquidity: the smaller side's availableLiquidity (31 874 415.27 long, 32 359 789.5 short).
        assert!(close(btc.liquidity_usd.expect("liq"), 31_874_415.27));
        // Tighter cap: long 9 125 584.73 + 31 874 415.27 = 41 000 000.0; short 41 000 000.0.
        assert!(close(btc.max_open_interest_usd.expect("cap"), 41_000_000.0));
        // BTC index: 8 decimals, price ÷ 10^22; min 95 698.28, max 95 705.94.
        let price = btc.current_price.expect("price");
        assert!(close(price, 95_702.11), "{price}");
        assert!((btc.spread_bps.expect("spread") - 0.8).abs() < 1e-6);
        assert_eq!(btc.metadata["synthetic"], true);
        assert_eq!(btc.group.as_deref(), Some("synthetic"));
        // fundingRateLong 0.0421 a year (longs receive) → hourly, longs pay: negative.
        assert!(close(btc.funding_rate.expect("funding"), -0.0421 / 8760.0));
        assert_eq!(btc.max_leverage, None);
        assert_eq!(btc.taker_fee_bps, None);
        // Capacity left per side (routing's ABOVE_CAPACITY / OPEN_INTEREST_CAP)
        // is availableLiquidityLong/Short; no cost figures (fees unknown).
        assert!(close(
            btc.cost.long_capacity_usd.expect("long"),
            31_874_415.27
        ));
        assert!(close(
            btc.cost.short_capacity_usd.expect("short"),
            32_359_789.5
        ));
        assert_eq!(btc.cost.close_fee_bps, None);

        // ETH (18 decimals): price ÷ 10^12.
        let eth = find(&markets, "ETH/USD[WETH-USDC]");
        assert!(close(eth.current_price.expect("price"), 3310.42));
        assert_eq!(eth.metadata["synthetic"], false);
        assert_eq!(eth.group.as_deref(), Some("crypto"));

        // Three ETH pools: ranked by capacity left, the deepest first.
        let ranks: Vec<(&str, Option<i32>)> = [
            "ETH/USD[WETH-USDC]",
            "ETH/USD[WETH-WETH]",
            "ETH/USD[wstETH-USDe]",
        ]
        .iter()
        .map(|t| (*t, find(&markets, t).market_index))
        .collect();
        assert_eq!(
            ranks,
            [
                ("ETH/USD[WETH-USDC]", Some(0)),
                ("ETH/USD[WETH-WETH]", Some(1)),
                ("ETH/USD[wstETH-USDe]", Some(2)),
            ]
        );

        // A synthetic index traded against a WETH-USDC pool.
        let doge = find(&markets, "DOGE/USD[WETH-USDC]");
        assert_eq!(doge.base_symbol, "DOGE");
        assert_eq!(doge.metadata["synthetic"], true);
        assert_eq!(doge.metadata["pool"], "WETH-USDC");
        assert!(close(doge.current_price.expect("price"), 0.13822));
        assert_eq!(doge.market_index, Some(0));

        // Delisted and disabled: stored inactive, no liquidity.
        let ltc = find(&markets, "LTC/USD[WETH-USDC]");
        assert!(!ltc.listed);
        assert_eq!(ltc.liquidity_usd, Some(0.0));
        assert_eq!(ltc.metadata["is_disabled"], true);
        assert_eq!(ltc.metadata["no_price"], true);
        assert_eq!(markets.iter().filter(|m| m.listed).count(), 7);

        // Signals meet the markets on the same key.
        for (signal, token) in [
            ("ETH", "ETH/USD[WETH-USDC]"),
            ("doge", "DOGE/USD[WETH-USDC]"),
            ("CRO-PERP", "CRO/USD[WETH-USDC]"),
        ] {
            assert_eq!(
                symbols::canonical_symbol(signal).expect("valid"),
                find(&markets, token).base_symbol
            );
        }
        assert_eq!(
            SOURCE.canonical_of_stored("ETH/USD[wstETH-USDe]", "ETH/USD [wstETH-USDe]"),
            "ETH"
        );
        assert_eq!(SOURCE.canonical_of_stored("ETH/USD[WETH-USDC]", ""), "ETH");
    }

    fn market(name: &str, token: &str, index: &str) -> serde_json::Value {
        json!({"name": name, "marketToken": token, "indexToken": index,
            "longToken": "0x82aF49447D8a07e3bd95BD0d56f35241523fBab1",
            "shortToken": "0xaf88d065e77c8cC2239327C5EDb3A432268e5831", "isListed": true,
            "openInterestLong": "1000000000000000000000000000000000",
            "openInterestShort": "0", "availableLiquidityLong": "5000000000000000000000000000000000",
            "availableLiquidityShort": "7000000000000000000000000000000000",
            "fundingRateLong": "-50000000000000000000000000000", "fundingRateShort": "0"})
    }

    const A: &str = "0x1111111111111111111111111111111111111111";
    const B: &str = "0x2222222222222222222222222222222222222222";

    fn tokens() -> String {
        json!({"tokens": [{"symbol": "AAA", "address": A, "decimals": 18},
            {"symbol": "BBB", "address": B, "decimals": 6}]})
        .to_string()
    }

    fn tickers() -> String {
        json!([{"tokenAddress": A, "tokenSymbol": "AAA", "minPrice": "2000000000000000", "maxPrice": "2000000000000000"},
            {"tokenAddress": B, "tokenSymbol": "BBB", "minPrice": "3000000000000000000000000", "maxPrice": "3000000000000000000000000"}])
        .to_string()
    }

    fn info(markets: &[serde_json::Value]) -> String {
        json!({"markets": markets}).to_string()
    }

    /// Issue 21, finding 7: `funding_rate` holds what longs pay per hour;
    /// GMX reports what a side receives, so its sign flips. The fixture's net
    /// rates are funding − borrowing.
    #[test]
    fn funding_is_stored_as_what_longs_pay() {
        let markets = parse(&recorded()).expect("valid");
        let eth = find(&markets, "ETH/USD[WETH-USDC]");
        // fundingRateLong +9.24 %/year: longs receive, so longs pay −9.24 %/8760 an hour.
        assert!(close(eth.funding_rate.expect("funding"), -0.0924 / 8760.0));
        for m in &markets {
            let f = m.metadata["funding_rate_long_annual"]
                .as_f64()
                .expect("funding");
            let b = m.metadata["borrowing_rate_long_annual"]
                .as_f64()
                .expect("borrowing");
            let n = m.metadata["net_rate_long_annual"].as_f64().expect("net");
            assert!(
                (n - (f - b)).abs() < 1e-12,
                "{}: {n} ≠ {f} − {b}",
                m.token_symbol
            );
            let f = m.metadata["funding_rate_short_annual"]
                .as_f64()
                .expect("funding");
            let b = m.metadata["borrowing_rate_short_annual"]
                .as_f64()
                .expect("borrowing");
            let n = m.metadata["net_rate_short_annual"].as_f64().expect("net");
            assert!(
                (n - (f - b)).abs() < 1e-12,
                "{}: {n} ≠ {f} − {b}",
                m.token_symbol
            );
        }
    }

    /// Issue 21, finding 8: one bad item does not reject the reply. A hair
    /// below zero of `availableLiquidity*` is 0; a ticker priced 0 leaves its
    /// markets unpriced and inactive while the others sync; absurd values are
    /// still rejected.
    #[test]
    fn one_bad_item_does_not_reject_the_reply() {
        let mut rounding = market("AAA/USD [AAA-USDC]", A, A);
        rounding["availableLiquidityShort"] = json!("-400000000000000000000000000000");
        let markets = parse(&with(&info(&[rounding]), &tokens(), &tickers())).expect("valid");
        assert_eq!(markets[0].cost.short_capacity_usd, Some(0.0));
        assert_eq!(markets[0].liquidity_usd, Some(0.0));
        let mut absurd = market("AAA/USD [AAA-USDC]", A, A);
        absurd["availableLiquidityShort"] = json!("-5000000000000000000000000000000000");
        let e = rejected(&info(&[absurd]), &tokens(), &tickers());
        assert!(e.contains("more than rounding"), "{e}");

        let two = info(&[
            market("AAA/USD [AAA-USDC]", A, A),
            market("BBB/USD [AAA-USDC]", B, B),
        ]);
        let zero = json!([{"tokenAddress": A, "tokenSymbol": "AAA", "minPrice": "0", "maxPrice": "0"},
            {"tokenAddress": B, "tokenSymbol": "BBB", "minPrice": "3000000000000000000000000", "maxPrice": "3000000000000000000000000"}])
        .to_string();
        let markets = parse(&with(&two, &tokens(), &zero)).expect("valid");
        let aaa = find(&markets, "AAA/USD[AAA-USDC]");
        assert!(!aaa.listed);
        assert_eq!(aaa.current_price, None);
        assert_eq!(aaa.metadata["no_price"], true);
        let bbb = find(&markets, "BBB/USD[AAA-USDC]");
        assert!(bbb.listed);
        assert_eq!(bbb.current_price, Some(3.0));
    }

    #[test]
    fn a_minimal_market_maps() {
        let m = info(&[market("AAA/USD [AAA-USDC]", A, A)]);
        let markets = parse(&with(&m, &tokens(), &tickers())).expect("valid");
        let a = &markets[0];
        assert_eq!(a.current_price, Some(2000.0));
        assert_eq!(a.long_open_interest_usd, Some(1000.0));
        assert_eq!(a.max_open_interest_usd, Some(6000.0));
        assert_eq!(a.liquidity_usd, Some(5000.0));
        // fundingRateLong −5 % a year: longs pay 5 %, stored positive.
        assert!(close(a.funding_rate.expect("funding"), 0.05 / 8760.0));
        // A market whose index has no price is kept, inactive.
        let m = info(&[market(
            "CCC/USD [AAA-USDC]",
            A,
            "0x3333333333333333333333333333333333333333",
        )]);
        let markets = parse(&with(&m, &tokens(), &tickers())).expect("valid");
        assert!(!markets[0].listed);
        assert_eq!(markets[0].metadata["no_price"], true);
    }

    #[test]
    fn malformed_absurd_and_duplicate_responses_are_rejected() {
        let (t, p) = (tokens(), tickers());
        let edit = |field: &str, value: serde_json::Value| {
            let mut m = market("AAA/USD [AAA-USDC]", A, A);
            m[field] = value;
            info(&[m])
        };
        let cases = [
            (
                edit("openInterestLong", json!("-1")),
                "not a non-negative integer",
            ),
            (
                edit("openInterestLong", json!("1e40")),
                "not a non-negative integer",
            ),
            (
                edit("openInterestLong", json!("NaN")),
                "not a non-negative integer",
            ),
            (
                edit("openInterestLong", json!("1".repeat(60))),
                "absurdly large",
            ),
            (edit("openInterestLong", json!(5)), "invalid response"),
            (
                edit("fundingRateLong", json!(format!("-{}", "9".repeat(40)))),
                "a year",
            ),
            (edit("marketToken", json!("0x12")), "not an address"),
            (
                edit("name", json!("AAA-USD")),
                "not `INDEX/USD [LONG-SHORT]`",
            ),
            (edit("name", json!("")), "empty market name"),
            (info(&[]), "the market list is empty"),
            ("{\"markets\":".to_owned(), "invalid response"),
            ("<html>".to_owned(), "invalid response"),
        ];
        for (i, want) in cases {
            let e = rejected(&i, &t, &p);
            assert!(e.contains(want), "want {want:?} in {e}");
            assert!(e.starts_with("GMX "), "{e}");
        }
        let dup = info(&[
            market("AAA/USD [AAA-USDC]", A, A),
            market("AAA/USD [AAA-BBB]", A, A),
        ]);
        assert!(rejected(&dup, &t, &p).contains("duplicate marketToken"));
        let dup = info(&[
            market("AAA/USD [AAA-USDC]", A, A),
            market("AAA/USD [AAA-USDC]", B, A),
        ]);
        assert!(rejected(&dup, &t, &p).contains("duplicate market `AAA/USD [AAA-USDC]`"));
        let one = info(&[market("AAA/USD [AAA-USDC]", A, A)]);
        let bad_decimals =
            json!({"tokens": [{"symbol": "AAA", "address": A, "decimals": 99}]}).to_string();
        assert!(rejected(&one, &bad_decimals, &p).contains("not in 0..=30"));
        let dup_token = json!({"tokens": [{"symbol": "AAA", "address": A, "decimals": 18},
            {"symbol": "AAB", "address": A.to_ascii_uppercase().replace("0X", "0x"), "decimals": 18}]})
        .to_string();
        assert!(rejected(&one, &dup_token, &p).contains("duplicate token address"));
        assert!(rejected(&one, "{\"tokens\":[]}", &p).contains("token list is empty"));
        let crossed = json!([{"tokenAddress": A, "minPrice": "3000000000000000", "maxPrice": "2000000000000000"}]).to_string();
        assert!(rejected(&one, &t, &crossed).contains("crossed"));
        let negative = json!([{"tokenAddress": A, "minPrice": "-1", "maxPrice": "1"}]).to_string();
        assert!(rejected(&one, &t, &negative).contains("not a non-negative integer"));
        let dup_ticker = json!([{"tokenAddress": A, "minPrice": "1", "maxPrice": "1"},
            {"tokenAddress": A, "minPrice": "1", "maxPrice": "1"}])
        .to_string();
        assert!(rejected(&one, &t, &dup_ticker).contains("duplicate ticker"));
        assert!(rejected(&one, &t, "{}").contains("invalid response"));
    }

    #[test]
    fn a_hundred_thousand_markets_are_rejected() {
        let many: Vec<serde_json::Value> = (0..100_000)
            .map(|i| market(&format!("A{i}/USD [A-B]"), &format!("0x{i:040x}"), A))
            .collect();
        let e = rejected(&info(&many), &tokens(), &tickers());
        assert!(e.contains("100000 markets"), "{e}");
    }
}
