//! When durable mode takes a snapshot and how: once enough has been logged
//! since the last one ([`SnapshotPolicy`]), a task takes the order lock,
//! captures the [`ServerImage`] (each queue frozen: its messages and dedup keys
//! shared, not copied) and the log position it stands for, releases the lock,
//! completes and encodes the image on a blocking thread and hands it to
//! `Log::write_snapshot`, which writes it between append batches and then
//! deletes the records it covers. So the data directory follows the live state,
//! and start-up restores the image and replays only the records after it.
//!
//! Requests wait only while the image is captured (state-changing ones; reads
//! and waiting long polls do not take the order lock). One snapshot at a time.
//!
//! A snapshot replaces the records it covers, so it must hold everything they
//! rebuilt. The server image holds what SQS requests change; a record of any
//! other kind (logged by another path, or read back at start-up after the
//! latest snapshot) turns snapshots off for good, so the log keeps it: every
//! append made under the order lock is counted here by kind, and a capture
//! whose log position is not accounted for by SQS records is refused.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use fifowin_store::Position;

use super::image::{ServerImage, Uncaptured};
use crate::state::AppState;

/// When a snapshot is due.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SnapshotPolicy {
    /// Records logged since the last snapshot that make the next one due
    /// (`fifowin serve --snapshot-every`); 0 never takes one.
    pub every_records: u64,
    /// Record bytes logged since the last snapshot that make the next one due.
    pub every_bytes: u64,
}

impl SnapshotPolicy {
    /// Few enough that replaying them at start-up is quick and the log stays
    /// small between snapshots; enough that a small state is not rewritten
    /// after every few requests.
    pub const DEFAULT_EVERY_RECORDS: u64 = 10_000;
    /// Bounds the log between snapshots when records are large (batches of
    /// big messages).
    pub const DEFAULT_EVERY_BYTES: u64 = 64 << 20;
    /// A snapshot waits until the log since the last one holds at least
    /// 1/`IMAGE_SHARE` of that one's size: with a large state, capturing and
    /// writing it is the cost, so it is paid in proportion to what was logged.
    const IMAGE_SHARE: u64 = 4;
}

impl Default for SnapshotPolicy {
    fn default() -> Self {
        Self {
            every_records: Self::DEFAULT_EVERY_RECORDS,
            every_bytes: Self::DEFAULT_EVERY_BYTES,
        }
    }
}

/// Where the last snapshot (or the last decision not to take one) left off.
#[derive(Debug)]
struct Progress {
    /// The last record the previous snapshot covers (or the position a
    /// snapshot was last refused at).
    from_record: u64,
    /// [`Position::bytes`] at that point, minus the bytes of records replayed
    /// at start-up that count towards the next snapshot.
    from_bytes: i128,
    /// The size of the latest image.
    image_bytes: u64,
    /// A snapshot is being captured or written.
    running: bool,
    /// Snapshots written since start-up.
    written: u64,
    /// The log holds a record whose state the server image does not hold.
    unimaged: bool,
}

/// The snapshot schedule of one durable server.
#[derive(Debug)]
pub(crate) struct Snapshots {
    policy: SnapshotPolicy,
    progress: Mutex<Progress>,
    /// The log position at start-up.
    opened_at: u64,
    /// SQS records appended since start-up.
    sqs_appends: AtomicU64,
}

/// Whether a logged record holds an SQS request or an action whose effect the
/// server image holds (see `Action::imaged`), from its `proto` field and the
/// action's tag.
pub(super) fn is_sqs_record(bytes: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Proto {
        proto: String,
        #[serde(default)]
        action: Option<crate::sqs::actions::Action>,
    }
    serde_json::from_slice::<Proto>(bytes).is_ok_and(|r| match r.proto.as_str() {
        "json" | "query" => true,
        "action" => r.action.is_some_and(|a| a.imaged()),
        _ => false,
    })
}

impl Snapshots {
    /// After start-up: the snapshot loaded (`covers`, `image_bytes`) and the
    /// records after it (`replayed`), which count as logged.
    pub(crate) fn new(
        policy: SnapshotPolicy,
        covers: u64,
        image_bytes: u64,
        replayed: &[Vec<u8>],
    ) -> Self {
        let replayed_bytes: u64 = replayed.iter().map(|r| r.len() as u64).sum();
        Self {
            policy,
            progress: Mutex::new(Progress {
                from_record: covers,
                from_bytes: -i128::from(replayed_bytes),
                image_bytes,
                running: false,
                written: 0,
                unimaged: !replayed.iter().all(|r| is_sqs_record(r)),
            }),
            opened_at: covers + replayed.len() as u64,
            sqs_appends: AtomicU64::new(0),
        }
    }

    /// A record is being appended (with the order lock held); `imaged` says
    /// whether the server image holds what it changes (an SQS request, or an
    /// action other than a move-task step).
    pub(super) fn appended(&self, imaged: bool) {
        if imaged {
            self.sqs_appends.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Whether every record up to `at` rebuilt only state the server image
    /// holds (with the order lock held); once not, never again.
    fn all_imaged(&self, at: Position) -> bool {
        let mut p = self.progress();
        let counted = self.opened_at + self.sqs_appends.load(Ordering::Relaxed);
        if at.last != counted && !p.unimaged {
            tracing::warn!(
                "durable mode: snapshots are off: the log holds {} records of a kind a snapshot does not hold, so it is kept whole",
                at.last.saturating_sub(counted)
            );
            p.unimaged = true;
        }
        !p.unimaged
    }

    fn progress(&self) -> std::sync::MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether a snapshot is due at `at`; if so, the caller takes it (and
    /// must call [`Self::finished`]).
    fn claim(&self, at: Position) -> bool {
        if self.policy.every_records == 0 {
            return false;
        }
        let mut p = self.progress();
        let records = at.last.saturating_sub(p.from_record);
        let bytes = u64::try_from(i128::from(at.bytes) - p.from_bytes).unwrap_or(0);
        let due = (records >= self.policy.every_records || bytes >= self.policy.every_bytes)
            && bytes >= p.image_bytes / SnapshotPolicy::IMAGE_SHARE;
        if p.running || !due || p.unimaged {
            return false;
        }
        p.running = true;
        true
    }

    /// The next snapshot counts from `at`.
    fn restart_count(&self, at: Position) {
        let mut p = self.progress();
        p.from_record = at.last;
        p.from_bytes = i128::from(at.bytes);
    }

    fn finished(&self, image_bytes: Option<u64>) {
        let mut p = self.progress();
        if let Some(bytes) = image_bytes {
            p.image_bytes = bytes;
            p.written += 1;
        }
        p.running = false;
    }

    /// Snapshots written since start-up, and whether one is under way.
    pub(crate) fn written(&self) -> (u64, bool) {
        let p = self.progress();
        (p.written, p.running)
    }
}

impl super::Durable {
    /// Snapshots written since start-up (`/metrics`).
    pub(crate) fn snapshots_written(&self) -> u64 {
        self.snapshots.written().0
    }
}

/// Starts a snapshot if one is due. Call after appending, with the order
/// lock released.
pub(super) fn maybe_start(state: &AppState, durable: &super::Durable) {
    if durable.snapshots.claim(durable.log.position()) {
        let state = state.clone();
        tokio::spawn(async move { take(&state).await });
    }
}

/// Captures, encodes and writes one snapshot.
async fn take(state: &AppState) {
    let Some(durable) = state.durable.as_deref() else {
        return;
    };
    let started = Instant::now();
    let captured = {
        let _order = durable.order.lock().await;
        let at = durable.log.position();
        durable.snapshots.restart_count(at);
        if durable.snapshots.all_imaged(at) {
            ServerImage::capture(state).map(|image| (image, at))
        } else {
            Err(Uncaptured::Records)
        }
    };
    let paused = started.elapsed();
    let (frozen, at) = match captured {
        Ok(captured) => captured,
        Err(Uncaptured::MoveTasks) => {
            tracing::debug!(
                "durable mode: no snapshot while move tasks exist (they are not in it)"
            );
            durable.snapshots.finished(None);
            return;
        }
        // Said once, when it was found.
        Err(Uncaptured::Records) => {
            durable.snapshots.finished(None);
            return;
        }
    };
    let encoding = tokio::task::spawn_blocking(move || {
        // The queues stop sharing chunks with the live state once this is built.
        let image = frozen.image();
        (image.queue_count(), image.message_count(), image.encode())
    })
    .await;
    let Ok((queues, messages, bytes)) = encoding else {
        tracing::error!("durable mode: encoding a snapshot failed");
        durable.snapshots.finished(None);
        return;
    };
    let size = bytes.len() as u64;
    match durable.log.write_snapshot(at.last, bytes).await {
        Ok(info) => {
            tracing::info!(
                covers = info.covers,
                bytes = info.bytes,
                queues,
                messages,
                "durable mode: snapshot written in {:?} (requests paused {:?} while it was captured)",
                started.elapsed(),
                paused,
            );
            durable.snapshots.finished(Some(size));
        }
        Err(err) => {
            // The previous snapshot and every record after it are still there.
            tracing::warn!("durable mode: snapshot not written: {err}");
            durable.snapshots.finished(None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(last: u64, bytes: u64) -> Position {
        Position { last, bytes }
    }

    #[test]
    fn a_snapshot_is_due_after_enough_records_or_bytes_and_one_at_a_time() {
        let policy = SnapshotPolicy {
            every_records: 10,
            every_bytes: 1_000,
        };
        let snapshots = Snapshots::new(policy, 100, 0, &[]);
        assert!(!snapshots.claim(at(109, 500)));
        assert!(snapshots.claim(at(110, 500)));
        // Running: not again until it has finished.
        snapshots.restart_count(at(110, 500));
        assert!(!snapshots.claim(at(200, 5_000)));
        snapshots.finished(Some(100));
        assert!(!snapshots.claim(at(115, 900)));
        assert!(snapshots.claim(at(115, 1_500)), "by bytes");
    }

    #[test]
    fn records_replayed_at_start_up_count_and_a_large_image_waits_for_its_share() {
        let policy = SnapshotPolicy {
            every_records: 10,
            every_bytes: u64::MAX,
        };
        // 8 records of 300 bytes replayed after a snapshot of 4,000 bytes.
        let record = format!(r#"{{"proto":"json","body":"{}"}}"#, "x".repeat(274)).into_bytes();
        assert_eq!(record.len(), 300);
        let snapshots = Snapshots::new(policy, 100, 4_000, &vec![record; 8]);
        assert!(!snapshots.claim(at(108, 0)));
        // 10 records and 2,700 bytes, over a quarter of the 4,000-byte image.
        assert!(snapshots.claim(at(110, 300)));
        snapshots.restart_count(at(110, 300));
        snapshots.finished(Some(40_000));
        // 20 records logged, 800 bytes: under a quarter of the 40,000-byte image.
        assert!(!snapshots.claim(at(130, 1_100)));
        assert!(snapshots.claim(at(131, 10_300)));
    }

    #[test]
    fn a_record_of_another_kind_after_the_snapshot_keeps_snapshots_off() {
        let policy = SnapshotPolicy {
            every_records: 1,
            every_bytes: u64::MAX,
        };
        let sqs = br#"{"now":1,"proto":"query","body":""}"#.to_vec();
        let other = br#"{"now":1,"proto":"sns","body":""}"#.to_vec();
        let snapshots = Snapshots::new(policy, 0, 0, &[sqs.clone(), sqs.clone()]);
        assert!(snapshots.claim(at(3, 100)));
        let snapshots = Snapshots::new(policy, 0, 0, &[sqs, other]);
        assert!(!snapshots.claim(at(3, 100)));
    }

    #[test]
    fn zero_records_turns_snapshots_off() {
        let policy = SnapshotPolicy {
            every_records: 0,
            every_bytes: 0,
        };
        let snapshots = Snapshots::new(policy, 0, 0, &[]);
        assert!(!snapshots.claim(at(1_000_000, 1 << 40)));
    }
}
