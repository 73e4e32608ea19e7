//! Known answers for OpenTelemetry traces: OTLP JSON written by the
//! OpenTelemetry Python SDK's own protobuf encoder (one document through
//! protobuf's JSON mapping, and the Collector file exporter's one document
//! per line), against the truths generate.py computed from the planned sends.

use clap::Parser;
use fifowin_analyzer::{AnalyzeArgs, AnalyzerError, run_analyze};
use serde_json::Value;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: AnalyzeArgs,
}

fn data(name: &str) -> String {
    format!("{}/tests/data/otlp/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn analyze(argv: &[&str]) -> Result<Value, AnalyzerError> {
    let cli = Cli::try_parse_from(
        ["analyze", "--format", "json"]
            .into_iter()
            .chain(argv.iter().copied()),
    )
    .unwrap();
    let mut out = Vec::new();
    run_analyze(&cli.args, &mut out)?;
    Ok(serde_json::from_slice(&out).unwrap())
}

/// Checks `file` against the truth of `case` at every window; returns the notes.
fn check(file: &str, case: &str) -> String {
    let truth: Value =
        serde_json::from_str(&std::fs::read_to_string(data("truth.json")).unwrap()).unwrap();
    let t = &truth[case];
    let args: Vec<&str> = t["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let path = data(file);
    let mut notes = String::new();
    for window_s in [60u64, 300, 600] {
        let window = format!("{window_s}s");
        let mut argv = vec![path.as_str(), "--window", &window];
        argv.extend(&args);
        let report = analyze(&argv).unwrap();
        assert_eq!(report["inputs"][0]["kind"], "otlp");
        let sources = report["sources"].as_array().unwrap();
        let expected = t["sources"].as_object().unwrap();
        assert_eq!(sources.len(), expected.len(), "{file}: {sources:?}");
        for s in sources {
            let want = &expected[s["tag"].as_str().unwrap()];
            let what = format!("{file} {} at {window}", s["tag"]);
            assert_eq!(s["n"], want["n"], "{what}: n");
            let escapes = &want[format!("escapes_{window_s}s")];
            assert_eq!(s["escapes_lo"], *escapes, "{what}: escapes_lo");
            assert_eq!(s["escapes_hi"], *escapes, "{what}: escapes_hi");
        }
        notes = report["inputs"][0]["notes"].to_string();
    }
    notes
}

#[test]
fn http_resends_in_protobuf_json_mapping_match_truth() {
    // Base64 ids and enum names for span kinds, as MessageToJson writes them.
    let notes = check("http-resends.json", "http-resends");
    assert!(
        notes.contains(
            "4 spans left out: they carry `http.request.resend_count` but no parent span"
        ),
        "{notes}"
    );
    assert!(notes.contains("never retried"), "{notes}");
}

#[test]
fn http_resends_in_collector_file_layout_match_truth() {
    // Hex ids, numeric kinds, one resourceSpans document per line.
    let notes = check("http-resends.collector.jsonl", "http-resends");
    assert!(notes.contains("4 spans left out"), "{notes}");
}

#[test]
fn a_dedup_id_attribute_groups_spans_and_names_sources() {
    let notes = check("dedup-attribute.collector.jsonl", "dedup-attribute");
    assert!(
        notes.contains("6 spans left out: they have no `app.dedup_id` attribute"),
        "{notes}"
    );
}

#[test]
fn traces_without_attempts_or_not_otlp_are_errors() {
    let dir = std::env::temp_dir().join(format!("fifowin-otlp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("t.json");
    std::fs::write(
        &path,
        r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"a","spanId":"b","kind":3,"startTimeUnixNano":"5"}]}]}]}"#,
    )
    .unwrap();
    let err = analyze(&[path.to_str().unwrap()]).unwrap_err().to_string();
    assert!(
        err.contains("no retry attempts among the spans: 1 spans read"),
        "{err}"
    );
    std::fs::write(&path, "{\"resourceSpans\":[]}\n{\"resourceSpans\": [\n").unwrap();
    let err = analyze(&[path.to_str().unwrap()]).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("{}:3: invalid JSON", path.display())),
        "{err}"
    );
    std::fs::write(&path, "{\"resourceSpans\":[]}\n{\"spans\":[]}\n").unwrap();
    let err = analyze(&[path.to_str().unwrap(), "--input-format", "otlp"])
        .unwrap_err()
        .to_string();
    assert!(err.contains("without `resourceSpans`"), "{err}");
}
