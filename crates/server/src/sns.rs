//! The SNS service on the shared port: one decoded SNS request applied to the
//! topics (`fifowin-sns`) at the `now` and with the id source its caller passes,
//! as `sqs::execute` does, and each publish's delivery plan sent through the
//! queue engine (`deliver`), so every subscribed queue's own window applies.
//! Also the exhaustive matches the pipeline asks about: the topic a request
//! addresses ([`topic_of`]) and whether it changes state ([`changes_state`]).

mod deliver;
pub(crate) mod provision;

use std::sync::{Mutex, MutexGuard};

use fifowin_engine::Timestamp;
use fifowin_sns::codec::{Request, Response};
use fifowin_sns::{Scope, Sns, SnsError, SnsSettings};

use crate::config::ServerConfig;
use crate::sqs::ids::MessageIds;
use crate::state::AppState;

/// The topics of one server, behind one lock: a publish's dedup check, its
/// sequence number and its fan-out happen under it, so every subscribed queue
/// receives a group's messages in publish order.
#[derive(Debug)]
pub struct SnsState {
    inner: Mutex<Topics>,
}

/// What the lock guards.
#[derive(Debug)]
pub(crate) struct Topics {
    pub(crate) sns: Sns,
    /// State-changing requests applied so far: durable mode's message ids are
    /// derived from it, and a replay applies the same requests in the same order.
    serial: u64,
}

impl SnsState {
    /// No topics; windows and escape bookkeeping as the server's queues have them.
    pub(crate) fn new(config: &ServerConfig, window_overrides: Vec<(String, u64)>) -> Self {
        let settings = SnsSettings {
            dedup_window_ms: config.dedup_window_ms,
            window_overrides: window_overrides.into_iter().collect(),
            escape_horizon_ms: config.escape_horizon_ms,
            escape_tombstone_cap: config.escape_tombstone_cap,
            escape_record_cap: config.escape_record_cap,
            public_url: config.public_url.as_deref().map_or_else(
                || SnsSettings::default().public_url,
                |u| u.trim_end_matches('/').to_string(),
            ),
        };
        Self {
            inner: Mutex::new(Topics {
                sns: Sns::new(settings),
                serial: 0,
            }),
        }
    }

    /// Locks the topics. A panic inside an SNS call poisons the mutex; the state
    /// is the last consistent one it wrote, so keep serving.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Topics> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The region and account topics live in: the server's, as for queue ARNs.
pub(crate) fn scope(config: &ServerConfig) -> Scope {
    Scope::new(&config.region, &config.account_id)
}

/// Executes one SNS request at `now`, with message and subscription ids from
/// `ids`; a publish's deliveries go through the queue engine before it answers.
pub(crate) fn execute(
    state: &AppState,
    request: &Request,
    now: Timestamp,
    ids: MessageIds,
) -> Result<Response, SnsError> {
    let scope = scope(&state.config);
    let mut topics = state.sns.lock();
    let mut source = ids.for_queue(&format!("sns#{}", topics.serial), now);
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
