//! The longest single sends into a growing FIFO queue: a queue that only
//! receives sends (as in `fifowin bench --scenario send-unique`) grows every
//! table it has, and a table that grows all at once stalls the send that
//! triggers it, and every request queued behind it in the server.
//!
//! Run with `cargo run --release -p fifowin-engine --example send_stalls -- 2000000`.
//! With the allocator and page settings of `fifowin serve` (mimalloc, no
//! transparent huge pages), what is left are the allocations of fresh tables
//! and deques, a few milliseconds at a million messages.
//! Timing is the point here, so this program reads the wall clock the engine
//! itself never touches.
#![allow(clippy::disallowed_methods)]

mod common;

use std::time::{Duration, Instant};

use fifowin_engine::{SendRequest, Timestamp};

/// The allocator `fifowin serve` uses: growth costs depend on it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const NOW: Timestamp = Timestamp(1_700_000_000_000);

fn main() {
    // As `fifowin serve` does (see its `no_huge_pages`).
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let sends = common::count_arg(1_000_000);
    let mut q = common::fifo_queue("stalls.fifo", NOW);
    let body = "x".repeat(64);
    let mut slow: Vec<(u64, Duration)> = Vec::new();
    let mut over_100us = 0u64;
    let start = Instant::now();
    for i in 0..sends {
        let request = SendRequest {
            body: body.clone(),
            dedup_id: Some(format!("id-{i}")),
            group_id: Some(format!("g{}", i % 16)),
            ..SendRequest::default()
        };
        let t0 = Instant::now();
        // 28 sends per millisecond, the rate of BENCHMARKS.md's half-load run.
        q.send(request, Timestamp(NOW.0 + i / 28))
            .expect("valid send");
        let took = t0.elapsed();
        if took > Duration::from_micros(100) {
            over_100us += 1;
        }
        if took > Duration::from_millis(1) {
            slow.push((i, took));
        }
    }
    let total = start.elapsed();
    println!(
        "{sends} sends in {total:?} ({:.0}/s); {over_100us} took over 100 µs, {} over 1 ms",
        sends as f64 / total.as_secs_f64(),
        slow.len()
    );
    let stalled: Duration = slow.iter().map(|(_, d)| *d).sum();
    println!("time in sends over 1 ms: {stalled:?}");
    for (i, took) in &slow {
        println!("  send {i}: {took:?}");
    }
}
