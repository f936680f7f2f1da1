use super::*;
use chrono::TimeZone;

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, h, 30, 0)
        .single()
        .expect("valid")
}

#[test]
fn percent_of_nothing_is_none() {
    assert_eq!(percent(0, 0), None);
    assert_eq!(percent(1, 4), Some(25.0));
}

#[test]
fn hour_gaps_are_filled_in_order() {
    let mut two = GroupRow::empty("2025-03-01 02:00");
    two.decisions = 3;
    let rows = fill_time_gaps(vec![two.clone()], GroupKey::Hour, at(0), at(3));
    let keys: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "2025-03-01 00:00",
            "2025-03-01 01:00",
            "2025-03-01 02:00",
            "2025-03-01 03:00"
        ]
    );
    assert_eq!(rows[2], two);
    assert_eq!(rows[0].decisions, 0);
}

#[test]
fn day_gaps_keep_rows_outside_the_range() {
    let mut outside = GroupRow::empty("2025-02-27");
    outside.decisions = 1;
    let rows = fill_time_gaps(vec![outside], GroupKey::Day, at(0), at(5));
    let keys: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["2025-02-27", "2025-03-01"]);
}

#[test]
fn other_keys_are_untouched() {
    let rows = vec![GroupRow::empty("BTC")];
    assert_eq!(
        fill_time_gaps(rows.clone(), GroupKey::Token, at(0), at(5)),
        rows
    );
}

#[test]
fn every_offered_group_key_reads_back_from_its_spelling_and_nothing_else_does() {
    for key in GroupKey::OFFERED {
        assert_eq!(key.as_str().parse::<GroupKey>(), Ok(key));
        assert!(!key.description().is_empty());
    }
    // `all` is the summary itself, not a grouping; spellings are exact.
    for word in ["all", "Venue", " venue", "venues", ""] {
        let err = word.parse::<GroupKey>().expect_err(word);
        assert_eq!(
            err.to_string(),
            format!(
                "unknown group key `{word}`: one of venue, token, reason, agent, hour, day, cost, capacity"
            )
        );
    }
}
