//! The analyzer's two commands without the `fifowin` binary, for trying the
//! library directly: `cargo run -p fifowin-analyzer --example analyze -- analyze FILE...`
//! or `... -- policy --preset boto3-legacy`. Exit codes are the CLI's.

use clap::Parser;
use fifowin_analyzer::{AnalyzeArgs, EXIT_BAD_INPUT, PolicyArgs, run_analyze, run_policy};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// How likely are duplicates to escape the window?
    Analyze(Box<AnalyzeArgs>),
    /// The worst-case retry lag of a retry policy.
    Policy(Box<PolicyArgs>),
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            let _ = e.print();
            std::process::exit(i32::from(EXIT_BAD_INPUT));
        }
    };
    let mut stdout = std::io::stdout().lock();
    let result = match &cli.command {
        Command::Analyze(args) => run_analyze(args, &mut stdout),
        Command::Policy(args) => run_policy(args, &mut stdout),
    };
    let code = match result {
        Ok(verdict) => verdict.exit_code(),
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    };
    std::process::exit(i32::from(code));
}
