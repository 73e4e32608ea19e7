//! ReceiveMessage with `WaitTimeSeconds`, in every mode: zero-wait attempts
//! through the durable layer until one returns messages or the wait is over,
//! sleeping between them with the queue lock released until a send, a clock
//! advance or the queue's next deadline (a visibility timeout or delay ending).

use std::time::Duration;

use fifowin_engine::Clock;
use fifowin_wire::model::ReceiveMessageInput;
use fifowin_wire::{Response, SqsError};
use tokio::time::Instant;

use crate::config::ClockMode;
use crate::pipeline::durable::{self, Attempt, RawRequest};
use crate::sqs::RequestContext;
use crate::sqs::receive;
use crate::state::AppState;

/// Receives, waiting up to the request's (or the queue's) wait for at least one message.
///
/// The wait ends when the server clock has moved the wait past the start (so
/// advancing a manual clock ends it) or that much real time has passed (so a
/// manual clock that nobody advances cannot hang a client), or when the queue
/// is deleted.
pub(crate) async fn receive(
    state: &AppState,
    ctx: &RequestContext,
    input: ReceiveMessageInput,
    raw: RawRequest<'_>,
) -> Result<Response, SqsError> {
    let poll = receive::prepare(state, ctx, input)?;
    let clock_end = state.clock.now().plus_secs(poll.wait_secs);
    let real_end = Instant::now() + Duration::from_secs(poll.wait_secs);
    let mut first = true;
    loop {
        // Register interest before looking, so a send between the look and the
        // wait still wakes us.
        let arrivals = poll.queue.arrivals.notified();
        let advanced = state.clock.advanced().notified();
        tokio::pin!(arrivals, advanced);
        arrivals.as_mut().enable();
        advanced.as_mut().enable();

        let attempt = durable::receive_attempt(state, ctx, &poll, raw, first).await?;
        first = false;
        let now = match attempt {
            Attempt::Received { messages, now } => {
                let deleted = state
                    .registry
                    .get(&poll.queue.region, &poll.queue.name)
                    .is_none_or(|current| !std::sync::Arc::ptr_eq(&current, &poll.queue));
                if !messages.is_empty() || deleted || now >= clock_end || Instant::now() >= real_end
                {
                    return Ok(Response::ReceiveMessage(receive::output(messages)));
                }
                now
            }
            Attempt::Skipped if Instant::now() >= real_end => {
                return Ok(Response::ReceiveMessage(receive::output(Vec::new())));
            }
            Attempt::Skipped => state.clock.now(),
        };

        let mut wake_at = real_end;
        if state.clock.mode() == ClockMode::System {
            // System time moves by itself: also wake when the wait ends on the
            // server clock and when the engine's next timer fires (at least a
            // millisecond on, so a timer not yet applied cannot spin the loop).
            let mut until = clock_end;
            if let Some(deadline) = poll.queue.lock().next_receivable_deadline() {
                until = until.min(deadline);
            }
            let ms = until.as_millis().saturating_sub(now.as_millis()).max(1);
            wake_at = wake_at.min(Instant::now() + Duration::from_millis(ms));
        }
        tokio::select! {
            () = &mut arrivals => {}
            () = &mut advanced => {}
            () = tokio::time::sleep_until(wake_at) => {}
        }
    }
}
