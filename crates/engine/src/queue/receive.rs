//! ReceiveMessage: FIFO group delivery, standard delivery, redrive to the
//! dead-letter queue, ReceiveRequestAttemptId retries and attribute filters
//! (sqs-spec.md §3.4, §3.5, §4.5, §4.7).

use std::num::NonZeroU64;
use std::ops::Bound;

use crate::checksum::{content_dedup_id, hex, md5_of_attributes};
use crate::chunk_deque::{ChunkDeque, offset};
use crate::clock::Timestamp;
use crate::error::EngineError;
use crate::hash::FastMap;
use crate::message::MessageAttributes;
use crate::validate;

use super::receipt::{self, Receipt};
use super::store::{DedupId, Message, State};
use super::{DeadLetter, Queue, QueueKind, ReceiveOutcome, ReceiveRequest, ReceivedMessage};

mod snapshot;

pub(crate) use snapshot::{AttemptsImage, FrozenAttempts};

/// In-flight messages a queue holds at most (FIFO: receives return nothing more;
/// standard: receives fail with OverLimit).
pub(crate) const MAX_IN_FLIGHT: u64 = 120_000;
const MAX_VISIBILITY_SECS: i64 = 43_200;

/// A FIFO receive that can be retried with its ReceiveRequestAttemptId.
#[derive(Clone, Debug)]
struct Attempt {
    at: Timestamp,
    id: String,
    /// What a retry returns; `None` once a later record of the id replaced
    /// this one, which then only waits its turn to expire. Kept here, not
    /// only in the map, so a clone of the order tells which records count.
    receipts: Option<Vec<Receipt>>,
}

/// Recent attempt ids, expiring in insertion order (the window is constant).
/// Records live in a [`ChunkDeque`], so a snapshot shares them rather than
/// copying them ([`Attempts::freeze`]).
#[derive(Debug, Default)]
pub(crate) struct Attempts {
    /// Attempt id -> the place of its current record in `order`.
    map: FastMap<String, u64>,
    /// Records in expiry order; the front one has place `front`.
    order: ChunkDeque<Attempt>,
    front: u64,
    /// The place the next record gets.
    next: u64,
}

impl Attempts {
    pub(crate) fn expire(&mut self, now: Timestamp, window_ms: u64) {
        while let Some(oldest) = self.order.front() {
            if oldest.at.plus_ms(window_ms) > now {
                break;
            }
            let place = self.front;
            if let Some(oldest) = self.order.pop_front() {
                self.front += 1;
                // The id may have been reused since; only its own entry goes.
                if self.map.get(&oldest.id) == Some(&place) {
                    self.map.remove(&oldest.id);
                }
            }
        }
    }

    /// The receipts a retry of `id` returns, while its record lives.
    fn receipts(&self, id: &str) -> Option<Vec<Receipt>> {
        let place = *self.map.get(id)?;
        self.order.get(offset(place, self.front))?.receipts.clone()
    }

    fn insert(&mut self, id: &str, at: Timestamp, receipts: Vec<Receipt>) {
        let place = self.next;
        self.next += 1;
        if let Some(older) = self.map.insert(id.to_string(), place)
            && let Some(record) = self.order.get_mut(offset(older, self.front))
        {
            record.receipts = None;
        }
        self.order.push_back(Attempt {
            at,
            id: id.to_string(),
            receipts: Some(receipts),
        });
    }

    pub(crate) fn clear(&mut self) {
        self.map.clear();
        self.order.clear();
        self.front = self.next;
    }
}

fn invalid(text: String) -> EngineError {
    EngineError::InvalidParameterValue(text)
}

/// `MessageAttributeNames` matching: `All`, `.*`, `*`, exact names, `prefix.*`.
fn wants_attribute(filters: &[String], name: &str) -> bool {
    filters.iter().any(|f| {
        f == "All"
            || f == ".*"
            || f == "*"
            || f == name
            || f.strip_suffix(".*").is_some_and(|p| name.starts_with(p))
    })
}

impl Queue {
    /// ReceiveMessage (one short poll; the server loops for long polling).
    pub fn receive(
        &mut self,
        req: &ReceiveRequest,
        now: Timestamp,
    ) -> Result<ReceiveOutcome, EngineError> {
        let max = match req.max_number_of_messages {
            None => 1,
            Some(v @ 1..=10) => v.unsigned_abs() as usize,
            Some(v) => {
                return Err(invalid(format!(
                    "Value {v} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."
                )));
            }
        };
        let visibility_ms = match req.visibility_timeout {
            None => u64::from(self.attrs.visibility_timeout) * 1000,
            Some(v @ 0..=MAX_VISIBILITY_SECS) => v.unsigned_abs() * 1000,
            Some(v) => {
                return Err(invalid(format!(
                    "Value {v} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided."
                )));
            }
        };
        // Standard queues accept and ignore the attempt id (sqs-spec.md §3.5).
        let attempt_id = req.attempt_id.as_deref().filter(|_| self.is_fifo());
        if let Some(id) = attempt_id.filter(|id| !validate::is_valid_token(id)) {
            return Err(invalid(format!(
                "Value {id} for parameter ReceiveRequestAttemptId is invalid. Reason: ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length."
            )));
        }
        self.advance(now);
        let retry = attempt_id.and_then(|id| Some((id, self.attempts.receipts(id)?)));
        if let Some((id, receipts)) = retry {
            return self.replay(id, &receipts, req, visibility_ms, now);
        }
        if !self.is_fifo() && self.store.counts.in_flight >= MAX_IN_FLIGHT {
            return Err(EngineError::OverLimit(format!(
                "The maximum number of in-flight messages ({MAX_IN_FLIGHT}) has been reached."
            )));
        }
        let receive = self.next_receive;
        self.next_receive += 1;
        let mut out = ReceiveOutcome::default();
        let taken = if self.is_fifo() {
            self.collect_fifo(max, receive, visibility_ms, &mut out.dead_letters, now)
        } else {
            self.collect_standard(max, receive, visibility_ms, &mut out.dead_letters, now)
        };
        let receipts: Vec<Receipt> = taken
            .iter()
            .map(|&serial| Receipt { serial, receive })
            .collect();
        out.messages = receipts
            .iter()
            .filter_map(|r| self.render(*r, req))
            .collect();
        if let Some(id) = attempt_id {
            // An attempt that returned nothing is retried as a fresh receive.
            if !receipts.is_empty() {
                self.attempts.insert(id, now, receipts);
            }
        }
        Ok(out)
    }

    /// A retry of an attempt id within its window: the same messages and handles,
    /// with their visibility reset, unless any was deleted or changed since.
    fn replay(
        &mut self,
        id: &str,
        receipts: &[Receipt],
        req: &ReceiveRequest,
        visibility_ms: u64,
        now: Timestamp,
    ) -> Result<ReceiveOutcome, EngineError> {
        let intact = receipts.iter().all(|r| {
            self.store
                .messages
                .get(&r.serial)
                .is_some_and(|m| m.receipt == r.receive && !m.visibility_changed)
        });
        if !intact {
            return Err(invalid(format!(
                "Value {id} for parameter ReceiveRequestAttemptId is invalid. Reason: The receiveRequestAttemptId is not valid anymore since the receive call is not retryable."
            )));
        }
        for r in receipts {
            if let Some(m) = self.store.messages.get_mut(&r.serial) {
                m.received_at = now;
            }
            self.store
                .set_state(r.serial, in_flight_state(visibility_ms, now));
        }
        Ok(ReceiveOutcome {
            messages: receipts
                .iter()
                .filter_map(|r| self.render(*r, req))
                .collect(),
            dead_letters: Vec::new(),
        })
    }

    /// Whether receiving `m` now would exceed the redrive policy's maxReceiveCount.
    fn exceeds_max_receives(&self, m: &Message) -> bool {
        self.attrs
            .redrive_policy
            .as_ref()
            .is_some_and(|p| m.receive_count.saturating_add(1) > p.max_receive_count)
    }

    /// FIFO: fill from one group's visible prefix before moving to the next group,
    /// groups in the order their heads became visible.
    fn collect_fifo(
        &mut self,
        max: usize,
        receive: u64,
        visibility_ms: u64,
        dead: &mut Vec<DeadLetter>,
        now: Timestamp,
    ) -> Vec<u64> {
        let mut taken = Vec::with_capacity(max);
        let mut candidates: Vec<(u64, bool)> = Vec::new();
        // A group delivered from with visibility 0 comes back with a stamp at or
        // above `limit`; one delivered from otherwise is locked, and one that
        // only lost dead letters has no visible prefix left. So a cursor over
        // stamps below `limit` visits each deliverable group at most once.
        let limit = self.store.stamp_limit();
        let mut cursor = None;
        loop {
            let room = (max - taken.len())
                .min(MAX_IN_FLIGHT.saturating_sub(self.store.counts.in_flight) as usize);
            if room == 0 {
                break;
            }
            let Some((since, group)) = self.store.groups.next_ready(cursor, limit) else {
                break;
            };
            cursor = Some(since);
            candidates.clear();
            let mut deliverable = 0;
            for serial in self.store.groups.serials(&group) {
                let Some(m) = self.store.messages.get(&serial) else {
                    continue;
                };
                // The prefix ends at the first invisible message; one already
                // returned by this receive (visibility 0) also ends it.
                if m.state != State::Visible || m.receipt == receive {
                    break;
                }
                let dead_letter = self.exceeds_max_receives(m);
                candidates.push((serial, dead_letter));
                if !dead_letter {
                    deliverable += 1;
                    if deliverable == room {
                        break;
                    }
                }
            }
            for &(serial, dead_letter) in &candidates {
                if dead_letter {
                    dead.extend(self.dead_letter(serial));
                } else {
                    self.take(serial, receive, visibility_ms, now);
                    taken.push(serial);
                }
            }
        }
        taken
    }

    /// Standard: any visible messages, oldest first; no group locking.
    fn collect_standard(
        &mut self,
        max: usize,
        receive: u64,
        visibility_ms: u64,
        dead: &mut Vec<DeadLetter>,
        now: Timestamp,
    ) -> Vec<u64> {
        let mut taken = Vec::with_capacity(max);
        let mut cursor = Bound::Unbounded;
        while taken.len() < max {
            let Some(serial) = self
                .store
                .visible
                .range((cursor, Bound::Unbounded))
                .next()
                .copied()
            else {
                break;
            };
            cursor = Bound::Excluded(serial);
            let dead_letter = self
                .store
                .messages
                .get(&serial)
                .is_some_and(|m| self.exceeds_max_receives(m));
            if dead_letter {
                dead.extend(self.dead_letter(serial));
            } else {
                self.take(serial, receive, visibility_ms, now);
                taken.push(serial);
            }
        }
        taken
    }

    fn take(&mut self, serial: u64, receive: u64, visibility_ms: u64, now: Timestamp) {
        let Some(m) = self.store.messages.get_mut(&serial) else {
            return;
        };
        m.receive_count = m.receive_count.saturating_add(1);
        let again = m.receive_count > 1;
        m.first_receive.get_or_insert(now);
        m.receipt = receive;
        m.received_at = now;
        m.visibility_changed = false;
        self.store
            .set_state(serial, in_flight_state(visibility_ms, now));
        self.stats.received += 1;
        self.stats.redelivered += u64::from(again);
    }

    fn dead_letter(&mut self, serial: u64) -> Option<DeadLetter> {
        let target_arn = self.dead_letter_target_arn()?.to_string();
        let message = self.store.remove(serial)?;
        Some(DeadLetter {
            target_arn,
            message,
        })
    }

    /// Receives a message moved here from a source queue's redrive.
    pub fn accept_dead_letter(&mut self, letter: DeadLetter, source_arn: &str, now: Timestamp) {
        self.advance(now);
        let mut m = letter.message;
        m.extras.get_or_insert_default().dlq_source_arn = Some(source_arn.to_string());
        m.state = State::Visible;
        m.receipt = 0;
        m.visibility_changed = false;
        if self.attrs.kind == QueueKind::Fifo {
            // FIFO dead-letter queues restart the retention clock (sqs-spec.md §3.7).
            m.enqueued_at = now;
            m.sequence = NonZeroU64::new(self.next_sequence);
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

    /// The wire view of a message for `receipt`, filtered as the request asks.
    fn render(&self, receipt: Receipt, req: &ReceiveRequest) -> Option<ReceivedMessage> {
        let m = self.store.messages.get(&receipt.serial)?;
        let message_attributes: MessageAttributes = if req.message_attribute_names.is_empty() {
            MessageAttributes::new()
        } else {
            m.attributes
                .iter()
                .filter(|(name, _)| wants_attribute(&req.message_attribute_names, name))
                .map(|(n, v)| (n.clone(), v.clone()))
                .collect()
        };
        Some(ReceivedMessage {
            message_id: m.message_id.to_string(),
            receipt_handle: receipt::encode(self.incarnation, receipt),
            body: m.body.to_string(),
            md5_of_body: hex(&m.md5_of_body),
            attributes: self.system_attributes(m, &req.system_attribute_names),
            md5_of_message_attributes: md5_of_attributes(&message_attributes),
            message_attributes,
        })
    }

    /// The requested system attributes that apply to `m`, in name (byte) order.
    fn system_attributes(&self, m: &Message, names: &[String]) -> Vec<(String, String)> {
        if names.is_empty() {
            return Vec::new();
        }
        let all = names.iter().any(|n| n == "All");
        let fifo = self.is_fifo();
        SYSTEM_ATTRIBUTE_NAMES
            .iter()
            .filter(|name| all || names.iter().any(|n| n == *name))
            .filter_map(|&name| {
                let value = match name {
                    "AWSTraceHeader" => m.extras.as_ref()?.trace_header.clone(),
                    "ApproximateFirstReceiveTimestamp" => Some(
                        m.first_receive
                            .unwrap_or(m.received_at)
                            .as_millis()
                            .to_string(),
                    ),
                    "ApproximateReceiveCount" => Some(m.receive_count.to_string()),
                    "DeadLetterQueueSourceArn" => m.extras.as_ref()?.dlq_source_arn.clone(),
                    "MessageDeduplicationId" if fifo => match &m.dedup_id {
                        DedupId::None => None,
                        DedupId::Content => Some(content_dedup_id(&m.body)),
                        DedupId::Explicit(key) => Some(crate::dedup::id_of_key(key).to_string()),
                    },
                    "MessageGroupId" => m.group.as_deref().map(str::to_string),
                    "SenderId" => Some(m.sender_id.to_string()),
                    "SentTimestamp" => Some(m.sent_at.as_millis().to_string()),
                    "SequenceNumber" => m
                        .sequence
                        .filter(|_| fifo)
                        .map(|s| self.sequence_number(s.get())),
                    _ => None,
                };
                Some((name.to_string(), value?))
            })
            .collect()
    }
}

/// Message system attributes a receive can return, in the (byte) order it returns them.
const SYSTEM_ATTRIBUTE_NAMES: [&str; 9] = [
    "AWSTraceHeader",
    "ApproximateFirstReceiveTimestamp",
    "ApproximateReceiveCount",
    "DeadLetterQueueSourceArn",
    "MessageDeduplicationId",
    "MessageGroupId",
    "SenderId",
    "SentTimestamp",
    "SequenceNumber",
];

fn in_flight_state(visibility_ms: u64, now: Timestamp) -> State {
    if visibility_ms == 0 {
        State::Visible
    } else {
        State::InFlight(now.plus_ms(visibility_ms))
    }
}
