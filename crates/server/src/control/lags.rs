//! Retry lags served: the `fifowin_retry_lag_seconds` histogram family for
//! `/metrics`, and HdrHistogram interval logs at `/_fifowin/lags.hlog` (every
//! FIFO queue, one tag each) and `/_fifowin/queues/<name>/lags.hlog`, in the
//! form the analyzer reads (V2+DEFLATE payloads, values in ns).
//!
//! The engine keeps the lags per queue (`fifowin_engine::RetryLags`); this
//! module only copies them out under each queue's lock and formats them.
//! Standard queues never deduplicate, so they have no lags and no series.

use std::time::{Duration, SystemTime};

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use fifowin_engine::{Clock, QueueKind, RetryLags, Timestamp};
use hdrhistogram::Histogram;
use hdrhistogram::serialization::V2DeflateSerializer;
use hdrhistogram::serialization::interval_log::{IntervalLogWriterBuilder, Tag};
use serde_json::json;

use super::inspect::InRegion;
use super::metrics::QueueLabels;
use crate::pipeline::metrics::{family, histogram_series};
use crate::state::AppState;
use crate::state::registry::QueueHandle;

/// The metric's name.
pub(super) const METRIC: &str = "fifowin_retry_lag_seconds";

/// `Content-Type` of an interval log.
const HLOG_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

/// The routes serving interval logs.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/_fifowin/lags.hlog", get(all_queues))
        .route("/_fifowin/queues/{name}/lags.hlog", get(one_queue))
}

/// What `/metrics` shows of one queue's lags, read under its lock.
#[derive(Debug)]
pub(super) struct LagBuckets {
    /// `(bound ms, lags <= bound)`, ascending.
    cumulative: Vec<(u64, u64)>,
    count: u64,
    sum_ms: u64,
}

impl LagBuckets {
    /// The bucket counts of `lags` (no histogram copied).
    pub(super) fn of(lags: &RetryLags) -> Self {
        Self {
            cumulative: lags.cumulative_buckets(),
            count: lags.count(),
            sum_ms: lags.sum_ms(),
        }
    }
}

/// `ms` as decimal seconds, exactly (`300`, `299.999`, `0.01`).
fn seconds(ms: u64) -> String {
    let (whole, frac) = (ms / 1000, ms % 1000);
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{frac:03}")
            .trim_end_matches('0')
            .to_string()
    }
}

/// Writes the histogram family, one series per FIFO queue in `rows`.
/// `rows`: each queue (a bare name is a queue of the server's region) and its lags.
pub(super) fn render_family<'a, Q>(out: &mut String, rows: &[(Q, &LagBuckets)])
where
    Q: Copy + Into<QueueLabels<'a>>,
{
    family(
        out,
        METRIC,
        "histogram",
        "Time from a dedup key's first accepted send to a later send with the same key (duplicates suppressed inside the window, and escapes after it), by queue. The window and the millisecond before it are bucket bounds.",
    );
    for (queue, lags) in rows {
        let labels: QueueLabels<'a> = (*queue).into();
        let cumulative = lags.cumulative.iter().map(|&(ms, n)| (seconds(ms), n));
        histogram_series(
            out,
            METRIC,
            &labels.to_string(),
            cumulative,
            lags.count,
            seconds(lags.sum_ms),
        );
    }
}

/// One queue's lags as an interval: its tag, window, histogram and start.
struct Interval {
    queue: String,
    window_ms: u64,
    since: Timestamp,
    histogram: Option<Histogram<u64>>,
}

fn interval(name: &str, lags: &RetryLags) -> Interval {
    Interval {
        queue: name.to_string(),
        window_ms: lags.window_ms(),
        since: lags.since(),
        histogram: lags.histogram().cloned(),
    }
}

fn as_duration(t: Timestamp) -> Duration {
    Duration::from_millis(t.as_millis())
}

/// An interval log of `intervals`, each from its queue's creation (or reset) to `now`.
fn write_log(intervals: &[Interval], now: Timestamp) -> Result<String, String> {
    let start = intervals.iter().map(|i| i.since).min().unwrap_or(now);
    let mut builder = IntervalLogWriterBuilder::new();
    builder
        .add_comment("[Histogram log format version 1.3]")
        .add_comment(
            "fifowin retry lags: ns from a dedup key's first accepted send to a later send with the same key; one tag per FIFO queue",
        )
        .with_start_time(SystemTime::UNIX_EPOCH + as_duration(start))
        .with_max_value_divisor(1e6);
    for i in intervals {
        builder.add_comment(&format!("queue {} window_ms={}", i.queue, i.window_ms));
    }
    let mut out = Vec::new();
    let mut serializer = V2DeflateSerializer::new();
    let mut writer = builder
        .begin_log_with(&mut out, &mut serializer)
        .map_err(|e| e.to_string())?;
    let empty = Histogram::<u64>::new(3).map_err(|e| e.to_string())?;
    for i in intervals {
        // Queue names are letters, digits, `-`, `_` and `.fifo`: always a valid tag.
        let tag =
            Tag::new(&i.queue).ok_or_else(|| format!("queue name {} is not a tag", i.queue))?;
        let length = now.as_millis().saturating_sub(i.since.as_millis());
        writer
            .write_histogram(
                i.histogram.as_ref().unwrap_or(&empty),
                as_duration(i.since),
                Duration::from_millis(length),
                Some(tag),
            )
            .map_err(|e| e.to_string())?;
    }
    String::from_utf8(out).map_err(|e| e.to_string())
}

fn hlog_response(intervals: &[Interval], now: Timestamp) -> Response {
    match write_log(intervals, now) {
        Ok(text) => ([(header::CONTENT_TYPE, HLOG_CONTENT_TYPE)], text).into_response(),
        Err(problem) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({ "error": format!("writing the interval log: {problem}") })),
        )
            .into_response(),
    }
}

async fn all_queues(State(state): State<AppState>) -> Response {
    let now = state.clock.now();
    let intervals: Vec<Interval> = state
        .registry
        .all()
        .into_iter()
        .filter(|q| q.kind == QueueKind::Fifo)
        .map(|q| interval(&tag(&state, &q), q.lock().retry_lags()))
        .collect();
    hlog_response(&intervals, now)
}

/// A queue's tag in interval logs: its name, prefixed by `<region>/` when the
/// queue lives outside the server's region (as its metrics gain a region label).
fn tag(state: &AppState, q: &QueueHandle) -> String {
    if q.region == state.config.region {
        q.name.clone()
    } else {
        format!("{}/{}", q.region, q.name)
    }
}

async fn one_queue(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(region): Query<InRegion>,
) -> Response {
    let error = |message: String| {
        (StatusCode::NOT_FOUND, Json(json!({ "error": message }))).into_response()
    };
    let Some(q) = region.find(&state, &name) else {
        return error(format!("queue {name} does not exist"));
    };
    if q.kind != QueueKind::Fifo {
        return error(format!(
            "queue {name} is a standard queue: only FIFO queues deduplicate, so only they have retry lags"
        ));
    }
    let now = state.clock.now();
    let one = interval(&tag(&state, &q), q.lock().retry_lags());
    hlog_response(&[one], now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_exact_decimals() {
        assert_eq!(seconds(300_000), "300");
        assert_eq!(seconds(299_999), "299.999");
        assert_eq!(seconds(10), "0.01");
        assert_eq!(seconds(1_500), "1.5");
        assert_eq!(seconds(0), "0");
    }

    #[test]
    fn family_is_cumulative_with_inf_sum_and_count() {
        let lags = LagBuckets {
            cumulative: vec![(10, 1), (299_999, 2), (300_000, 2)],
            count: 3,
            sum_ms: 400_005,
        };
        let mut out = String::new();
        render_family(&mut out, &[("q.fifo", &lags)]);
        let expected = "\
fifowin_retry_lag_seconds_bucket{queue=\"q.fifo\",le=\"0.01\"} 1
fifowin_retry_lag_seconds_bucket{queue=\"q.fifo\",le=\"299.999\"} 2
fifowin_retry_lag_seconds_bucket{queue=\"q.fifo\",le=\"300\"} 2
fifowin_retry_lag_seconds_bucket{queue=\"q.fifo\",le=\"+Inf\"} 3
fifowin_retry_lag_seconds_sum{queue=\"q.fifo\"} 400.005
fifowin_retry_lag_seconds_count{queue=\"q.fifo\"} 3
";
        assert!(out.starts_with("# HELP fifowin_retry_lag_seconds "));
        assert!(out.contains("# TYPE fifowin_retry_lag_seconds histogram\n"));
        assert!(out.ends_with(expected), "{out}");
    }
}
