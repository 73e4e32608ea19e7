//! Group commit: the state appenders share with the log writer thread, and the
//! thread itself.
//!
//! An append frames its record straight into the shared buffer under one lock
//! (which also numbers it) and gets an [`Append`] future. The writer swaps the
//! whole buffer out, writes it to the active segment with one `pwrite`,
//! `fdatasync`s and wakes exactly the waiters of that batch. While it is in
//! the write and the fsync, the lock is free and the next batch fills the
//! buffer, so the next commit is ready the moment this one ends, and many
//! concurrent requests share each fsync. Per record that is one short lock,
//! one copy into the buffer, and one wake-up; the buffers are reused.
//!
//! Segments are zero-filled ahead of time (`spare`), so a commit overwrites
//! blocks the file already has and `fdatasync` does not also have to log a
//! new file size.

use std::fs::File;
use std::os::unix::fs::FileExt as _;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use crate::StoreError;
use crate::layout::segment_path;
use crate::spare::Spares;

/// What appenders, the writer and the snapshot thread share.
#[derive(Debug)]
pub(crate) struct Shared {
    queue: Mutex<Queue>,
    /// Wakes the writer when records arrive or the log closes.
    work: Condvar,
    /// Wakes the snapshot thread when records become durable or the writer fails.
    synced: Condvar,
    /// The last record fsynced.
    durable: AtomicU64,
}

/// Guarded by [`Shared::queue`].
#[derive(Debug)]
pub(crate) struct Queue {
    /// The sequence number the next append gets.
    pub(crate) next: u64,
    /// Record bytes appended since the log was opened.
    pub(crate) bytes: u64,
    /// Framed records the writer has not taken yet.
    buf: Vec<u8>,
    /// Appends waiting for their record to be durable.
    waiters: Vec<(u64, Waker)>,
    /// Start a new segment before the next batch (a snapshot is coming, so
    /// the records before it end up in segments it lets us delete).
    pub(crate) roll: bool,
    closing: bool,
    /// Why the writer stopped; appends waiting then fail with it.
    failed: Option<String>,
    /// The snapshot thread waits on [`Shared::synced`].
    snapshot_waiting: bool,
}

impl Shared {
    /// `next`: the sequence number of the first record to append; everything
    /// before it is durable.
    pub(crate) fn new(next: u64) -> Self {
        Self {
            queue: Mutex::new(Queue {
                next,
                bytes: 0,
                buf: Vec::new(),
                waiters: Vec::new(),
                roll: false,
                closing: false,
                failed: None,
                snapshot_waiting: false,
            }),
            work: Condvar::new(),
            synced: Condvar::new(),
            durable: AtomicU64::new(next - 1),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Frames and numbers `record`; `None` when the log no longer takes records.
    pub(crate) fn push(&self, record: &[u8]) -> Option<u64> {
        let mut queue = self.lock();
        if queue.failed.is_some() || queue.closing {
            return None;
        }
        let seq = queue.next;
        queue.next += 1;
        queue.bytes += record.len() as u64;
        let was_empty = queue.buf.is_empty();
        crate::frame::encode(&mut queue.buf, seq, record);
        drop(queue);
        // Only an empty buffer can have the writer asleep on it.
        if was_empty {
            self.work.notify_one();
        }
        Some(seq)
    }

    /// Blocks until record `seq` is durable, or the writer has failed.
    pub(crate) fn wait_durable(&self, seq: u64) -> Result<(), String> {
        let mut queue = self.lock();
        loop {
            if self.durable.load(Ordering::Acquire) >= seq {
                queue.snapshot_waiting = false;
                return Ok(());
            }
            if let Some(failed) = &queue.failed {
                return Err(failed.clone());
            }
            queue.snapshot_waiting = true;
            queue = self.synced.wait(queue).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Lets the writer finish what is queued and stop.
    pub(crate) fn close(&self) {
        self.lock().closing = true;
        self.work.notify_one();
    }
}

/// Resolves with the record's sequence number once it is durable.
#[derive(Debug)]
pub struct Append {
    shared: Arc<Shared>,
    /// The record's number, or why it was not taken.
    seq: Result<u64, Option<StoreError>>,
}

impl Append {
    pub(crate) fn queued(shared: Arc<Shared>, seq: u64) -> Self {
        Self {
            shared,
            seq: Ok(seq),
        }
    }

    pub(crate) fn refused(shared: Arc<Shared>, err: StoreError) -> Self {
        Self {
            shared,
            seq: Err(Some(err)),
        }
    }
}

impl std::future::Future for Append {
    type Output = Result<u64, StoreError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let seq = match &mut this.seq {
            Ok(seq) => *seq,
            Err(err) => return Poll::Ready(Err(err.take().unwrap_or(StoreError::Closed))),
        };
        if this.shared.durable.load(Ordering::Acquire) >= seq {
            return Poll::Ready(Ok(seq));
        }
        let mut queue = this.shared.lock();
        // Again under the lock: the writer publishes `durable` before it
        // takes the lock to wake the batch, so a waiter added here is seen.
        if this.shared.durable.load(Ordering::Acquire) >= seq {
            return Poll::Ready(Ok(seq));
        }
        if let Some(failed) = &queue.failed {
            return Poll::Ready(Err(StoreError::Storage(failed.clone())));
        }
        queue.waiters.push((seq, cx.waker().clone()));
        Poll::Pending
    }
}

/// The log writer thread's state.
pub(crate) struct Writer {
    pub(crate) shared: Arc<Shared>,
    pub(crate) dir: PathBuf,
    pub(crate) spares: Arc<Spares>,
    pub(crate) segment_bytes: u64,
    /// The segment being appended to (its first record's number, its file),
    /// and where its next record goes.
    pub(crate) active_first: u64,
    pub(crate) active: File,
    pub(crate) offset: u64,
    /// The sequence number of the next record to write.
    pub(crate) next: u64,
}

impl Writer {
    /// Commits batches until the log is closed and everything queued is
    /// durable, or a write fails (then every waiting and later append fails).
    pub(crate) fn run(mut self) {
        let mut batch = Vec::new();
        let mut woken = Vec::new();
        loop {
            let (last, roll) = {
                let mut queue = self.shared.lock();
                while queue.buf.is_empty() && !queue.closing {
                    queue = self
                        .shared
                        .work
                        .wait(queue)
                        .unwrap_or_else(|p| p.into_inner());
                }
                if queue.buf.is_empty() {
                    return;
                }
                std::mem::swap(&mut queue.buf, &mut batch);
                (queue.next - 1, std::mem::take(&mut queue.roll))
            };
            let written = self.commit(&batch, roll);
            batch.clear();
            let mut queue = match written {
                Ok(()) => {
                    self.next = last + 1;
                    self.shared.durable.store(last, Ordering::Release);
                    let mut queue = self.shared.lock();
                    woken.extend(
                        queue
                            .waiters
                            .extract_if(.., |(seq, _)| *seq <= last)
                            .map(|(_, waker)| waker),
                    );
                    queue
                }
                Err(err) => {
                    let mut queue = self.shared.lock();
                    queue.failed = Some(err.to_string());
                    woken.extend(queue.waiters.drain(..).map(|(_, waker)| waker));
                    queue
                }
            };
            let stop = queue.failed.is_some();
            if std::mem::take(&mut queue.snapshot_waiting) || stop {
                self.shared.synced.notify_all();
            }
            drop(queue);
            for waker in woken.drain(..) {
                waker.wake();
            }
            if stop {
                return;
            }
        }
    }

    /// Writes one batch (records `self.next..`) and fsyncs it.
    fn commit(&mut self, batch: &[u8], roll: bool) -> Result<(), StoreError> {
        let len = batch.len() as u64;
        if self.offset > 0 && (roll || self.offset + len > self.segment_bytes) {
            self.roll()?;
        }
        let io = |e| StoreError::Io {
            path: segment_path(&self.dir, self.active_first),
            source: e,
        };
        self.active.write_all_at(batch, self.offset).map_err(io)?;
        self.active.sync_data().map_err(io)?;
        self.offset += len;
        Ok(())
    }

    /// Closes the active segment at its last record and starts the next one
    /// at record `self.next`.
    fn roll(&mut self) -> Result<(), StoreError> {
        // Cutting off the unused zeros need not be durable: zeros after the
        // last record read as the end either way.
        self.active
            .set_len(self.offset)
            .map_err(|e| StoreError::Io {
                path: segment_path(&self.dir, self.active_first),
                source: e,
            })?;
        self.active = self.spares.take(&segment_path(&self.dir, self.next))?;
        self.active_first = self.next;
        self.offset = 0;
        Ok(())
    }
}
