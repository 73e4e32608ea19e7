//! SendMessageBatch, DeleteMessageBatch and ChangeMessageVisibilityBatch: results
//! per entry, per-entry failures with HTTP 200, and whole-request errors as typed
//! SDK errors.

use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, DeleteMessageBatchRequestEntry,
    SendMessageBatchRequestEntry,
};
use fifowin_e2e::{TestServer, assert_sqs_error, error_code, error_message, md5_hex, string_attr};
use serde_json::json;

fn entry(id: &str, body: &str) -> SendMessageBatchRequestEntry {
    SendMessageBatchRequestEntry::builder()
        .id(id)
        .message_body(body)
        .build()
        .unwrap()
}

fn delete_entry(id: &str, handle: &str) -> DeleteMessageBatchRequestEntry {
    DeleteMessageBatchRequestEntry::builder()
        .id(id)
        .receipt_handle(handle)
        .build()
        .unwrap()
}

fn visibility_entry(id: &str, handle: &str, secs: i32) -> ChangeMessageVisibilityBatchRequestEntry {
    ChangeMessageVisibilityBatchRequestEntry::builder()
        .id(id)
        .receipt_handle(handle)
        .visibility_timeout(secs)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_batch_reports_every_entry() {
    let server = TestServer::start().await;
    let url = server.standard_queue("batch", &[]).await;
    let with_attr = SendMessageBatchRequestEntry::builder()
        .id("c_3")
        .message_body("three")
        .message_attributes("Foo", string_attr("Bar"))
        .build()
        .unwrap();
    let out = server
        .sqs
        .send_message_batch()
        .queue_url(&url)
        .entries(entry("a-1", "one"))
        .entries(entry("B2", "two"))
        .entries(with_attr)
        .send()
        .await
        .unwrap();
    assert!(out.failed().is_empty());
    let ids: Vec<&str> = out.successful().iter().map(|s| s.id()).collect();
    assert_eq!(ids, ["a-1", "B2", "c_3"]);
    for (s, body) in out.successful().iter().zip(["one", "two", "three"]) {
        assert_eq!(s.md5_of_message_body(), md5_hex(body.as_bytes()));
        assert_eq!(s.sequence_number(), None);
    }
    assert_eq!(out.successful()[0].md5_of_message_attributes(), None);
    assert_eq!(
        out.successful()[2].md5_of_message_attributes(),
        Some("ae7155c6026991b6d54b11589678bf9c")
    );
    let got = server.receive(&url, 10).await;
    let mut pairs: Vec<(String, String)> = got
        .iter()
        .map(|m| (m.body().unwrap().into(), m.message_id().unwrap().into()))
        .collect();
    pairs.sort();
    let mut expected: Vec<(String, String)> = out
        .successful()
        .iter()
        .zip(["one", "two", "three"])
        .map(|(s, b)| (b.to_string(), s.message_id().to_string()))
        .collect();
    expected.sort();
    assert_eq!(pairs, expected);

    // All-success answers carry no Failed key.
    let resp = server
        .json(
            "SendMessageBatch",
            json!({ "QueueUrl": url, "Entries": [{ "Id": "x", "MessageBody": "raw" }] }),
        )
        .await;
    let body = resp.json();
    assert_eq!(resp.status, 200);
    assert!(body.get("Failed").is_none(), "{body}");
    assert_eq!(body["Successful"][0]["Id"], "x");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_batch_entry_failures_do_not_fail_the_request() {
    let server = TestServer::start().await;
    let url = server
        .standard_queue("partial", &[("MaximumMessageSize", "1024")])
        .await;
    let out = server
        .sqs
        .send_message_batch()
        .queue_url(&url)
        .entries(entry("ok", "fine"))
        .entries(entry("big", &"x".repeat(1025)))
        .entries(entry("bell", "\u{7}"))
        .entries(
            SendMessageBatchRequestEntry::builder()
                .id("delay")
                .message_body("d")
                .delay_seconds(901)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let ok: Vec<&str> = out.successful().iter().map(|s| s.id()).collect();
    assert_eq!(ok, ["ok"]);
    let failed: Vec<(&str, &str, bool)> = out
        .failed()
        .iter()
        .map(|f| (f.id(), f.code(), f.sender_fault()))
        .collect();
    assert_eq!(
        failed,
        [
            ("big", "InvalidParameterValue", true),
            ("bell", "InvalidMessageContents", true),
            ("delay", "InvalidParameterValue", true),
        ]
    );
    assert_eq!(
        out.failed()[0].message(),
        Some(
            "One or more parameters cannot be validated. Reason: Message must be shorter than 1024 bytes."
        )
    );
    assert_eq!(server.receive_bodies(&url, 10).await, ["fine"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_batch_whole_request_errors_are_typed() {
    let server = TestServer::start().await;
    let url = server.standard_queue("whole", &[]).await;
    let send = |entries: Vec<SendMessageBatchRequestEntry>| {
        server
            .sqs
            .send_message_batch()
            .queue_url(&url)
            .set_entries(Some(entries))
            .send()
    };
    let err = send(vec![]).await.unwrap_err();
    assert!(err.as_service_error().unwrap().is_empty_batch_request());
    assert_eq!(error_code(&err), "AWS.SimpleQueueService.EmptyBatchRequest");

    let eleven: Vec<_> = (0..11).map(|i| entry(&format!("e{i}"), "m")).collect();
    let err = send(eleven).await.unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_too_many_entries_in_batch_request()
    );
    assert_eq!(
        error_message(&err),
        "Maximum number of entries per request are 10. You have sent 11."
    );

    let err = send(vec![entry("same", "a"), entry("same", "b")])
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_batch_entry_ids_not_distinct()
    );

    for bad_id in ["has space", "dot.id", &"i".repeat(81), ""] {
        let err = send(vec![entry(bad_id, "a")]).await.unwrap_err();
        assert!(
            err.as_service_error().unwrap().is_invalid_batch_entry_id(),
            "id {bad_id:?}"
        );
        assert_eq!(
            error_message(&err),
            "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long."
        );
    }

    // 1 MiB per batch regardless of (and here within) the queue's maximum.
    let half = "h".repeat(600_000);
    let err = send(vec![entry("a", &half), entry("b", &half)])
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_batch_request_too_long());
    assert_eq!(
        error_message(&err),
        "Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes."
    );
    // None of the refused batches stored anything.
    assert!(server.receive(&url, 10).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_batch_deletes_and_reports_bad_handles() {
    let server = TestServer::start().await;
    let url = server.standard_queue("del", &[]).await;
    for body in ["a", "b", "c"] {
        server.send(&url, body).await;
    }
    let got = server.receive(&url, 10).await;
    assert_eq!(got.len(), 3);
    let out = server
        .sqs
        .delete_message_batch()
        .queue_url(&url)
        .entries(delete_entry("m0", got[0].receipt_handle().unwrap()))
        .entries(delete_entry("m1", got[1].receipt_handle().unwrap()))
        .entries(delete_entry("junk", "garbage"))
        .send()
        .await
        .unwrap();
    let ok: Vec<&str> = out.successful().iter().map(|s| s.id()).collect();
    assert_eq!(ok, ["m0", "m1"]);
    assert_eq!(out.failed().len(), 1);
    assert_eq!(out.failed()[0].id(), "junk");
    assert_eq!(out.failed()[0].code(), "ReceiptHandleIsInvalid");
    assert!(out.failed()[0].sender_fault());
    assert_eq!(
        out.failed()[0].message(),
        Some("The input receipt handle \"garbage\" is not a valid receipt handle.")
    );
    server.advance(30_000).await;
    assert_eq!(server.receive_bodies(&url, 10).await, ["c"]);

    let err = server
        .sqs
        .delete_message_batch()
        .queue_url(&url)
        .set_entries(Some(vec![]))
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_empty_batch_request());
    let eleven: Vec<_> = (0..11)
        .map(|i| delete_entry(&format!("d{i}"), "h"))
        .collect();
    let err = server
        .sqs
        .delete_message_batch()
        .queue_url(&url)
        .set_entries(Some(eleven))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_too_many_entries_in_batch_request()
    );
    let err = server
        .sqs
        .delete_message_batch()
        .queue_url(&url)
        .entries(delete_entry("x", "h"))
        .entries(delete_entry("x", "h"))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_batch_entry_ids_not_distinct()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_visibility_batch_changes_and_reports_bad_entries() {
    let server = TestServer::start().await;
    let url = server.standard_queue("vis", &[]).await;
    for body in ["a", "b"] {
        server.send(&url, body).await;
    }
    let got = server.receive(&url, 10).await;
    let out = server
        .sqs
        .change_message_visibility_batch()
        .queue_url(&url)
        .entries(visibility_entry("now", got[0].receipt_handle().unwrap(), 0))
        .entries(visibility_entry(
            "later",
            got[1].receipt_handle().unwrap(),
            100,
        ))
        .entries(visibility_entry("junk", "garbage", 10))
        .entries(visibility_entry(
            "neg",
            got[1].receipt_handle().unwrap(),
            -1,
        ))
        .send()
        .await
        .unwrap();
    let ok: Vec<&str> = out.successful().iter().map(|s| s.id()).collect();
    assert_eq!(ok, ["now", "later"]);
    let failed: Vec<(&str, &str)> = out.failed().iter().map(|f| (f.id(), f.code())).collect();
    assert_eq!(
        failed,
        [
            ("junk", "ReceiptHandleIsInvalid"),
            ("neg", "InvalidParameterValue")
        ]
    );
    let again = server.receive(&url, 10).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].body(), got[0].body());
    server
        .delete(&url, again[0].receipt_handle().unwrap())
        .await;
    server.advance(99_999).await;
    assert!(server.receive(&url, 10).await.is_empty());
    server.advance(1).await;
    assert_eq!(
        server.receive_bodies(&url, 10).await,
        [got[1].body().unwrap()]
    );

    let err = server
        .sqs
        .change_message_visibility_batch()
        .queue_url(&url)
        .set_entries(Some(vec![]))
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_empty_batch_request());
    let err = server
        .sqs
        .change_message_visibility_batch()
        .queue_url(&url)
        .entries(visibility_entry("bad id!", "h", 1))
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_invalid_batch_entry_id());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_full_size_entries_are_a_batch_too_long_not_a_transport_error() {
    let server = TestServer::start().await;
    let url = server.standard_queue("huge", &[]).await;
    let body = "x".repeat(1_048_576);
    let entries: Vec<_> = (0..10).map(|i| entry(&format!("e{i}"), &body)).collect();
    let err = server
        .sqs
        .send_message_batch()
        .queue_url(&url)
        .set_entries(Some(entries))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_batch_request_too_long()),
        "{err:?}"
    );
    assert_eq!(
        error_message(&err),
        "Batch requests cannot be longer than 1048576 bytes. You have sent 10485760 bytes."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_beyond_the_read_limit_get_sqs_size_errors() {
    let server = TestServer::start().await;
    let url = server.standard_queue("huger", &[]).await;
    let body = "x".repeat(3 * 1_048_576);
    let entries: Vec<_> = (0..10).map(|i| entry(&format!("e{i}"), &body)).collect();
    let err = server
        .sqs
        .send_message_batch()
        .queue_url(&url)
        .set_entries(Some(entries))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_batch_request_too_long()),
        "{err:?}"
    );
    let err = server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("x".repeat(25 * 1_048_576))
        .send()
        .await
        .unwrap_err();
    assert_sqs_error(
        &err,
        "InvalidParameterValue",
        "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.",
    );
}
