//! Units of time that inputs write their numbers in (`--unit`, `--time-unit`).

use crate::error::AnalyzerError;

/// A unit of time: how many nanoseconds one of it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    S,
    Ms,
    Us,
    Ns,
}

impl TimeUnit {
    /// Nanoseconds per unit.
    pub fn ns_per_unit(self) -> f64 {
        match self {
            TimeUnit::S => 1e9,
            TimeUnit::Ms => 1e6,
            TimeUnit::Us => 1e3,
            TimeUnit::Ns => 1.0,
        }
    }

    /// The unit's name as the command line spells it.
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::S => "s",
            TimeUnit::Ms => "ms",
            TimeUnit::Us => "us",
            TimeUnit::Ns => "ns",
        }
    }

    /// Parses the value of the option `arg` (`s`, `ms`, `us` or `ns`).
    pub fn parse(arg: &str, value: &str) -> Result<TimeUnit, AnalyzerError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "s" => Ok(TimeUnit::S),
            "ms" => Ok(TimeUnit::Ms),
            "us" | "µs" => Ok(TimeUnit::Us),
            "ns" => Ok(TimeUnit::Ns),
            _ => Err(AnalyzerError::usage(
                arg,
                format!("`{value}` is not a unit of time (s, ms, us or ns)"),
            )),
        }
    }

    /// `value` units in ns, or `None` when it is negative, not finite or too large.
    pub fn to_ns(self, value: f64) -> Option<u64> {
        let ns = (value * self.ns_per_unit()).round();
        (value.is_finite() && ns >= 0.0 && ns < u64::MAX as f64).then_some(ns as u64)
    }

    /// The unit of an epoch timestamp without one, from its size: epoch
    /// seconds below 1e11 (until the year 5138), milliseconds below 1e14,
    /// microseconds below 1e17, nanoseconds above.
    pub fn by_magnitude(value: f64) -> TimeUnit {
        match value.abs() {
            v if v < 1e11 => TimeUnit::S,
            v if v < 1e14 => TimeUnit::Ms,
            v if v < 1e17 => TimeUnit::Us,
            _ => TimeUnit::Ns,
        }
    }

    /// `epoch seconds`, `epoch milliseconds`...: for notes on how times were read.
    pub fn epoch_words(self) -> &'static str {
        match self {
            TimeUnit::S => "epoch seconds",
            TimeUnit::Ms => "epoch milliseconds",
            TimeUnit::Us => "epoch microseconds",
            TimeUnit::Ns => "epoch nanoseconds",
        }
    }
}
