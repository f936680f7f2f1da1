//! Routing's data types: the pending signal as routing reads it, a market
//! row, the options of a decision, and the decision itself (verdicts, checks,
//! skips, outcome). Plain data with small helpers; the logic that produces
//! them is in `decide`, `snapshot`, `strategy` and `batch`.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use crate::cost::{CostModel, DepthCurve, OpeningRefusal, max_order_usd_of, opening_refusal_of};

use crate::domain::{ConfigSource, Side, Strategy, Usd, Venue};
use crate::symbols::{SymbolError, Token};
use crate::venues::registry::VENUE_COUNT;
use crate::venues::source::MarketSymbolColumn;

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
    /// What the size model says about the order's size.
    pub size: SizeModel,
    /// The deployment the signal was created for, on a host that executes
    /// signals per deployment (Maxxit's `signals.deployment_id`); `None`
    /// when the signal names none or the host has no deployments.
    pub deployment: Option<Deployment>,
}

/// The parts of a signal's size the claim query reads: `size_model ->>
/// 'type'`, `size_model -> 'value'` and Maxxit's newer executor columns
/// `llm_fund_allocation` (percent of balance) and `llm_leverage`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SizeModel {
    pub kind: Option<String>,
    /// `value` read as a number (a JSON number or a numeric string);
    /// `None` when absent, `null`, or unreadable.
    pub value: Option<f64>,
    /// `value` is present but no finite number can be read from it (text,
    /// an array, `"1e400"`, a number beyond `f64`): its short, escaped
    /// rendering for the reason.
    pub unreadable_value: Option<String>,
    pub llm_fund_allocation: Option<f64>,
    pub llm_leverage: Option<f64>,
}

/// The largest order notional (and `fixed-usdc` amount) a signal may ask
/// for, in USD: 10^15, the bound of every amount Agent Where stores
/// ([`Usd::MAX`], the assumed notional's check). It is four orders of
/// magnitude above the open interest of any venue's largest market (tens of
/// billions of USD), so no real order reaches it, and any product of two
/// amounts below it stays finite.
pub const MAX_NOTIONAL_USD: f64 = Usd::MAX;

/// Largest percentage of the balance a relative size may ask for.
const MAX_PERCENT: f64 = 100.0;

impl SizeModel {
    /// Reads `size_model -> 'value'` from its JSON text as stored (`None`:
    /// absent): `(value, unreadable_value)`. A JSON number or a string
    /// holding one (trimmed) is a number; `null` is absent; anything else,
    /// and a number that is not finite as `f64` (`1e400`, `"NaN"`), is
    /// unreadable.
    #[must_use]
    pub fn read_value(json: Option<&str>) -> (Option<f64>, Option<String>) {
        let Some(text) = json.map(str::trim) else {
            return (None, None);
        };
        if text == "null" {
            return (None, None);
        }
        let (number, shown) = if text.starts_with('"') {
            match serde_json::from_str::<String>(text) {
                Ok(s) => (s.trim().parse::<f64>().ok(), quote_untrusted(&s)),
                Err(_) => (None, "a JSON string".to_owned()),
            }
        } else if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            (text.parse::<f64>().ok(), short_number_text(text))
        } else {
            let kind = match text.chars().next() {
                Some('[') => "a JSON array",
                Some('{') => "a JSON object",
                Some('t' | 'f') => "a JSON boolean",
                _ => "a JSON value",
            };
            (None, kind.to_owned())
        };
        match number.filter(|n| n.is_finite()) {
            Some(n) => (Some(n), None),
            None => (None, Some(shown)),
        }
    }

    /// Whether the size is one an executor can trade (README, "Size rules"):
    /// a present amount must be possible, a missing one stays unknown.
    /// `leverage` is `size_model.leverage` (already checked).
    ///
    /// - `fixed-usdc`: `value` is a positive finite amount of at most
    ///   [`MAX_NOTIONAL_USD`], and `value` × leverage (the leverage the
    ///   order uses: `size_model.leverage`, else `llm_leverage`, else 1×)
    ///   neither overflows nor exceeds the same bound;
    /// - any other type (a percentage of the balance): `value` in (0, 100];
    /// - `llm_fund_allocation` in (0, 100]; `llm_leverage` positive, finite.
    pub fn check(&self, leverage: Option<f64>) -> Result<(), SizeModelError> {
        if let Some(a) = self.llm_fund_allocation
            && !(a > 0.0 && a <= MAX_PERCENT)
        {
            return Err(SizeModelError::BadFundAllocation(show_number(a)));
        }
        if let Some(l) = self.llm_leverage
            && !(l.is_finite() && l > 0.0)
        {
            return Err(SizeModelError::BadLlmLeverage(show_number(l)));
        }
        let fixed = self.kind.as_deref() == Some(FIXED_USDC);
        let value = match (self.value, &self.unreadable_value) {
            (_, Some(shown)) if fixed => return Err(SizeModelError::BadAmount(shown.clone())),
            (_, Some(shown)) => return Err(SizeModelError::BadPercentage(shown.clone())),
            (None, None) => return Ok(()),
            (Some(v), None) => v,
        };
        if !fixed {
            return if value > 0.0 && value <= MAX_PERCENT {
                Ok(())
            } else {
                Err(SizeModelError::BadPercentage(show_number(value)))
            };
        }
        if !(value.is_finite() && value > 0.0) {
            return Err(SizeModelError::BadAmount(show_number(value)));
        }
        if value > MAX_NOTIONAL_USD {
            return Err(SizeModelError::AmountAboveBound(show_number(value)));
        }
        let leverage = leverage
            .or(self.llm_leverage)
            .filter(|l| l.is_finite() && *l > 0.0)
            .unwrap_or(1.0);
        let notional = value * leverage;
        if !notional.is_finite() || notional > MAX_NOTIONAL_USD {
            return Err(SizeModelError::NotionalAboveBound {
                value: show_number(value),
                leverage: show_number(leverage),
                overflows: !notional.is_finite(),
            });
        }
        Ok(())
    }
}

/// A number for a reason: plain when short, else in scientific notation.
fn show_number(x: f64) -> String {
    let plain = format!("{x}");
    if plain.len() <= 12 {
        plain
    } else {
        format!("{x:e}")
    }
}

/// A stored number's text for a reason: as written when short, else
/// scientific notation (or its first digits when it is beyond `f64`).
fn short_number_text(text: &str) -> String {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => show_number(x),
        _ if text.len() <= MAX_QUOTED => text.to_owned(),
        _ => format!("a number of {} characters", text.len()),
    }
}

/// The `size_model` type whose `value` is collateral in USDC; every other
/// type (and none) sizes relative to the balance (ORIGINAL_SYSTEM.md §2,
/// "Execution constants").
pub const FIXED_USDC: &str = "fixed-usdc";

/// Where an order's notional came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotionalSource {
    /// `fixed-usdc`: collateral × leverage.
    FixedCollateral,
    /// A relative size: the agent's assumed notional from the routing config.
    AssumedNotional,
    /// A relative size and no assumed notional configured: unknown.
    RelativeSize,
    /// `fixed-usdc` without an amount (absent or `null`): unknown. A present
    /// but impossible amount never gets here ([`SizeModel::check`]).
    NoAmount,
}

impl NotionalSource {
    /// The audit spelling.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            NotionalSource::FixedCollateral => "fixed_collateral",
            NotionalSource::AssumedNotional => "assumed_notional",
            NotionalSource::RelativeSize => "relative_size_without_assumed_notional",
            NotionalSource::NoAmount => "no_amount",
        }
    }
}

/// The order a signal would send, as far as routing can tell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrderSize {
    /// Notional in USD; `None`: unknown (costs fall back to top of book).
    pub notional_usd: Option<f64>,
    /// The leverage the order would use (fee rules that depend on it).
    pub leverage: f64,
    pub source: NotionalSource,
}

impl OrderSize {
    /// The notional rule (README, "Cost model"):
    /// - leverage = `size_model.leverage`, else `llm_leverage`, else 1×;
    /// - a relative size (`llm_fund_allocation` set, or a `size_model` type
    ///   other than `fixed-usdc`: a percentage of a balance routing does not
    ///   know) → the agent's assumed notional, else unknown;
    /// - `fixed-usdc` → `value` (collateral, USDC) × leverage, unknown when
    ///   `value` is not a positive finite number.
    #[must_use]
    pub fn of(size: &SizeModel, leverage: Option<f64>, assumed: Option<Usd>) -> OrderSize {
        let positive = |x: Option<f64>| x.filter(|v| v.is_finite() && *v > 0.0);
        let leverage = positive(leverage)
            .or_else(|| positive(size.llm_leverage))
            .unwrap_or(1.0);
        let relative = positive(size.llm_fund_allocation).is_some()
            || size.kind.as_deref() != Some(FIXED_USDC);
        if relative {
            return match assumed {
                Some(n) => OrderSize {
                    notional_usd: Some(n.get()),
                    leverage,
                    source: NotionalSource::AssumedNotional,
                },
                None => OrderSize {
                    notional_usd: None,
                    leverage,
                    source: NotionalSource::RelativeSize,
                },
            };
        }
        match positive(size.value) {
            Some(collateral) => OrderSize {
                notional_usd: Some(collateral * leverage).filter(|n| n.is_finite()),
                leverage,
                source: NotionalSource::FixedCollateral,
            },
            None => OrderSize {
                notional_usd: None,
                leverage,
                source: NotionalSource::NoAmount,
            },
        }
    }
}

impl Default for OrderSize {
    fn default() -> Self {
        OrderSize {
            notional_usd: None,
            leverage: 1.0,
            source: NotionalSource::RelativeSize,
        }
    }
}

/// A signal's deployment (`agent_deployments`): whether it trades now and on
/// which venues its user's wallet can trade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    pub id: Uuid,
    /// `agent_deployments.status` (`ACTIVE`, `PAUSED`, `CANCELLED`); `None`
    /// when the row is gone.
    pub status: Option<String>,
    /// `agent_deployments.enabled_venues`, upper-cased; `None` (NULL) means
    /// no restriction is recorded.
    pub enabled_venues: Option<Vec<String>>,
}

impl Deployment {
    /// Whether the deployment trades now.
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("ACTIVE"))
    }

    /// Whether the deployment's wallet may trade on `venue`.
    #[must_use]
    pub fn enables(&self, venue: Venue) -> bool {
        self.enabled_venues
            .as_ref()
            .is_none_or(|list| list.iter().any(|v| v == venue.as_str()))
    }
}

/// The open positions of the batch's deployments, keyed by deployment and
/// canonical symbol (positions record the token as the signal spelled it, so
/// it goes through the same normalisation as signals).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenPositions {
    by_key: std::collections::HashMap<(Uuid, String), Vec<String>>,
}

impl OpenPositions {
    /// Indexes `(deployment, venue label, token as stored)` rows; a token
    /// that is no valid symbol is kept under its upper-cased spelling.
    pub fn new<'a>(rows: impl IntoIterator<Item = (Uuid, &'a str, &'a str)>) -> OpenPositions {
        Self::with_markets(rows, None)
    }

    /// As [`OpenPositions::new`], reading a position's token as the host's
    /// executor did when it opened it: an Ostium position's token is what
    /// Maxxit's pair lookup resolved (`JPY` is `USD/JPY`, the executor symbol
    /// a routed `USDJPY` signal was handed over as), so it is keyed by the
    /// canonical symbol of the pair it reaches in `snapshot`, when it
    /// reaches one.
    pub fn with_markets<'a>(
        rows: impl IntoIterator<Item = (Uuid, &'a str, &'a str)>,
        snapshot: Option<&super::MarketSnapshot>,
    ) -> OpenPositions {
        let mut positions = OpenPositions::default();
        let ostium = snapshot.map(|s| {
            let markets = s.markets.iter().filter(|m| m.venue == Some(Venue::Ostium));
            let pairs = super::OstiumPairs::new(markets.clone().map(|m| m.market_name.as_str()));
            let canonical: std::collections::HashMap<&str, String> = markets
                .map(|m| (m.market_name.as_str(), m.canonical()))
                .collect();
            (pairs, canonical)
        });
        for (deployment, venue, token) in rows {
            let resolved = ostium.as_ref().and_then(|(pairs, canonical)| {
                if !venue.trim().eq_ignore_ascii_case(Venue::Ostium.as_str()) {
                    return None;
                }
                pairs
                    .resolve(token)
                    .and_then(|pair| canonical.get(pair).cloned())
            });
            let canonical = resolved.unwrap_or_else(|| {
                Token::parse(token)
                    .map_or_else(|_| token.trim().to_ascii_uppercase(), |t| t.canonical)
            });
            let venues = positions.by_key.entry((deployment, canonical)).or_default();
            let venue = venue.trim().to_ascii_uppercase();
            if !venues.contains(&venue) {
                venues.push(venue);
                venues.sort();
            }
        }
        positions
    }

    /// The venues (labels, sorted) where `deployment` holds open positions in
    /// `canonical`.
    #[must_use]
    pub fn venues(&self, deployment: Uuid, canonical: &str) -> &[String] {
        self.by_key
            .get(&(deployment, canonical.to_owned()))
            .map_or(&[], Vec::as_slice)
    }
}

/// Why a signal's `size_model` cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SizeModelError {
    /// The JSON value is not an object (its `jsonb_typeof`).
    NotAnObject(String),
    /// `leverage` is not a positive finite number (a short rendering of it).
    BadLeverage(String),
    /// A `fixed-usdc` `value` that is no positive finite amount.
    BadAmount(String),
    /// A `fixed-usdc` `value` above [`MAX_NOTIONAL_USD`].
    AmountAboveBound(String),
    /// `value` × leverage overflows or exceeds [`MAX_NOTIONAL_USD`].
    NotionalAboveBound {
        value: String,
        leverage: String,
        overflows: bool,
    },
    /// A relative size's `value` outside (0, 100].
    BadPercentage(String),
    /// Maxxit's `llm_fund_allocation` outside (0, 100].
    BadFundAllocation(String),
    /// Maxxit's `llm_leverage` not a positive finite number.
    BadLlmLeverage(String),
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
            SizeModelError::BadAmount(shown) => {
                write!(f, "size_model.value {shown} is not a positive amount")
            }
            SizeModelError::AmountAboveBound(shown) => write!(
                f,
                "size_model.value {shown} is above the bound of 10^15 USD"
            ),
            SizeModelError::NotionalAboveBound {
                value,
                leverage,
                overflows,
            } => {
                let what = if *overflows {
                    "overflows"
                } else {
                    "is above the bound of 10^15 USD"
                };
                write!(f, "size_model.value {value} × leverage {leverage} {what}")
            }
            SizeModelError::BadPercentage(shown) => write!(
                f,
                "size_model.value {shown} is not a percentage of the balance in (0, 100]"
            ),
            SizeModelError::BadFundAllocation(shown) => {
                write!(
                    f,
                    "llm_fund_allocation {shown} is not a percentage in (0, 100]"
                )
            }
            SizeModelError::BadLlmLeverage(shown) => {
                write!(f, "llm_leverage {shown} is not a positive finite number")
            }
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
    /// Fee to close, bps.
    pub close_fee_bps: Option<f64>,
    /// Notional a new LONG / SHORT may still open (0 at the cap, `None`: no known cap).
    pub long_capacity_usd: Option<f64>,
    pub short_capacity_usd: Option<f64>,
    /// The venue lists the market at its open-interest cap.
    pub at_open_interest_cap: Option<bool>,
    /// Why the market takes no opening order (`None`: it takes them).
    pub opening_refusal: Option<OpeningRefusal>,
    /// The largest notional one order may have, USD (`None`: no known cap).
    pub max_order_usd: Option<f64>,
    /// What else bounds the capacity figures, in words (Ostium's group
    /// collateral cap, known or not); appended to a capacity refusal.
    pub capacity_limit: Option<String>,
    /// Max leverage of positions held overnight, the observed day-trading
    /// state and when it flips.
    pub overnight_max_leverage: Option<f64>,
    pub day_trading_closed: Option<bool>,
    pub day_trading_toggle_at: Option<DateTime<Utc>>,
    /// Fee rule and impact model.
    pub cost_model: Option<Arc<CostModel>>,
    /// Depth curve written by the same sync as the market's figures.
    pub depth: Option<Arc<DepthCurve>>,
    /// A depth curve is stored but older than the market's figures (unused).
    pub depth_stale: bool,
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
            // As stored: active = listed and open now (see `sql/markets/apply.sql`).
            is_active: m.listed && m.market_open != Some(false),
            delisted: !m.listed,
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
            close_fee_bps: m.cost.close_fee_bps,
            long_capacity_usd: m.cost.long_capacity_usd,
            short_capacity_usd: m.cost.short_capacity_usd,
            at_open_interest_cap: m.cost.at_open_interest_cap,
            opening_refusal: opening_refusal_of(&m.metadata),
            max_order_usd: max_order_usd_of(&m.metadata),
            capacity_limit: m.cost.capacity_limit.clone(),
            overnight_max_leverage: m.cost.overnight_max_leverage,
            day_trading_closed: m.cost.day_trading_closed,
            day_trading_toggle_at: m.cost.day_trading_toggle_at,
            cost_model: m.cost.model.clone().map(Arc::new),
            depth: m.cost.depth.clone().map(Arc::new),
            depth_stale: false,
        }
    }
}

impl MarketRow {
    /// Listed: not delisted, and active or merely closed. `is_active` keeps
    /// the meaning Maxxit's readers give it (listed and open now), so a
    /// closed market is inactive yet listed; a row only another writer keeps
    /// (no `delisted_at` of Agent Where) is listed when active.
    #[must_use]
    pub fn is_listed(&self) -> bool {
        !self.delisted && (self.is_active || self.market_open == Some(false))
    }

    /// Whether Agent Where wrote this row (another writer's rows have no
    /// canonical symbol stored).
    #[must_use]
    pub fn is_own(&self) -> bool {
        !self.base_symbol.is_empty()
    }

    /// The symbol the history records, as the venue names its markets
    /// ([`VenueInfo::market_symbol`]): Hyperliquid's coin (`kPEPE`,
    /// `xyz:TSLA`), Ostium's pair (`XAU/USD`).
    #[must_use]
    pub fn market_symbol(&self) -> &str {
        match self.venue.and_then(Venue::info).map(|i| i.market_symbol) {
            Some(MarketSymbolColumn::MarketName) => &self.market_name,
            _ => &self.token_symbol,
        }
    }

    /// The canonical symbol, derived from the venue names for rows written by
    /// the original sync scripts (no `base_symbol`).
    pub(crate) fn canonical(&self) -> String {
        if !self.base_symbol.is_empty() {
            return self.base_symbol.clone();
        }
        match self.venue.and_then(Venue::source) {
            Some(source) => source.canonical_of_stored(&self.token_symbol, &self.market_name),
            None => self.token_symbol.to_ascii_uppercase(),
        }
    }
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
    /// The host's executor trades a routed signal's `token_symbol` as it
    /// stands: a routed decision hands over the symbol the executor resolves
    /// to exactly the chosen market, and a market no symbol reaches
    /// unambiguously is `NO_EXECUTOR_SYMBOL` ([`super::handoff`]).
    pub executor_symbol: bool,
    /// The venues the host's executor runs (`None`: not known, any venue);
    /// another venue is `NO_EXECUTOR` unless the configuration allows it.
    pub executor_venues: Option<&'static [Venue]>,
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
            executor_symbol: false,
            executor_venues: None,
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
    /// The venue's latest successful sync read the data built into the
    /// binary (illustrative), and this is not a demo database (issue 23).
    BuiltInMarketData,
    /// A venue Agent Where does not sync (`SPOT`).
    UnsupportedVenue,
    /// The signal asks for more leverage than the market allows (its
    /// overnight cap while it is in its overnight window).
    LeverageAboveMax {
        requested: f64,
        max: i32,
        overnight: bool,
    },
    /// The market is at its open-interest cap on the signal's side.
    OpenInterestCap {
        side: Side,
    },
    /// The order is larger than the capacity left on the signal's side, or
    /// (`per_order`) than the largest order the market accepts.
    AboveCapacity {
        notional: f64,
        capacity: f64,
        per_order: bool,
    },
    /// The market takes no order that opens a position (reduce-only, hidden,
    /// or priced in a currency nothing converts to USD); its code is the
    /// refusal's own (`REDUCE_ONLY`, `HIDDEN`, `QUOTE_NOT_USD`).
    OpeningRefused(OpeningRefusal),
    /// The venue could take the signal, but the signal's deployment has not
    /// enabled it.
    NotEnabled,
    /// The host's executor does not run this venue (Maxxit's: GMX, AEVO,
    /// LIGHTER) and the configuration does not allow it explicitly.
    NoExecutor,
    /// No symbol reaches the market unambiguously through the host
    /// executor's lookup (an Ostium pair whose base and quote both name
    /// other pairs too).
    NoExecutorSymbol,
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
            Verdict::BuiltInMarketData => "BUILT_IN_MARKET_DATA",
            Verdict::UnsupportedVenue => "UNSUPPORTED_VENUE",
            Verdict::LeverageAboveMax { .. } => "LEVERAGE_ABOVE_MAX",
            Verdict::OpenInterestCap { .. } => "OPEN_INTEREST_CAP",
            Verdict::AboveCapacity { .. } => "ABOVE_CAPACITY",
            Verdict::OpeningRefused(refusal) => refusal.code(),
            Verdict::NotEnabled => "NOT_ENABLED",
            Verdict::NoExecutor => "NO_EXECUTOR",
            Verdict::NoExecutorSymbol => "NO_EXECUTOR_SYMBOL",
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

const MAX_CHECKS: usize = VENUE_COUNT;

/// The venues checked, in order (at most one per venue).
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
    pub(crate) fn push(&mut self, check: VenueCheck) {
        if (self.len as usize) < MAX_CHECKS {
            self.items[self.len as usize] = check;
            self.len += 1;
        }
    }

    pub(crate) fn contains(&self, venue: Venue) -> bool {
        self.as_slice().iter().any(|c| c.venue == venue)
    }

    #[must_use]
    pub fn as_slice(&self) -> &[VenueCheck] {
        &self.items[..self.len as usize]
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [VenueCheck] {
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
    /// The signal's deployment does not trade now (paused, cancelled, gone).
    DeploymentInactive,
    /// No considered venue can take the signal, and one could if the
    /// deployment had enabled it.
    NoEnabledVenue,
    /// The deployment holds open positions in the token that do not name one
    /// routable venue (two venues, or a venue no signal can be routed to).
    ConflictingPositions {
        venues: Vec<String>,
    },
    /// The deployment holds an open position in the token on a venue that
    /// cannot take the signal now (its check is the decision's one check).
    PositionVenueUnavailable,
}

impl Skip {
    /// The reason code (`signals.skipped_reason` starts with it).
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Skip::NoVenueAvailable => "NO_VENUE_AVAILABLE",
            Skip::SignalExpired { .. } => "SIGNAL_EXPIRED",
            Skip::InvalidSignal(_) => "INVALID_SIGNAL",
            Skip::DeploymentInactive => "DEPLOYMENT_INACTIVE",
            Skip::NoEnabledVenue => "NO_ENABLED_VENUE",
            Skip::ConflictingPositions { .. } => "CONFLICTING_POSITIONS",
            Skip::PositionVenueUnavailable => "POSITION_VENUE_UNAVAILABLE",
        }
    }
}

/// How the winner among the available venues was picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// `FIRST_AVAILABLE`: the first available venue in priority order.
    First,
    /// The strategy's figure decided.
    Best,
    /// Only one considered venue was available.
    OnlyCandidate,
    /// The best figures tied: priority order among the tied venues.
    Tie,
    /// A figure was unknown for at least one available venue: priority order.
    MissingMetric,
    /// The deployment holds an open position in the token on this venue:
    /// the signal closes or flips it there, ahead of the strategy.
    OpenPosition,
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
    /// The parsed token (canonical symbol, named dex), or why it has none.
    pub token: Result<Token, SymbolError>,
    pub outcome: Outcome,
    /// The configured strategy.
    pub strategy: Strategy,
    pub config_source: ConfigSource,
    pub failover_enabled: bool,
    /// Venues checked, in order.
    pub checks: Checks,
    /// The signal's side, when valid.
    pub side: Option<Side>,
    /// The order's size as routing estimated it.
    pub order: OrderSize,
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
