//! AWS JSON 1.0 bodies the generator sends and the few response members it reads.
//! Request bodies are written into reused buffers; only the queue URL, which comes
//! from the server, is escaped (everything else is ASCII the generator made up).

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write as _;

use serde::Deserialize;

use crate::client::{Conn, Reply};
use crate::error::BenchError;

/// Appends `s` as a JSON string.
fn json_str(buf: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(&mut *buf, s).expect("writing to a Vec cannot fail");
}

/// `{"QueueUrl":"..."` without the closing brace.
fn open(buf: &mut Vec<u8>, queue_url: &str) {
    buf.clear();
    buf.extend_from_slice(b"{\"QueueUrl\":");
    json_str(buf, queue_url);
}

/// One message to send: group, dedup id and body are generator-made ASCII.
pub(crate) struct Outgoing<'a> {
    pub group: &'a str,
    pub dedup_id: &'a str,
    pub body: &'a str,
}

/// A SendMessage body.
pub(crate) fn send(buf: &mut Vec<u8>, queue_url: &str, m: &Outgoing<'_>) {
    open(buf, queue_url);
    write_message(buf, m);
    buf.push(b'}');
}

fn write_message(buf: &mut Vec<u8>, m: &Outgoing<'_>) {
    let _ = write!(
        buf,
        ",\"MessageBody\":\"{}\",\"MessageGroupId\":\"{}\",\"MessageDeduplicationId\":\"{}\"",
        m.body, m.group, m.dedup_id
    );
}

/// A SendMessageBatch body with entry ids `0..n`.
pub(crate) fn send_batch<'a>(
    buf: &mut Vec<u8>,
    queue_url: &str,
    entries: impl Iterator<Item = Outgoing<'a>>,
) {
    open(buf, queue_url);
    buf.extend_from_slice(b",\"Entries\":[");
    for (i, m) in entries.enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        let _ = write!(buf, "{{\"Id\":\"{i}\"");
        write_message(buf, &m);
        buf.push(b'}');
    }
    buf.extend_from_slice(b"]}");
}

/// A ReceiveMessage body.
pub(crate) fn receive(queue_url: &str, max: u32, visibility: u32, wait: u32) -> Vec<u8> {
    let mut buf = Vec::new();
    open(&mut buf, queue_url);
    let _ = write!(
        buf,
        ",\"MaxNumberOfMessages\":{max},\"VisibilityTimeout\":{visibility},\"WaitTimeSeconds\":{wait}}}"
    );
    buf
}

/// A DeleteMessageBatch body for `handles`.
pub(crate) fn delete_batch<'a>(
    buf: &mut Vec<u8>,
    queue_url: &str,
    handles: impl Iterator<Item = &'a str>,
) {
    open(buf, queue_url);
    buf.extend_from_slice(b",\"Entries\":[");
    for (i, h) in handles.enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        let _ = write!(buf, "{{\"Id\":\"{i}\",\"ReceiptHandle\":");
        json_str(buf, h);
        buf.push(b'}');
    }
    buf.extend_from_slice(b"]}");
}

#[derive(Deserialize)]
pub(crate) struct SendOut<'a> {
    #[serde(rename = "MessageId", borrow, default)]
    pub message_id: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub(crate) struct BatchOut {
    #[serde(rename = "Successful", default)]
    pub successful: Vec<serde::de::IgnoredAny>,
    #[serde(rename = "Failed", default)]
    pub failed: Vec<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
pub(crate) struct Received {
    #[serde(rename = "Body")]
    pub body: String,
    #[serde(rename = "ReceiptHandle")]
    pub receipt_handle: String,
}

#[derive(Deserialize)]
pub(crate) struct ReceiveOut {
    #[serde(rename = "Messages", default)]
    pub messages: Vec<Received>,
}

#[derive(Deserialize)]
struct UrlOut {
    #[serde(rename = "QueueUrl")]
    queue_url: String,
}

#[derive(Deserialize)]
struct AttributesOut {
    #[serde(rename = "Attributes", default)]
    attributes: HashMap<String, String>,
}

/// A short description of a failed reply, for the report.
pub(crate) fn describe(reply: &Reply<'_>) -> String {
    let text = String::from_utf8_lossy(&reply.body[..reply.body.len().min(200)]);
    format!("HTTP {}: {text}", reply.status)
}

/// Parses a 200 reply as `T`, or describes why not.
pub(crate) fn parse<'a, T: Deserialize<'a>>(reply: &Reply<'a>) -> Result<T, String> {
    if reply.status != 200 {
        return Err(describe(reply));
    }
    // An empty 200 body (some emulators' empty long poll) reads as `{}`.
    let body: &'a [u8] = if reply.body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        reply.body
    };
    serde_json::from_slice(body).map_err(|e| format!("unreadable reply ({e}): {}", describe(reply)))
}

/// A control-plane call that must succeed: setup and checks, not measured.
async fn setup_call<T: for<'a> Deserialize<'a>>(
    conn: &mut Conn,
    op: &str,
    body: &[u8],
) -> Result<T, BenchError> {
    let reply = conn
        .call_fresh(op, body)
        .await
        .map_err(|e| BenchError::Setup(format!("{op}: {e}")))?;
    parse(&reply).map_err(|e| BenchError::Setup(format!("{op}: {e}")))
}

/// Creates (or finds) the FIFO queue `name`; returns its URL.
pub(crate) async fn create_fifo_queue(conn: &mut Conn, name: &str) -> Result<String, BenchError> {
    let body = serde_json::json!({"QueueName": name, "Attributes": {"FifoQueue": "true"}});
    let out: UrlOut = setup_call(conn, "CreateQueue", body.to_string().as_bytes()).await?;
    Ok(out.queue_url)
}

/// Messages stored in the queue: visible + in flight + delayed.
pub(crate) async fn stored(conn: &mut Conn, queue_url: &str) -> Result<u64, BenchError> {
    let body = serde_json::json!({"QueueUrl": queue_url, "AttributeNames": [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed"
    ]});
    let out: AttributesOut =
        setup_call(conn, "GetQueueAttributes", body.to_string().as_bytes()).await?;
    let mut total = 0;
    for name in [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ] {
        let value = out.attributes.get(name).ok_or_else(|| {
            BenchError::Setup(format!("GetQueueAttributes: no {name} in the reply"))
        })?;
        total += value
            .parse::<u64>()
            .map_err(|_| BenchError::Setup(format!("GetQueueAttributes: {name} = {value:?}")))?;
    }
    Ok(total)
}

/// Deletes the queue. Any 200 will do: some emulators answer with an empty body.
pub(crate) async fn delete_queue(conn: &mut Conn, queue_url: &str) -> Result<(), BenchError> {
    let body = serde_json::json!({"QueueUrl": queue_url});
    let reply = conn
        .call_fresh("DeleteQueue", body.to_string().as_bytes())
        .await
        .map_err(|e| BenchError::Setup(format!("DeleteQueue: {e}")))?;
    if reply.status == 200 {
        Ok(())
    } else {
        Err(BenchError::Setup(format!(
            "DeleteQueue: {}",
            describe(&reply)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_valid_json() {
        let mut buf = Vec::new();
        let m = Outgoing {
            group: "g1",
            dedup_id: "d-1",
            body: "1:2:3",
        };
        send(&mut buf, "http://h/0/q\"x.fifo", &m);
        let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(v["QueueUrl"], "http://h/0/q\"x.fifo");
        assert_eq!(v["MessageDeduplicationId"], "d-1");
        let entries = (0..3).map(|_| Outgoing {
            group: "g",
            dedup_id: "d",
            body: "b",
        });
        send_batch(&mut buf, "u", entries);
        let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(v["Entries"][2]["Id"], "2");
        delete_batch(&mut buf, "u", ["a", "b/c=="].into_iter());
        let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(v["Entries"][1]["ReceiptHandle"], "b/c==");
        let v: serde_json::Value = serde_json::from_slice(&receive("u", 10, 30, 0)).unwrap();
        assert_eq!(v["MaxNumberOfMessages"], 10);
    }
}
