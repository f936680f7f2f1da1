//! What an order costs on a market, and whether the market can take it: the
//! typed figures a sync stores with each market (`venue_markets.cost_model`,
//! `depth_curve`, `close_fee_bps`, the per-side capacities and the
//! day-trading columns, migration V11) and the pure arithmetic that prices an
//! order from them.
//!
//! Venue modules fill these types from their own documented rules (fee
//! tiers, deployer fee scales, order books, oracle spreads); routing reads
//! only the types, never a venue name. A venue that cannot provide a figure
//! leaves it `None` and routing falls back as documented in docs/routing.md
//! ("Cost model"). All amounts are USD, all rates basis points of notional
//! (1 bp = 0.01 %).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::side::Side;

/// Most depth levels kept per side (Hyperliquid's `l2Book` returns at most 20).
pub const MAX_DEPTH_LEVELS: usize = 100;

/// The cost and capacity figures of one market, as a sync maps them. Every
/// field is optional: `MarketCost::default()` means "nothing known".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MarketCost {
    /// Fee to close a position, bps of notional (`venue_markets.close_fee_bps`).
    pub close_fee_bps: Option<f64>,
    /// Notional a new LONG may still open before the market's open-interest
    /// cap; 0 at the cap; `None` when no cap is known.
    pub long_capacity_usd: Option<f64>,
    /// As `long_capacity_usd`, for SHORT.
    pub short_capacity_usd: Option<f64>,
    /// What else bounds the capacity figures, in words, and which bound is
    /// unknown (Ostium: the pair's group collateral cap); appended to a
    /// capacity refusal's reason. `None`: nothing beyond the figures.
    #[serde(default)]
    pub capacity_limit: Option<String>,
    /// The venue lists the market at its open-interest cap (Hyperliquid
    /// `perpsAtOpenInterestCap`); `None` when not asked.
    pub at_open_interest_cap: Option<bool>,
    /// Max leverage of positions held across the session close (Ostium
    /// `overnightMaxLeverage`); `None`: no separate overnight cap.
    pub overnight_max_leverage: Option<f64>,
    /// The day-trading session is over (overnight window), as observed.
    pub day_trading_closed: Option<bool>,
    /// When `day_trading_closed` flips next.
    pub day_trading_toggle_at: Option<DateTime<Utc>>,
    /// How fees and price impact are computed (`venue_markets.cost_model`).
    pub model: Option<CostModel>,
    /// The order book's depth curve (`venue_markets.depth_curve`).
    pub depth: Option<DepthCurve>,
}

impl MarketCost {
    /// The remaining capacity on `side`.
    #[must_use]
    pub fn capacity_usd(&self, side: Side) -> Option<f64> {
        match side {
            Side::Long => self.long_capacity_usd,
            Side::Short => self.short_capacity_usd,
        }
    }
}

/// Why a listed, active market takes no order that opens a position (a
/// signal that would close one there is not refused). Stored as its code in
/// `venue_markets.opening_refusal` (migration V17); routing reports the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OpeningRefusal {
    /// The venue accepts only reduce-only orders on the market (Lighter
    /// `market_config.force_reduce_only`).
    ReduceOnly,
    /// The venue hides the market from its own interface (Lighter
    /// `market_config.hidden`): no new position is opened there.
    Hidden,
    /// The market is priced in a currency other than USD and nothing synced
    /// converts its figures (Lighter's won-priced books): an order sized in
    /// USD cannot be placed there.
    QuoteNotUsd,
}

impl OpeningRefusal {
    pub const ALL: [OpeningRefusal; 3] = [
        OpeningRefusal::ReduceOnly,
        OpeningRefusal::Hidden,
        OpeningRefusal::QuoteNotUsd,
    ];

    /// The stored code, which is also routing's reason code.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            OpeningRefusal::ReduceOnly => "REDUCE_ONLY",
            OpeningRefusal::Hidden => "HIDDEN",
            OpeningRefusal::QuoteNotUsd => "QUOTE_NOT_USD",
        }
    }

    /// The refusal a stored code names (`None` for anything else).
    #[must_use]
    pub fn from_code(code: &str) -> Option<OpeningRefusal> {
        OpeningRefusal::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// The key of a market's `metadata` under which a venue module states an
/// [`OpeningRefusal`] (its code); `sql/markets/apply.sql` copies it into
/// `venue_markets.opening_refusal`. Carried in the metadata so that a venue
/// that never refuses openings has nothing to say.
pub const OPENING_REFUSAL_KEY: &str = "opening_refusal";

/// The key of a market's `metadata` under which a venue module states the
/// largest notional, USD, the venue accepts in **one** order (Lighter
/// `order_quote_limit`); `sql/markets/apply.sql` copies it into
/// `venue_markets.max_order_usd`. A larger order is `ABOVE_CAPACITY`.
pub const MAX_ORDER_USD_KEY: &str = "max_order_usd";

/// The [`OpeningRefusal`] a market's metadata states, if any.
#[must_use]
pub fn opening_refusal_of(metadata: &serde_json::Value) -> Option<OpeningRefusal> {
    metadata
        .get(OPENING_REFUSAL_KEY)
        .and_then(serde_json::Value::as_str)
        .and_then(OpeningRefusal::from_code)
}

/// The per-order notional cap a market's metadata states, if any.
#[must_use]
pub fn max_order_usd_of(metadata: &serde_json::Value) -> Option<f64> {
    metadata
        .get(MAX_ORDER_USD_KEY)
        .and_then(serde_json::Value::as_f64)
        .filter(|v| v.is_finite() && *v >= 0.0)
}

/// A market's fee rule and price-impact model (stored as jsonb).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostModel {
    pub fees: FeeRule,
    pub impact: ImpactModel,
}

/// How a venue charges for opening and closing a position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum FeeRule {
    /// A taker fee on the opening and the closing order at the market's
    /// rate (order books: a market order crosses the book both ways).
    Taker {
        taker_bps: f64,
        close_bps: f64,
        /// How the rate was derived from the venue's rules (for `--explain`).
        components: FeeComponents,
    },
    /// A one-time opening fee split by the market's long/short imbalance: the
    /// maker rate on the part of the order that reduces the imbalance (when
    /// the leverage is at most `maker_max_leverage`), the taker rate on the
    /// rest; `close_bps` on close (Ostium: `OstiumPairInfos._getBaseOpeningFee`,
    /// no closing fee).
    Imbalance {
        maker_bps: f64,
        taker_bps: f64,
        maker_max_leverage: Option<f64>,
        close_bps: f64,
    },
}

/// The parts of a taker rate derived from a fee schedule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeeComponents {
    /// The venue's base-tier taker rate before market-specific scaling.
    pub base_taker_bps: f64,
    /// The market's multiplier on it (1 on a main listing).
    pub multiplier: f64,
    /// Deployer fee scale of a builder-deployed market.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployer_fee_scale: Option<f64>,
    /// Where the scale came from: `asset`, `dex` or `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_scale_source: Option<String>,
    /// Growth mode (fees × 0.1).
    #[serde(default)]
    pub growth_mode: bool,
}

impl FeeRule {
    /// The fee to close, bps.
    #[must_use]
    pub fn close_bps(&self) -> f64 {
        match self {
            FeeRule::Taker { close_bps, .. } | FeeRule::Imbalance { close_bps, .. } => *close_bps,
        }
    }

    /// The taker (worst-case) opening rate, bps.
    #[must_use]
    pub fn taker_bps(&self) -> f64 {
        match self {
            FeeRule::Taker { taker_bps, .. } | FeeRule::Imbalance { taker_bps, .. } => *taker_bps,
        }
    }

    /// The opening fee of an order, bps of its notional. Without a notional
    /// (or, for the imbalance rule, a leverage) it is the taker rate.
    /// `open_interest` is (long, short) open interest in USD.
    #[must_use]
    pub fn open_bps(
        &self,
        side: Side,
        notional: Option<f64>,
        leverage: Option<f64>,
        open_interest: Option<(f64, f64)>,
    ) -> f64 {
        match self {
            FeeRule::Taker { taker_bps, .. } => *taker_bps,
            FeeRule::Imbalance {
                maker_bps,
                taker_bps,
                maker_max_leverage,
                ..
            } => {
                let (Some(q), Some(lev), Some(max), Some((long, short))) =
                    (notional, leverage, *maker_max_leverage, open_interest)
                else {
                    return *taker_bps;
                };
                if q.is_nan() || q <= 0.0 {
                    return *taker_bps;
                }
                // OstiumPairInfos._getBaseOpeningFee(pair, tradeSize, leverage, oiDelta):
                // tradeSize = +notional (long) / -notional (short), oiDelta = long OI - short OI.
                let trade = match side {
                    Side::Long => q,
                    Side::Short => -q,
                };
                let delta = long - short;
                let (maker, taker) = if delta * trade < 0.0 && lev <= max {
                    if delta * (delta + trade) >= 0.0 {
                        (q, 0.0)
                    } else {
                        (delta.abs(), (delta + trade).abs())
                    }
                } else {
                    (0.0, q)
                };
                (maker_bps * maker + taker_bps * taker) / q
            }
        }
    }
}

/// How the price an order fills at moves away from the mid price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum ImpactModel {
    /// A central limit order book: the order walks the stored depth curve;
    /// without a usable curve only the quoted spread is known.
    OrderBook,
    /// No book: the order fills against a vault at the oracle price, at the
    /// ask (long) or the bid (short), or with a dynamic spread at the mid plus
    /// the venue's size-dependent impact function.
    OracleQuote {
        bid: f64,
        ask: f64,
        mid: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dynamic: Option<DynamicSpread>,
    },
}

impl ImpactModel {
    /// The model's name in the audit trail.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            ImpactModel::OrderBook => "order_book",
            ImpactModel::OracleQuote { .. } => "oracle_quote",
        }
    }
}

/// Ostium's dynamic spread (`TradingCallbacksLib.getDynamicTradePriceImpact`
/// and `_priceImpactFunction`; parameters `OstiumPairInfos.pairDynamicSpreadParams`,
/// state `pairDynamicSpreadState`), in plain units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DynamicSpread {
    /// `priceImpactK` ÷ 1e27 (the contract's PRECISION_27): the impact
    /// coefficient, per USD².
    pub price_impact_k: f64,
    /// `netVolThreshold` ÷ 1e18: the net volume imbalance (USD) below which
    /// an order pays no spread at all.
    pub net_vol_threshold_usd: f64,
    /// `decayRate` ÷ 1e18: per-second decay of the recorded volumes.
    pub decay_rate_per_s: f64,
    /// `buyVolume` / `sellVolume` ÷ 1e18 (USD notional), as of `updated_at`.
    pub buy_volume_usd: f64,
    pub sell_volume_usd: f64,
    /// `lastUpdateTimestamp`, Unix seconds.
    pub updated_at: i64,
}

impl DynamicSpread {
    /// One volume decayed over `dt` seconds with the contract's Padé
    /// approximation: `v · (1 − r·dt/2) / (1 + r·dt/2)`, never below 0.
    #[must_use]
    pub fn decay(&self, volume: f64, dt: f64) -> f64 {
        if dt <= 0.0 {
            return volume;
        }
        let half = self.decay_rate_per_s * dt / 2.0;
        (volume * (1.0 - half).max(0.0) / (1.0 + half)).max(0.0)
    }

    /// (half-spread bps, impact bps) of opening `notional` on `side` at
    /// `now` (Unix seconds), with the oracle's bid/ask around `mid`:
    /// `_priceImpactFunction` for an opening order. The spread component is
    /// charged only on the part of the order beyond the net-volume threshold;
    /// an order that reduces the imbalance pays nothing.
    #[must_use]
    pub fn open_impact_bps(
        &self,
        side: Side,
        notional: f64,
        quote: (f64, f64, f64),
        now: i64,
    ) -> (f64, f64) {
        let (bid, ask, mid) = quote;
        if !(notional > 0.0 && mid > 0.0) {
            return (0.0, 0.0);
        }
        #[allow(clippy::cast_precision_loss)]
        let dt = (now - self.updated_at).max(0) as f64;
        let initial = self.decay(self.buy_volume_usd, dt) - self.decay(self.sell_volume_usd, dt);
        let next = match side {
            Side::Long => initial + notional,
            Side::Short => initial - notional,
        };
        if next.abs() < initial.abs() && initial * next >= 0.0 {
            return (0.0, 0.0);
        }
        if next.abs() <= self.net_vol_threshold_usd {
            return (0.0, 0.0);
        }
        let spread = (ask - bid) / mid;
        let excess = next.abs() - self.net_vol_threshold_usd;
        let part = notional.min(excess);
        let spread_usd = spread * part / 2.0;
        let dynamic_usd = if excess > 0.0 && part > 0.0 {
            (part * part / excess) * (self.price_impact_k * excess * excess)
        } else {
            0.0
        };
        (spread_usd / notional * 1e4, dynamic_usd / notional * 1e4)
    }
}

/// One side of an order book as cumulative notional → average impact:
/// `[notional_usd, impact_bps]` per level, where `impact_bps` is how far the
/// average fill price of the first `notional_usd` lies beyond the touch (best
/// ask for a buy, best bid for a sell), in bps of the mid price.
pub type DepthPoints = Vec<[f64; 2]>;

/// A compact order book snapshot: the touch and, per side, the cumulative
/// depth curve (stored as jsonb with the time the book was observed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepthCurve {
    /// The book's own time (`l2Book.time`).
    pub observed_at: DateTime<Utc>,
    pub best_bid: f64,
    pub best_ask: f64,
    /// Sell side of a short order.
    pub bids: DepthPoints,
    /// Buy side of a long order.
    pub asks: DepthPoints,
}

/// The impact of an order on a depth curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BookImpact {
    pub impact_bps: f64,
    /// The order is larger than the visible book: the rest is priced at the
    /// deepest visible level (a lower bound).
    pub beyond_visible_depth: bool,
}

impl DepthCurve {
    /// Builds a curve from price levels (`(price, size in coin units)`), bids
    /// best first (descending), asks best first (ascending). `None` when a
    /// side is empty, a price or size is not positive and finite, the sides
    /// are out of order or the book is crossed.
    #[must_use]
    pub fn from_levels(
        observed_at: DateTime<Utc>,
        bids: &[(f64, f64)],
        asks: &[(f64, f64)],
    ) -> Option<DepthCurve> {
        let ok = |levels: &[(f64, f64)]| {
            !levels.is_empty()
                && levels.len() <= MAX_DEPTH_LEVELS
                && levels
                    .iter()
                    .all(|(p, s)| p.is_finite() && *p > 0.0 && s.is_finite() && *s > 0.0)
        };
        if !ok(bids) || !ok(asks) {
            return None;
        }
        if bids.windows(2).any(|w| w[1].0 >= w[0].0) || asks.windows(2).any(|w| w[1].0 <= w[0].0) {
            return None;
        }
        let (best_bid, best_ask) = (bids[0].0, asks[0].0);
        if best_ask <= best_bid {
            return None;
        }
        let mid = f64::midpoint(best_bid, best_ask);
        let side = |levels: &[(f64, f64)], touch: f64, sign: f64| -> DepthPoints {
            let (mut notional, mut size) = (0.0, 0.0);
            levels
                .iter()
                .map(|(p, s)| {
                    notional += p * s;
                    size += s;
                    let avg = notional / size;
                    [round6(notional), round6(sign * (avg - touch) / mid * 1e4)]
                })
                .collect()
        };
        Some(DepthCurve {
            observed_at,
            best_bid,
            best_ask,
            bids: side(bids, best_bid, -1.0),
            asks: side(asks, best_ask, 1.0),
        })
    }

    /// The mid price.
    #[must_use]
    pub fn mid(&self) -> f64 {
        f64::midpoint(self.best_bid, self.best_ask)
    }

    /// Half the touch spread, bps of mid.
    #[must_use]
    pub fn half_spread_bps(&self) -> f64 {
        (self.best_ask - self.best_bid) / 2.0 / self.mid() * 1e4
    }

    /// The impact of `notional` on `side` (LONG buys the asks, SHORT sells
    /// the bids), exactly: the points give each level's cumulative notional
    /// and size, so the average price at any notional is the fills of the
    /// whole levels before it plus part of the next level at its price.
    /// `None` when the side has no level.
    #[must_use]
    pub fn impact(&self, side: Side, notional: f64) -> Option<BookImpact> {
        let (points, touch, sign) = match side {
            Side::Long => (&self.asks, self.best_ask, 1.0),
            Side::Short => (&self.bids, self.best_bid, -1.0),
        };
        let mid = self.mid();
        if points.is_empty() || mid.is_nan() || mid <= 0.0 || !notional.is_finite() {
            return None;
        }
        if notional <= 0.0 {
            return Some(BookImpact {
                impact_bps: 0.0,
                beyond_visible_depth: false,
            });
        }
        // Average price and cumulative size at each level. Impacts below
        // are clamped at 0 and `+ 0.0` turns the -0.0 of a short filled at
        // the touch into 0 (the audit and `--explain` never show "-0").
        let level = |k: usize| -> (f64, f64) {
            let [n, bps] = points[k];
            let avg = touch + sign * bps / 1e4 * mid;
            (n, n / avg)
        };
        let mut prev = (0.0, 0.0);
        let mut last_price = touch;
        for k in 0..points.len() {
            let (n, s) = level(k);
            let price = if s > prev.1 {
                (n - prev.0) / (s - prev.1)
            } else {
                last_price
            };
            if notional <= n {
                let size = prev.1 + (notional - prev.0) / price;
                let avg = notional / size;
                return Some(BookImpact {
                    impact_bps: (sign * (avg - touch) / mid * 1e4).max(0.0) + 0.0,
                    beyond_visible_depth: false,
                });
            }
            prev = (n, s);
            last_price = price;
        }
        let size = prev.1 + (notional - prev.0) / last_price;
        let avg = notional / size;
        Some(BookImpact {
            impact_bps: (sign * (avg - touch) / mid * 1e4).max(0.0) + 0.0,
            beyond_visible_depth: true,
        })
    }

    /// The notional the visible book holds on `side`.
    #[must_use]
    pub fn visible_notional(&self, side: Side) -> f64 {
        let points = match side {
            Side::Long => &self.asks,
            Side::Short => &self.bids,
        };
        points.last().map_or(0.0, |p| p[0])
    }
}

/// Whether a market with day-trading state `closed` (as observed) that
/// toggles at `toggle_at` is in its overnight window at `now`: the observed
/// state until the toggle time, the other one after it (syncs run far more
/// often than the state flips twice).
#[must_use]
pub fn in_overnight_window(
    closed: Option<bool>,
    toggle_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    match (closed, toggle_at) {
        (None, _) => false,
        (Some(c), None) => c,
        (Some(c), Some(at)) if now < at => c,
        (Some(c), Some(_)) => !c,
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000, 0).expect("time")
    }

    #[test]
    fn depth_curve_prices_an_order_exactly() {
        // Asks: 1 coin at 101, 2 coins at 102, 1 coin at 104; bids 99, 98.
        let c = DepthCurve::from_levels(
            at(),
            &[(99.0, 1.0), (98.0, 3.0)],
            &[(101.0, 1.0), (102.0, 2.0), (104.0, 1.0)],
        )
        .expect("valid");
        // mid 100, half spread 1/100 = 100 bps.
        assert_eq!(c.mid(), 100.0);
        assert!((c.half_spread_bps() - 100.0).abs() < 1e-9);
        // Within the first level: no impact.
        assert_eq!(
            c.impact(Side::Long, 50.0).expect("ask side").impact_bps,
            0.0
        );
        // $203 = 101 (1 coin) + 102 (1 coin): 2 coins, average 101.5,
        // 0.5 beyond the touch of 101 = 50 bps of the mid price 100.
        let i = c.impact(Side::Long, 203.0).expect("ask side");
        assert!((i.impact_bps - 50.0).abs() < 1e-6, "{i:?}");
        assert!(!i.beyond_visible_depth);
        // The whole book (101 + 204 + 104 = 409 for 4 coins, avg 102.25) and
        // $104 more at the last price 104: 5 coins for 513, avg 102.6.
        let i = c.impact(Side::Long, 513.0).expect("ask side");
        assert!((i.impact_bps - 160.0).abs() < 1e-6, "{i:?}");
        assert!(i.beyond_visible_depth);
        // Selling $99 + $98 = 197: 2 coins, avg 98.5, 0.5 below the bid 99.
        let i = c.impact(Side::Short, 197.0).expect("bid side");
        assert!((i.impact_bps - 50.0).abs() < 1e-6, "{i:?}");
        // Selling within the touch: impact exactly +0 (never a "-0").
        let i = c.impact(Side::Short, 50.0).expect("bid side");
        assert!(
            i.impact_bps == 0.0 && i.impact_bps.is_sign_positive(),
            "{i:?}"
        );
        assert_eq!(c.visible_notional(Side::Long), 409.0);
    }

    #[test]
    fn malformed_books_make_no_curve() {
        assert!(DepthCurve::from_levels(at(), &[], &[(1.0, 1.0)]).is_none());
        assert!(DepthCurve::from_levels(at(), &[(2.0, 1.0)], &[(1.0, 1.0)]).is_none());
        assert!(DepthCurve::from_levels(at(), &[(1.0, 1.0), (2.0, 1.0)], &[(3.0, 1.0)]).is_none());
        assert!(DepthCurve::from_levels(at(), &[(1.0, 0.0)], &[(3.0, 1.0)]).is_none());
        assert!(DepthCurve::from_levels(at(), &[(f64::NAN, 1.0)], &[(3.0, 1.0)]).is_none());
    }

    #[test]
    fn imbalance_fee_splits_maker_and_taker_as_the_contract() {
        let rule = FeeRule::Imbalance {
            maker_bps: 3.0,
            taker_bps: 10.0,
            maker_max_leverage: Some(20.0),
            close_bps: 0.0,
        };
        // Longs 1.5M, shorts 1M: imbalance +0.5M. A 200k short reduces it
        // entirely: all maker, 3 bps.
        let oi = Some((1_500_000.0, 1_000_000.0));
        assert_eq!(
            rule.open_bps(Side::Short, Some(200_000.0), Some(5.0), oi),
            3.0
        );
        // An 800k short: 500k maker + 300k taker = (3·500k + 10·300k) / 800k = 5.625.
        assert_eq!(
            rule.open_bps(Side::Short, Some(800_000.0), Some(5.0), oi),
            5.625
        );
        // Above the maker leverage, or adding to the imbalance: all taker.
        assert_eq!(
            rule.open_bps(Side::Short, Some(200_000.0), Some(25.0), oi),
            10.0
        );
        assert_eq!(
            rule.open_bps(Side::Long, Some(200_000.0), Some(5.0), oi),
            10.0
        );
        // Unknown notional: the taker rate.
        assert_eq!(rule.open_bps(Side::Short, None, Some(5.0), oi), 10.0);
        assert_eq!(rule.close_bps(), 0.0);
    }

    #[test]
    fn dynamic_spread_follows_the_contract_function() {
        let d = DynamicSpread {
            price_impact_k: 2e-15,
            net_vol_threshold_usd: 50_000.0,
            decay_rate_per_s: 0.0,
            buy_volume_usd: 0.0,
            sell_volume_usd: 0.0,
            updated_at: 0,
        };
        let quote = (99_990.0, 100_010.0, 100_000.0);
        // Under the threshold: nothing.
        assert_eq!(
            d.open_impact_bps(Side::Long, 40_000.0, quote, 0),
            (0.0, 0.0)
        );
        // A $100k long: excess 50k, part = min(100k, 50k) = 50k.
        // spread = 20/100000 = 2e-4; spread part = 2e-4·50k/2 = $5 → 0.5 bps of 100k;
        // dynamic = (50k²/50k)·(2e-15·50k²) = 50k · 5e-6 = $0.25 → 0.025 bps.
        let (half, impact) = d.open_impact_bps(Side::Long, 100_000.0, quote, 0);
        assert!((half - 0.5).abs() < 1e-9, "{half}");
        assert!((impact - 0.025).abs() < 1e-9, "{impact}");
        // An order that reduces an existing imbalance pays nothing.
        let skewed = DynamicSpread {
            buy_volume_usd: 300_000.0,
            ..d.clone()
        };
        assert_eq!(
            skewed.open_impact_bps(Side::Short, 100_000.0, quote, 0),
            (0.0, 0.0)
        );
        // Decay halves nothing at dt 0 and applies the Padé factor otherwise:
        // r·dt/2 = 0.5 → (1 − 0.5)/(1 + 0.5) = 1/3.
        let decaying = DynamicSpread {
            decay_rate_per_s: 0.01,
            ..skewed
        };
        assert!((decaying.decay(300_000.0, 100.0) - 100_000.0).abs() < 1e-6);
    }

    #[test]
    fn overnight_window_flips_once_at_the_toggle() {
        let now = at();
        let later = now + chrono::TimeDelta::minutes(5);
        assert!(in_overnight_window(Some(true), None, now));
        assert!(in_overnight_window(Some(true), Some(later), now));
        assert!(!in_overnight_window(Some(true), Some(now), now));
        assert!(in_overnight_window(Some(false), Some(now), now));
        assert!(!in_overnight_window(None, Some(now), now));
    }
}
