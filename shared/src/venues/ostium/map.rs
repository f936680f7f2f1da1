//! Ostium's replies checked and mapped to [`Market`] rows: the pairs, the
//! price feeds and the dynamic-spread fields joined per pair, each pair
//! mapped by field group ([`map_pair`]).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde_json::json;

use super::wire::{Envelope, Group, ImpactEnvelope, Pair, PriceFeed};
use super::{OstiumResponses, PAIRS_PAGE, VENUE, market_symbol, token_symbol};
use crate::domain::cost::{CostModel, DynamicSpread, FeeRule, ImpactModel, MarketCost};
use crate::domain::{Market, MarketFigures};
use crate::venues::check::{
    MAX_LEVERAGE, MAX_MARKETS, check_label, check_markets, check_name, decimal, list_len,
    non_negative, round9, show, show_raw,
};
use crate::venues::http::{Body, VenueError, one_line};

/// Parses the `pairImpact` reply into each pair's dynamic spread (pairs with
/// `priceImpactK` 0 have none: the contract fills them at the bid/ask). A
/// reply with GraphQL errors or without data gives none at all (logged);
/// present values must be sane numbers.
pub(super) fn parse_impact(body: &Body) -> Result<HashMap<u32, DynamicSpread>, VenueError> {
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
    list_len("pairs", pairs.len(), MAX_MARKETS).map_err(&reject_pairs)?;
    if pairs.len() >= PAIRS_PAGE {
        return Err(reject_pairs(format!(
            "{} pairs: the `first: {PAIRS_PAGE}` page is full, so the list may be truncated",
            pairs.len()
        )));
    }

    let feeds: Vec<PriceFeed> = serde_json::from_slice(&prices_body.bytes)
        .map_err(|e| VenueError::json(VENUE, prices_body, &e))?;
    let reject_prices = |m: String| VenueError::rejected(VENUE, prices_body, m);
    list_len("price feeds", feeds.len(), MAX_MARKETS).map_err(&reject_prices)?;
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
                .map(|s| decimal(field, market, s))
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

    /// Whether the group is capped at 0 % of the vault: no order opens in it.
    fn is_full(&self) -> bool {
        self.max_collateral_pct == Some(0.0)
    }

    /// What the group's cap does to the market's capacity, in words
    /// (`venue_markets.capacity_limit`, appended to capacity refusals).
    fn limit(&self, name: &str) -> String {
        match self.max_collateral_pct {
            Some(0.0) => {
                format!("group `{name}` at its collateral cap (maxCollateralP 0 % of the vault)")
            }
            Some(p) => format!(
                "group `{name}` collateral cap unknown ({} % of the vault balance, not in the \
subgraph reply)",
                show(p)
            ),
            None => format!(
                "group `{name}` collateral cap unknown (no maxCollateralP in the subgraph reply)"
            ),
        }
    }
}

/// One pair, with its price feed and dynamic spread, as a [`Market`]:
/// identity, leverage, fees, open interest, limits, the feed, the group's
/// collateral cap; then price, exposure, cost and the row.
pub(super) fn map_pair(
    id: u32,
    pair: &Pair,
    feed: Option<&PriceFeed>,
    dynamic: Option<DynamicSpread>,
    observed_at: DateTime<Utc>,
) -> Result<Market, String> {
    let (from, to) = identity(id, pair)?;
    let name = format!("{from}/{to}");
    let n = name.as_str();
    let leverage = Leverage::read(n, pair)?;
    let (taker, maker) = fees(n, pair)?;
    let oi = OpenInterest::read(n, pair)?;
    let limits = Limits::read(n, pair)?;
    if let Some(f) = feed {
        check_feed(n, f)?;
    }
    let group = GroupCollateral::read(&pair.group, n)?;
    let (price, price_source) = match (feed, oi.last_trade) {
        (Some(f), _) => (Some(f.mid), "feed"),
        (None, Some(p)) if p > 0.0 => (Some(p), "lastTradePrice"),
        _ => (None, "none"),
    };
    let exposure = Exposure::of(&oi, price, feed.is_some(), &group);
    let cost = MarketCost {
        close_fee_bps: Some(0.0),
        long_capacity_usd: exposure.long_capacity,
        short_capacity_usd: exposure.short_capacity,
        capacity_limit: Some(group.limit(&pair.group.name)),
        at_open_interest_cap: None,
        overnight_max_leverage: limits.overnight.filter(|l| *l > 0.0),
        day_trading_closed: feed.and_then(|f| f.is_day_trading_closed),
        day_trading_toggle_at: feed.and_then(|f| day_trading_toggle_at(f, observed_at)),
        // Without a price the pair is inactive and never priced.
        model: feed.map(|f| cost_model(f, taker, maker, limits.maker_max, dynamic)),
        depth: None,
    };
    let symbol = market_symbol(&from, &to);
    let metadata = metadata(
        id,
        pair,
        feed,
        &leverage,
        &limits,
        &oi,
        &group,
        price_source,
    );
    #[allow(clippy::cast_possible_truncation)]
    let max_leverage = leverage.effective.floor() as i32;
    Ok(Market {
        venue: VENUE,
        token_symbol: token_symbol(&from, &to),
        market_name: name.clone(),
        market_index: i32::try_from(id).ok(),
        base_symbol: symbol.base_symbol,
        quote_symbol: symbol.quote_symbol,
        price_scale: symbol.price_scale,
        dex: None,
        listed: feed.is_some(),
        market_open: feed.map(|f| f.is_market_open),
        market_status_at: feed.map(|_| observed_at),
        min_position: limits.min_lev_pos,
        max_leverage: Some(max_leverage),
        group: Some(pair.group.name.clone()),
        current_price: price,
        figures: MarketFigures {
            liquidity_usd: exposure.liquidity,
            open_interest_usd: exposure
                .long_usd
                .zip(exposure.short_usd)
                .map(|(l, s)| l + s),
            long_open_interest_usd: exposure.long_usd,
            short_open_interest_usd: exposure.short_usd,
            max_open_interest_usd: Some(oi.max_usd),
            day_volume_usd: None,
            spread_bps: feed.map(|f| (f.ask - f.bid) / f.mid * 1e4),
            taker_fee_bps: Some(taker),
        },
        maker_fee_bps: Some(maker),
        funding_rate: None,
        metadata,
        cost,
    })
}

/// The pair's names under the one rule, its feed id and group name;
/// `from` and `to` upper-cased.
fn identity(id: u32, pair: &Pair) -> Result<(String, String), String> {
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
    Ok((
        pair.from.trim().to_ascii_uppercase(),
        pair.to.trim().to_ascii_uppercase(),
    ))
}

/// Max leverage: the pair's when non-zero, else the group's, ÷100.
struct Leverage {
    pair_max: f64,
    group_max: f64,
    effective: f64,
}

impl Leverage {
    fn read(n: &str, pair: &Pair) -> Result<Leverage, String> {
        let pair_max = scaled("maxLeverage", n, &pair.max_leverage, 100.0)?;
        let group_max = scaled("group.maxLeverage", n, &pair.group.max_leverage, 100.0)?;
        let effective = if pair_max > 0.0 { pair_max } else { group_max };
        if !(1.0..=MAX_LEVERAGE).contains(&effective) {
            return Err(format!(
                "effective max leverage of `{n}` is {}× (pair {}, group {}), not in 1..=1000",
                show(effective),
                show_raw(&pair.max_leverage),
                show_raw(&pair.group.max_leverage)
            ));
        }
        Ok(Leverage {
            pair_max,
            group_max,
            effective,
        })
    }
}

/// Taker and maker fees in bps: `takerFeeP` / `makerFeeP` are 1e-6 percent.
fn fees(n: &str, pair: &Pair) -> Result<(f64, f64), String> {
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
    Ok((taker, maker))
}

/// Open interest in base units (÷1e18), the cap in USD (÷1e6) and the last
/// trade price (÷1e18).
struct OpenInterest {
    long_units: f64,
    short_units: f64,
    max_usd: f64,
    last_trade: Option<f64>,
}

impl OpenInterest {
    fn read(n: &str, pair: &Pair) -> Result<OpenInterest, String> {
        Ok(OpenInterest {
            long_units: scaled("longOI", n, &pair.long_oi, 1e18)?,
            short_units: scaled("shortOI", n, &pair.short_oi, 1e18)?,
            max_usd: scaled("maxOI", n, &pair.max_oi, 1e6)?,
            last_trade: pair
                .last_trade_price
                .as_deref()
                .map(|s| scaled("lastTradePrice", n, s, 1e18))
                .transpose()?,
        })
    }
}

/// The pair's optional limits: overnight and maker leverage, the group's
/// minimum leverage, the minimum leveraged position (USD).
struct Limits {
    overnight: Option<f64>,
    maker_max: Option<f64>,
    group_min: Option<f64>,
    min_lev_pos: Option<f64>,
}

impl Limits {
    fn read(n: &str, pair: &Pair) -> Result<Limits, String> {
        let opt = |field: &str, v: &Option<String>, d: f64| -> Result<Option<f64>, String> {
            v.as_deref().map(|s| scaled(field, n, s, d)).transpose()
        };
        Ok(Limits {
            overnight: opt("overnightMaxLeverage", &pair.overnight_max_leverage, 100.0)?,
            maker_max: opt("makerMaxLeverage", &pair.maker_max_leverage, 100.0)?,
            group_min: opt("group.minLeverage", &pair.group.min_leverage, 100.0)?,
            min_lev_pos: opt(
                "fee.minLevPos",
                &pair.fee.as_ref().and_then(|f| f.min_lev_pos.clone()),
                1e6,
            )?,
        })
    }
}

/// A feed's bid, mid and ask: positive prices, not crossed.
fn check_feed(n: &str, f: &PriceFeed) -> Result<(), String> {
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
    Ok(())
}

/// Open interest in USD and the room left, per side and for either side.
struct Exposure {
    long_usd: Option<f64>,
    short_usd: Option<f64>,
    /// Remaining capacity for a trade on either side; 0 when inactive.
    liquidity: Option<f64>,
    long_capacity: Option<f64>,
    short_capacity: Option<f64>,
}

impl Exposure {
    fn of(
        oi: &OpenInterest,
        price: Option<f64>,
        listed: bool,
        group: &GroupCollateral,
    ) -> Exposure {
        // Open interest is stored in base units (`longOI`/`shortOI` ÷ 1e18) and
        // is worth units × price for EVERY pair, `USD/JPY` and `NIK/JPY` alike:
        // that is the figure the contract holds against the cap
        // (`0xOstium/smart-contracts-public`, `src/lib/TradingCallbacksLib.sol`,
        // `withinExposureLimits`: `openInterest(pair, side) * price / 1e18 / 1e12
        // + collateral * leverage / 100 <= openInterest(pair, 2)`; `registerTrade`
        // in `src/OstiumTradingCallbacks.sol` adds collateral × leverage ÷ open
        // price to it), so no FX conversion applies.
        let to_usd = |units: f64| -> Option<f64> { price.map(|p| units * p) };
        let long_usd = to_usd(oi.long_units);
        let short_usd = to_usd(oi.short_units);
        let liquidity = match (long_usd, short_usd) {
            (Some(l), Some(s)) if listed => Some((oi.max_usd - l.max(s)).max(0.0)),
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
        let group_full = group.is_full();
        let capacity = |side: Option<f64>| -> Option<f64> {
            if listed && group_full {
                return Some(0.0);
            }
            side.map(|used| {
                if listed {
                    (oi.max_usd - used).max(0.0)
                } else {
                    0.0
                }
            })
        };
        Exposure {
            long_usd,
            short_usd,
            liquidity,
            long_capacity: capacity(long_usd),
            short_capacity: capacity(short_usd),
        }
    }
}

/// When day trading opens or closes next. The countdown is as of the
/// entry's own time (entries of closed markets stay frozen at their last
/// update: the January capture's stocks say 1 s at 15:59:59 ET), so the
/// toggle time is the entry's time plus the countdown; −1 means it never
/// toggles (crypto).
fn day_trading_toggle_at(f: &PriceFeed, observed_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let secs = f
        .seconds_to_toggle_is_day_trading_closed
        .filter(|s| *s >= 0)?;
    let base = f
        .timestamp_seconds
        .and_then(|t| DateTime::from_timestamp(t, 0))
        .unwrap_or(observed_at);
    base.checked_add_signed(chrono::TimeDelta::seconds(secs))
}

/// The opening fee rule (maker on the part that reduces the imbalance, taker
/// on the rest, no closing fee) and the oracle quote with its dynamic spread.
fn cost_model(
    f: &PriceFeed,
    taker: f64,
    maker: f64,
    maker_max: Option<f64>,
    dynamic: Option<DynamicSpread>,
) -> CostModel {
    CostModel {
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
    }
}

/// What the row keeps beside its columns: ids, the raw leverage, open
/// interest, group and feed figures.
#[allow(clippy::too_many_arguments)]
fn metadata(
    id: u32,
    pair: &Pair,
    feed: Option<&PriceFeed>,
    leverage: &Leverage,
    limits: &Limits,
    oi: &OpenInterest,
    group: &GroupCollateral,
    price_source: &str,
) -> serde_json::Value {
    json!({
        "pair_id": id,
        "feed": pair.feed,
        "group_id": pair.group.id,
        "group_max_collateral_pct": group.max_collateral_pct,
        "group_long_collateral_usd": group.long_usd,
        "group_short_collateral_usd": group.short_usd,
        "group_collateral_cap_usd": if group.is_full() { Some(0.0) } else { None },
        "max_leverage_exact": leverage.effective,
        "pair_max_leverage": leverage.pair_max,
        "group_max_leverage": leverage.group_max,
        "group_min_leverage": limits.group_min,
        "overnight_max_leverage": limits.overnight,
        "maker_max_leverage": limits.maker_max,
        "min_lev_pos_usd": limits.min_lev_pos,
        "long_oi_units": oi.long_units,
        "short_oi_units": oi.short_units,
        "last_trade_price": oi.last_trade,
        "price_source": price_source,
        "no_price_feed": feed.is_none(),
        "is_day_trading_closed": feed.and_then(|f| f.is_day_trading_closed),
        "seconds_to_toggle_day_trading": feed.and_then(|f| f.seconds_to_toggle_is_day_trading_closed),
        "price_timestamp": feed.and_then(|f| f.timestamp_seconds),
        "bid": feed.map(|f| f.bid),
        "ask": feed.map(|f| f.ask),
    })
}
