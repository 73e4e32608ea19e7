//! Bad input: every error names the file, the line and the problem, and maps
//! to exit code 3.

mod common;

use common::analyze_options;
use fifowin_analyzer::{AnalyzerError, Config, EXIT_BAD_INPUT, load_inputs, run_analyze};
use std::path::PathBuf;
use tempfile::TempDir;

/// Writes `body` to a fresh file and loads it with a 5-minute window (the
/// file lasts as long as the directory handed back).
fn load(name: &str, body: &str) -> (TempDir, PathBuf, Result<(), AnalyzerError>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, body).unwrap();
    let result = load_inputs(
        std::slice::from_ref(&path),
        &Config::with_window(300_000_000_000),
    )
    .map(|_| ());
    (dir, path, result)
}

fn error(name: &str, body: &str) -> String {
    let (_dir, path, result) = load(name, body);
    let err = result.expect_err("bad input must fail");
    assert_eq!(err.exit_code(), EXIT_BAD_INPUT);
    let text = err.to_string();
    let shown = path.display().to_string();
    assert!(
        text.starts_with(&shown),
        "error does not name the file: {text}"
    );
    text[shown.len()..].to_string()
}

const GOOD_PAYLOAD: &str = "HISTFAAAAEB42pNpmSzMwMAgywABTBDKT4GBgdnNYMcCBvsPEBEjDT0FMTUxMT05LgEhPqmIeWxtTAKMTNxM6xmZmAAjcgjc";

#[test]
fn hlog_errors_name_the_line() {
    let header = "#[StartTime: 1441753532.570 (seconds since epoch)]\n\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n";
    let ok = format!("0.126,1.007,1.933,{GOOD_PAYLOAD}\n");
    assert_eq!(
        error("a.hlog", &format!("{header}{ok}0.5,1.0,1.0\n")),
        ":4: expected `[Tag=T,]start,length,max,payload`, found 3 fields"
    );
    assert_eq!(
        error(
            "b.hlog",
            &format!("{header}{ok}{ok}abc,1.0,1.0,{GOOD_PAYLOAD}\n")
        ),
        ":5: interval start `abc` is not a number"
    );
    assert_eq!(
        error("c.hlog", &format!("{header}0.1,1.0,1.0,HISTF@@@\n")),
        ":3: the histogram payload is not base64: Invalid symbol 64, offset 5."
    );
    // A V1-encoded histogram (cookie 0x1c849312) is named, not just rejected.
    assert!(
        error("d.hlog", &format!("{header}0.1,1.0,1.0,HISTEgAAAAA=\n"))
            .starts_with(":3: V1 histogram encoding is not supported")
    );
    assert_eq!(
        error("e.hlog", "#[StartTime: later]\n"),
        ":1: StartTime `later` is not a number of seconds"
    );
    assert_eq!(error("f.hlog", &format!("Tag=,{ok}")), ":1: invalid tag ``");
}

#[test]
fn hlog_format_variations_are_tolerated() {
    // No trailing newline, integer and negative timestamps, \r\n, comments between lines,
    // unpadded base64, a BaseTime header.
    let body = format!(
        "#[BaseTime: 1000.0 (seconds since epoch)]\r\n0,1,1.933,{GOOD_PAYLOAD}\r\n# a note\r\nTag=x,-1,1,1.9,{}",
        GOOD_PAYLOAD.trim_end_matches('=')
    );
    let (_dir, path, result) = load("variations.hlog", &body);
    result.unwrap();
    let inputs = load_inputs(&[path], &Config::with_window(300_000_000_000)).unwrap();
    let default = inputs.source("default").unwrap();
    assert_eq!(default.intervals[0].start_s, 1000.0, "BaseTime + ts");
    assert_eq!(inputs.source("x").unwrap().intervals[0].start_s, 999.0);
    assert_eq!(default.n(), inputs.source("x").unwrap().n());
}

#[test]
fn attempt_log_errors_name_the_line() {
    let header = "dedup_id,attempt,t_send_ns,source\n";
    assert_eq!(
        error("a.csv", &format!("{header}m1,1,100,sdk\nm1,2,soon,sdk\n")),
        ":3: column 3 (`t_send_ns`): `soon` is neither an RFC 3339 time nor a number"
    );
    assert_eq!(
        error("b.csv", &format!("{header}m1,1,100,sdk\nm1,1,200,sdk\n")),
        ":3: attempt 1 of `m1` appears twice"
    );
    assert_eq!(
        error("c.csv", &format!("{header}m1,0,100\n")),
        ":2: column 2 (`attempt`): attempt `0` is not a whole number >= 1"
    );
    assert_eq!(
        error("d.csv", &format!("{header}m1,1\n")),
        ":2: column 3 (`t_send_ns`) is missing: the row has 2 fields"
    );
    assert_eq!(
        error("e.csv", "dedup_id,attempt,when\n"),
        ":1: the header has no `t_send_ns` column (columns: dedup_id, attempt, when)"
    );
    assert_eq!(error("f.csv", "# nothing\n"), ": no attempt rows found");
    assert_eq!(
        error(
            "g.jsonl",
            "{\"dedup_id\":\"m\",\"attempt\":1,\"t_send_ns\":5}\n{\"dedup_id\":\"m\",\"attempt\":2}\n"
        ),
        ":2: field `t_send_ns` is missing"
    );
    assert!(error("h.jsonl", "{\"dedup_id\":\"m\",\n").starts_with(":1: invalid JSON"));
}

#[test]
fn hgrm_errors_name_the_line() {
    let header = "       Value     Percentile TotalCount 1/(1-Percentile)\n\n";
    assert_eq!(
        error(
            "a.hgrm",
            &format!(
                "{header}       1.000 0.500000000000         10           2.00\n       2.000 0.900000000000          5          10.00\n"
            )
        ),
        ":4: total count 5 is below the previous row's 10; TotalCount is cumulative"
    );
    assert_eq!(
        error("b.hgrm", &format!("{header}       1.000 1.5         10\n")),
        ":3: percentile `1.5` is not a fraction between 0 and 1"
    );
    assert_eq!(
        error("c.hgrm", header),
        ": no percentile rows found; is this an .hgrm file?"
    );
}

#[test]
fn hgrm_input_is_read_conservatively() {
    let body = "       Value     Percentile TotalCount 1/(1-Percentile)\n\n\
        1000.000 0.500000000000          5           2.00\n\
        400000.000 0.900000000000          9          10.00\n\
        400000.000 1.000000000000         10\n\
        #[Mean    =  1.000, StdDeviation   = 1.000]\n";
    let (_dir, path, result) = load("lags.hgrm", body);
    result.unwrap();
    let inputs = load_inputs(&[path], &Config::with_window(300_000_000_000)).unwrap();
    let s = inputs.source("lags").unwrap();
    assert_eq!(s.n(), 10);
    assert_eq!(
        (s.escapes_lo, s.escapes_hi),
        (5, 5),
        "rows at 400 000 ms escape a 5 minute window"
    );
}

#[test]
fn missing_files_bad_options_and_unknown_tags() {
    let run = |argv: &[&str]| run_analyze(&analyze_options(argv), &mut Vec::new()).unwrap_err();
    let data = format!(
        "{}/tests/data/retry-latency/sdk-healthy.hlog",
        env!("CARGO_MANIFEST_DIR")
    );
    let err = run(&["/nonexistent/lags.hlog"]);
    assert!(
        err.to_string().starts_with("/nonexistent/lags.hlog: "),
        "{err}"
    );
    assert_eq!(err.exit_code(), 3);
    assert_eq!(
        run(&[&data, "--window", "0s"]).to_string(),
        "--window: the window must be longer than 0"
    );
    assert_eq!(
        run(&[&data, "--target-escape", "2"]).to_string(),
        "--target-escape: `2` is not a probability strictly between 0 and 1"
    );
    assert_eq!(
        run(&[&data, "--tag", "outbox"]).to_string(),
        "--tag: no source `outbox` in the inputs (present: sdk)"
    );
    assert!(
        run(&[&data, "--policy", "sdk=nope"])
            .to_string()
            .starts_with("--policy: unknown preset `nope`")
    );
    assert_eq!(
        run(&[
            &data,
            "--policy",
            "boto3-legacy",
            "--policy",
            "java-v2-legacy"
        ])
        .to_string(),
        "--policy: two policies without a tag"
    );
}
