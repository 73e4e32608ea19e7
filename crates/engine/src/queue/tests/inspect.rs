//! Inspection and test tooling: counters, message views, redeliver and reset.

use super::*;
use crate::queue::{MessageState, QueueStats};

#[test]
fn counters_follow_sends_duplicates_receives_redeliveries_and_deletes() {
    let mut q = fifo(&[("VisibilityTimeout", "30")]);
    send(&mut q, msg("a", "g", "d1"), at(0));
    assert!(send(&mut q, msg("a", "g", "d1"), at(1)).duplicate);
    send(&mut q, msg("b", "g", "d2"), at(2));
    let first = receive(&mut q, 1, at(3));
    assert_eq!(bodies(&first), ["a"]);
    // Visibility expires: the next receive is a redelivery.
    let again = receive(&mut q, 1, at(3 + 30_000));
    assert_eq!(bodies(&again), ["a"]);
    q.delete(&again[0].receipt_handle, at(30_004)).unwrap();
    // Deleting a gone message is not counted twice.
    q.delete(&again[0].receipt_handle, at(30_005)).unwrap();
    assert_eq!(
        q.stats(),
        QueueStats {
            sent: 2,
            duplicates: 1,
            escapes: 0,
            received: 2,
            redelivered: 1,
            deleted: 1,
        }
    );
    // An escape: the window closed, the same id comes back.
    send(&mut q, msg("a", "g", "d1"), at(WINDOW + 10));
    assert_eq!(q.stats().escapes, 1);
    assert_eq!(q.stats().sent, 3);
}

#[test]
fn batches_count_per_entry() {
    let mut q = fifo(&[]);
    let entries = ["d1", "d1", "d2"]
        .into_iter()
        .enumerate()
        .map(|(i, d)| crate::queue::BatchEntry {
            id: format!("e{i}"),
            item: msg("x", "g", d),
        })
        .collect();
    q.send_batch(entries, at(0)).unwrap();
    let stats = q.stats();
    assert_eq!((stats.sent, stats.duplicates), (2, 1));
}

#[test]
fn messages_show_state_group_dedup_id_and_receive_count() {
    let mut q = fifo(&[("ContentBasedDeduplication", "true")]);
    send(&mut q, msg("first", "g1", "explicit"), at(0));
    let content = SendRequest {
        dedup_id: None,
        ..msg("second", "g2", "unused")
    };
    send(&mut q, content, at(1));
    let got = receive(&mut q, 1, at(2));
    assert_eq!(bodies(&got), ["first"]);

    let views = q.messages(at(3), false);
    assert_eq!(views.len(), 2);
    assert_eq!(views[0].message_id, got[0].message_id);
    assert_eq!(
        views[0].state,
        MessageState::InFlight {
            until: at(2 + 30_000)
        }
    );
    assert_eq!(views[0].group_id.as_deref(), Some("g1"));
    assert_eq!(views[0].dedup_id.as_deref(), Some("explicit"));
    assert_eq!(views[0].receive_count, 1);
    assert_eq!(views[0].first_receive, Some(at(2)));
    assert_eq!(views[0].body, None);
    assert_eq!(views[0].body_bytes, 5);
    assert_eq!(views[1].state, MessageState::Visible);
    assert_eq!(
        views[1].dedup_id.as_deref(),
        Some(crate::checksum::content_dedup_id("second").as_str())
    );
    assert_eq!(views[1].receive_count, 0);
    assert!(views[0].sequence_number < views[1].sequence_number);
    assert_eq!(q.messages(at(3), true)[1].body.as_deref(), Some("second"));
}

#[test]
fn delayed_messages_show_when_they_become_visible() {
    let mut q = standard(&[("DelaySeconds", "10")]);
    send(&mut q, plain("later"), at(0));
    let views = q.messages(at(1), false);
    assert_eq!(views[0].state, MessageState::Delayed { until: at(10_000) });
    assert_eq!(views[0].dedup_id, None);
    assert_eq!(views[0].sequence_number, None);
    assert_eq!(
        q.messages(at(10_000), false)[0].state,
        MessageState::Visible
    );
}

#[test]
fn redeliver_makes_an_in_flight_message_receivable_again() {
    let mut q = fifo(&[]);
    send(&mut q, msg("a", "g", "d1"), at(0));
    let first = receive(&mut q, 1, at(1));
    assert!(receive(&mut q, 1, at(2)).is_empty(), "group locked");
    assert!(q.redeliver(&first[0].receipt_handle, 0, at(2)));
    let req = ReceiveRequest {
        system_attribute_names: vec!["ApproximateReceiveCount".into()],
        ..receive_req(1)
    };
    let again = q.receive(&req, at(3)).unwrap().messages;
    assert_eq!(bodies(&again), ["a"]);
    assert_eq!(attr(&again[0], "ApproximateReceiveCount"), Some("2"));
    assert_eq!(q.stats().redelivered, 1);
    // The first handle is stale now: a FIFO delete with it has expired.
    assert!(matches!(
        q.delete(&first[0].receipt_handle, at(4)),
        Err(EngineError::InvalidParameterValue(_))
    ));
    // Redelivering a stale handle does nothing.
    assert!(!q.redeliver(&first[0].receipt_handle, 0, at(4)));
}

#[test]
fn redeliver_after_a_delay_shortens_the_visibility_timeout() {
    let mut q = standard(&[("VisibilityTimeout", "60")]);
    send(&mut q, plain("a"), at(0));
    let first = receive(&mut q, 1, at(0));
    assert!(q.redeliver(&first[0].receipt_handle, 5_000, at(0)));
    assert!(receive(&mut q, 1, at(4_999)).is_empty());
    assert_eq!(bodies(&receive(&mut q, 1, at(5_000))), ["a"]);
    // Never lengthens a timeout, and never touches a visible or unknown message.
    let second = q.messages(at(5_000), false);
    assert_eq!(second[0].receive_count, 2);
    assert!(!q.redeliver("garbage", 0, at(5_001)));
}

#[test]
fn redeliver_never_extends_visibility() {
    let mut q = standard(&[("VisibilityTimeout", "1")]);
    send(&mut q, plain("a"), at(0));
    let got = receive(&mut q, 1, at(0));
    assert!(!q.redeliver(&got[0].receipt_handle, 5_000, at(0)));
    assert_eq!(
        q.messages(at(0), false)[0].state,
        MessageState::InFlight { until: at(1_000) }
    );
}

#[test]
fn reset_empties_messages_dedup_window_escapes_counters_and_purge_guard() {
    let mut q = fifo(&[("VisibilityTimeout", "45")]);
    send(&mut q, msg("a", "g", "d1"), at(0));
    send(&mut q, msg("a", "g", "d1"), at(1));
    q.purge(at(2)).unwrap();
    send(&mut q, msg("b", "g", "d2"), at(3));
    q.reset(at(4));
    assert!(q.messages(at(4), false).is_empty());
    assert!(q.dedup_entries(at(4)).is_empty());
    assert_eq!(q.stats(), QueueStats::default());
    assert_eq!(q.tombstone_len(), 0);
    // The dedup id is new again, the purge guard is gone, attributes stay.
    assert!(!send(&mut q, msg("b", "g", "d2"), at(5)).duplicate);
    q.purge(at(6)).unwrap();
    let attrs = q
        .get_attributes(&["VisibilityTimeout".into()], at(7))
        .unwrap();
    assert_eq!(attrs, [("VisibilityTimeout".to_string(), "45".to_string())]);
}
