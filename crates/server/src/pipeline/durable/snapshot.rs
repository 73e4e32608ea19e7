//! When durable mode takes a snapshot and how: once enough has been logged
//! since the last one ([`SnapshotPolicy`]), a task takes the order lock,
//! captures the [`ServerImage`] (each queue frozen: its messages and dedup keys
//! shared, not copied) and the log position it stands for, releases the lock,
//! encodes the frozen image on a blocking thread and hands it to
//! `Log::write_snapshot`, which writes it between append batches and then
//! deletes the records it covers. So the data directory follows the live state,
//! and start-up restores the image and replays only the records after it.
//!
//! Requests wait only while the image is captured (state-changing ones; reads
//! and waiting long polls do not take the order lock). One snapshot at a time.
//!
//! A snapshot replaces the records it covers, so it holds everything they
//! rebuilt: the server image holds what every kind of record changes (SQS and
//! SNS requests, every action, move-task steps included).

use std::sync::Mutex;
use std::time::Instant;

use fifowin_store::Position;

use super::image::ServerImage;
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
    /// The last record the previous snapshot covers (or the one a snapshot
    /// being taken covers).
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
}

/// The snapshot schedule of one durable server.
#[derive(Debug)]
pub(crate) struct Snapshots {
    policy: SnapshotPolicy,
    progress: Mutex<Progress>,
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
            }),
        }
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
        // And not before the log since the last snapshot is as large as that
        // snapshot: with a large state, building and writing the image is the
        // cost, so each byte logged pays for at most one byte of snapshot (the
        // ratio of Redis's default AOF rewrite), and start-up replays at most a
        // snapshot's worth of records after it.
        let due = (records >= self.policy.every_records || bytes >= self.policy.every_bytes)
            && bytes >= p.image_bytes;
        if p.running || !due {
            return false;
        }
        p.running = true;
        true
    }

    /// A guess of the size of an image taken at `at`, to size its buffer:
    /// the last image's, plus the bytes logged since, since a record rarely
    /// adds more to the state than its own size. Room reserved and never
    /// written costs no memory. Call before [`Self::restart_count`].
    fn image_size_guess(&self, at: Position) -> usize {
        let p = self.progress();
        let logged = u64::try_from(i128::from(at.bytes) - p.from_bytes).unwrap_or(0);
        usize::try_from(p.image_bytes.saturating_add(logged)).unwrap_or(usize::MAX)
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
        let _order = durable.ordered();
        let at = durable.log.position();
        let size_guess = durable.snapshots.image_size_guess(at);
        durable.snapshots.restart_count(at);
        (ServerImage::capture(state), at, size_guess)
    };
    let paused = started.elapsed();
    let (frozen, at, size_guess) = captured;
    let encoding = tokio::task::spawn_blocking(move || {
        let counts = (
            frozen.queue_count(),
            frozen.message_count(),
            frozen.topic_count(),
            frozen.move_task_count(),
        );
        (counts, frozen.encode(size_guess))
    })
    .await;
    let Ok(((queues, messages, topics, move_tasks), bytes)) = encoding else {
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
                topics,
                move_tasks,
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
        // 8 records of 300 bytes replayed after a snapshot of 2,000 bytes.
        let record = format!(r#"{{"proto":"json","body":"{}"}}"#, "x".repeat(274)).into_bytes();
        assert_eq!(record.len(), 300);
        let snapshots = Snapshots::new(policy, 100, 2_000, &vec![record; 8]);
        assert!(!snapshots.claim(at(108, 0)));
        // 10 records and 2,700 bytes, more than the 2,000-byte image.
        assert!(snapshots.claim(at(110, 300)));
        snapshots.restart_count(at(110, 300));
        snapshots.finished(Some(40_000));
        // 20 records logged, 800 bytes, then 30,000: less than the 40,000-byte image.
        assert!(!snapshots.claim(at(130, 1_100)));
        assert!(!snapshots.claim(at(131, 30_300)));
        assert!(snapshots.claim(at(132, 40_300)));
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
