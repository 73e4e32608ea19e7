//! Time as the engine sees it: milliseconds since the Unix epoch, supplied by the caller.

use std::sync::atomic::{AtomicU64, Ordering};

/// Milliseconds since the Unix epoch.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// Milliseconds since the epoch.
    pub fn as_millis(self) -> u64 {
        self.0
    }
    /// Whole seconds since the epoch (AWS reports queue timestamps in seconds).
    pub fn as_secs(self) -> u64 {
        self.0 / 1000
    }
    /// This instant plus `ms` milliseconds, saturating.
    pub fn plus_ms(self, ms: u64) -> Timestamp {
        Timestamp(self.0.saturating_add(ms))
    }
    /// This instant plus `secs` seconds, saturating.
    pub fn plus_secs(self, secs: u64) -> Timestamp {
        self.plus_ms(secs.saturating_mul(1000))
    }
}

/// A source of the current time. The server calls it once per request.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// A clock that moves only when told to: tests and `--clock manual`.
#[derive(Debug, Default)]
pub struct ManualClock {
    now_ms: AtomicU64,
}

impl ManualClock {
    /// A manual clock reading `start`.
    pub fn new(start: Timestamp) -> Self {
        Self {
            now_ms: AtomicU64::new(start.0),
        }
    }
    /// Moves the clock forward by `ms` and returns the new reading.
    pub fn advance(&self, ms: u64) -> Timestamp {
        Timestamp(
            self.now_ms
                .fetch_add(ms, Ordering::SeqCst)
                .saturating_add(ms),
        )
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.now_ms.load(Ordering::SeqCst))
    }
}
