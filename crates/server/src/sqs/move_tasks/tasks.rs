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

/// A task as durable mode's snapshot holds it: everything but its runner,
/// which start-up starts again for a task that is not over.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct TaskImage {
    id: String,
    handle: String,
    source_arn: String,
    destination_arn: Option<String>,
    rate: Option<u64>,
    /// ms: the rate counts seconds from here.
    started: u64,
    to_move: u64,
    /// [`Status::as_str`].
    status: String,
    moved: u64,
    failure_reason: Option<String>,
}

impl MoveTasks {
    /// Every task's image, oldest first (the order task ids count).
    pub(crate) fn images(&self) -> Vec<TaskImage> {
        self.all()
            .iter()
            .map(|t| {
                let p = t.progress();
                TaskImage {
                    id: t.id.clone(),
                    handle: t.handle.clone(),
                    source_arn: t.source_arn.clone(),
                    destination_arn: t.destination_arn.clone(),
                    rate: t.rate,
                    started: t.started.as_millis(),
                    to_move: t.to_move,
                    status: p.status.as_str().to_string(),
                    moved: p.moved,
                    failure_reason: p.failure_reason.clone(),
                }
            })
            .collect()
    }

    /// The tasks `images` hold, unclaimed; refuses an unknown status.
    pub(crate) fn restore(images: Vec<TaskImage>) -> Result<MoveTasks, String> {
        let statuses = [
            Status::Running,
            Status::Completed,
            Status::Cancelling,
            Status::Cancelled,
            Status::Failed,
        ];
        let tasks = images
            .into_iter()
            .map(|image| {
                let status = statuses
                    .into_iter()
                    .find(|s| s.as_str() == image.status)
                    .ok_or_else(|| {
                        format!("move task {} has status {:?}", image.id, image.status)
                    })?;
                Ok(Arc::new(Task {
                    id: image.id,
                    handle: image.handle,
                    source_arn: image.source_arn,
                    destination_arn: image.destination_arn,
                    rate: image.rate,
                    started: Timestamp(image.started),
                    to_move: image.to_move,
                    progress: Mutex::new(Progress {
                        status,
                        moved: image.moved,
                        failure_reason: image.failure_reason,
                    }),
                    cancelled: Notify::new(),
                    claimed: AtomicBool::new(false),
                }))
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(MoveTasks {
            tasks: Mutex::new(tasks),
        })
    }
}
