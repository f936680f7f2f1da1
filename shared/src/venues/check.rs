//! Validation every venue parser ends with, so that nothing unchecked
//! reaches the database: numbers that parse and are finite, market names
//! under one rule for every venue, and a mapped market list that is whole
//! and sane (a real count, unique token symbols ignoring case, every stored
//! figure within a realistic bound).
//!
//! Numbers and raw values quoted in error messages are cut ([`show`],
//! [`show_raw`]): a hostile response cannot put a 400-digit number on the
//! error line.

use std::collections::HashMap;

use super::http::one_line;
use crate::domain::Market;
use crate::domain::Venue;
use crate::domain::cost::{FeeRule, ImpactModel, MarketCost};

/// Most markets one venue response may hold. Hyperliquid lists a few hundred,
/// Ostium under a hundred; anything near this is not a real market list.
pub const MAX_MARKETS: usize = 20_000;

/// Largest price or size the `numeric(20,8)` columns can hold, with margin.
pub const MAX_NUMERIC: f64 = 1e11;

/// Highest max leverage accepted as real.
pub const MAX_LEVERAGE: f64 = 1000.0;

/// Bound on `current_price` (quote currency per unit): BTC trades near 1e5,
/// NIK/JPY near 5e4.
pub const MAX_PRICE: f64 = 1e9;

/// Bound on every USD amount of one market: open interest (total, long,
/// short), Ostium's open-interest cap, 24 h volume and liquidity. The largest
/// real figures are tens of billions (BTC); 1e12 is a trillion dollars.
pub const MAX_USD: f64 = 1e12;

/// Bound on `min_position` (coin units on Hyperliquid, USD on Ostium).
pub const MAX_MIN_POSITION: f64 = 1e9;

/// Bound on `spread_bps`: 10 000 bps, a spread as wide as the price.
pub const MAX_SPREAD_BPS: f64 = 10_000.0;

/// Bound on `taker_fee_bps` / `maker_fee_bps`: 1 000 bps (10 %).
pub const MAX_FEE_BPS: f64 = 1_000.0;

/// Bound on |`funding_rate`| (a fraction per hour; Hyperliquid caps it at 4 %).
pub const MAX_FUNDING_RATE: f64 = 1.0;

/// Bound on `price_scale` (1, or 1000 for `kPEPE`-style contracts).
pub const MAX_PRICE_SCALE: f64 = 1e6;

/// Bound on |any number| in a market's `metadata` (ids, raw venue figures,
/// timestamps in seconds).
pub const MAX_METADATA_NUMBER: f64 = 1e15;

/// Longest market name, in bytes.
pub const MAX_NAME_LEN: usize = 64;

/// A number as an error message shows it: plain when ordinary, scientific
/// when huge or tiny (`1e300`, never 300 digits).
#[must_use]
pub fn show(v: f64) -> String {
    if v != 0.0 && v.is_finite() && !(1e-6..1e7).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// A raw value from a response as an error message shows it: quoted, on one
/// line, its first 16 characters and its length when it is longer.
#[must_use]
pub fn show_raw(raw: &str) -> String {
    let n = raw.chars().count();
    if n > 16 {
        format!("{:?} ({n} characters)", one_line(raw, 16))
    } else {
        format!("{:?}", one_line(raw, 16))
    }
}

/// A list of `n` items within `max`: `{n} {what}, more than the {max} a
/// real list can hold` otherwise. Every list a venue sends is bounded so.
pub(crate) fn list_len(what: &str, n: usize, max: usize) -> Result<(), String> {
    if n > max {
        return Err(format!(
            "{n} {what}, more than the {max} a real list can hold"
        ));
    }
    Ok(())
}

/// `x` rounded to 9 decimals: fees and multipliers as stored, without the
/// binary noise of the arithmetic (`4.5 × 0.125`).
pub(crate) fn round9(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

/// A decimal a venue sends as a string (`"3310.21"`) or a number (`3310.05`).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(untagged)]
pub(crate) enum Decimal {
    Text(String),
    Number(f64),
}

impl Decimal {
    /// The finite value ([`decimal`] for a string).
    pub(crate) fn value(&self, field: &str, market: &str) -> Result<f64, String> {
        match self {
            Decimal::Text(s) => decimal(field, market, s),
            Decimal::Number(n) if n.is_finite() => Ok(*n),
            Decimal::Number(n) => Err(format!("`{field}` of `{market}` is not finite: {n}")),
        }
    }

    /// Like [`Decimal::value`] and also ≥ 0.
    pub(crate) fn non_negative(&self, field: &str, market: &str) -> Result<f64, String> {
        let v = self.value(field, market)?;
        if v < 0.0 {
            return Err(format!("`{field}` of `{market}` is negative: {v}"));
        }
        Ok(v)
    }
}

/// Parses a decimal string (`"95708.0"`) into a finite f64; rejects `NaN`,
/// `inf`, empty and non-numeric strings.
pub(crate) fn decimal(field: &str, market: &str, raw: &str) -> Result<f64, String> {
    let value: f64 = raw
        .trim()
        .parse()
        .map_err(|_| format!("`{field}` of `{market}` is not a number: {}", show_raw(raw)))?;
    if !value.is_finite() {
        return Err(format!(
            "`{field}` of `{market}` is not finite: {}",
            show_raw(raw)
        ));
    }
    Ok(value)
}

/// Like [`decimal`] and also ≥ 0.
pub(crate) fn non_negative(field: &str, market: &str, raw: &str) -> Result<f64, String> {
    let value = decimal(field, market, raw)?;
    if value < 0.0 {
        return Err(format!(
            "`{field}` of `{market}` is negative: {}",
            show_raw(raw)
        ));
    }
    Ok(value)
}

/// The one rule for a name a venue gives a market (or a part of one: a
/// Hyperliquid dex or asset, an Ostium `from` / `to`), the same for every
/// venue: 1–64 ASCII letters, digits, `.`, `-` or `_`. Names are matched
/// ignoring case (see [`check_markets`]), so `btc` is a valid name, and a
/// list holding both `btc` and `BTC` is not.
pub(crate) fn check_name(kind: &str, name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err(format!("empty {kind}"));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(format!(
            "{kind} of {} bytes: {:?}…",
            name.len(),
            one_line(name, 40)
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
    {
        return Err(format!(
            "{kind} {:?} contains the character {} (market names are ASCII letters, digits, `.`, `-` and `_`)",
            one_line(name, 40),
            c.escape_unicode()
        ));
    }
    Ok(())
}

/// A market's `token_symbol`: names under the rule of [`check_name`],
/// joined only by the separators venues use between names — `dex:NAME`
/// (a Hyperliquid builder dex), `INDEX/USD[LONG-SHORT]` (a GMX pool).
fn check_token_symbol(symbol: &str) -> Result<(), String> {
    if symbol.is_empty() {
        return Err("empty token symbol".to_owned());
    }
    if symbol.len() > MAX_NAME_LEN {
        return Err(format!(
            "token symbol of {} bytes: {:?}…",
            symbol.len(),
            one_line(symbol, 40)
        ));
    }
    if let Some(c) = symbol.chars().find(|c| {
        !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '/' | '[' | ']'))
    }) {
        return Err(format!(
            "token symbol {:?} contains the character {} (market names are ASCII letters, digits, `.`, `-` and `_`, joined by `:`, `/` or `[…]`)",
            one_line(symbol, 40),
            c.escape_unicode()
        ));
    }
    let parts: Vec<&str> = symbol.split([':', '/', '[', ']']).collect();
    let last = parts.len() - 1;
    let empty_name = parts
        .iter()
        .enumerate()
        .any(|(i, part)| part.is_empty() && !(i == last && symbol.ends_with(']')));
    if empty_name || symbol.matches(':').count() > 1 {
        return Err(format!(
            "token symbol {:?} has an empty name between separators",
            one_line(symbol, 40)
        ));
    }
    Ok(())
}

/// A label that is not a market name (an Ostium group name): 1–64 printable
/// ASCII characters without spaces.
pub(crate) fn check_label(kind: &str, label: &str) -> Result<(), String> {
    if label.is_empty() {
        return Err(format!("empty {kind}"));
    }
    if label.len() > MAX_NAME_LEN {
        return Err(format!(
            "{kind} of {} bytes: {:?}…",
            label.len(),
            one_line(label, 40)
        ));
    }
    if let Some(c) = label.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(format!(
            "{kind} {:?} contains the character {}",
            one_line(label, 40),
            c.escape_unicode()
        ));
    }
    Ok(())
}

/// `value` of `field` of market `t` within `0..=bound`, named in the error.
fn bounded(t: &str, field: &str, value: Option<f64>, bound: f64, what: &str) -> Result<(), String> {
    let Some(v) = value else {
        return Ok(());
    };
    if !(v.is_finite() && v >= 0.0) {
        return Err(format!(
            "`{field}` of `{t}` is {}, not a finite value ≥ 0",
            show(v)
        ));
    }
    if v > bound {
        return Err(format!(
            "`{field}` of `{t}` is absurdly large: {}, above the {} bound for {what}",
            show(v),
            show(bound)
        ));
    }
    Ok(())
}

/// Every number in `value` (a market's metadata) within
/// ±[`MAX_METADATA_NUMBER`]; returns the path of the first one outside.
fn metadata_outlier(value: &serde_json::Value, path: &str) -> Option<(String, f64)> {
    match value {
        serde_json::Value::Number(n) => n
            .as_f64()
            .filter(|v| !(v.is_finite() && v.abs() <= MAX_METADATA_NUMBER))
            .map(|v| (path.to_owned(), v)),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| metadata_outlier(v, &format!("{path}[{i}]"))),
        serde_json::Value::Object(map) => map
            .iter()
            .find_map(|(k, v)| metadata_outlier(v, &format!("{path}.{k}"))),
        _ => None,
    }
}

/// Checks a mapped market list as a whole before it may be applied: a sane
/// count, names under the one rule, token symbols unique ignoring case, and
/// every stored figure finite and within its bound (the `MAX_*` constants).
/// Both venue parsers end with it, so nothing unchecked reaches the database.
pub fn check_markets(venue: Venue, markets: &[Market]) -> Result<(), String> {
    if markets.is_empty() {
        return Err("the market list is empty".to_owned());
    }
    list_len("markets", markets.len(), MAX_MARKETS)?;
    let mut seen: HashMap<String, &str> = HashMap::with_capacity(markets.len());
    for m in markets {
        if m.venue != venue {
            return Err(format!(
                "market `{}` is not a {venue} market",
                one_line(&m.token_symbol, 40)
            ));
        }
        check_token_symbol(&m.token_symbol)?;
        if let Some(first) = seen.insert(m.token_symbol.to_ascii_uppercase(), &m.token_symbol) {
            return Err(if first == m.token_symbol {
                format!("duplicate market `{}`", m.token_symbol)
            } else {
                format!(
                    "duplicate market `{first}` and `{}` (market names are matched ignoring case)",
                    m.token_symbol
                )
            });
        }
        let t = &m.token_symbol;
        bounded(
            t,
            "price_scale",
            Some(m.price_scale),
            MAX_PRICE_SCALE,
            "price scales",
        )?;
        if m.price_scale < 1.0 {
            return Err(format!(
                "`price_scale` of `{t}` is {}, below 1",
                show(m.price_scale)
            ));
        }
        bounded(t, "current_price", m.current_price, MAX_PRICE, "prices")?;
        bounded(
            t,
            "min_position",
            m.min_position,
            MAX_MIN_POSITION,
            "minimum positions",
        )?;
        // The venue's own figures first, then what is derived from them, so
        // the error names the figure the response got wrong.
        for (field, value) in [
            ("long_open_interest_usd", m.figures.long_open_interest_usd),
            ("short_open_interest_usd", m.figures.short_open_interest_usd),
            ("max_open_interest_usd", m.figures.max_open_interest_usd),
            ("open_interest_usd", m.figures.open_interest_usd),
            ("day_volume_usd", m.figures.day_volume_usd),
            ("liquidity_usd", m.figures.liquidity_usd),
        ] {
            bounded(
                t,
                field,
                value,
                MAX_USD,
                "USD amounts (open interest, volume, liquidity)",
            )?;
        }
        bounded(
            t,
            "spread_bps",
            m.figures.spread_bps,
            MAX_SPREAD_BPS,
            "spreads (bps)",
        )?;
        bounded(
            t,
            "taker_fee_bps",
            m.figures.taker_fee_bps,
            MAX_FEE_BPS,
            "fees (bps)",
        )?;
        bounded(
            t,
            "maker_fee_bps",
            m.maker_fee_bps,
            MAX_FEE_BPS,
            "fees (bps)",
        )?;
        check_cost(t, &m.cost)?;
        if let Some(f) = m.funding_rate {
            if !f.is_finite() {
                return Err(format!("`funding_rate` of `{t}` is not finite"));
            }
            if f.abs() > MAX_FUNDING_RATE {
                return Err(format!(
                    "`funding_rate` of `{t}` is absurdly large: {}, outside the ±{} bound for hourly funding",
                    show(f),
                    show(MAX_FUNDING_RATE)
                ));
            }
        }
        if let Some(l) = m.max_leverage
            && !(1..=1000).contains(&l)
        {
            return Err(format!("max leverage of `{t}` is {l}, not in 1..=1000"));
        }
        if let Some((path, v)) = metadata_outlier(&m.metadata, "metadata") {
            return Err(format!(
                "`{path}` of `{t}` is absurdly large: {}, outside the ±{} bound for metadata numbers",
                show(v),
                show(MAX_METADATA_NUMBER)
            ));
        }
    }
    Ok(())
}

/// The cost model's figures under the bounds of the columns they sit beside:
/// fees as fees, capacities as USD amounts, overnight leverage as leverage,
/// oracle quotes as prices; and every number of the fee rule, the impact
/// model and the depth curve (stored as jsonb) within ±[`MAX_METADATA_NUMBER`].
fn check_cost(t: &str, c: &MarketCost) -> Result<(), String> {
    const FEES: &str = "fees (bps)";
    bounded(t, "close_fee_bps", c.close_fee_bps, MAX_FEE_BPS, FEES)?;
    for (field, value) in [
        ("long_capacity_usd", c.long_capacity_usd),
        ("short_capacity_usd", c.short_capacity_usd),
    ] {
        bounded(
            t,
            field,
            value,
            MAX_USD,
            "USD amounts (open interest, capacity)",
        )?;
    }
    if let Some(limit) = &c.capacity_limit
        && (limit.is_empty() || limit.len() > 300 || limit.chars().any(char::is_control))
    {
        return Err(format!(
            "`capacity_limit` of `{t}` is not one line of 1 to 300 characters"
        ));
    }
    bounded(
        t,
        "overnight_max_leverage",
        c.overnight_max_leverage,
        MAX_LEVERAGE,
        "leverage",
    )?;
    if let Some(model) = &c.model {
        let (taker, close, maker) = match &model.fees {
            FeeRule::Taker {
                taker_bps,
                close_bps,
                ..
            } => (*taker_bps, *close_bps, None),
            FeeRule::Imbalance {
                maker_bps,
                taker_bps,
                close_bps,
                ..
            } => (*taker_bps, *close_bps, Some(*maker_bps)),
        };
        bounded(
            t,
            "cost_model.fees.taker_bps",
            Some(taker),
            MAX_FEE_BPS,
            FEES,
        )?;
        bounded(
            t,
            "cost_model.fees.close_bps",
            Some(close),
            MAX_FEE_BPS,
            FEES,
        )?;
        bounded(t, "cost_model.fees.maker_bps", maker, MAX_FEE_BPS, FEES)?;
        if let ImpactModel::OracleQuote { bid, ask, mid, .. } = &model.impact {
            for (field, v) in [
                ("cost_model.impact.bid", bid),
                ("cost_model.impact.ask", ask),
                ("cost_model.impact.mid", mid),
            ] {
                bounded(t, field, Some(*v), MAX_PRICE, "prices")?;
            }
        }
    }
    let json = [
        ("cost_model", c.model.as_ref().map(serde_json::to_value)),
        ("depth_curve", c.depth.as_ref().map(serde_json::to_value)),
    ];
    for (path, value) in json {
        let value = match value {
            None => continue,
            Some(Ok(v)) => v,
            Some(Err(_)) => return Err(format!("`{path}` of `{t}` cannot be stored")),
        };
        if let Some((p, v)) = metadata_outlier(&value, path) {
            return Err(format!(
                "`{p}` of `{t}` is absurdly large: {}, outside the ±{} bound for cost figures",
                show(v),
                show(MAX_METADATA_NUMBER)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::MarketFigures;

    #[test]
    fn decimals_reject_nan_inf_and_garbage() {
        assert_eq!(decimal("f", "m", "95708.0"), Ok(95708.0));
        assert_eq!(decimal("f", "m", "-0.5"), Ok(-0.5));
        for bad in [
            "NaN", "nan", "inf", "-inf", "infinity", "", "1,5", "0x10", "abc",
        ] {
            assert!(decimal("f", "m", bad).is_err(), "{bad:?} accepted");
        }
        assert!(non_negative("f", "m", "-1").is_err());
        assert_eq!(non_negative("f", "m", "0"), Ok(0.0));
    }

    fn longest_digit_run(text: &str) -> usize {
        text.split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn numbers_in_messages_are_cut() {
        assert_eq!(show(1e300), "1e300");
        assert_eq!(show(95708.5), "95708.5");
        assert_eq!(show(1e12), "1e12");
        assert_eq!(show(0.0), "0");
        let huge = format!("1{}", "0".repeat(399));
        for e in [
            decimal("f", "m", &huge).expect_err("infinite"),
            decimal("f", "m", &format!("x{huge}")).expect_err("not a number"),
            non_negative("f", "m", &format!("-{huge}")).expect_err("negative"),
        ] {
            assert!(longest_digit_run(&e) <= 24 && e.len() < 120, "{e}");
            assert!(
                e.contains("(401 characters)") || e.contains("(400 characters)"),
                "{e}"
            );
        }
    }

    fn market(symbol: &str) -> Market {
        Market {
            venue: Venue::Hyperliquid,
            token_symbol: symbol.to_owned(),
            market_name: format!("{symbol}/USD"),
            market_index: Some(0),
            base_symbol: symbol.to_ascii_uppercase(),
            quote_symbol: "USD".to_owned(),
            price_scale: 1.0,
            dex: None,
            listed: true,
            market_open: None,
            market_status_at: None,
            min_position: Some(0.00001),
            max_leverage: Some(40),
            group: Some("crypto".to_owned()),
            current_price: Some(95_000.0),
            figures: MarketFigures {
                liquidity_usd: Some(2e9),
                open_interest_usd: Some(3e9),
                long_open_interest_usd: None,
                short_open_interest_usd: None,
                max_open_interest_usd: None,
                day_volume_usd: Some(2e9),
                spread_bps: Some(0.5),
                taker_fee_bps: Some(4.5),
            },
            maker_fee_bps: Some(1.5),
            funding_rate: Some(0.000_012_5),
            metadata: serde_json::json!({"szDecimals": 5, "asset_id": 0}),
            cost: crate::domain::cost::MarketCost::default(),
        }
    }

    #[test]
    fn every_stored_figure_is_bounded() {
        let ok = market("BTC");
        assert_eq!(
            check_markets(Venue::Hyperliquid, std::slice::from_ref(&ok)),
            Ok(())
        );
        type Edit = fn(&mut Market);
        let cases: [(Edit, &str, &str); 13] = [
            (|m| m.current_price = Some(1e10), "current_price", "1e9"),
            (|m| m.min_position = Some(1e10), "min_position", "1e9"),
            (
                |m| m.figures.open_interest_usd = Some(1e300),
                "open_interest_usd",
                "1e12",
            ),
            (
                |m| m.figures.long_open_interest_usd = Some(2e12),
                "long_open_interest_usd",
                "1e12",
            ),
            (
                |m| m.figures.short_open_interest_usd = Some(2e12),
                "short_open_interest_usd",
                "1e12",
            ),
            (
                |m| m.figures.max_open_interest_usd = Some(1e34),
                "max_open_interest_usd",
                "1e12",
            ),
            (
                |m| m.figures.liquidity_usd = Some(5e12),
                "liquidity_usd",
                "1e12",
            ),
            (
                |m| m.figures.day_volume_usd = Some(1e20),
                "day_volume_usd",
                "1e12",
            ),
            (
                |m| m.figures.spread_bps = Some(20_000.0),
                "spread_bps",
                "10000",
            ),
            (
                |m| m.figures.taker_fee_bps = Some(2_000.0),
                "taker_fee_bps",
                "1000",
            ),
            (|m| m.funding_rate = Some(-5.0), "funding_rate", "±1"),
            (|m| m.price_scale = 1e9, "price_scale", "1000000"),
            (
                |m| m.metadata = serde_json::json!({"raw": {"oi": [1, 1e300]}}),
                "metadata.raw.oi[1]",
                "1e15",
            ),
        ];
        for (edit, field, bound) in cases {
            let mut m = ok.clone();
            edit(&mut m);
            let e = check_markets(Venue::Hyperliquid, &[m]).expect_err(field);
            assert!(
                e.contains(&format!("`{field}` of `BTC`")) && e.contains(bound),
                "{field}: {e}"
            );
            assert!(longest_digit_run(&e) <= 24, "{e}");
        }
    }

    #[test]
    fn every_cost_figure_is_bounded() {
        use crate::domain::cost::{CostModel, FeeComponents};
        let mut ok = market("BTC");
        ok.cost = MarketCost {
            close_fee_bps: Some(4.5),
            long_capacity_usd: Some(1e6),
            short_capacity_usd: Some(0.0),
            overnight_max_leverage: Some(10.0),
            model: Some(CostModel {
                fees: FeeRule::Taker {
                    taker_bps: 4.5,
                    close_bps: 4.5,
                    components: FeeComponents::default(),
                },
                impact: ImpactModel::OrderBook,
            }),
            ..MarketCost::default()
        };
        assert_eq!(
            check_markets(Venue::Hyperliquid, std::slice::from_ref(&ok)),
            Ok(())
        );
        type Edit = fn(&mut Market);
        let cases: [(Edit, &str, &str); 7] = [
            (
                |m| m.cost.close_fee_bps = Some(2_000.0),
                "close_fee_bps",
                "1000",
            ),
            (
                |m| m.cost.long_capacity_usd = Some(-1.0),
                "long_capacity_usd",
                "≥ 0",
            ),
            (
                |m| m.cost.short_capacity_usd = Some(1e30),
                "short_capacity_usd",
                "1e12",
            ),
            (
                |m| m.cost.capacity_limit = Some("group\ncap".to_owned()),
                "capacity_limit",
                "one line",
            ),
            (
                |m| m.cost.overnight_max_leverage = Some(5_000.0),
                "overnight_max_leverage",
                "1000",
            ),
            (
                |m| {
                    m.cost.model = Some(CostModel {
                        fees: FeeRule::Imbalance {
                            maker_bps: f64::NAN,
                            taker_bps: 10.0,
                            maker_max_leverage: None,
                            close_bps: 0.0,
                        },
                        impact: ImpactModel::OrderBook,
                    });
                },
                "cost_model.fees.maker_bps",
                "finite",
            ),
            (
                |m| {
                    m.cost.model = Some(CostModel {
                        fees: FeeRule::Taker {
                            taker_bps: 4.5,
                            close_bps: 4.5,
                            components: FeeComponents::default(),
                        },
                        impact: ImpactModel::OracleQuote {
                            bid: 1.0,
                            ask: 2e9,
                            mid: 1.5,
                            dynamic: None,
                        },
                    });
                },
                "cost_model.impact.ask",
                "1e9",
            ),
        ];
        for (edit, field, bound) in cases {
            let mut m = ok.clone();
            edit(&mut m);
            let e = check_markets(Venue::Hyperliquid, &[m]).expect_err(field);
            assert!(
                e.contains(&format!("`{field}` of `BTC`")) && e.contains(bound),
                "{field}: {e}"
            );
            assert!(longest_digit_run(&e) <= 24, "{e}");
        }
    }

    #[test]
    fn names_follow_one_rule_and_match_ignoring_case() {
        for good in [
            "BTC",
            "kPEPE",
            "US500",
            "BRK.B",
            "btc",
            "xyz:TSLA",
            "BTC/USD[WBTC.b-USDC]",
        ] {
            assert_eq!(
                check_markets(Venue::Hyperliquid, &[market(good)]),
                Ok(()),
                "{good}"
            );
        }
        for bad in [
            "BTC'--",
            "BTC USD",
            "BT\"C",
            "B\u{e9}TC",
            "a:b:c",
            ":BTC",
            "x:",
        ] {
            assert!(
                check_markets(Venue::Hyperliquid, &[market(bad)]).is_err(),
                "{bad}"
            );
        }
        let e = check_markets(Venue::Hyperliquid, &[market("BTC"), market("btc")])
            .expect_err("duplicate ignoring case");
        assert!(e.contains("duplicate market `BTC` and `btc`"), "{e}");
        assert_eq!(
            check_name("pair `from`", "BTC'--").map_err(|e| e.contains("BTC'--")),
            Err(true)
        );
    }
}
