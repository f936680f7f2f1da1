//! Routing decisions: pure functions from a pending signal, its effective
//! configuration and a market snapshot to a [`Decision`]. No I/O and no clock
//! reads happen here (the caller passes `now` in [`RoutingOptions`]), so the
//! same inputs always give the same decision and tests need no database.
//!
//! The [`Decision`] is deliberately compact (enums, indices into the
//! snapshot); the human-readable reason and the availability JSON written to
//! `venue_routing_history` are produced separately by [`render`], only when a
//! decision is written.

pub mod render;
pub mod strategy;

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use crate::config::EffectiveConfig;
use crate::domain::{ConfigSource, RoutingConfig, Side, Strategy, Venue};
use crate::symbols::{self, SymbolError};

pub use render::{RenderedDecision, render};
pub use strategy::{Choice, cost_bps, liquidity_usd};

/// A pending `MULTI` signal, as much of it as routing reads.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingSignal {
    pub id: Uuid,
    pub agent_id: Uuid,
    /// `signals.token_symbol` as stored (untrusted).
    pub token_symbol: String,
    /// `signals.side` as stored (untrusted).
    pub side: String,
    /// The leverage `size_model` asks for (`None`: none given), or why
    /// `size_model` is unusable.
    pub leverage: Result<Option<f64>, SizeModelError>,
    pub created_at: DateTime<Utc>,
}

/// Why a signal's `size_model` cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SizeModelError {
    /// The JSON value is not an object (its `jsonb_typeof`).
    NotAnObject(String),
    /// `leverage` is not a positive finite number (a short rendering of it).
    BadLeverage(String),
}

impl std::fmt::Display for SizeModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SizeModelError::NotAnObject(kind) => {
                write!(f, "size_model is a JSON {kind}, not an object")
            }
            SizeModelError::BadLeverage(shown) => write!(
                f,
                "size_model leverage must be a positive finite number (got {shown})"
            ),
        }
    }
}

impl std::error::Error for SizeModelError {}

/// Longest rendering of a hostile value quoted in a reason.
const MAX_QUOTED: usize = 32;

/// `value` for a message: at most [`MAX_QUOTED`] characters, escaped.
#[must_use]
pub fn quote_untrusted(value: &str) -> String {
    let mut cut: String = value.chars().take(MAX_QUOTED).collect();
    if cut.len() < value.len() {
        cut.push('…');
    }
    format!("{cut:?}")
}

/// The leverage of a whole `size_model` JSON value.
pub fn leverage_from_size_model(
    size_model: &serde_json::Value,
) -> Result<Option<f64>, SizeModelError> {
    let kind = json_type(size_model);
    leverage_from_parts(kind, size_model.get("leverage"))
}

/// The leverage from the parts the claim query extracts: `jsonb_typeof(size_model)`
/// and `size_model -> 'leverage'`. Accepts a JSON number or a numeric string
/// (`"10"`, `"10x"`); `null` or absent means no leverage requested.
pub fn leverage_from_parts(
    size_model_type: &str,
    leverage: Option<&serde_json::Value>,
) -> Result<Option<f64>, SizeModelError> {
    if size_model_type != "object" {
        return Err(SizeModelError::NotAnObject(
            size_model_type.chars().take(MAX_QUOTED).collect(),
        ));
    }
    let value = match leverage {
        None | Some(serde_json::Value::Null) => return Ok(None),
        Some(v) => v,
    };
    let number = match value {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => {
            let t = s.trim();
            let t = t
                .strip_suffix('x')
                .or_else(|| t.strip_suffix('X'))
                .unwrap_or(t);
            t.trim().parse::<f64>().ok()
        }
        _ => None,
    };
    match number {
        Some(x) if x.is_finite() && x > 0.0 => Ok(Some(x)),
        _ => {
            let shown = match value {
                serde_json::Value::String(s) => quote_untrusted(s),
                serde_json::Value::Number(n) => n.to_string(),
                other => json_type(other).to_owned(),
            };
            Err(SizeModelError::BadLeverage(shown))
        }
    }
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// A market as routing reads it from `venue_markets`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MarketRow {
    pub venue: Option<Venue>,
    /// Venue-native symbol (`BTC`, `kPEPE`, `xyz:TSLA`, Ostium `BTC`/`USDJPY`).
    pub token_symbol: String,
    /// Display name (`BTC/USD`, Ostium `XAU/USD`).
    pub market_name: String,
    pub market_index: Option<i32>,
    /// Canonical symbol (`PEPE` for `kPEPE`). Empty: derive it from the names.
    pub base_symbol: String,
    pub price_scale: f64,
    /// HIP-3 dex, `None` on the main dex and on Ostium.
    pub dex: Option<String>,
    pub is_active: bool,
    pub delisted: bool,
    /// `None`: trades around the clock.
    pub market_open: Option<bool>,
    pub max_leverage: Option<i32>,
    pub liquidity_usd: Option<f64>,
    pub open_interest_usd: Option<f64>,
    pub long_open_interest_usd: Option<f64>,
    pub short_open_interest_usd: Option<f64>,
    pub max_open_interest_usd: Option<f64>,
    pub day_volume_usd: Option<f64>,
    pub spread_bps: Option<f64>,
    pub taker_fee_bps: Option<f64>,
}

impl From<&crate::domain::Market> for MarketRow {
    /// The routing view of a synced market (as the snapshot query reads it).
    fn from(m: &crate::domain::Market) -> MarketRow {
        MarketRow {
            venue: Some(m.venue),
            token_symbol: m.token_symbol.clone(),
            market_name: m.market_name.clone(),
            market_index: m.market_index,
            base_symbol: m.base_symbol.clone(),
            price_scale: m.price_scale,
            dex: m.dex.clone(),
            is_active: m.is_active,
            delisted: !m.is_active,
            market_open: m.market_open,
            max_leverage: m.max_leverage,
            liquidity_usd: m.liquidity_usd,
            open_interest_usd: m.open_interest_usd,
            long_open_interest_usd: m.long_open_interest_usd,
            short_open_interest_usd: m.short_open_interest_usd,
            max_open_interest_usd: m.max_open_interest_usd,
            day_volume_usd: m.day_volume_usd,
            spread_bps: m.spread_bps,
            taker_fee_bps: m.taker_fee_bps,
        }
    }
}

impl MarketRow {
    /// Listed: active and not delisted.
    #[must_use]
    pub fn is_listed(&self) -> bool {
        self.is_active && !self.delisted
    }

    /// The symbol the history records: Hyperliquid's coin (`kPEPE`,
    /// `xyz:TSLA`), Ostium's pair (`XAU/USD`).
    #[must_use]
    pub fn market_symbol(&self) -> &str {
        match self.venue {
            Some(Venue::Ostium) => &self.market_name,
            _ => &self.token_symbol,
        }
    }

    /// The canonical symbol, derived from the venue names for rows written by
    /// the original sync scripts (no `base_symbol`).
    fn canonical(&self) -> String {
        if !self.base_symbol.is_empty() {
            return self.base_symbol.clone();
        }
        match self.venue {
            Some(Venue::Ostium) => match self.market_name.split_once('/') {
                Some((from, to)) => symbols::ostium_market(from, to).base_symbol,
                None => self.token_symbol.to_ascii_uppercase(),
            },
            _ => symbols::hyperliquid_market(&self.token_symbol).base_symbol,
        }
    }
}

/// Slot of a synced venue in per-venue arrays.
const fn slot(venue: Venue) -> Option<usize> {
    match venue {
        Venue::Hyperliquid => Some(0),
        Venue::Ostium => Some(1),
        _ => None,
    }
}

#[derive(Debug, Clone, Default)]
struct SymbolMarkets {
    /// Best main-dex market per synced venue.
    main: [Option<u32>; 2],
    /// HIP-3 markets (Hyperliquid builder dexes), ordered by dex then rank.
    hip3: Vec<u32>,
}

/// Every market of every venue plus each venue's last successful sync,
/// indexed by canonical symbol for O(1) lookups. Built once per batch.
#[derive(Debug, Clone, Default)]
pub struct MarketSnapshot {
    markets: Vec<MarketRow>,
    by_symbol: HashMap<String, SymbolMarkets>,
    last_sync: [Option<DateTime<Utc>>; 2],
}

impl MarketSnapshot {
    /// Indexes `markets`. Several markets of one venue with the same canonical
    /// symbol: a listed one wins over a delisted one, then an open one, then
    /// the unscaled contract, then the lowest market index.
    #[must_use]
    pub fn new(markets: Vec<MarketRow>, last_sync: &[(Venue, DateTime<Utc>)]) -> MarketSnapshot {
        let mut snapshot = MarketSnapshot {
            by_symbol: HashMap::with_capacity(markets.len()),
            markets,
            last_sync: [None; 2],
        };
        for (venue, at) in last_sync {
            if let Some(s) = slot(*venue) {
                let cur = &mut snapshot.last_sync[s];
                *cur = Some(cur.map_or(*at, |c| c.max(*at)));
            }
        }
        for i in 0..snapshot.markets.len() {
            let m = &snapshot.markets[i];
            let Some(s) = m.venue.and_then(slot) else {
                continue;
            };
            let key = m.canonical();
            let is_hip3 = m.dex.is_some() && m.venue == Some(Venue::Hyperliquid);
            let idx = u32::try_from(i).unwrap_or(u32::MAX);
            let entry = snapshot.by_symbol.entry(key).or_default();
            if is_hip3 {
                entry.hip3.push(idx);
            } else {
                let better = match entry.main[s] {
                    None => true,
                    Some(cur) => rank(&snapshot.markets[i]) < rank(&snapshot.markets[cur as usize]),
                };
                if better {
                    entry.main[s] = Some(idx);
                }
            }
        }
        let markets = &snapshot.markets;
        for entry in snapshot.by_symbol.values_mut() {
            if entry.hip3.len() > 1 {
                entry.hip3.sort_by(|a, b| {
                    let (ma, mb) = (&markets[*a as usize], &markets[*b as usize]);
                    ma.dex.cmp(&mb.dex).then_with(|| rank(ma).cmp(&rank(mb)))
                });
            }
        }
        snapshot
    }

    /// The market at `index` (from a [`VenueCheck`]).
    #[must_use]
    pub fn market(&self, index: u32) -> Option<&MarketRow> {
        self.markets.get(index as usize)
    }

    /// Number of markets.
    #[must_use]
    pub fn len(&self) -> usize {
        self.markets.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.markets.is_empty()
    }

    /// The venue's last successful sync, if any.
    #[must_use]
    pub fn last_sync(&self, venue: Venue) -> Option<DateTime<Utc>> {
        slot(venue).and_then(|s| self.last_sync[s])
    }
}

/// Ordering key among markets of one venue sharing a canonical symbol.
fn rank(m: &MarketRow) -> (bool, bool, bool, i64, &str) {
    (
        !m.is_listed(),
        m.market_open == Some(false),
        (m.price_scale - 1.0).abs() > f64::EPSILON,
        m.market_index.map_or(i64::MAX, i64::from),
        &m.token_symbol,
    )
}

/// Inputs of a decision that are not the signal, its config or the markets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoutingOptions {
    /// The time decisions are made at (the database's clock, so that signal
    /// and sync timestamps compare on one clock).
    pub now: DateTime<Utc>,
    /// Signals older than this are skipped as expired.
    pub max_signal_age: TimeDelta,
    /// A venue whose last successful sync is older than this is unavailable.
    pub max_market_age: TimeDelta,
    /// Whether Hyperliquid HIP-3 (builder dex) markets are eligible.
    pub include_hip3: bool,
}

impl RoutingOptions {
    /// The defaults of `route-pending-signals` (24 h signals, 26 h markets).
    #[must_use]
    pub fn defaults_at(now: DateTime<Utc>) -> RoutingOptions {
        RoutingOptions {
            now,
            max_signal_age: TimeDelta::hours(24),
            max_market_age: TimeDelta::hours(26),
            include_hip3: false,
        }
    }
}

/// A venue's verdict for one signal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    Available,
    /// No market for the canonical symbol.
    NotListed,
    /// The market exists but is inactive or delisted.
    Delisted,
    /// The market is outside its trading hours (Ostium).
    MarketClosed,
    /// The venue never synced successfully, or not within `max_market_age`.
    StaleMarketData,
    /// A venue Agent Where does not sync (GMX, SPOT).
    UnsupportedVenue,
    /// The signal asks for more leverage than the market allows.
    LeverageAboveMax {
        requested: f64,
        max: i32,
    },
}

impl Verdict {
    /// The reason code written to the history (`NOT_LISTED`, …).
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Verdict::Available => "AVAILABLE",
            Verdict::NotListed => "NOT_LISTED",
            Verdict::Delisted => "DELISTED",
            Verdict::MarketClosed => "MARKET_CLOSED",
            Verdict::StaleMarketData => "STALE_MARKET_DATA",
            Verdict::UnsupportedVenue => "UNSUPPORTED_VENUE",
            Verdict::LeverageAboveMax { .. } => "LEVERAGE_ABOVE_MAX",
        }
    }

    #[must_use]
    pub const fn is_available(self) -> bool {
        matches!(self, Verdict::Available)
    }
}

/// One venue checked for a signal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VenueCheck {
    pub venue: Venue,
    pub verdict: Verdict,
    /// The market the verdict is about (index into the snapshot), if any.
    pub market: Option<u32>,
    /// The strategy's figure for this venue (USD liquidity or cost in bps),
    /// when the strategy compares venues and the figure is known.
    pub figure: Option<f64>,
}

const MAX_CHECKS: usize = 4;

/// The venues checked, in order (at most one per venue, so at most four).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Checks {
    items: [VenueCheck; MAX_CHECKS],
    len: u8,
}

impl Default for Checks {
    fn default() -> Self {
        Checks {
            items: [VenueCheck {
                venue: Venue::Multi,
                verdict: Verdict::NotListed,
                market: None,
                figure: None,
            }; MAX_CHECKS],
            len: 0,
        }
    }
}

impl Checks {
    fn push(&mut self, check: VenueCheck) {
        if (self.len as usize) < MAX_CHECKS {
            self.items[self.len as usize] = check;
            self.len += 1;
        }
    }

    fn contains(&self, venue: Venue) -> bool {
        self.as_slice().iter().any(|c| c.venue == venue)
    }

    #[must_use]
    pub fn as_slice(&self) -> &[VenueCheck] {
        &self.items[..self.len as usize]
    }

    fn as_mut_slice(&mut self) -> &mut [VenueCheck] {
        &mut self.items[..self.len as usize]
    }
}

/// Why a signal is invalid.
#[derive(Debug, Clone, PartialEq)]
pub enum Invalid {
    Token(SymbolError),
    /// `side` is neither LONG nor SHORT (nor BUY / SELL).
    Side,
    SizeModel(SizeModelError),
}

/// Why a signal is skipped.
#[derive(Debug, Clone, PartialEq)]
pub enum Skip {
    /// Every considered venue was unavailable.
    NoVenueAvailable,
    /// Older than `max_signal_age`.
    SignalExpired {
        age: TimeDelta,
    },
    InvalidSignal(Invalid),
}

impl Skip {
    /// The reason code (`signals.skipped_reason` starts with it).
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Skip::NoVenueAvailable => "NO_VENUE_AVAILABLE",
            Skip::SignalExpired { .. } => "SIGNAL_EXPIRED",
            Skip::InvalidSignal(_) => "INVALID_SIGNAL",
        }
    }
}

/// How a decision ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Routed to the venue of `checks[check]`.
    Routed {
        check: u8,
        choice: Choice,
    },
    Skipped(Skip),
}

/// A routing decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The canonical symbol, or why the token has none.
    pub symbol: Result<String, SymbolError>,
    pub outcome: Outcome,
    /// The configured strategy.
    pub strategy: Strategy,
    pub config_source: ConfigSource,
    pub failover_enabled: bool,
    /// Venues checked, in order.
    pub checks: Checks,
    /// The signal's side, when valid.
    pub side: Option<Side>,
}

impl Decision {
    /// The selected venue check, for a routed decision.
    #[must_use]
    pub fn selected(&self) -> Option<&VenueCheck> {
        match &self.outcome {
            Outcome::Routed { check, .. } => self.checks.as_slice().get(*check as usize),
            Outcome::Skipped(_) => None,
        }
    }

    /// The selected venue, for a routed decision.
    #[must_use]
    pub fn venue(&self) -> Option<Venue> {
        self.selected().map(|c| c.venue)
    }

    /// The skip, for a skipped decision.
    #[must_use]
    pub fn skip(&self) -> Option<&Skip> {
        match &self.outcome {
            Outcome::Skipped(s) => Some(s),
            Outcome::Routed { .. } => None,
        }
    }
}

/// Decides one signal: computes its canonical symbol, then [`decide_with_symbol`].
#[must_use]
pub fn decide(
    signal: &PendingSignal,
    config: &EffectiveConfig,
    snapshot: &MarketSnapshot,
    options: &RoutingOptions,
) -> Decision {
    let symbol = symbols::canonical_symbol(&signal.token_symbol);
    decide_with_symbol(
        signal,
        symbol,
        &config.config,
        config.source,
        snapshot,
        options,
    )
}

/// Decides one signal whose canonical symbol the caller already computed
/// (to look its configuration up).
///
/// Order: an invalid signal (token, side, size_model) is skipped as
/// `INVALID_SIGNAL`; then an expired one as `SIGNAL_EXPIRED`; then the
/// considered venues (the whole priority list with failover, else only its
/// first venue) are checked in order and the strategy picks among the
/// available ones; none available is `NO_VENUE_AVAILABLE`.
#[must_use]
pub fn decide_with_symbol(
    signal: &PendingSignal,
    symbol: Result<String, SymbolError>,
    config: &RoutingConfig,
    config_source: ConfigSource,
    snapshot: &MarketSnapshot,
    options: &RoutingOptions,
) -> Decision {
    let side = Side::parse(&signal.side);
    let mut decision = Decision {
        symbol,
        outcome: Outcome::Skipped(Skip::NoVenueAvailable),
        strategy: config.routing_strategy,
        config_source,
        failover_enabled: config.failover_enabled,
        checks: Checks::default(),
        side,
    };
    let canonical = match &decision.symbol {
        Ok(s) => s.as_str(),
        Err(e) => {
            decision.outcome = Outcome::Skipped(Skip::InvalidSignal(Invalid::Token(e.clone())));
            return decision;
        }
    };
    let Some(side) = side else {
        decision.outcome = Outcome::Skipped(Skip::InvalidSignal(Invalid::Side));
        return decision;
    };
    let leverage = match &signal.leverage {
        Ok(l) => *l,
        Err(e) => {
            decision.outcome = Outcome::Skipped(Skip::InvalidSignal(Invalid::SizeModel(e.clone())));
            return decision;
        }
    };
    let age = options.now - signal.created_at;
    if age > options.max_signal_age {
        decision.outcome = Outcome::Skipped(Skip::SignalExpired { age });
        return decision;
    }
    let entry = snapshot.by_symbol.get(canonical);
    let named_dex = symbols::dex_prefix(&signal.token_symbol);
    let stops_at_first = config.routing_strategy == Strategy::FirstAvailable;
    for &venue in config.considered_venues() {
        if decision.checks.contains(venue) {
            continue;
        }
        let check = check_venue(venue, entry, named_dex, leverage, snapshot, options);
        decision.checks.push(check);
        if stops_at_first && check.verdict.is_available() {
            break;
        }
    }
    if let Some((index, choice)) = strategy::select(
        config.routing_strategy,
        &mut decision.checks,
        snapshot,
        side,
    ) {
        decision.outcome = Outcome::Routed {
            check: u8::try_from(index).unwrap_or(0),
            choice,
        };
    }
    decision
}

fn check_venue(
    venue: Venue,
    entry: Option<&SymbolMarkets>,
    named_dex: Option<&str>,
    leverage: Option<f64>,
    snapshot: &MarketSnapshot,
    options: &RoutingOptions,
) -> VenueCheck {
    let mut check = VenueCheck {
        venue,
        verdict: Verdict::UnsupportedVenue,
        market: None,
        figure: None,
    };
    let Some(s) = slot(venue) else {
        return check;
    };
    let fresh = snapshot.last_sync[s].is_some_and(|at| options.now - at <= options.max_market_age);
    let market_verdict = |i: u32| market_verdict(&snapshot.markets[i as usize], leverage);
    let mut first: Option<(u32, Verdict)> = None;
    let mut available: Option<u32> = None;
    if let Some(entry) = entry {
        let hip3_ok = venue == Venue::Hyperliquid && (options.include_hip3 || named_dex.is_some());
        let main = if named_dex.is_some() && venue == Venue::Hyperliquid {
            None
        } else {
            entry.main[s]
        };
        let hip3 = entry.hip3.iter().copied().filter(|&i| {
            hip3_ok
                && named_dex.is_none_or(|d| {
                    snapshot.markets[i as usize]
                        .dex
                        .as_deref()
                        .is_some_and(|md| md.eq_ignore_ascii_case(d))
                })
        });
        for i in main.into_iter().chain(hip3) {
            let v = market_verdict(i);
            if first.is_none() {
                first = Some((i, v));
            }
            if v.is_available() {
                available = Some(i);
                break;
            }
        }
    }
    match (available, first) {
        (Some(i), _) => {
            check.market = Some(i);
            check.verdict = Verdict::Available;
        }
        (None, Some((i, v))) => {
            check.market = Some(i);
            check.verdict = v;
        }
        (None, None) => check.verdict = Verdict::NotListed,
    }
    if !fresh {
        check.verdict = Verdict::StaleMarketData;
    }
    check
}

fn market_verdict(m: &MarketRow, leverage: Option<f64>) -> Verdict {
    if !m.is_listed() {
        return Verdict::Delisted;
    }
    if m.market_open == Some(false) {
        return Verdict::MarketClosed;
    }
    if let (Some(requested), Some(max)) = (leverage, m.max_leverage)
        && requested > f64::from(max)
    {
        return Verdict::LeverageAboveMax { requested, max };
    }
    Verdict::Available
}

#[cfg(test)]
mod tests;
