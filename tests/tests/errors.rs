//! The JSON error envelope through raw HTTP: status, `__type`, lowercase
//! `message`, `x-amzn-RequestId` and `x-amzn-query-error` for a representative set
//! of codes; malformed bodies, unknown targets and missing required parameters;
//! and typed errors as the SDK sees them on every queue operation.

use fifowin_e2e::{TestServer, assert_json_error};
use serde_json::{Value, json};

const SQS: &str = "com.amazonaws.sqs#";
const CORAL: &str = "com.amazon.coral.service#";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn representative_errors_carry_the_full_envelope() {
    let server = TestServer::start().await;
    let url = server
        .standard_queue("env", &[("VisibilityTimeout", "30")])
        .await;
    let missing = format!("{}/000000000000/missing", server.endpoint);
    let check = async |op: &str, body: Value, status, shape: &str, code: &str, message: &str| {
        let resp = server.json(op, body).await;
        assert_json_error(&resp, status, shape, code, message);
    };
    check(
        "SendMessage",
        json!({ "QueueUrl": missing, "MessageBody": "x" }),
        400,
        &format!("{SQS}QueueDoesNotExist"),
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist.",
    )
    .await;
    check(
        "CreateQueue",
        json!({ "QueueName": "env", "Attributes": { "VisibilityTimeout": "31" } }),
        400,
        &format!("{SQS}QueueNameExists"),
        "QueueAlreadyExists",
        "A queue already exists with the same name and a different value for attribute VisibilityTimeout",
    )
    .await;
    check(
        "GetQueueAttributes",
        json!({ "QueueUrl": url, "AttributeNames": ["Foobar"] }),
        400,
        &format!("{SQS}InvalidAttributeName"),
        "InvalidAttributeName",
        "Unknown Attribute Foobar.",
    )
    .await;
    check(
        "SetQueueAttributes",
        json!({ "QueueUrl": url, "Attributes": { "DelaySeconds": "901" } }),
        400,
        &format!("{SQS}InvalidAttributeValue"),
        "InvalidAttributeValue",
        "Invalid value for the parameter DelaySeconds.",
    )
    .await;
    check(
        "ReceiveMessage",
        json!({ "QueueUrl": url, "MaxNumberOfMessages": 11 }),
        400,
        &format!("{CORAL}InvalidParameterValueException"),
        "InvalidParameterValue",
        "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.",
    )
    .await;
    check(
        "DeleteMessage",
        json!({ "QueueUrl": url, "ReceiptHandle": "garbage" }),
        404,
        &format!("{SQS}ReceiptHandleIsInvalid"),
        "ReceiptHandleIsInvalid",
        "The input receipt handle \"garbage\" is not a valid receipt handle.",
    )
    .await;
    check(
        "SendMessageBatch",
        json!({ "QueueUrl": url, "Entries": [] }),
        400,
        &format!("{SQS}EmptyBatchRequest"),
        "AWS.SimpleQueueService.EmptyBatchRequest",
        "There should be at least one SendMessageBatchRequestEntry in the request.",
    )
    .await;
    let eleven: Vec<Value> = (0..11)
        .map(|i| json!({ "Id": format!("e{i}"), "ReceiptHandle": "h" }))
        .collect();
    check(
        "DeleteMessageBatch",
        json!({ "QueueUrl": url, "Entries": eleven }),
        400,
        &format!("{SQS}TooManyEntriesInBatchRequest"),
        "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        "Maximum number of entries per request are 10. You have sent 11.",
    )
    .await;
    check(
        "SendMessage",
        json!({ "QueueUrl": url, "MessageBody": "\u{0}" }),
        400,
        &format!("{SQS}InvalidMessageContents"),
        "InvalidMessageContents",
        "Invalid binary character '#x0' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].",
    )
    .await;
    server.json("PurgeQueue", json!({ "QueueUrl": url })).await;
    check(
        "PurgeQueue",
        json!({ "QueueUrl": url }),
        403,
        &format!("{SQS}PurgeQueueInProgress"),
        "AWS.SimpleQueueService.PurgeQueueInProgress",
        "Only one PurgeQueue operation on env is allowed every 60 seconds.",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_required_parameters_are_named() {
    let server = TestServer::start().await;
    let url = server.standard_queue("req", &[]).await;
    let cases: Vec<(&str, Value, &str)> = vec![
        ("CreateQueue", json!({}), "QueueName"),
        ("GetQueueUrl", json!({}), "QueueName"),
        ("DeleteQueue", json!({}), "QueueUrl"),
        ("GetQueueAttributes", json!({}), "QueueUrl"),
        ("PurgeQueue", json!({}), "QueueUrl"),
        ("ListQueueTags", json!({}), "QueueUrl"),
        ("ListDeadLetterSourceQueues", json!({}), "QueueUrl"),
        ("SendMessage", json!({ "MessageBody": "x" }), "QueueUrl"),
        ("SendMessage", json!({ "QueueUrl": url }), "MessageBody"),
        ("ReceiveMessage", json!({}), "QueueUrl"),
        ("DeleteMessage", json!({ "QueueUrl": url }), "ReceiptHandle"),
        (
            "ChangeMessageVisibility",
            json!({ "QueueUrl": url, "ReceiptHandle": "h" }),
            "VisibilityTimeout",
        ),
        (
            "SetQueueAttributes",
            json!({ "QueueUrl": url }),
            "Attributes",
        ),
        ("TagQueue", json!({ "QueueUrl": url }), "Tags"),
        ("UntagQueue", json!({ "QueueUrl": url }), "TagKeys"),
        ("SendMessageBatch", json!({ "QueueUrl": url }), "Entries"),
        (
            "SendMessageBatch",
            json!({ "QueueUrl": url, "Entries": [{ "MessageBody": "x" }] }),
            "Id",
        ),
        (
            "DeleteMessageBatch",
            json!({ "QueueUrl": url, "Entries": [{ "Id": "a" }] }),
            "ReceiptHandle",
        ),
        (
            "ChangeMessageVisibilityBatch",
            json!({ "QueueUrl": url, "Entries": [{ "Id": "a", "VisibilityTimeout": 1 }] }),
            "ReceiptHandle",
        ),
    ];
    for (op, body, param) in cases {
        let resp = server.json(op, body).await;
        assert_json_error(
            &resp,
            400,
            &format!("{CORAL}MissingRequiredParameterException"),
            "MissingParameter",
            &format!("The request must contain the parameter {param}."),
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_are_serialization_errors() {
    let server = TestServer::start().await;
    let url = server.standard_queue("bad", &[]).await;
    let bodies = [
        "{not json".to_string(),
        json!({ "QueueUrl": 5, "MessageBody": "x" }).to_string(),
        json!({ "QueueUrl": url, "MessageBody": "x", "DelaySeconds": "1" }).to_string(),
        "[]".to_string(),
    ];
    for body in bodies {
        let resp = server
            .raw(
                "/",
                &[
                    ("x-amz-target", "AmazonSQS.SendMessage".into()),
                    ("content-type", "application/x-amz-json-1.0".into()),
                ],
                body.clone(),
            )
            .await;
        assert_eq!(resp.status, 400, "{body}");
        assert_eq!(
            resp.json()["__type"],
            format!("{CORAL}SerializationException"),
            "{body}"
        );
        assert!(
            resp.json()["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
        assert_eq!(
            resp.header("x-amzn-query-error"),
            Some("SerializationException;Sender")
        );
        assert!(resp.header("x-amzn-requestid").is_some());
    }
    assert!(server.receive(&url, 10).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_targets_are_unknown_operations() {
    let server = TestServer::start().await;
    for target in [
        "AmazonSQS.Frobnicate",
        "AmazonSQS.listQueues",
        "Other.ListQueues",
    ] {
        let resp = server
            .raw(
                "/",
                &[
                    ("x-amz-target", target.into()),
                    ("content-type", "application/x-amz-json-1.0".into()),
                ],
                "{}".into(),
            )
            .await;
        assert_eq!(resp.status, 400, "{target}");
        assert_eq!(
            resp.json()["__type"],
            format!("{CORAL}UnknownOperationException")
        );
        assert_eq!(
            resp.header("x-amzn-query-error"),
            Some("UnknownOperationException;Sender")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn successes_carry_request_ids_and_empty_outputs_are_empty_objects() {
    let server = TestServer::start().await;
    let url = server.standard_queue("ok", &[]).await;
    let mut ids = Vec::new();
    for (op, body) in [
        (
            "SetQueueAttributes",
            json!({ "QueueUrl": url, "Attributes": { "DelaySeconds": "1" } }),
        ),
        ("TagQueue", json!({ "QueueUrl": url, "Tags": { "a": "b" } })),
        ("UntagQueue", json!({ "QueueUrl": url, "TagKeys": ["a"] })),
        ("PurgeQueue", json!({ "QueueUrl": url })),
    ] {
        let resp = server.json(op, body).await;
        assert_eq!((resp.status, resp.json()), (200, json!({})), "{op}");
        assert_eq!(
            resp.header("content-type"),
            Some("application/x-amz-json-1.0")
        );
        ids.push(resp.header("x-amzn-requestid").unwrap().to_string());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4, "request ids are unique");
    // Input-less operations may send no body at all.
    let resp = server
        .raw(
            "/",
            &[("x-amz-target", "AmazonSQS.ListQueues".into())],
            String::new(),
        )
        .await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json()["QueueUrls"][0], url);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_requests_are_served_on_any_path() {
    let server = TestServer::start().await;
    let url = server.standard_queue("path", &[]).await;
    let resp = server
        .raw(
            "/000000000000/path",
            &[
                ("x-amz-target", "AmazonSQS.SendMessage".into()),
                ("content-type", "application/x-amz-json-1.0".into()),
            ],
            json!({ "QueueUrl": url, "MessageBody": "via path" }).to_string(),
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    assert_eq!(server.receive_bodies(&url, 1).await, ["via path"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_queue_operation_reports_a_missing_queue_as_typed_error() {
    let server = TestServer::start().await;
    let sqs = &server.sqs;
    let url = format!("{}/000000000000/absent", server.endpoint);
    macro_rules! absent {
        ($call:expr) => {{
            let err = $call.send().await.unwrap_err();
            assert!(
                err.as_service_error().unwrap().is_queue_does_not_exist(),
                "{}",
                stringify!($call)
            );
        }};
    }
    absent!(sqs.get_queue_attributes().queue_url(&url));
    absent!(
        sqs.set_queue_attributes()
            .queue_url(&url)
            .attributes(aws_sdk_sqs::types::QueueAttributeName::DelaySeconds, "1")
    );
    absent!(sqs.delete_message().queue_url(&url).receipt_handle("h"));
    absent!(
        sqs.change_message_visibility()
            .queue_url(&url)
            .receipt_handle("h")
            .visibility_timeout(1)
    );
    absent!(
        sqs.send_message_batch().queue_url(&url).entries(
            aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                .id("a")
                .message_body("b")
                .build()
                .unwrap()
        )
    );
    absent!(
        sqs.delete_message_batch().queue_url(&url).entries(
            aws_sdk_sqs::types::DeleteMessageBatchRequestEntry::builder()
                .id("a")
                .receipt_handle("h")
                .build()
                .unwrap()
        )
    );
    absent!(
        sqs.change_message_visibility_batch()
            .queue_url(&url)
            .entries(
                aws_sdk_sqs::types::ChangeMessageVisibilityBatchRequestEntry::builder()
                    .id("a")
                    .receipt_handle("h")
                    .build()
                    .unwrap()
            )
    );
}
