//! The FIFO topic's deduplication window and sequence numbers (sns-spec.md §3.1, §3.2).
//!
//! This is the queues' window, reused: `fifowin_engine::dedup::DedupTable` already
//! has the boundary rule (a publish at `t` is a duplicate iff `t < first + window`,
//! not extended by duplicates), insertion-ordered expiry and escape tombstones.
//! One difference: a queue's dedup scope is fixed at creation, but a topic's
//! `FifoThroughputScope` can change from `Topic` to `MessageGroup`. So the table
//! is always created by id, and the `MessageGroup` key (group, separator, id)
//! is built here; entries made under the old scope live out their window.

use std::sync::Arc;

use fifowin_engine::dedup::{Check, DedupTable, GROUP_SEPARATOR, Limits};
use fifowin_engine::{DedupEntryView, EscapeRecord, IdSource, Timestamp};

/// SNS sequence numbers are 20-digit decimals just above 10^19 (sns-spec.md §3.2).
const SEQUENCE_BASE: u128 = 10_000_000_000_000_000_000;

/// The answer the window gives a publish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WindowOutcome {
    /// Inside the window of an accepted publish: answer with its ids, deliver nothing.
    Duplicate {
        message_id: String,
        sequence_number: String,
        /// The accepted publish's time (the window's anchor).
        first_published: Timestamp,
    },
    /// Accepted: new ids; `escape` when the id had been seen but its window had closed.
    Accepted {
        message_id: String,
        sequence_number: String,
        escape: Option<EscapeRecord>,
    },
}

/// One FIFO topic's window and sequence counter.
#[derive(Debug)]
pub struct TopicWindow {
    pub(crate) table: DedupTable,
    /// Fixed when the topic is created; an image keeps them.
    pub(crate) limits: Limits,
    /// The last sequence offset handed out; the first message gets 1.
    pub(crate) last_sequence: u64,
}

impl TopicWindow {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            table: DedupTable::new(limits, false),
            last_sequence: 0,
        }
    }

    /// The window's length, ms.
    pub fn window_ms(&self) -> u64 {
        self.limits.window_ms
    }

    /// Looks the publish up and, when it is new, records it with a fresh
    /// MessageId and the next sequence number.
    pub fn publish(
        &mut self,
        by_group: bool,
        group: &str,
        dedup_id: &str,
        ids: &mut dyn IdSource,
        now: Timestamp,
    ) -> WindowOutcome {
        self.table.expire(now);
        let key = if by_group {
            format!("{group}{GROUP_SEPARATOR}{dedup_id}")
        } else {
            dedup_id.to_string()
        };
        let escape = match self.table.check(group, &key, now) {
            Check::Duplicate {
                message_id,
                sequence,
                first_sent,
            } => {
                return WindowOutcome::Duplicate {
                    message_id: message_id.to_string(),
                    sequence_number: sequence_number(sequence),
                    first_published: first_sent,
                };
            }
            Check::New(escape) => escape.map(|mut record| {
                record.dedup_id = dedup_id.to_string();
                record
            }),
        };
        self.last_sequence += 1;
        let message_id = ids.message_id();
        let group: Arc<str> = Arc::from(group);
        self.table
            .insert(&group, &key, &message_id, self.last_sequence, now);
        WindowOutcome::Accepted {
            message_id: message_id.to_string(),
            sequence_number: sequence_number(self.last_sequence),
            escape,
        }
    }

    /// Every escape recorded so far (the most recent ones, up to the record cap).
    pub fn escapes(&self) -> Vec<EscapeRecord> {
        self.table
            .escapes()
            .into_iter()
            .map(|mut record| {
                if let Some((_, id)) = record.dedup_id.split_once(GROUP_SEPARATOR) {
                    record.dedup_id = id.to_string();
                }
                record
            })
            .collect()
    }

    /// How many escapes happened (including records dropped beyond the cap).
    pub fn escape_total(&self) -> u64 {
        self.table.escape_total()
    }

    /// Live ids after applying expiry at `now`, in publish order.
    pub fn entries(&mut self, now: Timestamp) -> Vec<DedupEntryView> {
        self.table.expire(now);
        self.table.entries()
    }

    /// When the next live id expires.
    pub fn next_expiry(&self) -> Option<Timestamp> {
        self.table.next_expiry()
    }

    /// Forgets every live id (the control API's reset); sequence numbers keep increasing.
    pub fn clear(&mut self) {
        self.table.clear();
    }
}

fn sequence_number(offset: u64) -> String {
    (SEQUENCE_BASE + u128::from(offset)).to_string()
}

#[cfg(test)]
mod tests {
    use fifowin_engine::SeqIds;
    use proptest::prelude::*;

    use super::*;

    const WINDOW: u64 = 300_000;

    fn window() -> TopicWindow {
        TopicWindow::new(Limits {
            window_ms: WINDOW,
            horizon_ms: 3_600_000,
            tombstone_cap: 1000,
            record_cap: 100,
        })
    }

    fn ids(outcome: &WindowOutcome) -> (String, String) {
        match outcome {
            WindowOutcome::Duplicate {
                message_id,
                sequence_number,
                ..
            }
            | WindowOutcome::Accepted {
                message_id,
                sequence_number,
                ..
            } => (message_id.clone(), sequence_number.clone()),
        }
    }

    #[test]
    fn duplicate_at_window_minus_one_ms_new_at_the_window() {
        let mut w = window();
        let mut seq = SeqIds::default();
        let first = w.publish(false, "g1", "d1", &mut seq, Timestamp(0));
        assert!(matches!(
            first,
            WindowOutcome::Accepted { escape: None, .. }
        ));
        assert_eq!(ids(&first).1, "10000000000000000001");
        let dup = w.publish(false, "g1", "d1", &mut seq, Timestamp(WINDOW - 1));
        assert!(matches!(dup, WindowOutcome::Duplicate { .. }));
        assert_eq!(ids(&dup), ids(&first));
        let again = w.publish(false, "g1", "d1", &mut seq, Timestamp(WINDOW));
        let WindowOutcome::Accepted { escape, .. } = &again else {
            panic!("accepted at the window: {again:?}");
        };
        let escape = escape.as_ref().expect("an escape is recorded");
        assert_eq!(escape.dedup_id, "d1");
        assert_eq!(escape.late_by_ms, 0);
        assert_ne!(ids(&again).0, ids(&first).0);
        assert_eq!(ids(&again).1, "10000000000000000002");
        assert_eq!(w.escapes().len(), 1);
    }

    #[test]
    fn duplicates_do_not_extend_the_window() {
        let mut w = window();
        let mut seq = SeqIds::default();
        w.publish(false, "g", "d", &mut seq, Timestamp(0));
        w.publish(false, "g", "d", &mut seq, Timestamp(10_000));
        let late = w.publish(false, "g", "d", &mut seq, Timestamp(WINDOW + 5));
        assert!(matches!(late, WindowOutcome::Accepted { .. }));
    }

    #[test]
    fn topic_scope_spans_groups_message_group_scope_does_not() {
        let mut w = window();
        let mut seq = SeqIds::default();
        let a = w.publish(false, "g1", "d1", &mut seq, Timestamp(0));
        let b = w.publish(false, "g2", "d1", &mut seq, Timestamp(1));
        assert_eq!(ids(&a), ids(&b));
        let mut w = window();
        let a = w.publish(true, "g1", "d1", &mut seq, Timestamp(0));
        let b = w.publish(true, "g2", "d1", &mut seq, Timestamp(1));
        assert_ne!(ids(&a).0, ids(&b).0);
        let c = w.publish(true, "g2", "d1", &mut seq, Timestamp(2));
        assert_eq!(ids(&b), ids(&c));
    }

    proptest! {
        /// Against a model: a publish is a duplicate iff an accepted publish of
        /// its id happened less than a window earlier.
        #[test]
        fn agrees_with_the_boundary_rule(steps in proptest::collection::vec((0u8..3, 0u64..200_000), 1..40)) {
            let mut w = window();
            let mut seq = SeqIds::default();
            let mut accepted: std::collections::HashMap<u8, u64> = Default::default();
            let mut now = 0;
            let mut last_seq = 0u128;
            for (id, step) in steps {
                now += step;
                let outcome = w.publish(false, "g", &id.to_string(), &mut seq, Timestamp(now));
                let duplicate = accepted.get(&id).is_some_and(|first| now < first + WINDOW);
                prop_assert_eq!(matches!(outcome, WindowOutcome::Duplicate { .. }), duplicate);
                if !duplicate {
                    accepted.insert(id, now);
                    let n: u128 = ids(&outcome).1.parse().unwrap();
                    prop_assert!(n > last_seq);
                    last_seq = n;
                }
            }
        }
    }
}
