//! Queue attributes: names, ranges, defaults, parsing and rendering (sqs-spec.md §3.1, §4.1).
//!
//! Parsing is all-or-nothing: a request is applied to a copy, so a bad value
//! leaves the queue untouched. Values are rendered back as AWS returns them
//! (strings; booleans lowercase; timestamps in epoch seconds).

use std::collections::BTreeMap;

use crate::clock::Timestamp;
use crate::error::EngineError;
use crate::queue::{QueueCounts, QueueKind};

mod redrive;

pub(crate) use redrive::RedrivePolicy;

/// Every attribute GetQueueAttributes knows, in the order it reports them.
pub const ATTRIBUTE_NAMES: [&str; 21] = [
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesDelayed",
    "ApproximateNumberOfMessagesNotVisible",
    "ContentBasedDeduplication",
    "CreatedTimestamp",
    "DeduplicationScope",
    "DelaySeconds",
    "FifoQueue",
    "FifoThroughputLimit",
    "KmsDataKeyReusePeriodSeconds",
    "KmsMasterKeyId",
    "LastModifiedTimestamp",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "Policy",
    "QueueArn",
    "ReceiveMessageWaitTimeSeconds",
    "RedriveAllowPolicy",
    "RedrivePolicy",
    "SqsManagedSseEnabled",
    "VisibilityTimeout",
];

const READ_ONLY: [&str; 6] = [
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesDelayed",
    "ApproximateNumberOfMessagesNotVisible",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
];

const SSE_CONFLICT: &str = "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.";
const MAX_POLICY_BYTES: usize = 8192;

/// How a FIFO queue scopes its dedup keys. Reported as set; the queue's
/// behaviour follows the value it had at creation (sqs-spec.md §3.3).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum DedupScope {
    Queue,
    MessageGroup,
}

/// The SQS-visible, settable configuration of one queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct QueueAttributes {
    pub(crate) kind: QueueKind,
    pub(crate) delay_seconds: u32,
    pub(crate) maximum_message_size: u32,
    pub(crate) message_retention_period: u32,
    pub(crate) receive_message_wait_time_seconds: u32,
    pub(crate) visibility_timeout: u32,
    pub(crate) redrive_policy: Option<RedrivePolicy>,
    pub(crate) redrive_allow_policy: Option<String>,
    pub(crate) policy: Option<String>,
    pub(crate) kms_master_key_id: Option<String>,
    pub(crate) kms_data_key_reuse_period_seconds: u32,
    pub(crate) sqs_managed_sse_enabled: bool,
    pub(crate) content_based_deduplication: bool,
    pub(crate) deduplication_scope: DedupScope,
    /// `true` for `perMessageGroupId`.
    pub(crate) throughput_per_group: bool,
}

/// What rendering needs besides the attributes themselves.
pub(crate) struct RenderContext<'a> {
    pub(crate) arn: &'a str,
    pub(crate) created: Timestamp,
    pub(crate) last_modified: Timestamp,
    pub(crate) counts: QueueCounts,
}

/// Whether attributes come with CreateQueue or SetQueueAttributes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Mode {
    Create,
    Set,
}

fn unknown(name: &str) -> EngineError {
    EngineError::InvalidAttributeName(format!("Unknown Attribute {name}."))
}

fn bad_value(name: &str) -> EngineError {
    EngineError::InvalidAttributeValue(format!("Invalid value for the parameter {name}."))
}

fn parse_bool(name: &str, value: &str) -> Result<bool, EngineError> {
    if value.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if value.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(bad_value(name))
    }
}

fn parse_range(name: &str, value: &str, min: u32, max: u32) -> Result<u32, EngineError> {
    value
        .parse::<u32>()
        .ok()
        .filter(|v| (min..=max).contains(v))
        .ok_or_else(|| bad_value(name))
}

/// Resolves an ARN to the kind of the queue it names, if any.
pub(crate) type Resolve<'a> = &'a dyn Fn(&str) -> Option<QueueKind>;

impl QueueAttributes {
    fn defaults(kind: QueueKind) -> Self {
        Self {
            kind,
            delay_seconds: 0,
            maximum_message_size: 1_048_576,
            message_retention_period: 345_600,
            receive_message_wait_time_seconds: 0,
            visibility_timeout: 30,
            redrive_policy: None,
            redrive_allow_policy: None,
            policy: None,
            kms_master_key_id: None,
            kms_data_key_reuse_period_seconds: 300,
            sqs_managed_sse_enabled: true,
            content_based_deduplication: false,
            deduplication_scope: DedupScope::Queue,
            throughput_per_group: false,
        }
    }

    /// CreateQueue: validates the name against the queue type `FifoQueue` asks for,
    /// then every attribute.
    pub(crate) fn for_create(
        name: &str,
        attributes: &BTreeMap<String, String>,
        resolve: Resolve<'_>,
    ) -> Result<Self, EngineError> {
        let fifo_attr = attributes.get("FifoQueue");
        let fifo = match fifo_attr {
            Some(v) => parse_bool("FifoQueue", v)?,
            None => false,
        };
        crate::validate::queue_name(name, fifo)?;
        if !fifo && fifo_attr.is_some() {
            return Err(unknown("FifoQueue"));
        }
        let kind = if fifo {
            QueueKind::Fifo
        } else {
            QueueKind::Standard
        };
        let mut attrs = Self::defaults(kind);
        attrs.apply(attributes, Mode::Create, resolve)?;
        Ok(attrs)
    }

    /// SetQueueAttributes: a new value set, or the first error.
    pub(crate) fn with_changes(
        &self,
        attributes: &BTreeMap<String, String>,
        resolve: Resolve<'_>,
    ) -> Result<Self, EngineError> {
        let mut next = self.clone();
        next.apply(attributes, Mode::Set, resolve)?;
        Ok(next)
    }

    fn fifo(&self) -> bool {
        self.kind == QueueKind::Fifo
    }

    fn apply(
        &mut self,
        attributes: &BTreeMap<String, String>,
        mode: Mode,
        resolve: Resolve<'_>,
    ) -> Result<(), EngineError> {
        let mut sse_requested = None;
        let mut kms_requested = None;
        for (name, value) in attributes {
            let v = value.as_str();
            match name.as_str() {
                "DelaySeconds" => self.delay_seconds = parse_range(name, v, 0, 900)?,
                "MaximumMessageSize" => {
                    self.maximum_message_size = parse_range(name, v, 1024, 1_048_576)?;
                }
                "MessageRetentionPeriod" => {
                    self.message_retention_period = parse_range(name, v, 60, 1_209_600)?;
                }
                "ReceiveMessageWaitTimeSeconds" => {
                    self.receive_message_wait_time_seconds = parse_range(name, v, 0, 20)?;
                }
                "VisibilityTimeout" => self.visibility_timeout = parse_range(name, v, 0, 43_200)?,
                "KmsDataKeyReusePeriodSeconds" => {
                    self.kms_data_key_reuse_period_seconds = parse_range(name, v, 60, 86_400)?;
                }
                "RedrivePolicy" => {
                    self.redrive_policy = RedrivePolicy::parse(v, self.kind, resolve)?;
                }
                "RedriveAllowPolicy" => {
                    self.redrive_allow_policy = redrive::parse_allow_policy(v)?;
                }
                "Policy" => self.policy = parse_policy(v)?,
                "KmsMasterKeyId" => kms_requested = Some((!v.is_empty()).then(|| v.to_string())),
                "SqsManagedSseEnabled" => sse_requested = Some(parse_bool(name, v)?),
                "FifoQueue" => self.apply_fifo_queue(v, mode)?,
                "ContentBasedDeduplication" if self.fifo() => {
                    self.content_based_deduplication = parse_bool(name, v)?;
                }
                "DeduplicationScope" | "FifoThroughputLimit" if !self.fifo() => {
                    return Err(EngineError::InvalidAttributeName(format!(
                        "You can specify the {name} only when FifoQueue is set to true."
                    )));
                }
                "DeduplicationScope" => {
                    self.deduplication_scope = match v {
                        "queue" => DedupScope::Queue,
                        "messageGroup" => DedupScope::MessageGroup,
                        _ => return Err(bad_value(name)),
                    };
                }
                "FifoThroughputLimit" => {
                    self.throughput_per_group = match v {
                        "perQueue" => false,
                        "perMessageGroupId" => true,
                        _ => return Err(bad_value(name)),
                    };
                }
                _ => return Err(unknown(name)),
            }
        }
        if attributes.get("FifoThroughputLimit").map(String::as_str) == Some("perMessageGroupId")
            && self.deduplication_scope != DedupScope::MessageGroup
        {
            return Err(EngineError::InvalidAttributeValue(
                "Invalid value for the parameter FifoThroughputLimit. Reason: perMessageGroupId is allowed only when DeduplicationScope is messageGroup.".into(),
            ));
        }
        self.apply_encryption(kms_requested, sse_requested)
    }

    fn apply_fifo_queue(&mut self, value: &str, mode: Mode) -> Result<(), EngineError> {
        if !self.fifo() {
            return Err(unknown("FifoQueue"));
        }
        match (parse_bool("FifoQueue", value)?, mode) {
            (true, _) => Ok(()),
            // CreateQueue already chose the type from this very value.
            (false, Mode::Create) => Err(bad_value("FifoQueue")),
            (false, Mode::Set) => Err(EngineError::InvalidAttributeValue(
                "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.".into(),
            )),
        }
    }

    /// KMS and SQS-managed SSE exclude each other: asking for both is an error,
    /// asking for one switches the other off.
    fn apply_encryption(
        &mut self,
        kms: Option<Option<String>>,
        sse: Option<bool>,
    ) -> Result<(), EngineError> {
        match (kms, sse) {
            (Some(Some(_)), Some(true)) => {
                return Err(EngineError::InvalidAttributeName(SSE_CONFLICT.into()));
            }
            (Some(Some(key)), _) => {
                self.kms_master_key_id = Some(key);
                self.sqs_managed_sse_enabled = false;
            }
            (Some(None), sse) => {
                self.kms_master_key_id = None;
                if let Some(sse) = sse {
                    self.sqs_managed_sse_enabled = sse;
                }
            }
            (None, Some(true)) => {
                self.kms_master_key_id = None;
                self.sqs_managed_sse_enabled = true;
            }
            (None, Some(false)) => self.sqs_managed_sse_enabled = false,
            (None, None) => {}
        }
        Ok(())
    }

    /// The value of one attribute, `None` when it is unset or does not apply.
    pub(crate) fn render(&self, name: &str, ctx: &RenderContext<'_>) -> Option<String> {
        let fifo = self.fifo();
        let value = match name {
            "ApproximateNumberOfMessages" => ctx.counts.visible.to_string(),
            "ApproximateNumberOfMessagesDelayed" => ctx.counts.delayed.to_string(),
            "ApproximateNumberOfMessagesNotVisible" => ctx.counts.in_flight.to_string(),
            "CreatedTimestamp" => ctx.created.as_secs().to_string(),
            "LastModifiedTimestamp" => ctx.last_modified.as_secs().to_string(),
            "QueueArn" => ctx.arn.to_string(),
            "DelaySeconds" => self.delay_seconds.to_string(),
            "MaximumMessageSize" => self.maximum_message_size.to_string(),
            "MessageRetentionPeriod" => self.message_retention_period.to_string(),
            "ReceiveMessageWaitTimeSeconds" => self.receive_message_wait_time_seconds.to_string(),
            "VisibilityTimeout" => self.visibility_timeout.to_string(),
            "SqsManagedSseEnabled" => self.sqs_managed_sse_enabled.to_string(),
            "RedrivePolicy" => self.redrive_policy.as_ref()?.render(),
            "RedriveAllowPolicy" => self.redrive_allow_policy.clone()?,
            "Policy" => self.policy.clone()?,
            "KmsMasterKeyId" => self.kms_master_key_id.clone()?,
            "KmsDataKeyReusePeriodSeconds" => {
                self.kms_master_key_id.as_ref()?;
                self.kms_data_key_reuse_period_seconds.to_string()
            }
            "FifoQueue" if fifo => "true".into(),
            "ContentBasedDeduplication" if fifo => self.content_based_deduplication.to_string(),
            "DeduplicationScope" if fifo => match self.deduplication_scope {
                DedupScope::Queue => "queue".into(),
                DedupScope::MessageGroup => "messageGroup".into(),
            },
            "FifoThroughputLimit" if fifo => {
                if self.throughput_per_group {
                    "perMessageGroupId".into()
                } else {
                    "perQueue".into()
                }
            }
            _ => return None,
        };
        Some(value)
    }

    /// GetQueueAttributes: the requested names (or `All`) in [`ATTRIBUTE_NAMES`] order.
    pub(crate) fn get(
        &self,
        names: &[String],
        ctx: &RenderContext<'_>,
    ) -> Result<Vec<(String, String)>, EngineError> {
        if let Some(bad) = names
            .iter()
            .find(|n| *n != "All" && !ATTRIBUTE_NAMES.contains(&n.as_str()))
        {
            return Err(unknown(bad));
        }
        let all = names.iter().any(|n| n == "All");
        Ok(ATTRIBUTE_NAMES
            .iter()
            .filter(|name| all || names.iter().any(|n| n == *name))
            .filter_map(|name| Some(((*name).to_string(), self.render(name, ctx)?)))
            .collect())
    }

    /// Rejects read-only attributes on SetQueueAttributes.
    pub(crate) fn check_settable(attributes: &BTreeMap<String, String>) -> Result<(), EngineError> {
        match attributes
            .keys()
            .find(|n| READ_ONLY.contains(&n.as_str()) || *n == "All")
        {
            Some(name) => Err(unknown(name)),
            None => Ok(()),
        }
    }

    /// CreateQueue on an existing queue: the first given attribute whose value,
    /// read as CreateQueue would read it, differs from the current one.
    pub(crate) fn first_difference(
        &self,
        attributes: &BTreeMap<String, String>,
        ctx: &RenderContext<'_>,
    ) -> Result<Option<String>, EngineError> {
        let kind = self.kind;
        let same_kind = move |_: &str| Some(kind);
        for (name, value) in attributes {
            let differs = if name == "FifoQueue" {
                if !self.fifo() {
                    return Err(unknown(name));
                }
                !parse_bool(name, value)?
            } else {
                let single = BTreeMap::from([(name.clone(), value.clone())]);
                let mut probe = self.clone();
                probe.apply(&single, Mode::Create, &same_kind)?;
                probe.render(name, ctx) != self.render(name, ctx)
            };
            if differs {
                return Ok(Some(name.clone()));
            }
        }
        Ok(None)
    }
}

fn parse_policy(value: &str) -> Result<Option<String>, EngineError> {
    if value.is_empty() {
        return Ok(None);
    }
    let is_object = serde_json::from_str::<serde_json::Value>(value)
        .map(|v| v.is_object())
        .unwrap_or(false);
    if !is_object || value.len() > MAX_POLICY_BYTES {
        return Err(bad_value("Policy"));
    }
    Ok(Some(value.to_string()))
}

#[cfg(test)]
mod tests;
