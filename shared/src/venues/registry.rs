//! The registry of venues: the `venue_t` labels and the venue modules Agent
//! Where syncs, in the default priority order. The only place besides each
//! venue's own module that names a venue: everything else (routing, stats,
//! config, setup, the sync tool, the pipeline) looks venues up here.
//!
//! Adding a venue: its module (a [`VenueSource`] with its [`VenueInfo`]), its
//! recorded fixture, its label below (and in a migration that adds it to
//! `venue_t`), its entry in [`SOURCES`], and a `sync-<key>-markets` binary of
//! a few lines.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::source::{VenueInfo, VenueSource};
use super::{aevo, gmx, hyperliquid, lighter, ostium};

/// A value of the `venue_t` enum, in enum order: the Maxxit labels, then
/// the labels Agent Where added (`MULTI` by V1, `AEVO` and `LIGHTER` by V8),
/// which `ALTER TYPE … ADD VALUE` appends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Venue {
    Spot,
    Gmx,
    Hyperliquid,
    Ostium,
    Multi,
    Aevo,
    Lighter,
}

impl Venue {
    /// Every `venue_t` value, in enum order.
    pub const ALL: [Venue; 7] = [
        Venue::Spot,
        Venue::Gmx,
        Venue::Hyperliquid,
        Venue::Ostium,
        Venue::Multi,
        Venue::Aevo,
        Venue::Lighter,
    ];

    /// The SQL / CLI spelling.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Venue::Spot => "SPOT",
            Venue::Gmx => "GMX",
            Venue::Hyperliquid => "HYPERLIQUID",
            Venue::Ostium => "OSTIUM",
            Venue::Multi => "MULTI",
            Venue::Aevo => "AEVO",
            Venue::Lighter => "LIGHTER",
        }
    }

    /// Position in [`Venue::ALL`], for per-venue arrays.
    #[must_use]
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Whether a signal may be routed to this venue (everything but `MULTI`).
    #[must_use]
    pub const fn is_routable(self) -> bool {
        !matches!(self, Venue::Multi)
    }

    /// The venue's module, when Agent Where syncs it.
    #[must_use]
    pub fn source(self) -> Option<&'static dyn VenueSource> {
        SOURCES.iter().copied().find(|s| s.info().venue == self)
    }

    /// The venue's facts, when Agent Where syncs it.
    #[must_use]
    pub fn info(self) -> Option<&'static VenueInfo> {
        self.source().map(VenueSource::info)
    }
}

/// Number of `venue_t` values.
pub const VENUE_COUNT: usize = Venue::ALL.len();

impl fmt::Display for Venue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a string that names no venue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown venue `{0}` (expected one of {labels})", labels = labels())]
pub struct UnknownVenue(pub String);

fn labels() -> String {
    Venue::ALL
        .iter()
        .map(|v| v.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl FromStr for Venue {
    type Err = UnknownVenue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Venue::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownVenue(s.to_owned()))
    }
}

/// The venues Agent Where syncs, in sync order: the default priority's
/// venues first, then the others in the order they were added.
pub static SOURCES: [&dyn VenueSource; 5] = [
    &hyperliquid::SOURCE,
    &ostium::SOURCE,
    &gmx::SOURCE,
    &aevo::SOURCE,
    &lighter::SOURCE,
];

/// The venues Agent Where syncs, in sync order ([`SOURCES`]).
#[must_use]
pub fn synced() -> Vec<Venue> {
    SOURCES.iter().map(|s| s.info().venue).collect()
}

/// The built-in default priority list ([`DEFAULT_PRIORITY`]).
#[must_use]
pub fn default_priority() -> Vec<Venue> {
    DEFAULT_PRIORITY.to_vec()
}

/// The synced venue with this key (`hyperliquid`) or `venue_t` label
/// (`HYPERLIQUID`), any case: the key from the registry, the label by
/// [`Venue`]'s `FromStr`.
#[must_use]
pub fn by_key(key: &str) -> Option<&'static dyn VenueSource> {
    let key = key.trim();
    SOURCES
        .iter()
        .copied()
        .find(|s| s.info().key.eq_ignore_ascii_case(key))
        .or_else(|| key.to_ascii_uppercase().parse::<Venue>().ok()?.source())
}

/// The synced venues' labels for messages, joined with `last`:
/// `HYPERLIQUID and OSTIUM`, `HYPERLIQUID, OSTIUM or GMX`.
#[must_use]
pub fn synced_labels(last: &str) -> String {
    let labels: Vec<&str> = SOURCES.iter().map(|s| s.info().venue.as_str()).collect();
    match labels.split_last() {
        None => String::new(),
        Some((only, [])) => (*only).to_owned(),
        Some((tail, head)) => format!("{} {last} {tail}", head.join(", ")),
    }
}

/// The built-in default priority: Hyperliquid first, Ostium next.
pub const DEFAULT_PRIORITY: [Venue; 2] = [Venue::Hyperliquid, Venue::Ostium];
