//! What the server decides about SNS outside the API: the topic windows, escape
//! bookkeeping, and the base URL the envelope's links point at.

use std::collections::BTreeMap;

use fifowin_engine::QueueSettings;
use fifowin_engine::dedup::Limits;

/// Settings for every topic; a topic's window is fixed when it is created.
#[derive(Clone, Debug)]
pub struct SnsSettings {
    /// The FIFO topic window, ms (the server's `--dedup-window`).
    pub dedup_window_ms: u64,
    /// Per-topic windows by topic name, overriding `dedup_window_ms`.
    pub window_overrides: BTreeMap<String, u64>,
    /// How long an expired id is remembered to detect escapes, ms.
    pub escape_horizon_ms: u64,
    pub escape_tombstone_cap: usize,
    pub escape_record_cap: usize,
    /// The base of `UnsubscribeURL` and `SigningCertURL` (no trailing slash):
    /// the server's own address, so the link reaches fifowin instead of AWS.
    pub public_url: String,
}

impl Default for SnsSettings {
    /// The queues' defaults (SNS's interval is the same 5 minutes).
    fn default() -> Self {
        Self {
            dedup_window_ms: QueueSettings::DEFAULT_DEDUP_WINDOW_MS,
            window_overrides: BTreeMap::new(),
            escape_horizon_ms: QueueSettings::DEFAULT_ESCAPE_HORIZON_MS,
            escape_tombstone_cap: QueueSettings::DEFAULT_ESCAPE_TOMBSTONE_CAP,
            escape_record_cap: QueueSettings::DEFAULT_ESCAPE_RECORD_CAP,
            public_url: "http://localhost:9324".to_string(),
        }
    }
}

impl SnsSettings {
    /// The window limits of the topic named `name`.
    pub fn limits_for(&self, name: &str) -> Limits {
        Limits {
            window_ms: self
                .window_overrides
                .get(name)
                .copied()
                .unwrap_or(self.dedup_window_ms),
            horizon_ms: self.escape_horizon_ms,
            tombstone_cap: self.escape_tombstone_cap,
            record_cap: self.escape_record_cap,
        }
    }
}
