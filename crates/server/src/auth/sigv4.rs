//! AWS Signature Version 4, verified: the canonical request, the string to sign
//! and the derived key, computed from the request as received and compared with
//! the client's signature. Pure: the caller passes the time and the secret lookup.
//!
//! Only the `Authorization` header form is accepted (what every SDK sends for
//! SQS); presigned query-string URLs are refused as unsigned.

use std::collections::BTreeMap;

use axum::http::{HeaderMap, Method, Uri};
use fifowin_wire::{ErrorCode, SqsError};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// How far a signing time may be from the server's, as on AWS.
pub const MAX_SKEW_SECS: i64 = 15 * 60;

/// The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header.
#[derive(Debug, PartialEq, Eq)]
pub struct Authorization<'a> {
    pub access_key_id: &'a str,
    /// `<date>/<region>/<service>/aws4_request`.
    pub scope: &'a str,
    pub signed_headers: Vec<&'a str>,
    pub signature: &'a str,
}

fn incomplete(what: &str) -> SqsError {
    SqsError::new(
        ErrorCode::IncompleteSignature,
        format!("Authorization header requires '{what}' parameter."),
    )
}

/// Parses the header; anything but a complete SigV4 header is IncompleteSignature.
pub fn parse_authorization(value: &str) -> Result<Authorization<'_>, SqsError> {
    let Some(rest) = value.strip_prefix("AWS4-HMAC-SHA256") else {
        return Err(SqsError::new(
            ErrorCode::IncompleteSignature,
            "Only AWS4-HMAC-SHA256 signatures are supported.",
        ));
    };
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let credential = credential.ok_or_else(|| incomplete("Credential"))?;
    let signed = signed.ok_or_else(|| incomplete("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| incomplete("Signature"))?;
    let (access_key_id, scope) = credential
        .split_once('/')
        .ok_or_else(|| incomplete("Credential"))?;
    if access_key_id.is_empty() || scope.split('/').count() != 4 {
        return Err(incomplete("Credential"));
    }
    Ok(Authorization {
        access_key_id,
        scope,
        signed_headers: signed.split(';').filter(|h| !h.is_empty()).collect(),
        signature,
    })
}

/// Seconds since the epoch of an ISO 8601 basic timestamp (`20260101T000000Z`).
pub fn parse_amz_date(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hh, mm, ss) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from civil (H. Hinnant's algorithm): exact for the proleptic Gregorian calendar.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// `20260101T000000Z` for seconds since the epoch (for error messages).
pub fn format_amz_date(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// RFC 3986 unreserved characters stay; everything else is `%XX` (upper case).
fn uri_encode(out: &mut String, input: &str, keep_slash: bool) {
    for b in input.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && b == b'/');
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

fn percent_decode(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The canonical URI: the path as sent, encoded once more (every AWS service but
/// S3 signs the already-encoded path, "double encoding"); empty is `/`.
pub fn canonical_uri(path: &str) -> String {
    if path.is_empty() {
        return "/".into();
    }
    let mut out = String::with_capacity(path.len());
    uri_encode(&mut out, path, true);
    out
}

/// The canonical query: pairs decoded, re-encoded and sorted by name then value.
fn canonical_query(query: Option<&str>) -> String {
    let mut pairs: Vec<(String, String)> = query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let enc = |s: &str| {
                let mut out = String::new();
                uri_encode(&mut out, &percent_decode(s), false);
                out
            };
            (enc(k), enc(v))
        })
        .collect();
    pairs.sort();
    let parts: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    parts.join("&")
}

/// Header values joined by `,`, trimmed, inner runs of spaces collapsed.
fn canonical_headers(headers: &HeaderMap, signed: &[&str]) -> Result<String, SqsError> {
    let mut by_name: BTreeMap<&str, String> = BTreeMap::new();
    for name in signed {
        let values: Vec<String> = headers
            .get_all(*name)
            .iter()
            .map(|v| {
                let text = String::from_utf8_lossy(v.as_bytes());
                text.split_whitespace().collect::<Vec<_>>().join(" ")
            })
            .collect();
        if values.is_empty() {
            return Err(SqsError::new(
                ErrorCode::SignatureDoesNotMatch,
                format!("The signed header {name:?} is not in the request."),
            ));
        }
        by_name.insert(name, values.join(","));
    }
    Ok(by_name
        .into_iter()
        .map(|(k, v)| format!("{k}:{v}\n"))
        .collect())
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The lowercase hex SHA-256 of a body, the last line of a canonical request.
pub fn payload_hash(body: &[u8]) -> String {
    hex(&Sha256::digest(body))
}

/// The signature of `canonical_request` by `secret` under credential scope
/// `scope` (`yyyymmdd/region/service/aws4_request`) at `amz_date`: the string to
/// sign, and the signing key derived through the scope's parts. Verifying here
/// and signing in `fifowin bench --sign` share it.
pub fn sign(secret: &str, scope: &str, amz_date: &str, canonical_request: &str) -> String {
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let mut key = format!("AWS4{secret}").into_bytes();
    for part in scope.split('/') {
        key = hmac(&key, part.as_bytes());
    }
    hex(&hmac(&key, string_to_sign.as_bytes()))
}

/// The signature a client holding `secret` would send for this request.
#[allow(clippy::too_many_arguments)]
pub fn expected_signature(
    secret: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    auth: &Authorization<'_>,
    amz_date: &str,
) -> Result<String, SqsError> {
    let payload_hash = match headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
    {
        Some("UNSIGNED-PAYLOAD") => "UNSIGNED-PAYLOAD".to_string(),
        _ => payload_hash(body),
    };
    let canonical = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        method.as_str(),
        canonical_uri(uri.path()),
        canonical_query(uri.query()),
        canonical_headers(headers, &auth.signed_headers)?,
        auth.signed_headers.join(";"),
        payload_hash,
    );
    Ok(sign(secret, auth.scope, amz_date, &canonical))
}

/// Compares in time independent of where the strings first differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        let t = parse_amz_date("20150830T123600Z").unwrap();
        assert_eq!(t, 1_440_938_160);
        assert_eq!(format_amz_date(t), "20150830T123600Z");
        assert_eq!(parse_amz_date("20150830T123600"), None);
        assert_eq!(parse_amz_date("2015083xT123600Z"), None);
        assert_eq!(parse_amz_date("20151330T123600Z"), None);
    }

    /// AWS's documented example (IAM ListUsers, GET, "Example: signing a request").
    #[test]
    fn matches_the_aws_documentation_example() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8"
                .parse()
                .unwrap(),
        );
        headers.insert("host", "iam.amazonaws.com".parse().unwrap());
        headers.insert("x-amz-date", "20150830T123600Z".parse().unwrap());
        let header = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
        let auth = parse_authorization(header).unwrap();
        let uri: Uri = "/?Action=ListUsers&Version=2010-05-08".parse().unwrap();
        let sig = expected_signature(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            &Method::GET,
            &uri,
            &headers,
            b"",
            &auth,
            "20150830T123600Z",
        )
        .unwrap();
        assert_eq!(sig, auth.signature);
    }

    #[test]
    fn malformed_headers_are_incomplete_signatures() {
        for bad in [
            "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=x",
            "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/sqs/aws4_request, Signature=x",
            "AWS4-HMAC-SHA256 Credential=AK/20150830, SignedHeaders=host, Signature=x",
            "Bearer token",
        ] {
            assert_eq!(
                parse_authorization(bad).unwrap_err().code,
                ErrorCode::IncompleteSignature,
                "{bad}"
            );
        }
    }

    #[test]
    fn canonical_query_sorts_and_encodes() {
        assert_eq!(canonical_query(Some("b=2&a=x%20y&a=1")), "a=1&a=x%20y&b=2");
        assert_eq!(canonical_query(None), "");
        assert_eq!(canonical_uri("/000000000000/q%2F"), "/000000000000/q%252F");
    }
}
