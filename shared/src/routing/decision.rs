//! A routing decision: the options it is made with, each venue's verdict,
//! the checks, skips and how it ended.

use chrono::{DateTime, TimeDelta, Utc};

use super::signal::{OrderSize, SizeModelError};
use crate::domain::cost::OpeningRefusal;
use crate::domain::{ConfigSource, Side, Strategy, VENUE_COUNT, Venue};
use crate::symbols::{SymbolError, Token};

/// Inputs of a decision that are not the signal, its config or the markets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoutingOptions {
    /// The time decisions are made at (the database's clock, so that signal
    /// and sync timestamps compare on one clock).
    pub now: DateTime<Utc>,
    /// Signals older than this are skipped as expired.
    pub max_signal_age: TimeDelta,
    /// A venue whose last successful sync is older than this is unavailable.
    pub max_market_age: TimeDelta,
    /// Whether Hyperliquid HIP-3 (builder dex) markets are eligible.
    pub include_hip3: bool,
    /// The host's executor trades a routed signal's `token_symbol` as it
    /// stands: a routed decision hands over the symbol the executor resolves
    /// to exactly the chosen market, and a market no symbol reaches
    /// unambiguously is `NO_EXECUTOR_SYMBOL` ([`super::handoff`]).
    pub executor_symbol: bool,
    /// The venues the host's executor runs (`None`: not known, any venue);
    /// another venue is `NO_EXECUTOR` unless the configuration allows it.
    pub executor_venues: Option<&'static [Venue]>,
}

impl RoutingOptions {
    /// The defaults of `route-pending-signals` (24 h signals, 26 h markets).
    #[must_use]
    pub fn defaults_at(now: DateTime<Utc>) -> RoutingOptions {
        RoutingOptions {
            now,
            max_signal_age: TimeDelta::hours(24),
            max_market_age: TimeDelta::hours(26),
            include_hip3: false,
            executor_symbol: false,
            executor_venues: None,
        }
    }
}

/// A venue's verdict for one signal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    Available,
    /// No market for the canonical symbol.
    NotListed,
    /// The market exists but is inactive or delisted.
    Delisted,
    /// The market is outside its trading hours (Ostium).
    MarketClosed,
    /// The venue never synced successfully, or not within `max_market_age`.
    StaleMarketData,
    /// The venue's latest successful sync read the data built into the
    /// binary (illustrative), and this is not a demo database (issue 23).
    BuiltInMarketData,
    /// A venue Agent Where does not sync (`SPOT`).
    UnsupportedVenue,
    /// The signal asks for more leverage than the market allows (its
    /// overnight cap while it is in its overnight window).
    LeverageAboveMax {
        requested: f64,
        max: i32,
        overnight: bool,
    },
    /// The market is at its open-interest cap on the signal's side.
    OpenInterestCap {
        side: Side,
    },
    /// The order is larger than the capacity left on the signal's side, or
    /// (`per_order`) than the largest order the market accepts.
    AboveCapacity {
        notional: f64,
        capacity: f64,
        per_order: bool,
    },
    /// The market takes no order that opens a position (reduce-only, hidden,
    /// or priced in a currency nothing converts to USD); its code is the
    /// refusal's own (`REDUCE_ONLY`, `HIDDEN`, `QUOTE_NOT_USD`).
    OpeningRefused(OpeningRefusal),
    /// The venue could take the signal, but the signal's deployment has not
    /// enabled it.
    NotEnabled,
    /// The host's executor does not run this venue (Maxxit's: GMX, AEVO,
    /// LIGHTER) and the configuration does not allow it explicitly.
    NoExecutor,
    /// No symbol reaches the market unambiguously through the host
    /// executor's lookup (an Ostium pair whose base and quote both name
    /// other pairs too).
    NoExecutorSymbol,
}

impl Verdict {
    /// The reason code written to the history (`NOT_LISTED`, …).
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Verdict::Available => "AVAILABLE",
            Verdict::NotListed => "NOT_LISTED",
            Verdict::Delisted => "DELISTED",
            Verdict::MarketClosed => "MARKET_CLOSED",
            Verdict::StaleMarketData => "STALE_MARKET_DATA",
            Verdict::BuiltInMarketData => "BUILT_IN_MARKET_DATA",
            Verdict::UnsupportedVenue => "UNSUPPORTED_VENUE",
            Verdict::LeverageAboveMax { .. } => "LEVERAGE_ABOVE_MAX",
            Verdict::OpenInterestCap { .. } => "OPEN_INTEREST_CAP",
            Verdict::AboveCapacity { .. } => "ABOVE_CAPACITY",
            Verdict::OpeningRefused(refusal) => refusal.code(),
            Verdict::NotEnabled => "NOT_ENABLED",
            Verdict::NoExecutor => "NO_EXECUTOR",
            Verdict::NoExecutorSymbol => "NO_EXECUTOR_SYMBOL",
        }
    }

    #[must_use]
    pub const fn is_available(self) -> bool {
        matches!(self, Verdict::Available)
    }
}

/// One venue checked for a signal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VenueCheck {
    pub venue: Venue,
    pub verdict: Verdict,
    /// The market the verdict is about (index into the snapshot), if any.
    pub market: Option<u32>,
    /// The strategy's figure for this venue (USD liquidity or cost in bps),
    /// when the strategy compares venues and the figure is known.
    pub figure: Option<f64>,
}

const MAX_CHECKS: usize = VENUE_COUNT;

/// The venues checked, in order (at most one per venue).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Checks {
    items: [VenueCheck; MAX_CHECKS],
    len: u8,
}

impl Default for Checks {
    fn default() -> Self {
        Checks {
            items: [VenueCheck {
                venue: Venue::Multi,
                verdict: Verdict::NotListed,
                market: None,
                figure: None,
            }; MAX_CHECKS],
            len: 0,
        }
    }
}

impl Checks {
    pub(crate) fn push(&mut self, check: VenueCheck) {
        if (self.len as usize) < MAX_CHECKS {
            self.items[self.len as usize] = check;
            self.len += 1;
        }
    }

    pub(crate) fn contains(&self, venue: Venue) -> bool {
        self.as_slice().iter().any(|c| c.venue == venue)
    }

    #[must_use]
    pub fn as_slice(&self) -> &[VenueCheck] {
        &self.items[..self.len as usize]
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [VenueCheck] {
        &mut self.items[..self.len as usize]
    }
}

/// Why a signal is invalid.
#[derive(Debug, Clone, PartialEq)]
pub enum Invalid {
    Token(SymbolError),
    /// `side` is neither LONG nor SHORT (nor BUY / SELL).
    Side,
    SizeModel(SizeModelError),
}

/// Why a signal is skipped.
#[derive(Debug, Clone, PartialEq)]
pub enum Skip {
    /// Every considered venue was unavailable.
    NoVenueAvailable,
    /// Older than `max_signal_age`.
    SignalExpired {
        age: TimeDelta,
    },
    InvalidSignal(Invalid),
    /// The signal's deployment does not trade now (paused, cancelled, gone).
    DeploymentInactive,
    /// No considered venue can take the signal, and one could if the
    /// deployment had enabled it.
    NoEnabledVenue,
    /// The deployment holds open positions in the token that do not name one
    /// routable venue (two venues, or a venue no signal can be routed to).
    ConflictingPositions {
        venues: Vec<String>,
    },
    /// The deployment holds an open position in the token on a venue that
    /// cannot take the signal now (its check is the decision's one check).
    PositionVenueUnavailable,
}

impl Skip {
    /// The reason code (`signals.skipped_reason` starts with it).
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Skip::NoVenueAvailable => "NO_VENUE_AVAILABLE",
            Skip::SignalExpired { .. } => "SIGNAL_EXPIRED",
            Skip::InvalidSignal(_) => "INVALID_SIGNAL",
            Skip::DeploymentInactive => "DEPLOYMENT_INACTIVE",
            Skip::NoEnabledVenue => "NO_ENABLED_VENUE",
            Skip::ConflictingPositions { .. } => "CONFLICTING_POSITIONS",
            Skip::PositionVenueUnavailable => "POSITION_VENUE_UNAVAILABLE",
        }
    }
}

/// How the winner among the available venues was picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// `FIRST_AVAILABLE`: the first available venue in priority order.
    First,
    /// The strategy's figure decided.
    Best,
    /// Only one considered venue was available.
    OnlyCandidate,
    /// The best figures tied: priority order among the tied venues.
    Tie,
    /// A figure was unknown for at least one available venue: priority order.
    MissingMetric,
    /// The deployment holds an open position in the token on this venue:
    /// the signal closes or flips it there, ahead of the strategy.
    OpenPosition,
}

/// How a decision ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Routed to the venue of `checks[check]`.
    Routed {
        check: u8,
        choice: Choice,
    },
    Skipped(Skip),
}

/// A routing decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The parsed token (canonical symbol, named dex), or why it has none.
    pub token: Result<Token, SymbolError>,
    pub outcome: Outcome,
    /// The configured strategy.
    pub strategy: Strategy,
    pub config_source: ConfigSource,
    pub failover_enabled: bool,
    /// Venues checked, in order.
    pub checks: Checks,
    /// The signal's side, when valid.
    pub side: Option<Side>,
    /// The order's size as routing estimated it.
    pub order: OrderSize,
}

impl Decision {
    /// The selected venue check, for a routed decision.
    #[must_use]
    pub fn selected(&self) -> Option<&VenueCheck> {
        match &self.outcome {
            Outcome::Routed { check, .. } => self.checks.as_slice().get(*check as usize),
            Outcome::Skipped(_) => None,
        }
    }

    /// The selected venue, for a routed decision.
    #[must_use]
    pub fn venue(&self) -> Option<Venue> {
        self.selected().map(|c| c.venue)
    }

    /// The skip, for a skipped decision.
    #[must_use]
    pub fn skip(&self) -> Option<&Skip> {
        match &self.outcome {
            Outcome::Skipped(s) => Some(s),
            Outcome::Routed { .. } => None,
        }
    }
}
