//! The `fifowin` binary as users run it: `serve` flags, environment variables and
//! signals; `analyze` and `policy` exit codes; `replay` against a spawned server.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::{BIN, Served};
use serde_json::Value;

fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../analyzer/tests/data")
        .join(path)
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run fifowin")
}

#[test]
fn serve_flags_reach_the_server_and_sigterm_stops_it_cleanly() {
    let served = Served::start(&["--dedup-window", "90s", "--clock", "manual"], &[]);
    assert!(
        served.endpoint.starts_with("http://127.0.0.1:"),
        "{}",
        served.endpoint
    );
    let health = served.get("/_fifowin/health");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["dedup_window_ms"], 90_000);
    assert_eq!(health["clock"], "manual");
    assert_eq!(served.get("/_fifowin/clock")["mode"], "manual");
    let status = served.terminate();
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

#[test]
fn serve_reads_fifowin_environment_variables() {
    let served = Served::start(
        &[],
        &[("FIFOWIN_DEDUP_WINDOW", "2m"), ("FIFOWIN_CLOCK", "manual")],
    );
    let health = served.get("/_fifowin/health");
    assert_eq!(health["dedup_window_ms"], 120_000);
    assert_eq!(health["clock"], "manual");
}

#[test]
fn serve_rejects_bad_settings_with_a_message() {
    let out = run(&["serve", "--port", "0", "--dedup-window", "0s"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--dedup-window must be greater than zero")
    );

    let out = run(&["serve", "--port", "0", "--account-id", "12"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--account-id must be 12 digits"));

    let out = run(&["serve", "--port", "0", "--busy-poll", "11ms"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--busy-poll must be at most 10ms"));

    let out = run(&["serve", "--dedup-window", "five minutes"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--dedup-window"));
}

#[test]
fn analyze_exit_codes_follow_the_verdict() {
    let healthy = data("retry-latency/sdk-healthy.hlog");
    let healthy = healthy.to_str().unwrap();
    // No policy bound, and 120000 lags cannot show a rate below 1e-6 (3/eps = 3M needed).
    let out = run(&["analyze", healthy, "--window", "5m"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("verdict: AT RISK"));
    // A looser target the data can support: PROBABLY SAFE.
    let out = run(&[
        "analyze",
        healthy,
        "--window",
        "5m",
        "--target-escape",
        "1e-4",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("verdict: PROBABLY SAFE"));
    // A retry policy whose worst case fits in the window: SAFE.
    let out = run(&[
        "analyze",
        healthy,
        "--window",
        "5m",
        "--policy",
        "boto3-standard",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("verdict: SAFE"));

    let incident = data("retry-latency/mixed-incident.hlog");
    let out = run(&[
        "analyze",
        incident.to_str().unwrap(),
        "--window",
        "5m",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["verdict"], "ESCAPING");
    assert_eq!(report["window_ms"], 300_000);
}

#[test]
fn analyze_bad_input_exits_3_naming_file_and_line() {
    let dir = std::env::temp_dir().join(format!("fifowin-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "dedup_id,attempt,t_send_ns\nm1,1,100\nm1,two,200\n").unwrap();
    let out = run(&["analyze", bad.to_str().unwrap(), "--window", "5m"]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.csv") && stderr.contains('3'),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn policy_prints_a_verdict_without_logs() {
    let out = run(&["policy", "--preset", "boto3-standard", "--window", "5m"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("SAFE"));
}

fn replay(served: &Served, input: &str) -> Value {
    let out = run(&[
        "replay",
        data(input).to_str().unwrap(),
        "--endpoint",
        &served.endpoint,
        "--window",
        "5m",
        "--format",
        "json",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Off a terminal the progress bar draws nothing: the report is all there is.
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    serde_json::from_str(&stdout).expect("JSON replay report")
}

#[test]
fn replay_of_the_incident_log_observes_exactly_the_analytic_escapes() {
    let served = Served::start(&["--clock", "manual"], &[]);
    let report = replay(&served, "retry-latency/mixed-incident.hlog");
    assert_eq!(report["mode"], "server-clock");
    assert_eq!(report["match"], true);
    // truth.json: 50 outbox lags reach 300 s; all of them are in the plan.
    assert_eq!(report["expected_escapes"], 50);
    assert_eq!(report["duplicated"], 50);
    assert_eq!(report["server_reported_escapes"], 50);
    assert_eq!(report["lost"], 0);
    assert_eq!(report["unexpected"], 0);
}

#[test]
fn replay_of_the_attempt_log_delivers_the_known_duplicates() {
    let served = Served::start(&["--clock", "manual"], &[]);
    let report = replay(&served, "retry-latency/attempts.csv");
    // truth.json: 378 escaped duplicates over 2000 messages and 3207 sends.
    assert_eq!(report["expected_escapes"], 378);
    assert_eq!(report["duplicated"], 378);
    assert_eq!(report["attempt_messages"], 2000);
    assert_eq!(report["sends"], 3207);
    assert_eq!(report["match"], true);
}

#[test]
fn unparsable_command_lines_exit_3_not_the_escaping_code() {
    let out = run(&["analyze", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--no-such-flag"));
    let out = run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("analyze"));
}

#[test]
fn replay_in_real_time_waits_out_the_lags() {
    // Lags far from the 2 s window on either side, so scheduling jitter cannot flip one.
    let dir = std::env::temp_dir().join(format!("fifowin-rt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("attempts.csv");
    std::fs::write(
        &log,
        "dedup_id,attempt,t_send_ns,source\n\
         a,1,0,sdk\na,2,200000000,sdk\n\
         b,1,0,outbox\nb,2,3500000000,outbox\n",
    )
    .unwrap();
    let served = Served::start(&["--dedup-window", "2s"], &[]);
    let out = run(&[
        "replay",
        log.to_str().unwrap(),
        "--endpoint",
        &served.endpoint,
        "--window",
        "2s",
        "--real-time",
        "--format",
        "json",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["mode"], "real-time");
    assert_eq!(report["expected_escapes"], 1);
    assert_eq!(report["duplicated"], 1);
    assert_eq!(report["delivered"], 3);
    assert!(String::from_utf8_lossy(&out.stderr).contains("in real time"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn replay_refuses_a_window_that_differs_from_the_servers() {
    let served = Served::start(&["--clock", "manual", "--dedup-window", "10m"], &[]);
    let out = run(&[
        "replay",
        data("retry-latency/attempts.csv").to_str().unwrap(),
        "--endpoint",
        &served.endpoint,
        "--window",
        "5m",
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pass --window 10m"));
}
