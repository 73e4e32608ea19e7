//! The generator's failures that need no server: an endpoint that does not
//! answer is a setup error naming the call that failed. (Its runs against a real
//! fifowin server are tested in the CLI crate, which links both.)

use clap::Parser;
use fifowin_bench::{BenchArgs, Scenario, run_scenario};
use fifowin_testing::Fifowin;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    bench: BenchArgs,
}

fn args(endpoint: &str, extra: &[&str]) -> BenchArgs {
    let mut argv = vec!["bench", "--endpoint", endpoint, "--warmup", "0s"];
    argv.extend_from_slice(extra);
    Cli::parse_from(argv).bench
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_passes_its_check_against_fifowin() {
    let fw = Fifowin::start().await.unwrap();
    let endpoint = fw.endpoint_url();
    let cases: &[(Scenario, &[&str])] = &[
        (Scenario::SendUnique, &["--requests", "300"]),
        (
            Scenario::SendUnique,
            &[
                "--duration",
                "300ms",
                "--rate",
                "2000",
                "--connections",
                "4",
            ],
        ),
        (Scenario::SendDup50, &["--requests", "300"]),
        (Scenario::SendBatch10, &["--requests", "50"]),
        (
            Scenario::ReceiveDelete,
            &["--requests", "400", "--prefill", "1000", "--groups", "4"],
        ),
        (
            Scenario::Mixed,
            &["--requests", "300", "--connections", "4"],
        ),
        (
            Scenario::LongPoll,
            &["--duration", "300ms", "--rate", "500", "--connections", "4"],
        ),
    ];
    for (scenario, extra) in cases {
        let report = run_scenario(&args(endpoint, extra), *scenario)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", scenario.name()));
        assert_eq!(report.errors, 0, "{report}");
        assert_eq!(report.check.passed, Some(true), "{report}");
        assert!(report.requests > 0, "{report}");
        if cfg!(target_os = "linux") {
            let off_core = report.generator_off_core_ms;
            assert!(
                off_core.is_some_and(|ms| ms.is_finite() && ms >= 0.0),
                "{report}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_queue_run_again_counts_only_its_own_messages() {
    let fw = Fifowin::start().await.unwrap();
    let endpoint = fw.endpoint_url();
    let reuse = [
        "--requests",
        "200",
        "--queue-name",
        "kept.fifo",
        "--keep-queue",
    ];
    let mut details = Vec::new();
    for _ in 0..2 {
        let report = run_scenario(&args(endpoint, &reuse), Scenario::SendUnique)
            .await
            .unwrap();
        assert_eq!(report.check.passed, Some(true), "{report}");
        details.push(report.check.details.join("; "));
    }
    let again = &details[1];
    let held: u64 = again
        .split(" held before the run")
        .next()
        .and_then(|s| s.rsplit('(').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("second run names what the queue held: {again}"));
    assert!(held >= 200, "{again}");
    assert!(!details[0].contains("held before"), "{}", details[0]);
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_setup_error() {
    // Port 9 (discard) on loopback: nothing listens there in a test sandbox.
    let err = run_scenario(
        &args("http://127.0.0.1:9", &["--requests", "1"]),
        Scenario::SendUnique,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("CreateQueue"), "{err}");
}
