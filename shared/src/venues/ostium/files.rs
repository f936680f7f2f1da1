//! Ostium's saved and recorded responses: the file names `--save-response`
//! writes and the file flags read back, and the captures built into the
//! binary.

use super::OstiumResponses;
use crate::venues::http::Body;
use crate::venues::source::Responses;

/// Subgraph `pairs(first: 1000)` reply: 52 pairs (January 2026 capture).
pub const RECORDED_PAIRS: &str = include_str!("../../../fixtures/ostium/pairs.graphql.json");
/// `GET /PricePublish/latest-prices`: 54 feeds (January 2026 capture).
pub const RECORDED_LATEST_PRICES: &str =
    include_str!("../../../fixtures/ostium/latest-prices.json");

/// File names `--save-response` writes.
pub const PAIRS_FILE: &str = "pairs.graphql.json";
/// See [`PAIRS_FILE`].
pub const PRICES_FILE: &str = "latest-prices.json";

/// The recorded responses (January 2026 captures, `shared/fixtures/README.md`).
/// Illustrative values only.
#[must_use]
pub fn recorded() -> OstiumResponses {
    OstiumResponses {
        pairs: Body::new(
            format!("recorded {PAIRS_FILE}"),
            RECORDED_PAIRS.as_bytes().to_vec(),
        ),
        prices: Body::new(
            format!("recorded {PRICES_FILE}"),
            RECORDED_LATEST_PRICES.as_bytes().to_vec(),
        ),
        impact: None,
    }
}

/// File name `--save-response` writes the `pairImpact` reply under.
pub const IMPACT_FILE: &str = "pairImpact.graphql.json";

impl From<OstiumResponses> for Responses {
    fn from(r: OstiumResponses) -> Responses {
        let mut bodies = vec![
            (PAIRS_FILE.to_owned(), r.pairs),
            (PRICES_FILE.to_owned(), r.prices),
        ];
        bodies.extend(r.impact.map(|b| (IMPACT_FILE.to_owned(), b)));
        Responses { bodies }
    }
}
