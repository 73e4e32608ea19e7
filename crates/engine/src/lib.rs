//! Pure SQS queue semantics for fifowin: standard and FIFO queues, deduplication
//! windows, message groups, visibility, delays, retention and dead-letter moves.
//!
//! # Time
//! The engine never reads a clock. Every call that depends on time takes
//! `now: Timestamp` from its caller and first applies everything due at `now`
//! (delays ending, visibility expiring, retention, dedup expiry). `Queue::next_deadline`
//! tells the caller when the next such change happens; `Queue::next_receivable_deadline`
//! only when a message may next become receivable, which is what a long poll waits for.
//!
//! # Layout
//! - [`clock`]: `Timestamp`, the `Clock` trait and `ManualClock`.
//! - [`ids`]: where message ids come from (`IdSource`).
//! - [`error`]: `EngineError`, in SQS terms but without HTTP or wire codes.
//! - [`checksum`]: MD5 of bodies and attributes, content-based dedup ids.
//! - [`validate`]: names, ids, attribute and body character rules.
//! - [`attributes`]: queue attributes: parsing, ranges, defaults, rendering.
//! - `hash` (private): fast hashers for the engine's internal maps.
//! - [`dedup`]: the dedup window table with insertion-ordered expiry and escape tombstones.
//! - [`lags`]: retry lags (resends of a seen dedup key), as an HdrHistogram and
//!   exact Prometheus buckets around the window.
//! - [`queue`]: `Queue`, the state machine behind every queue operation: message
//!   storage and timers, FIFO group order, receipt handles, send, receive, visibility,
//!   and inspection for test tooling (counters, message views, redeliver, reset),
//!   and snapshots (`QueueImage`: `Queue::snapshot`, `Queue::freeze`, `Queue::restore`).

pub mod attributes;
pub mod checksum;
mod chunk_deque;
mod chunk_map;
pub mod clock;
pub mod dedup;
pub mod error;
mod grow_map;
mod hash;
pub mod ids;
pub mod lags;
pub mod message;
pub mod queue;
mod seq_from_iter;
pub mod validate;

pub use clock::{Clock, ManualClock, Timestamp};
pub use dedup::{DedupEntryView, ExpiredDedupView, SUPPRESSION_RECORD_CAP};
pub use error::EngineError;
pub use ids::{IdSource, SeqIds};
pub use lags::RetryLags;
pub use message::{AttributeValue, MessageAttributes};
pub use queue::{
    BatchEntry, BatchResult, DeadLetter, EscapeRecord, FrozenQueue, IMAGE_VERSION, MessageState,
    MessageView, MovedMessage, Queue, QueueCounts, QueueImage, QueueKind, QueueSettings,
    QueueStats, ReceiveOutcome, ReceiveRequest, ReceivedMessage, SendOutcome, SendRequest,
    SnapshotError,
};
