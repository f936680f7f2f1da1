//! Hyperliquid's saved and recorded responses: the file names
//! `--save-response` writes and `--from-file` reads back, the captures built
//! into the binary, and the typed view of named [`Responses`].

use std::path::Path;

use super::map::parse_perp_dexs;
use super::{DexSelection, HyperliquidResponses, VENUE};
use crate::venues::http::{Body, Cause, VenueError, read_body};
use crate::venues::source::Responses;

/// `l2Book.<coin>.json`, the coin's characters other than letters, digits,
/// `-` and `_` written `%XX` (`xyz:TSLA` → `l2Book.xyz%3ATSLA.json`).
#[must_use]
pub fn book_file(coin: &str) -> String {
    let mut name = String::from("l2Book.");
    for b in coin.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            name.push(char::from(b));
        } else {
            name.push_str(&format!("%{b:02X}"));
        }
    }
    name.push_str(".json");
    name
}

/// The coin of a [`book_file`] name.
#[must_use]
pub fn book_coin(file: &str) -> Option<String> {
    let encoded = file.strip_prefix("l2Book.")?.strip_suffix(".json")?;
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = encoded.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok().filter(|c| !c.is_empty())
}

/// `perpsAtOpenInterestCap.json` (main dex) or `perpsAtOpenInterestCap.<dex>.json`.
#[must_use]
pub fn caps_file(dex: &str) -> String {
    if dex.is_empty() {
        "perpsAtOpenInterestCap.json".to_owned()
    } else {
        format!("perpsAtOpenInterestCap.{dex}.json")
    }
}

/// `POST /info {"type":"metaAndAssetCtxs"}`: 225 main-dex assets (January 2026 capture).
pub const RECORDED_META_AND_ASSET_CTXS: &str =
    include_str!("../../../fixtures/hyperliquid/metaAndAssetCtxs.json");
/// `POST /info {"type":"metaAndAssetCtxs","dex":"xyz"}`: 31 HIP-3 assets.
pub const RECORDED_META_AND_ASSET_CTXS_XYZ: &str =
    include_str!("../../../fixtures/hyperliquid/metaAndAssetCtxs.xyz.json");
/// `POST /info {"type":"perpDexs"}`.
pub const RECORDED_PERP_DEXS: &str = include_str!("../../../fixtures/hyperliquid/perpDexs.json");

/// The one builder dex in the recorded capture.
pub const RECORDED_DEX: &str = "xyz";

/// File names shared by `--save-response` and `--from-file DIR`.
pub const MAIN_FILE: &str = "metaAndAssetCtxs.json";
/// See [`MAIN_FILE`].
pub const PERP_DEXS_FILE: &str = "perpDexs.json";

/// `metaAndAssetCtxs.<dex>.json`.
#[must_use]
pub fn dex_file(dex: &str) -> String {
    format!("metaAndAssetCtxs.{dex}.json")
}

/// The recorded responses (January 2026 captures, `shared/fixtures/README.md`);
/// `with_xyz` adds the `xyz` HIP-3 dex. Illustrative values only.
#[must_use]
pub fn recorded(with_xyz: bool) -> HyperliquidResponses {
    let body =
        |name: &str, text: &str| Body::new(format!("recorded {name}"), text.as_bytes().to_vec());
    HyperliquidResponses {
        perp_dexs: with_xyz.then(|| body(PERP_DEXS_FILE, RECORDED_PERP_DEXS)),
        main: body(MAIN_FILE, RECORDED_META_AND_ASSET_CTXS),
        dexes: if with_xyz {
            vec![(
                RECORDED_DEX.to_owned(),
                body(&dex_file(RECORDED_DEX), RECORDED_META_AND_ASSET_CTXS_XYZ),
            )]
        } else {
            Vec::new()
        },
        caps: Vec::new(),
        books: Vec::new(),
    }
}

impl From<HyperliquidResponses> for Responses {
    fn from(r: HyperliquidResponses) -> Responses {
        let mut bodies = vec![(MAIN_FILE.to_owned(), r.main)];
        if let Some(p) = r.perp_dexs {
            bodies.push((PERP_DEXS_FILE.to_owned(), p));
        }
        for (name, body) in r.dexes {
            bodies.push((dex_file(&name), body));
        }
        for (dex, body) in r.caps {
            bodies.push((caps_file(&dex), body));
        }
        for (coin, body) in r.books {
            bodies.push((book_file(&coin), body));
        }
        Responses { bodies }
    }
}

/// Saved responses: one `metaAndAssetCtxs` file, or a directory as
/// `--save-response` writes it (with `--dexes`: `perpDexs.json` and one file
/// per dex; cap lists when present, required with `--oi-caps`; every
/// `l2Book.<coin>.json` present).
pub(super) fn read_files(
    path: &Path,
    selection: &DexSelection,
    oi_caps: bool,
) -> anyhow::Result<HyperliquidResponses> {
    if !path.is_dir() {
        return Ok(HyperliquidResponses {
            perp_dexs: None,
            main: read_body(path)?,
            dexes: Vec::new(),
            caps: Vec::new(),
            books: Vec::new(),
        });
    }
    let main = read_body(&path.join(MAIN_FILE))?;
    let (perp_dexs, dexes) = if *selection == DexSelection::MainOnly {
        (None, Vec::new())
    } else {
        let perp_body = read_body(&path.join(PERP_DEXS_FILE))?;
        let names: Vec<String> = match selection {
            DexSelection::All => parse_perp_dexs(&perp_body)?
                .into_iter()
                .map(|d| d.name)
                .collect(),
            DexSelection::Only(names) => names.clone(),
            DexSelection::MainOnly => Vec::new(),
        };
        let dexes = names
            .into_iter()
            .map(|name| {
                let body = read_body(&path.join(dex_file(&name)))?;
                Ok((name, body))
            })
            .collect::<anyhow::Result<Vec<(String, Body)>>>()?;
        (Some(perp_body), dexes)
    };
    let mut caps = Vec::new();
    for dex in std::iter::once("").chain(dexes.iter().map(|(n, _)| n.as_str())) {
        let file = path.join(caps_file(dex));
        if file.is_file() || oi_caps {
            caps.push((dex.to_owned(), read_body(&file)?));
        }
    }
    let mut books = Vec::new();
    let mut entries: Vec<String> = std::fs::read_dir(path)
        .map_err(|e| anyhow::anyhow!("cannot list `{}`: {e}", path.display()))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| book_coin(name).is_some())
        .collect();
    entries.sort();
    for name in entries {
        if let Some(coin) = book_coin(&name) {
            books.push((coin, read_body(&path.join(&name))?));
        }
    }
    Ok(HyperliquidResponses {
        perp_dexs,
        main,
        dexes,
        caps,
        books,
    })
}

impl HyperliquidResponses {
    /// The typed view of named responses, as [`Responses::from`] names them.
    pub fn from_named(responses: &Responses) -> Result<HyperliquidResponses, VenueError> {
        let Some(main) = responses.get(MAIN_FILE) else {
            return Err(VenueError::new(
                VENUE,
                MAIN_FILE,
                Cause::Local("no metaAndAssetCtxs response".to_owned()),
            ));
        };
        let named = |prefix: &str| -> Vec<(String, Body)> {
            responses
                .bodies
                .iter()
                .filter_map(|(name, body)| {
                    let key = name.strip_prefix(prefix)?.strip_suffix(".json")?;
                    Some((key.to_owned(), body.clone()))
                })
                .collect()
        };
        let mut caps = named("perpsAtOpenInterestCap.");
        if let Some(body) = responses.get(&caps_file("")) {
            caps.insert(0, (String::new(), body.clone()));
        }
        Ok(HyperliquidResponses {
            perp_dexs: responses.get(PERP_DEXS_FILE).cloned(),
            main: main.clone(),
            dexes: named("metaAndAssetCtxs."),
            caps,
            books: responses
                .bodies
                .iter()
                .filter_map(|(name, body)| Some((book_coin(name)?, body.clone())))
                .collect(),
        })
    }
}
