//! Ostium's replies as they arrive (the subgraph's GraphQL envelopes and
//! the latest-prices list): the serde types only, checked and mapped in
//! [`super::map`].

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub(super) struct Envelope {
    #[serde(default)]
    pub(super) data: Option<PairsData>,
    #[serde(default)]
    pub(super) errors: Option<Vec<GraphQlError>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct GraphQlError {
    #[serde(default)]
    pub(super) message: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct PairsData {
    #[serde(default)]
    pub(super) pairs: Option<Vec<Pair>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Pair {
    pub(super) id: String,
    pub(super) from: String,
    pub(super) to: String,
    pub(super) feed: String,
    #[serde(default)]
    pub(super) overnight_max_leverage: Option<String>,
    #[serde(rename = "longOI")]
    pub(super) long_oi: String,
    #[serde(rename = "shortOI")]
    pub(super) short_oi: String,
    #[serde(rename = "maxOI")]
    pub(super) max_oi: String,
    pub(super) maker_fee_p: String,
    pub(super) taker_fee_p: String,
    #[serde(default)]
    pub(super) maker_max_leverage: Option<String>,
    #[serde(default)]
    pub(super) last_trade_price: Option<String>,
    pub(super) max_leverage: String,
    pub(super) group: Group,
    #[serde(default)]
    pub(super) fee: Option<Fee>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Group {
    pub(super) id: String,
    pub(super) name: String,
    #[serde(default)]
    pub(super) min_leverage: Option<String>,
    pub(super) max_leverage: String,
    /// The group's collateral cap, in 1e-2 percent of the vault's balance
    /// (`0xOstium/smart-contracts-public` `src/OstiumPairsStorage.sol`,
    /// `groupMaxCollateral` = `maxCollateralP * vault.currentBalance() / 100_00`).
    #[serde(default)]
    pub(super) max_collateral_p: Option<String>,
    /// Collateral (USDC, 6 decimals) open in the group per side
    /// (`OstiumPairsStorage.groupsCollaterals`, read by `groupCollateral`).
    /// The subgraph's running figure can be negative (the January capture's
    /// crypto group): the contract floors its own at 0, so a negative figure
    /// is stored as unknown.
    #[serde(default)]
    pub(super) long_collateral: Option<String>,
    #[serde(default)]
    pub(super) short_collateral: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Fee {
    #[serde(default)]
    pub(super) min_lev_pos: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct ImpactEnvelope {
    #[serde(default)]
    pub(super) data: Option<ImpactData>,
    #[serde(default)]
    pub(super) errors: Option<Vec<GraphQlError>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct ImpactData {
    #[serde(default)]
    pub(super) pairs: Option<Vec<PairImpactWire>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PairImpactWire {
    pub(super) id: String,
    #[serde(default)]
    pub(super) net_vol_threshold: Option<String>,
    #[serde(default)]
    pub(super) decay_rate: Option<String>,
    #[serde(default)]
    pub(super) price_impact_k: Option<String>,
    #[serde(default)]
    pub(super) buy_volume: Option<String>,
    #[serde(default)]
    pub(super) sell_volume: Option<String>,
    #[serde(default)]
    pub(super) last_update_timestamp: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PriceFeed {
    /// snake_case on the wire, unlike every other key.
    #[serde(rename = "feed_id")]
    pub(super) feed_id: String,
    pub(super) bid: f64,
    pub(super) mid: f64,
    pub(super) ask: f64,
    pub(super) is_market_open: bool,
    #[serde(default)]
    pub(super) is_day_trading_closed: Option<bool>,
    #[serde(default)]
    pub(super) seconds_to_toggle_is_day_trading_closed: Option<i64>,
    #[serde(default)]
    pub(super) timestamp_seconds: Option<i64>,
}
