//! Redrive to a dead-letter queue at maxReceiveCount (sqs-spec.md §3.7, §4.7).

use super::*;

fn resolver(kind: QueueKind) -> impl Fn(&str) -> Option<QueueKind> {
    move |a: &str| (a == arn("dlq") || a == arn("dlq.fifo")).then_some(kind)
}

fn source(fifo_queue: bool, max: u32) -> Queue {
    let (name, dlq, kind) = if fifo_queue {
        ("src.fifo", arn("dlq.fifo"), QueueKind::Fifo)
    } else {
        ("src", arn("dlq"), QueueKind::Standard)
    };
    let policy = format!(r#"{{"deadLetterTargetArn":"{dlq}","maxReceiveCount":{max}}}"#);
    let mut attrs = map(&[("RedrivePolicy", &policy), ("VisibilityTimeout", "10")]);
    if fifo_queue {
        attrs.insert("FifoQueue".into(), "true".into());
    }
    Queue::create(
        QueueSettings::new(name, arn(name)),
        &attrs,
        &BTreeMap::new(),
        &resolver(kind),
        Box::new(SeqIds::default()),
        at(0),
    )
    .unwrap()
}

fn all_attributes(max: i64) -> ReceiveRequest {
    ReceiveRequest {
        system_attribute_names: vec!["All".into()],
        message_attribute_names: vec!["All".into()],
        ..receive_req(max)
    }
}

#[test]
fn second_receive_at_max_one_moves_the_message() {
    let mut src = source(false, 1);
    let mut dlq = create("dlq", &[("MessageRetentionPeriod", "60")]).unwrap();
    let mut req = plain("payload");
    req.message_attributes = attrs(&[("k", "v")]);
    req.system_attributes =
        MessageAttributes::from([("AWSTraceHeader".into(), string_attr("Root=1"))]);
    let sent = send(&mut src, req, at(0));
    assert_eq!(receive(&mut src, 1, at(0)).len(), 1);
    let out = src.receive(&receive_req(1), at(10_000)).unwrap();
    assert!(out.messages.is_empty());
    assert_eq!(out.dead_letters.len(), 1);
    let letter = out.dead_letters.into_iter().next().unwrap();
    assert_eq!(letter.target_arn, arn("dlq"));
    assert_eq!(letter.message_id(), sent.message_id);
    assert_eq!(src.counts(at(10_000)), Default::default());

    dlq.accept_dead_letter(letter, src.arn(), at(10_000));
    let got = dlq
        .receive(&all_attributes(1), at(10_000))
        .unwrap()
        .messages;
    let m = &got[0];
    assert_eq!(m.message_id, sent.message_id);
    assert_eq!(m.body, "payload");
    assert_eq!(m.message_attributes, attrs(&[("k", "v")]));
    assert_eq!(attr(m, "ApproximateReceiveCount"), Some("2"));
    assert_eq!(attr(m, "AWSTraceHeader"), Some("Root=1"));
    assert_eq!(
        attr(m, "DeadLetterQueueSourceArn"),
        Some(arn("src").as_str())
    );
    assert_eq!(
        attr(m, "SentTimestamp"),
        Some(at(0).as_millis().to_string().as_str())
    );
    // A standard DLQ keeps the original enqueue time for retention.
    assert_eq!(dlq.counts(at(59_999)).visible, 1);
    assert_eq!(dlq.counts(at(60_000)), Default::default());
}

#[test]
fn fifo_redrive_unblocks_the_group_in_the_same_receive() {
    let mut src = source(true, 2);
    send(&mut src, msg("m1", "g", "1"), at(0));
    send(&mut src, msg("m2", "g", "2"), at(0));
    for i in 0..2 {
        let got = receive(&mut src, 1, at(i * 10_000));
        assert_eq!(bodies(&got), ["m1"]);
    }
    let out = src.receive(&receive_req(10), at(20_000)).unwrap();
    assert_eq!(bodies(&out.messages), ["m2"]);
    assert_eq!(out.dead_letters.len(), 1);

    let mut dlq = create(
        "dlq.fifo",
        &[("FifoQueue", "true"), ("MessageRetentionPeriod", "60")],
    )
    .unwrap();
    let letter = out.dead_letters.into_iter().next().unwrap();
    dlq.accept_dead_letter(letter, src.arn(), at(100_000));
    // FIFO dead-letter queues restart retention at the move.
    assert_eq!(dlq.counts(at(159_999)).visible, 1);
    let got = dlq
        .receive(&all_attributes(1), at(100_000))
        .unwrap()
        .messages;
    assert_eq!(attr(&got[0], "MessageGroupId"), Some("g"));
    assert_eq!(attr(&got[0], "ApproximateReceiveCount"), Some("3"));
    assert!(attr(&got[0], "SequenceNumber").is_some());
    assert_eq!(dlq.counts(at(160_000)), Default::default());
}

#[test]
fn receive_count_at_the_maximum_is_still_delivered() {
    let mut src = source(false, 3);
    send(&mut src, plain("x"), at(0));
    for i in 0..3 {
        assert_eq!(receive(&mut src, 1, at(i * 10_000)).len(), 1);
    }
    let out = src.receive(&receive_req(1), at(30_000)).unwrap();
    assert_eq!((out.messages.len(), out.dead_letters.len()), (0, 1));
}

#[test]
fn without_a_policy_messages_are_redelivered_forever() {
    let mut q = standard(&[("VisibilityTimeout", "1")]);
    send(&mut q, plain("x"), at(0));
    for i in 0..20 {
        let out = q.receive(&receive_req(1), at(i * 1_000)).unwrap();
        assert_eq!((out.messages.len(), out.dead_letters.len()), (1, 0));
    }
}
