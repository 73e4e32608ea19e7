//! Request and response shapes of the SQS 2012-11-05 model. Field names follow the
//! model's member names exactly (including its lower-case `tags` and `queueUrls`);
//! integers are `i64` so out-of-range values reach validation instead of failing to parse.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

macro_rules! operations {
    ($($op:ident($input:ident) -> $output:ident;)*) => {
        /// Every operation fifowin serves.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
        pub enum Operation { $($op,)* }

        impl Operation {
            /// All operations, for metrics and tests.
            pub const ALL: &'static [Operation] = &[$(Operation::$op,)*];

            /// The operation's name as used in `X-Amz-Target` and `Action=`.
            pub fn name(self) -> &'static str {
                match self { $(Operation::$op => stringify!($op),)* }
            }

            /// Looks an operation up by its name (case-sensitive, as AWS does).
            pub fn from_name(name: &str) -> Option<Operation> {
                match name { $(stringify!($op) => Some(Operation::$op),)* _ => None }
            }
        }

        /// A decoded request.
        #[derive(Clone, Debug)]
        pub enum Request { $($op($input),)* }

        impl Request {
            /// Which operation this is.
            pub fn operation(&self) -> Operation {
                match self { $(Request::$op(_) => Operation::$op,)* }
            }
        }

        /// A response to encode.
        #[derive(Clone, Debug)]
        pub enum Response { $($op($output),)* }

        impl Request {
            /// Decodes the JSON body of operation `op`.
            pub(crate) fn from_json(op: Operation, body: &[u8]) -> serde_json::Result<Request> {
                // The whole body's UTF-8 is checked once here, so `from_str` can skip
                // the check `from_slice` makes on every string. A body that is not
                // UTF-8 still goes through `from_slice`, for its error's position.
                match std::str::from_utf8(body) {
                    Ok(text) => match op { $(Operation::$op => serde_json::from_str(text).map(Request::$op),)* },
                    Err(_) => match op { $(Operation::$op => serde_json::from_slice(body).map(Request::$op),)* },
                }
            }

            /// Decodes an already-parsed JSON document (the Query codec builds one).
            pub(crate) fn from_json_value(op: Operation, value: serde_json::Value) -> serde_json::Result<Request> {
                match op { $(Operation::$op => serde_json::from_value(value).map(Request::$op),)* }
            }
        }

        impl Response {
            /// Which operation this answers.
            pub fn operation(&self) -> Operation {
                match self { $(Response::$op(_) => Operation::$op,)* }
            }
        }

        impl Response {
            /// Encodes the response as a JSON body.
            pub(crate) fn to_json(&self) -> Vec<u8> {
                // Most answers are small; this spares them the first regrowths.
                let mut body = Vec::with_capacity(512);
                let encoded = match self { $(Response::$op(out) => serde_json::to_writer(&mut body, out),)* };
                // Our output types are plain structs of strings, maps and numbers.
                encoded.expect("response types always serialize");
                body
            }
        }
    };
}

operations! {
    CreateQueue(CreateQueueInput) -> QueueUrlOutput;
    GetQueueUrl(GetQueueUrlInput) -> QueueUrlOutput;
    ListQueues(ListQueuesInput) -> ListQueuesOutput;
    DeleteQueue(QueueUrlInput) -> Empty;
    GetQueueAttributes(GetQueueAttributesInput) -> GetQueueAttributesOutput;
    SetQueueAttributes(SetQueueAttributesInput) -> Empty;
    PurgeQueue(QueueUrlInput) -> Empty;
    SendMessage(SendMessageInput) -> SendMessageOutput;
    SendMessageBatch(SendMessageBatchInput) -> SendMessageBatchOutput;
    ReceiveMessage(ReceiveMessageInput) -> ReceiveMessageOutput;
    DeleteMessage(DeleteMessageInput) -> Empty;
    DeleteMessageBatch(DeleteMessageBatchInput) -> BatchIdsOutput;
    ChangeMessageVisibility(ChangeMessageVisibilityInput) -> Empty;
    ChangeMessageVisibilityBatch(ChangeMessageVisibilityBatchInput) -> BatchIdsOutput;
    TagQueue(TagQueueInput) -> Empty;
    UntagQueue(UntagQueueInput) -> Empty;
    ListQueueTags(QueueUrlInput) -> ListQueueTagsOutput;
    ListDeadLetterSourceQueues(ListDeadLetterSourceQueuesInput) -> ListDeadLetterSourceQueuesOutput;
    AddPermission(AddPermissionInput) -> Empty;
    RemovePermission(RemovePermissionInput) -> Empty;
    StartMessageMoveTask(StartMessageMoveTaskInput) -> StartMessageMoveTaskOutput;
    CancelMessageMoveTask(CancelMessageMoveTaskInput) -> CancelMessageMoveTaskOutput;
    ListMessageMoveTasks(ListMessageMoveTasksInput) -> ListMessageMoveTasksOutput;
}

mod tasks;
pub use tasks::*;

/// A string-to-string map (queue attributes, tags).
pub type StringMap = BTreeMap<String, String>;

/// An output with no members: `{}`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Empty {}

/// Inputs that carry only the queue URL.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueueUrlInput {
    pub queue_url: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateQueueInput {
    pub queue_name: Option<String>,
    #[serde(default)]
    pub attributes: StringMap,
    #[serde(default, rename = "tags")]
    pub tags: StringMap,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetQueueUrlInput {
    pub queue_name: Option<String>,
    #[serde(rename = "QueueOwnerAWSAccountId")]
    pub queue_owner_aws_account_id: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueueUrlOutput {
    pub queue_url: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListQueuesInput {
    pub queue_name_prefix: Option<String>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListQueuesOutput {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub queue_urls: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetQueueAttributesInput {
    pub queue_url: Option<String>,
    #[serde(default)]
    pub attribute_names: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetQueueAttributesOutput {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: StringMap,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetQueueAttributesInput {
    pub queue_url: Option<String>,
    pub attributes: Option<StringMap>,
}

/// A message attribute value; blobs travel as base64 and are decoded by the codec.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MessageAttributeValue {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub string_value: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::json::base64_opt"
    )]
    pub binary_value: Option<Vec<u8>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub string_list_values: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        with = "crate::json::base64_vec"
    )]
    pub binary_list_values: Vec<Vec<u8>>,
    pub data_type: Option<String>,
}

/// Message attributes by name.
pub type MessageAttributeMap = BTreeMap<String, MessageAttributeValue>;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendMessageInput {
    pub queue_url: Option<String>,
    pub message_body: Option<String>,
    pub delay_seconds: Option<i64>,
    #[serde(default)]
    pub message_attributes: MessageAttributeMap,
    #[serde(default)]
    pub message_system_attributes: MessageAttributeMap,
    pub message_deduplication_id: Option<String>,
    pub message_group_id: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct SendMessageOutput {
    #[serde(rename = "MD5OfMessageBody")]
    pub md5_of_message_body: String,
    #[serde(
        rename = "MD5OfMessageAttributes",
        skip_serializing_if = "Option::is_none"
    )]
    pub md5_of_message_attributes: Option<String>,
    #[serde(
        rename = "MD5OfMessageSystemAttributes",
        skip_serializing_if = "Option::is_none"
    )]
    pub md5_of_message_system_attributes: Option<String>,
    #[serde(rename = "MessageId")]
    pub message_id: String,
    #[serde(rename = "SequenceNumber", skip_serializing_if = "Option::is_none")]
    pub sequence_number: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendMessageBatchEntry {
    pub id: Option<String>,
    pub message_body: Option<String>,
    pub delay_seconds: Option<i64>,
    #[serde(default)]
    pub message_attributes: MessageAttributeMap,
    #[serde(default)]
    pub message_system_attributes: MessageAttributeMap,
    pub message_deduplication_id: Option<String>,
    pub message_group_id: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendMessageBatchInput {
    pub queue_url: Option<String>,
    pub entries: Option<Vec<SendMessageBatchEntry>>,
}

/// JSON answers are written by `json/send.rs`, which is tested to match what
/// this derive writes.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SendMessageBatchResultEntry {
    #[serde(rename = "Id")]
    pub id: String,
    #[serde(flatten)]
    pub result: SendMessageOutput,
}

/// A failed batch entry.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchResultErrorEntry {
    pub id: String,
    pub sender_fault: bool,
    pub code: String,
    pub message: String,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendMessageBatchOutput {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub successful: Vec<SendMessageBatchResultEntry>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<BatchResultErrorEntry>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReceiveMessageInput {
    pub queue_url: Option<String>,
    #[serde(default)]
    pub attribute_names: Vec<String>,
    #[serde(default)]
    pub message_system_attribute_names: Vec<String>,
    #[serde(default)]
    pub message_attribute_names: Vec<String>,
    pub max_number_of_messages: Option<i64>,
    pub visibility_timeout: Option<i64>,
    pub wait_time_seconds: Option<i64>,
    pub receive_request_attempt_id: Option<String>,
}

/// A received message.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Message {
    #[serde(rename = "MessageId")]
    pub message_id: String,
    #[serde(rename = "ReceiptHandle")]
    pub receipt_handle: String,
    #[serde(rename = "MD5OfBody")]
    pub md5_of_body: String,
    #[serde(rename = "Body")]
    pub body: String,
    #[serde(rename = "Attributes", skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: StringMap,
    #[serde(
        rename = "MD5OfMessageAttributes",
        skip_serializing_if = "Option::is_none"
    )]
    pub md5_of_message_attributes: Option<String>,
    #[serde(
        rename = "MessageAttributes",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub message_attributes: MessageAttributeMap,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReceiveMessageOutput {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<Message>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteMessageInput {
    pub queue_url: Option<String>,
    pub receipt_handle: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteMessageBatchEntry {
    pub id: Option<String>,
    pub receipt_handle: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteMessageBatchInput {
    pub queue_url: Option<String>,
    pub entries: Option<Vec<DeleteMessageBatchEntry>>,
}

/// A successful entry of DeleteMessageBatch / ChangeMessageVisibilityBatch.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchIdEntry {
    pub id: String,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchIdsOutput {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub successful: Vec<BatchIdEntry>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<BatchResultErrorEntry>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChangeMessageVisibilityInput {
    pub queue_url: Option<String>,
    pub receipt_handle: Option<String>,
    pub visibility_timeout: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChangeMessageVisibilityBatchEntry {
    pub id: Option<String>,
    pub receipt_handle: Option<String>,
    pub visibility_timeout: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChangeMessageVisibilityBatchInput {
    pub queue_url: Option<String>,
    pub entries: Option<Vec<ChangeMessageVisibilityBatchEntry>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagQueueInput {
    pub queue_url: Option<String>,
    pub tags: Option<StringMap>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UntagQueueInput {
    pub queue_url: Option<String>,
    pub tag_keys: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListQueueTagsOutput {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: StringMap,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDeadLetterSourceQueuesInput {
    pub queue_url: Option<String>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ListDeadLetterSourceQueuesOutput {
    #[serde(rename = "queueUrls")]
    pub queue_urls: Vec<String>,
    #[serde(rename = "NextToken", skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}
