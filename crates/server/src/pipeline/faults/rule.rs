//! The shape of a fault rule as the control API takes it (flat JSON, so a rule
//! fits on one curl line) and its validation, which names the field at fault.

use axum::http::StatusCode;
use fifowin_wire::model::Operation;
use fifowin_wire::{ErrorCode, SqsError};
use serde::{Deserialize, Serialize};

use super::{Injected, error_code, error_status};

/// What a rule does when it fires.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The operation takes effect, then the client gets an error or a dropped
    /// connection: a lost acknowledgement.
    FailAfterCommit,
    /// The client gets an error and the operation does not run.
    Fail,
    /// The answer waits `ms` before it is sent (the operation has taken effect).
    Delay,
    /// The messages a ReceiveMessage returned become visible again after
    /// `after_ms` (default at once), as if the consumer had crashed.
    Redeliver,
}

impl Action {
    /// Every action, for metrics.
    pub const ALL: [Action; 4] = [
        Action::FailAfterCommit,
        Action::Fail,
        Action::Delay,
        Action::Redeliver,
    ];

    /// The name used in rules and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::FailAfterCommit => "fail_after_commit",
            Action::Fail => "fail",
            Action::Delay => "delay",
            Action::Redeliver => "redeliver",
        }
    }
}

/// When a rule fires among the requests it matches.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Trigger {
    /// Every matching request.
    Always,
    /// The first `n` matching requests (after `skip`).
    Count(u64),
    /// Each matching request with this probability, from the seeded generator.
    Probability(f64),
}

/// Longest injectable delay: long enough for any SDK timeout, short enough that a
/// typo cannot hang a test suite for hours.
const MAX_DELAY_MS: u64 = 600_000;

/// A rule as posted to `POST /_fifowin/faults`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// An SQS or SNS operation name (`SendMessage`, `Publish`) or `*`.
    pub operation: String,
    /// Only requests to this queue (by name; for SNS operations, this topic);
    /// any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// Only requests addressed to this region (a queue's, or the request's for
    /// ListQueues and move tasks); any region when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub action: Action,
    /// `fail`, `fail_after_commit`: the SQS error code (default ServiceUnavailable
    /// for `fail`, InternalError for `fail_after_commit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// `fail`, `fail_after_commit`: HTTP status (default: the code's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// `fail`, `fail_after_commit`: the error message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `fail`, `fail_after_commit`: close the connection instead of answering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop: Option<bool>,
    /// `delay`: how long, ms (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ms: Option<u64>,
    /// `redeliver`: visible again this long after the receive, ms (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_ms: Option<u64>,
    /// Fire on the first `count` matches only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Fire on each match with this probability (0..=1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Seed of the generator behind `probability` (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Let the first `skip` matches through before the trigger applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip: Option<u64>,
}

/// The served SQS or SNS operation called `name`, as its static name (the two
/// services share no operation name fifowin serves).
fn operation_name(name: &str) -> Option<&'static str> {
    Operation::from_name(name)
        .map(Operation::name)
        .or_else(|| fifowin_sns::codec::Operation::from_name(name).map(|op| op.name()))
}

/// A rule that cannot be used: the field at fault and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct SpecError {
    pub field: &'static str,
    pub problem: String,
}

fn problem(field: &'static str, problem: impl Into<String>) -> SpecError {
    SpecError {
        field,
        problem: problem.into(),
    }
}

impl RuleSpec {
    /// Checks the rule; returns the name of the operation it matches (`None`: any).
    pub fn validate(&self) -> Result<Option<&'static str>, SpecError> {
        let op = match self.operation.as_str() {
            "*" => None,
            name => Some(operation_name(name).ok_or_else(|| {
                problem(
                    "operation",
                    format!("unknown operation {name:?} (an SQS or SNS operation name, or \"*\")"),
                )
            })?),
        };
        if self.queue.as_deref() == Some("") {
            return Err(problem("queue", "must not be empty"));
        }
        if self.region.as_deref() == Some("") {
            return Err(problem("region", "must not be empty"));
        }
        self.validate_action(op)?;
        match (self.count, self.probability) {
            (Some(_), Some(_)) => {
                return Err(problem(
                    "count",
                    "give either count or probability, not both",
                ));
            }
            (Some(0), _) => return Err(problem("count", "must be at least 1")),
            (_, Some(p)) if !(0.0..=1.0).contains(&p) => {
                return Err(problem("probability", "must be between 0 and 1"));
            }
            (_, None) if self.seed.is_some() => {
                return Err(problem("seed", "applies only with probability"));
            }
            _ => {}
        }
        Ok(op)
    }

    fn validate_action(&self, op: Option<&str>) -> Result<(), SpecError> {
        let errors = matches!(self.action, Action::Fail | Action::FailAfterCommit);
        let only = |field: &'static str, given: bool, allowed: bool, which: &str| {
            if given && !allowed {
                Err(problem(field, format!("applies only to action {which}")))
            } else {
                Ok(())
            }
        };
        let which = "fail or fail_after_commit";
        only("code", self.code.is_some(), errors, which)?;
        only("status", self.status.is_some(), errors, which)?;
        only("message", self.message.is_some(), errors, which)?;
        only("drop", self.drop.is_some(), errors, which)?;
        only(
            "ms",
            self.ms.is_some(),
            self.action == Action::Delay,
            "delay",
        )?;
        let redeliver = self.action == Action::Redeliver;
        only("after_ms", self.after_ms.is_some(), redeliver, "redeliver")?;
        if let Some(code) = &self.code
            && error_code(code).is_none()
        {
            return Err(problem(
                "code",
                format!("unknown or non-injectable SQS error code {code:?}"),
            ));
        }
        if let Some(status) = self.status
            && error_status(status).is_none()
        {
            return Err(problem("status", "must be an HTTP error status (400-599)"));
        }
        match self.action {
            Action::Delay => match self.ms {
                None => Err(problem("ms", "action delay needs ms")),
                Some(ms) if ms > MAX_DELAY_MS => {
                    Err(problem("ms", format!("at most {MAX_DELAY_MS}")))
                }
                Some(_) => Ok(()),
            },
            Action::Redeliver if op != Some(Operation::ReceiveMessage.name()) => Err(problem(
                "operation",
                "action redeliver applies to ReceiveMessage",
            )),
            _ => Ok(()),
        }
    }

    /// The rule's trigger (the spec has been validated).
    pub fn trigger(&self) -> Trigger {
        match (self.count, self.probability) {
            (Some(n), _) => Trigger::Count(n),
            (None, Some(p)) => Trigger::Probability(p),
            (None, None) => Trigger::Always,
        }
    }

    /// The error a `fail` or `fail_after_commit` rule answers with.
    pub(super) fn injected(&self) -> Injected {
        let default = match self.action {
            Action::FailAfterCommit => ErrorCode::InternalError,
            _ => ErrorCode::ServiceUnavailable,
        };
        let code = self.code.as_deref().and_then(error_code).unwrap_or(default);
        let status = self
            .status
            .and_then(error_status)
            .or_else(|| StatusCode::from_u16(code.status()).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let message = self
            .message
            .clone()
            .unwrap_or_else(|| format!("Injected by a fifowin {} rule.", self.action.as_str()));
        Injected {
            error: SqsError::new(code, message),
            status,
            drop_connection: self.drop.unwrap_or(false),
        }
    }
}
