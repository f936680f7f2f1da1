//! Aevo perpetuals: one public call, `GET /markets?instrument_type=PERPETUAL`,
//! the instrument list with mark and index price and max leverage. Source:
//! Aevo REST API reference "GET /markets" (api-docs.aevo.xyz/reference/getmarkets,
//! its OpenAPI definition copied in the search index, id 54614146971):
//! every field is a JSON string except `is_active` (boolean); `max_leverage`
//! is optional; required are `instrument_id`, `instrument_name`,
//! `instrument_type`, `underlying_asset`, `quote_asset`, `price_step`,
//! `amount_step`, `min_order_value`, `max_order_value`,
//! `max_notional_value`, `mark_price`, `index_price`, `is_active`. Prices are
//! plain decimals in the quote asset (USDC); nothing is scaled.
//!
//! `market_type` (string) and `is_rwa` (boolean), the asset class of Aevo's
//! non-crypto perpetuals (stocks, forex, commodities), are read as issue 21
//! names them: neither the OpenAPI definition above nor any SDK or client in
//! the search index carries them, so both are optional and their vocabulary
//! is **unverified** (the fixture's rows with them are written from that
//! description, not from a captured reply).
//!
//! Mapping (one [`Market`] per perpetual; other instrument types, should the
//! filter be ignored, are skipped):
//! - `token_symbol` = `market_name` = `instrument_name` (`ETH-PERP`);
//!   `market_index` = `instrument_id`;
//! - `base_symbol` from [`symbols::perp_instrument_market`] (`ETH-PERP` →
//!   ETH, `1000PEPE-PERP` → PEPE ×1000, `SPX-PERP` → SPX6900, the memecoin),
//!   which must agree with `underlying_asset`; a real-world asset's ticker
//!   by [`symbols::rwa_ticker_market`] (`US500-PERP` → SPX, `EURUSD-PERP` →
//!   EUR, `USDJPY-PERP` → USDJPY quoted in JPY);
//! - `group` = `market_type` lower-cased (`CRYPTO` → `crypto`, `FOREX` →
//!   `forex`); without it `rwa` when `is_rwa`, `crypto` when `is_rwa` is
//!   false, unknown (`None`) when the reply says neither (never assumed
//!   crypto); real-world asset = `is_rwa`, else a `market_type` other than
//!   `CRYPTO`;
//! - `listed` = `is_active`; `current_price` = `mark_price`;
//!   `spread_bps` = none (no book in this reply);
//! - `max_leverage` = `max_leverage` (rounded down), unknown when absent;
//!   `min_position` = `amount_step`, the size step in coin units;
//! - open interest, volume, fees and funding are not in this reply: unknown
//!   (`None`), so `BEST_LIQUIDITY` and `LOWEST_FEES` cannot rank Aevo and fall
//!   back to priority order when it is a candidate.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::json;

use super::check::{MAX_MARKETS, MAX_NUMERIC, check_markets, check_name, list_len, non_negative};
use super::http::{Body, VenueError, one_line};
use super::one_reply::{API_URL, FROM_FILE, OneReply};
use super::source::{Endpoint, FileFlag, LiquidityModel, MarketSymbolColumn, VenueInfo};
use crate::domain::Venue;
use crate::domain::cost::MarketCost;
use crate::domain::{Market, MarketFigures};
use crate::symbols::{self, CRYPTO_ONLY_COLLISIONS};

const VENUE: Venue = Venue::Aevo;

/// Mainnet REST API.
pub const MAINNET_API_URL: &str = "https://api.aevo.xyz";
/// Testnet REST API.
pub const TESTNET_API_URL: &str = "https://api-testnet.aevo.xyz";

/// The path and query of the market list.
pub const MARKETS_PATH: &str = "/markets?instrument_type=PERPETUAL";

// ---- wire types (private) -------------------------------------------------

#[derive(Debug, Deserialize)]
struct Instrument {
    instrument_id: String,
    instrument_name: String,
    instrument_type: String,
    underlying_asset: String,
    quote_asset: String,
    price_step: String,
    amount_step: String,
    min_order_value: String,
    max_order_value: String,
    max_notional_value: String,
    mark_price: String,
    index_price: String,
    is_active: bool,
    #[serde(default)]
    max_leverage: Option<String>,
    /// The asset class (issue 21; not in the OpenAPI definition).
    #[serde(default)]
    market_type: Option<String>,
    /// Whether the perpetual is a real-world asset (issue 21; not in the
    /// OpenAPI definition).
    #[serde(default)]
    is_rwa: Option<bool>,
}

/// Whether a perpetual is a real-world asset, and its stored group.
fn asset_class(i: &Instrument) -> Result<(bool, Option<String>), String> {
    if let Some(t) = &i.market_type {
        check_name("market_type", t)?;
    }
    let real_world = i.is_rwa.unwrap_or_else(|| {
        i.market_type
            .as_deref()
            .is_some_and(|t| !t.eq_ignore_ascii_case("CRYPTO"))
    });
    let group = match (&i.market_type, i.is_rwa) {
        (Some(t), _) => Some(t.to_ascii_lowercase()),
        (None, Some(true)) => Some("rwa".to_owned()),
        (None, Some(false)) => Some("crypto".to_owned()),
        (None, None) => None,
    };
    Ok((real_world, group))
}

/// Validates the reply and maps it to markets, all or nothing.
pub fn parse(body: &Body) -> Result<Vec<Market>, VenueError> {
    let list: Vec<Instrument> =
        serde_json::from_slice(&body.bytes).map_err(|e| VenueError::json(VENUE, body, &e))?;
    let reject = |m: String| VenueError::rejected(VENUE, body, m);
    list_len("instruments", list.len(), MAX_MARKETS).map_err(&reject)?;
    let mut ids = HashSet::with_capacity(list.len());
    let mut markets = Vec::with_capacity(list.len());
    for i in list.iter().filter(|i| i.instrument_type == "PERPETUAL") {
        let market = map_instrument(i).map_err(&reject)?;
        if let Some(id) = market.market_index
            && !ids.insert(id)
        {
            return Err(reject(format!("duplicate instrument_id {id}")));
        }
        markets.push(market);
    }
    if markets.is_empty() {
        return Err(reject("the perpetual list is empty".to_owned()));
    }
    check_markets(VENUE, &markets).map_err(reject)?;
    Ok(markets)
}

fn map_instrument(i: &Instrument) -> Result<Market, String> {
    let name = i.instrument_name.as_str();
    check_name("instrument name", name)?;
    check_name("underlying asset", &i.underlying_asset)?;
    let id: i32 = i
        .instrument_id
        .trim()
        .parse()
        .ok()
        .filter(|id| *id >= 0)
        .ok_or_else(|| {
            format!(
                "instrument_id {:?} of `{name}` is not an id",
                one_line(&i.instrument_id, 40)
            )
        })?;
    let (real_world, group) = asset_class(i)?;
    let symbol = symbols::perp_instrument_market(name, &CRYPTO_ONLY_COLLISIONS)
        .ok_or_else(|| format!("perpetual `{name}` is not named `ASSET-PERP`"))?;
    let symbol = if real_world {
        symbols::rwa_ticker_market(&i.underlying_asset)
    } else {
        symbol
    };
    if name.strip_suffix("-PERP") != Some(i.underlying_asset.as_str()) {
        return Err(format!(
            "perpetual `{name}` has underlying asset `{}`",
            one_line(&i.underlying_asset, 40)
        ));
    }
    let mark = non_negative("mark_price", name, &i.mark_price)?;
    let index = non_negative("index_price", name, &i.index_price)?;
    let price_step = non_negative("price_step", name, &i.price_step)?;
    let amount_step = non_negative("amount_step", name, &i.amount_step)?;
    let min_order = non_negative("min_order_value", name, &i.min_order_value)?;
    let max_order = non_negative("max_order_value", name, &i.max_order_value)?;
    let max_notional = non_negative("max_notional_value", name, &i.max_notional_value)?;
    for (field, v) in [("price_step", price_step), ("amount_step", amount_step)] {
        if v <= 0.0 || v >= MAX_NUMERIC {
            return Err(format!("`{field}` of `{name}` is {v}, not a step size"));
        }
    }
    if i.is_active && mark <= 0.0 {
        return Err(format!("active perpetual `{name}` has mark price {mark}"));
    }
    let max_leverage = match &i.max_leverage {
        None => None,
        Some(raw) => {
            let l = non_negative("max_leverage", name, raw)?;
            if !(1.0..=super::MAX_LEVERAGE).contains(&l) {
                return Err(format!(
                    "`max_leverage` of `{name}` is {l}, not in 1..=1000"
                ));
            }
            #[allow(clippy::cast_possible_truncation)]
            Some(l.floor() as i32)
        }
    };
    let metadata = json!({
        "instrument_id": id,
        "underlying_asset": i.underlying_asset,
        "quote_asset": i.quote_asset,
        "index_price": index,
        "price_step": price_step,
        "amount_step": amount_step,
        "min_order_value": min_order,
        "max_order_value": max_order,
        "max_notional_value": max_notional,
        "max_leverage_exact": i.max_leverage,
        "market_type": i.market_type,
        "is_rwa": i.is_rwa,
        "min_position_unit": "coin",
    });
    Ok(Market {
        venue: VENUE,
        token_symbol: name.to_owned(),
        market_name: name.to_owned(),
        market_index: Some(id),
        base_symbol: symbol.base_symbol,
        quote_symbol: symbol.quote_symbol,
        price_scale: symbol.price_scale,
        dex: None,
        listed: i.is_active,
        market_open: None,
        market_status_at: None,
        min_position: Some(amount_step),
        max_leverage,
        group,
        current_price: Some(mark),
        figures: MarketFigures::default(),
        maker_fee_bps: None,
        funding_rate: None,
        metadata,
        // Nothing this reply says prices an order or bounds it: routing's
        // cost figures stay unknown for Aevo (docs/routing.md, "Cost model").
        cost: MarketCost::default(),
    })
}

// ---- the venue interface ---------------------------------------------------

/// `GET /markets?instrument_type=PERPETUAL`: 9 perpetuals, three of them
/// real-world assets (written from the documented shape and issue 21's
/// description of `market_type` / `is_rwa`, see `shared/fixtures/README.md`).
pub const RECORDED_MARKETS: &str = include_str!("../../fixtures/aevo/markets.json");

/// File name `--save-response` writes.
pub const MARKETS_FILE: &str = "markets.json";

/// The recorded response built into the binary. Illustrative values only.
#[must_use]
pub fn recorded() -> Body {
    SOURCE.recorded_body()
}

/// Aevo's facts.
pub static INFO: VenueInfo = VenueInfo {
    venue: VENUE,
    key: "aevo",
    name: "Aevo",
    about: "Sync Aevo's perpetuals into `venue_markets`: one row per instrument (`ETH-PERP`), with \
instrument id, mark price, max leverage and size step. The response is validated before anything \
is written, and applied in one transaction; perpetuals missing from it are deactivated, never \
deleted.",
    details: "Examples:
  sync-aevo-markets
  sync-aevo-markets --testnet --dry-run
  sync-aevo-markets --from-file saved/markets.json --format json

Stored per perpetual: token_symbol = market_name = the instrument name (ETH-PERP); base_symbol = \
the asset (ETH; 1000PEPE-PERP → PEPE, price_scale 1000); market_index = instrument_id; \
current_price = mark_price; min_position = amount_step (coin units). Open interest, volume, fees \
and funding are not in this reply (stored as unknown).",
    endpoints: &[Endpoint {
        flag: API_URL,
        env: "AEVO_API_URL",
        mainnet: MAINNET_API_URL,
        testnet: Some(TESTNET_API_URL),
        help: "Aevo REST API base URL (`/markets?instrument_type=PERPETUAL` is appended).",
    }],
    options: &[],
    switches: &[],
    files: &[FileFlag {
        flag: FROM_FILE,
        value_name: "FILE",
        help: "Read a saved `GET /markets` reply instead of calling the API.",
        requires: None,
    }],
    schedule: "hourly",
    market_symbol: MarketSymbolColumn::TokenSymbol,
    index_label: "instrument",
    builder_dexes: false,
    liquidity: LiquidityModel::OpenInterestAndVolume,
    default_taker_fee_bps: None,
    recorded_source: "fixture written from the documented response shape, built in",
};

/// Aevo as a [`VenueSource`]: one `GET` reply.
pub static SOURCE: OneReply = OneReply {
    info: &INFO,
    path: MARKETS_PATH,
    label: "markets",
    file: MARKETS_FILE,
    recorded: RECORDED_MARKETS,
    parse,
    canonical_of_stored,
};

fn canonical_of_stored(token_symbol: &str, _market_name: &str) -> String {
    symbols::perp_instrument_market(token_symbol, &CRYPTO_ONLY_COLLISIONS).map_or_else(
        || symbols::ticker_market(token_symbol, &CRYPTO_ONLY_COLLISIONS).base_symbol,
        |m| m.base_symbol,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::venues::source::VenueSource;
    use crate::venues::test_support::{find, rejection};

    fn body(text: &str) -> Body {
        Body::new("markets", text.as_bytes().to_vec())
    }

    fn rejected(text: &str) -> String {
        rejection(parse(&body(text)))
    }

    #[test]
    fn recorded_perpetuals_map_to_markets() {
        let markets = parse(&recorded()).expect("valid");
        assert_eq!(markets.len(), 9);
        let eth = find(&markets, "ETH-PERP");
        assert_eq!(eth.base_symbol, "ETH");
        assert_eq!(eth.market_name, "ETH-PERP");
        assert_eq!(eth.market_index, Some(1));
        assert_eq!(eth.current_price, Some(3309.87));
        assert_eq!(eth.max_leverage, Some(20));
        assert_eq!(eth.min_position, Some(0.01));
        assert_eq!(eth.metadata["index_price"], 3310.42);
        assert_eq!(eth.figures.liquidity_usd, None);
        assert_eq!(eth.figures.taker_fee_bps, None);
        let pepe = find(&markets, "1000PEPE-PERP");
        assert_eq!(
            (pepe.base_symbol.as_str(), pepe.price_scale),
            ("PEPE", 1000.0)
        );
        let blast = find(&markets, "BLAST-PERP");
        assert!(!blast.listed);
        assert_eq!(markets.iter().filter(|m| m.listed).count(), 8);
        assert_eq!(eth.group.as_deref(), Some("crypto"));
        assert_eq!(find(&markets, "AEVO-PERP").max_leverage, Some(10));
        // Signals meet the markets on the same key, in the venue's spelling too.
        for (signal, token) in [
            ("ETH-PERP", "ETH-PERP"),
            ("eth", "ETH-PERP"),
            ("kPEPE", "1000PEPE-PERP"),
        ] {
            assert_eq!(
                symbols::canonical_symbol(signal).expect("valid"),
                find(&markets, token).base_symbol
            );
        }
        assert_eq!(SOURCE.canonical_of_stored("1000PEPE-PERP", ""), "PEPE");
    }

    fn row(name: &str, id: &str) -> serde_json::Value {
        json!({"instrument_id": id, "instrument_name": name, "instrument_type": "PERPETUAL",
            "underlying_asset": name.trim_end_matches("-PERP"), "quote_asset": "USDC",
            "price_step": "0.01", "amount_step": "0.1", "min_order_value": "10",
            "max_order_value": "100000", "max_notional_value": "500000", "mark_price": "2.5",
            "index_price": "2.49", "is_active": true, "max_leverage": "10"})
    }

    #[test]
    fn real_world_perpetuals_take_their_group_and_symbol_from_the_venue() {
        let markets = parse(&recorded()).expect("valid");
        for (token, base, quote, group) in [
            ("XAU-PERP", "XAU", "USD", "commodities"),
            ("EURUSD-PERP", "EUR", "USD", "forex"),
            ("NVDA-PERP", "NVDA", "USD", "stocks"),
            ("ETH-PERP", "ETH", "USD", "crypto"),
        ] {
            let m = find(&markets, token);
            assert_eq!(
                (
                    m.base_symbol.as_str(),
                    m.quote_symbol.as_str(),
                    m.group.as_deref()
                ),
                (base, quote, Some(group)),
                "{token}"
            );
        }
        let with = |name: &str, market_type: Option<&str>, is_rwa: Option<bool>| {
            let mut r = row(name, "1");
            if let Some(t) = market_type {
                r["market_type"] = json!(t);
            }
            if let Some(b) = is_rwa {
                r["is_rwa"] = json!(b);
            }
            let m = parse(&body(&json!([r]).to_string())).expect("valid");
            (
                m[0].base_symbol.clone(),
                m[0].quote_symbol.clone(),
                m[0].group.clone(),
            )
        };
        let s = |x: &str| x.to_owned();
        // A real-world S&P 500 perpetual is SPX; the crypto SPX is the memecoin.
        assert_eq!(
            with("US500-PERP", None, Some(true)),
            (s("SPX"), s("USD"), Some(s("rwa")))
        );
        assert_eq!(
            with("SPX-PERP", Some("CRYPTO"), Some(false)),
            (s("SPX6900"), s("USD"), Some(s("crypto")))
        );
        assert_eq!(
            with("USDJPY-PERP", Some("FOREX"), None),
            (s("USDJPY"), s("JPY"), Some(s("forex")))
        );
        // Neither field: the asset class is unknown, not assumed crypto.
        assert_eq!(with("AAA-PERP", None, None).2, None);
    }

    #[test]
    fn other_instrument_types_are_skipped_and_leverage_may_be_absent() {
        let mut option = row("ETH-PERP", "2");
        option["instrument_type"] = json!("OPTION");
        option["instrument_name"] = json!("ETH-30JUN23-1600-C");
        let mut no_lev = row("AAA-PERP", "1");
        no_lev
            .as_object_mut()
            .expect("object")
            .remove("max_leverage");
        let markets = parse(&body(&json!([no_lev, option]).to_string())).expect("valid");
        assert_eq!(markets.len(), 1);
        assert_eq!(markets[0].max_leverage, None);
    }

    #[test]
    fn malformed_absurd_and_duplicate_responses_are_rejected() {
        let edit = |field: &str, value: serde_json::Value| {
            let mut r = row("AAA-PERP", "1");
            r[field] = value;
            json!([r]).to_string()
        };
        let cases = [
            (edit("mark_price", json!("NaN")), "not finite"),
            (edit("mark_price", json!("-1")), "negative"),
            (edit("mark_price", json!("0")), "mark price 0"),
            (edit("mark_price", json!(2.5)), "invalid response"),
            (edit("mark_price", json!("1e30")), "absurdly large"),
            (edit("max_leverage", json!("0")), "not in 1..=1000"),
            (edit("max_leverage", json!("5000")), "not in 1..=1000"),
            (edit("amount_step", json!("0")), "not a step size"),
            (edit("instrument_id", json!("x")), "not an id"),
            (
                edit("instrument_name", json!("AAA")),
                "not named `ASSET-PERP`",
            ),
            (
                edit("instrument_name", json!("BBB-PERP")),
                "underlying asset `AAA`",
            ),
            (edit("instrument_name", json!("")), "empty instrument name"),
            (edit("is_active", json!("yes")), "invalid response"),
            (edit("is_rwa", json!("yes")), "invalid response"),
            (edit("market_type", json!("")), "empty market_type"),
            ("[]".to_owned(), "the perpetual list is empty"),
            (
                r#"{"error":"RATE_LIMIT_EXCEEDED"}"#.to_owned(),
                "invalid response",
            ),
            ("[{".to_owned(), "invalid response"),
        ];
        for (text, want) in cases {
            let e = rejected(&text);
            assert!(e.contains(want), "want {want:?} in {e}");
            assert!(e.starts_with("AEVO `markets`: "), "{e}");
        }
        let dup = json!([row("AAA-PERP", "1"), row("BBB-PERP", "1")]).to_string();
        assert!(rejected(&dup).contains("duplicate instrument_id 1"));
        let dup = json!([row("AAA-PERP", "1"), row("AAA-PERP", "2")]).to_string();
        assert!(rejected(&dup).contains("duplicate market `AAA-PERP`"));
        let many: Vec<serde_json::Value> = (0..100_000)
            .map(|i| row(&format!("A{i}-PERP"), &i.to_string()))
            .collect();
        assert!(rejected(&json!(many).to_string()).contains("100000 instruments"));
    }
}
