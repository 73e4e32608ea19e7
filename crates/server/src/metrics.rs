//! Prometheus text exposition at `/metrics`: per-queue counters and gauges read
//! from the engine at scrape time, request latency histograms and error counts
//! per operation recorded as requests finish, and fault-rule firings.
//!
//! Written by hand rather than through a metrics crate: the format is a few lines
//! per family, and reading the queue counters at scrape time keeps the engine the
//! single source of truth (nothing to keep in step on every send).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use fifowin_engine::Clock;

use crate::AppState;

/// Upper bounds of the latency buckets, seconds. Long polls wait up to 20 s, and
/// injected delays can be longer, hence the tail.
const BUCKETS: [f64; 15] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0,
];

/// `Content-Type` of the exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

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

/// One series of a histogram family under one label (its value already escaped):
/// a `_bucket` line per upper bound with its cumulative count, then `+Inf`,
/// `_sum` and `_count`.
pub(crate) fn histogram_series<B: std::fmt::Display, S: std::fmt::Display>(
    out: &mut String,
    name: &str,
    (key, value): (&str, &str),
    cumulative: impl IntoIterator<Item = (B, u64)>,
    count: u64,
    sum: S,
) {
    for (le, n) in cumulative {
        let _ = writeln!(out, "{name}_bucket{{{key}=\"{value}\",le=\"{le}\"}} {n}");
    }
    let _ = writeln!(
        out,
        "{name}_bucket{{{key}=\"{value}\",le=\"+Inf\"}} {count}"
    );
    let _ = writeln!(out, "{name}_sum{{{key}=\"{value}\"}} {sum}");
    let _ = writeln!(out, "{name}_count{{{key}=\"{value}\"}} {count}");
}

/// One family with a sample per queue.
fn per_queue(out: &mut String, name: &str, kind: &str, help: &str, rows: &[(String, u64)]) {
    family(out, name, kind, help);
    for (queue, value) in rows {
        let _ = writeln!(out, "{name}{{queue=\"{}\"}} {value}", label(queue));
    }
}

/// A per-queue family: name, type, help text, and how to read a row's value.
type Family<'a> = (&'a str, &'a str, &'a str, &'a dyn Fn(&QueueRow) -> u64);

/// What one queue contributes, read under its lock.
struct QueueRow {
    name: String,
    stats: fifowin_engine::QueueStats,
    counts: fifowin_engine::QueueCounts,
    dedup_entries: u64,
    /// FIFO queues only.
    lags: Option<crate::lags::LagBuckets>,
}

/// Renders every metric family.
pub fn render(state: &AppState) -> String {
    let now = state.clock.now();
    let rows: Vec<QueueRow> = state
        .registry
        .all()
        .into_iter()
        .map(|q| {
            let mut engine = q.lock();
            // `counts` applies everything due at `now`, dedup expiry included.
            let counts = engine.counts(now);
            QueueRow {
                name: q.name.clone(),
                stats: engine.stats(),
                counts,
                dedup_entries: engine.dedup_len() as u64,
                lags: (q.kind == fifowin_engine::QueueKind::Fifo)
                    .then(|| crate::lags::LagBuckets::of(engine.retry_lags())),
            }
        })
        .collect();
    let column = |f: &dyn Fn(&QueueRow) -> u64| -> Vec<(String, u64)> {
        rows.iter().map(|r| (r.name.clone(), f(r))).collect()
    };
    let mut out = String::new();
    family(&mut out, "fifowin_queues", "gauge", "Queues that exist.");
    let _ = writeln!(out, "fifowin_queues {}", rows.len());
    let queue_families: [Family<'_>; 10] = [
        (
            "fifowin_messages_sent_total",
            "counter",
            "Sends stored as new messages.",
            &|r| r.stats.sent,
        ),
        (
            "fifowin_duplicates_suppressed_total",
            "counter",
            "Sends answered from the dedup window instead of being stored.",
            &|r| r.stats.duplicates,
        ),
        (
            "fifowin_duplicates_escaped_total",
            "counter",
            "Sends accepted as new although their dedup id was seen before, after its window closed.",
            &|r| r.stats.escapes,
        ),
        (
            "fifowin_messages_received_total",
            "counter",
            "Messages handed out by receives.",
            &|r| r.stats.received,
        ),
        (
            "fifowin_messages_redelivered_total",
            "counter",
            "Receives of a message that had been received before.",
            &|r| r.stats.redelivered,
        ),
        (
            "fifowin_messages_deleted_total",
            "counter",
            "Messages deleted.",
            &|r| r.stats.deleted,
        ),
        (
            "fifowin_messages_visible",
            "gauge",
            "Messages receivable now.",
            &|r| r.counts.visible,
        ),
        (
            "fifowin_messages_in_flight",
            "gauge",
            "Messages received and not yet deleted or visible again.",
            &|r| r.counts.in_flight,
        ),
        (
            "fifowin_messages_delayed",
            "gauge",
            "Messages not yet receivable because of a delay.",
            &|r| r.counts.delayed,
        ),
        (
            "fifowin_dedup_entries",
            "gauge",
            "Live keys in the FIFO dedup window.",
            &|r| r.dedup_entries,
        ),
    ];
    for (name, kind, help, f) in queue_families {
        per_queue(&mut out, name, kind, help, &column(f));
    }
    let lag_rows: Vec<(&str, &crate::lags::LagBuckets)> = rows
        .iter()
        .filter_map(|r| Some((r.name.as_str(), r.lags.as_ref()?)))
        .collect();
    crate::lags::render_family(&mut out, &lag_rows);
    render_requests(&mut out, &state.metrics);
    family(
        &mut out,
        "fifowin_faults_fired_total",
        "counter",
        "Times fault rules acted, by action (rules removed are no longer counted).",
    );
    for (action, fired) in state.faults.fired_by_action() {
        let _ = writeln!(
            out,
            "fifowin_faults_fired_total{{action=\"{action}\"}} {fired}"
        );
    }
    out
}

fn render_requests(out: &mut String, metrics: &Metrics) {
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
            ("operation", op),
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
