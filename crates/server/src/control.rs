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

use crate::state::AppState;
use crate::state::registry::QueueHandle;

pub(crate) mod durable_guard;
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
        Ok(Advance { ms }) => {
            state.clock.advance(ms);
            // Long polls wait per queue; wake them all so they re-check their deadlines.
            state.registry.wake_all();
            clock_json(&state).into_response()
        }
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
    let dropped = state.registry.all().len();
    state.registry.clear();
    state.move_tasks.clear();
    state.recently_deleted.clear();
    let topics_dropped = state.sns.lock().sns.topics().count();
    state.sns.lock().sns.reset();
    let faults_removed = state.faults.clear();
    match state.provision().and_then(|created| {
        state
            .provision_topics()
            .map(|topics_created| (created, topics_created))
    }) {
        Ok((created, topics_created)) => Json(json!({
            "queues_dropped": dropped,
            "queues_created": created,
            "topics_dropped": topics_dropped,
            "topics_created": topics_created,
            "faults_removed": faults_removed,
        }))
        .into_response(),
        // Start-up created the same queues, so this takes a concurrent CreateQueue.
        Err(err) => (
            StatusCode::CONFLICT,
            Json(json!({ "error": format!("re-creating the config file's queues and topics: {err}") })),
        )
            .into_response(),
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, metrics::CONTENT_TYPE)],
        metrics::render(&state),
    )
        .into_response()
}
