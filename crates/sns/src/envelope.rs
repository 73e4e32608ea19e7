//! The SNS envelope an SQS subscriber receives without raw delivery, byte for
//! byte as AWS writes it (sns-spec.md §4.1): `{\n`, fields as `  "Key" : <JSON>`
//! joined by `,\n`, `\n}`, no trailing newline; absent fields skipped.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use fifowin_engine::{MessageAttributes, Timestamp};

/// Signature fields, present on standard topics only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureFields {
    pub version: String,
    pub signature: String,
    pub signing_cert_url: String,
}

/// Everything an envelope shows.
#[derive(Clone, Debug)]
pub struct Envelope<'a> {
    pub message_id: &'a str,
    /// FIFO topics only.
    pub sequence_number: Option<&'a str>,
    pub topic_arn: &'a str,
    pub subject: Option<&'a str>,
    pub message: &'a str,
    pub timestamp: Timestamp,
    /// Standard topics only.
    pub signature: Option<SignatureFields>,
    pub unsubscribe_url: &'a str,
    pub attributes: &'a MessageAttributes,
}

/// A JSON string literal: `"` and `\` escaped, control characters as `\n` or
/// `\uXXXX`, `/` and non-ASCII left as they are.
fn json_string(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

impl Envelope<'_> {
    /// The envelope's bytes.
    pub fn render(&self) -> String {
        let mut fields: Vec<(&str, String)> = vec![
            ("Type", json_string("Notification")),
            ("MessageId", json_string(self.message_id)),
        ];
        if let Some(seq) = self.sequence_number {
            fields.push(("SequenceNumber", json_string(seq)));
        }
        fields.push(("TopicArn", json_string(self.topic_arn)));
        if let Some(subject) = self.subject {
            fields.push(("Subject", json_string(subject)));
        }
        fields.push(("Message", json_string(self.message)));
        fields.push(("Timestamp", json_string(&iso8601(self.timestamp))));
        if let Some(sig) = &self.signature {
            fields.push(("SignatureVersion", json_string(&sig.version)));
            fields.push(("Signature", json_string(&sig.signature)));
            fields.push(("SigningCertURL", json_string(&sig.signing_cert_url)));
        }
        fields.push(("UnsubscribeURL", json_string(self.unsubscribe_url)));
        if !self.attributes.is_empty() {
            let entries: Vec<String> = self
                .attributes
                .iter()
                .map(|(name, value)| {
                    let text = match (&value.string_value, &value.binary_value) {
                        (Some(s), _) => s.clone(),
                        (None, Some(bytes)) => STANDARD.encode(bytes),
                        (None, None) => String::new(),
                    };
                    format!(
                        "{} : {{\"Type\":{},\"Value\":{}}}",
                        json_string(name),
                        json_string(&value.data_type),
                        json_string(&text)
                    )
                })
                .collect();
            fields.push((
                "MessageAttributes",
                format!("{{\n    {}\n  }}", entries.join(",\n    ")),
            ));
        }
        let lines: Vec<String> = fields
            .into_iter()
            .map(|(key, value)| format!("  \"{key}\" : {value}"))
            .collect();
        format!("{{\n{}\n}}", lines.join(",\n"))
    }
}

/// `2021-01-10T17:57:09.883Z`: UTC with milliseconds, as the envelope's Timestamp.
pub fn iso8601(at: Timestamp) -> String {
    let ms = i64::try_from(at.as_millis()).unwrap_or(i64::MAX);
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC)
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use fifowin_engine::AttributeValue;

    use super::*;

    /// TV-E1: a real envelope AWS delivered from a FIFO topic (sns-spec.md §4.5).
    const TV_E1: &str = "{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : \"ec7a4369-3eaf-5606-9a26-1b1c7c9a63a5\",\n  \"SequenceNumber\" : \"10000000000000000003\",\n  \"TopicArn\" : \"arn:aws:sns:us-east-1:478108726520:linksetForProcessing.fifo\",\n  \"Message\" : \"{\\\"uploadBucket\\\":\\\"texts-for-processing\\\",\\\"uploadKey\\\":\\\"emails-links/2021-01-10/27guv0ca6h4gnf8l6dhh4ahuj9tj20fbmebgaeo1.json\\\"}\",\n  \"Timestamp\" : \"2021-01-10T17:57:09.883Z\",\n  \"UnsubscribeURL\" : \"https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:478108726520:linksetForProcessing.fifo:b4430595-ff81-457d-8c04-96800fa2395f\"\n}";

    #[test]
    fn tv_e1_byte_for_byte_and_its_md5() {
        let attributes = MessageAttributes::new();
        let envelope = Envelope {
            message_id: "ec7a4369-3eaf-5606-9a26-1b1c7c9a63a5",
            sequence_number: Some("10000000000000000003"),
            topic_arn: "arn:aws:sns:us-east-1:478108726520:linksetForProcessing.fifo",
            subject: None,
            message: r#"{"uploadBucket":"texts-for-processing","uploadKey":"emails-links/2021-01-10/27guv0ca6h4gnf8l6dhh4ahuj9tj20fbmebgaeo1.json"}"#,
            timestamp: Timestamp(1_610_301_429_883),
            signature: None,
            unsubscribe_url: "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:478108726520:linksetForProcessing.fifo:b4430595-ff81-457d-8c04-96800fa2395f",
            attributes: &attributes,
        };
        let body = envelope.render();
        assert_eq!(body, TV_E1);
        assert_eq!(
            fifowin_engine::checksum::md5_hex(body.as_bytes()),
            "bd72f91ad9d1d38af524e62c2891f983"
        );
    }

    #[test]
    fn subject_and_attributes_as_in_the_spec_example() {
        let mut attributes = MessageAttributes::new();
        attributes.insert(
            "channel".into(),
            AttributeValue {
                data_type: "String".into(),
                string_value: Some("retail".into()),
                ..AttributeValue::default()
            },
        );
        let body = Envelope {
            message_id: "0f6a2b9e-3c1d-5e4f-8a7b-6c5d4e3f2a1b",
            sequence_number: Some("10000000000000000001"),
            topic_arn: "arn:aws:sns:us-east-1:000000000000:prices.fifo",
            subject: Some("price"),
            message: r#"{"sku":"214"}"#,
            timestamp: Timestamp(1_767_225_600_000),
            signature: None,
            unsubscribe_url: "http://localhost:9324/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:000000000000:prices.fifo:5c1e9a70-0d7e-4a8e-9b6e-2f7d1c3b4a59",
            attributes: &attributes,
        }
        .render();
        let expected = "{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : \"0f6a2b9e-3c1d-5e4f-8a7b-6c5d4e3f2a1b\",\n  \"SequenceNumber\" : \"10000000000000000001\",\n  \"TopicArn\" : \"arn:aws:sns:us-east-1:000000000000:prices.fifo\",\n  \"Subject\" : \"price\",\n  \"Message\" : \"{\\\"sku\\\":\\\"214\\\"}\",\n  \"Timestamp\" : \"2026-01-01T00:00:00.000Z\",\n  \"UnsubscribeURL\" : \"http://localhost:9324/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:000000000000:prices.fifo:5c1e9a70-0d7e-4a8e-9b6e-2f7d1c3b4a59\",\n  \"MessageAttributes\" : {\n    \"channel\" : {\"Type\":\"String\",\"Value\":\"retail\"}\n  }\n}";
        assert_eq!(body, expected);
    }

    #[test]
    fn standard_topics_carry_signature_fields_after_the_timestamp_and_binary_is_base64() {
        let mut attributes = MessageAttributes::new();
        attributes.insert(
            "b".into(),
            AttributeValue {
                data_type: "Binary".into(),
                binary_value: Some(vec![2, 3, 4]),
                ..AttributeValue::default()
            },
        );
        attributes.insert(
            "n".into(),
            AttributeValue {
                data_type: "Number".into(),
                string_value: Some("1.5".into()),
                ..AttributeValue::default()
            },
        );
        let body = Envelope {
            message_id: "m",
            sequence_number: None,
            topic_arn: "arn:aws:sns:us-east-1:0:t",
            subject: None,
            message: "line\nand \"quote\" / é",
            timestamp: Timestamp(0),
            signature: Some(SignatureFields {
                version: "1".into(),
                signature: "c2ln".into(),
                signing_cert_url: "http://x/cert.pem".into(),
            }),
            unsubscribe_url: "http://x/u",
            attributes: &attributes,
        }
        .render();
        let keys: Vec<&str> = body
            .lines()
            .filter_map(|l| l.strip_prefix("  \""))
            .filter_map(|l| l.split('"').next())
            .collect();
        assert_eq!(
            keys,
            [
                "Type",
                "MessageId",
                "TopicArn",
                "Message",
                "Timestamp",
                "SignatureVersion",
                "Signature",
                "SigningCertURL",
                "UnsubscribeURL",
                "MessageAttributes"
            ]
        );
        assert!(
            body.contains(r#""Message" : "line\nand \"quote\" / é","#),
            "{body}"
        );
        assert!(
            body.contains(r#""b" : {"Type":"Binary","Value":"AgME"},"#),
            "{body}"
        );
        assert!(body.contains("\"Timestamp\" : \"1970-01-01T00:00:00.000Z\""));
        let parsed: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(parsed["MessageAttributes"]["n"]["Value"], "1.5");
    }

    #[test]
    fn timestamps_format_leap_days_and_milliseconds() {
        assert_eq!(
            iso8601(Timestamp(951_782_400_123)),
            "2000-02-29T00:00:00.123Z"
        );
        assert_eq!(
            iso8601(Timestamp(4_102_444_799_999)),
            "2099-12-31T23:59:59.999Z"
        );
    }
}
