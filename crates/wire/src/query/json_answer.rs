//! Query requests that ask for JSON (`Accept: application/json`): AWS answers
//! them with a JSON rendering of the Query response instead of XML.
//!
//! The rendering keeps the Query envelope (`{"<Op>Response": {"<Op>Result": ..,
//! "ResponseMetadata": {"RequestId": ..}}}`, no `Result` for operations without
//! output) and names members as the Query-era model does, except the two lists
//! AWS's answers are recorded with in lower case: `ListQueuesResult.queueUrls`
//! and `ReceiveMessageResult.messages`. Every member is present, `null` when
//! absent or an empty list (clients read `NextToken` and `messages` without
//! checking for them); maps are lists of pairs (`[{"Name": .., "Value": ..}]`,
//! tags `[{"Key": .., "Value": ..}]`). Errors are `{"Error": {"Code", "Message"}}`
//! with the Query error code. DESIGN.md, "JSON answers to Query requests".

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use super::ser::query_message;
use crate::error::SqsError;
use crate::model::*;

/// The content type of a JSON answer to a Query request.
pub const JSON_CONTENT_TYPE: &str = "application/json";

/// Whether an `Accept` header value asks for JSON (anywhere in its list).
pub fn accepts_json(accept: &str) -> bool {
    accept.split(',').any(|range| {
        range
            .split(';')
            .next()
            .is_some_and(|media| media.trim().eq_ignore_ascii_case(JSON_CONTENT_TYPE))
    })
}

/// Encodes a successful response for request `request_id` as JSON.
pub fn encode_json(response: &Response, request_id: &str) -> Vec<u8> {
    let op = response.operation().name();
    let mut body = Map::new();
    if let Some(result) = result(response) {
        body.insert(format!("{op}Result"), result);
    }
    body.insert(
        "ResponseMetadata".into(),
        json!({ "RequestId": request_id }),
    );
    let mut root = Map::new();
    root.insert(format!("{op}Response"), Value::Object(body));
    to_bytes(&Value::Object(root))
}

/// Encodes an error as JSON, with the Query code and wording.
pub fn encode_json_error(error: &SqsError) -> Vec<u8> {
    to_bytes(&json!({
        "Error": { "Code": error.code.query_code(), "Message": query_message(error) }
    }))
}

fn to_bytes(value: &Value) -> Vec<u8> {
    // A `Value` of strings, numbers and booleans always serializes.
    serde_json::to_vec(value).unwrap_or_default()
}

fn opt(value: Option<&str>) -> Value {
    value.map_or(Value::Null, Value::from)
}

/// An empty list is `null`, as AWS renders it.
fn list(items: Vec<Value>) -> Value {
    if items.is_empty() {
        Value::Null
    } else {
        Value::Array(items)
    }
}

fn pairs<'a>(key: &str, map: impl IntoIterator<Item = (&'a String, Value)>) -> Value {
    list(
        map.into_iter()
            .map(|(k, v)| json!({ key: k, "Value": v }))
            .collect(),
    )
}

fn strings(map: &StringMap, key: &str) -> Value {
    pairs(key, map.iter().map(|(k, v)| (k, Value::from(v.as_str()))))
}

fn result(response: &Response) -> Option<Value> {
    use Response as R;
    Some(match response {
        R::CreateQueue(o) | R::GetQueueUrl(o) => json!({ "QueueUrl": o.queue_url }),
        R::ListQueues(o) => urls(&o.queue_urls, o.next_token.as_deref()),
        R::ListDeadLetterSourceQueues(o) => urls(&o.queue_urls, o.next_token.as_deref()),
        R::GetQueueAttributes(o) => json!({ "Attributes": strings(&o.attributes, "Name") }),
        R::ListQueueTags(o) => json!({ "Tags": strings(&o.tags, "Key") }),
        R::SendMessage(o) => send_result(o, Map::new()),
        R::SendMessageBatch(o) => {
            let successful = o
                .successful
                .iter()
                .map(|e| {
                    let mut id = Map::new();
                    id.insert("Id".into(), Value::from(e.id.as_str()));
                    send_result(&e.result, id)
                })
                .collect();
            json!({ "Failed": errors(&o.failed), "Successful": list(successful) })
        }
        R::ReceiveMessage(o) => {
            json!({ "messages": list(o.messages.iter().map(message).collect()) })
        }
        R::DeleteMessageBatch(o) | R::ChangeMessageVisibilityBatch(o) => {
            let successful = o.successful.iter().map(|e| json!({ "Id": e.id })).collect();
            json!({ "Failed": errors(&o.failed), "Successful": list(successful) })
        }
        R::StartMessageMoveTask(o) => json!({ "TaskHandle": o.task_handle }),
        R::CancelMessageMoveTask(o) => json!({
            "ApproximateNumberOfMessagesMoved": o.approximate_number_of_messages_moved
        }),
        R::ListMessageMoveTasks(o) => {
            json!({ "Results": list(o.results.iter().map(move_task).collect()) })
        }
        R::DeleteQueue(_)
        | R::SetQueueAttributes(_)
        | R::PurgeQueue(_)
        | R::DeleteMessage(_)
        | R::ChangeMessageVisibility(_)
        | R::TagQueue(_)
        | R::UntagQueue(_)
        | R::AddPermission(_)
        | R::RemovePermission(_) => return None,
    })
}

fn urls(urls: &[String], next_token: Option<&str>) -> Value {
    json!({
        "NextToken": opt(next_token),
        "queueUrls": list(urls.iter().map(|u| Value::from(u.as_str())).collect()),
    })
}

/// A send result's members, added to `fields` (a batch entry's `Id`).
fn send_result(o: &SendMessageOutput, mut fields: Map<String, Value>) -> Value {
    let members = [
        (
            "MD5OfMessageAttributes",
            opt(o.md5_of_message_attributes.as_deref()),
        ),
        (
            "MD5OfMessageBody",
            Value::from(o.md5_of_message_body.as_str()),
        ),
        (
            "MD5OfMessageSystemAttributes",
            opt(o.md5_of_message_system_attributes.as_deref()),
        ),
        ("MessageId", Value::from(o.message_id.as_str())),
        ("SequenceNumber", opt(o.sequence_number.as_deref())),
    ];
    fields.extend(members.map(|(k, v)| (k.to_string(), v)));
    Value::Object(fields)
}

fn errors(failed: &[BatchResultErrorEntry]) -> Value {
    list(
        failed
            .iter()
            .map(|e| {
                json!({
                    "Code": e.code,
                    "Id": e.id,
                    "Message": e.message,
                    "SenderFault": e.sender_fault,
                })
            })
            .collect(),
    )
}

fn message(m: &Message) -> Value {
    json!({
        "Attributes": strings(&m.attributes, "Name"),
        "Body": m.body,
        "MD5OfBody": m.md5_of_body,
        "MD5OfMessageAttributes": opt(m.md5_of_message_attributes.as_deref()),
        "MessageAttributes": pairs(
            "Name",
            m.message_attributes.iter().map(|(k, v)| (k, attribute_value(v))),
        ),
        "MessageId": m.message_id,
        "ReceiptHandle": m.receipt_handle,
    })
}

fn attribute_value(v: &MessageAttributeValue) -> Value {
    let encode = |b: &Vec<u8>| Value::from(STANDARD.encode(b));
    json!({
        "BinaryListValues": list(v.binary_list_values.iter().map(encode).collect()),
        "BinaryValue": v.binary_value.as_ref().map_or(Value::Null, encode),
        "DataType": opt(v.data_type.as_deref()),
        "StringListValues": list(
            v.string_list_values.iter().map(|s| Value::from(s.as_str())).collect()
        ),
        "StringValue": opt(v.string_value.as_deref()),
    })
}

fn move_task(t: &ListMessageMoveTasksResultEntry) -> Value {
    json!({
        "ApproximateNumberOfMessagesMoved": t.approximate_number_of_messages_moved,
        "ApproximateNumberOfMessagesToMove": t.approximate_number_of_messages_to_move,
        "DestinationArn": t.destination_arn,
        "FailureReason": t.failure_reason,
        "MaxNumberOfMessagesPerSecond": t.max_number_of_messages_per_second,
        "SourceArn": t.source_arn,
        "StartedTimestamp": t.started_timestamp,
        "Status": t.status,
        "TaskHandle": t.task_handle,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn parse(bytes: &[u8]) -> Value {
        serde_json::from_slice(bytes).expect("JSON")
    }

    #[test]
    fn accept_lists_with_json_anywhere_ask_for_json() {
        assert!(accepts_json("application/json"));
        assert!(accepts_json("application/json, text/plain, */*"));
        assert!(accepts_json("text/xml;q=0.9, Application/JSON;q=1"));
        assert!(!accepts_json("*/*"));
        assert!(!accepts_json("text/xml"));
        assert!(!accepts_json("application/x-amz-json-1.0"));
    }

    #[test]
    fn list_queues_renders_lower_case_queue_urls_and_a_null_token() {
        let out = Response::ListQueues(ListQueuesOutput {
            queue_urls: vec!["http://h/000000000000/a".into()],
            next_token: None,
        });
        assert_eq!(
            parse(&encode_json(&out, "rid")),
            json!({ "ListQueuesResponse": {
                "ListQueuesResult": { "NextToken": null, "queueUrls": ["http://h/000000000000/a"] },
                "ResponseMetadata": { "RequestId": "rid" },
            }})
        );
    }

    #[test]
    fn an_empty_receive_renders_null_messages() {
        let out = Response::ReceiveMessage(ReceiveMessageOutput::default());
        assert_eq!(
            parse(&encode_json(&out, "r"))["ReceiveMessageResponse"]["ReceiveMessageResult"],
            json!({ "messages": null })
        );
    }

    #[test]
    fn operations_without_output_have_only_metadata() {
        let out = Response::DeleteQueue(Empty {});
        assert_eq!(
            parse(&encode_json(&out, "r")),
            json!({ "DeleteQueueResponse": { "ResponseMetadata": { "RequestId": "r" } } })
        );
    }

    #[test]
    fn errors_carry_the_query_code_and_wording() {
        let err = SqsError::new(
            ErrorCode::InvalidAction,
            "The action ListQueues is not valid for this endpoint.",
        );
        assert_eq!(
            parse(&encode_json_error(&err)),
            json!({ "Error": {
                "Code": "InvalidAction",
                "Message": "The action ListQueues is not valid for this endpoint.",
            }})
        );
        let missing = parse(&encode_json_error(&SqsError::queue_does_not_exist()));
        assert_eq!(
            missing["Error"]["Code"],
            "AWS.SimpleQueueService.NonExistentQueue"
        );
        assert_eq!(
            missing["Error"]["Message"],
            "The specified queue does not exist for this wsdl version."
        );
    }
}
