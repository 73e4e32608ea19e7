//! Retry lags of one FIFO queue: for every send whose dedup key the queue had
//! seen (a duplicate suppressed inside the window, or an escape within the
//! escape horizon), how long after the key's first accepted send it came.
//!
//! Two records of the same observations, each for its reader:
//! - an HdrHistogram in nanoseconds (3 significant digits), which is what
//!   interval logs carry and what the analyzer reads;
//! - exact counts per Prometheus bucket, whose bounds are a fixed ladder plus
//!   the window and the last millisecond before it. Lags are whole
//!   milliseconds, so `le = window - 1 ms` counts exactly the suppressed
//!   duplicates and `le = window` adds only the sends at the window's very
//!   end, which escape (`t < first + window` is the duplicate rule).
//!
//! Nothing is allocated until the first lag is recorded: a queue whose keys
//! are all unique pays for none of this.

use hdrhistogram::Histogram;

mod snapshot;

pub(crate) use snapshot::LagsImage;

use crate::clock::Timestamp;

/// Bucket bounds every queue shares, ms: from sub-second SDK retries to the
/// hour-long redeliveries of async invokers.
const LADDER_MS: [u64; 14] = [
    10, 100, 1_000, 5_000, 10_000, 30_000, 60_000, 120_000, 240_000, 600_000, 900_000, 1_800_000,
    3_600_000, 7_200_000,
];

const NS_PER_MS: u64 = 1_000_000;

/// Retry lags since the queue was created or reset.
#[derive(Clone, Debug)]
pub struct RetryLags {
    window_ms: u64,
    /// The largest lag there can be: a key's tombstone is gone at
    /// `first + window + horizon`.
    max_lag_ms: u64,
    since: Timestamp,
    recorded: Option<Box<Recorded>>,
}

#[derive(Clone, Debug)]
struct Recorded {
    /// Lags in ns.
    histogram: Histogram<u64>,
    /// [`bounds_ms`] of the window, kept so a record does not allocate.
    bounds_ms: Vec<u64>,
    /// Non-cumulative counts per bound; the last slot is `+Inf`.
    counts: Vec<u64>,
    sum_ms: u64,
}

/// The Prometheus bucket bounds of a queue with this window, ascending, ms.
pub fn bounds_ms(window_ms: u64) -> Vec<u64> {
    let mut bounds: Vec<u64> = LADDER_MS.to_vec();
    bounds.push(window_ms);
    if window_ms > 0 {
        bounds.push(window_ms - 1);
    }
    bounds.sort_unstable();
    bounds.dedup();
    bounds
}

impl RetryLags {
    /// An empty record for a queue with this window and escape horizon, starting at `since`.
    pub fn new(window_ms: u64, horizon_ms: u64, since: Timestamp) -> Self {
        Self {
            window_ms,
            max_lag_ms: window_ms.saturating_add(horizon_ms),
            since,
            recorded: None,
        }
    }

    /// Records one resend `lag_ms` after its key's first accepted send.
    pub(crate) fn record(&mut self, lag_ms: u64) {
        let window_ms = self.window_ms;
        let max_ns = self.max_lag_ms.saturating_mul(NS_PER_MS).max(2 * NS_PER_MS);
        let recorded = self.recorded.get_or_insert_with(|| {
            // Lags are whole ms, so nothing finer than 1 ms needs telling apart.
            let histogram = Histogram::new_with_bounds(NS_PER_MS, max_ns, 3)
                .expect("low >= 1, high >= 2 * low and 3 digits is a valid range");
            let bounds_ms = bounds_ms(window_ms);
            Box::new(Recorded {
                histogram,
                counts: vec![0; bounds_ms.len() + 1],
                bounds_ms,
                sum_ms: 0,
            })
        });
        recorded
            .histogram
            .saturating_record(lag_ms.saturating_mul(NS_PER_MS));
        let slot = recorded.bounds_ms.partition_point(|&bound| bound < lag_ms);
        recorded.counts[slot] += 1;
        recorded.sum_ms = recorded.sum_ms.saturating_add(lag_ms);
    }

    /// The queue's dedup window, ms.
    pub fn window_ms(&self) -> u64 {
        self.window_ms
    }

    /// When recording began: the queue's creation or its last reset.
    pub fn since(&self) -> Timestamp {
        self.since
    }

    /// How many lags were recorded.
    pub fn count(&self) -> u64 {
        self.recorded.as_ref().map_or(0, |r| r.counts.iter().sum())
    }

    /// The sum of every recorded lag, ms.
    pub fn sum_ms(&self) -> u64 {
        self.recorded.as_ref().map_or(0, |r| r.sum_ms)
    }

    /// `(bound ms, lags <= bound)` for every bound of [`bounds_ms`], ascending;
    /// the `+Inf` bucket is [`Self::count`].
    pub fn cumulative_buckets(&self) -> Vec<(u64, u64)> {
        let bounds = bounds_ms(self.window_ms);
        let mut total = 0;
        bounds
            .iter()
            .enumerate()
            .map(|(i, &bound)| {
                total += self.recorded.as_ref().map_or(0, |r| r.counts[i]);
                (bound, total)
            })
            .collect()
    }

    /// The lags in ns, or `None` when none was recorded.
    pub fn histogram(&self) -> Option<&Histogram<u64>> {
        self.recorded.as_ref().map(|r| &r.histogram)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: u64 = 300_000;

    #[test]
    fn window_and_its_last_millisecond_are_bounds() {
        let bounds = bounds_ms(W);
        assert!(bounds.contains(&W) && bounds.contains(&(W - 1)));
        assert!(bounds.windows(2).all(|w| w[0] < w[1]));
        // A window equal to a ladder value is not listed twice.
        assert_eq!(
            bounds_ms(60_000).iter().filter(|&&b| b == 60_000).count(),
            1
        );
    }

    #[test]
    fn buckets_split_duplicates_from_escapes_exactly() {
        let mut lags = RetryLags::new(W, 3_600_000, Timestamp(7));
        assert_eq!(lags.count(), 0);
        assert!(lags.histogram().is_none());
        for lag in [0, 1, W - 1, W, W + 1, 10 * W] {
            lags.record(lag);
        }
        let at = |bound: u64| -> u64 {
            lags.cumulative_buckets()
                .into_iter()
                .find(|&(b, _)| b == bound)
                .map(|(_, n)| n)
                .unwrap()
        };
        assert_eq!(at(10), 2);
        assert_eq!(at(W - 1), 3);
        assert_eq!(at(W), 4);
        assert_eq!(at(7_200_000), 6);
        assert_eq!(lags.count(), 6);
        assert_eq!(lags.sum_ms(), 1 + (W - 1) + W + (W + 1) + 10 * W);
        let h = lags.histogram().unwrap();
        assert_eq!(h.len(), 6);
        assert!(h.equivalent(h.max(), 10 * W * NS_PER_MS));
        assert_eq!(lags.since(), Timestamp(7));
    }

    #[test]
    fn lags_past_the_horizon_saturate_instead_of_failing() {
        let mut lags = RetryLags::new(1, 0, Timestamp(0));
        lags.record(u64::MAX / 2);
        assert_eq!(lags.count(), 1);
        assert_eq!(lags.histogram().unwrap().len(), 1);
    }
}
