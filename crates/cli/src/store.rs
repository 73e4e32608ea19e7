//! `fifowin store check --data-dir DIR`: what a durable-mode data directory
//! holds (store format, snapshot, log segments, records after the snapshot,
//! a torn tail), read without changing it; exits 0 when the server can start from it and 1 with the exact problem
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
    println!("{}", report.dir.display());
    println!("  store format:  {}", report.format);
    match &report.snapshot {
        Some((path, covers, bytes)) => println!(
            "  snapshot:      covers records 1 to {covers}, {bytes} bytes ({})",
            path.display()
        ),
        None => println!("  snapshot:      none"),
    }
    println!(
        "  log segments:  {} ({} bytes)",
        report.segments, report.segment_bytes
    );
    println!("  records after: {}", report.records_after);
    println!("  next record:   {}", report.next_record);
    if let Some(torn) = &report.torn_tail {
        println!(
            "  torn tail:     {} from byte {}: {} (a write cut off before it was acknowledged; fifowin serve cuts it off at start-up)",
            torn.path.display(),
            torn.offset,
            torn.problem
        );
    }
    println!("ok");
    ExitCode::SUCCESS
}
