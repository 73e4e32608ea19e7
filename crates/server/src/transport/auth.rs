//! Who may talk to the server, checked: SigV4 verification of SQS requests
//! (`--auth sigv4`) against the server's access keys, and the bearer token of
//! the control API (its settings are `config/auth.rs`).
//!
//! Errors name the key id, never the secret or the signature.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use fifowin_wire::{ErrorCode, SqsError};

use crate::config::auth::{AuthConfig, AuthMode, ControlAccess};

pub(crate) mod sigv4;

fn now_secs() -> i64 {
    // Signatures are made with the client's wall clock, so they are checked
    // against ours, never against the (possibly manual) queue clock.
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Checks an SQS request's signature; `Ok` when auth is off or the signature is good.
pub(crate) fn verify(
    config: &AuthConfig,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), SqsError> {
    if config.mode == AuthMode::None {
        return Ok(());
    }
    verify_at(config, method, uri, headers, body, now_secs())
}

fn verify_at(
    config: &AuthConfig,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
) -> Result<(), SqsError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(SqsError::new(
            ErrorCode::MissingAuthenticationToken,
            "Request is missing Authentication Token",
        ));
    };
    let value = value.to_str().map_err(|_| {
        SqsError::new(
            ErrorCode::IncompleteSignature,
            "The Authorization header is not text.",
        )
    })?;
    let auth = sigv4::parse_authorization(value)?;
    let Some(secret) = config.keys.secret(auth.access_key_id) else {
        return Err(SqsError::new(
            ErrorCode::InvalidClientTokenId,
            "The security token included in the request is invalid.",
        ));
    };
    let amz_date = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            SqsError::new(
                ErrorCode::IncompleteSignature,
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
            )
        })?;
    let signed_at = fifowin_sigv4::parse_amz_date(amz_date).ok_or_else(|| {
        SqsError::new(
            ErrorCode::IncompleteSignature,
            format!("X-Amz-Date {amz_date:?} is not an ISO 8601 basic timestamp."),
        )
    })?;
    if !auth.scope.starts_with(&amz_date[..8]) {
        return Err(SqsError::new(
            ErrorCode::SignatureDoesNotMatch,
            "Credential should be scoped to a valid date matching X-Amz-Date.",
        ));
    }
    if (now - signed_at).abs() > sigv4::MAX_SKEW_SECS {
        let (earlier, bound) = if signed_at < now {
            ("earlier", now - sigv4::MAX_SKEW_SECS)
        } else {
            ("later", now + sigv4::MAX_SKEW_SECS)
        };
        let sign = if signed_at < now { '-' } else { '+' };
        return Err(SqsError::new(
            ErrorCode::RequestExpired,
            format!(
                "Signature expired: {amz_date} is now {earlier} than {} ({} {sign} 15 min.)",
                fifowin_sigv4::format_amz_date(bound),
                fifowin_sigv4::format_amz_date(now),
            ),
        ));
    }
    let expected = sigv4::expected_signature(secret, method, uri, headers, body, &auth, amz_date)?;
    if !fifowin_sigv4::constant_time_eq(&expected, auth.signature) {
        return Err(SqsError::new(
            ErrorCode::SignatureDoesNotMatch,
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        ));
    }
    Ok(())
}

/// Middleware on the control routes: lets a request through when the control API
/// is open or the request carries the bearer token.
pub(crate) async fn control_guard(
    State(access): State<ControlAccess>,
    request: Request,
    next: Next,
) -> Response {
    if let ControlAccess::Token(token) = &access {
        let presented = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !fifowin_sigv4::constant_time_eq(presented.trim(), token) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                axum::Json(serde_json::json!({
                    "error": "the control API needs `Authorization: Bearer <token>` (fifowin serve --control-token)"
                })),
            )
                .into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests;
