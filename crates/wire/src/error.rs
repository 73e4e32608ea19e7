//! The SQS error table: for each code its JSON `__type` shape, its Query error code
//! (sent in `x-amzn-query-error` and in Query XML) and its HTTP status (sqs-spec.md §7).

use std::borrow::Cow;

/// Every error code fifowin can send.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    QueueDoesNotExist,
    QueueNameExists,
    QueueDeletedRecently,
    PurgeQueueInProgress,
    EmptyBatchRequest,
    TooManyEntriesInBatchRequest,
    BatchEntryIdsNotDistinct,
    BatchRequestTooLong,
    InvalidBatchEntryId,
    MessageNotInflight,
    UnsupportedOperation,
    ReceiptHandleIsInvalid,
    InvalidAttributeName,
    InvalidAttributeValue,
    InvalidMessageContents,
    OverLimit,
    RequestThrottled,
    InvalidAddress,
    InvalidSecurity,
    ResourceNotFound,
    InvalidParameterValue,
    MissingParameter,
    /// The body is not valid JSON or a member has the wrong type.
    SerializationException,
    /// Unknown `X-Amz-Target` operation.
    UnknownOperation,
    /// Query protocol: unknown or misplaced action.
    InvalidAction,
    /// Query protocol: no `Action` parameter.
    MissingAction,
    /// Query protocol: a parameter string that cannot be decoded.
    MalformedQueryString,
    /// The server failed; details are logged, not sent.
    InternalError,
    /// Injected or server-side unavailability.
    ServiceUnavailable,
    /// `--auth sigv4`: the request carries no signature.
    MissingAuthenticationToken,
    /// `--auth sigv4`: the access key id is not one of the server's keys.
    InvalidClientTokenId,
    /// `--auth sigv4`: the signature is not the one the server computes.
    SignatureDoesNotMatch,
    /// `--auth sigv4`: the signing time is more than 15 minutes from the server's.
    RequestExpired,
    /// `--auth sigv4`: an `Authorization` header without all its parts.
    IncompleteSignature,
    /// The request body did not arrive in time (a slow or stalled client).
    RequestTimeout,
    /// Refused before it was read: a browser page of another origin, or a Host
    /// header a loopback server does not answer to (AWS's common error).
    AccessDenied,
}

impl ErrorCode {
    /// The JSON `__type` value.
    pub fn json_type(self) -> &'static str {
        use ErrorCode::*;
        match self {
            QueueDoesNotExist => "com.amazonaws.sqs#QueueDoesNotExist",
            QueueNameExists => "com.amazonaws.sqs#QueueNameExists",
            QueueDeletedRecently => "com.amazonaws.sqs#QueueDeletedRecently",
            PurgeQueueInProgress => "com.amazonaws.sqs#PurgeQueueInProgress",
            EmptyBatchRequest => "com.amazonaws.sqs#EmptyBatchRequest",
            TooManyEntriesInBatchRequest => "com.amazonaws.sqs#TooManyEntriesInBatchRequest",
            BatchEntryIdsNotDistinct => "com.amazonaws.sqs#BatchEntryIdsNotDistinct",
            BatchRequestTooLong => "com.amazonaws.sqs#BatchRequestTooLong",
            InvalidBatchEntryId => "com.amazonaws.sqs#InvalidBatchEntryId",
            MessageNotInflight => "com.amazonaws.sqs#MessageNotInflight",
            UnsupportedOperation => "com.amazonaws.sqs#UnsupportedOperation",
            ReceiptHandleIsInvalid => "com.amazonaws.sqs#ReceiptHandleIsInvalid",
            InvalidAttributeName => "com.amazonaws.sqs#InvalidAttributeName",
            InvalidAttributeValue => "com.amazonaws.sqs#InvalidAttributeValue",
            InvalidMessageContents => "com.amazonaws.sqs#InvalidMessageContents",
            OverLimit => "com.amazonaws.sqs#OverLimit",
            RequestThrottled => "com.amazonaws.sqs#RequestThrottled",
            InvalidAddress => "com.amazonaws.sqs#InvalidAddress",
            InvalidSecurity => "com.amazonaws.sqs#InvalidSecurity",
            ResourceNotFound => "com.amazonaws.sqs#ResourceNotFoundException",
            InvalidParameterValue => "com.amazon.coral.service#InvalidParameterValueException",
            MissingParameter => "com.amazon.coral.service#MissingRequiredParameterException",
            SerializationException => "com.amazon.coral.service#SerializationException",
            UnknownOperation => "com.amazon.coral.service#UnknownOperationException",
            InvalidAction => "com.amazon.coral.service#InvalidAction",
            MissingAction => "com.amazon.coral.service#MissingAction",
            MalformedQueryString => "com.amazon.coral.service#MalformedQueryString",
            InternalError => "com.amazon.coral.service#InternalFailure",
            ServiceUnavailable => "com.amazon.coral.service#ServiceUnavailable",
            MissingAuthenticationToken => "com.amazon.coral.service#MissingAuthenticationToken",
            InvalidClientTokenId => "com.amazon.coral.service#InvalidClientTokenId",
            SignatureDoesNotMatch => "com.amazon.coral.service#SignatureDoesNotMatch",
            RequestExpired => "com.amazon.coral.service#RequestExpired",
            IncompleteSignature => "com.amazon.coral.service#IncompleteSignature",
            RequestTimeout => "com.amazon.coral.service#RequestTimeout",
            AccessDenied => "com.amazon.coral.service#AccessDeniedException",
        }
    }

    /// The Query error code (also the first half of `x-amzn-query-error`).
    pub fn query_code(self) -> &'static str {
        use ErrorCode::*;
        match self {
            QueueDoesNotExist => "AWS.SimpleQueueService.NonExistentQueue",
            QueueNameExists => "QueueAlreadyExists",
            QueueDeletedRecently => "AWS.SimpleQueueService.QueueDeletedRecently",
            PurgeQueueInProgress => "AWS.SimpleQueueService.PurgeQueueInProgress",
            EmptyBatchRequest => "AWS.SimpleQueueService.EmptyBatchRequest",
            TooManyEntriesInBatchRequest => "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            BatchEntryIdsNotDistinct => "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
            BatchRequestTooLong => "AWS.SimpleQueueService.BatchRequestTooLong",
            InvalidBatchEntryId => "AWS.SimpleQueueService.InvalidBatchEntryId",
            MessageNotInflight => "AWS.SimpleQueueService.MessageNotInflight",
            UnsupportedOperation => "AWS.SimpleQueueService.UnsupportedOperation",
            ReceiptHandleIsInvalid => "ReceiptHandleIsInvalid",
            InvalidAttributeName => "InvalidAttributeName",
            InvalidAttributeValue => "InvalidAttributeValue",
            InvalidMessageContents => "InvalidMessageContents",
            OverLimit => "OverLimit",
            RequestThrottled => "RequestThrottled",
            InvalidAddress => "InvalidAddress",
            InvalidSecurity => "InvalidSecurity",
            ResourceNotFound => "ResourceNotFoundException",
            InvalidParameterValue => "InvalidParameterValue",
            MissingParameter => "MissingParameter",
            SerializationException => "SerializationException",
            UnknownOperation => "UnknownOperationException",
            InvalidAction => "InvalidAction",
            MissingAction => "MissingAction",
            MalformedQueryString => "MalformedQueryString",
            InternalError => "InternalFailure",
            ServiceUnavailable => "ServiceUnavailable",
            MissingAuthenticationToken => "MissingAuthenticationToken",
            InvalidClientTokenId => "InvalidClientTokenId",
            SignatureDoesNotMatch => "SignatureDoesNotMatch",
            RequestExpired => "RequestExpired",
            IncompleteSignature => "IncompleteSignature",
            RequestTimeout => "RequestTimeout",
            AccessDenied => "AccessDenied",
        }
    }

    /// The HTTP status AWS answers with.
    pub fn status(self) -> u16 {
        use ErrorCode::*;
        match self {
            QueueDoesNotExist
            | QueueNameExists
            | QueueDeletedRecently
            | EmptyBatchRequest
            | TooManyEntriesInBatchRequest
            | BatchEntryIdsNotDistinct
            | BatchRequestTooLong
            | InvalidBatchEntryId
            | MessageNotInflight
            | UnsupportedOperation
            | InvalidAttributeName
            | InvalidAttributeValue
            | InvalidMessageContents
            | InvalidParameterValue
            | MissingParameter
            | SerializationException
            | UnknownOperation
            | InvalidAction
            | MissingAction
            | RequestTimeout => 400,
            // AWS's common errors: a stale signing time or an incomplete
            // Authorization header is the client's request, 400 ...
            RequestExpired | IncompleteSignature => 400,
            PurgeQueueInProgress | OverLimit | RequestThrottled | InvalidSecurity => 403,
            // ... an unknown key or a wrong signature is 403.
            MissingAuthenticationToken | InvalidClientTokenId | SignatureDoesNotMatch => 403,
            AccessDenied => 403,
            // MalformedQueryString is 404 in AWS's list of common errors.
            ReceiptHandleIsInvalid | InvalidAddress | ResourceNotFound | MalformedQueryString => {
                404
            }
            InternalError => 500,
            ServiceUnavailable => 503,
        }
    }

    /// `Sender` for client faults (4xx), `Receiver` for server faults (5xx).
    pub fn fault(self) -> &'static str {
        if self.status() >= 500 {
            "Receiver"
        } else {
            "Sender"
        }
    }
}

/// An SQS error ready to encode: a code from the table and the message text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct SqsError {
    pub code: ErrorCode,
    pub message: Cow<'static, str>,
}

impl SqsError {
    /// An error with the given code and message.
    pub fn new(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// `MissingParameter`: "The request must contain the parameter {name}."
    pub fn missing(name: &str) -> Self {
        Self::new(
            ErrorCode::MissingParameter,
            format!("The request must contain the parameter {name}."),
        )
    }

    /// `QueueDoesNotExist` in the JSON protocol's wording.
    pub fn queue_does_not_exist() -> Self {
        Self::new(
            ErrorCode::QueueDoesNotExist,
            "The specified queue does not exist.",
        )
    }
}
