//! Hyperliquid over HTTP: `POST /info` for the market lists, then the
//! open-interest caps and order books a sync asks for, within the request
//! weight budget.

use serde_json::json;

use super::map::{parse, parse_perp_dexs, unknown_dex};
use super::{
    DexSelection, Extras, HyperliquidResponses, INFO_WEIGHT, L2_BOOK_WEIGHT, VENUE, book_budget,
};
use crate::domain::Market;
use crate::venues::http::{Fetcher, VenueError};

/// Fetches what a sync needs: `perpDexs` (if builder dexes are selected), the
/// main dex and each selected builder dex; then, as `extras` asks, the
/// open-interest cap list of each of those dexes and the order books of the
/// markets signals name, within the request weight budget ([`book_budget`]).
pub async fn fetch(
    fetcher: &Fetcher,
    info_url: &str,
    selection: &DexSelection,
    extras: &Extras,
) -> Result<HyperliquidResponses, VenueError> {
    let perp_dexs = match selection {
        DexSelection::MainOnly => None,
        _ => Some(
            fetcher
                .post_json(info_url, "perpDexs", &json!({"type": "perpDexs"}))
                .await?,
        ),
    };
    let names = match (&perp_dexs, selection) {
        (Some(body), DexSelection::All) => {
            parse_perp_dexs(body)?.into_iter().map(|d| d.name).collect()
        }
        (Some(body), DexSelection::Only(names)) => {
            let listed = parse_perp_dexs(body)?;
            for name in names {
                if !listed.iter().any(|d| &d.name == name) {
                    return Err(VenueError::rejected(
                        VENUE,
                        body,
                        unknown_dex(name, &listed),
                    ));
                }
            }
            names.clone()
        }
        _ => Vec::new(),
    };
    let main = fetcher
        .post_json(
            info_url,
            "metaAndAssetCtxs",
            &json!({"type": "metaAndAssetCtxs"}),
        )
        .await?;
    let mut dexes = Vec::with_capacity(names.len());
    for name in names {
        let body = fetcher
            .post_json(
                info_url,
                &format!("metaAndAssetCtxs dex={name}"),
                &json!({"type": "metaAndAssetCtxs", "dex": name}),
            )
            .await?;
        dexes.push((name, body));
    }
    let mut responses = HyperliquidResponses {
        perp_dexs,
        main,
        dexes,
        caps: Vec::new(),
        books: Vec::new(),
    };
    let mut info_requests = 1 + responses.dexes.len() + usize::from(responses.perp_dexs.is_some());
    if extras.oi_caps {
        let synced: Vec<String> = std::iter::once(String::new())
            .chain(responses.dexes.iter().map(|(n, _)| n.clone()))
            .collect();
        for dex in synced {
            let (label, request) = if dex.is_empty() {
                (
                    "perpsAtOpenInterestCap".to_owned(),
                    json!({"type": "perpsAtOpenInterestCap"}),
                )
            } else {
                (
                    format!("perpsAtOpenInterestCap dex={dex}"),
                    json!({"type": "perpsAtOpenInterestCap", "dex": dex}),
                )
            };
            let body = fetcher.post_json(info_url, &label, &request).await?;
            responses.caps.push((dex, body));
            info_requests += 1;
        }
    }
    if let Some(plan) = &extras.books {
        let limit = book_budget(info_requests, plan.max);
        let markets = parse(&responses)?;
        let coins = book_coins(&markets, &plan.demand, limit);
        tracing::info!(
            books = coins.len(),
            limit,
            max = plan.max,
            weight = info_requests * INFO_WEIGHT + coins.len() * L2_BOOK_WEIGHT,
            "fetching order books"
        );
        for coin in coins {
            let body = fetcher
                .post_json(
                    info_url,
                    &format!("l2Book coin={coin}"),
                    &json!({"type": "l2Book", "coin": coin}),
                )
                .await?;
            responses.books.push((coin, body));
        }
    }
    Ok(responses)
}

/// The coins whose books to fetch: for each demanded canonical symbol in
/// order, its listed markets (main dex first, then builder dexes by name),
/// at most `limit` coins.
#[must_use]
pub fn book_coins(markets: &[Market], demand: &[String], limit: usize) -> Vec<String> {
    let mut coins: Vec<String> = Vec::new();
    for symbol in demand {
        let mut matching: Vec<&Market> = markets
            .iter()
            .filter(|m| m.listed && &m.base_symbol == symbol)
            .collect();
        matching.sort_by(|a, b| a.dex.cmp(&b.dex).then(a.market_index.cmp(&b.market_index)));
        for m in matching {
            if coins.len() >= limit {
                return coins;
            }
            if !coins.contains(&m.token_symbol) {
                coins.push(m.token_symbol.clone());
            }
        }
    }
    coins
}
