//! The verdict ladder of analyzer.md §4 and its exit codes. Three answers are
//! weighed, the analytic policy bound, the observed escapes with their exact
//! upper bound, and the tail extrapolation, and the worst decides:
//!
//! * **ESCAPING**: some lag certainly escaped (k_lo > 0), or the policy allows
//!   a retry at or after the window (Δmax ≥ W).
//! * **SAFE**: the policy bounds every retry below the window minus the guard
//!   (Δmax < W − guard), and the data agree (nothing observed above Δmax).
//! * **PROBABLY SAFE**: no usable bound, no escape, at least 3/ε lags, and both
//!   the Clopper–Pearson and the GPD upper bounds of P(lag ≥ W) are below ε.
//! * **AT RISK**: everything else: samples in the bucket straddling W, too few
//!   lags, an upper bound ≥ ε, no tail fit, or Δmax within the guard of W.

use crate::duration::{fmt_ns, fmt_prob, fmt_window};
use serde::Serialize;

/// Exit code for SAFE and PROBABLY SAFE.
pub const EXIT_SAFE: u8 = 0;
/// Exit code for AT RISK.
pub const EXIT_AT_RISK: u8 = 1;
/// Exit code for ESCAPING.
pub const EXIT_ESCAPING: u8 = 2;
/// Exit code for bad input (unreadable file, bad line, bad option).
pub const EXIT_BAD_INPUT: u8 = 3;

/// The verdicts, ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Verdict {
    #[serde(rename = "SAFE")]
    Safe,
    #[serde(rename = "PROBABLY SAFE")]
    ProbablySafe,
    #[serde(rename = "AT RISK")]
    AtRisk,
    #[serde(rename = "ESCAPING")]
    Escaping,
}

impl Verdict {
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Safe | Verdict::ProbablySafe => EXIT_SAFE,
            Verdict::AtRisk => EXIT_AT_RISK,
            Verdict::Escaping => EXIT_ESCAPING,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Safe => "SAFE",
            Verdict::ProbablySafe => "PROBABLY SAFE",
            Verdict::AtRisk => "AT RISK",
            Verdict::Escaping => "ESCAPING",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the ladder looks at for one source.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub window_ns: u64,
    pub guard_ns: u64,
    pub target: f64,
    pub n: u64,
    pub escapes_lo: u64,
    pub escapes_hi: u64,
    /// The lowest value the largest lag can have.
    pub max_lo_ns: u64,
    /// One-sided Clopper–Pearson upper bound of the escape rate.
    pub p_upper: f64,
    /// The GPD upper bound of P(lag ≥ W); `None` when no fit was possible.
    pub tail_upper: Option<f64>,
    /// `None`: no policy. `Some(None)`: a policy with no finite bound.
    pub bound_ns: Option<Option<u64>>,
}

/// A verdict with the reasons that led to it, worst first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judgement {
    pub verdict: Verdict,
    pub reasons: Vec<String>,
}

/// Walks the ladder for one source.
pub fn judge(e: &Evidence) -> Judgement {
    let w = fmt_window(e.window_ns);
    if e.escapes_lo > 0 {
        return Judgement {
            verdict: Verdict::Escaping,
            reasons: vec![format!(
                "{} of {} lags are at or past the {w} window",
                e.escapes_lo, e.n
            )],
        };
    }
    let mut reasons = Vec::new();
    match e.bound_ns {
        Some(Some(bound)) if bound >= e.window_ns => {
            return Judgement {
                verdict: Verdict::Escaping,
                reasons: vec![format!("the retry policy allows a retry {} after the first send, past the {w} window", fmt_ns(bound))],
            };
        }
        Some(Some(bound)) if e.n > 0 && (e.max_lo_ns > bound || e.escapes_hi > 0) => reasons.push(format!(
            "observed lags reach {} but the policy bound is {}: a retry source is not modelled, so the bound is ignored",
            fmt_ns(e.max_lo_ns),
            fmt_ns(bound)
        )),
        Some(Some(bound)) if bound.saturating_add(e.guard_ns) >= e.window_ns => {
            return Judgement {
                verdict: Verdict::AtRisk,
                reasons: vec![format!(
                    "the policy bound {} is within the {} guard of the {w} window",
                    fmt_ns(bound),
                    fmt_ns(e.guard_ns)
                )],
            };
        }
        Some(Some(bound)) => {
            return Judgement {
                verdict: Verdict::Safe,
                reasons: vec![format!("the retry policy bounds every retry at {}, below the {w} window", fmt_ns(bound))],
            };
        }
        Some(None) => reasons.push("the retry policy has no finite bound".to_string()),
        None => {}
    }
    let needed = (3.0 / e.target).ceil() as u64;
    let mut at_risk = Vec::new();
    if e.escapes_hi > 0 {
        at_risk.push(format!(
            "{} lags lie in the histogram bucket that straddles the {w} window",
            e.escapes_hi
        ));
    }
    if e.n < needed {
        at_risk.push(format!(
            "{} lags are fewer than 3/ε = {needed} needed to show a rate below {}",
            e.n,
            fmt_prob(e.target)
        ));
    }
    if e.p_upper >= e.target {
        at_risk.push(format!(
            "the 95% upper bound of the escape rate, {}, is not below {}",
            fmt_prob(e.p_upper),
            fmt_prob(e.target)
        ));
    }
    match e.tail_upper {
        None => at_risk.push("too few lags above p99 for a tail fit".to_string()),
        Some(p) if p >= e.target => at_risk.push(format!(
            "the tail fit puts P(lag ≥ {w}) at up to {}, not below {}",
            fmt_prob(p),
            fmt_prob(e.target)
        )),
        Some(_) => {}
    }
    let verdict = if at_risk.is_empty() {
        reasons.push(format!(
            "no escapes in {} lags; upper bounds {} (exact) and {} (tail) are below {}",
            e.n,
            fmt_prob(e.p_upper),
            fmt_prob(e.tail_upper.unwrap_or(0.0)),
            fmt_prob(e.target)
        ));
        Verdict::ProbablySafe
    } else {
        Verdict::AtRisk
    };
    at_risk.extend(reasons);
    Judgement {
        verdict,
        reasons: at_risk,
    }
}

/// The verdict of a retry policy alone, with no data: SAFE below the window
/// minus the guard, AT RISK within the guard or with no finite bound (a retry
/// may come at any time), ESCAPING at or past the window.
pub fn judge_policy(
    bound_ns: Option<u64>,
    unbounded_because: Option<&str>,
    window_ns: u64,
    guard_ns: u64,
) -> Judgement {
    let w = fmt_window(window_ns);
    let (verdict, reason) = match bound_ns {
        None => (
            Verdict::AtRisk,
            format!(
                "no finite bound: {}",
                unbounded_because.unwrap_or("a retry may come at any time")
            ),
        ),
        Some(b) if b >= window_ns => (
            Verdict::Escaping,
            format!(
                "the policy allows a retry {} after the first send, past the {w} window",
                fmt_ns(b)
            ),
        ),
        Some(b) if b.saturating_add(guard_ns) >= window_ns => (
            Verdict::AtRisk,
            format!(
                "Δmax {} is within the {} guard of the {w} window",
                fmt_ns(b),
                fmt_ns(guard_ns)
            ),
        ),
        Some(b) => (
            Verdict::Safe,
            format!(
                "every retry comes within {} of the first send, below the {w} window",
                fmt_ns(b)
            ),
        ),
    };
    Judgement {
        verdict,
        reasons: vec![reason],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: u64 = 300_000_000_000;
    const S: u64 = 1_000_000_000;

    fn quiet(n: u64) -> Evidence {
        Evidence {
            window_ns: W,
            guard_ns: S,
            target: 1e-6,
            n,
            escapes_lo: 0,
            escapes_hi: 0,
            max_lo_ns: 30 * S,
            p_upper: crate::stats::clopper_pearson_upper(0, n, 0.05),
            tail_upper: Some(1e-9),
            bound_ns: None,
        }
    }

    #[test]
    fn the_ladder() {
        assert_eq!(judge(&quiet(3_000_000)).verdict, Verdict::ProbablySafe);
        assert_eq!(judge(&quiet(2_999_999)).verdict, Verdict::AtRisk, "n < 3/ε");
        let mut e = quiet(3_000_000);
        e.escapes_hi = 1;
        assert_eq!(judge(&e).verdict, Verdict::AtRisk, "straddling bucket");
        e.escapes_lo = 1;
        assert_eq!(judge(&e).verdict, Verdict::Escaping);
        let mut e = quiet(3_000_000);
        e.tail_upper = Some(1e-6);
        assert_eq!(judge(&e).verdict, Verdict::AtRisk, "tail bound not below ε");
        e.tail_upper = None;
        assert_eq!(judge(&e).verdict, Verdict::AtRisk, "no tail fit");
    }

    #[test]
    fn policy_bounds() {
        let mut e = quiet(100);
        e.bound_ns = Some(Some(W - S - 1));
        assert_eq!(
            judge(&e).verdict,
            Verdict::Safe,
            "few lags do not matter under a bound"
        );
        e.bound_ns = Some(Some(W - S));
        assert_eq!(judge(&e).verdict, Verdict::AtRisk, "inside the guard");
        e.bound_ns = Some(Some(W - 1));
        assert_eq!(judge(&e).verdict, Verdict::AtRisk);
        e.bound_ns = Some(Some(W));
        assert_eq!(judge(&e).verdict, Verdict::Escaping, "Δmax ≥ W");
        e.bound_ns = Some(None);
        assert_eq!(
            judge(&e).verdict,
            Verdict::AtRisk,
            "unbounded falls back to the statistics"
        );
        let mut e = quiet(3_000_000);
        e.bound_ns = Some(None);
        assert_eq!(judge(&e).verdict, Verdict::ProbablySafe);
        // Lags above the bound: the bound is ignored, the statistics decide.
        let mut e = quiet(100);
        e.bound_ns = Some(Some(10 * S));
        let j = judge(&e);
        assert_eq!(j.verdict, Verdict::AtRisk);
        assert!(
            j.reasons.iter().any(|r| r.contains("not modelled")),
            "{j:?}"
        );
        // A lag that may have reached the window contradicts any bound below it.
        let mut e = quiet(100);
        e.guard_ns = 0;
        e.escapes_hi = 1;
        e.max_lo_ns = W - 1000;
        e.bound_ns = Some(Some(W - 10));
        assert_eq!(judge(&e).verdict, Verdict::AtRisk);
    }

    #[test]
    fn policy_alone() {
        assert_eq!(
            judge_policy(Some(23 * S), None, W, S).verdict,
            Verdict::Safe
        );
        assert_eq!(
            judge_policy(Some(W - S), None, W, S).verdict,
            Verdict::AtRisk
        );
        assert_eq!(judge_policy(Some(W), None, W, S).verdict, Verdict::Escaping);
        let j = judge_policy(None, Some("no timeout"), W, S);
        assert_eq!(j.verdict, Verdict::AtRisk);
        assert_eq!(j.reasons, ["no finite bound: no timeout"]);
    }

    #[test]
    fn exit_codes() {
        assert_eq!(Verdict::Safe.exit_code(), 0);
        assert_eq!(Verdict::ProbablySafe.exit_code(), 0);
        assert_eq!(Verdict::AtRisk.exit_code(), 1);
        assert_eq!(Verdict::Escaping.exit_code(), 2);
        assert!(Verdict::Escaping > Verdict::AtRisk && Verdict::AtRisk > Verdict::ProbablySafe);
    }
}
