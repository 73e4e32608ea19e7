//! Queue lifecycle: CreateQueue idempotency and names, GetQueueUrl and queue URL
//! resolution, ListQueues paging, DeleteQueue, PurgeQueue and approximate counts.

use aws_sdk_sqs::types::QueueAttributeName;
use fifowin_e2e::{TestServer, assert_sqs_error, error_code, error_message};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_queue_is_idempotent_and_rejects_a_differing_attribute() {
    let server = TestServer::start().await;
    let url = server
        .standard_queue("idem", &[("VisibilityTimeout", "40")])
        .await;
    // No attributes: always the existing URL.
    assert_eq!(server.standard_queue("idem", &[]).await, url);
    // The same value for the given keys: the existing URL.
    assert_eq!(
        server
            .standard_queue("idem", &[("VisibilityTimeout", "40")])
            .await,
        url
    );
    let err = server
        .sqs
        .create_queue()
        .queue_name("idem")
        .attributes(QueueAttributeName::VisibilityTimeout, "41")
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_queue_name_exists());
    assert_sqs_error(
        &err,
        "QueueAlreadyExists",
        "A queue already exists with the same name and a different value for attribute VisibilityTimeout",
    );
    // Comparison is against the current value, after SetQueueAttributes.
    server
        .set_attributes(&url, &[("VisibilityTimeout", "41")])
        .await;
    assert_eq!(
        server
            .standard_queue("idem", &[("VisibilityTimeout", "41")])
            .await,
        url
    );
    // Sending messages does not affect idempotency.
    server.send(&url, "m").await;
    assert_eq!(
        server
            .standard_queue("idem", &[("VisibilityTimeout", "41")])
            .await,
        url
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifo_create_compares_booleans_case_insensitively() {
    let server = TestServer::start().await;
    let url = server
        .fifo_queue("cbd", &[("ContentBasedDeduplication", "true")])
        .await;
    let again = server
        .sqs
        .create_queue()
        .queue_name("cbd.fifo")
        .attributes(QueueAttributeName::FifoQueue, "True")
        .attributes(QueueAttributeName::ContentBasedDeduplication, "TRUE")
        .send()
        .await
        .unwrap();
    assert_eq!(again.queue_url(), Some(url.as_str()));
    assert_eq!(
        server.queue_attribute(&url, "FifoQueue").await.as_deref(),
        Some("true")
    );
    let err = server
        .sqs
        .create_queue()
        .queue_name("cbd.fifo")
        .attributes(QueueAttributeName::FifoQueue, "true")
        .attributes(QueueAttributeName::ContentBasedDeduplication, "false")
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_queue_name_exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_names_are_validated() {
    let server = TestServer::start().await;
    let max_standard = "a".repeat(80);
    let max_fifo = format!("{}.fifo", "b".repeat(75));
    assert!(
        server
            .standard_queue(&max_standard, &[])
            .await
            .ends_with(&max_standard)
    );
    assert!(
        server
            .fifo_queue(&"b".repeat(75), &[])
            .await
            .ends_with(&max_fifo)
    );
    let cases: [(&str, bool); 7] = [
        (&"a".repeat(81), false),
        ("has space", false),
        ("dot.name", false),
        ("", false),
        ("plain.fifo", false),
        ("no-suffix", true),
        (&format!("{}.fifo", "b".repeat(76)), true),
    ];
    for (name, fifo) in cases {
        let mut req = server.sqs.create_queue().queue_name(name);
        if fifo {
            req = req.attributes(QueueAttributeName::FifoQueue, "true");
        }
        let err = req.send().await.unwrap_err();
        assert_eq!(error_code(&err), "InvalidParameterValue", "name {name:?}");
    }
    // Names are case-sensitive.
    server.standard_queue("Case", &[]).await;
    server.standard_queue("case", &[]).await;
    let list = server.sqs.list_queues().send().await.unwrap();
    assert_eq!(list.queue_urls().len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_queue_url_and_queue_url_resolution() {
    let server = TestServer::start().await;
    let url = server.standard_queue("where", &[]).await;
    let got = server
        .sqs
        .get_queue_url()
        .queue_name("where")
        .send()
        .await
        .unwrap();
    assert_eq!(got.queue_url(), Some(url.as_str()));
    // Queue URLs resolve by path: a bare name or another host reach the same queue.
    for alias in [
        "where",
        "https://sqs.us-east-1.amazonaws.com/000000000000/where",
    ] {
        server.send(alias, alias).await;
    }
    assert_eq!(server.receive(&url, 10).await.len(), 2);
    let err = server
        .sqs
        .get_queue_url()
        .queue_name("nowhere")
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_queue_does_not_exist());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_queues_filters_by_prefix_and_pages_with_max_results() {
    let server = TestServer::start().await;
    let empty = server.json("ListQueues", json!({})).await;
    assert_eq!((empty.status, empty.json()), (200, json!({})));
    for name in ["app-a", "app-b", "app-c", "app-d", "App-e", "other"] {
        server.standard_queue(name, &[]).await;
    }
    let all = server.sqs.list_queues().send().await.unwrap();
    assert_eq!(all.queue_urls().len(), 6);
    assert_eq!(all.next_token(), None);
    let prefixed = server
        .sqs
        .list_queues()
        .queue_name_prefix("app")
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = prefixed
        .queue_urls()
        .iter()
        .map(|u| u.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(names, ["app-a", "app-b", "app-c", "app-d"]);

    let mut seen = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = server
            .sqs
            .list_queues()
            .queue_name_prefix("app")
            .max_results(3)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(page.queue_urls().len() <= 3);
        seen.extend(page.queue_urls().iter().cloned());
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 2);
    assert_eq!(seen, prefixed.queue_urls());
    let err = server
        .sqs
        .list_queues()
        .max_results(3)
        .next_token("not a token!")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "InvalidParameterValue");
    for bad in [0, 1001] {
        let err = server
            .sqs
            .list_queues()
            .max_results(bad)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            error_code(&err),
            "InvalidParameterValue",
            "MaxResults {bad}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_queues_are_gone_for_every_operation() {
    let server = TestServer::start().await;
    let url = server.standard_queue("doomed", &[]).await;
    server.send(&url, "lost").await;
    delete_queue(&server, &url).await;
    let err = server
        .sqs
        .get_queue_url()
        .queue_name("doomed")
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_queue_does_not_exist());
    let err = server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_queue_does_not_exist());
    let err = server
        .sqs
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_queue_does_not_exist());
    let err = server
        .sqs
        .purge_queue()
        .queue_url(&url)
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_queue_does_not_exist());
    let err = server
        .sqs
        .delete_queue()
        .queue_url(&url)
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_queue_does_not_exist());
    assert!(
        server
            .sqs
            .list_queues()
            .send()
            .await
            .unwrap()
            .queue_urls()
            .is_empty()
    );
    // The name can be used again, and the new queue starts empty.
    let again = server.standard_queue("doomed", &[]).await;
    assert!(server.receive(&again, 10).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purge_drops_every_message_and_is_limited_to_once_a_minute() {
    let server = TestServer::start().await;
    let url = server
        .standard_queue("purge", &[("DelaySeconds", "0")])
        .await;
    server.send(&url, "visible").await;
    server.send(&url, "in-flight").await;
    server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("delayed")
        .delay_seconds(60)
        .send()
        .await
        .unwrap();
    assert_eq!(server.receive(&url, 1).await.len(), 1);
    server
        .sqs
        .purge_queue()
        .queue_url(&url)
        .send()
        .await
        .unwrap();
    let attrs = server.queue_attributes(&url).await;
    for count in [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ] {
        assert_eq!(attrs[count], "0", "{count}");
    }
    server.advance(120_000).await;
    assert!(server.receive(&url, 10).await.is_empty());

    server
        .sqs
        .purge_queue()
        .queue_url(&url)
        .send()
        .await
        .unwrap();
    server.advance(59_999).await;
    let err = server
        .sqs
        .purge_queue()
        .queue_url(&url)
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_purge_queue_in_progress());
    assert_eq!(
        error_message(&err),
        "Only one PurgeQueue operation on purge is allowed every 60 seconds."
    );
    server.advance(1).await;
    server
        .sqs
        .purge_queue()
        .queue_url(&url)
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approximate_counts_follow_message_states() {
    let server = TestServer::start().await;
    let url = server.standard_queue("counts", &[]).await;
    for body in ["a", "b", "c"] {
        server.send(&url, body).await;
    }
    server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("d")
        .delay_seconds(10)
        .send()
        .await
        .unwrap();
    server.receive(&url, 1).await;
    let attrs = server.queue_attributes(&url).await;
    assert_eq!(attrs["ApproximateNumberOfMessages"], "2");
    assert_eq!(attrs["ApproximateNumberOfMessagesNotVisible"], "1");
    assert_eq!(attrs["ApproximateNumberOfMessagesDelayed"], "1");
    server.advance(10_000).await;
    let attrs = server.queue_attributes(&url).await;
    assert_eq!(attrs["ApproximateNumberOfMessages"], "3");
    assert_eq!(attrs["ApproximateNumberOfMessagesDelayed"], "0");
}

async fn delete_queue(server: &TestServer, url: &str) {
    server
        .sqs
        .delete_queue()
        .queue_url(url)
        .send()
        .await
        .expect("delete queue");
}

/// A server whose CreateQueue refuses names deleted less than 60 s ago.
async fn cooldown_server() -> TestServer {
    TestServer::start_with(fifowin_server::ServerConfig {
        clock_mode: fifowin_server::ClockMode::Manual,
        deleted_queue_cooldown: true,
        ..fifowin_server::ServerConfig::default()
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_queue_cooldown_refuses_the_name_for_sixty_seconds_of_server_time() {
    let server = cooldown_server().await;
    let url = server.standard_queue("cool", &[]).await;
    delete_queue(&server, &url).await;
    let message = "You must wait 60 seconds after deleting a queue before you can create another with the same name.";
    let recreate = || async {
        server
            .sqs
            .create_queue()
            .queue_name("cool")
            .send()
            .await
            .unwrap_err()
    };
    let err = recreate().await;
    assert_sqs_error(&err, "AWS.SimpleQueueService.QueueDeletedRecently", message);
    assert!(err.into_service_error().is_queue_deleted_recently());
    // Another name is free; so is the same name in the Query protocol's answer shape.
    server.standard_queue("other", &[]).await;
    let resp = server
        .query("/", &[("Action", "CreateQueue"), ("QueueName", "cool")])
        .await;
    fifowin_e2e::query::assert_query_error(
        &resp,
        400,
        "AWS.SimpleQueueService.QueueDeletedRecently",
        message,
    );
    server.advance(59_999).await;
    assert_sqs_error(
        &recreate().await,
        "AWS.SimpleQueueService.QueueDeletedRecently",
        message,
    );
    server.advance(1).await;
    assert_eq!(server.standard_queue("cool", &[]).await, url);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_cooldown_a_deleted_queue_is_recreated_at_once() {
    let server = TestServer::start().await;
    let url = server.standard_queue("again", &[]).await;
    delete_queue(&server, &url).await;
    assert_eq!(server.standard_queue("again", &[]).await, url);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_forgets_recent_deletions() {
    let server = cooldown_server().await;
    let url = server.standard_queue("reset-me", &[]).await;
    delete_queue(&server, &url).await;
    let (status, _) = server.control_post("/_fifowin/reset", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(server.standard_queue("reset-me", &[]).await, url);
}
