//! The control API calls a test makes (`/_fifowin/...`), over HTTP like any other
//! client's, with typed answers where the shape is fixed.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::{Error, Fifowin};

/// A duplicate that arrived after its window closed and was accepted as new
/// (`GET /_fifowin/escapes`).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Escape {
    pub queue: String,
    pub dedup_id: String,
    pub group_id: Option<String>,
    pub first_sent_ms: u64,
    pub resent_ms: u64,
    pub late_by_ms: u64,
}

/// A publish an SNS FIFO topic accepted after its id's window had closed
/// (`GET /_fifowin/escapes`, under `topic_escapes`).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct TopicEscape {
    /// The topic's name.
    pub topic: String,
    pub topic_arn: String,
    pub dedup_id: String,
    pub group_id: Option<String>,
    pub first_sent_ms: u64,
    pub resent_ms: u64,
    pub late_by_ms: u64,
}

#[derive(Deserialize)]
struct Escapes {
    escapes: Vec<Escape>,
}

#[derive(Deserialize)]
struct TopicEscapes {
    topic_escapes: Vec<TopicEscape>,
}

impl Fifowin {
    /// Sends a control request (any route under `/_fifowin/`); returns the JSON answer of a 2xx status.
    pub async fn control(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, Error> {
        let name = method.to_string();
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.endpoint));
        if let Some(body) = body {
            req = req.json(body);
        }
        let failed = |source| Error::Request {
            method: name.clone(),
            path: path.to_string(),
            source,
        };
        let resp = req.send().await.map_err(failed)?;
        let status = resp.status();
        let text = resp.text().await.map_err(failed)?;
        if !status.is_success() {
            return Err(Error::Status {
                method: name,
                path: path.to_string(),
                status: status.as_u16(),
                body: text,
            });
        }
        serde_json::from_str(&text).map_err(|_| Error::Answer {
            method: name,
            path: path.to_string(),
            body: text,
        })
    }

    /// Moves the server clock forward (`POST /_fifowin/clock/advance`); returns the
    /// clock's new reading in ms since the epoch.
    pub async fn advance(&self, by: Duration) -> Result<u64, Error> {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        let path = "/_fifowin/clock/advance";
        let answer = self
            .control(
                reqwest::Method::POST,
                path,
                Some(&serde_json::json!({ "ms": ms })),
            )
            .await?;
        answer["now_ms"]
            .as_u64()
            .ok_or_else(|| unexpected("POST", path, &answer))
    }

    /// The duplicates that escaped their window, across all queues.
    pub async fn escapes(&self) -> Result<Vec<Escape>, Error> {
        let path = "/_fifowin/escapes";
        let answer = self.control(reqwest::Method::GET, path, None).await?;
        serde_json::from_value::<Escapes>(answer.clone())
            .map(|e| e.escapes)
            .map_err(|_| unexpected("GET", path, &answer))
    }

    /// The publishes that escaped their SNS FIFO topic's window, across all topics.
    pub async fn topic_escapes(&self) -> Result<Vec<TopicEscape>, Error> {
        let path = "/_fifowin/escapes";
        let answer = self.control(reqwest::Method::GET, path, None).await?;
        serde_json::from_value::<TopicEscapes>(answer.clone())
            .map(|e| e.topic_escapes)
            .map_err(|_| unexpected("GET", path, &answer))
    }

    /// Adds a fault rule (`POST /_fifowin/faults`, e.g.
    /// `{"operation": "SendMessage", "action": "fail_after_commit", "count": 1}`);
    /// returns its id.
    pub async fn add_fault(&self, rule: Value) -> Result<u64, Error> {
        let path = "/_fifowin/faults";
        let answer = self
            .control(reqwest::Method::POST, path, Some(&rule))
            .await?;
        answer["id"]
            .as_u64()
            .ok_or_else(|| unexpected("POST", path, &answer))
    }

    /// The fault rules, each with its `id`, `matched` and `fired` counts.
    pub async fn faults(&self) -> Result<Vec<Value>, Error> {
        let path = "/_fifowin/faults";
        let mut answer = self.control(reqwest::Method::GET, path, None).await?;
        match answer["rules"].take() {
            Value::Array(rules) => Ok(rules),
            _ => Err(unexpected("GET", path, &answer)),
        }
    }

    /// Removes every fault rule; returns how many there were.
    pub async fn clear_faults(&self) -> Result<u64, Error> {
        let path = "/_fifowin/faults";
        let answer = self.control(reqwest::Method::DELETE, path, None).await?;
        answer["removed"]
            .as_u64()
            .ok_or_else(|| unexpected("DELETE", path, &answer))
    }

    /// Back to the start-up state: every queue and fault rule gone.
    pub async fn reset(&self) -> Result<(), Error> {
        self.control(reqwest::Method::POST, "/_fifowin/reset", None)
            .await
            .map(drop)
    }

    /// A queue's live deduplication entries (`GET /_fifowin/queues/<name>/dedup`).
    pub async fn dedup(&self, queue: &str) -> Result<Value, Error> {
        let path = format!("/_fifowin/queues/{queue}/dedup");
        self.control(reqwest::Method::GET, &path, None).await
    }

    /// A queue's messages with their states (`GET /_fifowin/queues/<name>/messages`).
    pub async fn messages(&self, queue: &str) -> Result<Value, Error> {
        let path = format!("/_fifowin/queues/{queue}/messages");
        self.control(reqwest::Method::GET, &path, None).await
    }
}

fn unexpected(method: &str, path: &str, answer: &Value) -> Error {
    Error::Answer {
        method: method.to_string(),
        path: path.to_string(),
        body: answer.to_string(),
    }
}
