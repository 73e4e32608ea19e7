//! State changes that do not come from an SQS request: the control API's clock
//! advance, global and per-queue reset, a fault rule's redeliveries, the config
//! file's queues and topics and a move task's steps. Each is an [`Action`], plain data, so
//! durable mode logs and replays it exactly like a request, at its logged `now`.

use fifowin_engine::Timestamp;
use serde::{Deserialize, Serialize};

use super::ids::MessageIds;
use super::move_tasks::{self, Step};
use super::provision::{Existing, provision};
use crate::config::file::{ConfigError, QueueSpec, TopicSpec};
use crate::sns::provision as topics;
use crate::state::AppState;

/// One state change from outside the SQS API.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub(crate) enum Action {
    /// `POST /_fifowin/clock/advance`.
    ClockAdvance { ms: u64 },
    /// `POST /_fifowin/reset`: every queue and topic dropped, the config
    /// file's `queues` and `topics` created again.
    Reset {
        queues: Vec<QueueSpec>,
        #[serde(default)]
        topics: Vec<TopicSpec>,
    },
    /// `POST /_fifowin/queues/{name}/reset[?region=]`.
    QueueReset { region: String, queue: String },
    /// A fault rule's `redeliver`: the messages a receive just returned become
    /// visible again after `after_ms`.
    Redeliver {
        region: String,
        queue: String,
        receipt_handles: Vec<String>,
        after_ms: u64,
    },
    /// The config file's queues, then its topics, created at start-up where
    /// absent; the topics' window overrides put in force.
    Provision {
        queues: Vec<QueueSpec>,
        #[serde(default)]
        topics: Vec<TopicSpec>,
    },
    /// One step of the move task with this id.
    MoveStep { task: String },
}

impl Action {
    /// The action's name in log lines.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Action::ClockAdvance { .. } => "ClockAdvance",
            Action::Reset { .. } => "Reset",
            Action::QueueReset { .. } => "QueueReset",
            Action::Redeliver { .. } => "Redeliver",
            Action::Provision { .. } => "Provision",
            Action::MoveStep { .. } => "MoveStep",
        }
    }
}

/// What an action did.
#[derive(Debug)]
pub(crate) enum Acted {
    /// Queues and topics dropped and created by a reset.
    Reset {
        dropped: usize,
        created: usize,
        topics_dropped: usize,
        topics_created: usize,
    },
    /// Queues and topics created from the config file; whether the topics'
    /// window overrides changed.
    Provisioned {
        queues: usize,
        topics: usize,
        windows_changed: bool,
    },
    /// A clock advance, a per-queue reset or a redelivery done.
    Done,
    /// A move task's step.
    Moved(Step),
}

impl Acted {
    /// Whether anything changed, so the action needs a log record.
    pub(crate) fn changed_state(&self) -> bool {
        match self {
            Acted::Reset { .. } | Acted::Done => true,
            Acted::Provisioned {
                queues,
                topics,
                windows_changed,
            } => *queues > 0 || *topics > 0 || *windows_changed,
            Acted::Moved(step) => step.changed_state(),
        }
    }
}

/// Why an action changed nothing.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ActionError {
    #[error("queue {0} does not exist")]
    NoQueue(String),
    #[error("creating the config file's queues: {0}")]
    Provision(#[from] ConfigError),
    #[error("the action could not be made durable")]
    NotDurable,
}

/// Applies `action` at `now`; queues it creates draw message ids from `ids`.
pub(crate) fn apply(
    state: &AppState,
    action: &Action,
    now: Timestamp,
    ids: MessageIds,
) -> Result<Acted, ActionError> {
    match action {
        Action::ClockAdvance { ms } => {
            state.clock.advance(*ms);
            // Long polls wait per queue; wake them all so they re-check their deadlines.
            state.registry.wake_all();
            Ok(Acted::Done)
        }
        Action::Reset { queues, topics } => {
            let dropped = state.registry.all().len();
            state.registry.clear();
            state.move_tasks.clear();
            state.recently_deleted.clear();
            let topics_dropped = {
                let mut topics = state.sns.lock();
                let count = topics.sns.topics().count();
                topics.sns.reset();
                count
            };
            let created = provision(
                &state.config,
                &state.registry,
                queues,
                now,
                ids,
                Existing::Refuse,
            )?;
            // After the queues, which their subscriptions name.
            topics::set_windows(&state.sns, topics);
            let topics_created = topics::provision(&state.config, &state.sns, topics, now, ids)?;
            Ok(Acted::Reset {
                dropped,
                created,
                topics_dropped,
                topics_created,
            })
        }
        Action::QueueReset { region, queue } => {
            let q = state
                .registry
                .get(region, queue)
                .ok_or_else(|| ActionError::NoQueue(queue.clone()))?;
            q.lock().reset(now);
            // Long polls re-check (and find nothing, or the next send).
            q.arrivals.notify_waiters();
            Ok(Acted::Done)
        }
        Action::Redeliver {
            region,
            queue,
            receipt_handles,
            after_ms,
        } => {
            let q = state
                .registry
                .get(region, queue)
                .ok_or_else(|| ActionError::NoQueue(queue.clone()))?;
            {
                let mut engine = q.lock();
                for handle in receipt_handles {
                    engine.redeliver(handle, *after_ms, now);
                }
            }
            q.arrivals.notify_waiters();
            Ok(Acted::Done)
        }
        Action::Provision { queues, topics } => {
            let queues = provision(
                &state.config,
                &state.registry,
                queues,
                now,
                ids,
                Existing::Keep,
            )?;
            let windows_changed = topics::set_windows(&state.sns, topics);
            let topics = topics::provision(&state.config, &state.sns, topics, now, ids)?;
            Ok(Acted::Provisioned {
                queues,
                topics,
                windows_changed,
            })
        }
        Action::MoveStep { task } => Ok(Acted::Moved(move_tasks::step(state, task, now))),
    }
}
