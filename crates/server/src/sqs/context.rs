//! What the service needs from the HTTP request besides its body; filled in by
//! the transport, kept in durable mode's log records.

use std::sync::Arc;

/// What the service needs from the HTTP request besides its body.
#[derive(Clone, Debug)]
pub(crate) struct RequestContext {
    /// The `Host` header, for queue URLs.
    pub host: Option<String>,
    /// The region the request addresses (`transport/region`): its queues are
    /// looked up, created and listed there unless a queue URL names another.
    pub region: String,
    /// Reported as the `SenderId` system attribute; shared by the request's messages.
    pub sender_id: Arc<str>,
    /// The `X-Amzn-Trace-Id` header, which SendMessage turns into `AWSTraceHeader`.
    pub trace_header: Option<String>,
}
