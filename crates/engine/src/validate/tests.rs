//! Unit tests of the validation rules and their texts.

use super::*;

fn text(err: EngineError) -> String {
    err.to_string()
}

fn string_attr(v: &str) -> AttributeValue {
    AttributeValue {
        data_type: "String".into(),
        string_value: Some(v.into()),
        ..AttributeValue::default()
    }
}

fn one(name: &str, v: AttributeValue) -> MessageAttributes {
    MessageAttributes::from([(name.to_string(), v)])
}

#[test]
fn queue_names() {
    assert!(queue_name("a", false).is_ok());
    assert!(queue_name(&"a".repeat(80), false).is_ok());
    assert!(queue_name(&"a".repeat(81), false).is_err());
    assert!(queue_name("", false).is_err());
    assert!(queue_name("a.b", false).is_err());
    assert!(queue_name("a b", false).is_err());
    assert!(queue_name("Ab_-9", false).is_ok());
    assert!(
        queue_name("q.fifo", false).is_err(),
        "a dot is not allowed in a standard name"
    );
    assert!(queue_name("q.fifo", true).is_ok());
    assert!(queue_name(".fifo", true).is_err());
    assert!(queue_name("q", true).is_err());
    assert!(queue_name(&format!("{}.fifo", "a".repeat(75)), true).is_ok());
    assert!(queue_name(&format!("{}.fifo", "a".repeat(76)), true).is_err());
    assert_eq!(text(queue_name("q", true).unwrap_err()), FIFO_NAME_TEXT);
}

#[test]
fn tokens() {
    assert!(is_valid_token(&"x".repeat(128)));
    assert!(!is_valid_token(&"x".repeat(129)));
    assert!(!is_valid_token(""));
    assert!(!is_valid_token("a b"));
    assert!(!is_valid_token("é"));
    assert!(is_valid_token("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~aZ09"));
    assert_eq!(
        text(token("MessageGroupId", "a b").unwrap_err()),
        "Value a b for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length."
    );
}

#[test]
fn batch_entry_ids() {
    assert!(is_valid_batch_entry_id("a-b_C9"));
    assert!(is_valid_batch_entry_id(&"a".repeat(80)));
    assert!(!is_valid_batch_entry_id(&"a".repeat(81)));
    assert!(!is_valid_batch_entry_id(""));
    assert!(!is_valid_batch_entry_id("a.b"));
}

#[test]
fn batch_shape_rules() {
    let e = "SendMessageBatchRequestEntry";
    assert_eq!(
        batch_shape(e, [].into_iter()),
        Err(EngineError::EmptyBatchRequest(e.into()))
    );
    let many: Vec<String> = (0..11).map(|i| i.to_string()).collect();
    assert_eq!(
        batch_shape(e, many.iter().map(String::as_str)),
        Err(EngineError::TooManyEntriesInBatchRequest(11))
    );
    assert_eq!(
        batch_shape(e, ["ok", "bad id"].into_iter()),
        Err(EngineError::InvalidBatchEntryId)
    );
    assert_eq!(
        batch_shape(e, ["a", "b", "a"].into_iter()),
        Err(EngineError::BatchEntryIdsNotDistinct("a".into()))
    );
    assert!(batch_shape(e, ["a", "b"].into_iter()).is_ok());
}

#[test]
fn body_characters() {
    assert!(body_chars("tab\tnl\ncr\r ok \u{D7FF}\u{E000}\u{FFFD}\u{10000}\u{10FFFF}").is_ok());
    assert_eq!(
        text(body_chars("a\u{7}b").unwrap_err()),
        "Invalid binary character '#x7' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]."
    );
    assert!(matches!(
        body_chars("\u{FFFE}"),
        Err(EngineError::InvalidMessageContents(t)) if t.contains("'#xFFFE'")
    ));
    assert!(body_chars("\u{1F}").is_err());
    assert!(body_chars("\u{B}").is_err());
}

#[test]
fn delay_range() {
    assert_eq!(delay_seconds(0), Ok(0));
    assert_eq!(delay_seconds(900), Ok(900));
    assert_eq!(
        text(delay_seconds(54524).unwrap_err()),
        "Value 54524 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900."
    );
    assert!(delay_seconds(-1).is_err());
}

#[test]
fn attribute_count_and_names() {
    let eleven: MessageAttributes = (0..11)
        .map(|i| (format!("a{i}"), string_attr("v")))
        .collect();
    assert_eq!(
        text(message_attributes(&eleven).unwrap_err()),
        "Number of message attributes [11] exceeds the allowed maximum [10]."
    );
    let ten: MessageAttributes = eleven.into_iter().take(10).collect();
    assert!(message_attributes(&ten).is_ok());
    for bad in [
        "AWS.x",
        "amazon.y",
        ".a",
        "a.",
        "a..b",
        "a b",
        "",
        &"n".repeat(257),
    ] {
        assert!(
            message_attributes(&one(bad, string_attr("v"))).is_err(),
            "{bad:?} should be rejected"
        );
    }
    for good in ["a.b", "øßä", "A-b_c.9", &"n".repeat(256)] {
        assert!(
            message_attributes(&one(good, string_attr("v"))).is_ok(),
            "{good}"
        );
    }
}

#[test]
fn attribute_types_and_values() {
    let with = |data_type: &str, s: Option<&str>, b: Option<&[u8]>| AttributeValue {
        data_type: data_type.into(),
        string_value: s.map(Into::into),
        binary_value: b.map(<[u8]>::to_vec),
        ..AttributeValue::default()
    };
    let check = |v| message_attributes(&one("k", v));
    assert_eq!(
        text(check(with("String", Some(""), None)).unwrap_err()),
        "Message (user) attribute 'k' must contain a non-empty value of type 'String'."
    );
    assert!(check(with("String.custom", Some("x"), None)).is_ok());
    assert!(check(with("Strin", Some("x"), None)).is_err());
    assert!(check(with("Strings", Some("x"), None)).is_err());
    assert!(check(with("String.", Some("x"), None)).is_err());
    assert!(check(with("", Some("x"), None)).is_err());
    assert!(check(with("Number", Some("-1.5e3"), None)).is_ok());
    assert!(check(with("Number.int", Some("42"), None)).is_ok());
    assert!(check(with("Number", Some("abc"), None)).is_err());
    assert!(
        check(with("Number", None, Some(b"1"))).is_err(),
        "Number needs a string value"
    );
    assert!(check(with("Binary", None, Some(b"\x00\x01"))).is_ok());
    assert!(check(with("Binary", Some("x"), None)).is_err());
    assert!(matches!(
        check(with("String", Some("a\u{1}"), None)),
        Err(EngineError::InvalidParameterValue(t)) if t.contains("'#x1'")
    ));
}

#[test]
fn system_attribute_rules() {
    assert_eq!(system_attributes(&MessageAttributes::new()), Ok(None));
    assert_eq!(
        system_attributes(&one("AWSTraceHeader", string_attr("Root=1"))),
        Ok(Some("Root=1".into()))
    );
    assert!(system_attributes(&one("Other", string_attr("x"))).is_err());
    let binary = AttributeValue {
        data_type: "Binary".into(),
        binary_value: Some(vec![1]),
        ..AttributeValue::default()
    };
    assert!(system_attributes(&one("AWSTraceHeader", binary)).is_err());
}

#[test]
fn size_counts_body_names_types_and_values() {
    let attrs = one("k", string_attr("x"));
    assert_eq!(message_size("body", &attrs), 4 + 1 + 6 + 1);
    let max = 1024u32;
    let body_ok = "b".repeat(1024 - 8);
    assert!(size(message_size(&body_ok, &attrs), max, false).is_ok());
    let body_long = "b".repeat(1024 - 8 + 1);
    assert_eq!(
        text(size(message_size(&body_long, &attrs), max, false).unwrap_err()),
        "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes."
    );
    assert_eq!(
        text(size(1025, max, true).unwrap_err()),
        "One or more parameters cannot be validated. Reason: Message must be shorter than 1024 bytes."
    );
}

proptest::proptest! {
    /// The chunked scan finds the same first bad character as a plain char walk,
    /// wherever it sits relative to the 32-byte chunks.
    #[test]
    fn first_disallowed_matches_a_char_walk(
        text in "(?s)[ -~\t\n\r]{0,80}[\\x00-\\x08\\x0b\\x7f\u{80}-\u{10ffff}]?[ -~\u{1}]{0,40}"
    ) {
        let walk = text.chars().find(|&c| !is_allowed_char(c));
        proptest::prop_assert_eq!(first_disallowed(&text), walk);
    }
}
