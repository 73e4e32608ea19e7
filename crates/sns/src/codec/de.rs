//! Form parameters -> [`Request`]: the Query protocol's flattening of lists
//! (`Name.member.N`) and maps (`Name.entry.N.key/value`, 1-based), as botocore's
//! serializer and the Rust SDK's `QueryWriter` write them (sns-spec.md §1.2).

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use fifowin_wire::query::form::{self, Params};

use super::model::{NOT_SERVED, Operation, Request};
use crate::error::{ErrorCode, SnsError};
use crate::message::{MessageAttributeInput, PublishFields};
use crate::publish::BatchEntry;
use crate::registry::{CreateTopic, Subscribe};

/// The form parser's errors in SNS's terms.
fn form_error(error: fifowin_wire::SqsError) -> SnsError {
    let code = match error.code {
        fifowin_wire::ErrorCode::MalformedQueryString => ErrorCode::MalformedQueryString,
        _ => ErrorCode::InvalidParameter,
    };
    SnsError::new(code, error.message.into_owned())
}

/// Decodes a request from its query string and urlencoded body (SDKs POST the
/// form; AWS's samples also GET with a query string).
pub fn decode(query_string: Option<&str>, body: &[u8]) -> Result<Request, SnsError> {
    let mut params = Params::new();
    if let Some(query) = query_string {
        form::parse_into(&mut params, query.as_bytes()).map_err(form_error)?;
    }
    form::parse_into(&mut params, body).map_err(form_error)?;
    let action = params.get("Action").ok_or_else(|| {
        SnsError::new(
            ErrorCode::MissingAction,
            "The request must contain the parameter Action.",
        )
    })?;
    let Some(op) = Operation::from_name(action) else {
        let message = if NOT_SERVED.contains(&action.as_str()) {
            format!("The action {action} is not supported by fifowin.")
        } else {
            format!("The action {action} is not valid for this endpoint.")
        };
        return Err(SnsError::new(ErrorCode::InvalidAction, message));
    };
    request(op, &params)
}

/// A required member; `member` is its name in AWS's validation message.
fn required(params: &Params, name: &str, member: &str) -> Result<String, SnsError> {
    params
        .get(name)
        .cloned()
        .ok_or_else(|| SnsError::missing(member))
}

fn optional(params: &Params, name: &str) -> Option<String> {
    params.get(name).cloned()
}

/// Groups `<prefix>.<N>.<rest>` parameters by N (ascending), each as rest -> value.
fn indexed(params: &Params, prefix: &str) -> BTreeMap<usize, Params> {
    let start = format!("{prefix}.");
    let mut out: BTreeMap<usize, Params> = BTreeMap::new();
    for (key, value) in params.range(start.clone()..) {
        let Some(tail) = key.strip_prefix(&start) else {
            break;
        };
        let (index, rest) = tail.split_once('.').unwrap_or((tail, ""));
        if let Ok(index) = index.parse::<usize>() {
            out.entry(index)
                .or_default()
                .insert(rest.to_string(), value.clone());
        }
    }
    out
}

/// A map member: `<name>.entry.N.key` / `.value`.
fn string_map(params: &Params, name: &str) -> Vec<(String, String)> {
    indexed(params, &format!("{name}.entry"))
        .into_values()
        .filter_map(|entry| {
            let key = entry.get("key")?.clone();
            Some((key, entry.get("value").cloned().unwrap_or_default()))
        })
        .collect()
}

/// `Tags.member.N.Key` / `.Value`.
fn tags(params: &Params) -> Vec<(String, String)> {
    indexed(params, "Tags.member")
        .into_values()
        .filter_map(|tag| {
            let key = tag.get("Key")?.clone();
            Some((key, tag.get("Value").cloned().unwrap_or_default()))
        })
        .collect()
}

/// `TagKeys.member.N`.
fn string_list(params: &Params, name: &str) -> Vec<String> {
    indexed(params, &format!("{name}.member"))
        .into_values()
        .filter_map(|item| item.get("").cloned())
        .collect()
}

/// `MessageAttributes.entry.N.Name` / `.Value.DataType|StringValue|BinaryValue`.
fn message_attributes(params: &Params) -> Result<Vec<MessageAttributeInput>, SnsError> {
    indexed(params, "MessageAttributes.entry")
        .into_values()
        .filter_map(|entry| {
            let name = entry.get("Name")?.clone();
            Some((name, entry))
        })
        .map(|(name, entry)| {
            let binary_value = match entry.get("Value.BinaryValue") {
                None => None,
                Some(text) => Some(STANDARD.decode(text).map_err(|_| {
                    SnsError::new(
                        ErrorCode::ParameterValueInvalid,
                        format!("The message attribute '{name}' has an invalid binary value: it is not base64."),
                    )
                })?),
            };
            Ok(MessageAttributeInput {
                data_type: entry.get("Value.DataType").cloned(),
                string_value: entry.get("Value.StringValue").cloned(),
                binary_value,
                name,
            })
        })
        .collect()
}

fn publish_fields(params: &Params) -> Result<PublishFields, SnsError> {
    Ok(PublishFields {
        message: optional(params, "Message"),
        subject: optional(params, "Subject"),
        message_structure: optional(params, "MessageStructure"),
        message_attributes: message_attributes(params)?,
        message_deduplication_id: optional(params, "MessageDeduplicationId"),
        message_group_id: optional(params, "MessageGroupId"),
    })
}

fn boolean(params: &Params, name: &str) -> bool {
    params
        .get(name)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

fn request(op: Operation, p: &Params) -> Result<Request, SnsError> {
    Ok(match op {
        Operation::CreateTopic => Request::CreateTopic(CreateTopic {
            name: required(p, "Name", "name")?,
            attributes: string_map(p, "Attributes"),
            tags: tags(p),
        }),
        Operation::DeleteTopic => Request::DeleteTopic {
            topic_arn: required(p, "TopicArn", "topicArn")?,
        },
        Operation::ListTopics => Request::ListTopics {
            next_token: optional(p, "NextToken"),
        },
        Operation::GetTopicAttributes => Request::GetTopicAttributes {
            topic_arn: required(p, "TopicArn", "topicArn")?,
        },
        Operation::SetTopicAttributes => Request::SetTopicAttributes {
            topic_arn: required(p, "TopicArn", "topicArn")?,
            attribute_name: required(p, "AttributeName", "attributeName")?,
            attribute_value: optional(p, "AttributeValue"),
        },
        Operation::Subscribe => Request::Subscribe(Subscribe {
            topic_arn: required(p, "TopicArn", "topicArn")?,
            protocol: required(p, "Protocol", "protocol")?,
            endpoint: optional(p, "Endpoint"),
            attributes: string_map(p, "Attributes"),
            return_subscription_arn: boolean(p, "ReturnSubscriptionArn"),
        }),
        Operation::Unsubscribe => Request::Unsubscribe {
            subscription_arn: required(p, "SubscriptionArn", "subscriptionArn")?,
        },
        Operation::ListSubscriptions => Request::ListSubscriptions {
            next_token: optional(p, "NextToken"),
        },
        Operation::ListSubscriptionsByTopic => Request::ListSubscriptionsByTopic {
            topic_arn: required(p, "TopicArn", "topicArn")?,
            next_token: optional(p, "NextToken"),
        },
        Operation::GetSubscriptionAttributes => Request::GetSubscriptionAttributes {
            subscription_arn: required(p, "SubscriptionArn", "subscriptionArn")?,
        },
        Operation::SetSubscriptionAttributes => Request::SetSubscriptionAttributes {
            subscription_arn: required(p, "SubscriptionArn", "subscriptionArn")?,
            attribute_name: required(p, "AttributeName", "attributeName")?,
            attribute_value: optional(p, "AttributeValue"),
        },
        Operation::Publish => Request::Publish {
            topic_arn: optional(p, "TopicArn").or_else(|| optional(p, "TargetArn")),
            fields: publish_fields(p)?,
        },
        Operation::PublishBatch => Request::PublishBatch {
            topic_arn: required(p, "TopicArn", "topicArn")?,
            entries: indexed(p, "PublishBatchRequestEntries.member")
                .into_values()
                .map(|entry| {
                    Ok(BatchEntry {
                        id: entry.get("Id").cloned().unwrap_or_default(),
                        fields: publish_fields(&entry)?,
                    })
                })
                .collect::<Result<_, SnsError>>()?,
        },
        Operation::TagResource => Request::TagResource {
            resource_arn: required(p, "ResourceArn", "resourceArn")?,
            tags: tags(p),
        },
        Operation::UntagResource => Request::UntagResource {
            resource_arn: required(p, "ResourceArn", "resourceArn")?,
            tag_keys: string_list(p, "TagKeys"),
        },
        Operation::ListTagsForResource => Request::ListTagsForResource {
            resource_arn: required(p, "ResourceArn", "resourceArn")?,
        },
    })
}
