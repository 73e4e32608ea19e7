//! `fifowin store check --data-dir DIR`: what a durable-mode data directory
//! holds (store format, snapshot, records after it), read without changing
//! it; exits 0 when the server can start from it and 1 with the exact problem
//! (file and reason) when it cannot.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

/// Options of `fifowin store`.
#[derive(Debug, Args)]
pub(crate) struct StoreArgs {
    #[command(subcommand)]
    command: StoreCommand,
}

#[derive(Debug, Subcommand)]
enum StoreCommand {
    /// Report what a data directory holds; exit 1 with the problem when `fifowin serve` could not start from it.
    Check {
        /// The directory `fifowin serve --data-dir` uses.
        #[arg(long)]
        data_dir: PathBuf,
    },
}

pub(crate) fn run(args: StoreArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        StoreCommand::Check { data_dir } => Ok(check(&data_dir)),
    }
}

fn check(dir: &std::path::Path) -> ExitCode {
    let report = match fifowin_store::check(dir) {
        Ok(report) => report,
        Err(err) => {
            eprintln!("fifowin: store check: {err}");
            return ExitCode::from(1);
        }
    };
    println!("{}", report.path.display());
    println!("  store format:  {}", report.format);
    println!("  file size:     {} bytes", report.file_bytes);
    match report.snapshot {
        Some((covers, bytes)) => {
            println!("  snapshot:      covers records 1 to {covers}, {bytes} bytes")
        }
        None => println!("  snapshot:      none"),
    }
    println!("  records after: {}", report.records_after);
    println!("  next record:   {}", report.next_record);
    if report.needs_repair {
        println!(
            "  note:          left open by a process that stopped without closing it (read from a repaired copy); fifowin serve repairs it at start-up"
        );
    }
    println!("ok");
    ExitCode::SUCCESS
}
