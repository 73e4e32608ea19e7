//! The generator's failures that need no server: an endpoint that does not
//! answer is a setup error naming the call that failed. (Its runs against a real
//! fifowin server are tested in the CLI crate, which links both.)

use clap::Parser;
use fifowin_bench::{BenchArgs, Scenario, run_scenario};

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
