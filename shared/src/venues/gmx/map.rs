//! GMX's replies checked and mapped to [`Market`] rows: 30-decimal
//! fixed-point amounts, tokens, tickers, one market per perpetual pool, and
//! the pools of an index ranked.

use std::collections::{HashMap, HashSet};

use serde_json::json;

use super::wire::{MarketInfo, MarketsInfo, Ticker, Token, TokenList};
use super::{GmxResponses, HOURS_PER_YEAR, MAX_ANNUAL_RATE, MAX_USD, USD_DECIMALS, VENUE};
use crate::domain::cost::MarketCost;
use crate::domain::{Market, MarketFigures};
use crate::symbols::{self, CRYPTO_ONLY_COLLISIONS};
use crate::venues::check::{MAX_MARKETS, check_label, check_markets, check_name, list_len};
use crate::venues::http::{Body, VenueError, one_line};

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

/// Validates the three responses and maps them to markets, all or nothing.
pub fn parse(responses: &GmxResponses) -> Result<Vec<Market>, VenueError> {
    let info_body = &responses.markets_info;
    let reject_info = |m: String| VenueError::rejected(VENUE, info_body, m);
    let info: MarketsInfo = serde_json::from_slice(&info_body.bytes)
        .map_err(|e| VenueError::json(VENUE, info_body, &e))?;
    if info.markets.is_empty() {
        return Err(reject_info("the market list is empty".to_owned()));
    }
    list_len("markets", info.markets.len(), MAX_MARKETS).map_err(&reject_info)?;

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
    list_len("tokens", list.len(), MAX_MARKETS).map_err(&reject)?;
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
    list_len("tickers", list.len(), MAX_MARKETS).map_err(&reject)?;
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
    let mid = price.map(|p| f64::midpoint(p.min, p.max));
    let spread_bps = price.map(|p| (p.max - p.min) / f64::midpoint(p.min, p.max) * 1e4);
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
        figures: MarketFigures {
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
        },
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
                let la = ma.figures.liquidity_usd.unwrap_or(0.0);
                let lb = mb.figures.liquidity_usd.unwrap_or(0.0);
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
