//! FIFO delivery: visible prefixes, group locking, filling from one group first
//! (sqs-spec.md §3.4), and standard delivery for contrast.

use super::*;

/// Sends `(body, group)` pairs with their body as the dedup id.
fn fill(q: &mut Queue, items: &[(&str, &str)]) {
    for (body, group) in items {
        send(q, msg(body, group, body), at(0));
    }
}

fn receive_with_visibility(
    q: &mut Queue,
    max: i64,
    vis: i64,
    now: Timestamp,
) -> Vec<ReceivedMessage> {
    q.receive(
        &ReceiveRequest {
            visibility_timeout: Some(vis),
            ..receive_req(max)
        },
        now,
    )
    .unwrap()
    .messages
}

#[test]
fn head_in_flight_blocks_the_group() {
    let mut q = fifo(&[]);
    fill(&mut q, &[("m1", "g"), ("m2", "g")]);
    assert_eq!(bodies(&receive(&mut q, 1, at(0))), ["m1"]);
    assert!(
        receive(&mut q, 10, at(1)).is_empty(),
        "m2 waits behind in-flight m1"
    );
    assert_eq!(
        q.counts(at(1)),
        QueueCounts {
            visible: 1,
            in_flight: 1,
            delayed: 0
        },
        "a message of a locked group still counts as visible"
    );
    assert_eq!(
        bodies(&receive(&mut q, 10, at(30_000))),
        ["m1", "m2"],
        "m1 came back first"
    );
}

use crate::queue::QueueCounts;

#[test]
fn terminated_head_is_redelivered_alone() {
    let mut q = fifo(&[]);
    fill(&mut q, &[("m1", "g"), ("m2", "g"), ("m3", "g")]);
    let got = receive(&mut q, 2, at(0));
    assert_eq!(bodies(&got), ["m1", "m2"]);
    q.change_visibility(&got[0].receipt_handle, 0, at(1))
        .unwrap();
    assert_eq!(
        bodies(&receive(&mut q, 10, at(2))),
        ["m1"],
        "m2 in flight ends the prefix"
    );
}

#[test]
fn extending_a_middle_message_cuts_the_prefix_there() {
    let mut q = fifo(&[]);
    fill(&mut q, &[("m1", "g"), ("m2", "g"), ("m3", "g")]);
    let got = receive(&mut q, 3, at(0));
    q.change_visibility(&got[1].receipt_handle, 120, at(1))
        .unwrap();
    assert_eq!(bodies(&receive(&mut q, 10, at(30_000))), ["m1"]);
}

#[test]
fn deleting_the_head_unlocks_the_next_immediately() {
    let mut q = fifo(&[]);
    fill(&mut q, &[("m1", "g"), ("m2", "g")]);
    let got = receive(&mut q, 1, at(0));
    q.delete(&got[0].receipt_handle, at(1)).unwrap();
    assert_eq!(bodies(&receive(&mut q, 10, at(1))), ["m2"]);
}

#[test]
fn fills_from_one_group_before_the_next() {
    let mut q = fifo(&[]);
    fill(
        &mut q,
        &[
            ("g1-m1", "g1"),
            ("g2-m1", "g2"),
            ("g1-m2", "g1"),
            ("g1-m3", "g1"),
        ],
    );
    assert_eq!(
        bodies(&receive(&mut q, 10, at(0))),
        ["g1-m1", "g1-m2", "g1-m3", "g2-m1"]
    );
}

#[test]
fn max_stops_inside_a_group_and_other_groups_stay_available() {
    let mut q = fifo(&[]);
    fill(&mut q, &[("a1", "a"), ("a2", "a"), ("b1", "b")]);
    assert_eq!(bodies(&receive(&mut q, 1, at(0))), ["a1"]);
    assert_eq!(
        bodies(&receive(&mut q, 10, at(0))),
        ["b1"],
        "group a is locked by a1"
    );
}

#[test]
fn new_message_to_a_locked_group_waits_for_the_unlock() {
    let mut q = fifo(&[]);
    fill(&mut q, &[("m1", "g")]);
    let got = receive(&mut q, 1, at(0));
    send(&mut q, msg("m2", "g", "m2"), at(1));
    assert!(receive(&mut q, 10, at(2)).is_empty());
    q.delete(&got[0].receipt_handle, at(3)).unwrap();
    assert_eq!(bodies(&receive(&mut q, 10, at(3))), ["m2"]);
}

#[test]
fn visibility_zero_returns_each_message_once_per_receive() {
    let mut q = fifo(&[]);
    fill(&mut q, &[("m1", "g"), ("m2", "g"), ("x1", "h")]);
    assert_eq!(
        bodies(&receive_with_visibility(&mut q, 10, 0, at(0))),
        ["m1", "m2", "x1"]
    );
    assert_eq!(
        bodies(&receive_with_visibility(&mut q, 10, 0, at(0))),
        ["m1", "m2", "x1"],
        "visibility 0 leaves them receivable at once"
    );
}

#[test]
fn queue_delay_hides_messages_until_it_ends() {
    let mut q = fifo(&[("DelaySeconds", "5")]);
    fill(&mut q, &[("m1", "g")]);
    assert_eq!(q.counts(at(0)).delayed, 1);
    assert!(receive(&mut q, 1, at(4_999)).is_empty());
    assert_eq!(q.next_deadline(), Some(at(5_000)));
    assert_eq!(bodies(&receive(&mut q, 1, at(5_000))), ["m1"]);
}

#[test]
fn fifo_queue_delay_change_is_retroactive() {
    let mut q = fifo(&[("DelaySeconds", "60")]);
    fill(&mut q, &[("m1", "g")]);
    send(&mut q, msg("m2", "h", "m2"), at(10_000));
    q.set_attributes(&map(&[("DelaySeconds", "20")]), &no_queues, at(15_000))
        .unwrap();
    assert_eq!(bodies(&receive(&mut q, 10, at(20_000))), ["m1"]);
    assert_eq!(q.counts(at(20_000)).delayed, 1);
    assert_eq!(bodies(&receive(&mut q, 10, at(30_000))), ["m2"]);

    let mut longer = fifo(&[("DelaySeconds", "10")]);
    fill(&mut longer, &[("m1", "g")]);
    longer
        .set_attributes(&map(&[("DelaySeconds", "100")]), &no_queues, at(1_000))
        .unwrap();
    assert!(receive(&mut longer, 10, at(10_000)).is_empty());
    assert_eq!(bodies(&receive(&mut longer, 10, at(100_000))), ["m1"]);
}

#[test]
fn standard_queue_delay_change_is_not_retroactive() {
    let mut q = standard(&[("DelaySeconds", "60")]);
    send(&mut q, plain("m1"), at(0));
    q.set_attributes(&map(&[("DelaySeconds", "0")]), &no_queues, at(1))
        .unwrap();
    assert!(receive(&mut q, 1, at(2)).is_empty());
    assert_eq!(bodies(&receive(&mut q, 1, at(60_000))), ["m1"]);
}

#[test]
fn standard_queue_has_no_group_locking() {
    let mut q = standard(&[]);
    for body in ["a", "b", "c"] {
        let mut req = plain(body);
        req.group_id = Some("g".into());
        send(&mut q, req, at(0));
    }
    assert_eq!(bodies(&receive(&mut q, 1, at(0))), ["a"]);
    assert_eq!(bodies(&receive(&mut q, 10, at(0))), ["b", "c"]);
}

#[test]
fn receive_parameter_ranges() {
    let mut q = fifo(&[]);
    assert_eq!(
        q.receive(&receive_req(11), at(0)).unwrap_err(),
        invalid_parameter(
            "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."
        )
    );
    assert!(q.receive(&receive_req(0), at(0)).is_err());
    let long = ReceiveRequest {
        visibility_timeout: Some(43_201),
        ..receive_req(1)
    };
    assert!(q.receive(&long, at(0)).is_err());
    assert_eq!(q.wait_time_seconds(None), Ok(0));
    assert_eq!(q.wait_time_seconds(Some(20)), Ok(20));
    assert_eq!(
        q.wait_time_seconds(Some(21)).unwrap_err(),
        invalid_parameter(
            "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided."
        )
    );
    assert!(q.wait_time_seconds(Some(-1)).is_err());
    let q2 = fifo(&[("ReceiveMessageWaitTimeSeconds", "7")]);
    assert_eq!(q2.wait_time_seconds(None), Ok(7));
}

#[test]
fn receive_visibility_overrides_the_queue_default() {
    let mut q = fifo(&[("VisibilityTimeout", "100")]);
    fill(&mut q, &[("m1", "g")]);
    receive_with_visibility(&mut q, 1, 5, at(0));
    assert_eq!(bodies(&receive(&mut q, 1, at(5_000))), ["m1"]);
    assert!(
        receive(&mut q, 1, at(104_999)).is_empty(),
        "queue default applies now"
    );
    assert_eq!(bodies(&receive(&mut q, 1, at(105_000))), ["m1"]);
}

#[test]
fn blocked_groups_are_not_indexed_as_ready() {
    let mut q = fifo(&[]);
    for i in 0..50 {
        let g = format!("g{i}");
        send(&mut q, msg("a", &g, &format!("{g}a")), at(0));
        send(&mut q, msg("b", &g, &format!("{g}b")), at(0));
    }
    // Each receive takes two messages from each of five groups.
    for _ in 0..10 {
        assert_eq!(receive(&mut q, 10, at(0)).len(), 10);
    }
    assert_eq!(q.store.groups.group_len(), 50);
    assert_eq!(
        q.store.groups.ready_len(),
        0,
        "every group's head is in flight"
    );
    assert!(receive(&mut q, 10, at(1)).is_empty());
}

#[test]
fn fifo_in_flight_limit_returns_nothing_more() {
    let mut q = fifo(&[("ContentBasedDeduplication", "true")]);
    let total = super::super::receive::MAX_IN_FLIGHT + 5;
    for i in 0..total {
        let mut req = msg(&i.to_string(), &i.to_string(), "");
        req.dedup_id = None;
        send(&mut q, req, at(0));
    }
    let mut received = 0u64;
    loop {
        let n = receive(&mut q, 10, at(1)).len() as u64;
        if n == 0 {
            break;
        }
        received += n;
    }
    assert_eq!(received, super::super::receive::MAX_IN_FLIGHT);
    assert_eq!(q.counts(at(1)).visible, 5);
}

#[test]
fn standard_in_flight_limit_is_over_limit() {
    let mut q = standard(&[]);
    let limit = super::super::receive::MAX_IN_FLIGHT;
    for i in 0..limit + 1 {
        send(&mut q, plain(&i.to_string()), at(0));
    }
    for _ in 0..limit / 10 {
        assert_eq!(receive(&mut q, 10, at(1)).len(), 10);
    }
    assert!(matches!(
        q.receive(&receive_req(1), at(1)),
        Err(EngineError::OverLimit(_))
    ));
}
