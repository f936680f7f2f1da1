//! GMX over HTTP: three `GET`s of the oracle API.

use super::GmxResponses;
use crate::venues::http::{Fetcher, VenueError};

/// Fetches `/markets/info`, `/tokens` and `/prices/tickers`.
pub async fn fetch(fetcher: &Fetcher, api_url: &str) -> Result<GmxResponses, VenueError> {
    let base = api_url.trim_end_matches('/');
    let markets_info = fetcher
        .get(&format!("{base}/markets/info"), "markets/info")
        .await?;
    let tokens = fetcher.get(&format!("{base}/tokens"), "tokens").await?;
    let tickers = fetcher
        .get(&format!("{base}/prices/tickers"), "prices/tickers")
        .await?;
    Ok(GmxResponses {
        markets_info,
        tokens,
        tickers,
    })
}
