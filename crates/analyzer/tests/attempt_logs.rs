//! Known answers for attempt logs as applications write them: CSV with its
//! own column names and order, quoted ids and multi-line fields, RFC 3339
//! times in several zones; JSONL with epoch milliseconds, a nested id and no
//! attempt numbers. The truths come from tests/data/attempt-logs/generate.py,
//! which simulated the window itself from the integer send times.

use clap::Parser;
use fifowin_analyzer::{AnalyzeArgs, AnalyzerError, run_analyze};
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: AnalyzeArgs,
}

fn data(name: &str) -> String {
    format!(
        "{}/tests/data/attempt-logs/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn truth() -> Value {
    serde_json::from_str(&std::fs::read_to_string(data("truth.json")).unwrap()).unwrap()
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

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fifowin-attempts-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn check_file(path: &str, file: &str) {
    let truth = truth();
    let t = &truth[file];
    let args: Vec<&str> = t["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    for window_s in [60u64, 300, 600] {
        let window = format!("{window_s}s");
        let mut argv = vec![path, "--window", &window];
        argv.extend(&args);
        let report = analyze(&argv).unwrap();
        let sources = report["sources"].as_array().unwrap();
        let expected = t["sources"].as_object().unwrap();
        assert_eq!(sources.len(), expected.len(), "{file}");
        for s in sources {
            let want = &expected[s["tag"].as_str().unwrap()];
            let what = format!("{file} {} at {window}", s["tag"]);
            assert_eq!(s["n"], want["n"], "{what}: n");
            let escapes = &want[format!("escapes_{window_s}s")];
            assert_eq!(s["escapes_lo"], *escapes, "{what}: escapes_lo");
            assert_eq!(s["escapes_hi"], *escapes, "{what}: escapes_hi");
            assert_eq!(s["escapes_exact"], true, "{what}");
        }
        let any_escape = expected
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
    let args: Vec<&str> = t["app-log.jsonl"]["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
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
    let gz = dir.join("app-log.jsonl.gz");
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
    let csv = dir.join("log.csv");
    std::fs::write(
        &csv,
        "when,id,note\n2026-01-01T00:00:00Z,a,\"two\nlines\"\n2026-01-01T00:00:01Z,a,x\n2026-13-01T00:00:00Z,b,y\n",
    )
    .unwrap();
    let err = analyze(&[
        csv.to_str().unwrap(),
        "--id-field",
        "id",
        "--time-field",
        "when",
    ])
    .unwrap_err()
    .to_string();
    assert_eq!(
        err,
        format!(
            "{}:5: column 1 (`when`): `2026-13-01T00:00:00Z` is neither an RFC 3339 time nor a number",
            csv.display()
        )
    );
    let err = analyze(&[
        csv.to_str().unwrap(),
        "--id-field",
        "id",
        "--time-field",
        "sent",
    ])
    .unwrap_err()
    .to_string();
    assert!(
        err.ends_with(":1: the header has no `sent` column (columns: when, id, note)"),
        "{err}"
    );
    let err = analyze(&[csv.to_str().unwrap(), "--id-field", "key"])
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with(":1: the first row is not a header naming the `key` column"),
        "{err}"
    );
    let jsonl = dir.join("log.jsonl");
    std::fs::write(&jsonl, "{\"k\":\"a\",\"t\":1}\n{\"k\":\"a\",\"t\":[2]}\n").unwrap();
    let err = analyze(&[
        jsonl.to_str().unwrap(),
        "--id-field",
        "k",
        "--time-field",
        "t",
    ])
    .unwrap_err()
    .to_string();
    assert_eq!(
        err,
        format!("{}:2: field `t`: [2] is not a time", jsonl.display())
    );
    let err = analyze(&[
        jsonl.to_str().unwrap(),
        "--id-field",
        "k",
        "--time-field",
        "t",
        "--attempt-field",
        "n",
    ])
    .unwrap_err()
    .to_string();
    assert_eq!(err, format!("{}:1: field `n` is missing", jsonl.display()));
    let err = analyze(&[jsonl.to_str().unwrap(), "--time-unit", "minutes"]).unwrap_err();
    assert!(err.to_string().starts_with("--time-unit:"), "{err}");
}
