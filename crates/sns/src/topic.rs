//! One topic: its name rules, attributes (defaults, settable ones, values),
//! tags, subscriptions and FIFO window (sns-spec.md §2.1, §2.2).

use std::collections::BTreeMap;

use crate::arn::Scope;
use crate::error::{AttributeContext, SnsError};
use crate::subscription::Subscription;
use crate::window::TopicWindow;

/// Longest topic name (without `.fifo`).
pub const MAX_NAME_LEN: usize = 256;

/// Attributes a topic takes besides `FifoTopic` (which only CreateTopic takes).
pub const SETTABLE_ATTRIBUTES: [&str; 23] = [
    "DisplayName",
    "Policy",
    "DeliveryPolicy",
    "SignatureVersion",
    "KmsMasterKeyId",
    "TracingConfig",
    "ContentBasedDeduplication",
    "FifoThroughputScope",
    "ArchivePolicy",
    "ApplicationSuccessFeedbackRoleArn",
    "ApplicationSuccessFeedbackSampleRate",
    "ApplicationFailureFeedbackRoleArn",
    "HTTPSuccessFeedbackRoleArn",
    "HTTPSuccessFeedbackSampleRate",
    "HTTPFailureFeedbackRoleArn",
    "LambdaSuccessFeedbackRoleArn",
    "LambdaSuccessFeedbackSampleRate",
    "LambdaFailureFeedbackRoleArn",
    "SQSSuccessFeedbackRoleArn",
    "SQSSuccessFeedbackSampleRate",
    "SQSFailureFeedbackRoleArn",
    "FirehoseSuccessFeedbackRoleArn",
    "FirehoseFailureFeedbackRoleArn",
];

/// The default `EffectiveDeliveryPolicy` AWS lists for every topic [V].
pub const DEFAULT_EFFECTIVE_DELIVERY_POLICY: &str = r#"{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}"#;

/// The default `Policy`, in AWS's key order.
pub fn default_policy(arn: &str, account: &str) -> String {
    format!(
        r#"{{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{{"AWS":"*"}},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":"{arn}","Condition":{{"StringEquals":{{"AWS:SourceOwner":"{account}"}}}}}}]}}"#
    )
}

/// `FifoThroughputScope`: what the topic's dedup key spans.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ThroughputScope {
    /// The dedup id alone, across groups (the default).
    Topic,
    /// (group, dedup id).
    MessageGroup,
}

/// Counters of one topic.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct TopicCounters {
    /// Publishes accepted (each batch entry counts).
    pub published: u64,
    /// Publishes answered as duplicates inside the window.
    pub suppressed: u64,
}

/// A topic and everything it owns.
#[derive(Debug)]
pub struct Topic {
    pub arn: String,
    pub name: String,
    pub region: String,
    pub account: String,
    pub fifo: bool,
    /// Attributes set explicitly (CreateTopic or SetTopicAttributes), values normalized.
    pub(crate) set: BTreeMap<String, String>,
    pub(crate) tags: BTreeMap<String, String>,
    pub(crate) subscriptions: BTreeMap<String, Subscription>,
    pub(crate) window: Option<TopicWindow>,
    pub(crate) subscriptions_deleted: u64,
    pub counters: TopicCounters,
}

/// Checks a name: `[A-Za-z0-9_-]{1,256}`, plus `.fifo` exactly when FIFO.
pub fn validate_name(name: &str, fifo: bool) -> Result<(), SnsError> {
    let base = if fifo {
        name.strip_suffix(".fifo")
    } else {
        Some(name)
    };
    let ok = base.is_some_and(|base| {
        !base.is_empty()
            && base.len() <= MAX_NAME_LEN
            && base
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    });
    if ok {
        Ok(())
    } else {
        Err(SnsError::invalid("Topic Name"))
    }
}

/// A boolean attribute: any case accepted, stored lowercase.
pub(crate) fn boolean(value: &str) -> Option<&'static str> {
    if value.eq_ignore_ascii_case("true") {
        Some("true")
    } else if value.eq_ignore_ascii_case("false") {
        Some("false")
    } else {
        None
    }
}

/// Checks and normalizes one settable attribute's value.
pub(crate) fn normalize(
    name: &str,
    value: &str,
    context: AttributeContext,
) -> Result<String, SnsError> {
    match name {
        "ContentBasedDeduplication" => boolean(value).map(str::to_string).ok_or_else(|| {
            context.error(format!(
                "ContentBasedDeduplication: Invalid value [{value}]. Must be true or false."
            ))
        }),
        "FifoThroughputScope" => match value {
            "Topic" | "MessageGroup" => Ok(value.to_string()),
            _ => Err(context.error(format!(
                "FifoThroughputScope: Invalid value [{value}]. Please use either Topic or MessageGroup"
            ))),
        },
        "SignatureVersion" => match value {
            "1" | "2" => Ok(value.to_string()),
            _ => Err(context.error(format!(
                "SignatureVersion: Invalid value [{value}]. Must be 1 or 2."
            ))),
        },
        "Policy" | "DeliveryPolicy" | "ArchivePolicy"
            if serde_json::from_str::<serde_json::Value>(value).is_err() && !value.is_empty() =>
        {
            Err(context.error(format!("{name}: failed to parse JSON.")))
        }
        _ if SETTABLE_ATTRIBUTES.contains(&name) => Ok(value.to_string()),
        _ => Err(SnsError::invalid("AttributeName")),
    }
}

impl Topic {
    /// A new topic (the name and attributes already checked).
    pub(crate) fn new(
        scope: &Scope,
        name: &str,
        fifo: bool,
        set: BTreeMap<String, String>,
        window: Option<TopicWindow>,
    ) -> Self {
        Self {
            arn: scope.topic_arn(name),
            name: name.to_string(),
            region: scope.region.clone(),
            account: scope.account.clone(),
            fifo,
            set,
            tags: BTreeMap::new(),
            subscriptions: BTreeMap::new(),
            window,
            subscriptions_deleted: 0,
            counters: TopicCounters::default(),
        }
    }

    /// Whether ContentBasedDeduplication is on.
    pub fn content_based_deduplication(&self) -> bool {
        self.set
            .get("ContentBasedDeduplication")
            .is_some_and(|v| v == "true")
    }

    /// The dedup key's scope.
    pub fn throughput_scope(&self) -> ThroughputScope {
        match self.set.get("FifoThroughputScope").map(String::as_str) {
            Some("MessageGroup") => ThroughputScope::MessageGroup,
            _ => ThroughputScope::Topic,
        }
    }

    /// The envelope's signature version (absent means 1).
    pub fn signature_version(&self) -> &str {
        self.set.get("SignatureVersion").map_or("1", String::as_str)
    }

    /// The window (FIFO topics only).
    pub fn window(&self) -> Option<&TopicWindow> {
        self.window.as_ref()
    }

    /// The subscriptions, by ARN.
    pub fn subscriptions(&self) -> impl Iterator<Item = &Subscription> {
        self.subscriptions.values()
    }

    /// The tags, by key.
    pub fn tags(&self) -> &BTreeMap<String, String> {
        &self.tags
    }

    /// GetTopicAttributes: the always-listed ones, FIFO ones, and the ones set.
    pub fn attributes(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        out.insert("TopicArn".to_string(), self.arn.clone());
        out.insert("Owner".to_string(), self.account.clone());
        out.insert(
            "Policy".to_string(),
            default_policy(&self.arn, &self.account),
        );
        out.insert("DisplayName".to_string(), String::new());
        out.insert(
            "EffectiveDeliveryPolicy".to_string(),
            DEFAULT_EFFECTIVE_DELIVERY_POLICY.to_string(),
        );
        // Every subscription fifowin makes is confirmed at once.
        out.insert(
            "SubscriptionsConfirmed".to_string(),
            self.subscriptions.len().to_string(),
        );
        out.insert("SubscriptionsPending".to_string(), "0".to_string());
        out.insert(
            "SubscriptionsDeleted".to_string(),
            self.subscriptions_deleted.to_string(),
        );
        if self.fifo {
            out.insert("FifoTopic".to_string(), "true".to_string());
            out.insert("ContentBasedDeduplication".to_string(), "false".to_string());
        }
        for (name, value) in &self.set {
            out.insert(name.clone(), value.clone());
        }
        out
    }

    /// Whether CreateTopic's `attributes` all equal the current values
    /// (`FifoTopic=false` equals a standard topic's absent one).
    pub(crate) fn same_attributes(&self, attributes: &[(String, String)]) -> bool {
        let current = self.attributes();
        attributes.iter().all(|(name, value)| {
            if name == "FifoTopic" {
                return boolean(value) == Some(if self.fifo { "true" } else { "false" });
            }
            let value =
                normalize(name, value, AttributeContext::Create).unwrap_or_else(|_| value.clone());
            current.get(name) == Some(&value)
        })
    }

    /// SetTopicAttributes: one attribute; an empty value removes an optional one.
    pub(crate) fn set_attribute(&mut self, name: &str, value: &str) -> Result<(), SnsError> {
        if name == "FifoTopic" {
            return Err(SnsError::invalid("AttributeName"));
        }
        let value = normalize(name, value, AttributeContext::Set)?;
        if name == "FifoThroughputScope"
            && value == "Topic"
            && self.throughput_scope() == ThroughputScope::MessageGroup
        {
            return Err(SnsError::invalid(
                "FifoThroughputScope: Invalid value [Topic]. Cannot change from MessageGroup to Topic",
            ));
        }
        if value.is_empty() && name != "DisplayName" {
            self.set.remove(name);
        } else {
            self.set.insert(name.to_string(), value);
        }
        Ok(())
    }
}
