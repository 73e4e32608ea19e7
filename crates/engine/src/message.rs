//! Message attribute values as SQS defines them (user and system attributes share the shape).

use std::collections::BTreeMap;

/// One message attribute value. `data_type` is `String`, `Number` or `Binary`,
/// optionally followed by `.label`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttributeValue {
    /// `String`, `Number`, `Binary`, with an optional custom `.label`.
    pub data_type: String,
    /// Set for String and Number types.
    pub string_value: Option<String>,
    /// Raw bytes (already base64-decoded) for Binary types.
    pub binary_value: Option<Vec<u8>>,
    /// Reserved by AWS; hashed if present.
    pub string_list_values: Vec<String>,
    /// Reserved by AWS; hashed if present.
    pub binary_list_values: Vec<Vec<u8>>,
}

/// Attributes by name. A `BTreeMap` so iteration is in the byte order the MD5 needs.
pub type MessageAttributes = BTreeMap<String, AttributeValue>;
