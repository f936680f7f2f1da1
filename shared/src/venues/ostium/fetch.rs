//! Ostium over HTTP: the subgraph's pairs (GraphQL `POST`), the latest
//! prices (`GET`) and, when the subgraph answers it, the pairs' dynamic
//! spread.

use serde_json::json;

use super::{OstiumResponses, PAIR_IMPACT_QUERY, PAIRS_QUERY};
use crate::venues::http::{Fetcher, VenueError};

/// Fetches the pairs (GraphQL POST) and the latest prices (GET).
pub async fn fetch(
    fetcher: &Fetcher,
    subgraph_url: &str,
    prices_url: &str,
) -> Result<OstiumResponses, VenueError> {
    let pairs = fetcher
        .post_json(
            subgraph_url,
            "pairs",
            &json!({"query": PAIRS_QUERY, "variables": {}}),
        )
        .await?;
    let prices = fetcher.get(prices_url, "latest-prices").await?;
    let impact = match fetcher
        .post_json(
            subgraph_url,
            "pairImpact",
            &json!({"query": PAIR_IMPACT_QUERY, "variables": {}}),
        )
        .await
    {
        Ok(body) => Some(body),
        Err(e) => {
            tracing::warn!(error = %e, "no dynamic-spread fields: Ostium price impact is the quoted spread");
            None
        }
    };
    Ok(OstiumResponses {
        pairs,
        prices,
        impact,
    })
}
