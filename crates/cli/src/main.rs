//! The `fifowin` binary: parses the command line and hands off to the server or the
//! analyzer. `anyhow` lives here only.

mod analyzer_args;
mod fetch;
mod health;
mod ready_file;
mod replay;
mod runtime;
mod serve;
mod serve_guard;
mod store;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc: a SendMessage makes a dozen small allocations and a live dedup entry
/// is several small objects; measured with `fifowin bench` and callgrind, it costs
/// fewer instructions per request than glibc's malloc and fewer bytes per entry.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A local SQS-compatible server with exact FIFO deduplication, and a window-risk analyzer.
#[derive(Debug, Parser)]
#[command(name = "fifowin", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the SQS-compatible server (in memory).
    Serve(serve::ServeArgs),
    /// Read retry-latency logs and judge the dedup window (exit 0 safe, 1 at risk, 2 escaping, 3 bad input).
    Analyze(Box<fetch::AnalyzeCommand>),
    /// Judge a retry policy alone: its worst-case retry lag against the window.
    Policy(analyzer_args::PolicyArgs),
    /// Replay recorded retry lags against an SQS endpoint and count delivered duplicates.
    Replay(replay::ReplayArgs),
    /// Ask a running server whether it is healthy (exit 0) or not (exit 1): for container healthchecks.
    Health(health::HealthArgs),
    /// Load-test an SQS endpoint (AWS JSON 1.0 over HTTP) and check what it stored (exit 1 when a check fails).
    Bench(Box<fifowin_bench::BenchArgs>),
    /// Inspect a durable-mode data directory (`store check --data-dir DIR`: exit 0 usable, 1 with the problem).
    Store(store::StoreArgs),
}

/// Exit code for a command line that does not parse. clap's own default is 2, which
/// `fifowin analyze` uses for ESCAPING; a CI gate must not mistake a typo for a verdict.
const EXIT_USAGE: u8 = 3;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(EXIT_USAGE)
            } else {
                // --help and --version.
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Analyze(args) => {
            return analyzer_exit(fetch::run_analyze(*args, &mut std::io::stdout().lock()));
        }
        Command::Policy(args) => {
            return analyzer_exit(fifowin_analyzer::run_policy(
                &args.into(),
                &mut std::io::stdout().lock(),
            ));
        }
        Command::Replay(args) => replay::run(args),
        Command::Health(args) => health::run(args),
        Command::Bench(args) => fifowin_bench::run(*args).map_err(anyhow::Error::from),
        Command::Store(args) => store::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("fifowin: {err:#}");
            ExitCode::from(3)
        }
    }
}

/// Analyzer outcomes map to the documented exit codes; errors print file, line and problem.
fn analyzer_exit(
    result: Result<fifowin_analyzer::Verdict, fifowin_analyzer::AnalyzerError>,
) -> ExitCode {
    match result {
        Ok(verdict) => ExitCode::from(verdict.exit_code()),
        Err(err) => {
            eprintln!("fifowin: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}
