//! Where message ids come from. The engine has no RNG; the server supplies UUIDs.

/// Hands out message ids (UUID-shaped strings, at most 100 characters).
pub trait IdSource: Send {
    /// A fresh, never repeated message id.
    fn message_id(&mut self) -> String;
}

/// Deterministic ids for tests: `00000000-0000-4000-8000-000000000001`, `...02`, ...
#[derive(Debug, Default)]
pub struct SeqIds {
    next: u64,
}

impl IdSource for SeqIds {
    fn message_id(&mut self) -> String {
        self.next += 1;
        format!("00000000-0000-4000-8000-{:012x}", self.next)
    }
}
