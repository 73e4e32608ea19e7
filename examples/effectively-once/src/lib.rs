//! Effectively-once processing on an SQS FIFO queue: at-least-once delivery plus
//! idempotent processing.
//!
//! Two mechanisms cover the two ways a message arrives twice:
//! - **Producer retries** (a lost SendMessage acknowledgement, a timeout): the
//!   producer sends every logical message with a `MessageDeduplicationId` derived
//!   from the business key (here the payment id), so the queue's dedup window
//!   suppresses the retry and answers with the original message id.
//! - **Redelivery** (a consumer crash, a visibility timeout, a delete that did not
//!   go through): the consumer applies each message's effect *and* records its
//!   message id in one SQLite transaction (the processed-messages pattern). A
//!   message id already recorded is acknowledged without applying anything.
//!
//! # Layout
//! - [`ledger`]: the SQLite store: accounts, ledger entries, processed message ids.
//! - [`producer`]: sends payments with their dedup ids, retrying until acknowledged.
//! - [`consumer`]: receives, applies through the ledger, deletes.
//! - [`metrics`]: reads counters from fifowin's `/metrics`.

pub mod consumer;
pub mod ledger;
pub mod metrics;
pub mod producer;

use serde::{Deserialize, Serialize};

/// The logical message: credit `amount` to `account`, once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// The business key; also the MessageDeduplicationId.
    pub id: String,
    /// Also the MessageGroupId: one account's payments stay in order.
    pub account: String,
    pub amount: i64,
}

/// What can go wrong in the example.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("sqs: {0}")]
    Sqs(String),
    #[error("a message body is not a payment: {0}")]
    BadMessage(#[from] serde_json::Error),
    #[error("metrics: {0}")]
    Metrics(String),
}

/// An SDK client for `endpoint` with the standard retry policy, as an application
/// would build one (credentials are not checked by fifowin).
pub async fn sqs_client(endpoint: &str) -> aws_sdk_sqs::Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_sqs::config::Credentials::new(
            "x", "x", None, None, "example",
        ))
        .retry_config(
            aws_config::retry::RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(std::time::Duration::from_millis(20)),
        )
        .load()
        .await;
    aws_sdk_sqs::Client::new(&config)
}
