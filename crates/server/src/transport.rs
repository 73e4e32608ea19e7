//! From the socket to a decoded request and back: the accept loop and its
//! limits, the browser guard, the route that takes SQS JSON calls past the
//! router, the JSON and Query protocol handlers (and SNS and STS
//! GetCallerIdentity on the same port), SigV4 verification, and the region a
//! request addresses. Handlers hand decoded requests to the
//! pipeline and encode what it replies.

pub(crate) mod auth;
mod browser;
mod json;
pub(crate) mod listener;
mod query;
mod region;
pub(crate) mod request;
mod router_bypass;
mod sns;
pub(crate) mod sqs_route;
mod sts;
