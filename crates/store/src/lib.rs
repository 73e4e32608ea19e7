//! fifowin's durable mode: an append-only **command log** in segment files of
//! our own, with pipelined group commit, and snapshots as files.
//!
//! The engine is deterministic (every call takes `now`; ids come from an
//! `IdSource`), so the server's state is a pure function of the ordered list of
//! state-changing requests with their times. The server appends each such
//! request (opaque bytes here) and answers only after [`Log::append`] resolves,
//! which happens once the record is written and `fdatasync`ed. At start-up
//! [`Log::open`] hands back the latest snapshot and every record after it, in
//! order, for replay.
//!
//! # The data directory
//! - `meta`: the store format ([`FORMAT_VERSION`]) and the seed, written once;
//! - `lock`: held with an OS file lock by the process that has it open;
//! - `log/<first record>.log`: segments of framed records (`frame`), the
//!   last one being appended to, the next one zero-filled ahead (`spare`);
//! - `snapshot/<last record covered>.snap`: the current snapshot (`snapshot_file`).
//!
//! # Group commit (`writer`)
//! Appends frame their record into a shared buffer; one writer thread swaps it
//! out, writes it durably (`segment_file`: one direct, synchronous `pwrite`
//! where the file system allows, else a `pwrite` and an `fdatasync`), and
//! resolves that batch, while the next batch fills up behind it.
//!
//! # Snapshots (`snapshotter`)
//! [`Log::write_snapshot`] hands opaque bytes that stand for the state after
//! record `S` to a thread of their own, which writes them to a file, makes it
//! current once record `S` is durable, and deletes the older snapshot and the
//! segments it covers; appends are not held up meanwhile.
//!
//! # Honest failure
//! Another format, a damaged file (named, with the byte offset for a segment)
//! or a directory another process holds is a [`StoreError`], never a
//! half-loaded state. [`check`] reports on a data directory without changing it.
//!
//! # Crash safety
//! A record is acknowledged only after the fsync of the batch that holds it;
//! a crash can only leave unacknowledged bytes at the end of the last segment,
//! which the checksums find and [`Log::open`] cuts off. Segment and snapshot
//! names become durable (directory fsync) before anything in them is relied on.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::thread;

use tokio::sync::oneshot;

mod check;
mod frame;
mod layout;
mod scan;
mod segment_file;
mod snapshot_file;
mod snapshotter;
mod spare;
mod writer;

pub use check::{Report, check};
pub use layout::{FORMAT_VERSION, LEGACY_FILE, LOCK_FILE, LOG_DIR, META_FILE, SNAPSHOT_DIR};
pub use scan::Torn;
pub use writer::Append;

use layout::{Meta, io_error, segment_path};
use segment_file::SegmentFile;
use snapshotter::{SnapshotJob, Snapshotter};
use spare::Spares;
use writer::{Shared, Writer};

/// What can go wrong with the log.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("not a fifowin data directory: {path} does not exist")]
    Missing { path: PathBuf },
    #[error("the data directory {dir} is in use by another fifowin process ({path} is locked)")]
    Locked { dir: PathBuf, path: PathBuf },
    #[error(
        "{path} was written in store format {found}; this build of fifowin reads format {supported}"
    )]
    Version {
        path: PathBuf,
        found: u64,
        supported: u64,
    },
    #[error(
        "{path} is a store format 1 (redb) database, which this build of fifowin (store format {FORMAT_VERSION}) cannot read: drain it with the fifowin version that wrote it, or move it out of the data directory to start empty"
    )]
    OldFormat { path: PathBuf },
    #[error("{path} is damaged: {problem}")]
    Corrupt { path: PathBuf, problem: String },
    #[error("storage: {0}")]
    Storage(String),
    /// The writer thread is gone (an earlier commit failed); the server must stop.
    #[error("the command log is closed after a failed commit")]
    Closed,
    /// A snapshot that would cover records not yet logged, or be older than the current one.
    #[error("snapshot refused: {0}")]
    Snapshot(String),
}

/// How the log lays out its files.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// A segment is closed and the next one started once it holds this many
    /// bytes (a batch never spans two). Also the size of the zero-filled
    /// spare segment.
    pub segment_bytes: u64,
    /// Commits bypass the page cache (`O_DIRECT` and `O_DSYNC` on Linux: one
    /// system call per commit) where the file system allows it; off, or where
    /// it is refused, each commit is a buffered write and an `fdatasync`.
    pub direct_io: bool,
}

impl Options {
    /// Segment size: large enough that starting a segment (a rename and a
    /// directory fsync) is rare under load, small enough that the spare costs
    /// little disk and a snapshot frees the space of the records it covers
    /// soon; a multiple of any block size, so direct writes never grow a
    /// segment's file.
    pub const DEFAULT: Self = Self {
        segment_bytes: 16 << 20,
        direct_io: true,
    };
}

impl Default for Options {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The open command log.
pub struct Log {
    shared: Arc<Shared>,
    seed: u64,
    direct_io: bool,
    /// `None` only while dropping.
    snapshots: Option<mpsc::Sender<SnapshotJob>>,
    snapshotter: Option<thread::JoinHandle<()>>,
    writer: Option<thread::JoinHandle<()>>,
    spares: Arc<Spares>,
    spare_maker: Option<thread::JoinHandle<()>>,
    /// Held (locked) until the log is dropped, after the threads are joined.
    _lock: File,
}

impl std::fmt::Debug for Log {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Log")
            .field("seed", &self.seed)
            .field("position", &self.position())
            .finish_non_exhaustive()
    }
}

/// Where the log stands: what [`Log::append`] has queued (durable or not).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Position {
    /// The sequence number of the last record queued (the snapshot's `covers`
    /// before the first record, 0 in a new log).
    pub last: u64,
    /// Record bytes queued since the log was opened.
    pub bytes: u64,
}

impl Drop for Log {
    fn drop(&mut self) {
        // Snapshots first: one being written waits for the writer.
        self.snapshots.take();
        if let Some(snapshotter) = self.snapshotter.take() {
            let _ = snapshotter.join();
        }
        // The writer commits what is queued, then stops.
        self.shared.close();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
        self.spares.stop();
        if let Some(maker) = self.spare_maker.take() {
            let _ = maker.join();
        }
    }
}

/// The state a snapshot stands for: everything up to and including record `covers`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub covers: u64,
    pub bytes: Vec<u8>,
}

/// A snapshot made current by [`Log::write_snapshot`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SnapshotInfo {
    /// The last record it covers.
    pub covers: u64,
    /// Its size.
    pub bytes: u64,
}

/// A data directory opened: the log to append to and the state to rebuild.
#[derive(Debug)]
pub struct Opened {
    pub log: Log,
    /// The latest snapshot, if one was written.
    pub snapshot: Option<Snapshot>,
    /// Every durable record after the snapshot (all of them without one), oldest first.
    pub records: Vec<Vec<u8>>,
    /// The sequence number of `records[0]`: the snapshot's `covers + 1`.
    pub first_record: u64,
    /// Bytes a crash left after the last whole record, now cut off.
    pub torn_tail: Option<Torn>,
}

impl Log {
    /// [`Log::open_with`] the default [`Options`].
    pub fn open(dir: &Path) -> Result<Opened, StoreError> {
        Self::open_with(dir, Options::default())
    }

    /// Opens (or creates) the data directory `dir`: reads the latest snapshot
    /// and the records after it, cuts off a torn tail, starts a new segment
    /// and the writer, snapshot and spare threads. Another store format, a
    /// damaged file or a directory held by another process is an error
    /// naming it, and nothing is changed then.
    pub fn open_with(dir: &Path, options: Options) -> Result<Opened, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        layout::refuse_legacy(dir)?;
        let lock = lock(dir)?;
        let meta = meta(dir)?;
        let scan = scan::scan(dir, true)?;
        let covers = scan.covers();
        let next = scan.next;

        // Leftovers of work a crash cut off: never read as state.
        for (sub, names) in [(SNAPSHOT_DIR, None), (LOG_DIR, Some(layout::SPARE))] {
            for entry in std::fs::read_dir(dir.join(sub)).map_err(io_error(&dir.join(sub)))? {
                let path = entry.map_err(io_error(&dir.join(sub)))?.path();
                let tmp = path.extension().is_some_and(|e| e == layout::TMP_EXT);
                let ours = names.is_none_or(|n| path.file_stem().is_some_and(|s| s == n));
                if tmp && ours {
                    std::fs::remove_file(&path).map_err(io_error(&path))?;
                }
            }
        }
        if scan.snapshot.is_some() {
            snapshotter::remove_covered(dir, covers)?;
        }

        let log_dir = dir.join(LOG_DIR);
        let spares = Arc::new(Spares::new(log_dir.clone(), options.segment_bytes));
        // Appends go to a new segment named `next`, unless the last one is
        // already that and empty. A last segment with records ends the
        // previous run: cut to its last whole record (dropping a torn
        // tail and unused zeros), durably before anything follows it.
        let reuse = scan
            .segments
            .last()
            .filter(|s| s.records == 0 && s.first == next);
        let active = match reuse {
            Some(segment) => segment.path.clone(),
            None => {
                if let Some(last) = scan.segments.last() {
                    if last.records == 0 {
                        std::fs::remove_file(&last.path).map_err(io_error(&last.path))?;
                    } else {
                        let file = OpenOptions::new()
                            .write(true)
                            .open(&last.path)
                            .map_err(io_error(&last.path))?;
                        file.set_len(last.end)
                            .and_then(|()| file.sync_all())
                            .map_err(io_error(&last.path))?;
                    }
                }
                spares.make()?;
                let path = segment_path(dir, next);
                spares.take(&path)?;
                path
            }
        };
        let active = SegmentFile::open(&active, options.direct_io)?;
        let direct_io = active.is_direct();

        let shared = Arc::new(Shared::new(next));
        let writer = Writer {
            shared: Arc::clone(&shared),
            dir: dir.to_path_buf(),
            spares: Arc::clone(&spares),
            segment_bytes: options.segment_bytes,
            direct_io,
            active_first: next,
            active,
            offset: 0,
            next,
        };
        let snapshotter = Snapshotter {
            dir: dir.to_path_buf(),
            shared: Arc::clone(&shared),
            current: scan.snapshot.as_ref().map(|s| s.covers),
        };
        let spawn_error = |e| StoreError::Storage(format!("cannot start a thread: {e}"));
        let writer = thread::Builder::new()
            .name("fifowin-log".into())
            .spawn(move || writer.run())
            .map_err(spawn_error)?;
        let (jobs, job_rx) = mpsc::channel();
        let snapshotter = thread::Builder::new()
            .name("fifowin-snapshot".into())
            .spawn(move || snapshotter.run(job_rx))
            .map_err(spawn_error)?;
        let maker = Arc::clone(&spares);
        let spare_maker = thread::Builder::new()
            .name("fifowin-spare".into())
            .spawn(move || maker.run())
            .map_err(spawn_error)?;
        let torn_tail = scan.torn.clone();
        let snapshot = scan.snapshot.map(|s| Snapshot {
            covers: s.covers,
            bytes: s.bytes,
        });
        Ok(Opened {
            log: Log {
                shared,
                seed: meta.seed,
                direct_io,
                snapshots: Some(jobs),
                snapshotter: Some(snapshotter),
                writer: Some(writer),
                spares,
                spare_maker: Some(spare_maker),
                _lock: lock,
            },
            snapshot,
            records: scan.records,
            first_record: covers + 1,
            torn_tail,
        })
    }

    /// A random number chosen when the directory was created (seeds message
    /// ids, so they differ between directories yet are the same on every replay).
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Whether commits bypass the page cache: [`Options::direct_io`] asked
    /// for it and the file system allowed it when the log was opened.
    pub fn direct_io(&self) -> bool {
        self.direct_io
    }

    /// Where the log stands: the sequence number of the last record queued (a
    /// caller that appends in the order its state changes knows that its state
    /// after that record is what a snapshot covering it must hold).
    pub fn position(&self) -> Position {
        let queue = self.shared.lock();
        Position {
            last: queue.next - 1,
            bytes: queue.bytes,
        }
    }

    /// Queues `record` (in call order) and resolves with its sequence number
    /// once it is durable. Call it in the order the records must be replayed.
    pub fn append(&self, record: Vec<u8>) -> Append {
        let shared = Arc::clone(&self.shared);
        if !frame::fits(record.len()) {
            let err = StoreError::Storage(format!(
                "a record of {} bytes is larger than a log record can be",
                record.len()
            ));
            return Append::refused(shared, err);
        }
        match self.shared.push(&record) {
            Some(seq) => Append::queued(shared, seq),
            None => Append::refused(shared, StoreError::Closed),
        }
    }

    /// Stores `bytes` as the state after record `covers` and then deletes the
    /// older snapshot and the segments it covers; resolves once the snapshot is
    /// current (fsynced, and record `covers` too). Appends keep being committed
    /// while it is written. A crash before it resolves leaves the previous
    /// snapshot and every record after it.
    pub fn write_snapshot(
        &self,
        covers: u64,
        bytes: Vec<u8>,
    ) -> impl std::future::Future<Output = Result<SnapshotInfo, StoreError>> + use<> {
        let (done, wait) = oneshot::channel();
        let sent = {
            let queue = self.shared.lock();
            if covers >= queue.next {
                Err(StoreError::Snapshot(format!(
                    "a snapshot cannot cover record {covers}: the log ends at record {}",
                    queue.next - 1
                )))
            } else {
                Ok(())
            }
        }
        .and_then(|()| {
            let job = SnapshotJob {
                covers,
                bytes,
                done,
            };
            match &self.snapshots {
                Some(jobs) => jobs.send(job).map_err(|_| StoreError::Closed),
                None => Err(StoreError::Closed),
            }
        });
        async move {
            sent?;
            wait.await.unwrap_or(Err(StoreError::Closed))
        }
    }
}

/// Takes the directory's lock file (an OS lock, released when the process
/// ends however it ends).
fn lock(dir: &Path) -> Result<File, StoreError> {
    let path = dir.join(LOCK_FILE);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_error(&path))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Locked {
            dir: dir.to_path_buf(),
            path,
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(io_error(&path)(e)),
    }
}

/// Reads the meta file, or writes it (with a new seed) in a directory that
/// has none of the store's files yet.
fn meta(dir: &Path) -> Result<Meta, StoreError> {
    let path = dir.join(META_FILE);
    if path.exists() {
        return Meta::read(&path);
    }
    let log_dir = dir.join(LOG_DIR);
    let snapshot_dir = dir.join(SNAPSHOT_DIR);
    let has_files =
        |sub: &Path| std::fs::read_dir(sub).is_ok_and(|mut entries| entries.next().is_some());
    if has_files(&log_dir) || has_files(&snapshot_dir) {
        return Err(StoreError::Corrupt {
            path,
            problem: "it is missing, but the directory holds log segments or snapshots".into(),
        });
    }
    for sub in [&log_dir, &snapshot_dir] {
        std::fs::create_dir_all(sub).map_err(io_error(sub))?;
    }
    let meta = Meta {
        format: FORMAT_VERSION,
        seed: random_seed(),
    };
    layout::write_atomically(&path, &[meta.encode().as_bytes()])?;
    Ok(meta)
}

/// Randomness without a dependency: the std hasher is randomly keyed per process.
fn random_seed() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    let time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    RandomState::new().hash_one((time, std::process::id()))
}

#[cfg(test)]
mod tests;
