//! What the engine examples share: a FIFO queue to measure, and the first argument.

use std::collections::BTreeMap;

use fifowin_engine::{Queue, QueueSettings, SeqIds, Timestamp};

/// A new FIFO queue named `name` (which ends in `.fifo`), created at `now`.
pub(crate) fn fifo_queue(name: &str, now: Timestamp) -> Queue {
    Queue::create(
        QueueSettings::new(name, format!("arn:aws:sqs:us-east-1:000000000000:{name}")),
        &BTreeMap::from([("FifoQueue".to_string(), "true".to_string())]),
        &BTreeMap::new(),
        &|_: &str| None,
        Box::new(SeqIds::default()),
        now,
    )
    .expect("valid queue")
}

/// The first command-line argument as a count, or `default`.
pub(crate) fn count_arg(default: u64) -> u64 {
    std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}
