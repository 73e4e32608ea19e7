//! Known answers for Prometheus input: text and OpenMetrics expositions
//! written by the Python `prometheus_client` library, and a saved
//! `/api/v1/query` answer, against the truths `generate.py` computed from
//! the raw lags (tests/data/prometheus/truth.json).

mod common;

use common::{analyze, error, truth as truth_of};
use serde_json::Value;

fn data(name: &str) -> String {
    common::data("prometheus", name)
}

fn truth() -> Value {
    truth_of("prometheus")
}

/// Checks every source of `report` against `expected` (tag -> truth) at `window_s`.
fn check(report: &Value, expected: &Value, window_s: u64, what: &str) {
    let sources = report["sources"].as_array().unwrap();
    let tags: Vec<&str> = sources.iter().map(|s| s["tag"].as_str().unwrap()).collect();
    let mut want: Vec<&str> = expected
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    want.sort();
    assert_eq!(tags, want, "{what}: sources");
    for s in sources {
        let t = &expected[s["tag"].as_str().unwrap()];
        let at = format!("{what} {} at {window_s}s", s["tag"]);
        assert_eq!(s["n"], t["n"], "{at}: n");
        assert_eq!(
            s["escapes_lo"],
            t[format!("escapes_lo_{window_s}s")],
            "{at}: escapes_lo"
        );
        assert_eq!(
            s["escapes_hi"],
            t[format!("escapes_hi_{window_s}s")],
            "{at}: escapes_hi"
        );
        if let Some(true_escapes) = t[format!("true_escapes_{window_s}s")].as_u64() {
            let (lo, hi) = (
                s["escapes_lo"].as_u64().unwrap(),
                s["escapes_hi"].as_u64().unwrap(),
            );
            assert!(
                lo <= true_escapes && true_escapes <= hi,
                "{at}: truth outside [lo, hi]"
            );
        }
    }
}

#[test]
fn client_library_text_and_openmetrics_match_truth_per_source() {
    let truth = truth();
    let per_source: serde_json::Map<String, Value> = truth["sources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| *k != "publish_retry_lag_seconds")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let per_source = Value::Object(per_source);
    for file in ["retry-lag.prom", "retry-lag.om"] {
        for window_s in [60u64, 300, 600] {
            let window = format!("{window_s}s");
            let report = analyze(&[
                &data(file),
                "--metric",
                "publish_retry_lag_seconds",
                "--source-label",
                "source",
                "--window",
                &window,
            ])
            .unwrap();
            check(&report, &per_source, window_s, file);
            // Lags exactly at the window, between le=299.999 and le=300, keep
            // the count open by exactly those two at 300 s.
            if window_s == 300 {
                let outbox = &report["sources"][0];
                assert_eq!(outbox["tag"], "outbox");
                assert_eq!(outbox["escapes_exact"], false);
                assert_eq!(report["verdict"], "ESCAPING");
            }
        }
    }
}

#[test]
fn a_real_prometheus_servers_answer_matches_truth() {
    // query.py had Prometheus 2.42 scrape retry-lag.prom and answer
    // `sum by (le, source) (publish_retry_lag_seconds_bucket)`.
    let truth = truth();
    let per_source = serde_json::json!({
        "outbox": truth["sources"]["outbox"],
        "sdk": truth["sources"]["sdk"],
    });
    for window_s in [60u64, 300, 600] {
        let window = format!("{window_s}s");
        let report = analyze(&[
            &data("query-raw.json"),
            "--source-label",
            "source",
            "--window",
            &window,
        ])
        .unwrap();
        check(&report, &per_source, window_s, "query-raw.json");
        // Whole counts from a raw counter: nothing rounded or raised.
        let notes = report["inputs"][0]["notes"].to_string();
        assert!(
            !notes.contains("rounded") && !notes.contains("raised"),
            "{notes}"
        );
    }
}

#[test]
fn without_a_source_label_the_histogram_is_one_source() {
    let truth = truth();
    let expected = serde_json::json!({
        "publish_retry_lag_seconds": truth["sources"]["publish_retry_lag_seconds"]
    });
    let report = analyze(&[
        &data("retry-lag.prom"),
        "--metric",
        "publish_retry_lag_seconds_bucket",
    ])
    .unwrap();
    check(&report, &expected, 300, "one source");
    let notes = report["inputs"][0]["notes"].as_array().unwrap();
    let notes: Vec<&str> = notes.iter().map(|n| n.as_str().unwrap()).collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("bucket bounds, not observed lags")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("above the largest bound le=1200")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.contains("(299.999, 300] holds 2")),
        "{notes:?}"
    );
}

#[test]
fn several_histograms_need_metric_and_a_missing_label_is_named() {
    let err = error(&[&data("retry-lag.prom")]);
    assert!(
        err.contains("2 histograms; name one with --metric: http_request_duration_seconds, publish_retry_lag_seconds"),
        "{err}"
    );
    let err = error(&[&data("retry-lag.om"), "--metric", "nope"]);
    assert!(err.contains("no histogram `nope`"), "{err}");
    let err = error(&[
        &data("retry-lag.prom"),
        "--metric",
        "http_request_duration_seconds",
        "--source-label",
        "queue",
    ]);
    assert!(
        err.contains("has no label `queue` (its labels: route)"),
        "{err}"
    );
}

#[test]
fn label_values_are_unescaped() {
    // The queue label holds a quote, a backslash, a comma, a newline and braces.
    let report = analyze(&[
        &data("retry-lag.om"),
        "--metric",
        "publish_retry_lag_seconds",
        "--source-label",
        "queue",
    ])
    .unwrap();
    assert_eq!(report["sources"][0]["tag"], "orders \"eu\"\\fifo,\n{x}");
    assert_eq!(
        report["sources"][0]["n"],
        truth()["sources"]["publish_retry_lag_seconds"]["n"]
    );
}

#[test]
fn units_scale_the_bounds() {
    // Read as milliseconds, every bound is 1000 times smaller: nothing reaches 300 s.
    let report = analyze(&[
        &data("retry-lag.prom"),
        "--metric",
        "publish_retry_lag_seconds",
        "--unit",
        "ms",
    ])
    .unwrap();
    let s = &report["sources"][0];
    // Only the +Inf bucket (above 1.2 s) may escape.
    assert_eq!(
        (s["escapes_lo"].as_u64(), s["escapes_hi"].as_u64()),
        (Some(0), Some(1))
    );
    let err = analyze(&[&data("retry-lag.prom"), "--unit", "minutes"]).unwrap_err();
    assert!(err.to_string().contains("--unit"), "{err}");
}

#[test]
fn saved_query_answer_rounds_and_repairs_counts() {
    let truth = truth();
    for window_s in [60u64, 300, 600] {
        let report = analyze(&[
            &data("query-vector.json"),
            "--source-label",
            "source",
            "--window",
            &format!("{window_s}s"),
        ])
        .unwrap();
        check(
            &report,
            &truth["api"]["sources"],
            window_s,
            "query-vector.json",
        );
        let notes = report["inputs"][0]["notes"].to_string();
        assert!(notes.contains("rounded"), "{notes}");
        assert!(notes.contains("histogram_quantile"), "{notes}");
    }
}

#[test]
fn bad_expositions_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    for (body, line, says) in [
        (
            "x_bucket{le=\"1\"} 3\nx_bucket{le=\"+Inf\"} 2\n",
            2,
            "cumulative",
        ),
        (
            "x_bucket{le=\"1\"} 3\nx_bucket{le=\"+Inf\" 4\n",
            2,
            "expected `,` or `}`",
        ),
        (
            "x_bucket{le=\"1\"} 1.5\nx_bucket{le=\"+Inf\"} 2\n",
            1,
            "whole number",
        ),
        ("x_bucket{le=\"1\"} 1\n", 1, "no le=\"+Inf\" bucket"),
        (
            "x_bucket{le=\"1\"} 1\n# EOF\nx_count 1\n",
            3,
            "after `# EOF`",
        ),
    ] {
        let path = dir.path().join("bad.prom");
        std::fs::write(&path, body).unwrap();
        let err = error(&[path.to_str().unwrap()]);
        let want = format!("{}:{line}: ", path.display());
        assert!(
            err.starts_with(&want) && err.contains(says),
            "{body:?}: {err}"
        );
    }
    let path = dir.path().join("summary.prom");
    std::fs::write(
        &path,
        "# TYPE lag_seconds summary\nlag_seconds{quantile=\"0.99\"} 2.5\nlag_seconds_count 10\n",
    )
    .unwrap();
    let err = error(&[path.to_str().unwrap(), "--metric", "lag_seconds"]);
    assert!(err.contains("`lag_seconds` is a summary"), "{err}");
    let path = dir.path().join("matrix.json");
    std::fs::write(
        &path,
        r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#,
    )
    .unwrap();
    let err = error(&[path.to_str().unwrap()]);
    assert!(err.contains("resultType is `matrix`"), "{err}");
}
