//! Creates the config file's topics and their subscriptions, after its queues
//! (at start-up and again after a global reset), through the same `Sns` calls
//! CreateTopic and Subscribe make, so attribute and filter-policy errors are
//! SNS's own, named by the key at fault. A topic that exists is left as it is
//! (a durable start-up finds them in the data directory), subscriptions,
//! attributes and window included.

use std::collections::BTreeMap;

use fifowin_engine::Timestamp;
use fifowin_sns::{CreateTopic, Subscribe};

use super::topics::{SnsState, scope};
use crate::config::ServerConfig;
use crate::config::file::{ConfigError, SubscriptionSpec, TopicSpec};
use crate::sqs::ids::MessageIds;

fn invalid(key: String, problem: impl std::fmt::Display) -> ConfigError {
    ConfigError::Invalid {
        key,
        problem: problem.to_string(),
    }
}

/// The window overrides the topics of `specs` ask for, by topic name.
pub(crate) fn window_overrides(specs: &[TopicSpec]) -> Vec<(String, u64)> {
    specs
        .iter()
        .filter_map(|t| Some((t.name.clone(), t.dedup_window_ms?)))
        .collect()
}

/// Puts the window overrides of `specs` in force for topics created from now
/// on; whether they differ from those that were.
pub(crate) fn set_windows(sns: &SnsState, specs: &[TopicSpec]) -> bool {
    let overrides: BTreeMap<String, u64> = window_overrides(specs).into_iter().collect();
    let mut topics = sns.lock();
    let changed = topics.sns.settings().window_overrides != overrides;
    topics.sns.set_window_overrides(overrides);
    changed
}

/// Creates the topics of `specs` that do not exist at `now`, subscription ids
/// drawn from `ids`; returns how many were created.
pub(crate) fn provision(
    config: &ServerConfig,
    sns: &SnsState,
    specs: &[TopicSpec],
    now: Timestamp,
    ids: MessageIds,
) -> Result<usize, ConfigError> {
    let scope = scope(config);
    let mut topics = sns.lock();
    let mut ids = ids.for_queue("config-file topics", None, now);
    let mut created = 0;
    for (i, spec) in specs.iter().enumerate() {
        if topics.sns.topic(&scope.topic_arn(&spec.name)).is_some() {
            continue;
        }
        created += 1;
        let create = CreateTopic {
            name: spec.name.clone(),
            attributes: spec.attributes.clone().into_iter().collect(),
            tags: Vec::new(),
        };
        let topic_arn = topics
            .sns
            .create_topic(&scope, &create)
            .map_err(|e| invalid(format!("topics[{i}].attributes"), e.message))?;
        for (j, sub) in spec.subscriptions.iter().enumerate() {
            let subscribe = Subscribe {
                topic_arn: topic_arn.clone(),
                protocol: "sqs".into(),
                endpoint: Some(config.queue_arn(&config.region, &sub.queue)),
                attributes: attributes(config, sub),
                return_subscription_arn: true,
            };
            topics
                .sns
                .subscribe(&scope, &subscribe, ids.as_mut())
                .map_err(|e| invalid(format!("topics[{i}].subscriptions[{j}]"), e.message))?;
        }
    }
    Ok(created)
}

/// The subscription attributes a spec stands for.
fn attributes(config: &ServerConfig, sub: &SubscriptionSpec) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if sub.raw {
        out.push(("RawMessageDelivery".into(), "true".into()));
    }
    if let Some(policy) = &sub.filter_policy {
        out.push(("FilterPolicy".into(), policy.clone()));
    }
    if let Some(scope) = &sub.filter_policy_scope {
        out.push(("FilterPolicyScope".into(), scope.clone()));
    }
    if let Some(dlq) = &sub.dead_letter {
        let policy =
            serde_json::json!({ "deadLetterTargetArn": config.queue_arn(&config.region, dlq) });
        out.push(("RedrivePolicy".into(), policy.to_string()));
    }
    out
}
