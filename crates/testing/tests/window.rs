//! fifowin-testing as a user's test uses it: a duplicate inside the window is
//! suppressed, advancing past the window lets the resend through and lists it as
//! an escape, a lost acknowledgement is retried by the SDK into one message, and
//! reset empties the server. README's Rust example is the first test.

use std::time::Duration;

use aws_sdk_sqs::types::QueueAttributeName;
use fifowin_testing::Fifowin;
use serde_json::json;

#[tokio::test]
async fn a_resend_after_the_window_closes_is_listed_as_an_escape()
-> Result<(), Box<dyn std::error::Error>> {
    let fw = Fifowin::builder()
        .window(Duration::from_secs(90))
        .start()
        .await?;
    let sqs = fw.sqs_client();
    let queue = sqs
        .create_queue()
        .queue_name("orders.fifo")
        .attributes(QueueAttributeName::FifoQueue, "true")
        .send()
        .await?
        .queue_url
        .unwrap();
    let send = || {
        sqs.send_message()
            .queue_url(&queue)
            .message_body("order 1")
            .message_group_id("g")
            .message_deduplication_id("order-1")
            .send()
    };
    let first = send().await?.message_id.unwrap();
    // Inside the window: the duplicate gets the original's id and is not stored.
    assert_eq!(send().await?.message_id.unwrap(), first);
    fw.advance(Duration::from_secs(91)).await?;
    // The window has closed: the resend is a new message, and an escape.
    assert_ne!(send().await?.message_id.unwrap(), first);
    let escapes = fw.escapes().await?;
    assert_eq!(escapes.len(), 1);
    assert_eq!(escapes[0].dedup_id, "order-1");
    assert_eq!(escapes[0].queue, "orders.fifo");
    Ok(())
}

#[tokio::test]
async fn a_lost_acknowledgement_is_retried_into_one_message()
-> Result<(), Box<dyn std::error::Error>> {
    let fw = Fifowin::start().await?;
    let sqs = fw.sqs_client();
    let queue = sqs
        .create_queue()
        .queue_name("payments.fifo")
        .attributes(QueueAttributeName::FifoQueue, "true")
        .attributes(QueueAttributeName::ContentBasedDeduplication, "true")
        .send()
        .await?
        .queue_url
        .unwrap();
    let id = fw
        .add_fault(json!({"operation": "SendMessage", "action": "fail_after_commit", "count": 1}))
        .await?;
    let sent = sqs
        .send_message()
        .queue_url(&queue)
        .message_body("pay 10")
        .message_group_id("g")
        .send()
        .await?;
    let rules = fw.faults().await?;
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0]["id"], id);
    assert_eq!(rules[0]["fired"], 1);
    let messages = fw.messages("payments.fifo").await?;
    assert_eq!(messages["visible"], 1);
    assert_eq!(
        messages["messages"][0]["message_id"].as_str(),
        sent.message_id()
    );
    assert_eq!(fw.dedup("payments.fifo").await?["count"], 1);
    assert_eq!(fw.clear_faults().await?, 1);
    assert!(fw.faults().await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn reset_empties_the_server_and_control_errors_are_typed()
-> Result<(), Box<dyn std::error::Error>> {
    let fw = Fifowin::start().await?;
    let sqs = fw.sqs_client();
    sqs.create_queue().queue_name("a").send().await?;
    fw.add_fault(json!({"operation": "ReceiveMessage", "action": "delay", "ms": 1}))
        .await?;
    fw.reset().await?;
    assert!(sqs.list_queues().send().await?.queue_urls().is_empty());
    assert!(fw.faults().await?.is_empty());
    match fw.messages("a").await {
        Err(fifowin_testing::Error::Status { status: 404, .. }) => {}
        other => panic!("expected a 404 for a dropped queue, got {other:?}"),
    }
    match fw
        .add_fault(json!({"operation": "SendMessage", "action": "explode"}))
        .await
    {
        Err(fifowin_testing::Error::Status { status: 400, .. }) => {}
        other => panic!("expected a 400 for an unknown action, got {other:?}"),
    }
    let endpoint = fw.endpoint_url().to_string();
    fw.stop().await?;
    assert!(
        connect(&endpoint).await.is_err(),
        "stopped server still answers"
    );
    Ok(())
}

/// A plain TCP connect: after `stop` nothing listens on the port any more.
async fn connect(endpoint: &str) -> std::io::Result<()> {
    let addr = endpoint.trim_start_matches("http://");
    tokio::net::TcpStream::connect(addr).await.map(drop)
}
