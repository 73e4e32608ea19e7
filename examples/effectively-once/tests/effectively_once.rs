//! The pattern under fire: fifowin loses SendMessage acknowledgements after storing
//! the message (`fail_after_commit`) and hands received messages out again
//! (`redeliver`), and every payment's effect is still applied exactly once. The
//! duplicates that were caught are read from fifowin's `/metrics`.

use std::collections::BTreeMap;

use effectively_once::consumer::{Consumer, Polled};
use effectively_once::ledger::Ledger;
use effectively_once::producer::Producer;
use effectively_once::{Payment, metrics, sqs_client};
use fifowin_testing::Fifowin;
use serde_json::json;

const QUEUE: &str = "payments.fifo";
const PAYMENTS: u32 = 60;

/// Fired counts of the fault rules, by action.
async fn fired(fw: &Fifowin) -> BTreeMap<String, u64> {
    fw.faults()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let action = r["action"].as_str().unwrap().to_string();
            (action, r["fired"].as_u64().unwrap())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_payment_is_applied_exactly_once_despite_lost_acks_and_redeliveries() {
    // fifowin in this process, on a real socket; stops when the test ends.
    let fw = Fifowin::start().await.unwrap();
    let endpoint = fw.endpoint_url().to_string();
    // Seeded triggers: the same requests fail on every run.
    fw.add_fault(
        json!({"operation": "SendMessage", "queue": QUEUE, "action": "fail_after_commit",
                         "probability": 0.3, "seed": 7}),
    )
    .await
    .unwrap();
    fw.add_fault(
        json!({"operation": "ReceiveMessage", "queue": QUEUE, "action": "redeliver",
                         "probability": 0.3, "seed": 11}),
    )
    .await
    .unwrap();

    let sqs = sqs_client(&endpoint).await;
    let url = sqs
        .create_queue()
        .queue_name(QUEUE)
        .attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();

    let producer = Producer::new(sqs.clone(), &url);
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    for i in 0..PAYMENTS {
        let payment = Payment {
            id: format!("payment-{i}"),
            account: format!("account-{}", i % 4),
            amount: i64::from(i) + 1,
        };
        producer.send(&payment).await.expect("acknowledged at last");
        *expected.entry(payment.account).or_default() += payment.amount;
    }

    let mut consumer = Consumer::new(sqs, &url, Ledger::in_memory().unwrap());
    let mut total = Polled::default();
    for _ in 0..1_000 {
        let polled = consumer.poll(0).await.unwrap();
        total.received += polled.received;
        total.applied += polled.applied;
        total.duplicates += polled.duplicates;
        total.failed_deletes += polled.failed_deletes;
        if polled.received == 0 && consumer.ledger.processed().unwrap() == u64::from(PAYMENTS) {
            break;
        }
    }

    // Exactly once: one ledger entry per payment, balances as sent.
    let applications = consumer.ledger.applications().unwrap();
    assert_eq!(applications.len(), PAYMENTS as usize);
    assert!(
        applications.iter().all(|(_, n)| *n == 1),
        "{applications:?}"
    );
    for (account, sum) in &expected {
        assert_eq!(consumer.ledger.balance(account).unwrap(), *sum, "{account}");
    }
    assert_eq!(total.applied, u64::from(PAYMENTS));

    // What the queue did, from /metrics: every lost acknowledgement caused one
    // retry, which the dedup window suppressed; every redelivery reached the
    // consumer, which skipped it.
    let counter = |name: &'static str| {
        let endpoint = endpoint.clone();
        async move {
            metrics::queue_counter(&endpoint, name, QUEUE)
                .await
                .unwrap()
        }
    };
    let sent = counter("fifowin_messages_sent_total").await;
    let suppressed = counter("fifowin_duplicates_suppressed_total").await;
    let redelivered = counter("fifowin_messages_redelivered_total").await;
    let fired = fired(&fw).await;
    eprintln!(
        "{PAYMENTS} payments: {sent} stored, {suppressed} duplicate sends suppressed \
         ({} lost acks), {redelivered} redeliveries ({} redelivering receives), \
         {} skipped by the ledger, {} deletes refused",
        fired["fail_after_commit"], fired["redeliver"], total.duplicates, total.failed_deletes
    );
    assert_eq!(sent, f64::from(PAYMENTS));
    assert!(fired["fail_after_commit"] > 0, "the faults did fire");
    assert_eq!(suppressed, fired["fail_after_commit"] as f64);
    assert!(fired["redeliver"] > 0);
    assert!(redelivered >= fired["redeliver"] as f64);
    assert_eq!(redelivered, total.duplicates as f64);
}
