//! An amount of US dollars.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A positive, finite amount of US dollars (an assumed order notional).
/// Compared by value; the constructor refuses NaN, infinities and amounts
/// that are not positive, so equality is total.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Usd(f64);

impl Eq for Usd {}

impl Usd {
    /// Largest amount accepted (the database column's check, 10^15).
    pub const MAX: f64 = 1e15;

    /// `None` unless `value` is finite, positive and below [`Usd::MAX`].
    #[must_use]
    pub fn new(value: f64) -> Option<Usd> {
        (value.is_finite() && value > 0.0 && value < Usd::MAX).then_some(Usd(value))
    }

    #[must_use]
    pub const fn get(self) -> f64 {
        self.0
    }
}

impl fmt::Display for Usd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${}", self.0)
    }
}
