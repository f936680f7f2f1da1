//! The venue enum: every `venue_t` label, its SQL / CLI spelling and the
//! built-in default priority. What Agent Where knows about each synced venue
//! (its module, its facts) is attached by the registry of venues
//! (`Venue::source`, `Venue::info`), outside this leaf module.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

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
}

/// Number of `venue_t` values.
pub const VENUE_COUNT: usize = Venue::ALL.len();

/// The built-in default priority: Hyperliquid first, Ostium next.
pub const DEFAULT_PRIORITY: [Venue; 2] = [Venue::Hyperliquid, Venue::Ostium];

/// The built-in default priority list ([`DEFAULT_PRIORITY`]).
#[must_use]
pub fn default_priority() -> Vec<Venue> {
    DEFAULT_PRIORITY.to_vec()
}

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

/// The one venue-name parser: the label, trimmed, in any case
/// (`HYPERLIQUID`, ` hyperliquid `, `Ostium`).
impl FromStr for Venue {
    type Err = UnknownVenue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let label = s.trim();
        Venue::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(label))
            .ok_or_else(|| UnknownVenue(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_str_accepts_any_case_and_surrounding_space() {
        for venue in Venue::ALL {
            let label = venue.as_str();
            assert_eq!(label.parse::<Venue>(), Ok(venue));
            assert_eq!(label.to_ascii_lowercase().parse::<Venue>(), Ok(venue));
            assert_eq!(format!("  {label}\t").parse::<Venue>(), Ok(venue));
        }
        assert_eq!("Ostium".parse::<Venue>(), Ok(Venue::Ostium));
    }

    #[test]
    fn from_str_refuses_other_names_with_the_input_as_given() {
        for bad in ["", "  ", "HYPER LIQUID", "hyperliquid-x", "MULTI,GMX"] {
            assert_eq!(bad.parse::<Venue>(), Err(UnknownVenue(bad.to_owned())));
        }
        let message = "nope"
            .parse::<Venue>()
            .expect_err("not a venue")
            .to_string();
        assert_eq!(
            message,
            "unknown venue `nope` (expected one of SPOT, GMX, HYPERLIQUID, OSTIUM, MULTI, AEVO, LIGHTER)"
        );
    }

    #[test]
    fn index_is_the_position_in_all() {
        for (i, venue) in Venue::ALL.into_iter().enumerate() {
            assert_eq!(venue.index(), i);
        }
        assert_eq!(VENUE_COUNT, Venue::ALL.len());
        assert_eq!(default_priority(), DEFAULT_PRIORITY.to_vec());
    }
}
