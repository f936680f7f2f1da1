//! The registry of venues: the venue modules Agent Where syncs, in the
//! default priority order, and what each knows about its venue
//! ([`Venue::source`], [`Venue::info`]; the `venue_t` labels themselves are
//! the [`Venue`] enum of `crate::domain::venue`). The only place besides each
//! venue's own module that names a venue: everything else (routing, stats,
//! config, setup, the sync tool, the pipeline) looks venues up here.
//!
//! Adding a venue: its module (a [`VenueSource`] with its [`VenueInfo`]), its
//! recorded fixture, its label in `crate::domain::venue` (and in a migration that adds it to
//! `venue_t`), its entry in [`SOURCES`], and a `sync-<key>-markets` binary of
//! a few lines.

use super::source::{VenueInfo, VenueSource};
use super::{aevo, gmx, hyperliquid, lighter, ostium};

use crate::domain::Venue;

impl Venue {
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
        .or_else(|| key.parse::<Venue>().ok()?.source())
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
