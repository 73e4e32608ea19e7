//! Known answers for OpenTelemetry traces: OTLP JSON written by the
//! OpenTelemetry Python SDK's own protobuf encoder (one document through
//! protobuf's JSON mapping, and the Collector file exporter's one document
//! per line), against the truths generate.py computed from the planned sends.

mod common;

use common::{analyze, args_of, check_exact, error, truth};

fn data(name: &str) -> String {
    common::data("otlp", name)
}

/// Checks `file` against the truth of `case` at every window; returns the notes.
fn check(file: &str, case: &str) -> String {
    let truth = truth("otlp");
    let t = &truth[case];
    let args = args_of(t);
    let path = data(file);
    let mut notes = String::new();
    for window_s in [60u64, 300, 600] {
        let window = format!("{window_s}s");
        let mut argv = vec![path.as_str(), "--window", &window];
        argv.extend(&args);
        let report = analyze(&argv).unwrap();
        assert_eq!(report["inputs"][0]["kind"], "otlp");
        check_exact(&report, &t["sources"], window_s, file);
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
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    std::fs::write(
        &path,
        r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"a","spanId":"b","kind":3,"startTimeUnixNano":"5"}]}]}]}"#,
    )
    .unwrap();
    let err = error(&[path.to_str().unwrap()]);
    assert!(
        err.contains("no retry attempts among the spans: 1 spans read"),
        "{err}"
    );
    std::fs::write(&path, "{\"resourceSpans\":[]}\n{\"resourceSpans\": [\n").unwrap();
    let err = error(&[path.to_str().unwrap()]);
    assert!(
        err.starts_with(&format!("{}:3: invalid JSON", path.display())),
        "{err}"
    );
    std::fs::write(&path, "{\"resourceSpans\":[]}\n{\"spans\":[]}\n").unwrap();
    let err = error(&[path.to_str().unwrap(), "--input-format", "otlp"]);
    assert!(err.contains("without `resourceSpans`"), "{err}");
}
