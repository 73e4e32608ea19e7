//! What the known-answer tests of the newer inputs share: `fifowin analyze`
//! through its own arguments with `--format json`, and the data's paths.

// Each test binary includes this module and uses a different part of it.
#![allow(dead_code)]

use clap::Parser;
use fifowin_analyzer::{AnalyzeArgs, AnalyzerError, run_analyze};
use serde_json::Value;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: AnalyzeArgs,
}

/// A file under tests/data.
pub(crate) fn data(dir: &str, name: &str) -> String {
    format!("{}/tests/data/{dir}/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The `truth.json` beside a data set.
pub(crate) fn truth(dir: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(data(dir, "truth.json")).unwrap()).unwrap()
}

/// `fifowin analyze --format json ARGV...`, its report parsed.
pub(crate) fn analyze(argv: &[&str]) -> Result<Value, AnalyzerError> {
    let cli = Cli::try_parse_from(
        ["analyze", "--format", "json"]
            .into_iter()
            .chain(argv.iter().copied()),
    )
    .unwrap();
    let mut out = Vec::new();
    run_analyze(&cli.args, &mut out)?;
    Ok(serde_json::from_slice(&out).unwrap())
}

/// The error `fifowin analyze ARGV...` must end in, as it prints it.
pub(crate) fn error(argv: &[&str]) -> String {
    analyze(argv).expect_err("bad input must fail").to_string()
}

/// A truth's `args`: the options its file is read with.
pub(crate) fn args_of(case: &Value) -> Vec<&str> {
    case["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect()
}

/// Checks a report of exact timelines: per source, `n` and escapes equal to
/// the truth's `escapes_<window>s`, both ends of the range.
pub(crate) fn check_exact(report: &Value, expected: &Value, window_s: u64, file: &str) {
    let sources = report["sources"].as_array().unwrap();
    let expected = expected.as_object().unwrap();
    assert_eq!(sources.len(), expected.len(), "{file}: {sources:?}");
    for s in sources {
        let want = &expected[s["tag"].as_str().unwrap()];
        let what = format!("{file} {} at {window_s}s", s["tag"]);
        assert_eq!(s["n"], want["n"], "{what}: n");
        let escapes = &want[format!("escapes_{window_s}s")];
        assert_eq!(s["escapes_lo"], *escapes, "{what}: escapes_lo");
        assert_eq!(s["escapes_hi"], *escapes, "{what}: escapes_hi");
        assert_eq!(s["escapes_exact"], true, "{what}");
    }
}
