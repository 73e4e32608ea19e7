//! SigV4 signatures for the generator's requests (`--sign`), for endpoints that
//! check them: fifowin with `--auth sigv4`, and SQS endpoints reached over HTTP.
//!
//! Only what the generator sends is covered: `POST` with the JSON protocol's
//! headers, a path and no query string. The canonical request is built here;
//! the string to sign and the key derivation are `fifowin_sigv4::sign`, which
//! the server's verifier uses too (checked against the AWS documentation's
//! example). Signing costs a few microseconds per request, so it is off unless
//! asked for.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use fifowin_sigv4::{canonical_uri, format_amz_date, payload_hash, sign};

/// An access key and the region its signatures are scoped to.
#[derive(Clone)]
pub struct Signer {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    region: String,
}

impl fmt::Debug for Signer {
    // The key id only: a plan printed for debugging must not leak the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("access_key_id", &self.access_key_id)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// `20260101T000000Z` for a time.
fn amz_date(at: SystemTime) -> String {
    let secs = at
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    format_amz_date(secs)
}

/// The canonical request of a generator call and its signed-headers list.
fn canonical_request(
    host: &str,
    path: &str,
    op: &str,
    body: &[u8],
    stamp: &str,
    token: Option<&str>,
) -> (String, String) {
    let mut headers =
        format!("content-type:application/x-amz-json-1.0\nhost:{host}\nx-amz-date:{stamp}\n");
    let mut signed = String::from("content-type;host;x-amz-date");
    if let Some(token) = token {
        headers.push_str(&format!("x-amz-security-token:{token}\n"));
        signed.push_str(";x-amz-security-token");
    }
    headers.push_str(&format!("x-amz-target:AmazonSQS.{op}\n"));
    signed.push_str(";x-amz-target");
    let canonical = format!(
        "POST\n{}\n\n{headers}\n{signed}\n{}",
        canonical_uri(path),
        payload_hash(body)
    );
    (canonical, signed)
}

impl Signer {
    pub fn new(
        access_key_id: String,
        secret_access_key: String,
        session_token: Option<String>,
        region: String,
    ) -> Signer {
        Signer {
            access_key_id,
            secret_access_key,
            session_token,
            region,
        }
    }

    /// Appends the header lines (`X-Amz-Date`, `X-Amz-Security-Token` when there
    /// is a session token, `Authorization`, each ending in CRLF) that sign a
    /// `POST` of `body` to `path` on `host` with `X-Amz-Target: AmazonSQS.<op>`
    /// and the JSON content type, at `at`.
    pub fn write_headers(
        &self,
        out: &mut Vec<u8>,
        host: &str,
        path: &str,
        op: &str,
        body: &[u8],
        at: SystemTime,
    ) {
        let stamp = amz_date(at);
        let token = self.session_token.as_deref();
        let (canonical, signed) = canonical_request(host, path, op, body, &stamp, token);
        let scope = format!("{}/{}/sqs/aws4_request", &stamp[..8], self.region);
        let signature = sign(&self.secret_access_key, &scope, &stamp, &canonical);
        out.extend_from_slice(format!("X-Amz-Date: {stamp}\r\n").as_bytes());
        if let Some(token) = token {
            out.extend_from_slice(format!("X-Amz-Security-Token: {token}\r\n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "Authorization: AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed}, Signature={signature}\r\n",
                self.access_key_id
            )
            .as_bytes(),
        );
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn header<'a>(text: &'a str, name: &str) -> Option<&'a str> {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
    }

    /// 2026-01-01T00:00:00Z.
    fn new_year() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_767_225_600)
    }

    #[test]
    fn the_canonical_request_signs_the_headers_the_client_sends() {
        let (canonical, signed) = canonical_request(
            "127.0.0.1:9324",
            "/000000000000/q%20x.fifo",
            "ListQueues",
            b"{}",
            "20260101T000000Z",
            None,
        );
        assert_eq!(signed, "content-type;host;x-amz-date;x-amz-target");
        assert_eq!(
            canonical,
            "POST\n/000000000000/q%2520x.fifo\n\n\
             content-type:application/x-amz-json-1.0\nhost:127.0.0.1:9324\n\
             x-amz-date:20260101T000000Z\nx-amz-target:AmazonSQS.ListQueues\n\n\
             content-type;host;x-amz-date;x-amz-target\n\
             44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
    }

    #[test]
    fn headers_carry_the_date_the_scope_and_the_signature() {
        let signer = Signer::new(
            "AKIDEXAMPLE".into(),
            "secret/key".into(),
            None,
            "eu-west-1".into(),
        );
        let mut out = Vec::new();
        signer.write_headers(&mut out, "h:1", "/", "ListQueues", b"{}", new_year());
        let text = String::from_utf8(out).unwrap();
        assert_eq!(header(&text, "X-Amz-Date"), Some("20260101T000000Z"));
        let (canonical, _) =
            canonical_request("h:1", "/", "ListQueues", b"{}", "20260101T000000Z", None);
        let scope = "20260101/eu-west-1/sqs/aws4_request";
        let signature = sign("secret/key", scope, "20260101T000000Z", &canonical);
        assert_eq!(
            header(&text, "Authorization"),
            Some(
                format!(
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{scope}, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={signature}"
                )
                .as_str()
            )
        );
    }

    #[test]
    fn session_tokens_are_sent_and_signed() {
        let signer = Signer::new(
            "AKID".into(),
            "s".into(),
            Some("tok+en/=".into()),
            "us-east-1".into(),
        );
        let mut out = Vec::new();
        signer.write_headers(&mut out, "h", "/", "ListQueues", b"{}", UNIX_EPOCH);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(header(&text, "X-Amz-Security-Token"), Some("tok+en/="));
        let (canonical, _) = canonical_request(
            "h",
            "/",
            "ListQueues",
            b"{}",
            "19700101T000000Z",
            Some("tok+en/="),
        );
        assert!(canonical.contains("\nx-amz-security-token:tok+en/=\nx-amz-target:"));
        assert!(header(&text, "Authorization").unwrap().contains(
            "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,"
        ));
    }
}
