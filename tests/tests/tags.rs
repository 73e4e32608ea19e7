//! Queue tags: CreateQueue `tags`, TagQueue, UntagQueue and ListQueueTags.

use std::collections::HashMap;

use fifowin_e2e::{TestServer, error_code};
use serde_json::json;

async fn tags(server: &TestServer, url: &str) -> HashMap<String, String> {
    server
        .sqs
        .list_queue_tags()
        .queue_url(url)
        .send()
        .await
        .unwrap()
        .tags
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_are_set_overwritten_and_removed() {
    let server = TestServer::start().await;
    let url = server
        .sqs
        .create_queue()
        .queue_name("tagged")
        .tags("team", "core")
        .tags("env", "test")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    assert_eq!(
        tags(&server, &url).await,
        HashMap::from([
            ("team".into(), "core".into()),
            ("env".into(), "test".into())
        ])
    );
    server
        .sqs
        .tag_queue()
        .queue_url(&url)
        .tags("team", "edge")
        .tags("empty", "")
        .send()
        .await
        .unwrap();
    assert_eq!(
        tags(&server, &url).await,
        HashMap::from([
            ("team".into(), "edge".into()),
            ("env".into(), "test".into()),
            ("empty".into(), String::new()),
        ])
    );
    server
        .sqs
        .untag_queue()
        .queue_url(&url)
        .tag_keys("env")
        .tag_keys("never-set")
        .send()
        .await
        .unwrap();
    assert_eq!(
        tags(&server, &url).await,
        HashMap::from([
            ("team".into(), "edge".into()),
            ("empty".into(), String::new())
        ])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untagged_queue_lists_as_an_empty_object() {
    let server = TestServer::start().await;
    let url = server.standard_queue("bare", &[]).await;
    let resp = server
        .json("ListQueueTags", json!({ "QueueUrl": url }))
        .await;
    assert_eq!((resp.status, resp.json()), (200, json!({})));
    assert!(tags(&server, &url).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tag_keys_and_values_are_length_limited() {
    let server = TestServer::start().await;
    let url = server.standard_queue("limits", &[]).await;
    server
        .sqs
        .tag_queue()
        .queue_url(&url)
        .tags("k".repeat(128), "v".repeat(256))
        .send()
        .await
        .unwrap();
    for (key, value) in [
        ("k".repeat(129), "v".to_string()),
        ("k".into(), "v".repeat(257)),
    ] {
        let err = server
            .sqs
            .tag_queue()
            .queue_url(&url)
            .tags(key, value)
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_code(&err), "InvalidParameterValue");
    }
    assert_eq!(tags(&server, &url).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tag_operations_on_a_missing_queue_fail() {
    let server = TestServer::start().await;
    let url = format!("{}/000000000000/missing", server.endpoint);
    let err = server
        .sqs
        .tag_queue()
        .queue_url(&url)
        .tags("a", "b")
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_queue_does_not_exist());
    let err = server
        .sqs
        .list_queue_tags()
        .queue_url(&url)
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_queue_does_not_exist());
    let err = server
        .sqs
        .untag_queue()
        .queue_url(&url)
        .tag_keys("a")
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_queue_does_not_exist());
}
