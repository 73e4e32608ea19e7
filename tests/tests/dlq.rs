//! Dead-letter queues: RedrivePolicy validation, the move on the receive that
//! exceeds maxReceiveCount (what the copy keeps and adds), FIFO DLQs, and
//! ListDeadLetterSourceQueues.

use aws_sdk_sqs::types::{MessageSystemAttributeNameForSends, MessageSystemAttributeValue};
use fifowin_e2e::{TestServer, error_code, error_message, string_attr, sys_attr};
use serde_json::json;

fn policy(arn: &str, max: u32) -> String {
    json!({ "deadLetterTargetArn": arn, "maxReceiveCount": max }).to_string()
}

fn arn(name: &str) -> String {
    format!("arn:aws:sqs:us-east-1:000000000000:{name}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redrive_policy_is_validated_and_rendered() {
    let server = TestServer::start().await;
    server.standard_queue("dlq", &[]).await;
    server.fifo_queue("fdlq", &[]).await;
    let url = server.standard_queue("src", &[]).await;
    let bad = [
        policy(&arn("missing"), 3),
        policy(&arn("fdlq.fifo"), 3),
        policy(&arn("dlq"), 0),
        policy(&arn("dlq"), 1001),
        "not json".to_string(),
        json!({ "deadLetterTargetArn": arn("dlq") }).to_string(),
    ];
    for value in bad {
        let err = server
            .sqs
            .set_queue_attributes()
            .queue_url(&url)
            .attributes(
                aws_sdk_sqs::types::QueueAttributeName::RedrivePolicy,
                value.as_str(),
            )
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_code(&err), "InvalidParameterValue", "{value}");
        assert!(
            error_message(&err).starts_with(&format!(
                "Value {value} for parameter RedrivePolicy is invalid. Reason: "
            )),
            "{}",
            error_message(&err)
        );
    }
    // maxReceiveCount may come as a string; it is rendered as a number.
    let as_string =
        json!({ "deadLetterTargetArn": arn("dlq"), "maxReceiveCount": "5" }).to_string();
    server
        .set_attributes(&url, &[("RedrivePolicy", &as_string)])
        .await;
    let rendered = server.queue_attribute(&url, "RedrivePolicy").await.unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&rendered).unwrap(),
        json!({ "deadLetterTargetArn": arn("dlq"), "maxReceiveCount": 5 })
    );
    // The empty string removes it.
    server.set_attributes(&url, &[("RedrivePolicy", "")]).await;
    assert_eq!(server.queue_attribute(&url, "RedrivePolicy").await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_receive_after_max_receive_count_moves_the_message() {
    let server = TestServer::start().await;
    let dlq = server.standard_queue("dead", &[]).await;
    let src = server
        .standard_queue("src", &[("RedrivePolicy", &policy(&arn("dead"), 2))])
        .await;
    let trace = MessageSystemAttributeValue::builder()
        .data_type("String")
        .string_value("Root=1-dlq")
        .build()
        .unwrap();
    let sent = server
        .sqs
        .send_message()
        .queue_url(&src)
        .message_body("poison")
        .message_attributes("Foo", string_attr("Bar"))
        .message_system_attributes(MessageSystemAttributeNameForSends::AwsTraceHeader, trace)
        .send()
        .await
        .unwrap();
    let sent_at = server.now_ms().await;
    for count in ["1", "2"] {
        let got = server.receive(&src, 1).await;
        assert_eq!(
            sys_attr(&got[0], "ApproximateReceiveCount").as_deref(),
            Some(count)
        );
        server.advance(30_000).await;
    }
    // The third attempt moves it instead of returning it.
    assert!(server.receive(&src, 10).await.is_empty());
    assert_eq!(
        server
            .queue_attribute(&src, "ApproximateNumberOfMessages")
            .await
            .as_deref(),
        Some("0")
    );
    let got = server.receive(&dlq, 10).await;
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.message_id(), sent.message_id());
    assert_eq!(m.body(), Some("poison"));
    assert_eq!(
        m.md5_of_message_attributes(),
        Some("ae7155c6026991b6d54b11589678bf9c")
    );
    assert_eq!(sys_attr(m, "DeadLetterQueueSourceArn"), Some(arn("src")));
    assert_eq!(sys_attr(m, "AWSTraceHeader").as_deref(), Some("Root=1-dlq"));
    assert_eq!(sys_attr(m, "SentTimestamp"), Some(sent_at.to_string()));
    // The receive count continues: two on the source, one here.
    assert_eq!(sys_attr(m, "ApproximateReceiveCount").as_deref(), Some("3"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_receive_count_one_returns_once_then_moves() {
    let server = TestServer::start().await;
    let dlq = server.standard_queue("d1", &[]).await;
    let src = server
        .standard_queue("s1", &[("RedrivePolicy", &policy(&arn("d1"), 1))])
        .await;
    server.send(&src, "once").await;
    let first = server
        .sqs
        .receive_message()
        .queue_url(&src)
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    assert_eq!(first.messages().len(), 1);
    assert!(server.receive(&src, 1).await.is_empty());
    assert_eq!(server.receive_bodies(&dlq, 1).await, ["once"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifo_dead_letters_keep_their_group_and_the_source_stays_usable() {
    let server = TestServer::start().await;
    let dlq = server.fifo_queue("fdead", &[]).await;
    let src = server
        .fifo_queue("fsrc", &[("RedrivePolicy", &policy(&arn("fdead.fifo"), 1))])
        .await;
    server.send_fifo(&src, "g", Some("1"), "first").await;
    server.send_fifo(&src, "g", Some("2"), "second").await;
    let got = server.receive(&src, 1).await;
    assert_eq!(got[0].body(), Some("first"));
    server.advance(30_000).await;
    // "first" moves; "second" (same group) is delivered by the same receive.
    assert_eq!(server.receive_bodies(&src, 1).await, ["second"]);
    let dead = server.receive(&dlq, 10).await;
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].body(), Some("first"));
    assert_eq!(sys_attr(&dead[0], "MessageGroupId").as_deref(), Some("g"));
    assert_eq!(
        sys_attr(&dead[0], "DeadLetterQueueSourceArn"),
        Some(arn("fsrc.fifo"))
    );
    assert!(sys_attr(&dead[0], "SequenceNumber").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_dead_letter_source_queues_finds_the_queues_that_target_it() {
    let server = TestServer::start().await;
    let dlq = server.standard_queue("target", &[]).await;
    server.standard_queue("spare", &[]).await;
    for name in ["a-src", "b-src", "c-src"] {
        server
            .standard_queue(name, &[("RedrivePolicy", &policy(&arn("target"), 3))])
            .await;
    }
    server
        .standard_queue("elsewhere", &[("RedrivePolicy", &policy(&arn("spare"), 3))])
        .await;
    let out = server
        .sqs
        .list_dead_letter_source_queues()
        .queue_url(&dlq)
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = out
        .queue_urls()
        .iter()
        .map(|u| u.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(names, ["a-src", "b-src", "c-src"]);

    let page = server
        .sqs
        .list_dead_letter_source_queues()
        .queue_url(&dlq)
        .max_results(2)
        .send()
        .await
        .unwrap();
    assert_eq!(page.queue_urls().len(), 2);
    let rest = server
        .sqs
        .list_dead_letter_source_queues()
        .queue_url(&dlq)
        .max_results(2)
        .set_next_token(page.next_token().map(str::to_owned))
        .send()
        .await
        .unwrap();
    assert_eq!(rest.queue_urls().len(), 1);
    assert_eq!(rest.next_token(), None);

    // The JSON member is the model's lower-case `queueUrls`, present even when empty.
    let spare_url = format!("{}/000000000000/a-src", server.endpoint);
    let resp = server
        .json(
            "ListDeadLetterSourceQueues",
            json!({ "QueueUrl": spare_url }),
        )
        .await;
    assert_eq!(
        (resp.status, resp.json()),
        (200, json!({ "queueUrls": [] }))
    );
    let err = server
        .sqs
        .list_dead_letter_source_queues()
        .queue_url(format!("{}/000000000000/none", server.endpoint))
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_queue_does_not_exist());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standard_dead_letters_keep_their_age_and_fifo_ones_restart_it() {
    let server = TestServer::start().await;
    let retention = [("MessageRetentionPeriod", "60")];
    let std_dlq = server.standard_queue("sdead", &retention).await;
    let fifo_dlq = server.fifo_queue("fdead", &retention).await;
    let std_src = server
        .standard_queue("ssrc", &[("RedrivePolicy", &policy(&arn("sdead"), 1))])
        .await;
    let fifo_src = server
        .fifo_queue("fsrc", &[("RedrivePolicy", &policy(&arn("fdead.fifo"), 1))])
        .await;
    server.send(&std_src, "s").await;
    server.send_fifo(&fifo_src, "g", Some("1"), "f").await;
    server.receive(&std_src, 1).await;
    server.receive(&fifo_src, 1).await;
    // Both move 90 s after they were sent, on the next receive attempt.
    server.advance(90_000).await;
    assert!(server.receive(&std_src, 1).await.is_empty());
    assert!(server.receive(&fifo_src, 1).await.is_empty());
    // The standard copy is already past its DLQ's 60 s retention; the FIFO copy
    // was enqueued afresh.
    assert!(server.receive(&std_dlq, 1).await.is_empty());
    assert_eq!(server.receive_bodies(&fifo_dlq, 1).await, ["f"]);
}
