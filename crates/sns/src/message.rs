//! A publish's fields and their checks, in the order AWS applies them
//! (sns-spec.md §2.4): Subject, empty message, message attributes (code
//! `ParameterValueInvalid`), size, MessageStructure; the FIFO id checks need the
//! topic and live in [`crate::publish`].

use fifowin_engine::validate;
use fifowin_engine::{AttributeValue, MessageAttributes};

use crate::error::{ErrorCode, SnsError};

/// Largest message: UTF-8 Message plus every attribute's name, type and value.
pub const MAX_MESSAGE_BYTES: usize = 262_144;
/// A Subject is shorter than this many characters.
pub const MAX_SUBJECT_CHARS: usize = 100;
/// Longest attribute name and DataType, bytes.
pub const MAX_ATTRIBUTE_NAME_BYTES: usize = 256;

/// One message attribute as the request carries it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageAttributeInput {
    pub name: String,
    pub data_type: Option<String>,
    pub string_value: Option<String>,
    pub binary_value: Option<Vec<u8>>,
}

/// The message part of a Publish or of one PublishBatch entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PublishFields {
    pub message: Option<String>,
    pub subject: Option<String>,
    pub message_structure: Option<String>,
    pub message_attributes: Vec<MessageAttributeInput>,
    pub message_deduplication_id: Option<String>,
    pub message_group_id: Option<String>,
}

/// A publish whose fields passed the topic-independent checks.
#[derive(Clone, Debug)]
pub(crate) struct Checked {
    /// The Message parameter (what content-based dedup hashes).
    pub(crate) message: String,
    /// What SQS subscribers get: the Message, or the `sqs`/`default` entry.
    pub(crate) sqs_text: String,
    pub(crate) subject: Option<String>,
    pub(crate) attributes: MessageAttributes,
    /// Attributes are passed on only when the structure is not `json` [D].
    pub(crate) structured: bool,
    pub(crate) dedup_id: Option<String>,
    pub(crate) group_id: Option<String>,
}

fn value_invalid(text: String) -> SnsError {
    SnsError::new(ErrorCode::ParameterValueInvalid, text)
}

fn check_name(name: &str) -> Result<(), SnsError> {
    if name.len() > MAX_ATTRIBUTE_NAME_BYTES {
        return Err(value_invalid(
            "Length of message attribute name must be less than 256 bytes.".into(),
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(value_invalid(format!(
            "Invalid non-alphanumeric character '#x{:X}' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.",
            bad as u32
        )));
    }
    if name.starts_with('.') {
        return Err(value_invalid(
            "Invalid message attribute name starting with character '.' was found.".into(),
        ));
    }
    if name.ends_with('.') {
        return Err(value_invalid(
            "Invalid message attribute name ending with character '.' was found.".into(),
        ));
    }
    if name.contains("..") {
        return Err(value_invalid(
            "Message attribute name can not have successive '.' character.".into(),
        ));
    }
    Ok(())
}

/// Checks one attribute; returns it as SQS takes it.
fn check_attribute(attr: &MessageAttributeInput) -> Result<AttributeValue, SnsError> {
    let name = &attr.name;
    check_name(name)?;
    let Some(data_type) = &attr.data_type else {
        return Err(SnsError::missing(&format!(
            "messageAttributes.{name}.member.dataType"
        )));
    };
    let (base, label) = match data_type.split_once('.') {
        Some((base, label)) => (base, Some(label)),
        None => (data_type.as_str(), None),
    };
    if !matches!(base, "String" | "Number" | "Binary")
        || label.is_some_and(str::is_empty)
        || data_type.len() > MAX_ATTRIBUTE_NAME_BYTES
    {
        return Err(value_invalid(format!(
            "The message attribute '{name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."
        )));
    }
    let empty = || {
        value_invalid(format!(
            "The message attribute '{name}' must contain non-empty message attribute value for message attribute type '{base}'."
        ))
    };
    let wrong_field = |field: &str| {
        value_invalid(format!(
            "The message attribute '{name}' with type '{base}' must use field '{field}'."
        ))
    };
    let mut value = AttributeValue {
        data_type: data_type.clone(),
        ..AttributeValue::default()
    };
    if base == "Binary" {
        match (&attr.binary_value, &attr.string_value) {
            (Some(bytes), _) if !bytes.is_empty() => value.binary_value = Some(bytes.clone()),
            (None, Some(_)) => return Err(wrong_field("Binary")),
            _ => return Err(empty()),
        }
    } else {
        match (&attr.string_value, &attr.binary_value) {
            (Some(text), _) if !text.is_empty() => value.string_value = Some(text.clone()),
            (None, Some(_)) => return Err(wrong_field("String")),
            _ => return Err(empty()),
        }
    }
    Ok(value)
}

/// The bytes a publish counts against the size limit, before its checks (a
/// batch's total is checked first): Message and every attribute's name,
/// DataType and value.
pub(crate) fn unchecked_size(fields: &PublishFields) -> usize {
    fields.message.as_ref().map_or(0, String::len)
        + fields
            .message_attributes
            .iter()
            .map(|a| {
                a.name.len()
                    + a.data_type.as_ref().map_or(0, String::len)
                    + a.string_value.as_ref().map_or(0, String::len)
                    + a.binary_value.as_ref().map_or(0, Vec::len)
            })
            .sum::<usize>()
}

/// Checks that a MessageGroupId or MessageDeduplicationId has 1-128 characters
/// of `A-Za-z0-9` and ASCII punctuation.
pub(crate) fn check_id(member: &str, id: &str) -> Result<(), SnsError> {
    if validate::is_valid_token(id) {
        Ok(())
    } else {
        Err(SnsError::invalid(format!(
            "{member} Reason: {member} can only include alphanumeric and punctuation characters. 1 to 128 in length."
        )))
    }
}

/// The topic-independent checks, in AWS's order.
pub(crate) fn check(fields: &PublishFields) -> Result<Checked, SnsError> {
    if let Some(subject) = &fields.subject
        && (subject.is_empty()
            || subject.chars().count() >= MAX_SUBJECT_CHARS
            || subject.chars().any(char::is_control))
    {
        return Err(SnsError::invalid("Subject"));
    }
    let Some(message) = &fields.message else {
        return Err(SnsError::missing("message"));
    };
    if message.is_empty() {
        return Err(SnsError::invalid("Empty message"));
    }
    let mut attributes = MessageAttributes::new();
    for attr in &fields.message_attributes {
        attributes.insert(attr.name.clone(), check_attribute(attr)?);
    }
    if validate::message_size(message, &attributes) > MAX_MESSAGE_BYTES {
        return Err(SnsError::invalid("Message too long"));
    }
    let structured = match fields.message_structure.as_deref() {
        None => false,
        Some("json") => true,
        Some(_) => return Err(SnsError::invalid("MessageStructure")),
    };
    let sqs_text = if structured {
        per_protocol(message)?
    } else {
        message.clone()
    };
    if let Some(id) = &fields.message_group_id {
        check_id("MessageGroupId", id)?;
    }
    if let Some(id) = &fields.message_deduplication_id {
        check_id("MessageDeduplicationId", id)?;
    }
    Ok(Checked {
        message: message.clone(),
        sqs_text,
        subject: fields.subject.clone(),
        attributes,
        structured,
        dedup_id: fields.message_deduplication_id.clone(),
        group_id: fields.message_group_id.clone(),
    })
}

/// `MessageStructure=json`: the `sqs` entry if it is a string, else `default`.
fn per_protocol(message: &str) -> Result<String, SnsError> {
    let json: serde_json::Value = serde_json::from_str(message)
        .map_err(|_| SnsError::invalid("Message Structure - JSON message body failed to parse"))?;
    let default = json.get("default").and_then(serde_json::Value::as_str);
    let Some(default) = default else {
        return Err(SnsError::invalid(
            "Message Structure - No default entry in JSON message body",
        ));
    };
    Ok(json
        .get("sqs")
        .and_then(serde_json::Value::as_str)
        .unwrap_or(default)
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(message: &str) -> PublishFields {
        PublishFields {
            message: Some(message.to_string()),
            ..PublishFields::default()
        }
    }

    fn attr(
        name: &str,
        data_type: Option<&str>,
        s: Option<&str>,
        b: Option<&[u8]>,
    ) -> MessageAttributeInput {
        MessageAttributeInput {
            name: name.into(),
            data_type: data_type.map(Into::into),
            string_value: s.map(Into::into),
            binary_value: b.map(<[u8]>::to_vec),
        }
    }

    fn attr_error(a: MessageAttributeInput) -> SnsError {
        let mut f = fields("m");
        f.message_attributes.push(a);
        check(&f).unwrap_err()
    }

    #[test]
    fn subject_and_empty_message() {
        let mut f = fields("m");
        f.subject = Some(String::new());
        assert_eq!(check(&f).unwrap_err().message, "Invalid parameter: Subject");
        f.subject = Some("x".repeat(100));
        assert_eq!(check(&f).unwrap_err().message, "Invalid parameter: Subject");
        f.subject = Some("x".repeat(99));
        assert!(check(&f).is_ok());
        // Subject is checked before the message.
        let mut f = fields("");
        f.subject = Some(String::new());
        assert_eq!(check(&f).unwrap_err().message, "Invalid parameter: Subject");
        let err = check(&fields("")).unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (
                ErrorCode::InvalidParameter,
                "Invalid parameter: Empty message"
            )
        );
    }

    #[test]
    fn attribute_errors_word_for_word() {
        let e = attr_error(attr("attr1", Some("String"), Some(""), None));
        assert_eq!(e.code, ErrorCode::ParameterValueInvalid);
        assert_eq!(
            e.message,
            "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'String'."
        );
        let e = attr_error(attr("attr1", Some("Number"), None, Some(b"x")));
        assert_eq!(
            e.message,
            "The message attribute 'attr1' with type 'Number' must use field 'String'."
        );
        let e = attr_error(attr("attr1", Some("Binary"), Some("x"), None));
        assert_eq!(
            e.message,
            "The message attribute 'attr1' with type 'Binary' must use field 'Binary'."
        );
        for bad in ["String.", "Stringx", "Float"] {
            let e = attr_error(attr("attr1", Some(bad), Some("x"), None));
            assert_eq!(
                e.message,
                "The message attribute 'attr1' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.",
                "{bad}"
            );
        }
        assert!(
            check(&PublishFields {
                message_attributes: vec![attr("a", Some("String.x"), Some("v"), None)],
                ..fields("m")
            })
            .is_ok()
        );
        let e = attr_error(attr(&"a".repeat(257), Some("String"), Some("x"), None));
        assert_eq!(
            e.message,
            "Length of message attribute name must be less than 256 bytes."
        );
        let e = attr_error(attr("a^b", Some("String"), Some("x"), None));
        assert_eq!(
            e.message,
            "Invalid non-alphanumeric character '#x5E' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots."
        );
        let e = attr_error(attr(".a", Some("String"), Some("x"), None));
        assert_eq!(
            e.message,
            "Invalid message attribute name starting with character '.' was found."
        );
        let e = attr_error(attr("a.", Some("String"), Some("x"), None));
        assert_eq!(
            e.message,
            "Invalid message attribute name ending with character '.' was found."
        );
        let e = attr_error(attr("a..b", Some("String"), Some("x"), None));
        assert_eq!(
            e.message,
            "Message attribute name can not have successive '.' character."
        );
        let e = attr_error(attr("attr1", None, Some("x"), None));
        assert_eq!(e.code, ErrorCode::ValidationError);
        assert_eq!(
            e.message,
            "1 validation error detected: Value null at 'messageAttributes.attr1.member.dataType' failed to satisfy constraint: Member must not be null"
        );
    }

    #[test]
    fn size_counts_message_and_attributes_and_the_limit_itself_passes() {
        assert!(check(&fields(&"x".repeat(MAX_MESSAGE_BYTES))).is_ok());
        assert_eq!(
            check(&fields(&"x".repeat(MAX_MESSAGE_BYTES + 1)))
                .unwrap_err()
                .message,
            "Invalid parameter: Message too long"
        );
        let mut f = fields(&"x".repeat(MAX_MESSAGE_BYTES - 10));
        // 1 + 6 + 3 = 10 bytes: exactly at the limit.
        f.message_attributes
            .push(attr("a", Some("String"), Some("abc"), None));
        assert!(check(&f).is_ok());
        f.message_attributes[0].string_value = Some("abcd".into());
        assert_eq!(
            check(&f).unwrap_err().message,
            "Invalid parameter: Message too long"
        );
    }

    #[test]
    fn message_structure_json() {
        let mut f = fields(r#"{"default":"d","sqs":"s"}"#);
        f.message_structure = Some("json".into());
        assert_eq!(check(&f).unwrap().sqs_text, "s");
        f.message = Some(r#"{"default":"d","sqs":{"x":1}}"#.into());
        assert_eq!(check(&f).unwrap().sqs_text, "d");
        f.message = Some("not json".into());
        assert_eq!(
            check(&f).unwrap_err().message,
            "Invalid parameter: Message Structure - JSON message body failed to parse"
        );
        f.message = Some(r#"{"sqs":"s"}"#.into());
        assert_eq!(
            check(&f).unwrap_err().message,
            "Invalid parameter: Message Structure - No default entry in JSON message body"
        );
    }

    #[test]
    fn ids_are_1_to_128_printable_ascii() {
        assert!(check_id("MessageGroupId", &"a".repeat(128)).is_ok());
        assert!(check_id("MessageGroupId", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~").is_ok());
        assert!(check_id("MessageGroupId", &"a".repeat(129)).is_err());
        assert!(check_id("MessageGroupId", "a b").is_err());
        assert!(check_id("MessageDeduplicationId", "é").is_err());
        assert!(check_id("MessageGroupId", "").is_err());
    }
}
