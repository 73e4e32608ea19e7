//! Browser protection: what keeps a web page the developer happens to visit from
//! using the server. Checked in the accept loop's service (`router_bypass.rs`)
//! before a request goes to the router or the direct SQS path, so both are covered.
//!
//! - A request with an `Origin` that is neither the server's own origin (the
//!   request's Host, or `--public-url`) nor one allowed with `--cors-allow-origin`
//!   is refused with 403. Browsers send `Origin` on every cross-origin request that
//!   can change something, including "simple" text/plain and form posts that need
//!   no preflight. Requests a page makes without `Origin` (an `<img>` GET of a
//!   Query URL) carry `Sec-Fetch-Site: cross-site`, refused the same way.
//! - On a loopback bind, a `Host` other than localhost, 127.0.0.1, `[::1]`, the
//!   `--public-url` host or an `--allow-host` is refused with 403: a DNS-rebinding
//!   page reaches 127.0.0.1 under its own name, and its requests are same-origin.
//! - Control API requests with a body must say `Content-Type: application/json`
//!   (else 415), so no form or text/plain post can reach it even without `Origin`.
//! - CORS headers only for `--cors-allow-origin` origins, which also get preflights.
//!
//! SDKs and the CLI send neither `Origin` nor `Sec-Fetch-Site`: for them this is
//! three header lookups and a short comparison.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fifowin_wire::{ErrorCode, SqsError};

use super::{json, query};
use crate::config::{ControlAccess, ServerConfig};

/// Sent by browsers on every request: where the page that made it came from.
const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// Host names a loopback server always answers to (with any port).
const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// The host name of a Host header value or URL authority: the port and any
/// IPv6 brackets' contents kept as one name (`[::1]:9324` -> `[::1]`).
fn host_name(authority: &str) -> &str {
    if authority.starts_with('[') {
        return authority
            .find(']')
            .map_or(authority, |end| &authority[..=end]);
    }
    authority.split(':').next().unwrap_or(authority)
}

/// `scheme://authority` of a URL such as `--public-url` (lowercase).
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty()).then(|| format!("{scheme}://{authority}").to_ascii_lowercase())
}

/// The decision for one request.
pub(crate) enum Verdict {
    /// Serve it as usual.
    Pass,
    /// Serve it and add CORS headers for this allowed origin.
    Cors(HeaderValue),
    /// Answer with this at once (a refusal, or a preflight's answer).
    Answer(Response),
}

/// The protection rules with everything they need, built once per listener.
#[derive(Debug)]
pub(crate) struct Guard {
    /// The listener is on a loopback address: check Host (DNS rebinding).
    check_host: bool,
    /// Host names answered to, lowercase, without port.
    hosts: Vec<String>,
    /// `--public-url`'s origin, also the server's own.
    public_origin: Option<String>,
    /// `--cors-allow-origin`.
    cors_origins: Vec<String>,
    /// The control API is served, so its content-type rule applies.
    control: bool,
}

impl Guard {
    pub(crate) fn new(config: &ServerConfig, loopback: bool) -> Self {
        let public_origin = config.public_url.as_deref().and_then(origin_of);
        let mut hosts: Vec<String> = LOOPBACK_HOSTS.iter().map(|h| (*h).to_string()).collect();
        if let Some(origin) = &public_origin
            && let Some((_, authority)) = origin.split_once("://")
        {
            hosts.push(host_name(authority).to_string());
        }
        hosts.extend(config.browser.allow_hosts.iter().cloned());
        Self {
            check_host: loopback,
            hosts,
            public_origin,
            cors_origins: config.browser.cors_allow_origins.clone(),
            control: config.auth.control != ControlAccess::Disabled,
        }
    }

    pub(crate) fn check<B>(&self, request: &hyper::Request<B>) -> Verdict {
        let headers = request.headers();
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let path = request.uri().path();
        if self.check_host
            && let Some(host) = host
            && !self.host_allowed(host)
        {
            let message = format!(
                "this server is on a loopback address and does not answer to Host {host:?} \
                 (a DNS-rebinding page would arrive so): use localhost, 127.0.0.1 or [::1], \
                 or allow the name with --allow-host"
            );
            return Verdict::Answer(self.refusal(path, headers, StatusCode::FORBIDDEN, message));
        }
        let mut cors = None;
        if let Some(origin) = headers.get(header::ORIGIN) {
            let text = origin.to_str().unwrap_or("");
            if self
                .cors_origins
                .iter()
                .any(|o| o.eq_ignore_ascii_case(text))
            {
                cors = Some(origin.clone());
            } else if !self.same_origin(text, host) {
                let message = format!(
                    "requests from web pages of origin {text:?} are refused: only the server's \
                     own origin may call it (allow another with --cors-allow-origin)"
                );
                return Verdict::Answer(self.refusal(
                    path,
                    headers,
                    StatusCode::FORBIDDEN,
                    message,
                ));
            }
        } else if let Some(site) = headers.get(SEC_FETCH_SITE)
            && matches!(site.as_bytes(), b"cross-site" | b"same-site")
        {
            let message = "requests made by other web sites' pages are refused (Sec-Fetch-Site: \
                           cross-site); allow an origin with --cors-allow-origin"
                .to_string();
            return Verdict::Answer(self.refusal(path, headers, StatusCode::FORBIDDEN, message));
        }
        if let Some(origin) = &cors
            && request.method() == Method::OPTIONS
            && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
        {
            return Verdict::Answer(preflight(origin, headers));
        }
        if self.control && is_control_path(path) && has_body(headers) && !is_json(headers) {
            let message = "control API requests with a body must be sent as \
                           Content-Type: application/json"
                .to_string();
            return Verdict::Answer(self.refusal(
                path,
                headers,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                message,
            ));
        }
        match cors {
            Some(origin) => Verdict::Cors(origin),
            None => Verdict::Pass,
        }
    }

    fn host_allowed(&self, host: &str) -> bool {
        let name = host_name(host);
        self.hosts.iter().any(|h| h.eq_ignore_ascii_case(name))
    }

    /// `origin` is `http(s)://` + the request's Host, or `--public-url`'s origin.
    fn same_origin(&self, origin: &str, host: Option<&str>) -> bool {
        let authority = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"));
        if let (Some(authority), Some(host)) = (authority, host)
            && authority.eq_ignore_ascii_case(host)
        {
            return true;
        }
        self.public_origin
            .as_deref()
            .is_some_and(|o| o.eq_ignore_ascii_case(origin))
    }

    /// A refusal in the caller's own dialect: the control API's `{"error"}`,
    /// an SQS JSON error, or a Query XML error.
    fn refusal(
        &self,
        path: &str,
        headers: &HeaderMap,
        status: StatusCode,
        message: String,
    ) -> Response {
        let request_id = uuid::Uuid::new_v4().to_string();
        if self.control && is_control_path(path) {
            return (status, axum::Json(serde_json::json!({ "error": message }))).into_response();
        }
        let error = SqsError::new(ErrorCode::AccessDenied, message);
        let mut response = if headers.contains_key("x-amz-target") {
            json::json_error(&request_id, &error)
        } else {
            query::xml_error(&request_id, &error)
        };
        *response.status_mut() = status;
        response
    }
}

/// The paths of the control API (which falls through to SQS when not served).
fn is_control_path(path: &str) -> bool {
    path.starts_with("/_fifowin/") || path == "/metrics" || path.starts_with("/moto-api/")
}

fn has_body(headers: &HeaderMap) -> bool {
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .is_some_and(|n| n.as_bytes() != b"0")
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// What an allowed origin's page may send and read.
const ALLOW_METHODS: &str = "GET, POST, DELETE";
const EXPOSE_HEADERS: &str = "x-amzn-requestid, x-amzn-query-error";
/// How long a browser may reuse a preflight's answer, s.
const PREFLIGHT_MAX_AGE: &str = "600";

/// The answer to a preflight from an allowed origin: the methods, the headers it
/// asked for (an SDK's set varies by version), and how long to remember it.
fn preflight(origin: &HeaderValue, headers: &HeaderMap) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    let out = response.headers_mut();
    out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    out.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOW_METHODS),
    );
    if let Some(asked) = headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
        out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked.clone());
    }
    out.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(PREFLIGHT_MAX_AGE),
    );
    out.insert(header::VARY, HeaderValue::from_static("Origin"));
    response
}

/// Adds the CORS headers of an allowed origin to a response.
pub(crate) fn add_cors(response: &mut Response, origin: HeaderValue) {
    let out = response.headers_mut();
    out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    out.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSE_HEADERS),
    );
    out.append(header::VARY, HeaderValue::from_static("Origin"));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(guard: &Guard, headers: &[(&str, &str)]) -> Option<u16> {
        let mut request = hyper::Request::post("/_fifowin/reset");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        match guard.check(&request.body(()).unwrap()) {
            Verdict::Pass => None,
            Verdict::Cors(_) => Some(0),
            Verdict::Answer(response) => Some(response.status().as_u16()),
        }
    }

    #[test]
    fn a_server_beyond_loopback_answers_any_host_but_still_checks_origin() {
        let config = ServerConfig::default();
        let open = Guard::new(&config, false);
        assert_eq!(verdict(&open, &[("host", "sqs.example.com:9324")]), None);
        assert_eq!(
            verdict(
                &open,
                &[
                    ("host", "sqs.example.com:9324"),
                    ("origin", "http://sqs.example.com:9324")
                ]
            ),
            None
        );
        assert_eq!(
            verdict(
                &open,
                &[
                    ("host", "sqs.example.com:9324"),
                    ("origin", "http://evil.example")
                ]
            ),
            Some(403)
        );
        let loopback = Guard::new(&config, true);
        assert_eq!(
            verdict(&loopback, &[("host", "sqs.example.com:9324")]),
            Some(403)
        );
        assert_eq!(verdict(&loopback, &[("origin", "null")]), Some(403));
    }

    #[test]
    fn host_names_lose_their_port() {
        assert_eq!(host_name("localhost:9324"), "localhost");
        assert_eq!(host_name("[::1]:9324"), "[::1]");
        assert_eq!(host_name("127.0.0.1"), "127.0.0.1");
        assert_eq!(
            origin_of("http://SQS.local:9324/000000000000").as_deref(),
            Some("http://sqs.local:9324")
        );
    }
}
