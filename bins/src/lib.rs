//! The command-line tools of Agent Where. Each binary in `src/bin/` parses
//! its flags and hands over to its job in `jobs/`; `cli` maps the result to an
//! exit code, `output` is the only place that prints data, `progress` draws
//! bars on a terminal.

pub mod args;
pub mod cli;
pub mod jobs;
pub mod output;
pub mod progress;
