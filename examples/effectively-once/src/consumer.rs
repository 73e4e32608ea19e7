//! The consumer: receive, apply each message through the ledger (effect and message
//! id in one transaction), then delete. A failed delete is not an error: the
//! message comes back, and the ledger recognises its id and skips the effect.

use crate::ledger::{Applied, Ledger};
use crate::{Error, Payment};

/// What one poll did.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Polled {
    /// Messages received.
    pub received: u64,
    /// Effects applied for the first time.
    pub applied: u64,
    /// Deliveries of messages already processed: skipped.
    pub duplicates: u64,
    /// Deletes the queue refused (e.g. the receipt handle expired after a redelivery).
    pub failed_deletes: u64,
}

/// Consumes payments from one queue into a ledger.
#[derive(Debug)]
pub struct Consumer {
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
    pub ledger: Ledger,
}

impl Consumer {
    pub fn new(sqs: aws_sdk_sqs::Client, queue_url: impl Into<String>, ledger: Ledger) -> Self {
        Self {
            sqs,
            queue_url: queue_url.into(),
            ledger,
        }
    }

    /// One receive of up to 10 messages (waiting up to `wait_secs`), each applied
    /// and deleted.
    pub async fn poll(&mut self, wait_secs: i32) -> Result<Polled, Error> {
        let received = self
            .sqs
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(wait_secs)
            .send()
            .await
            .map_err(|e| Error::Sqs(format!("{e:?}")))?;
        let mut polled = Polled::default();
        for message in received.messages.unwrap_or_default() {
            polled.received += 1;
            let payment: Payment = serde_json::from_str(message.body().unwrap_or_default())?;
            let message_id = message.message_id().unwrap_or_default();
            match self.ledger.apply(message_id, &payment)? {
                Applied::Now => polled.applied += 1,
                Applied::Before => polled.duplicates += 1,
            }
            // Only after the transaction committed: a crash before this line means
            // a redelivery, which the ledger absorbs.
            let deleted = self
                .sqs
                .delete_message()
                .queue_url(&self.queue_url)
                .receipt_handle(message.receipt_handle().unwrap_or_default())
                .send()
                .await;
            if deleted.is_err() {
                polled.failed_deletes += 1;
            }
        }
        Ok(polled)
    }
}
