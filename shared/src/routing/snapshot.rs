//! The market snapshot a batch decides on: every market of every venue and
//! each venue's last successful sync, indexed by canonical symbol so that a
//! decision's lookups are O(1). Built once per batch.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::handoff::{ExecutorSymbol, executor_symbols};
use super::market_row::MarketRow;
use crate::domain::{VENUE_COUNT, Venue};

/// Slot of a synced venue in per-venue arrays (`None`: a venue Agent Where
/// does not sync).
pub(crate) fn slot(venue: Venue) -> Option<usize> {
    venue.info().map(|_| venue.index())
}

#[derive(Debug, Clone, Default)]
pub(crate) struct SymbolMarkets {
    /// Best main-listing market per synced venue.
    pub(crate) main: [Option<u32>; VENUE_COUNT],
    /// Markets on builder dexes (Hyperliquid HIP-3), ordered by dex then rank.
    pub(crate) hip3: Vec<u32>,
}

/// Every market of every venue plus each venue's last successful sync,
/// indexed by canonical symbol for O(1) lookups. Built once per batch.
#[derive(Debug, Clone, Default)]
pub struct MarketSnapshot {
    pub(crate) markets: Vec<MarketRow>,
    by_symbol: HashMap<String, SymbolMarkets>,
    pub(crate) last_sync: [Option<DateTime<Utc>>; VENUE_COUNT],
    /// What the host's executor resolves each market from, by index.
    executor: Vec<ExecutorSymbol>,
    /// Venues whose latest successful sync read the data built into the
    /// binary, outside a demo database: unavailable (issue 23).
    pub(crate) built_in: [bool; VENUE_COUNT],
}

impl MarketSnapshot {
    /// Indexes `markets`. Several markets of one venue with the same canonical
    /// symbol: a row Agent Where wrote wins over one only another writer
    /// keeps, then a listed one over a delisted one, then one that takes
    /// opening orders (Lighter's USD-priced `SAMSUNGUSD` over its won-priced
    /// `SAMSUNG`), then an open one, then the unscaled contract, then the
    /// lowest market index.
    #[must_use]
    pub fn new(markets: Vec<MarketRow>, last_sync: &[(Venue, DateTime<Utc>)]) -> MarketSnapshot {
        let mut snapshot = MarketSnapshot {
            by_symbol: HashMap::with_capacity(markets.len()),
            executor: executor_symbols(&markets),
            markets,
            last_sync: [None; VENUE_COUNT],
            built_in: [false; VENUE_COUNT],
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
            let is_hip3 = m.dex.is_some();
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

    /// Marks `venues` as holding the data built into the binary (their
    /// latest successful sync read it) in a database that is not a demo
    /// database: routing treats them as unavailable (`BUILT_IN_MARKET_DATA`).
    #[must_use]
    pub fn with_built_in(mut self, venues: &[Venue]) -> MarketSnapshot {
        for venue in venues {
            if let Some(s) = slot(*venue) {
                self.built_in[s] = true;
            }
        }
        self
    }

    /// Whether the venue's markets are the data built into the binary, in a
    /// database that is not a demo database.
    #[must_use]
    pub fn built_in(&self, venue: Venue) -> bool {
        slot(venue).is_some_and(|s| self.built_in[s])
    }

    /// The markets of a canonical symbol, if any.
    pub(crate) fn entry(&self, canonical: &str) -> Option<&SymbolMarkets> {
        self.by_symbol.get(canonical)
    }

    /// The market at `index` (from a [`super::VenueCheck`]).
    #[must_use]
    pub fn market(&self, index: u32) -> Option<&MarketRow> {
        self.markets.get(index as usize)
    }

    /// The symbol the host's executor resolves to exactly the market at
    /// `index` ([`super::handoff`]).
    #[must_use]
    pub fn executor_symbol(&self, index: u32) -> Option<&ExecutorSymbol> {
        self.executor.get(index as usize)
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
fn rank(m: &MarketRow) -> (bool, bool, bool, bool, bool, i64, &str) {
    (
        !m.is_own(),
        !m.is_listed(),
        m.opening_refusal.is_some(),
        m.market_open == Some(false),
        (m.price_scale - 1.0).abs() > f64::EPSILON,
        m.market_index.map_or(i64::MAX, i64::from),
        &m.token_symbol,
    )
}
