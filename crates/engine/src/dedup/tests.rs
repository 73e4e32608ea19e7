//! Unit tests of the dedup window, tombstones and escape records.

use super::*;

const W: u64 = 300_000;
const H: u64 = 3_600_000;

fn table(by_group: bool) -> DedupTable {
    DedupTable::new(
        Limits {
            window_ms: W,
            horizon_ms: H,
            tombstone_cap: 100,
            record_cap: 100,
        },
        by_group,
    )
}

fn group(g: &str) -> Arc<str> {
    Arc::from(g)
}

/// Runs a send of `id` at `t` the way the queue does: expire, check, insert if new.
fn send(t: &mut DedupTable, g: &str, id: &str, at: u64, msg: &str) -> String {
    let now = Timestamp(at);
    t.expire(now);
    match t.check(g, id, now) {
        Check::Duplicate { message_id, .. } => format!("dup:{message_id}"),
        Check::New(escape) => {
            t.insert(&group(g), id, &Arc::from(msg), 0, now);
            match escape {
                Some(e) => format!("escape:{}", e.late_by_ms),
                None => "new".into(),
            }
        }
    }
}

#[test]
fn window_boundary_is_half_open() {
    let mut t = table(false);
    assert_eq!(send(&mut t, "g", "d", 1_000, "m1"), "new");
    assert_eq!(send(&mut t, "g", "d", 1_000 + W - 1, "m2"), "dup:m1");
    assert_eq!(send(&mut t, "g", "d", 1_000 + W, "m3"), "escape:0");
    assert_eq!(send(&mut t, "g", "d", 1_000 + W + 5, "m4"), "dup:m3");
}

#[test]
fn duplicates_do_not_extend_the_window() {
    let mut t = table(false);
    send(&mut t, "g", "d", 0, "m1");
    for at in [100_000, 200_000, 299_999] {
        assert_eq!(send(&mut t, "g", "d", at, "x"), "dup:m1");
    }
    assert_eq!(send(&mut t, "g", "d", W, "m2"), "escape:0");
}

#[test]
fn escape_lateness_and_record() {
    let mut t = table(false);
    send(&mut t, "g", "d", 10, "m1");
    assert_eq!(send(&mut t, "g2", "d", 10 + W + 1234, "m2"), "escape:1234");
    assert_eq!(
        t.escapes(),
        vec![EscapeRecord {
            dedup_id: "d".into(),
            group_id: Some("g2".into()),
            first_sent: Timestamp(10),
            resent: Timestamp(10 + W + 1234),
            late_by_ms: 1234,
        }]
    );
    assert_eq!(t.escape_total(), 1);
}

#[test]
fn tombstone_horizon_ends_escape_detection() {
    let mut t = table(false);
    send(&mut t, "g", "a", 0, "m1");
    send(&mut t, "g", "b", 0, "m2");
    assert_eq!(
        send(&mut t, "g", "a", W + H - 1, "m3"),
        format!("escape:{}", H - 1)
    );
    assert_eq!(send(&mut t, "g", "b", W + H, "m4"), "new");
    assert!(t.escapes().iter().all(|e| e.dedup_id == "a"));
}

#[test]
fn lazily_applied_expiry_past_the_horizon_leaves_no_tombstone() {
    let mut t = table(false);
    send(&mut t, "g", "a", 0, "m1");
    t.expire(Timestamp(W + H + 10));
    assert_eq!(t.tombstone_len(), 0);
    assert_eq!(t.len(), 0);
}

#[test]
fn scope_queue_vs_message_group() {
    let mut q = table(false);
    send(&mut q, "g1", "d", 0, "m1");
    assert_eq!(send(&mut q, "g2", "d", 1, "m2"), "dup:m1");

    let mut g = table(true);
    send(&mut g, "g1", "d", 0, "m1");
    assert_eq!(send(&mut g, "g2", "d", 1, "m2"), "new");
    assert_eq!(send(&mut g, "g2", "d", 2, "m3"), "dup:m2");
    let views = g.entries();
    assert_eq!(views.len(), 2);
    assert_eq!(views[1].dedup_id, "d");
    assert_eq!(views[1].group_id.as_deref(), Some("g2"));
    assert_eq!(views[1].suppressed, 1);
}

#[test]
fn clear_forgets_live_keys_but_keeps_tombstones() {
    let mut t = table(false);
    send(&mut t, "g", "old", 0, "m1");
    send(&mut t, "g", "live", W, "m2");
    t.expire(Timestamp(W));
    t.clear();
    assert_eq!(t.len(), 0);
    assert_eq!(send(&mut t, "g", "live", W + 1, "m3"), "new");
    assert_eq!(send(&mut t, "g", "old", W + 2, "m4"), "escape:2");
}

#[test]
fn tombstone_cap_drops_the_oldest() {
    let mut t = DedupTable::new(
        Limits {
            window_ms: W,
            horizon_ms: H,
            tombstone_cap: 2,
            record_cap: 100,
        },
        false,
    );
    for (i, id) in ["a", "b", "c"].iter().enumerate() {
        send(&mut t, "g", id, i as u64, "m");
    }
    t.expire(Timestamp(W + 10));
    assert_eq!(t.tombstone_len(), 2);
    assert_eq!(
        send(&mut t, "g", "a", W + 20, "m"),
        "new",
        "oldest tombstone dropped"
    );
    assert_eq!(send(&mut t, "g", "c", W + 20, "m"), "escape:18");
}

#[test]
fn zero_tombstone_cap_disables_escapes() {
    let mut t = DedupTable::new(
        Limits {
            window_ms: W,
            horizon_ms: H,
            tombstone_cap: 0,
            record_cap: 100,
        },
        false,
    );
    send(&mut t, "g", "a", 0, "m");
    assert_eq!(send(&mut t, "g", "a", W, "m"), "new");
}

#[test]
fn record_cap_keeps_the_newest_records() {
    let mut t = DedupTable::new(
        Limits {
            window_ms: W,
            horizon_ms: H,
            tombstone_cap: 100,
            record_cap: 2,
        },
        false,
    );
    for id in ["a", "b", "c"] {
        send(&mut t, "g", id, 0, "m");
    }
    for id in ["a", "b", "c"] {
        send(&mut t, "g", id, W, "m");
    }
    let ids: Vec<_> = t.escapes().into_iter().map(|e| e.dedup_id).collect();
    assert_eq!(ids, ["b", "c"]);
    assert_eq!(t.escape_total(), 3);
}

#[test]
fn re_escaped_key_is_tombstoned_again_with_its_new_anchor() {
    let mut t = table(false);
    send(&mut t, "g", "a", 0, "m1");
    assert_eq!(send(&mut t, "g", "a", W + 7, "m2"), "escape:7");
    assert_eq!(send(&mut t, "g", "a", 2 * W + 7 + 3, "m3"), "escape:3");
}

#[test]
fn entries_report_anchor_expiry_and_original_message() {
    let mut t = table(false);
    send(&mut t, "grp", "d", 5, "m1");
    send(&mut t, "grp", "d", 6, "m2");
    assert_eq!(
        t.entries(),
        vec![DedupEntryView {
            dedup_id: "d".into(),
            group_id: Some("grp".into()),
            message_id: "m1".into(),
            first_sent: Timestamp(5),
            expires_at: Timestamp(5 + W),
            suppressed: 1,
            suppressed_at: vec![Timestamp(6)],
        }]
    );
    assert_eq!(t.next_expiry(), Some(Timestamp(5 + W)));
}

#[test]
fn suppression_times_belong_to_the_window_they_fell_in() {
    let mut t = table(false);
    send(&mut t, "g", "a", 0, "m1");
    send(&mut t, "g", "a", 10, "m1b");
    send(&mut t, "g", "a", 20, "m1c");
    // The window closes; the key comes back as an escape with a fresh bar.
    send(&mut t, "g", "a", W + 5, "m2");
    send(&mut t, "g", "a", W + 6, "m2b");
    let entries = t.entries();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].suppressed_at, vec![Timestamp(W + 6)]);
}

#[test]
fn expired_keys_are_listed_latest_first_until_sent_again() {
    let mut t = table(true);
    send(&mut t, "g1", "a", 0, "m1");
    send(&mut t, "g2", "b", 1, "m2");
    send(&mut t, "g3", "c", 2, "m3");
    t.expire(Timestamp(W + 10));
    let ids: Vec<_> = t
        .expired(2)
        .into_iter()
        .map(|e| (e.dedup_id, e.group_id, e.expired_at))
        .collect();
    assert_eq!(
        ids,
        [
            ("c".to_string(), Some("g3".to_string()), Timestamp(2 + W)),
            ("b".to_string(), Some("g2".to_string()), Timestamp(1 + W)),
        ]
    );
    // `b` escapes: it is live again, no longer expired.
    send(&mut t, "g2", "b", W + 20, "m4");
    let ids: Vec<_> = t.expired(10).into_iter().map(|e| e.dedup_id).collect();
    assert_eq!(ids, ["c", "a"]);
}

#[test]
fn a_stale_tombstone_entry_does_not_evict_the_newer_tombstone() {
    let mut t = table(false);
    send(&mut t, "g", "a", 0, "m1");
    assert_eq!(
        send(&mut t, "g", "a", W + H - 4, "m2"),
        format!("escape:{}", H - 4)
    );
    // The first tombstone's horizon passes after the key was buried again.
    assert_eq!(send(&mut t, "g", "a", 2 * W + H, "m3"), "escape:4");
}

proptest::proptest! {
    /// Against a model that keeps every first accepted send: a send is a duplicate
    /// iff it comes before that send's window closes, across expiries that empty
    /// the front of the live deque, purges, and keys that come back.
    #[test]
    fn matches_a_model_of_first_accepted_sends(
        ops in proptest::collection::vec((0u8..40, 0u64..20_000, proptest::bool::weighted(0.02)), 1..600)
    ) {
        let mut t = table(false);
        // key -> (first accepted at, its message id), for keys sent since the last purge.
        let mut model: std::collections::HashMap<u8, (u64, String)> = Default::default();
        let mut now = 0;
        for (n, (key, step, purge)) in ops.into_iter().enumerate() {
            if purge {
                t.clear();
                model.clear();
                continue;
            }
            now += step;
            let id = format!("k{key}");
            let msg = format!("m{n}");
            let got = send(&mut t, "g", &id, now, &msg);
            match model.get(&key) {
                Some((first, original)) if now < first + W => {
                    proptest::prop_assert_eq!(got, format!("dup:{original}"));
                }
                _ => {
                    proptest::prop_assert!(!got.starts_with("dup:"), "{} at {}: {}", id, now, got);
                    model.insert(key, (now, msg));
                }
            }
            let live = model.values().filter(|(first, _)| now < first + W).count();
            proptest::prop_assert_eq!(t.len(), live);
            let expected_front = model.values().filter(|(first, _)| now < first + W).map(|(first, _)| first + W).min();
            proptest::prop_assert_eq!(t.next_expiry().map(|e| e.0), expected_front);
        }
    }
}
