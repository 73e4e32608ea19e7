//! Durable mode's command log records: what a state-changing request leaves in
//! `fifowin-store` (its wire form, its context and its time), or an action (its
//! typed form and its time), and how a record is read back for replay; and [`Durable`], the log with the lock that orders writes.
//!
//! A record is a JSON object; a request's body follows it as it came off the
//! wire, its length in the object's `body_len`. Bodies are most of a record,
//! and raw they are a quarter smaller than in base64 and cost nothing to
//! encode. Records written before `body_len` hold the body in base64 in
//! `body`, and still replay.

use std::borrow::Cow;
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
    /// The request body's length; the body follows the record's JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body_len: Option<u64>,
    /// Base64 of the body, in records written before `body_len`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body: Option<String>,
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
    body_len: usize,
    host: Option<&'a str>,
    region: &'a str,
    sender: &'a str,
    trace: Option<&'a str>,
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
        body_len: body.len(),
        host: ctx.host.as_deref(),
        region: &ctx.region,
        sender: &ctx.sender_id,
        trace: ctx.trace_header.as_deref(),
    };
    let mut bytes = Vec::with_capacity(NOW_AT + NOW_WIDTH + 160 + body.len());
    bytes.extend_from_slice(br#"{"now":"#);
    bytes.resize(NOW_AT + NOW_WIDTH, b' ');
    let fields_at = bytes.len();
    // Writing to a Vec fails only on a serializer error, which these plain fields do not have.
    let _ = serde_json::to_writer(&mut bytes, &fields);
    // The fields' own `{` becomes the comma after the time.
    bytes[fields_at] = b',';
    bytes.extend_from_slice(body);
    Prepared { bytes }
}

pub(super) fn action_record(now: Timestamp, action: &Action) -> Vec<u8> {
    let record = Record {
        now: now.as_millis(),
        proto: "action".into(),
        target: String::new(),
        path: String::new(),
        query: None,
        body_len: None,
        body: None,
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
    let mut objects = serde_json::Deserializer::from_slice(bytes).into_iter::<Record>();
    let record = match objects.next() {
        Some(record) => record.map_err(|e| e.to_string())?,
        None => return Err("an empty record".into()),
    };
    let after = &bytes[objects.byte_offset()..];
    let now = Timestamp(record.now);
    let body: Cow<'_, [u8]> = match (record.body_len, &record.body) {
        (Some(len), _) if u64::try_from(after.len()) == Ok(len) => Cow::Borrowed(after),
        (Some(len), _) => {
            return Err(format!(
                "the record says its body has {len} bytes, and {} follow it",
                after.len()
            ));
        }
        (None, _) if !after.is_empty() => {
            return Err(format!("{} bytes after the record", after.len()));
        }
        (None, Some(base64)) => Cow::Owned(
            STANDARD
                .decode(base64.as_bytes())
                .map_err(|e| e.to_string())?,
        ),
        (None, None) if record.proto == "action" => Cow::Borrowed(&[]),
        (None, None) => return Err("a request record without its body".into()),
    };
    if record.proto == "action" {
        let action = record.action.ok_or("an action record without its action")?;
        return Ok((Logged::Action(action), now));
    }
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
    fn the_body_follows_the_record_raw_and_a_wrong_length_is_refused() {
        let body = Bytes::from_static(br#"{"QueueUrl":"q","MessageBody":"x"}"#);
        let ctx = RequestContext {
            host: None,
            region: "us-east-1".into(),
            sender_id: Arc::from("AIDA"),
            trace_header: None,
        };
        let raw = RawRequest::Json {
            target: "AmazonSQS.SendMessage",
            body: &body,
        };
        let bytes = prepare(&ctx, raw).stamped(Timestamp(7));
        assert!(
            bytes.ends_with(&body),
            "{}",
            String::from_utf8_lossy(&bytes)
        );
        let mut cut = bytes.clone();
        cut.pop();
        assert_eq!(
            decode(&cut, "us-east-1").err().as_deref(),
            Some("the record says its body has 34 bytes, and 33 follow it")
        );
        let mut longer = bytes.clone();
        longer.push(b' ');
        assert_eq!(
            decode(&longer, "us-east-1").err().as_deref(),
            Some("the record says its body has 34 bytes, and 35 follow it")
        );
    }

    #[test]
    fn a_record_with_a_base64_body_from_an_earlier_build_still_replays() {
        let body = br#"{"QueueUrl":"q","MessageBody":"earlier"}"#;
        let record = serde_json::json!({
            "now": 9,
            "proto": "json",
            "target": "AmazonSQS.SendMessage",
            "path": "",
            "query": null,
            "body": STANDARD.encode(body),
            "host": null,
            "region": "eu-north-1",
            "sender": "AIDA",
            "trace": null,
        });
        let bytes = serde_json::to_vec(&record).unwrap();
        let Ok((Logged::Sqs(Request::SendMessage(send), ctx), Timestamp(9))) =
            decode(&bytes, "us-east-1")
        else {
            panic!("{}", String::from_utf8_lossy(&bytes));
        };
        assert_eq!(send.message_body.as_deref(), Some("earlier"));
        assert_eq!(ctx.region, "eu-north-1");
        let mut trailing = bytes.clone();
        trailing.extend_from_slice(b"xyz");
        assert_eq!(
            decode(&trailing, "us-east-1").err().as_deref(),
            Some("3 bytes after the record")
        );
        let mut no_body = record.clone();
        no_body.as_object_mut().unwrap().remove("body");
        let bytes = serde_json::to_vec(&no_body).unwrap();
        assert_eq!(
            decode(&bytes, "us-east-1").err().as_deref(),
            Some("a request record without its body")
        );
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
        // The record's JSON, then the body.
        let json_len = bytes.len() - body.len();
        let mut value: serde_json::Value = serde_json::from_slice(&bytes[..json_len]).unwrap();
        value.as_object_mut().unwrap().remove("region");
        let mut bytes = serde_json::to_vec(&value).unwrap();
        bytes.extend_from_slice(&body);
        let Ok((Logged::Sqs(_, ctx), _)) = decode(&bytes, "ap-south-1") else {
            panic!("{}", String::from_utf8_lossy(&bytes));
        };
        assert_eq!(ctx.region, "ap-south-1");
    }
}
