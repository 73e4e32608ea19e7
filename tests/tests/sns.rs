//! SNS FIFO topics end to end: aws-sdk-sns and aws-sdk-sqs against one server
//! (one port), on a manual clock. Topics fan out to queues through the queue
//! engine, so a publish crosses the topic's window and then each queue's.

mod api;
mod delivery;
mod fifo;
mod observe;
mod regions;

use std::collections::HashMap;

use aws_sdk_sns::Client as Sns;
use aws_sdk_sns::config::http::HttpResponse;
use aws_sdk_sns::error::ProvideErrorMetadata;
use aws_sdk_sns::types::MessageAttributeValue;
use fifowin_e2e::TestServer;
use fifowin_server::{ClockMode, ServerConfig};
use sha2::{Digest, Sha256};

/// Lowercase hex SHA-256: the dedup id content-based deduplication derives.
pub(crate) fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The error code and message an SNS call failed with.
pub(crate) fn failure<T, E: ProvideErrorMetadata + std::fmt::Debug>(
    result: Result<T, aws_sdk_sns::error::SdkError<E, HttpResponse>>,
) -> (String, String) {
    let err = result.err().expect("the call fails");
    (
        err.code().unwrap_or_default().to_string(),
        err.message().unwrap_or_default().to_string(),
    )
}

/// A message attribute of `data_type` with a string value.
pub(crate) fn attr(data_type: &str, value: &str) -> MessageAttributeValue {
    MessageAttributeValue::builder()
        .data_type(data_type)
        .string_value(value)
        .build()
        .unwrap()
}

/// A server and an SNS client for it.
pub(crate) struct Fixture {
    pub(crate) server: TestServer,
    pub(crate) sns: Sns,
}

impl Fixture {
    pub(crate) async fn start() -> Self {
        Self::on(TestServer::start().await)
    }

    /// A server on the manual clock started from config-file text (queues and topics).
    pub(crate) async fn from_toml(text: &str) -> Self {
        let manual = ServerConfig {
            clock_mode: ClockMode::Manual,
            ..ServerConfig::default()
        };
        let server = TestServer::from_toml(text, manual)
            .await
            .expect("the config starts");
        Self::on(server)
    }

    pub(crate) fn on(server: TestServer) -> Self {
        let sns = server.fifowin().sns_client();
        Self { server, sns }
    }

    /// Creates FIFO topic `<name>.fifo` with extra attributes; returns its ARN.
    pub(crate) async fn fifo_topic(&self, name: &str, attributes: &[(&str, &str)]) -> String {
        let mut req = self
            .sns
            .create_topic()
            .name(format!("{name}.fifo"))
            .attributes("FifoTopic", "true");
        for (k, v) in attributes {
            req = req.attributes(*k, *v);
        }
        req.send()
            .await
            .expect("create FIFO topic")
            .topic_arn
            .expect("topic arn")
    }

    /// GetTopicAttributes.
    pub(crate) async fn topic_attributes(&self, topic_arn: &str) -> HashMap<String, String> {
        self.sns
            .get_topic_attributes()
            .topic_arn(topic_arn)
            .send()
            .await
            .expect("get topic attributes")
            .attributes
            .unwrap_or_default()
    }

    /// The ARN of the queue at `url`.
    pub(crate) async fn queue_arn(&self, url: &str) -> String {
        self.server.queue_attributes(url).await["QueueArn"].clone()
    }

    /// Subscribes the queue at `url` with subscription attributes; returns the subscription ARN.
    pub(crate) async fn subscribe(
        &self,
        topic_arn: &str,
        url: &str,
        attributes: &[(&str, &str)],
    ) -> String {
        let mut req = self
            .sns
            .subscribe()
            .topic_arn(topic_arn)
            .protocol("sqs")
            .endpoint(self.queue_arn(url).await);
        for (k, v) in attributes {
            req = req.attributes(*k, *v);
        }
        req.send()
            .await
            .expect("subscribe")
            .subscription_arn
            .expect("subscription arn")
    }

    /// Publishes `message` to a FIFO topic; returns (MessageId, SequenceNumber).
    pub(crate) async fn publish(
        &self,
        topic_arn: &str,
        group: &str,
        dedup_id: Option<&str>,
        message: &str,
    ) -> (String, String) {
        let out = self
            .sns
            .publish()
            .topic_arn(topic_arn)
            .message(message)
            .message_group_id(group)
            .set_message_deduplication_id(dedup_id.map(str::to_owned))
            .send()
            .await
            .expect("publish");
        (
            out.message_id.expect("message id"),
            out.sequence_number.expect("sequence number"),
        )
    }
}
