//! Request metrics: latency histograms and error counts per operation, recorded
//! by the pipeline as requests finish, and the Prometheus text writers for them
//! and for the families `/metrics` reads from the engine (`control/metrics.rs`).
//!
//! Written by hand rather than through a metrics crate: the format is a few lines
//! per family.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, seconds. Long polls wait up to 20 s, and
/// injected delays can be longer, hence the tail.
const BUCKETS: [f64; 15] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0,
];

#[derive(Debug, Default)]
struct Histogram {
    /// Non-cumulative counts per bucket; the last slot is `+Inf`.
    buckets: [u64; BUCKETS.len() + 1],
    count: u64,
    sum_secs: f64,
}

impl Histogram {
    fn observe(&mut self, secs: f64) {
        let slot = BUCKETS
            .iter()
            .position(|le| secs <= *le)
            .unwrap_or(BUCKETS.len());
        self.buckets[slot] += 1;
        self.count += 1;
        self.sum_secs += secs;
    }
}

/// Request metrics of one server.
#[derive(Debug, Default)]
pub struct Metrics {
    state: Mutex<Requests>,
}

#[derive(Debug, Default)]
struct Requests {
    latency: BTreeMap<&'static str, Histogram>,
    /// (operation, error code) -> count.
    errors: BTreeMap<(&'static str, &'static str), u64>,
}

impl Metrics {
    /// Records one finished request; `error` is the SQS error code it answered with.
    pub fn observe(&self, operation: &'static str, elapsed: Duration, error: Option<&'static str>) {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state
            .latency
            .entry(operation)
            .or_default()
            .observe(elapsed.as_secs_f64());
        if let Some(code) = error {
            *state.errors.entry((operation, code)).or_default() += 1;
        }
    }
}

/// Escapes a label value (backslash, double quote, newline).
pub(crate) fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

pub(crate) fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// One series of a histogram family under its labels (`key="value"` pairs,
/// values already escaped):
/// a `_bucket` line per upper bound with its cumulative count, then `+Inf`,
/// `_sum` and `_count`.
pub(crate) fn histogram_series<B: std::fmt::Display, S: std::fmt::Display>(
    out: &mut String,
    name: &str,
    labels: &str,
    cumulative: impl IntoIterator<Item = (B, u64)>,
    count: u64,
    sum: S,
) {
    for (le, n) in cumulative {
        let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{le}\"}} {n}");
    }
    let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {count}");
    let _ = writeln!(out, "{name}_sum{{{labels}}} {sum}");
    let _ = writeln!(out, "{name}_count{{{labels}}} {count}");
}

/// The request families: latency by operation, errors by operation and code.
pub(crate) fn render_requests(out: &mut String, metrics: &Metrics) {
    let state = metrics
        .state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let name = "fifowin_request_duration_seconds";
    family(
        out,
        name,
        "histogram",
        "Time from a decoded SQS request to its answer, by operation (long polls and injected delays included).",
    );
    for (op, h) in &state.latency {
        let cumulative = BUCKETS.iter().zip(h.buckets.iter().scan(0, |total, n| {
            *total += n;
            Some(*total)
        }));
        histogram_series(
            out,
            name,
            &format!("operation=\"{op}\""),
            cumulative,
            h.count,
            h.sum_secs,
        );
    }
    family(
        out,
        "fifowin_request_errors_total",
        "counter",
        "SQS error answers by operation and error code (injected ones included).",
    );
    for ((op, code), n) in &state.errors {
        let _ = writeln!(
            out,
            "fifowin_request_errors_total{{operation=\"{op}\",code=\"{code}\"}} {n}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_upper_bounds() {
        let mut h = Histogram::default();
        h.observe(0.001);
        h.observe(0.0011);
        h.observe(100.0);
        assert_eq!(h.buckets[0], 1);
        assert_eq!(h.buckets[1], 1);
        assert_eq!(h.buckets[BUCKETS.len()], 1);
        assert_eq!(h.count, 3);
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
