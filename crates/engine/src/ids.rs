//! Where message ids come from. The engine has no RNG; the server supplies UUIDs.

use std::sync::Arc;

/// Hands out message ids (UUID-shaped strings, at most 100 characters).
pub trait IdSource: Send {
    /// A fresh, never repeated message id, in the shared form messages and
    /// dedup entries keep it in (one allocation per id).
    fn message_id(&mut self) -> Arc<str>;
}

/// Deterministic ids for tests: `00000000-0000-4000-8000-000000000001`, `...02`, ...
#[derive(Debug, Default)]
pub struct SeqIds {
    next: u64,
}

impl SeqIds {
    /// The source that continues after `drawn` ids, for a queue restored from
    /// an image ([`crate::QueueImage::ids_drawn`]).
    pub fn after(drawn: u64) -> Self {
        Self { next: drawn }
    }
}

impl IdSource for SeqIds {
    fn message_id(&mut self) -> Arc<str> {
        self.next += 1;
        Arc::from(format!("00000000-0000-4000-8000-{:012x}", self.next))
    }
}
