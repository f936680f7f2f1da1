//! What the venue modules' tests share: finding a mapped market by its
//! venue-native symbol, and the message a rejected reply gives.

use std::fmt::Display;

use crate::domain::Market;

/// The market whose `token_symbol` is `token` (panics when it is missing).
pub(crate) fn find<'a>(markets: &'a [Market], token: &str) -> &'a Market {
    markets
        .iter()
        .find(|m| m.token_symbol == token)
        .unwrap_or_else(|| panic!("{token} missing"))
}

/// The error a parse that must reject its reply gave (panics when it
/// accepted the reply).
pub(crate) fn rejection<E: Display>(parsed: Result<Vec<Market>, E>) -> String {
    match parsed {
        Ok(m) => panic!("accepted {} markets", m.len()),
        Err(e) => e.to_string(),
    }
}
