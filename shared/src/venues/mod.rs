//! Venue clients: fetching market lists and turning them into validated
//! [`Market`](crate::domain::Market) rows, behind one interface.
//!
//! - [`registry`]: the venues Agent Where knows and syncs (the one list);
//! - [`source`]: the interface a venue module implements ([`VenueInfo`],
//!   [`VenueSource`], [`VenueSync`], [`SourceError`]);
//! - [`http`]: the request helper every venue fetches with (timeouts,
//!   retries, body cap) and the error type naming venue, endpoint and cause;
//! - [`check`]: the validation every parser ends with;
//! - [`one_reply`]: the interface written once for a venue whose market list
//!   is one `GET` reply (Aevo, Lighter);
//! - one module per venue; the large ones are directories (`wire` the
//!   replies' serde types, `map` replies → markets, `fetch` HTTP, `files`
//!   saved and recorded responses, `tests`).
//!
//! Every response is fetched (or read from a saved or recorded file) and
//! validated as a whole before anything is written: a response that is
//! malformed, truncated, empty, absurd (NaN, negative leverage, duplicate
//! markets) or too large is rejected with one line naming the venue, the
//! endpoint and the cause.

pub mod aevo;
pub mod check;
pub mod gmx;
pub mod http;
pub mod hyperliquid;
pub mod lighter;
pub mod one_reply;
pub mod ostium;
pub mod registry;
pub mod source;
#[cfg(test)]
mod test_support;

pub use check::{MAX_LEVERAGE, MAX_MARKETS, MAX_NUMERIC, check_markets};
pub use http::{
    Body, Cause, Fetcher, HttpOptions, MAX_BACKOFF, MAX_BODY_BYTES, MAX_RETRY_AFTER, VenueError,
    check_http_url, endpoint_label, one_line, public_url, read_body,
};
pub use registry::SOURCES;
pub use source::{
    Endpoint, Fetched, FileFlag, Input, LiquidityModel, MarketSymbolColumn, Origin, Responses,
    SourceError, SourceOption, SourceSettings, VenueInfo, VenueSource, VenueSync,
};
