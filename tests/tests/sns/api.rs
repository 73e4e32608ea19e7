//! Every SNS operation fifowin serves, through aws-sdk-sns over the shared port,
//! with AWS's answers and error codes.

use aws_sdk_sns::types::{PublishBatchRequestEntry, Tag};

use fifowin_e2e::TestServer;
use fifowin_server::ServerConfig;
use fifowin_server::config::{AccessKeys, AuthConfig, AuthMode, ControlAccess};

use super::{Fixture, failure};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_publish_on_the_sqs_port_reaches_a_subscribed_fifo_queue() {
    let fx = Fixture::start().await;
    let topic = fx.fifo_topic("orders", &[]).await;
    assert_eq!(topic, "arn:aws:sns:us-east-1:000000000000:orders.fifo");
    let url = fx.server.fifo_queue("orders", &[]).await;
    fx.subscribe(&topic, &url, &[("RawMessageDelivery", "true")])
        .await;
    let (id, seq) = fx.publish(&topic, "g1", Some("d1"), "hello").await;
    assert_eq!(id.len(), 36);
    assert_eq!(seq, "10000000000000000001");
    assert_eq!(fx.server.receive_bodies(&url, 10).await, ["hello"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topics_are_created_idempotently_described_changed_listed_by_page_and_deleted() {
    let fx = Fixture::start().await;
    let arn = fx.fifo_topic("orders", &[("DisplayName", "Orders")]).await;
    // Same name, same attributes: the same topic.
    let again = fx.fifo_topic("orders", &[("DisplayName", "Orders")]).await;
    assert_eq!(again, arn);
    let differing = fx
        .sns
        .create_topic()
        .name("orders.fifo")
        .attributes("FifoTopic", "true")
        .attributes("DisplayName", "Other")
        .send()
        .await;
    assert_eq!(
        failure(differing),
        (
            "InvalidParameter".into(),
            "Invalid parameter: Attributes Reason: Topic already exists with different attributes"
                .into()
        )
    );
    let bad_name = fx
        .sns
        .create_topic()
        .name("orders")
        .attributes("FifoTopic", "true")
        .send()
        .await;
    assert_eq!(
        failure(bad_name),
        (
            "InvalidParameter".into(),
            "Invalid parameter: Topic Name".into()
        )
    );

    let got = fx.topic_attributes(&arn).await;
    assert_eq!(got["TopicArn"], arn);
    assert_eq!(got["FifoTopic"], "true");
    assert_eq!(got["ContentBasedDeduplication"], "false");
    assert_eq!(got["DisplayName"], "Orders");
    assert_eq!(got["SubscriptionsConfirmed"], "0");
    assert_eq!(got["Owner"], "000000000000");

    fx.sns
        .set_topic_attributes()
        .topic_arn(&arn)
        .attribute_name("ContentBasedDeduplication")
        .attribute_value("true")
        .send()
        .await
        .unwrap();
    let url = fx.server.fifo_queue("orders", &[]).await;
    fx.subscribe(&arn, &url, &[]).await;
    let got = fx.topic_attributes(&arn).await;
    assert_eq!(got["ContentBasedDeduplication"], "true");
    assert_eq!(got["SubscriptionsConfirmed"], "1");

    // 101 more topics: ListTopics pages by 100.
    for i in 0..101 {
        fx.sns
            .create_topic()
            .name(format!("t{i:03}"))
            .send()
            .await
            .unwrap();
    }
    let first = fx.sns.list_topics().send().await.unwrap();
    assert_eq!(first.topics().len(), 100);
    let token = first.next_token.clone().expect("a second page");
    let second = fx.sns.list_topics().next_token(token).send().await.unwrap();
    assert_eq!(second.topics().len(), 2);
    assert!(second.next_token.is_none());
    let all: Vec<String> = first
        .topics()
        .iter()
        .chain(second.topics())
        .map(|t| t.topic_arn().unwrap().to_string())
        .collect();
    assert!(all.contains(&arn));

    fx.sns.delete_topic().topic_arn(&arn).send().await.unwrap();
    let gone = fx.sns.get_topic_attributes().topic_arn(&arn).send().await;
    assert_eq!(
        failure(gone),
        ("NotFound".into(), "Topic does not exist".into())
    );
    // Deleting a missing topic succeeds, as on AWS.
    fx.sns.delete_topic().topic_arn(&arn).send().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_are_listed_described_changed_and_removed() {
    let fx = Fixture::start().await;
    let topic = fx.fifo_topic("subs", &[]).await;
    let url = fx.server.fifo_queue("subs", &[]).await;
    let queue_arn = fx.queue_arn(&url).await;
    let sub = fx.subscribe(&topic, &url, &[]).await;
    assert!(sub.starts_with(&format!("{topic}:")));
    assert_eq!(fx.subscribe(&topic, &url, &[]).await, sub, "idempotent");

    let listed = fx.sns.list_subscriptions().send().await.unwrap();
    let by_topic = fx
        .sns
        .list_subscriptions_by_topic()
        .topic_arn(&topic)
        .send()
        .await
        .unwrap();
    for subs in [listed.subscriptions(), by_topic.subscriptions()] {
        assert_eq!(subs.len(), 1);
        assert_eq!(subs[0].subscription_arn(), Some(sub.as_str()));
        assert_eq!(subs[0].protocol(), Some("sqs"));
        assert_eq!(subs[0].endpoint(), Some(queue_arn.as_str()));
        assert_eq!(subs[0].topic_arn(), Some(topic.as_str()));
    }

    let attributes = || async {
        fx.sns
            .get_subscription_attributes()
            .subscription_arn(&sub)
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap()
    };
    let got = attributes().await;
    assert_eq!(got["RawMessageDelivery"], "false");
    assert_eq!(got["PendingConfirmation"], "false");
    assert_eq!(got["Endpoint"], queue_arn);
    assert!(!got.contains_key("FilterPolicy"));
    for (name, value) in [
        ("RawMessageDelivery", "True"),
        ("FilterPolicy", r#"{"kind":["order"]}"#),
    ] {
        fx.sns
            .set_subscription_attributes()
            .subscription_arn(&sub)
            .attribute_name(name)
            .attribute_value(value)
            .send()
            .await
            .unwrap();
    }
    let got = attributes().await;
    assert_eq!(got["RawMessageDelivery"], "true");
    assert_eq!(got["FilterPolicy"], r#"{"kind":["order"]}"#);
    assert_eq!(got["FilterPolicyScope"], "MessageAttributes");
    let bad = fx
        .sns
        .set_subscription_attributes()
        .subscription_arn(&sub)
        .attribute_name("RawMessageDelivery")
        .attribute_value("test-ValUe")
        .send()
        .await;
    assert_eq!(
        failure(bad),
        (
            "InvalidParameter".into(),
            "Invalid parameter: RawMessageDelivery: Invalid value [test-ValUe]. Must be true or false."
                .into()
        )
    );

    fx.sns
        .unsubscribe()
        .subscription_arn(&sub)
        .send()
        .await
        .unwrap();
    let gone = fx
        .sns
        .get_subscription_attributes()
        .subscription_arn(&sub)
        .send()
        .await;
    assert_eq!(
        failure(gone),
        ("NotFound".into(), "Subscription does not exist".into())
    );

    let by_url = fx
        .sns
        .subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(&url)
        .send()
        .await;
    assert_eq!(
        failure(by_url),
        (
            "InvalidParameter".into(),
            "Invalid parameter: SQS endpoint ARN".into()
        )
    );
    let standard = fx.sns.create_topic().name("plain").send().await.unwrap();
    let fifo_to_standard = fx
        .sns
        .subscribe()
        .topic_arn(standard.topic_arn().unwrap())
        .protocol("sqs")
        .endpoint(&queue_arn)
        .send()
        .await;
    assert_eq!(
        failure(fifo_to_standard),
        (
            "InvalidParameter".into(),
            "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics".into()
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topics_are_tagged_listed_and_untagged() {
    let fx = Fixture::start().await;
    let topic = fx.fifo_topic("tagged", &[]).await;
    let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build().unwrap();
    fx.sns
        .tag_resource()
        .resource_arn(&topic)
        .tags(tag("team", "payments"))
        .tags(tag("env", "test"))
        .send()
        .await
        .unwrap();
    fx.sns
        .untag_resource()
        .resource_arn(&topic)
        .tag_keys("env")
        .send()
        .await
        .unwrap();
    let tags = fx
        .sns
        .list_tags_for_resource()
        .resource_arn(&topic)
        .send()
        .await
        .unwrap();
    let tags: Vec<(&str, &str)> = tags.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(tags, [("team", "payments")]);
    let missing = fx
        .sns
        .list_tags_for_resource()
        .resource_arn("arn:aws:sns:us-east-1:000000000000:nope")
        .send()
        .await;
    assert_eq!(failure(missing).0, "ResourceNotFound");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishes_are_validated_with_aws_codes_and_texts() {
    let fx = Fixture::start().await;
    let topic = fx.fifo_topic("checked", &[]).await;
    let no_group = fx
        .sns
        .publish()
        .topic_arn(&topic)
        .message("m")
        .message_deduplication_id("d")
        .send()
        .await;
    assert_eq!(
        failure(no_group),
        (
            "InvalidParameter".into(),
            "Invalid parameter: The MessageGroupId parameter is required for FIFO topics".into()
        )
    );
    let no_dedup = fx
        .sns
        .publish()
        .topic_arn(&topic)
        .message("m")
        .message_group_id("g")
        .send()
        .await;
    assert_eq!(
        failure(no_dedup),
        (
            "InvalidParameter".into(),
            "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly".into()
        )
    );
    let unknown = fx
        .sns
        .publish()
        .topic_arn("arn:aws:sns:us-east-1:000000000000:nope.fifo")
        .message("m")
        .message_group_id("g")
        .message_deduplication_id("d")
        .send()
        .await;
    assert_eq!(
        failure(unknown),
        ("NotFound".into(), "Topic does not exist".into())
    );
    let entry = |id: &str| {
        PublishBatchRequestEntry::builder()
            .id(id)
            .message("m")
            .message_group_id("g")
            .message_deduplication_id(id)
            .build()
            .unwrap()
    };
    let too_many = fx
        .sns
        .publish_batch()
        .topic_arn(&topic)
        .set_publish_batch_request_entries(Some((0..11).map(|i| entry(&format!("e{i}"))).collect()))
        .send()
        .await;
    assert_eq!(failure(too_many).0, "TooManyEntriesInBatchRequest");
    let repeated = fx
        .sns
        .publish_batch()
        .topic_arn(&topic)
        .publish_batch_request_entries(entry("a"))
        .publish_batch_request_entries(entry("a"))
        .send()
        .await;
    assert_eq!(failure(repeated).0, "BatchEntryIdsNotDistinct");
    // TargetArn names the topic as TopicArn does.
    let by_target = fx
        .sns
        .publish()
        .target_arn(&topic)
        .message("m")
        .message_group_id("g")
        .message_deduplication_id("d")
        .send()
        .await
        .unwrap();
    assert_eq!(by_target.sequence_number(), Some("10000000000000000001"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sns_actions_fifowin_does_not_serve_answer_a_clear_error() {
    let fx = Fixture::start().await;
    let form = [(
        "content-type",
        "application/x-www-form-urlencoded".to_string(),
    )];
    let resp = fx
        .server
        .raw(
            "/",
            &form,
            "Action=CreatePlatformApplication&Version=2010-03-31&Name=x".into(),
        )
        .await;
    assert_eq!(resp.status, 400);
    assert!(
        resp.body.contains("<Code>InvalidAction</Code>"),
        "{}",
        resp.body
    );
    assert!(
        resp.body
            .contains("The action CreatePlatformApplication is not supported by fifowin."),
        "{}",
        resp.body
    );
    assert!(
        resp.body
            .contains("http://sns.amazonaws.com/doc/2010-03-31/")
    );
    assert_eq!(resp.header("content-type"), Some("text/xml"));
    // The same form with SQS's version is an SQS request.
    let sqs = fx
        .server
        .raw("/", &form, "Action=ListQueues&Version=2012-11-05".into())
        .await;
    assert_eq!(sqs.status, 200);
    assert!(sqs.body.contains("<ListQueuesResponse"), "{}", sqs.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigv4_mode_verifies_sns_requests_like_sqs_ones() {
    let mut keys = AccessKeys::default();
    keys.insert("AKIDSNS", "sns-secret");
    let config = ServerConfig {
        auth: AuthConfig {
            mode: AuthMode::SigV4,
            keys,
            control: ControlAccess::Open,
        },
        ..ServerConfig::default()
    };
    let server = TestServer::start_with(config).await;
    let client = |secret: &str| {
        let config = fifowin_testing::sns_config(&server.endpoint)
            .credentials_provider(aws_sdk_sns::config::Credentials::new(
                "AKIDSNS", secret, None, None, "test",
            ))
            .build();
        aws_sdk_sns::Client::from_conf(config)
    };
    let signed = client("sns-secret")
        .create_topic()
        .name("signed")
        .send()
        .await
        .unwrap();
    assert_eq!(
        signed.topic_arn(),
        Some("arn:aws:sns:us-east-1:000000000000:signed")
    );
    let forged = client("wrong").list_topics().send().await;
    assert_eq!(failure(forged).0, "SignatureDoesNotMatch");
}
