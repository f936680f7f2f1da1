//! The direction of a signal.

use serde::{Deserialize, Serialize};

/// The direction of a signal (`signals.side`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Side {
    Long,
    Short,
}

impl Side {
    /// Parses `signals.side` leniently (`long`, ` LONG `, `buy`).
    #[must_use]
    pub fn parse(s: &str) -> Option<Side> {
        match s.trim().to_ascii_uppercase().as_str() {
            "LONG" | "BUY" => Some(Side::Long),
            "SHORT" | "SELL" => Some(Side::Short),
            _ => None,
        }
    }

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Side::Long => "LONG",
            Side::Short => "SHORT",
        }
    }
}
