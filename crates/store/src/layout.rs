//! What the database file holds and how it is read back: the tables, the
//! settings in META (the store format version, the seed, the current
//! snapshot), and the checks that make a damaged or foreign file an error
//! naming the file instead of a half-loaded state.

use std::path::{Path, PathBuf};

use redb::{Database, DatabaseError, ReadTransaction, ReadableTable, TableDefinition, TableError};

use crate::StoreError;

/// Sequence number -> one record.
pub(crate) const LOG: TableDefinition<u64, &[u8]> = TableDefinition::new("log");
/// Small settings of the database.
pub(crate) const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
/// (snapshot id, chunk index) -> that part of the snapshot's bytes. Only the
/// chunks of the snapshot META names are part of the state; others are the
/// leftovers of a snapshot cut off by a crash, dropped at the next open.
pub(crate) const SNAPSHOT: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("snapshot");

/// The store format this build writes and reads: the tables above.
pub const FORMAT_VERSION: u64 = 1;

/// The database file in a data directory.
pub const FILE_NAME: &str = "fifowin.redb";

/// META keys.
pub(crate) const KEY_FORMAT: &str = "format";
pub(crate) const KEY_SEED: &str = "seed";
/// The current snapshot: its id (0: none), the last record it covers, its
/// chunk count and size.
pub(crate) const KEY_SNAPSHOT_ID: &str = "snapshot.id";
pub(crate) const KEY_SNAPSHOT_COVERS: &str = "snapshot.covers";
pub(crate) const KEY_SNAPSHOT_CHUNKS: &str = "snapshot.chunks";
pub(crate) const KEY_SNAPSHOT_BYTES: &str = "snapshot.bytes";

/// The current snapshot as META describes it.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SnapshotMeta {
    /// 0 when there is none.
    pub(crate) id: u64,
    pub(crate) covers: u64,
    pub(crate) chunks: u64,
    pub(crate) bytes: u64,
}

pub(crate) fn file_of(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

/// An open error, with the file or directory it concerns.
pub(crate) fn open_error(dir: &Path, err: DatabaseError) -> StoreError {
    let path = file_of(dir);
    match err {
        DatabaseError::DatabaseAlreadyOpen => StoreError::Locked {
            dir: dir.to_path_buf(),
            path,
        },
        DatabaseError::Storage(redb::StorageError::Corrupted(problem)) => {
            StoreError::Corrupt { path, problem }
        }
        DatabaseError::Storage(redb::StorageError::Io(io))
            if io.kind() == std::io::ErrorKind::InvalidData =>
        {
            StoreError::Corrupt {
                path,
                problem: "not a database: its header is not redb's".into(),
            }
        }
        DatabaseError::Storage(redb::StorageError::Io(io))
            if io.kind() == std::io::ErrorKind::UnexpectedEof =>
        {
            StoreError::Corrupt {
                path,
                problem: format!("the file ends early ({io})"),
            }
        }
        other => StoreError::Open {
            path,
            problem: other.to_string(),
        },
    }
}

/// A storage error met while reading the file at open: the file is damaged.
pub(crate) fn damaged(path: &Path) -> impl Fn(&dyn std::fmt::Display) -> StoreError + '_ {
    move |e| StoreError::Corrupt {
        path: path.to_path_buf(),
        problem: e.to_string(),
    }
}

/// What a read of the whole database found.
#[derive(Debug)]
pub(crate) struct Contents {
    pub(crate) format: u64,
    pub(crate) seed: u64,
    pub(crate) snapshot: SnapshotMeta,
    /// The snapshot's bytes (read only when asked for).
    pub(crate) snapshot_bytes: Option<Vec<u8>>,
    /// Records after the snapshot, with their sequence numbers (only when asked for).
    pub(crate) records: Vec<(u64, Vec<u8>)>,
    /// How many records follow the snapshot.
    pub(crate) records_after: u64,
    /// The sequence number the next append gets.
    pub(crate) next: u64,
}

fn meta_value(
    meta: &redb::ReadOnlyTable<&str, u64>,
    key: &str,
    path: &Path,
) -> Result<Option<u64>, StoreError> {
    let value = meta.get(key).map_err(|e| damaged(path)(&e))?;
    Ok(value.map(|v| v.value()))
}

/// Reads META, the current snapshot and the records after it, checking that
/// they hold together. With `load` false, only counts and sizes are read.
pub(crate) fn read(txn: &ReadTransaction, path: &Path, load: bool) -> Result<Contents, StoreError> {
    let bad = damaged(path);
    let corrupt = |problem: String| StoreError::Corrupt {
        path: path.to_path_buf(),
        problem,
    };
    let meta = match txn.open_table(META) {
        Ok(meta) => meta,
        Err(TableError::TableDoesNotExist(_)) => {
            return Err(corrupt("no META table: not a fifowin data file".into()));
        }
        Err(e) => return Err(bad(&e)),
    };
    let format = meta_value(&meta, KEY_FORMAT, path)?.unwrap_or(FORMAT_VERSION);
    if format != FORMAT_VERSION {
        return Err(StoreError::Version {
            path: path.to_path_buf(),
            found: format,
            supported: FORMAT_VERSION,
        });
    }
    let seed =
        meta_value(&meta, KEY_SEED, path)?.ok_or_else(|| corrupt("META has no seed".into()))?;
    let snapshot = SnapshotMeta {
        id: meta_value(&meta, KEY_SNAPSHOT_ID, path)?.unwrap_or(0),
        covers: meta_value(&meta, KEY_SNAPSHOT_COVERS, path)?.unwrap_or(0),
        chunks: meta_value(&meta, KEY_SNAPSHOT_CHUNKS, path)?.unwrap_or(0),
        bytes: meta_value(&meta, KEY_SNAPSHOT_BYTES, path)?.unwrap_or(0),
    };
    let mut snapshot_bytes = None;
    if snapshot.id != 0 {
        let table = txn.open_table(SNAPSHOT).map_err(|e| bad(&e))?;
        let mut bytes = Vec::with_capacity(if load {
            usize::try_from(snapshot.bytes).unwrap_or(0)
        } else {
            0
        });
        let (mut chunks, mut size) = (0u64, 0u64);
        let range = table
            .range((snapshot.id, 0)..(snapshot.id, snapshot.chunks))
            .map_err(|e| bad(&e))?;
        for entry in range {
            let (key, chunk) = entry.map_err(|e| bad(&e))?;
            if key.value().1 != chunks {
                return Err(corrupt(format!(
                    "snapshot {} lacks chunk {chunks}",
                    snapshot.id
                )));
            }
            let chunk = chunk.value();
            chunks += 1;
            size += chunk.len() as u64;
            if load {
                bytes.extend_from_slice(chunk);
            }
        }
        if (chunks, size) != (snapshot.chunks, snapshot.bytes) {
            return Err(corrupt(format!(
                "snapshot {} has {chunks} chunks and {size} bytes; META says {} and {}",
                snapshot.id, snapshot.chunks, snapshot.bytes
            )));
        }
        if load {
            snapshot_bytes = Some(bytes);
        }
    }
    let log = txn.open_table(LOG).map_err(|e| bad(&e))?;
    let mut records = Vec::new();
    let mut expected = snapshot.covers + 1;
    let mut records_after = 0u64;
    if load {
        for entry in log.range(expected..).map_err(|e| bad(&e))? {
            let (seq, record) = entry.map_err(|e| bad(&e))?;
            if seq.value() != expected {
                return Err(corrupt(format!(
                    "the command log skips from record {} to {}",
                    expected - 1,
                    seq.value()
                )));
            }
            records.push((expected, record.value().to_vec()));
            expected += 1;
        }
        records_after = records.len() as u64;
    } else {
        let first = log.range(expected..).map_err(|e| bad(&e))?.next();
        let last = log.last().map_err(|e| bad(&e))?;
        if let (Some(first), Some((last, _))) = (first, last) {
            let (first, _) = first.map_err(|e| bad(&e))?;
            let (first, last) = (first.value(), last.value());
            let count = log.range(first..=last).map_err(|e| bad(&e))?.count() as u64;
            if first != expected || count != last - first + 1 {
                return Err(corrupt(format!(
                    "the command log after record {} is not contiguous ({count} records from {first} to {last})",
                    expected - 1
                )));
            }
            records_after = count;
            expected = last + 1;
        }
    }
    // Records the snapshot covers may still be waiting to be deleted; the
    // next sequence number follows the last record either way.
    let last_any = log
        .last()
        .map_err(|e| bad(&e))?
        .map_or(0, |(seq, _)| seq.value());
    let next = expected.max(last_any + 1);
    Ok(Contents {
        format,
        seed,
        snapshot,
        snapshot_bytes,
        records,
        records_after,
        next,
    })
}

/// Runs redb's `open` (or `create`) of `dir`'s file. redb 2 asserts, rather
/// than returning an error, when the file is shorter than its header says (a
/// truncated copy): that panic is caught and becomes the error it should be.
pub(crate) fn guarded(
    dir: &Path,
    open: impl FnOnce() -> Result<Database, DatabaseError>,
) -> Result<Database, StoreError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(open)) {
        Ok(result) => result.map_err(|e| open_error(dir, e)),
        Err(_) => Err(StoreError::Corrupt {
            path: file_of(dir),
            problem: "the file is shorter than its header says (truncated)".into(),
        }),
    }
}

/// Opens the file of `dir` if it exists, without creating it.
pub(crate) fn open_existing(
    dir: &Path,
    builder: &mut redb::Builder,
) -> Result<Database, StoreError> {
    let path = file_of(dir);
    if !path.is_file() {
        return Err(StoreError::Missing { path });
    }
    guarded(dir, || builder.open(&path))
}
