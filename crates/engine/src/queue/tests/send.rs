//! SendMessage: FIFO and standard validation, deduplication, sequence numbers.

use super::*;
use crate::checksum::{content_dedup_id, md5_hex};

#[test]
fn fifo_validation_texts_in_order() {
    let mut q = fifo(&[]);
    let now = at(0);
    let mut no_group = msg("", "g", "d");
    no_group.group_id = None;
    no_group.delay_seconds = Some(5);
    assert_eq!(
        q.send(no_group, now),
        Err(EngineError::MissingParameter("MessageGroupId".into()))
    );
    let mut no_dedup = msg("", "g", "d");
    no_dedup.dedup_id = None;
    no_dedup.delay_seconds = Some(5);
    assert_eq!(
        q.send(no_dedup, now),
        Err(invalid_parameter(
            "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
        ))
    );
    let mut delayed = msg("", "g", "bad id");
    delayed.delay_seconds = Some(2);
    assert_eq!(
        q.send(delayed, now),
        Err(invalid_parameter(
            "Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type."
        ))
    );
    assert_eq!(
        q.send(msg("", "g", "bad id"), now),
        Err(invalid_parameter(
            "Value bad id for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length."
        ))
    );
    assert_eq!(
        q.send(msg("", &"g".repeat(129), "d"), now),
        Err(invalid_parameter(&format!(
            "Value {} for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.",
            "g".repeat(129)
        )))
    );
    assert_eq!(
        q.send(msg("", "g", "d"), now),
        Err(EngineError::MissingParameter("MessageBody".into()))
    );
    let mut zero = msg("ok", &"g".repeat(128), &"d".repeat(128));
    zero.delay_seconds = Some(0);
    assert!(
        q.send(zero, now).is_ok(),
        "DelaySeconds=0 and 128-char ids are fine"
    );
    assert_eq!(q.counts(now).visible, 1);
}

#[test]
fn standard_rejects_dedup_id_and_accepts_group_id() {
    let mut q = standard(&[]);
    let now = at(0);
    assert_eq!(
        q.send(msg("b", "g", "d1"), now),
        Err(invalid_parameter(
            "Value d1 for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type."
        ))
    );
    let mut fair = plain("b");
    fair.group_id = Some("tenant-1".into());
    let out = send(&mut q, fair, now);
    assert_eq!(out.sequence_number, None);
    let got = q
        .receive(
            &ReceiveRequest {
                system_attribute_names: vec!["All".into()],
                ..receive_req(1)
            },
            now,
        )
        .unwrap()
        .messages;
    assert_eq!(attr(&got[0], "MessageGroupId"), Some("tenant-1"));
    assert_eq!(attr(&got[0], "SequenceNumber"), None);
    let mut bad_group = plain("b");
    bad_group.group_id = Some(String::new());
    assert!(q.send(bad_group, now).is_err());
}

#[test]
fn standard_delay_range_and_override() {
    let mut q = standard(&[("DelaySeconds", "10")]);
    let mut long = plain("x");
    long.delay_seconds = Some(901);
    assert_eq!(
        q.send(long, at(0)),
        Err(invalid_parameter(
            "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900."
        ))
    );
    send(&mut q, plain("queue-delay"), at(0));
    let mut own = plain("own-delay");
    own.delay_seconds = Some(2);
    send(&mut q, own, at(0));
    let mut none = plain("no-delay");
    none.delay_seconds = Some(0);
    send(&mut q, none, at(0));
    assert_eq!(bodies(&receive(&mut q, 10, at(0))), ["no-delay"]);
    assert_eq!(bodies(&receive(&mut q, 10, at(2_000))), ["own-delay"]);
    assert!(receive(&mut q, 10, at(9_999)).is_empty());
    assert_eq!(bodies(&receive(&mut q, 10, at(10_000))), ["queue-delay"]);
}

#[test]
fn duplicate_answers_with_original_id_and_sequence_but_new_md5s() {
    let mut q = fifo(&[]);
    let mut first = msg("first", "g", "d");
    first.message_attributes = attrs(&[("Foo", "Bar")]);
    let a = send(&mut q, first, at(0));
    assert!(!a.duplicate);
    let mut second = msg("second", "g2", "d");
    second.message_attributes = attrs(&[("Hello", "There")]);
    let b = send(&mut q, second, at(10));
    assert!(b.duplicate);
    assert_eq!(b.message_id, a.message_id);
    assert_eq!(b.sequence_number, a.sequence_number);
    assert_eq!(b.md5_of_body, md5_hex(b"second"));
    assert_eq!(
        b.md5_of_message_attributes.as_deref(),
        Some("a311262e065454b75da111d535b8dacd")
    );
    assert_eq!(
        a.md5_of_message_attributes.as_deref(),
        Some("ae7155c6026991b6d54b11589678bf9c")
    );
    assert_eq!(q.counts(at(10)).visible, 1, "the duplicate was not stored");
    assert_eq!(bodies(&receive(&mut q, 10, at(10))), ["first"]);
}

#[test]
fn window_boundary_and_escape() {
    let mut q = fifo(&[]);
    let a = send(&mut q, msg("a", "g", "d"), at(0));
    let dup = send(&mut q, msg("a", "g", "d"), at(WINDOW - 1));
    assert!(dup.duplicate);
    assert_eq!(dup.escape, None);
    let b = send(&mut q, msg("a", "g", "d"), at(WINDOW));
    assert!(!b.duplicate);
    assert_ne!(b.message_id, a.message_id);
    let escape = b.escape.expect("resend at exactly the window is an escape");
    assert_eq!(escape.late_by_ms, 0);
    assert_eq!(escape.first_sent, at(0));
    assert_eq!(escape.resent, at(WINDOW));
    assert_eq!(q.escapes(), vec![escape]);
    assert_eq!(q.escape_count(), 1);
}

#[test]
fn duplicates_do_not_extend_the_window() {
    let mut q = fifo(&[]);
    send(&mut q, msg("a", "g", "d"), at(0));
    assert!(send(&mut q, msg("a", "g", "d"), at(WINDOW / 2)).duplicate);
    assert!(send(&mut q, msg("a", "g", "d"), at(WINDOW - 1)).duplicate);
    assert!(!send(&mut q, msg("a", "g", "d"), at(WINDOW)).duplicate);
}

#[test]
fn content_based_deduplication_hashes_the_body_only() {
    let mut q = fifo(&[("ContentBasedDeduplication", "true")]);
    let mut a = msg("same", "g", "x");
    a.dedup_id = None;
    a.message_attributes = attrs(&[("k", "1")]);
    let first = send(&mut q, a.clone(), at(0));
    a.message_attributes = attrs(&[("k", "2")]);
    assert!(send(&mut q, a.clone(), at(1)).duplicate);
    let explicit = msg("same", "g", "explicit");
    assert!(
        !send(&mut q, explicit, at(2)).duplicate,
        "explicit id overrides the hash"
    );
    let hash_as_id = msg("other", "g", &content_dedup_id("same"));
    assert!(
        send(&mut q, hash_as_id, at(3)).duplicate,
        "explicit and content ids collide"
    );
    let got = q
        .receive(
            &ReceiveRequest {
                system_attribute_names: vec!["MessageDeduplicationId".into()],
                ..receive_req(1)
            },
            at(4),
        )
        .unwrap()
        .messages;
    assert_eq!(got[0].message_id, first.message_id);
    assert_eq!(
        got[0].attributes,
        vec![("MessageDeduplicationId".into(), content_dedup_id("same"))]
    );
}

#[test]
fn scope_queue_spans_groups_and_message_group_does_not() {
    let mut q = fifo(&[]);
    send(&mut q, msg("a", "g1", "d"), at(0));
    assert!(send(&mut q, msg("a", "g2", "d"), at(1)).duplicate);

    let mut h = fifo(&[
        ("DeduplicationScope", "messageGroup"),
        ("FifoThroughputLimit", "perMessageGroupId"),
    ]);
    assert!(h.dedup_scope_is_message_group());
    send(&mut h, msg("a", "g1", "d"), at(0));
    assert!(!send(&mut h, msg("a", "g2", "d"), at(1)).duplicate);
    assert!(send(&mut h, msg("a", "g2", "d"), at(2)).duplicate);
}

#[test]
fn scope_is_snapshot_at_creation() {
    let mut q = fifo(&[]);
    q.set_attributes(
        &map(&[("DeduplicationScope", "messageGroup")]),
        &no_queues,
        at(0),
    )
    .unwrap();
    let reported = q
        .get_attributes(&["DeduplicationScope".into()], at(0))
        .unwrap();
    assert_eq!(
        reported,
        vec![("DeduplicationScope".into(), "messageGroup".into())]
    );
    send(&mut q, msg("a", "g1", "d"), at(0));
    assert!(
        send(&mut q, msg("a", "g2", "d"), at(1)).duplicate,
        "dedup still follows the creation-time queue scope"
    );
}

#[test]
fn dedup_survives_receive_and_delete() {
    let mut q = fifo(&[]);
    send(&mut q, msg("a", "g", "d"), at(0));
    let got = receive(&mut q, 1, at(1));
    q.delete(&got[0].receipt_handle, at(2)).unwrap();
    assert!(send(&mut q, msg("a", "g", "d"), at(3)).duplicate);
    assert!(receive(&mut q, 1, at(4)).is_empty());
    assert_eq!(q.dedup_len(), 1);
}

#[test]
fn purge_clears_dedup_and_is_guarded_for_60_seconds() {
    let mut q = fifo(&[]);
    send(&mut q, msg("a", "g", "d"), at(0));
    q.purge(at(1)).unwrap();
    assert_eq!(q.dedup_len(), 0);
    let again = send(&mut q, msg("a", "g", "d"), at(2));
    assert!(!again.duplicate);
    assert_eq!(again.escape, None, "a purged key is not an escape");
    assert_eq!(
        q.purge(at(60_000)),
        Err(EngineError::PurgeQueueInProgress("q.fifo".into()))
    );
    assert_eq!(
        q.purge(at(60_000)).unwrap_err().to_string(),
        "Only one PurgeQueue operation on q.fifo is allowed every 60 seconds."
    );
    assert_eq!(
        q.counts(at(60_000)).visible,
        1,
        "refused purge changed nothing"
    );
    q.purge(at(60_001)).unwrap();
    assert_eq!(q.counts(at(60_001)), Default::default());
}

#[test]
fn sequence_numbers_are_decimal_and_strictly_increasing() {
    let mut q = fifo(&[("ContentBasedDeduplication", "true")]);
    let mut last = 0u128;
    for i in 0..5 {
        let mut req = msg(&format!("m{i}"), if i % 2 == 0 { "a" } else { "b" }, "");
        req.dedup_id = None;
        let seq: u128 = send(&mut q, req, at(i))
            .sequence_number
            .unwrap()
            .parse()
            .unwrap();
        assert!(seq > last);
        last = seq;
    }
    assert!(
        last > u128::from(u64::from(u32::MAX)),
        "seeded from the creation time"
    );
    let mut s = standard(&[]);
    assert_eq!(send(&mut s, plain("x"), at(0)).sequence_number, None);
}

#[test]
fn size_limit_counts_body_and_attributes() {
    let mut q = standard(&[("MaximumMessageSize", "1024")]);
    let mut req = plain(&"b".repeat(1024 - 8));
    req.message_attributes = attrs(&[("k", "x")]);
    assert!(q.send(req.clone(), at(0)).is_ok(), "exactly the maximum");
    req.body.push('b');
    assert_eq!(
        q.send(req, at(0)),
        Err(invalid_parameter(
            "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes."
        ))
    );
}

#[test]
fn invalid_body_characters() {
    let mut q = standard(&[]);
    assert!(matches!(
        q.send(plain("bell\u{7}"), at(0)),
        Err(EngineError::InvalidMessageContents(t)) if t.starts_with("Invalid binary character '#x7'")
    ));
}

#[test]
fn trace_header_is_checksummed_and_returned() {
    let mut q = standard(&[]);
    let mut req = plain("x");
    let trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    req.system_attributes =
        MessageAttributes::from([("AWSTraceHeader".into(), string_attr(trace))]);
    let out = send(&mut q, req, at(0));
    assert_eq!(
        out.md5_of_message_system_attributes.as_deref(),
        Some("5ae4d5d7636402d80f4eb6d213245a88")
    );
    assert_eq!(out.md5_of_message_attributes, None);
    let got = q
        .receive(
            &ReceiveRequest {
                system_attribute_names: vec!["AWSTraceHeader".into()],
                ..receive_req(1)
            },
            at(0),
        )
        .unwrap()
        .messages;
    assert_eq!(
        got[0].attributes,
        vec![("AWSTraceHeader".into(), trace.into())]
    );
}

#[test]
fn message_attribute_errors_reject_the_send() {
    let mut q = standard(&[]);
    let mut req = plain("x");
    req.message_attributes = attrs(&[("k", "")]);
    assert_eq!(
        q.send(req, at(0)),
        Err(invalid_parameter(
            "Message (user) attribute 'k' must contain a non-empty value of type 'String'."
        ))
    );
    assert_eq!(q.counts(at(0)).visible, 0);
}
