//! JSONL attempt logs: one JSON object per line, fields found by name, or
//! by a dotted path (`attributes.dedup_id`) when no key has the whole name.
//! Ids may be strings or numbers, times RFC 3339 strings or numbers (kept
//! exact as written), attempts numbers or digit strings.

use super::time::NumberUnit;
use super::{AttemptFields, Messages, Row, default_source, parse_attempt};
use crate::error::AnalyzerError;
use serde_json::{Map, Value};
use std::path::Path;

/// Reads the rows into `messages`; returns whether they carried attempt numbers.
pub(super) fn read(
    path: &Path,
    text: &str,
    fields: &AttemptFields,
    unit: &mut NumberUnit,
    messages: &mut Messages,
) -> Result<bool, AnalyzerError> {
    let (attempt_field, attempt_required) = fields.attempt_field();
    let (source_field, source_required) = fields.source_field();
    let mut numbered = false;
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fail = |problem: String| AnalyzerError::parse(path, index + 1, problem);
        let value: Value =
            serde_json::from_str(line).map_err(|e| fail(format!("invalid JSON: {e}")))?;
        let obj = value
            .as_object()
            .ok_or_else(|| fail("expected a JSON object per line".into()))?;
        let missing = |name: &str| fail(format!("field `{name}` is missing"));
        let id = match lookup(obj, &fields.id) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(other) => {
                return Err(fail(format!(
                    "field `{}`: {other} is not a non-empty string or a number",
                    fields.id
                )));
            }
            None => return Err(missing(&fields.id)),
        };
        let t_ns = match lookup(obj, &fields.time) {
            Some(Value::String(s)) => unit.parse(s),
            Some(Value::Number(n)) => unit.parse(&n.to_string()),
            Some(other) => Err(format!("{other} is not a time")),
            None => return Err(missing(&fields.time)),
        }
        .map_err(|p| fail(format!("field `{}`: {p}", fields.time)))?;
        let attempt = match lookup(obj, attempt_field) {
            Some(Value::Number(n)) => Some(parse_attempt(&n.to_string())),
            Some(Value::String(s)) => Some(parse_attempt(s)),
            Some(other) => Some(Err(format!("{other} is not an attempt number"))),
            None if attempt_required => return Err(missing(attempt_field)),
            None => None,
        }
        .transpose()
        .map_err(|p| fail(format!("field `{attempt_field}`: {p}")))?;
        numbered |= attempt.is_some();
        let source = match lookup(obj, source_field) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::String(_) | Value::Null) => default_source(),
            None if !source_required => default_source(),
            None => return Err(missing(source_field)),
            Some(other) => {
                return Err(fail(format!(
                    "field `{source_field}`: {other} is not a source name"
                )));
            }
        };
        messages
            .push(
                id,
                Row {
                    attempt,
                    t_ns,
                    source,
                },
            )
            .map_err(fail)?;
    }
    Ok(numbered)
}

/// The value of `name`: a key of that name, else a dotted path of keys.
fn lookup<'v>(obj: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    if let Some(v) = obj.get(name) {
        return Some(v);
    }
    let mut parts = name.split('.');
    let mut current = obj.get(parts.next()?)?;
    for part in parts {
        current = current.as_object()?.get(part)?;
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_found_by_name_or_dotted_path() {
        let v: Value =
            serde_json::from_str(r#"{"a.b":1,"attributes":{"dedup":{"id":"m"}}}"#).unwrap();
        let obj = v.as_object().unwrap();
        assert_eq!(lookup(obj, "a.b"), Some(&Value::from(1)));
        assert_eq!(lookup(obj, "attributes.dedup.id"), Some(&Value::from("m")));
        assert_eq!(lookup(obj, "attributes.nope"), None);
    }
}
