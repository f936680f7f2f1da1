//! Lighter perpetuals: one public call, `GET /api/v1/orderBookDetails`, the
//! order books with fees, size decimals, margin fractions, prices, 24 h
//! volume and open interest (`GET /api/v1/orderBooks` lists the same books
//! without the market statistics, so it is not needed). Sources: the
//! `OrderBookDetail` model of Lighter's generated Python SDK (copy in
//! yeule0/lighter-python@7e61c2a `docs/OrderBookDetail.md`: field names and
//! types), clients reading the live reply (`{"code":200,
//! "order_book_details":[…]}`, `market_type` `perp`/`spot`, `mark_price`,
//! `index_price`, `market_config`), and Lighter's docs (zero fees for
//! standard accounts). `shared/fixtures/README.md` says which values are real.
//!
//! Units: prices, volumes and amounts are plain decimals, as JSON strings or
//! numbers (both are accepted); `open_interest` and `daily_base_token_volume`
//! are in base-token units, `daily_quote_token_volume` in USD(C);
//! `taker_fee`/`maker_fee` are percent of notional (`"0.0200"` = 0.02 % =
//! 2 bps; standard accounts pay `"0.0000"`); margin fractions are in basis
//! points of notional (`min_initial_margin_fraction` 200 = 2 % → 50×).
//!
//! Mapping (one [`Market`] per `perp` order book; spot books are skipped):
//! - `token_symbol` = `symbol` (`ETH`, `1000PEPE`); `market_name` =
//!   `SYMBOL/USD`; `market_index` = `market_id`;
//! - `base_symbol` from [`symbols::ticker_market`] (`1000PEPE` → PEPE ×1000);
//! - `listed` = `status == "active"`;
//! - `current_price` = `mark_price`, else `last_trade_price`;
//! - `max_leverage` = ⌊10000 / `min_initial_margin_fraction`⌋;
//! - `min_position` = 10^−`supported_size_decimals`, the size step in coin
//!   units (as Hyperliquid's); the minimum order is in metadata;
//! - `open_interest_usd` = `open_interest` × price; `day_volume_usd` =
//!   `daily_quote_token_volume`; `liquidity_usd` = min of the two for
//!   active markets (an order book, as Hyperliquid's), 0 for inactive ones;
//! - fees in bps = percent × 100; funding is not in this reply (`None`).

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::json;

use super::check::{MAX_MARKETS, check_markets, check_name, decimal, non_negative};
use super::http::{Body, VenueError, one_line};
use super::one_reply::{API_URL, FROM_FILE, OneReply};
use super::registry::Venue;
use super::source::{Endpoint, FileFlag, LiquidityModel, MarketSymbolColumn, VenueInfo};
use crate::cost::MarketCost;
use crate::domain::Market;
use crate::symbols::{self, CRYPTO_ONLY_COLLISIONS};

const VENUE: Venue = Venue::Lighter;

/// Mainnet API base URL.
pub const MAINNET_API_URL: &str = "https://mainnet.zklighter.elliot.ai";
/// Testnet API base URL.
pub const TESTNET_API_URL: &str = "https://testnet.zklighter.elliot.ai";

/// The path of the order book list.
pub const DETAILS_PATH: &str = "/api/v1/orderBookDetails";

// ---- wire types (private) -------------------------------------------------

#[derive(Debug, Deserialize)]
struct Reply {
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    order_book_details: Option<Vec<Detail>>,
}

/// A decimal sent as a string (`"3310.21"`) or a number (`3310.05`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Decimal {
    Text(String),
    Number(f64),
}

impl Decimal {
    fn value(&self, field: &str, market: &str) -> Result<f64, String> {
        match self {
            Decimal::Text(s) => decimal(field, market, s),
            Decimal::Number(n) if n.is_finite() => Ok(*n),
            Decimal::Number(n) => Err(format!("`{field}` of `{market}` is not finite: {n}")),
        }
    }

    fn non_negative(&self, field: &str, market: &str) -> Result<f64, String> {
        let v = self.value(field, market)?;
        if v < 0.0 {
            return Err(format!("`{field}` of `{market}` is negative: {v}"));
        }
        Ok(v)
    }
}

#[derive(Debug, Deserialize)]
struct Detail {
    symbol: String,
    market_id: i64,
    #[serde(default)]
    market_type: Option<String>,
    status: String,
    taker_fee: String,
    maker_fee: String,
    min_base_amount: String,
    #[serde(default)]
    min_quote_amount: Option<String>,
    supported_size_decimals: i64,
    supported_price_decimals: i64,
    #[serde(default)]
    default_initial_margin_fraction: Option<i64>,
    min_initial_margin_fraction: i64,
    #[serde(default)]
    maintenance_margin_fraction: Option<i64>,
    last_trade_price: Decimal,
    #[serde(default)]
    mark_price: Option<Decimal>,
    #[serde(default)]
    index_price: Option<Decimal>,
    daily_quote_token_volume: Decimal,
    #[serde(default)]
    daily_base_token_volume: Option<Decimal>,
    open_interest: Decimal,
}

/// Validates the reply and maps it to markets, all or nothing.
pub fn parse(body: &Body) -> Result<Vec<Market>, VenueError> {
    let reply: Reply =
        serde_json::from_slice(&body.bytes).map_err(|e| VenueError::json(VENUE, body, &e))?;
    let reject = |m: String| VenueError::rejected(VENUE, body, m);
    if let Some(code) = reply.code
        && code != 200
    {
        return Err(reject(format!(
            "code {code}{}",
            reply
                .message
                .as_deref()
                .map(|m| format!(": {}", super::http::one_line(m, 200)))
                .unwrap_or_default()
        )));
    }
    let Some(details) = reply.order_book_details else {
        return Err(reject("no `order_book_details` in the reply".to_owned()));
    };
    if details.len() > MAX_MARKETS {
        return Err(reject(format!(
            "{} order books, more than the {MAX_MARKETS} a real list can hold",
            details.len()
        )));
    }
    let mut ids = HashSet::with_capacity(details.len());
    let mut markets = Vec::with_capacity(details.len());
    for d in &details {
        if d.market_type.as_deref().is_some_and(|t| t != "perp") {
            continue;
        }
        if !ids.insert(d.market_id) {
            return Err(reject(format!("duplicate market_id {}", d.market_id)));
        }
        markets.push(map_detail(d).map_err(&reject)?);
    }
    if markets.is_empty() {
        return Err(reject("the order book list is empty".to_owned()));
    }
    check_markets(VENUE, &markets).map_err(reject)?;
    Ok(markets)
}

fn round9(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

fn map_detail(d: &Detail) -> Result<Market, String> {
    let name = d.symbol.as_str();
    if name.contains(':') {
        return Err(format!(
            "market symbol `{}` carries a dex prefix",
            one_line(name, 40)
        ));
    }
    check_name("market symbol", name)?;
    let id = i32::try_from(d.market_id)
        .ok()
        .filter(|id| *id >= 0)
        .ok_or_else(|| format!("market_id {} of `{name}` is not an id", d.market_id))?;
    for (field, v) in [
        ("supported_size_decimals", d.supported_size_decimals),
        ("supported_price_decimals", d.supported_price_decimals),
    ] {
        if !(0..=18).contains(&v) {
            return Err(format!("`{field}` of `{name}` is {v}, not in 0..=18"));
        }
    }
    let is_active = d.status == "active";
    let imf = d.min_initial_margin_fraction;
    let max_leverage = if imf == 0 && !is_active {
        None
    } else if (10..=10_000).contains(&imf) {
        i32::try_from(10_000 / imf).ok()
    } else {
        return Err(format!(
            "`min_initial_margin_fraction` of `{name}` is {imf}, not in 10..=10000 (1000× to 1×)"
        ));
    };
    let taker_pct = non_negative("taker_fee", name, &d.taker_fee)?;
    let maker_pct = non_negative("maker_fee", name, &d.maker_fee)?;
    let (taker, maker) = (round9(taker_pct * 100.0), round9(maker_pct * 100.0));
    for (field, bps) in [("taker_fee", taker), ("maker_fee", maker)] {
        if bps > 1000.0 {
            return Err(format!(
                "`{field}` of `{name}` is {bps} bps, more than 10 %"
            ));
        }
    }
    let min_base = non_negative("min_base_amount", name, &d.min_base_amount)?;
    let min_quote = d
        .min_quote_amount
        .as_deref()
        .map(|s| non_negative("min_quote_amount", name, s))
        .transpose()?;
    let last = d.last_trade_price.non_negative("last_trade_price", name)?;
    let mark = d
        .mark_price
        .as_ref()
        .map(|p| p.non_negative("mark_price", name))
        .transpose()?;
    let index = d
        .index_price
        .as_ref()
        .map(|p| p.non_negative("index_price", name))
        .transpose()?;
    let price = mark.filter(|p| *p > 0.0).unwrap_or(last);
    if is_active && price <= 0.0 {
        return Err(format!("active market `{name}` has no price"));
    }
    let day_volume = d
        .daily_quote_token_volume
        .non_negative("daily_quote_token_volume", name)?;
    let day_base = d
        .daily_base_token_volume
        .as_ref()
        .map(|v| v.non_negative("daily_base_token_volume", name))
        .transpose()?;
    let oi_coins = d.open_interest.non_negative("open_interest", name)?;
    let oi_usd = oi_coins * price;
    let symbol = symbols::ticker_market(name, &CRYPTO_ONLY_COLLISIONS);
    let sz = i32::try_from(d.supported_size_decimals).unwrap_or(0);
    let metadata = json!({
        "market_id": d.market_id,
        "status": d.status,
        "taker_fee_pct": taker_pct,
        "maker_fee_pct": maker_pct,
        "min_base_amount": min_base,
        "min_quote_amount": min_quote,
        "supported_size_decimals": d.supported_size_decimals,
        "supported_price_decimals": d.supported_price_decimals,
        "default_initial_margin_fraction": d.default_initial_margin_fraction,
        "min_initial_margin_fraction": imf,
        "maintenance_margin_fraction": d.maintenance_margin_fraction,
        "last_trade_price": last,
        "mark_price": mark,
        "index_price": index,
        "open_interest_coins": oi_coins,
        "day_base_volume": day_base,
        "min_position_unit": "coin",
    });
    Ok(Market {
        venue: VENUE,
        token_symbol: name.to_owned(),
        market_name: format!("{name}/USD"),
        market_index: Some(id),
        base_symbol: symbol.base_symbol,
        quote_symbol: symbol.quote_symbol,
        price_scale: symbol.price_scale,
        dex: None,
        listed: is_active,
        market_open: None,
        market_status_at: None,
        min_position: Some(10_f64.powi(-sz)),
        max_leverage,
        group: Some("crypto".to_owned()),
        current_price: Some(price),
        liquidity_usd: Some(if is_active {
            oi_usd.min(day_volume)
        } else {
            0.0
        }),
        open_interest_usd: Some(oi_usd),
        long_open_interest_usd: None,
        short_open_interest_usd: None,
        max_open_interest_usd: None,
        day_volume_usd: Some(day_volume),
        spread_bps: None,
        taker_fee_bps: Some(taker),
        maker_fee_bps: Some(maker),
        funding_rate: None,
        metadata,
        // A close is another taker order on the same book at the same
        // per-market `taker_fee`; no depth curve is fetched for Lighter, so
        // routing prices it at the top of book (README, "Cost model").
        cost: MarketCost {
            close_fee_bps: Some(taker),
            ..MarketCost::default()
        },
    })
}

// ---- the venue interface ---------------------------------------------------

/// `GET /api/v1/orderBookDetails`: 6 perpetual books (written from the
/// documented shape, see `shared/fixtures/README.md`).
pub const RECORDED_DETAILS: &str = include_str!("../../fixtures/lighter/orderBookDetails.json");

/// File name `--save-response` writes.
pub const DETAILS_FILE: &str = "orderBookDetails.json";

/// The recorded response built into the binary. Illustrative values only.
#[must_use]
pub fn recorded() -> Body {
    SOURCE.recorded_body()
}

/// Lighter's facts.
pub static INFO: VenueInfo = VenueInfo {
    venue: VENUE,
    key: "lighter",
    name: "Lighter",
    about: "Sync Lighter's perpetual order books into `venue_markets`: one row per market, with \
market id, max leverage, size step, fees, mark price, open interest and 24 h volume in USD and \
liquidity. The response is validated before anything is written, and applied in one transaction; \
markets missing from it are deactivated, never deleted.",
    details: "Examples:
  sync-lighter-markets
  sync-lighter-markets --testnet --dry-run
  sync-lighter-markets --from-file saved/orderBookDetails.json --format json

Stored per market: token_symbol = the Lighter symbol (ETH, 1000PEPE → base_symbol PEPE, \
price_scale 1000); market_index = market_id; max_leverage = 10000 ÷ min_initial_margin_fraction; \
min_position = size step in coin units (10^-supported_size_decimals); fees in bps = percent × 100 \
(standard accounts: 0); liquidity_usd = min(open interest × price, 24 h quote volume).",
    endpoints: &[Endpoint {
        flag: API_URL,
        env: "LIGHTER_API_URL",
        mainnet: MAINNET_API_URL,
        testnet: Some(TESTNET_API_URL),
        help: "Lighter API base URL (`/api/v1/orderBookDetails` is appended).",
    }],
    options: &[],
    files: &[FileFlag {
        flag: FROM_FILE,
        value_name: "FILE",
        help: "Read a saved `orderBookDetails` reply instead of calling the API.",
        requires: None,
    }],
    schedule: "hourly",
    market_symbol: MarketSymbolColumn::TokenSymbol,
    index_label: "market",
    builder_dexes: false,
    liquidity: LiquidityModel::OpenInterestAndVolume,
    default_taker_fee_bps: None,
    recorded_source: "fixture written from the documented response shape, built in",
};

/// Lighter as a [`VenueSource`]: one `GET` reply.
pub static SOURCE: OneReply = OneReply {
    info: &INFO,
    path: DETAILS_PATH,
    label: "orderBookDetails",
    file: DETAILS_FILE,
    recorded: RECORDED_DETAILS,
    parse,
    canonical_of_stored,
};

fn canonical_of_stored(token_symbol: &str, _market_name: &str) -> String {
    symbols::ticker_market(token_symbol, &CRYPTO_ONLY_COLLISIONS).base_symbol
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> Body {
        Body::new("orderBookDetails", text.as_bytes().to_vec())
    }

    fn find<'a>(markets: &'a [Market], token: &str) -> &'a Market {
        markets
            .iter()
            .find(|m| m.token_symbol == token)
            .unwrap_or_else(|| panic!("{token} missing"))
    }

    fn rejected(text: &str) -> String {
        match parse(&body(text)) {
            Ok(m) => panic!("accepted {} markets", m.len()),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn recorded_order_books_map_to_markets() {
        let markets = parse(&recorded()).expect("valid");
        assert_eq!(markets.len(), 6);
        let btc = find(&markets, "BTC");
        assert_eq!(btc.market_index, Some(1));
        assert_eq!(btc.market_name, "BTC/USD");
        // min_initial_margin_fraction 200 bps = 2 % → 50×.
        assert_eq!(btc.max_leverage, Some(50));
        // supported_size_decimals 5 → size step 0.00001 BTC.
        assert_eq!(btc.min_position, Some(1e-5));
        assert_eq!(btc.current_price, Some(95_701.2));
        // open_interest 4521.22 BTC × mark 95701.2.
        let oi = btc.open_interest_usd.expect("oi");
        assert!((oi - 4521.22 * 95_701.2).abs() < 1e-3, "{oi}");
        assert_eq!(btc.day_volume_usd, Some(2_011_348_562.92));
        assert_eq!(btc.liquidity_usd, Some(oi.min(2_011_348_562.92)));
        assert_eq!(btc.taker_fee_bps, Some(0.0));
        assert_eq!(btc.maker_fee_bps, Some(0.0));
        assert_eq!(find(&markets, "SOL").max_leverage, Some(20));
        let pepe = find(&markets, "1000PEPE");
        assert_eq!(
            (pepe.base_symbol.as_str(), pepe.price_scale),
            ("PEPE", 1000.0)
        );
        assert_eq!(pepe.min_position, Some(1.0));
        let mkr = find(&markets, "MKR");
        assert!(!mkr.listed);
        assert_eq!(mkr.liquidity_usd, Some(0.0));
        // mark_price "0.00" of a retired book: the last trade price stands in.
        assert_eq!(mkr.current_price, Some(1512.3));
        assert_eq!(markets.iter().filter(|m| m.listed).count(), 5);
        assert_eq!(
            symbols::canonical_symbol("1000PEPE").expect("valid"),
            pepe.base_symbol
        );
    }

    fn row(symbol: &str, id: i64) -> serde_json::Value {
        json!({"symbol": symbol, "market_id": id, "market_type": "perp", "status": "active",
            "taker_fee": "0.0200", "maker_fee": "0.0020", "min_base_amount": "0.01",
            "supported_size_decimals": 2, "supported_price_decimals": 4,
            "min_initial_margin_fraction": 500, "last_trade_price": 2.0, "mark_price": "2.5",
            "daily_quote_token_volume": 1000.0, "open_interest": "100"})
    }

    fn reply(rows: &[serde_json::Value]) -> String {
        json!({"code": 200, "order_book_details": rows}).to_string()
    }

    #[test]
    fn fees_are_percent_and_spot_books_are_skipped() {
        let mut spot = row("ETH/USDC", 2048);
        spot["market_type"] = json!("spot");
        let markets = parse(&body(&reply(&[row("AAA", 1), spot]))).expect("valid");
        assert_eq!(markets.len(), 1);
        let a = &markets[0];
        assert_eq!(a.taker_fee_bps, Some(2.0));
        assert_eq!(a.maker_fee_bps, Some(0.2));
        // A close is another taker order: the same per-market fee.
        assert_eq!(a.cost.close_fee_bps, Some(2.0));
        assert_eq!(a.max_leverage, Some(20));
        assert_eq!(a.open_interest_usd, Some(250.0));
        assert_eq!(a.liquidity_usd, Some(250.0));
    }

    #[test]
    fn malformed_absurd_and_duplicate_responses_are_rejected() {
        let edit = |field: &str, value: serde_json::Value| {
            let mut r = row("AAA", 1);
            r[field] = value;
            reply(&[r])
        };
        let cases = [
            (edit("mark_price", json!("NaN")), "not finite"),
            (edit("open_interest", json!("-1")), "negative"),
            (edit("taker_fee", json!("abc")), "not a number"),
            (edit("taker_fee", json!("50")), "more than 10 %"),
            (
                edit("min_initial_margin_fraction", json!(0)),
                "not in 10..=10000",
            ),
            (
                edit("min_initial_margin_fraction", json!(5)),
                "not in 10..=10000",
            ),
            (edit("supported_size_decimals", json!(40)), "not in 0..=18"),
            (edit("market_id", json!(-1)), "not an id"),
            (edit("symbol", json!("xyz:AAA")), "dex prefix"),
            (edit("symbol", json!("")), "empty market symbol"),
            (edit("mark_price", json!("1e30")), "absurdly large"),
            (edit("status", json!(1)), "invalid response"),
            (reply(&[]), "the order book list is empty"),
            (
                r#"{"code":429,"message":"too many requests"}"#.to_owned(),
                "code 429: too many requests",
            ),
            (r#"{"code":200}"#.to_owned(), "no `order_book_details`"),
            ("not json".to_owned(), "invalid response"),
        ];
        for (text, want) in cases {
            let e = rejected(&text);
            assert!(e.contains(want), "want {want:?} in {e}");
            assert!(e.starts_with("LIGHTER `orderBookDetails`: "), "{e}");
        }
        assert!(
            rejected(&reply(&[row("AAA", 1), row("BBB", 1)])).contains("duplicate market_id 1")
        );
        assert!(
            rejected(&reply(&[row("AAA", 1), row("AAA", 2)])).contains("duplicate market `AAA`")
        );
        let many: Vec<serde_json::Value> = (0..100_000).map(|i| row(&format!("A{i}"), i)).collect();
        assert!(rejected(&reply(&many)).contains("100000 order books"));
    }
}
