//! Prometheus text exposition at `/metrics`: per-queue counters and gauges read
//! from the engine at scrape time (so the engine stays the single source of
//! truth, with nothing to keep in step on every send), retry lags, the request
//! families the pipeline recorded, and fault-rule firings.
//!
//! A queue's series carry `queue="<name>"`, and `region="<region>"` too when the
//! queue lives outside the server's region (`--region`): a single-region server's
//! exposition is unchanged, and each series keeps one label set for its whole life
//! (a queue never changes region), as Prometheus expects of a series.

use std::fmt::Write as _;

use fifowin_engine::Clock;

use crate::pipeline::metrics::{family, label, render_requests};
use crate::state::AppState;
use crate::state::registry::QueueHandle;

/// `Content-Type` of the exposition format.
pub(super) const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// One family with a sample per queue (its labels already formatted).
fn per_queue(out: &mut String, name: &str, kind: &str, help: &str, rows: &[(String, u64)]) {
    family(out, name, kind, help);
    for (labels, value) in rows {
        let _ = writeln!(out, "{name}{{{labels}}} {value}");
    }
}

/// A queue as its series name it: `queue="<name>"`, plus `region="<region>"`
/// for a queue outside the server's region.
#[derive(Clone, Copy, Debug)]
pub(super) struct QueueLabels<'a> {
    pub name: &'a str,
    pub other_region: Option<&'a str>,
}

impl<'a> QueueLabels<'a> {
    pub(super) fn of(state: &AppState, q: &'a QueueHandle) -> Self {
        Self {
            name: &q.name,
            other_region: (q.region != state.config.region).then_some(q.region.as_str()),
        }
    }
}

impl<'a> From<&'a str> for QueueLabels<'a> {
    /// A queue of the server's region.
    fn from(name: &'a str) -> Self {
        Self {
            name,
            other_region: None,
        }
    }
}

impl std::fmt::Display for QueueLabels<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "queue=\"{}\"", label(self.name))?;
        if let Some(region) = self.other_region {
            write!(f, ",region=\"{}\"", label(region))?;
        }
        Ok(())
    }
}

/// A per-queue family: name, type, help text, and how to read a row's value.
type Family<'a> = (&'a str, &'a str, &'a str, &'a dyn Fn(&QueueRow) -> u64);

/// What one queue contributes, read under its lock.
struct QueueRow {
    name: String,
    other_region: Option<String>,
    stats: fifowin_engine::QueueStats,
    counts: fifowin_engine::QueueCounts,
    dedup_entries: u64,
    /// FIFO queues only.
    lags: Option<super::lags::LagBuckets>,
}

impl QueueRow {
    fn labels(&self) -> QueueLabels<'_> {
        QueueLabels {
            name: &self.name,
            other_region: self.other_region.as_deref(),
        }
    }
}

/// Renders every metric family.
pub(super) fn render(state: &AppState) -> String {
    let now = state.clock.now();
    let rows: Vec<QueueRow> = state
        .registry
        .all()
        .into_iter()
        .map(|q| {
            let mut engine = q.lock();
            // `counts` applies everything due at `now`, dedup expiry included.
            let counts = engine.counts(now);
            let labels = QueueLabels::of(state, &q);
            QueueRow {
                name: q.name.clone(),
                other_region: labels.other_region.map(str::to_owned),
                stats: engine.stats(),
                counts,
                dedup_entries: engine.dedup_len() as u64,
                lags: (q.kind == fifowin_engine::QueueKind::Fifo)
                    .then(|| super::lags::LagBuckets::of(engine.retry_lags())),
            }
        })
        .collect();
    let column = |f: &dyn Fn(&QueueRow) -> u64| -> Vec<(String, u64)> {
        rows.iter()
            .map(|r| (r.labels().to_string(), f(r)))
            .collect()
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
    let lag_rows: Vec<(QueueLabels<'_>, &super::lags::LagBuckets)> = rows
        .iter()
        .filter_map(|r| Some((r.labels(), r.lags.as_ref()?)))
        .collect();
    super::lags::render_family(&mut out, &lag_rows);
    super::topics::render_metrics(&mut out, state);
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
    if let Some(durable) = state.durable.as_deref() {
        family(
            &mut out,
            "fifowin_durable_snapshots_total",
            "counter",
            "Snapshots durable mode wrote since start-up (each replaces the log records it covers).",
        );
        let _ = writeln!(
            out,
            "fifowin_durable_snapshots_total {}",
            durable.snapshots_written()
        );
    }
    out
}
