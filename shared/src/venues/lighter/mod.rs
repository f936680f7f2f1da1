//! Lighter perpetuals: one public call, `GET /api/v1/orderBookDetails`, the
//! order books with fees, size decimals, margin fractions, market
//! configuration and, on a live reply, prices, 24 h volume and open interest
//! (`GET /api/v1/orderBooks` lists the same books without the market
//! statistics, so it is not needed). The asset class of each book (crypto or
//! a real-world asset, and its category: stock, ETF, FX, commodity, bond,
//! won-priced) comes from Lighter's token table, built in
//! (`shared/fixtures/lighter/tokens.json`). `shared/fixtures/README.md` says
//! which values are real.
//!
//! Sources, per field read (repository, path):
//! - the book: `elliottech/lighter-python` `lighter/models/perps_order_book_detail.py`
//!   (`PerpsOrderBookDetail`, generated from Lighter's OpenAPI document):
//!   `symbol`, `market_id`, `market_type` (`perp`/`spot`), `status`
//!   (`active`/`inactive`), `taker_fee`, `maker_fee`, `min_base_amount`,
//!   `min_quote_amount`, `supported_size_decimals`,
//!   `supported_price_decimals`, `order_quote_limit` (string),
//!   `quote_multiplier`, `default_/min_initial_margin_fraction`,
//!   `maintenance_margin_fraction`, `last_trade_price`,
//!   `daily_base_token_volume`, `daily_quote_token_volume`, `open_interest`
//!   (numbers), `mark_price`, `index_price`, `multiplier` (strings),
//!   `market_config`;
//! - `market_config.force_reduce_only`, `market_config.hidden` (booleans):
//!   `elliottech/lighter-python` `lighter/models/market_config.py`
//!   (`MarketConfig`);
//! - `order_quote_limit` is the largest quote amount of one order:
//!   `elliottech/lighter-ts` `src/store/selectors/validation.ts`
//!   (`validateQuoteAmountExceedsMax`: `quoteAmount > order_quote_limit`);
//!   `multiplier` scales only what the interface displays
//!   (`src/utils/multiplier.ts`), so prices and amounts here are real ones;
//! - the token table: `elliottech/lighter-ts` `src/fallbacks/tokens.json`
//!   (types `src/types/tokenlist.ts`: `market` PERPS/SPOT, `asset_type`
//!   CRYPTO/RWA, `categories` among STOCK, ETF, FX, COMMODITIES, KRW,
//!   PRE_IPO, COMPUTE, …; optional `backend_symbol`, the book's symbol when
//!   it differs: `kPEPE` → `1000PEPE`);
//! - fees: Lighter's docs (zero fees for standard accounts).
//!
//! Unverified: how Lighter turns a won-priced book's quote amount into USDC
//! margin (no SDK model or formula says), so those books are stored with
//! their USD figures unknown and refused for openings; that the `…USD` twin
//! of a won-priced book (`SAMSUNGUSD`) is priced in USD is read from its
//! symbol, not from a field; a book missing from the built-in token table
//! (listed after that snapshot) is classed unknown and named by the crypto
//! ticker rules.
//!
//! Units: prices, volumes and amounts are plain decimals, as JSON strings or
//! numbers (both are accepted); `open_interest` and `daily_base_token_volume`
//! are in base-token units, `daily_quote_token_volume` and
//! `order_quote_limit` in the quote (USDC); `taker_fee`/`maker_fee` are
//! percent of notional (`"0.0200"` = 0.02 % = 2 bps; standard accounts pay
//! `"0.0000"`); margin fractions are in basis points of notional
//! (`min_initial_margin_fraction` 200 = 2 % → 50×).
//!
//! Mapping (one [`Market`] per `perp` order book; spot books are skipped):
//! - `token_symbol` = `symbol` (`ETH`, `1000PEPE`, `US500`); `market_name` =
//!   `SYMBOL/QUOTE`; `market_index` = `market_id`;
//! - `group` from the token table: `crypto`; for a real-world asset its
//!   category (`forex`, `commodities`, `bonds`, `etfs`, `stocks`, `compute`,
//!   else `rwa`); a glued pair of two fiat currencies is `forex` whatever
//!   the table says (it classes `USDHKD` as crypto); unknown (`None`) for a
//!   book the table does not list;
//! - `base_symbol`: crypto books by [`symbols::ticker_market`] (`1000PEPE`
//!   → PEPE ×1000, `SPX` → SPX6900, the memecoin); real-world assets by
//!   [`symbols::rwa_ticker_market`] (`US500` → SPX, `WTI` → CL, `XCU` → HG,
//!   `EURUSD` → EUR, `USDJPY` → USDJPY quoted in JPY, `SAMSUNGUSD` →
//!   SAMSUNG);
//! - `quote_symbol` `KRW` for a won-priced book (category `KRW`, symbol not
//!   ending in `USD`: `SAMSUNG`, `USDKRW`): its price is stored as the venue
//!   gives it, in won, and its USD figures (open interest, volume,
//!   liquidity, per-order cap) are unknown: nothing in the reply converts
//!   them (the `USDKRW` book is a perpetual, not an FX rate, and its mark is
//!   absent from the snapshot);
//! - `listed` = `status == "active"`;
//! - opening refused ([`OpeningRefusal`], stored in `opening_refusal`):
//!   `market_config.force_reduce_only` → `REDUCE_ONLY`,
//!   `market_config.hidden` → `HIDDEN`, a won-priced book → `QUOTE_NOT_USD`
//!   (both flags are books Lighter winds down: `status` stays `active`);
//! - `max_order_usd` = `order_quote_limit` (USDHKD: 25): a larger order is
//!   `ABOVE_CAPACITY`;
//! - `current_price` = `mark_price`, else `last_trade_price`, unknown when
//!   the reply carries neither (the SDK's own snapshot drops the statistics:
//!   such a book is stored, its figures unknown);
//! - `max_leverage` = ⌊10000 / `min_initial_margin_fraction`⌋;
//! - `min_position` = 10^−`supported_size_decimals`, the size step in coin
//!   units (as Hyperliquid's); the minimum order is in metadata;
//! - `open_interest_usd` = `open_interest` × price (Lighter counts an
//!   order's quote amount as size × price against USDC limits, FX books
//!   included); `day_volume_usd` = `daily_quote_token_volume`;
//!   `liquidity_usd` = min of the two for active markets (an order book, as
//!   Hyperliquid's), 0 for inactive ones;
//! - fees in bps = percent × 100; funding is not in this reply (`None`).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::json;

use crate::domain::Venue;
use crate::domain::cost::{MAX_ORDER_USD_KEY, MarketCost, OPENING_REFUSAL_KEY, OpeningRefusal};
use crate::domain::{Market, MarketFigures, Usd};
use crate::symbols::{self, CRYPTO_ONLY_COLLISIONS, MarketSymbol};
use crate::venues::check::{
    Decimal, MAX_MARKETS, check_markets, check_name, decimal, list_len, non_negative, round9,
};
use crate::venues::http::{Body, VenueError, one_line};
use crate::venues::one_reply::{API_URL, FROM_FILE, OneReply};
use crate::venues::source::{Endpoint, FileFlag, LiquidityModel, MarketSymbolColumn, VenueInfo};

const VENUE: Venue = Venue::Lighter;

/// Mainnet API base URL.
pub const MAINNET_API_URL: &str = "https://mainnet.zklighter.elliot.ai";
/// Testnet API base URL.
pub const TESTNET_API_URL: &str = "https://testnet.zklighter.elliot.ai";

/// The path of the order book list.
pub const DETAILS_PATH: &str = "/api/v1/orderBookDetails";

// ---- wire types (private) -------------------------------------------------

#[derive(Debug, Deserialize)]
struct Reply {
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    order_book_details: Option<Vec<Detail>>,
}

/// `MarketConfig` (`lighter/models/market_config.py`): only the flags that
/// decide whether a book takes opening orders are read.
#[derive(Debug, Default, Deserialize)]
struct MarketConfig {
    #[serde(default)]
    force_reduce_only: Option<bool>,
    #[serde(default)]
    hidden: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct Detail {
    symbol: String,
    market_id: i64,
    #[serde(default)]
    market_type: Option<String>,
    status: String,
    taker_fee: String,
    maker_fee: String,
    min_base_amount: String,
    #[serde(default)]
    min_quote_amount: Option<String>,
    #[serde(default)]
    order_quote_limit: Option<String>,
    supported_size_decimals: i64,
    supported_price_decimals: i64,
    #[serde(default)]
    quote_multiplier: Option<i64>,
    #[serde(default)]
    default_initial_margin_fraction: Option<i64>,
    min_initial_margin_fraction: i64,
    #[serde(default)]
    maintenance_margin_fraction: Option<i64>,
    #[serde(default)]
    market_config: Option<MarketConfig>,
    #[serde(default)]
    multiplier: Option<String>,
    // The market statistics: absent from Lighter's own metadata snapshot.
    #[serde(default)]
    last_trade_price: Option<Decimal>,
    #[serde(default)]
    mark_price: Option<Decimal>,
    #[serde(default)]
    index_price: Option<Decimal>,
    #[serde(default)]
    daily_quote_token_volume: Option<Decimal>,
    #[serde(default)]
    daily_base_token_volume: Option<Decimal>,
    #[serde(default)]
    open_interest: Option<Decimal>,
}

// ---- the asset classes (Lighter's token table) ----------------------------

/// `src/fallbacks/tokens.json` of `elliottech/lighter-ts` at commit
/// 9367baa8141f10a9535735fef10a66124bd62f35, copied byte for byte: per
/// symbol its market (PERPS/SPOT), asset type (CRYPTO/RWA) and categories.
pub const RECORDED_TOKENS: &str = include_str!("../../../fixtures/lighter/tokens.json");

#[derive(Debug, Deserialize)]
struct TokenList {
    tokens: Vec<TokenEntry>,
}

#[derive(Debug, Deserialize)]
struct TokenEntry {
    symbol: String,
    market: String,
    asset_type: String,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    backend_symbol: Option<String>,
}

/// A book's asset class, from the token table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetClass {
    /// `asset_type == "RWA"`: a stock, ETF, index, commodity, FX pair or bond.
    pub real_world: bool,
    /// The token's categories (`STOCK`, `FX`, `KRW`, …).
    pub categories: Vec<String>,
}

impl AssetClass {
    fn has(&self, category: &str) -> bool {
        self.categories.iter().any(|c| c == category)
    }

    /// The stored group: `crypto`, or the real-world asset's category.
    #[must_use]
    pub fn group(&self) -> &'static str {
        if !self.real_world {
            return "crypto";
        }
        for (category, group) in [
            ("FX", "forex"),
            ("COMMODITIES", "commodities"),
            ("BONDS", "bonds"),
            ("ETF", "etfs"),
            ("STOCK", "stocks"),
            ("PRE_IPO", "stocks"),
            ("COMPUTE", "compute"),
        ] {
            if self.has(category) {
                return group;
            }
        }
        "rwa"
    }
}

/// The asset class of every perpetual book the built-in token table lists,
/// by book symbol (`backend_symbol` when given: `1000PEPE`, else `symbol`).
fn asset_classes() -> &'static HashMap<String, AssetClass> {
    static CLASSES: OnceLock<HashMap<String, AssetClass>> = OnceLock::new();
    CLASSES.get_or_init(|| {
        // Built in and checked by a test: an unreadable table would be a
        // build defect, and then every book is simply of unknown class.
        let list: TokenList =
            serde_json::from_str(RECORDED_TOKENS).unwrap_or(TokenList { tokens: Vec::new() });
        list.tokens
            .into_iter()
            .filter(|t| t.market == "PERPS")
            .map(|t| {
                let book = t.backend_symbol.clone().unwrap_or(t.symbol);
                let class = AssetClass {
                    real_world: t.asset_type == "RWA",
                    categories: t.categories,
                };
                (book, class)
            })
            .collect()
    })
}

/// The asset class of the book named `symbol`, if the token table lists it.
/// A glued pair of two fiat currencies is forex whatever the table says
/// (Lighter's table classes `USDHKD` as `CRYPTO`, category `NEW`).
#[must_use]
pub fn asset_class(symbol: &str) -> Option<AssetClass> {
    let listed = asset_classes().get(symbol);
    if symbols::is_fiat_pair(symbol) {
        let mut categories = listed.map(|c| c.categories.clone()).unwrap_or_default();
        if !categories.iter().any(|c| c == "FX") {
            categories.insert(0, "FX".to_owned());
        }
        return Some(AssetClass {
            real_world: true,
            categories,
        });
    }
    listed.cloned()
}

/// A book's identity: canonical symbol by its asset class, and whether its
/// price is in won.
fn book_symbol(name: &str, class: Option<&AssetClass>) -> (MarketSymbol, bool) {
    match class {
        Some(c) if c.real_world => {
            let mut symbol = symbols::rwa_ticker_market(name);
            let won = c.has("KRW") && !name.to_ascii_uppercase().ends_with("USD");
            if won {
                "KRW".clone_into(&mut symbol.quote_symbol);
            }
            (symbol, won)
        }
        _ => (symbols::ticker_market(name, &CRYPTO_ONLY_COLLISIONS), false),
    }
}

/// Validates the reply and maps it to markets, all or nothing.
pub fn parse(body: &Body) -> Result<Vec<Market>, VenueError> {
    let reply: Reply =
        serde_json::from_slice(&body.bytes).map_err(|e| VenueError::json(VENUE, body, &e))?;
    let reject = |m: String| VenueError::rejected(VENUE, body, m);
    if let Some(code) = reply.code
        && code != 200
    {
        return Err(reject(format!(
            "code {code}{}",
            reply
                .message
                .as_deref()
                .map(|m| format!(": {}", one_line(m, 200)))
                .unwrap_or_default()
        )));
    }
    let Some(details) = reply.order_book_details else {
        return Err(reject("no `order_book_details` in the reply".to_owned()));
    };
    list_len("order books", details.len(), MAX_MARKETS).map_err(&reject)?;
    let mut ids = HashSet::with_capacity(details.len());
    let mut markets = Vec::with_capacity(details.len());
    for d in &details {
        if d.market_type.as_deref().is_some_and(|t| t != "perp") {
            continue;
        }
        if !ids.insert(d.market_id) {
            return Err(reject(format!("duplicate market_id {}", d.market_id)));
        }
        markets.push(map_detail(d).map_err(&reject)?);
    }
    if markets.is_empty() {
        return Err(reject("the order book list is empty".to_owned()));
    }
    check_markets(VENUE, &markets).map_err(reject)?;
    Ok(markets)
}

/// An optional statistic, checked when present.
fn stat(value: Option<&Decimal>, field: &str, name: &str) -> Result<Option<f64>, String> {
    value.map(|v| v.non_negative(field, name)).transpose()
}

#[allow(clippy::too_many_lines)]
fn map_detail(d: &Detail) -> Result<Market, String> {
    let name = d.symbol.as_str();
    if name.contains(':') {
        return Err(format!(
            "market symbol `{}` carries a dex prefix",
            one_line(name, 40)
        ));
    }
    check_name("market symbol", name)?;
    let id = i32::try_from(d.market_id)
        .ok()
        .filter(|id| *id >= 0)
        .ok_or_else(|| format!("market_id {} of `{name}` is not an id", d.market_id))?;
    for (field, v) in [
        ("supported_size_decimals", d.supported_size_decimals),
        ("supported_price_decimals", d.supported_price_decimals),
    ] {
        if !(0..=18).contains(&v) {
            return Err(format!("`{field}` of `{name}` is {v}, not in 0..=18"));
        }
    }
    let is_active = d.status == "active";
    let imf = d.min_initial_margin_fraction;
    let max_leverage = if imf == 0 && !is_active {
        None
    } else if (10..=10_000).contains(&imf) {
        i32::try_from(10_000 / imf).ok()
    } else {
        return Err(format!(
            "`min_initial_margin_fraction` of `{name}` is {imf}, not in 10..=10000 (1000× to 1×)"
        ));
    };
    let taker_pct = non_negative("taker_fee", name, &d.taker_fee)?;
    let maker_pct = non_negative("maker_fee", name, &d.maker_fee)?;
    let (taker, maker) = (round9(taker_pct * 100.0), round9(maker_pct * 100.0));
    for (field, bps) in [("taker_fee", taker), ("maker_fee", maker)] {
        if bps > 1000.0 {
            return Err(format!(
                "`{field}` of `{name}` is {bps} bps, more than 10 %"
            ));
        }
    }
    let min_base = non_negative("min_base_amount", name, &d.min_base_amount)?;
    let min_quote = d
        .min_quote_amount
        .as_deref()
        .map(|s| non_negative("min_quote_amount", name, s))
        .transpose()?;
    let quote_limit = d
        .order_quote_limit
        .as_deref()
        .map(|s| non_negative("order_quote_limit", name, s))
        .transpose()?;
    if let Some(limit) = quote_limit
        && limit >= Usd::MAX
    {
        return Err(format!(
            "`order_quote_limit` of `{name}` is absurdly large: {limit}"
        ));
    }
    let multiplier = d
        .multiplier
        .as_deref()
        .map(|s| decimal("multiplier", name, s))
        .transpose()?;
    let last = stat(d.last_trade_price.as_ref(), "last_trade_price", name)?;
    let mark = stat(d.mark_price.as_ref(), "mark_price", name)?;
    let index = stat(d.index_price.as_ref(), "index_price", name)?;
    let price = mark.filter(|p| *p > 0.0).or(last);
    if is_active && price.is_some_and(|p| p <= 0.0) {
        return Err(format!("active market `{name}` has no price"));
    }
    let day_quote = stat(
        d.daily_quote_token_volume.as_ref(),
        "daily_quote_token_volume",
        name,
    )?;
    let day_base = stat(
        d.daily_base_token_volume.as_ref(),
        "daily_base_token_volume",
        name,
    )?;
    let oi_coins = stat(d.open_interest.as_ref(), "open_interest", name)?;

    let class = asset_class(name);
    let class = class.as_ref();
    let (symbol, won) = book_symbol(name, class);
    let config = d.market_config.as_ref();
    let refusal = if config.and_then(|c| c.force_reduce_only) == Some(true) {
        Some(OpeningRefusal::ReduceOnly)
    } else if config.and_then(|c| c.hidden) == Some(true) {
        Some(OpeningRefusal::Hidden)
    } else if won {
        Some(OpeningRefusal::QuoteNotUsd)
    } else {
        None
    };
    // Figures in the quote are USD only when the quote is; a won-priced
    // book's are unknown (see the module doc).
    let in_usd = |v: Option<f64>| v.filter(|_| !won);
    let oi_usd = in_usd(oi_coins.zip(price).map(|(c, p)| c * p));
    let day_volume = in_usd(day_quote);
    let max_order_usd = in_usd(quote_limit);
    let liquidity = if is_active {
        oi_usd.zip(day_volume).map(|(oi, vol)| oi.min(vol))
    } else {
        Some(0.0)
    };
    let sz = i32::try_from(d.supported_size_decimals).unwrap_or(0);
    let mut metadata = json!({
        "market_id": d.market_id,
        "status": d.status,
        "taker_fee_pct": taker_pct,
        "maker_fee_pct": maker_pct,
        "min_base_amount": min_base,
        "min_quote_amount": min_quote,
        "order_quote_limit": quote_limit,
        "supported_size_decimals": d.supported_size_decimals,
        "supported_price_decimals": d.supported_price_decimals,
        "quote_multiplier": d.quote_multiplier,
        "multiplier": multiplier,
        "default_initial_margin_fraction": d.default_initial_margin_fraction,
        "min_initial_margin_fraction": imf,
        "maintenance_margin_fraction": d.maintenance_margin_fraction,
        "force_reduce_only": config.and_then(|c| c.force_reduce_only),
        "hidden": config.and_then(|c| c.hidden),
        "asset_type": class.map(|c| if c.real_world { "RWA" } else { "CRYPTO" }),
        "categories": class.map(|c| c.categories.clone()),
        "price_currency": symbol.quote_symbol,
        "last_trade_price": last,
        "mark_price": mark,
        "index_price": index,
        "open_interest_coins": oi_coins,
        "day_base_volume": day_base,
        "min_position_unit": "coin",
    });
    if let Some(r) = refusal {
        metadata[OPENING_REFUSAL_KEY] = json!(r.code());
    }
    if let Some(max) = max_order_usd {
        metadata[MAX_ORDER_USD_KEY] = json!(max);
    }
    Ok(Market {
        venue: VENUE,
        token_symbol: name.to_owned(),
        market_name: format!("{name}/{}", symbol.quote_symbol),
        market_index: Some(id),
        base_symbol: symbol.base_symbol,
        quote_symbol: symbol.quote_symbol,
        price_scale: symbol.price_scale,
        dex: None,
        listed: is_active,
        market_open: None,
        market_status_at: None,
        min_position: Some(10_f64.powi(-sz)),
        max_leverage,
        group: class.map(|c| c.group().to_owned()),
        current_price: price,
        figures: MarketFigures {
            liquidity_usd: liquidity,
            open_interest_usd: oi_usd,
            long_open_interest_usd: None,
            short_open_interest_usd: None,
            max_open_interest_usd: None,
            day_volume_usd: day_volume,
            spread_bps: None,
            taker_fee_bps: Some(taker),
        },
        maker_fee_bps: Some(maker),
        funding_rate: None,
        metadata,
        // A close is another taker order on the same book at the same
        // per-market `taker_fee`; no depth curve is fetched for Lighter, so
        // routing prices it at the top of book (docs/routing.md, "Cost model").
        cost: MarketCost {
            close_fee_bps: Some(taker),
            ..MarketCost::default()
        },
    })
}

// ---- the venue interface ---------------------------------------------------

/// `GET /api/v1/orderBookDetails`: Lighter's own snapshot of the reply,
/// 233 perpetual books (and 11 spot books, skipped) without the market
/// statistics: `src/fallbacks/orderBookMetas.json` of `elliottech/lighter-ts`
/// at commit 9367baa8141f10a9535735fef10a66124bd62f35, copied byte for byte
/// (see `shared/fixtures/README.md`).
pub const RECORDED_DETAILS: &str = include_str!("../../../fixtures/lighter/orderBookDetails.json");

/// File name `--save-response` writes.
pub const DETAILS_FILE: &str = "orderBookDetails.json";

/// The recorded response built into the binary: real books and
/// configuration, no prices, volumes or open interest.
#[must_use]
pub fn recorded() -> Body {
    SOURCE.recorded_body()
}

/// Lighter's facts.
pub static INFO: VenueInfo = VenueInfo {
    venue: VENUE,
    key: "lighter",
    name: "Lighter",
    about: "Sync Lighter's perpetual order books into `venue_markets`: one row per market, with \
market id, asset class, max leverage, size step, fees, mark price, open interest and 24 h volume \
in USD and liquidity, the largest order a book takes, and whether it takes opening orders at all \
(reduce-only, hidden and won-priced books do not). The response is validated before anything is written, and applied in one transaction; \
markets missing from it are deactivated, never deleted.",
    details: "Examples:
  sync-lighter-markets
  sync-lighter-markets --testnet --dry-run
  sync-lighter-markets --from-file saved/orderBookDetails.json --format json

Stored per market: token_symbol = the Lighter symbol (ETH, 1000PEPE → base_symbol PEPE, \
price_scale 1000); market_index = market_id; max_leverage = 10000 ÷ min_initial_margin_fraction; \
min_position = size step in coin units (10^-supported_size_decimals); fees in bps = percent × 100 \
(standard accounts: 0); liquidity_usd = min(open interest × price, 24 h quote volume); group from \
Lighter's token table (crypto, stocks, etfs, forex, commodities, …), real-world tickers mapped to \
canonical symbols (US500 → SPX, WTI → CL, EURUSD → EUR); opening_refusal = REDUCE_ONLY \
(market_config.force_reduce_only), HIDDEN (market_config.hidden) or QUOTE_NOT_USD (a won-priced \
book, quote_symbol KRW); max_order_usd = order_quote_limit.",
    endpoints: &[Endpoint {
        flag: API_URL,
        env: "LIGHTER_API_URL",
        mainnet: MAINNET_API_URL,
        testnet: Some(TESTNET_API_URL),
        help: "Lighter API base URL (`/api/v1/orderBookDetails` is appended).",
    }],
    options: &[],
    switches: &[],
    files: &[FileFlag {
        flag: FROM_FILE,
        value_name: "FILE",
        help: "Read a saved `orderBookDetails` reply instead of calling the API.",
        requires: None,
    }],
    schedule: "hourly",
    market_symbol: MarketSymbolColumn::TokenSymbol,
    index_label: "market",
    builder_dexes: false,
    liquidity: LiquidityModel::OpenInterestAndVolume,
    default_taker_fee_bps: None,
    recorded_source: "Lighter's own metadata snapshot (its SDK's fallback, no market statistics), built in",
};

/// Lighter as a [`VenueSource`]: one `GET` reply.
pub static SOURCE: OneReply = OneReply {
    info: &INFO,
    path: DETAILS_PATH,
    label: "orderBookDetails",
    file: DETAILS_FILE,
    recorded: RECORDED_DETAILS,
    parse,
    canonical_of_stored,
};

fn canonical_of_stored(token_symbol: &str, _market_name: &str) -> String {
    book_symbol(token_symbol, asset_class(token_symbol).as_ref())
        .0
        .base_symbol
}

#[cfg(test)]
mod tests;
