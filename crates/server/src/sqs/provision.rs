//! Creates the config file's queues: every queue first (attributes and tags through
//! the engine's own validation), then dead-letter wiring by name, so a file may
//! list queues in any order and even point two queues at each other.

use fifowin_engine::{Queue, Timestamp};

use super::ids::MessageIds;
use crate::config::ServerConfig;
use crate::config::file::{ConfigError, QueueSpec};
use crate::state::registry::{Inserted, Registry};

fn invalid(i: usize, key: &str, problem: impl std::fmt::Display) -> ConfigError {
    ConfigError::Invalid {
        key: format!("queues[{i}].{key}"),
        problem: problem.to_string(),
    }
}

/// What provisioning does with a spec whose queue exists already.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Existing {
    /// An error: the registry was just cleared, so the queue is a concurrent CreateQueue's.
    Refuse,
    /// Leave the queue as it is, with its messages and the attributes changed at
    /// run time (durable mode's start-up on a data directory that has it).
    Keep,
}

/// Creates `specs` in `registry` at `now` with message ids from `ids`; returns
/// how many queues were created (with [`Existing::Keep`], the absent ones only,
/// and only those get their dead-letter wiring).
pub(crate) fn provision(
    config: &ServerConfig,
    registry: &Registry,
    specs: &[QueueSpec],
    now: Timestamp,
    ids: MessageIds,
    existing: Existing,
) -> Result<usize, ConfigError> {
    let region_of = |spec: &QueueSpec| spec.region.clone().unwrap_or_else(|| config.region.clone());
    let mut created = Vec::with_capacity(specs.len());
    for (i, spec) in specs.iter().enumerate() {
        let region = region_of(spec);
        if existing == Existing::Keep && registry.get(&region, &spec.name).is_some() {
            continue;
        }
        let resolve = |arn: &str| registry.kind_of_arn(&region, arn);
        let mut settings = config.queue_settings(&region, &spec.name);
        if let Some(window) = spec.dedup_window_ms {
            settings.dedup_window_ms = window;
        }
        let mut queue = Queue::create(
            settings,
            &spec.attributes,
            &Default::default(),
            &resolve,
            // As CreateQueue derives them, so a queue's ids do not depend on how it was made.
            ids.for_queue(
                &spec.name,
                (region != config.region).then_some(region.as_str()),
                now,
            ),
            now,
        )
        .map_err(|e| invalid(i, "attributes", e))?;
        // Tagged separately so tag errors name `tags`; TagQueue refuses an empty map.
        if !spec.tags.is_empty() {
            queue.tag(&spec.tags).map_err(|e| invalid(i, "tags", e))?;
        }
        if let Inserted::Existing(_) = registry.insert(&region, queue) {
            return Err(invalid(
                i,
                "name",
                format!("queue {:?} already exists", spec.name),
            ));
        }
        created.push(i);
    }
    for &i in &created {
        let spec = &specs[i];
        let Some(dl) = &spec.dead_letter else {
            continue;
        };
        let region = region_of(spec);
        let resolve = |arn: &str| registry.kind_of_arn(&region, arn);
        let (Some(source), Some(target)) = (
            registry.get(&region, &spec.name),
            registry.get(&region, &dl.queue),
        ) else {
            return Err(invalid(
                i,
                "dead_letter.queue",
                format!("no queue named {:?}", dl.queue),
            ));
        };
        let policy = serde_json::json!({
            "deadLetterTargetArn": target.arn,
            "maxReceiveCount": dl.max_receive_count,
        })
        .to_string();
        let attributes = [("RedrivePolicy".to_string(), policy)]
            .into_iter()
            .collect();
        source
            .lock()
            .set_attributes(&attributes, &resolve, now)
            .map_err(|e| invalid(i, "dead_letter", e))?;
    }
    Ok(created.len())
}
