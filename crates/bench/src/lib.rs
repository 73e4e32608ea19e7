//! `fifowin bench`: a load generator for any SQS endpoint that speaks AWS JSON 1.0
//! over HTTP or HTTPS (fifowin, other emulators, SQS itself), with a correctness
//! check after each run, and the comparison table of a set of runs.
//!
//! The generator runs on one thread by default (like `wrk -t1`) and keeps one
//! request in flight per keep-alive connection (closed loop), or sends at a fixed
//! rate (`--rate`, open loop). Latencies go into an HdrHistogram.
//!
//! # Layout
//! - [`args`]: `BenchArgs` (clap) and the validated run plan.
//! - [`client`]: the raw keep-alive HTTP/1.1 client.
//! - `sqs`: request bodies and the response members the checks read.
//! - `scenario`: setup, the connection loops of each scenario, the checks.
//! - `offcore`: how long the generator's threads waited for a core (schedstat).
//! - `pace`: open-loop pacing of the send scenarios, each connection waiting for
//!   its due instants in the generator's own runtime.
//! - [`sigv4`]: SigV4 request signing (`--sign`).
//! - [`tls`]: TLS for `https://` endpoints (rustls; system roots or `--ca-bundle`).
//! - [`stats`]: recorders, the runtime-timer pacer (long-poll producers), `Report`
//!   and `Check`.
//! - [`table`]: results files -> the comparison table.
//! - `src/bin/http-floor.rs`: the HTTP floor, a bare hyper server with canned replies.
//!
//! Requests are signed with SigV4 when asked (`--sign`), which SQS itself needs.

pub mod args;
pub mod client;
mod error;
mod offcore;
mod pace;
mod scenario;
pub mod sigv4;
mod sqs;
pub mod stats;
pub mod table;
pub mod tls;

use std::io::Write as _;
use std::process::ExitCode;

pub use args::{BenchArgs, Scenario};
pub use error::BenchError;
pub use stats::{Check, Report};

/// Runs `fifowin bench`: the table (with `--table`), or every scenario in turn.
/// Exit code 0 when every check passed or was skipped, 1 when one failed.
pub fn run(args: BenchArgs) -> Result<ExitCode, BenchError> {
    if let Some(path) = &args.table {
        print!("{}", table::render(&table::read(path)?, &args.subject));
        return Ok(ExitCode::SUCCESS);
    }
    let runtime = if args.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(args.threads)
            .enable_all()
            .build()?
    };
    let mut all_passed = true;
    for &scenario in &args.scenario {
        let report = runtime.block_on(run_scenario(&args, scenario))?;
        print!("{report}");
        all_passed &= report.check.passed != Some(false);
        if let Some(path) = &args.json_out {
            append(path, &report)?;
        }
    }
    Ok(if all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Runs one scenario on the caller's runtime (the e2e tests use their own).
pub async fn run_scenario(args: &BenchArgs, scenario: Scenario) -> Result<Report, BenchError> {
    let plan = args::Plan::new(args, scenario)?;
    scenario::run(args, plan).await
}

fn append(path: &std::path::Path, report: &Report) -> Result<(), BenchError> {
    let file_error = |source| BenchError::File {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(file_error)?;
    let line = serde_json::to_string(report).expect("reports serialize");
    writeln!(file, "{line}").map_err(file_error)
}
