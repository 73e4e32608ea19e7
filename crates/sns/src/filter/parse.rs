//! Filter policy JSON -> [`FilterPolicy`], with AWS's limits (5 keys, 150
//! combinations) and error texts (sns-spec.md §5.3).

use std::collections::BTreeSet;
use std::net::IpAddr;

use serde_json::{Map, Value};

use super::{
    Condition, Conditions, FilterPolicy, FilterPolicyError, FilterScope, Literal, NumericOp,
    Pattern,
};

/// Most keys a policy may name.
pub const MAX_KEYS: usize = 5;
/// Most value combinations a policy may be worth (the product of its arrays' lengths).
pub const MAX_COMBINATIONS: u64 = 150;
/// Largest policy text, bytes.
pub const MAX_POLICY_BYTES: usize = 256 * 1024;

type Result<T> = std::result::Result<T, FilterPolicyError>;

fn detail(text: impl Into<String>) -> FilterPolicyError {
    FilterPolicyError::Detail(text.into())
}

pub(super) fn policy(text: &str, scope: FilterScope) -> Result<FilterPolicy> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(detail("Filter policy is too long"));
    }
    let value: Value =
        serde_json::from_str(text).map_err(|err| detail(format!("failed to parse JSON. {err}")))?;
    // AWS's parser reports a non-object document as a parse failure.
    let Value::Object(map) = value else {
        return Err(detail(
            "failed to parse JSON. Filter policy must be a JSON object",
        ));
    };
    let mut top_keys = BTreeSet::new();
    let mut leaf_paths = BTreeSet::new();
    let root = object(
        &map,
        "",
        scope,
        &mut Keys {
            top: &mut top_keys,
            leaves: &mut leaf_paths,
        },
    )?;
    // The body scope counts top-level keys [D]; attributes have no nesting, so
    // their top-level keys are their leaves.
    let keys = match scope {
        FilterScope::MessageAttributes => leaf_paths.len(),
        FilterScope::MessageBody => top_keys.len(),
    };
    if keys > MAX_KEYS {
        return Err(detail("Filter policy can not have more than 5 keys"));
    }
    if combinations(&root) > MAX_COMBINATIONS {
        return Err(detail("Filter policy is too complex"));
    }
    Ok(FilterPolicy { root })
}

/// The keys a policy names, for the 5-key limit.
struct Keys<'a> {
    top: &'a mut BTreeSet<String>,
    leaves: &'a mut BTreeSet<String>,
}

/// Flat count: the product of the arrays' lengths; an `$or` is worth the sum of
/// its alternatives. Nested keys count like flat ones (how AWS weights depth
/// is not documented).
fn combinations(conditions: &Conditions) -> u64 {
    conditions
        .0
        .iter()
        .map(|c| match c {
            Condition::Field { patterns, .. } => patterns.len() as u64,
            Condition::Or(alternatives) => alternatives.iter().map(combinations).sum(),
        })
        .fold(1u64, u64::saturating_mul)
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn object(
    map: &Map<String, Value>,
    prefix: &str,
    scope: FilterScope,
    keys: &mut Keys<'_>,
) -> Result<Conditions> {
    let mut out = Vec::with_capacity(map.len());
    for (key, value) in map {
        if key == "$or" {
            out.push(or(value, prefix, scope, keys)?);
            continue;
        }
        let path = join(prefix, key);
        if prefix.is_empty() {
            keys.top.insert(key.clone());
        }
        match value {
            Value::Array(items) => {
                if items.is_empty() {
                    return Err(detail("Empty arrays are not allowed"));
                }
                let patterns = items.iter().map(pattern).collect::<Result<Vec<_>>>()?;
                keys.leaves.insert(path.clone());
                out.push(Condition::Field { path, patterns });
            }
            Value::Object(inner) => {
                if scope == FilterScope::MessageAttributes {
                    return Err(FilterPolicyError::Nested);
                }
                out.extend(object(inner, &path, scope, keys)?.0);
            }
            _ => return Err(detail(format!("\"{key}\" must be an object or an array"))),
        }
    }
    Ok(Conditions(out))
}

fn or(value: &Value, prefix: &str, scope: FilterScope, keys: &mut Keys<'_>) -> Result<Condition> {
    let Value::Array(items) = value else {
        return Err(detail("\"$or\" must be an object or an array"));
    };
    if items.len() < 2 {
        return Err(detail("\"$or\" must have at least 2 elements"));
    }
    let alternatives = items
        .iter()
        .map(|item| match item {
            Value::Object(map) => object(map, prefix, scope, keys),
            _ => Err(detail("\"$or\" elements must be objects")),
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Condition::Or(alternatives))
}

fn pattern(value: &Value) -> Result<Pattern> {
    if let Some(lit) = Literal::from_json(value) {
        return Ok(Pattern::Exact(lit));
    }
    let Value::Object(map) = value else {
        return Err(detail(
            "Match value must be String, number, true, false, or null",
        ));
    };
    let mut entries = map.iter();
    let (Some((kind, arg)), None) = (entries.next(), entries.next()) else {
        return Err(detail("Only one key allowed in match expression"));
    };
    let string = |name: &str| match arg {
        Value::String(s) => Ok(s.clone()),
        _ => Err(detail(format!("{name} match pattern must be a string"))),
    };
    Ok(match kind.as_str() {
        "prefix" => Pattern::Prefix(string("prefix")?),
        "suffix" => Pattern::Suffix(string("suffix")?),
        "equals-ignore-case" => Pattern::EqualsIgnoreCase(string("equals-ignore-case")?),
        "anything-but" => anything_but(arg)?,
        "numeric" => numeric(arg)?,
        "exists" => match arg {
            Value::Bool(b) => Pattern::Exists(*b),
            _ => return Err(detail("exists match pattern must be either true or false.")),
        },
        "cidr" => cidr(arg)?,
        other => return Err(detail(format!("Unrecognized match type {other}"))),
    })
}

fn anything_but(arg: &Value) -> Result<Pattern> {
    let bad = || detail("Value of anything-but must be an array or single string/number value.");
    match arg {
        Value::String(_) | Value::Number(_) => Ok(Pattern::AnythingBut(vec![
            Literal::from_json(arg).ok_or_else(bad)?,
        ])),
        Value::Array(items) => {
            if items.is_empty() {
                return Err(detail("Empty arrays are not allowed"));
            }
            items
                .iter()
                .map(|item| match item {
                    Value::String(_) | Value::Number(_) => Literal::from_json(item).ok_or_else(bad),
                    _ => Err(bad()),
                })
                .collect::<Result<Vec<_>>>()
                .map(Pattern::AnythingBut)
        }
        Value::Object(map) => {
            let mut entries = map.iter();
            let (Some((kind, inner)), None) = (entries.next(), entries.next()) else {
                return Err(detail("Only one key allowed in match expression"));
            };
            // Only `prefix` nests inside anything-but [V].
            if kind != "prefix" {
                return Err(detail(format!("Unsupported anything-but pattern: {kind}")));
            }
            match inner {
                Value::String(s) => Ok(Pattern::AnythingButPrefix(s.clone())),
                _ => Err(detail("prefix match pattern must be a string")),
            }
        }
        Value::Bool(_) | Value::Null => Err(bad()),
    }
}

fn numeric(arg: &Value) -> Result<Pattern> {
    let Value::Array(items) = arg else {
        return Err(detail("Value of numeric must be an array."));
    };
    if items.is_empty() {
        return Err(detail("Empty arrays are not allowed"));
    }
    if items.len() > 4 {
        return Err(detail("Too many terms in numeric range expression"));
    }
    let mut terms = Vec::new();
    for pair in items.chunks(2) {
        let op = match pair[0].as_str() {
            Some("=") => NumericOp::Eq,
            Some("<") => NumericOp::Lt,
            Some("<=") => NumericOp::Le,
            Some(">") => NumericOp::Gt,
            Some(">=") => NumericOp::Ge,
            _ => {
                return Err(detail(format!(
                    "Unrecognized numeric range operator: {}",
                    pair[0]
                )));
            }
        };
        let name = match op {
            NumericOp::Eq => "=",
            NumericOp::Lt => "<",
            NumericOp::Le => "<=",
            NumericOp::Gt => ">",
            NumericOp::Ge => ">=",
        };
        let value = pair
            .get(1)
            .and_then(Value::as_f64)
            .ok_or_else(|| detail(format!("Value of {name} must be numeric")))?;
        terms.push((op, value));
    }
    let lower: Vec<f64> = bounds(&terms, &[NumericOp::Gt, NumericOp::Ge]);
    let upper: Vec<f64> = bounds(&terms, &[NumericOp::Lt, NumericOp::Le]);
    let equal = bounds(&terms, &[NumericOp::Eq]);
    if lower.len() > 1 || upper.len() > 1 || (!equal.is_empty() && terms.len() > 1) {
        return Err(detail("Too many terms in numeric range expression"));
    }
    if let (Some(bottom), Some(top)) = (lower.first(), upper.first())
        && bottom >= top
    {
        return Err(detail("Bottom must be less than top"));
    }
    Ok(Pattern::Numeric(terms))
}

fn bounds(terms: &[(NumericOp, f64)], ops: &[NumericOp]) -> Vec<f64> {
    terms
        .iter()
        .filter(|(op, _)| ops.contains(op))
        .map(|(_, v)| *v)
        .collect()
}

fn cidr(arg: &Value) -> Result<Pattern> {
    let Value::String(text) = arg else {
        return Err(detail("cidr match pattern must be a string"));
    };
    let mut parts = text.split('/');
    let (Some(ip), Some(bits), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(detail("Malformed CIDR, one '/' required"));
    };
    let network: IpAddr = ip
        .parse()
        .map_err(|_| detail(format!("Nonstandard IP address: {ip}")))?;
    let max = if network.is_ipv4() { 32 } else { 128 };
    let bits: u8 = bits.parse().ok().filter(|b| *b <= max).ok_or_else(|| {
        detail(format!(
            "Malformed CIDR, mask bits must be an integer 0..={max}"
        ))
    })?;
    Ok(Pattern::Cidr { network, bits })
}
