//! One module per binary: the work behind each command.

pub mod setup;
pub mod routing_stats;
