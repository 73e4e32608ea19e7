//! The server's resource limits as configured: queue count, memory cap, header
//! size and the header and body deadlines. The listener applies the header
//! limits, the pipeline the memory cap and body deadline, the service the queue count.

use std::time::Duration;

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
