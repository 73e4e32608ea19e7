//! The producer: one SendMessage per payment, deduplicated by the payment id. The
//! SDK retries a lost acknowledgement by itself; when it gives up, the producer
//! sends again with the same dedup id, which the window still suppresses.

use crate::{Error, Payment};

/// Application-level attempts after the SDK's own retries are exhausted.
const MAX_SENDS: usize = 10;

/// Sends payments to one FIFO queue.
#[derive(Debug, Clone)]
pub struct Producer {
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
}

impl Producer {
    pub fn new(sqs: aws_sdk_sqs::Client, queue_url: impl Into<String>) -> Self {
        Self {
            sqs,
            queue_url: queue_url.into(),
        }
    }

    /// Sends `payment` until the queue acknowledges it; returns its message id
    /// (the original one, if an earlier attempt had been stored already).
    pub async fn send(&self, payment: &Payment) -> Result<String, Error> {
        let body = serde_json::to_string(payment)?;
        let mut last_error = String::new();
        for _ in 0..MAX_SENDS {
            let sent = self
                .sqs
                .send_message()
                .queue_url(&self.queue_url)
                .message_body(&body)
                .message_group_id(&payment.account)
                .message_deduplication_id(&payment.id)
                .send()
                .await;
            match sent {
                Ok(out) => return Ok(out.message_id.unwrap_or_default()),
                Err(err) => last_error = format!("{err:?}"),
            }
        }
        Err(Error::Sqs(format!(
            "payment {} not acknowledged after {MAX_SENDS} sends: {last_error}",
            payment.id
        )))
    }
}
