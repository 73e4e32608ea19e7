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

#[cfg(test)]
mod tests;
