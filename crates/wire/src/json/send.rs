//! SendMessage and SendMessageBatch answers written straight into the body,
//! byte for byte what serde writes for them (the tests compare the two).
//!
//! They are the answers producers wait on. Their values are ids, hex digests
//! and decimal numbers that need no escaping, so serde's per-byte escape scan
//! of every key and value was most of their encoding cost; here the keys are
//! literals and a value is scanned once, with a loop the compiler vectorises.

use crate::model::{SendMessageBatchOutput, SendMessageOutput};

/// Appends `value` as a JSON string.
fn string(out: &mut Vec<u8>, value: &str) {
    // No early exit, so the scan vectorises.
    let needs_escape = value.bytes().fold(false, |acc, b| {
        acc | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if needs_escape {
        serde_json::to_writer(&mut *out, value).expect("a string always serializes");
    } else {
        out.push(b'"');
        out.extend_from_slice(value.as_bytes());
        out.push(b'"');
    }
}

/// `"Key":"value"` after a comma or an opening brace the caller wrote.
fn member(out: &mut Vec<u8>, key: &[u8], value: &str) {
    out.extend_from_slice(key);
    string(out, value);
}

/// The members of a send's result, in `SendMessageOutput`'s field order.
fn result_members(out: &mut Vec<u8>, r: &SendMessageOutput) {
    member(out, b"\"MD5OfMessageBody\":", &r.md5_of_message_body);
    if let Some(md5) = &r.md5_of_message_attributes {
        member(out, b",\"MD5OfMessageAttributes\":", md5);
    }
    if let Some(md5) = &r.md5_of_message_system_attributes {
        member(out, b",\"MD5OfMessageSystemAttributes\":", md5);
    }
    member(out, b",\"MessageId\":", &r.message_id);
    if let Some(sequence) = &r.sequence_number {
        member(out, b",\"SequenceNumber\":", sequence);
    }
}

/// A SendMessage answer.
pub(crate) fn send_message(out: &mut Vec<u8>, r: &SendMessageOutput) {
    out.push(b'{');
    result_members(out, r);
    out.push(b'}');
}

/// A SendMessageBatch answer. Failed entries are rare and carry free-text
/// messages: serde writes them.
pub(crate) fn send_message_batch(out: &mut Vec<u8>, batch: &SendMessageBatchOutput) {
    out.push(b'{');
    if !batch.successful.is_empty() {
        out.extend_from_slice(b"\"Successful\":[");
        for (n, entry) in batch.successful.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            member(out, b"{\"Id\":", &entry.id);
            out.push(b',');
            result_members(out, &entry.result);
            out.push(b'}');
        }
        out.push(b']');
    }
    if !batch.failed.is_empty() {
        if !batch.successful.is_empty() {
            out.push(b',');
        }
        out.extend_from_slice(b"\"Failed\":");
        serde_json::to_writer(&mut *out, &batch.failed).expect("error entries always serialize");
    }
    out.push(b'}');
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::{BatchResultErrorEntry, SendMessageBatchResultEntry};

    fn output() -> impl Strategy<Value = SendMessageOutput> {
        // Any text, including quotes, backslashes, control and non-ASCII characters.
        let text = || "(?s).{0,12}";
        (
            text(),
            proptest::option::of(text()),
            proptest::option::of(text()),
            text(),
            proptest::option::of(text()),
        )
            .prop_map(|(body, attrs, system, id, sequence)| SendMessageOutput {
                md5_of_message_body: body,
                md5_of_message_attributes: attrs,
                md5_of_message_system_attributes: system,
                message_id: id,
                sequence_number: sequence,
            })
    }

    proptest! {
        #[test]
        fn send_message_matches_serde(r in output()) {
            let mut ours = Vec::new();
            send_message(&mut ours, &r);
            prop_assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&r).unwrap());
        }

        #[test]
        fn send_message_batch_matches_serde(
            ok in proptest::collection::vec(("(?s).{0,8}", output()), 0..4),
            failed in proptest::collection::vec(("(?s).{0,8}", "(?s).{0,12}"), 0..3),
        ) {
            let batch = SendMessageBatchOutput {
                successful: ok
                    .into_iter()
                    .map(|(id, result)| SendMessageBatchResultEntry { id, result })
                    .collect(),
                failed: failed
                    .into_iter()
                    .map(|(id, message)| BatchResultErrorEntry {
                        id,
                        sender_fault: true,
                        code: "InvalidParameterValue".into(),
                        message,
                    })
                    .collect(),
            };
            let mut ours = Vec::new();
            send_message_batch(&mut ours, &batch);
            prop_assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&batch).unwrap());
        }
    }
}
