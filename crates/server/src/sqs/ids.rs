//! Where a new queue's message ids come from: random v4 UUIDs, as on AWS, or in
//! durable mode UUID-shaped hashes that come out the same when the command log
//! is replayed.

use std::sync::Arc;

use fifowin_engine::{IdSource, Timestamp};
use sha2::{Digest, Sha256};

/// The id source the service gives each queue it creates; chosen per request by
/// the layer that knows the mode, like `now`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum MessageIds {
    /// Random v4 UUIDs.
    Random,
    /// Hashes of the database's seed, the queue's name (and region, outside the
    /// server's own) and creation time, and a counter. Only what the log reproduces goes in (not a counter that a
    /// failed, unlogged CreateQueue would also have moved).
    Derived { seed: u64 },
}

impl MessageIds {
    /// The id source of a queue called `name` created at `now`; `other_region`
    /// is its region when that is not the server's default, so same-named queues
    /// of two regions draw different ids while a default-region queue's ids
    /// depend on its name and time only.
    pub(crate) fn for_queue(
        self,
        name: &str,
        other_region: Option<&str>,
        now: Timestamp,
    ) -> Box<dyn IdSource> {
        self.resume(name, other_region, now, 0)
    }

    /// [`Self::for_queue`] of a queue created at `created` that has handed out
    /// `drawn` ids already (a queue restored from a snapshot).
    pub(crate) fn resume(
        self,
        name: &str,
        other_region: Option<&str>,
        created: Timestamp,
        drawn: u64,
    ) -> Box<dyn IdSource> {
        match self {
            MessageIds::Random => Box::new(UuidIds),
            MessageIds::Derived { seed } => {
                let mut hash = Sha256::new().chain_update(name.as_bytes());
                if let Some(region) = other_region {
                    hash = hash.chain_update(b"\0").chain_update(region.as_bytes());
                }
                let queue = hash
                    .chain_update(created.as_millis().to_le_bytes())
                    .finalize();
                let mut first = [0u8; 8];
                first.copy_from_slice(&queue[..8]);
                Box::new(HashedIds {
                    seed,
                    queue: u64::from_le_bytes(first),
                    next: drawn,
                })
            }
        }
    }

    /// The id of a message move task started on `source_arn` at `now` when
    /// `earlier` tasks were known: a v4 UUID, or in durable mode a hash of those
    /// (what the log reproduces) and the seed.
    pub(crate) fn task_id(self, source_arn: &str, now: Timestamp, earlier: usize) -> String {
        let id = match self {
            MessageIds::Random => uuid::Uuid::new_v4(),
            MessageIds::Derived { seed } => {
                let digest = Sha256::new()
                    .chain_update(b"move-task")
                    .chain_update(seed.to_le_bytes())
                    .chain_update(source_arn.as_bytes())
                    .chain_update(now.as_millis().to_le_bytes())
                    .chain_update((earlier as u64).to_le_bytes())
                    .finalize();
                let mut bytes = [0u8; 16];
                bytes.copy_from_slice(&digest[..16]);
                uuid::Builder::from_random_bytes(bytes).into_uuid()
            }
        };
        id.hyphenated().to_string()
    }
}

/// Random v4 UUIDs.
struct UuidIds;

impl IdSource for UuidIds {
    fn message_id(&mut self) -> Arc<str> {
        // encode_lower instead of Display: one id per send, ten per batch.
        let mut buf = uuid::Uuid::encode_buffer();
        Arc::from(&*uuid::Uuid::new_v4().hyphenated().encode_lower(&mut buf))
    }
}

/// UUID-shaped hashes that a replay reproduces.
struct HashedIds {
    seed: u64,
    /// Hash of the queue's name and creation time.
    queue: u64,
    next: u64,
}

impl IdSource for HashedIds {
    fn message_id(&mut self) -> Arc<str> {
        self.next += 1;
        let digest = Sha256::new()
            .chain_update(self.seed.to_le_bytes())
            .chain_update(self.queue.to_le_bytes())
            .chain_update(self.next.to_le_bytes())
            .finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        let mut buf = uuid::Uuid::encode_buffer();
        let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
        Arc::from(&*id.hyphenated().encode_lower(&mut buf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resumed_source_continues_where_the_original_stopped() {
        let ids = MessageIds::Derived { seed: 7 };
        let mut original = ids.for_queue("q", Some("eu-west-1"), Timestamp(1_000));
        let drawn: Vec<_> = (0..5).map(|_| original.message_id()).collect();
        let mut resumed = ids.resume("q", Some("eu-west-1"), Timestamp(1_000), 3);
        assert_eq!(resumed.message_id(), drawn[3]);
        assert_eq!(resumed.message_id(), drawn[4]);
        assert_eq!(resumed.message_id(), original.message_id());
    }
}
