//! ReceiveMessage with `WaitTimeSeconds`: receive, and while nothing came back and
//! the wait is not over, sleep with the queue lock released until a send, a clock
//! advance or the queue's next deadline (a visibility timeout or delay ending).

use std::sync::Arc;
use std::time::Duration;

use fifowin_engine::{Clock, ReceiveRequest, ReceivedMessage};
use fifowin_wire::SqsError;
use tokio::time::Instant;

use crate::AppState;
use crate::clock::ClockMode;
use crate::convert::sqs_error;
use crate::registry::QueueHandle;
use crate::service::deliver_dead_letters;

/// Receives from `queue`, waiting up to `wait_secs` for at least one message.
///
/// The wait ends when the server clock has moved `wait_secs` past the start (so
/// advancing a manual clock ends it) or that much real time has passed (so a
/// manual clock that nobody advances cannot hang a client).
pub async fn receive(
    state: &AppState,
    queue: &Arc<QueueHandle>,
    req: &ReceiveRequest,
    wait_secs: u64,
) -> Result<Vec<ReceivedMessage>, SqsError> {
    let clock_end = state.clock.now().plus_secs(wait_secs);
    let real_end = Instant::now() + Duration::from_secs(wait_secs);
    loop {
        // Register interest before looking, so a send between the look and the
        // wait still wakes us.
        let arrivals = queue.arrivals.notified();
        let advanced = state.clock.advanced().notified();
        tokio::pin!(arrivals, advanced);
        arrivals.as_mut().enable();
        advanced.as_mut().enable();

        let now = state.clock.now();
        let (outcome, next_deadline) = {
            let mut engine = queue.lock();
            let outcome = engine.receive(req, now).map_err(sqs_error)?;
            (outcome, engine.next_receivable_deadline())
        };
        deliver_dead_letters(state, &queue.arn, outcome.dead_letters);
        let deleted = state
            .registry
            .get(&queue.name)
            .is_none_or(|current| !Arc::ptr_eq(&current, queue));
        if !outcome.messages.is_empty() || deleted || now >= clock_end || Instant::now() >= real_end
        {
            return Ok(outcome.messages);
        }

        let mut wake_at = real_end;
        if state.clock.mode() == ClockMode::System {
            // System time moves by itself: also wake when the wait ends on the
            // server clock and when the engine's next timer fires.
            let mut until = clock_end;
            if let Some(deadline) = next_deadline {
                until = until.min(deadline);
            }
            let ms = until.as_millis().saturating_sub(now.as_millis());
            wake_at = wake_at.min(Instant::now() + Duration::from_millis(ms));
        }
        tokio::select! {
            () = &mut arrivals => {}
            () = &mut advanced => {}
            () = tokio::time::sleep_until(wake_at) => {}
        }
    }
}
