//! Retry lags: which sends are recorded, with what lag, and what clears them.

use super::*;
use crate::queue::BatchEntry;

/// `(bound ms, cumulative count)` at the window and the millisecond before it, and the total.
fn split(q: &Queue) -> (u64, u64, u64) {
    let lags = q.retry_lags();
    let at = |bound: u64| {
        lags.cumulative_buckets()
            .into_iter()
            .find(|&(b, _)| b == bound)
            .map(|(_, n)| n)
            .expect("the window is a bound")
    };
    (at(WINDOW - 1), at(WINDOW), lags.count())
}

#[test]
fn unique_sends_record_nothing() {
    let mut q = fifo(&[]);
    for i in 0..100 {
        send(&mut q, msg("x", "g", &format!("d{i}")), at(i));
    }
    assert_eq!(q.retry_lags().count(), 0);
    assert!(q.retry_lags().histogram().is_none());
}

#[test]
fn duplicates_and_escapes_are_recorded_from_the_first_accepted_send() {
    let mut q = fifo(&[]);
    send(&mut q, msg("b", "g", "e"), at(0));
    send(&mut q, msg("a", "g", "d"), at(1_000));
    // Duplicates 2 s and W - 1 ms after the anchor; they do not move it.
    assert!(send(&mut q, msg("a", "g", "d"), at(3_000)).duplicate);
    assert!(send(&mut q, msg("a", "g", "d"), at(1_000 + WINDOW - 1)).duplicate);
    // The send at exactly first + W escapes, with lag W, and anchors a new window.
    assert!(
        send(&mut q, msg("a", "g", "d"), at(1_000 + WINDOW))
            .escape
            .is_some()
    );
    // The other key escapes 10 minutes late.
    send(&mut q, msg("b", "g", "e"), at(WINDOW + 600_000))
        .escape
        .expect("escape");
    assert_eq!(split(&q), (2, 3, 4));
    let lags = q.retry_lags();
    assert_eq!(
        lags.sum_ms(),
        2_000 + (WINDOW - 1) + WINDOW + (WINDOW + 600_000)
    );
    assert_eq!(lags.count(), q.stats().duplicates + q.stats().escapes);
    let h = lags.histogram().expect("recorded");
    assert_eq!(h.len(), 4);
    assert!(h.equivalent(h.min(), 2_000 * 1_000_000));
    assert_eq!(lags.since(), at(0));
}

#[test]
fn batch_entries_are_recorded_one_by_one() {
    let mut q = fifo(&[]);
    send(&mut q, msg("a", "g", "d"), at(0));
    let entries = ["d", "d", "new"]
        .into_iter()
        .enumerate()
        .map(|(i, d)| BatchEntry {
            id: format!("e{i}"),
            item: msg("a", "g", d),
        })
        .collect();
    q.send_batch(entries, at(5_000)).unwrap();
    assert_eq!(split(&q), (2, 2, 2));
    assert_eq!(q.retry_lags().sum_ms(), 10_000);
}

#[test]
fn purge_keeps_lags_and_reset_clears_them() {
    let mut q = fifo(&[]);
    send(&mut q, msg("a", "g", "d"), at(0));
    send(&mut q, msg("a", "g", "d"), at(10));
    q.purge(at(20)).unwrap();
    assert_eq!(q.retry_lags().count(), 1);
    q.reset(at(30));
    assert_eq!(q.retry_lags().count(), 0);
    assert!(q.retry_lags().histogram().is_none());
    assert_eq!(q.retry_lags().since(), at(30));
}

#[test]
fn standard_queues_record_nothing() {
    let mut q = standard(&[]);
    send(&mut q, plain("a"), at(0));
    send(&mut q, plain("a"), at(1));
    assert_eq!(q.retry_lags().count(), 0);
}
