//! Hyperliquid's replies checked and mapped to [`Market`] rows: the
//! `perpDexs` list, each dex's `metaAndAssetCtxs` (one market per asset,
//! [`map_asset`] by field group), the open-interest cap lists and the order
//! books.

use std::collections::{HashMap, HashSet};

use chrono::DateTime;
use serde_json::json;

use super::wire::{AssetCtx, AssetMeta, L2BookWire, Meta, PerpDexWire};
use super::{
    DEFAULT_DEPLOYER_FEE_SCALE, GROWTH_MODE_FACTOR, HyperliquidResponses, MAKER_FEE_BPS,
    TAKER_FEE_BPS, VENUE, check_dex_name, is_outcome_coin, market_symbol,
};
use crate::domain::cost::{
    CostModel, DepthCurve, FeeComponents, FeeRule, ImpactModel, MAX_DEPTH_LEVELS, MarketCost,
};
use crate::domain::{Market, MarketFigures};
use crate::venues::check::{
    Decimal, MAX_MARKETS, check_markets, check_name, decimal, list_len, non_negative, round9, show,
};
use crate::venues::http::{Body, VenueError, one_line};

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
    list_len("perp dexes", raw.len(), 10_000).map_err(|m| VenueError::rejected(VENUE, body, m))?;
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

pub(super) fn fee_scale(d: &Decimal, market: &str) -> Result<f64, String> {
    let s = d.value("deployerFeeScale", market)?;
    if !(0.0..=100.0).contains(&s) {
        return Err(format!(
            "`deployerFeeScale` of `{market}` is {}, not in 0..=100",
            show(s)
        ));
    }
    Ok(s)
}

pub(super) fn unknown_dex(name: &str, listed: &[PerpDex]) -> String {
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
    list_len("markets across all dexes", markets.len(), MAX_MARKETS)
        .map_err(|m| VenueError::rejected(VENUE, &responses.main, m))?;
    check_markets(VENUE, &markets).map_err(|m| VenueError::rejected(VENUE, &responses.main, m))?;
    Ok(markets)
}

/// Parses one `metaAndAssetCtxs` reply (`dex` = `None` for the main dex).
pub(super) fn parse_dex(body: &Body, dex: Option<&PerpDex>) -> Result<Vec<Market>, VenueError> {
    let (meta, ctxs): (Meta, Vec<AssetCtx>) =
        serde_json::from_slice(&body.bytes).map_err(|e| VenueError::json(VENUE, body, &e))?;
    let reject = |m: String| VenueError::rejected(VENUE, body, m);
    let n = meta.universe.len();
    if n == 0 {
        return Err(reject("the universe (market list) is empty".to_owned()));
    }
    let cap = if dex.is_some() { 10_000 } else { MAX_MARKETS };
    list_len("markets in one response", n, cap).map_err(&reject)?;
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
pub(super) fn apply_caps(
    markets: &mut [Market],
    dex: &str,
    body: &Body,
    responses: &HyperliquidResponses,
) -> Result<(), VenueError> {
    let coins: Vec<String> =
        serde_json::from_slice(&body.bytes).map_err(|e| VenueError::json(VENUE, body, &e))?;
    list_len("coins at their open-interest cap", coins.len(), MAX_MARKETS)
        .map_err(|m| VenueError::rejected(VENUE, body, m))?;
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
            one_line(&wire.coin, 40)
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

/// HIP-3 fee multiplier for a deployer fee scale `s`: `s + 1` below 1,
/// else `2s`, × [`GROWTH_MODE_FACTOR`] in growth mode (HL-docs
/// `trading/fees.md`, "Fee formula for developers").
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

/// One `universe[]` entry with its asset context as a [`Market`]: identity,
/// sizes and leverage, market figures, asset id, fees, then the row.
pub(super) fn map_asset(
    index: usize,
    asset: &AssetMeta,
    ctx: &AssetCtx,
    dex: Option<&PerpDex>,
) -> Result<Market, String> {
    let name = asset.name.as_str();
    check_identity(name, dex)?;
    check_sizes(name, asset)?;
    let figures = Figures::read(name, ctx)?;
    let asset_id = asset_id(index, name, dex)?;
    let fees = Fees::of(name, asset, dex)?;
    let listed = !asset.is_delisted;
    let symbol = market_symbol(name);
    let sz = i32::try_from(asset.sz_decimals).unwrap_or(0);
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
        current_price: Some(figures.mark),
        figures: MarketFigures {
            liquidity_usd: Some(figures.liquidity_usd(listed)),
            open_interest_usd: Some(figures.open_interest_usd()),
            long_open_interest_usd: None,
            short_open_interest_usd: None,
            max_open_interest_usd: None,
            day_volume_usd: Some(figures.day_volume),
            spread_bps: figures.spread_bps,
            taker_fee_bps: Some(fees.taker_bps()),
        },
        maker_fee_bps: Some(fees.maker_bps()),
        funding_rate: Some(figures.funding),
        metadata: metadata(asset, dex, asset_id, &fees, &figures),
        cost: fees.cost(),
    })
}

/// The name under the one rule, with the `dex:` prefix exactly when the
/// market is on a builder dex.
fn check_identity(name: &str, dex: Option<&PerpDex>) -> Result<(), String> {
    match name.split_once(':') {
        Some((dex, asset_name)) => {
            check_name("dex name", dex)?;
            check_name("market name", asset_name)?;
        }
        None => check_name("market name", name)?,
    }
    match dex {
        None if name.contains(':') => Err(format!("main-dex market `{name}` carries a dex prefix")),
        Some(d) if !name.starts_with(&format!("{}:", d.name)) => Err(format!(
            "market `{name}` of dex `{}` lacks the `{}:` prefix",
            d.name, d.name
        )),
        _ => Ok(()),
    }
}

/// Size decimals and max leverage within what Hyperliquid lists.
fn check_sizes(name: &str, asset: &AssetMeta) -> Result<(), String> {
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
    Ok(())
}

/// The asset context's figures, checked: prices, open interest, volume,
/// funding and the impact spread.
struct Figures {
    mark: f64,
    oi_coins: f64,
    day_volume: f64,
    funding: f64,
    oracle: Option<f64>,
    mid: Option<f64>,
    premium: Option<f64>,
    prev_day: Option<f64>,
    day_base: Option<f64>,
    spread_bps: Option<f64>,
}

impl Figures {
    fn read(name: &str, ctx: &AssetCtx) -> Result<Figures, String> {
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
        Ok(Figures {
            mark,
            oi_coins,
            day_volume,
            funding,
            oracle,
            mid,
            premium,
            prev_day,
            day_base,
            spread_bps: impact_spread_bps(name, ctx, mark)?,
        })
    }

    /// `openInterest` (coins) × `markPx`.
    fn open_interest_usd(&self) -> f64 {
        self.oi_coins * self.mark
    }

    /// What the market both holds open and turned over in 24 h; 0 delisted.
    fn liquidity_usd(&self, listed: bool) -> f64 {
        if listed {
            self.open_interest_usd().min(self.day_volume)
        } else {
            0.0
        }
    }
}

/// (impact ask − impact bid) / mark × 10⁴, when `impactPxs` is given.
fn impact_spread_bps(name: &str, ctx: &AssetCtx, mark: f64) -> Result<Option<f64>, String> {
    match &ctx.impact_pxs {
        None => Ok(None),
        Some(v) if v.len() == 2 => {
            let bid = non_negative("impactPxs[0]", name, &v[0])?;
            let ask = non_negative("impactPxs[1]", name, &v[1])?;
            Ok((mark > 0.0 && ask >= bid).then(|| (ask - bid) / mark * 1e4))
        }
        Some(v) => Err(format!(
            "`impactPxs` of `{name}` has {} prices, expected 2",
            v.len()
        )),
    }
}

/// The asset id: the universe index on the main dex,
/// `100000 + perp_dex_index × 10000 + index` on a builder dex.
fn asset_id(index: usize, name: &str, dex: Option<&PerpDex>) -> Result<i32, String> {
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
    i32::try_from(asset_id).map_err(|_| format!("asset id of `{name}` overflows"))
}

/// The base tier's fees, scaled on a builder dex by its deployer fee scale.
struct Fees {
    multiplier: f64,
    scale: Option<f64>,
    /// Where the scale came from: `asset`, `dex` or `default`.
    scale_source: Option<&'static str>,
    /// Growth mode of a builder-dex market.
    growth_mode: bool,
}

impl Fees {
    fn of(name: &str, asset: &AssetMeta, dex: Option<&PerpDex>) -> Result<Fees, String> {
        let growth = asset.growth_mode.as_deref() == Some("enabled");
        let Some(d) = dex else {
            return Ok(Fees {
                multiplier: 1.0,
                scale: None,
                scale_source: None,
                growth_mode: false,
            });
        };
        let (scale, source) = match (&asset.deployer_fee_scale, d.deployer_fee_scale) {
            (Some(s), _) => (fee_scale(s, name)?, "asset"),
            (None, Some(s)) => (s, "dex"),
            (None, None) => (DEFAULT_DEPLOYER_FEE_SCALE, "default"),
        };
        Ok(Fees {
            multiplier: hip3_fee_multiplier(scale, growth),
            scale: Some(scale),
            scale_source: Some(source),
            growth_mode: growth,
        })
    }

    fn taker_bps(&self) -> f64 {
        round9(TAKER_FEE_BPS * self.multiplier)
    }

    fn maker_bps(&self) -> f64 {
        round9(MAKER_FEE_BPS * self.multiplier)
    }

    /// The taker rate both ways (closing is another taker order at the same
    /// rate), its parts, priced on the order book.
    fn cost(&self) -> MarketCost {
        let taker_bps = self.taker_bps();
        MarketCost {
            close_fee_bps: Some(taker_bps),
            model: Some(CostModel {
                fees: FeeRule::Taker {
                    taker_bps,
                    close_bps: taker_bps,
                    components: FeeComponents {
                        base_taker_bps: TAKER_FEE_BPS,
                        multiplier: round9(self.multiplier),
                        deployer_fee_scale: self.scale,
                        fee_scale_source: self.scale_source.map(str::to_owned),
                        growth_mode: self.growth_mode,
                    },
                },
                impact: ImpactModel::OrderBook,
            }),
            ..MarketCost::default()
        }
    }
}

/// What the row keeps beside its columns: the venue's raw fields and how
/// the id and fees were derived.
fn metadata(
    asset: &AssetMeta,
    dex: Option<&PerpDex>,
    asset_id: i32,
    fees: &Fees,
    figures: &Figures,
) -> serde_json::Value {
    json!({
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
        "deployer_fee_scale": fees.scale,
        "deployer_fee_scale_source": fees.scale_source,
        "min_position_unit": "coin",
        "open_interest_coins": figures.oi_coins,
        "oracle_px": figures.oracle,
        "mid_px": figures.mid,
        "premium": figures.premium,
        "prev_day_px": figures.prev_day,
        "day_base_volume": figures.day_base,
    })
}
