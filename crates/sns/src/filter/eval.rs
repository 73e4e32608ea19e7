//! Matching a [`FilterPolicy`] against a message: the input is flattened into
//! dotted paths -> values, from the attributes or from the JSON body (sns-spec.md §5.1).

use std::collections::BTreeMap;
use std::net::IpAddr;

use fifowin_engine::MessageAttributes;
use serde_json::Value;

use super::{Condition, Conditions, Literal, NumericOp, Pattern};

/// What a policy sees of one message: paths and their values, or nothing at all
/// (a body-scope policy on a message that is not a JSON object matches nothing).
#[derive(Clone, Debug, Default)]
pub struct FilterInput {
    fields: Option<BTreeMap<String, Vec<Literal>>>,
}

impl FilterInput {
    /// From message attributes: String is a string, `String.Array` a JSON array
    /// whose elements each may match, Number a number; Binary takes no part.
    pub fn from_attributes(attributes: &MessageAttributes) -> Self {
        let mut fields = BTreeMap::new();
        for (name, value) in attributes {
            let Some(text) = value.string_value.as_deref() else {
                continue;
            };
            let base = value.data_type.split('.').next().unwrap_or("");
            let values = if value.data_type == "String.Array" {
                match serde_json::from_str::<Value>(text) {
                    Ok(Value::Array(items)) => {
                        items.iter().filter_map(Literal::from_json).collect()
                    }
                    _ => vec![Literal::Str(text.to_string())],
                }
            } else if base == "Number" {
                match text.trim().parse::<f64>() {
                    Ok(n) => vec![Literal::Num(n)],
                    Err(_) => continue,
                }
            } else if base == "String" {
                vec![Literal::Str(text.to_string())]
            } else {
                continue;
            };
            fields.insert(name.clone(), values);
        }
        Self {
            fields: Some(fields),
        }
    }

    /// From the message body: only a JSON object takes part; nested objects are
    /// flattened to dotted paths and arrays give each element to their path.
    pub fn from_body(message: &str) -> Self {
        let Ok(Value::Object(map)) = serde_json::from_str::<Value>(message) else {
            return Self { fields: None };
        };
        let mut fields = BTreeMap::new();
        for (key, value) in &map {
            flatten(value, key, &mut fields);
        }
        Self {
            fields: Some(fields),
        }
    }

    fn values(&self, path: &str) -> &[Literal] {
        self.fields
            .as_ref()
            .and_then(|f| f.get(path))
            .map_or(&[], Vec::as_slice)
    }
}

fn flatten(value: &Value, path: &str, out: &mut BTreeMap<String, Vec<Literal>>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                flatten(inner, &format!("{path}.{key}"), out);
            }
        }
        Value::Array(items) => {
            for item in items {
                flatten(item, path, out);
            }
        }
        scalar => {
            if let Some(lit) = Literal::from_json(scalar) {
                out.entry(path.to_string()).or_default().push(lit);
            }
        }
    }
}

pub(super) fn conditions(conditions: &Conditions, input: &FilterInput) -> bool {
    if input.fields.is_none() {
        return false;
    }
    conditions.0.iter().all(|c| condition(c, input))
}

fn condition(condition: &Condition, input: &FilterInput) -> bool {
    match condition {
        Condition::Field { path, patterns } => {
            let values = input.values(path);
            patterns.iter().any(|p| pattern(p, values))
        }
        Condition::Or(alternatives) => alternatives.iter().any(|alt| conditions(alt, input)),
    }
}

/// Numbers match with five decimals of accuracy [D].
fn same_number(a: f64, b: f64) -> bool {
    (a * 1e5).round() == (b * 1e5).round()
}

fn same_literal(a: &Literal, b: &Literal) -> bool {
    match (a, b) {
        (Literal::Num(x), Literal::Num(y)) => same_number(*x, *y),
        _ => a == b,
    }
}

fn pattern(pattern: &Pattern, values: &[Literal]) -> bool {
    let strings = || {
        values.iter().filter_map(|v| match v {
            Literal::Str(s) => Some(s.as_str()),
            _ => None,
        })
    };
    match pattern {
        Pattern::Exists(wanted) => values.is_empty() != *wanted,
        // The key must be present, and no value listed (current docs: for an
        // array, none of its elements may be listed).
        Pattern::AnythingBut(listed) => {
            !values.is_empty()
                && !values
                    .iter()
                    .any(|v| listed.iter().any(|l| same_literal(l, v)))
        }
        Pattern::AnythingButPrefix(prefix) => {
            !values.is_empty() && !strings().any(|s| s.starts_with(prefix.as_str()))
        }
        Pattern::Exact(lit) => values.iter().any(|v| same_literal(lit, v)),
        Pattern::Prefix(prefix) => strings().any(|s| s.starts_with(prefix.as_str())),
        Pattern::Suffix(suffix) => strings().any(|s| s.ends_with(suffix.as_str())),
        Pattern::EqualsIgnoreCase(text) => {
            let wanted = text.to_lowercase();
            strings().any(|s| s.to_lowercase() == wanted)
        }
        Pattern::Numeric(terms) => values.iter().any(|v| match v {
            Literal::Num(n) => terms.iter().all(|(op, bound)| numeric(*op, *n, *bound)),
            _ => false,
        }),
        Pattern::Cidr { network, bits } => strings().any(|s| {
            s.parse::<IpAddr>()
                .is_ok_and(|ip| in_network(ip, *network, *bits))
        }),
    }
}

fn numeric(op: NumericOp, value: f64, bound: f64) -> bool {
    match op {
        NumericOp::Eq => same_number(value, bound),
        NumericOp::Lt => value < bound,
        NumericOp::Le => value <= bound,
        NumericOp::Gt => value > bound,
        NumericOp::Ge => value >= bound,
    }
}

fn in_network(ip: IpAddr, network: IpAddr, bits: u8) -> bool {
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}
