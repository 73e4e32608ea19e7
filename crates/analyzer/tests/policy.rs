//! Retry-policy bounds against the numbers in analyzer.md §2.3, and the
//! `policy` command end to end.

mod common;

use common::policy_options;
use fifowin_analyzer::{Preset, Verdict, check_policy, parse_policy_spec, run_policy};

const S: u64 = 1_000_000_000;
const MS: u64 = 1_000_000;
const W: u64 = 300 * S;

fn bound(spec: &str) -> (Option<u64>, Option<u64>, Option<u64>) {
    let b = parse_policy_spec(spec).unwrap().bound();
    (b.delta_max_ns, b.delta_rt_ns, b.delta_max_retry_after_ns)
}

#[test]
fn presets_reproduce_the_documented_bounds() {
    // aws-sdk-rust: no read or attempt timeout by default, so no bound.
    assert_eq!(bound("aws-sdk-rust-2.0"), (None, None, None));
    // With operation_attempt_timeout T = 10 s: 2T + 3 s; Retry-After: 2T + 40 s.
    assert_eq!(
        bound("aws-sdk-rust-2.0,attempt-timeout=10s"),
        (Some(23 * S), Some(23 * S), Some(60 * S))
    );
    // v2.1: 2T + 0.15 s (read storm) ... 2T + 3 s (throttled), 2T + 13 s with Retry-After.
    assert_eq!(
        bound("aws-sdk-rust-2.1,attempt-timeout=10s"),
        (Some(23 * S), Some(20 * S + 150 * MS), Some(33 * S))
    );
    // boto3 legacy: slow connect + read 60 + 3·120 + 15 = 435 s; read storm 4·60 + 15 = 255 s.
    assert_eq!(
        bound("boto3-legacy"),
        (Some(435 * S), Some(255 * S), Some(435 * S))
    );
    // botocore standard 2.0: 183 s / 123 s.
    assert_eq!(
        bound("boto3-standard"),
        (Some(183 * S), Some(123 * S), Some(183 * S))
    );
    // botocore standard 2.1: 180–183 s / ≈120 s.
    assert_eq!(bound("boto3-standard-2.1").0, Some(183 * S));
    assert_eq!(bound("boto3-standard-2.1").1, Some(120 * S + 150 * MS));
    // total_max_attempts = 10: read storm 9·60 + 111 = 651 s.
    assert_eq!(bound("boto3-standard,attempts=10").1, Some(651 * S));
    // Java v2 legacy: worst 30 + 2·32 + 3.5 = 97.5 s; read storm 3·30 + 0.7 = 90.7 s.
    assert_eq!(bound("java-v2-legacy").0, Some(97_500 * MS));
    assert_eq!(bound("java-v2-legacy").1, Some(90_700 * MS));
    // Java v2 standard: 65 s / 60.3 s.
    assert_eq!(bound("java-v2-standard").0, Some(65 * S));
    assert_eq!(bound("java-v2-standard").1, Some(60_300 * MS));
    let p = parse_policy_spec("boto3-legacy").unwrap().bound();
    assert_eq!(
        (p.backoff_sum_ns, p.backoff_sum_throttled_ns),
        (15 * S, 15 * S)
    );
    assert_eq!(
        parse_policy_spec("java-v2-legacy")
            .unwrap()
            .bound()
            .backoff_sum_throttled_ns,
        3_500 * MS
    );
}

#[test]
fn explicit_policies_and_timeouts() {
    // 3 attempts, 1 s base, 20 s cap, 30 s read, 2 s connect: 30 + 32 + 3.
    let spec = "explicit,attempts=3,base=1s,max-backoff=20s,connect-timeout=2s,read-timeout=30s";
    assert_eq!(bound(spec).0, Some(65 * S));
    // An operation timeout caps everything, even an otherwise unbounded policy.
    assert_eq!(
        bound("aws-sdk-rust-2.0,operation-timeout=2m").0,
        Some(120 * S)
    );
    assert_eq!(bound("boto3-legacy,operation-timeout=1m").1, Some(60 * S));
    // One attempt means no retry at all.
    assert_eq!(bound("explicit,attempts=1").0, Some(0));
    // Retry-After honoured moves the verdict's bound.
    let p = parse_policy_spec("aws-sdk-rust-2.0,attempt-timeout=10s,retry-after=true").unwrap();
    assert_eq!(p.bound().effective_ns, Some(60 * S));
    let err = parse_policy_spec("boto3-legacy,attempt=3")
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown policy key `attempt`"), "{err}");
    let err = parse_policy_spec("boto4").unwrap_err().to_string();
    assert!(err.starts_with("--policy: unknown preset `boto4`"), "{err}");
    assert_eq!(Preset::from_name("rust-2.1"), Some(Preset::AwsSdkRust21));
}

#[test]
fn policy_verdicts() {
    let check = |spec: &str| check_policy(&parse_policy_spec(spec).unwrap(), W, S);
    assert_eq!(
        check("aws-sdk-rust-2.0,attempt-timeout=10s").verdict,
        Verdict::Safe
    );
    assert_eq!(
        check("aws-sdk-rust-2.0").verdict,
        Verdict::AtRisk,
        "unbounded"
    );
    assert_eq!(
        check("boto3-legacy").verdict,
        Verdict::Escaping,
        "435 s > 300 s"
    );
    assert_eq!(check("boto3-standard").verdict, Verdict::Safe);
    assert_eq!(check("java-v2-legacy").verdict, Verdict::Safe);
    // A bound inside the guard band is not SAFE.
    assert_eq!(
        check("explicit,attempts=2,base=0,read-timeout=299.5s").verdict,
        Verdict::AtRisk
    );
    assert_eq!(
        check("explicit,attempts=2,base=0,read-timeout=298.9s").verdict,
        Verdict::Safe
    );
    assert_eq!(
        check("explicit,attempts=2,base=0,read-timeout=300s").verdict,
        Verdict::Escaping
    );
    let c = check("java-v2-standard");
    assert_eq!(c.margin_ns, Some((300 - 65) as i64 * S as i64));
    assert!((c.headroom.unwrap() - 300.0 / 65.0).abs() < 1e-12);
}

#[test]
fn policy_command_renders_each_format() {
    let run = |argv: &[&str]| {
        let mut out = Vec::new();
        let verdict = run_policy(&policy_options(argv), &mut out).unwrap();
        (verdict, String::from_utf8(out).unwrap())
    };
    let (v, text) = run(&["--preset", "aws-sdk-rust-2.0", "--attempt-timeout", "10s"]);
    assert_eq!(v, Verdict::Safe);
    assert!(
        text.starts_with("fifowin policy: aws-sdk-rust-2.0: 3 attempts, base 1.00s, cap 20.00s"),
        "{text}"
    );
    assert!(
        text.contains("Δmax (worst case)         23.00s\n"),
        "{text}"
    );
    assert!(
        text.contains("headroom W/Δmax           13.04×\n"),
        "{text}"
    );
    assert!(text.contains("verdict: SAFE (exit 0)"), "{text}");
    let (v, json) = run(&[
        "--preset",
        "boto3-legacy",
        "--format",
        "json",
        "--window",
        "10m",
    ]);
    assert_eq!(v, Verdict::Safe, "435 s < 600 s");
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["schema"], "fifowin.policy/1");
    assert_eq!(doc["window_ms"], 600_000);
    assert_eq!(doc["bound"]["delta_max_ns"], 435 * S);
    assert_eq!(doc["bound"]["delta_rt_ns"], 255 * S);
    assert_eq!(doc["verdict"], "SAFE");
    assert_eq!(doc["exit_code"], 0);
    let (v, md) = run(&[
        "--preset",
        "boto3-standard",
        "--attempts",
        "10",
        "--format",
        "markdown",
    ]);
    assert_eq!(v, Verdict::Escaping);
    assert!(
        md.starts_with("## Retry policy: ESCAPING (exit 2)\n"),
        "{md}"
    );
    assert!(
        md.contains("| Δrt (read-timeout storm) | 10m51.0s |"),
        "{md}"
    );
    let err = run_policy(&policy_options(&["--window", "soon"]), &mut Vec::new()).unwrap_err();
    assert_eq!(err.exit_code(), 3);
    assert!(
        err.to_string()
            .starts_with("--window: `soon` is not a duration"),
        "{err}"
    );
}
