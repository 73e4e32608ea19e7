//! Query parameters -> the JSON document the AWS JSON 1.0 codec would have received,
//! so both protocols decode into the very same [`Request`] through the same serde
//! types. The flattener walks the operation's [`schema`](super::schema): it never
//! allocates by an index a client sent, and every malformed list is an error.

use std::collections::BTreeSet;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

use super::form::Params;
use super::schema::{Member, Shape};
use crate::error::{ErrorCode, SqsError};

fn invalid(value: &str, parameter: &str, reason: &str) -> SqsError {
    SqsError::new(
        ErrorCode::InvalidParameterValue,
        format!("Value {value} for parameter {parameter} is invalid. Reason: {reason}"),
    )
}

/// Whether any parameter starts with `prefix`.
fn any_with_prefix(params: &Params, prefix: &str) -> bool {
    params
        .range::<str, _>((
            std::ops::Bound::Included(prefix),
            std::ops::Bound::Unbounded,
        ))
        .next()
        .is_some_and(|(k, _)| k.starts_with(prefix))
}

/// Builds the JSON object for `members`, reading parameters under `prefix`
/// (empty at the top, `Entry.3.` inside a list item).
pub(crate) fn structure(
    params: &Params,
    prefix: &str,
    members: &[Member],
) -> Result<Map<String, Value>, SqsError> {
    let mut out = Map::new();
    for member in members {
        let at = format!("{prefix}{}", member.name);
        if let Some(value) = member_value(params, prefix, &at, member.shape)? {
            out.insert(member.name.to_string(), value);
        }
    }
    Ok(out)
}

/// The value of one member found at `at` (its own name under `prefix`).
fn member_value(
    params: &Params,
    prefix: &str,
    at: &str,
    shape: &Shape,
) -> Result<Option<Value>, SqsError> {
    match shape {
        Shape::Str | Shape::Int | Shape::Blob => {
            params.get(at).map(|v| scalar(v, at, shape)).transpose()
        }
        Shape::Struct(members) => {
            let inner = format!("{at}.");
            if !any_with_prefix(params, &inner) {
                return Ok(None);
            }
            structure(params, &inner, members).map(|o| Some(Value::Object(o)))
        }
        Shape::List { elements, item } => {
            let Some((element, indices)) = indexed(params, prefix, at, elements)? else {
                return Ok(None);
            };
            let mut items = Vec::with_capacity(indices);
            for i in 1..=indices {
                let item_at = format!("{prefix}{element}.{i}");
                let value = member_value(params, prefix, &item_at, item)?
                    .ok_or_else(|| SqsError::missing(&item_at))?;
                items.push(value);
            }
            Ok(Some(Value::Array(items)))
        }
        Shape::Map {
            elements,
            key,
            value,
            item,
        } => {
            let Some((element, indices)) = indexed(params, prefix, at, elements)? else {
                return Ok(None);
            };
            let mut map = Map::new();
            for i in 1..=indices {
                let entry = format!("{prefix}{element}.{i}.");
                let key_at = format!("{entry}{key}");
                let name = params
                    .get(&key_at)
                    .ok_or_else(|| SqsError::missing(&key_at))?;
                let value_at = format!("{entry}{value}");
                let v = member_value(params, &entry, &value_at, item)?
                    .ok_or_else(|| SqsError::missing(&value_at))?;
                if map.insert(name.clone(), v).is_some() {
                    return Err(invalid(name, &key_at, "The name was given more than once."));
                }
            }
            Ok(Some(Value::Object(map)))
        }
    }
}

fn scalar(raw: &str, at: &str, shape: &Shape) -> Result<Value, SqsError> {
    match shape {
        Shape::Int => raw
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| invalid(raw, at, "Must be an integer.")),
        Shape::Blob => match STANDARD.decode(raw.as_bytes()) {
            Ok(_) => Ok(Value::String(raw.to_string())),
            Err(_) => Err(invalid(raw, at, "Must be base64-encoded binary data.")),
        },
        _ => Ok(Value::String(raw.to_string())),
    }
}

/// Finds the flattened entries of a list or map member: which accepted element
/// name was used and how many entries it has. `Ok(None)` when the member is
/// absent; `Some(0)` for the empty-list form (`Member=` or `Element=`).
/// Indices must be 1, 2, ... n without gaps; anything else is named in the error.
fn indexed<'a>(
    params: &Params,
    prefix: &str,
    at: &str,
    elements: &[&'a str],
) -> Result<Option<(&'a str, usize)>, SqsError> {
    for element in elements {
        let base = format!("{prefix}{element}");
        let dotted = format!("{base}.");
        let mut seen = BTreeSet::new();
        let keys = params
            .range::<str, _>((
                std::ops::Bound::Included(dotted.as_str()),
                std::ops::Bound::Unbounded,
            ))
            .take_while(|(k, _)| k.starts_with(&dotted));
        for (k, _) in keys {
            let index = k[dotted.len()..].split('.').next().unwrap_or("");
            match index.parse::<usize>() {
                Ok(i)
                    if i >= 1
                        && !index.starts_with('0')
                        && index.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    seen.insert(i);
                }
                _ => {
                    return Err(invalid(
                        index,
                        &base,
                        "List indices must be whole numbers starting at 1.",
                    ));
                }
            }
        }
        if let Some(&last) = seen.last() {
            if last != seen.len() {
                let missing = (1..).find(|i| !seen.contains(i)).unwrap_or(last);
                return Err(invalid(
                    &last.to_string(),
                    &base,
                    &format!(
                        "List indices must be consecutive from 1; index {missing} is missing."
                    ),
                ));
            }
            return Ok(Some((element, last)));
        }
    }
    // The empty-collection form: botocore sends the member name with no value.
    let is_empty_marker = |name: &str| params.get(name).is_some_and(String::is_empty);
    let empty = is_empty_marker(at)
        || elements
            .iter()
            .any(|e| is_empty_marker(&format!("{prefix}{e}")));
    Ok(empty.then_some((elements[0], 0)))
}
