//! `fifowin store check`'s half in the store: what a data directory holds
//! (format version, snapshot, segments, records after the snapshot, a torn
//! tail), read without changing anything, or the exact reason the server
//! could not start from it.

use std::path::{Path, PathBuf};

use crate::StoreError;
use crate::layout::{LOCK_FILE, META_FILE, Meta, io_error, refuse_legacy};
use crate::scan::{Torn, scan};

/// What a data directory holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub dir: PathBuf,
    /// The store format version it was written in.
    pub format: u64,
    /// The current snapshot: its file, the last record it covers, its payload size.
    pub snapshot: Option<(PathBuf, u64, u64)>,
    /// Log segment files and their total size on disk.
    pub segments: u64,
    pub segment_bytes: u64,
    /// Records after the snapshot (or in all, without one).
    pub records_after: u64,
    /// The sequence number the next record will get.
    pub next_record: u64,
    /// Bytes after the last whole record of the last segment: a write a
    /// crash cut off before it was acknowledged; the server cuts them off
    /// when it starts.
    pub torn_tail: Option<Torn>,
}

/// Reads the data directory `dir` without writing to it.
pub fn check(dir: &Path) -> Result<Report, StoreError> {
    refuse_legacy(dir)?;
    let meta_path = dir.join(META_FILE);
    if !meta_path.is_file() {
        return Err(StoreError::Missing { path: meta_path });
    }
    // A shared lock for as long as the directory is read: refused while a
    // server holds it, and it writes nothing.
    let lock_path = dir.join(LOCK_FILE);
    let _lock = match std::fs::File::open(&lock_path) {
        Ok(file) => match file.try_lock_shared() {
            Ok(()) => Some(file),
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(StoreError::Locked {
                    dir: dir.to_path_buf(),
                    path: lock_path,
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io_error(&lock_path)(e)),
        },
        Err(_) => None,
    };
    let meta = Meta::read(&meta_path)?;
    let scan = scan(dir, false)?;
    let mut segment_bytes = 0;
    for segment in &scan.segments {
        segment_bytes += std::fs::metadata(&segment.path)
            .map_err(io_error(&segment.path))?
            .len();
    }
    Ok(Report {
        dir: dir.to_path_buf(),
        format: meta.format,
        snapshot: scan
            .snapshot
            .as_ref()
            .map(|s| (s.path.clone(), s.covers, s.len)),
        segments: scan.segments.len() as u64,
        segment_bytes,
        records_after: scan.records_after,
        next_record: scan.next,
        torn_tail: scan.torn,
    })
}
