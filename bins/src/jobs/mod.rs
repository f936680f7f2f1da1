//! One module per binary: the work behind each command.

pub mod route;
pub mod routing_config;
pub mod setup;
