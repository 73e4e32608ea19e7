//! SigV4 verification against requests signed here with the same algorithm that
//! the AWS documentation example pins down (see `sigv4::tests`).

use super::*;
use crate::config::AccessKeys;

const NOW: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

fn config() -> AuthConfig {
    let mut keys = AccessKeys::default();
    keys.insert("AKIDLOCAL", "secret/with+chars");
    AuthConfig {
        mode: AuthMode::SigV4,
        keys,
        control: ControlAccess::Open,
    }
}

fn signed(secret: &str, akid: &str, at: i64, body: &[u8]) -> HeaderMap {
    let date = fifowin_sigv4::format_amz_date(at);
    let mut headers = HeaderMap::new();
    headers.insert("host", "127.0.0.1:9324".parse().unwrap());
    headers.insert("x-amz-date", date.parse().unwrap());
    headers.insert("x-amz-target", "AmazonSQS.ListQueues".parse().unwrap());
    let scope = format!("{}/us-east-1/sqs/aws4_request", &date[..8]);
    let unsigned = format!(
        "AWS4-HMAC-SHA256 Credential={akid}/{scope}, SignedHeaders=host;x-amz-date;x-amz-target, Signature=0"
    );
    let auth = sigv4::parse_authorization(&unsigned).unwrap();
    let sig = sigv4::expected_signature(
        secret,
        &Method::POST,
        &"/".parse().unwrap(),
        &headers,
        body,
        &auth,
        &date,
    )
    .unwrap();
    let value = unsigned.replace("Signature=0", &format!("Signature={sig}"));
    headers.insert(header::AUTHORIZATION, value.parse().unwrap());
    headers
}

fn check(headers: &HeaderMap, body: &[u8]) -> Result<(), ErrorCode> {
    verify_at(
        &config(),
        &Method::POST,
        &"/".parse().unwrap(),
        headers,
        body,
        NOW,
    )
    .map_err(|e| e.code)
}

#[test]
fn a_good_signature_passes() {
    let headers = signed("secret/with+chars", "AKIDLOCAL", NOW - 60, b"{}");
    assert_eq!(check(&headers, b"{}"), Ok(()));
}

#[test]
fn each_failure_has_its_aws_code() {
    let good = signed("secret/with+chars", "AKIDLOCAL", NOW, b"{}");
    assert_eq!(
        check(&good, b"{\"x\":1}"),
        Err(ErrorCode::SignatureDoesNotMatch)
    );
    let wrong_secret = signed("other", "AKIDLOCAL", NOW, b"{}");
    assert_eq!(
        check(&wrong_secret, b"{}"),
        Err(ErrorCode::SignatureDoesNotMatch)
    );
    let unknown = signed("secret/with+chars", "AKIDOTHER", NOW, b"{}");
    assert_eq!(check(&unknown, b"{}"), Err(ErrorCode::InvalidClientTokenId));
    let old = signed("secret/with+chars", "AKIDLOCAL", NOW - 16 * 60, b"{}");
    assert_eq!(check(&old, b"{}"), Err(ErrorCode::RequestExpired));
    let future = signed("secret/with+chars", "AKIDLOCAL", NOW + 16 * 60, b"{}");
    assert_eq!(check(&future, b"{}"), Err(ErrorCode::RequestExpired));
    assert_eq!(
        check(&HeaderMap::new(), b"{}"),
        Err(ErrorCode::MissingAuthenticationToken)
    );
    let mut tampered = good.clone();
    tampered.insert("x-amz-target", "AmazonSQS.DeleteQueue".parse().unwrap());
    assert_eq!(
        check(&tampered, b"{}"),
        Err(ErrorCode::SignatureDoesNotMatch)
    );
}

#[test]
fn auth_off_accepts_anything() {
    let config = AuthConfig::default();
    let ok = verify(
        &config,
        &Method::POST,
        &"/".parse().unwrap(),
        &HeaderMap::new(),
        b"",
    );
    assert!(ok.is_ok());
}

#[test]
fn debug_output_hides_secrets() {
    let mut config = config();
    config.control = ControlAccess::Token("tok-123".into());
    let text = format!("{config:?}");
    assert!(text.contains("AKIDLOCAL"));
    assert!(
        !text.contains("secret/with+chars") && !text.contains("tok-123"),
        "{text}"
    );
}
