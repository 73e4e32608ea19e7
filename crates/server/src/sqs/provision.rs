//! Creates the config file's queues: every queue first (attributes and tags through
//! the engine's own validation), then dead-letter wiring by name, so a file may
//! list queues in any order and even point two queues at each other. A queue
//! lives in its `region` (the server's by default), its dead-letter queue in the same.

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

/// Creates `specs` in `registry` at `now`; returns how many queues were created.
pub(crate) fn provision(
    config: &ServerConfig,
    registry: &Registry,
    specs: &[QueueSpec],
    now: Timestamp,
) -> Result<usize, ConfigError> {
    let region_of = |spec: &QueueSpec| spec.region.clone().unwrap_or_else(|| config.region.clone());
    for (i, spec) in specs.iter().enumerate() {
        let region = region_of(spec);
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
            MessageIds::Random.for_queue(&spec.name, None, now),
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
    }
    for (i, spec) in specs.iter().enumerate() {
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
    Ok(specs.len())
}
