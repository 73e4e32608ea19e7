//! `Sns`: every topic and subscription, and the operations on them, in AWS's
//! terms (sns-spec.md §2). The server holds one behind a lock and applies the
//! delivery plans publishes return.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fifowin_engine::{DedupEntryView, EscapeRecord, IdSource, Timestamp};

use crate::arn::{self, Scope};
use crate::error::{AttributeContext, ErrorCode, SnsError};
use crate::message::PublishFields;
use crate::publish::{self, BatchEntry, BatchPublished, PublishContext, Published};
use crate::settings::SnsSettings;
use crate::subscription::{Subscription, SubscriptionCounters, TopicKind};
use crate::topic::{self, Topic};
use crate::window::TopicWindow;

/// Most items a list operation returns per page.
pub const PAGE_SIZE: usize = 100;
/// Most tags per topic.
pub const MAX_TAGS: usize = 50;
/// Topics per account: standard, FIFO.
pub const MAX_STANDARD_TOPICS: usize = 100_000;
pub const MAX_FIFO_TOPICS: usize = 1_000;
/// Subscriptions per FIFO topic (standard topics allow 12.5 million).
pub const MAX_FIFO_SUBSCRIPTIONS: usize = 100;
pub const MAX_STANDARD_SUBSCRIPTIONS: usize = 12_500_000;
/// Filter policies per topic.
pub const MAX_FILTER_POLICIES: usize = 200;

/// CreateTopic's input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateTopic {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
}

/// Subscribe's input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subscribe {
    pub topic_arn: String,
    pub protocol: String,
    pub endpoint: Option<String>,
    pub attributes: Vec<(String, String)>,
    pub return_subscription_arn: bool,
}

/// A subscription as the list operations show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionSummary {
    pub subscription_arn: String,
    pub owner: String,
    pub protocol: String,
    pub endpoint: String,
    pub topic_arn: String,
}

/// A topic escape, for the control API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicEscape {
    pub topic_arn: String,
    pub record: EscapeRecord,
}

/// One page of a list operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
}

/// Protocols SNS defines; fifowin delivers only `sqs`.
const KNOWN_PROTOCOLS: [&str; 9] = [
    "http",
    "https",
    "email",
    "email-json",
    "sms",
    "sqs",
    "application",
    "lambda",
    "firehose",
];

/// All SNS state.
#[derive(Debug, Default)]
pub struct Sns {
    pub(crate) settings: SnsSettings,
    pub(crate) topics: BTreeMap<String, Topic>,
}

/// Pages `items` (sorted by key) after the token's key.
fn paginate<T>(items: Vec<(String, T)>, token: Option<&str>) -> Result<Page<T>, SnsError> {
    let start = match token {
        None | Some("") => None,
        Some(token) => Some(
            URL_SAFE_NO_PAD
                .decode(token)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| SnsError::invalid("NextToken"))?,
        ),
    };
    let mut rest: Vec<(String, T)> = items
        .into_iter()
        .filter(|(key, _)| start.as_ref().is_none_or(|s| key.as_str() >= s.as_str()))
        .collect();
    let next_token = (rest.len() > PAGE_SIZE).then(|| URL_SAFE_NO_PAD.encode(&rest[PAGE_SIZE].0));
    rest.truncate(PAGE_SIZE);
    Ok(Page {
        items: rest.into_iter().map(|(_, item)| item).collect(),
        next_token,
    })
}

impl Sns {
    pub fn new(settings: SnsSettings) -> Self {
        Self {
            settings,
            topics: BTreeMap::new(),
        }
    }

    pub fn settings(&self) -> &SnsSettings {
        &self.settings
    }

    /// The per-topic windows of topics created from now on (the server's config
    /// file names them); existing topics keep the window they were created with.
    pub fn set_window_overrides(&mut self, overrides: BTreeMap<String, u64>) {
        self.settings.window_overrides = overrides;
    }

    /// The topic `arn` names, checked as the topic operations check it.
    fn topic_key(&self, scope: &Scope, topic_arn: &str) -> Result<String, SnsError> {
        let parts = arn::parse(topic_arn, "TopicArn")?;
        if parts.service != "sns" || parts.region != scope.region || parts.id.is_some() {
            return Err(SnsError::invalid("TopicArn"));
        }
        if self.topics.contains_key(topic_arn) {
            Ok(topic_arn.to_string())
        } else {
            Err(SnsError::topic_not_found())
        }
    }

    fn topic_mut(&mut self, scope: &Scope, topic_arn: &str) -> Result<&mut Topic, SnsError> {
        let key = self.topic_key(scope, topic_arn)?;
        self.topics
            .get_mut(&key)
            .ok_or_else(SnsError::topic_not_found)
    }

    /// A topic by ARN, for inspection.
    pub fn topic(&self, topic_arn: &str) -> Option<&Topic> {
        self.topics.get(topic_arn)
    }

    /// Every topic, by ARN, for inspection and metrics.
    pub fn topics(&self) -> impl Iterator<Item = &Topic> {
        self.topics.values()
    }

    /// CreateTopic: a new topic, or the existing one when nothing differs.
    pub fn create_topic(&mut self, scope: &Scope, input: &CreateTopic) -> Result<String, SnsError> {
        let fifo = match input.attributes.iter().find(|(k, _)| k == "FifoTopic") {
            None => false,
            Some((_, v)) => {
                topic::boolean(v).ok_or_else(|| {
                    AttributeContext::Create.error(format!(
                        "FifoTopic: Invalid value [{v}]. Must be true or false."
                    ))
                })? == "true"
            }
        };
        topic::validate_name(&input.name, fifo)?;
        let mut set = BTreeMap::new();
        for (name, value) in &input.attributes {
            if name == "FifoTopic" {
                continue;
            }
            let value = topic::normalize(name, value, AttributeContext::Create)?;
            set.insert(name.clone(), value);
        }
        check_tags(&input.tags)?;
        let arn = scope.topic_arn(&input.name);
        if let Some(existing) = self.topics.get_mut(&arn) {
            if !existing.same_attributes(&input.attributes) {
                return Err(SnsError::invalid(
                    "Attributes Reason: Topic already exists with different attributes",
                ));
            }
            if input
                .tags
                .iter()
                .any(|(k, v)| existing.tags.get(k) != Some(v))
            {
                return Err(SnsError::invalid(
                    "Tags Reason: Topic already exists with different tags",
                ));
            }
            return Ok(arn);
        }
        let (limit, same_kind) = if fifo {
            (MAX_FIFO_TOPICS, true)
        } else {
            (MAX_STANDARD_TOPICS, false)
        };
        let count = self
            .topics
            .values()
            .filter(|t| t.account == scope.account && t.fifo == same_kind)
            .count();
        if count >= limit {
            return Err(SnsError::new(
                ErrorCode::TopicLimitExceeded,
                "Topic limit exceeded",
            ));
        }
        let window = fifo.then(|| TopicWindow::new(self.settings.limits_for(&input.name)));
        let mut topic = Topic::new(scope, &input.name, fifo, set, window);
        topic.tags = input.tags.iter().cloned().collect();
        self.topics.insert(arn.clone(), topic);
        Ok(arn)
    }

    /// DeleteTopic: its subscriptions and dedup state go with it; an unknown topic is fine.
    pub fn delete_topic(&mut self, scope: &Scope, topic_arn: &str) -> Result<(), SnsError> {
        match self.topic_key(scope, topic_arn) {
            Ok(key) => {
                self.topics.remove(&key);
                Ok(())
            }
            Err(err) if err.code == ErrorCode::NotFound => Ok(()),
            Err(err) => Err(err),
        }
    }

    /// ListTopics: the caller's region and account, 100 per page.
    pub fn list_topics(
        &self,
        scope: &Scope,
        next_token: Option<&str>,
    ) -> Result<Page<String>, SnsError> {
        let items = self
            .topics
            .values()
            .filter(|t| t.region == scope.region && t.account == scope.account)
            .map(|t| (t.arn.clone(), t.arn.clone()))
            .collect();
        paginate(items, next_token)
    }

    pub fn get_topic_attributes(
        &self,
        scope: &Scope,
        topic_arn: &str,
    ) -> Result<BTreeMap<String, String>, SnsError> {
        let key = self.topic_key(scope, topic_arn)?;
        Ok(self.topics[&key].attributes())
    }

    pub fn set_topic_attributes(
        &mut self,
        scope: &Scope,
        topic_arn: &str,
        name: &str,
        value: Option<&str>,
    ) -> Result<(), SnsError> {
        self.topic_mut(scope, topic_arn)?
            .set_attribute(name, value.unwrap_or(""))
    }

    /// Subscribe: `sqs` to a queue ARN, confirmed at once; idempotent per
    /// topic, protocol and endpoint when the attributes do not differ.
    pub fn subscribe(
        &mut self,
        scope: &Scope,
        input: &Subscribe,
        ids: &mut dyn IdSource,
    ) -> Result<String, SnsError> {
        let topic = self.topic_mut(scope, &input.topic_arn)?;
        let protocol = input.protocol.as_str();
        if !KNOWN_PROTOCOLS.contains(&protocol) {
            return Err(SnsError::invalid(format!(
                "Amazon SNS does not support this protocol string: {protocol}"
            )));
        }
        if protocol != "sqs" {
            if topic.fifo {
                return Err(SnsError::invalid(format!(
                    "Invalid protocol type: {protocol}"
                )));
            }
            return Err(SnsError::invalid(format!(
                "Protocol Reason: fifowin delivers only to the sqs protocol, not {protocol}"
            )));
        }
        let endpoint = input.endpoint.as_deref().unwrap_or("");
        let Some(queue) = arn::queue_arn(endpoint) else {
            return Err(SnsError::invalid("SQS endpoint ARN"));
        };
        if !topic.fifo && queue.is_fifo() {
            return Err(SnsError::invalid(
                "Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics",
            ));
        }
        let kind = TopicKind { fifo: topic.fifo };
        // Check the attributes on a candidate first: an invalid value is refused
        // even when the subscription exists.
        let mut candidate = Subscription::new(String::new(), &topic.arn, endpoint, &scope.account);
        candidate.apply_all(&input.attributes, AttributeContext::Create, kind)?;
        if let Some(existing) = topic
            .subscriptions
            .values()
            .find(|s| s.endpoint == endpoint)
        {
            if existing.same_attributes(&input.attributes) {
                return Ok(existing.arn.clone());
            }
            return Err(SnsError::invalid(
                "Attributes Reason: Subscription already exists with different attributes",
            ));
        }
        let limit = if topic.fifo {
            MAX_FIFO_SUBSCRIPTIONS
        } else {
            MAX_STANDARD_SUBSCRIPTIONS
        };
        if topic.subscriptions.len() >= limit {
            return Err(SnsError::new(
                ErrorCode::SubscriptionLimitExceeded,
                "Subscription limit exceeded",
            ));
        }
        if candidate.filter().is_some() {
            check_filter_policy_count(topic)?;
        }
        let arn = format!("{}:{}", topic.arn, ids.message_id());
        candidate.arn.clone_from(&arn);
        topic.subscriptions.insert(arn.clone(), candidate);
        Ok(arn)
    }

    /// The subscription an ARN names, checked as Unsubscribe and the attribute
    /// operations check it.
    fn subscription_mut(
        &mut self,
        subscription_arn: &str,
    ) -> Result<Option<(&mut Topic, String)>, SnsError> {
        let parts = arn::parse(subscription_arn, "SubscriptionArn")?;
        if parts.id.is_none() {
            return Err(SnsError::invalid("SubscriptionId"));
        }
        let Some(topic_arn) = arn::topic_of_subscription(subscription_arn) else {
            return Ok(None);
        };
        Ok(self
            .topics
            .get_mut(topic_arn)
            .filter(|t| t.subscriptions.contains_key(subscription_arn))
            .map(|t| (t, subscription_arn.to_string())))
    }

    /// Unsubscribe: repeating it is fine.
    pub fn unsubscribe(&mut self, subscription_arn: &str) -> Result<(), SnsError> {
        if let Some((topic, key)) = self.subscription_mut(subscription_arn)? {
            topic.subscriptions.remove(&key);
            topic.subscriptions_deleted += 1;
        }
        Ok(())
    }

    pub fn get_subscription_attributes(
        &mut self,
        subscription_arn: &str,
    ) -> Result<BTreeMap<String, String>, SnsError> {
        let (topic, key) = self
            .subscription_mut(subscription_arn)?
            .ok_or_else(SnsError::subscription_not_found)?;
        Ok(topic.subscriptions[&key].attributes())
    }

    pub fn set_subscription_attributes(
        &mut self,
        subscription_arn: &str,
        name: &str,
        value: Option<&str>,
    ) -> Result<(), SnsError> {
        let (topic, key) = self
            .subscription_mut(subscription_arn)?
            .ok_or_else(SnsError::subscription_not_found)?;
        let kind = TopicKind { fifo: topic.fifo };
        let had_filter = topic.subscriptions[&key].filter().is_some();
        if name == "FilterPolicy" && !had_filter && value.is_some_and(|v| !v.is_empty()) {
            check_filter_policy_count(topic)?;
        }
        let Some(sub) = topic.subscriptions.get_mut(&key) else {
            return Err(SnsError::subscription_not_found());
        };
        // Apply to a copy, so a refused value leaves the subscription as it was.
        let mut changed = sub.clone();
        changed.apply(name, value.unwrap_or(""), AttributeContext::Set, kind)?;
        *sub = changed;
        Ok(())
    }

    /// ListSubscriptions: every subscription of the caller's region and account.
    pub fn list_subscriptions(
        &self,
        scope: &Scope,
        next_token: Option<&str>,
    ) -> Result<Page<SubscriptionSummary>, SnsError> {
        let items = self
            .topics
            .values()
            .filter(|t| t.region == scope.region && t.account == scope.account)
            .flat_map(|t| t.subscriptions.values())
            .map(|s| (s.arn.clone(), summary(s)))
            .collect();
        paginate(items, next_token)
    }

    pub fn list_subscriptions_by_topic(
        &self,
        scope: &Scope,
        topic_arn: &str,
        next_token: Option<&str>,
    ) -> Result<Page<SubscriptionSummary>, SnsError> {
        let key = self.topic_key(scope, topic_arn)?;
        let items = self.topics[&key]
            .subscriptions
            .values()
            .map(|s| (s.arn.clone(), summary(s)))
            .collect();
        paginate(items, next_token)
    }

    fn tagged_topic(&mut self, scope: &Scope, resource_arn: &str) -> Result<&mut Topic, SnsError> {
        self.topic_mut(scope, resource_arn)
            .map_err(|err| match err.code {
                ErrorCode::NotFound => {
                    SnsError::new(ErrorCode::ResourceNotFound, "Resource does not exist")
                }
                _ => err,
            })
    }

    pub fn tag_resource(
        &mut self,
        scope: &Scope,
        resource_arn: &str,
        tags: &[(String, String)],
    ) -> Result<(), SnsError> {
        check_tags(tags)?;
        let topic = self.tagged_topic(scope, resource_arn)?;
        let mut merged = topic.tags.clone();
        merged.extend(tags.iter().cloned());
        if merged.len() > MAX_TAGS {
            return Err(tag_limit());
        }
        topic.tags = merged;
        Ok(())
    }

    pub fn untag_resource(
        &mut self,
        scope: &Scope,
        resource_arn: &str,
        keys: &[String],
    ) -> Result<(), SnsError> {
        let topic = self.tagged_topic(scope, resource_arn)?;
        for key in keys {
            topic.tags.remove(key);
        }
        Ok(())
    }

    pub fn list_tags(
        &mut self,
        scope: &Scope,
        resource_arn: &str,
    ) -> Result<Vec<(String, String)>, SnsError> {
        let topic = self.tagged_topic(scope, resource_arn)?;
        Ok(topic
            .tags
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    /// Publish: `topic_arn` is TopicArn or TargetArn.
    pub fn publish(
        &mut self,
        scope: &Scope,
        topic_arn: Option<&str>,
        fields: &PublishFields,
        ids: &mut dyn IdSource,
        now: Timestamp,
    ) -> Result<Published, SnsError> {
        let Some(topic_arn) = topic_arn else {
            return Err(SnsError::invalid(
                "TopicArn or TargetArn Reason: no value for required parameter",
            ));
        };
        let checked = crate::message::check(fields)?;
        let key = self.topic_key(scope, topic_arn)?;
        let public_url = self.settings.public_url.clone();
        let topic = self
            .topics
            .get_mut(&key)
            .ok_or_else(SnsError::topic_not_found)?;
        let dedup = publish::check_topic(&checked, topic)?;
        let mut cx = PublishContext {
            public_url: &public_url,
            ids,
            now,
        };
        Ok(publish::publish(topic, &checked, dedup, &mut cx))
    }

    /// PublishBatch: every check of every entry passes before any is published;
    /// entries are then published in order, so a repeated id later in the batch
    /// gets the earlier entry's ids.
    pub fn publish_batch(
        &mut self,
        scope: &Scope,
        topic_arn: &str,
        entries: &[BatchEntry],
        ids: &mut dyn IdSource,
        now: Timestamp,
    ) -> Result<Vec<BatchPublished>, SnsError> {
        let key = self.topic_key(scope, topic_arn)?;
        publish::check_batch(entries)?;
        let public_url = self.settings.public_url.clone();
        let topic = self
            .topics
            .get_mut(&key)
            .ok_or_else(SnsError::topic_not_found)?;
        let checked = entries
            .iter()
            .map(|e| publish::check_all(&e.fields, topic))
            .collect::<Result<Vec<_>, _>>()?;
        let mut cx = PublishContext {
            public_url: &public_url,
            ids,
            now,
        };
        Ok(entries
            .iter()
            .zip(checked)
            .map(|(entry, (checked, dedup))| BatchPublished {
                id: entry.id.clone(),
                published: publish::publish(topic, &checked, dedup, &mut cx),
            })
            .collect())
    }

    /// The server reports what happened to one planned delivery.
    pub fn record_delivery(&mut self, subscription_arn: &str, delivered: bool) {
        let Some(topic_arn) = arn::topic_of_subscription(subscription_arn) else {
            return;
        };
        if let Some(sub) = self
            .topics
            .get_mut(topic_arn)
            .and_then(|t| t.subscriptions.get_mut(subscription_arn))
        {
            if delivered {
                sub.counters.delivered += 1;
            } else {
                sub.counters.failed += 1;
            }
        }
    }

    /// Counters of every subscription, by ARN.
    pub fn subscription_counters(&self) -> BTreeMap<String, SubscriptionCounters> {
        self.topics
            .values()
            .flat_map(|t| t.subscriptions.values())
            .map(|s| (s.arn.clone(), s.counters))
            .collect()
    }

    /// Every topic escape still recorded.
    pub fn escapes(&self) -> Vec<TopicEscape> {
        self.topics
            .values()
            .filter_map(|t| t.window.as_ref().map(|w| (t, w)))
            .flat_map(|(t, w)| {
                w.escapes().into_iter().map(|record| TopicEscape {
                    topic_arn: t.arn.clone(),
                    record,
                })
            })
            .collect()
    }

    /// A FIFO topic's live dedup ids at `now`, in publish order (inspection).
    pub fn dedup_entries(
        &mut self,
        topic_arn: &str,
        now: Timestamp,
    ) -> Option<Vec<DedupEntryView>> {
        self.topics
            .get_mut(topic_arn)?
            .window
            .as_mut()
            .map(|w| w.entries(now))
    }

    /// The control API's reset: no topics, no subscriptions.
    pub fn reset(&mut self) {
        self.topics.clear();
    }
}

fn summary(s: &Subscription) -> SubscriptionSummary {
    SubscriptionSummary {
        subscription_arn: s.arn.clone(),
        owner: s.owner.clone(),
        protocol: "sqs".to_string(),
        endpoint: s.endpoint.clone(),
        topic_arn: s.topic_arn.clone(),
    }
}

fn check_filter_policy_count(topic: &Topic) -> Result<(), SnsError> {
    let count = topic
        .subscriptions
        .values()
        .filter(|s| s.filter().is_some())
        .count();
    if count >= MAX_FILTER_POLICIES {
        return Err(SnsError::new(
            ErrorCode::FilterPolicyLimitExceeded,
            "Filter policy limit exceeded",
        ));
    }
    Ok(())
}

fn tag_limit() -> SnsError {
    SnsError::new(
        ErrorCode::TagLimitExceeded,
        "Could not complete request: tag quota of per resource exceeded",
    )
}

/// Tag rules of CreateTopic and TagResource: distinct keys of 1-128 characters,
/// values of at most 256, at most 50.
fn check_tags(tags: &[(String, String)]) -> Result<(), SnsError> {
    let mut keys = std::collections::BTreeSet::new();
    for (key, value) in tags {
        if !keys.insert(key.as_str()) {
            return Err(SnsError::invalid("Duplicated keys are not allowed."));
        }
        let key_len = key.chars().count();
        if key_len == 0 || key_len > 128 {
            return Err(SnsError::invalid(
                "Tags Reason: tag keys must be 1 to 128 characters long",
            ));
        }
        if value.chars().count() > 256 {
            return Err(SnsError::invalid(
                "Tags Reason: tag values must be at most 256 characters long",
            ));
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(tag_limit());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
