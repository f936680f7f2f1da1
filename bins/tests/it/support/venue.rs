//! The recorded venue responses (`shared/fixtures/`, January 2026): as files
//! for the `--from-file` flags, and served by a local HTTP server
//! (wiremock, 127.0.0.1) shaped like the venues, so the syncs and
//! `run-pipeline` go through their real HTTP path: Hyperliquid's
//! `POST /info`, Ostium's subgraph at `/gn` and its prices at `/prices`.

use std::path::PathBuf;

use agent_where::venues::{hyperliquid, ostium};
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, body_string_contains, method, path as url_path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Flags that keep every HTTP failure of a sync quick.
pub(crate) const FAST: [&str; 8] = [
    "--connect-timeout",
    "2",
    "--timeout",
    "5",
    "--retries",
    "2",
    "--retry-delay",
    "0.01",
];

/// A recorded response under `shared/fixtures/`.
pub(crate) fn fixture_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(rel)
}

/// [`fixture_path`] as a command-line argument.
pub(crate) fn fixture_arg(rel: &str) -> String {
    fixture_path(rel).display().to_string()
}

pub(crate) fn fixture(rel: &str) -> String {
    std::fs::read_to_string(fixture_path(rel)).expect("fixture readable")
}

pub(crate) fn fixture_json(rel: &str) -> Value {
    serde_json::from_str(&fixture(rel)).expect("fixture is JSON")
}

/// Writes `contents` to `dir/name`; returns the path as an argument.
pub(crate) fn write_temp(
    dir: &tempfile::TempDir,
    name: &str,
    contents: impl AsRef<[u8]>,
) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, contents).expect("write a temporary file");
    path.display().to_string()
}

/// HTTP 200 with a JSON body.
pub(crate) fn ok_json(body: impl Into<Vec<u8>>) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.into(), "application/json")
}

/// Hyperliquid's recorded main-dex `metaAndAssetCtxs`.
pub(crate) fn recorded_hyperliquid() -> ResponseTemplate {
    ok_json(hyperliquid::RECORDED_META_AND_ASSET_CTXS)
}

/// Hyperliquid's recorded `perpDexs`.
pub(crate) fn recorded_perp_dexs() -> ResponseTemplate {
    ok_json(hyperliquid::RECORDED_PERP_DEXS)
}

/// Ostium's recorded subgraph pairs.
pub(crate) fn recorded_pairs() -> ResponseTemplate {
    ok_json(ostium::RECORDED_PAIRS)
}

/// Ostium's recorded latest prices.
pub(crate) fn recorded_prices() -> ResponseTemplate {
    ok_json(ostium::RECORDED_LATEST_PRICES)
}

/// Hyperliquid on `server`: `POST /info` answers `perpDexs` with `perp_dexs`,
/// the `xyz` dex with its recorded markets, and the main dex with `main`.
pub(crate) async fn mount_hyperliquid(
    server: &MockServer,
    perp_dexs: ResponseTemplate,
    main: ResponseTemplate,
) {
    Mock::given(method("POST"))
        .and(url_path("/info"))
        .and(body_partial_json(json!({"type": "perpDexs"})))
        .respond_with(perp_dexs)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(url_path("/info"))
        .and(body_partial_json(
            json!({"type": "metaAndAssetCtxs", "dex": "xyz"}),
        ))
        .respond_with(ok_json(hyperliquid::RECORDED_META_AND_ASSET_CTXS_XYZ))
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(url_path("/info"))
        .and(body_partial_json(json!({"type": "metaAndAssetCtxs"})))
        .respond_with(main)
        .with_priority(5)
        .mount(server)
        .await;
}

/// Ostium on `server`: the subgraph at `/gn` (answers only the pairs query)
/// and the prices at `/prices`.
pub(crate) async fn mount_ostium(
    server: &MockServer,
    pairs: ResponseTemplate,
    prices: ResponseTemplate,
) {
    Mock::given(method("POST"))
        .and(url_path("/gn"))
        .and(body_string_contains("pairs(first: 1000)"))
        .respond_with(pairs)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(url_path("/prices"))
        .respond_with(prices)
        .mount(server)
        .await;
}

/// A server that is Hyperliquid answering `main` for the main dex (and the
/// recorded `perpDexs` and `xyz` responses).
pub(crate) async fn hyperliquid(main: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    mount_hyperliquid(&server, recorded_perp_dexs(), main).await;
    server
}

/// A server that is Ostium answering `pairs` and `prices`.
pub(crate) async fn ostium(pairs: ResponseTemplate, prices: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    mount_ostium(&server, pairs, prices).await;
    server
}
