//! Validation of names, ids, bodies and message attributes (sqs-spec.md §3.2, §4.3),
//! with the exact texts AWS answers.

use crate::error::EngineError;
use crate::message::{AttributeValue, MessageAttributes};

/// Most entries in one batch request.
pub const MAX_BATCH_ENTRIES: usize = 10;
/// Largest SendMessageBatch payload (body + attribute bytes over all entries),
/// whatever the queue's MaximumMessageSize.
pub const MAX_BATCH_BYTES: usize = 1_048_576;
/// Most user attributes on one message.
pub const MAX_MESSAGE_ATTRIBUTES: usize = 10;

const ALLOWED_CHARS: &str =
    "#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]";
const STANDARD_NAME_TEXT: &str =
    "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length";
const FIFO_NAME_TEXT: &str = "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.";

/// A queue name: 1–80 of `[A-Za-z0-9_-]`; a FIFO name must end in `.fifo`
/// (the suffix counts toward the 80).
pub fn queue_name(name: &str, fifo: bool) -> Result<(), EngineError> {
    let (stem, text) = if fifo {
        (name.strip_suffix(".fifo"), FIFO_NAME_TEXT)
    } else {
        (Some(name), STANDARD_NAME_TEXT)
    };
    let ok = stem.is_some_and(|stem| {
        !stem.is_empty()
            && name.len() <= 80
            && stem
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    });
    if ok {
        Ok(())
    } else {
        Err(EngineError::InvalidParameterValue(text.into()))
    }
}

/// The charset of dedup ids, group ids and receive attempt ids: ASCII letters,
/// digits and punctuation, 1–128 long.
pub fn is_valid_token(value: &str) -> bool {
    (1..=128).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_graphic())
}

/// Checks a MessageDeduplicationId or MessageGroupId (`parameter` names which).
pub fn token(parameter: &str, value: &str) -> Result<(), EngineError> {
    if is_valid_token(value) {
        Ok(())
    } else {
        Err(EngineError::InvalidParameterValue(format!(
            "Value {value} for parameter {parameter} is invalid. Reason: {parameter} can only include alphanumeric and punctuation characters. 1 to 128 in length."
        )))
    }
}

/// A batch entry id: `[A-Za-z0-9_-]{1,80}`.
pub fn is_valid_batch_entry_id(id: &str) -> bool {
    (1..=80).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Whole-request checks every batch operation shares: entry count, id syntax
/// and distinct ids. `entry_type` names the entry shape for the empty-batch text.
pub fn batch_shape<'a>(
    entry_type: &str,
    ids: impl ExactSizeIterator<Item = &'a str> + Clone,
) -> Result<(), EngineError> {
    let n = ids.len();
    if n == 0 {
        return Err(EngineError::EmptyBatchRequest(entry_type.into()));
    }
    if n > MAX_BATCH_ENTRIES {
        return Err(EngineError::TooManyEntriesInBatchRequest(n));
    }
    if !ids.clone().all(is_valid_batch_entry_id) {
        return Err(EngineError::InvalidBatchEntryId);
    }
    // At most ten ids: the quadratic scan is cheaper than a set.
    for (i, id) in ids.clone().enumerate() {
        if ids.clone().take(i).any(|earlier| earlier == id) {
            return Err(EngineError::BatchEntryIdsNotDistinct(id.into()));
        }
    }
    Ok(())
}

fn is_allowed_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn first_disallowed(text: &str) -> Option<char> {
    // Bodies are mostly ASCII: skip allowed ASCII bytes in a byte loop and decode
    // chars only from the first byte that needs a closer look (a char boundary,
    // since every byte before it is ASCII).
    let plain = |b: u8| matches!(b, b'\t' | b'\n' | b'\r' | 0x20..=0x7f);
    let mut start = 0;
    // Whole chunks first, tested without an early exit so the test vectorises.
    for chunk in text.as_bytes().chunks(32) {
        if chunk.iter().fold(true, |all, &b| all & plain(b)) {
            start += chunk.len();
        } else {
            start += chunk.iter().position(|&b| !plain(b)).unwrap_or(chunk.len());
            break;
        }
    }
    text[start..].chars().find(|&c| !is_allowed_char(c))
}

/// The body's characters; `InvalidMessageContents` naming the first bad one.
pub fn body_chars(body: &str) -> Result<(), EngineError> {
    match first_disallowed(body) {
        None => Ok(()),
        Some(c) => Err(EngineError::InvalidMessageContents(format!(
            "Invalid binary character '#x{:X}' was found in the message body, the set of allowed characters is {ALLOWED_CHARS}.",
            u32::from(c)
        ))),
    }
}

/// The per-message DelaySeconds range (standard queues).
pub fn delay_seconds(value: i64) -> Result<u32, EngineError> {
    u32::try_from(value)
        .ok()
        .filter(|v| *v <= 900)
        .ok_or_else(|| {
            EngineError::InvalidParameterValue(format!(
                "Value {value} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900."
            ))
        })
}

fn invalid(text: String) -> EngineError {
    EngineError::InvalidParameterValue(text)
}

/// User message attributes: count, names, data types and values.
pub fn message_attributes(attributes: &MessageAttributes) -> Result<(), EngineError> {
    if attributes.len() > MAX_MESSAGE_ATTRIBUTES {
        return Err(invalid(format!(
            "Number of message attributes [{}] exceeds the allowed maximum [{MAX_MESSAGE_ATTRIBUTES}].",
            attributes.len()
        )));
    }
    for (name, value) in attributes {
        attribute_name(name)?;
        attribute_value(name, value)?;
    }
    Ok(())
}

fn attribute_name(name: &str) -> Result<(), EngineError> {
    if name.is_empty() {
        return Err(invalid(
            "The request must contain non-empty message (user) attribute names.".into(),
        ));
    }
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("aws.") || lower.starts_with("amazon.") {
        return Err(invalid(format!(
            "Message (user) attribute name '{name}' is reserved for use by AWS."
        )));
    }
    let chars_ok = name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !chars_ok
        || name.chars().count() > 256
        || name.starts_with('.')
        || name.ends_with('.')
        || name.contains("..")
    {
        return Err(invalid(format!(
            "Message (user) attribute name '{name}' is invalid. It can only contain alphanumeric characters, hyphens, underscores and periods, must not start or end with a period, must not contain two consecutive periods and can be at most 256 characters long."
        )));
    }
    Ok(())
}

/// The base type (`String`, `Number`, `Binary`) of a data type with an optional label.
fn base_type(data_type: &str) -> Option<&'static str> {
    ["String", "Number", "Binary"].into_iter().find(|base| {
        data_type
            .strip_prefix(base)
            .is_some_and(|rest| rest.is_empty() || rest.len() > 1 && rest.starts_with('.'))
    })
}

fn attribute_value(name: &str, value: &AttributeValue) -> Result<(), EngineError> {
    if value.data_type.is_empty() {
        return Err(invalid(format!(
            "Message (user) attribute '{name}' must contain a non-empty attribute type."
        )));
    }
    let base = match base_type(&value.data_type) {
        Some(base) if value.data_type.chars().count() <= 256 => base,
        _ => {
            return Err(invalid(format!(
                "The message attribute '{name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."
            )));
        }
    };
    let missing = || {
        invalid(format!(
            "Message (user) attribute '{name}' must contain a non-empty value of type '{base}'."
        ))
    };
    if base == "Binary" {
        return match &value.binary_value {
            Some(b) if !b.is_empty() => Ok(()),
            _ => Err(missing()),
        };
    }
    let text = match &value.string_value {
        Some(s) if !s.is_empty() => s,
        _ => return Err(missing()),
    };
    if base == "Number" && !is_number(text) {
        return Err(invalid(format!(
            "Can't cast the value of message (user) attribute '{name}' to a number."
        )));
    }
    if let Some(c) = first_disallowed(text) {
        return Err(invalid(format!(
            "Invalid binary character '#x{:X}' was found in the value of message (user) attribute '{name}', the set of allowed characters is {ALLOWED_CHARS}.",
            u32::from(c)
        )));
    }
    Ok(())
}

/// A decimal number as SQS Number attributes accept it: sign, digits, fraction, exponent.
fn is_number(text: &str) -> bool {
    let s = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// Message system attributes: only `AWSTraceHeader` (a String). Returns its value.
pub fn system_attributes(attributes: &MessageAttributes) -> Result<Option<String>, EngineError> {
    let mut trace = None;
    for (name, value) in attributes {
        if name != "AWSTraceHeader" {
            return Err(invalid(format!(
                "Message system attribute name '{name}' is invalid."
            )));
        }
        match (&value.string_value, value.data_type.as_str()) {
            (Some(s), "String") if !s.is_empty() => trace = Some(s.clone()),
            _ => {
                return Err(invalid(format!(
                    "Message system attribute '{name}' must contain a non-empty value of type 'String'."
                )));
            }
        }
    }
    Ok(trace)
}

/// Bytes a message counts against MaximumMessageSize: the body plus every user
/// attribute's name, data type and value (system attributes don't count).
pub fn message_size(body: &str, attributes: &MessageAttributes) -> usize {
    body.len()
        + attributes
            .iter()
            .map(|(name, v)| {
                name.len()
                    + v.data_type.len()
                    + v.string_value.as_ref().map_or(0, String::len)
                    + v.binary_value.as_ref().map_or(0, Vec::len)
                    + v.string_list_values.iter().map(String::len).sum::<usize>()
                    + v.binary_list_values.iter().map(Vec::len).sum::<usize>()
            })
            .sum::<usize>()
}

/// The size rule; `batch` picks the wording AWS uses for batch entries.
pub fn size(actual: usize, max: u32, batch: bool) -> Result<(), EngineError> {
    if actual <= max as usize {
        return Ok(());
    }
    let lead = if batch {
        "One or more parameters cannot be validated."
    } else {
        "One or more parameters are invalid."
    };
    Err(invalid(format!(
        "{lead} Reason: Message must be shorter than {max} bytes."
    )))
}

#[cfg(test)]
mod tests;
