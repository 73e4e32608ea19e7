//! SNS operations, and the typed requests and responses the codec produces and
//! consumes, named as in the 2010-03-31 service model.

use std::collections::BTreeMap;

use crate::message::PublishFields;
use crate::publish::BatchEntry;
use crate::registry::{CreateTopic, Subscribe, SubscriptionSummary};

macro_rules! operations {
    ($($op:ident),* $(,)?) => {
        /// The SNS operations fifowin serves.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
        pub enum Operation { $($op),* }

        impl Operation {
            /// Every served operation.
            pub const ALL: &'static [Operation] = &[$(Operation::$op),*];

            /// The `Action` name.
            pub fn name(self) -> &'static str {
                match self { $(Operation::$op => stringify!($op)),* }
            }

            /// The operation an `Action` names, if fifowin serves it.
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $(stringify!($op) => Some(Operation::$op),)* _ => None }
            }
        }
    };
}

operations!(
    CreateTopic,
    DeleteTopic,
    ListTopics,
    GetTopicAttributes,
    SetTopicAttributes,
    Subscribe,
    Unsubscribe,
    ListSubscriptions,
    ListSubscriptionsByTopic,
    GetSubscriptionAttributes,
    SetSubscriptionAttributes,
    Publish,
    PublishBatch,
    TagResource,
    UntagResource,
    ListTagsForResource,
);

/// The model's other operations (SMS, mobile push, permissions, data
/// protection, confirmation): SNS actions fifowin does not serve.
pub const NOT_SERVED: [&str; 26] = [
    "AddPermission",
    "CheckIfPhoneNumberIsOptedOut",
    "ConfirmSubscription",
    "CreatePlatformApplication",
    "CreatePlatformEndpoint",
    "CreateSMSSandboxPhoneNumber",
    "DeleteEndpoint",
    "DeletePlatformApplication",
    "DeleteSMSSandboxPhoneNumber",
    "GetDataProtectionPolicy",
    "GetEndpointAttributes",
    "GetPlatformApplicationAttributes",
    "GetSMSAttributes",
    "GetSMSSandboxAccountStatus",
    "ListEndpointsByPlatformApplication",
    "ListOriginationNumbers",
    "ListPhoneNumbersOptedOut",
    "ListPlatformApplications",
    "ListSMSSandboxPhoneNumbers",
    "OptInPhoneNumber",
    "PutDataProtectionPolicy",
    "RemovePermission",
    "SetEndpointAttributes",
    "SetPlatformApplicationAttributes",
    "SetSMSAttributes",
    "VerifySMSSandboxPhoneNumber",
];

/// A decoded request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    CreateTopic(CreateTopic),
    DeleteTopic {
        topic_arn: String,
    },
    ListTopics {
        next_token: Option<String>,
    },
    GetTopicAttributes {
        topic_arn: String,
    },
    SetTopicAttributes {
        topic_arn: String,
        attribute_name: String,
        attribute_value: Option<String>,
    },
    Subscribe(Subscribe),
    Unsubscribe {
        subscription_arn: String,
    },
    ListSubscriptions {
        next_token: Option<String>,
    },
    ListSubscriptionsByTopic {
        topic_arn: String,
        next_token: Option<String>,
    },
    GetSubscriptionAttributes {
        subscription_arn: String,
    },
    SetSubscriptionAttributes {
        subscription_arn: String,
        attribute_name: String,
        attribute_value: Option<String>,
    },
    Publish {
        /// TopicArn, or else TargetArn.
        topic_arn: Option<String>,
        fields: PublishFields,
    },
    PublishBatch {
        topic_arn: String,
        entries: Vec<BatchEntry>,
    },
    TagResource {
        resource_arn: String,
        tags: Vec<(String, String)>,
    },
    UntagResource {
        resource_arn: String,
        tag_keys: Vec<String>,
    },
    ListTagsForResource {
        resource_arn: String,
    },
}

impl Request {
    pub fn operation(&self) -> Operation {
        match self {
            Self::CreateTopic(_) => Operation::CreateTopic,
            Self::DeleteTopic { .. } => Operation::DeleteTopic,
            Self::ListTopics { .. } => Operation::ListTopics,
            Self::GetTopicAttributes { .. } => Operation::GetTopicAttributes,
            Self::SetTopicAttributes { .. } => Operation::SetTopicAttributes,
            Self::Subscribe(_) => Operation::Subscribe,
            Self::Unsubscribe { .. } => Operation::Unsubscribe,
            Self::ListSubscriptions { .. } => Operation::ListSubscriptions,
            Self::ListSubscriptionsByTopic { .. } => Operation::ListSubscriptionsByTopic,
            Self::GetSubscriptionAttributes { .. } => Operation::GetSubscriptionAttributes,
            Self::SetSubscriptionAttributes { .. } => Operation::SetSubscriptionAttributes,
            Self::Publish { .. } => Operation::Publish,
            Self::PublishBatch { .. } => Operation::PublishBatch,
            Self::TagResource { .. } => Operation::TagResource,
            Self::UntagResource { .. } => Operation::UntagResource,
            Self::ListTagsForResource { .. } => Operation::ListTagsForResource,
        }
    }
}

/// One successful PublishBatch entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchResultEntry {
    pub id: String,
    pub message_id: String,
    pub sequence_number: Option<String>,
}

/// One failed PublishBatch entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchResultErrorEntry {
    pub id: String,
    pub code: String,
    pub message: String,
    pub sender_fault: bool,
}

/// A response to encode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Response {
    CreateTopic {
        topic_arn: String,
    },
    DeleteTopic,
    ListTopics {
        topic_arns: Vec<String>,
        next_token: Option<String>,
    },
    GetTopicAttributes {
        attributes: BTreeMap<String, String>,
    },
    SetTopicAttributes,
    Subscribe {
        subscription_arn: String,
    },
    Unsubscribe,
    ListSubscriptions {
        subscriptions: Vec<SubscriptionSummary>,
        next_token: Option<String>,
    },
    ListSubscriptionsByTopic {
        subscriptions: Vec<SubscriptionSummary>,
        next_token: Option<String>,
    },
    GetSubscriptionAttributes {
        attributes: BTreeMap<String, String>,
    },
    SetSubscriptionAttributes,
    Publish {
        message_id: String,
        sequence_number: Option<String>,
    },
    PublishBatch {
        successful: Vec<BatchResultEntry>,
        failed: Vec<BatchResultErrorEntry>,
    },
    TagResource,
    UntagResource,
    ListTagsForResource {
        tags: Vec<(String, String)>,
    },
}

impl Response {
    pub fn operation(&self) -> Operation {
        match self {
            Self::CreateTopic { .. } => Operation::CreateTopic,
            Self::DeleteTopic => Operation::DeleteTopic,
            Self::ListTopics { .. } => Operation::ListTopics,
            Self::GetTopicAttributes { .. } => Operation::GetTopicAttributes,
            Self::SetTopicAttributes => Operation::SetTopicAttributes,
            Self::Subscribe { .. } => Operation::Subscribe,
            Self::Unsubscribe => Operation::Unsubscribe,
            Self::ListSubscriptions { .. } => Operation::ListSubscriptions,
            Self::ListSubscriptionsByTopic { .. } => Operation::ListSubscriptionsByTopic,
            Self::GetSubscriptionAttributes { .. } => Operation::GetSubscriptionAttributes,
            Self::SetSubscriptionAttributes => Operation::SetSubscriptionAttributes,
            Self::Publish { .. } => Operation::Publish,
            Self::PublishBatch { .. } => Operation::PublishBatch,
            Self::TagResource => Operation::TagResource,
            Self::UntagResource => Operation::UntagResource,
            Self::ListTagsForResource { .. } => Operation::ListTagsForResource,
        }
    }
}
