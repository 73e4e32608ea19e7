//! AddPermission and RemovePermission: statements in the queue's `Policy`
//! attribute, built the way AWS builds them (sqs-spec.md §4.8): policy version
//! `2008-10-17`, id `<queueArn>/SQSDefaultPolicy`, one statement per label.

use serde_json::{Value, json};

use crate::clock::Timestamp;
use crate::error::EngineError;

use super::Queue;

/// Most actions one AddPermission may grant.
const MAX_ACTIONS: usize = 7;

/// Actions only the queue owner may invoke, so they cannot be granted.
const OWNER_ONLY: [&str; 5] = [
    "AddPermission",
    "RemovePermission",
    "CreateQueue",
    "DeleteQueue",
    "SetQueueAttributes",
];

/// Actions that can be granted to other accounts.
const GRANTABLE: [&str; 12] = [
    "*",
    "SendMessage",
    "ReceiveMessage",
    "DeleteMessage",
    "ChangeMessageVisibility",
    "GetQueueAttributes",
    "GetQueueUrl",
    "ListDeadLetterSourceQueues",
    "PurgeQueue",
    "ListQueueTags",
    "StartMessageMoveTask",
    "ListMessageMoveTasks",
];

fn invalid_label(label: &str, reason: &str) -> EngineError {
    EngineError::InvalidParameterValue(format!(
        "Value {label} for parameter Label is invalid. Reason: {reason}"
    ))
}

/// One value, or an array when there are several (as AWS writes `Principal.AWS`
/// and `Action`).
fn one_or_many(mut values: Vec<String>) -> Value {
    if values.len() == 1 {
        Value::String(values.remove(0))
    } else {
        Value::from(values)
    }
}

impl Queue {
    /// The statements of the current policy (empty when there is none).
    fn policy_statements(&self) -> Vec<Value> {
        self.attrs
            .policy
            .as_deref()
            .and_then(|p| serde_json::from_str::<Value>(p).ok())
            .and_then(|p| p.get("Statement").cloned())
            .map(|s| match s {
                Value::Array(all) => all,
                one => vec![one],
            })
            .unwrap_or_default()
    }

    fn store_policy(&mut self, statements: Vec<Value>, now: Timestamp) {
        self.attrs.policy = (!statements.is_empty()).then(|| {
            json!({
                "Version": "2008-10-17",
                "Id": format!("{}/SQSDefaultPolicy", self.settings.arn),
                "Statement": statements,
            })
            .to_string()
        });
        self.last_modified = now;
    }

    /// AddPermission: grants `actions` to `account_ids` under `label`.
    pub fn add_permission(
        &mut self,
        label: &str,
        account_ids: &[String],
        actions: &[String],
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let label_ok = (1..=80).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !label_ok {
            return Err(invalid_label(
                label,
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.",
            ));
        }
        if actions.is_empty() {
            return Err(EngineError::MissingParameter("Actions".into()));
        }
        if account_ids.is_empty() {
            return Err(EngineError::InvalidParameterValue(
                "Value [] for parameter PrincipalId is invalid. Reason: Unable to verify.".into(),
            ));
        }
        if actions.len() > MAX_ACTIONS {
            return Err(EngineError::OverLimit(format!(
                "{} Actions were found, maximum allowed is {MAX_ACTIONS}.",
                actions.len()
            )));
        }
        for action in actions {
            let reason = if OWNER_ONLY.contains(&action.as_str()) {
                "Only the queue owner is allowed to invoke this action."
            } else if GRANTABLE.contains(&action.as_str()) {
                continue;
            } else {
                "Please refer to the appropriate WSDL for a list of valid actions."
            };
            return Err(EngineError::InvalidParameterValue(format!(
                "Value SQS:{action} for parameter ActionName is invalid. Reason: {reason}"
            )));
        }
        let mut statements = self.policy_statements();
        if statements.iter().any(|s| s["Sid"] == label) {
            return Err(invalid_label(label, "Already exists."));
        }
        let principals = account_ids
            .iter()
            .map(|id| format!("arn:aws:iam::{id}:root"))
            .collect();
        let actions = actions.iter().map(|a| format!("SQS:{a}")).collect();
        statements.push(json!({
            "Sid": label,
            "Effect": "Allow",
            "Principal": { "AWS": one_or_many(principals) },
            "Action": one_or_many(actions),
            "Resource": self.settings.arn,
        }));
        self.store_policy(statements, now);
        Ok(())
    }

    /// RemovePermission: drops the statement `label`; the last one takes the
    /// `Policy` attribute with it.
    pub fn remove_permission(&mut self, label: &str, now: Timestamp) -> Result<(), EngineError> {
        let mut statements = self.policy_statements();
        let before = statements.len();
        statements.retain(|s| s["Sid"] != label);
        if statements.len() == before {
            return Err(invalid_label(label, "can't find label."));
        }
        self.store_policy(statements, now);
        Ok(())
    }
}
