//! Time on the manual clock: visibility timeouts and ChangeMessageVisibility
//! (including the 12 h limit), receipt handles that expired (FIFO vs standard),
//! retention, and delays (FIFO queue delay changes are retroactive).

use fifowin_e2e::{TestServer, assert_sqs_error, error_code, error_message, sys_attr};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_reappear_when_the_visibility_timeout_ends() {
    let server = TestServer::start().await;
    let url = server.standard_queue("vis", &[]).await;
    server.send(&url, "m").await;
    assert_eq!(server.receive(&url, 1).await.len(), 1);
    server.advance(29_999).await;
    assert!(server.receive(&url, 1).await.is_empty());
    server.advance(1).await;
    let again = server.receive(&url, 1).await;
    assert_eq!(
        sys_attr(&again[0], "ApproximateReceiveCount").as_deref(),
        Some("2")
    );

    // A per-receive timeout applies to that receive only.
    let url = server
        .standard_queue("custom", &[("VisibilityTimeout", "5")])
        .await;
    server.send(&url, "m").await;
    let got = server
        .sqs
        .receive_message()
        .queue_url(&url)
        .visibility_timeout(60)
        .send()
        .await
        .unwrap();
    assert_eq!(got.messages().len(), 1);
    server.advance(59_999).await;
    assert!(server.receive(&url, 1).await.is_empty());
    server.advance(1).await;
    assert_eq!(server.receive(&url, 1).await.len(), 1);
    server.advance(4_999).await;
    assert!(server.receive(&url, 1).await.is_empty());
    server.advance(1).await;
    assert_eq!(server.receive(&url, 1).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_visibility_counts_from_now_and_zero_releases() {
    let server = TestServer::start().await;
    let url = server.standard_queue("change", &[]).await;
    server.send(&url, "m").await;
    let handle = server.receive(&url, 1).await[0]
        .receipt_handle()
        .unwrap()
        .to_string();
    let change = |secs: i32| {
        server
            .sqs
            .change_message_visibility()
            .queue_url(&url)
            .receipt_handle(&handle)
            .visibility_timeout(secs)
            .send()
    };
    server.advance(20_000).await;
    change(15).await.unwrap();
    // 15 s from the change, not 30 + 15 from the receive.
    server.advance(14_999).await;
    assert!(server.receive(&url, 1).await.is_empty());
    server.advance(1).await;
    let got = server.receive(&url, 1).await;
    assert_eq!(got.len(), 1);
    let handle2 = got[0].receipt_handle().unwrap();
    server
        .sqs
        .change_message_visibility()
        .queue_url(&url)
        .receipt_handle(handle2)
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    assert_eq!(server.receive(&url, 1).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn total_visibility_is_limited_to_twelve_hours_from_the_receive() {
    let server = TestServer::start().await;
    let url = server.standard_queue("limit", &[]).await;
    server.send(&url, "m").await;
    let handle = server.receive(&url, 1).await[0]
        .receipt_handle()
        .unwrap()
        .to_string();
    let change = |secs: i32| {
        server
            .sqs
            .change_message_visibility()
            .queue_url(&url)
            .receipt_handle(&handle)
            .visibility_timeout(secs)
            .send()
    };
    change(43_200).await.unwrap();
    server.advance(1_000).await;
    let err = change(43_200).await.unwrap_err();
    assert_sqs_error(
        &err,
        "InvalidParameterValue",
        "Value 43200 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds].",
    );
    change(43_199).await.unwrap();
    let err = change(-1).await.unwrap_err();
    assert_eq!(error_code(&err), "InvalidParameterValue");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_and_stale_receipt_handles() {
    let server = TestServer::start().await;
    let url = server.standard_queue("handles", &[]).await;
    let err = server
        .sqs
        .delete_message()
        .queue_url(&url)
        .receipt_handle("garbage")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_receipt_handle_is_invalid()
    );
    assert_eq!(
        error_message(&err),
        "The input receipt handle \"garbage\" is not a valid receipt handle."
    );
    let err = server
        .sqs
        .change_message_visibility()
        .queue_url(&url)
        .receipt_handle("garbage")
        .visibility_timeout(1)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_receipt_handle_is_invalid()
    );

    server.send(&url, "m").await;
    let handle = server.receive(&url, 1).await[0]
        .receipt_handle()
        .unwrap()
        .to_string();
    server.delete(&url, &handle).await;
    // Deleting again is fine; changing the visibility of a deleted message is not.
    server.delete(&url, &handle).await;
    let err = server
        .sqs
        .change_message_visibility()
        .queue_url(&url)
        .receipt_handle(&handle)
        .visibility_timeout(10)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error_message(&err),
        format!(
            "Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change."
        )
    );
    // A handle from another queue is not valid here.
    let other = server.standard_queue("other", &[]).await;
    server.send(&other, "o").await;
    let foreign = server.receive(&other, 1).await[0]
        .receipt_handle()
        .unwrap()
        .to_string();
    let err = server
        .sqs
        .delete_message()
        .queue_url(&url)
        .receipt_handle(&foreign)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_receipt_handle_is_invalid()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifo_refuses_expired_handles_and_standard_accepts_them() {
    let server = TestServer::start().await;
    let fifo = server.fifo_queue("expired", &[]).await;
    server.send_fifo(&fifo, "g", Some("d"), "f").await;
    let handle = server.receive(&fifo, 1).await[0]
        .receipt_handle()
        .unwrap()
        .to_string();
    server.advance(30_000).await;
    let err = server
        .sqs
        .delete_message()
        .queue_url(&fifo)
        .receipt_handle(&handle)
        .send()
        .await
        .unwrap_err();
    assert_sqs_error(
        &err,
        "InvalidParameterValue",
        format!(
            "Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."
        ),
    );
    let out = server
        .sqs
        .delete_message_batch()
        .queue_url(&fifo)
        .entries(
            aws_sdk_sqs::types::DeleteMessageBatchRequestEntry::builder()
                .id("old")
                .receipt_handle(&handle)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(out.failed()[0].code(), "InvalidParameterValue");
    assert!(out.successful().is_empty());
    assert_eq!(server.receive_bodies(&fifo, 1).await, ["f"]);

    let standard = server.standard_queue("expired", &[]).await;
    server.send(&standard, "s").await;
    let handle = server.receive(&standard, 1).await[0]
        .receipt_handle()
        .unwrap()
        .to_string();
    server.advance(30_000).await;
    server.delete(&standard, &handle).await;
    assert!(server.receive(&standard, 1).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_extended_fifo_handle_stays_valid_until_the_extension_ends() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("extended", &[]).await;
    server.send_fifo(&url, "g", Some("d"), "m").await;
    let handle = server.receive(&url, 1).await[0]
        .receipt_handle()
        .unwrap()
        .to_string();
    server.advance(20_000).await;
    server
        .sqs
        .change_message_visibility()
        .queue_url(&url)
        .receipt_handle(&handle)
        .visibility_timeout(60)
        .send()
        .await
        .unwrap();
    server.advance(30_000).await;
    server.delete(&url, &handle).await;
    server.advance(60_000).await;
    assert!(server.receive(&url, 1).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standard_change_visibility_with_an_expired_handle_hides_the_message() {
    let server = TestServer::start().await;
    let url = server.standard_queue("rehide", &[]).await;
    server.send(&url, "m").await;
    let handle = server.receive(&url, 1).await[0]
        .receipt_handle()
        .unwrap()
        .to_string();
    server.advance(30_000).await;
    server
        .sqs
        .change_message_visibility()
        .queue_url(&url)
        .receipt_handle(&handle)
        .visibility_timeout(100)
        .send()
        .await
        .unwrap();
    assert!(server.receive(&url, 1).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_removes_messages_even_in_flight() {
    let server = TestServer::start().await;
    for fifo in [false, true] {
        let url = if fifo {
            server
                .fifo_queue("keep", &[("MessageRetentionPeriod", "60")])
                .await
        } else {
            server
                .standard_queue("keep", &[("MessageRetentionPeriod", "60")])
                .await
        };
        let send = |body: &'static str, dedup: &'static str| {
            let url = url.clone();
            let server = &server;
            async move {
                if fifo {
                    server.send_fifo(&url, body, Some(dedup), body).await;
                } else {
                    server.send(&url, body).await;
                }
            }
        };
        send("old", "1").await;
        server.advance(30_000).await;
        send("young", "2").await;
        let got = server
            .sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .visibility_timeout(600)
            .send()
            .await
            .unwrap();
        assert_eq!(got.messages().len(), 2, "fifo={fifo}");
        server.advance(30_000).await;
        let attrs = server.queue_attributes(&url).await;
        assert_eq!(
            attrs["ApproximateNumberOfMessagesNotVisible"], "1",
            "fifo={fifo}"
        );
        // Past its visibility timeout, the expired message does not come back.
        server.advance(600_000).await;
        assert!(server.receive(&url, 10).await.is_empty(), "fifo={fifo}");
        // Its old handle still deletes "successfully".
        let handle = got.messages()[0].receipt_handle().unwrap();
        server.delete(&url, handle).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standard_queue_delay_changes_are_not_retroactive() {
    let server = TestServer::start().await;
    let url = server
        .standard_queue("delay", &[("DelaySeconds", "60")])
        .await;
    server.send(&url, "m").await;
    assert_eq!(
        server
            .queue_attribute(&url, "ApproximateNumberOfMessagesDelayed")
            .await
            .as_deref(),
        Some("1")
    );
    server.set_attributes(&url, &[("DelaySeconds", "0")]).await;
    assert!(server.receive(&url, 1).await.is_empty());
    server.advance(59_999).await;
    assert!(server.receive(&url, 1).await.is_empty());
    server.advance(1).await;
    assert_eq!(server.receive_bodies(&url, 1).await, ["m"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifo_queue_delay_changes_apply_to_delayed_messages() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("delay", &[("DelaySeconds", "60")]).await;
    server.send_fifo(&url, "g", Some("1"), "shortened").await;
    server.advance(5_000).await;
    assert!(server.receive(&url, 1).await.is_empty());
    // Now 10 s from the send: already 5 s in, so 5 s remain.
    server.set_attributes(&url, &[("DelaySeconds", "10")]).await;
    server.advance(4_999).await;
    assert!(server.receive(&url, 1).await.is_empty());
    server.advance(1).await;
    let got = server.receive(&url, 1).await;
    assert_eq!(got.len(), 1);
    server.delete(&url, got[0].receipt_handle().unwrap()).await;

    server.send_fifo(&url, "g", Some("2"), "released").await;
    server.set_attributes(&url, &[("DelaySeconds", "0")]).await;
    assert_eq!(server.receive_bodies(&url, 1).await, ["released"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standard_handles_of_an_earlier_receive_still_act_on_the_message() {
    let server = TestServer::start().await;
    let url = server.standard_queue("stale", &[]).await;
    server.send(&url, "m").await;
    let old = server.receive(&url, 1).await[0]
        .receipt_handle()
        .unwrap()
        .to_string();
    server.advance(30_000).await;
    let new = server.receive(&url, 1).await[0]
        .receipt_handle()
        .unwrap()
        .to_string();
    assert_ne!(old, new);
    // The first receive's handle still changes the visibility...
    server
        .sqs
        .change_message_visibility()
        .queue_url(&url)
        .receipt_handle(&old)
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    assert_eq!(server.receive_bodies(&url, 1).await, ["m"]);
    // ...and deletes the message.
    server.delete(&url, &old).await;
    server.advance(30_000).await;
    assert!(server.receive(&url, 1).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shorter_retention_period_expires_stored_messages() {
    let server = TestServer::start().await;
    let url = server.standard_queue("shrink", &[]).await;
    server.send(&url, "old").await;
    server.advance(90_000).await;
    server.send(&url, "new").await;
    server
        .set_attributes(&url, &[("MessageRetentionPeriod", "60")])
        .await;
    assert_eq!(server.receive_bodies(&url, 10).await, ["new"]);
}
