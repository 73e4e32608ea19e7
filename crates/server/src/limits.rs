//! Resource limits that protect the server from hostile or runaway clients: how
//! many queues may exist, how much memory the process may hold before it refuses
//! new messages, and how long a client may take to send its headers and body.
//! Header size and timeouts are applied by [`crate::listener`]; the queue and
//! memory checks by the service, as SQS errors (`OverLimit`) rather than an OOM.

use std::pin::Pin;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use fifowin_wire::{ErrorCode, Request as SqsRequest, SqsError};
use tokio::time::Sleep;

use crate::AppState;

/// The server's limits; `Default` is what `fifowin serve` uses unless told otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most queues at once; CreateQueue beyond it answers OverLimit.
    pub max_queues: usize,
    /// Resident memory above which sends answer OverLimit (receive, delete and
    /// purge still work, so consumers can drain). `None`: no cap.
    pub max_memory_bytes: Option<u64>,
    /// Largest request line plus headers (hyper's read buffer; at least 8 KiB).
    /// Larger heads get `431 Request Header Fields Too Large` and a closed connection.
    pub max_header_bytes: usize,
    /// Time allowed to send the request line and headers; then the connection is
    /// closed. hyper starts this clock as soon as it waits for a request, so it
    /// also closes keep-alive connections idle this long (as load balancers do;
    /// SDKs reconnect).
    pub header_read_timeout: Duration,
    /// Time allowed to send the whole body; then the request fails with RequestTimeout.
    pub body_read_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_queues: 10_000,
            max_memory_bytes: None,
            max_header_bytes: 64 * 1024,
            header_read_timeout: Duration::from_secs(60),
            body_read_timeout: Duration::from_secs(60),
        }
    }
}

/// The smallest read buffer hyper accepts (it panics below this).
pub const MIN_HEADER_BYTES: usize = 8192;

/// Marks a body that timed out, so the handlers can answer RequestTimeout.
pub const BODY_TIMEOUT_MARKER: &str = "fifowin: request body timed out";

/// Sends are refused while the process is above its memory cap.
pub fn check_memory(state: &AppState, request: &SqsRequest) -> Result<(), SqsError> {
    let Some(cap) = state.config.limits.max_memory_bytes else {
        return Ok(());
    };
    if !matches!(
        request,
        SqsRequest::SendMessage(_) | SqsRequest::SendMessageBatch(_)
    ) {
        return Ok(());
    }
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
pub fn resident_bytes() -> Option<u64> {
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
pub async fn body_deadline(State(timeout): State<Duration>, request: Request) -> Request {
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
pub fn body_timeout_error(text: &str) -> Option<SqsError> {
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
