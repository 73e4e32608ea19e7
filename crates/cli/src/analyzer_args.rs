//! The command lines of `fifowin analyze` and `fifowin policy` (clap derive).
//! Values that need checking stay strings and become the analyzer's
//! [`AnalyzeOptions`] / [`PolicyOptions`], which it validates, so every bad
//! value is an `AnalyzerError` with exit code 3 rather than a clap error. The
//! enums here only name the choices on the command line; the analyzer has its
//! own types ([`Boundary`], [`Format`], [`TimeUnit`], [`Preset`]), and the
//! defaults are its options' defaults.

use std::path::PathBuf;
use std::sync::LazyLock;

use clap::builder::PossibleValue;
use fifowin_analyzer::{AnalyzeOptions, Boundary, Format, PolicyOptions, Preset, TimeUnit};

/// `--boundary`: which rule decides whether a lag escapes ([`Boundary`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum BoundaryArg {
    /// A lag >= window escapes: a send at t is a duplicate iff t < first_accepted + window
    /// (the fifowin server's rule, and LocalStack's).
    Ge,
    /// A lag > window escapes: a send exactly at first_accepted + window is still a duplicate.
    Gt,
}

/// `--format`: the report format ([`Format`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum FormatArg {
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
pub(crate) enum HgrmUnitArg {
    Ns,
    Us,
    Ms,
    S,
}

/// `--preset`: one of the analyzer's [`Preset`]s, named, aliased and
/// described by the analyzer itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PresetArg(Preset);

static PRESETS: LazyLock<Vec<PresetArg>> =
    LazyLock::new(|| Preset::ALL.into_iter().map(PresetArg).collect());

impl clap::ValueEnum for PresetArg {
    fn value_variants<'a>() -> &'a [Self] {
        &PRESETS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(
            PossibleValue::new(self.0.name())
                .aliases(self.0.aliases().iter().copied())
                .help(self.0.summary()),
        )
    }
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
pub(crate) struct AnalyzeArgs {
    /// Retry-lag inputs: .hlog (HdrHistogram interval log, values in ns), .hgrm
    /// (Java percentile output), .csv/.jsonl attempt logs
    /// (dedup_id,attempt,t_send_ns[,source]), .prom/.om Prometheus or
    /// OpenMetrics text (or a saved /api/v1/query JSON answer), OTLP JSON
    /// traces. A `.gz`
    /// suffix is decompressed.
    #[arg(required = true, value_name = "INPUT")]
    pub(crate) inputs: Vec<PathBuf>,

    /// The deduplication window.
    #[arg(long, default_value_t = AnalyzeOptions::default().window, value_name = "DURATION")]
    window: String,

    /// Retry policy, `[TAG=]PRESET[,key=value...]`, e.g. `aws-sdk-rust-2.0,attempt-timeout=10s`.
    /// Without TAG it applies to every source that has no policy of its own. Repeatable.
    #[arg(long, value_name = "SPEC")]
    policy: Vec<String>,

    /// Only analyze these sources (hlog tags; untagged lines are `default`). Repeatable.
    #[arg(long, value_name = "TAG")]
    tag: Vec<String>,

    /// The escape probability per retry you are willing to accept.
    #[arg(long, default_value_t = AnalyzeOptions::default().target_escape, value_name = "P")]
    target_escape: String,

    /// Which lags escape: `ge` (lag >= window, the server's rule) or `gt`.
    #[arg(long, value_enum, default_value_t = BoundaryArg::Ge)]
    boundary: BoundaryArg,

    /// A policy bound must stay this far below the window to count as SAFE
    /// (covers network latency between client and server clocks).
    #[arg(long, default_value_t = AnalyzeOptions::default().guard, value_name = "DURATION")]
    guard: String,

    /// Report format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    format: FormatArg,

    /// Also write percentile.svg, ccdf.svg and one <tag>.hgrm per source into DIR.
    #[arg(long, value_name = "DIR")]
    plot: Option<PathBuf>,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,

    /// Unit of values in .hgrm files (input and output).
    #[arg(long, value_enum, default_value_t = HgrmUnitArg::Ms)]
    hgrm_unit: HgrmUnitArg,

    /// The format of every input: auto (by extension, then content), hlog,
    /// hgrm, csv, jsonl, prometheus, otlp.
    #[arg(long, value_name = "FORMAT")]
    input_format: Option<String>,

    /// Prometheus: the histogram to read (with or without `_bucket`); needed
    /// when the input has several.
    #[arg(long, value_name = "NAME")]
    metric: Option<String>,

    /// Prometheus: one source per value of this label (other labels summed);
    /// without it, the whole histogram is one source.
    #[arg(long, value_name = "LABEL")]
    source_label: Option<String>,

    /// Prometheus: the unit of the `le` bounds, s (the default), ms, us or ns.
    #[arg(long, value_name = "UNIT")]
    unit: Option<String>,

    /// Attempt logs: the column or JSON field holding the dedup id (default `dedup_id`).
    #[arg(long, value_name = "NAME")]
    id_field: Option<String>,

    /// Attempt logs: the send time's column or field (default `t_send_ns`):
    /// RFC 3339, or a number (see --time-unit).
    #[arg(long, value_name = "NAME")]
    time_field: Option<String>,

    /// Attempt logs: the attempt number's column or field (default `attempt`
    /// when present; without one, sends are taken in time order).
    #[arg(long, value_name = "NAME")]
    attempt_field: Option<String>,

    /// Attempt logs: the source's column or field (default `source` when present).
    #[arg(long, value_name = "NAME")]
    source_field: Option<String>,

    /// Attempt logs: the unit of numeric times, s, ms, us or ns. Without it,
    /// a time field named `*_ns`, `*_us`, `*_ms` or `*_s` says; else the
    /// first number's size decides (epoch s below 1e11, ms below 1e14, us
    /// below 1e17, else ns).
    #[arg(long, value_name = "UNIT")]
    time_unit: Option<String>,

    /// OTLP traces: the span attribute whose value identifies a logical send;
    /// without it, client spans under one parent, resends marked by
    /// `http.request.resend_count`.
    #[arg(long, value_name = "KEY")]
    id_attribute: Option<String>,

    /// OTLP traces: the span or resource attribute naming the source
    /// (default `service.name`).
    #[arg(long, value_name = "KEY")]
    source_attribute: Option<String>,
}

impl From<AnalyzeArgs> for AnalyzeOptions {
    fn from(args: AnalyzeArgs) -> AnalyzeOptions {
        AnalyzeOptions {
            inputs: args.inputs,
            window: args.window,
            policy: args.policy,
            tag: args.tag,
            target_escape: args.target_escape,
            boundary: args.boundary.into(),
            guard: args.guard,
            format: args.format.into(),
            plot: args.plot,
            output: args.output,
            hgrm_unit: args.hgrm_unit.into(),
            input_format: args.input_format,
            metric: args.metric,
            source_label: args.source_label,
            unit: args.unit,
            id_field: args.id_field,
            time_field: args.time_field,
            attempt_field: args.attempt_field,
            source_field: args.source_field,
            time_unit: args.time_unit,
            id_attribute: args.id_attribute,
            source_attribute: args.source_attribute,
        }
    }
}

/// `fifowin policy`: the worst-case retry lag a retry policy allows, against the window.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct PolicyArgs {
    /// SDK preset; explicit options below override its values.
    #[arg(long, value_enum, default_value_t = PresetArg(PolicyOptions::default().preset))]
    preset: PresetArg,
    /// Maximum attempts, including the first.
    #[arg(long)]
    attempts: Option<u32>,
    /// Non-throttling base backoff.
    #[arg(long, value_name = "DURATION")]
    base: Option<String>,
    /// Base backoff after a throttling error.
    #[arg(long, value_name = "DURATION")]
    throttle_base: Option<String>,
    /// Backoff cap (`none` for no cap).
    #[arg(long, value_name = "DURATION")]
    max_backoff: Option<String>,
    /// Connect timeout (`none` to unset).
    #[arg(long, value_name = "DURATION")]
    connect_timeout: Option<String>,
    /// Read (socket idle) timeout (`none` to unset).
    #[arg(long, value_name = "DURATION")]
    read_timeout: Option<String>,
    /// Per-attempt timeout (`none` to unset).
    #[arg(long, value_name = "DURATION")]
    attempt_timeout: Option<String>,
    /// Whole-operation timeout (`none` to unset).
    #[arg(long, value_name = "DURATION")]
    operation_timeout: Option<String>,
    /// Assume the server sends Retry-After hints (lengthens backoffs).
    #[arg(long)]
    retry_after: bool,
    /// The deduplication window.
    #[arg(long, default_value_t = PolicyOptions::default().window, value_name = "DURATION")]
    window: String,
    /// Δmax must stay this far below the window to count as SAFE.
    #[arg(long, default_value_t = PolicyOptions::default().guard, value_name = "DURATION")]
    guard: String,
    /// Output format (table, json or markdown).
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    format: FormatArg,
}

impl From<PolicyArgs> for PolicyOptions {
    fn from(args: PolicyArgs) -> PolicyOptions {
        PolicyOptions {
            preset: args.preset.0,
            attempts: args.attempts,
            base: args.base,
            throttle_base: args.throttle_base,
            max_backoff: args.max_backoff,
            connect_timeout: args.connect_timeout,
            read_timeout: args.read_timeout,
            attempt_timeout: args.attempt_timeout,
            operation_timeout: args.operation_timeout,
            retry_after: args.retry_after,
            window: args.window,
            guard: args.guard,
            format: args.format.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    enum Cli {
        Analyze(Box<AnalyzeArgs>),
        Policy(Box<PolicyArgs>),
    }

    fn analyze(argv: &[&str]) -> AnalyzeOptions {
        match Cli::try_parse_from(["fifowin", "analyze"].iter().chain(argv)).unwrap() {
            Cli::Analyze(args) => (*args).into(),
            Cli::Policy(_) => unreachable!("parsed as analyze"),
        }
    }

    fn policy(argv: &[&str]) -> PolicyOptions {
        match Cli::try_parse_from(["fifowin", "policy"].iter().chain(argv)).unwrap() {
            Cli::Policy(args) => (*args).into(),
            Cli::Analyze(_) => unreachable!("parsed as policy"),
        }
    }

    #[test]
    fn defaults_are_the_analyzers() {
        assert_eq!(
            analyze(&["a.hlog"]),
            AnalyzeOptions {
                inputs: vec!["a.hlog".into()],
                ..AnalyzeOptions::default()
            }
        );
        assert_eq!(policy(&[]), PolicyOptions::default());
    }

    #[test]
    fn every_analyze_flag_reaches_its_option() {
        let options = analyze(&[
            "a.hlog",
            "b.csv",
            "--window",
            "10m",
            "--policy",
            "sdk=boto3-legacy",
            "--policy",
            "explicit",
            "--tag",
            "sdk",
            "--target-escape",
            "1e-3",
            "--boundary",
            "gt",
            "--guard",
            "2s",
            "--format",
            "junit",
            "--plot",
            "plots",
            "-o",
            "out.xml",
            "--hgrm-unit",
            "us",
            "--input-format",
            "csv",
            "--metric",
            "m",
            "--source-label",
            "q",
            "--unit",
            "ms",
            "--id-field",
            "id",
            "--time-field",
            "t",
            "--attempt-field",
            "n",
            "--source-field",
            "s",
            "--time-unit",
            "ns",
            "--id-attribute",
            "k",
            "--source-attribute",
            "svc",
        ]);
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            options,
            AnalyzeOptions {
                inputs: vec!["a.hlog".into(), "b.csv".into()],
                window: "10m".into(),
                policy: vec!["sdk=boto3-legacy".into(), "explicit".into()],
                tag: vec!["sdk".into()],
                target_escape: "1e-3".into(),
                boundary: Boundary::Gt,
                guard: "2s".into(),
                format: Format::Junit,
                plot: Some("plots".into()),
                output: Some("out.xml".into()),
                hgrm_unit: TimeUnit::Us,
                input_format: some("csv"),
                metric: some("m"),
                source_label: some("q"),
                unit: some("ms"),
                id_field: some("id"),
                time_field: some("t"),
                attempt_field: some("n"),
                source_field: some("s"),
                time_unit: some("ns"),
                id_attribute: some("k"),
                source_attribute: some("svc"),
            }
        );
    }

    #[test]
    fn every_policy_flag_reaches_its_option() {
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            policy(&[
                "--preset",
                "rust-2.1",
                "--attempts",
                "4",
                "--base",
                "1s",
                "--throttle-base",
                "2s",
                "--max-backoff",
                "none",
                "--connect-timeout",
                "3s",
                "--read-timeout",
                "4s",
                "--attempt-timeout",
                "5s",
                "--operation-timeout",
                "6s",
                "--retry-after",
                "--window",
                "1m",
                "--guard",
                "0s",
                "--format",
                "markdown",
            ]),
            PolicyOptions {
                preset: Preset::AwsSdkRust21,
                attempts: Some(4),
                base: some("1s"),
                throttle_base: some("2s"),
                max_backoff: some("none"),
                connect_timeout: some("3s"),
                read_timeout: some("4s"),
                attempt_timeout: some("5s"),
                operation_timeout: some("6s"),
                retry_after: true,
                window: "1m".into(),
                guard: "0s".into(),
                format: Format::Markdown,
            }
        );
    }

    #[test]
    fn presets_are_listed_by_the_analyzers_names() {
        for preset in Preset::ALL {
            assert_eq!(policy(&["--preset", preset.name()]).preset, preset);
        }
        assert!(Cli::try_parse_from(["fifowin", "policy", "--preset", "nope"]).is_err());
    }
}
