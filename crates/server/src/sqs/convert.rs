//! Conversions between wire shapes and engine types, and the one mapping from
//! engine errors to SQS error codes.

use fifowin_engine::{
    AttributeValue, BatchResult, EngineError, MessageAttributes, ReceivedMessage, SendOutcome,
};
use fifowin_wire::model::{
    BatchIdEntry, BatchIdsOutput, BatchResultErrorEntry, Message, MessageAttributeMap,
    MessageAttributeValue, SendMessageOutput,
};
use fifowin_wire::{ErrorCode, SqsError};

/// Engine error -> SQS error: the only place domain errors meet AWS codes.
pub(crate) fn sqs_error(err: EngineError) -> SqsError {
    let code = match &err {
        EngineError::QueueNameExists(_) => ErrorCode::QueueNameExists,
        EngineError::PurgeQueueInProgress(_) => ErrorCode::PurgeQueueInProgress,
        EngineError::InvalidParameterValue(_) => ErrorCode::InvalidParameterValue,
        EngineError::MissingParameter(_) => ErrorCode::MissingParameter,
        EngineError::InvalidAttributeName(_) => ErrorCode::InvalidAttributeName,
        EngineError::InvalidAttributeValue(_) => ErrorCode::InvalidAttributeValue,
        EngineError::InvalidMessageContents(_) => ErrorCode::InvalidMessageContents,
        EngineError::ReceiptHandleIsInvalid(_) => ErrorCode::ReceiptHandleIsInvalid,
        EngineError::EmptyBatchRequest(_) => ErrorCode::EmptyBatchRequest,
        EngineError::TooManyEntriesInBatchRequest(_) => ErrorCode::TooManyEntriesInBatchRequest,
        EngineError::BatchEntryIdsNotDistinct(_) => ErrorCode::BatchEntryIdsNotDistinct,
        EngineError::BatchRequestTooLong(_) => ErrorCode::BatchRequestTooLong,
        EngineError::InvalidBatchEntryId => ErrorCode::InvalidBatchEntryId,
        EngineError::OverLimit(_) => ErrorCode::OverLimit,
    };
    SqsError::new(code, err.to_string())
}

/// Wire attributes -> engine attributes.
pub(crate) fn attributes_in(map: MessageAttributeMap) -> MessageAttributes {
    map.into_iter()
        .map(|(name, v)| {
            let value = AttributeValue {
                data_type: v.data_type.unwrap_or_default(),
                string_value: v.string_value,
                binary_value: v.binary_value,
                string_list_values: v.string_list_values,
                binary_list_values: v.binary_list_values,
            };
            (name, value)
        })
        .collect()
}

/// Engine attributes -> wire attributes.
pub(crate) fn attributes_out(map: MessageAttributes) -> MessageAttributeMap {
    map.into_iter()
        .map(|(name, v)| {
            let value = MessageAttributeValue {
                string_value: v.string_value,
                binary_value: v.binary_value,
                string_list_values: v.string_list_values,
                binary_list_values: v.binary_list_values,
                data_type: Some(v.data_type),
            };
            (name, value)
        })
        .collect()
}

/// A send outcome as SendMessage returns it.
pub(crate) fn send_output(out: SendOutcome) -> SendMessageOutput {
    SendMessageOutput {
        md5_of_message_body: out.md5_of_body,
        md5_of_message_attributes: out.md5_of_message_attributes,
        md5_of_message_system_attributes: out.md5_of_message_system_attributes,
        message_id: out.message_id,
        sequence_number: out.sequence_number,
    }
}

/// A received message as ReceiveMessage returns it.
pub(crate) fn message_out(m: ReceivedMessage) -> Message {
    Message {
        message_id: m.message_id,
        receipt_handle: m.receipt_handle,
        md5_of_body: m.md5_of_body,
        body: m.body,
        attributes: m.attributes.into_iter().collect(),
        md5_of_message_attributes: m.md5_of_message_attributes,
        message_attributes: attributes_out(m.message_attributes),
    }
}

/// A failed batch entry.
pub(crate) fn batch_error(id: String, err: EngineError) -> BatchResultErrorEntry {
    let err = sqs_error(err);
    BatchResultErrorEntry {
        id,
        sender_fault: err.code.fault() == "Sender",
        code: err.code.query_code().to_string(),
        message: err.message.into_owned(),
    }
}

/// Delete/ChangeVisibility batch results.
pub(crate) fn batch_ids(results: Vec<BatchResult<()>>) -> BatchIdsOutput {
    let mut out = BatchIdsOutput::default();
    for r in results {
        match r.result {
            Ok(()) => out.successful.push(BatchIdEntry { id: r.id }),
            Err(err) => out.failed.push(batch_error(r.id, err)),
        }
    }
    out
}
