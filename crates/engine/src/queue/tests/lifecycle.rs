//! Receive attributes and filters, retention, counts, deadlines and escapes
//! through the queue API.

use super::*;

fn receive_with(q: &mut Queue, system: &[&str], user: &[&str], now: Timestamp) -> ReceivedMessage {
    let req = ReceiveRequest {
        system_attribute_names: system.iter().map(|s| (*s).to_string()).collect(),
        message_attribute_names: user.iter().map(|s| (*s).to_string()).collect(),
        ..receive_req(1)
    };
    q.receive(&req, now)
        .unwrap()
        .messages
        .pop()
        .expect("a message")
}

fn names(m: &ReceivedMessage) -> Vec<&str> {
    m.attributes.iter().map(|(n, _)| n.as_str()).collect()
}

#[test]
fn all_system_attributes_on_standard_and_fifo() {
    let mut s = standard(&[]);
    send(&mut s, plain("x"), at(5));
    let m = receive_with(&mut s, &["All"], &[], at(7));
    assert_eq!(
        names(&m),
        [
            "ApproximateFirstReceiveTimestamp",
            "ApproximateReceiveCount",
            "SenderId",
            "SentTimestamp"
        ]
    );
    assert_eq!(
        attr(&m, "SentTimestamp"),
        Some((T0 + 5).to_string().as_str())
    );
    assert_eq!(
        attr(&m, "ApproximateFirstReceiveTimestamp"),
        Some((T0 + 7).to_string().as_str())
    );
    assert_eq!(attr(&m, "ApproximateReceiveCount"), Some("1"));
    assert_eq!(attr(&m, "SenderId"), Some("AIDAEXAMPLE"));

    let mut f = fifo(&[]);
    let sent = send(&mut f, msg("x", "g", "d"), at(5));
    let m = receive_with(&mut f, &["All"], &[], at(7));
    assert_eq!(
        names(&m),
        [
            "ApproximateFirstReceiveTimestamp",
            "ApproximateReceiveCount",
            "MessageDeduplicationId",
            "MessageGroupId",
            "SenderId",
            "SentTimestamp",
            "SequenceNumber"
        ]
    );
    assert_eq!(attr(&m, "SequenceNumber"), sent.sequence_number.as_deref());
    let again = receive_with(
        &mut f,
        &[
            "ApproximateReceiveCount",
            "ApproximateFirstReceiveTimestamp",
        ],
        &[],
        at(30_007),
    );
    assert_eq!(attr(&again, "ApproximateReceiveCount"), Some("2"));
    assert_eq!(
        attr(&again, "ApproximateFirstReceiveTimestamp"),
        Some((T0 + 7).to_string().as_str()),
        "the first receive is remembered"
    );
    assert_eq!(again.attributes.len(), 2);
}

#[test]
fn message_attribute_filters_and_subset_md5() {
    let mut q = standard(&[("VisibilityTimeout", "0")]);
    let mut req = plain("x");
    req.message_attributes = attrs(&[("Help.Me", "Me"), ("Hello", "There"), ("General", "Kenobi")]);
    send(&mut q, req, at(0));
    let cases: [(&[&str], &[&str], Option<&str>); 7] = [
        (&[], &[], None),
        (
            &["All"],
            &["General", "Hello", "Help.Me"],
            Some("4c360f3fdafd970e05fae2f149d997f5"),
        ),
        (
            &[".*"],
            &["General", "Hello", "Help.Me"],
            Some("4c360f3fdafd970e05fae2f149d997f5"),
        ),
        (
            &["*"],
            &["General", "Hello", "Help.Me"],
            Some("4c360f3fdafd970e05fae2f149d997f5"),
        ),
        (
            &["Hello"],
            &["Hello"],
            Some("a311262e065454b75da111d535b8dacd"),
        ),
        (
            &["Hel.*"],
            &["Hello", "Help.Me"],
            Some("83fee93c1bcd8b9a5a923ffacdc636c7"),
        ),
        (&["Nope", "..foo"], &[], None),
    ];
    for (filter, expected, md5) in cases {
        let m = receive_with(&mut q, &[], filter, at(0));
        let got: Vec<&str> = m.message_attributes.keys().map(String::as_str).collect();
        assert_eq!(got, expected, "filter {filter:?}");
        assert_eq!(
            m.md5_of_message_attributes.as_deref(),
            md5,
            "filter {filter:?}"
        );
        assert!(m.attributes.is_empty());
    }
}

#[test]
fn retention_expires_visible_and_delayed_messages() {
    let mut q = standard(&[("MessageRetentionPeriod", "60"), ("DelaySeconds", "120")]);
    send(&mut q, plain("delayed"), at(0));
    let mut now_req = plain("visible");
    now_req.delay_seconds = Some(0);
    send(&mut q, now_req, at(1_000));
    assert_eq!(
        q.counts(at(59_999)),
        QueueCounts {
            visible: 1,
            in_flight: 0,
            delayed: 1
        }
    );
    assert_eq!(q.counts(at(60_000)).delayed, 0);
    assert_eq!(q.counts(at(60_999)).visible, 1);
    assert_eq!(q.counts(at(61_000)), Default::default());
}

use crate::queue::QueueCounts;

#[test]
fn shorter_retention_applies_to_stored_messages() {
    let mut q = standard(&[]);
    send(&mut q, plain("x"), at(0));
    q.set_attributes(
        &map(&[("MessageRetentionPeriod", "60")]),
        &no_queues,
        at(10),
    )
    .unwrap();
    assert_eq!(q.counts(at(59_999)).visible, 1);
    assert_eq!(q.counts(at(60_000)).visible, 0);
}

#[test]
fn next_deadline_tracks_the_earliest_change() {
    let mut q = fifo(&[("VisibilityTimeout", "10")]);
    assert_eq!(q.next_deadline(), None);
    send(&mut q, msg("x", "g", "d"), at(0));
    assert_eq!(
        q.next_deadline(),
        Some(at(WINDOW)),
        "dedup expiry before retention"
    );
    receive(&mut q, 1, at(1_000));
    assert_eq!(q.next_deadline(), Some(at(11_000)));
    q.counts(at(11_000));
    assert_eq!(q.next_deadline(), Some(at(WINDOW)));
}

#[test]
fn dedup_entries_show_live_keys() {
    let mut q = fifo(&[]);
    let sent = send(&mut q, msg("x", "g", "d"), at(0));
    send(&mut q, msg("x", "g", "d"), at(1));
    let entries = q.dedup_entries(at(2));
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].message_id, sent.message_id);
    assert_eq!(entries[0].suppressed, 1);
    assert_eq!(entries[0].expires_at, at(WINDOW));
    assert!(q.dedup_entries(at(WINDOW)).is_empty());
    assert_eq!(q.tombstone_len(), 1);
}

#[test]
fn escape_tombstones_respect_the_configured_horizon() {
    let mut settings = QueueSettings::new("h.fifo", arn("h.fifo"));
    settings.dedup_window_ms = 1_000;
    settings.escape_horizon_ms = 5_000;
    let mut q = Queue::create(
        settings,
        &map(&[("FifoQueue", "true")]),
        &BTreeMap::new(),
        &no_queues,
        Box::new(SeqIds::default()),
        at(0),
    )
    .unwrap();
    send(&mut q, msg("x", "g", "a"), at(0));
    send(&mut q, msg("x", "g", "b"), at(0));
    let a = send(&mut q, msg("x", "g", "a"), at(5_999));
    assert_eq!(a.escape.map(|e| e.late_by_ms), Some(4_999));
    let b = send(&mut q, msg("x", "g", "b"), at(6_000));
    assert!(!b.duplicate);
    assert_eq!(b.escape, None, "past the horizon it is just a new message");
}

#[test]
fn get_attributes_reports_counts_and_timestamps_in_seconds() {
    let mut q = standard(&[("DelaySeconds", "1")]);
    send(&mut q, plain("x"), at(0));
    let got = q
        .get_attributes(
            &[
                "ApproximateNumberOfMessagesDelayed".into(),
                "CreatedTimestamp".into(),
                "LastModifiedTimestamp".into(),
            ],
            at(500),
        )
        .unwrap();
    let secs = (T0 / 1000).to_string();
    assert_eq!(
        got,
        vec![
            ("ApproximateNumberOfMessagesDelayed".into(), "1".into()),
            ("CreatedTimestamp".into(), secs.clone()),
            ("LastModifiedTimestamp".into(), secs),
        ]
    );
    q.set_attributes(&map(&[("VisibilityTimeout", "5")]), &no_queues, at(5_000))
        .unwrap();
    let got = q
        .get_attributes(&["LastModifiedTimestamp".into()], at(5_000))
        .unwrap();
    assert_eq!(got[0].1, (T0 / 1000 + 5).to_string());
    assert_eq!(q.get_attributes(&[], at(0)).unwrap(), vec![]);
}

#[test]
fn tags_are_validated_merged_and_removed() {
    let mut q = standard(&[]);
    q.tag(&map(&[("a", "1"), ("b", "")])).unwrap();
    q.tag(&map(&[("a", "2")])).unwrap();
    assert_eq!(q.tags(), &map(&[("a", "2"), ("b", "")]));
    q.untag(&["b".into(), "unknown".into()]).unwrap();
    assert_eq!(q.tags(), &map(&[("a", "2")]));
    assert!(q.tag(&map(&[("", "x")])).is_err());
    assert!(q.tag(&map(&[("k", &"v".repeat(257))])).is_err());
    let many: BTreeMap<String, String> =
        (0..50).map(|i| (format!("k{i}"), String::new())).collect();
    assert!(q.tag(&many).is_err(), "51 tags with the existing one");
    assert_eq!(q.tags().len(), 1, "a refused TagQueue changes nothing");
}

#[test]
fn receivable_deadline_ignores_dedup_and_retention() {
    let mut q = fifo(&[
        ("VisibilityTimeout", "10"),
        ("MessageRetentionPeriod", "60"),
    ]);
    send(&mut q, msg("x", "g", "d"), at(0));
    assert_eq!(
        q.next_deadline(),
        Some(at(60_000)),
        "retention before the dedup expiry"
    );
    assert_eq!(q.next_receivable_deadline(), None);
    receive(&mut q, 1, at(1_000));
    assert_eq!(q.next_receivable_deadline(), Some(at(11_000)));
    assert_eq!(q.next_deadline(), Some(at(11_000)));
}

#[test]
fn stale_timers_stay_bounded_under_churn() {
    let mut q = standard(&[]);
    send(&mut q, plain("keeper"), at(0));
    receive(&mut q, 1, at(0));
    for i in 0..5_000 {
        send(&mut q, plain(&i.to_string()), at(1));
        let got = receive(&mut q, 1, at(1));
        q.delete(&got[0].receipt_handle, at(1)).unwrap();
    }
    assert_eq!(q.counts(at(1)).in_flight, 1);
    assert!(
        q.store.timer_len() <= 2 + 1024 + 1,
        "{} timers",
        q.store.timer_len()
    );
    assert_eq!(
        bodies(&receive(&mut q, 10, at(30_000))),
        ["keeper"],
        "the live timer survived"
    );
}

/// The id a message reports is the one sent, whatever the key the dedup table
/// shares with it looks like under each scope.
#[test]
fn dedup_id_is_reported_as_sent_under_both_scopes() {
    for (scope, limit) in [("queue", "perQueue"), ("messageGroup", "perMessageGroupId")] {
        let mut q = fifo(&[
            ("DeduplicationScope", scope),
            ("FifoThroughputLimit", limit),
        ]);
        send(&mut q, msg("x", "g1", "d-1"), at(0));
        let m = receive_with(&mut q, &["MessageDeduplicationId"], &[], at(1));
        assert_eq!(attr(&m, "MessageDeduplicationId"), Some("d-1"), "{scope}");
        let stored = q.messages(at(2), false);
        assert_eq!(stored[0].dedup_id.as_deref(), Some("d-1"), "{scope}");
    }
}
