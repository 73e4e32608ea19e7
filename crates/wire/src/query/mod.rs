//! The Query protocol: `Action=<Op>&...` as a POST form body or a GET query string
//! in, XML out (sqs-spec.md §1.3). Requests decode into the same [`Request`] the
//! JSON codec produces; responses and errors encode as 2012-11-05 XML.
//!
//! - `form`: urlencoded bytes -> unique parameters.
//! - `schema`: each operation's members and their flattened parameter names.
//! - `de`: parameters -> the operation's JSON document -> [`Request`].
//! - [`xml`]: the escaping writer; `ser`: [`Response`]/[`SqsError`] -> XML.
//! - `json_answer`: the same answers as JSON, for requests whose `Accept` asks for it.
//!
//! ```text
//! POST /000000000000/q  Action=SendMessage&MessageBody=hi&MessageAttribute.1.Name=n&...
//!   -> 200 <SendMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">
//!            <SendMessageResult>..</SendMessageResult><ResponseMetadata><RequestId>..
//!   -> 400 <ErrorResponse><Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code>..
//! ```

mod de;
pub mod form;
mod json_answer;
mod schema;
mod ser;
pub mod xml;

use serde_json::Value;

use crate::error::{ErrorCode, SqsError};
use crate::model::{Operation, Request};

pub use json_answer::{JSON_CONTENT_TYPE, accepts_json, encode_json, encode_json_error};
pub use ser::{encode, encode_error};

/// The content type of every Query response.
pub const CONTENT_TYPE: &str = "text/xml";

/// Operations that address no queue, refused on a queue's path as AWS refuses them.
const NOT_ON_QUEUE_PATH: [Operation; 2] = [Operation::CreateQueue, Operation::ListQueues];

/// Whether `path` names a queue (`/<account>/<name>`, or anything but `/`).
fn is_queue_path(path: &str) -> bool {
    !path.trim_matches('/').is_empty()
}

fn invalid_action(action: &str) -> SqsError {
    SqsError::new(
        ErrorCode::InvalidAction,
        format!("The action {action} is not valid for this endpoint."),
    )
}

/// Whether the parameters carry an `Action` at all (a bare GET does not).
pub fn has_action(query_string: Option<&str>, body: &[u8]) -> bool {
    let mentions = |bytes: &[u8]| {
        bytes
            .split(|b| *b == b'&')
            .any(|pair| pair.starts_with(b"Action="))
    };
    query_string.is_some_and(|q| mentions(q.as_bytes())) || mentions(body)
}

/// Decodes a Query request from its query string, body and path. `QueueUrl`
/// comes from the parameters or, when absent, from the path (Java v1 moves it there).
pub fn decode(query_string: Option<&str>, body: &[u8], path: &str) -> Result<Request, SqsError> {
    let mut params = form::Params::new();
    if let Some(query) = query_string {
        form::parse_into(&mut params, query.as_bytes())?;
    }
    form::parse_into(&mut params, body)?;
    let action = params.get("Action").ok_or_else(|| {
        SqsError::new(
            ErrorCode::MissingAction,
            "The request must contain the parameter Action.",
        )
    })?;
    let op = Operation::from_name(action).ok_or_else(|| invalid_action(action))?;
    if is_queue_path(path) && NOT_ON_QUEUE_PATH.contains(&op) {
        return Err(invalid_action(action));
    }
    let mut document = de::structure(&params, "", schema::input(op))?;
    if schema::takes_queue_url(op) && !document.contains_key("QueueUrl") && is_queue_path(path) {
        document.insert("QueueUrl".into(), Value::String(path.to_string()));
    }
    Request::from_json_value(op, Value::Object(document)).map_err(|err| {
        SqsError::new(
            ErrorCode::InvalidParameterValue,
            format!("The request could not be decoded: {err}"),
        )
    })
}

#[cfg(test)]
mod tests;
