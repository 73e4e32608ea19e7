//! Group commit: the state appenders share with the log writer thread, and the
//! thread itself.
//!
//! An append frames its record straight into the shared buffer under one lock
//! (which also numbers it) and gets an [`Append`] future. The writer swaps the
//! whole buffer out, writes it durably to the active segment and wakes the
//! batch. While a batch is written and synced
//! the lock is free, so the next batch fills the buffer behind it and is ready
//! when the sync returns: many concurrent requests share each fsync. Per record
//! that is one short lock, one copy into the buffer, and one wake-up; the
//! buffers are reused.
//!
//! One thread both writes and syncs. A batch then costs two hand-offs between
//! threads (the wake of the writer when it sleeps, the wake of the batch), and
//! each hand-off is a system call and often a switch between cores; fsync
//! threads of their own, with two syncs in flight, added two more per batch
//! and made batches smaller, which cost more than the overlap of two syncs
//! saved.
//!
//! The writer wakes only one waiter of a batch (the leader); the leader, when
//! it runs, wakes the rest. A wake from a thread outside the server's runtime
//! costs a system call to rouse it, a wake from inside it is a queue push, so
//! this makes one expensive wake per batch instead of one per record. A
//! waiter that is dropped before it has run passes the wake on, so a cancelled
//! request cannot strand the rest of its batch.
//!
//! Segments are zero-filled ahead of time (`spare`), so a commit overwrites
//! blocks the file already has and making it durable does not also have to
//! log a new file size. How a commit is written and made durable (past the
//! page cache where the file system allows) is `segment_file`'s.

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use crate::StoreError;
use crate::layout::segment_path;
use crate::segment_file::SegmentFile;
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
    closing: bool,
    /// Why the writer stopped; appends waiting then fail with it.
    failed: Option<String>,
    /// The snapshot thread waits on [`Shared::synced`].
    snapshot_waiting: bool,
    /// The writer waits on [`Shared::work`] (appenders need not wake it otherwise).
    writer_idle: bool,
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
                closing: false,
                failed: None,
                snapshot_waiting: false,
                writer_idle: false,
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
        crate::frame::encode(&mut queue.buf, seq, record);
        let idle = std::mem::take(&mut queue.writer_idle);
        drop(queue);
        if idle {
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

    /// Wakes every waiter whose record is durable (and drops the entries of
    /// record `gone`, a waiter that will not run again).
    fn wake_durable(&self, gone: Option<u64>) {
        let durable = self.durable.load(Ordering::Acquire);
        let woken: Vec<Waker> = {
            let mut queue = self.lock();
            if queue.waiters.is_empty() {
                return;
            }
            queue
                .waiters
                .extract_if(.., |(seq, _)| *seq <= durable || Some(*seq) == gone)
                .filter(|(seq, _)| Some(*seq) != gone)
                .map(|(_, waker)| waker)
                .collect()
        };
        for waker in woken {
            waker.wake();
        }
    }

    /// Records up to `last` are durable: wakes one waiter among them (the
    /// leader wakes the rest when it runs) and the snapshot thread.
    fn publish(&self, last: u64) {
        if self.durable.fetch_max(last, Ordering::AcqRel) >= last {
            return;
        }
        let mut queue = self.lock();
        let leader = queue
            .waiters
            .iter()
            .position(|(seq, _)| *seq <= last)
            .map(|at| queue.waiters.swap_remove(at).1);
        if std::mem::take(&mut queue.snapshot_waiting) {
            self.synced.notify_all();
        }
        drop(queue);
        if let Some(leader) = leader {
            leader.wake();
        }
    }

    /// A write or an fsync failed: nothing after the durable records may be
    /// acknowledged, and the log takes no more records.
    fn fail(&self, err: &StoreError) {
        let mut queue = self.lock();
        queue.failed.get_or_insert_with(|| err.to_string());
        let woken: Vec<Waker> = queue.waiters.drain(..).map(|(_, waker)| waker).collect();
        self.synced.notify_all();
        drop(queue);
        for waker in woken {
            waker.wake();
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
    /// In [`Queue::waiters`] and not yet resolved.
    waiting: bool,
}

impl Append {
    pub(crate) fn queued(shared: Arc<Shared>, seq: u64) -> Self {
        Self {
            shared,
            seq: Ok(seq),
            waiting: false,
        }
    }

    pub(crate) fn refused(shared: Arc<Shared>, err: StoreError) -> Self {
        Self {
            shared,
            seq: Err(Some(err)),
            waiting: false,
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
            if std::mem::take(&mut this.waiting) {
                // Perhaps the batch's leader: wake the rest of it.
                this.shared.wake_durable(None);
            }
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
        this.waiting = true;
        Poll::Pending
    }
}

impl Drop for Append {
    fn drop(&mut self) {
        if self.waiting
            && let Ok(seq) = self.seq
        {
            // It may have been woken as a leader and will not run: pass it on.
            self.shared.wake_durable(Some(seq));
        }
    }
}

/// The log writer thread's state.
pub(crate) struct Writer {
    pub(crate) shared: Arc<Shared>,
    pub(crate) dir: PathBuf,
    pub(crate) spares: Arc<Spares>,
    pub(crate) segment_bytes: u64,
    /// Whether the first segment took direct writes; the later ones, in the
    /// same directory, are opened the same way (so a file system that refused
    /// them is not asked again at every segment).
    pub(crate) direct_io: bool,
    /// The segment being appended to (its first record's number, its file),
    /// and where its next record goes.
    pub(crate) active_first: u64,
    pub(crate) active: SegmentFile,
    pub(crate) offset: u64,
    /// The sequence number of the next record to write.
    pub(crate) next: u64,
}

impl Writer {
    /// Commits batches until the log is closed and everything queued is
    /// durable, or a write or fsync fails (then every waiting and later
    /// append fails).
    pub(crate) fn run(mut self) {
        let mut batch = Vec::new();
        loop {
            // On a machine with few cores the threads that append may be
            // waiting for this one's core: letting them run before the next
            // batch is taken makes batches larger and fsyncs fewer (and costs
            // a system call that returns at once when nobody waits).
            std::thread::yield_now();
            let last = {
                let mut queue = self.shared.lock();
                while queue.buf.is_empty() && !queue.closing && queue.failed.is_none() {
                    queue.writer_idle = true;
                    queue = self
                        .shared
                        .work
                        .wait(queue)
                        .unwrap_or_else(|p| p.into_inner());
                }
                if queue.failed.is_some() || queue.buf.is_empty() {
                    return;
                }
                queue.writer_idle = false;
                std::mem::swap(&mut queue.buf, &mut batch);
                queue.next - 1
            };
            let committed = self.commit(&batch);
            batch.clear();
            if let Err(err) = committed {
                self.shared.fail(&err);
                return;
            }
            self.next = last + 1;
            self.shared.publish(last);
        }
    }

    /// Writes one batch (records `self.next..`) and makes it durable.
    fn commit(&mut self, batch: &[u8]) -> Result<(), StoreError> {
        let len = batch.len() as u64;
        if self.offset > 0 && self.offset + len > self.segment_bytes {
            self.roll()?;
        }
        self.active
            .commit(batch, self.offset)
            .map_err(|e| self.io(e))?;
        self.offset += len;
        Ok(())
    }

    fn io(&self, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: segment_path(&self.dir, self.active_first),
            source,
        }
    }

    /// Closes the active segment at its last record and starts the next one
    /// at record `self.next`.
    fn roll(&mut self) -> Result<(), StoreError> {
        // Each commit is durable before the next is written, so a segment
        // that is not the last never ends in a torn record. Cutting off the
        // unused zeros need not be durable: zeros after the last record read
        // as the end either way.
        self.active.set_len(self.offset).map_err(|e| self.io(e))?;
        let path = segment_path(&self.dir, self.next);
        self.spares.take(&path)?;
        self.active = SegmentFile::open(&path, self.direct_io)?;
        self.active_first = self.next;
        self.offset = 0;
        Ok(())
    }
}
