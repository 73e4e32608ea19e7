//! Consumes payments from fifowin into an SQLite ledger, applying each once. Run with:
//! `cargo run -p effectively-once --bin consumer -- ledger.sqlite` (FIFOWIN_ENDPOINT
//! as for the producer). Stops after a receive that waited 5 s and found nothing.

use effectively_once::consumer::Consumer;
use effectively_once::ledger::Ledger;
use effectively_once::sqs_client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let endpoint =
        std::env::var("FIFOWIN_ENDPOINT").unwrap_or_else(|_| "http://localhost:9324".into());
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "ledger.sqlite".into());
    let sqs = sqs_client(&endpoint).await;
    let url = sqs
        .get_queue_url()
        .queue_name("payments.fifo")
        .send()
        .await?
        .queue_url
        .unwrap_or_default();
    let mut consumer = Consumer::new(sqs, url, Ledger::open(path.as_ref())?);
    loop {
        let polled = consumer.poll(5).await?;
        if polled.received == 0 {
            break;
        }
        println!(
            "applied {}, skipped {} duplicates",
            polled.applied, polled.duplicates
        );
    }
    println!("{} messages processed", consumer.ledger.processed()?);
    Ok(())
}
