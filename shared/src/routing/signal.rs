//! A pending signal as routing reads it: its size model (checked, and the
//! order size routing estimates from it) and its leverage.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::deployment::Deployment;
use crate::domain::Usd;

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

    /// Whether the size is one an executor can trade (docs/routing.md):
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
/// type (and none) sizes relative to the balance (Maxxit's executor
/// constants).
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
    /// The notional rule (docs/routing.md, "Cost model"):
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

/// `value` for a message: at most 32 characters (`MAX_QUOTED`), escaped.
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
