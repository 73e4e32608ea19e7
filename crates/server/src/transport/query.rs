//! The Query/XML handler: authenticate, then parameters from the query string (GET)
//! or the form body (POST), `QueueUrl` possibly from the path, XML answers (the
//! same answers as JSON when `Accept` asks for `application/json`) with
//! `x-amzn-RequestId`. Decoding and encoding are the wire crate's; this module only
//! moves bytes and headers.

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use fifowin_wire::{ErrorCode, SqsError, query};

use super::request::{context, request_id};
use super::{auth, sns, sts};
use crate::pipeline::dispatch;
use crate::pipeline::durable::RawRequest;
use crate::state::AppState;

/// Answers one Query request: authenticate, decode, run it through the pipeline, encode.
pub(crate) async fn handle(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let request_id = &request_id();
    let answer = Answer::for_request(headers);
    if let Ok(bytes) = &body
        && let Err(err) = auth::verify(&state.config.auth, method, uri, headers, bytes)
    {
        let reply = dispatch::rejected(state, "Unauthenticated", err, request_id);
        return reply.into_response(
            |_| answer.error(request_id, &SqsError::new(ErrorCode::InternalError, "")),
            |err| answer.error(request_id, err),
        );
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return answer.error(request_id, &unreadable(&rejection)),
    };
    if *method == Method::GET && !query::has_action(uri.query(), &body) {
        // A browser or health probe on a queue URL: what AWS answers (sqs-spec.md §1.1).
        return xml(
            StatusCode::NOT_FOUND,
            request_id,
            b"<UnknownOperationException/>".to_vec(),
        );
    }
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if fifowin_sns::codec::is_sns_request(authorization, uri.query(), &body) {
        return sns::handle(state, uri, headers, &body, request_id).await;
    }
    if sts::is_get_caller_identity(uri.query(), &body) {
        return sts::caller_identity(state, request_id);
    }
    let reply = match query::decode(uri.query(), &body, uri.path()) {
        Ok(request) => {
            let raw = RawRequest::Query { uri, body: &body };
            let ctx = context(headers, uri.query(), &state.config.region);
            dispatch::process(state, &ctx, request, raw, request_id).await
        }
        Err(err) => dispatch::rejected(state, "Query", err, request_id),
    };
    reply.into_response(
        |response| answer.success(request_id, response),
        |err| answer.error(request_id, err),
    )
}

/// How a Query request is answered: XML, or the JSON rendering of the same
/// answer when its `Accept` header asks for JSON (as AWS does).
#[derive(Clone, Copy)]
enum Answer {
    Xml,
    Json,
}

impl Answer {
    fn for_request(headers: &HeaderMap) -> Answer {
        let json = headers
            .get_all(header::ACCEPT)
            .iter()
            .any(|v| v.to_str().is_ok_and(query::accepts_json));
        if json { Answer::Json } else { Answer::Xml }
    }

    fn success(self, request_id: &str, response: &fifowin_wire::Response) -> Response {
        match self {
            Answer::Xml => xml(
                StatusCode::OK,
                request_id,
                query::encode(response, request_id),
            ),
            Answer::Json => with_headers(
                StatusCode::OK,
                request_id,
                query::JSON_CONTENT_TYPE,
                query::encode_json(response, request_id),
            ),
        }
    }

    fn error(self, request_id: &str, err: &SqsError) -> Response {
        match self {
            Answer::Xml => xml_error(request_id, err),
            Answer::Json => with_headers(
                status_of(err),
                request_id,
                query::JSON_CONTENT_TYPE,
                query::encode_json_error(err),
            ),
        }
    }
}

/// A body that could not be read: past the size limit, the payload error SQS
/// sends for an oversized message (the operation is unknown until the body is read).
fn unreadable(rejection: &BytesRejection) -> SqsError {
    if let Some(timeout) = crate::pipeline::limits::body_timeout_error(&rejection.body_text()) {
        return timeout;
    }
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return SqsError::new(
            ErrorCode::InvalidParameterValue,
            "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.",
        );
    }
    SqsError::new(
        ErrorCode::MalformedQueryString,
        "The query string contains a syntax error.",
    )
}

/// An XML error response with its code's status.
pub(crate) fn xml_error(request_id: &str, err: &SqsError) -> Response {
    xml(
        status_of(err),
        request_id,
        query::encode_error(err, request_id),
    )
}

fn status_of(err: &SqsError) -> StatusCode {
    StatusCode::from_u16(err.code.status()).unwrap_or(StatusCode::BAD_REQUEST)
}

fn xml(status: StatusCode, request_id: &str, body: Vec<u8>) -> Response {
    with_headers(status, request_id, query::CONTENT_TYPE, body)
}

pub(super) fn with_headers(
    status: StatusCode,
    request_id: &str,
    content_type: &'static str,
    body: Vec<u8>,
) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}
