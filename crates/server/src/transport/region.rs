//! The region a request addresses, taken at the edge like every other input:
//! the endpoint's region (a `Host` such as `sqs.<region>.amazonaws.com`) first,
//! as AWS routes by the endpoint; then the SigV4 credential scope
//! (`Credential=<key>/<date>/<region>/sqs/aws4_request`, in the `Authorization`
//! header or a presigned URL's `X-Amz-Credential`); then the server's `--region`.
//! A scope that disagrees with the endpoint is not an error here, as fifowin
//! accepts any credentials: the endpoint's region wins. A queue URL that names a
//! region overrides all of these for the queue it addresses (`sqs::address`).

use axum::http::HeaderMap;

use crate::sqs::address::region_of_host;

/// The region of a request with these headers and query string.
pub(crate) fn of_request(headers: &HeaderMap, query: Option<&str>, default: &str) -> String {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    text("host")
        .and_then(region_of_host)
        .or_else(|| text("authorization").and_then(header_scope))
        .or_else(|| query.and_then(query_scope))
        .unwrap_or(default)
        .to_string()
}

/// The region of a SigV4 `Authorization` header's credential scope.
fn header_scope(authorization: &str) -> Option<&str> {
    let rest = &authorization[authorization.find("Credential=")? + "Credential=".len()..];
    let credential = rest.split([',', ' ']).next()?;
    scope_region(credential.split('/'))
}

/// The region of a presigned request's `X-Amz-Credential` parameter, whose
/// slashes arrive percent-encoded.
fn query_scope(query: &str) -> Option<&str> {
    let value = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("X-Amz-Credential="))?;
    let parts = value
        .split('/')
        .flat_map(|p| p.split("%2F"))
        .flat_map(|p| p.split("%2f"));
    scope_region(parts)
}

/// `<key>/<date>/<region>/<service>/aws4_request`: the third part, if it is a
/// plain token (regions are letters, digits and hyphens).
fn scope_region<'a>(mut parts: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let region = parts.nth(2)?;
    let plain = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    (!region.is_empty() && region.len() <= 64 && region.bytes().all(plain)).then_some(region)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    const SIGNED_WEST: &str = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-west-1/sqs/aws4_request, SignedHeaders=host, Signature=x";

    #[test]
    fn the_signature_scope_names_the_region() {
        let h = headers(&[("host", "127.0.0.1:9324"), ("authorization", SIGNED_WEST)]);
        assert_eq!(of_request(&h, None, "us-east-1"), "us-west-1");
    }

    #[test]
    fn the_endpoint_wins_over_a_scope_that_disagrees() {
        let h = headers(&[
            ("host", "sqs.eu-north-1.amazonaws.com"),
            ("authorization", SIGNED_WEST),
        ]);
        assert_eq!(of_request(&h, None, "us-east-1"), "eu-north-1");
    }

    #[test]
    fn a_presigned_credential_names_the_region() {
        let query = "Action=ListQueues&X-Amz-Credential=AKID%2F20260101%2Fap-south-1%2Fsqs%2Faws4_request&X-Amz-Date=20260101T000000Z";
        let h = headers(&[("host", "localhost:9324")]);
        assert_eq!(of_request(&h, Some(query), "us-east-1"), "ap-south-1");
    }

    #[test]
    fn requests_that_name_none_get_the_default() {
        let h = headers(&[("host", "localhost:9324"), ("authorization", "Bearer x")]);
        assert_eq!(
            of_request(&h, Some("Action=ListQueues"), "eu-west-3"),
            "eu-west-3"
        );
        let odd = headers(&[(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKID/20260101/a<b/sqs/aws4_request",
        )]);
        assert_eq!(of_request(&odd, None, "us-east-1"), "us-east-1");
    }
}
