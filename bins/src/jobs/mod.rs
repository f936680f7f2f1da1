//! One module per binary: the work behind each command.

pub mod bench;
pub mod pipeline;
pub mod route;
pub mod routing_config;
pub mod routing_stats;
pub mod setup;
pub mod sync;
