//! Domain types shared by every part of Agent Where: venues, sides,
//! strategies, routing configuration, markets and what an order costs on
//! them. One name per concept: the Rust variant, the SQL value and the CLI
//! value are the same upper-case word (`HYPERLIQUID`).
//!
//! The layering rule: `domain` is a leaf. Its files use nothing of the crate
//! outside `domain` (only the standard library and external crates), so
//! every other module may depend on it and it depends on none of them. The
//! `layering_tests` unit test enforces this; what the registry of venues
//! knows about a venue (`Venue::source`, `Venue::info`) is attached there,
//! not here.

pub mod cost;
pub mod market;
pub mod side;
pub mod strategy;
pub mod usd;
pub mod venue;

pub use market::{Market, MarketFigures};
pub use side::Side;
pub use strategy::{ConfigSource, RoutingConfig, Strategy, UnknownStrategy};
pub use usd::Usd;
pub use venue::{DEFAULT_PRIORITY, UnknownVenue, VENUE_COUNT, Venue, default_priority};

#[cfg(test)]
mod layering_tests;
