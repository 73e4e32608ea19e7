//! Durable mode's command log records: what a state-changing request leaves in
//! `fifowin-store` (its wire form, its context and its time) and how a record is
//! read back for replay; and [`Durable`], the log with the lock that orders writes.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::Uri;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use fifowin_engine::Timestamp;
use fifowin_store::Log;
use fifowin_wire::{Request, json, query};
use serde::{Deserialize, Serialize};

use super::snapshot::Snapshots;
use crate::sqs::context::RequestContext;

/// The command log and what keeps live requests and their replay identical.
#[derive(Debug)]
pub struct Durable {
    pub(super) log: Log,
    /// The database's random seed, for message ids.
    pub(super) seed: u64,
    /// Held while a state-changing request runs and is appended.
    pub(super) order: tokio::sync::Mutex<()>,
    /// When the next snapshot is due.
    pub(super) snapshots: Snapshots,
}

impl Durable {
    /// Live durable mode on an opened log.
    pub(super) fn new(log: Log, snapshots: Snapshots) -> Self {
        Self {
            seed: log.seed(),
            log,
            order: tokio::sync::Mutex::new(()),
            snapshots,
        }
    }
}

/// The request as it came off the wire, borrowed from the handler that decoded
/// it; the log keeps it (the decoded request has no wire form).
#[derive(Clone, Copy, Debug)]
pub(crate) enum RawRequest<'a> {
    Json {
        target: &'a str,
        body: &'a Bytes,
    },
    Query {
        uri: &'a Uri,
        body: &'a Bytes,
    },
    /// An SNS request (Query protocol) on the shared port.
    Sns {
        uri: &'a Uri,
        body: &'a Bytes,
    },
}

/// A logged request read back, for the service it goes to.
pub(super) enum Logged {
    Sqs(Request),
    Sns(fifowin_sns::codec::Request),
}

/// One log record.
#[derive(Serialize, Deserialize)]
struct Record {
    /// The request's time, ms.
    now: u64,
    /// `json`, `query` or `sns`.
    proto: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    query: Option<String>,
    /// Base64 of the body.
    body: String,
    host: Option<String>,
    /// The region the request addressed; records without one replay into the
    /// server's default region.
    #[serde(default)]
    region: Option<String>,
    sender: String,
    trace: Option<String>,
}

pub(super) fn record(now: Timestamp, ctx: &RequestContext, raw: RawRequest<'_>) -> Vec<u8> {
    let (proto, target, path, query, body) = match raw {
        RawRequest::Json { target, body } => ("json", target.to_owned(), String::new(), None, body),
        RawRequest::Query { uri, body } | RawRequest::Sns { uri, body } => (
            if matches!(raw, RawRequest::Sns { .. }) {
                "sns"
            } else {
                "query"
            },
            String::new(),
            uri.path().to_owned(),
            uri.query().map(str::to_owned),
            body,
        ),
    };
    let record = Record {
        now: now.as_millis(),
        proto: proto.into(),
        target,
        path,
        query,
        body: STANDARD.encode(body),
        host: ctx.host.clone(),
        region: Some(ctx.region.clone()),
        sender: ctx.sender_id.to_string(),
        trace: ctx.trace_header.clone(),
    };
    serde_json::to_vec(&record).unwrap_or_default()
}

/// A record read back: the request, its context and its time; `default_region`
/// for records that name no region.
pub(super) fn decode(
    bytes: &[u8],
    default_region: &str,
) -> Result<(Logged, RequestContext, Timestamp), String> {
    let record: Record = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let body = STANDARD
        .decode(record.body.as_bytes())
        .map_err(|e| e.to_string())?;
    let request = match record.proto.as_str() {
        "json" => json::decode(&record.target, &body).map(Logged::Sqs),
        "query" => query::decode(record.query.as_deref(), &body, &record.path).map(Logged::Sqs),
        "sns" => {
            return fifowin_sns::codec::decode(record.query.as_deref(), &body)
                .map(Logged::Sns)
                .map_err(|e| e.message)
                .map(|request| {
                    (
                        request,
                        context(&record, default_region),
                        Timestamp(record.now),
                    )
                });
        }
        other => return Err(format!("unknown protocol {other:?}")),
    };
    let request = request.map_err(|e| e.message.to_string())?;
    Ok((
        request,
        context(&record, default_region),
        Timestamp(record.now),
    ))
}

fn context(record: &Record, default_region: &str) -> RequestContext {
    RequestContext {
        host: record.host.clone(),
        region: record
            .region
            .clone()
            .unwrap_or_else(|| default_region.to_string()),
        sender_id: Arc::from(record.sender.as_str()),
        trace_header: record.trace.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(ctx_region: &str) -> Vec<u8> {
        let body = Bytes::from(r#"{"QueueName":"q"}"#);
        let ctx = RequestContext {
            host: None,
            region: ctx_region.to_string(),
            sender_id: Arc::from("sender"),
            trace_header: None,
        };
        let raw = RawRequest::Json {
            target: "AmazonSQS.CreateQueue",
            body: &body,
        };
        record(Timestamp(5), &ctx, raw)
    }

    #[test]
    fn a_record_keeps_the_region_it_was_sent_to() {
        let (_, ctx, now) = decode(&create("eu-north-1"), "us-east-1").unwrap();
        assert_eq!((ctx.region.as_str(), now), ("eu-north-1", Timestamp(5)));
    }

    #[test]
    fn a_record_without_a_region_replays_into_the_default_region() {
        let mut value: serde_json::Value = serde_json::from_slice(&create("eu-north-1")).unwrap();
        value.as_object_mut().unwrap().remove("region");
        let bytes = serde_json::to_vec(&value).unwrap();
        let (_, ctx, _) = decode(&bytes, "ap-south-1").unwrap();
        assert_eq!(ctx.region, "ap-south-1");
    }
}
