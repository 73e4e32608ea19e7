//! Queues by name. Each queue sits behind its own `std::sync::Mutex`, so operations
//! on different queues never contend, and has a `Notify` that wakes its long polls.

use std::sync::{Arc, Mutex, MutexGuard};

use dashmap::DashMap;
use dashmap::mapref::entry::Entry;
use fifowin_engine::{Queue, QueueKind};
use tokio::sync::Notify;

/// One queue and what the server keeps beside it.
#[derive(Debug)]
pub struct QueueHandle {
    /// Fixed at creation; kept outside the mutex so RedrivePolicy checks can read a
    /// queue's kind while another (or the same) queue is locked.
    pub kind: QueueKind,
    pub name: String,
    pub arn: String,
    /// The engine state. Never held across an `.await`: every engine call is short
    /// and synchronous, and long polls wait on `arrivals` with the lock released.
    queue: Mutex<Queue>,
    /// Woken whenever something may have become receivable.
    pub arrivals: Notify,
}

impl QueueHandle {
    /// Locks the engine state. A panic inside an engine call poisons the mutex;
    /// the state is still the last consistent one the engine wrote, so keep serving.
    pub fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// All queues of this server.
#[derive(Debug, Default)]
pub struct Registry {
    queues: DashMap<String, Arc<QueueHandle>>,
}

/// The outcome of [`Registry::insert`].
pub enum Inserted {
    /// The queue is new.
    Created(Arc<QueueHandle>),
    /// A queue of that name already existed; the new one was dropped.
    Existing(Arc<QueueHandle>),
}

impl Registry {
    /// The queue called `name`.
    pub fn get(&self, name: &str) -> Option<Arc<QueueHandle>> {
        self.queues.get(name).map(|q| Arc::clone(q.value()))
    }

    /// The queue whose ARN is `arn`.
    pub fn get_by_arn(&self, arn: &str) -> Option<Arc<QueueHandle>> {
        let name = arn.rsplit(':').next()?;
        self.get(name).filter(|q| q.arn == arn)
    }

    /// The kind of the queue named by `arn`, for RedrivePolicy validation.
    pub fn kind_of_arn(&self, arn: &str) -> Option<QueueKind> {
        self.get_by_arn(arn).map(|q| q.kind)
    }

    /// Adds `queue` unless its name is taken (then returns the existing queue).
    pub fn insert(&self, queue: Queue) -> Inserted {
        match self.queues.entry(queue.name().to_string()) {
            Entry::Occupied(existing) => Inserted::Existing(Arc::clone(existing.get())),
            Entry::Vacant(slot) => {
                let handle = Arc::new(QueueHandle {
                    kind: queue.kind(),
                    name: queue.name().to_string(),
                    arn: queue.arn().to_string(),
                    queue: Mutex::new(queue),
                    arrivals: Notify::new(),
                });
                slot.insert(Arc::clone(&handle));
                Inserted::Created(handle)
            }
        }
    }

    /// Removes the queue called `name`; wakes its long polls so they return.
    pub fn remove(&self, name: &str) -> Option<Arc<QueueHandle>> {
        let (_, handle) = self.queues.remove(name)?;
        handle.arrivals.notify_waiters();
        Some(handle)
    }

    /// How many queues exist.
    pub fn len(&self) -> usize {
        self.queues.len()
    }

    /// No queue exists.
    pub fn is_empty(&self) -> bool {
        self.queues.is_empty()
    }

    /// Removes every queue.
    pub fn clear(&self) {
        let names: Vec<String> = self.queues.iter().map(|q| q.key().clone()).collect();
        for name in names {
            self.remove(&name);
        }
    }

    /// Every queue, sorted by name.
    pub fn all(&self) -> Vec<Arc<QueueHandle>> {
        let mut all: Vec<_> = self.queues.iter().map(|q| Arc::clone(q.value())).collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    }

    /// Wakes every long poll (the clock moved).
    pub fn wake_all(&self) {
        for q in self.queues.iter() {
            q.arrivals.notify_waiters();
        }
    }
}
