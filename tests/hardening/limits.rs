//! Limits: header size, slow clients, queue count and the memory cap.

use std::time::Duration;

use fifowin_e2e::TestServer;
use fifowin_server::ServerConfig;
use fifowin_server::config::Limits;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::socket::{exchange, read_to_close, status};

fn with_limits(limits: Limits) -> ServerConfig {
    ServerConfig {
        limits,
        ..ServerConfig::default()
    }
}

#[tokio::test]
async fn oversized_headers_get_431_and_the_server_lives_on() {
    let server = TestServer::start_with(with_limits(Limits {
        max_header_bytes: 16 * 1024,
        ..Limits::default()
    }))
    .await;
    let big = "a".repeat(64 * 1024);
    let request = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AmazonSQS.ListQueues\r\nX-Big: {big}\r\nContent-Length: 2\r\n\r\n{{}}"
    );
    let answer = exchange(server.addr, request.as_bytes()).await;
    assert_eq!(status(&answer), 431, "{}", &answer[..answer.len().min(200)]);
    // Many headers that together are too large, too.
    let many: String = (0..2000).map(|i| format!("X-H{i}: v\r\n")).collect();
    let request =
        format!("POST / HTTP/1.1\r\nHost: localhost\r\n{many}Content-Length: 2\r\n\r\n{{}}");
    let answer = exchange(server.addr, request.as_bytes()).await;
    assert!((400..500).contains(&status(&answer)), "{answer}");
    let listed = server.sqs.list_queues().send().await;
    assert!(listed.is_ok(), "{listed:?}");
}

#[tokio::test]
async fn a_client_that_stalls_in_its_headers_is_disconnected() {
    let server = TestServer::start_with(with_limits(Limits {
        header_read_timeout: Duration::from_millis(300),
        ..Limits::default()
    }))
    .await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(b"POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Tar")
        .await
        .unwrap();
    // No more bytes: the server must close the connection by itself.
    let answer = read_to_close(&mut stream).await;
    assert!(!answer.contains(" 200 "), "{answer}");
    assert!(server.sqs.list_queues().send().await.is_ok());
}

#[tokio::test]
async fn a_client_that_stalls_in_its_body_gets_request_timeout() {
    let server = TestServer::start_with(with_limits(Limits {
        body_read_timeout: Duration::from_millis(300),
        ..Limits::default()
    }))
    .await;
    for (target, content_type) in [
        (
            "X-Amz-Target: AmazonSQS.ListQueues\r\n",
            "application/x-amz-json-1.0",
        ),
        ("", "application/x-www-form-urlencoded"),
    ] {
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        let head = format!(
            "POST / HTTP/1.1\r\nHost: localhost\r\n{target}Content-Type: {content_type}\r\nContent-Length: 100\r\n\r\n{{\"Queue"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let answer = read_to_close(&mut stream).await;
        assert_eq!(status(&answer), 400, "{answer}");
        assert!(answer.contains("RequestTimeout"), "{answer}");
    }
}

#[tokio::test]
async fn queue_count_is_capped_with_over_limit() {
    let server = TestServer::start_with(with_limits(Limits {
        max_queues: 3,
        ..Limits::default()
    }))
    .await;
    for i in 0..3 {
        server.standard_queue(&format!("q{i}"), &[]).await;
    }
    // Re-creating an existing queue is not a new queue.
    server.standard_queue("q0", &[]).await;
    let err = server
        .sqs
        .create_queue()
        .queue_name("q3")
        .send()
        .await
        .unwrap_err();
    let err = err.into_service_error();
    assert_eq!(
        aws_sdk_sqs::error::ProvideErrorMetadata::code(&err),
        Some("OverLimit")
    );
    let message = aws_sdk_sqs::error::ProvideErrorMetadata::message(&err).unwrap_or_default();
    assert!(message.contains("maximum of 3 queues"), "{message}");
    let raw = server
        .json("CreateQueue", serde_json::json!({"QueueName": "q4"}))
        .await;
    assert_eq!(raw.status, 403);
    assert_eq!(raw.header("x-amzn-query-error"), Some("OverLimit;Sender"));
    // Deleting one makes room again.
    let url = server.standard_queue("q1", &[]).await;
    server
        .sqs
        .delete_queue()
        .queue_url(url)
        .send()
        .await
        .unwrap();
    server.standard_queue("q3", &[]).await;
}

#[tokio::test]
async fn over_the_memory_cap_sends_are_refused_but_consumers_still_work() {
    // A 1-byte cap: this process is always above it, so every send is refused.
    let server = TestServer::start_with(with_limits(Limits {
        max_memory_bytes: Some(1),
        ..Limits::default()
    }))
    .await;
    let url = server.standard_queue("full", &[]).await;
    let err = server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        aws_sdk_sqs::error::ProvideErrorMetadata::code(&err),
        Some("OverLimit")
    );
    let message = aws_sdk_sqs::error::ProvideErrorMetadata::message(&err).unwrap_or_default();
    assert!(message.contains("memory cap"), "{message}");
    let batch = server
        .json(
            "SendMessageBatch",
            serde_json::json!({"QueueUrl": url, "Entries": [{"Id": "a", "MessageBody": "x"}]}),
        )
        .await;
    assert_eq!(batch.status, 403, "{}", batch.body);
    // Receiving, deleting and purging go on, so consumers can drain.
    let received = server.sqs.receive_message().queue_url(&url).send().await;
    assert!(received.is_ok(), "{received:?}");
    assert!(
        server
            .sqs
            .purge_queue()
            .queue_url(&url)
            .send()
            .await
            .is_ok()
    );

    // A generous cap lets sends through.
    let roomy = TestServer::start_with(with_limits(Limits {
        max_memory_bytes: Some(1 << 40),
        ..Limits::default()
    }))
    .await;
    let url = roomy.standard_queue("roomy", &[]).await;
    let sent = roomy
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .send()
        .await;
    assert!(sent.is_ok(), "{sent:?}");
}
