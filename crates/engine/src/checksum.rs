//! Checksums SQS returns and SDKs verify: MD5 of bodies and of attribute maps
//! (sqs-spec.md §5.1), and the SHA-256 content-based deduplication id.

use crate::message::MessageAttributes;

/// Lowercase hex MD5 of `bytes`.
pub fn md5_hex(bytes: &[u8]) -> String {
    todo!("engine helper: {}", bytes.len())
}

/// MD5 over an attribute map in the AWS length-prefixed encoding; `None` when empty.
pub fn md5_of_attributes(attributes: &MessageAttributes) -> Option<String> {
    todo!("engine helper: {}", attributes.len())
}

/// Content-based dedup id: lowercase hex SHA-256 of the body's UTF-8 bytes.
pub fn content_dedup_id(body: &str) -> String {
    todo!("engine helper: {}", body.len())
}
