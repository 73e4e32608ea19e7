//! One `sqs` subscription: its attributes (raw delivery, filter policy and scope,
//! redrive policy), their validation with AWS's texts, and its counters
//! (sns-spec.md §2.3).

use std::collections::BTreeMap;

use crate::arn;
use crate::error::{AttributeContext, SnsError};
use crate::filter::{FilterPolicy, FilterPolicyError, FilterScope};
use crate::topic::boolean;

/// Attributes a subscription takes.
pub const SUBSCRIPTION_ATTRIBUTES: [&str; 7] = [
    "RawMessageDelivery",
    "FilterPolicy",
    "FilterPolicyScope",
    "RedrivePolicy",
    "DeliveryPolicy",
    "SubscriptionRoleArn",
    "ReplayPolicy",
];

/// What happened to the messages of one subscription, as plain numbers.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct SubscriptionCounters {
    /// Publishes the topic accepted while the subscription existed.
    pub published: u64,
    /// Duplicate publishes the topic's window suppressed (nothing delivered).
    pub suppressed: u64,
    /// Messages the queue took (reported by the server).
    pub delivered: u64,
    /// Publishes the filter policy kept from this subscription.
    pub filtered_out: u64,
    /// Deliveries that failed (queue missing, refused): redriven or dropped.
    pub failed: u64,
}

/// A subscription of an SQS queue to a topic.
#[derive(Clone, Debug)]
pub struct Subscription {
    pub arn: String,
    pub topic_arn: String,
    /// The queue's ARN.
    pub endpoint: String,
    pub owner: String,
    pub raw: bool,
    pub(crate) filter: Option<(String, FilterPolicy)>,
    pub(crate) filter_scope: FilterScope,
    /// `RedrivePolicy` as given, and its `deadLetterTargetArn`.
    pub(crate) redrive: Option<(String, String)>,
    /// DeliveryPolicy, SubscriptionRoleArn, ReplayPolicy: kept verbatim.
    pub(crate) other: BTreeMap<String, String>,
    pub counters: SubscriptionCounters,
}

/// The topic facts attribute checks need.
#[derive(Copy, Clone, Debug)]
pub(crate) struct TopicKind {
    pub(crate) fifo: bool,
}

fn filter_error(error: FilterPolicyError, context: AttributeContext) -> SnsError {
    match error {
        FilterPolicyError::Detail(text) => context.error(format!("FilterPolicy: {text}")),
        FilterPolicyError::Nested => SnsError::invalid(
            "Filter policy scope MessageAttributes does not support nested filter policy",
        ),
    }
}

impl Subscription {
    pub(crate) fn new(arn: String, topic_arn: &str, endpoint: &str, owner: &str) -> Self {
        Self {
            arn,
            topic_arn: topic_arn.to_string(),
            endpoint: endpoint.to_string(),
            owner: owner.to_string(),
            raw: false,
            filter: None,
            filter_scope: FilterScope::default(),
            redrive: None,
            other: BTreeMap::new(),
            counters: SubscriptionCounters::default(),
        }
    }

    /// The parsed filter policy and its scope, when one is set.
    pub fn filter(&self) -> Option<(&FilterPolicy, FilterScope)> {
        self.filter.as_ref().map(|(_, p)| (p, self.filter_scope))
    }

    /// The redrive DLQ's ARN, when set.
    pub fn dead_letter_target(&self) -> Option<&str> {
        self.redrive.as_ref().map(|(_, arn)| arn.as_str())
    }

    /// Applies attributes in an order that lets the filter policy be checked
    /// against the scope given in the same call.
    pub(crate) fn apply_all(
        &mut self,
        attributes: &[(String, String)],
        context: AttributeContext,
        topic: TopicKind,
    ) -> Result<(), SnsError> {
        let (scope, rest): (Vec<_>, Vec<_>) = attributes
            .iter()
            .partition(|(name, _)| name == "FilterPolicyScope");
        for (name, value) in scope.into_iter().chain(rest) {
            self.apply(name, value, context, topic)?;
        }
        Ok(())
    }

    /// Sets one attribute after checking it as AWS does.
    pub(crate) fn apply(
        &mut self,
        name: &str,
        value: &str,
        context: AttributeContext,
        topic: TopicKind,
    ) -> Result<(), SnsError> {
        match name {
            "RawMessageDelivery" => {
                self.raw = boolean(value).ok_or_else(|| {
                    context.error(format!(
                        "RawMessageDelivery: Invalid value [{value}]. Must be true or false."
                    ))
                })? == "true";
            }
            "FilterPolicy" => {
                if value.is_empty() {
                    self.filter = None;
                } else {
                    let policy = FilterPolicy::parse(value, self.filter_scope)
                        .map_err(|e| filter_error(e, context))?;
                    self.filter = Some((value.to_string(), policy));
                }
            }
            "FilterPolicyScope" => {
                let scope = FilterScope::parse(value).ok_or_else(|| {
                    context.error(format!(
                        "FilterPolicyScope: Invalid value [{value}]. Please use either MessageBody or MessageAttributes"
                    ))
                })?;
                if let Some((text, _)) = &self.filter {
                    let policy =
                        FilterPolicy::parse(text, scope).map_err(|e| filter_error(e, context))?;
                    self.filter = Some((text.clone(), policy));
                }
                self.filter_scope = scope;
            }
            "RedrivePolicy" => {
                if value.is_empty() {
                    self.redrive = None;
                    return Ok(());
                }
                let json: serde_json::Value = serde_json::from_str(value).map_err(|err| {
                    context.error(format!("RedrivePolicy: failed to parse JSON. {err}"))
                })?;
                let target = json
                    .get("deadLetterTargetArn")
                    .and_then(serde_json::Value::as_str)
                    .filter(|t| arn::queue_arn(t).is_some())
                    .ok_or_else(|| {
                        context.error("RedrivePolicy: deadLetterTargetArn is an invalid arn")
                    })?;
                let endpoint_fifo = arn::queue_arn(&self.endpoint).is_some_and(|q| q.is_fifo());
                let dlq_fifo = arn::queue_arn(target).is_some_and(|q| q.is_fifo());
                if topic.fifo && endpoint_fifo && !dlq_fifo {
                    return Err(context.error(
                        "RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.",
                    ));
                }
                self.redrive = Some((value.to_string(), target.to_string()));
            }
            "DeliveryPolicy" | "SubscriptionRoleArn" | "ReplayPolicy" => {
                if value.is_empty() {
                    self.other.remove(name);
                } else {
                    self.other.insert(name.to_string(), value.to_string());
                }
            }
            _ => return Err(SnsError::invalid("AttributeName")),
        }
        Ok(())
    }

    /// Whether Subscribe's `attributes` match this subscription, so Subscribe
    /// answers with its ARN: each equals the current value or the unset default.
    pub(crate) fn same_attributes(&self, attributes: &[(String, String)]) -> bool {
        attributes.iter().all(|(name, value)| match name.as_str() {
            "RawMessageDelivery" => boolean(value) == Some(if self.raw { "true" } else { "false" }),
            "FilterPolicyScope" => FilterScope::parse(value) == Some(self.filter_scope),
            "FilterPolicy" => match &self.filter {
                Some((text, _)) => text == value,
                None => value.is_empty(),
            },
            "RedrivePolicy" => match &self.redrive {
                Some((text, _)) => text == value,
                None => value.is_empty(),
            },
            _ => self
                .other
                .get(name)
                .map_or(value.is_empty(), |v| v == value),
        })
    }

    /// GetSubscriptionAttributes.
    pub fn attributes(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        out.insert("ConfirmationWasAuthenticated".into(), "true".into());
        out.insert("Endpoint".into(), self.endpoint.clone());
        out.insert("Owner".into(), self.owner.clone());
        out.insert("PendingConfirmation".into(), "false".into());
        out.insert("Protocol".into(), "sqs".into());
        out.insert(
            "RawMessageDelivery".into(),
            if self.raw { "true" } else { "false" }.into(),
        );
        out.insert("SubscriptionArn".into(), self.arn.clone());
        out.insert(
            "SubscriptionPrincipal".into(),
            format!("arn:aws:iam::{}:root", self.owner),
        );
        out.insert("TopicArn".into(), self.topic_arn.clone());
        if let Some((text, _)) = &self.filter {
            out.insert("FilterPolicy".into(), text.clone());
            out.insert(
                "FilterPolicyScope".into(),
                self.filter_scope.as_str().into(),
            );
        }
        if let Some((text, _)) = &self.redrive {
            out.insert("RedrivePolicy".into(), text.clone());
        }
        for (name, value) in &self.other {
            out.insert(name.clone(), value.clone());
        }
        out
    }
}
