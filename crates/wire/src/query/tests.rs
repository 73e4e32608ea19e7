//! Query decoding: the flattener's rules (indices, empty lists, aliases, the path's
//! `QueueUrl`) and its answers to malformed input: truncated bodies, bad indices,
//! repeated names, invalid UTF-8 and huge values each give an exact SQS error,
//! never a panic.

use super::*;
use crate::model::Request;

fn decode_body(body: &str) -> Result<Request, SqsError> {
    decode(None, body.as_bytes(), "/")
}

fn err(body: &str) -> SqsError {
    decode_body(body).expect_err(body)
}

#[test]
fn flattened_lists_and_maps_decode_in_index_order() {
    let Request::SendMessageBatch(i) = decode_body(
        "Action=SendMessageBatch&QueueUrl=q\
         &SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=two\
         &SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=one\
         &SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=k\
         &SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String\
         &SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=v\
         &SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringListValue.1=x\
         &SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringListValue.2=y",
    )
    .unwrap() else {
        panic!("wrong operation")
    };
    let entries = i.entries.unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].id.as_deref(), Some("a"));
    assert_eq!(entries[1].message_body.as_deref(), Some("two"));
    let k = &entries[0].message_attributes["k"];
    assert_eq!(k.string_value.as_deref(), Some("v"));
    assert_eq!(k.string_list_values, ["x", "y"]);
}

#[test]
fn empty_lists_are_sent_as_the_bare_member_name() {
    let Request::SendMessageBatch(i) =
        decode_body("Action=SendMessageBatch&QueueUrl=q&Entries=").unwrap()
    else {
        panic!("wrong operation")
    };
    assert_eq!(i.entries.map(|e| e.len()), Some(0));
    let Request::GetQueueAttributes(i) =
        decode_body("Action=GetQueueAttributes&QueueUrl=q&AttributeNames=").unwrap()
    else {
        panic!("wrong operation")
    };
    assert!(i.attribute_names.is_empty());
    let Request::SendMessageBatch(i) = decode_body("Action=SendMessageBatch&QueueUrl=q").unwrap()
    else {
        panic!("wrong operation")
    };
    assert!(
        i.entries.is_none(),
        "an absent list stays absent (MissingParameter later)"
    );
}

#[test]
fn tag_queue_accepts_both_tag_spellings() {
    for prefix in ["Tag", "Tags"] {
        let body = format!("Action=TagQueue&QueueUrl=q&{prefix}.1.Key=k&{prefix}.1.Value=");
        let Request::TagQueue(i) = decode_body(&body).unwrap() else {
            panic!("wrong operation")
        };
        assert_eq!(i.tags.unwrap()["k"], "");
    }
}

#[test]
fn queue_url_comes_from_the_path_unless_given() {
    let from_path = decode(None, b"Action=PurgeQueue", "/000000000000/jobs").unwrap();
    let Request::PurgeQueue(i) = from_path else {
        panic!()
    };
    assert_eq!(i.queue_url.as_deref(), Some("/000000000000/jobs"));
    let param_wins = decode(
        None,
        b"Action=PurgeQueue&QueueUrl=other",
        "/000000000000/jobs",
    )
    .unwrap();
    let Request::PurgeQueue(i) = param_wins else {
        panic!()
    };
    assert_eq!(i.queue_url.as_deref(), Some("other"));
    let from_get = decode(Some("Action=PurgeQueue"), b"", "/000000000000/jobs").unwrap();
    assert!(matches!(from_get, Request::PurgeQueue(_)));
}

#[test]
fn actions_are_checked() {
    let e = err("QueueName=q");
    assert_eq!(
        (e.code, e.message.as_ref()),
        (
            ErrorCode::MissingAction,
            "The request must contain the parameter Action."
        )
    );
    let e = err("Action=Frobnicate");
    assert_eq!(
        (e.code, e.message.as_ref()),
        (
            ErrorCode::InvalidAction,
            "The action Frobnicate is not valid for this endpoint."
        )
    );
    let e = decode(None, b"Action=CreateQueue&QueueName=q", "/000000000000/q").unwrap_err();
    assert_eq!(
        (e.code, e.message.as_ref()),
        (
            ErrorCode::InvalidAction,
            "The action CreateQueue is not valid for this endpoint."
        )
    );
}

const ENTRY: &str = "DeleteMessageBatchRequestEntry";

#[test]
fn bad_list_indices_are_invalid_parameter_values() {
    let cases = [
        (
            format!(
                "Action=DeleteMessageBatch&QueueUrl=q&{ENTRY}.0.Id=a&{ENTRY}.0.ReceiptHandle=r"
            ),
            format!(
                "Value 0 for parameter {ENTRY} is invalid. Reason: List indices must be whole numbers starting at 1."
            ),
        ),
        (
            format!("Action=DeleteMessageBatch&QueueUrl=q&{ENTRY}.1.Id=a&{ENTRY}.3.Id=c"),
            format!(
                "Value 3 for parameter {ENTRY} is invalid. Reason: List indices must be consecutive from 1; index 2 is missing."
            ),
        ),
        (
            format!("Action=DeleteMessageBatch&QueueUrl=q&{ENTRY}.x.Id=a"),
            format!(
                "Value x for parameter {ENTRY} is invalid. Reason: List indices must be whole numbers starting at 1."
            ),
        ),
        (
            format!("Action=DeleteMessageBatch&QueueUrl=q&{ENTRY}.01.Id=a"),
            format!(
                "Value 01 for parameter {ENTRY} is invalid. Reason: List indices must be whole numbers starting at 1."
            ),
        ),
        (
            format!("Action=DeleteMessageBatch&QueueUrl=q&{ENTRY}.99999999999999999999999.Id=a"),
            format!(
                "Value 99999999999999999999999 for parameter {ENTRY} is invalid. Reason: List indices must be whole numbers starting at 1."
            ),
        ),
        (
            // A huge but valid index is a gap, found without allocating for it.
            format!("Action=DeleteMessageBatch&QueueUrl=q&{ENTRY}.4000000000.Id=a"),
            format!(
                "Value 4000000000 for parameter {ENTRY} is invalid. Reason: List indices must be consecutive from 1; index 1 is missing."
            ),
        ),
    ];
    for (body, message) in cases {
        let e = err(&body);
        assert_eq!(
            (e.code, e.message.as_ref()),
            (ErrorCode::InvalidParameterValue, message.as_str()),
            "{body}"
        );
    }
}

#[test]
fn eleven_entries_reach_the_service_as_eleven() {
    let body: String = (1..=11)
        .map(|i| format!("&{ENTRY}.{i}.Id=e{i}&{ENTRY}.{i}.ReceiptHandle=r"))
        .collect();
    let Request::DeleteMessageBatch(i) =
        decode_body(&format!("Action=DeleteMessageBatch&QueueUrl=q{body}")).unwrap()
    else {
        panic!("wrong operation")
    };
    // TooManyEntriesInBatchRequest is the engine's to give, with the count sent.
    assert_eq!(i.entries.unwrap().len(), 11);
}

#[test]
fn map_entries_need_a_name_and_a_value() {
    let e = err("Action=CreateQueue&QueueName=q&Attribute.1.Value=40");
    assert_eq!(
        (e.code, e.message.as_ref()),
        (
            ErrorCode::MissingParameter,
            "The request must contain the parameter Attribute.1.Name."
        )
    );
    let e = err(
        "Action=CreateQueue&QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.2.Name=DelaySeconds&Attribute.1.Value=1&Attribute.2.Value=2",
    );
    assert_eq!(
        e.message,
        "Value DelaySeconds for parameter Attribute.2.Name is invalid. Reason: The name was given more than once."
    );
}

#[test]
fn scalars_are_typed() {
    let e = err("Action=ReceiveMessage&QueueUrl=q&MaxNumberOfMessages=ten");
    assert_eq!(
        (e.code, e.message.as_ref()),
        (
            ErrorCode::InvalidParameterValue,
            "Value ten for parameter MaxNumberOfMessages is invalid. Reason: Must be an integer."
        )
    );
    let e = err("Action=ReceiveMessage&QueueUrl=q&WaitTimeSeconds=99999999999999999999");
    assert_eq!(
        e.message,
        "Value 99999999999999999999 for parameter WaitTimeSeconds is invalid. Reason: Must be an integer."
    );
    let e = err(
        "Action=SendMessage&QueueUrl=q&MessageBody=b&MessageAttribute.1.Name=n&MessageAttribute.1.Value.DataType=Binary&MessageAttribute.1.Value.BinaryValue=%21%21",
    );
    assert_eq!(
        e.message,
        "Value !! for parameter MessageAttribute.1.Value.BinaryValue is invalid. Reason: Must be base64-encoded binary data."
    );
}

#[test]
fn repeated_names_and_invalid_utf8_are_refused() {
    let e = err("Action=SendMessage&QueueUrl=q&MessageBody=a&MessageBody=b");
    assert_eq!(
        (e.code, e.message.as_ref()),
        (
            ErrorCode::InvalidParameterValue,
            "Value b for parameter MessageBody is invalid. Reason: The parameter was given more than once."
        )
    );
    let e = decode(
        None,
        b"Action=SendMessage&QueueUrl=q&MessageBody=%C3%28",
        "/",
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "Value for parameter MessageBody is invalid. Reason: it is not valid UTF-8."
    );
    let e = decode(None, b"Action=SendMessage&QueueUrl=q&MessageBody=\xff", "/").unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidParameterValue);
    // A parameter repeated across the query string and the body is repeated too.
    let e = decode(Some("Action=PurgeQueue"), b"Action=PurgeQueue", "/").unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidParameterValue);
}

#[test]
fn huge_values_decode_and_are_left_to_the_size_rules() {
    let body = format!(
        "Action=SendMessage&QueueUrl=q&MessageBody={}",
        "x".repeat(3 << 20)
    );
    let Request::SendMessage(i) = decode_body(&body).unwrap() else {
        panic!()
    };
    assert_eq!(i.message_body.map(|b| b.len()), Some(3 << 20));
}

/// Every prefix of a real request decodes to a request or an SQS error; never a panic.
#[test]
fn truncated_bodies_never_panic() {
    let full = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/SendMessage/query.req"
    ))
    .unwrap();
    let mut errors = 0;
    for cut in 0..=full.len() {
        if decode(None, &full[..cut], "/").is_err() {
            errors += 1;
        }
    }
    assert!(errors > 0);
    // Cut inside a percent escape: the exact AWS answer to a broken query string.
    let cut = b"Action=SendMessage&QueueUrl=q&MessageBody=a%4";
    let e = decode(None, cut, "/").unwrap_err();
    assert_eq!(
        (e.code, e.message.as_ref(), e.code.status()),
        (
            ErrorCode::MalformedQueryString,
            "The query string contains a syntax error.",
            404
        )
    );
    // Cut inside a list entry: the entry is incomplete and says what it lacks.
    let e =
        err("Action=CreateQueue&QueueName=q&Attribute.1.Name=VisibilityTimeout&Attribute.1.Val");
    assert_eq!(
        e.message,
        "The request must contain the parameter Attribute.1.Value."
    );
}

/// Arbitrary bytes (a deterministic xorshift stream, so failures reproduce) never panic.
#[test]
fn random_bytes_never_panic() {
    let alphabet = b"Action=SendMessageBatch&.%0123456789ABCDEFabcdef=+Entry.SendMessageBatchRequestEntry.Id.MessageBody\xff\xc3";
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..5_000 {
        let mut body = b"Action=SendMessageBatch&QueueUrl=q&".to_vec();
        for _ in 0..(state % 120) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            body.push(alphabet[(state % alphabet.len() as u64) as usize]);
        }
        let _ = decode(None, &body, "/");
    }
}
