//! `analyze` end to end through its arguments: the table, JSON, markdown,
//! `.hgrm` and SVG outputs, checked for content.

mod common;

use common::analyze_options;
use fifowin_analyzer::{Config, EXIT_ESCAPING, Verdict, load_inputs, run_analyze};
use serde_json::Value;
use std::path::PathBuf;

fn data(name: &str) -> String {
    format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn run(argv: &[&str]) -> (Verdict, String) {
    let mut out = Vec::new();
    let verdict = run_analyze(&analyze_options(argv), &mut out).unwrap();
    (verdict, String::from_utf8(out).unwrap())
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fifowin-analyzer-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn table_shows_percentiles_escapes_and_the_verdict() {
    let (verdict, text) = run(&[&data("retry-latency/mixed-incident.hlog")]);
    assert_eq!(verdict, Verdict::Escaping);
    assert_eq!(verdict.exit_code(), EXIT_ESCAPING);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "fifowin analyze: window 5m (lag >= window escapes), target escape rate 1.00e-6 per retry"
    );
    assert!(
        lines[1]
            .ends_with("mixed-incident.hlog: hlog, 60 intervals, 75000 lags, sources sdk, outbox"),
        "{}",
        lines[1]
    );
    let header = lines
        .iter()
        .find(|l| l.starts_with("source      n"))
        .unwrap();
    assert!(
        header.contains("p50") && header.contains("p99.999") && header.ends_with("max"),
        "{header}"
    );
    let outbox_pct = lines
        .iter()
        .find(|l| l.starts_with("outbox  15000"))
        .expect("percentile row");
    assert!(outbox_pct.ends_with("14m59.3s"), "{outbox_pct}");
    let outbox_risk = lines
        .iter()
        .find(|l| l.starts_with("outbox       50"))
        .expect("risk row");
    assert!(
        outbox_risk.contains("3.33e-3") && outbox_risk.ends_with("ESCAPING"),
        "{outbox_risk}"
    );
    let sdk_risk = lines
        .iter()
        .find(|l| l.starts_with("sdk           0"))
        .expect("risk row");
    assert!(sdk_risk.ends_with("AT RISK"), "{sdk_risk}");
    assert!(lines.iter().any(|l| l.starts_with("all     75000")));
    assert!(
        text.contains("outbox: ESCAPING\n  - 50 of 15000 lags are at or past the 5m window\n"),
        "{text}"
    );
    assert!(text.contains("fewer than 3/ε = 3000000"));
    assert_eq!(*lines.last().unwrap(), "verdict: ESCAPING (exit 2)");
}

#[test]
fn json_carries_the_documented_fields() {
    let (_, json) = run(&[
        &data("retry-latency/mixed-incident.hlog"),
        "--format",
        "json",
        "--policy",
        "sdk=aws-sdk-rust-2.0,attempt-timeout=10s",
    ]);
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["schema"], "fifowin.analyze/1");
    assert_eq!(doc["window_ms"], 300_000);
    assert_eq!(doc["window_ns"], 300_000_000_000u64);
    assert_eq!(doc["boundary"], "ge");
    assert_eq!(doc["verdict"], "ESCAPING");
    assert_eq!(doc["exit_code"], 2);
    let sources = doc["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 2);
    let outbox = &sources[0];
    assert_eq!(outbox["tag"], "outbox");
    assert_eq!(outbox["n"], 15000);
    assert_eq!(outbox["escapes_lo"], 50);
    assert_eq!(outbox["escapes_hi"], 50);
    assert_eq!(outbox["p_hat"].as_f64().unwrap(), 50.0 / 15000.0);
    assert!(outbox["p_upper"].as_f64().unwrap() > 50.0 / 15000.0);
    assert!(outbox["max_ns"].as_u64().unwrap() >= 899_251_542_000);
    assert!(outbox["policy"].is_null());
    let sdk = &sources[1];
    assert_eq!(sdk["tag"], "sdk");
    // The policy bounds sdk at 23 s, but its lags reach 33 s: the bound is ignored.
    assert_eq!(sdk["policy"]["bound"]["delta_max_ns"], 23_000_000_000u64);
    assert_eq!(sdk["verdict"], "AT RISK");
    let reasons: Vec<&str> = sdk["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("not modelled")),
        "{reasons:?}"
    );
    for key in [
        "p50_ns",
        "p90_ns",
        "p99_ns",
        "p99_9_ns",
        "p99_99_ns",
        "p99_999_ns",
        "max_lo_ns",
        "wilson_upper",
    ] {
        assert!(sdk[key].is_number(), "{key}");
    }
    assert!(sdk["tail"]["fits"][0]["xi"].is_number());
    assert!(sdk["tail"]["window_for_target_ns"].is_number());
    assert_eq!(doc["overall"]["tag"], "all");
    assert_eq!(doc["overall"]["n"], 75000);
    assert_eq!(doc["inputs"][0]["kind"], "hlog");
    assert_eq!(doc["inputs"][0]["intervals"], 60);
    assert!(doc["attempts"].is_null());
}

#[test]
fn a_policy_bound_makes_quiet_data_safe() {
    let (verdict, json) = run(&[
        &data("retry-latency/sdk-healthy.hlog"),
        "--format=json",
        "--policy",
        "aws-sdk-rust-2.0,attempt-timeout=20s",
    ]);
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(verdict, Verdict::Safe, "Δmax 43 s covers the 33 s maximum");
    assert_eq!(doc["sources"][0]["verdict"], "SAFE");
    assert_eq!(doc["sources"][0]["margins"]["bound_ns"], 257_000_000_000i64);
    // Without a policy the same data cannot show 1e-6 from 120 000 lags.
    let (verdict, _) = run(&[&data("retry-latency/sdk-healthy.hlog")]);
    assert_eq!(verdict, Verdict::AtRisk);
    // With a 10 minute window and a loose target, the statistics alone suffice.
    let (verdict, _) = run(&[
        &data("retry-latency/sdk-healthy.hlog"),
        "--window",
        "10m",
        "--target-escape",
        "1e-3",
    ]);
    assert_eq!(verdict, Verdict::ProbablySafe);
}

#[test]
fn markdown_has_a_verdict_heading_and_tables() {
    let (_, md) = run(&[&data("retry-latency/attempts.csv"), "--format", "markdown"]);
    assert!(
        md.starts_with("## Window risk: ESCAPING (exit 2)\n"),
        "{md}"
    );
    assert!(
        md.contains(
            "| source | n | p50 | p90 | p99 | p99.9 | p99.99 | p99.999 | max |\n| :--- | ---: |"
        ),
        "{md}"
    );
    assert!(md.contains("\n| sdk | 1207 | "), "{md}");
    assert!(md.contains("\n| sdk | 378 | 0.313 | "), "{md}");
    assert!(md.contains("378 duplicates delivered"), "{md}");
    assert!(
        md.contains("- **sdk**: ESCAPING\n  - 378 of 1207 lags are at or past the 5m window"),
        "{md}"
    );
}

#[test]
fn junit_has_a_failing_test_case_per_escaping_source() {
    let (verdict, xml) = run(&[
        &data("retry-latency/mixed-incident.hlog"),
        &data("prometheus/retry-lag.prom"),
        "--metric",
        "publish_retry_lag_seconds",
        "--source-label",
        "queue",
        "--format",
        "junit",
    ]);
    assert_eq!(verdict, Verdict::Escaping);
    // Well-formed XML (the queue label holds quotes, a newline and braces),
    // with one test case per source and a failure inside each bad one.
    let mut cases: Vec<(String, Option<String>)> = Vec::new();
    let mut element = String::new();
    let mut attribute = |name: &str, value: &str, element: &str| match (element, name) {
        ("testcase", "name") => cases.push((value.to_string(), None)),
        ("failure", "message") => cases.last_mut().unwrap().1 = Some(value.to_string()),
        _ => {}
    };
    for token in xmlparser::Tokenizer::from(xml.as_str()) {
        match token.unwrap_or_else(|e| panic!("not XML: {e}\n{xml}")) {
            xmlparser::Token::ElementStart { local, .. } => element = local.to_string(),
            xmlparser::Token::Attribute { local, value, .. } => {
                attribute(local.as_str(), value.as_str(), &element)
            }
            _ => {}
        }
    }
    let names: Vec<&str> = cases.iter().map(|(n, _)| n.as_str()).collect();
    // Attribute values come back still escaped: `&quot;` and `&#10;`.
    assert_eq!(
        names,
        ["orders &quot;eu&quot;\\fifo,&#10;{x}", "outbox", "sdk"],
        "{xml}"
    );
    let message = |tag: &str| cases.iter().find(|(n, _)| n == tag).unwrap().1.clone();
    assert!(
        message("outbox")
            .unwrap()
            .starts_with("ESCAPING: 50 of 15000 lags are at or past the 5m window"),
        "{xml}"
    );
    assert!(message("sdk").unwrap().starts_with("AT RISK: "), "{xml}");
    assert!(
        xml.contains(r#"<testsuites name="fifowin analyze" tests="3" failures="3" errors="0">"#),
        "{xml}"
    );
}

#[test]
fn hgrm_output_round_trips() {
    let (_, hgrm) = run(&[
        &data("retry-latency/mixed-incident.hlog"),
        "--format",
        "hgrm",
    ]);
    assert!(hgrm.starts_with("       Value     Percentile TotalCount 1/(1-Percentile)\n\n"));
    assert!(hgrm.contains("Total count    =        75000]"), "{hgrm}");
    let last_row = hgrm.lines().rev().find(|l| !l.starts_with('#')).unwrap();
    assert!(
        last_row.ends_with(" 1.000000000000      75000"),
        "{last_row}"
    );
    // Values in ms: the top of the bucket of the true maximum, 899 251.542 ms.
    let max_ms: f64 = last_row.split_whitespace().next().unwrap().parse().unwrap();
    assert!(
        (899_251.542..899_251.542 * (1.0 + 1.0 / 1024.0)).contains(&max_ms),
        "{last_row}"
    );
    // Read back: the same count, and the 50 escapes still seen (conservatively) at 5 minutes.
    let dir = temp_dir("hgrm");
    let path = dir.join("merged.hgrm");
    std::fs::write(&path, &hgrm).unwrap();
    let cfg = Config::with_window(300_000_000_000);
    let inputs = load_inputs(&[path], &cfg).unwrap();
    let s = inputs.source("merged").unwrap();
    assert_eq!(s.n(), 75000);
    assert!(
        s.escapes_hi >= 50 && s.escapes_lo <= 50 + 5,
        "{} {}",
        s.escapes_lo,
        s.escapes_hi
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn plots_and_per_source_hgrm_files() {
    let dir = temp_dir("plots");
    let plot = dir.join("plots");
    let report = dir.join("report.json");
    let (_, stdout) = run(&[
        &data("retry-latency/mixed-incident.hlog"),
        "--plot",
        plot.to_str().unwrap(),
        "--output",
        report.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(stdout.is_empty(), "the report went to --output");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(doc["verdict"], "ESCAPING");
    let percentile = std::fs::read_to_string(plot.join("percentile.svg")).unwrap();
    assert!(percentile.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(percentile.contains(">window 5m (SLA)</text>"));
    assert!(percentile.contains(">99.9%</text>"));
    assert_eq!(
        percentile.matches("<polyline").count(),
        3,
        "outbox, sdk, all"
    );
    assert!(percentile.trim_end().ends_with("</svg>"));
    let ccdf = std::fs::read_to_string(plot.join("ccdf.svg")).unwrap();
    assert!(ccdf.contains(">window 5m (SLA)</text>") && ccdf.contains(">target ε</text>"));
    assert!(
        ccdf.contains("stroke-dasharray=\"6 4\""),
        "GPD extrapolation drawn dashed"
    );
    for tag in ["outbox", "sdk", "all"] {
        let h = std::fs::read_to_string(plot.join(format!("{tag}.hgrm"))).unwrap();
        assert!(h.contains("#[Max     ="), "{tag}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn boundary_rule_is_selectable() {
    // A lag of exactly the window: a duplicate under `gt`, an escape under `ge`.
    let dir = temp_dir("boundary");
    let path = dir.join("edge.csv");
    std::fs::write(
        &path,
        "dedup_id,attempt,t_send_ns\nm,1,1000\nm,2,300000001000\n",
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let (ge, text) = run(&[p, "--format", "json"]);
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(ge, Verdict::Escaping);
    assert_eq!(doc["attempts"]["delivered_duplicates"], 1);
    assert_eq!(doc["sources"][0]["tag"], "default");
    let (gt, text) = run(&[p, "--format", "json", "--boundary", "gt"]);
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(gt, Verdict::AtRisk);
    assert_eq!(doc["boundary"], "gt");
    assert_eq!(doc["attempts"]["delivered_duplicates"], 0);
    let _ = std::fs::remove_dir_all(dir);
}
