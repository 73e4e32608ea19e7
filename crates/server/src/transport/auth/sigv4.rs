//! AWS Signature Version 4, verified: the `Authorization` header parsed and the
//! canonical request rebuilt from the request as received, signed with
//! `fifowin_sigv4::sign` and compared with the client's signature. Pure: the
//! caller passes the time and the secret lookup.
//!
//! Only the `Authorization` header form is accepted (what every SDK sends for
//! SQS); presigned query-string URLs are refused as unsigned.

use std::collections::BTreeMap;

use axum::http::{HeaderMap, Method, Uri};
use fifowin_sigv4::{canonical_query, canonical_uri, payload_hash, sign};
use fifowin_wire::{ErrorCode, SqsError};

/// How far a signing time may be from the server's, as on AWS.
pub(crate) const MAX_SKEW_SECS: i64 = 15 * 60;

/// The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Authorization<'a> {
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
pub(crate) fn parse_authorization(value: &str) -> Result<Authorization<'_>, SqsError> {
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

/// The signature a client holding `secret` would send for this request.
#[allow(clippy::too_many_arguments)]
pub(crate) fn expected_signature(
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
