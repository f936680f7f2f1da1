use super::text::bar;

#[test]
fn bars_scale_with_eighths() {
    assert_eq!(bar(Some(100.0), 4), "████");
    assert_eq!(bar(Some(50.0), 4), "██");
    assert_eq!(bar(Some(12.5), 1), "▏");
    assert_eq!(bar(Some(0.0), 4), "");
    assert_eq!(bar(None, 4), "");
    assert_eq!(bar(Some(250.0), 2), "██");
}
