//! Checksums SQS returns and SDKs verify: MD5 of bodies and of attribute maps
//! (sqs-spec.md §5.1), and the SHA-256 content-based deduplication id.

use md5::{Digest, Md5};
use sha2::Sha256;

use crate::message::{AttributeValue, MessageAttributes};

/// Lowercase hex MD5 of `bytes`.
pub fn md5_hex(bytes: &[u8]) -> String {
    hex(&Md5::digest(bytes))
}

/// The raw MD5 of `bytes`, for storing in 16 bytes rather than 32 characters.
pub(crate) fn md5_raw(bytes: &[u8]) -> [u8; 16] {
    Md5::digest(bytes).into()
}

/// MD5 over an attribute map in the AWS length-prefixed encoding; `None` when empty.
pub fn md5_of_attributes(attributes: &MessageAttributes) -> Option<String> {
    md5_of_attribute_iter(attributes.iter())
}

/// The same digest over any name-ordered sequence of attributes, so a receive can
/// hash the requested subset without first copying it into a map.
pub(crate) fn md5_of_attribute_iter<'a>(
    attributes: impl Iterator<Item = (&'a String, &'a AttributeValue)>,
) -> Option<String> {
    let mut hasher = Md5::new();
    let mut any = false;
    for (name, value) in attributes {
        any = true;
        put_bytes(&mut hasher, name.as_bytes());
        put_bytes(&mut hasher, value.data_type.as_bytes());
        // Exactly one value kind is hashed, in this precedence, with a type tag byte.
        if let Some(s) = &value.string_value {
            hasher.update([1u8]);
            put_bytes(&mut hasher, s.as_bytes());
        } else if let Some(b) = &value.binary_value {
            hasher.update([2u8]);
            put_bytes(&mut hasher, b);
        } else if !value.string_list_values.is_empty() {
            hasher.update([3u8]);
            for s in &value.string_list_values {
                put_bytes(&mut hasher, s.as_bytes());
            }
        } else if !value.binary_list_values.is_empty() {
            hasher.update([4u8]);
            for b in &value.binary_list_values {
                put_bytes(&mut hasher, b);
            }
        }
    }
    any.then(|| hex(&hasher.finalize()))
}

/// Content-based dedup id: lowercase hex SHA-256 of the body's UTF-8 bytes.
pub fn content_dedup_id(body: &str) -> String {
    hex(&Sha256::digest(body.as_bytes()))
}

fn put_bytes(hasher: &mut Md5, bytes: &[u8]) {
    // Attribute parts are bounded by the message size limit, far below u32::MAX.
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    hasher.update(len.to_be_bytes());
    hasher.update(bytes);
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    // Written into place, not pushed: `String::push` encodes each char as UTF-8
    // and checks capacity each time, and this runs for every message's checksum.
    let mut out = vec![0u8; bytes.len() * 2];
    for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 0xf)];
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(v: &str) -> AttributeValue {
        typed("String", v)
    }

    fn typed(data_type: &str, v: &str) -> AttributeValue {
        AttributeValue {
            data_type: data_type.into(),
            string_value: Some(v.into()),
            ..AttributeValue::default()
        }
    }

    fn attrs(list: &[(&str, AttributeValue)]) -> MessageAttributes {
        list.iter()
            .map(|(n, v)| ((*n).to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn body_md5_matches_aws() {
        assert_eq!(md5_hex(b"msg"), "6e2baaf3b97dbeef01c0043275f9a0e7");
    }

    #[test]
    fn attribute_md5_matches_every_aws_vector() {
        let cases = [
            (
                attrs(&[
                    ("Help.Me", string("Me")),
                    ("Hello", string("There")),
                    ("General", string("Kenobi")),
                ]),
                "4c360f3fdafd970e05fae2f149d997f5",
            ),
            (
                attrs(&[("Hello", string("There"))]),
                "a311262e065454b75da111d535b8dacd",
            ),
            (
                attrs(&[("Hello", string("There")), ("Help.Me", string("Me"))]),
                "83fee93c1bcd8b9a5a923ffacdc636c7",
            ),
            (
                attrs(&[("Foo", string("Bar"))]),
                "ae7155c6026991b6d54b11589678bf9c",
            ),
            (
                attrs(&[("timestamp", typed("Number", "1493147359900"))]),
                "235c5c510d26fb653d073faed50ae77c",
            ),
            (
                attrs(&[("MyAttribute", string("foobar"))]),
                "adb59cd4678ea5a855436b949cd07ab6",
            ),
            (
                attrs(&[(
                    "attr1",
                    AttributeValue {
                        data_type: "Binary".into(),
                        binary_value: Some(
                            b"traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01"
                                .to_vec(),
                        ),
                        ..AttributeValue::default()
                    },
                )]),
                "8cbe4db156db8a94db8b801b7addb984",
            ),
            (
                attrs(&[(
                    "AWSTraceHeader",
                    string("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"),
                )]),
                "5ae4d5d7636402d80f4eb6d213245a88",
            ),
        ];
        for (attributes, expected) in cases {
            assert_eq!(
                md5_of_attributes(&attributes).as_deref(),
                Some(expected),
                "{attributes:?}"
            );
        }
    }

    #[test]
    fn empty_attributes_have_no_md5() {
        assert_eq!(md5_of_attributes(&MessageAttributes::new()), None);
    }

    #[test]
    fn list_values_are_tagged_and_hashed() {
        let mut v = AttributeValue {
            data_type: "String".into(),
            string_list_values: vec!["a".into()],
            ..AttributeValue::default()
        };
        let with_list = md5_of_attributes(&attrs(&[("x", v.clone())]));
        v.string_list_values.clear();
        let without = md5_of_attributes(&attrs(&[("x", v)]));
        assert_ne!(with_list, without);
    }

    #[test]
    fn content_dedup_id_is_lowercase_sha256_hex() {
        assert_eq!(
            content_dedup_id("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
