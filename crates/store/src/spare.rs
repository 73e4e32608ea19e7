//! The next log segment, made ahead of time by its own thread: `log/spare`,
//! zero-filled to the segment size and fsynced, so that starting a segment on
//! the request path is a rename, and the commits into it overwrite blocks the
//! file already has (making them durable then writes data only, no new size
//! or extents). Written as `spare.tmp` and renamed when whole.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};

use crate::StoreError;
use crate::layout::{SPARE, io_error, sync_dir, write_tmp};

/// Zeros written per call while filling a spare.
const FILL_CHUNK: usize = 1 << 20;

#[derive(Debug)]
pub(crate) struct Spares {
    log_dir: PathBuf,
    segment_bytes: u64,
    /// (a spare is wanted, the thread should stop)
    wanted: Mutex<(bool, bool)>,
    wake: Condvar,
}

impl Spares {
    pub(crate) fn new(log_dir: PathBuf, segment_bytes: u64) -> Self {
        Self {
            log_dir,
            segment_bytes,
            wanted: Mutex::new((true, false)),
            wake: Condvar::new(),
        }
    }

    fn spare(&self) -> PathBuf {
        self.log_dir.join(SPARE)
    }

    /// Makes the spare unless there is one.
    pub(crate) fn make(&self) -> Result<(), StoreError> {
        let spare = self.spare();
        if spare.exists() {
            return Ok(());
        }
        let zeros = vec![0u8; FILL_CHUNK];
        let size = usize::try_from(self.segment_bytes).unwrap_or(usize::MAX);
        let parts: Vec<&[u8]> = (0..size)
            .step_by(FILL_CHUNK)
            .map(|at| &zeros[..(size - at).min(FILL_CHUNK)])
            .collect();
        let tmp = write_tmp(&spare, &parts)?;
        std::fs::rename(&tmp, &spare).map_err(io_error(&spare))
    }

    /// Turns the spare (or, when none is ready, a new empty file) into the
    /// segment `path`, durably, and asks the thread for the next spare.
    pub(crate) fn take(&self, path: &Path) -> Result<(), StoreError> {
        match std::fs::rename(self.spare(), path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                File::create_new(path).map_err(io_error(path))?;
            }
            Err(e) => return Err(io_error(path)(e)),
        }
        // The segment's name must be durable before a record in it is acknowledged.
        sync_dir(&self.log_dir)?;
        self.lock().0 = true;
        self.wake.notify_one();
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (bool, bool)> {
        self.wanted.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The thread: makes a spare whenever one was taken, until [`Spares::stop`].
    pub(crate) fn run(&self) {
        loop {
            {
                let mut wanted = self.lock();
                while !wanted.0 && !wanted.1 {
                    wanted = self.wake.wait(wanted).unwrap_or_else(|p| p.into_inner());
                }
                if wanted.1 {
                    return;
                }
                wanted.0 = false;
            }
            // A spare that could not be made is no loss: the writer then
            // starts its next segment as an empty file, and commits into it
            // also grow it.
            let _ = self.make();
        }
    }

    pub(crate) fn stop(&self) {
        self.lock().1 = true;
        self.wake.notify_one();
    }
}
