//! Throughput of a FIFO queue as its dedup table grows: send + receive + delete
//! cycles with fresh dedup ids, and duplicate sends, after `N` live keys.
//!
//! Run with `cargo run --release -p fifowin-engine --example dedup_scale -- 10000000`
//! and compare with `-- 10000`. Timing is the point here, so this one program
//! reads the wall clock the engine itself never touches. It also reports the
//! resident memory each live key costs beyond its id's bytes (Linux: /proc/self/statm).
#![allow(clippy::disallowed_methods)]

mod common;

use std::time::Instant;

use fifowin_engine::{Queue, ReceiveRequest, SendRequest, Timestamp};

const NOW: Timestamp = Timestamp(1_700_000_000_000);

fn send(q: &mut Queue, dedup_id: String) -> bool {
    q.send(
        SendRequest {
            body: "x".into(),
            dedup_id: Some(dedup_id),
            group_id: Some("g".into()),
            ..SendRequest::default()
        },
        NOW,
    )
    .expect("valid send")
    .duplicate
}

/// One message through its life; only its dedup key stays behind.
fn cycle(q: &mut Queue, dedup_id: String) {
    assert!(!send(q, dedup_id));
    let got = q
        .receive(&ReceiveRequest::default(), NOW)
        .expect("valid receive");
    q.delete(&got.messages[0].receipt_handle, NOW)
        .expect("current handle");
}

/// Resident set size in bytes, where /proc is there to ask.
fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // 4 KiB pages: the size on every Linux target this runs on.
    Some(pages * 4096)
}

fn rate(ops: u64, start: Instant) -> f64 {
    ops as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let live = common::count_arg(10_000);
    let ops = 200_000;
    let mut q = common::fifo_queue("bench.fifo", NOW);
    let rss_before = rss_bytes();
    let start = Instant::now();
    let mut id_bytes = 0u64;
    for i in 0..live {
        let id = format!("live-{i}");
        id_bytes += id.len() as u64;
        cycle(&mut q, id);
    }
    println!("filled {live} live keys in {:?}", start.elapsed());
    if let (Some(before), Some(after)) = (rss_before, rss_bytes()) {
        let per_key = after.saturating_sub(before) as f64 / live as f64;
        let id = id_bytes as f64 / live as f64;
        println!(
            "memory: {per_key:.0} B resident per live key, {:.0} B beyond its {id:.1}-byte id",
            per_key - id
        );
    }
    let start = Instant::now();
    for i in 0..ops {
        cycle(&mut q, format!("new-{i}"));
    }
    println!("send+receive+delete: {:.0}/s", rate(ops, start));
    let start = Instant::now();
    for i in 0..ops {
        assert!(send(&mut q, format!("live-{}", (i * 7919) % live)));
    }
    println!("duplicate sends:     {:.0}/s", rate(ops, start));
}
