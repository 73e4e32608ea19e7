//! The writer thread: the only code that writes the database once it is open.
//!
//! Appends come first. Each turn takes every append waiting (up to
//! [`MAX_BATCH`]) and commits them in one fsynced transaction (group commit),
//! then does one step of snapshot work, if any: one chunk of a snapshot per
//! transaction, without fsync, so an append never waits behind more than one
//! chunk's write, and a snapshot finishes under any load; then one fsynced transaction
//! switches META to the new snapshot and drops the old one's chunks; then the
//! records the snapshot covers are deleted a slice at a time. A crash before
//! the switch leaves the previous snapshot and the whole log; after it, the
//! new snapshot and the records it does not cover (covered ones still on disk
//! are skipped at open and deleted again).

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, TryRecvError};

use redb::{Database, Durability, ReadableTable};
use tokio::sync::oneshot;

use crate::SnapshotInfo;
use crate::layout::{
    KEY_SNAPSHOT_BYTES, KEY_SNAPSHOT_CHUNKS, KEY_SNAPSHOT_COVERS, KEY_SNAPSHOT_ID, LOG, META,
    SNAPSHOT, SnapshotMeta,
};

/// Most records written in one transaction (bounds the latency of a batch).
const MAX_BATCH: usize = 4096;

/// Snapshot bytes written per transaction: small enough that an append
/// arriving meanwhile waits a few milliseconds, large enough that a snapshot
/// of a million messages takes a few hundred transactions, not thousands.
pub(crate) const CHUNK_BYTES: usize = 1 << 20;

/// Covered records deleted per transaction.
const TRUNCATE_STEP: u64 = 16_384;

pub(crate) struct Pending {
    pub(crate) record: Vec<u8>,
    pub(crate) done: oneshot::Sender<Result<u64, String>>,
}

pub(crate) struct SnapshotJob {
    pub(crate) covers: u64,
    pub(crate) bytes: Vec<u8>,
    pub(crate) done: oneshot::Sender<Result<SnapshotInfo, String>>,
}

pub(crate) enum Command {
    Append(Pending),
    Snapshot(SnapshotJob),
}

/// A snapshot being written: chunks `0..written` of `id` are in the table.
struct Writing {
    job: SnapshotJob,
    id: u64,
    written: u64,
}

pub(crate) struct Writer {
    db: Database,
    /// The sequence number the next append gets.
    next: u64,
    snapshot: SnapshotMeta,
    /// The id the next snapshot gets (ids are never reused, so leftovers of a
    /// snapshot cut off by a failure cannot mix with a later one's chunks).
    next_id: u64,
    /// Covered records from here up to `snapshot.covers` may still be on disk.
    truncate_from: u64,
    writing: Option<Writing>,
    queued: VecDeque<SnapshotJob>,
}

fn text(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl Writer {
    pub(crate) fn new(
        db: Database,
        next: u64,
        snapshot: SnapshotMeta,
        next_id: u64,
        truncate_from: u64,
    ) -> Self {
        Self {
            db,
            next,
            snapshot,
            next_id,
            truncate_from,
            writing: None,
            queued: VecDeque::new(),
        }
    }

    fn truncation_pending(&self) -> bool {
        self.truncate_from <= self.snapshot.covers
    }

    fn snapshot_pending(&self) -> bool {
        self.writing.is_some() || !self.queued.is_empty()
    }

    /// Runs until the channel closes and no snapshot or covered record is left
    /// to write or delete.
    pub(crate) fn run(mut self, rx: Receiver<Command>) {
        let mut open = true;
        loop {
            let mut batch = Vec::new();
            let idle = !self.snapshot_pending() && !self.truncation_pending();
            if open && idle {
                match rx.recv() {
                    Ok(command) => self.take(command, &mut batch),
                    Err(_) => open = false,
                }
            }
            while open && batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(command) => self.take(command, &mut batch),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => open = false,
                }
            }
            if !batch.is_empty() {
                if let Err(message) = self.commit(&batch) {
                    // Nothing of this batch is on disk and later records must
                    // not follow it: fail it and stop (appends then fail Closed).
                    for p in batch {
                        let _ = p.done.send(Err(message.clone()));
                    }
                    self.fail_snapshots(&message);
                    return;
                }
                let first = self.next;
                self.next += batch.len() as u64;
                for (i, p) in batch.into_iter().enumerate() {
                    let _ = p.done.send(Ok(first + i as u64));
                }
            }
            // One step of background work per turn, after the appends: under a
            // steady stream of appends it still finishes, one short
            // transaction between two commits at a time.
            if self.snapshot_pending() {
                self.snapshot_step();
            } else if self.truncation_pending() {
                if self.truncate_step().is_err() {
                    // Covered records are skipped at open, so a failed delete
                    // loses nothing; the disk trouble behind it fails the next
                    // append, which is where the server learns of it.
                    self.truncate_from = self.snapshot.covers + 1;
                }
            } else if !open {
                return;
            }
        }
    }

    fn take(&mut self, command: Command, batch: &mut Vec<Pending>) {
        match command {
            Command::Append(p) => batch.push(p),
            Command::Snapshot(job) => self.queued.push_back(job),
        }
    }

    fn commit(&self, batch: &[Pending]) -> Result<(), String> {
        let mut txn = self.db.begin_write().map_err(text)?;
        // fsync before the commit returns: an answered request survives power loss.
        txn.set_durability(Durability::Immediate);
        {
            let mut table = txn.open_table(LOG).map_err(text)?;
            for (i, p) in batch.iter().enumerate() {
                table
                    .insert(self.next + i as u64, p.record.as_slice())
                    .map_err(text)?;
            }
        }
        txn.commit().map_err(text)
    }

    fn fail_snapshots(&mut self, message: &str) {
        let jobs = self.writing.take().map(|w| w.job).into_iter();
        for job in jobs.chain(self.queued.drain(..)) {
            let _ = job.done.send(Err(message.to_string()));
        }
    }

    /// One transaction of snapshot work: start the next job, write one chunk,
    /// or switch to the finished snapshot.
    fn snapshot_step(&mut self) {
        let Some(mut writing) = self.writing.take().or_else(|| self.start()) else {
            return;
        };
        let chunks = writing.job.bytes.len().div_ceil(CHUNK_BYTES) as u64;
        let step = if writing.written < chunks {
            self.write_chunk(&writing).map(|()| {
                writing.written += 1;
                None
            })
        } else {
            self.switch(&writing, chunks).map(Some)
        };
        match step {
            Ok(None) => self.writing = Some(writing),
            Ok(Some(info)) => {
                let _ = writing.job.done.send(Ok(info));
            }
            Err(message) => {
                let _ = writing.job.done.send(Err(message));
            }
        }
    }

    /// The next queued job that can be written, refusing the ones that cannot.
    fn start(&mut self) -> Option<Writing> {
        while let Some(job) = self.queued.pop_front() {
            let problem = if job.covers >= self.next {
                Some(format!(
                    "a snapshot cannot cover record {}: the log ends at record {}",
                    job.covers,
                    self.next - 1
                ))
            } else if job.covers < self.snapshot.covers {
                Some(format!(
                    "a snapshot covering record {} is older than the current one (record {})",
                    job.covers, self.snapshot.covers
                ))
            } else {
                None
            };
            match problem {
                Some(problem) => {
                    let _ = job.done.send(Err(problem));
                }
                None => {
                    let id = self.next_id;
                    self.next_id += 1;
                    return Some(Writing {
                        job,
                        id,
                        written: 0,
                    });
                }
            }
        }
        None
    }

    fn write_chunk(&self, writing: &Writing) -> Result<(), String> {
        let start = usize::try_from(writing.written).map_err(text)? * CHUNK_BYTES;
        let end = (start + CHUNK_BYTES).min(writing.job.bytes.len());
        let mut txn = self.db.begin_write().map_err(text)?;
        // Made durable by the switch (or any append) committed after it; lost
        // in a crash before that, when it is not part of any state yet.
        txn.set_durability(Durability::None);
        {
            let mut table = txn.open_table(SNAPSHOT).map_err(text)?;
            table
                .insert(
                    (writing.id, writing.written),
                    &writing.job.bytes[start..end],
                )
                .map_err(text)?;
        }
        txn.commit().map_err(text)
    }

    /// Names the new snapshot in META and drops the old one's chunks, in one
    /// fsynced transaction.
    fn switch(&mut self, writing: &Writing, chunks: u64) -> Result<SnapshotInfo, String> {
        let new = SnapshotMeta {
            id: writing.id,
            covers: writing.job.covers,
            chunks,
            bytes: writing.job.bytes.len() as u64,
        };
        let mut txn = self.db.begin_write().map_err(text)?;
        txn.set_durability(Durability::Immediate);
        {
            let mut meta = txn.open_table(META).map_err(text)?;
            meta.insert(KEY_SNAPSHOT_ID, new.id).map_err(text)?;
            meta.insert(KEY_SNAPSHOT_COVERS, new.covers).map_err(text)?;
            meta.insert(KEY_SNAPSHOT_CHUNKS, new.chunks).map_err(text)?;
            meta.insert(KEY_SNAPSHOT_BYTES, new.bytes).map_err(text)?;
            let mut table = txn.open_table(SNAPSHOT).map_err(text)?;
            for chunk in 0..self.snapshot.chunks {
                table.remove((self.snapshot.id, chunk)).map_err(text)?;
            }
        }
        txn.commit().map_err(text)?;
        if self.truncate_from > self.snapshot.covers {
            self.truncate_from = self.snapshot.covers + 1;
        }
        self.snapshot = new;
        Ok(SnapshotInfo {
            covers: new.covers,
            bytes: new.bytes,
            chunks: new.chunks,
        })
    }

    /// Deletes the next slice of the records the current snapshot covers.
    fn truncate_step(&mut self) -> Result<(), String> {
        let end = (self.truncate_from + TRUNCATE_STEP).min(self.snapshot.covers + 1);
        let mut txn = self.db.begin_write().map_err(text)?;
        // Deleting covered records again after a crash is harmless.
        txn.set_durability(Durability::None);
        {
            let mut table = txn.open_table(LOG).map_err(text)?;
            let first = table
                .first()
                .map_err(text)?
                .map_or(end, |(seq, _)| seq.value());
            for seq in first.max(self.truncate_from)..end {
                table.remove(seq).map_err(text)?;
            }
        }
        txn.commit().map_err(text)?;
        self.truncate_from = end;
        Ok(())
    }
}
