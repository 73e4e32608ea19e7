//! The router's fallback: every request the control API does not claim is an
//! SQS request (any path, protocol detected per request), handed to the JSON or
//! the Query handler. SQS JSON calls usually skip the router (`router_bypass`);
//! those that reach it (say, through CORS) land here too.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use fifowin_wire::Protocol;

use super::request::BodyError;
use super::{json, query};
use crate::state::AppState;

/// Every request outside the control API lands here, except AWS JSON requests,
/// which the accept loop hands to [`json::handle_json`] directly.
pub(crate) async fn handle_sqs(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok());
    if Protocol::detect(target) == Protocol::AwsJson10 {
        let body = body.map_err(|rejection| BodyError::from(&rejection));
        return json::handle_json(&state, &method, &uri, &headers, body).await;
    }
    query::handle(&state, &method, &uri, &headers, body).await
}
