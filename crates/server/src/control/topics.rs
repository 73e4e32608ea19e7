//! SNS topics in the control API: `GET /_fifowin/topics` (every topic with its
//! window, counters and subscriptions), `GET /_fifowin/topics/{name}/dedup` (a
//! FIFO topic's live dedup ids), the topic escapes `GET /_fifowin/escapes`
//! lists beside the queues', and the per-topic and per-subscription families
//! of `/metrics`.

use std::fmt::Write as _;

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use fifowin_engine::Clock;
use fifowin_sns::subscription::SubscriptionCounters;
use fifowin_sns::topic::Topic;
use serde_json::{Value, json};

use super::inspect::InRegion;
use crate::pipeline::metrics::{family, label};
use crate::state::AppState;

/// The topic inspection routes.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/_fifowin/topics", get(summary))
        .route("/_fifowin/topics/{name}/dedup", get(dedup))
}

/// The name in an ARN (`arn:aws:<service>:region:account:name`).
fn name_of_arn(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

fn counters_json(c: SubscriptionCounters) -> Value {
    json!({
        "published": c.published,
        "suppressed": c.suppressed,
        "delivered": c.delivered,
        "filtered_out": c.filtered_out,
        "failed": c.failed,
    })
}

/// A topic's labels in `/metrics`: its name, and its region when it is not the
/// server's (as for queues, so a single-region setup's series keep one label set).
struct TopicLabels<'a> {
    name: &'a str,
    other_region: Option<&'a str>,
}

impl<'a> TopicLabels<'a> {
    fn of(state: &AppState, topic: &'a Topic) -> Self {
        Self {
            name: &topic.name,
            other_region: (topic.region != state.config.region).then_some(topic.region.as_str()),
        }
    }
}

impl std::fmt::Display for TopicLabels<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "topic=\"{}\"", label(self.name))?;
        if let Some(region) = self.other_region {
            write!(f, ",region=\"{}\"", label(region))?;
        }
        Ok(())
    }
}

fn topic_json(state: &AppState, topic: &Topic, dedup_entries: Option<usize>) -> Value {
    let subscriptions: Vec<Value> = topic
        .subscriptions()
        .map(|s| {
            let attributes = s.attributes();
            json!({
                "arn": s.arn,
                "queue": name_of_arn(&s.endpoint),
                "queue_arn": s.endpoint,
                "raw": s.raw,
                "filter_policy": attributes.get("FilterPolicy"),
                "filter_policy_scope": attributes.get("FilterPolicyScope"),
                "dead_letter_queue": s.dead_letter_target().map(name_of_arn),
                "counters": counters_json(s.counters),
            })
        })
        .collect();
    let mut object = json!({
        "name": topic.name,
        "arn": topic.arn,
        "kind": if topic.fifo { "fifo" } else { "standard" },
        "content_based_deduplication": topic.content_based_deduplication(),
        "dedup_window_ms": topic.window().map(|w| w.window_ms()),
        "dedup_entries": dedup_entries,
        "stats": {
            "published": topic.counters.published,
            "duplicates_suppressed": topic.counters.suppressed,
            "duplicates_escaped": topic.window().map_or(0, |w| w.escape_total()),
        },
        "subscriptions": subscriptions,
    });
    if let Some(region) = TopicLabels::of(state, topic).other_region {
        object["region"] = Value::String(region.to_string());
    }
    object
}

async fn summary(State(state): State<AppState>) -> Json<Value> {
    let now = state.clock.now();
    let mut topics = state.sns.lock();
    let arns: Vec<String> = topics.sns.topics().map(|t| t.arn.clone()).collect();
    let listed: Vec<Value> = arns
        .iter()
        .filter_map(|arn| {
            // Expiry applies at `now` first, so the count is of live ids.
            let live = topics.sns.dedup_entries(arn, now).map(|e| e.len());
            topics.sns.topic(arn).map(|t| topic_json(&state, t, live))
        })
        .collect();
    Json(json!({
        "now_ms": now.as_millis(),
        "clock": state.clock.mode().as_str(),
        "topics": listed,
    }))
}

/// `?region=` picks the topic of that region (the server's when absent), as on
/// the per-queue routes.
async fn dedup(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(place): Query<InRegion>,
) -> Response {
    let now = state.clock.now();
    let region = place.region().unwrap_or(&state.config.region);
    let mut topics = state.sns.lock();
    let Some(arn) = topics
        .sns
        .topics()
        .find(|t| t.name == name && t.region == region)
        .map(|t| t.arn.clone())
    else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": format!("topic {name} does not exist") })),
        )
            .into_response();
    };
    let Some(entries) = topics.sns.dedup_entries(&arn, now) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": format!("topic {name} is not a FIFO topic: it has no dedup window") })),
        )
            .into_response();
    };
    let window_ms = topics
        .sns
        .topic(&arn)
        .and_then(|t| t.window().map(|w| w.window_ms()));
    let entries: Vec<Value> = entries
        .into_iter()
        .map(super::inspect::dedup_entry_json)
        .collect();
    Json(json!({
        "topic": name,
        "topic_arn": arn,
        "window_ms": window_ms,
        "now_ms": now.as_millis(),
        "count": entries.len(),
        "entries": entries,
    }))
    .into_response()
}

/// Every recorded topic escape, in the shape of a queue escape with the
/// topic's name and ARN in place of the queue's name.
pub(super) fn escapes(state: &AppState) -> Vec<Value> {
    state
        .sns
        .lock()
        .sns
        .escapes()
        .into_iter()
        .map(|e| {
            json!({
                "topic": name_of_arn(&e.topic_arn),
                "topic_arn": e.topic_arn,
                "dedup_id": e.record.dedup_id,
                "group_id": e.record.group_id,
                "first_sent_ms": e.record.first_sent.as_millis(),
                "resent_ms": e.record.resent.as_millis(),
                "late_by_ms": e.record.late_by_ms,
            })
        })
        .collect()
}

/// A per-topic family: name, help text, and how to read a topic's value.
type TopicFamily = (&'static str, &'static str, fn(&Topic) -> u64);
/// A per-subscription family: name, help text, and which counter.
type SubscriptionFamily = (&'static str, &'static str, fn(&SubscriptionCounters) -> u64);

/// The per-topic and per-subscription families of `/metrics`.
pub(super) fn render_metrics(out: &mut String, state: &AppState) {
    let topics = state.sns.lock();
    let all: Vec<&Topic> = topics.sns.topics().collect();
    let per_topic: [TopicFamily; 3] = [
        (
            "fifowin_sns_published_total",
            "Publishes a topic accepted as new (each batch entry counts).",
            |t| t.counters.published,
        ),
        (
            "fifowin_sns_duplicates_suppressed_total",
            "Publishes answered from the topic's dedup window; nothing was delivered.",
            |t| t.counters.suppressed,
        ),
        (
            "fifowin_sns_duplicates_escaped_total",
            "Publishes accepted as new although their dedup id was seen before, after the topic's window closed.",
            |t| t.window().map_or(0, |w| w.escape_total()),
        ),
    ];
    for (name, help, value) in per_topic {
        family(out, name, "counter", help);
        for t in &all {
            let _ = writeln!(out, "{name}{{{}}} {}", TopicLabels::of(state, t), value(t));
        }
    }
    let per_subscription: [SubscriptionFamily; 5] = [
        (
            "fifowin_sns_subscription_published_total",
            "Publishes the topic accepted while the subscription existed.",
            |c| c.published,
        ),
        (
            "fifowin_sns_subscription_suppressed_total",
            "Duplicate publishes the topic's window kept from the subscription.",
            |c| c.suppressed,
        ),
        (
            "fifowin_sns_subscription_delivered_total",
            "Messages the subscribed queue took (a duplicate in the queue's own window counts, as SQS answers it with success).",
            |c| c.delivered,
        ),
        (
            "fifowin_sns_subscription_filtered_out_total",
            "Publishes the subscription's filter policy did not match.",
            |c| c.filtered_out,
        ),
        (
            "fifowin_sns_subscription_failed_total",
            "Deliveries the queue could not take (missing queue, refused message), redriven to the subscription's DLQ if it has one.",
            |c| c.failed,
        ),
    ];
    for (name, help, value) in per_subscription {
        family(out, name, "counter", help);
        for t in &all {
            for s in t.subscriptions() {
                let _ = writeln!(
                    out,
                    "{name}{{{},queue=\"{}\",subscription=\"{}\"}} {}",
                    TopicLabels::of(state, t),
                    label(name_of_arn(&s.endpoint)),
                    label(&s.arn),
                    value(&s.counters)
                );
            }
        }
    }
}
