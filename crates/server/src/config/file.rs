//! The TOML config file of `fifowin serve --config`: server settings and the queues
//! (and SNS topics, `topics.rs`) to create at start-up. Parsing checks everything that needs no running server
//! (types, unknown keys, durations, names, dead-letter references); creating the
//! queues (`sqs/provision.rs`) checks the rest with the engine's own validation.
//! Every error names the key at fault (`queues[1].dedup_window: ...`).
//!
//! The annotated example `fifowin.example.toml` at the repository root documents
//! every key; a test here parses it, so it cannot drift from this module.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use crate::config::ClockMode;

mod topics;

pub use topics::{SubscriptionSpec, TopicSpec};

/// Why a config file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read (the caller names the file).
    #[error("cannot read the file: {0}")]
    Read(std::io::Error),
    /// Not TOML, an unknown key, or a value of the wrong type (toml's message,
    /// which quotes the line and names the key).
    #[error("{0}")]
    Syntax(String),
    /// A value that parses but cannot be used.
    #[error("{key}: {problem}")]
    Invalid { key: String, problem: String },
}

fn invalid(key: impl Into<String>, problem: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.into(),
        problem: problem.into(),
    }
}

/// A queue to create at start-up (and again after `POST /_fifowin/reset`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueSpec {
    pub name: String,
    /// The region the queue lives in; the server's (`server.region`, `--region`)
    /// when `None`. Its dead-letter queue is looked up in the same region.
    pub region: Option<String>,
    /// SQS attributes as CreateQueue takes them (`FifoQueue` added for `.fifo` names).
    pub attributes: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
    /// Overrides the server's dedup window for this queue (FIFO only).
    pub dedup_window_ms: Option<u64>,
    /// Where messages go after `max_receive_count` receives.
    pub dead_letter: Option<DeadLetterSpec>,
}

/// A RedrivePolicy by queue name rather than ARN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadLetterSpec {
    pub queue: String,
    pub max_receive_count: u32,
}

/// A validated config file. Server settings are `None` where the file is silent,
/// so command-line flags and environment variables can take precedence over it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileConfig {
    pub host: Option<IpAddr>,
    pub port: Option<u16>,
    pub dedup_window_ms: Option<u64>,
    pub clock: Option<ClockMode>,
    pub account_id: Option<String>,
    pub region: Option<String>,
    pub public_url: Option<String>,
    pub escape_horizon_ms: Option<u64>,
    pub deleted_queue_cooldown: Option<bool>,
    /// `server.cors_allow_origins`: see [`crate::config::browser`].
    pub cors_allow_origins: Option<Vec<String>>,
    /// `server.allow_hosts`: see [`crate::config::browser`].
    pub allow_hosts: Option<Vec<String>>,
    /// Checked by the binary, which owns the log subscriber.
    pub log_level: Option<String>,
    pub queues: Vec<QueueSpec>,
    /// `[[topics]]`: SNS topics and their subscriptions to the file's queues.
    pub topics: Vec<TopicSpec>,
    /// `[auth]`: SigV4 mode, access keys and control-API access (see [`crate::config::auth`]).
    pub auth: FileAuth,
}

/// The `[auth]` table; `None` where the file is silent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileAuth {
    pub mode: Option<crate::config::auth::AuthMode>,
    pub keys: crate::config::auth::AccessKeys,
    pub control: Option<crate::config::auth::ControlAccess>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    server: RawServer,
    #[serde(default)]
    queues: Vec<RawQueue>,
    #[serde(default)]
    topics: Vec<topics::RawTopic>,
    #[serde(default)]
    auth: RawAuth,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuth {
    mode: Option<String>,
    #[serde(default)]
    keys: Vec<RawKey>,
    control_token: Option<String>,
    control: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKey {
    access_key_id: String,
    secret_access_key: String,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServer {
    host: Option<String>,
    port: Option<u16>,
    dedup_window: Option<String>,
    clock: Option<String>,
    account_id: Option<String>,
    region: Option<String>,
    public_url: Option<String>,
    escape_horizon: Option<String>,
    deleted_queue_cooldown: Option<bool>,
    log_level: Option<String>,
    cors_allow_origins: Option<Vec<String>>,
    allow_hosts: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQueue {
    name: String,
    region: Option<String>,
    #[serde(default)]
    attributes: BTreeMap<String, toml::Value>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    dedup_window: Option<String>,
    dead_letter: Option<RawDeadLetter>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeadLetter {
    queue: String,
    max_receive_count: i64,
}

/// Reads and validates the file at `path`.
pub fn load(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(ConfigError::Read)?;
    parse(&text)
}

/// Parses and validates a config file's text.
pub fn parse(text: &str) -> Result<FileConfig, ConfigError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| ConfigError::Syntax(e.to_string()))?;
    let s = raw.server;
    let host = s
        .host
        .map(|h| {
            h.parse::<IpAddr>().map_err(|_| {
                invalid(
                    "server.host",
                    format!("{h:?} is not an IP address (e.g. 0.0.0.0)"),
                )
            })
        })
        .transpose()?;
    let dedup_window_ms = s
        .dedup_window
        .map(|d| window("server.dedup_window", &d))
        .transpose()?;
    let clock = s
        .clock
        .map(|c| match c.as_str() {
            "system" => Ok(ClockMode::System),
            "manual" => Ok(ClockMode::Manual),
            other => Err(invalid(
                "server.clock",
                format!("expected \"system\" or \"manual\", got {other:?}"),
            )),
        })
        .transpose()?;
    if let Some(id) = &s.account_id
        && !(id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(invalid(
            "server.account_id",
            format!("must be 12 digits, got {id:?}"),
        ));
    }
    if let Some(region) = &s.region
        && region.is_empty()
    {
        return Err(invalid("server.region", "must not be empty"));
    }
    if let Some(url) = &s.public_url
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        return Err(invalid(
            "server.public_url",
            format!("must start with http:// or https://, got {url:?}"),
        ));
    }
    let escape_horizon_ms = s
        .escape_horizon
        .map(|d| duration_ms("server.escape_horizon", &d))
        .transpose()?;
    let cors_allow_origins = s
        .cors_allow_origins
        .map(|list| {
            each(
                "server.cors_allow_origins",
                list,
                crate::config::browser::parse_origin,
            )
        })
        .transpose()?;
    let allow_hosts = s
        .allow_hosts
        .map(|list| {
            each(
                "server.allow_hosts",
                list,
                crate::config::browser::parse_host,
            )
        })
        .transpose()?;
    let queues = queues(raw.queues)?;
    Ok(FileConfig {
        host,
        port: s.port,
        dedup_window_ms,
        clock,
        account_id: s.account_id,
        region: s.region,
        public_url: s.public_url,
        escape_horizon_ms,
        deleted_queue_cooldown: s.deleted_queue_cooldown,
        cors_allow_origins,
        allow_hosts,
        log_level: s.log_level,
        topics: topics::topics(raw.topics, &queues)?,
        queues,
        auth: auth(raw.auth)?,
    })
}

/// Every item of a list key through `parse`, naming the item at fault (`key[1]`).
fn each(
    key: &str,
    list: Vec<String>,
    parse: fn(&str) -> Result<String, String>,
) -> Result<Vec<String>, ConfigError> {
    list.iter()
        .enumerate()
        .map(|(i, item)| parse(item).map_err(|problem| invalid(format!("{key}[{i}]"), problem)))
        .collect()
}

fn auth(raw: RawAuth) -> Result<FileAuth, ConfigError> {
    use crate::config::auth::{AccessKeys, AuthMode, ControlAccess};
    let mode = raw
        .mode
        .map(|m| match m.as_str() {
            "none" => Ok(AuthMode::None),
            "sigv4" => Ok(AuthMode::SigV4),
            other => Err(invalid(
                "auth.mode",
                format!("expected \"none\" or \"sigv4\", got {other:?}"),
            )),
        })
        .transpose()?;
    let mut keys = AccessKeys::default();
    for (i, key) in raw.keys.into_iter().enumerate() {
        // Errors name the key id, never the secret.
        if key.access_key_id.is_empty() || key.secret_access_key.is_empty() {
            return Err(invalid(
                format!("auth.keys[{i}]"),
                "access_key_id and secret_access_key must not be empty",
            ));
        }
        keys.insert(key.access_key_id, key.secret_access_key);
    }
    if mode == Some(AuthMode::SigV4) && keys.is_empty() {
        return Err(invalid(
            "auth.mode",
            "\"sigv4\" needs at least one [[auth.keys]] entry",
        ));
    }
    let control = match (raw.control, raw.control_token) {
        (Some(false), Some(_)) => {
            return Err(invalid(
                "auth.control",
                "false turns the control API off; remove control_token or set control = true",
            ));
        }
        (Some(false), None) => Some(ControlAccess::Disabled),
        (_, Some(token)) if token.is_empty() => {
            return Err(invalid("auth.control_token", "must not be empty"));
        }
        (_, Some(token)) => Some(ControlAccess::Token(token)),
        (Some(true), None) => Some(ControlAccess::Open),
        (None, None) => None,
    };
    Ok(FileAuth {
        mode,
        keys,
        control,
    })
}

fn duration_ms(key: &str, text: &str) -> Result<u64, ConfigError> {
    let d: Duration = humantime::parse_duration(text).map_err(|e| {
        invalid(
            key,
            format!("{text:?} is not a duration ({e}); write e.g. \"90s\", \"5m\", \"1h\""),
        )
    })?;
    Ok(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn window(key: &str, text: &str) -> Result<u64, ConfigError> {
    match duration_ms(key, text)? {
        0 => Err(invalid(key, "must be greater than zero")),
        ms => Ok(ms),
    }
}

fn attribute_value(key: &str, value: toml::Value) -> Result<String, ConfigError> {
    match value {
        toml::Value::String(s) => Ok(s),
        toml::Value::Integer(i) => Ok(i.to_string()),
        toml::Value::Boolean(b) => Ok(b.to_string()),
        other => Err(invalid(
            key,
            format!(
                "must be a string, integer or boolean, got a {}",
                other.type_str()
            ),
        )),
    }
}

fn queues(raw: Vec<RawQueue>) -> Result<Vec<QueueSpec>, ConfigError> {
    // By (region, name): the same name in two regions is two queues.
    let mut seen: HashMap<(Option<String>, String), usize> = HashMap::new();
    let mut specs = Vec::with_capacity(raw.len());
    for (i, q) in raw.into_iter().enumerate() {
        let at = |key: &str| format!("queues[{i}].{key}");
        if let Some(region) = &q.region
            && (region.is_empty()
                || !region
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
        {
            return Err(invalid(
                at("region"),
                format!("must be a region name such as \"eu-north-1\", got {region:?}"),
            ));
        }
        if let Some(first) = seen.insert((q.region.clone(), q.name.clone()), i) {
            return Err(invalid(
                at("name"),
                format!("queue {:?} is already defined by queues[{first}]", q.name),
            ));
        }
        let mut attributes = BTreeMap::new();
        for (name, value) in q.attributes {
            let text = attribute_value(&at(&format!("attributes.{name}")), value)?;
            attributes.insert(name, text);
        }
        if q.name.ends_with(".fifo") {
            // AWS insists on the attribute; a config file can say it once, in the name.
            attributes
                .entry("FifoQueue".to_string())
                .or_insert_with(|| "true".to_string());
        }
        let fifo = attributes.get("FifoQueue").is_some_and(|v| v == "true");
        fifowin_engine::validate::queue_name(&q.name, fifo)
            .map_err(|e| invalid(at("name"), format!("{:?}: {e}", q.name)))?;
        let dedup_window_ms = match q.dedup_window {
            Some(_) if !fifo => {
                return Err(invalid(
                    at("dedup_window"),
                    "applies to FIFO queues only (standard queues do not deduplicate)",
                ));
            }
            Some(d) => Some(window(&at("dedup_window"), &d)?),
            None => None,
        };
        let dead_letter = match q.dead_letter {
            None => None,
            Some(_) if attributes.contains_key("RedrivePolicy") => {
                return Err(invalid(
                    at("dead_letter"),
                    "give either dead_letter or attributes.RedrivePolicy, not both",
                ));
            }
            Some(dl) => {
                let max_receive_count = u32::try_from(dl.max_receive_count)
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| {
                        invalid(
                            at("dead_letter.max_receive_count"),
                            format!("must be from 1 to 1000, got {}", dl.max_receive_count),
                        )
                    })?;
                Some(DeadLetterSpec {
                    queue: dl.queue,
                    max_receive_count,
                })
            }
        };
        specs.push(QueueSpec {
            name: q.name,
            region: q.region,
            attributes,
            tags: q.tags,
            dedup_window_ms,
            dead_letter,
        });
    }
    for (i, spec) in specs.iter().enumerate() {
        if let Some(dl) = &spec.dead_letter
            && !seen.contains_key(&(spec.region.clone(), dl.queue.clone()))
        {
            let place = match &spec.region {
                Some(region) => format!("in region {region:?} of this file"),
                None => "in this file".to_string(),
            };
            return Err(invalid(
                format!("queues[{i}].dead_letter.queue"),
                format!("no queue named {:?} {place}", dl.queue),
            ));
        }
    }
    Ok(specs)
}

#[cfg(test)]
mod tests;
