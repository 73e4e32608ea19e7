//! Snapshot and restore of a queue set holding `N` stored messages (default
//! one million) with as many live dedup ids: `Q` FIFO queues (default four) of
//! `N / Q` messages in 1000 groups each, 100-byte bodies, a message attribute on
//! every other message, a tenth of the messages in flight. Reports the time
//! to freeze the queues (what durable mode holds the order lock for), to
//! encode the frozen queues directly (what durable snapshots do), to take the
//! images from the frozen queues, encode them, decode them and restore the
//! queues, and the encoded size: what durable mode's start-up and snapshots
//! cost at that size.
//!
//! Run with `cargo run --release -p fifowin-engine --example snapshot_scale -- 1000000 [Q]`.
//! Timing is the point here, so this program reads the wall clock the engine
//! itself never touches.
#![allow(clippy::disallowed_methods)]

mod common;

use std::time::{Duration, Instant};

use fifowin_engine::{
    AttributeValue, MessageAttributes, Queue, QueueImage, ReceiveRequest, SendRequest, SeqIds,
    Timestamp,
};

/// The allocator `fifowin serve` uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const NOW: Timestamp = Timestamp(1_700_000_000_000);
/// Queues when the second argument gives no other count.
const QUEUES: u64 = 4;

fn fill(queue: &mut Queue, messages: u64, q: u64) {
    for i in 0..messages {
        let mut attributes = MessageAttributes::new();
        if i % 2 == 0 {
            attributes.insert(
                "tenant".into(),
                AttributeValue {
                    data_type: "String".into(),
                    string_value: Some(format!("tenant-{}", i % 97)),
                    ..AttributeValue::default()
                },
            );
        }
        let out = queue
            .send(
                SendRequest {
                    body: format!("{q:02}-{i:012}-{}", "b".repeat(83)),
                    message_attributes: attributes,
                    dedup_id: Some(format!("order-{q}-{i}")),
                    group_id: Some(format!("group-{}", i % 1000)),
                    sender_id: "AIDAEXAMPLE".into(),
                    ..SendRequest::default()
                },
                NOW,
            )
            .expect("valid send");
        assert!(!out.duplicate);
    }
    // A tenth in flight: receives of ten from the groups in turn.
    for _ in 0..messages / 100 {
        queue
            .receive(
                &ReceiveRequest {
                    max_number_of_messages: Some(10),
                    visibility_timeout: Some(600),
                    ..ReceiveRequest::default()
                },
                NOW,
            )
            .expect("valid receive");
    }
}

fn rss_mib() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some((pages * 4096) >> 20)
}

fn timed<T>(total: &mut Duration, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    *total += start.elapsed();
    out
}

fn main() {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let total = common::count_arg(1_000_000);
    let count = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .filter(|&q| q > 0)
        .unwrap_or(QUEUES);
    let per_queue = total / count;
    let start = Instant::now();
    let mut queues: Vec<Queue> = (0..count)
        .map(|q| {
            let mut queue = common::fifo_queue(&format!("orders-{q}.fifo"), NOW);
            fill(&mut queue, per_queue, q);
            queue
        })
        .collect();
    let messages: usize = queues
        .iter_mut()
        .map(|q| q.messages(NOW, false).len())
        .sum();
    let dedup: usize = queues.iter().map(Queue::dedup_len).sum();
    println!(
        "{} queues: {messages} stored messages, {dedup} live dedup ids, built in {:.1} s, RSS {:?} MiB",
        queues.len(),
        start.elapsed().as_secs_f64(),
        rss_mib()
    );
    let (mut freeze_t, mut image_t, mut encode_t, mut decode_t, mut restore_t) = Default::default();
    let mut frozen_encode_t = Duration::ZERO;
    let mut bytes = 0usize;
    let mut restored = Vec::new();
    for queue in &queues {
        // What durable snapshots do: encode the frozen queue, no image built.
        let frozen = queue.freeze();
        let direct = timed(&mut frozen_encode_t, || frozen.encode());
        drop(frozen);
        let frozen = timed(&mut freeze_t, || queue.freeze());
        let image = timed(&mut image_t, || QueueImage::from(frozen));
        let encoded = timed(&mut encode_t, || image.encode());
        drop(image);
        assert_eq!(direct, encoded, "the frozen queue encodes as its image");
        drop(direct);
        bytes += encoded.len();
        let image = timed(&mut decode_t, || {
            QueueImage::decode(&encoded).expect("decodes")
        });
        drop(encoded);
        let queue = timed(&mut restore_t, || {
            Queue::restore(image, Box::new(SeqIds::default())).expect("restores")
        });
        restored.push(queue);
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "snapshot: freeze {:.3} ms + image {:.0} ms + encode {:.0} ms = {:.0} ms; {:.1} MiB ({:.0} B per message)",
        ms(freeze_t),
        ms(image_t),
        ms(encode_t),
        ms(freeze_t + image_t + encode_t),
        bytes as f64 / f64::from(1 << 20),
        bytes as f64 / messages as f64
    );
    println!(
        "snapshot from the frozen queues (durable mode's path): freeze + encode {:.0} ms",
        ms(freeze_t + frozen_encode_t)
    );
    println!(
        "restore:  decode {:.0} ms + restore {:.0} ms = {:.0} ms; RSS {:?} MiB with both sets",
        ms(decode_t),
        ms(restore_t),
        ms(decode_t + restore_t),
        rss_mib()
    );
    // The restored set answers as the original does.
    for (a, b) in queues.iter_mut().zip(&mut restored) {
        assert_eq!(a.counts(NOW), b.counts(NOW));
        assert_eq!(a.dedup_len(), b.dedup_len());
    }
}
