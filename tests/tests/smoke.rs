//! The shortest path through the server: create, send, receive, delete; and the
//! headers every JSON answer must carry.

use fifowin_e2e::{TestServer, error_code, md5_hex};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_receive_delete_round_trip() {
    let server = TestServer::start().await;
    let url = server.standard_queue("smoke", &[]).await;
    assert_eq!(url, format!("{}/000000000000/smoke", server.endpoint));

    let sent = server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("msg")
        .send()
        .await
        .unwrap();
    assert_eq!(
        sent.md5_of_message_body(),
        Some("6e2baaf3b97dbeef01c0043275f9a0e7")
    );
    assert_eq!(sent.md5_of_message_body(), Some(md5_hex(b"msg").as_str()));

    let got = server
        .sqs
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .unwrap();
    let messages = got.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].body(), Some("msg"));
    assert_eq!(messages[0].message_id(), sent.message_id());

    server
        .sqs
        .delete_message()
        .queue_url(&url)
        .receipt_handle(messages[0].receipt_handle().unwrap())
        .send()
        .await
        .unwrap();
    let again = server
        .sqs
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .unwrap();
    assert!(again.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_errors_carry_type_message_request_id_and_query_error() {
    let server = TestServer::start().await;
    let resp = server
        .json("GetQueueUrl", json!({ "QueueName": "missing" }))
        .await;
    assert_eq!(resp.status, 400);
    assert_eq!(
        resp.header("x-amzn-query-error"),
        Some("AWS.SimpleQueueService.NonExistentQueue;Sender")
    );
    assert!(
        resp.header("x-amzn-requestid")
            .is_some_and(|id| id.len() == 36)
    );
    assert_eq!(
        resp.header("content-type"),
        Some("application/x-amz-json-1.0")
    );
    assert_eq!(
        resp.json(),
        json!({
            "__type": "com.amazonaws.sqs#QueueDoesNotExist",
            "message": "The specified queue does not exist."
        })
    );

    let err = server
        .sqs
        .get_queue_url()
        .queue_name("missing")
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_queue_does_not_exist());
    assert_eq!(error_code(&err), "AWS.SimpleQueueService.NonExistentQueue");
}
