//! fifowin's durable mode: an append-only **command log** in a redb database.
//!
//! The engine is deterministic (every call takes `now`; ids come from an
//! `IdSource`), so the server's state is a pure function of the ordered list of
//! state-changing requests with their times. The server appends each such
//! request (opaque bytes here) and answers only after [`Log::append`] resolves,
//! which happens once the record is in a committed and fsynced redb write transaction. At
//! start-up [`Log::open`] hands back every committed record, in order, for replay.
//!
//! # Group commit
//! Appends go through a channel to one writer thread. It takes everything that is
//! waiting, writes it in **one** transaction, commits (with fsync in
//! [`Fsync::Always`]) and then resolves every append of the batch. While it is
//! committing, new appends queue up and form the next batch, so many concurrent
//! requests share one fsync.
//!
//! # Crash safety
//! redb commits are atomic and copy-on-write, with checksummed roots: after a
//! `kill -9` or power loss the database opens at the last committed transaction,
//! so the log is always a prefix of what was appended, never a torn record.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;

use redb::{Database, Durability, ReadableTable, TableDefinition};
use tokio::sync::oneshot;

/// Sequence number -> one record.
const LOG: TableDefinition<u64, &[u8]> = TableDefinition::new("log");
/// Small settings of the database (its random seed).
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

/// redb's page cache.
const CACHE_BYTES: usize = 16 * 1024 * 1024;

/// Most records written in one transaction (bounds the latency of a batch).
const MAX_BATCH: usize = 4096;

/// What can go wrong with the log.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the database: {0}")]
    Open(#[from] redb::DatabaseError),
    #[error("storage: {0}")]
    Storage(String),
    /// The writer thread is gone (an earlier commit failed); the server must stop.
    #[error("the command log is closed after a failed commit")]
    Closed,
}

fn storage(e: impl std::fmt::Display) -> StoreError {
    StoreError::Storage(e.to_string())
}

struct Pending {
    record: Vec<u8>,
    done: oneshot::Sender<Result<u64, String>>,
}

/// The open command log.
#[derive(Debug)]
pub struct Log {
    /// `None` only while dropping.
    tx: Option<mpsc::Sender<Pending>>,
    /// Joined on drop, so the database file is closed when the `Log` is gone.
    writer: Option<thread::JoinHandle<()>>,
    seed: u64,
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

/// A database opened: the log to append to and the records to replay.
#[derive(Debug)]
pub struct Opened {
    pub log: Log,
    /// Every committed record, oldest first.
    pub records: Vec<Vec<u8>>,
}

impl Log {
    /// Opens (or creates) `dir/fifowin.redb`, reads the committed records and
    /// starts the writer thread.
    pub fn open(dir: &Path) -> Result<Opened, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        // The log is appended to and read once at start-up: a small page cache
        // does (redb's default would let a busy server's RSS grow by a gigabyte).
        let db = Database::builder()
            .set_cache_size(CACHE_BYTES)
            .create(dir.join("fifowin.redb"))?;
        let seed = init_meta(&db)?;
        let (records, next) = read_all(&db)?;
        let (tx, rx) = mpsc::channel::<Pending>();
        let writer = thread::Builder::new()
            .name("fifowin-log".into())
            .spawn(move || writer(db, rx, next))
            .map_err(storage)?;
        Ok(Opened {
            log: Log {
                tx: Some(tx),
                writer: Some(writer),
                seed,
            },
            records,
        })
    }

    /// A random number chosen when the database was created (seeds message ids,
    /// so they differ between databases yet are the same on every replay).
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Queues `record` (in call order) and resolves with its sequence number once
    /// it is committed. Call it in the order the records must be replayed.
    pub fn append(
        &self,
        record: Vec<u8>,
    ) -> impl std::future::Future<Output = Result<u64, StoreError>> + use<> {
        let (done, wait) = oneshot::channel();
        let sent = match &self.tx {
            Some(tx) => tx.send(Pending { record, done }).map_err(|_| ()),
            None => Err(()),
        };
        async move {
            sent.map_err(|_| StoreError::Closed)?;
            match wait.await {
                Ok(Ok(seq)) => Ok(seq),
                Ok(Err(message)) => Err(StoreError::Storage(message)),
                Err(_) => Err(StoreError::Closed),
            }
        }
    }
}

fn init_meta(db: &Database) -> Result<u64, StoreError> {
    let txn = db.begin_write().map_err(storage)?;
    let seed = {
        let mut meta = txn.open_table(META).map_err(storage)?;
        let existing = meta.get("seed").map_err(storage)?.map(|v| v.value());
        match existing {
            Some(seed) => seed,
            None => {
                let seed = random_seed();
                meta.insert("seed", seed).map_err(storage)?;
                seed
            }
        }
    };
    txn.open_table(LOG).map_err(storage)?;
    txn.commit().map_err(storage)?;
    Ok(seed)
}

/// Randomness without a dependency: the std hasher is randomly keyed per process.
fn random_seed() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    let time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    RandomState::new().hash_one((time, std::process::id()))
}

fn read_all(db: &Database) -> Result<(Vec<Vec<u8>>, u64), StoreError> {
    let txn = db.begin_read().map_err(storage)?;
    let table = txn.open_table(LOG).map_err(storage)?;
    let mut records = Vec::new();
    let mut next = 1;
    for entry in table.iter().map_err(storage)? {
        let (seq, record) = entry.map_err(storage)?;
        next = seq.value() + 1;
        records.push(record.value().to_vec());
    }
    Ok((records, next))
}

/// The writer thread: one transaction per batch of waiting appends.
fn writer(db: Database, rx: mpsc::Receiver<Pending>, mut next: u64) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        match commit(&db, &batch, next) {
            Ok(()) => {
                let first = next;
                next += batch.len() as u64;
                for (i, p) in batch.into_iter().enumerate() {
                    let _ = p.done.send(Ok(first + i as u64));
                }
            }
            Err(message) => {
                // Nothing of this batch is on disk and later records must not
                // follow it: fail the batch and stop (appends then fail Closed).
                for p in batch {
                    let _ = p.done.send(Err(message.clone()));
                }
                return;
            }
        }
    }
}

fn commit(db: &Database, batch: &[Pending], first: u64) -> Result<(), String> {
    let mut txn = db.begin_write().map_err(|e| e.to_string())?;
    // fsync before the commit returns: an answered request survives power loss.
    txn.set_durability(Durability::Immediate);
    {
        let mut table = txn.open_table(LOG).map_err(|e| e.to_string())?;
        for (i, p) in batch.iter().enumerate() {
            table
                .insert(first + i as u64, p.record.as_slice())
                .map_err(|e| e.to_string())?;
        }
    }
    txn.commit().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests;
