//! A market as routing reads it from the snapshot.

use crate::domain::cost::{MarketCost, OpeningRefusal, max_order_usd_of, opening_refusal_of};
use crate::domain::{Market, MarketFigures, Venue};
use crate::venues::source::MarketSymbolColumn;

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
    /// As the sync stored them.
    pub figures: MarketFigures,
    /// Why the market takes no opening order (`None`: it takes them).
    pub opening_refusal: Option<OpeningRefusal>,
    /// The largest notional one order may have, USD (`None`: no known cap).
    pub max_order_usd: Option<f64>,
    /// What an order costs and how much the market can still take, as the
    /// sync stored them (close fee, capacities, open-interest cap, overnight
    /// leverage, fee rule and impact model, and the depth curve written by
    /// the same sync as the market's figures).
    pub cost: MarketCost,
    /// A depth curve is stored but older than the market's figures (unused).
    pub depth_stale: bool,
}

impl From<&Market> for MarketRow {
    /// The routing view of a synced market (as the snapshot query reads it).
    fn from(m: &Market) -> MarketRow {
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
            figures: m.figures,
            opening_refusal: opening_refusal_of(&m.metadata),
            max_order_usd: max_order_usd_of(&m.metadata),
            cost: m.cost.clone(),
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
    /// (`VenueInfo::market_symbol`): Hyperliquid's coin (`kPEPE`,
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
