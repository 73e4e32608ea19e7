//! The limits the pipeline enforces on requests: the memory cap (sends are
//! refused with `OverLimit` above it, rather than growing to an OOM) and the body
//! deadline the router wraps every body in. The settings are `config/limits.rs`;
//! header size and timeouts are applied by `transport/listener.rs`, the queue
//! count by CreateQueue (`sqs/queues.rs`).

use std::pin::Pin;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use fifowin_wire::{ErrorCode, Request as SqsRequest, SqsError};
use tokio::time::Sleep;

use crate::state::AppState;

/// Marks a body that timed out, so the handlers can answer RequestTimeout.
pub(crate) const BODY_TIMEOUT_MARKER: &str = "fifowin: request body timed out";

/// Sends are refused while the process is above its memory cap.
pub(crate) fn check_memory(state: &AppState, request: &SqsRequest) -> Result<(), SqsError> {
    if !matches!(
        request,
        SqsRequest::SendMessage(_) | SqsRequest::SendMessageBatch(_)
    ) {
        return Ok(());
    }
    check_capacity(state)
}

/// New messages (sends, publishes) are refused while the process is above its memory cap.
pub(crate) fn check_capacity(state: &AppState) -> Result<(), SqsError> {
    let Some(cap) = state.config.limits.max_memory_bytes else {
        return Ok(());
    };
    match resident_bytes() {
        Some(used) if used > cap => Err(SqsError::new(
            ErrorCode::OverLimit,
            format!(
                "fifowin is over its memory cap ({} MiB, using {} MiB): new messages are refused until consumers delete or purge messages (fifowin serve --max-memory).",
                cap / (1024 * 1024),
                used / (1024 * 1024)
            ),
        )),
        _ => Ok(()),
    }
}

/// The process's resident set size, re-read at most every 50 ms (sends are hot;
/// the figure only has to be fresh enough to stop growth well before an OOM).
/// `None` where `/proc/self/status` does not exist (the cap is then not enforced).
pub(crate) fn resident_bytes() -> Option<u64> {
    static START: OnceLock<Instant> = OnceLock::new();
    static LAST_READ_MS: AtomicU64 = AtomicU64::new(0);
    static LAST_VALUE: AtomicU64 = AtomicU64::new(u64::MAX);
    let start = START.get_or_init(Instant::now);
    let now_ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX) + 1;
    let last = LAST_READ_MS.load(Ordering::Relaxed);
    if last == 0 || now_ms.saturating_sub(last) >= 50 {
        let value = read_rss().unwrap_or(u64::MAX);
        LAST_VALUE.store(value, Ordering::Relaxed);
        LAST_READ_MS.store(now_ms, Ordering::Relaxed);
    }
    match LAST_VALUE.load(Ordering::Relaxed) {
        u64::MAX => None,
        v => Some(v),
    }
}

fn read_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Middleware: gives every request body a deadline (`body_read_timeout`).
pub(crate) async fn body_deadline(State(timeout): State<Duration>, request: Request) -> Request {
    request.map(|body| Body::new(TimedBody::new(body, timeout)))
}

/// A body that fails with [`BODY_TIMEOUT_MARKER`] when it is not complete by its deadline.
struct TimedBody {
    inner: Body,
    deadline: tokio::time::Instant,
    /// Armed only when the body is not all there when first read: most SQS bodies
    /// arrive with their headers, and a timer per request (an allocation plus two
    /// timer-wheel updates) is measurable at tens of thousands of requests a second.
    sleep: Option<Pin<Box<Sleep>>>,
    timeout: Duration,
}

impl TimedBody {
    fn new(inner: Body, timeout: Duration) -> Self {
        Self {
            inner,
            deadline: tokio::time::Instant::now() + timeout,
            sleep: None,
            timeout,
        }
    }
}

impl HttpBody for TimedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        let deadline = this.deadline;
        let sleep = this
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if sleep.as_mut().poll(cx).is_ready() {
            let message = format!("{BODY_TIMEOUT_MARKER} after {:?}", this.timeout);
            return Poll::Ready(Some(Err(axum::Error::new(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                message,
            )))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// The SQS error for a body that timed out, if `text` (a rejection's) says so.
pub(crate) fn body_timeout_error(text: &str) -> Option<SqsError> {
    text.contains(BODY_TIMEOUT_MARKER).then(|| {
        SqsError::new(
            ErrorCode::RequestTimeout,
            "Your socket connection to the server was not read from or written to within the timeout period.",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_memory_is_read_on_linux() {
        if std::path::Path::new("/proc/self/status").exists() {
            assert!(resident_bytes().is_some_and(|b| b > 0));
        }
    }

    #[test]
    fn timeout_errors_are_recognised() {
        let text = format!("Failed to buffer the request body: {BODY_TIMEOUT_MARKER} after 1s");
        assert_eq!(
            body_timeout_error(&text).map(|e| e.code),
            Some(ErrorCode::RequestTimeout)
        );
        assert!(body_timeout_error("other").is_none());
    }
}
