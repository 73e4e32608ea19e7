//! Command-line arguments of `fifowin analyze` and `fifowin policy` (clap
//! derive). Values that need checking stay strings here and are validated
//! into a [`crate::Config`], so every bad value is an [`crate::AnalyzerError`]
//! with exit code 3 rather than a clap error. The enums here only name the
//! choices on the command line; the analysis has its own types
//! ([`Boundary`], [`Format`], [`TimeUnit`]), so it does not depend on clap.

use crate::boundary::Boundary;
use crate::config::DEFAULT_WINDOW_NS;
use crate::duration::fmt_window;
use crate::policy::Preset;
use crate::report::Format;
use crate::units::TimeUnit;
use std::path::PathBuf;

/// `--boundary`: which rule decides whether a lag escapes ([`Boundary`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BoundaryArg {
    /// A lag >= window escapes: a send at t is a duplicate iff t < first_accepted + window
    /// (the fifowin server's rule, and LocalStack's).
    Ge,
    /// A lag > window escapes: a send exactly at first_accepted + window is still a duplicate.
    Gt,
}

/// `--format`: the report format ([`Format`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Aligned text for a terminal.
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

/// `--hgrm-unit`: the unit of values in `.hgrm` files ([`TimeUnit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HgrmUnitArg {
    Ns,
    Us,
    Ms,
    S,
}

impl From<BoundaryArg> for Boundary {
    fn from(arg: BoundaryArg) -> Boundary {
        match arg {
            BoundaryArg::Ge => Boundary::Ge,
            BoundaryArg::Gt => Boundary::Gt,
        }
    }
}

impl From<FormatArg> for Format {
    fn from(arg: FormatArg) -> Format {
        match arg {
            FormatArg::Table => Format::Table,
            FormatArg::Json => Format::Json,
            FormatArg::Markdown => Format::Markdown,
            FormatArg::Hgrm => Format::Hgrm,
            FormatArg::Junit => Format::Junit,
        }
    }
}

impl From<HgrmUnitArg> for TimeUnit {
    fn from(arg: HgrmUnitArg) -> TimeUnit {
        match arg {
            HgrmUnitArg::Ns => TimeUnit::Ns,
            HgrmUnitArg::Us => TimeUnit::Us,
            HgrmUnitArg::Ms => TimeUnit::Ms,
            HgrmUnitArg::S => TimeUnit::S,
        }
    }
}

/// `fifowin analyze <inputs...>`: how likely are duplicates to escape the window?
#[derive(Debug, Clone, clap::Args)]
pub struct AnalyzeArgs {
    /// Retry-lag inputs: .hlog (HdrHistogram interval log, values in ns), .hgrm
    /// (Java percentile output), .csv/.jsonl attempt logs
    /// (dedup_id,attempt,t_send_ns[,source]), .prom/.om Prometheus or
    /// OpenMetrics text (or a saved /api/v1/query JSON answer), OTLP JSON
    /// traces. A `.gz`
    /// suffix is decompressed.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// The deduplication window.
    #[arg(long, default_value_t = fmt_window(DEFAULT_WINDOW_NS), value_name = "DURATION")]
    pub window: String,

    /// Retry policy, `[TAG=]PRESET[,key=value...]`, e.g. `aws-sdk-rust-2.0,attempt-timeout=10s`.
    /// Without TAG it applies to every source that has no policy of its own. Repeatable.
    #[arg(long, value_name = "SPEC")]
    pub policy: Vec<String>,

    /// Only analyze these sources (hlog tags; untagged lines are `default`). Repeatable.
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,

    /// The escape probability per retry you are willing to accept.
    #[arg(long, default_value = "1e-6", value_name = "P")]
    pub target_escape: String,

    /// Which lags escape: `ge` (lag >= window, the server's rule) or `gt`.
    #[arg(long, value_enum, default_value_t = BoundaryArg::Ge)]
    pub boundary: BoundaryArg,

    /// A policy bound must stay this far below the window to count as SAFE
    /// (covers network latency between client and server clocks).
    #[arg(long, default_value = "1s", value_name = "DURATION")]
    pub guard: String,

    /// Report format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,

    /// Also write percentile.svg, ccdf.svg and one <tag>.hgrm per source into DIR.
    #[arg(long, value_name = "DIR")]
    pub plot: Option<PathBuf>,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Unit of values in .hgrm files (input and output).
    #[arg(long, value_enum, default_value_t = HgrmUnitArg::Ms)]
    pub hgrm_unit: HgrmUnitArg,

    /// The format of every input: auto (by extension, then content), hlog,
    /// hgrm, csv, jsonl, prometheus, otlp.
    #[arg(long, value_name = "FORMAT")]
    pub input_format: Option<String>,

    /// Prometheus: the histogram to read (with or without `_bucket`); needed
    /// when the input has several.
    #[arg(long, value_name = "NAME")]
    pub metric: Option<String>,

    /// Prometheus: one source per value of this label (other labels summed);
    /// without it, the whole histogram is one source.
    #[arg(long, value_name = "LABEL")]
    pub source_label: Option<String>,

    /// Prometheus: the unit of the `le` bounds, s (the default), ms, us or ns.
    #[arg(long, value_name = "UNIT")]
    pub unit: Option<String>,

    /// Attempt logs: the column or JSON field holding the dedup id (default `dedup_id`).
    #[arg(long, value_name = "NAME")]
    pub id_field: Option<String>,

    /// Attempt logs: the send time's column or field (default `t_send_ns`):
    /// RFC 3339, or a number (see --time-unit).
    #[arg(long, value_name = "NAME")]
    pub time_field: Option<String>,

    /// Attempt logs: the attempt number's column or field (default `attempt`
    /// when present; without one, sends are taken in time order).
    #[arg(long, value_name = "NAME")]
    pub attempt_field: Option<String>,

    /// Attempt logs: the source's column or field (default `source` when present).
    #[arg(long, value_name = "NAME")]
    pub source_field: Option<String>,

    /// Attempt logs: the unit of numeric times, s, ms, us or ns. Without it,
    /// a time field named `*_ns`, `*_us`, `*_ms` or `*_s` says; else the
    /// first number's size decides (epoch s below 1e11, ms below 1e14, us
    /// below 1e17, else ns).
    #[arg(long, value_name = "UNIT")]
    pub time_unit: Option<String>,

    /// OTLP traces: the span attribute whose value identifies a logical send;
    /// without it, client spans under one parent, resends marked by
    /// `http.request.resend_count`.
    #[arg(long, value_name = "KEY")]
    pub id_attribute: Option<String>,

    /// OTLP traces: the span or resource attribute naming the source
    /// (default `service.name`).
    #[arg(long, value_name = "KEY")]
    pub source_attribute: Option<String>,
}

/// `fifowin policy`: the worst-case retry lag a retry policy allows, against the window.
#[derive(Debug, Clone, clap::Args)]
pub struct PolicyArgs {
    /// SDK preset; explicit options below override its values.
    #[arg(long, value_enum, default_value_t = Preset::Explicit)]
    pub preset: Preset,
    /// Maximum attempts, including the first.
    #[arg(long)]
    pub attempts: Option<u32>,
    /// Non-throttling base backoff.
    #[arg(long, value_name = "DURATION")]
    pub base: Option<String>,
    /// Base backoff after a throttling error.
    #[arg(long, value_name = "DURATION")]
    pub throttle_base: Option<String>,
    /// Backoff cap (`none` for no cap).
    #[arg(long, value_name = "DURATION")]
    pub max_backoff: Option<String>,
    /// Connect timeout (`none` to unset).
    #[arg(long, value_name = "DURATION")]
    pub connect_timeout: Option<String>,
    /// Read (socket idle) timeout (`none` to unset).
    #[arg(long, value_name = "DURATION")]
    pub read_timeout: Option<String>,
    /// Per-attempt timeout (`none` to unset).
    #[arg(long, value_name = "DURATION")]
    pub attempt_timeout: Option<String>,
    /// Whole-operation timeout (`none` to unset).
    #[arg(long, value_name = "DURATION")]
    pub operation_timeout: Option<String>,
    /// Assume the server sends Retry-After hints (lengthens backoffs).
    #[arg(long)]
    pub retry_after: bool,
    /// The deduplication window.
    #[arg(long, default_value_t = fmt_window(DEFAULT_WINDOW_NS), value_name = "DURATION")]
    pub window: String,
    /// Δmax must stay this far below the window to count as SAFE.
    #[arg(long, default_value = "1s", value_name = "DURATION")]
    pub guard: String,
    /// Output format (table, json or markdown).
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,
}
