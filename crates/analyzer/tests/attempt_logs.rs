//! Known answers for attempt logs as applications write them: CSV with its
//! own column names and order, quoted ids and multi-line fields, RFC 3339
//! times in several zones; JSONL with epoch milliseconds, a nested id and no
//! attempt numbers. The truths come from tests/data/attempt-logs/generate.py,
//! which simulated the window itself from the integer send times.

mod common;

use common::{analyze, args_of, check_exact, error, truth as truth_of};
use serde_json::Value;
use std::io::Write;

fn data(name: &str) -> String {
    common::data("attempt-logs", name)
}

fn truth() -> Value {
    truth_of("attempt-logs")
}

fn temp_dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("fifowin-attempts-{name}-"))
        .tempdir()
        .unwrap()
}

fn check_file(path: &str, file: &str) {
    let truth = truth();
    let t = &truth[file];
    let args = args_of(t);
    for window_s in [60u64, 300, 600] {
        let window = format!("{window_s}s");
        let mut argv = vec![path, "--window", &window];
        argv.extend(&args);
        let report = analyze(&argv).unwrap();
        check_exact(&report, &t["sources"], window_s, file);
        let any_escape = t["sources"]
            .as_object()
            .unwrap()
            .values()
            .any(|v| v[format!("escapes_{window_s}s")].as_u64() > Some(0));
        if any_escape {
            assert_eq!(report["verdict"], "ESCAPING", "{file} at {window}");
        }
    }
}

#[test]
fn csv_with_its_own_columns_quoting_and_iso_times_matches_truth() {
    check_file(&data("app-log.csv"), "app-log.csv");
}

#[test]
fn jsonl_with_nested_ids_epoch_ms_and_no_attempts_matches_truth() {
    check_file(&data("app-log.jsonl"), "app-log.jsonl");
    let t = truth();
    let args = args_of(&t["app-log.jsonl"]);
    let path = data("app-log.jsonl");
    let mut argv = vec![path.as_str()];
    argv.extend(&args);
    let report = analyze(&argv).unwrap();
    let notes = report["inputs"][0]["notes"].to_string();
    assert!(notes.contains("read as epoch milliseconds"), "{notes}");
    assert!(notes.contains("numbered in time order"), "{notes}");
}

#[test]
fn gzip_input_and_an_explicit_unit_read_the_same() {
    let dir = temp_dir("gz");
    let gz = dir.path().join("app-log.jsonl.gz");
    let body = std::fs::read(data("app-log.jsonl")).unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&body).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let t = truth();
    let args = [
        gz.to_str().unwrap(),
        "--id-field",
        "msg.dedup",
        "--time-field",
        "ts",
        "--source-field",
        "svc",
        "--time-unit",
        "ms",
    ];
    let report = analyze(&args).unwrap();
    for s in report["sources"].as_array().unwrap() {
        let want = &t["app-log.jsonl"]["sources"][s["tag"].as_str().unwrap()];
        assert_eq!(s["escapes_lo"], want["escapes_300s"]);
    }
    assert!(
        !report["inputs"][0]["notes"]
            .to_string()
            .contains("by the size")
    );
    // Read as seconds, the same numbers are 1000 times further apart.
    let mut secs = args.to_vec();
    secs[8] = "s";
    let report = analyze(&secs).unwrap();
    let sdk = report["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["tag"] == "sdk")
        .unwrap();
    assert!(sdk["escapes_lo"].as_u64().unwrap() > 0);
}

#[test]
fn bad_rows_name_the_file_line_and_column() {
    let dir = temp_dir("bad");
    let csv = dir.path().join("log.csv");
    std::fs::write(
        &csv,
        "when,id,note\n2026-01-01T00:00:00Z,a,\"two\nlines\"\n2026-01-01T00:00:01Z,a,x\n2026-13-01T00:00:00Z,b,y\n",
    )
    .unwrap();
    let jsonl = dir.path().join("log.jsonl");
    std::fs::write(&jsonl, "{\"k\":\"a\",\"t\":1}\n{\"k\":\"a\",\"t\":[2]}\n").unwrap();
    let (csv, jsonl) = (csv.to_str().unwrap(), jsonl.to_str().unwrap());
    for (argv, says) in [
        (
            vec![csv, "--id-field", "id", "--time-field", "when"],
            format!(
                "{csv}:5: column 1 (`when`): `2026-13-01T00:00:00Z` is neither an RFC 3339 time nor a number"
            ),
        ),
        (
            vec![csv, "--id-field", "id", "--time-field", "sent"],
            format!("{csv}:1: the header has no `sent` column (columns: when, id, note)"),
        ),
        (
            vec![csv, "--id-field", "key"],
            format!("{csv}:1: the first row is not a header naming the `key` column"),
        ),
        (
            vec![jsonl, "--id-field", "k", "--time-field", "t"],
            format!("{jsonl}:2: field `t`: [2] is not a time"),
        ),
        (
            vec![
                jsonl,
                "--id-field",
                "k",
                "--time-field",
                "t",
                "--attempt-field",
                "n",
            ],
            format!("{jsonl}:1: field `n` is missing"),
        ),
        (
            vec![jsonl, "--time-unit", "minutes"],
            "--time-unit: `minutes` is not a unit of time (s, ms, us or ns)".to_string(),
        ),
    ] {
        assert_eq!(error(&argv), says);
    }
}
