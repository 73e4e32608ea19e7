//! The end-to-end harness: a real fifowin server on `127.0.0.1:0` inside the test
//! process (started by fifowin-testing, as users' tests start it) and clients that
//! reach it over a real socket: aws-sdk-sqs (AWS JSON 1.0) and raw HTTP for what the
//! SDK cannot express.

pub mod query;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;

use aws_sdk_sqs::operation::send_message::SendMessageOutput;
use aws_sdk_sqs::primitives::Blob;
use aws_sdk_sqs::types::{
    Message, MessageAttributeValue, MessageSystemAttributeName, QueueAttributeName,
};
use fifowin_server::{AppState, ClockMode, ServerConfig, SnapshotPolicy};
use fifowin_testing::Fifowin;
use serde_json::Value;

mod tooling;
pub use tooling::{Metrics, Sample, impatient_client, retrying_client};

/// A running server. Dropping it shuts the server down.
pub struct TestServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    /// An SDK client pointed at it.
    pub sqs: aws_sdk_sqs::Client,
    http: reqwest::Client,
    fifowin: Fifowin,
}

/// A raw HTTP answer.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl RawResponse {
    /// The body parsed as JSON (`Value::Null` if it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl TestServer {
    /// A server with a manual clock and the default 5-minute window.
    pub async fn start() -> Self {
        Self::start_with(ServerConfig {
            clock_mode: ClockMode::Manual,
            ..ServerConfig::default()
        })
        .await
    }

    /// A server with a manual clock and the given dedup window.
    pub async fn with_window_ms(window_ms: u64) -> Self {
        Self::start_with(ServerConfig {
            clock_mode: ClockMode::Manual,
            dedup_window_ms: window_ms,
            ..ServerConfig::default()
        })
        .await
    }

    /// A server with exactly this configuration.
    pub async fn start_with(config: ServerConfig) -> Self {
        Self::start_with_state(AppState::new(config)).await
    }

    /// A server on prepared state (e.g. with a config file's queues).
    pub async fn start_with_state(state: AppState) -> Self {
        let fifowin = Fifowin::builder()
            .state(state)
            .start()
            .await
            .expect("start fifowin on 127.0.0.1:0");
        let endpoint = fifowin.endpoint_url().to_string();
        Self {
            addr: fifowin.addr(),
            sqs: sdk_client(&endpoint),
            endpoint,
            http: reqwest::Client::new(),
            fifowin,
        }
    }

    /// The fifowin-testing handle underneath (typed control calls, its own SDK client).
    pub fn fifowin(&self) -> &Fifowin {
        &self.fifowin
    }

    /// POSTs an AWS JSON 1.0 request for `operation` with `body`.
    pub async fn json(&self, operation: &str, body: Value) -> RawResponse {
        self.raw(
            "/",
            &[
                ("x-amz-target", format!("AmazonSQS.{operation}")),
                ("content-type", "application/x-amz-json-1.0".into()),
            ],
            body.to_string(),
        )
        .await
    }

    /// POSTs `body` to `path` with `headers`.
    pub async fn raw(&self, path: &str, headers: &[(&str, String)], body: String) -> RawResponse {
        let mut req = self
            .http
            .post(format!("{}{path}", self.endpoint))
            .body(body);
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        let resp = req.send().await.expect("request reaches the server");
        RawResponse {
            status: resp.status().as_u16(),
            headers: resp.headers().clone(),
            body: resp.text().await.expect("response body"),
        }
    }

    /// GETs a control-API path and parses the JSON answer.
    pub async fn control_get(&self, path: &str) -> Value {
        let resp = self
            .http
            .get(format!("{}{path}", self.endpoint))
            .send()
            .await
            .expect("control request");
        assert!(resp.status().is_success(), "GET {path}: {}", resp.status());
        resp.json().await.expect("control JSON")
    }

    /// POSTs JSON to a control-API path; returns status and parsed body.
    pub async fn control_post(&self, path: &str, body: Value) -> (u16, Value) {
        let resp = self
            .http
            .post(format!("{}{path}", self.endpoint))
            .json(&body)
            .send()
            .await
            .expect("control request");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Moves the server clock forward by `ms`; returns the new `now_ms`.
    pub async fn advance(&self, ms: u64) -> u64 {
        self.fifowin
            .advance(std::time::Duration::from_millis(ms))
            .await
            .unwrap_or_else(|e| panic!("clock advance: {e}"))
    }

    /// The server clock's reading.
    pub async fn now_ms(&self) -> u64 {
        self.control_get("/_fifowin/clock").await["now_ms"]
            .as_u64()
            .expect("now_ms")
    }

    /// Creates a FIFO queue `<name>.fifo` with extra attributes; returns its URL.
    pub async fn fifo_queue(&self, name: &str, attributes: &[(&str, &str)]) -> String {
        let mut req = self
            .sqs
            .create_queue()
            .queue_name(format!("{name}.fifo"))
            .attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true");
        for (k, v) in attributes {
            req = req.attributes(aws_sdk_sqs::types::QueueAttributeName::from(*k), *v);
        }
        req.send()
            .await
            .expect("create FIFO queue")
            .queue_url
            .expect("queue url")
    }

    /// Creates a standard queue with extra attributes; returns its URL.
    pub async fn standard_queue(&self, name: &str, attributes: &[(&str, &str)]) -> String {
        let mut req = self.sqs.create_queue().queue_name(name);
        for (k, v) in attributes {
            req = req.attributes(aws_sdk_sqs::types::QueueAttributeName::from(*k), *v);
        }
        req.send()
            .await
            .expect("create standard queue")
            .queue_url
            .expect("queue url")
    }
    /// Sends `body` to a FIFO queue with a group and (optionally) an explicit dedup id.
    pub async fn send_fifo(
        &self,
        url: &str,
        group: &str,
        dedup_id: Option<&str>,
        body: &str,
    ) -> SendMessageOutput {
        self.sqs
            .send_message()
            .queue_url(url)
            .message_body(body)
            .message_group_id(group)
            .set_message_deduplication_id(dedup_id.map(str::to_owned))
            .send()
            .await
            .expect("FIFO send")
    }

    /// Sends `body` with no options.
    pub async fn send(&self, url: &str, body: &str) -> SendMessageOutput {
        self.sqs
            .send_message()
            .queue_url(url)
            .message_body(body)
            .send()
            .await
            .expect("send")
    }

    /// One short-poll receive of up to `max` messages, asking for every system
    /// and message attribute.
    pub async fn receive(&self, url: &str, max: i32) -> Vec<Message> {
        self.sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(max)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .message_attribute_names("All")
            .send()
            .await
            .expect("receive")
            .messages
            .unwrap_or_default()
    }

    /// The bodies a short-poll receive of up to `max` messages returns.
    pub async fn receive_bodies(&self, url: &str, max: i32) -> Vec<String> {
        bodies(&self.receive(url, max).await)
    }

    /// Deletes a message by receipt handle, expecting success.
    pub async fn delete(&self, url: &str, receipt_handle: &str) {
        self.sqs
            .delete_message()
            .queue_url(url)
            .receipt_handle(receipt_handle)
            .send()
            .await
            .expect("delete");
    }

    /// Every queue attribute (`All`) by name.
    pub async fn queue_attributes(&self, url: &str) -> BTreeMap<String, String> {
        self.sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::All)
            .send()
            .await
            .expect("get queue attributes")
            .attributes
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k.as_str().to_string(), v))
            .collect()
    }

    /// One queue attribute's value.
    pub async fn queue_attribute(&self, url: &str, name: &str) -> Option<String> {
        self.queue_attributes(url).await.remove(name)
    }

    /// SetQueueAttributes, expecting success.
    pub async fn set_attributes(&self, url: &str, attributes: &[(&str, &str)]) {
        let mut req = self.sqs.set_queue_attributes().queue_url(url);
        for (k, v) in attributes {
            req = req.attributes(QueueAttributeName::from(*k), *v);
        }
        req.send().await.expect("set queue attributes");
    }

    /// `GET /_fifowin/escapes`.
    pub async fn escapes(&self) -> Value {
        self.control_get("/_fifowin/escapes").await
    }
}

/// A durable-mode server with default settings over the data directory `dir`
/// (replaying what an earlier one logged there).
pub async fn start_durable(dir: &std::path::Path) -> Fifowin {
    start_durable_with(dir, ServerConfig::default(), SnapshotPolicy::default()).await
}

/// A durable-mode server over `dir` on a manual clock, taking a snapshot every
/// `every_records` logged requests.
pub async fn start_durable_snapshotting(dir: &std::path::Path, every_records: u64) -> Fifowin {
    let config = ServerConfig {
        clock_mode: ClockMode::Manual,
        ..ServerConfig::default()
    };
    let policy = SnapshotPolicy {
        every_records,
        ..SnapshotPolicy::default()
    };
    start_durable_with(dir, config, policy).await
}

async fn start_durable_with(
    dir: &std::path::Path,
    config: ServerConfig,
    policy: SnapshotPolicy,
) -> Fifowin {
    let state = fifowin_server::open_durable_with(config, dir, policy)
        .await
        .expect("the data directory opens");
    Fifowin::builder()
        .state(state)
        .start()
        .await
        .expect("start fifowin")
}

/// `fifowin_durable_snapshots_total` of the server at `endpoint`.
pub async fn snapshots_written(endpoint: &str) -> u64 {
    let text = reqwest::get(format!("{endpoint}/metrics"))
        .await
        .expect("the server answers")
        .text()
        .await
        .expect("a body");
    text.lines()
        .find_map(|l| l.strip_prefix("fifowin_durable_snapshots_total "))
        .expect("the snapshot counter in durable mode")
        .parse()
        .expect("a count")
}

/// An aws-sdk-sqs client for `endpoint` with static test credentials, no retries
/// (so every test sees exactly the answers the server gave).
pub fn sdk_client(endpoint: &str) -> aws_sdk_sqs::Client {
    let config = fifowin_testing::sqs_config(endpoint)
        .retry_config(aws_sdk_sqs::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

/// The SQS error code the SDK extracted (from `x-amzn-query-error`).
pub fn error_code<E, R>(err: &aws_sdk_sqs::error::SdkError<E, R>) -> String
where
    E: aws_sdk_sqs::error::ProvideErrorMetadata,
{
    err.as_service_error()
        .and_then(|e| e.code())
        .unwrap_or("<not a service error>")
        .to_string()
}

/// The message the SDK extracted.
pub fn error_message<E, R>(err: &aws_sdk_sqs::error::SdkError<E, R>) -> String
where
    E: aws_sdk_sqs::error::ProvideErrorMetadata,
{
    err.as_service_error()
        .and_then(|e| e.message())
        .unwrap_or("<no message>")
        .to_string()
}

/// Asserts that an SDK call failed with the SQS error `code` and exactly `message`.
#[track_caller]
pub fn assert_sqs_error<E, R>(
    err: &aws_sdk_sqs::error::SdkError<E, R>,
    code: &str,
    message: impl AsRef<str>,
) where
    E: aws_sdk_sqs::error::ProvideErrorMetadata,
{
    assert_eq!(error_code(err), code);
    assert_eq!(error_message(err), message.as_ref());
}

/// Lowercase hex MD5, computed independently of the server.
pub fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A `String` message attribute.
pub fn string_attr(value: &str) -> MessageAttributeValue {
    typed_attr("String", value)
}

/// A message attribute of `data_type` (`String`, `Number`, `String.label`, ...)
/// carried as a string value.
pub fn typed_attr(data_type: &str, value: &str) -> MessageAttributeValue {
    MessageAttributeValue::builder()
        .data_type(data_type)
        .string_value(value)
        .build()
        .expect("attribute value")
}

/// A `Binary` message attribute.
pub fn binary_attr(bytes: &[u8]) -> MessageAttributeValue {
    MessageAttributeValue::builder()
        .data_type("Binary")
        .binary_value(Blob::new(bytes))
        .build()
        .expect("attribute value")
}

/// MD5 of message attributes as SQS defines it (sqs-spec.md §5.1), computed here
/// independently of the server: names sorted; for each, length-prefixed name and
/// data type, then a transport byte and the length-prefixed value(s).
pub fn md5_of_attributes(attributes: &HashMap<String, MessageAttributeValue>) -> String {
    fn put(out: &mut Vec<u8>, bytes: &[u8]) {
        let len = u32::try_from(bytes.len()).expect("attribute part fits u32");
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(bytes);
    }
    let mut names: Vec<&String> = attributes.keys().collect();
    names.sort();
    let mut stream = Vec::new();
    for name in names {
        let value = &attributes[name];
        put(&mut stream, name.as_bytes());
        put(&mut stream, value.data_type().as_bytes());
        if let Some(s) = value.string_value() {
            stream.push(1);
            put(&mut stream, s.as_bytes());
        } else if let Some(b) = value.binary_value() {
            stream.push(2);
            put(&mut stream, b.as_ref());
        } else if !value.string_list_values().is_empty() {
            stream.push(3);
            for s in value.string_list_values() {
                put(&mut stream, s.as_bytes());
            }
        } else {
            stream.push(4);
            for b in value.binary_list_values() {
                put(&mut stream, b.as_ref());
            }
        }
    }
    md5_hex(&stream)
}

/// A message's system attribute by name (`SentTimestamp`, `SequenceNumber`, ...).
pub fn sys_attr(message: &Message, name: &str) -> Option<String> {
    message
        .attributes()?
        .get(&MessageSystemAttributeName::from(name))
        .cloned()
}

/// The names of the system attributes a message came back with, sorted.
pub fn sys_attr_names(message: &Message) -> Vec<String> {
    let mut names: Vec<String> = message
        .attributes()
        .map(|m| m.keys().map(|k| k.as_str().to_string()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// The bodies of `messages`, in order.
pub fn bodies(messages: &[Message]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m.body().unwrap_or_default().to_string())
        .collect()
}

/// Asserts a raw JSON error answer: status, `__type`, lowercase `message`,
/// `x-amzn-query-error: <query_code>;Sender` and a request id.
pub fn assert_json_error(
    resp: &RawResponse,
    status: u16,
    json_type: &str,
    query_code: &str,
    message: &str,
) {
    assert_eq!(resp.status, status, "status of {resp:?}");
    let body = resp.json();
    assert_eq!(body["__type"], json_type, "__type of {resp:?}");
    assert_eq!(body["message"], message, "message of {resp:?}");
    assert_eq!(
        resp.header("x-amzn-query-error"),
        Some(format!("{query_code};Sender").as_str()),
        "query error header of {resp:?}"
    );
    assert!(
        resp.header("x-amzn-requestid")
            .is_some_and(|id| !id.is_empty()),
        "request id of {resp:?}"
    );
    assert_eq!(
        resp.header("content-type"),
        Some("application/x-amz-json-1.0")
    );
}
