//! Hyperliquid perpetuals: `POST /info {"type":"metaAndAssetCtxs"}` (market
//! list and live stats in one call), plus `{"type":"perpDexs"}` and one call per
//! HIP-3 builder dex when asked.
//!
//! Mapping (one [`Market`] per `universe[]` entry, delisted ones included):
//! - `token_symbol` = the venue name (`BTC`, `kPEPE`, `xyz:TSLA`), unique per
//!   venue because builder-dex names carry their `dex:` prefix;
//! - `market_index` = asset id: the universe index on the main dex,
//!   `100000 + perp_dex_index*10000 + index` on builder dexes;
//! - `listed` = not `isDelisted`; `current_price` = `markPx`;
//! - `min_position` = `10^-szDecimals`, the size step **in coin units** (not USD);
//! - `open_interest_usd` = `openInterest` (coins) × `markPx`;
//!   `day_volume_usd` = `dayNtlVlm`; `funding_rate` = `funding` as is: the
//!   hourly rate, positive when longs pay shorts (HL-docs `trading/funding.md`;
//!   the convention of the column for every venue,
//!   [`crate::domain::Market::funding_rate`]);
//! - `spread_bps` = (impact ask − impact bid) / mark × 10⁴ when `impactPxs` is present;
//! - `liquidity_usd` = min(open interest USD, 24 h notional volume) for active
//!   markets, 0 for delisted ones: what the market both holds and turns over,
//!   so a market with a large stale OI but no trading (or the reverse) does
//!   not look deep;
//! - fees: base tier taker 4.5 bps / maker 1.5 bps; HIP-3 markets scaled by
//!   the deployer fee scale `s` (`s + 1` if `s < 1`, else `2s`; per-asset
//!   `deployerFeeScale` first, then the dex's, else 1.0) and × 0.1 in growth mode;
//!   the same taker rate again to close (`close_fee_bps`), and the parts of the
//!   rate in `cost_model` (HL-docs `trading/fees.md`, "Fee formula for developers");
//! - HIP-4 outcome tokens (`#20`, `#21`: binary YES/NO contracts, not perpetuals)
//!   are skipped wherever a list carries them, never stored as markets;
//! - `--oi-caps`: `{"type":"perpsAtOpenInterestCap","dex":…}` per synced dex lists
//!   the coins at their open-interest cap; those get `at_open_interest_cap` and
//!   a capacity of 0 on both sides (an order that adds open interest is rejected
//!   whichever its side: `positionIncreaseAtOpenInterestCapRejected`, HL-docs
//!   `info-endpoint.md`); the others `at_open_interest_cap = false`, capacity unknown;
//! - `--books`: `{"type":"l2Book","coin":…}` (weight 2, at most 20 levels a
//!   side) for the markets that pending and recent signals name, within the
//!   1200-per-minute request weight budget, stored as a depth curve; a book
//!   answered with `null` (a coin without a book) is left out, that market
//!   keeps no curve.
//!
//! Still unverified here: the funding sign is from Hyperliquid's docs and
//! third-party readers, not from a field of the official Python SDK (which
//! passes `funding` through as a string); the `null` reply to `l2Book` was
//! seen in third-party clients' handling, not in a capture.
//!
//! The module: [`wire`] (the replies' serde types), [`map`] (replies →
//! markets), [`fetch`] (HTTP), [`files`] (saved and recorded responses),
//! [`settings`] (the flags, read once).

mod fetch;
mod files;
mod map;
mod settings;
mod wire;

#[cfg(test)]
mod late_2026;
#[cfg(test)]
mod tests;

use crate::domain::Venue;
use crate::symbols::{self, Collision};
use crate::venues::http::{Body, one_line};
use crate::venues::source::{
    Endpoint, FileFlag, LiquidityModel, MarketSymbolColumn, SourceOption, VenueInfo,
};

pub use fetch::{book_coins, fetch};
pub use files::{
    MAIN_FILE, PERP_DEXS_FILE, RECORDED_DEX, RECORDED_META_AND_ASSET_CTXS,
    RECORDED_META_AND_ASSET_CTXS_XYZ, RECORDED_PERP_DEXS, book_coin, book_file, caps_file,
    dex_file, recorded,
};
pub use map::{PerpDex, hip3_fee_multiplier, parse, parse_book, parse_perp_dexs};
pub use settings::{Hyperliquid, SOURCE, Settings};

pub(super) const VENUE: Venue = Venue::Hyperliquid;

/// Mainnet API base URL.
pub const MAINNET_API_URL: &str = "https://api.hyperliquid.xyz";
/// Testnet API base URL.
pub const TESTNET_API_URL: &str = "https://api.hyperliquid-testnet.xyz";

/// Base-tier (tier 0) taker fee, bps.
pub const TAKER_FEE_BPS: f64 = 4.5;
/// Base-tier (tier 0) maker fee, bps.
pub const MAKER_FEE_BPS: f64 = 1.5;
/// Growth-mode fee multiplier of HIP-3 markets.
pub const GROWTH_MODE_FACTOR: f64 = 0.1;
/// Fee scale assumed for a builder dex that publishes none.
pub const DEFAULT_DEPLOYER_FEE_SCALE: f64 = 1.0;

/// REST request weight one IP may spend per minute (HL-docs
/// `rate-limits-and-user-limits.md`).
pub const WEIGHT_BUDGET: usize = 1200;
/// Weight of `meta`, `metaAndAssetCtxs`, `perpDexs` and `perpsAtOpenInterestCap`.
pub const INFO_WEIGHT: usize = 20;
/// Weight of `l2Book`.
pub const L2_BOOK_WEIGHT: usize = 2;
/// Books `--books` fetches unless `--max-books` says otherwise.
pub const DEFAULT_MAX_BOOKS: usize = 50;
/// Most books one sync may fetch: what the budget leaves after the main dex.
pub const MAX_BOOKS: usize = (WEIGHT_BUDGET - INFO_WEIGHT) / L2_BOOK_WEIGHT;

/// Whether a coin is a HIP-4 outcome token (`#20`, `#21`; QuickNode and
/// Chainstack HIP-4 guides, 2026: "each side appears as a #N coin"): a
/// binary contract settling to 0 or 1, never a routable perpetual.
#[must_use]
pub fn is_outcome_coin(name: &str) -> bool {
    name.starts_with('#')
}

/// Books a sync may still fetch after `info_requests` weight-20 requests:
/// at most `max`, within [`WEIGHT_BUDGET`].
#[must_use]
pub fn book_budget(info_requests: usize, max: usize) -> usize {
    let left = WEIGHT_BUDGET.saturating_sub(info_requests * INFO_WEIGHT);
    max.min(left / L2_BOOK_WEIGHT)
}

/// Hyperliquid main-dex tickers that name a different asset than the same
/// canonical symbol elsewhere: `SPX` is the SPX6900 memecoin, while `SPX`
/// (and `US500`) mean the S&P 500 on Ostium. Such markets get their own
/// canonical symbol, so an S&P 500 signal never reaches the memecoin;
/// signals for the memecoin say `SPX6900`.
pub const COLLISIONS: [Collision; 1] = [("SPX", "SPX6900")];

/// Canonical identity of a Hyperliquid market from its `universe[].name`:
/// `BTC` → BTC; `kPEPE` → PEPE ×1000; `xyz:GOLD` → XAU on dex `xyz`;
/// `SPX` → SPX6900 (see [`COLLISIONS`]).
#[must_use]
pub fn market_symbol(name: &str) -> symbols::MarketSymbol {
    symbols::ticker_market(name, &COLLISIONS)
}

/// `{api-url}/info`.
#[must_use]
pub fn info_url(api_url: &str) -> String {
    let base = api_url.trim_end_matches('/');
    if base.ends_with("/info") {
        base.to_owned()
    } else {
        format!("{base}/info")
    }
}

/// Which HIP-3 builder dexes a sync covers besides the main dex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DexSelection {
    /// The main dex only (the default).
    MainOnly,
    /// The main dex and these builder dexes.
    Only(Vec<String>),
    /// The main dex and every dex `perpDexs` lists.
    All,
}

impl DexSelection {
    /// Parses `--dexes`: `all`, or a comma-separated list of dex names.
    pub fn parse(raw: &str) -> Result<DexSelection, String> {
        let raw = raw.trim();
        if raw.eq_ignore_ascii_case("all") {
            return Ok(DexSelection::All);
        }
        let mut names = Vec::new();
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            check_dex_name(part)?;
            if !names.iter().any(|n| n == part) {
                names.push(part.to_owned());
            }
        }
        if names.is_empty() {
            return Ok(DexSelection::MainOnly);
        }
        Ok(DexSelection::Only(names))
    }

    /// The dexes whose markets a sync may deactivate when missing from the
    /// response (`""` = the main dex; `None` = the whole venue). A main-dex
    /// sync says nothing about builder dexes, so it leaves their rows alone.
    #[must_use]
    pub fn scope(&self) -> Option<Vec<String>> {
        match self {
            DexSelection::MainOnly => Some(vec![String::new()]),
            DexSelection::Only(names) => Some(
                std::iter::once(String::new())
                    .chain(names.iter().cloned())
                    .collect(),
            ),
            DexSelection::All => None,
        }
    }
}

pub(super) fn check_dex_name(name: &str) -> Result<(), String> {
    if name.is_empty()
        || name.len() > 32
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(format!(
            "invalid dex name {:?} (expected 1-32 letters, digits, `_` or `-`)",
            one_line(name, 40)
        ));
    }
    Ok(())
}

/// The raw responses of one sync: `perpDexs` (when builder dexes are asked
/// for), the main dex and each builder dex by name, and with `--oi-caps` /
/// `--books` the cap lists per dex (`""` = main) and the books per coin.
#[derive(Debug, Clone)]
pub struct HyperliquidResponses {
    pub perp_dexs: Option<Body>,
    pub main: Body,
    pub dexes: Vec<(String, Body)>,
    pub caps: Vec<(String, Body)>,
    pub books: Vec<(String, Body)>,
}

/// What a sync fetches besides the market lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extras {
    /// `perpsAtOpenInterestCap` for every synced dex.
    pub oi_caps: bool,
    /// Order books of the markets signals name.
    pub books: Option<BookPlan>,
}

/// Which books to fetch: the markets of the most demanded canonical
/// symbols first, at most `max` (and what the weight budget leaves).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookPlan {
    pub max: usize,
    pub demand: Vec<String>,
}

pub(super) const API_URL: &str = "api-url";
pub(super) const DEXES: &str = "dexes";
pub(super) const FROM_FILE: &str = "from-file";
pub(super) const OI_CAPS: &str = "oi-caps";
pub(super) const BOOKS: &str = "books";
pub(super) const MAX_BOOKS_FLAG: &str = "max-books";

/// Hyperliquid's switches (options without a value).
static SWITCHES: [SourceOption; 2] = [
    SourceOption {
        flag: OI_CAPS,
        env: Some("HYPERLIQUID_OI_CAPS"),
        value_name: "",
        help: "Also fetch, for every synced dex, the markets at their open-interest cap \
(perpsAtOpenInterestCap, weight 20 each): routing refuses them as OPEN_INTEREST_CAP. Default: off \
(caps unknown).",
    },
    SourceOption {
        flag: BOOKS,
        env: Some("HYPERLIQUID_BOOKS"),
        value_name: "",
        help: "Also fetch the order book (l2Book, weight 2 each) of the markets that pending and \
recent MULTI signals name, most named first, within the 1200-per-minute request weight budget; \
LOWEST_COST prices orders on them. Default: off (top-of-book figures).",
    },
];

/// Hyperliquid's facts.
pub static INFO: VenueInfo = VenueInfo {
    venue: VENUE,
    key: "hyperliquid",
    name: "Hyperliquid",
    about: "Sync Hyperliquid's perpetual markets into `venue_markets`: one row per asset \
(delisted ones kept, inactive), with asset id, max leverage, mark price, funding, open interest \
and 24 h volume in USD, liquidity and base-tier fees. The whole response is validated before \
anything is written, and applied in one transaction; markets missing from it are deactivated, \
never deleted.",
    details: "Examples:
  sync-hyperliquid-markets
  sync-hyperliquid-markets --dexes xyz --dry-run
  sync-hyperliquid-markets --from-file saved/ --dexes xyz --format json
  sync-hyperliquid-markets --dexes all --oi-caps --books --max-books 40

Stored per market: token_symbol = the venue name (BTC, kPEPE, xyz:TSLA); base_symbol (PEPE for kPEPE, \
price_scale 1000); market_index = asset id (main dex: universe index; builder dex: 100000 + dex index × 10000 + index); \
min_position = size step in coin units (10^-szDecimals); liquidity_usd = min(open interest × mark, 24 h notional \
volume); fees in bps (taker 4.5 / maker 1.5 base tier, HIP-3 scaled by the deployer fee scale, ×0.1 in growth mode).",
    endpoints: &[Endpoint {
        flag: API_URL,
        env: "HYPERLIQUID_API_URL",
        mainnet: MAINNET_API_URL,
        testnet: Some(TESTNET_API_URL),
        help: "Hyperliquid API base URL (`/info` is appended).",
    }],
    options: &[
        SourceOption {
            flag: DEXES,
            env: Some("HYPERLIQUID_DEXES"),
            value_name: "LIST",
            help: "HIP-3 builder dexes to sync besides the main dex: `xyz,flx` or `all`. Default: \
the main dex only. A sync deactivates missing markets only in the dexes it covers.",
        },
        SourceOption {
            flag: MAX_BOOKS_FLAG,
            env: Some("HYPERLIQUID_MAX_BOOKS"),
            value_name: "N",
            help: "With --books: fetch at most N order books (1-590; fewer when the other requests \
leave less of the weight budget). Default: 50.",
        },
    ],
    switches: &SWITCHES,
    files: &[FileFlag {
        flag: FROM_FILE,
        value_name: "PATH",
        help: "Read a saved `metaAndAssetCtxs` response instead of calling the API. With --dexes, \
PATH must be a directory holding `perpDexs.json`, `metaAndAssetCtxs.json` and \
`metaAndAssetCtxs.<dex>.json` (what --save-response writes).",
        requires: None,
    }],
    schedule: "hourly",
    market_symbol: MarketSymbolColumn::TokenSymbol,
    index_label: "asset",
    builder_dexes: true,
    liquidity: LiquidityModel::OpenInterestAndVolume,
    recorded_source: "recorded January 2026 capture, built in",
    default_taker_fee_bps: Some(TAKER_FEE_BPS),
};
