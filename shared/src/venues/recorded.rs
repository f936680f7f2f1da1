//! Recorded venue responses (January 2026 captures, see `shared/fixtures/README.md`),
//! compiled into the library so that an offline run (`run-pipeline --offline`)
//! syncs through exactly the same parse-and-apply path as a live one.
//! Illustrative values only: never trade on them.

use super::Body;
use super::hyperliquid::HyperliquidResponses;
use super::ostium::OstiumResponses;

/// `POST /info {"type":"metaAndAssetCtxs"}`: 225 main-dex assets.
pub const HYPERLIQUID_META_AND_ASSET_CTXS: &str =
    include_str!("../../fixtures/hyperliquid/metaAndAssetCtxs.json");
/// `POST /info {"type":"metaAndAssetCtxs","dex":"xyz"}`: 31 HIP-3 assets.
pub const HYPERLIQUID_META_AND_ASSET_CTXS_XYZ: &str =
    include_str!("../../fixtures/hyperliquid/metaAndAssetCtxs.xyz.json");
/// `POST /info {"type":"perpDexs"}`.
pub const HYPERLIQUID_PERP_DEXS: &str = include_str!("../../fixtures/hyperliquid/perpDexs.json");
/// Subgraph `pairs(first: 1000)` reply: 52 pairs.
pub const OSTIUM_PAIRS: &str = include_str!("../../fixtures/ostium/pairs.graphql.json");
/// `GET /PricePublish/latest-prices`: 54 feeds.
pub const OSTIUM_LATEST_PRICES: &str = include_str!("../../fixtures/ostium/latest-prices.json");

/// The recorded Hyperliquid responses; `with_xyz` adds the `xyz` HIP-3 dex.
#[must_use]
pub fn hyperliquid(with_xyz: bool) -> HyperliquidResponses {
    let body =
        |name: &str, text: &str| Body::new(format!("recorded {name}"), text.as_bytes().to_vec());
    HyperliquidResponses {
        perp_dexs: with_xyz.then(|| body("perpDexs.json", HYPERLIQUID_PERP_DEXS)),
        main: body("metaAndAssetCtxs.json", HYPERLIQUID_META_AND_ASSET_CTXS),
        dexes: if with_xyz {
            vec![(
                "xyz".to_owned(),
                body(
                    "metaAndAssetCtxs.xyz.json",
                    HYPERLIQUID_META_AND_ASSET_CTXS_XYZ,
                ),
            )]
        } else {
            Vec::new()
        },
    }
}

/// The recorded Ostium responses.
#[must_use]
pub fn ostium() -> OstiumResponses {
    OstiumResponses {
        pairs: Body::new(
            "recorded pairs.graphql.json",
            OSTIUM_PAIRS.as_bytes().to_vec(),
        ),
        prices: Body::new(
            "recorded latest-prices.json",
            OSTIUM_LATEST_PRICES.as_bytes().to_vec(),
        ),
    }
}
