//! GMX's saved and recorded responses: the file names `--save-response`
//! writes and `--from-file DIR` reads back, and the fixtures built into the
//! binary.

use std::path::Path;

use super::GmxResponses;
use crate::venues::http::{Body, read_body};
use crate::venues::source::Responses;

/// `GET /markets/info`: 9 markets (written from the documented shape, see
/// `shared/fixtures/README.md`).
pub const RECORDED_MARKETS_INFO: &str = include_str!("../../../fixtures/gmx/markets-info.json");
/// `GET /tokens`.
pub const RECORDED_TOKENS: &str = include_str!("../../../fixtures/gmx/tokens.json");
/// `GET /prices/tickers`.
pub const RECORDED_TICKERS: &str = include_str!("../../../fixtures/gmx/prices-tickers.json");

/// File names `--save-response` writes and `--from-file DIR` reads.
pub const MARKETS_INFO_FILE: &str = "markets-info.json";
/// See [`MARKETS_INFO_FILE`].
pub const TOKENS_FILE: &str = "tokens.json";
/// See [`MARKETS_INFO_FILE`].
pub const TICKERS_FILE: &str = "prices-tickers.json";

/// The recorded responses built into the binary. Illustrative values only.
#[must_use]
pub fn recorded() -> GmxResponses {
    let body =
        |name: &str, text: &str| Body::new(format!("recorded {name}"), text.as_bytes().to_vec());
    GmxResponses {
        markets_info: body(MARKETS_INFO_FILE, RECORDED_MARKETS_INFO),
        tokens: body(TOKENS_FILE, RECORDED_TOKENS),
        tickers: body(TICKERS_FILE, RECORDED_TICKERS),
    }
}

impl From<GmxResponses> for Responses {
    fn from(r: GmxResponses) -> Responses {
        Responses {
            bodies: vec![
                (MARKETS_INFO_FILE.to_owned(), r.markets_info),
                (TOKENS_FILE.to_owned(), r.tokens),
                (TICKERS_FILE.to_owned(), r.tickers),
            ],
        }
    }
}

pub(super) fn read_dir(dir: &Path) -> anyhow::Result<GmxResponses> {
    Ok(GmxResponses {
        markets_info: read_body(&dir.join(MARKETS_INFO_FILE))?,
        tokens: read_body(&dir.join(TOKENS_FILE))?,
        tickers: read_body(&dir.join(TICKERS_FILE))?,
    })
}
