//! SigV4 signatures for the generator's requests (`--sign`), for endpoints that
//! check them: fifowin with `--auth sigv4`, and SQS endpoints reached over HTTP.
//!
//! Only what the generator sends is covered: `POST` with the JSON protocol's
//! headers, a path and no query string. Signing costs a few microseconds per
//! request (two SHA-256 digests and five HMACs), so it is off unless asked for.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

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

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC takes keys of any length, so `new_from_slice` cannot fail.
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0xf)]])
        .map(char::from)
        .collect()
}

/// The path as sent, encoded once more: every service but S3 signs the
/// already-encoded path. RFC 3986 unreserved characters and `/` stay.
fn canonical_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// `(20260101T000000Z, 20260101)` for a time.
fn amz_date(at: SystemTime) -> (String, String) {
    let secs = at
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let stamp = fifowin_server::auth::sigv4::format_amz_date(secs);
    let day = stamp[..8].to_string();
    (stamp, day)
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
        let (stamp, day) = amz_date(at);
        let token = self.session_token.as_deref();
        let mut canonical_headers =
            format!("content-type:application/x-amz-json-1.0\nhost:{host}\nx-amz-date:{stamp}\n");
        let mut signed = String::from("content-type;host;x-amz-date");
        if let Some(token) = token {
            canonical_headers.push_str(&format!("x-amz-security-token:{token}\n"));
            signed.push_str(";x-amz-security-token");
        }
        canonical_headers.push_str(&format!("x-amz-target:AmazonSQS.{op}\n"));
        signed.push_str(";x-amz-target");
        let canonical = format!(
            "POST\n{}\n\n{canonical_headers}\n{signed}\n{}",
            canonical_uri(path),
            hex(&Sha256::digest(body)),
        );
        let scope = format!("{day}/{}/sqs/aws4_request", self.region);
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{}",
            hex(&Sha256::digest(canonical.as_bytes()))
        );
        let mut key = hmac(
            format!("AWS4{}", self.secret_access_key).as_bytes(),
            day.as_bytes(),
        );
        for part in [self.region.as_str(), "sqs", "aws4_request"] {
            key = hmac(&key, part.as_bytes());
        }
        let signature = hex(&hmac(&key, string_to_sign.as_bytes()));
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

    /// The signature AWS's documented derivation gives, worked through with
    /// the request's pieces written out by hand (not through `write_headers`).
    #[test]
    fn signs_like_the_documented_derivation() {
        let at = UNIX_EPOCH + Duration::from_secs(1_767_225_600); // 2026-01-01T00:00:00Z
        let signer = Signer::new(
            "AKIDEXAMPLE".into(),
            "secret/key".into(),
            None,
            "eu-west-1".into(),
        );
        let mut out = Vec::new();
        signer.write_headers(&mut out, "127.0.0.1:9324", "/", "ListQueues", b"{}", at);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(header(&text, "X-Amz-Date"), Some("20260101T000000Z"));

        let body_hash = hex(&Sha256::digest(b"{}"));
        let canonical = format!(
            "POST\n/\n\ncontent-type:application/x-amz-json-1.0\nhost:127.0.0.1:9324\nx-amz-date:20260101T000000Z\nx-amz-target:AmazonSQS.ListQueues\n\ncontent-type;host;x-amz-date;x-amz-target\n{body_hash}"
        );
        let to_sign = format!(
            "AWS4-HMAC-SHA256\n20260101T000000Z\n20260101/eu-west-1/sqs/aws4_request\n{}",
            hex(&Sha256::digest(canonical.as_bytes()))
        );
        let k_date = hmac(b"AWS4secret/key", b"20260101");
        let k_region = hmac(&k_date, b"eu-west-1");
        let k_service = hmac(&k_region, b"sqs");
        let k_signing = hmac(&k_service, b"aws4_request");
        let signature = hex(&hmac(&k_signing, to_sign.as_bytes()));
        assert_eq!(
            header(&text, "Authorization"),
            Some(
                format!(
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={signature}"
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
        assert!(header(&text, "Authorization").unwrap().contains(
            "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,"
        ));
    }

    #[test]
    fn paths_are_encoded_once_more() {
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(
            canonical_uri("/000000000000/q%20x.fifo"),
            "/000000000000/q%2520x.fifo"
        );
    }
}
