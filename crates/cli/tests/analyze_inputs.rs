//! `fifowin analyze` as a CI job runs it, on each input kind teams already
//! have: Prometheus text and API answers, OTLP traces, application attempt
//! logs; the exit code is the verdict and the JSON report's escapes match
//! the truths kept beside the data; `--format junit` and bad rows.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::{BIN, output_text};
use serde_json::Value;

fn data(path: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../analyzer/tests/data")
        .join(path)
        .display()
        .to_string()
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("analyze")
        .args(args)
        .output()
        .expect("run fifowin")
}

fn truth(dir: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(data(&format!("{dir}/truth.json"))).unwrap())
        .unwrap()
}

/// Runs with `--format json`, checks the exit code, returns (tag, n, lo, hi) per source.
fn escapes(args: &[&str], exit: i32) -> Vec<(String, u64, u64, u64)> {
    let mut argv = args.to_vec();
    argv.extend(["--format", "json"]);
    let out = run(&argv);
    assert_eq!(out.status.code(), Some(exit), "{}", output_text(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["tag"].as_str().unwrap().to_string(),
                s["n"].as_u64().unwrap(),
                s["escapes_lo"].as_u64().unwrap(),
                s["escapes_hi"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn prometheus_text_and_query_answers() {
    let t = truth("prometheus");
    let got = escapes(
        &[
            &data("prometheus/retry-lag.om"),
            "--metric",
            "publish_retry_lag_seconds",
            "--source-label",
            "source",
        ],
        2,
    );
    for (tag, n, lo, hi) in got {
        let want = &t["sources"][&tag];
        assert_eq!(Some(n), want["n"].as_u64(), "{tag}");
        assert_eq!(Some(lo), want["escapes_lo_300s"].as_u64(), "{tag}");
        assert_eq!(Some(hi), want["escapes_hi_300s"].as_u64(), "{tag}");
    }
    let got = escapes(
        &[
            &data("prometheus/query-vector.json"),
            "--source-label",
            "source",
        ],
        2,
    );
    for (tag, n, lo, hi) in got {
        let want = &t["api"]["sources"][&tag];
        assert_eq!(
            (Some(n), Some(lo), Some(hi)),
            (
                want["n"].as_u64(),
                want["escapes_lo_300s"].as_u64(),
                want["escapes_hi_300s"].as_u64()
            ),
            "{tag}"
        );
    }
    // Several histograms and no --metric: bad input, and the names are listed.
    let out = run(&[&data("prometheus/retry-lag.prom")]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("--metric: http_request_duration_seconds, publish_retry_lag_seconds"),
        "{}",
        output_text(&out)
    );
}

#[test]
fn otlp_traces_and_attempt_logs() {
    for (dir, file, case) in [
        ("otlp", "otlp/http-resends.collector.jsonl", "http-resends"),
        (
            "otlp",
            "otlp/dedup-attribute.collector.jsonl",
            "dedup-attribute",
        ),
        ("attempt-logs", "attempt-logs/app-log.csv", "app-log.csv"),
        (
            "attempt-logs",
            "attempt-logs/app-log.jsonl",
            "app-log.jsonl",
        ),
    ] {
        let t = truth(dir);
        let path = data(file);
        let mut argv = vec![path.as_str()];
        argv.extend(
            t[case]["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap()),
        );
        for (tag, n, lo, hi) in escapes(&argv, 2) {
            let want = &t[case]["sources"][&tag];
            assert_eq!(Some(n), want["n"].as_u64(), "{case} {tag}");
            assert_eq!(
                (lo, Some(hi)),
                (hi, want["escapes_300s"].as_u64()),
                "{case} {tag}"
            );
        }
    }
}

#[test]
fn junit_report_and_bad_rows() {
    let out = run(&[
        &data("attempt-logs/app-log.csv"),
        "--id-field",
        "message id",
        "--time-field",
        "sent_at",
        "--source-field",
        "producer",
        "--format",
        "junit",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", output_text(&out));
    let xml = String::from_utf8(out.stdout).unwrap();
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
        "{xml}"
    );
    assert!(xml.contains(r#"tests="3" failures="3""#), "{xml}");
    assert!(
        xml.contains(r#"<testcase classname="fifowin.analyze" name="lambda">"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<failure type="ESCAPING" message="ESCAPING: 37 of 563 lags"#),
        "{xml}"
    );

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("sends.csv");
    std::fs::write(&bad, "id,at\nm,2026-01-01T00:00:00Z\nm,not a time\n").unwrap();
    let out = run(&[
        bad.to_str().unwrap(),
        "--id-field",
        "id",
        "--time-field",
        "at",
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "fifowin: {}:3: column 2 (`at`): `not a time` is neither an RFC 3339 time nor a number\n",
            bad.display()
        )
    );
}
