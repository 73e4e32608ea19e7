//! The async runtime `fifowin serve` runs on. One thread by default: a local
//! emulator serves one test suite or load test at a time, and on a small machine
//! the wake-ups between worker threads cost more than the requests themselves
//! (BENCHMARKS.md compares one thread with tokio's default). More threads
//! spread many busy connections over more cores.

use tokio::runtime::{Builder, Runtime};

/// A current-thread runtime for `threads <= 1`, else a multi-thread one.
pub(crate) fn build(threads: usize) -> std::io::Result<Runtime> {
    if threads <= 1 {
        Builder::new_current_thread().enable_all().build()
    } else {
        Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
    }
}
