//! Reading a data directory back: the current snapshot, then every segment in
//! order, checking that the records are whole and numbered without a gap.
//! Shared by `Log::open` (which loads the records) and `check` (which only
//! counts them); neither writes anything here.
//!
//! A record that is not whole at the end of the **last** segment is a write
//! that was cut off by a crash before its fsync, so never acknowledged: it
//! ends the log ([`Torn`]). The same anywhere else, or a sequence number out
//! of place, is damage: an error naming the file and the byte offset.

use std::path::{Path, PathBuf};

use crate::StoreError;
use crate::frame::{self, Frame};
use crate::layout::{LOG_DIR, SEGMENT_EXT, SNAPSHOT_DIR, SNAPSHOT_EXT, io_error, numbered};
use crate::snapshot_file;

/// One segment file as read.
#[derive(Clone, Debug)]
pub(crate) struct Segment {
    /// The sequence number of its first record (its name).
    pub(crate) first: u64,
    pub(crate) path: PathBuf,
    /// Whole records in it.
    pub(crate) records: u64,
    /// Where its last whole record ends.
    pub(crate) end: u64,
}

/// Bytes at the end of the last segment that are not a whole record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Torn {
    pub path: PathBuf,
    /// Where the first of them starts (the end of the last whole record).
    pub offset: u64,
    pub problem: String,
}

/// The current snapshot as read.
#[derive(Clone, Debug)]
pub(crate) struct SnapshotRead {
    pub(crate) covers: u64,
    pub(crate) path: PathBuf,
    /// Its payload (only when loading; else empty).
    pub(crate) bytes: Vec<u8>,
    pub(crate) len: u64,
}

#[derive(Debug)]
pub(crate) struct Scan {
    pub(crate) snapshot: Option<SnapshotRead>,
    pub(crate) segments: Vec<Segment>,
    /// The records after the snapshot, oldest first (only when loading).
    pub(crate) records: Vec<Vec<u8>>,
    pub(crate) records_after: u64,
    /// The sequence number the next record gets.
    pub(crate) next: u64,
    pub(crate) torn: Option<Torn>,
}

impl Scan {
    /// The last record the snapshot covers (0 without one).
    pub(crate) fn covers(&self) -> u64 {
        self.snapshot.as_ref().map_or(0, |s| s.covers)
    }
}

/// Reads `dir`'s snapshot and segments; with `load`, keeps the snapshot's
/// bytes and the records after it.
pub(crate) fn scan(dir: &Path, load: bool) -> Result<Scan, StoreError> {
    let mut snapshots = numbered(&dir.join(SNAPSHOT_DIR), SNAPSHOT_EXT)?;
    let snapshot = match snapshots.pop() {
        None => None,
        Some((covers, path)) => {
            let bytes = snapshot_file::read(&path, covers)?;
            let len = bytes.len() as u64;
            Some(SnapshotRead {
                covers,
                path,
                bytes: if load { bytes } else { Vec::new() },
                len,
            })
        }
    };
    let covers = snapshot.as_ref().map_or(0, |s| s.covers);
    let files = numbered(&dir.join(LOG_DIR), SEGMENT_EXT)?;
    let count = files.len();
    let mut segments = Vec::with_capacity(count);
    let mut records = Vec::new();
    let mut torn = None;
    let mut expected: Option<u64> = None;
    for (index, (first, path)) in files.into_iter().enumerate() {
        let corrupt = |problem: String| StoreError::Corrupt {
            path: path.clone(),
            problem,
        };
        match expected {
            None if first > covers + 1 => {
                return Err(corrupt(format!(
                    "the log starts at record {first}, but no snapshot covers records {} to {}",
                    covers + 1,
                    first - 1
                )));
            }
            Some(e) if first < e => {
                return Err(corrupt(format!(
                    "it starts at record {first}, but the segment before it ends at record {}",
                    e - 1
                )));
            }
            Some(e) if first > e && first > covers + 1 => {
                return Err(corrupt(format!(
                    "it starts at record {first}, but the segment before it ends at record {}: records {e} to {} are missing",
                    e - 1,
                    first - 1
                )));
            }
            _ => {}
        }
        let bytes = std::fs::read(&path).map_err(io_error(&path))?;
        let last_segment = index + 1 == count;
        let (mut at, mut seq) = (0usize, first);
        loop {
            match frame::read(&bytes, at) {
                Frame::Record {
                    seq: s,
                    payload,
                    next,
                } => {
                    if s != seq {
                        return Err(corrupt(format!(
                            "at byte {at}: record {s} where record {seq} belongs"
                        )));
                    }
                    if load && s > covers {
                        records.push(payload.to_vec());
                    }
                    seq += 1;
                    at = next;
                }
                Frame::End => break,
                Frame::Bad(problem) if last_segment => {
                    torn = Some(Torn {
                        path: path.clone(),
                        offset: at as u64,
                        problem,
                    });
                    break;
                }
                Frame::Bad(problem) => return Err(corrupt(format!("at byte {at}: {problem}"))),
            }
        }
        expected = Some(seq);
        segments.push(Segment {
            first,
            path,
            records: seq - first,
            end: at as u64,
        });
    }
    let next = expected.unwrap_or(1).max(covers + 1);
    Ok(Scan {
        snapshot,
        segments,
        records,
        records_after: next - covers - 1,
        next,
        torn,
    })
}
