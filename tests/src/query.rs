//! Query-protocol helpers for the harness: form-encoded POSTs and GETs with
//! `Action=...`, and just enough XML reading to assert on answers (element text by
//! name, entities decoded). Hand-rolled on purpose: the tests must not share the
//! server's XML code.

use crate::{RawResponse, TestServer};

/// Percent-encodes one form component (everything but unreserved characters).
pub fn form_component(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `a=1&b=2`, each part percent-encoded.
pub fn form(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", form_component(k), form_component(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl TestServer {
    /// POSTs a Query request (form body) to `path`.
    pub async fn query(&self, path: &str, params: &[(&str, &str)]) -> RawResponse {
        self.raw(
            path,
            &[(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8".into(),
            )],
            form(params),
        )
        .await
    }

    /// POSTs a Query request (form body) to `path` that accepts a JSON answer.
    pub async fn query_json(&self, path: &str, params: &[(&str, &str)]) -> RawResponse {
        self.raw(
            path,
            &[
                (
                    "content-type",
                    "application/x-www-form-urlencoded; charset=utf-8".into(),
                ),
                ("accept", "application/json".into()),
            ],
            form(params),
        )
        .await
    }

    /// GETs a Query request with its parameters in the query string.
    pub async fn query_get(&self, path: &str, params: &[(&str, &str)]) -> RawResponse {
        self.query_get_accepting(path, params, None).await
    }

    /// GETs a Query request, with an `Accept` header when given.
    pub async fn query_get_accepting(
        &self,
        path: &str,
        params: &[(&str, &str)],
        accept: Option<&str>,
    ) -> RawResponse {
        let url = if params.is_empty() {
            format!("{}{path}", self.endpoint)
        } else {
            format!("{}{path}?{}", self.endpoint, form(params))
        };
        let mut req = self.http.get(url);
        if let Some(accept) = accept {
            req = req.header("accept", accept);
        }
        let resp = req.send().await.expect("request reaches the server");
        RawResponse {
            status: resp.status().as_u16(),
            headers: resp.headers().clone(),
            body: resp.text().await.expect("response body"),
        }
    }
}

/// The decoded text of every `<name>...</name>` element, in document order.
pub fn xml_values(xml: &str, name: &str) -> Vec<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(&close) else { break };
        out.push(unescape(&after[..end]));
        rest = &after[end + close.len()..];
    }
    out
}

/// The one `<name>` element's text; panics when there is not exactly one.
pub fn xml_value(xml: &str, name: &str) -> String {
    let mut all = xml_values(xml, name);
    assert_eq!(all.len(), 1, "exactly one <{name}> in {xml}");
    all.remove(0)
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#xD;", "\r")
        .replace("&amp;", "&")
}

/// Asserts a Query XML error: status, `Type`, `Code`, `Message`, a request id in
/// the body and the header, and the content type.
pub fn assert_query_error(resp: &RawResponse, status: u16, code: &str, message: &str) {
    assert_eq!(resp.status, status, "status of {resp:?}");
    assert!(
        resp.body.starts_with("<?xml version=\"1.0\"?><ErrorResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\">"),
        "envelope of {resp:?}"
    );
    assert_eq!(xml_value(&resp.body, "Type"), "Sender");
    assert_eq!(xml_value(&resp.body, "Code"), code, "code of {resp:?}");
    assert_eq!(
        xml_value(&resp.body, "Message"),
        message,
        "message of {resp:?}"
    );
    let id = xml_value(&resp.body, "RequestId");
    assert_eq!(resp.header("x-amzn-requestid"), Some(id.as_str()));
    assert_eq!(resp.header("content-type"), Some("text/xml"));
}
