//! The control API under `/_fifowin/`: health, the clock (read and advance), escaped
//! duplicates, and reset; with the fault, inspection and retry-lag routes merged
//! in, and Prometheus text at `/metrics`. JSON in, JSON out; errors are
//! `{"error": "..."}`; SNS topics have their part in `topics`. A second door
//! into the server beside the SQS transport:
//! it acts on the shared state and the pipeline's fault rules, never on requests.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use fifowin_engine::Clock;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::pipeline::durable;
use crate::sqs::actions::{Acted, Action, ActionError};
use crate::state::AppState;
use crate::state::registry::QueueHandle;

mod faults;
mod inspect;
mod lags;
mod metrics;
mod topics;
pub(crate) mod ui;

/// The control routes; everything else falls through to the SQS handler.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/_fifowin/health", get(health))
        .route("/_fifowin/clock", get(clock))
        .route("/_fifowin/clock/advance", post(advance))
        .route("/_fifowin/escapes", get(escapes))
        .route("/_fifowin/reset", post(reset))
        // moto's test suite resets its server between tests through this path.
        .route("/moto-api/reset", post(reset))
        .route("/metrics", get(metrics))
        .merge(faults::routes())
        .merge(inspect::routes())
        .merge(lags::routes())
        .merge(topics::routes())
}

async fn health(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "queues": state.registry.all().len(),
        "dedup_window_ms": state.config.dedup_window_ms,
        "clock": state.clock.mode().as_str(),
    }))
}

fn clock_json(state: &AppState) -> Json<Value> {
    Json(json!({
        "mode": state.clock.mode().as_str(),
        "now_ms": state.clock.now().as_millis(),
    }))
}

async fn clock(State(state): State<AppState>) -> Json<Value> {
    clock_json(&state)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    ms: u64,
}

fn bad_request(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}

async fn advance(
    State(state): State<AppState>,
    body: Result<Json<Value>, JsonRejection>,
) -> Response {
    // serde reads a struct from a JSON array too (`[10]`); only an object is the documented shape.
    let body = body
        .map_err(|r| r.body_text())
        .and_then(|Json(v): Json<Value>| {
            if v.is_object() {
                serde_json::from_value::<Advance>(v).map_err(|e| e.to_string())
            } else {
                Err("the body is not a JSON object".to_string())
            }
        });
    match body {
        Ok(Advance { ms }) => match durable::act(&state, Action::ClockAdvance { ms }).await {
            Ok(_) => clock_json(&state).into_response(),
            Err(err) => action_failed(&err),
        },
        Err(problem) => bad_request(format!(
            "expected a JSON body {{\"ms\": <non-negative integer>}}: {problem}"
        )),
    }
}

/// Adds `"region"` to a JSON object that names queue `q` when `q` lives outside
/// the server's region: what a single-region server answers stays as it is.
pub(super) fn name_region(state: &AppState, q: &QueueHandle, object: &mut Value) {
    if q.region != state.config.region {
        object["region"] = Value::String(q.region.clone());
    }
}

async fn escapes(State(state): State<AppState>) -> Json<Value> {
    let mut all = Vec::new();
    for q in state.registry.all() {
        for e in q.lock().escapes() {
            let mut row = json!({
                "queue": q.name,
                "dedup_id": e.dedup_id,
                "group_id": e.group_id,
                "first_sent_ms": e.first_sent.as_millis(),
                "resent_ms": e.resent.as_millis(),
                "late_by_ms": e.late_by_ms,
            });
            name_region(&state, &q, &mut row);
            all.push(row);
        }
    }
    // Topic escapes are listed apart, so each queue escape keeps its shape.
    let topic_escapes = topics::escapes(&state);
    Json(json!({
        "count": all.len(),
        "escapes": all,
        "topic_count": topic_escapes.len(),
        "topic_escapes": topic_escapes,
    }))
}

/// Back to the start-up state: every queue and topic dropped, the config file's
/// queues and topics created again (empty), every fault rule removed.
async fn reset(State(state): State<AppState>) -> Response {
    // Fault rules are not queue state: they are never logged, so cleared here.
    let faults_removed = state.faults.clear();
    let queues = state.startup_queues.to_vec();
    let topics = state.startup_topics.to_vec();
    match durable::act(&state, Action::Reset { queues, topics }).await {
        Ok(Acted::Reset {
            dropped,
            created,
            topics_dropped,
            topics_created,
        }) => Json(json!({
            "queues_dropped": dropped,
            "queues_created": created,
            "topics_dropped": topics_dropped,
            "topics_created": topics_created,
            "faults_removed": faults_removed,
        }))
        .into_response(),
        Ok(other) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({ "error": format!("a reset answered {other:?}") })),
        )
            .into_response(),
        // Start-up created the same queues, so this takes a concurrent CreateQueue.
        Err(err) => action_failed(&err),
    }
}

/// An action that failed: 409 (the state did not allow it) or 500 (the log failed).
pub(crate) fn action_failed(err: &ActionError) -> Response {
    let status = match err {
        ActionError::NoQueue(_) => StatusCode::NOT_FOUND,
        ActionError::Provision(_) => StatusCode::CONFLICT,
        ActionError::NotDurable => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (status, Json(json!({ "error": err.to_string() }))).into_response()
}

async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, metrics::CONTENT_TYPE)],
        metrics::render(&state),
    )
        .into_response()
}
