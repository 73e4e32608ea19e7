//! fifowin-analyzer: is the deduplication window longer than the retries?
//!
//! Reads retry-lag data (HdrHistogram interval logs, Java `.hgrm` files,
//! Prometheus/OpenMetrics histograms and saved query answers, OTLP JSON
//! traces, CSV/JSONL attempt logs with any field names), counts the
//! duplicates that escape a window,
//! bounds the escape rate statistically and by the SDK retry policy, and
//! renders a verdict (SAFE / PROBABLY SAFE / AT RISK / ESCAPING) with exit
//! codes for CI.
//!
//! Layered like ripgrep: the options as given ([`AnalyzeOptions`], filled by
//! the binary's command line) → validated [`Config`] →
//! [`load_inputs`] (or [`load_texts`] over bytes fetched elsewhere) → pure
//! [`analyze`] → [`render`]. [`run_analyze`] and
//! [`run_policy`] do the whole pipeline for the CLI; [`replay_plan`] gives the
//! replay driver its lags and the escapes it must observe, and [`replay`] its
//! schedule, its tally of what was delivered and its report.

mod analyze;
mod boundary;
mod config;
mod duration;
mod error;
mod options;
mod policy;
mod readers;
pub mod replay;
mod report;
mod rng;
mod source;
pub mod stats;
pub mod tail;
mod units;
mod verdict;

pub use analyze::{analyze, source_report};
pub use boundary::Boundary;
pub use config::{
    CONFIDENCE, Config, DEFAULT_GUARD_NS, DEFAULT_HGRM_UNIT, DEFAULT_TARGET_ESCAPE,
    DEFAULT_WINDOW_NS, Policies, PolicyConfig,
};
pub use duration::{fmt_ns, fmt_window};
pub use error::AnalyzerError;
pub use options::{AnalyzeOptions, PolicyOptions};
pub use policy::{PolicyBound, Preset, RetryAfter, RetryPolicy, parse_policy_spec};
pub use readers::attempts::AttemptFields;
pub use readers::otlp::OtlpOptions;
pub use readers::prometheus::PromOptions;
pub use readers::{InputFormat, InputText, load_inputs, load_texts};
pub use replay::{PlanOptions, PlannedLag, ReplayPlan, replay_plan};
pub use report::hgrm::write_hgrm;
pub use report::svg::{ccdf_plot, percentile_plot};
pub use report::{
    AttemptsReport, Format, Margins, POLICY_SCHEMA, PolicyCheck, PolicyReport, Report, SCHEMA,
    SourceReport, render, render_policy, write_plots,
};
pub use source::{
    DEFAULT_TAG, FileSummary, InputKind, Inputs, IntervalSummary, OVERALL_TAG, SourceData,
    Timeline, TimelineSend, bucket_escapes,
};
pub use stats::{
    clopper_pearson_lower, clopper_pearson_upper, rule_of_three, samples_needed, wilson_interval,
};
pub use tail::{GpdFit, TailEstimate};
pub use units::TimeUnit;
pub use verdict::{
    EXIT_AT_RISK, EXIT_BAD_INPUT, EXIT_ESCAPING, EXIT_SAFE, Evidence, Judgement, Verdict, judge,
    judge_policy,
};

use std::io::Write;

/// `fifowin analyze`: validates the options, reads the inputs, analyzes,
/// writes the report to `out` (or `--output`) and the plots to `--plot`.
/// Returns the verdict; the process exit code is [`Verdict::exit_code`], or
/// [`EXIT_BAD_INPUT`] on error.
pub fn run_analyze(
    options: &AnalyzeOptions,
    out: &mut dyn Write,
) -> Result<Verdict, AnalyzerError> {
    run_analyze_with(options, &mut |path| InputText::read(path), out)
}

/// [`run_analyze`], taking each input's text from `read` once the arguments
/// are valid: the binary fetches URL inputs there, so this crate does no
/// network I/O.
pub fn run_analyze_with(
    options: &AnalyzeOptions,
    read: &mut dyn FnMut(&std::path::Path) -> Result<InputText, AnalyzerError>,
    out: &mut dyn Write,
) -> Result<Verdict, AnalyzerError> {
    let cfg = Config::from_options(options)?;
    let texts = cfg
        .inputs
        .iter()
        .map(|path| read(path))
        .collect::<Result<Vec<_>, _>>()?;
    let inputs = load_texts(&texts, &cfg)?;
    let report = analyze(&cfg, &inputs);
    if let Some(dir) = &cfg.plot_dir {
        write_plots(&report, dir)?;
    }
    emit(cfg.output.as_deref(), out, |w| {
        render(&report, cfg.format, w)
    })?;
    Ok(report.verdict)
}

/// `fifowin policy`: Δmax of a preset or explicit policy against the window.
pub fn run_policy(options: &PolicyOptions, out: &mut dyn Write) -> Result<Verdict, AnalyzerError> {
    let cfg = PolicyConfig::from_options(options)?;
    let check = check_policy(&cfg.policy, cfg.window_ns, cfg.guard_ns);
    emit(None, out, |w| render_policy(&check, cfg.format, w))?;
    Ok(check.verdict)
}

/// The pure part of `fifowin policy`.
pub fn check_policy(policy: &RetryPolicy, window_ns: u64, guard_ns: u64) -> PolicyCheck {
    let bound = policy.bound();
    let judgement = judge_policy(
        bound.effective_ns,
        bound.unbounded_because.as_deref(),
        window_ns,
        guard_ns,
    );
    PolicyCheck {
        schema: POLICY_SCHEMA,
        window_ns,
        window_ms: window_ns / 1_000_000,
        window: fmt_window(window_ns),
        guard_ns,
        description: policy.describe(),
        policy: policy.clone(),
        headroom: bound
            .effective_ns
            .filter(|b| *b > 0)
            .map(|b| window_ns as f64 / b as f64),
        margin_ns: bound
            .effective_ns
            .map(|b| (i128::from(window_ns) - i128::from(b)) as i64),
        bound,
        verdict: judgement.verdict,
        exit_code: judgement.verdict.exit_code(),
        reasons: judgement.reasons,
    }
}

/// Renders into `--output` when given, else into `out`.
fn emit(
    path: Option<&std::path::Path>,
    out: &mut dyn Write,
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), AnalyzerError> {
    match path {
        Some(path) => {
            let shown = path.display().to_string();
            let file =
                std::fs::File::create(path).map_err(|e| AnalyzerError::write(shown.clone(), e))?;
            let mut w = std::io::BufWriter::new(file);
            body(&mut w)
                .and_then(|()| w.flush())
                .map_err(|e| AnalyzerError::write(shown, e))
        }
        None => body(out)
            .and_then(|()| out.flush())
            .map_err(|e| AnalyzerError::write("standard output", e)),
    }
}
