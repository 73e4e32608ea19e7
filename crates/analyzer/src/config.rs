//! The validated configuration between the options as given and the pure
//! analysis: every value checked once, here, with errors naming the option.

use crate::boundary::Boundary;
use crate::duration::parse_duration_ns;
use crate::error::AnalyzerError;
use crate::options::{AnalyzeOptions, PolicyOptions};
use crate::policy::{RetryPolicy, parse_policy_spec};
use crate::readers::InputFormat;
use crate::readers::attempts::{AttemptFields, DEFAULT_ID_FIELD, DEFAULT_TIME_FIELD};
use crate::readers::otlp::OtlpOptions;
use crate::readers::prometheus::PromOptions;
use crate::report::Format;
use crate::units::TimeUnit;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The default window: SQS FIFO's deduplication interval, as the engine keeps it.
pub const DEFAULT_WINDOW_NS: u64 =
    fifowin_engine::QueueSettings::DEFAULT_DEDUP_WINDOW_MS * 1_000_000;
/// The default acceptable escape probability per retry.
pub const DEFAULT_TARGET_ESCAPE: f64 = 1e-6;
/// The default guard band between a policy bound and the window.
pub const DEFAULT_GUARD_NS: u64 = 1_000_000_000;
/// The default unit of values in `.hgrm` files (Java's default).
pub const DEFAULT_HGRM_UNIT: TimeUnit = TimeUnit::Ms;
/// Confidence level of every reported upper bound (one-sided).
pub const CONFIDENCE: f64 = 0.95;

/// Retry policies by source: one for named tags, one for everything else.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policies {
    pub default: Option<RetryPolicy>,
    pub by_tag: BTreeMap<String, RetryPolicy>,
}

impl Policies {
    pub fn for_tag(&self, tag: &str) -> Option<&RetryPolicy> {
        self.by_tag.get(tag).or(self.default.as_ref())
    }
}

/// Everything `analyze` needs, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub inputs: Vec<PathBuf>,
    pub window_ns: u64,
    pub boundary: Boundary,
    pub target_escape: f64,
    pub guard_ns: u64,
    /// Sources to keep; empty keeps all.
    pub tags: Vec<String>,
    pub policies: Policies,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub plot_dir: Option<PathBuf>,
    pub hgrm_unit: TimeUnit,
    /// The format of every input; `None` decides per input.
    pub input_format: Option<InputFormat>,
    pub prometheus: PromOptions,
    pub attempt_fields: AttemptFields,
    pub otlp: OtlpOptions,
}

impl Config {
    /// A configuration with the documented defaults and the given window,
    /// for library callers (the replay driver, tests).
    pub fn with_window(window_ns: u64) -> Config {
        Config {
            inputs: Vec::new(),
            window_ns,
            boundary: Boundary::Ge,
            target_escape: DEFAULT_TARGET_ESCAPE,
            guard_ns: DEFAULT_GUARD_NS,
            tags: Vec::new(),
            policies: Policies::default(),
            format: Format::Table,
            output: None,
            plot_dir: None,
            hgrm_unit: DEFAULT_HGRM_UNIT,
            input_format: None,
            prometheus: PromOptions::default(),
            attempt_fields: AttemptFields::default(),
            otlp: OtlpOptions::default(),
        }
    }

    /// Validates the `analyze` options.
    pub fn from_options(options: &AnalyzeOptions) -> Result<Config, AnalyzerError> {
        let window_ns = parse_window(&options.window)?;
        let target_escape = options
            .target_escape
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|p| *p > 0.0 && *p < 1.0)
            .ok_or_else(|| {
                AnalyzerError::usage(
                    "--target-escape",
                    format!(
                        "`{}` is not a probability strictly between 0 and 1",
                        options.target_escape
                    ),
                )
            })?;
        let mut policies = Policies::default();
        for spec in &options.policy {
            let (tag, rest) = match spec.split_once('=') {
                // `key=value` pairs come after the first comma, so a `=` before
                // any comma can only be `TAG=`.
                Some((tag, rest)) if !tag.contains(',') => (Some(tag.trim()), rest),
                _ => (None, spec.as_str()),
            };
            let policy = parse_policy_spec(rest)?;
            match tag {
                Some(tag) => {
                    if policies.by_tag.insert(tag.to_string(), policy).is_some() {
                        return Err(AnalyzerError::usage(
                            "--policy",
                            format!("two policies for tag `{tag}`"),
                        ));
                    }
                }
                None if policies.default.is_some() => {
                    return Err(AnalyzerError::usage(
                        "--policy",
                        "two policies without a tag",
                    ));
                }
                None => policies.default = Some(policy),
            }
        }
        Ok(Config {
            inputs: options.inputs.clone(),
            window_ns,
            boundary: options.boundary,
            target_escape,
            guard_ns: parse_duration_ns("--guard", &options.guard)?,
            tags: options.tag.clone(),
            policies,
            format: options.format,
            output: options.output.clone(),
            plot_dir: options.plot.clone(),
            hgrm_unit: options.hgrm_unit,
            input_format: match &options.input_format {
                Some(f) => InputFormat::parse(f)?,
                None => None,
            },
            prometheus: PromOptions {
                metric: non_empty("--metric", &options.metric)?,
                source_label: non_empty("--source-label", &options.source_label)?,
                unit: options
                    .unit
                    .as_deref()
                    .map(|u| TimeUnit::parse("--unit", u))
                    .transpose()?,
            },
            attempt_fields: AttemptFields {
                id: non_empty("--id-field", &options.id_field)?
                    .unwrap_or_else(|| DEFAULT_ID_FIELD.to_string()),
                time: non_empty("--time-field", &options.time_field)?
                    .unwrap_or_else(|| DEFAULT_TIME_FIELD.to_string()),
                attempt: non_empty("--attempt-field", &options.attempt_field)?,
                source: non_empty("--source-field", &options.source_field)?,
                time_unit: options
                    .time_unit
                    .as_deref()
                    .map(|u| TimeUnit::parse("--time-unit", u))
                    .transpose()?,
            },
            otlp: OtlpOptions {
                id_attribute: non_empty("--id-attribute", &options.id_attribute)?,
                source_attribute: non_empty("--source-attribute", &options.source_attribute)?,
            },
        })
    }

    /// Whether a source passes the `--tag` filter.
    pub fn selects(&self, tag: &str) -> bool {
        self.tags.is_empty() || self.tags.iter().any(|t| t == tag)
    }
}

/// Everything `policy` needs, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyConfig {
    pub policy: RetryPolicy,
    pub window_ns: u64,
    pub guard_ns: u64,
    pub format: Format,
}

impl PolicyConfig {
    /// Validates the `policy` options: the preset's values, then each explicit override.
    pub fn from_options(options: &PolicyOptions) -> Result<PolicyConfig, AnalyzerError> {
        let mut policy = options.preset.policy();
        if let Some(n) = options.attempts {
            policy.set("attempts", &n.to_string())?;
        }
        for (key, value) in [
            ("base", &options.base),
            ("throttle-base", &options.throttle_base),
            ("max-backoff", &options.max_backoff),
            ("connect-timeout", &options.connect_timeout),
            ("read-timeout", &options.read_timeout),
            ("attempt-timeout", &options.attempt_timeout),
            ("operation-timeout", &options.operation_timeout),
        ] {
            if let Some(value) = value {
                policy.set(key, value)?;
            }
        }
        policy.honor_retry_after = options.retry_after;
        if matches!(options.format, Format::Hgrm | Format::Junit) {
            return Err(AnalyzerError::usage(
                "--format",
                "policy reports are table, json or markdown",
            ));
        }
        Ok(PolicyConfig {
            policy,
            window_ns: parse_window(&options.window)?,
            guard_ns: parse_duration_ns("--guard", &options.guard)?,
            format: options.format,
        })
    }
}

/// An optional name that, when given, must not be blank.
fn non_empty(arg: &str, value: &Option<String>) -> Result<Option<String>, AnalyzerError> {
    match value.as_deref().map(str::trim) {
        Some("") => Err(AnalyzerError::usage(arg, "must not be empty")),
        Some(v) => Ok(Some(v.to_string())),
        None => Ok(None),
    }
}

fn parse_window(value: &str) -> Result<u64, AnalyzerError> {
    let ns = parse_duration_ns("--window", value)?;
    if ns == 0 {
        return Err(AnalyzerError::usage(
            "--window",
            "the window must be longer than 0",
        ));
    }
    Ok(ns)
}
