//! The runners of message move tasks: one tokio task per started task repeats
//! its steps through the durable layer (each step is an action, logged in
//! durable mode), right away after a move, and after a throttled step when the
//! clock reaches the next second (system time) or is advanced (manual clock).

use std::sync::Arc;
use std::time::Duration;

use fifowin_engine::Clock;

use crate::config::ClockMode;
use crate::pipeline::durable;
use crate::sqs::actions::{Acted, Action};
use crate::sqs::move_tasks::Step;
use crate::sqs::move_tasks::tasks::Task;
use crate::state::AppState;

/// Starts a runner for every task that has none: the one a StartMessageMoveTask
/// just created, or those a durable start-up replayed.
pub(crate) fn spawn_unclaimed(state: &AppState) {
    for task in state.move_tasks.unclaimed() {
        tokio::spawn(run(state.clone(), task));
    }
}

/// Drives one task until it is over.
async fn run(state: AppState, task: Arc<Task>) {
    let action = Action::MoveStep {
        task: task.id.clone(),
    };
    loop {
        // Register before the step, so an advance or a cancel during it wakes us.
        let advanced = state.clock.advanced().notified();
        let cancelled = task.cancelled.notified();
        tokio::pin!(advanced, cancelled);
        advanced.as_mut().enable();
        cancelled.as_mut().enable();
        let until = match durable::act(&state, action.clone()).await {
            Ok(Acted::Moved(Step::Moved)) => {
                tokio::task::yield_now().await;
                continue;
            }
            Ok(Acted::Moved(Step::Throttled(until))) => until,
            Ok(_) => return,
            Err(err) => {
                tracing::error!(task = %task.id, "message move task stopped: {err}");
                return;
            }
        };
        let real_wait = match state.clock.mode() {
            // A manual clock only moves when advanced: wait for that alone.
            ClockMode::Manual => Duration::from_secs(3600),
            ClockMode::System => Duration::from_millis(
                until
                    .as_millis()
                    .saturating_sub(state.clock.now().as_millis()),
            ),
        };
        tokio::select! {
            () = &mut advanced => {}
            () = &mut cancelled => {}
            () = tokio::time::sleep(real_wait) => {}
        }
    }
}
