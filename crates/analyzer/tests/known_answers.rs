//! Known answers: the synthetic retry-latency data against its truth.json,
//! and the HdrHistogram Java project's own logs against facts about them.

use fifowin_analyzer::{Config, Inputs, Verdict, analyze, clopper_pearson_upper, load_inputs};
use serde_json::Value;
use std::path::PathBuf;

const S: u64 = 1_000_000_000;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn truth() -> Value {
    let text = std::fs::read_to_string(data("retry-latency/truth.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn load(names: &[&str], cfg: &Config) -> Inputs {
    let paths: Vec<PathBuf> = names.iter().map(|n| data(n)).collect();
    load_inputs(&paths, cfg).unwrap()
}

#[test]
fn hlogs_match_truth_at_every_window() {
    let truth = truth();
    for file in ["sdk-healthy.hlog", "mixed-incident.hlog"] {
        for window_s in [60u64, 300, 600] {
            let inputs = load(
                &[&format!("retry-latency/{file}")],
                &Config::with_window(window_s * S),
            );
            let expected = truth[file].as_object().unwrap();
            let tags: Vec<&str> = inputs.sources.iter().map(|s| s.tag.as_str()).collect();
            let mut truth_tags: Vec<&str> = expected
                .keys()
                .map(String::as_str)
                .filter(|t| *t != "all")
                .collect();
            truth_tags.sort();
            assert_eq!(tags, truth_tags, "{file}");
            for (tag, t) in expected {
                let source = if tag == "all" {
                    inputs.overall()
                } else {
                    inputs.source(tag).unwrap().clone()
                };
                let what = format!("{file} {tag} at {window_s}s");
                assert_eq!(source.n(), t["n"].as_u64().unwrap(), "{what}: n");
                let max = t["max_ns"].as_u64().unwrap();
                assert!(
                    source.max_lo_ns <= max && max <= source.max_ns,
                    "{what}: true max {max} outside its bucket [{}, {}]",
                    source.max_lo_ns,
                    source.max_ns
                );
                // The bucket is at most 1/1024 of the value wide (3 significant digits).
                assert!((source.max_ns - source.max_lo_ns) as f64 <= max as f64 / 1024.0);
                let escapes = t[format!("escapes_ge_{window_s}s")].as_u64().unwrap();
                assert_eq!(
                    (source.escapes_lo, source.escapes_hi),
                    (escapes, escapes),
                    "{what}: escapes"
                );
            }
        }
    }
}

#[test]
fn attempts_match_truth() {
    let truth = &truth()["attempts.csv"];
    let cfg = Config::with_window(300 * S);
    let inputs = load(&["retry-latency/attempts.csv"], &cfg);
    let sends: usize = inputs.timelines.iter().map(|t| t.sends.len()).sum();
    let delivered: usize = inputs
        .timelines
        .iter()
        .map(|t| t.delivered_duplicates())
        .sum();
    assert_eq!(
        inputs.timelines.len() as u64,
        truth["messages"].as_u64().unwrap()
    );
    assert_eq!(sends as u64, truth["sends"].as_u64().unwrap());
    assert_eq!(
        delivered as u64,
        truth["escaped_duplicates_window_300s_fixed_anchor"]
            .as_u64()
            .unwrap()
    );
    let sdk = inputs.source("sdk").unwrap();
    assert_eq!(sdk.n(), 3207 - 2000, "one lag per retry");
    assert_eq!(
        (sdk.escapes_lo, sdk.escapes_hi, sdk.exact_n),
        (378, 378, 1207)
    );
    let report = analyze(&cfg, &inputs);
    assert_eq!(report.attempts.as_ref().unwrap().delivered_duplicates, 378);
    assert!(report.sources[0].escapes_exact);
    assert_eq!(report.verdict, Verdict::Escaping);
    // The anchor is fixed: every lag is measured from the last accepted send.
    for t in &inputs.timelines {
        let mut anchor = t.sends[0].t_send_ns;
        for s in &t.sends[1..] {
            assert_eq!(s.lag_ns, s.t_send_ns - anchor);
            assert_eq!(s.delivered_duplicate, s.lag_ns >= 300 * S);
            if s.delivered_duplicate {
                anchor = s.t_send_ns;
            }
        }
    }
}

#[test]
fn report_statistics_on_the_truth_data() {
    let cfg = Config::with_window(300 * S);
    let report = analyze(&cfg, &load(&["retry-latency/mixed-incident.hlog"], &cfg));
    let outbox = report.sources.iter().find(|s| s.tag == "outbox").unwrap();
    let sdk = report.sources.iter().find(|s| s.tag == "sdk").unwrap();
    assert_eq!(outbox.verdict, Verdict::Escaping);
    assert_eq!(outbox.p_hat, 50.0 / 15000.0);
    assert!((outbox.p_upper - clopper_pearson_upper(50, 15000, 0.05)).abs() < 1e-15);
    assert!(outbox.intervals_with_escapes >= 1 && outbox.intervals_with_escapes < outbox.intervals);
    assert!(outbox.p_upper_bootstrap.unwrap() > outbox.p_hat);
    // sdk: no escapes, but 60 000 lags cannot show 1e-6.
    assert_eq!(sdk.verdict, Verdict::AtRisk);
    assert_eq!(sdk.p_hat, 0.0);
    assert_eq!(sdk.rule_of_three, Some(3.0 / 60000.0));
    assert!((sdk.p_upper - (1.0 - 0.05f64.powf(1.0 / 60000.0))).abs() < 1e-12);
    assert!(sdk.p50_ns < sdk.p90_ns && sdk.p90_ns < sdk.p99_ns && sdk.p99_ns <= sdk.max_ns);
    let tail = sdk.tail.as_ref().expect("60 000 lags give 600 above p99");
    assert_eq!(tail.fits[0].quantile, 0.99);
    assert!(tail.p_window_upper.unwrap() >= tail.p_window.unwrap());
    assert_eq!(report.verdict, Verdict::Escaping);
    assert_eq!(report.overall.tag, "all");
    assert_eq!(report.overall.n, 75000);
    assert_eq!(report.overall.escapes_lo, 50);
}

#[test]
fn tag_filter_keeps_only_the_named_sources() {
    let mut cfg = Config::with_window(300 * S);
    cfg.tags = vec!["outbox".into()];
    let inputs = load(&["retry-latency/mixed-incident.hlog"], &cfg);
    assert_eq!(inputs.sources.len(), 1);
    assert_eq!(inputs.sources[0].n(), 15000);
    assert_eq!(inputs.files[0].intervals, 30);
    assert_eq!(
        inputs.files[0].tags,
        ["sdk", "outbox"],
        "all tags present are listed"
    );
}

#[test]
fn java_jhiccup_log_with_start_time() {
    let inputs = load(
        &["hdrhistogram-java/jHiccup-2.0.7S.logV2.hlog"],
        &Config::with_window(300 * S),
    );
    let file = &inputs.files[0];
    assert_eq!(file.intervals, 38);
    assert_eq!(file.tags, ["default"]);
    assert_eq!(file.start_time_s, Some(1_441_753_532.570));
    assert_eq!(file.base_time_s, None);
    let source = inputs.source("default").unwrap();
    assert_eq!(source.intervals.len(), 38);
    assert_eq!(source.n(), 30874);
    assert_eq!(
        source.n(),
        source.intervals.iter().map(|i| i.n).sum::<u64>()
    );
    // Timestamps are small, so they are offsets from StartTime (Java's rule).
    assert!((source.intervals[0].start_s - (1_441_753_532.570 + 0.126)).abs() < 1e-6);
    assert!((source.intervals[0].length_s - 1.007).abs() < 1e-12);
    // The Java writer's max column (ms) agrees with each decoded histogram.
    for i in &source.intervals {
        let logged = i.logged_max * 1e6;
        assert!(
            (i.max_ns as f64 - logged).abs() <= logged / 1000.0 + 1000.0,
            "{i:?}"
        );
    }
    let largest = source.intervals.iter().map(|i| i.max_ns).max().unwrap();
    assert_eq!(source.max_ns, largest);
    assert!(
        source
            .intervals
            .iter()
            .any(|i| (i.logged_max - 960.496).abs() < 1e-9)
    );
}

#[test]
fn java_tagged_log_with_non_monotonic_timestamps() {
    let inputs = load(
        &["hdrhistogram-java/tagged-non-monotonic.hlog"],
        &Config::with_window(300 * S),
    );
    let file = &inputs.files[0];
    assert_eq!(file.intervals, 6);
    assert_eq!(file.tags, ["A", "B", "C"]);
    assert_eq!(file.start_time_s, None);
    let tags: Vec<&str> = inputs.sources.iter().map(|s| s.tag.as_str()).collect();
    assert_eq!(tags, ["A", "B", "C"]);
    let starts = |tag: &str| -> Vec<f64> {
        inputs
            .source(tag)
            .unwrap()
            .intervals
            .iter()
            .map(|i| i.start_s)
            .collect()
    };
    assert_eq!(starts("A"), [2.133, 3.134]);
    assert_eq!(
        starts("B"),
        [0.127, 1.134],
        "B's intervals come before A's in time, after them in the file"
    );
    assert_eq!(starts("C"), [6.134, 7.133]);
    let n = |tag: &str| inputs.source(tag).unwrap().n();
    assert_eq!((n("A"), n("B"), n("C")), (1498, 1490, 1502));
    assert_eq!(inputs.overall().n(), 4490);
    for s in &inputs.sources {
        for i in &s.intervals {
            let logged = i.logged_max * 1e6;
            assert!(
                (i.max_ns as f64 - logged).abs() <= logged / 1000.0 + 1000.0,
                "{} {i:?}",
                s.tag
            );
        }
    }
    // Sub-millisecond lags: nothing comes near a 5 minute window.
    assert!(inputs.sources.iter().all(|s| s.escapes_hi == 0));
}

#[test]
fn both_java_logs_and_the_synthetic_data_merge() {
    let cfg = Config::with_window(300 * S);
    let inputs = load(
        &[
            "hdrhistogram-java/jHiccup-2.0.7S.logV2.hlog",
            "hdrhistogram-java/tagged-non-monotonic.hlog",
            "retry-latency/mixed-incident.hlog",
            "retry-latency/attempts.csv",
        ],
        &cfg,
    );
    let tags: Vec<&str> = inputs.sources.iter().map(|s| s.tag.as_str()).collect();
    assert_eq!(tags, ["A", "B", "C", "default", "outbox", "sdk"]);
    assert_eq!(inputs.source("sdk").unwrap().n(), 60000 + 1207);
    assert_eq!(inputs.source("sdk").unwrap().escapes_lo, 378);
    assert_eq!(inputs.overall().n(), 30874 + 4490 + 75000 + 1207);
}

#[test]
fn replay_plans_carry_the_known_escapes() {
    use fifowin_analyzer::{PlanOptions, replay_plan};
    let cfg = Config::with_window(300 * S);
    let inputs = load(
        &[
            "retry-latency/mixed-incident.hlog",
            "retry-latency/attempts.csv",
        ],
        &cfg,
    );
    let plan = replay_plan(&cfg, &inputs, &PlanOptions::default());
    // Every escaping hlog sample is in the plan with weight 1; the attempt log contributes timelines.
    assert_eq!(plan.expected_escapes, 50);
    assert_eq!(plan.lags.iter().filter(|l| l.lag_ns >= 300 * S).count(), 50);
    assert!(
        plan.lags
            .iter()
            .filter(|l| l.escapes)
            .all(|l| l.tag == "outbox" && l.weight == 1.0)
    );
    assert!((plan.expected_weighted_escapes - 50.0).abs() < 1e-9);
    assert!(
        (plan.represented_lags - 75000.0).abs() < 1e-6,
        "{}",
        plan.represented_lags
    );
    assert_eq!(plan.timelines.len(), 2000);
    assert_eq!(plan.expected_delivered_duplicates, 378);
    // At a 10 minute window only the 27 lags past it escape.
    let cfg = Config::with_window(600 * S);
    let inputs = load(&["retry-latency/mixed-incident.hlog"], &cfg);
    assert_eq!(
        replay_plan(&cfg, &inputs, &PlanOptions::default()).expected_escapes,
        27
    );
}
