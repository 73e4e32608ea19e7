//! What test tooling needs beyond the SQS API: per-queue counters, a view of every
//! stored message, `redeliver` (an in-flight message made visible early, as a
//! consumer crash or an expired visibility timeout would) and `reset` (the queue
//! emptied back to its just-created state). Pure like the rest of the engine:
//! time comes in as `now`.

use crate::checksum::{content_dedup_id, hex};
use crate::clock::Timestamp;
use crate::dedup::DedupTable;
use crate::lags::RetryLags;

use super::Queue;
use super::receive::Attempts;
use super::store::{DedupId, State};

/// Counters since the queue was created (or last reset). They only grow, so
/// they can be exported as Prometheus counters.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Sends stored as new messages (SendMessage and batch entries).
    pub sent: u64,
    /// Sends answered from the dedup window instead of being stored.
    pub duplicates: u64,
    /// Sends accepted as new although their dedup id had been seen before its
    /// window closed: duplicates that escaped the window.
    pub escapes: u64,
    /// Messages handed out by receives (a receive of three messages counts three).
    pub received: u64,
    /// Of `received`, deliveries of a message that had been received before
    /// (ApproximateReceiveCount above 1).
    pub redelivered: u64,
    /// Messages removed by DeleteMessage(Batch); deleting a gone message is not counted.
    pub deleted: u64,
}

/// Where a stored message is in its life.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum MessageState {
    /// Receivable (for FIFO: when its group is not locked by an in-flight message).
    Visible,
    /// Received and invisible until the instant.
    InFlight { until: Timestamp },
    /// Not receivable before the instant (DelaySeconds).
    Delayed { until: Timestamp },
}

/// One stored message, as the inspection API shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageView {
    pub message_id: String,
    pub state: MessageState,
    pub group_id: Option<String>,
    /// FIFO: the explicit MessageDeduplicationId or the content hash.
    pub dedup_id: Option<String>,
    /// FIFO only.
    pub sequence_number: Option<String>,
    pub sent: Timestamp,
    pub receive_count: u32,
    pub first_receive: Option<Timestamp>,
    pub md5_of_body: String,
    /// Body length in bytes.
    pub body_bytes: usize,
    /// The body itself, only when asked for (bodies can be large).
    pub body: Option<String>,
}

impl Queue {
    /// Counters since creation or the last [`Queue::reset`].
    pub fn stats(&self) -> QueueStats {
        QueueStats {
            escapes: self.dedup.escape_total(),
            ..self.stats
        }
    }

    /// Every stored message at `now`, in send order (for FIFO, sequence order).
    pub fn messages(&mut self, now: Timestamp, with_bodies: bool) -> Vec<MessageView> {
        self.advance(now);
        let fifo = self.is_fifo();
        self.store
            .messages
            .iter_ordered()
            .map(|(_, m)| MessageView {
                message_id: m.message_id.to_string(),
                state: match m.state {
                    State::Visible => MessageState::Visible,
                    State::InFlight(until) => MessageState::InFlight { until },
                    State::Delayed(until) => MessageState::Delayed { until },
                },
                group_id: m.group.as_deref().map(str::to_string),
                dedup_id: match &m.dedup_id {
                    DedupId::None => None,
                    DedupId::Content => Some(content_dedup_id(&m.body)),
                    DedupId::Explicit(key) => Some(crate::dedup::id_of_key(key).to_string()),
                },
                sequence_number: m
                    .sequence
                    .filter(|_| fifo)
                    .map(|s| self.sequence_number(s.get())),
                sent: m.sent_at,
                receive_count: m.receive_count,
                first_receive: m.first_receive,
                md5_of_body: hex(&m.md5_of_body),
                body_bytes: m.body.len(),
                body: with_bodies.then(|| m.body.to_string()),
            })
            .collect()
    }

    /// Makes the message received under `receipt_handle` visible again `after_ms`
    /// from `now` (0: at once), as if its visibility timeout had been that short.
    /// Returns false when the handle is not the current one of an in-flight
    /// message (deleted, received again since, or already visible).
    ///
    /// The handle stays what it was: on FIFO queues deleting with it now fails
    /// as "expired", as it does on AWS after a visibility timeout.
    pub fn redeliver(&mut self, receipt_handle: &str, after_ms: u64, now: Timestamp) -> bool {
        self.advance(now);
        let Some(serial) = self.current_receipt(receipt_handle) else {
            return false;
        };
        let Some(m) = self.store.messages.get_mut(&serial) else {
            return false;
        };
        let State::InFlight(until) = m.state else {
            return false;
        };
        let visible_at = now.plus_ms(after_ms);
        if visible_at >= until {
            return false;
        }
        // A ReceiveRequestAttemptId retry must not hand out a message that
        // another consumer may now hold.
        m.visibility_changed = true;
        let state = if after_ms == 0 {
            State::Visible
        } else {
            State::InFlight(visible_at)
        };
        self.store.set_state(serial, state);
        true
    }

    /// Empties the queue back to its just-created state: messages, the dedup
    /// window with its tombstones and escape records, attempt ids, counters, retry
    /// lags and the PurgeQueue guard all go; name, attributes and tags stay.
    pub fn reset(&mut self, now: Timestamp) {
        self.advance(now);
        self.store.clear();
        self.dedup = DedupTable::new(self.dedup_limits(), self.dedup.by_group());
        self.attempts = Attempts::default();
        self.stats = QueueStats::default();
        self.lags = RetryLags::new(
            self.settings.dedup_window_ms,
            self.settings.escape_horizon_ms,
            now,
        );
        self.last_purge = None;
    }
}
