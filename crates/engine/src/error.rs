//! Engine errors, named after the SQS error they become. `Display` is the exact
//! message AWS sends (JSON protocol wording); the server maps each variant to a code.

/// Why an engine operation was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// CreateQueue on an existing name with a differing attribute (the attribute name).
    #[error("A queue already exists with the same name and a different value for attribute {0}")]
    QueueNameExists(String),
    /// A second PurgeQueue within 60 s (the queue name).
    #[error("Only one PurgeQueue operation on {0} is allowed every 60 seconds.")]
    PurgeQueueInProgress(String),
    /// `InvalidParameterValue`; the full AWS message text.
    #[error("{0}")]
    InvalidParameterValue(String),
    /// `MissingParameter`; the parameter name.
    #[error("The request must contain the parameter {0}.")]
    MissingParameter(String),
    /// `InvalidAttributeName`; the full message text (e.g. "Unknown Attribute Foo.").
    #[error("{0}")]
    InvalidAttributeName(String),
    /// `InvalidAttributeValue`; the full message text.
    #[error("{0}")]
    InvalidAttributeValue(String),
    /// `InvalidMessageContents`; the full message text.
    #[error("{0}")]
    InvalidMessageContents(String),
    /// A receipt handle that this server never issued (the handle as sent).
    #[error("The input receipt handle \"{0}\" is not a valid receipt handle.")]
    ReceiptHandleIsInvalid(String),
    /// A batch with no entries (the entry type, e.g. `SendMessageBatchRequestEntry`).
    #[error("There should be at least one {0} in the request.")]
    EmptyBatchRequest(String),
    /// More than 10 entries (how many were sent).
    #[error("Maximum number of entries per request are 10. You have sent {0}.")]
    TooManyEntriesInBatchRequest(usize),
    /// Two entries share an id (the id).
    #[error("Id {0} repeated.")]
    BatchEntryIdsNotDistinct(String),
    /// Batch payload over 1 MiB (bytes sent).
    #[error("Batch requests cannot be longer than 1048576 bytes. You have sent {0} bytes.")]
    BatchRequestTooLong(usize),
    /// An entry id outside `[A-Za-z0-9_-]{1,80}`.
    #[error(
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long."
    )]
    InvalidBatchEntryId,
    /// `OverLimit`; the full message text.
    #[error("{0}")]
    OverLimit(String),
}
