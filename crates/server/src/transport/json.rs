//! The AWS JSON 1.0 handler (`X-Amz-Target` present): authenticate, decode,
//! run the request through the pipeline, encode, and attach the headers every
//! SDK relies on (`x-amzn-RequestId`, `x-amzn-query-error`).

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use fifowin_wire::{ErrorCode, SqsError, json};

use super::auth;
use super::request::{BodyError, MAX_BODY_BYTES, context, request_id};
use crate::pipeline::dispatch;
use crate::pipeline::durable::RawRequest;
use crate::state::AppState;

/// The largest SQS payload: a message, or a whole batch.
const MAX_PAYLOAD_BYTES: usize = 1_048_576;

/// One AWS JSON 1.0 request (`X-Amz-Target` present): authenticate, decode, call,
/// encode.
pub(crate) async fn handle_json(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Result<Bytes, BodyError>,
) -> Response {
    let request_id = request_id();
    if let Ok(bytes) = &body
        && let Err(err) = auth::verify(&state.config.auth, method, uri, headers, bytes)
    {
        let reply = dispatch::rejected(state, "Unauthenticated", err, &request_id);
        return reply.into_response(
            |_| json_error(&request_id, &SqsError::new(ErrorCode::InternalError, "")),
            |err| json_error(&request_id, err),
        );
    }
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let ctx = context(headers, uri.query(), &state.config.region);
    let reply = match &body {
        Ok(bytes) => match json::decode(&target, bytes) {
            Ok(request) => {
                let raw = RawRequest::Json {
                    target: &target,
                    body: bytes,
                };
                dispatch::process(state, &ctx, request, raw, &request_id).await
            }
            Err(err) => dispatch::rejected(state, &target, err, &request_id),
        },
        Err(error) => {
            let err = unreadable_body(&target, headers, error);
            dispatch::rejected(state, &target, err, &request_id)
        }
    };
    reply.into_response(
        |response| json_response(StatusCode::OK, &request_id, json::encode(response), None),
        |err| json_error(&request_id, err),
    )
}

/// A body that could not be read, as an SQS error: past the size limit it is a
/// payload that is too long (SendMessageBatch: BatchRequestTooLong with the
/// request's length; other operations: the message-size error), never a bare 413.
fn unreadable_body(target: &str, headers: &HeaderMap, error: &BodyError) -> SqsError {
    match error {
        BodyError::TooLarge => {}
        BodyError::TimedOut => {
            if let Some(timeout) = crate::pipeline::limits::body_timeout_error(
                crate::pipeline::limits::BODY_TIMEOUT_MARKER,
            ) {
                return timeout;
            }
        }
        BodyError::Failed(text) => {
            return SqsError::new(
                ErrorCode::SerializationException,
                format!("The request body could not be read: {text}"),
            );
        }
    }
    let sent = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if target.ends_with(".SendMessageBatch") {
        // A body sent without Content-Length is only known to exceed the limit.
        let sent = sent.unwrap_or(MAX_BODY_BYTES as u64 + 1);
        return SqsError::new(
            ErrorCode::BatchRequestTooLong,
            format!(
                "Batch requests cannot be longer than {MAX_PAYLOAD_BYTES} bytes. You have sent {sent} bytes."
            ),
        );
    }
    SqsError::new(
        ErrorCode::InvalidParameterValue,
        format!(
            "One or more parameters are invalid. Reason: Message must be shorter than {MAX_PAYLOAD_BYTES} bytes."
        ),
    )
}

fn json_response(
    status: StatusCode,
    request_id: &str,
    body: Vec<u8>,
    query_error: Option<String>,
) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(json::CONTENT_TYPE),
    );
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    if let Some(value) = query_error.and_then(|v| HeaderValue::from_str(&v).ok()) {
        headers.insert("x-amzn-query-error", value);
    }
    response
}

/// A JSON error response with the status, `__type` and query-error header of its code.
pub(super) fn json_error(request_id: &str, err: &SqsError) -> Response {
    let status = StatusCode::from_u16(err.code.status()).unwrap_or(StatusCode::BAD_REQUEST);
    json_response(
        status,
        request_id,
        json::encode_error(err),
        Some(json::query_error_header(err.code)),
    )
}
