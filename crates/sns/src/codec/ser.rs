//! [`Response`] / [`SnsError`] -> SNS XML: `<OpResponse>` with `<OpResult>`
//! (absent for operations without output, empty for Tag/UntagResource) and
//! `ResponseMetadata/RequestId`; errors as `<ErrorResponse>` (sns-spec.md §1.3, §1.4).

use std::collections::BTreeMap;

use fifowin_wire::query::xml::Writer;

use super::NAMESPACE;
use super::model::Response;
use crate::error::SnsError;
use crate::registry::SubscriptionSummary;

/// Encodes a successful response for request `request_id`.
pub fn encode(response: &Response, request_id: &str) -> Vec<u8> {
    let op = response.operation().name();
    let root = format!("{op}Response");
    let mut w = Writer::new();
    w.open_root_in(&root, NAMESPACE);
    if let Some(write) = result_writer(response) {
        w.element(&format!("{op}Result"), write);
    }
    w.open("ResponseMetadata");
    w.leaf("RequestId", request_id);
    w.close("ResponseMetadata");
    w.close(&root);
    w.finish()
}

/// Encodes an error; its HTTP status is `error.code.status()`.
pub fn encode_error(error: &SnsError, request_id: &str) -> Vec<u8> {
    let mut w = Writer::new();
    w.open_root_in("ErrorResponse", NAMESPACE);
    w.open("Error");
    w.leaf("Type", error.code.fault());
    w.leaf("Code", error.code.code());
    w.leaf("Message", &error.message);
    w.close("Error");
    w.leaf("RequestId", request_id);
    w.close("ErrorResponse");
    w.finish()
}

type ResultWriter<'a> = Box<dyn FnOnce(&mut Writer) + 'a>;

/// What goes inside `<OpResult>`, or `None` for operations without output.
fn result_writer(response: &Response) -> Option<ResultWriter<'_>> {
    use Response as R;
    Some(match response {
        R::CreateTopic { topic_arn } => Box::new(move |w| w.leaf("TopicArn", topic_arn)),
        R::ListTopics {
            topic_arns,
            next_token,
        } => Box::new(move |w| {
            w.element("Topics", |w| {
                for arn in topic_arns {
                    w.element("member", |w| w.leaf("TopicArn", arn));
                }
            });
            w.opt("NextToken", next_token.as_deref());
        }),
        R::GetTopicAttributes { attributes } | R::GetSubscriptionAttributes { attributes } => {
            Box::new(move |w| attribute_map(w, attributes))
        }
        R::Subscribe { subscription_arn } => {
            Box::new(move |w| w.leaf("SubscriptionArn", subscription_arn))
        }
        R::ListSubscriptions {
            subscriptions,
            next_token,
        }
        | R::ListSubscriptionsByTopic {
            subscriptions,
            next_token,
        } => Box::new(move |w| {
            w.element("Subscriptions", |w| {
                for s in subscriptions {
                    subscription(w, s);
                }
            });
            w.opt("NextToken", next_token.as_deref());
        }),
        R::Publish {
            message_id,
            sequence_number,
        } => Box::new(move |w| {
            w.leaf("MessageId", message_id);
            w.opt("SequenceNumber", sequence_number.as_deref());
        }),
        R::PublishBatch { successful, failed } => Box::new(move |w| {
            w.element("Successful", |w| {
                for entry in successful {
                    w.element("member", |w| {
                        w.leaf("Id", &entry.id);
                        w.leaf("MessageId", &entry.message_id);
                        w.opt("SequenceNumber", entry.sequence_number.as_deref());
                    });
                }
            });
            w.element("Failed", |w| {
                for entry in failed {
                    w.element("member", |w| {
                        w.leaf("Id", &entry.id);
                        w.leaf("Code", &entry.code);
                        w.leaf("Message", &entry.message);
                        w.leaf(
                            "SenderFault",
                            if entry.sender_fault { "true" } else { "false" },
                        );
                    });
                }
            });
        }),
        R::ListTagsForResource { tags } => Box::new(move |w| {
            w.element("Tags", |w| {
                for (key, value) in tags {
                    w.element("member", |w| {
                        w.leaf("Key", key);
                        w.leaf("Value", value);
                    });
                }
            });
        }),
        // No output, but AWS (and the Rust SDK's parser) expects the empty Result.
        R::TagResource | R::UntagResource => Box::new(|_| {}),
        R::DeleteTopic | R::SetTopicAttributes | R::Unsubscribe | R::SetSubscriptionAttributes => {
            return None;
        }
    })
}

fn attribute_map(w: &mut Writer, attributes: &BTreeMap<String, String>) {
    w.element("Attributes", |w| {
        for (key, value) in attributes {
            w.element("entry", |w| {
                w.leaf("key", key);
                w.leaf("value", value);
            });
        }
    });
}

fn subscription(w: &mut Writer, s: &SubscriptionSummary) {
    w.element("member", |w| {
        w.leaf("SubscriptionArn", &s.subscription_arn);
        w.leaf("Owner", &s.owner);
        w.leaf("Protocol", &s.protocol);
        w.leaf("Endpoint", &s.endpoint);
        w.leaf("TopicArn", &s.topic_arn);
    });
}
