//! The SQS wire codec: bytes in, typed requests out; typed responses in, bytes out.
//! No sockets, no queues: the server owns both ends.
//!
//! # Layout
//! - [`protocol`]: which protocol a request speaks (`X-Amz-Target` vs `Action=`).
//! - [`error`]: the one table of SQS error codes (JSON `__type`, Query code, HTTP status).
//! - [`model`]: request and response shapes, named as in the 2012-11-05 service model.
//! - [`json`]: AWS JSON 1.0 decoding and encoding.
//! - [`query`]: the Query protocol: form/query-string decoding (`Prefix.N.Field`
//!   flattening) and XML encoding.
//!
//! ```text
//! POST /  X-Amz-Target: AmazonSQS.SendMessage  {"QueueUrl":..,"MessageBody":..}
//!   -> 200 {"MessageId":..,"MD5OfMessageBody":..}
//!   -> 400 x-amzn-query-error: <QueryCode>;Sender {"__type":"com.amazonaws.sqs#<Shape>","message":..}
//! ```

pub mod error;
pub mod json;
pub mod model;
pub mod protocol;
pub mod query;

pub use error::{ErrorCode, SqsError};
pub use model::{Operation, Request, Response};
pub use protocol::Protocol;
