//! The move tasks a server has started and their progress: written by each
//! task's runner, read by ListMessageMoveTasks and CancelMessageMoveTask.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use fifowin_engine::Timestamp;
use tokio::sync::Notify;

/// Where a task is in its life.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Status {
    Running,
    Completed,
    Cancelling,
    Cancelled,
    Failed,
}

impl Status {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Status::Running => "RUNNING",
            Status::Completed => "COMPLETED",
            Status::Cancelling => "CANCELLING",
            Status::Cancelled => "CANCELLED",
            Status::Failed => "FAILED",
        }
    }
}

#[derive(Debug)]
pub(super) struct Progress {
    pub(super) status: Status,
    pub(super) moved: u64,
    pub(super) failure_reason: Option<String>,
}

/// One task; its progress is written by its steps and read by List/Cancel.
#[derive(Debug)]
pub(crate) struct Task {
    pub(crate) id: String,
    pub(super) handle: String,
    pub(super) source_arn: String,
    pub(super) destination_arn: Option<String>,
    pub(super) rate: Option<u64>,
    pub(super) started: Timestamp,
    pub(super) to_move: u64,
    pub(super) progress: Mutex<Progress>,
    /// Wakes the runner when the task is cancelled.
    pub(crate) cancelled: Notify,
    /// Set once a runner drives the task.
    pub(super) claimed: AtomicBool,
}

impl Task {
    pub(super) fn progress(&self) -> MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Every task this server has started, oldest first.
#[derive(Debug, Default)]
pub struct MoveTasks {
    tasks: Mutex<Vec<Arc<Task>>>,
}

impl MoveTasks {
    pub(super) fn all(&self) -> MutexGuard<'_, Vec<Arc<Task>>> {
        self.tasks.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The task with this id.
    pub(super) fn get(&self, id: &str) -> Option<Arc<Task>> {
        self.all().iter().find(|t| t.id == id).cloned()
    }

    /// The tasks that are not over and have no runner yet (just started, or
    /// replayed at start-up), now claimed by the caller, who runs them.
    pub(crate) fn unclaimed(&self) -> Vec<Arc<Task>> {
        self.all()
            .iter()
            .filter(|t| {
                matches!(t.progress().status, Status::Running | Status::Cancelling)
                    && !t.claimed.swap(true, Ordering::SeqCst)
            })
            .cloned()
            .collect()
    }

    /// No task was started (or all were forgotten by a reset).
    pub fn is_empty(&self) -> bool {
        self.all().is_empty()
    }

    /// Forgets every task (control-API reset); running ones stop at their next step.
    pub fn clear(&self) {
        let tasks = std::mem::take(&mut *self.all());
        for task in tasks {
            let mut p = task.progress();
            if p.status == Status::Running {
                p.status = Status::Cancelled;
            }
            drop(p);
            task.cancelled.notify_one();
        }
    }
}
