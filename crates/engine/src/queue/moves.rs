//! Message move tasks (DLQ redrive, sqs-spec.md §4.7), the engine's half: take
//! visible messages out of a dead-letter queue in send order, and accept them in
//! the destination. The task itself, its rate and its status live in the server,
//! which owns the clock and the queue registry; the engine only moves data.

use crate::clock::Timestamp;

use super::store::{DedupId, Message, State};
use super::{Queue, QueueKind};

/// A message taken out of a queue by a move task, on its way to another queue.
#[derive(Clone, Debug)]
pub struct MovedMessage {
    message: Box<Message>,
}

impl MovedMessage {
    /// The queue the message was dead-lettered from, where a redrive without a
    /// destination returns it.
    pub fn dead_letter_source_arn(&self) -> Option<&str> {
        self.message.extras.as_ref()?.dlq_source_arn.as_deref()
    }

    /// The MessageId, which the move keeps.
    pub fn message_id(&self) -> &str {
        &self.message.message_id
    }
}

impl Queue {
    /// Takes up to `max` visible messages, oldest first (in-flight and delayed
    /// ones stay), for a move task.
    pub fn take_for_move(&mut self, max: usize, now: Timestamp) -> Vec<MovedMessage> {
        self.advance(now);
        let mut serials: Vec<u64> = self
            .store
            .messages
            .iter()
            .filter(|(_, m)| m.state == State::Visible)
            .map(|(serial, _)| serial)
            .collect();
        serials.sort_unstable();
        serials
            .into_iter()
            .take(max)
            .filter_map(|serial| self.store.remove(serial))
            .map(|message| MovedMessage { message })
            .collect()
    }

    /// How many messages a move task would find now (visible ones).
    pub fn movable_count(&mut self, now: Timestamp) -> u64 {
        self.advance(now);
        self.store.counts.visible
    }

    /// Accepts a message moved here by a move task: visible at once, receive
    /// count and dead-letter source cleared, a new sequence number on FIFO queues.
    pub fn accept_moved(&mut self, moved: MovedMessage, now: Timestamp) {
        self.advance(now);
        let mut m = moved.message;
        if let Some(extras) = m.extras.as_mut() {
            extras.dlq_source_arn = None;
        }
        m.state = State::Visible;
        m.receipt = 0;
        m.receive_count = 0;
        m.first_receive = None;
        m.visibility_changed = false;
        m.enqueued_at = now;
        if self.attrs.kind == QueueKind::Fifo {
            m.sequence = std::num::NonZeroU64::new(self.next_sequence);
            self.next_sequence += 1;
            let group = m.group.as_deref().unwrap_or(&m.message_id).to_string();
            m.group = Some(self.store.groups.intern(&group));
        } else {
            m.sequence = None;
            m.dedup_id = DedupId::None;
        }
        let serial = self.take_serial();
        self.store.insert(serial, m);
    }

    /// Puts a message taken by [`Queue::take_for_move`] back (its destination
    /// vanished mid-move), keeping its dead-letter source.
    pub fn return_moved(&mut self, moved: MovedMessage, now: Timestamp) {
        let source = moved.dead_letter_source_arn().map(str::to_string);
        self.accept_moved(moved, now);
        if let Some(source) = source {
            let serial = self.next_serial - 1;
            if let Some(m) = self.store.messages.get_mut(&serial) {
                m.extras.get_or_insert_default().dlq_source_arn = Some(source);
            }
        }
    }
}
