//! A signal's deployment and the open positions of the batch's
//! deployments, which route a signal to the venue it already holds.

use std::collections::HashMap;

use uuid::Uuid;

use super::handoff::OstiumPairs;
use super::snapshot::MarketSnapshot;
use crate::domain::Venue;
use crate::symbols::Token;

/// A signal's deployment (`agent_deployments`): whether it trades now and on
/// which venues its user's wallet can trade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    pub id: Uuid,
    /// `agent_deployments.status` (`ACTIVE`, `PAUSED`, `CANCELLED`); `None`
    /// when the row is gone.
    pub status: Option<String>,
    /// `agent_deployments.enabled_venues`, upper-cased; `None` (NULL) means
    /// no restriction is recorded.
    pub enabled_venues: Option<Vec<String>>,
}

impl Deployment {
    /// Whether the deployment trades now.
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("ACTIVE"))
    }

    /// Whether the deployment's wallet may trade on `venue`.
    #[must_use]
    pub fn enables(&self, venue: Venue) -> bool {
        self.enabled_venues
            .as_ref()
            .is_none_or(|list| list.iter().any(|v| v == venue.as_str()))
    }
}

/// The open positions of the batch's deployments, keyed by deployment and
/// canonical symbol (positions record the token as the signal spelled it, so
/// it goes through the same normalisation as signals).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenPositions {
    by_key: HashMap<(Uuid, String), Vec<String>>,
}

impl OpenPositions {
    /// Indexes `(deployment, venue label, token as stored)` rows; a token
    /// that is no valid symbol is kept under its upper-cased spelling.
    pub fn new<'a>(rows: impl IntoIterator<Item = (Uuid, &'a str, &'a str)>) -> OpenPositions {
        Self::with_markets(rows, None)
    }

    /// As [`OpenPositions::new`], reading a position's token as the host's
    /// executor did when it opened it: an Ostium position's token is what
    /// Maxxit's pair lookup resolved (`JPY` is `USD/JPY`, the executor symbol
    /// a routed `USDJPY` signal was handed over as), so it is keyed by the
    /// canonical symbol of the pair it reaches in `snapshot`, when it
    /// reaches one.
    pub fn with_markets<'a>(
        rows: impl IntoIterator<Item = (Uuid, &'a str, &'a str)>,
        snapshot: Option<&MarketSnapshot>,
    ) -> OpenPositions {
        let mut positions = OpenPositions::default();
        let ostium = snapshot.map(|s| {
            let markets = s.markets.iter().filter(|m| m.venue == Some(Venue::Ostium));
            let pairs = OstiumPairs::new(markets.clone().map(|m| m.market_name.as_str()));
            let canonical: HashMap<&str, String> = markets
                .map(|m| (m.market_name.as_str(), m.canonical()))
                .collect();
            (pairs, canonical)
        });
        for (deployment, venue, token) in rows {
            let resolved = ostium.as_ref().and_then(|(pairs, canonical)| {
                if !venue.trim().eq_ignore_ascii_case(Venue::Ostium.as_str()) {
                    return None;
                }
                pairs
                    .resolve(token)
                    .and_then(|pair| canonical.get(pair).cloned())
            });
            let canonical = resolved.unwrap_or_else(|| {
                Token::parse(token)
                    .map_or_else(|_| token.trim().to_ascii_uppercase(), |t| t.canonical)
            });
            let venues = positions.by_key.entry((deployment, canonical)).or_default();
            let venue = venue.trim().to_ascii_uppercase();
            if !venues.contains(&venue) {
                venues.push(venue);
                venues.sort();
            }
        }
        positions
    }

    /// The venues (labels, sorted) where `deployment` holds open positions in
    /// `canonical`.
    #[must_use]
    pub fn venues(&self, deployment: Uuid, canonical: &str) -> &[String] {
        self.by_key
            .get(&(deployment, canonical.to_owned()))
            .map_or(&[], Vec::as_slice)
    }
}
