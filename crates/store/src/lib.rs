//! fifowin's durable mode: an append-only **command log** in a redb database.
//!
//! The engine is deterministic (every call takes `now`; ids come from an
//! `IdSource`), so the server's state is a pure function of the ordered list of
//! state-changing requests with their times. The server appends each such
//! request (opaque bytes here) and answers only after [`Log::append`] resolves,
//! which happens once the record is in a committed and fsynced redb write transaction. At
//! start-up [`Log::open`] hands back the latest complete snapshot and every
//! committed record after it, in order, for replay.
//!
//! # Group commit
//! Appends go through a channel to one writer thread. It takes everything that is
//! waiting, writes it in **one** transaction, commits with fsync and then
//! resolves every append of the batch. While it is
//! committing, new appends queue up and form the next batch, so many concurrent
//! requests share one fsync.
//!
//! # Snapshots
//! [`Log::write_snapshot`] stores opaque bytes that stand for the state after
//! record `S` and then deletes the records up to `S`, so the file follows the
//! live state rather than the history. The bytes are written a chunk per
//! transaction while appends keep flowing between them, and one fsynced
//! transaction makes the new snapshot current (see `writer`).
//!
//! # Honest failure
//! The database carries its store format version ([`FORMAT_VERSION`]); another
//! version, a damaged file, or a directory another process holds open is an
//! error naming the file or directory ([`StoreError`]). [`check`] reports on a
//! data directory without changing it.
//!
//! # Crash safety
//! redb commits are atomic and copy-on-write, with checksummed roots: after a
//! `kill -9` or power loss the database opens at the last committed transaction,
//! so the log is always a prefix of what was appended, never a torn record.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, mpsc};
use std::thread;

use redb::{Database, Durability, ReadableTable};
use tokio::sync::oneshot;

mod check;
mod layout;
mod writer;

pub use check::{Report, check};
pub use layout::{FILE_NAME, FORMAT_VERSION};

use layout::{KEY_FORMAT, KEY_SEED, LOG, META, SNAPSHOT, file_of};
use writer::{Command, Pending, SnapshotJob, Writer};

/// redb's page cache.
const CACHE_BYTES: usize = 16 * 1024 * 1024;

/// What can go wrong with the log.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open {path}: {problem}")]
    Open { path: PathBuf, problem: String },
    #[error("no fifowin database in the data directory: {path} does not exist")]
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

fn storage(e: impl std::fmt::Display) -> StoreError {
    StoreError::Storage(e.to_string())
}

/// The open command log.
#[derive(Debug)]
pub struct Log {
    /// `None` only while dropping.
    tx: Option<mpsc::Sender<Command>>,
    /// Joined on drop, so the database file is closed when the `Log` is gone.
    writer: Option<thread::JoinHandle<()>>,
    seed: u64,
    /// What has been handed to the writer so far, numbered as it numbers records.
    queued: Mutex<Queued>,
}

/// The sequence number the next append gets and the record bytes appended
/// since the log was opened.
#[derive(Copy, Clone, Debug)]
struct Queued {
    next: u64,
    bytes: u64,
}

/// Where the log stands: what [`Log::append`] has queued (committed or not).
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
        // Closing the channel ends the writer after its last batch.
        self.tx.take();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
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
    /// The transactions its bytes were written in.
    pub chunks: u64,
}

/// A database opened: the log to append to and the state to rebuild.
#[derive(Debug)]
pub struct Opened {
    pub log: Log,
    /// The latest complete snapshot, if one was written.
    pub snapshot: Option<Snapshot>,
    /// Every committed record after the snapshot (all of them without one), oldest first.
    pub records: Vec<Vec<u8>>,
    /// The sequence number of `records[0]`: the snapshot's `covers + 1`.
    pub first_record: u64,
}

impl Log {
    /// Opens (or creates) `dir/fifowin.redb`, reads the latest snapshot and the
    /// committed records after it, and starts the writer thread. Another store
    /// format, a damaged file or a directory held by another process is an
    /// error naming it.
    pub fn open(dir: &Path) -> Result<Opened, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = file_of(dir);
        // The log is appended to and read once at start-up: a small page cache
        // does (redb's default would let a busy server's RSS grow by a gigabyte).
        let db = layout::guarded(dir, || {
            Database::builder()
                .set_cache_size(CACHE_BYTES)
                .create(&path)
        })?;
        let next_id = init(&db, &path)?;
        let contents = {
            let txn = db.begin_read().map_err(storage)?;
            layout::read(&txn, &path, true)?
        };
        let first_on_disk = first_record(&db)?.unwrap_or(contents.snapshot.covers + 1);
        let snapshot = contents
            .snapshot_bytes
            .map(|bytes| Snapshot {
                covers: contents.snapshot.covers,
                bytes,
            })
            .filter(|_| contents.snapshot.id != 0);
        let queued = Mutex::new(Queued {
            next: contents.next,
            bytes: 0,
        });
        let writer = Writer::new(db, contents.next, contents.snapshot, next_id, first_on_disk);
        let (tx, rx) = mpsc::channel::<Command>();
        let writer = thread::Builder::new()
            .name("fifowin-log".into())
            .spawn(move || writer.run(rx))
            .map_err(storage)?;
        Ok(Opened {
            log: Log {
                tx: Some(tx),
                writer: Some(writer),
                seed: contents.seed,
                queued,
            },
            snapshot,
            records: contents.records.into_iter().map(|(_, r)| r).collect(),
            first_record: contents.snapshot.covers + 1,
        })
    }

    /// A random number chosen when the database was created (seeds message ids,
    /// so they differ between databases yet are the same on every replay).
    pub fn seed(&self) -> u64 {
        self.seed
    }

    fn send(&self, command: Command) -> Result<(), StoreError> {
        match &self.tx {
            Some(tx) => tx.send(command).map_err(|_| StoreError::Closed),
            None => Err(StoreError::Closed),
        }
    }

    /// Where the log stands: the sequence number of the last record queued (a
    /// caller that appends in the order its state changes knows that its state
    /// after that record is what a snapshot covering it must hold).
    pub fn position(&self) -> Position {
        let queued = *self.queued.lock().unwrap_or_else(|p| p.into_inner());
        Position {
            last: queued.next - 1,
            bytes: queued.bytes,
        }
    }

    /// Queues `record` (in call order) and resolves with its sequence number once
    /// it is committed. Call it in the order the records must be replayed.
    pub fn append(
        &self,
        record: Vec<u8>,
    ) -> impl std::future::Future<Output = Result<u64, StoreError>> + use<> {
        let (done, wait) = oneshot::channel();
        // Numbered and sent under one lock, so the count matches the writer's
        // numbering even if appends race.
        let sent = {
            let mut queued = self.queued.lock().unwrap_or_else(|p| p.into_inner());
            let len = record.len() as u64;
            let sent = self.send(Command::Append(Pending { record, done }));
            if sent.is_ok() {
                queued.next += 1;
                queued.bytes += len;
            }
            sent
        };
        async move {
            sent?;
            match wait.await {
                Ok(Ok(seq)) => Ok(seq),
                Ok(Err(message)) => Err(StoreError::Storage(message)),
                Err(_) => Err(StoreError::Closed),
            }
        }
    }

    /// Stores `bytes` as the state after record `covers` and then deletes the
    /// records up to `covers`; resolves once the snapshot is current (fsynced).
    /// Appends made before this call are committed before the snapshot is
    /// checked against the log; appends keep being committed while it is
    /// written. A crash before it resolves leaves the previous snapshot and
    /// every record after it.
    pub fn write_snapshot(
        &self,
        covers: u64,
        bytes: Vec<u8>,
    ) -> impl std::future::Future<Output = Result<SnapshotInfo, StoreError>> + use<> {
        let (done, wait) = oneshot::channel();
        let sent = self.send(Command::Snapshot(SnapshotJob {
            covers,
            bytes,
            done,
        }));
        async move {
            sent?;
            match wait.await {
                Ok(Ok(info)) => Ok(info),
                Ok(Err(message)) => Err(StoreError::Snapshot(message)),
                Err(_) => Err(StoreError::Closed),
            }
        }
    }
}

/// Stamps a new database (format, seed) or checks an existing one's format,
/// and drops the chunks of snapshots a crash cut off. Returns the id the next
/// snapshot gets.
fn init(db: &Database, path: &Path) -> Result<u64, StoreError> {
    let mut txn = db.begin_write().map_err(storage)?;
    txn.set_durability(Durability::Immediate);
    let next_id = {
        let mut meta = txn.open_table(META).map_err(storage)?;
        let format = meta.get(KEY_FORMAT).map_err(storage)?.map(|v| v.value());
        match format {
            Some(found) if found != FORMAT_VERSION => {
                return Err(StoreError::Version {
                    path: path.to_path_buf(),
                    found,
                    supported: FORMAT_VERSION,
                });
            }
            Some(_) => {}
            // A new file, or one from before the version was stamped (its
            // tables are this format's).
            None => {
                meta.insert(KEY_FORMAT, FORMAT_VERSION).map_err(storage)?;
            }
        }
        if meta.get(KEY_SEED).map_err(storage)?.is_none() {
            meta.insert(KEY_SEED, random_seed()).map_err(storage)?;
        }
        let current = meta
            .get(layout::KEY_SNAPSHOT_ID)
            .map_err(storage)?
            .map_or(0, |v| v.value());
        let mut chunks = txn.open_table(SNAPSHOT).map_err(storage)?;
        let mut highest = current;
        let mut orphans = Vec::new();
        for entry in chunks.iter().map_err(storage)? {
            let (key, _) = entry.map_err(storage)?;
            let (id, chunk) = key.value();
            highest = highest.max(id);
            if id != current {
                orphans.push((id, chunk));
            }
        }
        for key in orphans {
            chunks.remove(key).map_err(storage)?;
        }
        highest + 1
    };
    txn.open_table(LOG).map_err(storage)?;
    txn.commit().map_err(storage)?;
    Ok(next_id)
}

fn first_record(db: &Database) -> Result<Option<u64>, StoreError> {
    let txn = db.begin_read().map_err(storage)?;
    let log = txn.open_table(LOG).map_err(storage)?;
    Ok(log.first().map_err(storage)?.map(|(seq, _)| seq.value()))
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
