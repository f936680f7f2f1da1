//! The venue interface: what a venue module provides so that the sync tool,
//! routing, stats, config, setup and the pipeline treat venues as data.
//!
//! A venue module gives three things:
//! - a [`VenueInfo`]: static facts — its `venue_t` label and key, the
//!   endpoints, options and switches its sync takes (flags, environment
//!   variables, mainnet/testnet defaults), how its markets are named in the
//!   audit trail, how routing reads its liquidity and fees;
//! - a [`VenueSource`]: the venue itself — its facts, and its settings read
//!   once from the resolved flags ([`SourceSettings`]) into the venue's own
//!   typed `Settings` ([`VenueSource::configure`]);
//! - a [`VenueSync`], those typed settings at work: load the raw responses
//!   (fetched, saved or recorded), then parse, validate and map them to
//!   [`Market`] rows, all or nothing.
//!
//! Every failure of the interface is one [`SourceError`].
//!
//! Raw responses travel as [`Responses`]: named bodies whose names are the
//! file names `--save-response` writes and the file flags read back.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;

use super::http::{Body, Cause, Fetcher, HttpOptions, VenueError};
use crate::domain::Market;
use crate::domain::Venue;

/// A base URL a venue's sync calls, with its flag and environment variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    /// Flag of the sync tool (`api-url` → `--api-url`); run-pipeline prefixes
    /// it with the venue key (`--hyperliquid-api-url`).
    pub flag: &'static str,
    /// Environment variable read when the flag is absent (both tools).
    pub env: &'static str,
    /// Mainnet URL.
    pub mainnet: &'static str,
    /// Testnet URL (`--testnet`), when the venue has one for this endpoint.
    pub testnet: Option<&'static str>,
    /// `--help` text (without the default, which is added).
    pub help: &'static str,
}

/// A venue-specific option of the sync (`--dexes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceOption {
    /// Flag of the sync tool; run-pipeline takes `--<key>-<flag>` and this
    /// plain spelling too.
    pub flag: &'static str,
    pub env: Option<&'static str>,
    pub value_name: &'static str,
    pub help: &'static str,
}

/// A flag that reads a saved response instead of calling the venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileFlag {
    pub flag: &'static str,
    pub value_name: &'static str,
    pub help: &'static str,
    /// Another file flag that must be given with this one.
    pub requires: Option<&'static str>,
}

/// Which stored name the audit trail records as a routed market's symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarketSymbolColumn {
    /// `venue_markets.token_symbol` (a Hyperliquid coin: `kPEPE`, `xyz:TSLA`).
    TokenSymbol,
    /// `venue_markets.market_name` (an Ostium pair: `XAU/USD`).
    MarketName,
}

/// How routing reads a market's comparable USD liquidity for a side
/// (`BEST_LIQUIDITY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiquidityModel {
    /// Open interest capped per side, no order book: the capacity left on
    /// the signal's side, `max(0, max_open_interest_usd − side open interest)`.
    RemainingCapacity,
    /// An order book: `min(open_interest_usd, day_volume_usd)`, what the market
    /// both holds open and turned over in 24 h.
    OpenInterestAndVolume,
}

/// What Agent Where knows about a venue, as data.
#[derive(Debug)]
pub struct VenueInfo {
    /// The `venue_t` label.
    pub venue: Venue,
    /// Lower-case key: `sync-<key>-markets`, pipeline step `sync-<key>`,
    /// `--<key>-…` flags of run-pipeline, `--venues <key>`.
    pub key: &'static str,
    /// Display name (`Hyperliquid`).
    pub name: &'static str,
    /// The sync tool's `--help` description.
    pub about: &'static str,
    /// The sync tool's `--help` examples and notes on what is stored.
    pub details: &'static str,
    pub endpoints: &'static [Endpoint],
    pub options: &'static [SourceOption],
    /// Options of the sync that take no value (`--books`): when given, the
    /// settings hold `(flag, "true")`.
    pub switches: &'static [SourceOption],
    pub files: &'static [FileFlag],
    /// How often a sync is worth running (docs/venues.md, `--help`).
    pub schedule: &'static str,
    pub market_symbol: MarketSymbolColumn,
    /// What `market_index` is called in reasons (`asset 159`, `pair 5`).
    pub index_label: &'static str,
    /// Whether markets may live on builder dexes (Hyperliquid HIP-3, named
    /// `dex:ASSET`): eligible only with `--include-hip3` or when a signal
    /// names the dex, and then instead of the main listing.
    pub builder_dexes: bool,
    pub liquidity: LiquidityModel,
    /// Taker fee of a market of the venue's main listing whose stored row has
    /// none (rows written by the original sync scripts), in bps.
    pub default_taker_fee_bps: Option<f64>,
    /// What the recorded fixture built into the binary is, as an offline
    /// sync records its source (`recorded January 2026 capture, built in`).
    pub recorded_source: &'static str,
}

/// A venue's sync settings, resolved from flags, environment and defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceSettings {
    pub testnet: bool,
    /// Every endpoint's URL (flag, else environment, else the testnet or
    /// mainnet default), checked to be http(s).
    pub endpoints: Vec<(&'static str, String)>,
    /// The options that were given.
    pub options: Vec<(&'static str, String)>,
    /// The file flags that were given.
    pub files: Vec<(&'static str, PathBuf)>,
}

impl SourceSettings {
    /// The URL of endpoint `flag` (empty if the venue has no such endpoint).
    #[must_use]
    pub fn endpoint(&self, flag: &str) -> &str {
        self.endpoints
            .iter()
            .find(|(f, _)| *f == flag)
            .map_or("", |(_, url)| url.as_str())
    }

    /// The value of option `flag`, if given.
    #[must_use]
    pub fn option(&self, flag: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(f, _)| *f == flag)
            .map(|(_, v)| v.as_str())
    }

    /// Whether switch `flag` ([`VenueInfo::switches`]) was given.
    #[must_use]
    pub fn switch(&self, flag: &str) -> bool {
        self.option(flag) == Some("true")
    }

    /// The path of file flag `flag`, if given.
    #[must_use]
    pub fn file(&self, flag: &str) -> Option<&Path> {
        self.files
            .iter()
            .find(|(f, _)| *f == flag)
            .map(|(_, p)| p.as_path())
    }

    /// Whether any file flag was given (the responses come from files).
    #[must_use]
    pub fn from_files(&self) -> bool {
        !self.files.is_empty()
    }
}

/// A venue's raw responses: named bodies, named as `--save-response` writes them.
#[derive(Debug, Clone, Default)]
pub struct Responses {
    pub bodies: Vec<(String, Body)>,
}

impl Responses {
    /// The body saved as `name`, if any.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Body> {
        self.bodies.iter().find(|(n, _)| n == name).map(|(_, b)| b)
    }

    /// The body saved as `name`, which `venue`'s parse cannot do without.
    pub fn need(&self, venue: Venue, name: &str) -> Result<&Body, VenueError> {
        self.get(name).ok_or_else(|| {
            VenueError::new(venue, name, Cause::Local(format!("no `{name}` response")))
        })
    }
}

/// A validated market list, ready to apply.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub markets: Vec<Market>,
    /// Dexes whose markets missing from the list are deactivated (`""` = the
    /// main listing); `None` = every market of the venue.
    pub scope: Option<Vec<String>>,
}

/// Where a sync's responses come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The venue's API, or the files named by the file flags.
    Configured,
    /// The recorded capture built into the binary (offline).
    Recorded,
}

/// Where one sync's responses come from, with the venue's file paths `F`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input<F> {
    /// The venue's API.
    Api,
    /// Saved responses, read from the paths of the file flags.
    Files(F),
    /// The recorded capture built into the binary (offline).
    Recorded,
}

impl<F> Input<F> {
    /// [`Input::Recorded`] for [`Origin::Recorded`]; else the files when
    /// `files` found any, else the API.
    pub fn of(origin: Origin, files: Option<F>) -> Input<F> {
        match (origin, files) {
            (Origin::Recorded, _) => Input::Recorded,
            (Origin::Configured, Some(f)) => Input::Files(f),
            (Origin::Configured, None) => Input::Api,
        }
    }

    /// Loads one sync's responses from where they come: the `recorded`
    /// capture, the saved `files`, or the API, fetched through a [`Fetcher`]
    /// for `venue` built from `http`.
    pub async fn load<T, Fut>(
        &self,
        venue: Venue,
        http: &HttpOptions,
        recorded: impl FnOnce() -> T,
        files: impl FnOnce(&F) -> anyhow::Result<T>,
        fetch: impl FnOnce(Fetcher) -> Fut,
    ) -> Result<Responses, SourceError>
    where
        T: Into<Responses>,
        Fut: Future<Output = Result<T, VenueError>>,
    {
        let typed = match self {
            Input::Recorded => recorded(),
            Input::Files(f) => files(f)?,
            Input::Api => fetch(Fetcher::new(venue, http.clone())?).await?,
        };
        Ok(typed.into())
    }
}

/// Everything that can go wrong in a venue module, one type for the whole
/// interface. Each kind reads as one line, as it always did.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// A setting that cannot be used: a usage error naming the flag (exit 2).
    #[error("{0}")]
    Settings(String),
    /// A saved response that cannot be read.
    #[error(transparent)]
    File(#[from] anyhow::Error),
    /// A failed fetch or a rejected response: venue, endpoint and cause.
    #[error(transparent)]
    Venue(#[from] VenueError),
}

/// A venue module: its facts, how it reads its settings, how it names a
/// stored market.
pub trait VenueSource: Send + Sync {
    /// The venue's static facts.
    fn info(&self) -> &'static VenueInfo;

    /// Reads and checks the venue's settings once, into its typed settings,
    /// before anything is fetched or connected to. A
    /// [`SourceError::Settings`] is a usage error, one line naming the flag.
    fn configure(
        &self,
        settings: &SourceSettings,
        origin: Origin,
    ) -> Result<Box<dyn VenueSync>, SourceError>;

    /// The canonical symbol of a stored row that has no `base_symbol` (rows
    /// written by the original sync scripts), from its venue-native names.
    fn canonical_of_stored(&self, token_symbol: &str, market_name: &str) -> String;
}

/// One venue's sync, its settings read ([`VenueSource::configure`]).
pub trait VenueSync: Send + Sync + fmt::Debug {
    /// Where the responses come from, for `venue_sync_runs.source` and
    /// messages: the API's public URL, the files, or what the recorded
    /// capture is ([`VenueInfo::recorded_source`]); never credentials.
    fn source_label(&self) -> String;

    /// How many of the symbols pending and recent signals name the fetch
    /// wants (Hyperliquid's `--books`), or `None` (the default): the sync job
    /// reads them from the database before it loads.
    fn demand_wanted(&self) -> Option<usize> {
        None
    }

    /// The raw responses: fetched with `http` (`demand`: the symbols signals
    /// name, most named first), read from the files, or the recorded ones.
    fn load<'a>(
        &'a self,
        http: &'a HttpOptions,
        demand: &'a [String],
    ) -> BoxFuture<'a, Result<Responses, SourceError>>;

    /// Validates every response and maps them to markets, all or nothing;
    /// `observed_at` is when the responses arrived (market hours).
    fn parse(
        &self,
        responses: &Responses,
        observed_at: DateTime<Utc>,
    ) -> Result<Fetched, VenueError>;
}
