//! The time window of `routing-stats`: `--window`, `--since`, `--until` and
//! durations such as `--max-sync-age`. Parsing is pure and happens once,
//! before connecting; the bounds are resolved against the database clock so
//! that every query and every age use the same "now".

use anyhow::{Result, bail};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use clap::ValueEnum;

/// A rolling window ending now (or at `--until`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WindowName {
    /// The last 60 minutes.
    Hour,
    /// The last 24 hours.
    Day,
    /// The last 7 days.
    Week,
    /// All history.
    All,
}

impl WindowName {
    fn length(self) -> Option<Duration> {
        match self {
            WindowName::Hour => Some(Duration::hours(1)),
            WindowName::Day => Some(Duration::days(1)),
            WindowName::Week => Some(Duration::weeks(1)),
            WindowName::All => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            WindowName::Hour => "hour",
            WindowName::Day => "day",
            WindowName::Week => "week",
            WindowName::All => "all",
        }
    }
}

/// A point in time as given on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeArg {
    /// RFC 3339, or a date (midnight UTC).
    At(DateTime<Utc>),
    /// That long before now.
    Ago(Duration),
}

impl TimeArg {
    fn resolve(self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            TimeArg::At(at) => at,
            TimeArg::Ago(d) => now - d,
        }
    }
}

/// Parses a duration in the one grammar of every flag
/// ([`crate::args::duration`]).
#[must_use]
pub fn parse_duration(text: &str) -> Option<Duration> {
    crate::args::duration::parse(text).ok()
}

/// Parses `--since` / `--until`: RFC 3339, a date `YYYY-MM-DD` (midnight
/// UTC) or a duration before now.
pub fn parse_time(text: &str) -> Option<TimeArg> {
    let trimmed = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(trimmed) {
        return Some(TimeArg::At(at.with_timezone(&Utc)));
    }
    if let Ok(date) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
        return date.and_hms_opt(0, 0, 0).map(|t| TimeArg::At(t.and_utc()));
    }
    parse_duration(trimmed).map(TimeArg::Ago)
}

/// A validated window, not yet resolved against a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowSpec {
    pub window: Option<WindowName>,
    pub since: Option<TimeArg>,
    pub until: Option<TimeArg>,
}

/// A window with concrete bounds: `since <= created_at < until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
    /// `hour`, `day`, `week`, `all` or `custom`.
    pub label: &'static str,
}

impl WindowSpec {
    /// Validates the raw flags (`--since` and `--window` are exclusive;
    /// clap enforces that too).
    pub fn parse(
        window: Option<WindowName>,
        since: Option<&str>,
        until: Option<&str>,
    ) -> Result<WindowSpec> {
        let time = |flag: &str, value: Option<&str>| -> Result<Option<TimeArg>> {
            match value {
                None => Ok(None),
                Some(v) => match parse_time(v) {
                    Some(t) => Ok(Some(t)),
                    None => bail!(
                        "invalid `{flag}` value `{v}`: expected RFC 3339 (2025-03-01T12:00:00Z), a date (2025-03-01) or a time before now (30m, 6h, 2d, 1w)"
                    ),
                },
            }
        };
        if window.is_some() && since.is_some() {
            bail!("`--since` and `--window` cannot be used together");
        }
        Ok(WindowSpec {
            window,
            since: time("--since", since)?,
            until: time("--until", until)?,
        })
    }

    /// Concrete bounds at `now` (the database clock). Without `--since` the
    /// window (default `day`) reaches back from `--until`, or from now.
    pub fn resolve(&self, now: DateTime<Utc>) -> Result<Window> {
        let until = self.until.map(|t| t.resolve(now));
        let (since, label) = if let Some(t) = self.since {
            (Some(t.resolve(now)), "custom")
        } else {
            let name = self.window.unwrap_or(WindowName::Day);
            let label = if until.is_some() {
                "custom"
            } else {
                name.as_str()
            };
            (name.length().map(|d| until.unwrap_or(now) - d), label)
        };
        if let (Some(s), Some(u)) = (since, until)
            && s >= u
        {
            bail!(
                "empty window: its start {} is not before its end {}",
                s.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                u.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
        }
        Ok(Window {
            since,
            until,
            now,
            label,
        })
    }
}

/// A duration for people: `45s`, `12m`, `3h 5m`, `2d 4h`.
#[must_use]
pub fn human_age(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "-".to_owned();
    }
    #[allow(clippy::cast_possible_truncation)]
    let s = seconds.max(0.0).round() as i64;
    match s {
        0..60 => format!("{s}s"),
        60..3_600 => format!("{}m", s / 60),
        3_600..86_400 => format!("{}h {}m", s / 3_600, s % 3_600 / 60),
        _ => format!("{}d {}h", s / 86_400, s % 86_400 / 3_600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 10, 12, 0, 0)
            .single()
            .expect("valid")
    }

    #[test]
    fn durations_parse_with_every_unit() {
        assert_eq!(parse_duration("90s"), Some(Duration::seconds(90)));
        assert_eq!(parse_duration("30m"), Some(Duration::minutes(30)));
        assert_eq!(parse_duration("6h"), Some(Duration::hours(6)));
        assert_eq!(parse_duration("2d"), Some(Duration::days(2)));
        assert_eq!(parse_duration("1w"), Some(Duration::weeks(1)));
        for bad in [
            "",
            "h",
            "0h",
            "-1h",
            "1.5h",
            "6 h",
            "6hours",
            "6y",
            "99999999999w",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn times_parse_absolute_date_and_relative() {
        assert_eq!(
            parse_time("2025-03-01T12:30:00+02:00"),
            Some(TimeArg::At(
                Utc.with_ymd_and_hms(2025, 3, 1, 10, 30, 0)
                    .single()
                    .expect("valid")
            ))
        );
        assert_eq!(
            parse_time("2025-03-01"),
            Some(TimeArg::At(
                Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0)
                    .single()
                    .expect("valid")
            ))
        );
        assert_eq!(parse_time("6h"), Some(TimeArg::Ago(Duration::hours(6))));
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn default_window_is_the_last_day() {
        let w = WindowSpec::parse(None, None, None)
            .expect("valid")
            .resolve(now())
            .expect("resolves");
        assert_eq!(w.since, Some(now() - Duration::days(1)));
        assert_eq!(w.until, None);
        assert_eq!(w.label, "day");
    }

    #[test]
    fn window_reaches_back_from_until() {
        let w = WindowSpec::parse(Some(WindowName::Hour), None, Some("1d"))
            .expect("valid")
            .resolve(now())
            .expect("resolves");
        assert_eq!(w.until, Some(now() - Duration::days(1)));
        assert_eq!(
            w.since,
            Some(now() - Duration::days(1) - Duration::hours(1))
        );
        let all = WindowSpec::parse(Some(WindowName::All), None, None)
            .expect("valid")
            .resolve(now())
            .expect("resolves");
        assert_eq!((all.since, all.until), (None, None));
    }

    #[test]
    fn bad_values_name_the_value() {
        let e = WindowSpec::parse(None, Some("soon"), None).expect_err("invalid");
        assert!(e.to_string().contains("`--since` value `soon`"), "{e}");
        let e = WindowSpec::parse(None, None, Some("2025-13-01")).expect_err("invalid");
        assert!(
            e.to_string().contains("`--until` value `2025-13-01`"),
            "{e}"
        );
        assert!(WindowSpec::parse(Some(WindowName::Day), Some("1h"), None).is_err());
    }

    #[test]
    fn since_after_until_is_refused() {
        let spec = WindowSpec::parse(None, Some("1h"), Some("2h")).expect("valid");
        let e = spec.resolve(now()).expect_err("empty");
        assert!(e.to_string().starts_with("empty window"), "{e}");
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(human_age(5.4), "5s");
        assert_eq!(human_age(1_800.0), "30m");
        assert_eq!(human_age(7_500.0), "2h 5m");
        assert_eq!(human_age(190_000.0), "2d 4h");
    }
}
