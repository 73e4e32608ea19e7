//! The report: the data every output format renders, and the dispatch to the
//! renderers (table, JSON, markdown, JUnit XML, Java `.hgrm`, SVG plots).
//!
//! The JSON document is `serde_json` of [`Report`]; its schema is listed field
//! by field in the crate README. Durations are integer ns (`*_ns`),
//! probabilities are plain numbers, and absent values are `null`.

mod grid;
pub(crate) mod hgrm;
mod json;
mod junit;
mod markdown;
pub(crate) mod svg;
mod table;

use crate::boundary::Boundary;
use crate::error::AnalyzerError;
use crate::policy::{PolicyBound, RetryPolicy};
use crate::source::FileSummary;
use crate::tail::TailEstimate;
use crate::verdict::Verdict;
use hdrhistogram::Histogram;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Aligned text for a terminal.
    #[default]
    Table,
    /// The JSON document described in the crate README.
    Json,
    /// GitHub-flavoured markdown (for CI job summaries).
    Markdown,
    /// Java HdrHistogram `outputPercentileDistribution` layout of the merged lags.
    Hgrm,
    /// JUnit XML: a test case per source; ESCAPING and AT RISK are failures.
    Junit,
}

/// The value of the `schema` field of analyze reports.
pub const SCHEMA: &str = "fifowin.analyze/1";
/// The value of the `schema` field of policy reports.
pub const POLICY_SCHEMA: &str = "fifowin.policy/1";

/// The result of `analyze`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub window_ns: u64,
    pub window_ms: u64,
    /// The window as humantime prints it (`5m`).
    pub window: String,
    pub boundary: Boundary,
    pub target_escape: f64,
    pub guard_ns: u64,
    /// Confidence of every upper bound (one-sided).
    pub confidence: f64,
    pub verdict: Verdict,
    pub exit_code: u8,
    pub inputs: Vec<FileSummary>,
    pub sources: Vec<SourceReport>,
    /// All sources merged (tag `all`); its verdict is the worst of the sources'.
    pub overall: SourceReport,
    /// Present when attempt logs were read.
    pub attempts: Option<AttemptsReport>,
    /// Merged lags per source (plus `all` when there are several), for the
    /// `.hgrm` and SVG renderers.
    #[serde(skip)]
    pub histograms: Vec<(String, Histogram<u64>)>,
    /// ns per `.hgrm` value unit (1e6: milliseconds, Java's default).
    #[serde(skip)]
    pub hgrm_ratio: f64,
}

/// Everything about one source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    pub tag: String,
    pub n: u64,
    /// Lags with exact values (from attempt logs).
    pub exact_n: u64,
    pub min_ns: u64,
    pub mean_ns: f64,
    pub p50_ns: u64,
    pub p90_ns: u64,
    pub p99_ns: u64,
    pub p99_9_ns: u64,
    pub p99_99_ns: u64,
    pub p99_999_ns: u64,
    /// The top of the largest lag's bucket (the lag itself when exact).
    pub max_ns: u64,
    /// The bottom of the largest lag's bucket.
    pub max_lo_ns: u64,
    /// Lags that certainly escape, and that may escape (bucket straddles the window).
    pub escapes_lo: u64,
    pub escapes_hi: u64,
    /// Whether every lag was exact, so that `escapes_lo == escapes_hi` is a count.
    pub escapes_exact: bool,
    /// escapes_hi / n.
    pub p_hat: f64,
    /// One-sided 95% Clopper–Pearson upper bound (1 − 0.05^(1/n) at zero escapes).
    pub p_upper: f64,
    /// One-sided 95% Wilson upper bound.
    pub wilson_upper: f64,
    /// 3/n, when there were no escapes.
    pub rule_of_three: Option<f64>,
    /// Lags without an escape needed to show the target rate at 95%.
    pub samples_needed: u64,
    pub intervals: usize,
    pub intervals_with_escapes: usize,
    /// One-sided 95% block-bootstrap bound over intervals (null with < 2 intervals).
    pub p_upper_bootstrap: Option<f64>,
    /// Retry rate implied by the hlog intervals' total length.
    pub retries_per_day: Option<f64>,
    pub escapes_per_day_upper: Option<f64>,
    pub margins: Margins,
    pub tail: Option<TailEstimate>,
    pub policy: Option<PolicyReport>,
    pub verdict: Verdict,
    /// Why, worst first.
    pub reasons: Vec<String>,
}

/// Window minus each lag estimate, in ns; negative means past the window.
#[derive(Debug, Clone, Serialize)]
pub struct Margins {
    /// W − Δmax.
    pub bound_ns: Option<i64>,
    /// W − max.
    pub observed_ns: i64,
    /// W − the 95% upper confidence bound of each quantile.
    pub p99_9_upper_ns: i64,
    pub p99_99_upper_ns: i64,
    pub p99_999_upper_ns: i64,
    /// W − the window the tail fit needs for the target rate.
    pub target_ns: Option<i64>,
}

/// The retry policy applied to a source, and its bound.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyReport {
    pub description: String,
    pub policy: RetryPolicy,
    pub bound: PolicyBound,
    /// W / Δmax.
    pub headroom: Option<f64>,
}

/// Totals of the attempt logs' fixed-anchor simulation.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptsReport {
    pub messages: u64,
    pub sends: u64,
    pub retries: u64,
    /// Sends that arrived after their anchor's window closed: duplicates a consumer receives.
    pub delivered_duplicates: u64,
}

/// The result of `policy`.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyCheck {
    pub schema: &'static str,
    pub window_ns: u64,
    pub window_ms: u64,
    pub window: String,
    pub guard_ns: u64,
    pub description: String,
    pub policy: RetryPolicy,
    pub bound: PolicyBound,
    pub headroom: Option<f64>,
    /// W − Δmax (the bound the verdict uses).
    pub margin_ns: Option<i64>,
    pub verdict: Verdict,
    pub exit_code: u8,
    pub reasons: Vec<String>,
}

/// Renders a report in one format.
pub fn render(report: &Report, format: Format, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        Format::Table => table::render(report, out),
        Format::Json => json::render(report, out),
        Format::Markdown => markdown::render(report, out),
        Format::Hgrm => hgrm::render_report(report, out),
        Format::Junit => junit::render(report, out),
    }
}

/// Renders a policy check (`hgrm` is refused earlier, by the config).
pub fn render_policy(
    check: &PolicyCheck,
    format: Format,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::render_policy(check, out),
        Format::Markdown => markdown::render_policy(check, out),
        Format::Table | Format::Hgrm | Format::Junit => table::render_policy(check, out),
    }
}

/// Writes `percentile.svg`, `ccdf.svg` and one `<tag>.hgrm` per source into `dir`.
pub fn write_plots(report: &Report, dir: &Path) -> Result<(), AnalyzerError> {
    let shown = dir.display().to_string();
    std::fs::create_dir_all(dir).map_err(|e| AnalyzerError::write(shown.clone(), e))?;
    let write = |name: &str, body: Vec<u8>| {
        let path = dir.join(name);
        std::fs::write(&path, body).map_err(|e| AnalyzerError::write(path.display().to_string(), e))
    };
    write("percentile.svg", svg::percentile_plot(report).into_bytes())?;
    write("ccdf.svg", svg::ccdf_plot(report).into_bytes())?;
    for (tag, h) in &report.histograms {
        let mut body = Vec::new();
        hgrm::write_hgrm(h, report.hgrm_ratio, false, &mut body)
            .map_err(|e| AnalyzerError::write(shown.clone(), e))?;
        write(&format!("{}.hgrm", file_safe(tag)), body)?;
    }
    Ok(())
}

/// Tags may hold characters a file name cannot.
fn file_safe(tag: &str) -> String {
    tag.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}
