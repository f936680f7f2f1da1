//! The keys `routing-stats summary --group-by` groups decisions by.

/// What `group_by` groups decisions by: `All` (one group holding the whole
/// window) or one of [`GroupKey::OFFERED`], each described by
/// [`GroupKey::description`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKey {
    All,
    Venue,
    Token,
    Reason,
    Agent,
    Hour,
    Day,
    Cost,
    Capacity,
}

impl GroupKey {
    /// The keys `routing-stats summary --group-by` offers, in its order.
    pub const OFFERED: [GroupKey; 8] = [
        GroupKey::Venue,
        GroupKey::Token,
        GroupKey::Reason,
        GroupKey::Agent,
        GroupKey::Hour,
        GroupKey::Day,
        GroupKey::Cost,
        GroupKey::Capacity,
    ];

    /// The SQL / CLI spelling.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            GroupKey::All => "all",
            GroupKey::Venue => "venue",
            GroupKey::Token => "token",
            GroupKey::Reason => "reason",
            GroupKey::Agent => "agent",
            GroupKey::Hour => "hour",
            GroupKey::Day => "day",
            GroupKey::Cost => "cost",
            GroupKey::Capacity => "capacity",
        }
    }

    /// What the key groups by and which group the decisions without it form.
    #[must_use]
    pub const fn description(self) -> &'static str {
        match self {
            GroupKey::All => "One group holding the whole window",
            GroupKey::Venue => "Selected venue (`(skipped)` for skips)",
            GroupKey::Token => "Token as the agent wrote it, upper-cased",
            GroupKey::Reason => "Skip reason code (`(routed)` for routed decisions)",
            GroupKey::Agent => "Agent id",
            GroupKey::Hour => "Hour in UTC (`YYYY-MM-DD HH:MM`)",
            GroupKey::Day => "Day in UTC (`YYYY-MM-DD`)",
            GroupKey::Cost => {
                "Band of the chosen venue's estimated all-in cost (`0-5 bps` … `50+ bps`, \
                 `(no figure)`; `(skipped)` for skips)"
            }
            GroupKey::Capacity => {
                "Capacity refusals among the checked venues (OPEN_INTEREST_CAP, ABOVE_CAPACITY, \
                 both joined by `+`; `(none)`)"
            }
        }
    }
}

/// A `--group-by` spelling that is not one of [`GroupKey::OFFERED`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownGroupKey(pub String);

impl std::fmt::Display for UnknownGroupKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let offered: Vec<&str> = GroupKey::OFFERED.iter().map(|k| k.as_str()).collect();
        write!(
            f,
            "unknown group key `{}`: one of {}",
            self.0,
            offered.join(", ")
        )
    }
}

impl std::error::Error for UnknownGroupKey {}

impl std::str::FromStr for GroupKey {
    type Err = UnknownGroupKey;

    /// One of [`GroupKey::OFFERED`] by its exact spelling.
    fn from_str(s: &str) -> Result<GroupKey, UnknownGroupKey> {
        GroupKey::OFFERED
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownGroupKey(s.to_owned()))
    }
}
