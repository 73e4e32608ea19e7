//! Message storage and time: the messages of one queue, their states, the
//! counters GetQueueAttributes reports, and the lazy application of delays
//! ending, visibility expiring and retention.
//!
//! Delay and visibility timers live in a heap and are never cancelled: a popped
//! timer is checked against the message's current state and ignored when it no
//! longer applies, so every state change is O(log n) without searching the
//! heap. Stale timers are bounded by rebuilding the heap when they outnumber
//! the messages. Retention needs no timers: messages are indexed by enqueue
//! time, so the oldest comes first whatever the retention period is.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};
use std::num::NonZeroU64;
use std::sync::Arc;

use crate::chunk_map::ChunkMap;
use crate::clock::Timestamp;
use crate::message::MessageAttributes;

use super::QueueCounts;
use super::groups::Groups;

mod snapshot;

pub(crate) use snapshot::{Counters, FrozenStore, StoreImage};

/// Where a message is in its life.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum State {
    /// Not receivable until the instant (DelaySeconds).
    Delayed(Timestamp),
    Visible,
    /// Received; invisible until the instant.
    InFlight(Timestamp),
}

/// The MessageDeduplicationId a message reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DedupId {
    /// Standard queues.
    None,
    /// The SHA-256 of the body: recomputed when asked for rather than stored.
    Content,
    /// The dedup table's key for it, shared with the table: the id, after
    /// `group` and a newline when the queue deduplicates per message group
    /// ([`crate::dedup::id_of_key`] takes the id back out).
    Explicit(Arc<str>),
}

/// Fields few messages have, boxed to keep every message small.
#[derive(Clone, Debug, Default)]
pub(crate) struct Extras {
    pub(crate) trace_header: Option<String>,
    pub(crate) dlq_source_arn: Option<String>,
}

/// One stored message. Fields up to `extras` travel with a dead-letter move;
/// the rest describe its place in the queue that holds it. Kept compact (ids
/// shared, checksum raw, rare fields boxed): a queue may hold millions.
#[derive(Clone, Debug)]
pub(crate) struct Message {
    /// Shared with the dedup entry that answers duplicates of this message.
    pub(crate) message_id: Arc<str>,
    /// Boxed, not a `String`: 8 bytes fewer keep a message within 224 bytes, an
    /// allocator size class (the `size` test below holds it there).
    pub(crate) body: Box<str>,
    pub(crate) md5_of_body: [u8; 16],
    pub(crate) attributes: MessageAttributes,
    /// Shared between consecutive messages of one sender.
    pub(crate) sender_id: Arc<str>,
    pub(crate) group: Option<Arc<str>>,
    pub(crate) dedup_id: DedupId,
    /// Offset from the holding queue's sequence seed (FIFO only; offsets start at 1).
    pub(crate) sequence: Option<NonZeroU64>,
    pub(crate) sent_at: Timestamp,
    /// Retention counts from here.
    pub(crate) enqueued_at: Timestamp,
    pub(crate) receive_count: u32,
    pub(crate) first_receive: Option<Timestamp>,
    pub(crate) extras: Option<Box<Extras>>,

    pub(crate) state: State,
    /// Receive serial of the latest receive (0: never received here). A handle
    /// naming another receive serial is stale.
    pub(crate) receipt: u64,
    /// When `receipt` was issued; the 12 h visibility limit counts from it.
    pub(crate) received_at: Timestamp,
    /// Visibility was changed since the latest receive (voids attempt-id retries).
    pub(crate) visibility_changed: bool,
    /// While visible: when it became visible, as a stamp that orders every
    /// becoming-visible of the queue (send, delay end, visibility expiry or
    /// change, a receive with visibility 0). A FIFO group's turn is its head's.
    pub(crate) visible_since: u64,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Timer {
    Delay,
    Visibility,
}

type TimerEntry = Reverse<(Timestamp, u64, Timer)>;

/// Every stored message by serial.
pub(crate) type Messages = ChunkMap<Box<Message>>;

/// Stale timers tolerated beyond one per message before the heap is rebuilt.
const TIMER_SLACK: usize = 1024;

/// All messages of one queue, by serial (send order).
#[derive(Debug)]
pub(crate) struct Store {
    fifo: bool,
    retention_ms: u64,
    /// Boxed so an empty slot costs a pointer, not a message. A snapshot
    /// shares its chunks ([`Store::freeze`]).
    pub(crate) messages: Messages,
    timers: BinaryHeap<TimerEntry>,
    /// (enqueued_at, serial) of every message: retention order.
    by_age: BTreeSet<(Timestamp, u64)>,
    /// Standard queues: serials of visible messages, for receive in send order.
    pub(crate) visible: BTreeSet<u64>,
    /// FIFO queues: per-group order and deliverable groups.
    pub(crate) groups: Groups,
    pub(crate) counts: QueueCounts,
    /// The next `visible_since` stamp.
    next_stamp: u64,
}

fn count(counts: &mut QueueCounts, state: State) -> &mut u64 {
    match state {
        State::Delayed(_) => &mut counts.delayed,
        State::Visible => &mut counts.visible,
        State::InFlight(_) => &mut counts.in_flight,
    }
}

fn timer(serial: u64, state: State) -> Option<TimerEntry> {
    match state {
        State::Delayed(t) => Some(Reverse((t, serial, Timer::Delay))),
        State::InFlight(t) => Some(Reverse((t, serial, Timer::Visibility))),
        State::Visible => None,
    }
}

impl Store {
    pub(crate) fn new(fifo: bool, retention_ms: u64) -> Self {
        Self {
            fifo,
            retention_ms,
            messages: Messages::default(),
            timers: BinaryHeap::new(),
            by_age: BTreeSet::new(),
            visible: BTreeSet::new(),
            groups: Groups::default(),
            counts: QueueCounts::default(),
            next_stamp: 0,
        }
    }

    /// The stamp the next message to become visible takes: every message made
    /// visible from now on stamps at or above it.
    pub(crate) fn stamp_limit(&self) -> u64 {
        self.next_stamp
    }

    fn stamp(&mut self) -> u64 {
        let stamp = self.next_stamp;
        self.next_stamp += 1;
        stamp
    }

    fn schedule(&mut self, serial: u64, state: State) {
        let Some(entry) = timer(serial, state) else {
            return;
        };
        if self.timers.len() >= 2 * self.messages.len() + TIMER_SLACK {
            // Amortised O(1): a rebuild leaves at most one timer per message,
            // so the next one is at least `messages + slack` pushes away.
            self.timers = self
                .messages
                .iter()
                .filter_map(|(serial, m)| timer(serial, m.state))
                .collect();
        }
        self.timers.push(entry);
    }

    /// Stores a new message (state `Visible` or `Delayed`) under a fresh, largest serial.
    pub(crate) fn insert(&mut self, serial: u64, mut message: Box<Message>) {
        if message.state == State::Visible {
            message.visible_since = self.stamp();
        }
        self.place(serial, message);
    }

    /// Stores a message in the state it has, with the stamp it has, under a
    /// serial larger than any stored: a new message, or one being restored.
    fn place(&mut self, serial: u64, message: Box<Message>) {
        let state = message.state;
        let group = message.group.clone();
        self.by_age.insert((message.enqueued_at, serial));
        self.messages.insert_absent(serial, message);
        *count(&mut self.counts, state) += 1;
        self.schedule(serial, state);
        if self.fifo {
            if let Some(group) = group {
                self.groups.push(&group, serial, &self.messages);
            }
        } else if state == State::Visible {
            self.visible.insert(serial);
        }
    }

    /// Moves a message to `state`, keeping counters, timers and order indexes
    /// right. `Visible` means visible from now on, even for a message that was
    /// (a receive with visibility 0): it takes a new `visible_since` stamp.
    pub(crate) fn set_state(&mut self, serial: u64, state: State) {
        let stamp = self.next_stamp;
        let Some(m) = self.messages.get_mut(&serial) else {
            return;
        };
        if state == State::Visible {
            m.visible_since = stamp;
            self.next_stamp += 1;
        }
        let old = std::mem::replace(&mut m.state, state);
        let group = m.group.clone();
        *count(&mut self.counts, old) -= 1;
        *count(&mut self.counts, state) += 1;
        self.schedule(serial, state);
        if self.fifo {
            if let Some(group) = group {
                self.groups.refresh(&group, &self.messages);
            }
        } else if old == State::Visible && state != State::Visible {
            self.visible.remove(&serial);
        } else if state == State::Visible && old != State::Visible {
            self.visible.insert(serial);
        }
    }

    /// Deletes a message; its timers go stale.
    pub(crate) fn remove(&mut self, serial: u64) -> Option<Box<Message>> {
        let m = self.messages.remove(&serial)?;
        self.by_age.remove(&(m.enqueued_at, serial));
        *count(&mut self.counts, m.state) -= 1;
        if self.fifo {
            if let Some(group) = &m.group {
                self.groups.refresh(group, &self.messages);
            }
        } else if m.state == State::Visible {
            self.visible.remove(&serial);
        }
        Some(m)
    }

    /// Applies everything due at `now`: retention first (an expired message does
    /// not come back), then delays ending and visibility timeouts expiring.
    pub(crate) fn apply_due(&mut self, now: Timestamp) {
        while let Some(&(enqueued_at, serial)) = self.by_age.first() {
            if enqueued_at.plus_ms(self.retention_ms) > now {
                break;
            }
            self.remove(serial);
        }
        while let Some(Reverse((at, serial, kind))) = self.timers.peek().copied() {
            if at > now {
                break;
            }
            self.timers.pop();
            let Some(m) = self.messages.get(&serial) else {
                continue;
            };
            // Only the timer of the message's current state acts (a stale one
            // could be earlier), so messages become visible in the order of
            // the instants they become visible at.
            match (kind, m.state) {
                (Timer::Delay, State::Delayed(until))
                | (Timer::Visibility, State::InFlight(until))
                    if until == at =>
                {
                    self.set_state(serial, State::Visible);
                }
                _ => {}
            }
        }
    }

    /// The earliest delay end or visibility expiry: what can make a message
    /// receivable. May be a stale timer, so it is never late but can be early.
    pub(crate) fn next_timer(&self) -> Option<Timestamp> {
        self.timers.peek().map(|Reverse((t, _, _))| *t)
    }

    /// The earliest retention expiry.
    pub(crate) fn next_retention(&self) -> Option<Timestamp> {
        self.by_age
            .first()
            .map(|(enqueued_at, _)| enqueued_at.plus_ms(self.retention_ms))
    }

    /// A new MessageRetentionPeriod applies to messages already stored.
    pub(crate) fn set_retention(&mut self, retention_ms: u64) {
        self.retention_ms = retention_ms;
    }

    /// FIFO queues: a new queue DelaySeconds applies to messages still delayed,
    /// counted from their send.
    pub(crate) fn retime_delays(&mut self, delay_ms: u64, now: Timestamp) {
        let delayed: Vec<(u64, Timestamp)> = self
            .messages
            .iter()
            .filter(|(_, m)| matches!(m.state, State::Delayed(_)))
            .map(|(serial, m)| (serial, m.sent_at.plus_ms(delay_ms)))
            .collect();
        for (serial, until) in delayed {
            let state = if until <= now {
                State::Visible
            } else {
                State::Delayed(until)
            };
            self.set_state(serial, state);
        }
    }

    /// PurgeQueue: every message goes.
    pub(crate) fn clear(&mut self) {
        self.messages.clear();
        self.timers.clear();
        self.by_age.clear();
        self.visible.clear();
        self.groups.clear();
        self.counts = QueueCounts::default();
    }

    #[cfg(test)]
    pub(crate) fn timer_len(&self) -> usize {
        self.timers.len()
    }
}

#[cfg(test)]
mod size {
    /// A queue may hold millions of messages: a field that pushes `Message` past
    /// 224 bytes costs 32 more per message (the allocator's next size class).
    #[test]
    fn a_message_fits_the_224_byte_size_class() {
        assert!(std::mem::size_of::<super::Message>() <= 224);
    }
}
