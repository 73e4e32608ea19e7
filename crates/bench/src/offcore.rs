//! How long the generator's own threads sat runnable but off a core (Linux
//! schedstat), so a run's latencies can be read against the machine's stalls.
//!
//! Why: on a small VM a kernel thread can hold a core for milliseconds (on the
//! benchmark host, DAMON's `kdamond`: BENCHMARKS.md). Requests that fall due while the generator waits for its core count
//! as late (coordinated omission is not hidden), so such a wait shows up in the
//! server's tail; this figure says how much of it there was. It also holds the
//! time each wake-up takes to reach a core, so a generator that sleeps often (the
//! long-poll producers, paced on the runtime's timer) shows more of it than one
//! that spins (the send scenarios' open loop). A virtual CPU that the hypervisor
//! takes away is not seen here: to the guest that is running time.

use std::collections::HashMap;
use std::time::Duration;

/// Run-queue wait so far of each of this process's threads, by thread id.
#[derive(Debug, Default)]
pub(crate) struct Snapshot(HashMap<u32, u64>);

impl Snapshot {
    /// `None` where `/proc/self/task/*/schedstat` cannot be read (not Linux).
    pub(crate) fn take() -> Option<Snapshot> {
        let mut waits = HashMap::new();
        for task in std::fs::read_dir("/proc/self/task").ok()? {
            let task = task.ok()?;
            let Some(tid) = task.file_name().to_str().and_then(|s| s.parse().ok()) else {
                continue;
            };
            // A thread that ended since the listing has no file left.
            let Ok(text) = std::fs::read_to_string(task.path().join("schedstat")) else {
                continue;
            };
            waits.insert(tid, runqueue_nanos(&text)?);
        }
        Some(Snapshot(waits))
    }

    /// What the threads present in both snapshots waited between them (a thread
    /// that ended took its figure with it; one that started later is left out).
    pub(crate) fn waited_until(&self, later: &Snapshot) -> Duration {
        let nanos = later
            .0
            .iter()
            .filter_map(|(tid, after)| Some(after.saturating_sub(*self.0.get(tid)?)))
            .fold(0u64, u64::saturating_add);
        Duration::from_nanos(nanos)
    }
}

/// The second field of a schedstat line: `<on-cpu ns> <run-queue wait ns> <slices>`.
fn runqueue_nanos(schedstat: &str) -> Option<u64> {
    schedstat.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_the_second_field() {
        assert_eq!(
            runqueue_nanos("9465290123 16012345 1489\n"),
            Some(16_012_345)
        );
        assert_eq!(runqueue_nanos("9465290123\n"), None);
        assert_eq!(runqueue_nanos("a b c"), None);
    }

    #[test]
    fn only_threads_seen_at_both_ends_count() {
        let before = Snapshot(HashMap::from([(1, 1_000), (2, 5_000), (3, 7_000)]));
        // Thread 2 ended, thread 4 started.
        let after = Snapshot(HashMap::from([(1, 4_000), (3, 7_500), (4, 9_000_000)]));
        assert_eq!(before.waited_until(&after), Duration::from_nanos(3_500));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_calling_thread_is_in_a_snapshot() {
        let tid = std::fs::read_link("/proc/thread-self")
            .expect("/proc/thread-self")
            .file_name()
            .and_then(|n| n.to_str()?.parse::<u32>().ok())
            .expect("a thread id");
        let snapshot = Snapshot::take().expect("schedstat on Linux");
        assert!(snapshot.0.contains_key(&tid), "{tid} not in {snapshot:?}");
    }
}
