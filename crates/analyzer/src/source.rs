//! The loaded inputs: per source (hlog tag, attempt-log source), the merged
//! lags, bucket-aware escape counts, per-interval summaries, and the exact
//! per-message timelines of attempt logs.

use crate::boundary::Boundary;
use hdrhistogram::Histogram;
use serde::Serialize;
use std::collections::BTreeMap;

/// The source name of untagged hlog lines and attempt rows without a source.
pub const DEFAULT_TAG: &str = "default";
/// The pseudo-source that merges all sources.
pub const OVERALL_TAG: &str = "all";

/// One hlog interval, reduced to what the statistics need.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntervalSummary {
    /// Absolute start, seconds since the epoch when the log says so (§1.1 rules).
    pub start_s: f64,
    pub length_s: f64,
    pub n: u64,
    /// The interval's largest lag (top of its bucket), and the max column as
    /// the log wrote it (usually ms: the writer's value / 1e6).
    pub max_ns: u64,
    pub logged_max: f64,
    pub escapes_lo: u64,
    pub escapes_hi: u64,
}

/// Everything known about one duplicate source.
#[derive(Debug, Clone)]
pub struct SourceData {
    pub tag: String,
    /// Every lag, in ns: for percentiles and the tail fit. Filled from the
    /// two below when loading finishes, so each interval is merged only once.
    pub hist: Histogram<u64>,
    /// Only lags that came from histograms (hlog, hgrm), whose exact values
    /// are unknown within a bucket: the replay plan samples from these.
    pub bucketed: Histogram<u64>,
    /// Only lags with exact values (attempt logs).
    pub exact: Histogram<u64>,
    /// Lags that certainly escape: bucketed samples whose whole bucket escapes, plus exact ones.
    pub escapes_lo: u64,
    /// Lags that may escape: adds bucketed samples whose bucket straddles the window.
    pub escapes_hi: u64,
    /// How many lags came with exact values (attempt logs).
    pub exact_n: u64,
    /// The largest lag: its bucket's lowest and highest value (equal when exact).
    pub max_lo_ns: u64,
    pub max_ns: u64,
    pub intervals: Vec<IntervalSummary>,
}

impl SourceData {
    pub fn new(tag: &str) -> SourceData {
        SourceData {
            tag: tag.to_string(),
            hist: new_hist(),
            bucketed: new_hist(),
            exact: new_hist(),
            escapes_lo: 0,
            escapes_hi: 0,
            exact_n: 0,
            max_lo_ns: 0,
            max_ns: 0,
            intervals: Vec::new(),
        }
    }

    /// The number of lags.
    pub fn n(&self) -> u64 {
        self.hist.len()
    }

    /// Rebuilds `hist` from `bucketed` and `exact`.
    pub fn finish(&mut self) {
        self.hist = self.bucketed.clone();
        // The accumulators auto-resize, so adding never fails.
        let _ = self.hist.add(&self.exact);
    }

    /// Adds a histogram of lags, counting escapes against its own buckets
    /// (before merging can coarsen them).
    pub(crate) fn add_histogram(
        &mut self,
        h: &Histogram<u64>,
        window_ns: u64,
        boundary: Boundary,
    ) -> (u64, u64) {
        if h.is_empty() {
            return (0, 0);
        }
        let (lo, hi) = bucket_escapes(h, window_ns, boundary);
        self.escapes_lo += lo;
        self.escapes_hi += hi;
        if h.max() > self.max_ns {
            self.max_ns = h.max();
            self.max_lo_ns = h.lowest_equivalent(h.max());
        }
        let _ = self.bucketed.add(h);
        (lo, hi)
    }

    /// Adds `count` lags known only to lie in `(lo_ns, hi_ns]` (`hi_ns` `None`:
    /// above `lo_ns`, value unknown), as a Prometheus `le` bucket holds them.
    /// They are recorded at the bucket's top, or at `lo_ns` when it has none.
    /// Returns the escapes `(certain, possible)`: certain when every value
    /// in the bucket escapes, possible when some may. Lags are whole ns, so
    /// the smallest a bucket can hold is `lo_ns + 1`: a bound 1 ns below the
    /// window separates the lags that escape under `ge` from those that do not.
    pub(crate) fn add_range(
        &mut self,
        lo_ns: u64,
        hi_ns: Option<u64>,
        count: u64,
        window_ns: u64,
        boundary: Boundary,
    ) -> (u64, u64) {
        if count == 0 {
            return (0, 0);
        }
        let at = hi_ns.unwrap_or(lo_ns);
        // The accumulators auto-resize, so recording never fails.
        let _ = self.bucketed.record_n(at, count);
        let certain = if boundary.escapes(lo_ns.saturating_add(1), window_ns) {
            count
        } else {
            0
        };
        let possible = match hi_ns {
            Some(hi) if !boundary.escapes(hi, window_ns) => 0,
            _ => count,
        };
        self.escapes_lo += certain;
        self.escapes_hi += possible;
        // Of buckets with one top, the highest bottom bounds the largest lag best.
        if at > self.max_ns || (at == self.max_ns && lo_ns > self.max_lo_ns) {
            self.max_ns = at;
            self.max_lo_ns = lo_ns;
        }
        (certain, possible)
    }

    /// Adds one lag whose exact value is known.
    pub(crate) fn add_exact(&mut self, lag_ns: u64, escaped: bool) {
        let _ = self.exact.record(lag_ns);
        self.exact_n += 1;
        if escaped {
            self.escapes_lo += 1;
            self.escapes_hi += 1;
        }
        if lag_ns >= self.max_ns {
            self.max_ns = lag_ns;
            self.max_lo_ns = lag_ns;
        }
    }

    /// Merges another source into this one (for the overall row).
    pub(crate) fn merge(&mut self, other: &SourceData) {
        let _ = self.hist.add(&other.hist);
        let _ = self.bucketed.add(&other.bucketed);
        let _ = self.exact.add(&other.exact);
        self.escapes_lo += other.escapes_lo;
        self.escapes_hi += other.escapes_hi;
        self.exact_n += other.exact_n;
        if other.max_ns > self.max_ns {
            self.max_ns = other.max_ns;
            self.max_lo_ns = other.max_lo_ns;
        }
        self.intervals.extend(other.intervals.iter().cloned());
    }
}

/// A fresh accumulator: 3 significant digits, growing to whatever it is fed.
pub(crate) fn new_hist() -> Histogram<u64> {
    Histogram::new(3).expect("3 significant digits is a valid histogram")
}

/// `[k_lo, k_hi]` for one histogram: samples whose bucket lies wholly in the
/// escaping range, and samples whose bucket reaches into it.
pub fn bucket_escapes(h: &Histogram<u64>, window_ns: u64, boundary: Boundary) -> (u64, u64) {
    if h.is_empty() || !boundary.escapes(h.max(), window_ns) {
        return (0, 0);
    }
    let (mut lo, mut hi) = (0, 0);
    for v in h.iter_recorded() {
        let top = v.value_iterated_to();
        let count = v.count_at_value();
        if boundary.escapes(h.lowest_equivalent(top), window_ns) {
            lo += count;
        }
        if boundary.escapes(top, window_ns) {
            hi += count;
        }
    }
    (lo, hi)
}

/// One send of a message in an attempt log, after the fixed-anchor simulation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineSend {
    pub attempt: u32,
    pub t_send_ns: u64,
    pub source: String,
    /// Lag from the anchor in force when this send arrived (0 for the first send).
    pub lag_ns: u64,
    /// Whether this send was accepted although an earlier one of the same id
    /// was: a delivered duplicate, and the new anchor.
    pub delivered_duplicate: bool,
}

/// The sends of one dedup id, in time order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    pub dedup_id: String,
    pub sends: Vec<TimelineSend>,
}

impl Timeline {
    pub fn delivered_duplicates(&self) -> usize {
        self.sends.iter().filter(|s| s.delivered_duplicate).count()
    }
}

/// What kind of file an input was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    Hlog,
    Hgrm,
    Attempts,
    Prometheus,
    Otlp,
}

/// What was read from one input file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileSummary {
    pub path: String,
    pub kind: InputKind,
    /// hlog intervals read (after the tag filter).
    pub intervals: usize,
    /// Lags read (after the tag filter).
    pub samples: u64,
    /// Every source present in the file, filtered or not.
    pub tags: Vec<String>,
    pub start_time_s: Option<f64>,
    pub base_time_s: Option<f64>,
    /// Attempt logs: distinct dedup ids and sends.
    pub messages: u64,
    pub sends: u64,
    /// What the reader had to assume, round or leave out, in words.
    pub notes: Vec<String>,
}

impl FileSummary {
    pub(crate) fn new(path: &str, kind: InputKind) -> FileSummary {
        FileSummary {
            path: path.to_string(),
            kind,
            intervals: 0,
            samples: 0,
            tags: Vec::new(),
            start_time_s: None,
            base_time_s: None,
            messages: 0,
            sends: 0,
            notes: Vec::new(),
        }
    }

    pub(crate) fn saw_tag(&mut self, tag: &str) {
        if !self.tags.iter().any(|t| t == tag) {
            self.tags.push(tag.to_string());
        }
    }
}

/// All inputs, loaded and filtered.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub files: Vec<FileSummary>,
    /// Sorted by tag.
    pub sources: Vec<SourceData>,
    /// Attempt-log messages (those with at least one send from a selected source).
    pub timelines: Vec<Timeline>,
}

impl Inputs {
    pub fn source(&self, tag: &str) -> Option<&SourceData> {
        self.sources.iter().find(|s| s.tag == tag)
    }

    /// All sources merged, tagged [`OVERALL_TAG`].
    pub fn overall(&self) -> SourceData {
        let mut all = SourceData::new(OVERALL_TAG);
        for s in &self.sources {
            all.merge(s);
        }
        all
    }
}

/// Sources keyed by tag while files are being read.
#[derive(Debug, Default)]
pub(crate) struct SourceSet {
    pub(crate) sources: BTreeMap<String, SourceData>,
}

impl SourceSet {
    pub(crate) fn get(&mut self, tag: &str) -> &mut SourceData {
        self.sources
            .entry(tag.to_string())
            .or_insert_with(|| SourceData::new(tag))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000_000;

    #[test]
    fn bucket_escapes_separates_straddling_buckets() {
        let w = 300_000_000_000u64;
        let mut h = new_hist();
        h.record(w - 1).unwrap(); // shares W's bucket: may escape
        h.record(w + w / 100).unwrap(); // wholly above
        h.record(w / 2).unwrap(); // wholly below
        let (lo, hi) = bucket_escapes(&h, w, Boundary::Ge);
        assert_eq!((lo, hi), (1, 2));
        let exact = h.lowest_equivalent(w);
        let mut h = new_hist();
        h.record(exact).unwrap();
        // A bucket starting exactly at W escapes wholly under `ge`, but may not under `gt`.
        assert_eq!(bucket_escapes(&h, exact, Boundary::Ge), (1, 1));
        assert_eq!(bucket_escapes(&h, exact, Boundary::Gt), (0, 1));
    }

    #[test]
    fn le_buckets_escape_certainly_only_when_no_lag_in_them_can_stay() {
        let w = 300_000_000_000u64;
        let mut s = SourceData::new("q");
        // (W−1 ns, W]: under `ge` it holds only lags equal to W, which escape.
        assert_eq!(s.add_range(w - 1, Some(w), 3, w, Boundary::Ge), (3, 3));
        // Under `gt` those stay duplicates; (W, +Inf) escapes under both.
        assert_eq!(s.add_range(w - 1, Some(w), 3, w, Boundary::Gt), (0, 0));
        assert_eq!(s.add_range(w, None, 2, w, Boundary::Gt), (2, 2));
        // (W−1 s, W] straddles under `ge`; a bucket ending below W never escapes.
        assert_eq!(s.add_range(w - S, Some(w), 4, w, Boundary::Ge), (0, 4));
        assert_eq!(s.add_range(0, Some(w - 1), 5, w, Boundary::Ge), (0, 0));
        assert_eq!((s.escapes_lo, s.escapes_hi), (5, 9));
        assert_eq!((s.max_lo_ns, s.max_ns), (w, w));
    }
}
