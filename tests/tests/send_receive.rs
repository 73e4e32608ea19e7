//! SendMessage and ReceiveMessage: body and attribute validation, message sizes,
//! per-message delays, receive limits, system attributes (including the
//! `X-Amzn-Trace-Id` header), and fair (grouped) standard queues.

use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use fifowin_e2e::{
    TestServer, assert_sqs_error, binary_attr, error_code, error_message, string_attr, sys_attr,
    sys_attr_names, typed_attr,
};
use serde_json::json;

const ALLOWED: &str = "#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_must_be_non_empty_and_use_allowed_characters() {
    let server = TestServer::start().await;
    let url = server.standard_queue("bodies", &[]).await;
    let err = server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("")
        .send()
        .await
        .unwrap_err();
    assert_sqs_error(
        &err,
        "MissingParameter",
        "The request must contain the parameter MessageBody.",
    );
    let err = server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("bell\u{7}")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_invalid_message_contents()
    );
    assert_eq!(
        error_message(&err),
        format!(
            "Invalid binary character '#x7' was found in the message body, the set of allowed characters is {ALLOWED}."
        )
    );
    let fine = "tab\t nl\n cr\r \u{E000} \u{FFFD} \u{1F600}";
    server.send(&url, fine).await;
    assert_eq!(server.receive_bodies(&url, 10).await, [fine]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_attributes_are_validated() {
    let server = TestServer::start().await;
    let url = server.standard_queue("attrs", &[]).await;
    let bad = [
        ("AWS.thing", string_attr("x")),
        ("amazon.thing", string_attr("x")),
        (".lead", string_attr("x")),
        ("trail.", string_attr("x")),
        ("two..dots", string_attr("x")),
        ("sp ace", string_attr("x")),
        ("num", typed_attr("Number", "twelve")),
        ("kind", typed_attr("Blob", "x")),
        ("ctl", string_attr("bell\u{7}")),
    ];
    for (name, value) in bad {
        let err = server
            .sqs
            .send_message()
            .queue_url(&url)
            .message_body("m")
            .message_attributes(name, value)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            error_code(&err),
            "InvalidParameterValue",
            "attribute {name}"
        );
    }
    let err = server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("m")
        .message_attributes("empty", string_attr(""))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error_message(&err),
        "Message (user) attribute 'empty' must contain a non-empty value of type 'String'."
    );
    let mut req = server.sqs.send_message().queue_url(&url).message_body("m");
    for i in 0..11 {
        req = req.message_attributes(format!("a{i}"), string_attr("x"));
    }
    assert_eq!(
        error_code(&req.send().await.unwrap_err()),
        "InvalidParameterValue"
    );
    // Ten attributes, non-ASCII letters and labelled types are fine.
    let mut req = server.sqs.send_message().queue_url(&url).message_body("ok");
    for i in 0..9 {
        req = req.message_attributes(format!("a{i}"), string_attr("x"));
    }
    req.message_attributes("øßä", binary_attr(b"\x00\x01"))
        .send()
        .await
        .unwrap();
    let got = server.receive(&url, 1).await;
    assert_eq!(got[0].message_attributes().unwrap().len(), 10);
    assert!(assert_no_messages_left(&server, &url).await);
}

async fn assert_no_messages_left(server: &TestServer, url: &str) -> bool {
    server.receive(url, 10).await.is_empty()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_size_counts_body_and_attributes_up_to_the_queue_maximum() {
    let server = TestServer::start().await;
    let url = server
        .standard_queue("small", &[("MaximumMessageSize", "1024")])
        .await;
    // Body + "k" + "String" + "x": 1016 + 8 = 1024 bytes, exactly the maximum.
    let send = |body: String| {
        server
            .sqs
            .send_message()
            .queue_url(&url)
            .message_body(body)
            .message_attributes("k", string_attr("x"))
            .send()
    };
    send("a".repeat(1016)).await.unwrap();
    let err = send("a".repeat(1017)).await.unwrap_err();
    assert_sqs_error(
        &err,
        "InvalidParameterValue",
        "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.",
    );
    // Sizes are UTF-8 bytes: 512 two-byte characters are 1024 bytes.
    server.send(&url, &"é".repeat(512)).await;
    let err = server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body(format!("{}a", "é".repeat(512)))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "InvalidParameterValue");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_maximum_message_size_is_one_mebibyte() {
    let server = TestServer::start().await;
    let url = server.standard_queue("big", &[]).await;
    let sent = server.send(&url, &"x".repeat(1_048_576)).await;
    assert!(sent.message_id().is_some());
    let err = server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("x".repeat(1_048_577))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error_message(&err),
        "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes."
    );
    let got = server.receive(&url, 1).await;
    assert_eq!(got[0].body().map(str::len), Some(1_048_576));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delay_seconds_is_validated_and_overrides_the_queue_delay() {
    let server = TestServer::start().await;
    let url = server
        .standard_queue(
            "delays",
            &[("DelaySeconds", "30"), ("VisibilityTimeout", "600")],
        )
        .await;
    for bad in [-1, 901] {
        let err = server
            .sqs
            .send_message()
            .queue_url(&url)
            .message_body("m")
            .delay_seconds(bad)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            error_message(&err),
            format!(
                "Value {bad} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900."
            )
        );
    }
    let now = |secs| {
        server
            .sqs
            .send_message()
            .queue_url(&url)
            .message_body(format!("delay {secs}"))
            .delay_seconds(secs)
            .send()
    };
    now(0).await.unwrap();
    now(5).await.unwrap();
    server.send(&url, "queue default").await;
    assert_eq!(server.receive_bodies(&url, 10).await, ["delay 0"]);
    server.advance(5_000).await;
    assert_eq!(server.receive_bodies(&url, 10).await, ["delay 5"]);
    server.advance(24_999).await;
    assert!(server.receive(&url, 10).await.is_empty());
    server.advance(1).await;
    assert_eq!(server.receive_bodies(&url, 10).await, ["queue default"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receive_limits_and_batch_sizes() {
    let server = TestServer::start().await;
    let url = server.standard_queue("limits", &[]).await;
    for i in 0..15 {
        server.send(&url, &format!("m{i}")).await;
    }
    for bad in [0, 11] {
        let err = server
            .sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(bad)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            error_message(&err),
            format!(
                "Value {bad} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."
            )
        );
    }
    let err = server
        .sqs
        .receive_message()
        .queue_url(&url)
        .visibility_timeout(43_201)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "InvalidParameterValue");
    let one = server
        .sqs
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .unwrap();
    assert_eq!(one.messages().len(), 1, "default MaxNumberOfMessages is 1");
    assert_eq!(server.receive(&url, 10).await.len(), 10);
    assert_eq!(server.receive(&url, 10).await.len(), 4);
    let empty = server
        .json("ReceiveMessage", json!({ "QueueUrl": url }))
        .await;
    assert_eq!((empty.status, empty.json()), (200, json!({})));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receive_with_zero_visibility_leaves_the_message_receivable() {
    let server = TestServer::start().await;
    let url = server.standard_queue("peek", &[]).await;
    server.send(&url, "again").await;
    for count in 1..=3 {
        let got = server
            .sqs
            .receive_message()
            .queue_url(&url)
            .visibility_timeout(0)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .unwrap();
        let m = &got.messages()[0];
        assert_eq!(
            sys_attr(m, "ApproximateReceiveCount"),
            Some(count.to_string())
        );
        assert_eq!(sys_attr_names(m), ["ApproximateReceiveCount"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standard_system_attributes_and_timestamps() {
    let server = TestServer::start().await;
    let url = server.standard_queue("sys", &[]).await;
    let sent_at = server.now_ms().await;
    server.send(&url, "m").await;
    let first_receive_at = server.advance(1_500).await;
    let got = server
        .sqs
        .receive_message()
        .queue_url(&url)
        .visibility_timeout(0)
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .send()
        .await
        .unwrap();
    let m = &got.messages()[0];
    assert_eq!(
        sys_attr_names(m),
        [
            "ApproximateFirstReceiveTimestamp",
            "ApproximateReceiveCount",
            "SenderId",
            "SentTimestamp"
        ]
    );
    assert_eq!(sys_attr(m, "SentTimestamp"), Some(sent_at.to_string()));
    assert_eq!(
        sys_attr(m, "ApproximateFirstReceiveTimestamp"),
        Some(first_receive_at.to_string())
    );
    assert!(sys_attr(m, "SenderId").is_some_and(|s| !s.is_empty()));
    server.advance(1_000).await;
    // The deprecated AttributeNames member works too, and the first receive is kept.
    #[allow(deprecated)]
    let got = server
        .sqs
        .receive_message()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .unwrap();
    let m = &got.messages()[0];
    assert_eq!(sys_attr(m, "ApproximateReceiveCount").as_deref(), Some("2"));
    assert_eq!(
        sys_attr(m, "ApproximateFirstReceiveTimestamp"),
        Some(first_receive_at.to_string())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn system_attribute_selection_is_the_union_of_both_members() {
    let server = TestServer::start().await;
    let url = server.standard_queue("union", &[]).await;
    server.send(&url, "m").await;
    let resp = server
        .json(
            "ReceiveMessage",
            json!({
                "QueueUrl": url,
                "VisibilityTimeout": 0,
                "AttributeNames": ["SenderId"],
                "MessageSystemAttributeNames": ["SentTimestamp"],
            }),
        )
        .await;
    let attrs = resp.json()["Messages"][0]["Attributes"].clone();
    let mut names: Vec<String> = attrs.as_object().unwrap().keys().cloned().collect();
    names.sort();
    assert_eq!(names, ["SenderId", "SentTimestamp"]);
    // Nothing asked for: no Attributes key at all.
    let resp = server
        .json(
            "ReceiveMessage",
            json!({ "QueueUrl": url, "VisibilityTimeout": 0 }),
        )
        .await;
    let m = &resp.json()["Messages"][0];
    assert!(m.get("Attributes").is_none() && m.get("MessageAttributes").is_none());
    assert_eq!(m["Body"], "m");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifo_system_attributes_include_group_dedup_and_sequence() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("sys", &[]).await;
    let sent = server.send_fifo(&url, "g1", Some("d1"), "m").await;
    let got = server.receive(&url, 1).await;
    let m = &got[0];
    assert_eq!(
        sys_attr_names(m),
        [
            "ApproximateFirstReceiveTimestamp",
            "ApproximateReceiveCount",
            "MessageDeduplicationId",
            "MessageGroupId",
            "SenderId",
            "SentTimestamp",
            "SequenceNumber"
        ]
    );
    assert_eq!(sys_attr(m, "MessageGroupId").as_deref(), Some("g1"));
    assert_eq!(sys_attr(m, "MessageDeduplicationId").as_deref(), Some("d1"));
    assert_eq!(
        sys_attr(m, "SequenceNumber").as_deref(),
        sent.sequence_number()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_id_header_becomes_aws_trace_header() {
    let server = TestServer::start().await;
    let url = server.standard_queue("trace", &[]).await;
    let headers = [
        ("x-amz-target", "AmazonSQS.SendMessage".to_string()),
        ("content-type", "application/x-amz-json-1.0".to_string()),
        (
            "x-amzn-trace-id",
            "Root=1-00000000-header;Sampled=1".to_string(),
        ),
    ];
    let send = |body: serde_json::Value| server.raw("/", &headers, body.to_string());
    let resp = send(json!({ "QueueUrl": url, "MessageBody": "from header" })).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    // An explicit system attribute wins over the header.
    let resp = send(json!({
        "QueueUrl": url,
        "MessageBody": "explicit",
        "MessageSystemAttributes": {
            "AWSTraceHeader": { "DataType": "String", "StringValue": "Root=explicit" }
        }
    }))
    .await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    let got = server.receive(&url, 10).await;
    let traces: Vec<Option<String>> = got.iter().map(|m| sys_attr(m, "AWSTraceHeader")).collect();
    assert_eq!(
        traces,
        [
            Some("Root=1-00000000-header;Sampled=1".to_string()),
            Some("Root=explicit".to_string())
        ]
    );
    // Only AWSTraceHeader is a valid system attribute for sends.
    let resp = server
        .json(
            "SendMessage",
            json!({
                "QueueUrl": url,
                "MessageBody": "m",
                "MessageSystemAttributes": {
                    "SenderId": { "DataType": "String", "StringValue": "x" }
                }
            }),
        )
        .await;
    assert_eq!(resp.status, 400);
    assert_eq!(
        resp.json()["__type"],
        "com.amazon.coral.service#InvalidParameterValueException"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standard_queues_accept_group_ids_without_ordering_or_dedup() {
    let server = TestServer::start().await;
    let url = server.standard_queue("fair", &[]).await;
    for body in ["t1", "t2"] {
        let sent = server
            .sqs
            .send_message()
            .queue_url(&url)
            .message_body(body)
            .message_group_id("tenant")
            .send()
            .await
            .unwrap();
        assert_eq!(sent.sequence_number(), None);
    }
    // No group locking: the second message is receivable while the first is in flight.
    let first = server.receive(&url, 1).await;
    let second = server.receive(&url, 1).await;
    assert_eq!(first.len() + second.len(), 2);
    for m in first.iter().chain(&second) {
        assert_eq!(sys_attr(m, "MessageGroupId").as_deref(), Some("tenant"));
        assert_eq!(sys_attr(m, "SequenceNumber"), None);
    }
    let err = server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("m")
        .message_deduplication_id("d")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "InvalidParameterValue");
}
