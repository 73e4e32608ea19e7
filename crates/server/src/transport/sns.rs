//! The SNS handler: a Query request `is_sns_request` claimed (signing scope
//! `sns`, else `Version=2010-03-31`), already authenticated by the Query
//! handler, decoded with the SNS codec, run through the pipeline and answered
//! with SNS's XML and `x-amzn-RequestId`. An error a fault rule injects keeps
//! the SQS code it names, in the same `ErrorResponse` shape.

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use fifowin_sns::SnsError;
use fifowin_sns::codec;

use super::query::{with_headers, xml_error};
use super::request::context;
use crate::pipeline::dispatch::{self, sns::SnsReply};
use crate::pipeline::durable::RawRequest;
use crate::state::AppState;

/// Answers one SNS request.
pub(super) async fn handle(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
    request_id: &str,
) -> Response {
    let reply = match codec::decode(uri.query(), body) {
        Ok(request) => {
            let raw = RawRequest::Sns { uri, body };
            let ctx = context(headers, uri.query(), &state.config.region);
            dispatch::sns::process(state, &ctx, request, raw, request_id).await
        }
        Err(error) => {
            rejected(state, &error, request_id);
            SnsReply::Err(error)
        }
    };
    match reply {
        SnsReply::Ok(response) => answer(
            StatusCode::OK,
            request_id,
            codec::encode(&response, request_id),
        ),
        SnsReply::Err(error) => answer(
            StatusCode::from_u16(error.code.status()).unwrap_or(StatusCode::BAD_REQUEST),
            request_id,
            codec::encode_error(&error, request_id),
        ),
        SnsReply::Injected(injected) if injected.drop_connection => dispatch::dropped_connection(),
        SnsReply::Injected(injected) => {
            let mut response = xml_error(request_id, &injected.error);
            *response.status_mut() = injected.status;
            response
        }
    }
}

/// Logs and counts a request that could not be decoded.
fn rejected(state: &AppState, error: &SnsError, request_id: &str) {
    state.metrics.observe(
        "Undecodable",
        std::time::Duration::ZERO,
        Some(error.code.code()),
    );
    tracing::warn!(%request_id, op = "SNS", code = error.code.code(), error = %error.message, "request rejected");
}

fn answer(status: StatusCode, request_id: &str, body: Vec<u8>) -> Response {
    with_headers(status, request_id, codec::CONTENT_TYPE, body)
}
