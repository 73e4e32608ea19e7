//! The Query shape of every operation's input: which parameter names carry which
//! member, and how lists and maps are flattened (`Prefix.N.Field`). Names follow the
//! 2012-11-05 model's `locationName`/`xmlName` traits (botocore's query-era model).
//!
//! All SQS lists and maps are *flattened*: a list member with element name `E` is
//! sent as `E.1`, `E.2`, ...; a map as `E.1.<Key>` / `E.1.<Value>`. An empty list is
//! sent as the member's own name with an empty value (`Entries=`).

use crate::model::Operation;

/// The type of one member.
#[derive(Debug)]
pub(crate) enum Shape {
    Str,
    Int,
    /// Base64 text, checked here so a bad value names its parameter.
    Blob,
    /// A flattened list; `elements` are the accepted element names (first is
    /// the model's, the rest aliases other SDK generations send).
    List {
        elements: &'static [&'static str],
        item: &'static Shape,
    },
    /// A flattened map of `key` -> `value` entries.
    Map {
        elements: &'static [&'static str],
        key: &'static str,
        value: &'static str,
        item: &'static Shape,
    },
    Struct(&'static [Member]),
}

/// One member: its JSON (model) name and its shape.
#[derive(Debug)]
pub(crate) struct Member {
    pub(crate) name: &'static str,
    pub(crate) shape: &'static Shape,
}

const fn m(name: &'static str, shape: &'static Shape) -> Member {
    Member { name, shape }
}

const STR: Shape = Shape::Str;
const INT: Shape = Shape::Int;

const fn list(elements: &'static [&'static str], item: &'static Shape) -> Shape {
    Shape::List { elements, item }
}

const fn string_map(elements: &'static [&'static str], key: &'static str) -> Shape {
    Shape::Map {
        elements,
        key,
        value: "Value",
        item: &STR,
    }
}

const QUEUE_ATTRIBUTES: Shape = string_map(&["Attribute"], "Name");
/// TagQueue's `Tags` has no `locationName` in the query-era model, so botocore
/// sends `Tags.N.Key`; CreateQueue's `tags` is `Tag.N.Key`. Both are accepted.
const TAGS: Shape = string_map(&["Tag", "Tags"], "Key");

const ATTRIBUTE_VALUE: Shape = Shape::Struct(&[
    m("StringValue", &STR),
    m("BinaryValue", &Shape::Blob),
    m("StringListValues", &list(&["StringListValue"], &STR)),
    m(
        "BinaryListValues",
        &list(&["BinaryListValue"], &Shape::Blob),
    ),
    m("DataType", &STR),
]);

const MESSAGE_ATTRIBUTES: Shape = Shape::Map {
    elements: &["MessageAttribute"],
    key: "Name",
    value: "Value",
    item: &ATTRIBUTE_VALUE,
};

const SYSTEM_ATTRIBUTES: Shape = Shape::Map {
    elements: &["MessageSystemAttribute"],
    key: "Name",
    value: "Value",
    item: &ATTRIBUTE_VALUE,
};

const QUEUE_URL: Member = m("QueueUrl", &STR);

const SEND_ENTRY: Shape = Shape::Struct(&[
    m("Id", &STR),
    m("MessageBody", &STR),
    m("DelaySeconds", &INT),
    m("MessageAttributes", &MESSAGE_ATTRIBUTES),
    m("MessageSystemAttributes", &SYSTEM_ATTRIBUTES),
    m("MessageDeduplicationId", &STR),
    m("MessageGroupId", &STR),
]);

const CREATE_QUEUE: &[Member] = &[
    m("QueueName", &STR),
    m("Attributes", &QUEUE_ATTRIBUTES),
    m("tags", &TAGS),
];
const GET_QUEUE_URL: &[Member] = &[m("QueueName", &STR), m("QueueOwnerAWSAccountId", &STR)];
const LIST_QUEUES: &[Member] = &[
    m("QueueNamePrefix", &STR),
    m("NextToken", &STR),
    m("MaxResults", &INT),
];
const QUEUE_ONLY: &[Member] = &[QUEUE_URL];
const GET_QUEUE_ATTRIBUTES: &[Member] = &[
    QUEUE_URL,
    m("AttributeNames", &list(&["AttributeName"], &STR)),
];
const SET_QUEUE_ATTRIBUTES: &[Member] = &[QUEUE_URL, m("Attributes", &QUEUE_ATTRIBUTES)];
const SEND_MESSAGE: &[Member] = &[
    QUEUE_URL,
    m("MessageBody", &STR),
    m("DelaySeconds", &INT),
    m("MessageAttributes", &MESSAGE_ATTRIBUTES),
    m("MessageSystemAttributes", &SYSTEM_ATTRIBUTES),
    m("MessageDeduplicationId", &STR),
    m("MessageGroupId", &STR),
];
const SEND_MESSAGE_BATCH: &[Member] = &[
    QUEUE_URL,
    m(
        "Entries",
        &list(&["SendMessageBatchRequestEntry"], &SEND_ENTRY),
    ),
];
/// `AttributeNames` and `MessageSystemAttributeNames` share the element name
/// `AttributeName`; the service reads the union, so one member carries both.
const RECEIVE_MESSAGE: &[Member] = &[
    QUEUE_URL,
    m("AttributeNames", &list(&["AttributeName"], &STR)),
    m(
        "MessageAttributeNames",
        &list(&["MessageAttributeName"], &STR),
    ),
    m("MaxNumberOfMessages", &INT),
    m("VisibilityTimeout", &INT),
    m("WaitTimeSeconds", &INT),
    m("ReceiveRequestAttemptId", &STR),
];
const DELETE_MESSAGE: &[Member] = &[QUEUE_URL, m("ReceiptHandle", &STR)];
const DELETE_MESSAGE_BATCH: &[Member] = &[
    QUEUE_URL,
    m(
        "Entries",
        &list(
            &["DeleteMessageBatchRequestEntry"],
            &Shape::Struct(&[m("Id", &STR), m("ReceiptHandle", &STR)]),
        ),
    ),
];
const CHANGE_VISIBILITY: &[Member] = &[
    QUEUE_URL,
    m("ReceiptHandle", &STR),
    m("VisibilityTimeout", &INT),
];
const CHANGE_VISIBILITY_BATCH: &[Member] = &[
    QUEUE_URL,
    m(
        "Entries",
        &list(
            &["ChangeMessageVisibilityBatchRequestEntry"],
            &Shape::Struct(&[
                m("Id", &STR),
                m("ReceiptHandle", &STR),
                m("VisibilityTimeout", &INT),
            ]),
        ),
    ),
];
const TAG_QUEUE: &[Member] = &[QUEUE_URL, m("Tags", &TAGS)];
const UNTAG_QUEUE: &[Member] = &[QUEUE_URL, m("TagKeys", &list(&["TagKey"], &STR))];
const LIST_DEAD_LETTER_SOURCES: &[Member] =
    &[QUEUE_URL, m("NextToken", &STR), m("MaxResults", &INT)];
const ADD_PERMISSION: &[Member] = &[
    QUEUE_URL,
    m("Label", &STR),
    m("AWSAccountIds", &list(&["AWSAccountId"], &STR)),
    m("Actions", &list(&["ActionName"], &STR)),
];
const REMOVE_PERMISSION: &[Member] = &[QUEUE_URL, m("Label", &STR)];
const START_MOVE_TASK: &[Member] = &[
    m("SourceArn", &STR),
    m("DestinationArn", &STR),
    m("MaxNumberOfMessagesPerSecond", &INT),
];
const CANCEL_MOVE_TASK: &[Member] = &[m("TaskHandle", &STR)];
const LIST_MOVE_TASKS: &[Member] = &[m("SourceArn", &STR), m("MaxResults", &INT)];

/// The input members of `op`.
pub(crate) fn input(op: Operation) -> &'static [Member] {
    use Operation as O;
    match op {
        O::CreateQueue => CREATE_QUEUE,
        O::GetQueueUrl => GET_QUEUE_URL,
        O::ListQueues => LIST_QUEUES,
        O::DeleteQueue | O::PurgeQueue | O::ListQueueTags => QUEUE_ONLY,
        O::GetQueueAttributes => GET_QUEUE_ATTRIBUTES,
        O::SetQueueAttributes => SET_QUEUE_ATTRIBUTES,
        O::SendMessage => SEND_MESSAGE,
        O::SendMessageBatch => SEND_MESSAGE_BATCH,
        O::ReceiveMessage => RECEIVE_MESSAGE,
        O::DeleteMessage => DELETE_MESSAGE,
        O::DeleteMessageBatch => DELETE_MESSAGE_BATCH,
        O::ChangeMessageVisibility => CHANGE_VISIBILITY,
        O::ChangeMessageVisibilityBatch => CHANGE_VISIBILITY_BATCH,
        O::TagQueue => TAG_QUEUE,
        O::UntagQueue => UNTAG_QUEUE,
        O::ListDeadLetterSourceQueues => LIST_DEAD_LETTER_SOURCES,
        O::AddPermission => ADD_PERMISSION,
        O::RemovePermission => REMOVE_PERMISSION,
        O::StartMessageMoveTask => START_MOVE_TASK,
        O::CancelMessageMoveTask => CANCEL_MOVE_TASK,
        O::ListMessageMoveTasks => LIST_MOVE_TASKS,
    }
}

/// Whether `op` takes a `QueueUrl` (which may then come from the request path).
pub(crate) fn takes_queue_url(op: Operation) -> bool {
    input(op).iter().any(|m| m.name == "QueueUrl")
}
