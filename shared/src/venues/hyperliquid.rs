//! Hyperliquid perpetuals: `POST /info {"type":"metaAndAssetCtxs"}` (market
//! list and live stats in one call), plus `{"type":"perpDexs"}` and one call per
//! HIP-3 builder dex when asked. VENUES.md §1 has every field and unit.
//!
//! Mapping (one [`Market`] per `universe[]` entry, delisted ones included):
//! - `token_symbol` = the venue name (`BTC`, `kPEPE`, `xyz:TSLA`), unique per
//!   venue because builder-dex names carry their `dex:` prefix;
//! - `market_index` = asset id: the universe index on the main dex,
//!   `100000 + perp_dex_index*10000 + index` on builder dexes;
//! - `listed` = not `isDelisted`; `current_price` = `markPx`;
//! - `min_position` = `10^-szDecimals`, the size step **in coin units** (not USD);
//! - `open_interest_usd` = `openInterest` (coins) × `markPx`;
//!   `day_volume_usd` = `dayNtlVlm`; `funding_rate` = `funding` as is: the
//!   hourly rate, positive when longs pay shorts (HL-docs `trading/funding.md`;
//!   the convention of the column for every venue,
//!   [`crate::domain::Market::funding_rate`]);
//! - `spread_bps` = (impact ask − impact bid) / mark × 10⁴ when `impactPxs` is present;
//! - `liquidity_usd` = min(open interest USD, 24 h notional volume) for active
//!   markets, 0 for delisted ones: what the market both holds and turns over,
//!   so a market with a large stale OI but no trading (or the reverse) does
//!   not look deep;
//! - fees: base tier taker 4.5 bps / maker 1.5 bps; HIP-3 markets scaled by
//!   the deployer fee scale `s` (`s + 1` if `s < 1`, else `2s`; per-asset
//!   `deployerFeeScale` first, then the dex's, else 1.0) and × 0.1 in growth mode;
//!   the same taker rate again to close (`close_fee_bps`), and the parts of the
//!   rate in `cost_model` (HL-docs `trading/fees.md`, "Fee formula for developers");
//! - HIP-4 outcome tokens (`#20`, `#21`: binary YES/NO contracts, not perpetuals)
//!   are skipped wherever a list carries them, never stored as markets;
//! - `--oi-caps`: `{"type":"perpsAtOpenInterestCap","dex":…}` per synced dex lists
//!   the coins at their open-interest cap; those get `at_open_interest_cap` and
//!   a capacity of 0 on both sides (an order that adds open interest is rejected
//!   whichever its side: `positionIncreaseAtOpenInterestCapRejected`, HL-docs
//!   `info-endpoint.md`); the others `at_open_interest_cap = false`, capacity unknown;
//! - `--books`: `{"type":"l2Book","coin":…}` (weight 2, at most 20 levels a
//!   side) for the markets that pending and recent signals name, within the
//!   1200-per-minute request weight budget, stored as a depth curve; a book
//!   answered with `null` (a coin without a book) is left out, that market
//!   keeps no curve.
//!
//! Still unverified here: the funding sign is from Hyperliquid's docs and
//! third-party readers, not from a field of the official Python SDK (which
//! passes `funding` through as a string); the `null` reply to `l2Book` was
//! seen in third-party clients' handling, not in a capture.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use serde::Deserialize;
use serde_json::json;

use super::check::{MAX_MARKETS, check_markets, check_name, decimal, non_negative, show};
use super::http::{Body, Fetcher, VenueError, endpoint_label, one_line, read_body};
use super::registry::Venue;
use super::source::{
    Endpoint, Fetched, FileFlag, LiquidityModel, MarketSymbolColumn, Origin, Responses,
    SourceOption, SourceSettings, VenueInfo, VenueSource,
};
use crate::cost::{
    CostModel, DepthCurve, FeeComponents, FeeRule, ImpactModel, MAX_DEPTH_LEVELS, MarketCost,
};
use crate::domain::Market;
use crate::symbols::{self, Collision};

const VENUE: Venue = Venue::Hyperliquid;

/// Mainnet API base URL.
pub const MAINNET_API_URL: &str = "https://api.hyperliquid.xyz";
/// Testnet API base URL.
pub const TESTNET_API_URL: &str = "https://api.hyperliquid-testnet.xyz";

/// Base-tier (tier 0) taker fee, bps.
pub const TAKER_FEE_BPS: f64 = 4.5;
/// Base-tier (tier 0) maker fee, bps.
pub const MAKER_FEE_BPS: f64 = 1.5;
/// Growth-mode fee multiplier of HIP-3 markets.
pub const GROWTH_MODE_FACTOR: f64 = 0.1;
/// Fee scale assumed for a builder dex that publishes none.
pub const DEFAULT_DEPLOYER_FEE_SCALE: f64 = 1.0;

/// REST request weight one IP may spend per minute (HL-docs
/// `rate-limits-and-user-limits.md`; VENUES.md §1.6).
pub const WEIGHT_BUDGET: usize = 1200;
/// Weight of `meta`, `metaAndAssetCtxs`, `perpDexs` and `perpsAtOpenInterestCap`.
pub const INFO_WEIGHT: usize = 20;
/// Weight of `l2Book`.
pub const L2_BOOK_WEIGHT: usize = 2;
/// Books `--books` fetches unless `--max-books` says otherwise.
pub const DEFAULT_MAX_BOOKS: usize = 50;
/// Most books one sync may fetch: what the budget leaves after the main dex.
pub const MAX_BOOKS: usize = (WEIGHT_BUDGET - INFO_WEIGHT) / L2_BOOK_WEIGHT;

/// Whether a coin is a HIP-4 outcome token (`#20`, `#21`; QuickNode and
/// Chainstack HIP-4 guides, 2026: "each side appears as a #N coin"): a
/// binary contract settling to 0 or 1, never a routable perpetual.
#[must_use]
pub fn is_outcome_coin(name: &str) -> bool {
    name.starts_with('#')
}

/// Books a sync may still fetch after `info_requests` weight-20 requests:
/// at most `max`, within [`WEIGHT_BUDGET`].
#[must_use]
pub fn book_budget(info_requests: usize, max: usize) -> usize {
    let left = WEIGHT_BUDGET.saturating_sub(info_requests * INFO_WEIGHT);
    max.min(left / L2_BOOK_WEIGHT)
}

/// Hyperliquid main-dex tickers that name a different asset than the same
/// canonical symbol elsewhere: `SPX` is the SPX6900 memecoin, while `SPX`
/// (and `US500`) mean the S&P 500 on Ostium. Such markets get their own
/// canonical symbol, so an S&P 500 signal never reaches the memecoin;
/// signals for the memecoin say `SPX6900`.
pub const COLLISIONS: [Collision; 1] = [("SPX", "SPX6900")];

/// Canonical identity of a Hyperliquid market from its `universe[].name`:
/// `BTC` → BTC; `kPEPE` → PEPE ×1000; `xyz:GOLD` → XAU on dex `xyz`;
/// `SPX` → SPX6900 (see [`COLLISIONS`]).
#[must_use]
pub fn market_symbol(name: &str) -> symbols::MarketSymbol {
    symbols::ticker_market(name, &COLLISIONS)
}

/// `{api-url}/info`.
#[must_use]
pub fn info_url(api_url: &str) -> String {
    let base = api_url.trim_end_matches('/');
    if base.ends_with("/info") {
        base.to_owned()
    } else {
        format!("{base}/info")
    }
}

/// Which HIP-3 builder dexes a sync covers besides the main dex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DexSelection {
    /// The main dex only (the default).
    MainOnly,
    /// The main dex and these builder dexes.
    Only(Vec<String>),
    /// The main dex and every dex `perpDexs` lists.
    All,
}

impl DexSelection {
    /// Parses `--dexes`: `all`, or a comma-separated list of dex names.
    pub fn parse(raw: &str) -> Result<DexSelection, String> {
        let raw = raw.trim();
        if raw.eq_ignore_ascii_case("all") {
            return Ok(DexSelection::All);
        }
        let mut names = Vec::new();
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            check_dex_name(part)?;
            if !names.iter().any(|n| n == part) {
                names.push(part.to_owned());
            }
        }
        if names.is_empty() {
            return Ok(DexSelection::MainOnly);
        }
        Ok(DexSelection::Only(names))
    }

    /// The dexes whose markets a sync may deactivate when missing from the
    /// response (`""` = the main dex; `None` = the whole venue). A main-dex
    /// sync says nothing about builder dexes, so it leaves their rows alone.
    #[must_use]
    pub fn scope(&self) -> Option<Vec<String>> {
        match self {
            DexSelection::MainOnly => Some(vec![String::new()]),
            DexSelection::Only(names) => Some(
                std::iter::once(String::new())
                    .chain(names.iter().cloned())
                    .collect(),
            ),
            DexSelection::All => None,
        }
    }
}

fn check_dex_name(name: &str) -> Result<(), String> {
    if name.is_empty()
        || name.len() > 32
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(format!(
            "invalid dex name {:?} (expected 1-32 letters, digits, `_` or `-`)",
            super::http::one_line(name, 40)
        ));
    }
    Ok(())
}

/// The raw responses of one sync: `perpDexs` (when builder dexes are asked
/// for), the main dex and each builder dex by name, and with `--oi-caps` /
/// `--books` the cap lists per dex (`""` = main) and the books per coin.
#[derive(Debug, Clone)]
pub struct HyperliquidResponses {
    pub perp_dexs: Option<Body>,
    pub main: Body,
    pub dexes: Vec<(String, Body)>,
    pub caps: Vec<(String, Body)>,
    pub books: Vec<(String, Body)>,
}

/// What a sync fetches besides the market lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extras {
    /// `perpsAtOpenInterestCap` for every synced dex.
    pub oi_caps: bool,
    /// Order books of the markets signals name.
    pub books: Option<BookPlan>,
}

/// Which books to fetch: the markets of the most demanded canonical
/// symbols first, at most `max` (and what the weight budget leaves).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookPlan {
    pub max: usize,
    pub demand: Vec<String>,
}

// ---- wire types (private) -------------------------------------------------

#[derive(Debug, Deserialize)]
struct Meta {
    universe: Vec<AssetMeta>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AssetMeta {
    name: String,
    sz_decimals: i64,
    max_leverage: i64,
    #[serde(default)]
    margin_table_id: Option<i64>,
    #[serde(default)]
    only_isolated: bool,
    #[serde(default)]
    is_delisted: bool,
    #[serde(default)]
    margin_mode: Option<String>,
    #[serde(default)]
    growth_mode: Option<String>,
    #[serde(default)]
    deployer_fee_scale: Option<Decimal>,
    #[serde(default)]
    has_oracle: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AssetCtx {
    funding: String,
    open_interest: String,
    #[serde(default)]
    prev_day_px: Option<String>,
    day_ntl_vlm: String,
    #[serde(default)]
    premium: Option<String>,
    #[serde(default)]
    oracle_px: Option<String>,
    mark_px: String,
    #[serde(default)]
    mid_px: Option<String>,
    #[serde(default)]
    impact_pxs: Option<Vec<String>>,
    #[serde(default)]
    day_base_vlm: Option<String>,
}

/// A decimal that arrives as a string (`"1.0"`) or, in newer fields, a number.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Decimal {
    Text(String),
    Number(f64),
}

impl Decimal {
    fn value(&self, field: &str, market: &str) -> Result<f64, String> {
        match self {
            Decimal::Text(s) => decimal(field, market, s),
            Decimal::Number(n) if n.is_finite() => Ok(*n),
            Decimal::Number(n) => Err(format!("`{field}` of `{market}` is not finite: {n}")),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PerpDexWire {
    name: String,
    #[serde(default)]
    full_name: Option<String>,
    #[serde(default)]
    deployer_fee_scale: Option<Decimal>,
}

#[derive(Debug, Deserialize)]
struct L2BookWire {
    coin: String,
    time: i64,
    levels: Vec<Vec<L2Level>>,
}

#[derive(Debug, Deserialize)]
struct L2Level {
    px: String,
    sz: String,
}

/// A builder dex as `perpDexs` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct PerpDex {
    pub name: String,
    pub full_name: Option<String>,
    /// Position in `perpDexs` (the main dex is 0).
    pub index: usize,
    pub deployer_fee_scale: Option<f64>,
}

/// Parses a `perpDexs` reply: element 0 is `null` (the main dex), then one
/// object per builder dex. Names must be unique and file-name safe.
pub fn parse_perp_dexs(body: &Body) -> Result<Vec<PerpDex>, VenueError> {
    let raw: Vec<Option<PerpDexWire>> =
        serde_json::from_slice(&body.bytes).map_err(|e| VenueError::json(VENUE, body, &e))?;
    if raw.len() > 10_000 {
        return Err(VenueError::rejected(
            VENUE,
            body,
            format!("{} perp dexes listed", raw.len()),
        ));
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (index, entry) in raw.into_iter().enumerate() {
        let Some(dex) = entry else { continue };
        if index == 0 {
            return Err(VenueError::rejected(
                VENUE,
                body,
                "element 0 of perpDexs must be null (the main dex)",
            ));
        }
        check_dex_name(&dex.name).map_err(|m| VenueError::rejected(VENUE, body, m))?;
        if !seen.insert(dex.name.clone()) {
            return Err(VenueError::rejected(
                VENUE,
                body,
                format!("duplicate dex `{}`", dex.name),
            ));
        }
        let scale = match &dex.deployer_fee_scale {
            Some(d) => {
                Some(fee_scale(d, &dex.name).map_err(|m| VenueError::rejected(VENUE, body, m))?)
            }
            None => None,
        };
        out.push(PerpDex {
            name: dex.name,
            full_name: dex.full_name,
            index,
            deployer_fee_scale: scale,
        });
    }
    Ok(out)
}

fn fee_scale(d: &Decimal, market: &str) -> Result<f64, String> {
    let s = d.value("deployerFeeScale", market)?;
    if !(0.0..=100.0).contains(&s) {
        return Err(format!(
            "`deployerFeeScale` of `{market}` is {}, not in 0..=100",
            show(s)
        ));
    }
    Ok(s)
}

/// Fetches what a sync needs: `perpDexs` (if builder dexes are selected), the
/// main dex and each selected builder dex; then, as `extras` asks, the
/// open-interest cap list of each of those dexes and the order books of the
/// markets signals name, within the request weight budget ([`book_budget`]).
pub async fn fetch(
    fetcher: &Fetcher,
    info_url: &str,
    selection: &DexSelection,
    extras: &Extras,
) -> Result<HyperliquidResponses, VenueError> {
    let perp_dexs = match selection {
        DexSelection::MainOnly => None,
        _ => Some(
            fetcher
                .post_json(info_url, "perpDexs", &json!({"type": "perpDexs"}))
                .await?,
        ),
    };
    let names = match (&perp_dexs, selection) {
        (Some(body), DexSelection::All) => {
            parse_perp_dexs(body)?.into_iter().map(|d| d.name).collect()
        }
        (Some(body), DexSelection::Only(names)) => {
            let listed = parse_perp_dexs(body)?;
            for name in names {
                if !listed.iter().any(|d| &d.name == name) {
                    return Err(VenueError::rejected(
                        VENUE,
                        body,
                        unknown_dex(name, &listed),
                    ));
                }
            }
            names.clone()
        }
        _ => Vec::new(),
    };
    let main = fetcher
        .post_json(
            info_url,
            "metaAndAssetCtxs",
            &json!({"type": "metaAndAssetCtxs"}),
        )
        .await?;
    let mut dexes = Vec::with_capacity(names.len());
    for name in names {
        let body = fetcher
            .post_json(
                info_url,
                &format!("metaAndAssetCtxs dex={name}"),
                &json!({"type": "metaAndAssetCtxs", "dex": name}),
            )
            .await?;
        dexes.push((name, body));
    }
    let mut responses = HyperliquidResponses {
        perp_dexs,
        main,
        dexes,
        caps: Vec::new(),
        books: Vec::new(),
    };
    let mut info_requests = 1 + responses.dexes.len() + usize::from(responses.perp_dexs.is_some());
    if extras.oi_caps {
        let synced: Vec<String> = std::iter::once(String::new())
            .chain(responses.dexes.iter().map(|(n, _)| n.clone()))
            .collect();
        for dex in synced {
            let (label, request) = if dex.is_empty() {
                (
                    "perpsAtOpenInterestCap".to_owned(),
                    json!({"type": "perpsAtOpenInterestCap"}),
                )
            } else {
                (
                    format!("perpsAtOpenInterestCap dex={dex}"),
                    json!({"type": "perpsAtOpenInterestCap", "dex": dex}),
                )
            };
            let body = fetcher.post_json(info_url, &label, &request).await?;
            responses.caps.push((dex, body));
            info_requests += 1;
        }
    }
    if let Some(plan) = &extras.books {
        let limit = book_budget(info_requests, plan.max);
        let markets = parse(&responses)?;
        let coins = book_coins(&markets, &plan.demand, limit);
        tracing::info!(
            books = coins.len(),
            limit,
            max = plan.max,
            weight = info_requests * INFO_WEIGHT + coins.len() * L2_BOOK_WEIGHT,
            "fetching order books"
        );
        for coin in coins {
            let body = fetcher
                .post_json(
                    info_url,
                    &format!("l2Book coin={coin}"),
                    &json!({"type": "l2Book", "coin": coin}),
                )
                .await?;
            responses.books.push((coin, body));
        }
    }
    Ok(responses)
}

/// The coins whose books to fetch: for each demanded canonical symbol in
/// order, its listed markets (main dex first, then builder dexes by name),
/// at most `limit` coins.
#[must_use]
pub fn book_coins(markets: &[Market], demand: &[String], limit: usize) -> Vec<String> {
    let mut coins: Vec<String> = Vec::new();
    for symbol in demand {
        let mut matching: Vec<&Market> = markets
            .iter()
            .filter(|m| m.listed && &m.base_symbol == symbol)
            .collect();
        matching.sort_by(|a, b| a.dex.cmp(&b.dex).then(a.market_index.cmp(&b.market_index)));
        for m in matching {
            if coins.len() >= limit {
                return coins;
            }
            if !coins.contains(&m.token_symbol) {
                coins.push(m.token_symbol.clone());
            }
        }
    }
    coins
}

fn unknown_dex(name: &str, listed: &[PerpDex]) -> String {
    let names: Vec<&str> = listed.iter().map(|d| d.name.as_str()).collect();
    format!(
        "dex `{name}` is not listed by perpDexs (listed: {})",
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    )
}

/// Validates every response and maps them to markets. Nothing is returned
/// unless all of it is valid.
pub fn parse(responses: &HyperliquidResponses) -> Result<Vec<Market>, VenueError> {
    let listed = match &responses.perp_dexs {
        Some(body) => parse_perp_dexs(body)?,
        None if responses.dexes.is_empty() => Vec::new(),
        None => {
            return Err(VenueError::rejected(
                VENUE,
                &responses.dexes[0].1,
                "builder dex responses need the perpDexs response (asset ids and fee scales)",
            ));
        }
    };
    let mut markets = parse_dex(&responses.main, None)?;
    for (name, body) in &responses.dexes {
        let Some(dex) = listed.iter().find(|d| &d.name == name) else {
            let perp = responses.perp_dexs.as_ref().unwrap_or(body);
            return Err(VenueError::rejected(
                VENUE,
                perp,
                unknown_dex(name, &listed),
            ));
        };
        markets.extend(parse_dex(body, Some(dex))?);
    }
    for (dex, body) in &responses.caps {
        apply_caps(&mut markets, dex, body, responses)?;
    }
    for (coin, body) in &responses.books {
        let depth = parse_book(coin, body)?;
        let Some(market) = markets.iter_mut().find(|m| &m.token_symbol == coin) else {
            return Err(VenueError::rejected(
                VENUE,
                body,
                format!("order book for `{coin}`, a coin no synced dex lists"),
            ));
        };
        market.cost.depth = depth;
    }
    if markets.len() > MAX_MARKETS {
        return Err(VenueError::rejected(
            VENUE,
            &responses.main,
            format!(
                "{} markets across all dexes, more than {MAX_MARKETS}",
                markets.len()
            ),
        ));
    }
    check_markets(VENUE, &markets).map_err(|m| VenueError::rejected(VENUE, &responses.main, m))?;
    Ok(markets)
}

/// Parses one `metaAndAssetCtxs` reply (`dex` = `None` for the main dex).
fn parse_dex(body: &Body, dex: Option<&PerpDex>) -> Result<Vec<Market>, VenueError> {
    let (meta, ctxs): (Meta, Vec<AssetCtx>) =
        serde_json::from_slice(&body.bytes).map_err(|e| VenueError::json(VENUE, body, &e))?;
    let reject = |m: String| VenueError::rejected(VENUE, body, m);
    let n = meta.universe.len();
    if n == 0 {
        return Err(reject("the universe (market list) is empty".to_owned()));
    }
    let cap = if dex.is_some() { 10_000 } else { MAX_MARKETS };
    if n > cap {
        return Err(reject(format!(
            "{n} markets in one response, more than the {cap} a real list can hold"
        )));
    }
    if ctxs.len() != n {
        return Err(reject(format!(
            "{n} universe entries but {} asset contexts; they must pair up by index",
            ctxs.len()
        )));
    }
    let mut names: HashMap<String, &str> = HashMap::with_capacity(n);
    let mut out = Vec::with_capacity(n);
    for (index, (asset, ctx)) in meta.universe.iter().zip(&ctxs).enumerate() {
        // HIP-4 outcome tokens keep their slot (asset ids stay positional)
        // but never become markets.
        if is_outcome_coin(&asset.name) {
            continue;
        }
        // Names are matched ignoring case, on every venue: `btc` beside
        // `BTC` is one market listed twice.
        if let Some(first) = names.insert(asset.name.to_ascii_uppercase(), &asset.name) {
            return Err(reject(if first == asset.name {
                format!("duplicate market `{}`", one_line(&asset.name, 40))
            } else {
                format!(
                    "duplicate market `{first}` and `{}` (market names are matched ignoring case)",
                    one_line(&asset.name, 40)
                )
            }));
        }
        out.push(map_asset(index, asset, ctx, dex).map_err(reject)?);
    }
    Ok(out)
}

/// Marks the markets of dex `dex` (`""` = main) from its
/// `perpsAtOpenInterestCap` reply (a JSON array of coin names): listed ones
/// are at their cap (capacity 0 on both sides: an order adding open interest
/// is rejected whatever its side), the others are not. Outcome tokens and
/// coins the dex does not list are ignored (the docs' example lists delisted
/// coins).
fn apply_caps(
    markets: &mut [Market],
    dex: &str,
    body: &Body,
    responses: &HyperliquidResponses,
) -> Result<(), VenueError> {
    let coins: Vec<String> =
        serde_json::from_slice(&body.bytes).map_err(|e| VenueError::json(VENUE, body, &e))?;
    if coins.len() > MAX_MARKETS {
        return Err(VenueError::rejected(
            VENUE,
            body,
            format!("{} coins at their open-interest cap", coins.len()),
        ));
    }
    if !dex.is_empty() && !responses.dexes.iter().any(|(n, _)| n == dex) {
        return Err(VenueError::rejected(
            VENUE,
            body,
            format!("open-interest caps of dex `{dex}`, whose markets were not synced"),
        ));
    }
    let capped: HashSet<&str> = coins
        .iter()
        .map(String::as_str)
        .filter(|c| !is_outcome_coin(c))
        .collect();
    for m in markets
        .iter_mut()
        .filter(|m| m.dex.as_deref().unwrap_or("") == dex)
    {
        let at_cap = capped.contains(m.token_symbol.as_str());
        m.cost.at_open_interest_cap = Some(at_cap);
        if at_cap {
            m.cost.long_capacity_usd = Some(0.0);
            m.cost.short_capacity_usd = Some(0.0);
        }
    }
    Ok(())
}

/// Parses an `l2Book` reply (`{"coin","time","levels":[bids, asks]}`, at most
/// 20 levels a side, HL-docs `info-endpoint.md` "L2 book snapshot") into a
/// depth curve. A side without levels gives no curve; malformed numbers, a
/// reply for another coin, unordered or crossed levels reject the response.
pub fn parse_book(coin: &str, body: &Body) -> Result<Option<DepthCurve>, VenueError> {
    // `null`: the venue has no book for the coin (the official SDK,
    // `hyperliquid-dex/hyperliquid-python-sdk` `hyperliquid/info.py`,
    // `l2_snapshot`, hands the reply back untyped, `-> Any`); that book is
    // left out, the sync goes on.
    let wire: Option<L2BookWire> =
        serde_json::from_slice(&body.bytes).map_err(|e| VenueError::json(VENUE, body, &e))?;
    let Some(wire) = wire else {
        tracing::warn!(coin, "l2Book answered null: no order book stored for it");
        return Ok(None);
    };
    let reject = |m: String| VenueError::rejected(VENUE, body, m);
    if wire.coin != coin {
        return Err(reject(format!(
            "order book of `{}` where `{coin}` was asked for",
            super::http::one_line(&wire.coin, 40)
        )));
    }
    if wire.levels.len() != 2 {
        return Err(reject(format!(
            "order book of `{coin}` has {} sides, expected 2",
            wire.levels.len()
        )));
    }
    let observed_at = DateTime::from_timestamp_millis(wire.time)
        .ok_or_else(|| reject(format!("order book of `{coin}` has time {}", wire.time)))?;
    let mut sides: Vec<Vec<(f64, f64)>> = Vec::with_capacity(2);
    for (side, levels) in ["bid", "ask"].iter().zip(&wire.levels) {
        if levels.len() > MAX_DEPTH_LEVELS {
            return Err(reject(format!(
                "order book of `{coin}` has {} {side} levels",
                levels.len()
            )));
        }
        let mut parsed = Vec::with_capacity(levels.len());
        for l in levels {
            let px = non_negative("px", coin, &l.px).map_err(reject)?;
            let sz = non_negative("sz", coin, &l.sz).map_err(reject)?;
            if px == 0.0 || sz == 0.0 {
                return Err(reject(format!(
                    "order book of `{coin}` has a {side} level of price {px} and size {sz}"
                )));
            }
            parsed.push((px, sz));
        }
        sides.push(parsed);
    }
    if sides[0].is_empty() || sides[1].is_empty() {
        return Ok(None);
    }
    DepthCurve::from_levels(observed_at, &sides[0], &sides[1])
        .map(Some)
        .ok_or_else(|| reject(format!("order book of `{coin}` is crossed or out of order")))
}

/// `l2Book.<coin>.json`, the coin's characters other than letters, digits,
/// `-` and `_` written `%XX` (`xyz:TSLA` → `l2Book.xyz%3ATSLA.json`).
#[must_use]
pub fn book_file(coin: &str) -> String {
    let mut name = String::from("l2Book.");
    for b in coin.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            name.push(char::from(b));
        } else {
            name.push_str(&format!("%{b:02X}"));
        }
    }
    name.push_str(".json");
    name
}

/// The coin of a [`book_file`] name.
#[must_use]
pub fn book_coin(file: &str) -> Option<String> {
    let encoded = file.strip_prefix("l2Book.")?.strip_suffix(".json")?;
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = encoded.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok().filter(|c| !c.is_empty())
}

/// `perpsAtOpenInterestCap.json` (main dex) or `perpsAtOpenInterestCap.<dex>.json`.
#[must_use]
pub fn caps_file(dex: &str) -> String {
    if dex.is_empty() {
        "perpsAtOpenInterestCap.json".to_owned()
    } else {
        format!("perpsAtOpenInterestCap.{dex}.json")
    }
}

fn round9(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

/// HIP-3 fee multiplier for a deployer fee scale (VENUES.md §1.8).
#[must_use]
pub fn hip3_fee_multiplier(scale: f64, growth_mode: bool) -> f64 {
    let base = if scale < 1.0 {
        scale + 1.0
    } else {
        2.0 * scale
    };
    if growth_mode {
        base * GROWTH_MODE_FACTOR
    } else {
        base
    }
}

fn map_asset(
    index: usize,
    asset: &AssetMeta,
    ctx: &AssetCtx,
    dex: Option<&PerpDex>,
) -> Result<Market, String> {
    let name = asset.name.as_str();
    match name.split_once(':') {
        Some((dex, asset_name)) => {
            check_name("dex name", dex)?;
            check_name("market name", asset_name)?;
        }
        None => check_name("market name", name)?,
    }
    match dex {
        None if name.contains(':') => {
            return Err(format!("main-dex market `{name}` carries a dex prefix"));
        }
        Some(d) if !name.starts_with(&format!("{}:", d.name)) => {
            return Err(format!(
                "market `{name}` of dex `{}` lacks the `{}:` prefix",
                d.name, d.name
            ));
        }
        _ => {}
    }
    if !(0..=8).contains(&asset.sz_decimals) {
        return Err(format!(
            "`szDecimals` of `{name}` is {}, not in 0..=8",
            asset.sz_decimals
        ));
    }
    if !(1..=1000).contains(&asset.max_leverage) {
        return Err(format!(
            "`maxLeverage` of `{name}` is {}, not in 1..=1000",
            asset.max_leverage
        ));
    }
    let mark = non_negative("markPx", name, &ctx.mark_px)?;
    let oi_coins = non_negative("openInterest", name, &ctx.open_interest)?;
    let day_volume = non_negative("dayNtlVlm", name, &ctx.day_ntl_vlm)?;
    let funding = decimal("funding", name, &ctx.funding)?;
    let opt = |field: &str, v: &Option<String>| -> Result<Option<f64>, String> {
        v.as_deref().map(|s| decimal(field, name, s)).transpose()
    };
    let oracle = opt("oraclePx", &ctx.oracle_px)?;
    let mid = opt("midPx", &ctx.mid_px)?;
    let premium = opt("premium", &ctx.premium)?;
    let prev_day = opt("prevDayPx", &ctx.prev_day_px)?;
    let day_base = opt("dayBaseVlm", &ctx.day_base_vlm)?;
    for (field, v) in [
        ("oraclePx", oracle),
        ("midPx", mid),
        ("prevDayPx", prev_day),
        ("dayBaseVlm", day_base),
    ] {
        if v.is_some_and(|x| x < 0.0) {
            return Err(format!("`{field}` of `{name}` is negative"));
        }
    }
    let spread_bps = match &ctx.impact_pxs {
        None => None,
        Some(v) if v.len() == 2 => {
            let bid = non_negative("impactPxs[0]", name, &v[0])?;
            let ask = non_negative("impactPxs[1]", name, &v[1])?;
            (mark > 0.0 && ask >= bid).then(|| (ask - bid) / mark * 1e4)
        }
        Some(v) => {
            return Err(format!(
                "`impactPxs` of `{name}` has {} prices, expected 2",
                v.len()
            ));
        }
    };
    let open_interest_usd = oi_coins * mark;
    let listed = !asset.is_delisted;
    let liquidity_usd = if listed {
        open_interest_usd.min(day_volume)
    } else {
        0.0
    };
    let asset_id = match dex {
        None => index,
        Some(d) => {
            if index >= 10_000 {
                return Err(format!(
                    "asset index {index} of dex `{}` overflows its id range",
                    d.name
                ));
            }
            100_000 + d.index * 10_000 + index
        }
    };
    let asset_id =
        i32::try_from(asset_id).map_err(|_| format!("asset id of `{name}` overflows"))?;
    let growth = asset.growth_mode.as_deref() == Some("enabled");
    let (fee_multiplier, fee_scale, fee_scale_source) = match dex {
        None => (1.0, None, None),
        Some(d) => {
            let (scale, source) = match (&asset.deployer_fee_scale, d.deployer_fee_scale) {
                (Some(s), _) => (fee_scale(s, name)?, "asset"),
                (None, Some(s)) => (s, "dex"),
                (None, None) => (DEFAULT_DEPLOYER_FEE_SCALE, "default"),
            };
            (
                hip3_fee_multiplier(scale, growth),
                Some(scale),
                Some(source),
            )
        }
    };
    let symbol = market_symbol(name);
    let sz = i32::try_from(asset.sz_decimals).unwrap_or(0);
    let taker_bps = round9(TAKER_FEE_BPS * fee_multiplier);
    let cost = MarketCost {
        // Closing is another taker order at the same rate.
        close_fee_bps: Some(taker_bps),
        model: Some(CostModel {
            fees: FeeRule::Taker {
                taker_bps,
                close_bps: taker_bps,
                components: FeeComponents {
                    base_taker_bps: TAKER_FEE_BPS,
                    multiplier: round9(fee_multiplier),
                    deployer_fee_scale: fee_scale,
                    fee_scale_source: fee_scale_source.map(str::to_owned),
                    growth_mode: growth && dex.is_some(),
                },
            },
            impact: ImpactModel::OrderBook,
        }),
        ..MarketCost::default()
    };
    let metadata = json!({
        "szDecimals": asset.sz_decimals,
        "marginTableId": asset.margin_table_id,
        "onlyIsolated": asset.only_isolated,
        "marginMode": asset.margin_mode,
        "growthMode": asset.growth_mode,
        "isDelisted": asset.is_delisted,
        "hasOracle": asset.has_oracle,
        "dex": dex.map(|d| d.name.clone()),
        "perp_dex_index": dex.map(|d| d.index),
        "asset_id": asset_id,
        "deployer_fee_scale": fee_scale,
        "deployer_fee_scale_source": fee_scale_source,
        "min_position_unit": "coin",
        "open_interest_coins": oi_coins,
        "oracle_px": oracle,
        "mid_px": mid,
        "premium": premium,
        "prev_day_px": prev_day,
        "day_base_volume": day_base,
    });
    Ok(Market {
        venue: VENUE,
        token_symbol: name.to_owned(),
        market_name: format!("{name}/USD"),
        market_index: Some(asset_id),
        base_symbol: symbol.base_symbol,
        quote_symbol: symbol.quote_symbol,
        price_scale: symbol.price_scale,
        dex: symbol.dex,
        listed,
        market_open: None,
        market_status_at: None,
        min_position: Some(10_f64.powi(-sz)),
        max_leverage: i32::try_from(asset.max_leverage).ok(),
        group: Some(match dex {
            None => "crypto".to_owned(),
            Some(d) => format!("hip3:{}", d.name),
        }),
        current_price: Some(mark),
        liquidity_usd: Some(liquidity_usd),
        open_interest_usd: Some(open_interest_usd),
        long_open_interest_usd: None,
        short_open_interest_usd: None,
        max_open_interest_usd: None,
        day_volume_usd: Some(day_volume),
        spread_bps,
        taker_fee_bps: Some(taker_bps),
        maker_fee_bps: Some(round9(MAKER_FEE_BPS * fee_multiplier)),
        funding_rate: Some(funding),
        metadata,
        cost,
    })
}

// ---- the venue interface ---------------------------------------------------

/// `POST /info {"type":"metaAndAssetCtxs"}`: 225 main-dex assets (January 2026 capture).
pub const RECORDED_META_AND_ASSET_CTXS: &str =
    include_str!("../../fixtures/hyperliquid/metaAndAssetCtxs.json");
/// `POST /info {"type":"metaAndAssetCtxs","dex":"xyz"}`: 31 HIP-3 assets.
pub const RECORDED_META_AND_ASSET_CTXS_XYZ: &str =
    include_str!("../../fixtures/hyperliquid/metaAndAssetCtxs.xyz.json");
/// `POST /info {"type":"perpDexs"}`.
pub const RECORDED_PERP_DEXS: &str = include_str!("../../fixtures/hyperliquid/perpDexs.json");

/// The one builder dex in the recorded capture.
pub const RECORDED_DEX: &str = "xyz";

/// File names shared by `--save-response` and `--from-file DIR`.
pub const MAIN_FILE: &str = "metaAndAssetCtxs.json";
/// See [`MAIN_FILE`].
pub const PERP_DEXS_FILE: &str = "perpDexs.json";

/// `metaAndAssetCtxs.<dex>.json`.
#[must_use]
pub fn dex_file(dex: &str) -> String {
    format!("metaAndAssetCtxs.{dex}.json")
}

/// The recorded responses (January 2026 captures, `shared/fixtures/README.md`);
/// `with_xyz` adds the `xyz` HIP-3 dex. Illustrative values only.
#[must_use]
pub fn recorded(with_xyz: bool) -> HyperliquidResponses {
    let body =
        |name: &str, text: &str| Body::new(format!("recorded {name}"), text.as_bytes().to_vec());
    HyperliquidResponses {
        perp_dexs: with_xyz.then(|| body(PERP_DEXS_FILE, RECORDED_PERP_DEXS)),
        main: body(MAIN_FILE, RECORDED_META_AND_ASSET_CTXS),
        dexes: if with_xyz {
            vec![(
                RECORDED_DEX.to_owned(),
                body(&dex_file(RECORDED_DEX), RECORDED_META_AND_ASSET_CTXS_XYZ),
            )]
        } else {
            Vec::new()
        },
        caps: Vec::new(),
        books: Vec::new(),
    }
}

const API_URL: &str = "api-url";
const DEXES: &str = "dexes";
const FROM_FILE: &str = "from-file";
const OI_CAPS: &str = "oi-caps";
const BOOKS: &str = "books";
const MAX_BOOKS_FLAG: &str = "max-books";

/// Hyperliquid's switches (options without a value).
static SWITCHES: [SourceOption; 2] = [
    SourceOption {
        flag: OI_CAPS,
        env: Some("HYPERLIQUID_OI_CAPS"),
        value_name: "",
        help: "Also fetch, for every synced dex, the markets at their open-interest cap \
(perpsAtOpenInterestCap, weight 20 each): routing refuses them as OPEN_INTEREST_CAP. Default: off \
(caps unknown).",
    },
    SourceOption {
        flag: BOOKS,
        env: Some("HYPERLIQUID_BOOKS"),
        value_name: "",
        help: "Also fetch the order book (l2Book, weight 2 each) of the markets that pending and \
recent MULTI signals name, most named first, within the 1200-per-minute request weight budget; \
LOWEST_COST prices orders on them. Default: off (top-of-book figures).",
    },
];

/// Hyperliquid's facts.
pub static INFO: VenueInfo = VenueInfo {
    venue: VENUE,
    key: "hyperliquid",
    name: "Hyperliquid",
    about: "Sync Hyperliquid's perpetual markets into `venue_markets`: one row per asset \
(delisted ones kept, inactive), with asset id, max leverage, mark price, funding, open interest \
and 24 h volume in USD, liquidity and base-tier fees. The whole response is validated before \
anything is written, and applied in one transaction; markets missing from it are deactivated, \
never deleted.",
    details: "Examples:
  sync-hyperliquid-markets
  sync-hyperliquid-markets --dexes xyz --dry-run
  sync-hyperliquid-markets --from-file saved/ --dexes xyz --format json
  sync-hyperliquid-markets --dexes all --oi-caps --books --max-books 40

Stored per market: token_symbol = the venue name (BTC, kPEPE, xyz:TSLA); base_symbol (PEPE for kPEPE, \
price_scale 1000); market_index = asset id (main dex: universe index; builder dex: 100000 + dex index × 10000 + index); \
min_position = size step in coin units (10^-szDecimals); liquidity_usd = min(open interest × mark, 24 h notional \
volume); fees in bps (taker 4.5 / maker 1.5 base tier, HIP-3 scaled by the deployer fee scale, ×0.1 in growth mode).",
    endpoints: &[Endpoint {
        flag: API_URL,
        env: "HYPERLIQUID_API_URL",
        mainnet: MAINNET_API_URL,
        testnet: Some(TESTNET_API_URL),
        help: "Hyperliquid API base URL (`/info` is appended).",
    }],
    options: &[
        SourceOption {
            flag: DEXES,
            env: Some("HYPERLIQUID_DEXES"),
            value_name: "LIST",
            help: "HIP-3 builder dexes to sync besides the main dex: `xyz,flx` or `all`. Default: \
the main dex only. A sync deactivates missing markets only in the dexes it covers.",
        },
        SourceOption {
            flag: MAX_BOOKS_FLAG,
            env: Some("HYPERLIQUID_MAX_BOOKS"),
            value_name: "N",
            help: "With --books: fetch at most N order books (1-590; fewer when the other requests \
leave less of the weight budget). Default: 50.",
        },
    ],
    files: &[FileFlag {
        flag: FROM_FILE,
        value_name: "PATH",
        help: "Read a saved `metaAndAssetCtxs` response instead of calling the API. With --dexes, \
PATH must be a directory holding `perpDexs.json`, `metaAndAssetCtxs.json` and \
`metaAndAssetCtxs.<dex>.json` (what --save-response writes).",
        requires: None,
    }],
    schedule: "hourly",
    market_symbol: MarketSymbolColumn::TokenSymbol,
    index_label: "asset",
    builder_dexes: true,
    liquidity: LiquidityModel::OpenInterestAndVolume,
    recorded_source: "recorded January 2026 capture, built in",
    default_taker_fee_bps: Some(TAKER_FEE_BPS),
};

/// Hyperliquid as a [`VenueSource`].
#[derive(Debug)]
pub struct Hyperliquid;

/// The registry's Hyperliquid.
pub static SOURCE: Hyperliquid = Hyperliquid;

fn selection(settings: &SourceSettings) -> Result<DexSelection, String> {
    match settings.option(DEXES) {
        Some(raw) => DexSelection::parse(raw).map_err(|e| format!("`--dexes`: {e}")),
        None => Ok(DexSelection::MainOnly),
    }
}

/// The dexes the recorded capture can serve for a selection.
fn recorded_with_xyz(selection: &DexSelection) -> Result<bool, String> {
    match selection {
        DexSelection::MainOnly => Ok(false),
        DexSelection::All => Ok(true),
        DexSelection::Only(names) if names.iter().all(|n| n == RECORDED_DEX) => Ok(true),
        DexSelection::Only(names) => Err(format!(
            "`--dexes {}` with `--offline`: the recorded capture holds only the main dex and `{RECORDED_DEX}`",
            names.join(",")
        )),
    }
}

impl From<HyperliquidResponses> for Responses {
    fn from(r: HyperliquidResponses) -> Responses {
        let mut bodies = vec![(MAIN_FILE.to_owned(), r.main)];
        if let Some(p) = r.perp_dexs {
            bodies.push((PERP_DEXS_FILE.to_owned(), p));
        }
        for (name, body) in r.dexes {
            bodies.push((dex_file(&name), body));
        }
        for (dex, body) in r.caps {
            bodies.push((caps_file(&dex), body));
        }
        for (coin, body) in r.books {
            bodies.push((book_file(&coin), body));
        }
        Responses { bodies }
    }
}

/// `--max-books`, checked (default [`DEFAULT_MAX_BOOKS`]).
fn max_books(settings: &SourceSettings) -> Result<usize, String> {
    match settings.option(MAX_BOOKS_FLAG) {
        None => Ok(DEFAULT_MAX_BOOKS),
        Some(raw) => raw
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_BOOKS).contains(n))
            .ok_or_else(|| {
                format!(
                    "`--max-books {}`: expected a number of books from 1 to {MAX_BOOKS} (2 weight each within Hyperliquid's {WEIGHT_BUDGET} per minute)",
                    super::http::one_line(raw, 20)
                )
            }),
    }
}

fn extras(settings: &SourceSettings) -> Result<Extras, String> {
    Ok(Extras {
        oi_caps: settings.switch(OI_CAPS),
        books: if settings.switch(BOOKS) {
            Some(BookPlan {
                max: max_books(settings)?,
                demand: settings.demand.clone(),
            })
        } else {
            None
        },
    })
}

impl VenueSource for Hyperliquid {
    fn info(&self) -> &'static VenueInfo {
        &INFO
    }

    fn check(&self, settings: &SourceSettings, origin: Origin) -> Result<(), String> {
        let selection = selection(settings)?;
        if let Some(path) = settings.file(FROM_FILE)
            && selection != DexSelection::MainOnly
            && !path.is_dir()
        {
            return Err(format!(
                "with `--dexes`, `--from-file` must be a directory holding {PERP_DEXS_FILE}, {MAIN_FILE} and metaAndAssetCtxs.<dex>.json; `{}` is not one",
                path.display()
            ));
        }
        if settings.option(MAX_BOOKS_FLAG).is_some() && !settings.switch(BOOKS) {
            return Err("`--max-books` limits `--books`: give `--books` too".to_owned());
        }
        max_books(settings)?;
        if origin == Origin::Recorded {
            recorded_with_xyz(&selection)?;
            if settings.switch(BOOKS) || settings.switch(OI_CAPS) {
                return Err(
                    "`--books` and `--oi-caps` with `--offline`: the recorded capture holds no order books or open-interest caps".to_owned(),
                );
            }
        }
        Ok(())
    }

    fn source_label(&self, settings: &SourceSettings) -> String {
        match settings.file(FROM_FILE) {
            Some(path) => format!("file:{}", path.display()),
            None => endpoint_label("POST", &info_url(settings.endpoint(API_URL)), "")
                .trim_start_matches("POST ")
                .to_owned(),
        }
    }

    fn fetch<'a>(
        &'a self,
        fetcher: &'a Fetcher,
        settings: &'a SourceSettings,
    ) -> BoxFuture<'a, Result<Responses, VenueError>> {
        Box::pin(async move {
            let local =
                |m: String| VenueError::new(VENUE, "settings", super::http::Cause::Local(m));
            let selection = selection(settings).map_err(local)?;
            let extras = extras(settings).map_err(local)?;
            let url = info_url(settings.endpoint(API_URL));
            fetch(fetcher, &url, &selection, &extras)
                .await
                .map(Responses::from)
        })
    }

    fn read_files(&self, settings: &SourceSettings) -> anyhow::Result<Responses> {
        let selection = selection(settings).map_err(|m| anyhow::anyhow!(m))?;
        let Some(path) = settings.file(FROM_FILE) else {
            anyhow::bail!("no `--from-file` given");
        };
        read_files(path, &selection, settings.switch(OI_CAPS)).map(Responses::from)
    }

    fn recorded(&self, settings: &SourceSettings) -> Result<Responses, String> {
        let with_xyz = recorded_with_xyz(&selection(settings)?)?;
        Ok(recorded(with_xyz).into())
    }

    fn parse(
        &self,
        responses: &Responses,
        settings: &SourceSettings,
        origin: Origin,
        _observed_at: DateTime<Utc>,
    ) -> Result<Fetched, VenueError> {
        let selection = selection(settings)
            .map_err(|m| VenueError::new(VENUE, "settings", super::http::Cause::Local(m)))?;
        let Some(main) = responses.get(MAIN_FILE) else {
            return Err(VenueError::new(
                VENUE,
                MAIN_FILE,
                super::http::Cause::Local("no metaAndAssetCtxs response".to_owned()),
            ));
        };
        let named = |prefix: &str| -> Vec<(String, Body)> {
            responses
                .bodies
                .iter()
                .filter_map(|(name, body)| {
                    let key = name.strip_prefix(prefix)?.strip_suffix(".json")?;
                    Some((key.to_owned(), body.clone()))
                })
                .collect()
        };
        let mut caps = named("perpsAtOpenInterestCap.");
        if let Some(body) = responses.get(&caps_file("")) {
            caps.insert(0, (String::new(), body.clone()));
        }
        let typed = HyperliquidResponses {
            perp_dexs: responses.get(PERP_DEXS_FILE).cloned(),
            main: main.clone(),
            dexes: named("metaAndAssetCtxs."),
            caps,
            books: responses
                .bodies
                .iter()
                .filter_map(|(name, body)| Some((book_coin(name)?, body.clone())))
                .collect(),
        };
        let markets = parse(&typed)?;
        // The recorded capture holds the `xyz` dex only: never deactivate
        // other dexes' markets from it.
        let scope = if origin == Origin::Recorded && !typed.dexes.is_empty() {
            DexSelection::Only(vec![RECORDED_DEX.to_owned()]).scope()
        } else if origin == Origin::Recorded {
            DexSelection::MainOnly.scope()
        } else {
            selection.scope()
        };
        Ok(Fetched { markets, scope })
    }

    fn canonical_of_stored(&self, token_symbol: &str, _market_name: &str) -> String {
        market_symbol(token_symbol).base_symbol
    }

    fn switches(&self) -> &'static [SourceOption] {
        &SWITCHES
    }

    fn demand_wanted(&self, settings: &SourceSettings) -> Option<usize> {
        // Tokens, not books: many name no Hyperliquid market.
        settings.switch(BOOKS).then_some(1000)
    }
}

/// Saved responses: one `metaAndAssetCtxs` file, or a directory as
/// `--save-response` writes it (with `--dexes`: `perpDexs.json` and one file
/// per dex; cap lists when present, required with `--oi-caps`; every
/// `l2Book.<coin>.json` present).
fn read_files(
    path: &Path,
    selection: &DexSelection,
    oi_caps: bool,
) -> anyhow::Result<HyperliquidResponses> {
    if !path.is_dir() {
        return Ok(HyperliquidResponses {
            perp_dexs: None,
            main: read_body(path)?,
            dexes: Vec::new(),
            caps: Vec::new(),
            books: Vec::new(),
        });
    }
    let main = read_body(&path.join(MAIN_FILE))?;
    let (perp_dexs, dexes) = if *selection == DexSelection::MainOnly {
        (None, Vec::new())
    } else {
        let perp_body = read_body(&path.join(PERP_DEXS_FILE))?;
        let names: Vec<String> = match selection {
            DexSelection::All => parse_perp_dexs(&perp_body)?
                .into_iter()
                .map(|d| d.name)
                .collect(),
            DexSelection::Only(names) => names.clone(),
            DexSelection::MainOnly => Vec::new(),
        };
        let dexes = names
            .into_iter()
            .map(|name| {
                let body = read_body(&path.join(dex_file(&name)))?;
                Ok((name, body))
            })
            .collect::<anyhow::Result<Vec<(String, Body)>>>()?;
        (Some(perp_body), dexes)
    };
    let mut caps = Vec::new();
    for dex in std::iter::once("").chain(dexes.iter().map(|(n, _)| n.as_str())) {
        let file = path.join(caps_file(dex));
        if file.is_file() || oi_caps {
            caps.push((dex.to_owned(), read_body(&file)?));
        }
    }
    let mut books = Vec::new();
    let mut entries: Vec<String> = std::fs::read_dir(path)
        .map_err(|e| anyhow::anyhow!("cannot list `{}`: {e}", path.display()))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| book_coin(name).is_some())
        .collect();
    entries.sort();
    for name in entries {
        if let Some(coin) = book_coin(&name) {
            books.push((coin, read_body(&path.join(&name))?));
        }
    }
    Ok(HyperliquidResponses {
        perp_dexs,
        main,
        dexes,
        caps,
        books,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> Body {
        Body::new("test", text.as_bytes().to_vec())
    }

    fn main_only(text: &str) -> HyperliquidResponses {
        HyperliquidResponses {
            perp_dexs: None,
            main: body(text),
            dexes: Vec::new(),
            caps: Vec::new(),
            books: Vec::new(),
        }
    }

    fn find<'a>(markets: &'a [Market], token: &str) -> &'a Market {
        markets
            .iter()
            .find(|m| m.token_symbol == token)
            .unwrap_or_else(|| panic!("{token} missing"))
    }

    fn rejected(text: &str) -> String {
        match parse(&main_only(text)) {
            Ok(m) => panic!("accepted {} markets", m.len()),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn hyperliquid_markets_map_to_canonical() {
        let m = market_symbol("kPEPE");
        assert_eq!(
            (m.base_symbol.as_str(), m.price_scale, m.dex),
            ("PEPE", 1000.0, None)
        );
        let m = market_symbol("BTC");
        assert_eq!((m.base_symbol.as_str(), m.price_scale), ("BTC", 1.0));
        let m = market_symbol("KAITO");
        assert_eq!((m.base_symbol.as_str(), m.price_scale), ("KAITO", 1.0));
        let m = market_symbol("xyz:GOLD");
        assert_eq!(
            (m.base_symbol.as_str(), m.dex.as_deref()),
            ("XAU", Some("xyz"))
        );
        let m = market_symbol("xyz:TSLA");
        assert_eq!(
            (m.base_symbol.as_str(), m.dex.as_deref()),
            ("TSLA", Some("xyz"))
        );
        // SPX on the main dex is the SPX6900 memecoin, not Ostium's S&P 500.
        assert_eq!(market_symbol("SPX").base_symbol, "SPX6900");
        assert_eq!(
            symbols::canonical_symbol("SPX6900").as_deref(),
            Ok("SPX6900")
        );
        assert_ne!(
            symbols::canonical_symbol("US500").expect("valid"),
            market_symbol("SPX").base_symbol
        );
    }

    #[test]
    fn recorded_main_dex_maps_all_225_assets() {
        let markets = parse(&recorded(false)).expect("valid");
        assert_eq!(markets.len(), 225);
        let inactive: Vec<&str> = markets
            .iter()
            .filter(|m| !m.listed)
            .map(|m| m.token_symbol.as_str())
            .collect();
        assert_eq!(inactive.len(), 38);
        for t in ["MATIC", "RNDR", "FTM", "MKR", "HPOS"] {
            assert!(inactive.contains(&t), "{t} should be delisted");
        }
        let btc = find(&markets, "BTC");
        assert_eq!(btc.market_index, Some(0));
        assert_eq!(btc.max_leverage, Some(40));
        assert_eq!(btc.market_name, "BTC/USD");
        assert_eq!(btc.min_position, Some(1e-5));
        assert_eq!(btc.taker_fee_bps, Some(4.5));
        assert_eq!(btc.maker_fee_bps, Some(1.5));
        assert_eq!(btc.group.as_deref(), Some("crypto"));
        assert!(btc.spread_bps.is_some_and(|s| s >= 0.0));
        let oi = btc.open_interest_usd.expect("oi");
        let vol = btc.day_volume_usd.expect("vol");
        assert_eq!(btc.liquidity_usd, Some(oi.min(vol)));
        assert_eq!(btc.metadata["szDecimals"], 5);
        assert_eq!(btc.metadata["marginTableId"], 56);

        let pepe = find(&markets, "kPEPE");
        assert_eq!(pepe.base_symbol, "PEPE");
        assert_eq!(pepe.price_scale, 1000.0);
        assert_eq!(pepe.market_index, Some(15));
        assert_eq!(pepe.current_price, Some(0.005882));
        let oi = pepe.open_interest_usd.expect("oi");
        assert!((oi - 4_382_708_394.0 * 0.005882).abs() < 1e-3);

        assert_eq!(find(&markets, "HYPE").market_index, Some(159));
        let matic = find(&markets, "MATIC");
        assert!(!matic.listed);
        assert_eq!(matic.liquidity_usd, Some(0.0));
        assert_eq!(matic.spread_bps, None);
        let hpos = find(&markets, "HPOS");
        assert_eq!(hpos.metadata["onlyIsolated"], true);
        assert_eq!(hpos.metadata["marginMode"], "strictIsolated");
        assert!(markets.iter().all(|m| m.dex.is_none()));
    }

    #[test]
    fn recorded_xyz_dex_has_hip3_ids_and_scaled_fees() {
        let markets = parse(&recorded(true)).expect("valid");
        assert_eq!(markets.len(), 225 + 31);
        let xyz: Vec<&Market> = markets
            .iter()
            .filter(|m| m.dex.as_deref() == Some("xyz"))
            .collect();
        assert_eq!(xyz.len(), 31);
        let idx = find(&markets, "xyz:XYZ100");
        assert_eq!(idx.market_index, Some(110_000));
        assert_eq!(idx.market_name, "xyz:XYZ100/USD");
        assert_eq!(idx.group.as_deref(), Some("hip3:xyz"));
        let tsla = find(&markets, "xyz:TSLA");
        assert_eq!(tsla.market_index, Some(110_001));
        assert_eq!(tsla.base_symbol, "TSLA");
        // Scale 1.0 doubles the fee, growth mode takes 90 % off: 4.5 × 2 × 0.1.
        assert_eq!(tsla.taker_fee_bps, Some(0.9));
        assert_eq!(tsla.maker_fee_bps, Some(0.3));
        assert_eq!(tsla.metadata["deployer_fee_scale_source"], "dex");
        // No growth mode on GOLD and MSTR: the full doubled fee.
        let gold = find(&markets, "xyz:GOLD");
        assert_eq!(gold.base_symbol, "XAU");
        assert_eq!(gold.taker_fee_bps, Some(9.0));
        assert_eq!(find(&markets, "xyz:MSTR").taker_fee_bps, Some(9.0));
        let delisted: Vec<&str> = xyz
            .iter()
            .filter(|m| !m.listed)
            .map(|m| m.token_symbol.as_str())
            .collect();
        assert_eq!(delisted, ["xyz:COST", "xyz:LLY", "xyz:SKHX", "xyz:TSM"]);
        assert_eq!(
            DexSelection::parse("xyz").expect("ok").scope(),
            Some(vec![String::new(), "xyz".to_owned()])
        );
    }

    #[test]
    fn fee_multiplier_follows_the_documented_formula() {
        assert_eq!(hip3_fee_multiplier(1.0, false), 2.0);
        assert_eq!(hip3_fee_multiplier(0.5, false), 1.5);
        assert_eq!(hip3_fee_multiplier(0.0, false), 1.0);
        assert_eq!(hip3_fee_multiplier(3.0, false), 6.0);
        assert!((hip3_fee_multiplier(1.0, true) - 0.2).abs() < 1e-12);
    }

    #[test]
    fn per_asset_fee_scale_wins_over_the_dex_scale() {
        let dexes = r#"[null,{"name":"abc","deployerFeeScale":"1.0"}]"#;
        let dex = r#"[{"universe":[{"name":"abc:X","szDecimals":1,"maxLeverage":5,"deployerFeeScale":"0.5"}]},
            [{"funding":"0.0","openInterest":"1","dayNtlVlm":"2","markPx":"3"}]]"#;
        let responses = HyperliquidResponses {
            perp_dexs: Some(body(dexes)),
            main: body(&minimal("BTC")),
            dexes: vec![("abc".to_owned(), body(dex))],
            caps: Vec::new(),
            books: Vec::new(),
        };
        let markets = parse(&responses).expect("valid");
        let x = find(&markets, "abc:X");
        assert_eq!(x.taker_fee_bps, Some(6.75));
        assert_eq!(x.market_index, Some(110_000));
        assert_eq!(x.metadata["deployer_fee_scale_source"], "asset");
    }

    fn minimal(name: &str) -> String {
        format!(
            r#"[{{"universe":[{{"name":"{name}","szDecimals":2,"maxLeverage":10}}]}},
            [{{"funding":"0.00001","openInterest":"10","prevDayPx":"1","dayNtlVlm":"100","premium":null,"oraclePx":"2","markPx":"2","midPx":null,"impactPxs":null}}]]"#
        )
    }

    #[test]
    fn nullable_and_missing_ctx_fields_are_accepted() {
        let markets = parse(&main_only(&minimal("FOO"))).expect("valid");
        let m = &markets[0];
        assert_eq!(m.spread_bps, None);
        assert_eq!(m.open_interest_usd, Some(20.0));
        assert_eq!(m.liquidity_usd, Some(20.0));
        assert_eq!(m.metadata["mid_px"], serde_json::Value::Null);
        // Unknown keys anywhere are ignored.
        let extra = minimal("FOO").replace(
            r#""maxLeverage":10"#,
            r#""maxLeverage":10,"newField":{"a":1}"#,
        );
        assert!(parse(&main_only(&extra)).is_ok());
    }

    #[test]
    fn absurd_values_are_rejected() {
        let base = minimal("FOO");
        let cases = [
            (
                base.replace(r#""markPx":"2""#, r#""markPx":"NaN""#),
                "not finite",
            ),
            (
                base.replace(r#""markPx":"2""#, r#""markPx":"inf""#),
                "not finite",
            ),
            (
                base.replace(r#""markPx":"2""#, r#""markPx":"-2""#),
                "negative",
            ),
            (
                base.replace(r#""markPx":"2""#, r#""markPx":"abc""#),
                "not a number",
            ),
            (
                base.replace(r#""markPx":"2""#, r#""markPx":"1e30""#),
                "absurdly large",
            ),
            (
                base.replace(r#""openInterest":"10""#, r#""openInterest":"-10""#),
                "negative",
            ),
            (
                base.replace(r#""funding":"0.00001""#, r#""funding":"NaN""#),
                "not finite",
            ),
            (
                base.replace(r#""maxLeverage":10"#, r#""maxLeverage":-5"#),
                "maxLeverage",
            ),
            (
                base.replace(r#""maxLeverage":10"#, r#""maxLeverage":0"#),
                "maxLeverage",
            ),
            (
                base.replace(r#""szDecimals":2"#, r#""szDecimals":-1"#),
                "szDecimals",
            ),
            (
                base.replace(r#""impactPxs":null"#, r#""impactPxs":["1"]"#),
                "expected 2",
            ),
            (
                base.replace(r#""name":"FOO""#, r#""name":"""#),
                "empty market name",
            ),
            (
                base.replace(r#""name":"FOO""#, r#""name":"F O""#),
                "contains",
            ),
            (
                base.replace(r#""name":"FOO""#, r#""name":"xyz:FOO""#),
                "dex prefix",
            ),
            (
                base.replace(r#""markPx":"2""#, r#""markPx":2"#),
                "invalid response",
            ),
        ];
        for (text, want) in cases {
            let e = rejected(&text);
            assert!(e.contains(want), "want {want:?} in {e}");
            assert!(e.starts_with("HYPERLIQUID `test`: "), "{e}");
        }
    }

    #[test]
    fn shape_faults_are_rejected() {
        assert!(rejected(r#"[{"universe":[]},[]]"#).contains("empty"));
        assert!(rejected("").contains("invalid response"));
        assert!(rejected("not json").contains("invalid response"));
        let full = RECORDED_META_AND_ASSET_CTXS;
        assert!(rejected(&full[..full.len() / 2]).contains("invalid response"));
        assert!(rejected(r#"{"universe":[]}"#).contains("invalid response"));
        let dup = r#"[{"universe":[{"name":"A","szDecimals":1,"maxLeverage":3},{"name":"A","szDecimals":1,"maxLeverage":3}]},
            [{"funding":"0","openInterest":"0","dayNtlVlm":"0","markPx":"1"},{"funding":"0","openInterest":"0","dayNtlVlm":"0","markPx":"1"}]]"#;
        assert!(rejected(dup).contains("duplicate market `A`"));
        let short = r#"[{"universe":[{"name":"A","szDecimals":1,"maxLeverage":3},{"name":"B","szDecimals":1,"maxLeverage":3}]},
            [{"funding":"0","openInterest":"0","dayNtlVlm":"0","markPx":"1"}]]"#;
        assert!(rejected(short).contains("2 universe entries but 1 asset contexts"));
    }

    #[test]
    fn a_hundred_thousand_markets_are_rejected() {
        let n = 100_000;
        let mut universe = Vec::with_capacity(n);
        let mut ctxs = Vec::with_capacity(n);
        for i in 0..n {
            universe.push(json!({"name": format!("C{i}"), "szDecimals": 1, "maxLeverage": 3}));
            ctxs.push(json!({"funding":"0","openInterest":"1","dayNtlVlm":"1","markPx":"1"}));
        }
        let text = serde_json::to_string(&json!([{"universe": universe}, ctxs])).expect("json");
        let e = rejected(&text);
        assert!(e.contains("100000 markets"), "{e}");
    }

    #[test]
    fn dex_selection_and_perp_dexs() {
        assert_eq!(DexSelection::parse(""), Ok(DexSelection::MainOnly));
        assert_eq!(DexSelection::parse("all"), Ok(DexSelection::All));
        assert_eq!(
            DexSelection::parse("xyz, flx,xyz"),
            Ok(DexSelection::Only(vec!["xyz".into(), "flx".into()]))
        );
        assert!(DexSelection::parse("../etc").is_err());
        assert_eq!(DexSelection::All.scope(), None);
        let dexes = parse_perp_dexs(&body(RECORDED_PERP_DEXS)).expect("valid");
        assert_eq!(dexes.len(), 10);
        assert_eq!(dexes[0].name, "xyz");
        assert_eq!(dexes[0].index, 1);
        assert_eq!(dexes[0].deployer_fee_scale, Some(1.0));
        assert!(parse_perp_dexs(&body(r#"[null,{"name":"a"},{"name":"a"}]"#)).is_err());
        assert!(parse_perp_dexs(&body(r#"[null,{"name":"a/b"}]"#)).is_err());
        assert!(parse_perp_dexs(&body(r#"[null,{"name":"a","deployerFeeScale":"-1"}]"#)).is_err());
        // Missing dex-level fee scale (newer responses) is defaulted, not an error.
        assert_eq!(
            parse_perp_dexs(&body(r#"[null,{"name":"a"}]"#)).expect("ok")[0].deployer_fee_scale,
            None
        );
        assert_eq!(
            info_url("https://api.hyperliquid.xyz/"),
            "https://api.hyperliquid.xyz/info"
        );
        assert_eq!(info_url("http://h:1/info"), "http://h:1/info");
    }
}

/// The late-2026 recorded responses (`fixtures/hyperliquid/2026-11`, written
/// from the documented shapes): ten builder dexes, per-asset fee scales,
/// HIP-4 outcome coins, open-interest caps and two order books.
#[cfg(test)]
mod late_2026 {
    use super::*;
    use crate::domain::Side;

    fn dir() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/hyperliquid/2026-11")
    }

    fn responses() -> HyperliquidResponses {
        read_files(&dir(), &DexSelection::All, true).expect("fixtures readable")
    }

    fn find<'a>(markets: &'a [Market], token: &str) -> &'a Market {
        markets
            .iter()
            .find(|m| m.token_symbol == token)
            .unwrap_or_else(|| panic!("{token} missing"))
    }

    fn taker(m: &Market) -> (Option<f64>, Option<f64>) {
        (m.taker_fee_bps, m.cost.close_fee_bps)
    }

    #[test]
    fn every_dex_parses_and_outcome_coins_never_become_markets() {
        let r = responses();
        let dexes = parse_perp_dexs(r.perp_dexs.as_ref().expect("perpDexs")).expect("valid");
        assert_eq!(dexes.len(), 10);
        assert!(dexes.iter().all(|d| d.deployer_fee_scale.is_none()));
        assert_eq!(r.dexes.len(), 10);
        let markets = parse(&r).expect("valid");
        // `#20`, `#21` (main) and `#30` (io) are HIP-4 outcome tokens: skipped.
        assert!(markets.iter().all(|m| !m.token_symbol.starts_with('#')));
        let main: Vec<&str> = markets
            .iter()
            .filter(|m| m.dex.is_none())
            .map(|m| m.token_symbol.as_str())
            .collect();
        assert_eq!(main, ["BTC", "ETH", "SOL", "MATIC", "HYPE", "kPEPE"]);
        // Asset ids stay positional: io is dex 10, its first asset 100000 + 10·10000.
        assert_eq!(find(&markets, "io:ANTHROPIC").market_index, Some(200_000));
        assert_eq!(find(&markets, "kPEPE").market_index, Some(5));
        // The same token on two dexes: BTC on the main dex and on hyna (dex 4).
        let hyna = find(&markets, "hyna:BTC");
        assert_eq!(
            (
                hyna.base_symbol.as_str(),
                hyna.dex.as_deref(),
                hyna.market_index
            ),
            ("BTC", Some("hyna"), Some(140_000))
        );
        assert_eq!(find(&markets, "BTC").market_index, Some(0));
        assert_eq!(find(&markets, "xyz:TSLA").base_symbol, "TSLA");
        assert_eq!(find(&markets, "flx:TSLA").base_symbol, "TSLA");
        // Dexes whose every market is delisted.
        for dex in ["vntl", "abcd", "para", "mkts"] {
            let of_dex: Vec<&Market> = markets
                .iter()
                .filter(|m| m.dex.as_deref() == Some(dex))
                .collect();
            assert!(!of_dex.is_empty(), "{dex}");
            assert!(of_dex.iter().all(|m| !m.listed), "{dex}");
        }
    }

    #[test]
    fn fees_follow_the_per_asset_fee_scale_and_growth_mode() {
        let markets = parse(&responses()).expect("valid");
        // Main dex: the base tier both ways, 4.5 bps.
        assert_eq!(taker(find(&markets, "BTC")), (Some(4.5), Some(4.5)));
        // hyna:BTC, per-asset scale 0.25 < 1 → × (0.25 + 1) = 1.25, growth mode
        // × 0.1 → 0.125; 4.5 × 0.125 = 0.5625 bps each way.
        let hyna = find(&markets, "hyna:BTC");
        assert_eq!(taker(hyna), (Some(0.5625), Some(0.5625)));
        let Some(CostModel {
            fees: FeeRule::Taker { components, .. },
            impact: ImpactModel::OrderBook,
        }) = &hyna.cost.model
        else {
            panic!("{:?}", hyna.cost.model);
        };
        assert_eq!(components.deployer_fee_scale, Some(0.25));
        assert_eq!(components.fee_scale_source.as_deref(), Some("asset"));
        assert!(components.growth_mode);
        assert_eq!(components.multiplier, 0.125);
        // xyz:GOLD, scale 0.5, no growth mode: × 1.5 → 6.75 bps.
        assert_eq!(taker(find(&markets, "xyz:GOLD")), (Some(6.75), Some(6.75)));
        // flx:TSLA, scale 2.0 ≥ 1 → × 2·2 = 4 → 18 bps.
        assert_eq!(taker(find(&markets, "flx:TSLA")), (Some(18.0), Some(18.0)));
        // xyz:TSLA, scale 1.0 → × 2, growth → × 0.2 → 0.9 bps.
        assert_eq!(taker(find(&markets, "xyz:TSLA")), (Some(0.9), Some(0.9)));
        // cash:HOOD publishes no scale (neither asset nor dex): 1.0 by default.
        let hood = find(&markets, "cash:HOOD");
        assert_eq!(taker(hood), (Some(0.9), Some(0.9)));
        assert_eq!(hood.metadata["deployer_fee_scale_source"], "default");
    }

    #[test]
    fn capped_markets_have_no_capacity_on_either_side() {
        let markets = parse(&responses()).expect("valid");
        let sol = find(&markets, "SOL");
        assert_eq!(sol.cost.at_open_interest_cap, Some(true));
        assert_eq!(sol.cost.capacity_usd(Side::Long), Some(0.0));
        assert_eq!(sol.cost.capacity_usd(Side::Short), Some(0.0));
        let nvda = find(&markets, "xyz:NVDA");
        assert_eq!(nvda.cost.at_open_interest_cap, Some(true));
        assert_eq!(nvda.cost.short_capacity_usd, Some(0.0));
        let btc = find(&markets, "BTC");
        assert_eq!(btc.cost.at_open_interest_cap, Some(false));
        assert_eq!(btc.cost.long_capacity_usd, None);
        // Another dex's list does not cap km:NVDA.
        assert_eq!(
            find(&markets, "km:NVDA").cost.at_open_interest_cap,
            Some(false)
        );
        // Without --oi-caps nothing is known.
        let mut r = responses();
        r.caps.clear();
        let markets = parse(&r).expect("valid");
        assert_eq!(find(&markets, "SOL").cost.at_open_interest_cap, None);
        assert_eq!(find(&markets, "SOL").cost.long_capacity_usd, None);
    }

    #[test]
    fn order_books_become_depth_curves() {
        let markets = parse(&responses()).expect("valid");
        let depth = find(&markets, "BTC").cost.depth.clone().expect("BTC book");
        assert_eq!((depth.best_bid, depth.best_ask), (101_250.0, 101_251.0));
        assert_eq!((depth.bids.len(), depth.asks.len()), (4, 4));
        // First ask level: 1.1 × 101251 = 111376.1 at the touch.
        assert_eq!(depth.asks[0], [111_376.1, 0.0]);
        assert_eq!(
            depth.observed_at,
            DateTime::from_timestamp_millis(1_795_017_600_000).expect("time")
        );
        assert!(find(&markets, "hyna:BTC").cost.depth.is_some());
        assert!(find(&markets, "ETH").cost.depth.is_none());
        // The January capture has neither caps nor books.
        let jan = parse(&recorded(true)).expect("valid");
        assert!(
            jan.iter()
                .all(|m| m.cost.depth.is_none() && m.cost.at_open_interest_cap.is_none())
        );
    }

    /// Issue 21, finding 8: an `l2Book` answered with `null` leaves that
    /// book out; the other books and every market still sync. A malformed
    /// book is still rejected.
    #[test]
    fn a_null_book_is_left_out() {
        let body = |t: &str| Body::new("test", t.as_bytes().to_vec());
        let mut r = responses();
        let at = r
            .books
            .iter()
            .position(|(coin, _)| coin == "hyna:BTC")
            .expect("hyna:BTC book");
        r.books[at].1 = body("null");
        let markets = parse(&r).expect("valid");
        assert!(find(&markets, "hyna:BTC").cost.depth.is_none());
        assert!(find(&markets, "BTC").cost.depth.is_some());
        r.books[at].1 = body("[]");
        assert!(parse(&r).is_err());
    }

    /// Issue 21, finding 7: `funding_rate` holds what longs pay per hour,
    /// Hyperliquid's own sign (`funding` > 0: longs pay shorts), unchanged.
    #[test]
    fn funding_is_stored_as_what_longs_pay() {
        let markets = parse(&recorded(false)).expect("valid");
        let text = RECORDED_META_AND_ASSET_CTXS;
        let tuple: serde_json::Value = serde_json::from_str(text).expect("json");
        let btc_funding: f64 = tuple[1][0]["funding"]
            .as_str()
            .expect("string")
            .parse()
            .expect("number");
        assert_eq!(find(&markets, "BTC").funding_rate, Some(btc_funding));
        assert!(btc_funding != 0.0);
    }

    #[test]
    fn malformed_caps_and_books_are_rejected() {
        let body = |t: &str| Body::new("test", t.as_bytes().to_vec());
        let mut r = responses();
        r.caps[0].1 = body(r#"{"coins":["SOL"]}"#);
        assert!(parse(&r).is_err());
        let mut r = responses();
        r.books.push((
            "NOPE".to_owned(),
            body(r#"{"coin":"NOPE","time":1,"levels":[[{"px":"1","sz":"1","n":1}],[{"px":"2","sz":"1","n":1}]]}"#),
        ));
        assert!(
            parse(&r)
                .expect_err("unknown coin")
                .to_string()
                .contains("no synced dex lists")
        );
        let crossed = r#"{"coin":"ETH","time":1,"levels":[[{"px":"3","sz":"1","n":1}],[{"px":"2","sz":"1","n":1}]]}"#;
        assert!(parse_book("ETH", &body(crossed)).is_err());
        let other = r#"{"coin":"BTC","time":1,"levels":[[],[]]}"#;
        assert!(parse_book("ETH", &body(other)).is_err());
        let nan = r#"{"coin":"ETH","time":1,"levels":[[{"px":"NaN","sz":"1","n":1}],[]]}"#;
        assert!(parse_book("ETH", &body(nan)).is_err());
        // One empty side: no curve, not an error.
        let one_sided = r#"{"coin":"ETH","time":1,"levels":[[{"px":"3","sz":"1","n":1}],[]]}"#;
        assert_eq!(parse_book("ETH", &body(one_sided)).expect("valid"), None);
        assert_eq!(book_file("xyz:TSLA"), "l2Book.xyz%3ATSLA.json");
        assert_eq!(
            book_coin("l2Book.xyz%3ATSLA.json").as_deref(),
            Some("xyz:TSLA")
        );
        assert_eq!(book_coin(&book_file("../etc")).as_deref(), Some("../etc"));
        assert!(!book_file("../etc").contains('/'));
    }

    #[test]
    fn books_fit_the_request_weight_budget() {
        // Main dex only: 1200 − 20 = 1180 weight → 590 books.
        assert_eq!(book_budget(1, 10_000), 590);
        assert_eq!(book_budget(1, 50), 50);
        // perpDexs + main + 10 dexes + 11 cap lists = 23 requests: 740 left → 370 books.
        assert_eq!(book_budget(23, 1000), 370);
        assert_eq!(book_budget(61, 1000), 0);
        let markets = parse(&responses()).expect("valid");
        let demand = vec!["BTC".to_owned(), "TSLA".to_owned(), "NOPE".to_owned()];
        // Main dex first, then builder dexes by name; delisted markets never.
        assert_eq!(
            book_coins(&markets, &demand, 10),
            ["BTC", "hyna:BTC", "flx:TSLA", "xyz:TSLA"]
        );
        assert_eq!(book_coins(&markets, &demand, 1), ["BTC"]);
    }
}
