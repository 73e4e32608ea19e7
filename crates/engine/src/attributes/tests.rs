//! Unit tests of attribute parsing details: RedrivePolicy and RedriveAllowPolicy.

use super::*;

fn standard_only(arn: &str) -> Option<QueueKind> {
    (arn == "arn:dlq").then_some(QueueKind::Standard)
}

fn parse(raw: &str) -> Result<Option<RedrivePolicy>, EngineError> {
    RedrivePolicy::parse(raw, QueueKind::Standard, &standard_only)
}

fn reason(raw: &str, reason: &str) -> EngineError {
    EngineError::InvalidParameterValue(format!(
        "Value {raw} for parameter RedrivePolicy is invalid. Reason: {reason}"
    ))
}

#[test]
fn redrive_policy_accepts_number_or_string_counts() {
    for raw in [
        r#"{"deadLetterTargetArn":"arn:dlq","maxReceiveCount":7}"#,
        r#"{"deadLetterTargetArn":"arn:dlq","maxReceiveCount":"7"}"#,
    ] {
        assert_eq!(
            parse(raw),
            Ok(Some(RedrivePolicy {
                dead_letter_target_arn: "arn:dlq".into(),
                max_receive_count: 7
            }))
        );
    }
    assert_eq!(parse(""), Ok(None));
}

#[test]
fn redrive_policy_errors() {
    assert_eq!(
        parse("{}"),
        Err(reason(
            "{}",
            "Redrive policy does not contain mandatory attribute: maxReceiveCount."
        ))
    );
    let no_target = r#"{"maxReceiveCount":"1000"}"#;
    assert_eq!(
        parse(no_target),
        Err(reason(
            no_target,
            "Redrive policy does not contain mandatory attribute: deadLetterTargetArn."
        ))
    );
    for count in ["0", "1001", "\"x\"", "1.5"] {
        let raw = format!(r#"{{"deadLetterTargetArn":"arn:dlq","maxReceiveCount":{count}}}"#);
        let shown = count.trim_matches('"');
        assert_eq!(
            parse(&raw),
            Err(reason(
                &raw,
                &format!(
                    "Invalid value for maxReceiveCount: {shown}, valid values are from 1 to 1000 both inclusive."
                )
            ))
        );
    }
    let missing = r#"{"deadLetterTargetArn":"arn:nope","maxReceiveCount":1}"#;
    assert_eq!(
        parse(missing),
        Err(reason(missing, "Dead letter target does not exist."))
    );
    let fifo_source = RedrivePolicy::parse(
        r#"{"deadLetterTargetArn":"arn:dlq","maxReceiveCount":1}"#,
        QueueKind::Fifo,
        &standard_only,
    );
    assert!(
        matches!(fifo_source, Err(EngineError::InvalidParameterValue(t)) if t.ends_with("Dead-letter queue must be same type of queue as the source."))
    );
    assert!(parse("[1]").is_err());
    assert!(parse("nope").is_err());
    assert!(parse(r#"{"deadLetterTargetArn":"arn:dlq","maxReceiveCount":1,"x":1}"#).is_err());
}

#[test]
fn redrive_allow_policy() {
    assert_eq!(redrive::parse_allow_policy(""), Ok(None));
    let ok = r#"{"redrivePermission":"byQueue","sourceQueueArns":["arn:a"]}"#;
    assert_eq!(redrive::parse_allow_policy(ok), Ok(Some(ok.into())));
    assert!(redrive::parse_allow_policy(r#"{"redrivePermission":"allowAll"}"#).is_ok());
    assert!(redrive::parse_allow_policy(r#"{"redrivePermission":"byQueue"}"#).is_err());
    assert!(redrive::parse_allow_policy(r#"{"redrivePermission":"sometimes"}"#).is_err());
    assert!(
        redrive::parse_allow_policy(r#"{"redrivePermission":"denyAll","sourceQueueArns":["a"]}"#)
            .is_err()
    );
}

#[test]
fn every_reported_name_is_gettable() {
    let attrs = QueueAttributes::for_create(
        "q.fifo",
        &BTreeMap::from([
            ("FifoQueue".to_string(), "true".to_string()),
            ("KmsMasterKeyId".to_string(), "k".to_string()),
            ("Policy".to_string(), "{}".to_string()),
            (
                "RedriveAllowPolicy".to_string(),
                r#"{"redrivePermission":"allowAll"}"#.to_string(),
            ),
        ]),
        &|_| None,
    )
    .unwrap();
    let ctx = RenderContext {
        arn: "arn",
        created: Timestamp(0),
        last_modified: Timestamp(0),
        counts: QueueCounts::default(),
    };
    let got = attrs.get(&["All".into()], &ctx).unwrap();
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    let expected: Vec<&str> = ATTRIBUTE_NAMES
        .iter()
        .copied()
        .filter(|n| *n != "RedrivePolicy")
        .collect();
    assert_eq!(names, expected);
}
