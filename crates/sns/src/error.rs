//! SNS errors: the one table of error codes (Query code, HTTP status, fault) and
//! the error value every operation returns, worded as AWS words it (sns-spec.md §8).

/// An SNS error code as the Query protocol names it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    InvalidParameter,
    ParameterValueInvalid,
    ValidationError,
    NotFound,
    ResourceNotFound,
    EmptyBatchRequest,
    TooManyEntriesInBatchRequest,
    BatchEntryIdsNotDistinct,
    InvalidBatchEntryId,
    BatchRequestTooLong,
    TopicLimitExceeded,
    SubscriptionLimitExceeded,
    FilterPolicyLimitExceeded,
    TagLimitExceeded,
    /// A request without `Action`, or one SNS does not define or fifowin does not serve.
    InvalidAction,
    MissingAction,
    /// A parameter string that cannot be decoded.
    MalformedQueryString,
    InternalError,
}

impl ErrorCode {
    /// The `<Code>` of the error response.
    pub fn code(self) -> &'static str {
        match self {
            Self::InvalidParameter => "InvalidParameter",
            Self::ParameterValueInvalid => "ParameterValueInvalid",
            Self::ValidationError => "ValidationError",
            Self::NotFound => "NotFound",
            Self::ResourceNotFound => "ResourceNotFound",
            Self::EmptyBatchRequest => "EmptyBatchRequest",
            Self::TooManyEntriesInBatchRequest => "TooManyEntriesInBatchRequest",
            Self::BatchEntryIdsNotDistinct => "BatchEntryIdsNotDistinct",
            Self::InvalidBatchEntryId => "InvalidBatchEntryId",
            Self::BatchRequestTooLong => "BatchRequestTooLong",
            Self::TopicLimitExceeded => "TopicLimitExceeded",
            Self::SubscriptionLimitExceeded => "SubscriptionLimitExceeded",
            Self::FilterPolicyLimitExceeded => "FilterPolicyLimitExceeded",
            Self::TagLimitExceeded => "TagLimitExceeded",
            Self::InvalidAction => "InvalidAction",
            Self::MissingAction => "MissingAction",
            Self::MalformedQueryString => "MalformedQueryString",
            Self::InternalError => "InternalError",
        }
    }

    /// The HTTP status of the error response.
    pub fn status(self) -> u16 {
        match self {
            Self::InvalidParameter
            | Self::ParameterValueInvalid
            | Self::ValidationError
            | Self::EmptyBatchRequest
            | Self::TooManyEntriesInBatchRequest
            | Self::BatchEntryIdsNotDistinct
            | Self::InvalidBatchEntryId
            | Self::BatchRequestTooLong
            | Self::TagLimitExceeded
            | Self::InvalidAction
            | Self::MissingAction
            | Self::MalformedQueryString => 400,
            Self::TopicLimitExceeded
            | Self::SubscriptionLimitExceeded
            | Self::FilterPolicyLimitExceeded => 403,
            Self::NotFound | Self::ResourceNotFound => 404,
            Self::InternalError => 500,
        }
    }

    /// `<Type>`: `Receiver` for the server's own faults, `Sender` for the rest.
    pub fn fault(self) -> &'static str {
        match self {
            Self::InternalError => "Receiver",
            _ => "Sender",
        }
    }
}

/// An SNS error: a code and AWS's message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", code.code())]
pub struct SnsError {
    pub code: ErrorCode,
    pub message: String,
}

impl SnsError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// `InvalidParameter` with AWS's `Invalid parameter: ` prefix.
    pub fn invalid(detail: impl AsRef<str>) -> Self {
        Self::new(
            ErrorCode::InvalidParameter,
            format!("Invalid parameter: {}", detail.as_ref()),
        )
    }

    /// `404 NotFound` "Topic does not exist".
    pub fn topic_not_found() -> Self {
        Self::new(ErrorCode::NotFound, "Topic does not exist")
    }

    /// `404 NotFound` "Subscription does not exist".
    pub fn subscription_not_found() -> Self {
        Self::new(ErrorCode::NotFound, "Subscription does not exist")
    }

    /// A required member missing from the request, as AWS's validation layer words it.
    pub fn missing(member: &str) -> Self {
        Self::new(
            ErrorCode::ValidationError,
            format!(
                "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
            ),
        )
    }
}

/// Where an attribute error is reported: Subscribe/CreateTopic word it as a
/// `Reason` of `Attributes`, Set*Attributes directly (sns-spec.md §2.3).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum AttributeContext {
    /// CreateTopic / Subscribe: `Invalid parameter: Attributes Reason: <detail>`.
    Create,
    /// SetTopicAttributes / SetSubscriptionAttributes: `Invalid parameter: <detail>`.
    Set,
}

impl AttributeContext {
    /// The InvalidParameter error for `detail` in this context.
    pub fn error(self, detail: impl AsRef<str>) -> SnsError {
        match self {
            Self::Create => SnsError::invalid(format!("Attributes Reason: {}", detail.as_ref())),
            Self::Set => SnsError::invalid(detail),
        }
    }
}
