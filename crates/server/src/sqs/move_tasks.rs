//! Message move tasks (StartMessageMoveTask, CancelMessageMoveTask,
//! ListMessageMoveTasks; sqs-spec.md §4.7). A task moves the visible messages of a
//! dead-letter queue back to the queues they came from, or to one destination,
//! at most `MaxNumberOfMessagesPerSecond` per second of *server* time. This
//! module keeps the tasks and makes one [`step`] at a given `now`; the runner
//! that repeats steps (`pipeline/move_runner`) sends each through the durable
//! layer as an action, so durable mode logs and replays the moves. Queue locks
//! are taken one at a time, never two at once.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use fifowin_engine::{MovedMessage, Timestamp};
use fifowin_wire::model::{
    CancelMessageMoveTaskInput, CancelMessageMoveTaskOutput, ListMessageMoveTasksInput,
    ListMessageMoveTasksOutput, ListMessageMoveTasksResultEntry, StartMessageMoveTaskInput,
    StartMessageMoveTaskOutput,
};
use fifowin_wire::{ErrorCode, SqsError};
use tokio::sync::Notify;

use super::ids::MessageIds;
use crate::state::AppState;

pub(crate) mod tasks;

use tasks::{Progress, Status, Task};

/// Messages moved per engine call when no rate is set, so one large queue does
/// not hold its lock for long.
const CHUNK: usize = 100;
/// The highest MaxNumberOfMessagesPerSecond AWS accepts.
const MAX_RATE: i64 = 500;

fn invalid(message: impl Into<String>) -> SqsError {
    SqsError::new(ErrorCode::InvalidParameterValue, message.into())
}

fn not_found(parameter: &str) -> SqsError {
    SqsError::new(
        ErrorCode::ResourceNotFound,
        format!("The resource that you specified for the {parameter} parameter doesn't exist."),
    )
}

/// StartMessageMoveTask: the task is kept as running; the layer above starts
/// its runner (`MoveTasks::unclaimed`).
pub(crate) fn start(
    state: &AppState,
    i: StartMessageMoveTaskInput,
    now: Timestamp,
    ids: MessageIds,
) -> Result<StartMessageMoveTaskOutput, SqsError> {
    let source_arn = i.source_arn.ok_or_else(|| SqsError::missing("SourceArn"))?;
    let rate = match i.max_number_of_messages_per_second {
        None => None,
        Some(r @ 1..=MAX_RATE) => Some(r.unsigned_abs()),
        Some(r) => {
            return Err(invalid(format!(
                "Value {r} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and {MAX_RATE}."
            )));
        }
    };
    let source = state
        .registry
        .get_by_arn(&source_arn)
        .ok_or_else(|| not_found("SourceArn"))?;
    let is_dead_letter_queue = state
        .registry
        .all()
        .iter()
        .any(|q| q.lock().dead_letter_target_arn() == Some(source_arn.as_str()));
    if !is_dead_letter_queue {
        return Err(invalid(
            "Source queue must be configured as a Dead Letter Queue.",
        ));
    }
    if let Some(destination) = &i.destination_arn {
        state
            .registry
            .get_by_arn(destination)
            .ok_or_else(|| not_found("DestinationArn"))?;
    }
    let mut tasks = state.move_tasks.all();
    let id = ids.task_id(&source_arn, now, tasks.len());
    let handle =
        STANDARD.encode(serde_json::json!({ "taskId": id, "sourceArn": source_arn }).to_string());
    {
        if tasks
            .iter()
            .any(|t| t.source_arn == source_arn && t.progress().status == Status::Running)
        {
            return Err(invalid(
                "There is already a task running. Only one active task is allowed for a source queue arn at a given time.",
            ));
        }
        let task = Arc::new(Task {
            id,
            handle: handle.clone(),
            source_arn,
            destination_arn: i.destination_arn,
            rate,
            started: now,
            to_move: source.lock().movable_count(now),
            progress: Mutex::new(Progress {
                status: Status::Running,
                moved: 0,
                failure_reason: None,
            }),
            cancelled: Notify::new(),
            claimed: AtomicBool::new(false),
        });
        tasks.push(task);
    }
    Ok(StartMessageMoveTaskOutput {
        task_handle: handle,
    })
}

/// CancelMessageMoveTask.
pub(crate) fn cancel(
    state: &AppState,
    i: CancelMessageMoveTaskInput,
) -> Result<CancelMessageMoveTaskOutput, SqsError> {
    let handle = i
        .task_handle
        .ok_or_else(|| SqsError::missing("TaskHandle"))?;
    let bad_handle = || invalid("Value for parameter TaskHandle is invalid.");
    let decoded = STANDARD
        .decode(handle.as_bytes())
        .map_err(|_| bad_handle())?;
    let fields = serde_json::from_slice::<serde_json::Value>(&decoded).ok();
    let field = |name: &str| {
        fields
            .as_ref()
            .and_then(|v| v.get(name)?.as_str().map(str::to_string))
            .ok_or_else(bad_handle)
    };
    let (id, source_arn) = (field("taskId")?, field("sourceArn")?);
    // The handle names its source queue; AWS looks that up before the task.
    if state.registry.get_by_arn(&source_arn).is_none() {
        return Err(not_found("SourceArn"));
    }
    let task = state
        .move_tasks
        .all()
        .iter()
        .find(|t| t.id == id)
        .cloned()
        .ok_or_else(|| SqsError::new(ErrorCode::ResourceNotFound, "Task does not exist."))?;
    let mut progress = task.progress();
    if progress.status != Status::Running {
        return Err(invalid(format!(
            "Value {handle} for parameter TaskHandle is invalid. Reason: Only a task in RUNNING status can be cancelled."
        )));
    }
    progress.status = Status::Cancelling;
    let moved = progress.moved;
    drop(progress);
    task.cancelled.notify_one();
    Ok(CancelMessageMoveTaskOutput {
        approximate_number_of_messages_moved: i64::try_from(moved).unwrap_or(i64::MAX),
    })
}

/// ListMessageMoveTasks: the most recent tasks of a source, newest first.
pub(crate) fn list(
    state: &AppState,
    i: ListMessageMoveTasksInput,
) -> Result<ListMessageMoveTasksOutput, SqsError> {
    let source_arn = i.source_arn.ok_or_else(|| SqsError::missing("SourceArn"))?;
    let max = match i.max_results {
        None => 1,
        Some(m @ 1..=10) => m.unsigned_abs() as usize,
        Some(m) => {
            return Err(invalid(format!(
                "Value {m} for parameter MaxResults is invalid. Reason: You must enter a number that's between 1 and 10."
            )));
        }
    };
    state
        .registry
        .get_by_arn(&source_arn)
        .ok_or_else(|| not_found("SourceArn"))?;
    let tasks = state.move_tasks.all();
    let results = tasks
        .iter()
        .rev()
        .filter(|t| t.source_arn == source_arn)
        .take(max)
        .map(|t| {
            let p = t.progress();
            ListMessageMoveTasksResultEntry {
                task_handle: (p.status == Status::Running).then(|| t.handle.clone()),
                status: p.status.as_str().to_string(),
                source_arn: t.source_arn.clone(),
                destination_arn: t.destination_arn.clone(),
                max_number_of_messages_per_second: t.rate.map(|r| r as i64),
                approximate_number_of_messages_moved: i64::try_from(p.moved).unwrap_or(i64::MAX),
                approximate_number_of_messages_to_move: i64::try_from(t.to_move)
                    .unwrap_or(i64::MAX),
                failure_reason: p.failure_reason.clone(),
                started_timestamp: i64::try_from(t.started.as_millis()).unwrap_or(i64::MAX),
            }
        })
        .collect();
    Ok(ListMessageMoveTasksOutput { results })
}

/// How many messages the task may have moved by `now`: `rate` in each started
/// second of server time since the task began.
fn allowance(task: &Task, now: Timestamp) -> u64 {
    match task.rate {
        None => u64::MAX,
        Some(rate) => {
            let seconds = now.as_millis().saturating_sub(task.started.as_millis()) / 1000;
            rate.saturating_mul(seconds + 1)
        }
    }
}

/// What one step of a task did.
#[derive(Debug)]
pub(crate) enum Step {
    /// Moved some messages; go on at once.
    Moved,
    /// The rate allows nothing more until the server clock reaches this instant.
    Throttled(Timestamp),
    /// The task is over (completed, failed, cancelled or forgotten by a reset);
    /// `changed` says whether this step ended it.
    Finished { changed: bool },
}

impl Step {
    /// Whether the step changed a queue or the task.
    pub(crate) fn changed_state(&self) -> bool {
        match self {
            Step::Moved => true,
            Step::Throttled(_) => false,
            Step::Finished { changed } => *changed,
        }
    }
}

/// One step of the task with id `task` at `now`: finishes a cancelled task,
/// or moves what the rate allows, one queue lock at a time.
pub(crate) fn step(state: &AppState, task: &str, now: Timestamp) -> Step {
    let Some(task) = state.move_tasks.get(task) else {
        return Step::Finished { changed: false };
    };
    let status = task.progress().status;
    match status {
        Status::Running => {}
        Status::Cancelling => {
            task.progress().status = Status::Cancelled;
            return Step::Finished { changed: true };
        }
        Status::Completed | Status::Cancelled | Status::Failed => {
            return Step::Finished { changed: false };
        }
    }
    let finish = |status: Status, reason: Option<&str>| {
        let mut p = task.progress();
        p.status = status;
        p.failure_reason = reason.map(str::to_string);
        Step::Finished { changed: true }
    };
    let gone = Some("AWS.SimpleQueueService.NonExistentQueue");
    let moved = task.progress().moved;
    if moved >= task.to_move {
        return finish(Status::Completed, None);
    }
    let budget = allowance(&task, now).saturating_sub(moved);
    if budget == 0 {
        let next_second = (now.as_millis() - task.started.as_millis()) / 1000 + 1;
        return Step::Throttled(task.started.plus_ms(next_second * 1000));
    }
    let Some(source) = state.registry.get_by_arn(&task.source_arn) else {
        return finish(Status::Failed, gone);
    };
    let want = budget.min(task.to_move - moved).min(CHUNK as u64) as usize;
    let taken = source.lock().take_for_move(want, now);
    if taken.is_empty() {
        return finish(Status::Completed, None);
    }
    for message in taken {
        if let Err(message) = deliver(state, &task, message, now) {
            source.lock().return_moved(*message, now);
            source.arrivals.notify_waiters();
            return finish(Status::Failed, gone);
        }
        task.progress().moved += 1;
    }
    Step::Moved
}
/// Puts one message in its destination: the task's, or the queue it was
/// dead-lettered from. Gives the message back when that queue is gone.
fn deliver(
    state: &AppState,
    task: &Task,
    message: MovedMessage,
    now: Timestamp,
) -> Result<(), Box<MovedMessage>> {
    let target = task
        .destination_arn
        .as_deref()
        .or(message.dead_letter_source_arn())
        .and_then(|arn| state.registry.get_by_arn(arn));
    let Some(target) = target else {
        return Err(Box::new(message));
    };
    target.lock().accept_moved(message, now);
    target.arrivals.notify_waiters();
    Ok(())
}
