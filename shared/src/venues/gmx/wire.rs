//! GMX's replies as they arrive: the serde types only, checked and mapped
//! in [`super::map`].

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub(super) struct MarketsInfo {
    pub(super) markets: Vec<MarketInfo>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MarketInfo {
    pub(super) name: String,
    pub(super) market_token: String,
    pub(super) index_token: String,
    pub(super) long_token: String,
    pub(super) short_token: String,
    #[serde(default)]
    pub(super) is_listed: Option<bool>,
    #[serde(default)]
    pub(super) is_disabled: Option<bool>,
    #[serde(default)]
    pub(super) listing_date: Option<String>,
    pub(super) open_interest_long: String,
    pub(super) open_interest_short: String,
    pub(super) available_liquidity_long: String,
    pub(super) available_liquidity_short: String,
    #[serde(default)]
    pub(super) pool_amount_long: Option<String>,
    #[serde(default)]
    pub(super) pool_amount_short: Option<String>,
    #[serde(default)]
    pub(super) funding_rate_long: Option<String>,
    #[serde(default)]
    pub(super) funding_rate_short: Option<String>,
    #[serde(default)]
    pub(super) borrowing_rate_long: Option<String>,
    #[serde(default)]
    pub(super) borrowing_rate_short: Option<String>,
    /// `netRate*` = `fundingRate*` − `borrowingRate*` (gmx-io/gmx-interface
    /// `getMarketTicker`, per a third-party reading; kept in metadata only).
    #[serde(default)]
    pub(super) net_rate_long: Option<String>,
    #[serde(default)]
    pub(super) net_rate_short: Option<String>,
}

/// `/tokens`: `{"tokens": [...]}` (a bare array is accepted too).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum TokenList {
    Wrapped { tokens: Vec<Token> },
    Bare(Vec<Token>),
}

#[derive(Debug, Deserialize)]
pub(super) struct Token {
    pub(super) symbol: String,
    pub(super) address: String,
    pub(super) decimals: i64,
    #[serde(default)]
    pub(super) synthetic: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Ticker {
    pub(super) token_address: String,
    #[serde(default)]
    pub(super) token_symbol: Option<String>,
    pub(super) min_price: String,
    pub(super) max_price: String,
    #[serde(default)]
    pub(super) timestamp: Option<i64>,
}
