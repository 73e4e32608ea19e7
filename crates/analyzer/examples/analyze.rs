//! The analyzer as a library, without the `fifowin` binary:
//! `cargo run -p fifowin-analyzer --example analyze -- FILE...` analyzes the
//! files with the default options (a 5-minute window, a table) and exits as
//! `fifowin analyze` does. The binary's command line fills the same
//! [`AnalyzeOptions`] from its flags.

use fifowin_analyzer::{AnalyzeOptions, run_analyze};

fn main() {
    let options = AnalyzeOptions {
        inputs: std::env::args_os().skip(1).map(Into::into).collect(),
        ..AnalyzeOptions::default()
    };
    let code = match run_analyze(&options, &mut std::io::stdout().lock()) {
        Ok(verdict) => verdict.exit_code(),
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    };
    std::process::exit(i32::from(code));
}
