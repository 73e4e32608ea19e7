//! AWS JSON 1.0: request bodies to [`Request`], [`Response`] and [`SqsError`] to bodies.

use crate::error::{ErrorCode, SqsError};
use crate::model::{Operation, Request, Response};
use crate::protocol::TARGET_PREFIX;

mod send;

/// The content type of every JSON request and response.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.0";

/// Decodes a request from its `X-Amz-Target` value and body.
pub fn decode(target: &str, body: &[u8]) -> Result<Request, SqsError> {
    let name = target.strip_prefix(TARGET_PREFIX).unwrap_or(target);
    let op = Operation::from_name(name).ok_or_else(|| {
        SqsError::new(
            ErrorCode::UnknownOperation,
            format!("The action {name} is not valid for this endpoint."),
        )
    })?;
    // JS v3 always sends `{}`, but raw clients may send nothing for input-less ops.
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    Request::from_json(op, body).map_err(|err| {
        SqsError::new(
            ErrorCode::SerializationException,
            format!("The request body could not be parsed: {err}"),
        )
    })
}

/// Encodes a successful response body.
pub fn encode(response: &Response) -> Vec<u8> {
    match response {
        Response::SendMessage(out) => {
            let mut body = Vec::with_capacity(256);
            send::send_message(&mut body, out);
            body
        }
        Response::SendMessageBatch(out) => {
            let mut body = Vec::with_capacity(2048);
            send::send_message_batch(&mut body, out);
            body
        }
        other => other.to_json(),
    }
}

/// Encodes an error body: `{"__type": ..., "message": ...}`.
pub fn encode_error(error: &SqsError) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "__type": error.code.json_type(),
        "message": error.message,
    }))
    .expect("a map of strings always serializes")
}

/// The value of the `x-amzn-query-error` header for `code`.
pub fn query_error_header(code: ErrorCode) -> String {
    format!("{};{}", code.query_code(), code.fault())
}

/// Serde adapter: an optional blob as a base64 string.
pub(crate) mod base64_opt {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(bytes) => s.serialize_str(&STANDARD.encode(bytes)),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        text.map(|t| {
            STANDARD
                .decode(t.as_bytes())
                .map_err(serde::de::Error::custom)
        })
        .transpose()
    }
}

/// Serde adapter: a list of blobs as base64 strings.
pub(crate) mod base64_vec {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|b| STANDARD.encode(b)))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<u8>>, D::Error> {
        let texts: Vec<String> = Vec::deserialize(d)?;
        texts
            .iter()
            .map(|t| {
                STANDARD
                    .decode(t.as_bytes())
                    .map_err(serde::de::Error::custom)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Empty, SendMessageBatchOutput, SendMessageBatchResultEntry, SendMessageOutput,
    };

    #[test]
    fn decodes_send_message_with_binary_attribute() {
        let body = br#"{"QueueUrl":"http://h/000000000000/q","MessageBody":"hi",
            "MessageAttributes":{"b":{"DataType":"Binary","BinaryValue":"AAEC"}}}"#;
        let Request::SendMessage(input) = decode("AmazonSQS.SendMessage", body).unwrap() else {
            panic!("wrong operation")
        };
        assert_eq!(input.message_body.as_deref(), Some("hi"));
        assert_eq!(
            input.message_attributes["b"].binary_value,
            Some(vec![0, 1, 2])
        );
    }

    #[test]
    fn bodies_that_are_not_utf8_are_serialization_errors_with_a_position() {
        let body = b"{\"QueueUrl\":\"q\",\"MessageBody\":\"a\xff\"}";
        let err = decode("AmazonSQS.SendMessage", body).unwrap_err();
        assert_eq!(err.code, ErrorCode::SerializationException);
        assert_eq!(
            err.message,
            "The request body could not be parsed: invalid unicode code point at line 1 column 33"
        );
        let text = "{\"QueueUrl\":\"q\",\"MessageBody\":\"caf\u{e9} \u{1f600}\"}";
        let Request::SendMessage(input) = decode("AmazonSQS.SendMessage", text.as_bytes()).unwrap()
        else {
            panic!("wrong operation")
        };
        assert_eq!(input.message_body.as_deref(), Some("caf\u{e9} \u{1f600}"));
    }

    #[test]
    fn unknown_target_is_unknown_operation() {
        let err = decode("AmazonSQS.Frobnicate", b"{}").unwrap_err();
        assert_eq!(err.code, ErrorCode::UnknownOperation);
    }

    #[test]
    fn wrong_member_type_is_serialization_exception() {
        let err = decode(
            "AmazonSQS.ReceiveMessage",
            br#"{"MaxNumberOfMessages":"x"}"#,
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::SerializationException);
        let err = decode("AmazonSQS.ReceiveMessage", b"{not json").unwrap_err();
        assert_eq!(err.code, ErrorCode::SerializationException);
    }

    #[test]
    fn empty_body_decodes_as_empty_object() {
        assert!(matches!(
            decode("AmazonSQS.ListQueues", b"").unwrap(),
            Request::ListQueues(_)
        ));
    }

    #[test]
    fn absent_members_are_omitted() {
        let out = Response::SendMessage(SendMessageOutput {
            md5_of_message_body: "m".into(),
            message_id: "id".into(),
            ..Default::default()
        });
        assert_eq!(
            String::from_utf8(encode(&out)).unwrap(),
            r#"{"MD5OfMessageBody":"m","MessageId":"id"}"#
        );
        assert_eq!(encode(&Response::DeleteQueue(Empty {})), b"{}");
    }

    #[test]
    fn batch_entries_are_flat_objects_with_every_member_present_or_omitted() {
        let entry = |id: &str, all: bool| SendMessageBatchResultEntry {
            id: id.into(),
            result: SendMessageOutput {
                md5_of_message_body: "b".into(),
                md5_of_message_attributes: all.then(|| "a".into()),
                md5_of_message_system_attributes: all.then(|| "s".into()),
                message_id: "m".into(),
                sequence_number: all.then(|| "7".into()),
            },
        };
        let out = Response::SendMessageBatch(SendMessageBatchOutput {
            successful: vec![entry("x", true), entry("y", false)],
            failed: vec![],
        });
        assert_eq!(
            String::from_utf8(encode(&out)).unwrap(),
            concat!(
                r#"{"Successful":[{"Id":"x","MD5OfMessageBody":"b","MD5OfMessageAttributes":"a","#,
                r#""MD5OfMessageSystemAttributes":"s","MessageId":"m","SequenceNumber":"7"},"#,
                r#"{"Id":"y","MD5OfMessageBody":"b","MessageId":"m"}]}"#
            )
        );
    }

    #[test]
    fn error_body_and_header() {
        let err = SqsError::queue_does_not_exist();
        assert_eq!(
            String::from_utf8(encode_error(&err)).unwrap(),
            r#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}"#
        );
        assert_eq!(
            query_error_header(err.code),
            "AWS.SimpleQueueService.NonExistentQueue;Sender"
        );
    }
}
