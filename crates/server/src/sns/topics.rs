//! The SNS state the server keeps: every topic and subscription (`fifowin-sns`)
//! behind one lock, with the count of state-changing requests durable mode
//! derives ids from. Imports nothing of the server but its config, so
//! `AppState` can hold it without an import cycle.

use std::sync::{Mutex, MutexGuard};

use fifowin_sns::snapshot::{RestoreError, TopicImage};
use fifowin_sns::{Scope, Sns, SnsSettings};

use crate::config::ServerConfig;

/// The topics of one server, behind one lock: a publish's dedup check, its
/// sequence number and its fan-out happen under it, so every subscribed queue
/// receives a group's messages in publish order.
#[derive(Debug)]
pub struct SnsState {
    inner: Mutex<Topics>,
}

/// What the lock guards.
#[derive(Debug)]
pub(crate) struct Topics {
    pub(crate) sns: Sns,
    /// State-changing requests applied so far: durable mode's message ids are
    /// derived from it, and a replay applies the same requests in the same order.
    pub(crate) serial: u64,
}

impl SnsState {
    /// No topics; windows and escape bookkeeping as the server's queues have them.
    pub(crate) fn new(config: &ServerConfig, window_overrides: Vec<(String, u64)>) -> Self {
        let settings = SnsSettings {
            dedup_window_ms: config.dedup_window_ms,
            window_overrides: window_overrides.into_iter().collect(),
            escape_horizon_ms: config.escape_horizon_ms,
            escape_tombstone_cap: config.escape_tombstone_cap,
            escape_record_cap: config.escape_record_cap,
            public_url: config.public_url.as_deref().map_or_else(
                || SnsSettings::default().public_url,
                |u| u.trim_end_matches('/').to_string(),
            ),
        };
        Self {
            inner: Mutex::new(Topics {
                sns: Sns::new(settings),
                serial: 0,
            }),
        }
    }

    /// [`Self::new`] holding the topics of a durable snapshot, `serial`
    /// requests in.
    pub(crate) fn restored(
        config: &ServerConfig,
        window_overrides: Vec<(String, u64)>,
        topics: Vec<TopicImage>,
        serial: u64,
    ) -> Result<Self, RestoreError> {
        let state = Self::new(config, window_overrides);
        {
            let mut inner = state.lock();
            let settings = inner.sns.settings().clone();
            inner.sns = Sns::restore(settings, topics)?;
            inner.serial = serial;
        }
        Ok(state)
    }

    /// Locks the topics. A panic inside an SNS call poisons the mutex; the state
    /// is the last consistent one it wrote, so keep serving.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Topics> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The region and account the config file's topics live in: the server's
/// `--region`, where its queues are too (requests act in their own region).
pub(crate) fn scope(config: &ServerConfig) -> Scope {
    Scope::new(&config.region, &config.account_id)
}
