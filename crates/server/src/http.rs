//! The SQS HTTP handler: detect the protocol, decode, call the service, encode, and
//! attach the headers every SDK relies on (`x-amzn-RequestId`, `x-amzn-query-error`).

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use fifowin_wire::{ErrorCode, Protocol, SqsError, json};

use crate::AppState;
use crate::dispatch;
use crate::durable::RawRequest;
use crate::service::RequestContext;

/// Largest request body read. A batch may carry ten entries of up to 1 MiB each
/// before validation refuses it as BatchRequestTooLong; JSON escaping and base64
/// can roughly double that. Anything larger is refused unread (`body_too_large`).
pub const MAX_BODY_BYTES: usize = 24 * 1024 * 1024;

/// The largest SQS payload: a message, or a whole batch.
const MAX_PAYLOAD_BYTES: usize = 1_048_576;

/// Why a request body could not be read: from axum's `Bytes` extractor, or from
/// the accept loop's direct path (`fast_path`), which reads bodies itself.
#[derive(Debug)]
pub enum BodyError {
    /// Past [`MAX_BODY_BYTES`].
    TooLarge,
    /// Not complete within the body deadline.
    TimedOut,
    /// Anything else (a broken connection, say), with its description.
    Failed(String),
}

impl From<&BytesRejection> for BodyError {
    fn from(rejection: &BytesRejection) -> Self {
        let text = rejection.body_text();
        if crate::limits::body_timeout_error(&text).is_some() {
            BodyError::TimedOut
        } else if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            BodyError::TooLarge
        } else {
            BodyError::Failed(text)
        }
    }
}

/// Every request outside the control API lands here, except AWS JSON requests,
/// which the accept loop hands to [`handle_json`] directly.
pub async fn handle_sqs(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok());
    if Protocol::detect(target) == Protocol::AwsJson10 {
        let body = body.map_err(|rejection| BodyError::from(&rejection));
        return handle_json(&state, &method, &uri, &headers, body).await;
    }
    let request_id = uuid::Uuid::new_v4().to_string();
    if let Ok(bytes) = &body
        && let Err(err) = crate::auth::verify(&state.config.auth, &method, &uri, &headers, bytes)
    {
        let reply = dispatch::rejected(&state, "Unauthenticated", err, &request_id);
        let answer = crate::query_http::Answer::for_request(&headers);
        return reply.into_response(
            |_| answer.error(&request_id, &SqsError::new(ErrorCode::InternalError, "")),
            |err| answer.error(&request_id, err),
        );
    }
    crate::query_http::handle(&state, &method, &uri, &headers, body, &request_id).await
}

/// One AWS JSON 1.0 request (`X-Amz-Target` present): authenticate, decode, call,
/// encode.
pub async fn handle_json(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Result<Bytes, BodyError>,
) -> Response {
    let request_id = request_id();
    if let Ok(bytes) = &body
        && let Err(err) = crate::auth::verify(&state.config.auth, method, uri, headers, bytes)
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
    let ctx = context(headers);
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

/// A fresh request id (a v4 UUID, as AWS sends), formatted without `Display`.
fn request_id() -> String {
    let mut buf = uuid::Uuid::encode_buffer();
    uuid::Uuid::new_v4()
        .hyphenated()
        .encode_lower(&mut buf)
        .to_owned()
}

/// A body that could not be read, as an SQS error: past the size limit it is a
/// payload that is too long (SendMessageBatch: BatchRequestTooLong with the
/// request's length; other operations: the message-size error), never a bare 413.
fn unreadable_body(target: &str, headers: &HeaderMap, error: &BodyError) -> SqsError {
    match error {
        BodyError::TooLarge => {}
        BodyError::TimedOut => {
            if let Some(timeout) =
                crate::limits::body_timeout_error(crate::limits::BODY_TIMEOUT_MARKER)
            {
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

pub(crate) fn context(headers: &HeaderMap) -> RequestContext {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    RequestContext {
        host: text("host").map(str::to_owned),
        sender_id: Arc::from(
            text("authorization")
                .and_then(access_key_id)
                .unwrap_or("AIDAIT2UOQQY3AUEKVGXU"),
        ),
        trace_header: text("x-amzn-trace-id").map(str::to_owned),
    }
}

/// The access key id in a SigV4 `Authorization` header (`Credential=<AKID>/...`).
fn access_key_id(authorization: &str) -> Option<&str> {
    let rest = &authorization[authorization.find("Credential=")? + "Credential=".len()..];
    rest.split('/').next().filter(|id| !id.is_empty())
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
pub fn json_error(request_id: &str, err: &SqsError) -> Response {
    let status = StatusCode::from_u16(err.code.status()).unwrap_or(StatusCode::BAD_REQUEST);
    json_response(
        status,
        request_id,
        json::encode_error(err),
        Some(json::query_error_header(err.code)),
    )
}

#[cfg(test)]
mod tests {
    use super::access_key_id;

    #[test]
    fn access_key_from_sigv4_header() {
        let auth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x";
        assert_eq!(access_key_id(auth), Some("AKIDEXAMPLE"));
        assert_eq!(access_key_id("Bearer x"), None);
    }
}
