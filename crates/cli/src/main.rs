//! The `fifowin` binary: parses the command line and hands off to the server or the
//! analyzer. `anyhow` lives here only.

mod serve;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("fifowin: {err:#}");
            ExitCode::from(3)
        }
    }
}
