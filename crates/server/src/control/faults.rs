//! `/_fifowin/faults`: add rules (one object or an array, all-or-nothing), list
//! them with hit counts, remove one or all.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use serde_json::{Value, json};

use crate::pipeline::faults::{RuleSpec, SpecError};
use crate::state::AppState;

/// The fault routes.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/_fifowin/faults", get(list).post(add).delete(clear))
        .route("/_fifowin/faults/{id}", delete(remove))
}

fn error(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

/// The 400 body for an unusable rule: the problem, and the field when known.
fn invalid(index: Option<usize>, err: &SpecError) -> Value {
    let at = index.map_or(String::new(), |i| format!("rule {i}: "));
    json!({ "error": format!("{at}{err}"), "field": err.field })
}

/// Parses one rule object, naming the rule's position in an array when there is
/// one; the error is the 400 body.
fn parse(value: Value, index: Option<usize>) -> Result<RuleSpec, Value> {
    let spec: RuleSpec = serde_json::from_value(value).map_err(|e| {
        let at = index.map_or(String::new(), |i| format!("rule {i}: "));
        json!({ "error": format!("{at}{e}") })
    })?;
    spec.validate().map_err(|e| invalid(index, &e))?;
    Ok(spec)
}

async fn add(State(state): State<AppState>, body: Bytes) -> Response {
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                json!({ "error": format!("expected a JSON rule or an array of rules: {e}") }),
            );
        }
    };
    let (specs, many) = match value {
        Value::Array(items) => {
            let mut specs = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                match parse(item, Some(i)) {
                    Ok(spec) => specs.push(spec),
                    Err(body) => return error(StatusCode::BAD_REQUEST, body),
                }
            }
            (specs, true)
        }
        other => match parse(other, None) {
            Ok(spec) => (vec![spec], false),
            Err(body) => return error(StatusCode::BAD_REQUEST, body),
        },
    };
    let mut added = Vec::with_capacity(specs.len());
    for spec in specs {
        match state.faults.add(spec) {
            Ok(view) => added.push(view),
            Err(e) => return error(StatusCode::BAD_REQUEST, invalid(None, &e)),
        }
    }
    let body = if many {
        json!({ "rules": added })
    } else {
        serde_json::to_value(&added[0]).unwrap_or(Value::Null)
    };
    (StatusCode::CREATED, Json(body)).into_response()
}

async fn list(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "rules": state.faults.list() }))
}

async fn clear(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "removed": state.faults.clear() }))
}

async fn remove(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match id.parse::<u64>() {
        Ok(id) if state.faults.remove(id) => Json(json!({ "removed": 1 })).into_response(),
        _ => error(
            StatusCode::NOT_FOUND,
            json!({ "error": format!("no fault rule {id}") }),
        ),
    }
}
