//! Durable mode's command log records: what a state-changing request leaves in
//! `fifowin-store` (its wire form, its context and its time), or an action (its
//! typed form and its time), and how a record is read back for replay; and [`Durable`], the log with the lock that orders writes.

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
use crate::sqs::actions::Action;
use crate::sqs::context::RequestContext;

/// The command log and what keeps live requests and their replay identical.
#[derive(Debug)]
pub struct Durable {
    pub(super) log: Log,
    /// The database's random seed, for message ids.
    pub(super) seed: u64,
    /// Held while a state-changing request runs and is appended. A blocking
    /// lock: nothing awaits while holding it (the section is the engine call
    /// and queuing the record, microseconds), and a contended async lock would
    /// park and wake a task per request.
    order: std::sync::Mutex<()>,
    /// When the next snapshot is due.
    pub(super) snapshots: Snapshots,
}

impl Durable {
    /// Live durable mode on an opened log.
    pub(super) fn new(log: Log, snapshots: Snapshots) -> Self {
        Self {
            seed: log.seed(),
            log,
            order: std::sync::Mutex::new(()),
            snapshots,
        }
    }

    /// Takes the order lock. A poisoned lock is taken as it is: failing every
    /// later request would not undo whatever the panic left half done.
    pub(super) fn ordered(&self) -> std::sync::MutexGuard<'_, ()> {
        self.order
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
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

/// One log record.
#[derive(Serialize, Deserialize)]
struct Record {
    /// The request's time, ms.
    now: u64,
    /// `json`, `query`, `sns`, or `action` (then `action` holds it and the
    /// request fields are empty).
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    action: Option<Action>,
}

/// The fields of a request's record but its time, borrowed: what is encoded
/// before the order lock.
#[derive(Serialize)]
struct RequestFields<'a> {
    proto: &'static str,
    target: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    body: Base64<'a>,
    host: Option<&'a str>,
    region: &'a str,
    sender: &'a str,
    trace: Option<&'a str>,
}

/// Bytes serialized as base64, written straight into the record.
struct Base64<'a>(&'a [u8]);

impl Serialize for Base64<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&base64::display::Base64Display::new(self.0, &STANDARD))
    }
}

/// Where a record's time goes: after `{"now":`, in a space-padded slot wide
/// enough for any `u64` (JSON allows the spaces), so the record is encoded
/// before the order lock and only the time is written under it.
const NOW_AT: usize = br#"{"now":"#.len();
const NOW_WIDTH: usize = 20;

/// A request's record, encoded but for its time.
pub(super) struct Prepared {
    bytes: Vec<u8>,
}

impl Prepared {
    /// The record with `now` in its slot.
    pub(super) fn stamped(mut self, now: Timestamp) -> Vec<u8> {
        use std::io::Write as _;
        let mut slot = &mut self.bytes[NOW_AT..NOW_AT + NOW_WIDTH];
        // Twenty digits hold any u64, so the slot cannot overflow.
        let _ = write!(slot, "{}", now.as_millis());
        self.bytes
    }
}

/// Encodes a request's record (all but its time; see [`Prepared::stamped`]).
pub(super) fn prepare(ctx: &RequestContext, raw: RawRequest<'_>) -> Prepared {
    let (proto, target, path, query, body) = match raw {
        RawRequest::Json { target, body } => ("json", target, "", None, body),
        RawRequest::Query { uri, body } => ("query", "", uri.path(), uri.query(), body),
        RawRequest::Sns { uri, body } => ("sns", "", uri.path(), uri.query(), body),
    };
    let fields = RequestFields {
        proto,
        target,
        path,
        query,
        body: Base64(body),
        host: ctx.host.as_deref(),
        region: &ctx.region,
        sender: &ctx.sender_id,
        trace: ctx.trace_header.as_deref(),
    };
    let mut bytes = Vec::with_capacity(NOW_AT + NOW_WIDTH + 160 + body.len() * 4 / 3);
    bytes.extend_from_slice(br#"{"now":"#);
    bytes.resize(NOW_AT + NOW_WIDTH, b' ');
    let fields_at = bytes.len();
    // Writing to a Vec fails only on a serializer error, which these plain fields do not have.
    let _ = serde_json::to_writer(&mut bytes, &fields);
    // The fields' own `{` becomes the comma after the time.
    bytes[fields_at] = b',';
    Prepared { bytes }
}

pub(super) fn action_record(now: Timestamp, action: &Action) -> Vec<u8> {
    let record = Record {
        now: now.as_millis(),
        proto: "action".into(),
        target: String::new(),
        path: String::new(),
        query: None,
        body: String::new(),
        host: None,
        region: None,
        sender: String::new(),
        trace: None,
        action: Some(action.clone()),
    };
    serde_json::to_vec(&record).unwrap_or_default()
}

/// What a record holds.
pub(super) enum Logged {
    Sqs(Request, RequestContext),
    Sns(fifowin_sns::codec::Request, RequestContext),
    Action(Action),
}

/// A record read back: what it holds and its time; `default_region` for
/// request records that name no region.
pub(super) fn decode(bytes: &[u8], default_region: &str) -> Result<(Logged, Timestamp), String> {
    let record: Record = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let now = Timestamp(record.now);
    if record.proto == "action" {
        let action = record.action.ok_or("an action record without its action")?;
        return Ok((Logged::Action(action), now));
    }
    let body = STANDARD
        .decode(record.body.as_bytes())
        .map_err(|e| e.to_string())?;
    let ctx = RequestContext {
        host: record.host,
        region: record.region.unwrap_or_else(|| default_region.to_string()),
        sender_id: Arc::from(record.sender),
        trace_header: record.trace,
    };
    let logged = match record.proto.as_str() {
        "json" => json::decode(&record.target, &body).map(|r| Logged::Sqs(r, ctx)),
        "query" => {
            query::decode(record.query.as_deref(), &body, &record.path).map(|r| Logged::Sqs(r, ctx))
        }
        "sns" => {
            return fifowin_sns::codec::decode(record.query.as_deref(), &body)
                .map(|r| (Logged::Sns(r, ctx), now))
                .map_err(|e| e.message);
        }
        other => return Err(format!("unknown protocol {other:?}")),
    };
    Ok((logged.map_err(|e| e.message.to_string())?, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prepared_record_reads_back_with_its_time_for_both_protocols() {
        let body = Bytes::from_static(br#"{"QueueUrl":"q","MessageBody":"h\u00e9 \"x\""}"#);
        let ctx = RequestContext {
            host: Some("localhost:9324".into()),
            region: "eu-north-1".into(),
            sender_id: Arc::from("AIDA"),
            trace_header: None,
        };
        let raw = RawRequest::Json {
            target: "AmazonSQS.SendMessage",
            body: &body,
        };
        for now in [0, 1_700_000_000_123, u64::MAX] {
            let bytes = prepare(&ctx, raw).stamped(Timestamp(now));
            let Ok((Logged::Sqs(Request::SendMessage(send), read), at)) =
                decode(&bytes, "us-east-1")
            else {
                panic!("{}", String::from_utf8_lossy(&bytes));
            };
            assert_eq!(at, Timestamp(now));
            assert_eq!(send.message_body.as_deref(), Some("hé \"x\""));
            assert_eq!(read.host.as_deref(), Some("localhost:9324"));
            assert_eq!(&*read.sender_id, "AIDA");
            assert_eq!(read.region, "eu-north-1");
        }
        let uri: Uri = "/000000000000/q?Action=DeleteQueue".parse().unwrap();
        let empty = Bytes::new();
        let raw = RawRequest::Query {
            uri: &uri,
            body: &empty,
        };
        let bytes = prepare(&ctx, raw).stamped(Timestamp(5));
        let Ok((Logged::Sqs(Request::DeleteQueue(_), _), Timestamp(5))) =
            decode(&bytes, "us-east-1")
        else {
            panic!("{}", String::from_utf8_lossy(&bytes));
        };
    }

    #[test]
    fn a_record_without_a_region_replays_into_the_default_region() {
        let body = Bytes::from(r#"{"QueueName":"q"}"#);
        let ctx = RequestContext {
            host: None,
            region: "eu-north-1".to_string(),
            sender_id: Arc::from("sender"),
            trace_header: None,
        };
        let raw = RawRequest::Json {
            target: "AmazonSQS.CreateQueue",
            body: &body,
        };
        let bytes = prepare(&ctx, raw).stamped(Timestamp(5));
        let mut value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        value.as_object_mut().unwrap().remove("region");
        let bytes = serde_json::to_vec(&value).unwrap();
        let Ok((Logged::Sqs(_, ctx), _)) = decode(&bytes, "ap-south-1") else {
            panic!("{}", String::from_utf8_lossy(&bytes));
        };
        assert_eq!(ctx.region, "ap-south-1");
    }
}
