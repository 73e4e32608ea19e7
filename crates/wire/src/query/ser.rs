//! [`Response`] and [`SqsError`] -> Query XML: `<OpResponse>` with an `<OpResult>`
//! (omitted for operations without output) and `ResponseMetadata/RequestId`;
//! errors as `<ErrorResponse>` with the Query error code. Element names follow
//! the model's flattened `locationName`s (`Message`, `Attribute`, `QueueUrl`, ...).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::xml::Writer;
use crate::error::{ErrorCode, SqsError};
use crate::model::*;

/// The Query wording of QueueDoesNotExist, which differs from JSON's.
const NO_QUEUE_QUERY: &str = "The specified queue does not exist for this wsdl version.";

/// Encodes a successful response for request `request_id`.
pub fn encode(response: &Response, request_id: &str) -> Vec<u8> {
    let op = response.operation().name();
    let root = format!("{op}Response");
    let mut w = Writer::new();
    w.open_root(&root);
    if let Some(write) = result_writer(response) {
        w.element(&format!("{op}Result"), write);
    }
    w.open("ResponseMetadata");
    w.leaf("RequestId", request_id);
    w.close("ResponseMetadata");
    w.close(&root);
    w.finish()
}

/// An error's message as the Query protocol words it: QueueDoesNotExist differs.
pub(crate) fn query_message(error: &SqsError) -> &str {
    match error.code {
        ErrorCode::QueueDoesNotExist
            if error.message == SqsError::queue_does_not_exist().message =>
        {
            NO_QUEUE_QUERY
        }
        _ => &error.message,
    }
}

/// Encodes an error. QueueDoesNotExist gets its Query wording.
pub fn encode_error(error: &SqsError, request_id: &str) -> Vec<u8> {
    let message = query_message(error);
    let mut w = Writer::new();
    w.open_root("ErrorResponse");
    w.open("Error");
    w.leaf("Type", error.code.fault());
    w.leaf("Code", error.code.query_code());
    w.leaf("Message", message);
    w.empty("Detail");
    w.close("Error");
    w.leaf("RequestId", request_id);
    w.close("ErrorResponse");
    w.finish()
}

/// What goes inside `<OpResult>`, or `None` for operations without output.
/// Writes an operation's `<Op>Result` element.
type ResultWriter<'a> = Box<dyn FnOnce(&mut Writer) + 'a>;

fn result_writer(response: &Response) -> Option<ResultWriter<'_>> {
    use Response as R;
    Some(match response {
        R::CreateQueue(o) | R::GetQueueUrl(o) => {
            Box::new(move |w| w.leaf("QueueUrl", &o.queue_url))
        }
        R::ListQueues(o) => Box::new(move |w| urls(w, &o.queue_urls, o.next_token.as_deref())),
        R::ListDeadLetterSourceQueues(o) => {
            Box::new(move |w| urls(w, &o.queue_urls, o.next_token.as_deref()))
        }
        R::GetQueueAttributes(o) => Box::new(move |w| pairs(w, "Attribute", "Name", &o.attributes)),
        R::ListQueueTags(o) => Box::new(move |w| pairs(w, "Tag", "Key", &o.tags)),
        R::SendMessage(o) => Box::new(move |w| send_result(w, o)),
        R::SendMessageBatch(o) => Box::new(move |w| {
            for entry in &o.successful {
                w.element("SendMessageBatchResultEntry", |w| {
                    w.leaf("Id", &entry.id);
                    send_result(w, &entry.result);
                });
            }
            errors(w, &o.failed);
        }),
        R::ReceiveMessage(o) => Box::new(move |w| {
            for m in &o.messages {
                w.element("Message", |w| message(w, m));
            }
        }),
        R::DeleteMessageBatch(o) => Box::new(move |w| ids(w, "DeleteMessageBatchResultEntry", o)),
        R::ChangeMessageVisibilityBatch(o) => {
            Box::new(move |w| ids(w, "ChangeMessageVisibilityBatchResultEntry", o))
        }
        R::StartMessageMoveTask(o) => Box::new(move |w| w.leaf("TaskHandle", &o.task_handle)),
        R::CancelMessageMoveTask(o) => Box::new(move |w| {
            w.leaf(
                "ApproximateNumberOfMessagesMoved",
                &o.approximate_number_of_messages_moved.to_string(),
            );
        }),
        R::ListMessageMoveTasks(o) => Box::new(move |w| {
            for t in &o.results {
                w.element("ListMessageMoveTasksResultEntry", |w| move_task(w, t));
            }
        }),
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

fn urls(w: &mut Writer, urls: &[String], next_token: Option<&str>) {
    for url in urls {
        w.leaf("QueueUrl", url);
    }
    w.opt("NextToken", next_token);
}

fn pairs(w: &mut Writer, element: &str, key: &str, map: &StringMap) {
    for (k, v) in map {
        w.element(element, |w| {
            w.leaf(key, k);
            w.leaf("Value", v);
        });
    }
}

fn send_result(w: &mut Writer, o: &SendMessageOutput) {
    w.leaf("MessageId", &o.message_id);
    w.leaf("MD5OfMessageBody", &o.md5_of_message_body);
    w.opt(
        "MD5OfMessageAttributes",
        o.md5_of_message_attributes.as_deref(),
    );
    w.opt(
        "MD5OfMessageSystemAttributes",
        o.md5_of_message_system_attributes.as_deref(),
    );
    w.opt("SequenceNumber", o.sequence_number.as_deref());
}

fn errors(w: &mut Writer, failed: &[BatchResultErrorEntry]) {
    for e in failed {
        w.element("BatchResultErrorEntry", |w| {
            w.leaf("Id", &e.id);
            w.leaf("SenderFault", if e.sender_fault { "true" } else { "false" });
            w.leaf("Code", &e.code);
            w.leaf("Message", &e.message);
        });
    }
}

fn ids(w: &mut Writer, element: &str, o: &BatchIdsOutput) {
    for entry in &o.successful {
        w.element(element, |w| w.leaf("Id", &entry.id));
    }
    errors(w, &o.failed);
}

fn message(w: &mut Writer, m: &Message) {
    w.leaf("MessageId", &m.message_id);
    w.leaf("ReceiptHandle", &m.receipt_handle);
    w.leaf("MD5OfBody", &m.md5_of_body);
    w.leaf("Body", &m.body);
    pairs(w, "Attribute", "Name", &m.attributes);
    w.opt(
        "MD5OfMessageAttributes",
        m.md5_of_message_attributes.as_deref(),
    );
    for (name, value) in &m.message_attributes {
        w.element("MessageAttribute", |w| {
            w.leaf("Name", name);
            w.element("Value", |w| attribute_value(w, value));
        });
    }
}

fn attribute_value(w: &mut Writer, v: &MessageAttributeValue) {
    w.opt("StringValue", v.string_value.as_deref());
    if let Some(bytes) = &v.binary_value {
        w.leaf("BinaryValue", &STANDARD.encode(bytes));
    }
    for s in &v.string_list_values {
        w.leaf("StringListValue", s);
    }
    for b in &v.binary_list_values {
        w.leaf("BinaryListValue", &STANDARD.encode(b));
    }
    w.opt("DataType", v.data_type.as_deref());
}

fn move_task(w: &mut Writer, t: &ListMessageMoveTasksResultEntry) {
    w.opt("TaskHandle", t.task_handle.as_deref());
    w.leaf("Status", &t.status);
    w.leaf("SourceArn", &t.source_arn);
    w.opt("DestinationArn", t.destination_arn.as_deref());
    if let Some(rate) = t.max_number_of_messages_per_second {
        w.leaf("MaxNumberOfMessagesPerSecond", &rate.to_string());
    }
    w.leaf(
        "ApproximateNumberOfMessagesMoved",
        &t.approximate_number_of_messages_moved.to_string(),
    );
    w.leaf(
        "ApproximateNumberOfMessagesToMove",
        &t.approximate_number_of_messages_to_move.to_string(),
    );
    w.opt("FailureReason", t.failure_reason.as_deref());
    w.leaf("StartedTimestamp", &t.started_timestamp.to_string());
}
