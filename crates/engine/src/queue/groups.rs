//! FIFO group ordering: each group's messages in send order, the groups' turns,
//! and the set of groups whose head message is visible (the only groups a
//! receive can serve).
//!
//! A group's deliverable set is the longest visible prefix of its not-deleted
//! messages (sqs-spec.md §3.4), so a group can deliver iff its head is visible.
//! Groups take turns as AWS's do: every group holds a turn number, a new group
//! takes the next one, and a group a receive delivered from takes the next one
//! again, which puts it behind every group waiting for its turn (DESIGN.md,
//! "Message groups take turns"). Keeping the deliverable groups in a `BTreeMap`
//! keyed by turn lets a receive go straight to them in turn order, without
//! scanning groups that are blocked behind an in-flight message.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

use crate::chunk_deque::ChunkDeque;
use crate::hash::{FastMap, SerialMap};

use super::store::{Message, State};

#[derive(Debug, Default)]
struct Group {
    /// Serials in send order. Deleted messages are dropped from the front
    /// eagerly and skipped lazily elsewhere.
    serials: ChunkDeque<u64>,
    /// Its place in the rotation: lower turns are served first.
    turn: u64,
    /// Whether it is in `ready` (under `turn`).
    ready: bool,
}

/// The per-group queues of a FIFO queue.
#[derive(Debug, Default)]
pub(crate) struct Groups {
    groups: FastMap<Arc<str>, Group>,
    /// Turn -> group, for groups whose head message is visible.
    ready: BTreeMap<u64, Arc<str>>,
    /// The turn the next new or rotated group takes.
    next_turn: u64,
}

impl Groups {
    /// The shared name of `group` if it has messages, so messages of one group share it.
    pub(crate) fn intern(&self, group: &str) -> Arc<str> {
        self.groups
            .get_key_value(group)
            .map_or_else(|| Arc::from(group), |(k, _)| Arc::clone(k))
    }

    /// Appends a newly stored message; its serial is larger than any before it.
    pub(crate) fn push(
        &mut self,
        group: &Arc<str>,
        serial: u64,
        messages: &SerialMap<Box<Message>>,
    ) {
        let next_turn = &mut self.next_turn;
        let g = self.groups.entry(Arc::clone(group)).or_insert_with(|| {
            // A group that is new (or emptied and forgotten) joins the back.
            let turn = *next_turn;
            *next_turn += 1;
            Group {
                serials: ChunkDeque::default(),
                turn,
                ready: false,
            }
        });
        let had_head = g.serials.front().is_some();
        g.serials.push_back(serial);
        // Every change to a message refreshes its group, so a group that had a
        // head still has it, live and rightly ready or not: a message added
        // behind it changes neither.
        if !had_head {
            self.refresh(group, messages);
        }
    }

    /// Re-derives whether `group` is deliverable after any change to its messages.
    pub(crate) fn refresh(&mut self, group: &Arc<str>, messages: &SerialMap<Box<Message>>) {
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        while g.serials.front().is_some_and(|s| !messages.contains_key(s)) {
            g.serials.pop_front();
        }
        let head = g.serials.front().copied();
        let want =
            head.is_some_and(|s| messages.get(&s).is_some_and(|m| m.state == State::Visible));
        if want != g.ready {
            if want {
                self.ready.insert(g.turn, Arc::clone(group));
            } else {
                self.ready.remove(&g.turn);
            }
            g.ready = want;
        }
        if head.is_none() {
            self.groups.remove(group);
        }
    }

    /// Sends `group` to the back of the rotation: a receive delivered from it.
    pub(crate) fn rotate(&mut self, group: &str) {
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        let turn = self.next_turn;
        self.next_turn += 1;
        if g.ready
            && let Some(name) = self.ready.remove(&g.turn)
        {
            self.ready.insert(turn, name);
        }
        g.turn = turn;
    }

    /// The turn the next rotated group will take: every group a receive rotates
    /// gets a turn at or above this, so a receive that stops here serves no
    /// group twice.
    pub(crate) fn turn_limit(&self) -> u64 {
        self.next_turn
    }

    /// The first deliverable group whose turn is after `cursor` and before `limit`.
    pub(crate) fn next_ready(&self, cursor: Option<u64>, limit: u64) -> Option<(u64, Arc<str>)> {
        let lower = cursor.map_or(Bound::Unbounded, Bound::Excluded);
        self.ready
            .range((lower, Bound::Excluded(limit)))
            .next()
            .map(|(k, g)| (*k, Arc::clone(g)))
    }

    /// The group's serials in send order (possibly including deleted ones).
    pub(crate) fn serials(&self, group: &str) -> impl Iterator<Item = u64> + '_ {
        self.groups
            .get(group)
            .into_iter()
            .flat_map(|g| g.serials.iter().copied())
    }

    pub(crate) fn clear(&mut self) {
        self.groups.clear();
        self.ready.clear();
        self.next_turn = 0;
    }

    #[cfg(test)]
    pub(crate) fn ready_len(&self) -> usize {
        self.ready.len()
    }

    #[cfg(test)]
    pub(crate) fn group_len(&self) -> usize {
        self.groups.len()
    }
}
