//! `fifowin store check`'s half in the store: what a data directory holds
//! (format version, snapshot, records after it), read without changing it, or
//! the exact reason it cannot be used.
//!
//! redb 2 has no read-only open, so the check opens the file with repair
//! refused and reads it in read transactions only. A file left by a process
//! that did not close it (a crash, `kill -9`) needs redb's repair before it
//! can be read; the check then repairs and reads a copy in a temporary
//! directory, and the data directory stays as it was for the server to repair.

use std::path::{Path, PathBuf};

use redb::{Database, DatabaseError};

use crate::StoreError;
use crate::layout::{self, FILE_NAME, file_of};

/// What a data directory holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The database file.
    pub path: PathBuf,
    /// Its size on disk.
    pub file_bytes: u64,
    /// The store format version it was written in.
    pub format: u64,
    /// The current snapshot: (last record covered, size in bytes), if any.
    pub snapshot: Option<(u64, u64)>,
    /// Records after the snapshot (or in all, without one).
    pub records_after: u64,
    /// The sequence number the next record will get.
    pub next_record: u64,
    /// Whether the file was left open by a process that stopped without
    /// closing it (it was read from a repaired copy).
    pub needs_repair: bool,
}

/// Reads the data directory `dir` without writing to it.
pub fn check(dir: &Path) -> Result<Report, StoreError> {
    let path = file_of(dir);
    let file_bytes = std::fs::metadata(&path)
        .map_err(|_| StoreError::Missing { path: path.clone() })?
        .len();
    let mut refuse_repair = Database::builder();
    refuse_repair.set_repair_callback(|session| session.abort());
    let (db, needs_repair, copy) = match layout::open_existing(dir, &mut refuse_repair) {
        Ok(db) => (db, false, None),
        Err(StoreError::Open { .. }) if needs_repair(dir) => {
            let copy = repaired_copy(dir)?;
            (copy.1, true, Some(copy.0))
        }
        Err(other) => return Err(other),
    };
    let contents = {
        let txn = db.begin_read().map_err(|e| layout::damaged(&path)(&e))?;
        layout::read(&txn, &path, false)
    };
    drop(db);
    if let Some(copy) = copy {
        let _ = std::fs::remove_dir_all(copy);
    }
    let contents = contents?;
    Ok(Report {
        path,
        file_bytes,
        format: contents.format,
        snapshot: (contents.snapshot.id != 0)
            .then_some((contents.snapshot.covers, contents.snapshot.bytes)),
        records_after: contents.records_after,
        next_record: contents.next,
        needs_repair,
    })
}

/// Whether opening `dir`'s file fails only because it needs a repair.
fn needs_repair(dir: &Path) -> bool {
    let mut refuse = Database::builder();
    refuse.set_repair_callback(|session| session.abort());
    matches!(refuse.open(file_of(dir)), Err(DatabaseError::RepairAborted))
}

/// A copy of `dir`'s file in a new temporary directory, opened (and so repaired).
fn repaired_copy(dir: &Path) -> Result<(PathBuf, Database), StoreError> {
    let temp = std::env::temp_dir().join(format!(
        "fifowin-store-check-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    let copy_error = |e: std::io::Error| StoreError::Open {
        path: file_of(dir),
        problem: format!("cannot copy it to {} to repair: {e}", temp.display()),
    };
    std::fs::create_dir_all(&temp).map_err(copy_error)?;
    std::fs::copy(file_of(dir), temp.join(FILE_NAME)).map_err(copy_error)?;
    // Errors name the user's file, not the copy.
    match layout::guarded(dir, || Database::open(temp.join(FILE_NAME))) {
        Ok(db) => Ok((temp, db)),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&temp);
            Err(e)
        }
    }
}
