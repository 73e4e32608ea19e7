//! The SNS wire codec: AWS Query (the only protocol SNS's model defines, API
//! version 2010-03-31) form parameters in, XML out (sns-spec.md §1).
//!
//! - [`model`]: operations, typed requests and responses.
//! - `de`: form parameters (`Attributes.entry.N.key`, `Tags.member.N.Key`,
//!   `MessageAttributes.entry.N.Value.DataType`, ...) -> [`Request`].
//! - `ser`: [`Response`] / [`SnsError`] -> XML with `ResponseMetadata/RequestId`.
//!
//! The form parser and the escaping XML writer are the SQS Query codec's
//! (`fifowin_wire::query::{form, xml}`): the two services share the Query
//! protocol's encoding, only their operations and namespaces differ.
//!
//! ```text
//! POST /  Action=Publish&Version=2010-03-31&TopicArn=..&Message=hi&MessageGroupId=g
//!   -> 200 <PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
//!            <PublishResult><MessageId>..</MessageId><SequenceNumber>..</SequenceNumber></PublishResult>
//!            <ResponseMetadata><RequestId>..</RequestId></ResponseMetadata></PublishResponse>
//!   -> 404 <ErrorResponse xmlns=".."><Error><Type>Sender</Type><Code>NotFound</Code>..
//! ```

mod de;
pub mod model;
mod ser;

pub use de::decode;
pub use model::{Operation, Request, Response};
pub use ser::{encode, encode_error};

/// The SNS API version every SDK sends as `Version`.
pub const API_VERSION: &str = "2010-03-31";
/// The namespace of every SNS XML response.
pub const NAMESPACE: &str = "http://sns.amazonaws.com/doc/2010-03-31/";
/// The SigV4 service name of SNS (a request's credential scope names it).
pub const SIGNING_NAME: &str = "sns";
/// The content type of every SNS response.
pub const CONTENT_TYPE: &str = "text/xml";

/// Whether a Query request sharing the port with SQS is for SNS: the SigV4
/// credential scope's service when signed (`.../<region>/sns/aws4_request`),
/// else the `Version` parameter SDKs always send (SQS's is 2012-11-05), since
/// some action names (AddPermission, RemovePermission) exist in both services.
pub fn is_sns_request(
    authorization: Option<&str>,
    query_string: Option<&str>,
    body: &[u8],
) -> bool {
    if let Some(service) = authorization.and_then(credential_scope_service) {
        return service == SIGNING_NAME;
    }
    let version = format!("Version={API_VERSION}");
    let names_version = |bytes: &[u8]| {
        bytes
            .split(|b| *b == b'&')
            .any(|pair| pair == version.as_bytes())
    };
    query_string.is_some_and(|q| names_version(q.as_bytes())) || names_version(body)
}

/// The service of `Credential=<key>/<date>/<region>/<service>/aws4_request`.
fn credential_scope_service(authorization: &str) -> Option<&str> {
    let credential = authorization.split("Credential=").nth(1)?;
    let scope = credential.split([',', ' ']).next()?;
    scope.split('/').nth(3)
}

#[cfg(test)]
mod tests;
