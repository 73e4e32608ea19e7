//! Queue inspection under `/_fifowin/queues`: a summary of every queue, one queue's
//! live dedup entries and stored messages, and resetting one queue. What a test
//! needs to see what the queue did, beyond what SQS itself reports. A queue is
//! named by its name and `?region=` (the server's region when absent).

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use fifowin_engine::{Clock, DedupEntryView, MessageState, QueueKind, QueueStats};
use serde::Deserialize;
use serde_json::{Value, json};

use super::name_region;
use crate::pipeline::durable;
use crate::sqs::actions::Action;
use crate::state::AppState;
use crate::state::registry::QueueHandle;

/// The inspection routes.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/_fifowin/queues", get(summary))
        .route("/_fifowin/queues/{name}/dedup", get(dedup))
        .route("/_fifowin/queues/{name}/messages", get(messages))
        .route("/_fifowin/queues/{name}/reset", post(reset))
}

/// `?region=` of the routes that name one queue.
#[derive(Debug, Default, Deserialize)]
pub(super) struct InRegion {
    #[serde(default)]
    region: Option<String>,
}

impl InRegion {
    /// The region asked for, if any.
    pub(super) fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The queue called `name` in the region asked for, or the server's.
    pub(super) fn find(&self, state: &AppState, name: &str) -> Option<Arc<QueueHandle>> {
        let region = self.region().unwrap_or(&state.config.region);
        state.registry.get(region, name)
    }
}

fn not_found(name: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "error": format!("queue {name} does not exist") })),
    )
        .into_response()
}

fn kind(kind: QueueKind) -> &'static str {
    match kind {
        QueueKind::Fifo => "fifo",
        QueueKind::Standard => "standard",
    }
}

fn stats_json(s: QueueStats) -> Value {
    json!({
        "sent": s.sent,
        "duplicates_suppressed": s.duplicates,
        "duplicates_escaped": s.escapes,
        "received": s.received,
        "redelivered": s.redelivered,
        "deleted": s.deleted,
    })
}

/// The name in a queue ARN (`arn:aws:sqs:region:account:name`).
fn name_of_arn(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

async fn summary(State(state): State<AppState>) -> Json<Value> {
    let now = state.clock.now();
    let mut queues: Vec<Value> = state
        .registry
        .all()
        .into_iter()
        .map(|q| {
            let mut engine = q.lock();
            let counts = engine.counts(now);
            let mut row = json!({
                "name": q.name,
                "arn": q.arn,
                "kind": kind(q.kind),
                "dedup_window_ms": engine.dedup_window_ms(),
                "visible": counts.visible,
                "in_flight": counts.in_flight,
                "delayed": counts.delayed,
                "dedup_entries": engine.dedup_len(),
                "tombstones": engine.tombstone_len(),
                "dead_letter_queue": engine.dead_letter_target_arn().map(name_of_arn),
                "stats": stats_json(engine.stats()),
            });
            name_region(&state, &q, &mut row);
            row
        })
        .collect();
    // Each DLQ lists the queues that dead-letter into it (always of its region).
    let wiring: Vec<(String, String, String)> = queues
        .iter()
        .filter_map(|q| {
            let source = q["name"].as_str()?;
            let target = q["dead_letter_queue"].as_str()?;
            let region = q.get("region").and_then(Value::as_str).unwrap_or("");
            Some((region.to_string(), target.to_string(), source.to_string()))
        })
        .collect();
    for q in &mut queues {
        let sources: Vec<&str> = wiring
            .iter()
            .filter(|(region, target, _)| {
                q["name"].as_str() == Some(target.as_str())
                    && q.get("region").and_then(Value::as_str).unwrap_or("") == region
            })
            .map(|(_, _, source)| source.as_str())
            .collect();
        q["dead_letter_sources"] = json!(sources);
    }
    Json(json!({
        "now_ms": now.as_millis(),
        "clock": state.clock.mode().as_str(),
        "queues": queues,
    }))
}

/// One live dedup id, as the queue and topic dedup views list it.
pub(super) fn dedup_entry_json(e: DedupEntryView) -> Value {
    json!({
        "dedup_id": e.dedup_id,
        "group_id": e.group_id,
        "message_id": e.message_id,
        "first_sent_ms": e.first_sent.as_millis(),
        "expires_ms": e.expires_at.as_millis(),
        "suppressed": e.suppressed,
        "suppressed_at_ms": e.suppressed_at.iter().map(|t| t.as_millis()).collect::<Vec<_>>(),
    })
}

/// Most expired dedup ids the dedup view lists.
const EXPIRED_LISTED: usize = 50;

async fn dedup(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(region): Query<InRegion>,
) -> Response {
    let Some(q) = region.find(&state, &name) else {
        return not_found(&name);
    };
    let now = state.clock.now();
    let mut engine = q.lock();
    let expired: Vec<Value> = engine
        .expired_dedup_ids(now, EXPIRED_LISTED)
        .into_iter()
        .map(|e| {
            json!({
                "dedup_id": e.dedup_id,
                "group_id": e.group_id,
                "first_sent_ms": e.first_sent.as_millis(),
                "expired_ms": e.expired_at.as_millis(),
            })
        })
        .collect();
    let entries: Vec<Value> = engine
        .dedup_entries(now)
        .into_iter()
        .map(dedup_entry_json)
        .collect();
    Json(json!({
        "queue": q.name,
        "window_ms": engine.dedup_window_ms(),
        "scope": if engine.dedup_scope_is_message_group() { "messageGroup" } else { "queue" },
        "now_ms": now.as_millis(),
        "count": entries.len(),
        "entries": entries,
        "expired": expired,
    }))
    .into_response()
}

#[derive(Deserialize)]
struct MessagesQuery {
    /// Include message bodies (off by default: they can be large).
    #[serde(default)]
    bodies: bool,
    /// The queue's region (the server's when absent).
    #[serde(default)]
    region: Option<String>,
}

async fn messages(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<MessagesQuery>,
) -> Response {
    let in_region = InRegion {
        region: query.region,
    };
    let Some(q) = in_region.find(&state, &name) else {
        return not_found(&name);
    };
    let with_bodies = query.bodies;
    let now = state.clock.now();
    let mut engine = q.lock();
    let counts = engine.counts(now);
    let messages: Vec<Value> = engine
        .messages(now, with_bodies)
        .into_iter()
        .map(|m| {
            let (state, until) = match m.state {
                MessageState::Visible => ("visible", None),
                MessageState::InFlight { until } => ("in_flight", Some(until.as_millis())),
                MessageState::Delayed { until } => ("delayed", Some(until.as_millis())),
            };
            let mut v = json!({
                "message_id": m.message_id,
                "state": state,
                "visible_at_ms": until,
                "group_id": m.group_id,
                "dedup_id": m.dedup_id,
                "sequence_number": m.sequence_number,
                "sent_ms": m.sent.as_millis(),
                "receive_count": m.receive_count,
                "first_receive_ms": m.first_receive.map(|t| t.as_millis()),
                "md5_of_body": m.md5_of_body,
                "body_bytes": m.body_bytes,
            });
            if let Some(body) = m.body {
                v["body"] = Value::String(body);
            }
            v
        })
        .collect();
    let mut view = json!({
        "queue": q.name,
        "visible": counts.visible,
        "in_flight": counts.in_flight,
        "delayed": counts.delayed,
        "messages": messages,
    });
    name_region(&state, &q, &mut view);
    Json(view).into_response()
}

async fn reset(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(region): Query<InRegion>,
) -> Response {
    let Some(q) = region.find(&state, &name) else {
        return not_found(&name);
    };
    let action = Action::QueueReset {
        region: q.region.clone(),
        queue: q.name.clone(),
    };
    match durable::act(&state, action).await {
        Ok(_) => {
            let mut answer = json!({ "queue": q.name, "reset": true });
            name_region(&state, &q, &mut answer);
            Json(answer).into_response()
        }
        Err(err) => super::action_failed(&err),
    }
}
