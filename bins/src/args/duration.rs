//! The one duration grammar of every flag that takes an age or a window:
//! a positive whole number and one unit, `s`, `m`, `h`, `d` or `w`
//! (`90s`, `30m`, `26h`, `2d`, `1w`), at most about 100 years.

use chrono::TimeDelta;

/// Parses a duration (see the module doc). The error names the value.
pub fn parse(raw: &str) -> Result<TimeDelta, String> {
    let text = raw.trim();
    let bad = || format!("`{raw}` is not a duration such as 90s, 30m, 26h, 2d or 1w");
    let unit_at = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = text.split_at(unit_at);
    let seconds: i64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return Err(bad()),
    };
    let n: i64 = number.parse().map_err(|_| bad())?;
    if n <= 0 {
        return Err(format!("`{raw}` must be a positive duration"));
    }
    // Beyond ~100 years nothing is meaningful; refuse rather than overflow.
    if n > 3_200_000_000 / seconds {
        return Err(format!("`{raw}` is longer than 100 years"));
    }
    Ok(TimeDelta::seconds(n * seconds))
}

/// Parses a short interval (`--poll-interval`): milliseconds (`250ms`) or
/// seconds (`2s`), from 10 ms to 10 s.
pub fn parse_interval(raw: &str) -> Result<std::time::Duration, String> {
    let text = raw.trim();
    let bad = || format!("`{raw}` is not an interval such as 250ms or 2s (10ms to 10s)");
    let (number, millis_per) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000)
    } else {
        return Err(bad());
    };
    let n: u64 = number.parse().map_err(|_| bad())?;
    let millis = n.checked_mul(millis_per).ok_or_else(bad)?;
    if !(10..=10_000).contains(&millis) {
        return Err(bad());
    }
    Ok(std::time::Duration::from_millis(millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse() {
        assert_eq!(
            parse_interval("250ms"),
            Ok(std::time::Duration::from_millis(250))
        );
        assert_eq!(parse_interval("2s"), Ok(std::time::Duration::from_secs(2)));
        for bad in ["", "5", "0ms", "9ms", "11s", "1.5s", "1m", "-5ms"] {
            assert!(parse_interval(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse("30m"), Ok(TimeDelta::minutes(30)));
        assert_eq!(parse("26h"), Ok(TimeDelta::hours(26)));
        assert_eq!(parse("2d"), Ok(TimeDelta::days(2)));
        assert_eq!(parse("90s"), Ok(TimeDelta::seconds(90)));
        assert_eq!(parse("1w"), Ok(TimeDelta::weeks(1)));
        assert_eq!(parse(" 6h "), Ok(TimeDelta::hours(6)));
        for bad in [
            "",
            "h",
            "0h",
            "-1h",
            "5",
            "5y",
            "1.5h",
            "99999999999999999999d",
            "1000000000w",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
