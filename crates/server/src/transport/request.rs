//! What both SQS protocol handlers share about an HTTP request: the body size
//! cap and why a body could not be read, a fresh request id, and the request
//! context the service needs besides the body (Host, region, sender id, trace header).

use std::sync::Arc;

use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};

use crate::sqs::RequestContext;

/// Largest request body read. A batch may carry ten entries of up to 1 MiB each
/// before validation refuses it as BatchRequestTooLong; JSON escaping and base64
/// can roughly double that. Anything larger is refused unread (`body_too_large`).
pub(crate) const MAX_BODY_BYTES: usize = 24 * 1024 * 1024;

/// Why a request body could not be read: from axum's `Bytes` extractor, or from
/// the accept loop's direct path (`router_bypass`), which reads bodies itself.
#[derive(Debug)]
pub(crate) enum BodyError {
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
        if crate::pipeline::limits::body_timeout_error(&text).is_some() {
            BodyError::TimedOut
        } else if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            BodyError::TooLarge
        } else {
            BodyError::Failed(text)
        }
    }
}

/// A fresh request id (a v4 UUID, as AWS sends), formatted without `Display`.
pub(crate) fn request_id() -> String {
    let mut buf = uuid::Uuid::encode_buffer();
    uuid::Uuid::new_v4()
        .hyphenated()
        .encode_lower(&mut buf)
        .to_owned()
}

/// The service's view of the request's headers and query string; `region` is
/// the server's, for requests that name none.
pub(crate) fn context(headers: &HeaderMap, query: Option<&str>, region: &str) -> RequestContext {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    RequestContext {
        host: text("host").map(str::to_owned),
        region: super::region::of_request(headers, query, region),
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
