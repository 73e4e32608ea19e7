//! FIFO send validation (sqs-spec.md §3.2): group and dedup ids, per-message
//! delays and bodies, for single sends and whole batches, with AWS's exact texts.

use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use fifowin_e2e::{TestServer, assert_sqs_error, error_code, error_message};

const CBD: &str = "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifo_sends_need_a_group_and_a_dedup_id() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("need", &[]).await;
    let err = server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("m")
        .message_deduplication_id("d")
        .send()
        .await
        .unwrap_err();
    assert_sqs_error(
        &err,
        "MissingParameter",
        "The request must contain the parameter MessageGroupId.",
    );
    let err = server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("m")
        .message_group_id("g")
        .send()
        .await
        .unwrap_err();
    assert_sqs_error(&err, "InvalidParameterValue", CBD);
    let err = server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("")
        .message_group_id("g")
        .message_deduplication_id("d")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "MissingParameter");
    assert!(server.receive(&url, 10).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifo_ids_allow_1_to_128_printable_ascii_characters() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("ids", &[]).await;
    let punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    server
        .send_fifo(&url, punctuation, Some(punctuation), "p")
        .await;
    let longest = "d".repeat(128);
    server.send_fifo(&url, &longest, Some(&longest), "l").await;
    for (param, bad) in [
        ("MessageDeduplicationId", "d".repeat(129)),
        ("MessageDeduplicationId", "has space".to_string()),
        ("MessageDeduplicationId", String::new()),
        ("MessageDeduplicationId", "ünï".to_string()),
        ("MessageGroupId", "g".repeat(129)),
        ("MessageGroupId", "tab\there".to_string()),
        ("MessageGroupId", String::new()),
    ] {
        let (group, dedup) = if param == "MessageGroupId" {
            (bad.clone(), "d".to_string())
        } else {
            ("g".to_string(), bad.clone())
        };
        let err = server
            .sqs
            .send_message()
            .queue_url(&url)
            .message_body("m")
            .message_group_id(group)
            .message_deduplication_id(dedup)
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_code(&err), "InvalidParameterValue", "{param}={bad:?}");
        assert_eq!(
            error_message(&err),
            format!(
                "Value {bad} for parameter {param} is invalid. Reason: {param} can only include alphanumeric and punctuation characters. 1 to 128 in length."
            )
        );
    }
    assert_eq!(server.receive(&url, 10).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifo_messages_take_no_per_message_delay() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("delay", &[]).await;
    let err = server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("m")
        .message_group_id("g")
        .message_deduplication_id("d")
        .delay_seconds(2)
        .send()
        .await
        .unwrap_err();
    assert_sqs_error(
        &err,
        "InvalidParameterValue",
        "Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.",
    );
    server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("zero")
        .message_group_id("g")
        .message_deduplication_id("d")
        .delay_seconds(0)
        .send()
        .await
        .unwrap();
    assert_eq!(server.receive_bodies(&url, 10).await, ["zero"]);
}

fn entry(id: &str, group: Option<&str>, dedup: Option<&str>) -> SendMessageBatchRequestEntry {
    SendMessageBatchRequestEntry::builder()
        .id(id)
        .message_body(format!("body {id}"))
        .set_message_group_id(group.map(str::to_owned))
        .set_message_deduplication_id(dedup.map(str::to_owned))
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifo_batches_fail_whole_when_an_entry_lacks_group_or_dedup_id() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("batch", &[]).await;
    let err = server
        .sqs
        .send_message_batch()
        .queue_url(&url)
        .entries(entry("a", Some("g"), Some("d1")))
        .entries(entry("b", None, Some("d2")))
        .send()
        .await
        .unwrap_err();
    // Unlike SendMessage, the batch reports InvalidParameterValue.
    assert_sqs_error(
        &err,
        "InvalidParameterValue",
        "The request must contain the parameter MessageGroupId.",
    );
    let err = server
        .sqs
        .send_message_batch()
        .queue_url(&url)
        .entries(entry("a", Some("g"), Some("d1")))
        .entries(entry("b", Some("g"), None))
        .send()
        .await
        .unwrap_err();
    assert_sqs_error(&err, "InvalidParameterValue", CBD);
    assert!(server.receive(&url, 10).await.is_empty());

    // A bad id is a per-entry failure; the rest are enqueued in entry order.
    let out = server
        .sqs
        .send_message_batch()
        .queue_url(&url)
        .entries(entry("a", Some("g"), Some("d1")))
        .entries(entry("b", Some("g"), Some("bad id")))
        .entries(entry("c", Some("g"), Some("d3")))
        .send()
        .await
        .unwrap();
    let ok: Vec<&str> = out.successful().iter().map(|s| s.id()).collect();
    assert_eq!(ok, ["a", "c"]);
    assert_eq!(out.failed()[0].id(), "b");
    assert_eq!(out.failed()[0].code(), "InvalidParameterValue");
    let seqs: Vec<u128> = out
        .successful()
        .iter()
        .map(|s| s.sequence_number().unwrap().parse().unwrap())
        .collect();
    assert!(seqs[0] < seqs[1]);
    assert_eq!(server.receive_bodies(&url, 10).await, ["body a", "body c"]);
}
