//! Agent Where: decides where an AI trading agent's `MULTI` signal is
//! executed. This library holds the domain types, the pure routing logic,
//! database access and the venue clients; the binaries in `bins/` are glue.

pub mod config;
pub mod db;
pub mod domain;
pub mod errors;
pub mod routing;
pub mod symbols;
#[cfg(feature = "testing")]
pub mod testing;
pub mod venues;
