//! The SNS service on the shared port: one decoded SNS request applied to the
//! topics (`fifowin-sns`) at the `now` and with the id source its caller passes,
//! as `sqs::execute` does, and each publish's delivery plan sent through the
//! queue engine (`deliver`), so every subscribed queue's own window applies.
//! Also the exhaustive matches the pipeline asks about: the topic a request
//! addresses ([`topic_of`]) and whether it changes state ([`changes_state`]).

mod deliver;
pub(crate) mod provision;
pub(crate) mod topics;

use fifowin_engine::Timestamp;
use fifowin_sns::codec::{Request, Response};
use fifowin_sns::{Scope, SnsError};

use crate::sqs::RequestContext;
use crate::sqs::ids::MessageIds;
use crate::state::AppState;

/// Executes one SNS request in the region `ctx` names at `now`, with message
/// and subscription ids from `ids`; a publish's deliveries go through the queue
/// engine before it answers.
pub(crate) fn execute(
    state: &AppState,
    ctx: &RequestContext,
    request: &Request,
    now: Timestamp,
    ids: MessageIds,
) -> Result<Response, SnsError> {
    let scope = Scope::new(&ctx.region, &state.config.account_id);
    let mut topics = state.sns.lock();
    let mut source = ids.for_queue(&format!("sns#{}", topics.serial), None, now);
    let handled = fifowin_sns::handle(&mut topics.sns, &scope, request, source.as_mut(), now)?;
    if changes_state(request) {
        topics.serial += 1;
    }
    for published in &handled.published {
        for delivery in &published.deliveries {
            let delivered = deliver::one(state, delivery, now);
            topics
                .sns
                .record_delivery(&delivery.subscription_arn, delivered);
        }
    }
    Ok(handled.response)
}

/// The topic a request addresses, by name, for fault rules and logs.
pub(crate) fn topic_of(request: &Request) -> Option<String> {
    use Request as R;
    let arn = match request {
        R::CreateTopic(input) => return Some(input.name.clone()),
        R::DeleteTopic { topic_arn }
        | R::GetTopicAttributes { topic_arn }
        | R::SetTopicAttributes { topic_arn, .. }
        | R::ListSubscriptionsByTopic { topic_arn, .. }
        | R::PublishBatch { topic_arn, .. } => topic_arn.as_str(),
        R::Subscribe(input) => input.topic_arn.as_str(),
        R::Publish { topic_arn, .. } => topic_arn.as_deref()?,
        R::Unsubscribe { subscription_arn }
        | R::GetSubscriptionAttributes { subscription_arn }
        | R::SetSubscriptionAttributes {
            subscription_arn, ..
        } => fifowin_sns::arn::topic_of_subscription(subscription_arn)?,
        R::TagResource { resource_arn, .. }
        | R::UntagResource { resource_arn, .. }
        | R::ListTagsForResource { resource_arn } => resource_arn.as_str(),
        R::ListTopics { .. } | R::ListSubscriptions { .. } => return None,
    };
    fifowin_sns::arn::parse(arn, "TopicArn")
        .ok()
        .map(|parts| parts.resource.to_string())
}

/// Whether a request can change topic or queue state (durable mode logs those).
/// An exhaustive match: a new operation must say.
pub(crate) fn changes_state(request: &Request) -> bool {
    use Request as R;
    match request {
        R::ListTopics { .. }
        | R::GetTopicAttributes { .. }
        | R::ListSubscriptions { .. }
        | R::ListSubscriptionsByTopic { .. }
        | R::GetSubscriptionAttributes { .. }
        | R::ListTagsForResource { .. } => false,
        R::CreateTopic(_)
        | R::DeleteTopic { .. }
        | R::SetTopicAttributes { .. }
        | R::Subscribe(_)
        | R::Unsubscribe { .. }
        | R::SetSubscriptionAttributes { .. }
        | R::Publish { .. }
        | R::PublishBatch { .. }
        | R::TagResource { .. }
        | R::UntagResource { .. } => true,
    }
}
