//! The config file's `[[topics]]`: SNS topics to create at start-up (and again
//! after a global reset), each with its subscriptions to the file's queues by
//! name. Parsing checks names, windows and references; creating them
//! (`sns/provision.rs`) checks attributes and filter policies with SNS's own
//! validation.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;

use super::{ConfigError, QueueSpec, attribute_value, invalid, window};

/// A topic to create at start-up; serializable because durable mode logs the
/// specs it created.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct TopicSpec {
    pub name: String,
    pub fifo: bool,
    /// Topic attributes as CreateTopic takes them (`FifoTopic` and
    /// `ContentBasedDeduplication` included when the file sets them).
    pub attributes: BTreeMap<String, String>,
    /// Overrides the server's dedup window for this topic (FIFO only).
    pub dedup_window_ms: Option<u64>,
    pub subscriptions: Vec<SubscriptionSpec>,
}

/// A subscription of one of the file's queues to a topic.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct SubscriptionSpec {
    /// The queue's name.
    pub queue: String,
    /// `RawMessageDelivery`.
    pub raw: bool,
    /// `FilterPolicy` (JSON text) and `FilterPolicyScope`.
    pub filter_policy: Option<String>,
    pub filter_policy_scope: Option<String>,
    /// The redrive DLQ, by queue name.
    pub dead_letter: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTopic {
    name: String,
    fifo: Option<bool>,
    content_based_deduplication: Option<bool>,
    dedup_window: Option<String>,
    #[serde(default)]
    attributes: BTreeMap<String, toml::Value>,
    #[serde(default)]
    subscriptions: Vec<RawSubscription>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSubscription {
    queue: String,
    #[serde(default)]
    raw: bool,
    filter_policy: Option<String>,
    filter_policy_scope: Option<String>,
    dead_letter: Option<String>,
}

/// Validates the `[[topics]]` of a file whose queues are `queues`.
pub(super) fn topics(
    raw: Vec<RawTopic>,
    queues: &[QueueSpec],
) -> Result<Vec<TopicSpec>, ConfigError> {
    let queue_names: HashSet<&str> = queues.iter().map(|q| q.name.as_str()).collect();
    let mut seen = HashSet::new();
    let mut specs = Vec::with_capacity(raw.len());
    for (i, t) in raw.into_iter().enumerate() {
        let at = |key: &str| format!("topics[{i}].{key}");
        if !seen.insert(t.name.clone()) {
            return Err(invalid(
                at("name"),
                format!("topic {:?} is defined twice", t.name),
            ));
        }
        // As for queues, a `.fifo` name says FIFO on its own.
        let fifo = t.fifo.unwrap_or(t.name.ends_with(".fifo"));
        fifowin_sns::topic::validate_name(&t.name, fifo).map_err(|_| {
            invalid(
                at("name"),
                format!(
                    "{:?}: 1 to 256 of A-Z a-z 0-9 _ -, ending in .fifo exactly when the topic is FIFO",
                    t.name
                ),
            )
        })?;
        let mut attributes = BTreeMap::new();
        for (name, value) in t.attributes {
            let text = attribute_value(&at(&format!("attributes.{name}")), value)?;
            attributes.insert(name, text);
        }
        if fifo {
            attributes.insert("FifoTopic".into(), "true".into());
        }
        if let Some(cbd) = t.content_based_deduplication {
            if !fifo {
                return Err(invalid(
                    at("content_based_deduplication"),
                    "applies to FIFO topics only",
                ));
            }
            attributes.insert("ContentBasedDeduplication".into(), cbd.to_string());
        }
        let dedup_window_ms = match t.dedup_window {
            Some(_) if !fifo => {
                return Err(invalid(
                    at("dedup_window"),
                    "applies to FIFO topics only (standard topics do not deduplicate)",
                ));
            }
            Some(d) => Some(window(&at("dedup_window"), &d)?),
            None => None,
        };
        let mut subscriptions = Vec::with_capacity(t.subscriptions.len());
        for (j, s) in t.subscriptions.into_iter().enumerate() {
            let key = |k: &str| format!("topics[{i}].subscriptions[{j}].{k}");
            for (k, name) in [
                ("queue", Some(&s.queue)),
                ("dead_letter", s.dead_letter.as_ref()),
            ] {
                if let Some(name) = name
                    && !queue_names.contains(name.as_str())
                {
                    return Err(invalid(
                        key(k),
                        format!("no queue named {name:?} in this file"),
                    ));
                }
            }
            subscriptions.push(SubscriptionSpec {
                queue: s.queue,
                raw: s.raw,
                filter_policy: s.filter_policy,
                filter_policy_scope: s.filter_policy_scope,
                dead_letter: s.dead_letter,
            });
        }
        specs.push(TopicSpec {
            name: t.name,
            fifo,
            attributes,
            dedup_window_ms,
            subscriptions,
        });
    }
    Ok(specs)
}
