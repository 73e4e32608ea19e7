//! The opt-in 60-second cooldown after DeleteQueue (`--deleted-queue-cooldown`):
//! which queues (by ARN: a name in a region) were deleted when, on the server
//! clock, so CreateQueue can refuse a name deleted less than a minute ago in
//! that region as AWS does (sqs-spec.md §4.2).

use std::collections::HashMap;
use std::sync::Mutex;

use fifowin_engine::Timestamp;
use fifowin_wire::{ErrorCode, SqsError};

/// How long a deleted queue's name stays taken.
pub(crate) const COOLDOWN_MS: u64 = 60_000;

/// Names deleted within the last [`COOLDOWN_MS`] and when. Only written when the
/// cooldown is on; deletions are rare, so expired names are dropped on each one.
#[derive(Debug, Default)]
pub struct RecentlyDeleted {
    names: Mutex<HashMap<String, Timestamp>>,
}

impl RecentlyDeleted {
    fn names(&self) -> std::sync::MutexGuard<'_, HashMap<String, Timestamp>> {
        self.names
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The queue `arn` was deleted at `now`.
    pub fn record(&self, arn: &str, now: Timestamp) {
        let mut names = self.names();
        names.retain(|_, at| at.plus_ms(COOLDOWN_MS) > now);
        names.insert(arn.to_string(), now);
    }

    /// QueueDeletedRecently if the queue `arn` was deleted less than a minute before `now`.
    pub fn check(&self, arn: &str, now: Timestamp) -> Result<(), SqsError> {
        match self.names().get(arn) {
            Some(at) if at.plus_ms(COOLDOWN_MS) > now => Err(SqsError::new(
                ErrorCode::QueueDeletedRecently,
                "You must wait 60 seconds after deleting a queue before you can create another with the same name.",
            )),
            _ => Ok(()),
        }
    }

    /// Every queue (ARN) remembered and when it was deleted, oldest first.
    pub fn entries(&self) -> Vec<(String, Timestamp)> {
        let mut entries: Vec<_> = self
            .names()
            .iter()
            .map(|(arn, at)| (arn.clone(), *at))
            .collect();
        entries.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        entries
    }

    /// Remembers `entries` as [`Self::entries`] returned them (a snapshot).
    pub fn restore(&self, entries: impl IntoIterator<Item = (String, Timestamp)>) {
        self.names().extend(entries);
    }

    /// Forgets every deletion (a global reset).
    pub fn clear(&self) {
        self.names().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_refused_for_exactly_sixty_seconds() {
        let deleted = RecentlyDeleted::default();
        deleted.record("q", Timestamp(1_000));
        let err = deleted.check("q", Timestamp(60_999)).unwrap_err();
        assert_eq!(err.code, ErrorCode::QueueDeletedRecently);
        assert_eq!(
            err.message,
            "You must wait 60 seconds after deleting a queue before you can create another with the same name."
        );
        assert!(deleted.check("q", Timestamp(61_000)).is_ok());
        assert!(deleted.check("other", Timestamp(1_000)).is_ok());
    }

    #[test]
    fn expired_names_are_dropped_and_reset_forgets_all() {
        let deleted = RecentlyDeleted::default();
        deleted.record("a", Timestamp(0));
        deleted.record("b", Timestamp(60_000));
        assert_eq!(deleted.names().len(), 1, "a expired when b was deleted");
        deleted.clear();
        assert!(deleted.check("b", Timestamp(60_001)).is_ok());
    }
}
