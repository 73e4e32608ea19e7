//! What the analyzer's tests share: `fifowin analyze` and `fifowin policy`
//! through their options, written as the command line writes them, and the
//! data's paths.

// Each test binary includes this module and uses a different part of it.
#![allow(dead_code)]

use fifowin_analyzer::{
    AnalyzeOptions, AnalyzerError, Boundary, Format, PolicyOptions, Preset, TimeUnit, run_analyze,
};
use serde_json::Value;

/// The options a command line `ARGV` of `fifowin analyze` gives (the binary's
/// clap arguments fill the same fields): positional inputs, `--name value`
/// or `--name=value`, repeatable options collected in order.
pub(crate) fn analyze_options(argv: &[&str]) -> AnalyzeOptions {
    let mut o = AnalyzeOptions::default();
    for (name, value) in flags(argv) {
        let Some(name) = name else {
            o.inputs.push(value.into());
            continue;
        };
        let some = Some(value.clone());
        match name.as_str() {
            "window" => o.window = value,
            "policy" => o.policy.push(value),
            "tag" => o.tag.push(value),
            "target-escape" => o.target_escape = value,
            "boundary" => o.boundary = boundary(&value),
            "guard" => o.guard = value,
            "format" => o.format = format(&value),
            "plot" => o.plot = Some(value.into()),
            "output" | "o" => o.output = Some(value.into()),
            "hgrm-unit" => o.hgrm_unit = TimeUnit::parse("--hgrm-unit", &value).unwrap(),
            "input-format" => o.input_format = some,
            "metric" => o.metric = some,
            "source-label" => o.source_label = some,
            "unit" => o.unit = some,
            "id-field" => o.id_field = some,
            "time-field" => o.time_field = some,
            "attempt-field" => o.attempt_field = some,
            "source-field" => o.source_field = some,
            "time-unit" => o.time_unit = some,
            "id-attribute" => o.id_attribute = some,
            "source-attribute" => o.source_attribute = some,
            other => panic!("`fifowin analyze` has no option --{other}"),
        }
    }
    o
}

/// The options a command line `ARGV` of `fifowin policy` gives.
pub(crate) fn policy_options(argv: &[&str]) -> PolicyOptions {
    let mut o = PolicyOptions::default();
    for (name, value) in flags(argv) {
        let name = name.unwrap_or_else(|| panic!("`fifowin policy` takes no input `{value}`"));
        let some = Some(value.clone());
        match name.as_str() {
            "retry-after" => {
                o.retry_after = true;
                continue;
            }
            "preset" => o.preset = Preset::from_name(&value).unwrap(),
            "attempts" => o.attempts = Some(value.parse().unwrap()),
            "base" => o.base = some,
            "throttle-base" => o.throttle_base = some,
            "max-backoff" => o.max_backoff = some,
            "connect-timeout" => o.connect_timeout = some,
            "read-timeout" => o.read_timeout = some,
            "attempt-timeout" => o.attempt_timeout = some,
            "operation-timeout" => o.operation_timeout = some,
            "window" => o.window = value,
            "guard" => o.guard = value,
            "format" => o.format = format(&value),
            other => panic!("`fifowin policy` has no option --{other}"),
        }
    }
    o
}

/// `(Some(name), value)` per option and `(None, input)` per positional
/// argument; a flag without a value (`--retry-after`) gets an empty one.
fn flags(argv: &[&str]) -> impl Iterator<Item = (Option<String>, String)> {
    let mut out = Vec::new();
    let mut rest = argv.iter().peekable();
    while let Some(arg) = rest.next() {
        let Some(name) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) else {
            out.push((None, (*arg).to_string()));
            continue;
        };
        let (name, value) = match name.split_once('=') {
            Some((name, value)) => (name, value.to_string()),
            None if name == "retry-after" => (name, String::new()),
            None => (name, rest.next().expect("a value").to_string()),
        };
        out.push((Some(name.to_string()), value));
    }
    out.into_iter()
}

fn boundary(value: &str) -> Boundary {
    match value {
        "ge" => Boundary::Ge,
        "gt" => Boundary::Gt,
        other => panic!("no boundary rule `{other}`"),
    }
}

fn format(value: &str) -> Format {
    match value {
        "table" => Format::Table,
        "json" => Format::Json,
        "markdown" => Format::Markdown,
        "hgrm" => Format::Hgrm,
        "junit" => Format::Junit,
        other => panic!("no format `{other}`"),
    }
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
    let options = AnalyzeOptions {
        format: Format::Json,
        ..analyze_options(argv)
    };
    let mut out = Vec::new();
    run_analyze(&options, &mut out)?;
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
