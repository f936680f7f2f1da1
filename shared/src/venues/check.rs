//! Validation every venue parser ends with, so that nothing unchecked
//! reaches the database: numbers that parse and are finite, market names of
//! printable ASCII, and a mapped market list that is whole and sane (a real
//! count, unique token symbols, figures within the column ranges).

use std::collections::HashSet;

use super::http::one_line;
use super::registry::Venue;
use crate::domain::Market;

/// Most markets one venue response may hold. Hyperliquid lists a few hundred,
/// Ostium under a hundred; anything near this is not a real market list.
pub const MAX_MARKETS: usize = 20_000;

/// Largest price or size the `numeric(20,8)` columns can hold, with margin.
pub const MAX_NUMERIC: f64 = 1e11;

/// Highest max leverage accepted as real.
pub const MAX_LEVERAGE: f64 = 1000.0;

/// Parses a decimal string (`"95708.0"`) into a finite f64; rejects `NaN`,
/// `inf`, empty and non-numeric strings.
pub(crate) fn decimal(field: &str, market: &str, raw: &str) -> Result<f64, String> {
    let value: f64 = raw
        .trim()
        .parse()
        .map_err(|_| format!("`{field}` of `{market}` is not a number: {raw:?}"))?;
    if !value.is_finite() {
        return Err(format!("`{field}` of `{market}` is not finite: {raw:?}"));
    }
    Ok(value)
}

/// Like [`decimal`] and also ≥ 0.
pub(crate) fn non_negative(field: &str, market: &str, raw: &str) -> Result<f64, String> {
    let value = decimal(field, market, raw)?;
    if value < 0.0 {
        return Err(format!("`{field}` of `{market}` is negative: {raw:?}"));
    }
    Ok(value)
}

/// Checks a name a venue gives a market: 1–64 printable ASCII, no spaces.
pub(crate) fn check_name(kind: &str, name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err(format!("empty {kind}"));
    }
    if name.len() > 64 {
        return Err(format!(
            "{kind} of {} bytes: {:?}…",
            name.len(),
            one_line(name, 40)
        ));
    }
    if let Some(c) = name.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(format!(
            "{kind} {:?} contains the character {}",
            one_line(name, 40),
            c.escape_unicode()
        ));
    }
    Ok(())
}

/// Checks a mapped market list as a whole before it may be applied: a sane
/// count, unique token symbols, finite numbers within the column ranges.
/// Both venue parsers end with it, so nothing unchecked reaches the database.
pub fn check_markets(venue: Venue, markets: &[Market]) -> Result<(), String> {
    if markets.is_empty() {
        return Err("the market list is empty".to_owned());
    }
    if markets.len() > MAX_MARKETS {
        return Err(format!(
            "{} markets, more than the {MAX_MARKETS} a real {venue} list can hold",
            markets.len()
        ));
    }
    let mut seen = HashSet::with_capacity(markets.len());
    for m in markets {
        if m.venue != venue {
            return Err(format!(
                "market `{}` is not a {venue} market",
                m.token_symbol
            ));
        }
        check_name("token symbol", &m.token_symbol)?;
        if !seen.insert(m.token_symbol.as_str()) {
            return Err(format!("duplicate market `{}`", m.token_symbol));
        }
        let t = &m.token_symbol;
        for (field, value) in [
            ("price_scale", Some(m.price_scale)),
            ("min_position", m.min_position),
            ("current_price", m.current_price),
            ("liquidity_usd", m.liquidity_usd),
            ("open_interest_usd", m.open_interest_usd),
            ("long_open_interest_usd", m.long_open_interest_usd),
            ("short_open_interest_usd", m.short_open_interest_usd),
            ("max_open_interest_usd", m.max_open_interest_usd),
            ("day_volume_usd", m.day_volume_usd),
            ("spread_bps", m.spread_bps),
            ("taker_fee_bps", m.taker_fee_bps),
            ("maker_fee_bps", m.maker_fee_bps),
        ] {
            if let Some(v) = value
                && !(v.is_finite() && v >= 0.0)
            {
                return Err(format!("`{field}` of `{t}` is {v}, not a finite value ≥ 0"));
            }
        }
        if let Some(f) = m.funding_rate
            && !f.is_finite()
        {
            return Err(format!("`funding_rate` of `{t}` is not finite"));
        }
        for (field, value) in [
            ("current_price", m.current_price),
            ("min_position", m.min_position),
        ] {
            if let Some(v) = value
                && v >= MAX_NUMERIC
            {
                return Err(format!("`{field}` of `{t}` is absurdly large: {v}"));
            }
        }
        if let Some(l) = m.max_leverage
            && !(1..=1000).contains(&l)
        {
            return Err(format!("max leverage of `{t}` is {l}, not in 1..=1000"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
