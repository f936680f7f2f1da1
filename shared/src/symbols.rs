//! Symbol normalisation: one canonical symbol per tradeable asset, so that a
//! signal's token (`$eth`, `BTC/USD`, `SOL-PERP`, `ETHUSDT`, `GOLD`) and a
//! venue's market (`kPEPE`, `xyz:TSLA`, Ostium `XAU/USD`, `USD/JPY`) meet on
//! the same key. Signals and syncs both go through this module, so the two
//! sides can never disagree.
//!
//! Canonical symbols:
//! - crypto, stocks, commodities and indices: the base asset's raw ticker
//!   (`BTC`, `TSLA`, `XAU`, `SPX`), with display names mapped to raw ones
//!   (`GOLD`→`XAU`, `US500`→`SPX`, `WTI`→`CL`);
//! - forex: the non-USD currency when USD is the quote (`EUR/USD`→`EUR`), and
//!   base+quote otherwise (`USD/JPY`→`USDJPY`). A bare `JPY` is *not* mapped
//!   to `USD/JPY`: that pair moves the other way, and a LONG JPY signal routed
//!   there would trade the opposite direction.
//! - 1000-unit contracts (`kPEPE`, `1000PEPE`) map to their asset (`PEPE`)
//!   with a price scale of 1000.

use std::fmt;

/// Longest token a signal may carry, in bytes.
pub const MAX_TOKEN_LEN: usize = 64;

/// Why a signal's token cannot be normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SymbolError {
    Empty,
    TooLong(usize),
    InvalidCharacter(char),
    /// Allowed characters in a shape the rules forbid (one of the `const`
    /// descriptions below, e.g. [`SEVERAL_SEPARATORS`]).
    Malformed(&'static str),
}

/// [`SymbolError::Malformed`]: `$` anywhere but as one leading prefix (`$$BTC$$`).
pub const MISPLACED_DOLLAR: &str = "has `$` other than as one leading prefix";
/// [`SymbolError::Malformed`]: more than one pair separator (`BTC/USD/EUR`).
pub const SEVERAL_SEPARATORS: &str = "has more than one pair separator (`/` or `-`)";
/// [`SymbolError::Malformed`]: a pair without base or quote (`BTC/`).
pub const EMPTY_PAIR_SIDE: &str = "has a pair separator with nothing on one side";
/// [`SymbolError::Malformed`]: not one alphanumeric dex name before one `:` (`a:b:BTC`, `:BTC`).
pub const BAD_DEX_PREFIX: &str =
    "has a malformed HIP-3 dex prefix (expected one `dex:ASSET`, dex alphanumeric)";

impl fmt::Display for SymbolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SymbolError::Empty => f.write_str("empty token symbol"),
            SymbolError::TooLong(n) => {
                write!(f, "token symbol of {n} bytes (at most {MAX_TOKEN_LEN})")
            }
            SymbolError::InvalidCharacter(c) => {
                write!(
                    f,
                    "token symbol contains invalid character {}",
                    c.escape_unicode()
                )
            }
            SymbolError::Malformed(what) => write!(f, "token symbol {what}"),
        }
    }
}

impl std::error::Error for SymbolError {}

/// A market's identity as routing sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct MarketSymbol {
    /// The canonical symbol signals are matched on.
    pub base_symbol: String,
    /// The quote currency (`USD` for everything but non-USD-quoted pairs).
    pub quote_symbol: String,
    /// Units of the asset per contract unit (1000 for `kPEPE`).
    pub price_scale: f64,
    /// HIP-3 builder dex, `None` for the main dex and Ostium.
    pub dex: Option<String>,
}

const FIAT: [&str; 20] = [
    "USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NZD", "MXN", "KRW", "HKD", "CNH", "CNY",
    "SGD", "SEK", "NOK", "TRY", "ZAR", "INR", "BRL",
];

/// Display names and synonyms → raw canonical tickers.
const ALIASES: [(&str, &str); 18] = [
    ("GOLD", "XAU"),
    ("SILVER", "XAG"),
    ("PLATINUM", "XPT"),
    ("PALLADIUM", "XPD"),
    ("COPPER", "HG"),
    ("XCU", "HG"),
    ("WTI", "CL"),
    ("USOIL", "CL"),
    ("US500", "SPX"),
    ("SP500", "SPX"),
    ("US30", "DJI"),
    ("US100", "NDX"),
    ("NAS100", "NDX"),
    ("JP225", "NIK"),
    ("UK100", "FTSE"),
    ("GER40", "DAX"),
    ("HK50", "HSI"),
    ("UKOIL", "BRENT"),
];

const USD_QUOTES: [&str; 3] = ["USDT", "USDC", "USD"];

fn is_fiat(s: &str) -> bool {
    FIAT.contains(&s)
}

fn alias(s: &str) -> &str {
    ALIASES
        .iter()
        .find(|(from, _)| *from == s)
        .map_or(s, |(_, to)| to)
}

/// Strips a 1000-unit prefix: `kPEPE` (lower-case `k` + upper-case ticker) or
/// `1000PEPE`. Returns the asset and the scale.
fn strip_thousand_prefix(s: &str) -> (&str, f64) {
    if let Some(rest) = s.strip_prefix('k')
        && rest.len() >= 2
        && rest
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && rest.starts_with(|c: char| c.is_ascii_uppercase())
    {
        return (rest, 1000.0);
    }
    if let Some(rest) = s.strip_prefix("1000")
        && rest.len() >= 2
        && rest.starts_with(|c: char| c.is_ascii_alphabetic())
    {
        return (rest, 1000.0);
    }
    (s, 1.0)
}

/// A signal's token, parsed once: its canonical symbol and the HIP-3 dex it
/// names, if any (`xyz:TSLA` → `TSLA` on `xyz`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The symbol routing matches markets and per-token overrides on.
    pub canonical: String,
    /// The builder dex the token names explicitly (`xyz` in `xyz:TSLA`).
    pub dex: Option<String>,
}

impl Token {
    /// Parses a signal's token.
    ///
    /// Rules, in order:
    /// 1. empty or only blanks → [`SymbolError::Empty`]; over 64 bytes after
    ///    trimming → [`SymbolError::TooLong`];
    /// 2. a control character anywhere (`BTC\n` too: checked before trimming)
    ///    → [`SymbolError::InvalidCharacter`]; then surrounding spaces are
    ///    trimmed;
    /// 3. only ASCII letters, digits and `$ / - _ : .` are allowed;
    /// 4. `$` only as one leading prefix, which is dropped (`$ETH`; not `$$BTC$$`);
    /// 5. at most one `:`, after a non-empty alphanumeric HIP-3 dex name and
    ///    before the asset (`xyz:TSLA`: TSLA on dex `xyz`, routed only there);
    /// 6. a `_MANUAL_…` suffix, then `-PERP`/`_PERP`, are dropped;
    ///    `kPEPE`/`1000PEPE` map to `PEPE`;
    /// 7. upper-cased; at most one pair separator (`/` or `-`) with something
    ///    on both sides: `A/B` or `A-B` drops a USD/USDT/USDC quote (forex
    ///    pairs quoted in another currency keep both: `USDJPY`);
    /// 8. a glued `USDT`/`USDC`/`USD` quote is dropped (`ETHUSDT`); display
    ///    names map to raw tickers (`GOLD` → `XAU`).
    pub fn parse(raw: &str) -> Result<Token, SymbolError> {
        if raw.len() > MAX_TOKEN_LEN * 4 {
            return Err(SymbolError::TooLong(raw.len()));
        }
        if raw.trim().is_empty() {
            return Err(SymbolError::Empty);
        }
        if let Some(c) = raw.chars().find(|c| c.is_control()) {
            return Err(SymbolError::InvalidCharacter(c));
        }
        let mut s = raw.trim_matches(' ');
        if s.len() > MAX_TOKEN_LEN {
            return Err(SymbolError::TooLong(s.len()));
        }
        if let Some(c) = s.chars().find(|c| {
            !(c.is_ascii_alphanumeric() || matches!(c, '$' | '/' | '-' | '_' | ':' | '.'))
        }) {
            return Err(SymbolError::InvalidCharacter(c));
        }
        s = s.strip_prefix('$').unwrap_or(s);
        if s.contains('$') {
            return Err(SymbolError::Malformed(MISPLACED_DOLLAR));
        }
        let mut dex = None;
        if let Some((name, asset)) = s.split_once(':') {
            if name.is_empty()
                || !name.chars().all(|c| c.is_ascii_alphanumeric())
                || asset.is_empty()
                || asset.contains(':')
            {
                return Err(SymbolError::Malformed(BAD_DEX_PREFIX));
            }
            dex = Some(name.to_owned());
            s = asset;
        }
        if let Some(pos) = s.to_ascii_uppercase().find("_MANUAL") {
            s = &s[..pos];
        }
        for suffix in ["-PERP", "_PERP", "-perp", "_perp"] {
            if let Some(rest) = s.strip_suffix(suffix) {
                s = rest;
            }
        }
        let (asset, _) = strip_thousand_prefix(s);
        let upper = asset.to_ascii_uppercase();
        let canonical = match upper.split_once(['/', '-']) {
            Some((_, quote)) if quote.contains(['/', '-']) => {
                return Err(SymbolError::Malformed(SEVERAL_SEPARATORS));
            }
            Some((base, quote)) if base.is_empty() || quote.is_empty() => {
                return Err(SymbolError::Malformed(EMPTY_PAIR_SIDE));
            }
            Some((base, quote)) => pair_canonical(base, quote),
            None => glued_canonical(&upper),
        };
        let (canonical, _) = strip_thousand_prefix(&canonical);
        let canonical = alias(canonical).to_owned();
        if canonical.is_empty() || !canonical.chars().any(|c| c.is_ascii_alphanumeric()) {
            return Err(SymbolError::Empty);
        }
        Ok(Token { canonical, dex })
    }
}

/// The canonical symbol of a signal's token ([`Token::parse`] without the dex).
pub fn canonical_symbol(raw: &str) -> Result<String, SymbolError> {
    Token::parse(raw).map(|t| t.canonical)
}

fn pair_canonical(base: &str, quote: &str) -> String {
    if USD_QUOTES.contains(&quote) || quote == "PERP" {
        return base.to_owned();
    }
    if is_fiat(base) && is_fiat(quote) {
        return format!("{base}{quote}");
    }
    base.to_owned()
}

fn glued_canonical(s: &str) -> String {
    if s.len() == 6 && is_fiat(&s[..3]) && is_fiat(&s[3..]) {
        return if &s[3..] == "USD" {
            s[..3].to_owned()
        } else {
            s.to_owned()
        };
    }
    for quote in USD_QUOTES {
        if let Some(base) = s.strip_suffix(quote)
            && base.len() >= 2
        {
            return base.to_owned();
        }
    }
    s.to_owned()
}

/// A venue ticker whose asset is not the asset its canonical symbol names
/// elsewhere, and the canonical symbol it gets instead. Each venue module
/// keeps its own table (Hyperliquid: `SPX` is the SPX6900 memecoin, while
/// `SPX` and `US500` mean the S&P 500 on Ostium), and every venue applies it
/// through [`ticker_market`], so the rule is written once.
pub type Collision = (&'static str, &'static str);

/// Tickers that name a memecoin on a crypto-only venue but an index or a
/// stock elsewhere: `SPX` is the SPX6900 memecoin wherever only crypto is
/// listed, while `SPX` (and `US500`) mean the S&P 500 on Ostium. The table
/// of every crypto-only venue that names its markets by ticker; a venue
/// whose list differs keeps its own (`hyperliquid::COLLISIONS`).
pub const CRYPTO_ONLY_COLLISIONS: [Collision; 1] = [("SPX", "SPX6900")];

fn collided(upper: String, collisions: &[Collision]) -> String {
    collisions
        .iter()
        .find(|(ticker, _)| *ticker == upper)
        .map_or(upper, |(_, canonical)| (*canonical).to_owned())
}

/// Canonical identity of a USD-quoted venue market named by its ticker,
/// optionally on a builder dex (`dex:TICKER`): the 1000-unit prefix gives the
/// price scale (`kPEPE` → PEPE ×1000); a dex market's display name maps to
/// the raw ticker (`xyz:GOLD` → XAU on `xyz`); a main-listing ticker in
/// `collisions` gets its own canonical symbol (`SPX` → SPX6900).
#[must_use]
pub fn ticker_market(name: &str, collisions: &[Collision]) -> MarketSymbol {
    let (dex, asset) = match name.split_once(':') {
        Some((dex, asset)) => (Some(dex.to_owned()), asset),
        None => (None, name),
    };
    let (asset, scale) = strip_thousand_prefix(asset);
    let upper = asset.to_ascii_uppercase();
    let base = if dex.is_some() {
        alias(&upper).to_owned()
    } else {
        collided(upper, collisions)
    };
    MarketSymbol {
        base_symbol: base,
        quote_symbol: "USD".to_owned(),
        price_scale: scale,
        dex,
    }
}

/// Whether `name` is two fiat currency codes glued (`EURUSD`, `USDHKD`): a
/// forex pair, whatever a venue's own table calls it.
#[must_use]
pub fn is_fiat_pair(name: &str) -> bool {
    let upper = name.trim().to_ascii_uppercase();
    upper.len() == 6 && upper.is_ascii() && is_fiat(&upper[..3]) && is_fiat(&upper[3..])
}

/// Canonical identity of a venue market the venue itself classes as a
/// real-world asset (stock, ETF, index, commodity, forex, bond), named by one
/// glued ticker: the market gets the canonical symbol a signal spelled as the
/// venue spells it gets ([`Token::parse`]), so the two always meet. Index and
/// commodity display names map to raw tickers (`US500` → SPX, `US100` → NDX,
/// `WTI` → CL, `XCU` → HG); a glued fiat pair quoted in USD gives its other
/// currency (`EURUSD` → EUR), one quoted in another currency keeps both and
/// that quote (`USDJPY` → USDJPY, quote JPY), as [`pair_market`] does for
/// Ostium's `EUR/USD` and `USD/JPY`; a glued USD quote is dropped
/// (`SAMSUNGUSD` → SAMSUNG). Never used for a venue's crypto markets, where
/// `SPX` is the SPX6900 memecoin ([`ticker_market`] with the venue's
/// collisions): the asset class decides which rule applies.
#[must_use]
pub fn rwa_ticker_market(name: &str) -> MarketSymbol {
    let upper = name.trim().to_ascii_uppercase();
    if is_fiat_pair(&upper) {
        return pair_market(&upper[..3], &upper[3..]);
    }
    let base = canonical_symbol(&upper).unwrap_or(upper);
    MarketSymbol {
        base_symbol: base,
        quote_symbol: "USD".to_owned(),
        price_scale: 1.0,
        dex: None,
    }
}

/// Canonical identity of a perpetual named `TICKER-PERP` (Aevo `ETH-PERP`,
/// `1000PEPE-PERP`): the ticker rules of [`ticker_market`] after the
/// `-PERP` suffix. `None` when the name has no `-PERP` suffix or nothing
/// before it.
#[must_use]
pub fn perp_instrument_market(name: &str, collisions: &[Collision]) -> Option<MarketSymbol> {
    let ticker = name.strip_suffix("-PERP")?;
    if ticker.is_empty() || ticker.contains(':') {
        return None;
    }
    Some(ticker_market(ticker, collisions))
}

/// A market named by its index and its collateral pool, as GMX names them:
/// `ETH/USD [WETH-USDC]`, `DOGE/USD [WETH-USDC]` (a synthetic index, traded
/// against a pool of other tokens).
#[derive(Debug, Clone, PartialEq)]
pub struct PoolMarket {
    /// The index's identity: ticker rules for USD-quoted indexes
    /// ([`ticker_market`]: `1000PEPE` → PEPE ×1000, collisions), pair rules
    /// otherwise ([`pair_market`]).
    pub symbol: MarketSymbol,
    /// The pool between the brackets (`WETH-USDC`).
    pub pool: String,
}

/// Parses a pooled market name `INDEX/QUOTE [LONG-SHORT]`. `None` for any
/// other shape, such as GMX's swap-only pools (`SWAP-ONLY [USDC-USDT]`),
/// which are not markets a signal can trade.
#[must_use]
pub fn pool_market(name: &str, collisions: &[Collision]) -> Option<PoolMarket> {
    let (index, rest) = name.trim().split_once('[')?;
    let pool = rest.strip_suffix(']')?.trim();
    let (base, quote) = index.trim().split_once('/')?;
    let (base, quote) = (base.trim(), quote.trim());
    let valid = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
    if !valid(base) || !valid(quote) || pool.is_empty() || pool.contains(['[', ']']) {
        return None;
    }
    let symbol = if quote.eq_ignore_ascii_case("USD") {
        ticker_market(base, collisions)
    } else {
        pair_market(base, quote)
    };
    Some(PoolMarket {
        symbol,
        pool: pool.to_owned(),
    })
}

/// Canonical identity of a venue market named by its base and quote
/// (`BTC`/`USD` → BTC; `EUR`/`USD` → EUR; `USD`/`JPY` → USDJPY; `NIK`/`JPY` →
/// NIK); display names map to raw ones (`US500`/`USD` → SPX). Forex pairs
/// quoted in another currency keep both currencies, so a signal for `JPY`
/// never reaches `USD/JPY`, which moves the other way.
#[must_use]
pub fn pair_market(base: &str, quote: &str) -> MarketSymbol {
    let base = base.trim().to_ascii_uppercase();
    let quote = quote.trim().to_ascii_uppercase();
    let canonical = if is_fiat(&base) && is_fiat(&quote) {
        if quote == "USD" {
            base.clone()
        } else {
            format!("{base}{quote}")
        }
    } else {
        alias(&base).to_owned()
    };
    MarketSymbol {
        base_symbol: canonical,
        quote_symbol: quote,
        price_scale: 1.0,
        dex: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_tokens_normalise() {
        let cases = [
            ("btc", "BTC"),
            ("BTC", "BTC"),
            ("$ETH", "ETH"),
            ("$eth", "ETH"),
            ("BTC/USD", "BTC"),
            ("BTC-USD", "BTC"),
            ("btc/usdt", "BTC"),
            ("SOL-PERP", "SOL"),
            ("sol_perp", "SOL"),
            ("ETHUSDT", "ETH"),
            ("ETHUSDC", "ETH"),
            ("ETHUSD", "ETH"),
            ("PEPE", "PEPE"),
            ("kPEPE", "PEPE"),
            ("1000PEPE", "PEPE"),
            ("XAU", "XAU"),
            ("GOLD", "XAU"),
            ("gold", "XAU"),
            ("SILVER", "XAG"),
            ("EURUSD", "EUR"),
            ("EUR/USD", "EUR"),
            ("USDJPY", "USDJPY"),
            ("USD/JPY", "USDJPY"),
            ("usd-jpy", "USDJPY"),
            ("JPY", "JPY"),
            ("US500", "SPX"),
            ("SPX", "SPX"),
            ("WTI", "CL"),
            ("NIK/JPY", "NIK"),
            ("JP225", "NIK"),
            ("BTC_MANUAL_1731500000", "BTC"),
            ("eth_manual_x", "ETH"),
            ("xyz:TSLA", "TSLA"),
            ("  HYPE  ", "HYPE"),
            ("KAS", "KAS"),
            ("USDT", "USDT"),
            ("S", "S"),
        ];
        for (raw, want) in cases {
            assert_eq!(canonical_symbol(raw).as_deref(), Ok(want), "input {raw:?}");
        }
    }

    #[test]
    fn hostile_tokens_are_rejected_not_crashed() {
        assert_eq!(canonical_symbol(""), Err(SymbolError::Empty));
        assert_eq!(canonical_symbol("   \t "), Err(SymbolError::Empty));
        assert_eq!(canonical_symbol("$"), Err(SymbolError::Empty));
        assert_eq!(canonical_symbol("_MANUAL_1"), Err(SymbolError::Empty));
        assert!(matches!(
            canonical_symbol(&"A".repeat(10_000)),
            Err(SymbolError::TooLong(10_000))
        ));
        assert!(matches!(
            canonical_symbol(&"B".repeat(65)),
            Err(SymbolError::TooLong(65))
        ));
        assert_eq!(
            canonical_symbol("BTC\u{7}"),
            Err(SymbolError::InvalidCharacter('\u{7}'))
        );
        assert_eq!(
            canonical_symbol("ÉTH"),
            Err(SymbolError::InvalidCharacter('É'))
        );
        assert_eq!(
            canonical_symbol("🚀"),
            Err(SymbolError::InvalidCharacter('🚀'))
        );
        assert_eq!(
            canonical_symbol("BTC'; DROP TABLE signals; --"),
            Err(SymbolError::InvalidCharacter('\''))
        );
        assert!(canonical_symbol("a\0b").is_err());
    }

    #[test]
    fn control_characters_anywhere_are_invalid_even_where_trimmed() {
        for (raw, c) in [
            ("BTC\n", '\n'),
            ("BTC\r", '\r'),
            ("\nBTC", '\n'),
            ("BTC \t", '\t'),
            ("B\u{1b}TC", '\u{1b}'),
            ("BTC\u{7f}", '\u{7f}'),
        ] {
            assert_eq!(
                canonical_symbol(raw),
                Err(SymbolError::InvalidCharacter(c)),
                "{raw:?}"
            );
        }
        // Surrounding spaces are still trimmed; other Unicode blanks are not ASCII.
        assert_eq!(canonical_symbol("  BTC  ").as_deref(), Ok("BTC"));
        assert_eq!(
            canonical_symbol("BTC\u{a0}"),
            Err(SymbolError::InvalidCharacter('\u{a0}'))
        );
    }

    #[test]
    fn dollar_only_as_one_leading_prefix() {
        assert_eq!(canonical_symbol("$BTC").as_deref(), Ok("BTC"));
        for raw in ["$$BTC$$", "$$BTC", "BTC$", "B$TC", "$BTC/$USD"] {
            assert_eq!(
                canonical_symbol(raw),
                Err(SymbolError::Malformed(MISPLACED_DOLLAR)),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn at_most_one_pair_separator() {
        assert_eq!(canonical_symbol("BTC-USD-PERP").as_deref(), Ok("BTC"));
        for raw in [
            "BTC/USD/EUR",
            "BTC-USD-EUR",
            "BTC/-USD",
            "EUR//USD",
            "A-B/C",
        ] {
            assert_eq!(
                canonical_symbol(raw),
                Err(SymbolError::Malformed(SEVERAL_SEPARATORS)),
                "{raw:?}"
            );
        }
        for raw in ["BTC/", "/USD", "-BTC"] {
            assert_eq!(
                canonical_symbol(raw),
                Err(SymbolError::Malformed(EMPTY_PAIR_SIDE)),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn dex_prefix_must_be_one_named_dex() {
        assert_eq!(
            Token::parse("$xyz:TSLA"),
            Ok(Token {
                canonical: "TSLA".to_owned(),
                dex: Some("xyz".to_owned())
            })
        );
        for raw in ["a:b:BTC", ":BTC", "xyz:", "x-y:BTC", "x.y:BTC"] {
            assert_eq!(
                Token::parse(raw),
                Err(SymbolError::Malformed(BAD_DEX_PREFIX)),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn perp_instruments_follow_the_ticker_rules() {
        let m = perp_instrument_market("ETH-PERP", &CRYPTO_ONLY_COLLISIONS).expect("perp");
        assert_eq!((m.base_symbol.as_str(), m.price_scale), ("ETH", 1.0));
        assert_eq!(m.quote_symbol, "USD");
        let m = perp_instrument_market("1000PEPE-PERP", &CRYPTO_ONLY_COLLISIONS).expect("perp");
        assert_eq!((m.base_symbol.as_str(), m.price_scale), ("PEPE", 1000.0));
        let m = perp_instrument_market("SPX-PERP", &CRYPTO_ONLY_COLLISIONS).expect("perp");
        assert_eq!(m.base_symbol, "SPX6900");
        for bad in ["ETH", "-PERP", "ETH-USD", "xyz:ETH-PERP"] {
            assert_eq!(perp_instrument_market(bad, &[]), None, "{bad}");
        }
        // A signal spelled as the venue spells it meets the market.
        assert_eq!(canonical_symbol("ETH-PERP").as_deref(), Ok("ETH"));
    }

    #[test]
    fn real_world_asset_tickers_meet_the_signals_that_name_them() {
        for (ticker, base, quote) in [
            ("US500", "SPX", "USD"),
            ("US100", "NDX", "USD"),
            ("WTI", "CL", "USD"),
            ("XCU", "HG", "USD"),
            ("XAU", "XAU", "USD"),
            ("EURUSD", "EUR", "USD"),
            ("USDJPY", "USDJPY", "JPY"),
            ("USDKRW", "USDKRW", "KRW"),
            ("SAMSUNGUSD", "SAMSUNG", "USD"),
            ("TSLA", "TSLA", "USD"),
        ] {
            let m = rwa_ticker_market(ticker);
            assert_eq!(
                (
                    m.base_symbol.as_str(),
                    m.quote_symbol.as_str(),
                    m.price_scale
                ),
                (base, quote, 1.0),
                "{ticker}"
            );
            // A signal spelled as the venue spells it meets the market.
            assert_eq!(canonical_symbol(ticker).as_deref(), Ok(base), "{ticker}");
        }
        // The same ticker on a crypto-only listing is the memecoin, never the index.
        assert_eq!(
            ticker_market("SPX", &CRYPTO_ONLY_COLLISIONS).base_symbol,
            "SPX6900"
        );
        assert_eq!(rwa_ticker_market("SPX").base_symbol, "SPX");
    }

    #[test]
    fn pooled_names_give_the_index_and_the_pool() {
        let m = pool_market("ETH/USD [WETH-USDC]", &CRYPTO_ONLY_COLLISIONS).expect("pool");
        assert_eq!(m.symbol.base_symbol, "ETH");
        assert_eq!(m.symbol.quote_symbol, "USD");
        assert_eq!(m.pool, "WETH-USDC");
        let m = pool_market("DOGE/USD [WETH-USDC]", &[]).expect("pool");
        assert_eq!(m.symbol.base_symbol, "DOGE");
        let m = pool_market("BTC/USD [WBTC.b-USDC]", &[]).expect("pool");
        assert_eq!(
            (m.symbol.base_symbol.as_str(), m.pool.as_str()),
            ("BTC", "WBTC.b-USDC")
        );
        let m = pool_market("SPX/USD [WETH-USDC]", &CRYPTO_ONLY_COLLISIONS).expect("pool");
        assert_eq!(m.symbol.base_symbol, "SPX6900");
        let m = pool_market("1000PEPE/USD [WETH-USDC]", &[]).expect("pool");
        assert_eq!(
            (m.symbol.base_symbol.as_str(), m.symbol.price_scale),
            ("PEPE", 1000.0)
        );
        let m = pool_market("EUR/USD [USDC-USDC]", &[]).expect("pool");
        assert_eq!(m.symbol.base_symbol, "EUR");
        for bad in [
            "SWAP-ONLY [USDC-USDT]",
            "ETH/USD",
            "ETH/USD []",
            "/USD [WETH-USDC]",
            "ETH/ [WETH-USDC]",
            "ETH USD/USD [WETH-USDC]",
        ] {
            assert_eq!(pool_market(bad, &[]), None, "{bad}");
        }
    }

    #[test]
    fn dex_prefix_is_reported() {
        assert_eq!(
            Token::parse("xyz:TSLA").map(|t| t.dex),
            Ok(Some("xyz".to_owned()))
        );
        assert_eq!(Token::parse("TSLA").map(|t| t.dex), Ok(None));
    }
}
