//! Every topic as plain serde data (attributes, tags, subscriptions with their
//! attributes and counters, a FIFO topic's window with its sequence counter and
//! limits), and [`Sns`] rebuilt from it: what a durable server's snapshot holds
//! of SNS. Filter policies are kept as their text and parsed again on restore,
//! so an image does not depend on the parsed form.

use std::collections::BTreeMap;

use fifowin_engine::dedup::{DedupImage, DedupTable, Limits};
use serde::{Deserialize, Serialize};

use crate::error::AttributeContext;
use crate::filter::FilterScope;
use crate::registry::Sns;
use crate::settings::SnsSettings;
use crate::subscription::{Subscription, SubscriptionCounters, TopicKind};
use crate::topic::{Topic, TopicCounters};
use crate::window::TopicWindow;

/// One topic and everything it owns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicImage {
    arn: String,
    name: String,
    region: String,
    account: String,
    fifo: bool,
    /// Attributes set explicitly, values normalized.
    set: BTreeMap<String, String>,
    tags: BTreeMap<String, String>,
    subscriptions: Vec<SubscriptionImage>,
    window: Option<WindowImage>,
    subscriptions_deleted: u64,
    /// [`TopicCounters`]: accepted and suppressed publishes.
    published: u64,
    suppressed: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct SubscriptionImage {
    arn: String,
    endpoint: String,
    owner: String,
    raw: bool,
    filter_policy: Option<String>,
    filter_scope: String,
    redrive_policy: Option<String>,
    other: BTreeMap<String, String>,
    /// [`SubscriptionCounters`] in field order.
    counters: [u64; 5],
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct WindowImage {
    window_ms: u64,
    horizon_ms: u64,
    tombstone_cap: u64,
    record_cap: u64,
    last_sequence: u64,
    table: DedupImage,
}

/// Why a topic image cannot be restored.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("topic {topic}: {problem}")]
pub struct RestoreError {
    pub topic: String,
    pub problem: String,
}

impl TopicImage {
    /// The topic's ARN.
    pub fn arn(&self) -> &str {
        &self.arn
    }

    fn of(topic: &Topic) -> Self {
        Self {
            arn: topic.arn.clone(),
            name: topic.name.clone(),
            region: topic.region.clone(),
            account: topic.account.clone(),
            fifo: topic.fifo,
            set: topic.set.clone(),
            tags: topic.tags.clone(),
            subscriptions: topic
                .subscriptions
                .values()
                .map(SubscriptionImage::of)
                .collect(),
            window: topic.window.as_ref().map(|w| WindowImage {
                window_ms: w.limits.window_ms,
                horizon_ms: w.limits.horizon_ms,
                tombstone_cap: w.limits.tombstone_cap as u64,
                record_cap: w.limits.record_cap as u64,
                last_sequence: w.last_sequence,
                table: w.table.image(),
            }),
            subscriptions_deleted: topic.subscriptions_deleted,
            published: topic.counters.published,
            suppressed: topic.counters.suppressed,
        }
    }

    fn restore(self) -> Result<Topic, RestoreError> {
        let fail = |problem: String| RestoreError {
            topic: self.arn.clone(),
            problem,
        };
        if self.fifo != self.window.is_some() {
            return Err(fail(
                "a FIFO topic needs a window, and only one has it".into(),
            ));
        }
        let window = match &self.window {
            None => None,
            Some(w) => {
                let limits = Limits {
                    window_ms: w.window_ms,
                    horizon_ms: w.horizon_ms,
                    tombstone_cap: usize::try_from(w.tombstone_cap)
                        .map_err(|e| fail(e.to_string()))?,
                    record_cap: usize::try_from(w.record_cap).map_err(|e| fail(e.to_string()))?,
                };
                let next = w.last_sequence.saturating_add(1);
                let table = DedupTable::restore(w.table.clone(), limits, next).map_err(fail)?;
                Some(TopicWindow {
                    table,
                    limits,
                    last_sequence: w.last_sequence,
                })
            }
        };
        let kind = TopicKind { fifo: self.fifo };
        let mut subscriptions = BTreeMap::new();
        for image in &self.subscriptions {
            let subscription = image.restore(&self.arn, kind).map_err(fail)?;
            if subscription
                .arn
                .strip_prefix(&self.arn)
                .is_none_or(|id| !id.starts_with(':'))
            {
                return Err(fail(format!(
                    "subscription {} is not of this topic",
                    image.arn
                )));
            }
            if subscriptions
                .insert(subscription.arn.clone(), subscription)
                .is_some()
            {
                return Err(fail(format!("subscription {} is there twice", image.arn)));
            }
        }
        Ok(Topic {
            arn: self.arn,
            name: self.name,
            region: self.region,
            account: self.account,
            fifo: self.fifo,
            set: self.set,
            tags: self.tags,
            subscriptions,
            window,
            subscriptions_deleted: self.subscriptions_deleted,
            counters: TopicCounters {
                published: self.published,
                suppressed: self.suppressed,
            },
        })
    }
}

impl SubscriptionImage {
    fn of(s: &Subscription) -> Self {
        let c = s.counters;
        Self {
            arn: s.arn.clone(),
            endpoint: s.endpoint.clone(),
            owner: s.owner.clone(),
            raw: s.raw,
            filter_policy: s.filter.as_ref().map(|(text, _)| text.clone()),
            filter_scope: s.filter_scope.as_str().to_string(),
            redrive_policy: s.redrive.as_ref().map(|(text, _)| text.clone()),
            other: s.other.clone(),
            counters: [
                c.published,
                c.suppressed,
                c.delivered,
                c.filtered_out,
                c.failed,
            ],
        }
    }

    /// The subscription, its policies checked and parsed as Subscribe does.
    fn restore(&self, topic_arn: &str, kind: TopicKind) -> Result<Subscription, String> {
        let mut s = Subscription::new(self.arn.clone(), topic_arn, &self.endpoint, &self.owner);
        s.raw = self.raw;
        let scope = FilterScope::parse(&self.filter_scope)
            .ok_or_else(|| format!("filter policy scope {:?}", self.filter_scope))?;
        let mut attributes = vec![("FilterPolicyScope".to_string(), scope.as_str().to_string())];
        attributes.extend(
            self.filter_policy
                .iter()
                .map(|p| ("FilterPolicy".to_string(), p.clone())),
        );
        attributes.extend(
            self.redrive_policy
                .iter()
                .map(|p| ("RedrivePolicy".to_string(), p.clone())),
        );
        s.apply_all(&attributes, AttributeContext::Set, kind)
            .map_err(|e| format!("subscription {}: {}", self.arn, e.message))?;
        s.other = self.other.clone();
        let [published, suppressed, delivered, filtered_out, failed] = self.counters;
        s.counters = SubscriptionCounters {
            published,
            suppressed,
            delivered,
            filtered_out,
            failed,
        };
        Ok(s)
    }
}

impl Sns {
    /// Every topic's image, by ARN.
    pub fn topic_images(&self) -> Vec<TopicImage> {
        self.topics.values().map(TopicImage::of).collect()
    }

    /// `settings` with the topics `images` hold (each keeps the window limits it
    /// was created with).
    pub fn restore(
        settings: SnsSettings,
        images: impl IntoIterator<Item = TopicImage>,
    ) -> Result<Sns, RestoreError> {
        let mut sns = Sns::new(settings);
        for image in images {
            let arn = image.arn.clone();
            let topic = image.restore()?;
            if sns.topics.insert(arn.clone(), topic).is_some() {
                return Err(RestoreError {
                    topic: arn,
                    problem: "the image holds it twice".into(),
                });
            }
        }
        Ok(sns)
    }
}

#[cfg(test)]
mod tests {
    use fifowin_engine::{SeqIds, Timestamp};

    use super::*;
    use crate::arn::Scope;
    use crate::message::PublishFields;
    use crate::registry::{CreateTopic, Subscribe};

    fn publish(sns: &mut Sns, topic: &str, dedup: &str, ids: &mut SeqIds, now: u64) -> String {
        let scope = Scope::new("us-east-1", "000000000000");
        let fields = PublishFields {
            message: Some("m".into()),
            message_group_id: Some("g".into()),
            message_deduplication_id: Some(dedup.into()),
            ..PublishFields::default()
        };
        sns.publish(&scope, Some(topic), &fields, ids, Timestamp(now))
            .unwrap()
            .message_id
    }

    #[test]
    fn a_restored_sns_answers_like_the_original() {
        let scope = Scope::new("us-east-1", "000000000000");
        let mut sns = Sns::new(SnsSettings::default());
        let mut ids = SeqIds::default();
        let fifo = sns
            .create_topic(
                &scope,
                &CreateTopic {
                    name: "t.fifo".into(),
                    attributes: vec![("FifoTopic".into(), "true".into())],
                    tags: vec![("team".into(), "a".into())],
                },
            )
            .unwrap();
        let sub = sns
            .subscribe(
                &scope,
                &Subscribe {
                    topic_arn: fifo.clone(),
                    protocol: "sqs".into(),
                    endpoint: Some("arn:aws:sqs:us-east-1:000000000000:q.fifo".into()),
                    attributes: vec![
                        ("RawMessageDelivery".into(), "true".into()),
                        ("FilterPolicy".into(), r#"{"k":["v"]}"#.into()),
                    ],
                    return_subscription_arn: true,
                },
                &mut ids,
            )
            .unwrap();
        let first = publish(&mut sns, &fifo, "d1", &mut ids, 1_000);
        let encoded = serde_json::to_vec(&sns.topic_images()).unwrap();
        let images: Vec<TopicImage> = serde_json::from_slice(&encoded).unwrap();
        let mut restored = Sns::restore(SnsSettings::default(), images).unwrap();
        assert_eq!(restored.topic_images(), sns.topic_images());
        assert_eq!(
            restored.get_subscription_attributes(&sub).unwrap(),
            sns.get_subscription_attributes(&sub).unwrap()
        );
        // Inside the window: the first publish's id; a new id gets the next sequence.
        let (mut ids, mut twin) = (SeqIds::default(), SeqIds::default());
        assert_eq!(publish(&mut restored, &fifo, "d1", &mut twin, 2_000), first);
        assert_eq!(publish(&mut sns, &fifo, "d1", &mut ids, 2_000), first);
        let a = publish(&mut sns, &fifo, "d2", &mut ids, 2_000);
        let b = publish(&mut restored, &fifo, "d2", &mut twin, 2_000);
        assert_eq!(a, b);
        assert_eq!(restored.topic_images(), sns.topic_images());
    }

    #[test]
    fn an_image_whose_window_does_not_fit_its_kind_is_refused() {
        let scope = Scope::new("us-east-1", "000000000000");
        let mut sns = Sns::new(SnsSettings::default());
        let create = CreateTopic {
            name: "plain".into(),
            ..CreateTopic::default()
        };
        sns.create_topic(&scope, &create).unwrap();
        let mut images = sns.topic_images();
        images[0].fifo = true;
        let err = Sns::restore(SnsSettings::default(), images).unwrap_err();
        assert!(err.problem.contains("window"), "{err}");
    }
}
