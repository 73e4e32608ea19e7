//! Bounded fuzzing of both decoders in `cargo test` (the coverage-guided
//! cargo-fuzz targets in `fuzz/` run the same properties for longer): whatever
//! the bytes, decoding returns a request or an SQS error with a 4xx status, and
//! never panics. Inputs are random bytes and mutations of valid requests, for
//! every operation.

use fifowin_wire::model::Operation;
use fifowin_wire::{json, query};
use proptest::prelude::*;

/// A valid-looking JSON body that touches most members of most operations.
const JSON_SEED: &str = r#"{"QueueUrl":"http://localhost:9324/000000000000/q.fifo","QueueName":"q.fifo","MessageBody":"hi","DelaySeconds":1,"MessageGroupId":"g","MessageDeduplicationId":"d","MaxNumberOfMessages":10,"WaitTimeSeconds":1,"VisibilityTimeout":30,"ReceiptHandle":"r","AttributeNames":["All"],"MessageAttributeNames":["All"],"Attributes":{"FifoQueue":"true"},"tags":{"a":"b"},"Tags":{"a":"b"},"TagKeys":["a"],"MessageAttributes":{"n":{"DataType":"Number","StringValue":"1"},"b":{"DataType":"Binary","BinaryValue":"aGk="}},"Entries":[{"Id":"1","MessageBody":"x","ReceiptHandle":"r","VisibilityTimeout":1}],"MaxResults":5,"NextToken":"t","QueueNamePrefix":"q","Label":"l","AWSAccountIds":["1"],"Actions":["*"],"SourceArn":"arn:aws:sqs:us-east-1:1:q","TaskHandle":"h"}"#;

const QUERY_SEED: &str = "QueueUrl=http%3A%2F%2Flocalhost%3A9324%2F000000000000%2Fq&MessageBody=hi&DelaySeconds=1&MessageGroupId=g&MaxNumberOfMessages=10&AttributeName.1=All&MessageAttribute.1.Name=n&MessageAttribute.1.Value.DataType=Binary&MessageAttribute.1.Value.BinaryValue=aGk%3D&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=x&Attribute.1.Name=FifoQueue&Attribute.1.Value=true&Tag.1.Key=a&Tag.1.Value=b&Version=2012-11-05";

fn op_name() -> impl Strategy<Value = String> {
    prop_oneof![
        (0..Operation::ALL.len()).prop_map(|i| Operation::ALL[i].name().to_string()),
        "[A-Za-z]{0,20}",
    ]
}

/// `seed` with a few bytes overwritten, inserted or removed.
fn mutated(seed: &'static str) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 0..8).prop_map(
        move |edits| {
            let mut bytes = seed.as_bytes().to_vec();
            for (at, byte, kind) in edits {
                if bytes.is_empty() {
                    break;
                }
                let i = at.index(bytes.len());
                match kind {
                    0 => bytes[i] = byte,
                    1 => bytes.insert(i, byte),
                    _ => {
                        bytes.remove(i);
                    }
                }
            }
            bytes
        },
    )
}

fn any_body(seed: &'static str) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        mutated(seed),
        prop::collection::vec(any::<u8>(), 0..256),
        "[ -~]{0,200}".prop_map(String::into_bytes),
    ]
}

proptest! {
    // 2,000 cases in CI; PROPTEST_CASES=1000000 for a longer run.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000)
    ))]

    #[test]
    fn json_decoding_never_panics(op in op_name(), body in any_body(JSON_SEED)) {
        if let Err(err) = json::decode(&format!("AmazonSQS.{op}"), &body) {
            prop_assert!((400..500).contains(&err.code.status()), "{:?}", err.code);
        }
    }

    #[test]
    fn query_decoding_never_panics(
        op in op_name(),
        body in any_body(QUERY_SEED),
        query_string in proptest::option::of("[ -~]{0,80}"),
        path in "[ -~]{0,40}",
    ) {
        let mut form = format!("Action={op}&").into_bytes();
        form.extend_from_slice(&body);
        for input in [&form, &body] {
            if let Err(err) = query::decode(query_string.as_deref(), input, &path) {
                prop_assert!((400..500).contains(&err.code.status()), "{:?}", err.code);
            }
        }
    }
}
