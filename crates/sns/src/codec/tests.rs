use super::model::{BatchResultEntry, Response};
use super::*;
use crate::error::{ErrorCode, SnsError};
use crate::registry::SubscriptionSummary;

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

#[test]
fn decodes_maps_lists_and_message_attributes() {
    let body = "Action=CreateTopic&Version=2010-03-31&Name=t.fifo\
        &Attributes.entry.1.key=FifoTopic&Attributes.entry.1.value=true\
        &Attributes.entry.2.key=ContentBasedDeduplication&Attributes.entry.2.value=true\
        &Tags.member.1.Key=team&Tags.member.1.Value=a%26b";
    let Request::CreateTopic(input) = decode(None, body.as_bytes()).unwrap() else {
        panic!("not CreateTopic");
    };
    assert_eq!(input.name, "t.fifo");
    assert_eq!(
        input.attributes,
        vec![
            ("FifoTopic".to_string(), "true".to_string()),
            ("ContentBasedDeduplication".to_string(), "true".to_string())
        ]
    );
    assert_eq!(input.tags, vec![("team".to_string(), "a&b".to_string())]);

    let body = "Action=Publish&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A0%3At.fifo&Message=hi\
        &MessageGroupId=g&MessageDeduplicationId=d&Subject=s\
        &MessageAttributes.entry.1.Name=n&MessageAttributes.entry.1.Value.DataType=Number&MessageAttributes.entry.1.Value.StringValue=1.5\
        &MessageAttributes.entry.2.Name=b&MessageAttributes.entry.2.Value.DataType=Binary&MessageAttributes.entry.2.Value.BinaryValue=AgME";
    let Request::Publish { topic_arn, fields } = decode(None, body.as_bytes()).unwrap() else {
        panic!("not Publish");
    };
    assert_eq!(topic_arn.as_deref(), Some("arn:aws:sns:us-east-1:0:t.fifo"));
    assert_eq!(fields.message.as_deref(), Some("hi"));
    assert_eq!(fields.message_group_id.as_deref(), Some("g"));
    assert_eq!(fields.message_deduplication_id.as_deref(), Some("d"));
    assert_eq!(fields.subject.as_deref(), Some("s"));
    assert_eq!(fields.message_attributes.len(), 2);
    assert_eq!(fields.message_attributes[0].name, "n");
    assert_eq!(
        fields.message_attributes[0].string_value.as_deref(),
        Some("1.5")
    );
    assert_eq!(
        fields.message_attributes[1].binary_value.as_deref(),
        Some(&[2u8, 3, 4][..])
    );
}

#[test]
fn decodes_batches_in_index_order_and_target_arn() {
    let body = "Action=PublishBatch&TopicArn=t\
        &PublishBatchRequestEntries.member.10.Id=ten&PublishBatchRequestEntries.member.10.Message=m10\
        &PublishBatchRequestEntries.member.2.Id=two&PublishBatchRequestEntries.member.2.Message=m2\
        &PublishBatchRequestEntries.member.2.MessageAttributes.entry.1.Name=k\
        &PublishBatchRequestEntries.member.2.MessageAttributes.entry.1.Value.DataType=String\
        &PublishBatchRequestEntries.member.2.MessageAttributes.entry.1.Value.StringValue=v";
    let Request::PublishBatch { entries, .. } = decode(None, body.as_bytes()).unwrap() else {
        panic!("not PublishBatch");
    };
    let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["two", "ten"]);
    assert_eq!(
        entries[0].fields.message_attributes[0]
            .string_value
            .as_deref(),
        Some("v")
    );
    let req = decode(Some("Action=Publish&TargetArn=x&Message=m"), b"").unwrap();
    assert!(matches!(req, Request::Publish { topic_arn: Some(t), .. } if t == "x"));
    let req = decode(
        None,
        b"Action=UntagResource&ResourceArn=r&TagKeys.member.1=a&TagKeys.member.2=b",
    )
    .unwrap();
    assert_eq!(
        req,
        Request::UntagResource {
            resource_arn: "r".into(),
            tag_keys: vec!["a".into(), "b".into()]
        }
    );
}

#[test]
fn unknown_unserved_and_missing_actions() {
    let err = decode(None, b"Action=ConfirmSubscription&TopicArn=t&Token=x").unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        (
            ErrorCode::InvalidAction,
            "The action ConfirmSubscription is not supported by fifowin."
        )
    );
    let err = decode(None, b"Action=Frobnicate").unwrap_err();
    assert_eq!(
        err.message,
        "The action Frobnicate is not valid for this endpoint."
    );
    assert_eq!(
        decode(None, b"Version=2010-03-31").unwrap_err().code,
        ErrorCode::MissingAction
    );
    let err = decode(None, b"Action=DeleteTopic").unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        (
            ErrorCode::ValidationError,
            "1 validation error detected: Value null at 'topicArn' failed to satisfy constraint: Member must not be null"
        )
    );
    assert_eq!(
        decode(None, b"Action=ListTopics&NextToken=%ZZ")
            .unwrap_err()
            .code,
        ErrorCode::MalformedQueryString
    );
    // Every served operation decodes from its name.
    for op in Operation::ALL {
        assert_eq!(Operation::from_name(op.name()), Some(*op));
        assert!(!model::NOT_SERVED.contains(&op.name()));
    }
}

#[test]
fn encodes_results_and_empty_lists() {
    let xml = text(encode(
        &Response::CreateTopic {
            topic_arn: "arn:aws:sns:us-east-1:0:o.fifo".into(),
        },
        "rid",
    ));
    assert_eq!(
        xml,
        "<?xml version=\"1.0\"?><CreateTopicResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><CreateTopicResult><TopicArn>arn:aws:sns:us-east-1:0:o.fifo</TopicArn></CreateTopicResult><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></CreateTopicResponse>"
    );
    let xml = text(encode(
        &Response::PublishBatch {
            successful: vec![BatchResultEntry {
                id: "a".into(),
                message_id: "m".into(),
                sequence_number: Some("10000000000000000001".into()),
            }],
            failed: vec![],
        },
        "r",
    ));
    assert!(xml.contains("<PublishBatchResult><Successful><member><Id>a</Id><MessageId>m</MessageId><SequenceNumber>10000000000000000001</SequenceNumber></member></Successful><Failed/></PublishBatchResult>"), "{xml}");
    let xml = text(encode(&Response::TagResource, "r"));
    assert!(
        xml.contains("<TagResourceResult/><ResponseMetadata>"),
        "{xml}"
    );
    let xml = text(encode(&Response::DeleteTopic, "r"));
    assert!(!xml.contains("DeleteTopicResult"), "{xml}");
    let xml = text(encode(
        &Response::ListSubscriptions {
            subscriptions: vec![SubscriptionSummary {
                subscription_arn: "s".into(),
                owner: "o".into(),
                protocol: "sqs".into(),
                endpoint: "e".into(),
                topic_arn: "t".into(),
            }],
            next_token: Some("n".into()),
        },
        "r",
    ));
    assert!(xml.contains("<Subscriptions><member><SubscriptionArn>s</SubscriptionArn><Owner>o</Owner><Protocol>sqs</Protocol><Endpoint>e</Endpoint><TopicArn>t</TopicArn></member></Subscriptions><NextToken>n</NextToken>"), "{xml}");
    let mut attributes = std::collections::BTreeMap::new();
    attributes.insert("Policy".to_string(), r#"{"a":"<b>"}"#.to_string());
    let xml = text(encode(&Response::GetTopicAttributes { attributes }, "r"));
    assert!(xml.contains("<Attributes><entry><key>Policy</key><value>{&quot;a&quot;:&quot;&lt;b&gt;&quot;}</value></entry></Attributes>"), "{xml}");
}

#[test]
fn encodes_errors_with_type_code_and_status() {
    let err = SnsError::topic_not_found();
    assert_eq!(err.code.status(), 404);
    assert_eq!(
        text(encode_error(&err, "rid")),
        "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error><RequestId>rid</RequestId></ErrorResponse>"
    );
    assert_eq!(ErrorCode::InternalError.fault(), "Receiver");
    assert_eq!(ErrorCode::FilterPolicyLimitExceeded.status(), 403);
    assert_eq!(
        ErrorCode::ParameterValueInvalid.code(),
        "ParameterValueInvalid"
    );
}

#[test]
fn routes_by_credential_scope_then_version() {
    let sns_auth = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=00";
    let sqs_auth = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00";
    assert!(is_sns_request(
        Some(sns_auth),
        None,
        b"Action=AddPermission&Version=2012-11-05"
    ));
    assert!(!is_sns_request(
        Some(sqs_auth),
        None,
        b"Action=AddPermission&Version=2010-03-31"
    ));
    assert!(is_sns_request(
        None,
        None,
        b"Action=AddPermission&Version=2010-03-31"
    ));
    assert!(is_sns_request(
        None,
        Some("Action=ListTopics&Version=2010-03-31"),
        b""
    ));
    assert!(!is_sns_request(
        None,
        None,
        b"Action=AddPermission&Version=2012-11-05"
    ));
    assert!(!is_sns_request(None, None, b"Action=ListTopics"));
}

#[test]
fn decodes_get_query_strings() {
    let req = decode(
        Some("Action=GetTopicAttributes&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A0%3At"),
        b"",
    )
    .unwrap();
    assert_eq!(
        req,
        Request::GetTopicAttributes {
            topic_arn: "arn:aws:sns:us-east-1:0:t".into()
        }
    );
}

proptest::proptest! {
    /// Any bytes decode to a request of the named operation or a client error, never a panic.
    #[test]
    fn decode_never_panics(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200), action in 0usize..16) {
        let op = Operation::ALL[action % Operation::ALL.len()].name();
        let mut input = format!("Action={op}&").into_bytes();
        input.extend(&body);
        match decode(None, &input) {
            Ok(request) => proptest::prop_assert_eq!(request.operation().name(), op),
            Err(err) => proptest::prop_assert_eq!(err.code.status(), 400),
        }
        if let Err(err) = decode(None, &body) {
            proptest::prop_assert_eq!(err.code.status(), 400);
        }
    }
}
