//! The server's clock: system time plus an offset, or a manual clock. Both can be
//! advanced through the control API so tests cross a 5-minute window in milliseconds.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use fifowin_engine::{Clock, ManualClock, Timestamp};
use tokio::sync::Notify;

use crate::config::ClockMode;

/// What a clock reads besides its mode: the manual clock's time and the
/// system clock's advance, both ms. Durable mode's snapshots keep it.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClockReading {
    pub manual_ms: u64,
    pub offset_ms: u64,
}

/// The clock every request reads once.
#[derive(Debug)]
pub struct ServerClock {
    mode: ClockMode,
    manual: ManualClock,
    offset_ms: AtomicU64,
    /// Woken on every advance, so long polls and timers re-check their deadlines.
    advanced: Notify,
}

fn system_now() -> Timestamp {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp(u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX))
}

impl ServerClock {
    /// A clock in `mode`; a manual clock starts at the current wall-clock time.
    pub fn new(mode: ClockMode) -> Self {
        Self::starting_at(mode, system_now())
    }

    /// A clock in `mode` whose manual time starts at `start` (durable mode's
    /// replay: the first logged instant, not the wall clock of the restart).
    pub fn starting_at(mode: ClockMode, start: Timestamp) -> Self {
        Self {
            mode,
            manual: ManualClock::new(start),
            offset_ms: AtomicU64::new(0),
            advanced: Notify::new(),
        }
    }

    /// A clock in `mode` that reads what `reading` was taken of.
    pub fn restored(mode: ClockMode, reading: ClockReading) -> Self {
        Self {
            mode,
            manual: ManualClock::new(Timestamp(reading.manual_ms)),
            offset_ms: AtomicU64::new(reading.offset_ms),
            advanced: Notify::new(),
        }
    }

    /// The manual clock's time (0 on the system clock, which does not read
    /// it) and the system clock's advance.
    pub fn reading(&self) -> ClockReading {
        ClockReading {
            manual_ms: match self.mode {
                ClockMode::System => 0,
                ClockMode::Manual => self.manual.now().as_millis(),
            },
            offset_ms: self.offset_ms.load(Ordering::SeqCst),
        }
    }

    /// System or manual.
    pub fn mode(&self) -> ClockMode {
        self.mode
    }

    /// Moves time forward by `ms` and wakes everyone waiting on time.
    pub fn advance(&self, ms: u64) -> Timestamp {
        match self.mode {
            ClockMode::System => {
                self.offset_ms.fetch_add(ms, Ordering::SeqCst);
            }
            ClockMode::Manual => {
                self.manual.advance(ms);
            }
        }
        self.advanced.notify_waiters();
        self.now()
    }

    /// Moves a manual clock forward to `to` if it is behind (durable mode's
    /// replay brings it to each logged instant, so its time survives a restart).
    pub fn catch_up(&self, to: Timestamp) {
        if self.mode == ClockMode::Manual {
            let behind = to.as_millis().saturating_sub(self.manual.now().as_millis());
            if behind > 0 {
                self.advance(behind);
            }
        }
    }

    /// Resolves at the next [`ServerClock::advance`].
    pub fn advanced(&self) -> &Notify {
        &self.advanced
    }
}

impl Clock for ServerClock {
    fn now(&self) -> Timestamp {
        match self.mode {
            ClockMode::System => system_now().plus_ms(self.offset_ms.load(Ordering::SeqCst)),
            ClockMode::Manual => self.manual.now(),
        }
    }
}
