//! Sends payments to fifowin. Run with:
//! `cargo run -p effectively-once --bin producer -- <count>` (a fifowin server on
//! FIFOWIN_ENDPOINT, default http://localhost:9324; the queue payments.fifo is created).

use effectively_once::producer::Producer;
use effectively_once::{Payment, sqs_client};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let endpoint =
        std::env::var("FIFOWIN_ENDPOINT").unwrap_or_else(|_| "http://localhost:9324".into());
    let count: u32 = std::env::args().nth(1).map_or(Ok(10), |n| n.parse())?;
    let sqs = sqs_client(&endpoint).await;
    let url = sqs
        .create_queue()
        .queue_name("payments.fifo")
        .attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true")
        .send()
        .await?
        .queue_url
        .unwrap_or_default();
    let producer = Producer::new(sqs, url);
    for i in 0..count {
        let payment = Payment {
            id: format!("payment-{i}"),
            account: format!("account-{}", i % 3),
            amount: i64::from(i + 1),
        };
        let id = producer.send(&payment).await?;
        println!("{} -> message {id}", payment.id);
    }
    Ok(())
}
