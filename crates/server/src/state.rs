//! The state every layer shares, one `Arc` per part: settings, the clock, the
//! queue registry, the SNS topics, and each layer's own tables (fault rules and request metrics
//! of the pipeline, durable mode's log, move tasks and recently deleted names of
//! the SQS service). The parts are defined where they are used; the files that
//! define them import nothing from here, so this module closes no import cycle.

pub(crate) mod clock;
pub(crate) mod registry;

use std::sync::Arc;

use fifowin_engine::Clock;

use crate::config::ServerConfig;
use crate::config::file::{ConfigError, QueueSpec, TopicSpec};
use crate::pipeline::durable::log::Durable;
use crate::pipeline::faults::Faults;
use crate::pipeline::metrics::Metrics;
use crate::sns::provision::window_overrides;
use crate::sns::topics::SnsState;
use crate::sqs::ids::MessageIds;
use crate::sqs::move_tasks::tasks::MoveTasks;
use crate::sqs::provision::{Existing, provision};
use crate::sqs::recently_deleted::RecentlyDeleted;
use clock::ServerClock;
use registry::Registry;

/// Everything a request handler needs; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    pub config: Arc<ServerConfig>,
    pub clock: Arc<ServerClock>,
    pub registry: Arc<Registry>,
    /// Message move tasks, across queues.
    pub move_tasks: Arc<MoveTasks>,
    /// Fault-injection rules.
    pub faults: Arc<Faults>,
    /// Request latency and error counts.
    pub metrics: Arc<Metrics>,
    /// The config file's queues: created at start-up and again by a global reset.
    pub startup_queues: Arc<Vec<QueueSpec>>,
    /// Durable mode (`--data-dir`): the command log and its ordering lock.
    pub durable: Option<Arc<Durable>>,
    /// Names deleted within the last minute (`--deleted-queue-cooldown`).
    pub recently_deleted: Arc<RecentlyDeleted>,
    /// SNS topics and subscriptions.
    pub sns: Arc<SnsState>,
    /// The config file's topics: created after its queues at start-up and again
    /// by a global reset.
    pub startup_topics: Arc<Vec<TopicSpec>>,
}

impl AppState {
    /// Fresh state with no queues.
    pub fn new(config: ServerConfig) -> Self {
        let clock = Arc::new(ServerClock::new(config.clock_mode));
        let sns = Arc::new(SnsState::new(&config, Vec::new()));
        Self {
            config: Arc::new(config),
            clock,
            registry: Arc::new(Registry::default()),
            move_tasks: Arc::default(),
            faults: Arc::default(),
            metrics: Arc::default(),
            startup_queues: Arc::default(),
            durable: None,
            recently_deleted: Arc::default(),
            sns,
            startup_topics: Arc::default(),
        }
    }

    /// State with the config file's queues created (in any order; dead letters by name).
    pub fn with_queues(config: ServerConfig, queues: Vec<QueueSpec>) -> Result<Self, ConfigError> {
        let state = Self {
            startup_queues: Arc::new(queues),
            ..Self::new(config)
        };
        provision(
            &state.config,
            &state.registry,
            &state.startup_queues,
            state.clock.now(),
            MessageIds::Random,
            Existing::Refuse,
        )?;
        Ok(state)
    }

    /// This state with the config file's topics created (after its queues, which
    /// their subscriptions name) and their window overrides in force.
    pub fn with_topics(self, topics: Vec<TopicSpec>) -> Result<Self, ConfigError> {
        let sns = SnsState::new(&self.config, window_overrides(&topics));
        let state = Self {
            sns: Arc::new(sns),
            startup_topics: Arc::new(topics),
            ..self
        };
        crate::sns::provision::provision(
            &state.config,
            &state.sns,
            &state.startup_topics,
            state.clock.now(),
            MessageIds::Random,
        )?;
        Ok(state)
    }
}
