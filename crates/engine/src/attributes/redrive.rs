//! RedrivePolicy and RedriveAllowPolicy: the JSON attribute values that wire a
//! queue to its dead-letter queue (sqs-spec.md §4.1, §4.7).

use serde_json::{Map, Value};

use crate::error::EngineError;
use crate::queue::QueueKind;

use super::Resolve;

/// A parsed RedrivePolicy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RedrivePolicy {
    pub(crate) dead_letter_target_arn: String,
    /// 1..=1000: the receive that would exceed it moves the message instead.
    pub(crate) max_receive_count: u32,
}

fn invalid(raw: &str, reason: &str) -> EngineError {
    EngineError::InvalidParameterValue(format!(
        "Value {raw} for parameter RedrivePolicy is invalid. Reason: {reason}"
    ))
}

impl RedrivePolicy {
    /// Parses a RedrivePolicy value; `""` removes the policy. The target must be
    /// an existing queue of the same kind as the source.
    pub(crate) fn parse(
        raw: &str,
        kind: QueueKind,
        resolve: Resolve<'_>,
    ) -> Result<Option<Self>, EngineError> {
        if raw.is_empty() {
            return Ok(None);
        }
        let map: Map<String, Value> = match serde_json::from_str(raw) {
            Ok(Value::Object(map)) => map,
            _ => return Err(invalid(raw, "Redrive policy is not a valid JSON map.")),
        };
        if map
            .keys()
            .any(|k| k != "deadLetterTargetArn" && k != "maxReceiveCount")
        {
            return Err(invalid(
                raw,
                "Only following attributes are supported:[deadLetterTargetArn, maxReceiveCount].",
            ));
        }
        let Some(count) = map.get("maxReceiveCount") else {
            return Err(invalid(
                raw,
                "Redrive policy does not contain mandatory attribute: maxReceiveCount.",
            ));
        };
        let Some(Value::String(target)) = map.get("deadLetterTargetArn") else {
            return Err(invalid(
                raw,
                "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.",
            ));
        };
        let parsed = match count {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.parse::<u64>().ok(),
            _ => None,
        };
        let Some(max_receive_count) = parsed
            .filter(|n| (1..=1000).contains(n))
            .and_then(|n| u32::try_from(n).ok())
        else {
            let shown = match count {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            return Err(invalid(
                raw,
                &format!(
                    "Invalid value for maxReceiveCount: {shown}, valid values are from 1 to 1000 both inclusive."
                ),
            ));
        };
        match resolve(target) {
            None => Err(invalid(raw, "Dead letter target does not exist.")),
            Some(target_kind) if target_kind != kind => Err(invalid(
                raw,
                "Dead-letter queue must be same type of queue as the source.",
            )),
            Some(_) => Ok(Some(Self {
                dead_letter_target_arn: target.clone(),
                max_receive_count,
            })),
        }
    }

    /// The canonical JSON form GetQueueAttributes returns.
    pub(crate) fn render(&self) -> String {
        serde_json::json!({
            "deadLetterTargetArn": self.dead_letter_target_arn,
            "maxReceiveCount": self.max_receive_count,
        })
        .to_string()
    }
}

fn invalid_allow(reason: &str) -> EngineError {
    EngineError::InvalidAttributeValue(format!(
        "Invalid value for the parameter RedriveAllowPolicy. Reason: {reason}"
    ))
}

/// Validates a RedriveAllowPolicy value; `""` removes it. Stored as sent.
pub(crate) fn parse_allow_policy(raw: &str) -> Result<Option<String>, EngineError> {
    if raw.is_empty() {
        return Ok(None);
    }
    let map: Map<String, Value> = match serde_json::from_str(raw) {
        Ok(Value::Object(map)) => map,
        _ => {
            return Err(invalid_allow(
                "Redrive allow policy is not a valid JSON map.",
            ));
        }
    };
    let permission = map.get("redrivePermission").and_then(Value::as_str);
    let sources = map.get("sourceQueueArns");
    match permission {
        Some("allowAll" | "denyAll") if sources.is_none() => Ok(Some(raw.to_string())),
        Some("allowAll" | "denyAll") => Err(invalid_allow(
            "sourceQueueArns is only allowed when redrivePermission is byQueue.",
        )),
        Some("byQueue") => {
            let ok = sources
                .and_then(Value::as_array)
                .is_some_and(|a| (1..=10).contains(&a.len()) && a.iter().all(Value::is_string));
            if ok {
                Ok(Some(raw.to_string()))
            } else {
                Err(invalid_allow(
                    "sourceQueueArns must list 1 to 10 queue ARNs when redrivePermission is byQueue.",
                ))
            }
        }
        _ => Err(invalid_allow(
            "redrivePermission must be allowAll, denyAll or byQueue.",
        )),
    }
}
