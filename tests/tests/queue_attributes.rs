//! Queue attributes: defaults and `All` sets for standard and FIFO queues,
//! selection by name, ranges, FIFO-only and read-only attributes, encryption.

use aws_sdk_sqs::types::QueueAttributeName;
use fifowin_e2e::{TestServer, assert_sqs_error, error_code, error_message};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standard_queues_reject_fifo_only_attributes() {
    let server = TestServer::start().await;
    let cases = [
        ("FifoQueue", "false", "Unknown Attribute FifoQueue."),
        ("FifoQueue", "true", "Unknown Attribute FifoQueue."),
        (
            "ContentBasedDeduplication",
            "true",
            "Unknown Attribute ContentBasedDeduplication.",
        ),
        (
            "DeduplicationScope",
            "queue",
            "You can specify the DeduplicationScope only when FifoQueue is set to true.",
        ),
        (
            "FifoThroughputLimit",
            "perQueue",
            "You can specify the FifoThroughputLimit only when FifoQueue is set to true.",
        ),
    ];
    for (name, value, message) in cases {
        // A `.fifo`-less name with FifoQueue=true fails on the name instead.
        if name == "FifoQueue" && value == "true" {
            continue;
        }
        let err = server
            .sqs
            .create_queue()
            .queue_name("std")
            .attributes(QueueAttributeName::from(name), value)
            .send()
            .await
            .unwrap_err();
        assert!(
            err.as_service_error().unwrap().is_invalid_attribute_name(),
            "{name}"
        );
        assert_eq!(error_message(&err), message);
    }
    let url = server.standard_queue("std", &[]).await;
    for (name, value, message) in cases.into_iter().take(2) {
        let err = server
            .sqs
            .set_queue_attributes()
            .queue_url(&url)
            .attributes(QueueAttributeName::from(name), value)
            .send()
            .await
            .unwrap_err();
        assert!(err.as_service_error().unwrap().is_invalid_attribute_name());
        assert_eq!(error_message(&err), message);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standard_queue_all_attributes_are_the_2025_set_with_defaults() {
    let server = TestServer::start().await;
    let now_secs = server.now_ms().await / 1000;
    let url = server.standard_queue("defaults", &[]).await;
    let attrs = server.queue_attributes(&url).await;
    let names: Vec<&str> = attrs.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesDelayed",
            "ApproximateNumberOfMessagesNotVisible",
            "CreatedTimestamp",
            "DelaySeconds",
            "LastModifiedTimestamp",
            "MaximumMessageSize",
            "MessageRetentionPeriod",
            "QueueArn",
            "ReceiveMessageWaitTimeSeconds",
            "SqsManagedSseEnabled",
            "VisibilityTimeout",
        ]
    );
    assert_eq!(attrs["MaximumMessageSize"], "1048576");
    assert_eq!(attrs["MessageRetentionPeriod"], "345600");
    assert_eq!(attrs["VisibilityTimeout"], "30");
    assert_eq!(attrs["DelaySeconds"], "0");
    assert_eq!(attrs["ReceiveMessageWaitTimeSeconds"], "0");
    assert_eq!(attrs["SqsManagedSseEnabled"], "true");
    assert_eq!(attrs["ApproximateNumberOfMessages"], "0");
    assert_eq!(
        attrs["QueueArn"],
        "arn:aws:sqs:us-east-1:000000000000:defaults"
    );
    // Timestamps are epoch seconds of the server clock.
    assert_eq!(attrs["CreatedTimestamp"], now_secs.to_string());
    assert_eq!(attrs["LastModifiedTimestamp"], now_secs.to_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifo_queue_all_attributes_add_the_fifo_defaults() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("defaults", &[]).await;
    let attrs = server.queue_attributes(&url).await;
    assert_eq!(attrs.len(), 16, "{attrs:?}");
    assert_eq!(attrs["FifoQueue"], "true");
    assert_eq!(attrs["ContentBasedDeduplication"], "false");
    assert_eq!(attrs["DeduplicationScope"], "queue");
    assert_eq!(attrs["FifoThroughputLimit"], "perQueue");
    assert_eq!(attrs["MaximumMessageSize"], "1048576");
    assert_eq!(
        attrs["QueueArn"],
        "arn:aws:sqs:us-east-1:000000000000:defaults.fifo"
    );

    let url = server
        .fifo_queue(
            "high",
            &[
                ("DeduplicationScope", "messageGroup"),
                ("FifoThroughputLimit", "perMessageGroupId"),
            ],
        )
        .await;
    let attrs = server.queue_attributes(&url).await;
    assert_eq!(attrs["DeduplicationScope"], "messageGroup");
    assert_eq!(attrs["FifoThroughputLimit"], "perMessageGroupId");
    let err = server
        .sqs
        .create_queue()
        .queue_name("bad.fifo")
        .attributes(QueueAttributeName::FifoQueue, "true")
        .attributes(QueueAttributeName::FifoThroughputLimit, "perMessageGroupId")
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_invalid_attribute_value());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_queue_attributes_selects_names_and_rejects_unknown_ones() {
    let server = TestServer::start().await;
    let url = server.standard_queue("get", &[]).await;
    let resp = server
        .json("GetQueueAttributes", json!({ "QueueUrl": url }))
        .await;
    assert_eq!((resp.status, resp.json()), (200, json!({})));
    let resp = server
        .json(
            "GetQueueAttributes",
            json!({ "QueueUrl": url, "AttributeNames": ["VisibilityTimeout", "QueueArn"] }),
        )
        .await;
    assert_eq!(
        resp.json(),
        json!({ "Attributes": {
            "QueueArn": "arn:aws:sqs:us-east-1:000000000000:get",
            "VisibilityTimeout": "30"
        }})
    );
    // FIFO-only names simply do not appear for a standard queue.
    let resp = server
        .json(
            "GetQueueAttributes",
            json!({ "QueueUrl": url, "AttributeNames": ["FifoQueue"] }),
        )
        .await;
    assert_eq!((resp.status, resp.json()), (200, json!({})));
    let err = server
        .sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::from("Foobar"))
        .send()
        .await
        .unwrap_err();
    assert_sqs_error(&err, "InvalidAttributeName", "Unknown Attribute Foobar.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attribute_ranges_accept_the_bounds_and_reject_beyond() {
    let server = TestServer::start().await;
    let url = server.standard_queue("ranges", &[]).await;
    let ranges = [
        ("DelaySeconds", 0, 900),
        ("MaximumMessageSize", 1024, 1_048_576),
        ("MessageRetentionPeriod", 60, 1_209_600),
        ("ReceiveMessageWaitTimeSeconds", 0, 20),
        ("VisibilityTimeout", 0, 43_200),
    ];
    for (name, min, max) in ranges {
        for ok in [min, max] {
            server
                .set_attributes(&url, &[(name, &ok.to_string())])
                .await;
            assert_eq!(
                server.queue_attribute(&url, name).await,
                Some(ok.to_string())
            );
        }
        for bad in [min - 1, max + 1] {
            let value = bad.to_string();
            let err = server
                .sqs
                .set_queue_attributes()
                .queue_url(&url)
                .attributes(QueueAttributeName::from(name), value.as_str())
                .send()
                .await
                .unwrap_err();
            assert!(
                err.as_service_error().unwrap().is_invalid_attribute_value(),
                "{name}={bad}"
            );
            assert_eq!(
                error_message(&err),
                format!("Invalid value for the parameter {name}.")
            );
            let created = server
                .sqs
                .create_queue()
                .queue_name(format!("r-{name}"))
                .attributes(QueueAttributeName::from(name), value.as_str())
                .send()
                .await;
            assert!(created.is_err(), "CreateQueue {name}={bad}");
        }
    }
    // A failing request changes nothing, even the valid attributes in it.
    let err = server
        .sqs
        .set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::DelaySeconds, "5")
        .attributes(QueueAttributeName::VisibilityTimeout, "-1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "InvalidAttributeValue");
    assert_eq!(
        server
            .queue_attribute(&url, "DelaySeconds")
            .await
            .as_deref(),
        Some("900")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_type_and_read_only_attributes_cannot_be_set() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("type", &[]).await;
    let created = server
        .queue_attribute(&url, "CreatedTimestamp")
        .await
        .unwrap();
    let later = server.advance(5_000).await;
    server
        .set_attributes(&url, &[("VisibilityTimeout", "10")])
        .await;
    let attrs = server.queue_attributes(&url).await;
    assert_eq!(attrs["CreatedTimestamp"], created);
    assert_eq!(attrs["LastModifiedTimestamp"], (later / 1000).to_string());
    server.set_attributes(&url, &[("FifoQueue", "true")]).await;
    let err = server
        .sqs
        .set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::FifoQueue, "false")
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_invalid_attribute_value());
    assert_eq!(
        error_message(&err),
        "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported."
    );
    let err = server
        .sqs
        .set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::QueueArn, "arn:aws:sqs:us-east-1:1:x")
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_invalid_attribute_name());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kms_and_sqs_managed_encryption_exclude_each_other() {
    let server = TestServer::start().await;
    let err = server
        .sqs
        .create_queue()
        .queue_name("sse")
        .attributes(QueueAttributeName::KmsMasterKeyId, "alias/aws/sqs")
        .attributes(QueueAttributeName::SqsManagedSseEnabled, "true")
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_invalid_attribute_name());
    assert_eq!(
        error_message(&err),
        "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE."
    );
    let url = server.standard_queue("sse", &[]).await;
    server
        .set_attributes(&url, &[("KmsMasterKeyId", "alias/aws/sqs")])
        .await;
    let attrs = server.queue_attributes(&url).await;
    assert_eq!(attrs["SqsManagedSseEnabled"], "false");
    assert_eq!(attrs["KmsMasterKeyId"], "alias/aws/sqs");
    assert_eq!(attrs["KmsDataKeyReusePeriodSeconds"], "300");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policies_are_json_objects_and_empty_removes_them() {
    let server = TestServer::start().await;
    let url = server.standard_queue("policy", &[]).await;
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [{ "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage" }]
    })
    .to_string();
    let allow = json!({ "redrivePermission": "denyAll" }).to_string();
    server
        .set_attributes(&url, &[("Policy", &policy), ("RedriveAllowPolicy", &allow)])
        .await;
    let attrs = server.queue_attributes(&url).await;
    assert_eq!(attrs["Policy"], policy);
    let rendered: serde_json::Value = serde_json::from_str(&attrs["RedriveAllowPolicy"]).unwrap();
    assert_eq!(rendered["redrivePermission"], "denyAll");
    let err = server
        .sqs
        .set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::Policy, "not json")
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_invalid_attribute_value());
    server.set_attributes(&url, &[("Policy", "")]).await;
    assert_eq!(server.queue_attribute(&url, "Policy").await, None);
}
