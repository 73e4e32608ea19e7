//! Creates the config file's queues: every queue first (attributes and tags through
//! the engine's own validation), then dead-letter wiring by name, so a file may
//! list queues in any order and even point two queues at each other.

use fifowin_engine::{Clock, Queue};

use crate::AppState;
use crate::config_file::{ConfigError, QueueSpec};
use crate::ids::MessageIds;
use crate::registry::Inserted;

fn invalid(i: usize, key: &str, problem: impl std::fmt::Display) -> ConfigError {
    ConfigError::Invalid {
        key: format!("queues[{i}].{key}"),
        problem: problem.to_string(),
    }
}

/// Creates `specs` in `state`'s registry; returns how many queues were created.
pub fn provision(state: &AppState, specs: &[QueueSpec]) -> Result<usize, ConfigError> {
    let now = state.clock.now();
    let resolve = |arn: &str| state.registry.kind_of_arn(arn);
    for (i, spec) in specs.iter().enumerate() {
        let mut settings = state.config.queue_settings(&spec.name);
        if let Some(window) = spec.dedup_window_ms {
            settings.dedup_window_ms = window;
        }
        let mut queue = Queue::create(
            settings,
            &spec.attributes,
            &Default::default(),
            &resolve,
            MessageIds::Random.for_queue(&spec.name, now),
            now,
        )
        .map_err(|e| invalid(i, "attributes", e))?;
        // Tagged separately so tag errors name `tags`; TagQueue refuses an empty map.
        if !spec.tags.is_empty() {
            queue.tag(&spec.tags).map_err(|e| invalid(i, "tags", e))?;
        }
        if let Inserted::Existing(_) = state.registry.insert(queue) {
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
        let (Some(source), Some(target)) = (
            state.registry.get(&spec.name),
            state.registry.get(&dl.queue),
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
