//! One decoded request applied to [`Sns`]: the response to encode, and the
//! publishes whose delivery plans the server then applies.

use fifowin_engine::{IdSource, Timestamp};

use crate::arn::Scope;
use crate::codec::model::{BatchResultEntry, Request, Response};
use crate::error::SnsError;
use crate::publish::Published;
use crate::registry::Sns;

/// What a request did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handled {
    pub response: Response,
    /// Publish: one; PublishBatch: one per entry, in entry order; else none.
    pub published: Vec<Published>,
}

impl From<Response> for Handled {
    fn from(response: Response) -> Self {
        Self {
            response,
            published: Vec::new(),
        }
    }
}

/// Applies `request` for a caller in `scope` at `now`.
pub fn handle(
    sns: &mut Sns,
    scope: &Scope,
    request: &Request,
    ids: &mut dyn IdSource,
    now: Timestamp,
) -> Result<Handled, SnsError> {
    Ok(match request {
        Request::CreateTopic(input) => Response::CreateTopic {
            topic_arn: sns.create_topic(scope, input)?,
        }
        .into(),
        Request::DeleteTopic { topic_arn } => {
            sns.delete_topic(scope, topic_arn)?;
            Response::DeleteTopic.into()
        }
        Request::ListTopics { next_token } => {
            let page = sns.list_topics(scope, next_token.as_deref())?;
            Response::ListTopics {
                topic_arns: page.items,
                next_token: page.next_token,
            }
            .into()
        }
        Request::GetTopicAttributes { topic_arn } => Response::GetTopicAttributes {
            attributes: sns.get_topic_attributes(scope, topic_arn)?,
        }
        .into(),
        Request::SetTopicAttributes {
            topic_arn,
            attribute_name,
            attribute_value,
        } => {
            sns.set_topic_attributes(scope, topic_arn, attribute_name, attribute_value.as_deref())?;
            Response::SetTopicAttributes.into()
        }
        Request::Subscribe(input) => Response::Subscribe {
            subscription_arn: sns.subscribe(scope, input, ids)?,
        }
        .into(),
        Request::Unsubscribe { subscription_arn } => {
            sns.unsubscribe(subscription_arn)?;
            Response::Unsubscribe.into()
        }
        Request::ListSubscriptions { next_token } => {
            let page = sns.list_subscriptions(scope, next_token.as_deref())?;
            Response::ListSubscriptions {
                subscriptions: page.items,
                next_token: page.next_token,
            }
            .into()
        }
        Request::ListSubscriptionsByTopic {
            topic_arn,
            next_token,
        } => {
            let page = sns.list_subscriptions_by_topic(scope, topic_arn, next_token.as_deref())?;
            Response::ListSubscriptionsByTopic {
                subscriptions: page.items,
                next_token: page.next_token,
            }
            .into()
        }
        Request::GetSubscriptionAttributes { subscription_arn } => {
            Response::GetSubscriptionAttributes {
                attributes: sns.get_subscription_attributes(subscription_arn)?,
            }
            .into()
        }
        Request::SetSubscriptionAttributes {
            subscription_arn,
            attribute_name,
            attribute_value,
        } => {
            sns.set_subscription_attributes(
                subscription_arn,
                attribute_name,
                attribute_value.as_deref(),
            )?;
            Response::SetSubscriptionAttributes.into()
        }
        Request::Publish { topic_arn, fields } => {
            let published = sns.publish(scope, topic_arn.as_deref(), fields, ids, now)?;
            Handled {
                response: Response::Publish {
                    message_id: published.message_id.clone(),
                    sequence_number: published.sequence_number.clone(),
                },
                published: vec![published],
            }
        }
        Request::PublishBatch { topic_arn, entries } => {
            let results = sns.publish_batch(scope, topic_arn, entries, ids, now)?;
            Handled {
                response: Response::PublishBatch {
                    successful: results
                        .iter()
                        .map(|r| BatchResultEntry {
                            id: r.id.clone(),
                            message_id: r.published.message_id.clone(),
                            sequence_number: r.published.sequence_number.clone(),
                        })
                        .collect(),
                    // Every refusal AWS was seen to make rejects the whole request.
                    failed: Vec::new(),
                },
                published: results.into_iter().map(|r| r.published).collect(),
            }
        }
        Request::TagResource { resource_arn, tags } => {
            sns.tag_resource(scope, resource_arn, tags)?;
            Response::TagResource.into()
        }
        Request::UntagResource {
            resource_arn,
            tag_keys,
        } => {
            sns.untag_resource(scope, resource_arn, tag_keys)?;
            Response::UntagResource.into()
        }
        Request::ListTagsForResource { resource_arn } => Response::ListTagsForResource {
            tags: sns.list_tags(scope, resource_arn)?,
        }
        .into(),
    })
}
