//! Retry policies: SDK presets and explicit parameters, and the analytic
//! worst-case lag Δmax between the first accepted send and the last retry
//! (analyzer.md §2).
//!
//! ```text
//! Δmax = min(T_op, R₁ + Σ_{i=2}^{N−1} A_max + Σ_{i=1}^{N−1} B̄_i)
//! Δrt  = (N−1)·R + Σ B̄_i(non-throttling base)          (read-timeout storm)
//! B̄_i = min(b·2^(i−1), M)
//! ```
//!
//! R₁ (how long the client waits after attempt 1 was accepted) is the attempt
//! timeout if set, else the read timeout; A_max is the attempt timeout if set,
//! else connect + read timeout. Δmax uses the larger of the throttling and
//! non-throttling bases, because a throttled retry backs off longer; Δrt uses
//! the non-throttling base, because timeouts are non-throttling errors.

use crate::duration::{fmt_ns, parse_duration_ns, parse_optional_duration_ns};
use crate::error::AnalyzerError;
use serde::Serialize;

const SEC: u64 = 1_000_000_000;
const MS: u64 = 1_000_000;

/// The SDK retry configurations that analyzer.md §2.3 documents
/// ([`Preset::summary`] says what each one is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    AwsSdkRust20,
    AwsSdkRust21,
    Boto3Legacy,
    Boto3Standard,
    Boto3Standard21,
    JavaV2Legacy,
    JavaV2Standard,
    Explicit,
}

/// How the SDK treats a server's Retry-After hint, which can lengthen a backoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RetryAfter {
    /// Ignored.
    Ignored,
    /// Spec 2.0: the hint is used but capped at the maximum backoff.
    CappedAtMaxBackoff,
    /// Spec 2.1: the hint is clamped to at most 5 s above the computed backoff.
    AtMostFiveSecondsMore,
}

/// A retry policy with every parameter resolved. Durations are in ns; `None` means unset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetryPolicy {
    pub name: String,
    pub attempts: u32,
    pub base_ns: u64,
    pub throttle_base_ns: u64,
    pub max_backoff_ns: Option<u64>,
    pub connect_timeout_ns: Option<u64>,
    pub read_timeout_ns: Option<u64>,
    pub attempt_timeout_ns: Option<u64>,
    pub operation_timeout_ns: Option<u64>,
    pub retry_after: RetryAfter,
    /// Whether the verdict should assume the server sends Retry-After hints.
    pub honor_retry_after: bool,
}

/// The analytic lags a policy allows. `None` means unbounded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyBound {
    /// Worst case without Retry-After hints (throttling base).
    pub delta_max_ns: Option<u64>,
    /// Read-timeout storm: every attempt times out, non-throttling backoff.
    pub delta_rt_ns: Option<u64>,
    /// Worst case when the server sends Retry-After hints.
    pub delta_max_retry_after_ns: Option<u64>,
    /// Σ B̄_i with the non-throttling and the throttling base.
    pub backoff_sum_ns: u64,
    pub backoff_sum_throttled_ns: u64,
    /// The bound the verdict uses: `delta_max_retry_after_ns` if the policy
    /// honours Retry-After, else `delta_max_ns`.
    pub effective_ns: Option<u64>,
    /// Why the bound is infinite, when it is.
    pub unbounded_because: Option<String>,
}

impl Preset {
    /// Every preset, in the order help texts list them.
    pub const ALL: [Preset; 8] = [
        Preset::AwsSdkRust20,
        Preset::AwsSdkRust21,
        Preset::Boto3Legacy,
        Preset::Boto3Standard,
        Preset::Boto3Standard21,
        Preset::JavaV2Legacy,
        Preset::JavaV2Standard,
        Preset::Explicit,
    ];

    /// The policy with the preset's documented defaults.
    pub fn policy(self) -> RetryPolicy {
        let p = |attempts, base, throttle, max: Option<u64>, c, r, ra| RetryPolicy {
            name: self.name().to_string(),
            attempts,
            base_ns: base,
            throttle_base_ns: throttle,
            max_backoff_ns: max,
            connect_timeout_ns: c,
            read_timeout_ns: r,
            attempt_timeout_ns: None,
            operation_timeout_ns: None,
            retry_after: ra,
            honor_retry_after: false,
        };
        use RetryAfter::*;
        // The Rust SDK only sets a connect timeout (BehaviorVersion >= 2026-01-12);
        // no read, attempt or operation timeout, so a hung attempt is never cut off.
        let rust_connect = Some(3_100 * MS);
        match self {
            Preset::AwsSdkRust20 => p(
                3,
                SEC,
                SEC,
                Some(20 * SEC),
                rust_connect,
                None,
                CappedAtMaxBackoff,
            ),
            Preset::AwsSdkRust21 => p(
                3,
                50 * MS,
                SEC,
                Some(20 * SEC),
                rust_connect,
                None,
                AtMostFiveSecondsMore,
            ),
            Preset::Boto3Legacy => p(5, SEC, SEC, None, Some(60 * SEC), Some(60 * SEC), Ignored),
            Preset::Boto3Standard => p(
                3,
                SEC,
                SEC,
                Some(20 * SEC),
                Some(60 * SEC),
                Some(60 * SEC),
                Ignored,
            ),
            Preset::Boto3Standard21 => p(
                3,
                50 * MS,
                SEC,
                Some(20 * SEC),
                Some(60 * SEC),
                Some(60 * SEC),
                AtMostFiveSecondsMore,
            ),
            Preset::JavaV2Legacy => p(
                4,
                100 * MS,
                500 * MS,
                Some(20 * SEC),
                Some(2 * SEC),
                Some(30 * SEC),
                Ignored,
            ),
            Preset::JavaV2Standard => p(
                3,
                100 * MS,
                SEC,
                Some(20 * SEC),
                Some(2 * SEC),
                Some(30 * SEC),
                Ignored,
            ),
            Preset::Explicit => p(1, 0, 0, None, None, None, Ignored),
        }
    }

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Preset::AwsSdkRust20 => "aws-sdk-rust-2.0",
            Preset::AwsSdkRust21 => "aws-sdk-rust-2.1",
            Preset::Boto3Legacy => "boto3-legacy",
            Preset::Boto3Standard => "boto3-standard",
            Preset::Boto3Standard21 => "boto3-standard-2.1",
            Preset::JavaV2Legacy => "java-v2-legacy",
            Preset::JavaV2Standard => "java-v2-standard",
            Preset::Explicit => "explicit",
        }
    }

    /// What the preset is: its SDK, mode and values (the command line's help).
    pub fn summary(self) -> &'static str {
        match self {
            Preset::AwsSdkRust20 => {
                "aws-sdk-rust `RetryConfig::standard()`, RetrySpec v2.0: 3 attempts, 1 s base, 20 s cap"
            }
            Preset::AwsSdkRust21 => {
                "aws-sdk-rust with retry behavior 2.1: 50 ms base (1 s when throttled)"
            }
            Preset::Boto3Legacy => {
                "botocore legacy mode: 5 attempts, 2^(i−1) s with no cap, 60 s connect and read timeouts"
            }
            Preset::Boto3Standard => {
                "botocore standard mode 2.0: 3 attempts, 1 s base, 20 s cap, 60 s timeouts"
            }
            Preset::Boto3Standard21 => {
                "botocore standard mode 2.1: 50 ms base (1 s when throttled)"
            }
            Preset::JavaV2Legacy => {
                "AWS SDK for Java v2 LEGACY: 4 attempts, 100 ms base (500 ms throttled), 2 s connect, 30 s socket"
            }
            Preset::JavaV2Standard => {
                "AWS SDK for Java v2 STANDARD: 3 attempts, 100 ms base (1 s throttled)"
            }
            Preset::Explicit => "No preset: every parameter comes from the explicit options",
        }
    }

    /// Other names a preset is known by: the spec version spelled out, or left off.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Preset::AwsSdkRust20 => &["rust-2.0"],
            Preset::AwsSdkRust21 => &["rust-2.1"],
            Preset::Boto3Standard => &["boto3-standard-2.0"],
            Preset::Boto3Legacy
            | Preset::Boto3Standard21
            | Preset::JavaV2Legacy
            | Preset::JavaV2Standard
            | Preset::Explicit => &[],
        }
    }

    /// The preset a name or alias stands for, ignoring case.
    pub fn from_name(name: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| {
            p.name().eq_ignore_ascii_case(name)
                || p.aliases().iter().any(|a| a.eq_ignore_ascii_case(name))
        })
    }
}

impl RetryPolicy {
    /// Σ_{i=1}^{N−1} min(base·2^(i−1), M).
    fn backoff_sum(&self, base: u64) -> u64 {
        let mut sum = 0u64;
        for i in 1..self.attempts.max(1) {
            let exp = base.saturating_mul(1u64.checked_shl(i - 1).unwrap_or(u64::MAX));
            sum = sum.saturating_add(self.max_backoff_ns.map_or(exp, |m| exp.min(m)));
        }
        sum
    }

    /// Σ of the longest backoffs Retry-After hints can produce.
    fn backoff_sum_retry_after(&self, base: u64) -> Option<u64> {
        let retries = u64::from(self.attempts.saturating_sub(1));
        match self.retry_after {
            RetryAfter::Ignored => Some(self.backoff_sum(base)),
            RetryAfter::CappedAtMaxBackoff => {
                self.max_backoff_ns.map(|m| m.saturating_mul(retries))
            }
            RetryAfter::AtMostFiveSecondsMore => {
                Some(self.backoff_sum(base).saturating_add(5 * SEC * retries))
            }
        }
    }

    /// Δmax, Δrt and the Retry-After variant (analyzer.md §2.1).
    pub fn bound(&self) -> PolicyBound {
        let wait_first = self.attempt_timeout_ns.or(self.read_timeout_ns);
        let attempt_max = self.attempt_timeout_ns.or_else(|| {
            self.connect_timeout_ns
                .zip(self.read_timeout_ns)
                .map(|(c, r)| c.saturating_add(r))
        });
        let slow = self.base_ns.max(self.throttle_base_ns);
        let middle = u64::from(self.attempts.saturating_sub(2));
        let chain = |backoffs: Option<u64>| -> Option<u64> {
            if self.attempts <= 1 {
                return Some(0);
            }
            let middle_ns = if middle == 0 {
                Some(0)
            } else {
                attempt_max.map(|a| a.saturating_mul(middle))
            };
            let raw = wait_first
                .zip(middle_ns)
                .zip(backoffs)
                .and_then(|((a, b), c)| a.checked_add(b)?.checked_add(c));
            cap(raw, self.operation_timeout_ns)
        };
        let storm = if self.attempts <= 1 {
            Some(0)
        } else {
            wait_first.map(|r| {
                r.saturating_mul(u64::from(self.attempts - 1))
                    .saturating_add(self.backoff_sum(self.base_ns))
            })
        };
        let storm = cap(storm, self.operation_timeout_ns);
        let delta_max = chain(Some(self.backoff_sum(slow)));
        let delta_ra = chain(self.backoff_sum_retry_after(slow));
        let unbounded_because = if delta_max.is_none() {
            Some(if wait_first.is_none() {
                "no attempt, read or operation timeout: a hung attempt is never cut off".to_string()
            } else {
                "no attempt timeout and no connect timeout: a hung connect is never cut off"
                    .to_string()
            })
        } else if delta_ra.is_none() && self.honor_retry_after {
            Some("Retry-After hints with no maximum backoff are unbounded".to_string())
        } else {
            None
        };
        PolicyBound {
            delta_max_ns: delta_max,
            delta_rt_ns: storm,
            delta_max_retry_after_ns: delta_ra,
            backoff_sum_ns: self.backoff_sum(self.base_ns),
            backoff_sum_throttled_ns: self.backoff_sum(slow),
            effective_ns: if self.honor_retry_after {
                delta_ra
            } else {
                delta_max
            },
            unbounded_because,
        }
    }

    /// Applies one `key=value` override (`attempts`, `base`, `throttle-base`,
    /// `max-backoff`, `connect-timeout`, `read-timeout`, `attempt-timeout`,
    /// `operation-timeout`, `retry-after`). Durations take humantime syntax or
    /// plain seconds; `none` unsets an optional one.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), AnalyzerError> {
        let arg = format!("--{key}");
        match key {
            "attempts" => {
                self.attempts = value
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| {
                        AnalyzerError::usage(&arg, format!("`{value}` is not a whole number >= 1"))
                    })?;
            }
            "base" => {
                self.base_ns = parse_duration_ns(&arg, value)?;
                if self.throttle_base_ns < self.base_ns {
                    self.throttle_base_ns = self.base_ns;
                }
            }
            "throttle-base" => self.throttle_base_ns = parse_duration_ns(&arg, value)?,
            "max-backoff" => self.max_backoff_ns = parse_optional_duration_ns(&arg, value)?,
            "connect-timeout" => self.connect_timeout_ns = parse_optional_duration_ns(&arg, value)?,
            "read-timeout" => self.read_timeout_ns = parse_optional_duration_ns(&arg, value)?,
            "attempt-timeout" => self.attempt_timeout_ns = parse_optional_duration_ns(&arg, value)?,
            "operation-timeout" => {
                self.operation_timeout_ns = parse_optional_duration_ns(&arg, value)?
            }
            "retry-after" => {
                self.honor_retry_after = match value {
                    "true" | "yes" | "1" | "" => true,
                    "false" | "no" | "0" => false,
                    _ => {
                        return Err(AnalyzerError::usage(
                            &arg,
                            format!("`{value}` is not true or false"),
                        ));
                    }
                }
            }
            _ => {
                return Err(AnalyzerError::usage(
                    "--policy",
                    format!(
                        "unknown policy key `{key}` (attempts, base, throttle-base, max-backoff, connect-timeout, read-timeout, attempt-timeout, operation-timeout, retry-after)"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A one-line summary such as `aws-sdk-rust-2.0: 3 attempts, base 1.00s, cap 20.00s, attempt timeout 10.00s`.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{}: {} attempts, base {}",
            self.name,
            self.attempts,
            fmt_ns(self.base_ns)
        );
        if self.throttle_base_ns != self.base_ns {
            s += &format!(" ({} throttled)", fmt_ns(self.throttle_base_ns));
        }
        s += &match self.max_backoff_ns {
            Some(m) => format!(", cap {}", fmt_ns(m)),
            None => ", no cap".to_string(),
        };
        for (label, v) in [
            ("connect", self.connect_timeout_ns),
            ("read", self.read_timeout_ns),
            ("attempt", self.attempt_timeout_ns),
            ("operation", self.operation_timeout_ns),
        ] {
            if let Some(v) = v {
                s += &format!(", {label} timeout {}", fmt_ns(v));
            }
        }
        if self.honor_retry_after {
            s += ", Retry-After honoured";
        }
        s
    }
}

/// The whole-operation timeout cuts off whatever the retries would allow.
fn cap(raw: Option<u64>, operation_timeout: Option<u64>) -> Option<u64> {
    match (raw, operation_timeout) {
        (Some(r), Some(op)) => Some(r.min(op)),
        (None, op) => op,
        (r, None) => r,
    }
}

/// Parses a policy spec: `PRESET[,key=value...]`, e.g.
/// `aws-sdk-rust-2.0,attempt-timeout=10s` or `explicit,attempts=3,base=1s,max-backoff=20s,read-timeout=30s`.
pub fn parse_policy_spec(spec: &str) -> Result<RetryPolicy, AnalyzerError> {
    let mut parts = spec.split(',').map(str::trim);
    let preset_name = parts.next().unwrap_or_default();
    let preset = Preset::from_name(preset_name).ok_or_else(|| {
        AnalyzerError::usage(
            "--policy",
            format!(
                "unknown preset `{preset_name}` ({})",
                Preset::ALL.map(Preset::name).join(", ")
            ),
        )
    })?;
    let mut policy = preset.policy();
    for part in parts.filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        policy.set(key.trim(), value.trim())?;
    }
    Ok(policy)
}
