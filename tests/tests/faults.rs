//! Fault injection through `/_fifowin/faults`, observed through aws-sdk-sqs: lost
//! acknowledgements (an error or a dropped connection after the effect), errors
//! without effect, delays that trip SDK timeouts, early redelivery, deterministic
//! triggers, and the rule API itself.

use std::time::Duration;

use aws_sdk_sqs::types::MessageSystemAttributeName;
use fifowin_e2e::{TestServer, error_code, impatient_client, retrying_client, sys_attr};
use serde_json::json;

/// Sends one FIFO message with an explicit dedup id through `client`.
async fn send_with(client: &aws_sdk_sqs::Client, url: &str, dedup: &str) -> Result<String, String> {
    client
        .send_message()
        .queue_url(url)
        .message_body(format!("body of {dedup}"))
        .message_group_id("g")
        .message_deduplication_id(dedup)
        .send()
        .await
        .map(|out| out.message_id.unwrap_or_default())
        .map_err(|e| format!("{e:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_send_ack_is_retried_by_the_sdk_and_caught_by_the_dedup_window() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("orders", &[]).await;
    server
        .add_fault(json!({
            "operation": "SendMessage", "queue": "orders.fifo",
            "action": "fail_after_commit", "count": 1
        }))
        .await;
    let id = send_with(&retrying_client(&server.endpoint), &url, "order-1")
        .await
        .expect("the SDK's retry succeeds");

    let got = server.receive(&url, 10).await;
    assert_eq!(got.len(), 1, "one delivered message");
    assert_eq!(got[0].message_id(), Some(id.as_str()));
    let dedup = server
        .control_get("/_fifowin/queues/orders.fifo/dedup")
        .await;
    assert_eq!(dedup["entries"][0]["suppressed"], 1, "{dedup}");
    let metrics = server.metrics().await;
    assert_eq!(
        metrics.queue("fifowin_messages_sent_total", "orders.fifo"),
        1.0
    );
    assert_eq!(
        metrics.queue("fifowin_duplicates_suppressed_total", "orders.fifo"),
        1.0
    );
    let rule = &server.faults().await[0];
    assert_eq!(
        (rule["matched"].as_u64(), rule["fired"].as_u64()),
        (Some(2), Some(1))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_retries_a_lost_ack_is_an_internal_error_yet_the_message_exists() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("lost", &[]).await;
    server
        .add_fault(json!({"operation": "SendMessage", "action": "fail_after_commit", "count": 1}))
        .await;
    let err = server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("m")
        .message_group_id("g")
        .message_deduplication_id("d")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "InternalFailure");
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(500));
    assert_eq!(server.receive_bodies(&url, 10).await, ["m"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_connection_after_commit_is_retried_and_deduplicated_too() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("dropped", &[]).await;
    server
        .add_fault(json!({
            "operation": "SendMessage", "action": "fail_after_commit", "drop": true, "count": 1
        }))
        .await;
    // Without retries the SDK sees no answer at all: not a service error.
    let err = send_with(&server.sqs, &url, "first").await.unwrap_err();
    assert!(!err.contains("ServiceError"), "{err}");
    assert_eq!(server.receive_bodies(&url, 10).await, ["body of first"]);

    server
        .add_fault(json!({
            "operation": "SendMessage", "action": "fail_after_commit", "drop": true, "count": 1
        }))
        .await;
    let id = send_with(&retrying_client(&server.endpoint), &url, "second")
        .await
        .expect("retried after the dropped connection");
    let messages = server
        .control_get("/_fifowin/queues/dropped.fifo/messages")
        .await;
    let second: Vec<_> = messages["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["dedup_id"] == "second")
        .collect();
    assert_eq!(second.len(), 1, "{messages}");
    assert_eq!(second[0]["message_id"], id.as_str());
    let metrics = server.metrics().await;
    assert_eq!(
        metrics.queue("fifowin_duplicates_suppressed_total", "dropped.fifo"),
        1.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_delete_ack_is_retried_and_the_message_stays_deleted() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("del", &[]).await;
    server.send_fifo(&url, "g", Some("d"), "m").await;
    let got = server.receive(&url, 1).await;
    server
        .add_fault(json!({"operation": "DeleteMessage", "action": "fail_after_commit", "count": 1}))
        .await;
    retrying_client(&server.endpoint)
        .delete_message()
        .queue_url(&url)
        .receipt_handle(got[0].receipt_handle().unwrap())
        .send()
        .await
        .expect("the retried delete succeeds");
    server.advance(60_000).await;
    assert!(
        server.receive(&url, 10).await.is_empty(),
        "deleted for good"
    );
    let metrics = server.metrics().await;
    assert_eq!(
        metrics.queue("fifowin_messages_deleted_total", "del.fifo"),
        1.0
    );
    assert_eq!(
        metrics.get(
            "fifowin_request_errors_total",
            &[("operation", "DeleteMessage"), ("code", "InternalFailure")]
        ),
        Some(1.0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_answers_the_chosen_error_and_status_without_effect() {
    let server = TestServer::start().await;
    let url = server.standard_queue("throttled", &[]).await;
    server
        .add_fault(json!({
            "operation": "SendMessage", "queue": "throttled", "action": "fail",
            "code": "RequestThrottled", "status": 429, "message": "Slow down.", "count": 1
        }))
        .await;
    let err = server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("m")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "RequestThrottled");
    assert_eq!(fifowin_e2e::error_message(&err), "Slow down.");
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(429));
    assert!(server.receive(&url, 10).await.is_empty(), "no effect");

    // The SDK retries throttling: two throttled attempts, then the real one.
    server
        .add_fault(json!({
            "operation": "SendMessage", "action": "fail", "code": "RequestThrottled", "count": 2
        }))
        .await;
    retrying_client(&server.endpoint)
        .send_message()
        .queue_url(&url)
        .message_body("m2")
        .send()
        .await
        .expect("third attempt succeeds");
    assert_eq!(server.receive_bodies(&url, 10).await, ["m2"]);
    let metrics = server.metrics().await;
    assert_eq!(
        metrics.queue("fifowin_messages_sent_total", "throttled"),
        1.0
    );
    assert_eq!(
        metrics.get("fifowin_faults_fired_total", &[("action", "fail")]),
        Some(3.0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delay_trips_the_sdk_attempt_timeout_and_the_retry_is_deduplicated() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("slow", &[]).await;
    // The first answer waits far longer than the client's attempt timeout; the
    // send has already taken effect, so the retry is a duplicate.
    server
        .add_fault(json!({"operation": "SendMessage", "action": "delay", "ms": 20_000, "count": 1}))
        .await;
    let client = impatient_client(&server.endpoint, Duration::from_secs(2), true);
    let id = send_with(&client, &url, "slow-1")
        .await
        .expect("the retry after the timeout succeeds");
    let got = server.receive(&url, 10).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].message_id(), Some(id.as_str()));
    let metrics = server.metrics().await;
    assert_eq!(
        metrics.queue("fifowin_duplicates_suppressed_total", "slow.fifo"),
        1.0
    );

    // Without retries the SDK reports the timeout itself.
    server
        .add_fault(json!({"operation": "GetQueueUrl", "action": "delay", "ms": 20_000, "count": 1}))
        .await;
    let err = impatient_client(&server.endpoint, Duration::from_secs(2), false)
        .get_queue_url()
        .queue_name("slow.fifo")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, aws_sdk_sqs::error::SdkError::TimeoutError(_)),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redeliver_hands_a_received_message_out_again_with_receive_count_2() {
    let server = TestServer::start().await;
    let url = server
        .fifo_queue("crash", &[("VisibilityTimeout", "300")])
        .await;
    server.send_fifo(&url, "g", Some("d"), "work").await;
    server
        .add_fault(json!({"operation": "ReceiveMessage", "action": "redeliver", "count": 1}))
        .await;
    let first = server.receive(&url, 1).await;
    assert_eq!(
        sys_attr(&first[0], "ApproximateReceiveCount").as_deref(),
        Some("1")
    );
    // No clock movement: the message is back at once, as after a consumer crash.
    let second = server.receive(&url, 1).await;
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].message_id(), first[0].message_id());
    assert_eq!(
        sys_attr(&second[0], "ApproximateReceiveCount").as_deref(),
        Some("2")
    );
    // The first consumer's handle expired, as it does after a visibility timeout.
    let err = server
        .sqs
        .delete_message()
        .queue_url(&url)
        .receipt_handle(first[0].receipt_handle().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "InvalidParameterValue");
    server
        .delete(&url, second[0].receipt_handle().unwrap())
        .await;
    let metrics = server.metrics().await;
    assert_eq!(
        metrics.queue("fifowin_messages_received_total", "crash.fifo"),
        2.0
    );
    assert_eq!(
        metrics.queue("fifowin_messages_redelivered_total", "crash.fifo"),
        1.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redeliver_after_ms_shortens_the_visibility_timeout_on_the_server_clock() {
    let server = TestServer::start().await;
    let url = server.standard_queue("later", &[]).await;
    server.send(&url, "m").await;
    server
        .add_fault(json!({
            "operation": "ReceiveMessage", "action": "redeliver", "after_ms": 5_000
        }))
        .await;
    let first = server.receive(&url, 1).await;
    assert_eq!(first.len(), 1);
    server.advance(4_999).await;
    assert!(server.receive(&url, 1).await.is_empty());
    server.advance(1).await;
    let again = server
        .sqs
        .receive_message()
        .queue_url(&url)
        .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
        .send()
        .await
        .unwrap()
        .messages
        .unwrap_or_default();
    assert_eq!(
        sys_attr(&again[0], "ApproximateReceiveCount").as_deref(),
        Some("2")
    );
}

/// Which of `n` sends a probabilistic rule failed.
async fn failure_pattern(seed: u64, n: usize) -> (Vec<bool>, u64) {
    let server = TestServer::start().await;
    let url = server.standard_queue("dice", &[]).await;
    server
        .add_fault(json!({
            "operation": "SendMessage", "action": "fail", "probability": 0.5, "seed": seed
        }))
        .await;
    let mut failed = Vec::with_capacity(n);
    for i in 0..n {
        let sent = server
            .sqs
            .send_message()
            .queue_url(&url)
            .message_body(format!("m{i}"))
            .send()
            .await;
        failed.push(sent.is_err());
    }
    let fired = server.faults().await[0]["fired"].as_u64().unwrap();
    (failed, fired)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probability_triggers_repeat_exactly_for_the_same_seed() {
    let (a, fired) = failure_pattern(42, 24).await;
    let (b, _) = failure_pattern(42, 24).await;
    let (c, _) = failure_pattern(43, 24).await;
    assert_eq!(a, b, "same seed, same failures");
    assert_ne!(a, c, "another seed, other failures");
    assert_eq!(fired, a.iter().filter(|f| **f).count() as u64);
    assert!(a.contains(&true) && a.contains(&false), "{a:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_match_their_queue_and_are_listed_removed_and_validated() {
    let server = TestServer::start().await;
    let a = server.standard_queue("a", &[]).await;
    let b = server.standard_queue("b", &[]).await;
    let rule = server
        .add_fault(json!({"operation": "SendMessage", "queue": "a", "action": "fail"}))
        .await;
    assert!(send_plain(&server, &a).await.is_err());
    assert!(
        send_plain(&server, &b).await.is_ok(),
        "other queues are untouched"
    );
    let listed = server.faults().await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], rule["id"]);
    assert_eq!(listed[0]["queue"], "a");
    assert_eq!(
        (listed[0]["matched"].as_u64(), listed[0]["fired"].as_u64()),
        (Some(1), Some(1))
    );

    let path = format!("/_fifowin/faults/{}", rule["id"]);
    let (status, _) = server.control(reqwest::Method::DELETE, &path, None).await;
    assert_eq!(status, 200);
    let (status, _) = server.control(reqwest::Method::DELETE, &path, None).await;
    assert_eq!(status, 404);
    assert!(send_plain(&server, &a).await.is_ok());

    // An array is all-or-nothing: the second rule is invalid, so neither is added.
    let (status, body) = server
        .control(
            reqwest::Method::POST,
            "/_fifowin/faults",
            Some(json!([
                {"operation": "SendMessage", "action": "fail"},
                {"operation": "SendMessage", "action": "delay"}
            ])),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["field"], "ms");
    assert!(
        body["error"].as_str().unwrap().starts_with("rule 1: ms:"),
        "{body}"
    );
    assert!(server.faults().await.is_empty());
    for bad in [
        json!({"operation": "SendMessage", "action": "explode"}),
        json!({"operation": "SendMessage", "action": "fail", "probabilty": 0.5}),
        json!({"operation": "Nope", "action": "fail"}),
    ] {
        let (status, body) = server
            .control(reqwest::Method::POST, "/_fifowin/faults", Some(bad.clone()))
            .await;
        assert_eq!(status, 400, "{bad}");
        assert!(body["error"].is_string(), "{body}");
    }

    let added = server
        .add_fault(json!([
            {"operation": "*", "action": "delay", "ms": 1},
            {"operation": "ReceiveMessage", "action": "redeliver", "count": 2}
        ]))
        .await;
    assert_eq!(added["rules"].as_array().unwrap().len(), 2);
    let (status, body) = server
        .control(reqwest::Method::DELETE, "/_fifowin/faults", None)
        .await;
    assert_eq!((status, body), (200, json!({"removed": 2})));
}

async fn send_plain(server: &TestServer, url: &str) -> Result<(), String> {
    server
        .sqs
        .send_message()
        .queue_url(url)
        .message_body("m")
        .send()
        .await
        .map(|_| ())
        .map_err(|e| format!("{e:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_rules_apply_to_query_protocol_requests_too() {
    let server = TestServer::start().await;
    let url = server.standard_queue("xml", &[]).await;
    server
        .add_fault(json!({
            "operation": "SendMessage", "action": "fail", "code": "ServiceUnavailable", "count": 1
        }))
        .await;
    let form = format!(
        "Action=SendMessage&Version=2012-11-05&QueueUrl={}&MessageBody=hi",
        url.replace(':', "%3A").replace('/', "%2F")
    );
    let headers = [(
        "content-type",
        "application/x-www-form-urlencoded".to_string(),
    )];
    let resp = server.raw("/", &headers, form.clone()).await;
    assert_eq!(resp.status, 503, "{}", resp.body);
    assert!(
        resp.body.contains("<Code>ServiceUnavailable</Code>"),
        "{}",
        resp.body
    );
    let resp = server.raw("/", &headers, form).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    assert_eq!(server.receive_bodies(&url, 10).await, ["hi"]);
}

/// AddPermission on `url` for one account and SendMessage.
async fn add_permission(server: &TestServer, url: &str, label: &str) -> Result<(), String> {
    server
        .sqs
        .add_permission()
        .queue_url(url)
        .label(label)
        .aws_account_ids("111111111111")
        .actions("SendMessage")
        .send()
        .await
        .map(|_| ())
        .map_err(|e| error_code(&e))
}

/// RemovePermission of `label` on `url`.
async fn remove_permission(server: &TestServer, url: &str, label: &str) -> Result<(), String> {
    server
        .sqs
        .remove_permission()
        .queue_url(url)
        .label(label)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| error_code(&e))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_scoped_rules_fire_on_add_permission_and_remove_permission() {
    let server = TestServer::start().await;
    let guarded = server.standard_queue("guarded", &[]).await;
    let open = server.standard_queue("open", &[]).await;
    server
        .add_fault(json!({
            "operation": "AddPermission", "queue": "guarded", "action": "fail",
            "code": "OverLimit", "count": 1
        }))
        .await;
    assert_eq!(
        add_permission(&server, &guarded, "p").await,
        Err("OverLimit".to_string())
    );
    assert_eq!(
        server.queue_attribute(&guarded, "Policy").await,
        None,
        "a fail rule stops the operation"
    );
    add_permission(&server, &open, "p")
        .await
        .expect("other queues are untouched");
    add_permission(&server, &guarded, "p")
        .await
        .expect("the rule fired once");
    let rule = &server.faults().await[0];
    assert_eq!(rule["queue"], "guarded");
    assert_eq!(
        (rule["matched"].as_u64(), rule["fired"].as_u64()),
        (Some(2), Some(1)),
        "{rule}"
    );

    // Any operation on the queue: RemovePermission is addressed to it too.
    server
        .control(reqwest::Method::DELETE, "/_fifowin/faults", None)
        .await;
    server
        .add_fault(json!({"operation": "*", "queue": "guarded", "action": "fail"}))
        .await;
    assert_eq!(
        remove_permission(&server, &guarded, "p").await,
        Err("ServiceUnavailable".to_string())
    );
    remove_permission(&server, &open, "p")
        .await
        .expect("other queues are untouched");
    assert!(
        server
            .queue_attribute(&open, "Policy")
            .await
            .is_none_or(|p| p.is_empty()),
        "the open queue's permission is gone"
    );
    let rule = &server.faults().await[0];
    assert_eq!(
        (rule["matched"].as_u64(), rule["fired"].as_u64()),
        (Some(1), Some(1)),
        "{rule}"
    );
    server
        .control(reqwest::Method::DELETE, "/_fifowin/faults", None)
        .await;
    remove_permission(&server, &guarded, "p")
        .await
        .expect("without the rule the permission is removed");
}
