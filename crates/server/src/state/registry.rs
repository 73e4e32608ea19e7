//! Queues by region and name. Each queue sits behind its own `std::sync::Mutex`, so
//! operations on different queues never contend, and has a `Notify` that wakes its
//! long polls. As on AWS, a name is unique within a region: the same name in two
//! regions is two queues.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use dashmap::DashMap;
use fifowin_engine::{Queue, QueueKind};
use tokio::sync::Notify;

/// One queue and what the server keeps beside it.
#[derive(Debug)]
pub struct QueueHandle {
    /// Fixed at creation; kept outside the mutex so RedrivePolicy checks can read a
    /// queue's kind while another (or the same) queue is locked.
    pub kind: QueueKind,
    pub name: String,
    /// The region the queue lives in (its ARN's).
    pub region: String,
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

/// All queues of this server. Keyed by name, then region: a lookup by a borrowed
/// name allocates nothing, and a name almost always lives in one region only.
#[derive(Debug, Default)]
pub struct Registry {
    queues: DashMap<String, Vec<Arc<QueueHandle>>>,
    /// Queues in all regions (the queue-count limit reads it on every creation).
    count: AtomicUsize,
}

/// The outcome of [`Registry::insert`].
pub enum Inserted {
    /// The queue is new.
    Created(Arc<QueueHandle>),
    /// A queue of that name already existed in that region; the new one was dropped.
    Existing(Arc<QueueHandle>),
}

/// The region in a queue ARN (`arn:aws:sqs:<region>:<account>:<name>`).
fn arn_region(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
}

impl Registry {
    /// The queue called `name` in `region`.
    pub fn get(&self, region: &str, name: &str) -> Option<Arc<QueueHandle>> {
        let slot = self.queues.get(name)?;
        slot.iter().find(|q| q.region == region).map(Arc::clone)
    }

    /// The queue whose ARN is `arn`, looked up in the ARN's region.
    pub fn get_by_arn(&self, arn: &str) -> Option<Arc<QueueHandle>> {
        let name = arn.rsplit(':').next()?;
        self.get(arn_region(arn)?, name).filter(|q| q.arn == arn)
    }

    /// The kind of the queue named by `arn` when it lives in `region`, for
    /// RedrivePolicy validation: a dead-letter queue must be in its source's
    /// region, so an ARN of another region names no queue here.
    pub fn kind_of_arn(&self, region: &str, arn: &str) -> Option<QueueKind> {
        self.get_by_arn(arn)
            .filter(|q| q.region == region)
            .map(|q| q.kind)
    }

    /// Adds `queue` to `region` unless its name is taken there (then returns the
    /// existing queue).
    pub fn insert(&self, region: &str, queue: Queue) -> Inserted {
        let mut slot = self.queues.entry(queue.name().to_string()).or_default();
        if let Some(existing) = slot.iter().find(|q| q.region == region) {
            return Inserted::Existing(Arc::clone(existing));
        }
        let handle = Arc::new(QueueHandle {
            kind: queue.kind(),
            name: queue.name().to_string(),
            region: region.to_string(),
            arn: queue.arn().to_string(),
            queue: Mutex::new(queue),
            arrivals: Notify::new(),
        });
        slot.push(Arc::clone(&handle));
        self.count.fetch_add(1, Ordering::Relaxed);
        Inserted::Created(handle)
    }

    /// Removes the queue called `name` in `region`; wakes its long polls so they return.
    pub fn remove(&self, region: &str, name: &str) -> Option<Arc<QueueHandle>> {
        let handle = {
            let mut slot = self.queues.get_mut(name)?;
            let at = slot.iter().position(|q| q.region == region)?;
            slot.swap_remove(at)
        };
        self.queues.remove_if(name, |_, slot| slot.is_empty());
        self.count.fetch_sub(1, Ordering::Relaxed);
        handle.arrivals.notify_waiters();
        Some(handle)
    }

    /// How many queues exist, in all regions.
    pub fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    /// No queue exists.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes every queue.
    pub fn clear(&self) {
        for q in self.all() {
            self.remove(&q.region, &q.name);
        }
    }

    /// Every queue, sorted by name, then region.
    pub fn all(&self) -> Vec<Arc<QueueHandle>> {
        let mut all: Vec<_> = self
            .queues
            .iter()
            .flat_map(|slot| slot.value().iter().map(Arc::clone).collect::<Vec<_>>())
            .collect();
        all.sort_by(|a, b| (&a.name, &a.region).cmp(&(&b.name, &b.region)));
        all
    }

    /// The queues of `region`, sorted by name.
    pub fn in_region(&self, region: &str) -> Vec<Arc<QueueHandle>> {
        let mut queues: Vec<_> = self
            .queues
            .iter()
            .filter_map(|slot| slot.value().iter().find(|q| q.region == region).cloned())
            .collect();
        queues.sort_by(|a, b| a.name.cmp(&b.name));
        queues
    }

    /// Wakes every long poll (the clock moved).
    pub fn wake_all(&self) {
        for slot in self.queues.iter() {
            for q in slot.value() {
                q.arrivals.notify_waiters();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fifowin_engine::Timestamp;

    use crate::config::ServerConfig;
    use crate::sqs::ids::MessageIds;

    fn queue(region: &str, name: &str) -> Queue {
        let settings = ServerConfig::default().queue_settings(region, name);
        let none = Default::default();
        let ids = MessageIds::Random.for_queue(name, None, Timestamp(0));
        Queue::create(settings, &none, &none, &|_| None, ids, Timestamp(0)).unwrap()
    }

    #[test]
    fn one_name_in_two_regions_is_two_queues() {
        let registry = Registry::default();
        assert!(matches!(
            registry.insert("us-west-1", queue("us-west-1", "q")),
            Inserted::Created(_)
        ));
        assert!(matches!(
            registry.insert("eu-north-1", queue("eu-north-1", "q")),
            Inserted::Created(_)
        ));
        assert!(matches!(
            registry.insert("us-west-1", queue("us-west-1", "q")),
            Inserted::Existing(_)
        ));
        assert_eq!(registry.len(), 2);
        let west = registry.get("us-west-1", "q").unwrap();
        assert_eq!(west.arn, "arn:aws:sqs:us-west-1:000000000000:q");
        let north = registry
            .get_by_arn("arn:aws:sqs:eu-north-1:000000000000:q")
            .unwrap();
        assert_eq!(north.region, "eu-north-1");
        assert!(registry.get("us-east-1", "q").is_none());
        assert_eq!(
            registry.kind_of_arn("us-west-1", "arn:aws:sqs:eu-north-1:000000000000:q"),
            None
        );
        assert!(
            registry
                .kind_of_arn("eu-north-1", "arn:aws:sqs:eu-north-1:000000000000:q")
                .is_some()
        );
        assert_eq!(registry.in_region("eu-north-1").len(), 1);
        registry.remove("us-west-1", "q").unwrap();
        assert!(registry.get("us-west-1", "q").is_none());
        assert!(registry.get("eu-north-1", "q").is_some());
        assert_eq!(registry.len(), 1);
        registry.clear();
        assert!(registry.is_empty());
    }
}
