//! Receipt handles on delete and change-visibility (sqs-spec.md §3.8, §4.6).

use super::*;

fn one_received(q: &mut Queue, body_group: (&str, &str), now: Timestamp) -> ReceivedMessage {
    let req = if q.kind() == QueueKind::Fifo {
        msg(body_group.0, body_group.1, body_group.0)
    } else {
        plain(body_group.0)
    };
    send(q, req, now);
    receive(q, 1, now).pop().expect("a message")
}

fn expired_text(handle: &str) -> EngineError {
    invalid_parameter(&format!(
        "Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."
    ))
}

fn not_available_text(handle: &str) -> EngineError {
    invalid_parameter(&format!(
        "Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change."
    ))
}

#[test]
fn garbage_handles_are_invalid() {
    for mut q in [fifo(&[]), standard(&[])] {
        let err = q.delete("garbage", at(0)).unwrap_err();
        assert_eq!(err, EngineError::ReceiptHandleIsInvalid("garbage".into()));
        assert_eq!(
            err.to_string(),
            "The input receipt handle \"garbage\" is not a valid receipt handle."
        );
        assert!(matches!(
            q.change_visibility("garbage", 10, at(0)),
            Err(EngineError::ReceiptHandleIsInvalid(_))
        ));
    }
}

#[test]
fn handles_of_another_queue_are_invalid() {
    let mut a = standard(&[]);
    let mut b = create("other", &[]).unwrap();
    let got = one_received(&mut a, ("x", ""), at(0));
    send(&mut b, plain("y"), at(0));
    assert_eq!(
        b.delete(&got.receipt_handle, at(0)),
        Err(EngineError::ReceiptHandleIsInvalid(
            got.receipt_handle.clone()
        ))
    );
}

#[test]
fn handles_are_new_per_receive_and_bounded() {
    let mut q = standard(&[]);
    let first = one_received(&mut q, ("x", ""), at(0));
    let again = receive(&mut q, 1, at(30_000)).pop().unwrap();
    assert_eq!(again.message_id, first.message_id);
    assert_ne!(again.receipt_handle, first.receipt_handle);
    assert!(first.receipt_handle.len() <= 1024);
}

#[test]
fn deleting_a_deleted_message_succeeds_repeatedly() {
    for mut q in [fifo(&[]), standard(&[])] {
        let got = one_received(&mut q, ("x", "g"), at(0));
        q.delete(&got.receipt_handle, at(1)).unwrap();
        q.delete(&got.receipt_handle, at(2)).unwrap();
        q.delete(&got.receipt_handle, at(400_000)).unwrap();
        assert_eq!(
            q.change_visibility(&got.receipt_handle, 10, at(3)),
            Err(not_available_text(&got.receipt_handle))
        );
    }
}

#[test]
fn fifo_delete_with_expired_handle_fails_and_standard_deletes() {
    let mut f = fifo(&[]);
    let got = one_received(&mut f, ("x", "g"), at(0));
    assert_eq!(
        f.delete(&got.receipt_handle, at(30_000)),
        Err(expired_text(&got.receipt_handle))
    );
    assert_eq!(f.counts(at(30_000)).visible, 1);

    let mut s = standard(&[]);
    let got = one_received(&mut s, ("x", ""), at(0));
    s.delete(&got.receipt_handle, at(30_000)).unwrap();
    assert_eq!(s.counts(at(30_000)), Default::default());
}

#[test]
fn fifo_delete_after_extension_succeeds() {
    let mut f = fifo(&[]);
    let got = one_received(&mut f, ("x", "g"), at(0));
    f.change_visibility(&got.receipt_handle, 60, at(20_000))
        .unwrap();
    f.delete(&got.receipt_handle, at(45_000)).unwrap();
    assert_eq!(f.counts(at(45_000)), Default::default());
}

#[test]
fn change_visibility_with_expired_handle() {
    let mut f = fifo(&[]);
    let got = one_received(&mut f, ("x", "g"), at(0));
    assert_eq!(
        f.change_visibility(&got.receipt_handle, 60, at(30_000)),
        Err(expired_text(&got.receipt_handle))
    );

    let mut s = standard(&[]);
    let got = one_received(&mut s, ("x", ""), at(0));
    s.change_visibility(&got.receipt_handle, 60, at(30_000))
        .unwrap();
    assert_eq!(s.counts(at(30_000)).in_flight, 1, "invisible again");
    assert!(receive(&mut s, 1, at(89_999)).is_empty());
    assert_eq!(receive(&mut s, 1, at(90_000)).len(), 1);
}

#[test]
fn stale_handle_after_re_receive() {
    let mut s = standard(&[]);
    let old = one_received(&mut s, ("x", ""), at(0));
    let new = receive(&mut s, 1, at(30_000)).pop().unwrap();
    s.change_visibility(&old.receipt_handle, 0, at(30_001))
        .unwrap();
    assert_eq!(
        s.counts(at(30_001)).visible,
        1,
        "the old handle still steers the message"
    );
    s.delete(&old.receipt_handle, at(30_002)).unwrap();
    assert_eq!(s.counts(at(30_002)), Default::default());
    s.delete(&new.receipt_handle, at(30_003)).unwrap();

    let mut f = fifo(&[]);
    let old = one_received(&mut f, ("x", "g"), at(0));
    let new = receive(&mut f, 1, at(30_000)).pop().unwrap();
    assert_eq!(
        f.delete(&old.receipt_handle, at(30_001)),
        Err(expired_text(&old.receipt_handle))
    );
    assert_eq!(
        f.change_visibility(&old.receipt_handle, 0, at(30_001)),
        Err(expired_text(&old.receipt_handle))
    );
    f.delete(&new.receipt_handle, at(30_002)).unwrap();
}

#[test]
fn change_visibility_counts_from_now_not_additively() {
    let mut s = standard(&[]);
    let got = one_received(&mut s, ("x", ""), at(0));
    s.change_visibility(&got.receipt_handle, 10, at(20_000))
        .unwrap();
    assert!(receive(&mut s, 1, at(29_999)).is_empty());
    assert_eq!(receive(&mut s, 1, at(30_000)).len(), 1);
}

#[test]
fn total_visibility_is_limited_to_12_hours_from_the_receive() {
    let mut s = standard(&[]);
    let got = one_received(&mut s, ("x", ""), at(0));
    assert_eq!(
        s.change_visibility(&got.receipt_handle, 43_200, at(1_000)),
        Err(invalid_parameter(
            "Value 43200 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]."
        ))
    );
    s.change_visibility(&got.receipt_handle, 43_199, at(1_000))
        .unwrap();
    assert!(
        s.change_visibility(&got.receipt_handle, 43_201, at(1_000))
            .is_err()
    );
    assert!(
        s.change_visibility(&got.receipt_handle, -1, at(1_000))
            .is_err()
    );
}

#[test]
fn retention_removes_in_flight_messages_and_their_handles_still_delete() {
    let mut q = fifo(&[
        ("MessageRetentionPeriod", "60"),
        ("VisibilityTimeout", "120"),
    ]);
    let got = one_received(&mut q, ("x", "g"), at(0));
    assert_eq!(q.counts(at(59_999)).in_flight, 1);
    assert_eq!(q.counts(at(60_000)), Default::default());
    assert!(
        receive(&mut q, 1, at(120_000)).is_empty(),
        "does not reappear"
    );
    q.delete(&got.receipt_handle, at(120_000)).unwrap();
}
