//! CreateQueue, GetQueueAttributes and SetQueueAttributes through the queue
//! (sqs-spec.md §3.1, §4.1, §4.2).

use super::*;

fn all(q: &mut Queue) -> Vec<(String, String)> {
    q.get_attributes(&["All".into()], at(0)).unwrap()
}

fn unknown(name: &str) -> EngineError {
    EngineError::InvalidAttributeName(format!("Unknown Attribute {name}."))
}

#[test]
fn standard_defaults() {
    let mut q = standard(&[]);
    let secs = (T0 / 1000).to_string();
    let expected: Vec<(String, String)> = [
        ("ApproximateNumberOfMessages", "0"),
        ("ApproximateNumberOfMessagesDelayed", "0"),
        ("ApproximateNumberOfMessagesNotVisible", "0"),
        ("CreatedTimestamp", secs.as_str()),
        ("DelaySeconds", "0"),
        ("LastModifiedTimestamp", secs.as_str()),
        ("MaximumMessageSize", "1048576"),
        ("MessageRetentionPeriod", "345600"),
        ("QueueArn", "arn:aws:sqs:us-east-1:000000000000:q"),
        ("ReceiveMessageWaitTimeSeconds", "0"),
        ("SqsManagedSseEnabled", "true"),
        ("VisibilityTimeout", "30"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
    .collect();
    assert_eq!(all(&mut q), expected);
}

#[test]
fn fifo_defaults_add_the_fifo_attributes() {
    let mut q = fifo(&[]);
    let got = all(&mut q);
    let fifo_only: Vec<_> = got
        .iter()
        .filter(|(k, _)| {
            [
                "ContentBasedDeduplication",
                "DeduplicationScope",
                "FifoQueue",
                "FifoThroughputLimit",
            ]
            .contains(&k.as_str())
        })
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        fifo_only,
        [
            ("ContentBasedDeduplication", "false"),
            ("DeduplicationScope", "queue"),
            ("FifoQueue", "true"),
            ("FifoThroughputLimit", "perQueue"),
        ]
    );
    assert_eq!(got.len(), 16);
}

#[test]
fn booleans_are_case_insensitive_and_stored_lowercase() {
    let mut q = create(
        "b.fifo",
        &[("FifoQueue", "TRUE"), ("ContentBasedDeduplication", "True")],
    )
    .unwrap();
    assert_eq!(q.kind(), QueueKind::Fifo);
    let got = q
        .get_attributes(
            &["ContentBasedDeduplication".into(), "FifoQueue".into()],
            at(0),
        )
        .unwrap();
    assert_eq!(
        got,
        vec![
            ("ContentBasedDeduplication".into(), "true".into()),
            ("FifoQueue".into(), "true".into())
        ]
    );
    assert_eq!(
        create("b.fifo", &[("FifoQueue", "yes")]).unwrap_err(),
        EngineError::InvalidAttributeValue("Invalid value for the parameter FifoQueue.".into())
    );
}

#[test]
fn unknown_and_out_of_range_attributes() {
    assert_eq!(
        create("q", &[("Foobar", "1")]).unwrap_err(),
        unknown("Foobar")
    );
    for (name, bad) in [
        ("VisibilityTimeout", "43201"),
        ("VisibilityTimeout", "-1"),
        ("VisibilityTimeout", "ten"),
        ("DelaySeconds", "901"),
        ("MaximumMessageSize", "1023"),
        ("MaximumMessageSize", "1048577"),
        ("MessageRetentionPeriod", "59"),
        ("MessageRetentionPeriod", "1209601"),
        ("ReceiveMessageWaitTimeSeconds", "21"),
        ("KmsDataKeyReusePeriodSeconds", "59"),
        ("SqsManagedSseEnabled", "maybe"),
    ] {
        assert_eq!(
            create("q", &[(name, bad)]).unwrap_err(),
            EngineError::InvalidAttributeValue(format!("Invalid value for the parameter {name}.")),
            "{name}={bad}"
        );
    }
    let mut q = standard(&[]);
    assert_eq!(
        q.get_attributes(&["Foobar".into()], at(0)).unwrap_err(),
        unknown("Foobar")
    );
    assert_eq!(
        q.set_attributes(&map(&[("Foobar", "1")]), &no_queues, at(0))
            .unwrap_err(),
        unknown("Foobar")
    );
}

#[test]
fn fifo_only_attributes_on_a_standard_queue() {
    assert_eq!(
        create("q", &[("FifoQueue", "false")]).unwrap_err(),
        unknown("FifoQueue")
    );
    assert_eq!(
        create("q", &[("ContentBasedDeduplication", "false")]).unwrap_err(),
        unknown("ContentBasedDeduplication")
    );
    for name in ["DeduplicationScope", "FifoThroughputLimit"] {
        assert_eq!(
            create("q", &[(name, "queue")]).unwrap_err(),
            EngineError::InvalidAttributeName(format!(
                "You can specify the {name} only when FifoQueue is set to true."
            ))
        );
    }
    let mut q = standard(&[]);
    for v in ["true", "false"] {
        assert_eq!(
            q.set_attributes(&map(&[("FifoQueue", v)]), &no_queues, at(0))
                .unwrap_err(),
            unknown("FifoQueue")
        );
    }
}

#[test]
fn fifo_names_and_the_fifo_queue_attribute_must_agree() {
    assert!(matches!(
        create("q", &[("FifoQueue", "true")]),
        Err(EngineError::InvalidParameterValue(_))
    ));
    assert!(matches!(
        create("q.fifo", &[]),
        Err(EngineError::InvalidParameterValue(_))
    ));
    assert!(matches!(
        create("q.fifo", &[("FifoQueue", "false")]),
        Err(EngineError::InvalidParameterValue(_))
    ));
    assert!(matches!(
        create("bad name", &[]),
        Err(EngineError::InvalidParameterValue(_))
    ));
}

#[test]
fn queue_type_cannot_change() {
    let mut q = fifo(&[]);
    q.set_attributes(&map(&[("FifoQueue", "true")]), &no_queues, at(0))
        .unwrap();
    assert_eq!(
        q.set_attributes(&map(&[("FifoQueue", "false")]), &no_queues, at(0)).unwrap_err(),
        EngineError::InvalidAttributeValue(
            "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.".into()
        )
    );
}

#[test]
fn read_only_attributes_cannot_be_set() {
    let mut q = standard(&[]);
    for name in [
        "QueueArn",
        "CreatedTimestamp",
        "LastModifiedTimestamp",
        "ApproximateNumberOfMessages",
    ] {
        assert_eq!(
            q.set_attributes(&map(&[(name, "1")]), &no_queues, at(0))
                .unwrap_err(),
            unknown(name)
        );
    }
}

#[test]
fn set_is_all_or_nothing() {
    let mut q = standard(&[]);
    let err = q.set_attributes(
        &map(&[("DelaySeconds", "5"), ("VisibilityTimeout", "99999")]),
        &no_queues,
        at(0),
    );
    assert!(err.is_err());
    let got = q.get_attributes(&["DelaySeconds".into()], at(0)).unwrap();
    assert_eq!(got[0].1, "0");
}

#[test]
fn encryption_kinds_exclude_each_other() {
    assert_eq!(
        create("q", &[("KmsMasterKeyId", "alias/aws/sqs"), ("SqsManagedSseEnabled", "true")])
            .unwrap_err(),
        EngineError::InvalidAttributeName(
            "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.".into()
        )
    );
    let mut q = create("q", &[("KmsMasterKeyId", "alias/aws/sqs")]).unwrap();
    let names = [
        "KmsDataKeyReusePeriodSeconds".to_string(),
        "KmsMasterKeyId".into(),
        "SqsManagedSseEnabled".into(),
    ];
    assert_eq!(
        q.get_attributes(&names, at(0)).unwrap(),
        vec![
            ("KmsDataKeyReusePeriodSeconds".into(), "300".into()),
            ("KmsMasterKeyId".into(), "alias/aws/sqs".into()),
            ("SqsManagedSseEnabled".into(), "false".into()),
        ]
    );
    q.set_attributes(&map(&[("KmsMasterKeyId", "")]), &no_queues, at(0))
        .unwrap();
    assert_eq!(
        q.get_attributes(&names, at(0)).unwrap(),
        vec![("SqsManagedSseEnabled".into(), "false".into())]
    );
    q.set_attributes(&map(&[("SqsManagedSseEnabled", "true")]), &no_queues, at(0))
        .unwrap();
    assert_eq!(q.get_attributes(&names, at(0)).unwrap()[0].1, "true");
}

#[test]
fn throughput_per_group_needs_message_group_scope() {
    assert!(matches!(
        create(
            "q.fifo",
            &[
                ("FifoQueue", "true"),
                ("FifoThroughputLimit", "perMessageGroupId")
            ]
        ),
        Err(EngineError::InvalidAttributeValue(_))
    ));
    assert!(
        create(
            "q.fifo",
            &[
                ("FifoQueue", "true"),
                ("DeduplicationScope", "messageGroup")
            ]
        )
        .is_ok(),
        "messageGroup scope works alone"
    );
    assert!(
        create(
            "q.fifo",
            &[("FifoQueue", "true"), ("DeduplicationScope", "group")]
        )
        .is_err()
    );
}

#[test]
fn policy_must_be_a_json_object_and_empty_removes_it() {
    let mut q = standard(&[]);
    assert!(
        q.set_attributes(&map(&[("Policy", "not json")]), &no_queues, at(0))
            .is_err()
    );
    let policy = r#"{"Version":"2012-10-17","Statement":[]}"#;
    q.set_attributes(&map(&[("Policy", policy)]), &no_queues, at(0))
        .unwrap();
    assert_eq!(
        q.get_attributes(&["Policy".into()], at(0)).unwrap()[0].1,
        policy
    );
    q.set_attributes(&map(&[("Policy", "")]), &no_queues, at(0))
        .unwrap();
    assert!(
        q.get_attributes(&["Policy".into()], at(0))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn create_idempotency_compares_given_attributes_with_current_values() {
    let mut q = fifo(&[
        ("VisibilityTimeout", "40"),
        ("ContentBasedDeduplication", "true"),
    ]);
    assert_eq!(q.check_same_attributes(&map(&[])), Ok(()));
    assert_eq!(
        q.check_same_attributes(&map(&[
            ("VisibilityTimeout", "40"),
            ("FifoQueue", "true"),
            ("ContentBasedDeduplication", "TRUE"),
            ("DelaySeconds", "0"),
        ])),
        Ok(())
    );
    assert_eq!(
        q.check_same_attributes(&map(&[("VisibilityTimeout", "41")])),
        Err(EngineError::QueueNameExists("VisibilityTimeout".into()))
    );
    q.set_attributes(&map(&[("VisibilityTimeout", "41")]), &no_queues, at(0))
        .unwrap();
    assert_eq!(
        q.check_same_attributes(&map(&[("VisibilityTimeout", "41")])),
        Ok(())
    );
    assert_eq!(
        EngineError::QueueNameExists("VisibilityTimeout".into()).to_string(),
        "A queue already exists with the same name and a different value for attribute VisibilityTimeout"
    );
}

#[test]
fn redrive_policy_round_trip_and_removal() {
    let dlq = arn("dlq");
    let resolve = |a: &str| (a == arn("dlq")).then_some(QueueKind::Standard);
    let mut q = standard(&[]);
    let policy = format!(r#"{{"deadLetterTargetArn":"{dlq}","maxReceiveCount":"5"}}"#);
    q.set_attributes(&map(&[("RedrivePolicy", &policy)]), &resolve, at(0))
        .unwrap();
    assert_eq!(q.dead_letter_target_arn(), Some(dlq.as_str()));
    assert_eq!(
        q.get_attributes(&["RedrivePolicy".into()], at(0)).unwrap()[0].1,
        format!(r#"{{"deadLetterTargetArn":"{dlq}","maxReceiveCount":5}}"#)
    );
    q.set_attributes(&map(&[("RedrivePolicy", "")]), &resolve, at(0))
        .unwrap();
    assert_eq!(q.dead_letter_target_arn(), None);
    assert!(
        q.get_attributes(&["All".into()], at(0))
            .unwrap()
            .iter()
            .all(|(k, _)| k != "RedrivePolicy")
    );
}
