//! Subscription filter policies: parsing with AWS's limits and error texts, and
//! evaluation on message attributes or on the JSON body (sns-spec.md §5).
//!
//! A policy is an AND of conditions; a condition is a field (a dotted path) with
//! an OR of patterns, or an `$or` of sub-policies. Nesting is flattened into
//! dotted paths at parse time, and a body is flattened the same way before
//! matching, so `{"a.b": ..}` and `{"a": {"b": ..}}` mean the same on both sides,
//! as AWS matches them.

mod eval;
mod parse;

pub use eval::FilterInput;
pub use parse::{MAX_COMBINATIONS, MAX_KEYS, MAX_POLICY_BYTES};

use std::net::IpAddr;

/// What a policy is matched against (the subscription's `FilterPolicyScope`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum FilterScope {
    /// The publish's message attributes; no nesting (the default).
    #[default]
    MessageAttributes,
    /// The published message, which must be a JSON object.
    MessageBody,
}

impl FilterScope {
    /// The attribute value: `MessageAttributes` or `MessageBody`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MessageAttributes => "MessageAttributes",
            Self::MessageBody => "MessageBody",
        }
    }

    /// Parses the attribute value (case-sensitive, as AWS checks it).
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "MessageAttributes" => Some(Self::MessageAttributes),
            "MessageBody" => Some(Self::MessageBody),
            _ => None,
        }
    }
}

/// A parsed, validated filter policy.
#[derive(Clone, Debug, PartialEq)]
pub struct FilterPolicy {
    root: Conditions,
}

/// Conditions that must all hold.
#[derive(Clone, Debug, PartialEq)]
struct Conditions(Vec<Condition>);

#[derive(Clone, Debug, PartialEq)]
enum Condition {
    /// The value(s) at `path` match at least one pattern.
    Field {
        path: String,
        patterns: Vec<Pattern>,
    },
    /// At least one alternative holds.
    Or(Vec<Conditions>),
}

/// A literal of the policy or the payload.
#[derive(Clone, Debug, PartialEq)]
enum Literal {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

impl Literal {
    /// A JSON scalar as a literal; `None` for arrays and objects.
    fn from_json(value: &serde_json::Value) -> Option<Self> {
        use serde_json::Value;
        match value {
            Value::String(s) => Some(Self::Str(s.clone())),
            Value::Number(n) => n.as_f64().map(Self::Num),
            Value::Bool(b) => Some(Self::Bool(*b)),
            Value::Null => Some(Self::Null),
            Value::Array(_) | Value::Object(_) => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Pattern {
    Exact(Literal),
    Prefix(String),
    Suffix(String),
    EqualsIgnoreCase(String),
    /// Present, and none of its values is listed.
    AnythingBut(Vec<Literal>),
    /// Present, and none of its string values starts with this.
    AnythingButPrefix(String),
    /// `= x`, or a range with at most one lower and one upper bound.
    Numeric(Vec<(NumericOp, f64)>),
    Exists(bool),
    Cidr {
        network: IpAddr,
        bits: u8,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum NumericOp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl FilterPolicy {
    /// Parses and validates `text` for `scope`. The error is AWS's detail text,
    /// without the `Invalid parameter: ...FilterPolicy: ` prefix, which depends on
    /// the operation (see [`crate::subscription`]).
    pub fn parse(text: &str, scope: FilterScope) -> Result<Self, FilterPolicyError> {
        parse::policy(text, scope)
    }

    /// Whether a message with this input reaches the subscription.
    pub fn matches(&self, input: &FilterInput) -> bool {
        eval::conditions(&self.root, input)
    }
}

/// Why a filter policy was refused. `Detail` goes after `FilterPolicy: `; `Nested`
/// is worded on its own by AWS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilterPolicyError {
    Detail(String),
    /// "Filter policy scope MessageAttributes does not support nested filter policy".
    Nested,
}

#[cfg(test)]
mod tests;
