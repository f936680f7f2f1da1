//! The hand-off to the host's executor: which venues it runs and the symbol
//! it resolves to exactly the chosen market.
//!
//! Maxxit's executor trades a routed signal's `token_symbol` as it stands
//! (`services/trade-executor-worker/src/lib/trade-executor-llm.ts`):
//! - Hyperliquid: it sends `coin: token_symbol`, so the symbol is the coin
//!   (`kPEPE`, `BTC`, `xyz:TSLA`): the market's `venue_markets.token_symbol`;
//! - Ostium: it looks the pair up in its `ostium_available_pairs` as
//!   `${token}/USD`, then `USD/${token}`, then any pair starting with
//!   `${token}/` or ending with `/${token}` (one `findFirst`, no order), so
//!   the symbol is a spelling whose lookup reaches exactly the chosen pair:
//!   `XAU` for `XAU/USD`, `JPY` for `USD/JPY`, the base of a cross pair when
//!   that base names no other pair. A pair no spelling reaches unambiguously
//!   cannot be handed over ([`ExecutorSymbol::Unaddressable`]);
//! - GMX, Aevo, Lighter: it does not run them ("Venue … not supported yet").
//!
//! Pure: the Ostium pairs are every Ostium market of the snapshot (listed or
//! not: Maxxit's pair table keeps every pair Ostium ever listed).

use std::collections::{HashMap, HashSet};

use super::market_row::MarketRow;
use crate::domain::Venue;

/// The venues Maxxit's executor runs (`executeTrade`: HYPERLIQUID, and
/// OSTIUM, as which it also runs an undecided MULTI signal).
pub const MAXXIT_EXECUTOR_VENUES: [Venue; 2] = [Venue::Hyperliquid, Venue::Ostium];

/// What the host's executor resolves a market from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecutorSymbol {
    /// This spelling reaches exactly the market.
    Symbol(Box<str>),
    /// No spelling reaches the market unambiguously (Ostium).
    Unaddressable,
    /// The executor's resolution on this venue is not known (a venue Maxxit's
    /// executor does not run): the signal's token is left as it is.
    Unknown,
}

/// The executor symbol of every market of `markets`, by index.
#[must_use]
pub fn executor_symbols(markets: &[MarketRow]) -> Vec<ExecutorSymbol> {
    let pairs = OstiumPairs::new(
        markets
            .iter()
            .filter(|m| m.venue == Some(Venue::Ostium))
            .map(|m| m.market_name.as_str()),
    );
    markets
        .iter()
        .map(|m| match m.venue {
            Some(Venue::Hyperliquid) => ExecutorSymbol::Symbol(m.token_symbol.as_str().into()),
            Some(Venue::Ostium) => pairs
                .spelling_of(&m.market_name)
                .map_or(ExecutorSymbol::Unaddressable, |s| {
                    ExecutorSymbol::Symbol(s.into())
                }),
            _ => ExecutorSymbol::Unknown,
        })
        .collect()
}

/// Ostium's pair symbols (`FROM/TO`) as Maxxit's executor looks them up.
#[derive(Debug, Default)]
pub struct OstiumPairs<'a> {
    symbols: HashSet<&'a str>,
    /// Part of a symbol → the distinct symbols starting with `part/` or
    /// ending with `/part` (the lookup's last step).
    partial: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> OstiumPairs<'a> {
    /// Indexes the pair symbols (duplicates are one pair).
    pub fn new(symbols: impl IntoIterator<Item = &'a str>) -> OstiumPairs<'a> {
        let mut pairs = OstiumPairs::default();
        for symbol in symbols {
            if !pairs.symbols.insert(symbol) {
                continue;
            }
            // `startsWith("t/")` holds for every t that is the text before a
            // `/`; `endsWith("/t")` for every t after one.
            for (i, _) in symbol.match_indices('/') {
                for part in [&symbol[..i], &symbol[i + 1..]] {
                    let list = pairs.partial.entry(part).or_default();
                    if !list.contains(&symbol) {
                        list.push(symbol);
                    }
                }
            }
        }
        pairs
    }

    /// The pair Maxxit's executor finds for `token`: `token/USD`, else
    /// `USD/token`, else the one pair starting with `token/` or ending with
    /// `/token`. `None`: no pair, or several (its `findFirst` would pick any).
    #[must_use]
    pub fn resolve(&self, token: &str) -> Option<&'a str> {
        for candidate in [format!("{token}/USD"), format!("USD/{token}")] {
            if let Some(found) = self.symbols.get(candidate.as_str()) {
                return Some(found);
            }
        }
        match self.partial.get(token).map(Vec::as_slice) {
            Some([only]) => Some(only),
            _ => None,
        }
    }

    /// The spelling whose lookup reaches exactly `pair`: its base, else its
    /// quote (`JPY` for `USD/JPY`). `None`: neither reaches it alone.
    #[must_use]
    pub fn spelling_of<'p>(&self, pair: &'p str) -> Option<&'p str> {
        let (base, quote) = pair.split_once('/')?;
        [base, quote]
            .into_iter()
            .filter(|t| !t.is_empty())
            .find(|t| self.resolve(t) == Some(pair))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAIRS: [&str; 9] = [
        "BTC/USD", "XAU/USD", "EUR/USD", "USD/JPY", "USD/CAD", "CAD/USD", "NIK/JPY", "DAX/EUR",
        "USD/MXN",
    ];

    #[test]
    fn the_lookup_follows_maxxits_executor() {
        let pairs = OstiumPairs::new(PAIRS);
        assert_eq!(pairs.resolve("BTC"), Some("BTC/USD"));
        assert_eq!(pairs.resolve("JPY"), Some("USD/JPY"));
        // `CAD/USD` is tried before `USD/CAD`.
        assert_eq!(pairs.resolve("CAD"), Some("CAD/USD"));
        assert_eq!(pairs.resolve("NIK"), Some("NIK/JPY"));
        // `EUR/USD` first; `DAX` reaches DAX/EUR by its start.
        assert_eq!(pairs.resolve("EUR"), Some("EUR/USD"));
        assert_eq!(pairs.resolve("DAX"), Some("DAX/EUR"));
        // Several pairs start with `USD/`: findFirst would pick any.
        assert_eq!(pairs.resolve("USD"), None);
        assert_eq!(pairs.resolve("btc"), None);
        assert_eq!(pairs.resolve("BTC/USD"), None);
        assert_eq!(pairs.resolve("GOLD"), None);
    }

    #[test]
    fn every_pair_gets_the_spelling_that_reaches_it_or_none() {
        let pairs = OstiumPairs::new(PAIRS);
        let spelled: Vec<(&str, Option<&str>)> =
            PAIRS.iter().map(|p| (*p, pairs.spelling_of(p))).collect();
        assert_eq!(
            spelled,
            [
                ("BTC/USD", Some("BTC")),
                ("XAU/USD", Some("XAU")),
                ("EUR/USD", Some("EUR")),
                ("USD/JPY", Some("JPY")),
                // `CAD` reaches CAD/USD, `USD` no single pair.
                ("USD/CAD", None),
                ("CAD/USD", Some("CAD")),
                ("NIK/JPY", Some("NIK")),
                ("DAX/EUR", Some("DAX")),
                ("USD/MXN", Some("MXN")),
            ]
        );
        // Every spelling found resolves back to its pair.
        for (pair, spelling) in spelled {
            if let Some(s) = spelling {
                assert_eq!(pairs.resolve(s), Some(pair));
            }
        }
        // A cross pair whose base names two pairs is reached by neither part.
        let crowded = OstiumPairs::new(["NIK/JPY", "NIK/EUR", "USD/JPY", "EUR/USD"]);
        assert_eq!(crowded.spelling_of("NIK/JPY"), None);
        assert_eq!(crowded.spelling_of("NIK/EUR"), None);
    }
}
