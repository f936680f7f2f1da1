//! Hyperliquid's replies as they arrive (HL-docs `info-endpoint.md` and
//! `info-endpoint/perpetuals.md`): the serde types only, checked and mapped
//! in [`super::map`].

use serde::Deserialize;

use crate::venues::check::Decimal;

#[derive(Debug, Deserialize)]
pub(super) struct Meta {
    pub(super) universe: Vec<AssetMeta>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AssetMeta {
    pub(super) name: String,
    pub(super) sz_decimals: i64,
    pub(super) max_leverage: i64,
    #[serde(default)]
    pub(super) margin_table_id: Option<i64>,
    #[serde(default)]
    pub(super) only_isolated: bool,
    #[serde(default)]
    pub(super) is_delisted: bool,
    #[serde(default)]
    pub(super) margin_mode: Option<String>,
    #[serde(default)]
    pub(super) growth_mode: Option<String>,
    #[serde(default)]
    pub(super) deployer_fee_scale: Option<Decimal>,
    #[serde(default)]
    pub(super) has_oracle: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AssetCtx {
    pub(super) funding: String,
    pub(super) open_interest: String,
    #[serde(default)]
    pub(super) prev_day_px: Option<String>,
    pub(super) day_ntl_vlm: String,
    #[serde(default)]
    pub(super) premium: Option<String>,
    #[serde(default)]
    pub(super) oracle_px: Option<String>,
    pub(super) mark_px: String,
    #[serde(default)]
    pub(super) mid_px: Option<String>,
    #[serde(default)]
    pub(super) impact_pxs: Option<Vec<String>>,
    #[serde(default)]
    pub(super) day_base_vlm: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PerpDexWire {
    pub(super) name: String,
    #[serde(default)]
    pub(super) full_name: Option<String>,
    #[serde(default)]
    pub(super) deployer_fee_scale: Option<Decimal>,
}

#[derive(Debug, Deserialize)]
pub(super) struct L2BookWire {
    pub(super) coin: String,
    pub(super) time: i64,
    pub(super) levels: Vec<Vec<L2Level>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct L2Level {
    pub(super) px: String,
    pub(super) sz: String,
}
