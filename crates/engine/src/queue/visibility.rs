//! DeleteMessage, ChangeMessageVisibility and their batches: classifying receipt
//! handles and the FIFO vs standard rules for expired and stale ones (sqs-spec.md
//! §3.8, §4.6).

use crate::clock::Timestamp;
use crate::error::EngineError;
use crate::validate;

use super::receipt;
use super::store::State;
use super::{BatchEntry, BatchResult, Queue};

/// The 12 h a message may stay invisible, counted from its receive.
const MAX_TOTAL_VISIBILITY_MS: u64 = 43_200_000;

/// What a receipt handle refers to now.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Handle {
    /// Never issued by this queue.
    Invalid,
    /// Its message was deleted, expired, purged or dead-lettered.
    Gone,
    /// The handle of the message's latest receive.
    Current(u64),
    /// A handle of an earlier receive of a message received again since.
    Stale(u64),
}

fn expired(handle: &str) -> EngineError {
    EngineError::InvalidParameterValue(format!(
        "Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."
    ))
}

fn not_available(handle: &str) -> EngineError {
    EngineError::InvalidParameterValue(format!(
        "Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change."
    ))
}

impl Queue {
    fn classify(&self, handle: &str) -> Handle {
        let Some(r) = receipt::decode(self.incarnation, handle) else {
            return Handle::Invalid;
        };
        if r.serial == 0
            || r.serial >= self.next_serial
            || r.receive == 0
            || r.receive >= self.next_receive
        {
            return Handle::Invalid;
        }
        match self.store.messages.get(&r.serial) {
            None => Handle::Gone,
            Some(m) if m.receipt == r.receive => Handle::Current(r.serial),
            Some(_) => Handle::Stale(r.serial),
        }
    }

    /// The message `handle` names when it is that message's latest receipt.
    pub(super) fn current_receipt(&self, handle: &str) -> Option<u64> {
        match self.classify(handle) {
            Handle::Current(serial) => Some(serial),
            _ => None,
        }
    }

    fn in_flight(&self, serial: u64) -> bool {
        self.store
            .messages
            .get(&serial)
            .is_some_and(|m| matches!(m.state, State::InFlight(_)))
    }

    /// The message a handle may act on. FIFO queues refuse handles whose
    /// visibility has run out or that were superseded by a later receive;
    /// standard queues accept both.
    fn target(&self, handle: &str) -> Result<Option<u64>, EngineError> {
        match self.classify(handle) {
            Handle::Invalid => Err(EngineError::ReceiptHandleIsInvalid(handle.to_string())),
            Handle::Gone => Ok(None),
            Handle::Current(serial) if !self.is_fifo() || self.in_flight(serial) => {
                Ok(Some(serial))
            }
            Handle::Stale(serial) if !self.is_fifo() => Ok(Some(serial)),
            Handle::Current(_) | Handle::Stale(_) => Err(expired(handle)),
        }
    }

    /// DeleteMessage.
    pub fn delete(&mut self, receipt_handle: &str, now: Timestamp) -> Result<(), EngineError> {
        self.advance(now);
        self.delete_now(receipt_handle)
    }

    fn delete_now(&mut self, receipt_handle: &str) -> Result<(), EngineError> {
        if let Some(serial) = self.target(receipt_handle)? {
            // The dedup entry stays: the window outlives the message.
            if self.store.remove(serial).is_some() {
                self.stats.deleted += 1;
            }
        }
        Ok(())
    }

    /// DeleteMessageBatch: whole-request errors as `Err`, per-entry in the results.
    pub fn delete_batch(
        &mut self,
        entries: Vec<BatchEntry<String>>,
        now: Timestamp,
    ) -> Result<Vec<BatchResult<()>>, EngineError> {
        validate::batch_shape(
            "DeleteMessageBatchRequestEntry",
            entries.iter().map(|e| e.id.as_str()),
        )?;
        self.advance(now);
        Ok(entries
            .into_iter()
            .map(|BatchEntry { id, item }| BatchResult {
                id,
                result: self.delete_now(&item),
            })
            .collect())
    }

    /// ChangeMessageVisibility: `timeout` seconds from `now` (raw value, validated).
    pub fn change_visibility(
        &mut self,
        receipt_handle: &str,
        timeout: i64,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        self.advance(now);
        self.change_visibility_now(receipt_handle, timeout, now)
    }

    fn change_visibility_now(
        &mut self,
        receipt_handle: &str,
        timeout: i64,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let Ok(timeout_secs) = u64::try_from(timeout) else {
            return Err(EngineError::InvalidParameterValue(format!(
                "Value {timeout} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided."
            )));
        };
        let Some(serial) = self.target(receipt_handle)? else {
            return Err(not_available(receipt_handle));
        };
        let Some(m) = self.store.messages.get_mut(&serial) else {
            return Err(not_available(receipt_handle));
        };
        if matches!(m.state, State::Delayed(_)) {
            return Err(not_available(receipt_handle));
        }
        let since_receive = now.as_millis().saturating_sub(m.received_at.as_millis());
        if since_receive.saturating_add(timeout_secs.saturating_mul(1000)) > MAX_TOTAL_VISIBILITY_MS
        {
            return Err(EngineError::InvalidParameterValue(format!(
                "Value {timeout} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]."
            )));
        }
        m.visibility_changed = true;
        let state = if timeout_secs == 0 {
            State::Visible
        } else {
            State::InFlight(now.plus_secs(timeout_secs))
        };
        self.store.set_state(serial, state);
        Ok(())
    }

    /// ChangeMessageVisibilityBatch; item = (receipt handle, timeout).
    pub fn change_visibility_batch(
        &mut self,
        entries: Vec<BatchEntry<(String, i64)>>,
        now: Timestamp,
    ) -> Result<Vec<BatchResult<()>>, EngineError> {
        validate::batch_shape(
            "ChangeMessageVisibilityBatchRequestEntry",
            entries.iter().map(|e| e.id.as_str()),
        )?;
        self.advance(now);
        Ok(entries
            .into_iter()
            .map(
                |BatchEntry {
                     id,
                     item: (handle, timeout),
                 }| BatchResult {
                    id,
                    result: self.change_visibility_now(&handle, timeout, now),
                },
            )
            .collect())
    }
}
