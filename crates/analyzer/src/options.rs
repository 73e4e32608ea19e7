//! The options of `fifowin analyze` and `fifowin policy` as a user gave them,
//! before validation. Values that need checking stay strings here and are
//! validated into a [`crate::Config`] or [`crate::PolicyConfig`], so every bad
//! value is an [`crate::AnalyzerError`] naming its option (exit code 3). The
//! binary fills these from its command line; the defaults are defined here.

use crate::boundary::Boundary;
use crate::config::{
    DEFAULT_GUARD_NS, DEFAULT_HGRM_UNIT, DEFAULT_TARGET_ESCAPE, DEFAULT_WINDOW_NS,
};
use crate::duration::fmt_window;
use crate::policy::Preset;
use crate::report::Format;
use crate::units::TimeUnit;
use std::path::PathBuf;

/// What `fifowin analyze` was asked: each field is the option of that name
/// (`hgrm_unit` is `--hgrm-unit`); `inputs` are the positional arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalyzeOptions {
    pub inputs: Vec<PathBuf>,
    pub window: String,
    /// `[TAG=]PRESET[,key=value...]`, one per `--policy`.
    pub policy: Vec<String>,
    pub tag: Vec<String>,
    pub target_escape: String,
    pub boundary: Boundary,
    pub guard: String,
    pub format: Format,
    pub plot: Option<PathBuf>,
    pub output: Option<PathBuf>,
    pub hgrm_unit: TimeUnit,
    pub input_format: Option<String>,
    pub metric: Option<String>,
    pub source_label: Option<String>,
    pub unit: Option<String>,
    pub id_field: Option<String>,
    pub time_field: Option<String>,
    pub attempt_field: Option<String>,
    pub source_field: Option<String>,
    pub time_unit: Option<String>,
    pub id_attribute: Option<String>,
    pub source_attribute: Option<String>,
}

impl Default for AnalyzeOptions {
    /// The documented defaults, as `--help` shows them; no inputs.
    fn default() -> Self {
        AnalyzeOptions {
            inputs: Vec::new(),
            window: fmt_window(DEFAULT_WINDOW_NS),
            policy: Vec::new(),
            tag: Vec::new(),
            target_escape: format!("{DEFAULT_TARGET_ESCAPE:e}"),
            boundary: Boundary::default(),
            guard: fmt_window(DEFAULT_GUARD_NS),
            format: Format::default(),
            plot: None,
            output: None,
            hgrm_unit: DEFAULT_HGRM_UNIT,
            input_format: None,
            metric: None,
            source_label: None,
            unit: None,
            id_field: None,
            time_field: None,
            attempt_field: None,
            source_field: None,
            time_unit: None,
            id_attribute: None,
            source_attribute: None,
        }
    }
}

/// What `fifowin policy` was asked: the preset, explicit overrides of its
/// values (durations as typed, `none` to unset), and the window to judge against.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyOptions {
    pub preset: Preset,
    pub attempts: Option<u32>,
    pub base: Option<String>,
    pub throttle_base: Option<String>,
    pub max_backoff: Option<String>,
    pub connect_timeout: Option<String>,
    pub read_timeout: Option<String>,
    pub attempt_timeout: Option<String>,
    pub operation_timeout: Option<String>,
    pub retry_after: bool,
    pub window: String,
    pub guard: String,
    pub format: Format,
}

impl Default for PolicyOptions {
    /// The documented defaults: no preset, the default window and guard, a table.
    fn default() -> Self {
        let analyze = AnalyzeOptions::default();
        PolicyOptions {
            preset: Preset::Explicit,
            attempts: None,
            base: None,
            throttle_base: None,
            max_backoff: None,
            connect_timeout: None,
            read_timeout: None,
            attempt_timeout: None,
            operation_timeout: None,
            retry_after: false,
            window: analyze.window,
            guard: analyze.guard,
            format: analyze.format,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_read_as_help_shows_them() {
        let options = AnalyzeOptions::default();
        assert_eq!(options.window, "5m");
        assert_eq!(options.target_escape, "1e-6");
        assert_eq!(options.guard, "1s");
        assert_eq!(options.hgrm_unit, TimeUnit::Ms);
        let policy = PolicyOptions::default();
        assert_eq!(
            (policy.window.as_str(), policy.guard.as_str()),
            ("5m", "1s")
        );
    }
}
