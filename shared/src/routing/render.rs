//! Turns a compact [`Decision`] into what `signals` and
//! `venue_routing_history` store: the chosen venue or the skip reason, the
//! human-readable routing reason, the venues checked and the per-venue
//! availability JSON. Kept apart from deciding so that deciding stays cheap.
//!
//! Text forms (the stats tool parses the leading code):
//! - routed: `HYPERLIQUID: NOT_LISTED → OSTIUM: available (XAU/USD, pair 5)`
//! - skipped (`skipped_reason` and `routing_reason` are the same text):
//!   `NO_VENUE_AVAILABLE: HYPERLIQUID: NOT_LISTED → OSTIUM: MARKET_CLOSED (XAU/USD)`,
//!   `SIGNAL_EXPIRED: created 30h ago (max 24h)`,
//!   `INVALID_SIGNAL: token symbol contains invalid character \u{7}`.

use std::fmt::Write;

use chrono::TimeDelta;

use super::cost;
use super::decision::{
    Choice, Decision, Invalid, Outcome, RoutingOptions, Skip, VenueCheck, Verdict,
};
use super::figures;
use super::handoff::ExecutorSymbol;
use super::market_row::MarketRow;
use super::signal::{PendingSignal, quote_untrusted};
use super::snapshot::MarketSnapshot;
use super::strategy;
use crate::domain::{Strategy, Venue};

/// Longest `venue_routing_history.token_symbol` written for an invalid token.
pub const HISTORY_TOKEN_MAX_CHARS: usize = 64;

/// A decision in the form it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedDecision<'a> {
    /// `ROUTED` or `SKIPPED`.
    pub outcome: &'static str,
    /// The chosen venue (routed).
    pub venue: Option<Venue>,
    /// The skip code (skipped).
    pub skip_code: Option<&'static str>,
    /// `signals.skipped_reason` (skipped): the same text as `routing_reason`.
    pub skipped_reason: Option<String>,
    pub routing_reason: String,
    /// Venues checked, in order.
    pub checked_venues: Vec<&'static str>,
    /// JSON object: one entry per checked venue.
    pub venue_availability: String,
    /// Venue-native symbol of the chosen market (`kPEPE`, `XAU/USD`).
    pub market_symbol: Option<&'a str>,
    /// `venue_routing_history.token_symbol`: the canonical symbol, or the raw
    /// token cut to [`HISTORY_TOKEN_MAX_CHARS`] characters when invalid.
    pub history_token: String,
    /// `venue_routing_history.requested_token`: the token as the agent wrote
    /// it (cut to [`HISTORY_TOKEN_MAX_CHARS`] characters).
    pub requested_token: String,
    /// The symbol the routed signal's `token_symbol` becomes: what the host's
    /// executor resolves to exactly the chosen market (`kPEPE`, `XAU`,
    /// `JPY`), when it trades the token as written
    /// ([`RoutingOptions::executor_symbol`]); `None` leaves the token as is.
    pub executor_symbol: Option<&'a str>,
}

/// Renders a decision. `notes` are the config resolution notes (levels of
/// configuration that were skipped and why); they end the reason.
#[must_use]
pub fn render<'a>(
    signal: &PendingSignal,
    decision: &Decision,
    notes: &[String],
    snapshot: &'a MarketSnapshot,
    options: &RoutingOptions,
) -> RenderedDecision<'a> {
    let history_token = match &decision.token {
        Ok(t) => t.canonical.clone(),
        Err(_) => signal
            .token_symbol
            .chars()
            .take(HISTORY_TOKEN_MAX_CHARS)
            .collect(),
    };
    let requested_token: String = signal
        .token_symbol
        .chars()
        .take(HISTORY_TOKEN_MAX_CHARS)
        .collect();
    let checks = decision.checks.as_slice();
    let mut reason = String::with_capacity(96);
    let mut executor_symbol = None;
    let (venue, skip_code, market_symbol) = match &decision.outcome {
        Outcome::Routed { check, choice } => {
            let selected = &checks[*check as usize];
            chain(&mut reason, checks, snapshot, options, named_dex(decision));
            strategy_note(&mut reason, decision, *choice, selected);
            let market = selected
                .market
                .and_then(|i| snapshot.market(i))
                .map(MarketRow::market_symbol);
            if options.executor_symbol
                && let Some(ExecutorSymbol::Symbol(s)) =
                    selected.market.and_then(|i| snapshot.executor_symbol(i))
            {
                executor_symbol = Some(&**s);
            }
            (Some(selected.venue), None, market)
        }
        Outcome::Skipped(skip) => {
            reason.push_str(skip.code());
            reason.push_str(": ");
            match skip {
                Skip::NoVenueAvailable => {
                    if checks.is_empty() {
                        reason.push_str("no venue considered");
                    }
                    chain(&mut reason, checks, snapshot, options, named_dex(decision));
                    if !decision.failover_enabled {
                        reason.push_str(" (failover off: only the first venue is considered)");
                    }
                }
                Skip::SignalExpired { age } => {
                    let _ = write!(
                        reason,
                        "created {} ago (max {})",
                        format_age(*age),
                        format_age(options.max_signal_age)
                    );
                }
                Skip::DeploymentInactive => {
                    if let Some(d) = &signal.deployment {
                        let _ = write!(
                            reason,
                            "deployment `{}` is {}",
                            d.id,
                            d.status.as_deref().map_or_else(
                                || "missing".to_owned(),
                                |s| quote_untrusted(s).trim_matches('"').to_owned()
                            )
                        );
                    }
                }
                Skip::NoEnabledVenue => {
                    chain(&mut reason, checks, snapshot, options, named_dex(decision));
                    if let Some(list) = signal
                        .deployment
                        .as_ref()
                        .and_then(|d| d.enabled_venues.as_ref())
                    {
                        let _ = write!(
                            reason,
                            " (the deployment enables {})",
                            if list.is_empty() {
                                "no venue".to_owned()
                            } else {
                                quote_untrusted(&list.join(","))
                                    .trim_matches('"')
                                    .to_owned()
                            }
                        );
                    }
                }
                Skip::ConflictingPositions { venues } => {
                    let _ = write!(
                        reason,
                        "the deployment holds open positions in {} on {}; close one by hand, then the signal can be routed",
                        history_token,
                        quote_untrusted(&venues.join(" and ")).trim_matches('"')
                    );
                }
                Skip::PositionVenueUnavailable => {
                    let _ = write!(
                        reason,
                        "the deployment holds an open position in {history_token} there: "
                    );
                    chain(&mut reason, checks, snapshot, options, named_dex(decision));
                }
                Skip::InvalidSignal(invalid) => match invalid {
                    Invalid::Token(e) => {
                        let _ = write!(reason, "{e}");
                    }
                    Invalid::Side => {
                        let _ = write!(
                            reason,
                            "unknown side {} (expected LONG or SHORT)",
                            quote_untrusted(&signal.side)
                        );
                    }
                    Invalid::SizeModel(e) => {
                        let _ = write!(reason, "{e}");
                    }
                },
            }
            (None, Some(skip.code()), None)
        }
    };
    for note in notes {
        reason.push_str("; config: ");
        reason.push_str(note);
    }
    let venue_availability = availability_json(signal, decision, snapshot, options);
    RenderedDecision {
        outcome: if venue.is_some() { "ROUTED" } else { "SKIPPED" },
        venue,
        skip_code,
        skipped_reason: skip_code.map(|_| reason.clone()),
        routing_reason: reason,
        checked_venues: checks.iter().map(|c| c.venue.as_str()).collect(),
        venue_availability,
        market_symbol,
        history_token,
        requested_token,
        executor_symbol,
    }
}

/// The HIP-3 dex the signal's token names (`xyz` of `xyz:TSLA`).
fn named_dex(decision: &Decision) -> Option<&str> {
    decision.token.as_ref().ok().and_then(|t| t.dex.as_deref())
}

/// `A: VERDICT → B: available (…)`. `dex`: the HIP-3 dex the token names.
fn chain(
    out: &mut String,
    checks: &[VenueCheck],
    snapshot: &MarketSnapshot,
    o: &RoutingOptions,
    dex: Option<&str>,
) {
    for (i, check) in checks.iter().enumerate() {
        if i > 0 {
            out.push_str(" → ");
        }
        out.push_str(check.venue.as_str());
        out.push_str(": ");
        let market = check.market.and_then(|i| snapshot.market(i));
        match check.verdict {
            Verdict::Available => {
                out.push_str("available");
                if let Some(m) = market {
                    let _ = write!(out, " ({}", m.market_symbol());
                    if let Some(index) = m.market_index {
                        let what = check.venue.info().map_or("market", |i| i.index_label);
                        let _ = write!(out, ", {what} {index}");
                    }
                    out.push(')');
                }
            }
            Verdict::StaleMarketData => {
                out.push_str(check.verdict.code());
                match snapshot.last_sync(check.venue) {
                    Some(at) => {
                        let _ = write!(
                            out,
                            " (last sync {} ago, max {})",
                            format_age(o.now - at),
                            format_age(o.max_market_age)
                        );
                    }
                    None => out.push_str(" (never synced)"),
                }
            }
            Verdict::LeverageAboveMax {
                requested,
                max,
                overnight,
            } => {
                out.push_str(check.verdict.code());
                let _ = write!(out, " (");
                if let Some(m) = market {
                    let _ = write!(out, "{}: ", m.market_symbol());
                }
                let _ = write!(out, "{requested}x requested, max {max}x");
                if overnight {
                    out.push_str(" overnight");
                }
                out.push(')');
            }
            Verdict::OpenInterestCap { side } => {
                out.push_str(check.verdict.code());
                match market {
                    Some(m) => {
                        let _ = write!(
                            out,
                            " ({}, {side})",
                            m.market_symbol(),
                            side = side.as_str()
                        );
                    }
                    None => {
                        let _ = write!(out, " ({})", side.as_str());
                    }
                }
                push_capacity_limit(out, market);
            }
            Verdict::AboveCapacity {
                notional,
                capacity,
                per_order,
            } => {
                out.push_str(check.verdict.code());
                out.push_str(" (");
                if let Some(m) = market {
                    let _ = write!(out, "{}: ", m.market_symbol());
                }
                let _ = write!(
                    out,
                    "{} order, {} {})",
                    format_usd(notional),
                    format_usd(capacity),
                    if per_order { "max per order" } else { "left" }
                );
                push_capacity_limit(out, market);
            }
            Verdict::Delisted
            | Verdict::MarketClosed
            | Verdict::OpeningRefused(_)
            | Verdict::NoExecutorSymbol => {
                out.push_str(check.verdict.code());
                if let Some(m) = market {
                    let _ = write!(out, " ({})", m.market_symbol());
                }
            }
            Verdict::NotListed => {
                out.push_str(check.verdict.code());
                if let Some(dex) = dex {
                    // The dex name passed the token rules: ASCII alphanumeric.
                    if check.venue.info().is_some_and(|i| i.builder_dexes) {
                        let _ = write!(out, " (no market on HIP-3 dex `{dex}`)");
                    } else {
                        let _ = write!(out, " (the token names HIP-3 dex `{dex}`)");
                    }
                }
            }
            Verdict::UnsupportedVenue | Verdict::NotEnabled | Verdict::NoExecutor => {
                out.push_str(check.verdict.code());
            }
            Verdict::BuiltInMarketData => {
                out.push_str(check.verdict.code());
                out.push_str(
                    " (its last sync read the illustrative data built into the binary; routed only in a demo database)",
                );
            }
        }
    }
}

fn strategy_note(out: &mut String, decision: &Decision, choice: Choice, selected: &VenueCheck) {
    if choice == Choice::OpenPosition {
        let token = decision.token.as_ref().map_or("", |t| t.canonical.as_str());
        let _ = write!(
            out,
            "; OPEN_POSITION: the deployment holds an open position in {token} on {}, so the signal goes there ahead of the strategy",
            selected.venue
        );
        return;
    }
    let strategy = decision.strategy;
    if strategy == Strategy::FirstAvailable {
        return;
    }
    let _ = write!(out, "; {strategy}: ");
    let checks = decision.checks.as_slice();
    let available = || checks.iter().filter(|c| c.verdict.is_available());
    match choice {
        Choice::First | Choice::OpenPosition => {}
        Choice::OnlyCandidate => {
            let _ = write!(out, "{} is the only available venue", selected.venue);
        }
        Choice::MissingMetric => {
            let missing: Vec<&str> = available()
                .filter(|c| c.figure.is_none())
                .map(|c| c.venue.as_str())
                .collect();
            let _ = write!(
                out,
                "{} unknown for {}, fell back to priority order",
                figure_name(strategy),
                missing.join(", ")
            );
        }
        Choice::Best | Choice::Tie => {
            let figures: Vec<String> = available()
                .map(|c| {
                    format!(
                        "{} {}",
                        c.venue,
                        format_figure(strategy, c.figure.unwrap_or(f64::NAN))
                    )
                })
                .collect();
            let _ = write!(out, "{} ", figures.join(" vs "));
            if choice == Choice::Tie {
                out.push_str("(tie, fell back to priority order)");
            } else {
                let _ = write!(
                    out,
                    "({} {}",
                    if strategy::lower_is_better(strategy) {
                        "lowest"
                    } else {
                        "highest"
                    },
                    figure_name(strategy)
                );
                if strategy == Strategy::LowestCost {
                    match decision.order.notional_usd {
                        Some(n) => {
                            let _ = write!(out, " at {}", format_usd(n));
                        }
                        None => out.push_str(", top of book: notional unknown"),
                    }
                }
                out.push(')');
            }
        }
    }
}

fn figure_name(strategy: Strategy) -> &'static str {
    match strategy {
        Strategy::LowestFees => "cost estimate",
        Strategy::LowestCost => "all-in cost",
        _ => "liquidity",
    }
}

/// `$1.25M` for liquidity, `5.0 bps` for costs.
fn format_figure(strategy: Strategy, value: f64) -> String {
    if strategy::lower_is_better(strategy) {
        return format!("{value:.2} bps");
    }
    format_usd(value)
}

/// `$1.25B`, `$1.25M`, `$12.5k`, `$980`.
fn format_usd(value: f64) -> String {
    let abs = value.abs();
    if abs >= 1e9 {
        format!("${:.2}B", value / 1e9)
    } else if abs >= 1e6 {
        format!("${:.2}M", value / 1e6)
    } else if abs >= 1e3 {
        format!("${:.1}k", value / 1e3)
    } else {
        format!("${value:.0}")
    }
}

/// `45s`, `30m`, `30h`, `3d`.
#[must_use]
pub fn format_age(age: TimeDelta) -> String {
    let secs = age.num_seconds();
    if secs < 120 {
        format!("{secs}s")
    } else if secs < 120 * 60 {
        format!("{}m", secs / 60)
    } else if secs < 72 * 3600 {
        format!("{}h", secs / 3600)
    } else {
        format!("{}d", secs / 86_400)
    }
}

/// The `venue_availability` object: one entry per checked venue, in order.
fn availability_json(
    signal: &PendingSignal,
    decision: &Decision,
    snapshot: &MarketSnapshot,
    options: &RoutingOptions,
) -> String {
    let mut out = String::with_capacity(64 + 160 * decision.checks.as_slice().len());
    out.push('{');
    let selected = decision.selected().map(|c| c.venue);
    for (i, check) in decision.checks.as_slice().iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            "\"{}\":{{\"available\":{}",
            check.venue,
            check.verdict.is_available()
        );
        if !check.verdict.is_available() {
            let _ = write!(out, ",\"reason\":\"{}\"", check.verdict.code());
        }
        if selected == Some(check.venue) {
            out.push_str(",\"selected\":true");
        }
        if signal
            .deployment
            .as_ref()
            .is_some_and(|d| !d.enables(check.venue))
        {
            out.push_str(",\"enabled\":false");
        }
        if matches!(
            decision.outcome,
            Outcome::Routed {
                choice: Choice::OpenPosition,
                ..
            } | Outcome::Skipped(Skip::PositionVenueUnavailable)
        ) {
            out.push_str(",\"open_position\":true");
        }
        match check.verdict {
            Verdict::StaleMarketData | Verdict::BuiltInMarketData => {
                out.push_str(",\"last_sync\":");
                match snapshot.last_sync(check.venue) {
                    Some(at) => {
                        let _ = write!(out, "\"{}\"", at.to_rfc3339());
                    }
                    None => out.push_str("null"),
                }
            }
            Verdict::LeverageAboveMax {
                requested,
                overnight,
                ..
            } => {
                out.push_str(",\"requested_leverage\":");
                push_number(&mut out, requested);
                if overnight {
                    out.push_str(",\"overnight\":true");
                }
            }
            _ => {}
        }
        if let Some(m) = check.market.and_then(|i| snapshot.market(i)) {
            out.push_str(",\"market\":");
            push_str(&mut out, m.market_symbol());
            if let Some(index) = m.market_index {
                let _ = write!(out, ",\"market_index\":{index}");
            }
            if let Some(dex) = &m.dex {
                out.push_str(",\"dex\":");
                push_str(&mut out, dex);
            }
            if (m.price_scale - 1.0).abs() > f64::EPSILON && m.price_scale.is_finite() {
                out.push_str(",\"price_scale\":");
                push_number(&mut out, m.price_scale);
            }
            if let Some(max) = m.max_leverage {
                let _ = write!(out, ",\"max_leverage\":{max}");
            }
            if let Some(side) = decision.side
                && let Some(liq) = figures::liquidity_usd(m, side)
            {
                out.push_str(",\"liquidity_usd\":");
                push_number(&mut out, liq);
            }
            if let Some(cost) = figures::cost_bps(m) {
                out.push_str(",\"cost_bps\":");
                push_number(&mut out, cost);
            }
            if let Some(side) = decision.side {
                cost_json(&mut out, m, side, decision, options);
            }
        }
        out.push('}');
    }
    out.push('}');
    out
}

/// The order's figures on one market: notional, capacity left on its side,
/// and the cost estimate (fees, spread, impact, total, at what size).
fn cost_json(
    out: &mut String,
    m: &MarketRow,
    side: crate::domain::Side,
    decision: &Decision,
    options: &RoutingOptions,
) {
    let order = &decision.order;
    if let Some(n) = order.notional_usd {
        out.push_str(",\"notional_usd\":");
        push_number(out, n);
    }
    out.push_str(",\"notional_source\":\"");
    out.push_str(order.source.code());
    out.push('"');
    if let Some(c) = m.cost.capacity_usd(side) {
        out.push_str(",\"capacity_usd\":");
        push_number(out, c);
    }
    if let Some(c) = m.max_order_usd {
        out.push_str(",\"max_order_usd\":");
        push_number(out, c);
    }
    let Some(e) = cost::estimate(m, side, order, options.now) else {
        return;
    };
    for (key, value) in [
        (",\"open_fee_bps\":", e.open_fee_bps),
        (",\"close_fee_bps\":", e.close_fee_bps),
        (",\"fee_bps\":", e.fee_bps()),
        (",\"half_spread_bps\":", e.half_spread_bps),
        (",\"impact_bps\":", e.impact_bps),
        (",\"total_cost_bps\":", e.total_bps),
    ] {
        out.push_str(key);
        push_number(out, value);
    }
    for (key, value) in [
        (",\"cost_basis\":\"", e.basis.code()),
        (",\"impact_source\":\"", e.source.code()),
    ] {
        out.push_str(key);
        out.push_str(value);
        out.push('"');
    }
    if let Some(f) = e.fallback {
        out.push_str(",\"cost_fallback\":\"");
        out.push_str(f.code());
        out.push('"');
    }
    if e.beyond_visible_depth {
        out.push_str(",\"beyond_visible_depth\":true");
    }
}

/// Writes `x` rounded to 1e-6 (short, stable JSON), `null` when not finite.
/// Every decision writes a dozen figures per venue, so the common case is
/// written from integers (the same text as `{rounded}` would give) rather
/// than through float formatting.
fn push_number(out: &mut String, x: f64) {
    if !x.is_finite() {
        out.push_str("null");
        return;
    }
    let scaled = (x * 1e6).round();
    if scaled.abs() >= 9e15 {
        let rounded = scaled / 1e6;
        let _ = write!(out, "{rounded}");
        return;
    }
    #[allow(clippy::cast_possible_truncation)]
    let micros = scaled as i64;
    if micros < 0 {
        out.push('-');
    }
    let micros = micros.unsigned_abs();
    let _ = write!(out, "{}", micros / 1_000_000);
    let mut frac = micros % 1_000_000;
    if frac > 0 {
        let mut digits = 6;
        while frac.is_multiple_of(10) {
            frac /= 10;
            digits -= 1;
        }
        let _ = write!(out, ".{frac:0digits$}");
    }
}

fn push_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A capacity refusal names what else bounds the capacity, or which bound is
/// unknown (`venue_markets.capacity_limit`, Ostium's group collateral cap):
/// ` [group `forex` at its collateral cap (…)]`.
fn push_capacity_limit(out: &mut String, market: Option<&MarketRow>) {
    if let Some(limit) = market.and_then(|m| m.cost.capacity_limit.as_deref()) {
        let _ = write!(out, " [{limit}]");
    }
}

#[cfg(test)]
mod number_tests {
    use super::push_number;

    #[test]
    fn numbers_are_written_as_rounded_displays_would_be() {
        for x in [
            0.0,
            -0.0,
            4.5,
            0.5625,
            -3.25,
            1e-7,
            0.000_000_6,
            0.1 + 0.2,
            19.934_512_345_6,
            2_000_000_000.0,
            123_456_789.000_001,
            -0.000_001,
            8.999_999_9e15,
            3.5e20,
        ] {
            let mut fast = String::new();
            push_number(&mut fast, x);
            let rounded = (x * 1e6).round() / 1e6;
            let want = format!("{rounded}");
            let want = if want == "-0" { "0".to_owned() } else { want };
            assert_eq!(fast, want, "{x}");
            assert_eq!(
                fast.parse::<f64>().ok(),
                Some(rounded).map(|r| r + 0.0),
                "{x}"
            );
        }
        let mut s = String::new();
        push_number(&mut s, f64::NAN);
        assert_eq!(s, "null");
    }
}
