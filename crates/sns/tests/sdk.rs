//! The codec against the real `aws-sdk-sns` client, without a server: an
//! in-process `HttpClient` hands each request the SDK signs and sends to our
//! decoder, applies it to an `Sns`, and gives the SDK our encoded XML (or error)
//! back, so both directions are checked by the SDK's own serializer and parser.

use std::sync::{Arc, Mutex, MutexGuard};

use aws_sdk_sns::Client;
use aws_sdk_sns::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sns::error::ProvideErrorMetadata;
use aws_sdk_sns::primitives::Blob;
use aws_sdk_sns::types::{MessageAttributeValue, PublishBatchRequestEntry, Tag};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use fifowin_engine::{SeqIds, Timestamp};
use fifowin_sns::codec::{self, Request};
use fifowin_sns::{Published, Scope, Sns, handle};

/// What the in-process endpoint saw and holds.
#[derive(Debug, Default)]
struct State {
    sns: Sns,
    ids: SeqIds,
    now: u64,
    /// Every raw form body the SDK sent, and its Authorization header.
    bodies: Vec<String>,
    authorizations: Vec<String>,
    requests: Vec<Request>,
    published: Vec<Published>,
}

#[derive(Clone, Debug, Default)]
struct InProcess {
    state: Arc<Mutex<State>>,
}

impl InProcess {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }
}

impl HttpConnector for InProcess {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let body = request.body().bytes().unwrap_or_default().to_vec();
        let query = request.uri().split_once('?').map(|(_, q)| q.to_string());
        let mut state = self.state();
        state
            .bodies
            .push(String::from_utf8_lossy(&body).into_owned());
        if let Some(auth) = request.headers().get("authorization") {
            state.authorizations.push(auth.to_string());
        }
        let request_id = format!("req-{}", state.bodies.len());
        let scope = Scope::new("us-east-1", "000000000000");
        let outcome = codec::decode(query.as_deref(), &body).and_then(|req| {
            state.requests.push(req.clone());
            let State { sns, ids, now, .. } = &mut *state;
            handle(sns, &scope, &req, ids, Timestamp(*now))
        });
        let (status, xml) = match outcome {
            Ok(handled) => {
                let xml = codec::encode(&handled.response, &request_id);
                state.published.extend(handled.published);
                (200, xml)
            }
            Err(err) => (err.code.status(), codec::encode_error(&err, &request_id)),
        };
        let mut response = Response::new(StatusCode::try_from(status).unwrap(), SdkBody::from(xml));
        response
            .headers_mut()
            .insert("content-type", codec::CONTENT_TYPE);
        response
            .headers_mut()
            .insert("x-amzn-RequestId", request_id);
        HttpConnectorFuture::ready(Ok(response))
    }
}

impl HttpClient for InProcess {
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

fn client(endpoint: &InProcess) -> Client {
    let config = aws_sdk_sns::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKID", "secret", None, None, "test"))
        .endpoint_url("http://localhost:9324")
        .http_client(endpoint.clone())
        .build();
    Client::from_conf(config)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn string_attr(value: &str) -> MessageAttributeValue {
    MessageAttributeValue::builder()
        .data_type("String")
        .string_value(value)
        .build()
        .unwrap()
}

#[test]
fn fifo_topic_lifecycle_through_the_sdk() {
    let endpoint = InProcess::default();
    let sns = client(&endpoint);
    runtime().block_on(async {
        let created = sns
            .create_topic()
            .name("prices.fifo")
            .attributes("FifoTopic", "true")
            .attributes("ContentBasedDeduplication", "true")
            .tags(Tag::builder().key("team").value("pricing").build().unwrap())
            .send()
            .await
            .unwrap();
        let topic = created.topic_arn().unwrap().to_string();
        assert_eq!(topic, "arn:aws:sns:us-east-1:000000000000:prices.fifo");
        {
            let state = endpoint.state();
            assert!(
                state.bodies[0].contains("Version=2010-03-31"),
                "{}",
                state.bodies[0]
            );
            assert!(
                state.authorizations[0].contains("/us-east-1/sns/aws4_request"),
                "{}",
                state.authorizations[0]
            );
        }
        // Idempotent create.
        let again = sns
            .create_topic()
            .name("prices.fifo")
            .attributes("FifoTopic", "true")
            .send()
            .await
            .unwrap();
        assert_eq!(again.topic_arn(), Some(topic.as_str()));

        let attrs = sns
            .get_topic_attributes()
            .topic_arn(&topic)
            .send()
            .await
            .unwrap();
        let attrs = attrs.attributes().unwrap();
        assert_eq!(attrs["FifoTopic"], "true");
        assert_eq!(attrs["ContentBasedDeduplication"], "true");
        assert_eq!(attrs["SubscriptionsConfirmed"], "0");
        assert!(
            attrs["Policy"]
                .contains("\"Resource\":\"arn:aws:sns:us-east-1:000000000000:prices.fifo\"")
        );
        sns.set_topic_attributes()
            .topic_arn(&topic)
            .attribute_name("DisplayName")
            .attribute_value("Prices & <Co>")
            .send()
            .await
            .unwrap();
        let attrs = sns
            .get_topic_attributes()
            .topic_arn(&topic)
            .send()
            .await
            .unwrap();
        assert_eq!(attrs.attributes().unwrap()["DisplayName"], "Prices & <Co>");

        let all = sns
            .subscribe()
            .topic_arn(&topic)
            .protocol("sqs")
            .endpoint("arn:aws:sqs:us-east-1:000000000000:all.fifo")
            .return_subscription_arn(true)
            .send()
            .await
            .unwrap()
            .subscription_arn()
            .unwrap()
            .to_string();
        let retail = sns
            .subscribe()
            .topic_arn(&topic)
            .protocol("sqs")
            .endpoint("arn:aws:sqs:us-east-1:000000000000:retail.fifo")
            .attributes("RawMessageDelivery", "true")
            .attributes("FilterPolicy", r#"{"channel":["retail"]}"#)
            .send()
            .await
            .unwrap()
            .subscription_arn()
            .unwrap()
            .to_string();
        assert!(all.starts_with(&format!("{topic}:")));
        let listed = sns
            .list_subscriptions_by_topic()
            .topic_arn(&topic)
            .send()
            .await
            .unwrap();
        let subs = listed.subscriptions();
        assert_eq!(subs.len(), 2);
        for s in subs {
            assert_eq!(s.protocol(), Some("sqs"));
            assert_eq!(s.owner(), Some("000000000000"));
            assert_eq!(s.topic_arn(), Some(topic.as_str()));
            assert!(
                s.endpoint()
                    .unwrap()
                    .starts_with("arn:aws:sqs:us-east-1:000000000000:")
            );
        }
        assert_eq!(listed.next_token(), None);
        let sub_attrs = sns
            .get_subscription_attributes()
            .subscription_arn(&retail)
            .send()
            .await
            .unwrap();
        let sub_attrs = sub_attrs.attributes().unwrap();
        assert_eq!(sub_attrs["RawMessageDelivery"], "true");
        assert_eq!(sub_attrs["FilterPolicy"], r#"{"channel":["retail"]}"#);
        assert_eq!(sub_attrs["FilterPolicyScope"], "MessageAttributes");

        let published = sns
            .publish()
            .topic_arn(&topic)
            .message(r#"{"sku":"214"}"#)
            .subject("price")
            .message_group_id("p-214")
            .message_attributes("channel", string_attr("retail"))
            .message_attributes(
                "weight",
                MessageAttributeValue::builder()
                    .data_type("Number")
                    .string_value("1.5")
                    .build()
                    .unwrap(),
            )
            .message_attributes(
                "blob",
                MessageAttributeValue::builder()
                    .data_type("Binary")
                    .binary_value(Blob::new(vec![2, 3, 4]))
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(published.sequence_number(), Some("10000000000000000001"));
        let message_id = published.message_id().unwrap().to_string();
        {
            let state = endpoint.state();
            let Some(Request::Publish { fields, .. }) = state.requests.last() else {
                panic!("no publish")
            };
            let names: Vec<(&str, Option<&str>)> = fields
                .message_attributes
                .iter()
                .map(|a| (a.name.as_str(), a.data_type.as_deref()))
                .collect();
            assert_eq!(names.len(), 3);
            assert!(names.contains(&("weight", Some("Number"))));
            let blob = fields
                .message_attributes
                .iter()
                .find(|a| a.name == "blob")
                .unwrap();
            assert_eq!(blob.binary_value.as_deref(), Some(&[2u8, 3, 4][..]));
            let plan = state.published.last().unwrap();
            assert_eq!(plan.deliveries.len(), 2);
            let raw = plan
                .deliveries
                .iter()
                .find(|d| d.subscription_arn == retail)
                .unwrap();
            assert_eq!(raw.body, r#"{"sku":"214"}"#);
            assert_eq!(raw.message_group_id.as_deref(), Some("p-214"));
        }
        // The same content inside the window: the original ids, nothing delivered.
        let dup = sns
            .publish()
            .topic_arn(&topic)
            .message(r#"{"sku":"214"}"#)
            .message_group_id("other")
            .send()
            .await
            .unwrap();
        assert_eq!(dup.message_id(), Some(message_id.as_str()));
        assert_eq!(dup.sequence_number(), Some("10000000000000000001"));
        assert!(
            endpoint
                .state()
                .published
                .last()
                .unwrap()
                .deliveries
                .is_empty()
        );

        let batch = sns
            .publish_batch()
            .topic_arn(&topic)
            .publish_batch_request_entries(
                PublishBatchRequestEntry::builder()
                    .id("a")
                    .message("m1")
                    .message_group_id("g")
                    .build()
                    .unwrap(),
            )
            .publish_batch_request_entries(
                PublishBatchRequestEntry::builder()
                    .id("b")
                    .message("m2")
                    .message_group_id("g")
                    .message_deduplication_id("explicit")
                    .message_attributes("channel", string_attr("web"))
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        let ok = batch.successful();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].id(), Some("a"));
        assert_eq!(ok[1].sequence_number(), Some("10000000000000000003"));
        assert!(batch.failed().is_empty());

        sns.tag_resource()
            .resource_arn(&topic)
            .tags(Tag::builder().key("env").value("test").build().unwrap())
            .send()
            .await
            .unwrap();
        sns.untag_resource()
            .resource_arn(&topic)
            .tag_keys("team")
            .send()
            .await
            .unwrap();
        let tags = sns
            .list_tags_for_resource()
            .resource_arn(&topic)
            .send()
            .await
            .unwrap();
        let tags: Vec<(&str, &str)> = tags.tags().iter().map(|t| (t.key(), t.value())).collect();
        assert_eq!(tags, [("env", "test")]);

        sns.set_subscription_attributes()
            .subscription_arn(&retail)
            .attribute_name("FilterPolicy")
            .attribute_value("")
            .send()
            .await
            .unwrap();
        sns.unsubscribe()
            .subscription_arn(&all)
            .send()
            .await
            .unwrap();
        let listed = sns.list_subscriptions().send().await.unwrap();
        assert_eq!(listed.subscriptions().len(), 1);
        sns.delete_topic().topic_arn(&topic).send().await.unwrap();
        assert!(sns.list_topics().send().await.unwrap().topics().is_empty());
    });
}

#[test]
fn errors_reach_the_sdk_as_its_typed_exceptions() {
    let endpoint = InProcess::default();
    let sns = client(&endpoint);
    runtime().block_on(async {
        let topic = sns
            .create_topic()
            .name("t.fifo")
            .attributes("FifoTopic", "true")
            .send()
            .await
            .unwrap()
            .topic_arn()
            .unwrap()
            .to_string();
        let err = sns
            .publish()
            .topic_arn("arn:aws:sns:us-east-1:000000000000:none.fifo")
            .message("m")
            .send()
            .await
            .unwrap_err();
        let err = err.into_service_error();
        assert!(err.is_not_found_exception(), "{err:?}");
        assert_eq!(err.message(), Some("Topic does not exist"));
        let err = sns
            .publish()
            .topic_arn(&topic)
            .message("m")
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(err.is_invalid_parameter_exception(), "{err:?}");
        assert_eq!(
            err.message(),
            Some("Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
        );
        let err = sns
            .publish()
            .topic_arn(&topic)
            .message("m")
            .message_group_id("g")
            .message_deduplication_id("d")
            .message_attributes("a^b", string_attr("x"))
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(err.is_invalid_parameter_value_exception(), "{err:?}");
        assert_eq!(err.code(), Some("ParameterValueInvalid"));
        let entry = |id: &str| {
            PublishBatchRequestEntry::builder()
                .id(id)
                .message("m")
                .message_group_id("g")
                .message_deduplication_id(id)
                .build()
                .unwrap()
        };
        let err = sns
            .publish_batch()
            .topic_arn(&topic)
            .publish_batch_request_entries(entry("a"))
            .publish_batch_request_entries(entry("a"))
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(err.is_batch_entry_ids_not_distinct_exception(), "{err:?}");
        let err = sns
            .get_subscription_attributes()
            .subscription_arn(format!("{topic}:nope"))
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(err.is_not_found_exception(), "{err:?}");
        assert_eq!(err.message(), Some("Subscription does not exist"));
        let err = sns
            .list_tags_for_resource()
            .resource_arn("arn:aws:sns:us-east-1:000000000000:x")
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(err.is_resource_not_found_exception(), "{err:?}");
        // An SNS operation fifowin does not serve.
        let err = sns
            .confirm_subscription()
            .topic_arn(&topic)
            .token("t")
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("InvalidAction"));
        assert_eq!(
            err.message(),
            Some("The action ConfirmSubscription is not supported by fifowin.")
        );
    });
}

#[test]
fn list_topics_pages_through_the_sdk_paginator() {
    let endpoint = InProcess::default();
    let sns = client(&endpoint);
    runtime().block_on(async {
        for i in 0..230 {
            sns.create_topic()
                .name(format!("topic-{i:03}"))
                .send()
                .await
                .unwrap();
        }
        let first = sns.list_topics().send().await.unwrap();
        assert_eq!(first.topics().len(), 100);
        assert!(first.next_token().is_some());
        let pages: Vec<_> = sns
            .list_topics()
            .into_paginator()
            .send()
            .collect::<Vec<_>>()
            .await;
        assert_eq!(pages.len(), 3);
        let arns: Vec<String> = pages
            .into_iter()
            .flat_map(|page| {
                page.unwrap()
                    .topics()
                    .iter()
                    .filter_map(|t| t.topic_arn().map(str::to_string))
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(arns.len(), 230);
        let mut sorted = arns.clone();
        sorted.dedup();
        assert_eq!(sorted.len(), 230);
    });
}
