//! FIFO group ordering: each group's messages in send order, and the set of
//! groups whose head message is visible (the only groups a receive can serve),
//! in turn order.
//!
//! A group's deliverable set is the longest visible prefix of its not-deleted
//! messages (sqs-spec.md §3.4), so a group can deliver iff its head is visible.
//! Groups take turns as AWS's do: a group's turn is when its head message became
//! visible (`Message::visible_since`), so a group a receive has just delivered
//! from comes back behind the groups that were waiting (DESIGN.md, "Message
//! groups take turns"). Keeping the deliverable groups in a `BTreeMap` keyed by
//! that stamp lets a receive go straight to them in turn order, without
//! scanning groups that are blocked behind an in-flight message.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

use crate::chunk_deque::ChunkDeque;
use crate::hash::FastMap;

use super::store::{Messages, State};

#[derive(Debug, Default)]
struct Group {
    /// Serials in send order. Deleted messages are dropped from the front
    /// eagerly and skipped lazily elsewhere.
    serials: ChunkDeque<u64>,
    /// The key this group currently has in `ready`, if any.
    ready_at: Option<u64>,
}

/// The per-group queues of a FIFO queue.
#[derive(Debug, Default)]
pub(crate) struct Groups {
    groups: FastMap<Arc<str>, Group>,
    /// Head's `visible_since` -> group, for groups whose head message is visible.
    ready: BTreeMap<u64, Arc<str>>,
}

impl Groups {
    /// The shared name of `group` if it has messages, so messages of one group share it.
    pub(crate) fn intern(&self, group: &str) -> Arc<str> {
        self.groups
            .get_key_value(group)
            .map_or_else(|| Arc::from(group), |(k, _)| Arc::clone(k))
    }

    /// Appends a newly stored message; its serial is larger than any before it.
    pub(crate) fn push(&mut self, group: &Arc<str>, serial: u64, messages: &Messages) {
        let serials = &mut self.groups.entry(Arc::clone(group)).or_default().serials;
        let had_head = serials.front().is_some();
        serials.push_back(serial);
        // Every change to a message refreshes its group, so a group that had a
        // head still has it, live and rightly ready or not: a message added
        // behind it changes neither.
        if !had_head {
            self.refresh(group, messages);
        }
    }

    /// Re-derives whether `group` is deliverable after any change to its messages.
    pub(crate) fn refresh(&mut self, group: &Arc<str>, messages: &Messages) {
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        while g.serials.front().is_some_and(|s| !messages.contains_key(s)) {
            g.serials.pop_front();
        }
        let head = g.serials.front().copied();
        let want = head
            .and_then(|s| messages.get(&s))
            .filter(|m| m.state == State::Visible)
            .map(|m| m.visible_since);
        if want != g.ready_at {
            if let Some(old) = g.ready_at {
                self.ready.remove(&old);
            }
            if let Some(new) = want {
                self.ready.insert(new, Arc::clone(group));
            }
            g.ready_at = want;
        }
        if head.is_none() {
            self.groups.remove(group);
        }
    }

    /// The first deliverable group whose head became visible after `cursor`
    /// and before `limit`.
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
