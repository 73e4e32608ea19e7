//! A compatibility shim: STS `GetCallerIdentity` answered on the SQS port. Test
//! suites written for emulators (moto's among them) ask "which account am I?"
//! through the same endpoint before building queue URLs; the answer is the
//! account fifowin serves. Nothing else of STS is served.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use fifowin_wire::query::xml::Writer;

use crate::state::AppState;

/// Whether the parameters ask for `Action=GetCallerIdentity`.
pub(crate) fn is_get_caller_identity(query: Option<&str>, body: &[u8]) -> bool {
    let asks = |bytes: &[u8]| {
        bytes
            .split(|b| *b == b'&')
            .any(|pair| pair == b"Action=GetCallerIdentity")
    };
    query.is_some_and(|q| asks(q.as_bytes())) || asks(body)
}

/// The STS answer naming the configured account's root user.
pub(crate) fn caller_identity(state: &AppState, request_id: &str) -> Response {
    let account = &state.config.account_id;
    let mut w = Writer::new();
    w.open_root_in(
        "GetCallerIdentityResponse",
        "https://sts.amazonaws.com/doc/2011-06-15/",
    );
    w.open("GetCallerIdentityResult");
    w.leaf("Arn", &format!("arn:aws:iam::{account}:root"));
    w.leaf("UserId", account);
    w.leaf("Account", account);
    w.close("GetCallerIdentityResult");
    w.open("ResponseMetadata");
    w.leaf("RequestId", request_id);
    w.close("ResponseMetadata");
    w.close("GetCallerIdentityResponse");
    let mut response = Response::new(Body::from(w.finish()));
    *response.status_mut() = StatusCode::OK;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    response
}
