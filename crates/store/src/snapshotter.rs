//! The snapshot thread: writes each snapshot to its own file while the log
//! writer goes on committing appends, makes it current only once the records
//! it covers are durable, and then deletes what it makes unnecessary (older
//! snapshots, segments whose records it all covers), so the data directory
//! follows the live state rather than the history.

use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};

use tokio::sync::oneshot;

use crate::layout::{
    LOG_DIR, SEGMENT_EXT, SNAPSHOT_DIR, SNAPSHOT_EXT, numbered, snapshot_path, sync_dir,
};
use crate::writer::Shared;
use crate::{SnapshotInfo, StoreError, snapshot_file};

pub(crate) struct SnapshotJob {
    pub(crate) covers: u64,
    pub(crate) bytes: Vec<u8>,
    pub(crate) done: oneshot::Sender<Result<SnapshotInfo, StoreError>>,
}

pub(crate) struct Snapshotter {
    pub(crate) dir: PathBuf,
    pub(crate) shared: Arc<Shared>,
    /// The current snapshot's `covers`.
    pub(crate) current: Option<u64>,
}

impl Snapshotter {
    /// Writes the jobs in the order they were asked for, until the log closes.
    pub(crate) fn run(mut self, jobs: mpsc::Receiver<SnapshotJob>) {
        for job in jobs {
            let result = self.write(job.covers, &job.bytes);
            let _ = job.done.send(result);
        }
    }

    fn write(&mut self, covers: u64, bytes: &[u8]) -> Result<SnapshotInfo, StoreError> {
        if let Some(current) = self.current
            && covers < current
        {
            return Err(StoreError::Snapshot(format!(
                "a snapshot covering record {covers} is older than the current one (record {current})"
            )));
        }
        let path = snapshot_path(&self.dir, covers);
        let tmp = snapshot_file::write_tmp(&path, covers, bytes)?;
        // A current snapshot must never stand for records a crash could
        // still take back.
        if let Err(failed) = self.shared.wait_durable(covers) {
            let _ = std::fs::remove_file(&tmp);
            return Err(StoreError::Storage(failed));
        }
        std::fs::rename(&tmp, &path).map_err(crate::layout::io_error(&path))?;
        sync_dir(&self.dir.join(SNAPSHOT_DIR))?;
        self.current = Some(covers);
        // What is left behind when this fails is deleted after the next
        // snapshot or at the next open; it is never read as state.
        let _ = remove_covered(&self.dir, covers);
        Ok(SnapshotInfo {
            covers,
            bytes: bytes.len() as u64,
        })
    }
}

/// Deletes the snapshots older than the one covering `covers` and the
/// segments whose records it all covers (each but the last segment ends where
/// the next begins; the last one is never deleted).
pub(crate) fn remove_covered(dir: &Path, covers: u64) -> Result<(), StoreError> {
    for (older, path) in numbered(&dir.join(SNAPSHOT_DIR), SNAPSHOT_EXT)? {
        if older < covers {
            std::fs::remove_file(&path).map_err(crate::layout::io_error(&path))?;
        }
    }
    let segments = numbered(&dir.join(LOG_DIR), SEGMENT_EXT)?;
    for pair in segments.windows(2) {
        if pair[1].0 - 1 <= covers {
            std::fs::remove_file(&pair[0].1).map_err(crate::layout::io_error(&pair[0].1))?;
        }
    }
    Ok(())
}
