//! Who may talk to the server: optional SigV4 verification of SQS requests
//! (`--auth sigv4`) against the server's access keys, and the control API's
//! access (open, behind a bearer token, or not served at all).
//!
//! Secrets never reach a log line: [`AccessKeys`] prints key ids only, and
//! errors name the key id, never the secret or the signature.

use std::collections::HashMap;
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use fifowin_wire::{ErrorCode, SqsError};

pub mod sigv4;

/// How SQS requests are authenticated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum AuthMode {
    /// Any request is accepted; credentials are not checked (the default, as for
    /// every local emulator).
    #[default]
    None,
    /// Every SQS request must carry a valid SigV4 signature by one of the keys.
    SigV4,
}

/// Access key id -> secret access key.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AccessKeys(HashMap<String, String>);

impl AccessKeys {
    /// Adds a key pair.
    pub fn insert(&mut self, access_key_id: impl Into<String>, secret: impl Into<String>) {
        self.0.insert(access_key_id.into(), secret.into());
    }

    /// Parses `AKID:SECRET` (the secret may contain `:`).
    pub fn parse_pair(text: &str) -> Option<(String, String)> {
        let (id, secret) = text.split_once(':')?;
        (!id.is_empty() && !secret.is_empty()).then(|| (id.to_string(), secret.to_string()))
    }

    /// How many keys there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// No keys at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn secret(&self, access_key_id: &str) -> Option<&str> {
        self.0.get(access_key_id).map(String::as_str)
    }
}

impl fmt::Debug for AccessKeys {
    // Key ids only: a config dumped into a log must not leak a secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut ids: Vec<&String> = self.0.keys().collect();
        ids.sort();
        f.debug_struct("AccessKeys")
            .field("ids", &ids)
            .finish_non_exhaustive()
    }
}

/// Who may use the control API (`/_fifowin/*` and `/metrics`).
#[derive(Clone, Default, PartialEq, Eq)]
pub enum ControlAccess {
    /// Anyone who can reach the port (the default; the server binds loopback).
    #[default]
    Open,
    /// Requests must carry `Authorization: Bearer <token>`.
    Token(String),
    /// The routes are not served; those paths reach the SQS handler (an SQS error).
    Disabled,
}

impl fmt::Debug for ControlAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ControlAccess::Open => "Open",
            ControlAccess::Token(_) => "Token(<redacted>)",
            ControlAccess::Disabled => "Disabled",
        })
    }
}

/// The server's authentication settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthConfig {
    pub mode: AuthMode,
    pub keys: AccessKeys,
    pub control: ControlAccess,
}

fn now_secs() -> i64 {
    // Signatures are made with the client's wall clock, so they are checked
    // against ours, never against the (possibly manual) queue clock.
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Checks an SQS request's signature; `Ok` when auth is off or the signature is good.
pub fn verify(
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
pub async fn control_guard(
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
