use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64};

use agent_where::db::routing::SnapshotCache;
use agent_where::routing::Counts;
use indicatif::ProgressBar;

use super::control::RunControl;
use super::summary::printable;
use super::workers::Shared;

#[test]
fn control_characters_are_escaped_for_the_terminal() {
    assert_eq!(printable("BTC\u{1b}[2J\n"), "BTC\\u{1b}[2J\\u{a}");
    assert_eq!(
        printable("HYPERLIQUID: NOT_LISTED → OSTIUM"),
        "HYPERLIQUID: NOT_LISTED → OSTIUM"
    );
}

#[test]
fn limits_are_reserved_and_given_back() {
    let shared = Shared {
        remaining: AtomicU64::new(12),
        failed: AtomicBool::new(false),
        counts: Mutex::new(Counts::default()),
        batches: AtomicU64::new(0),
        bar: ProgressBar::hidden(),
        cache: SnapshotCache::new(),
        control: RunControl::new(),
        following: None,
    };
    assert_eq!(shared.reserve(5), 5);
    assert_eq!(shared.reserve(5), 5);
    assert_eq!(shared.reserve(5), 2);
    assert_eq!(shared.reserve(5), 0);
    shared.give_back(3);
    assert_eq!(shared.reserve(5), 3);
}
