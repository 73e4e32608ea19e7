//! Prometheus histograms: the text exposition (Prometheus 0.0.4 and
//! OpenMetrics) or a saved answer of the HTTP API's `/api/v1/query`, turned
//! into lag sources. Each series' cumulative `le` buckets become bucket
//! counts; a bucket's lags escape certainly when the whole bucket lies at or
//! past the window, possibly when it reaches into it, so escapes come out as
//! `[escapes_lo, escapes_hi]`, one count when no non-empty bucket straddles
//! the window. Percentiles and the maximum are bucket bounds.

mod api;
mod text;

use crate::boundary::Boundary;
use crate::config::Config;
use crate::error::AnalyzerError;
use crate::source::{DEFAULT_TAG, FileSummary, InputKind, SourceSet};
use crate::units::TimeUnit;
use std::collections::BTreeMap;
use std::path::Path;

/// What picks and splits the histogram (`--metric`, `--source-label`, `--unit`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PromOptions {
    /// The histogram's name, with or without `_bucket`; required when the input has several.
    pub metric: Option<String>,
    /// One source per value of this label; other labels are summed.
    pub source_label: Option<String>,
    /// The unit of the `le` bounds; seconds when not given, as Prometheus names them.
    pub unit: Option<TimeUnit>,
}

/// One bucket sample: its bound, its cumulative count and where it was written.
#[derive(Debug, Clone, PartialEq)]
struct Bucket {
    le: f64,
    cumulative: f64,
    line: usize,
}

/// One histogram series: its labels other than `le`, and its buckets.
#[derive(Debug, Clone, Default, PartialEq)]
struct Series {
    labels: Labels,
    buckets: Vec<Bucket>,
    /// The `_count` sample, when there is one.
    count: Option<f64>,
    /// Where the series starts, for errors about the whole series.
    line: usize,
}

/// A series' labels, sorted by name.
type Labels = Vec<(String, String)>;

/// Histogram families by name (without `_bucket`).
type Families = BTreeMap<String, Vec<Series>>;

/// How the counts of a file are to be taken.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Counts {
    /// The exposition's own counters: whole numbers, cumulative, or the file is wrong.
    Exposed,
    /// Query results (`increase()`, `rate()`): fractional and, per `le`,
    /// extrapolated separately, so they are rounded and made cumulative.
    Computed,
}

/// Reads a text exposition or a Prometheus API answer into `set`.
pub(crate) fn read_prometheus(
    path: &Path,
    text: &str,
    cfg: &Config,
    set: &mut SourceSet,
) -> Result<FileSummary, AnalyzerError> {
    let mut summary = FileSummary::new(&path.display().to_string(), InputKind::Prometheus);
    let (families, counts, summaries) = if text.trim_start().starts_with('{') {
        let families = api::families(text).map_err(|p| AnalyzerError::input(path, p))?;
        (families, Counts::Computed, Vec::new())
    } else {
        let exposition =
            text::parse(text).map_err(|(line, p)| AnalyzerError::parse(path, line, p))?;
        let summaries: Vec<String> = exposition
            .types
            .iter()
            .filter(|(_, kind)| kind == "summary")
            .map(|(name, _)| name.clone())
            .collect();
        (from_samples(exposition), Counts::Exposed, summaries)
    };
    let opts = &cfg.prometheus;
    let (name, series) = pick(families, opts.metric.as_deref()).map_err(|p| {
        // A summary's quantiles say nothing about how many lags passed a window.
        let why = match opts.metric.as_deref() {
            Some(m) if summaries.iter().any(|s| s == m) => {
                format!("`{m}` is a summary, whose quantiles cannot count escapes; export it as a histogram")
            }
            _ => p,
        };
        AnalyzerError::usage("--metric", format!("{}: {why}", path.display()))
    })?;
    let unit = opts.unit.unwrap_or(TimeUnit::S);
    let mut fractional = false;
    let mut repaired = false;
    let mut above_top: BTreeMap<String, (u64, f64)> = BTreeMap::new();
    let mut straddling: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for s in &series {
        let tag = match &opts.source_label {
            None if name.is_empty() => DEFAULT_TAG.to_string(),
            None => name.clone(),
            Some(label) => match s.labels.iter().find(|(k, _)| k == label) {
                Some((_, v)) => v.clone(),
                None => {
                    let present: Vec<&str> = s.labels.iter().map(|(k, _)| k.as_str()).collect();
                    return Err(AnalyzerError::usage(
                        "--source-label",
                        format!(
                            "{}:{}: a series of `{name}` has no label `{label}` (its labels: {})",
                            path.display(),
                            s.line,
                            if present.is_empty() {
                                "none".to_string()
                            } else {
                                present.join(", ")
                            }
                        ),
                    ));
                }
            },
        };
        summary.saw_tag(&tag);
        let buckets = bucket_counts(s, unit, counts, &mut fractional, &mut repaired).map_err(
            |(line, p)| {
                match counts {
                    Counts::Exposed => AnalyzerError::parse(path, line, p),
                    // A query answer has results, not lines.
                    Counts::Computed => {
                        AnalyzerError::input(path, format!("data.result[{}]: {p}", line - 1))
                    }
                }
            },
        )?;
        if let Some(count) = s.count {
            let total: u64 = buckets.iter().map(|b| b.count).sum();
            if (count - total as f64).abs() >= 1.0 && counts == Counts::Exposed {
                summary.notes.push(format!(
                    "line {}: `{name}_count` {count} differs from the `+Inf` bucket {total}; the buckets are used",
                    s.line
                ));
            }
        }
        if !cfg.selects(&tag) {
            continue;
        }
        let source = set.get(&tag);
        for b in &buckets {
            let (certain, possible) =
                source.add_range(b.lo_ns, b.hi_ns, b.count, cfg.window_ns, cfg.boundary);
            summary.samples += b.count;
            match b.hi_ns {
                None if b.count > 0 => {
                    let entry = above_top.entry(tag.clone()).or_insert((0, b.lo_le));
                    entry.0 += b.count;
                }
                Some(_) if possible > certain => straddling.entry(tag.clone()).or_default().push(
                    format!("({}, {}] holds {}", b.lo_le, b.hi_le, possible - certain),
                ),
                _ => {}
            }
        }
    }
    let shown = if name.is_empty() {
        "the query's histogram".to_string()
    } else {
        format!("histogram `{name}`")
    };
    summary.notes.push(format!(
        "{shown}, bounds in {}: percentiles and maxima are bucket bounds, not observed lags",
        unit_words(unit)
    ));
    for (tag, (n, top)) in above_top {
        summary.notes.push(format!(
            "{tag}: {n} {} above the largest bound le={top} (the +Inf bucket): values unknown, counted as possible escapes",
            if n == 1 { "lag lies" } else { "lags lie" }
        ));
    }
    let exact_bound = match cfg.boundary {
        // A lag equal to the window escapes, so the bucket ending at the
        // window holds both kinds; one ending 1 ns earlier does not.
        Boundary::Ge => format!("le=\"{}\"", (cfg.window_ns - 1) as f64 / unit.ns_per_unit()),
        Boundary::Gt => format!("le=\"{}\"", cfg.window_ns as f64 / unit.ns_per_unit()),
    };
    for (tag, buckets) in straddling {
        summary.notes.push(format!(
            "{tag}: bucket {} lag(s) that may or may not escape; a bound {exact_bound} beside the next makes the count exact",
            buckets.join(", ")
        ));
    }
    if fractional {
        summary.notes.push(
            "fractional counts (from increase() or rate()) were rounded to whole lags".into(),
        );
    }
    if repaired {
        summary.notes.push(
            "cumulative counts that fell with a larger le were raised to the previous one, as histogram_quantile does".into(),
        );
    }
    Ok(summary)
}

fn unit_words(unit: TimeUnit) -> &'static str {
    match unit {
        TimeUnit::S => "seconds",
        TimeUnit::Ms => "milliseconds",
        TimeUnit::Us => "microseconds",
        TimeUnit::Ns => "nanoseconds",
    }
}

/// Groups `_bucket` and `_count` samples into series by family and labels.
fn from_samples(exposition: text::Exposition) -> Families {
    let mut by_key: BTreeMap<(String, Labels), Series> = BTreeMap::new();
    let mut counts: Vec<(String, Labels, f64)> = Vec::new();
    for sample in exposition.samples {
        let (family, is_bucket) = match sample.name.strip_suffix("_bucket") {
            Some(f) => (f.to_string(), true),
            None => match sample.name.strip_suffix("_count") {
                Some(f) => (f.to_string(), false),
                None => continue,
            },
        };
        let le = sample
            .labels
            .iter()
            .find(|(k, _)| k == "le")
            .map(|(_, v)| v.clone());
        let mut labels: Labels = sample
            .labels
            .into_iter()
            .filter(|(k, _)| k != "le")
            .collect();
        labels.sort();
        match (is_bucket, le) {
            (true, Some(le)) => {
                let series = by_key
                    .entry((family, labels.clone()))
                    .or_insert_with(|| Series {
                        labels,
                        line: sample.line,
                        ..Series::default()
                    });
                series.buckets.push(Bucket {
                    le: parse_le(&le).unwrap_or(f64::NAN),
                    cumulative: sample.value,
                    line: sample.line,
                });
            }
            (false, None) => counts.push((family, labels, sample.value)),
            _ => {}
        }
    }
    for (family, labels, value) in counts {
        if let Some(series) = by_key.get_mut(&(family, labels)) {
            series.count = Some(value);
        }
    }
    let mut families = Families::new();
    for ((family, _), series) in by_key {
        families.entry(family).or_default().push(series);
    }
    families
}

/// A sample value as Prometheus writes it (`+Inf`, `NaN`, Go float syntax).
fn text_value(s: &str) -> Option<f64> {
    text::parse_value(s)
}

fn parse_le(le: &str) -> Option<f64> {
    match le.trim() {
        "+Inf" | "Inf" | "+inf" | "inf" => Some(f64::INFINITY),
        other => other.parse::<f64>().ok().filter(|v| !v.is_nan()),
    }
}

/// Picks the histogram `--metric` names, or the only one there is.
fn pick(mut families: Families, metric: Option<&str>) -> Result<(String, Vec<Series>), String> {
    let names: Vec<String> = families.keys().cloned().collect();
    let listed = || {
        names
            .iter()
            .map(|n| {
                if n.is_empty() {
                    "(unnamed)"
                } else {
                    n.as_str()
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    match metric {
        Some(metric) => {
            let wanted = metric.strip_suffix("_bucket").unwrap_or(metric);
            match families.remove(wanted) {
                Some(series) => Ok((wanted.to_string(), series)),
                // A query answer without `__name__` holds one unnamed histogram.
                None if names.len() == 1 && names[0].is_empty() => {
                    Ok((wanted.to_string(), families.remove("").unwrap_or_default()))
                }
                None if names.is_empty() => Err(
                    "the input holds no histogram (no `_bucket` series with an `le` label)".into(),
                ),
                None => Err(format!(
                    "no histogram `{wanted}` in the input (present: {})",
                    listed()
                )),
            }
        }
        None => match names.len() {
            0 => {
                Err("the input holds no histogram (no `_bucket` series with an `le` label)".into())
            }
            1 => {
                let name = names[0].clone();
                let series = families.remove(&name).unwrap_or_default();
                Ok((name, series))
            }
            n => Err(format!(
                "the input holds {n} histograms; name one with --metric: {}",
                listed()
            )),
        },
    }
}

/// One bucket's own count, with its bounds in ns and as written.
#[derive(Debug, Clone, PartialEq)]
struct BucketCount {
    lo_ns: u64,
    /// `None` for the `+Inf` bucket.
    hi_ns: Option<u64>,
    lo_le: f64,
    hi_le: f64,
    count: u64,
}

/// Turns a series' cumulative buckets into per-bucket counts.
fn bucket_counts(
    s: &Series,
    unit: TimeUnit,
    counts: Counts,
    fractional: &mut bool,
    repaired: &mut bool,
) -> Result<Vec<BucketCount>, (usize, String)> {
    let mut buckets = s.buckets.clone();
    if let Some(b) = buckets.iter().find(|b| b.le.is_nan()) {
        return Err((b.line, "the `le` label is not a number".into()));
    }
    buckets.sort_by(|a, b| a.le.total_cmp(&b.le));
    if let Some(pair) = buckets.windows(2).find(|p| p[0].le == p[1].le) {
        return Err((
            pair[1].line,
            format!("bucket le=\"{}\" appears twice in one series", pair[1].le),
        ));
    }
    if buckets.last().is_none_or(|b| b.le != f64::INFINITY) {
        match s.count {
            // `_count` is the `+Inf` bucket by definition.
            Some(count) => buckets.push(Bucket {
                le: f64::INFINITY,
                cumulative: count,
                line: s.line,
            }),
            None => {
                return Err((
                    s.line,
                    "the series has no le=\"+Inf\" bucket and no `_count`".into(),
                ));
            }
        }
    }
    let mut out = Vec::with_capacity(buckets.len());
    let mut previous = 0u64;
    let mut lo_le = 0.0f64;
    for b in &buckets {
        if !b.cumulative.is_finite() || b.cumulative < 0.0 {
            return Err((
                b.line,
                format!("count `{}` is not a number >= 0", b.cumulative),
            ));
        }
        let rounded = b.cumulative.round();
        if rounded != b.cumulative {
            if counts == Counts::Exposed {
                return Err((
                    b.line,
                    format!("count `{}` is not a whole number", b.cumulative),
                ));
            }
            *fractional = true;
        }
        let mut cumulative = rounded as u64;
        if cumulative < previous {
            if counts == Counts::Exposed {
                return Err((
                    b.line,
                    format!(
                        "bucket le=\"{}\" counts {cumulative}, fewer than the {previous} of a smaller bound; `_bucket` counts are cumulative",
                        b.le
                    ),
                ));
            }
            *repaired = true;
            cumulative = previous;
        }
        let count = cumulative - previous;
        if b.le < 0.0 {
            if count > 0 {
                return Err((
                    b.line,
                    format!(
                        "{count} lags at or below le=\"{}\": a retry lag is never negative",
                        b.le
                    ),
                ));
            }
        } else {
            let lo_ns = unit.to_ns(lo_le).unwrap_or(0);
            let hi_ns = if b.le == f64::INFINITY {
                None
            } else {
                Some(
                    unit.to_ns(b.le)
                        .ok_or_else(|| (b.line, format!("bound le=\"{}\" is too large", b.le)))?,
                )
            };
            out.push(BucketCount {
                lo_ns,
                hi_ns,
                lo_le,
                hi_le: b.le,
                count,
            });
            lo_le = b.le;
        }
        previous = cumulative;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(buckets: &[(f64, f64)], count: Option<f64>) -> Series {
        Series {
            labels: Vec::new(),
            buckets: buckets
                .iter()
                .enumerate()
                .map(|(i, (le, c))| Bucket {
                    le: *le,
                    cumulative: *c,
                    line: i + 1,
                })
                .collect(),
            count,
            line: 1,
        }
    }

    type Counted = Vec<(u64, Option<u64>, u64)>;

    fn counts(s: &Series, how: Counts) -> Result<Counted, (usize, String)> {
        let (mut f, mut r) = (false, false);
        bucket_counts(s, TimeUnit::S, how, &mut f, &mut r)
            .map(|v| v.into_iter().map(|b| (b.lo_ns, b.hi_ns, b.count)).collect())
    }

    #[test]
    fn cumulative_buckets_become_counts_in_order() {
        let s = series(&[(f64::INFINITY, 10.0), (0.5, 2.0), (300.0, 9.0)], None);
        assert_eq!(
            counts(&s, Counts::Exposed).unwrap(),
            [
                (0, Some(500_000_000), 2),
                (500_000_000, Some(300_000_000_000), 7),
                (300_000_000_000, None, 1)
            ]
        );
        // `_count` stands in for a missing +Inf bucket.
        let s = series(&[(1.0, 2.0)], Some(5.0));
        assert_eq!(
            counts(&s, Counts::Exposed).unwrap()[1],
            (1_000_000_000, None, 3)
        );
    }

    #[test]
    fn exposed_counts_must_be_whole_and_cumulative_computed_ones_are_repaired() {
        let falling = series(&[(1.0, 5.0), (2.0, 4.0), (f64::INFINITY, 6.0)], None);
        let err = counts(&falling, Counts::Exposed).unwrap_err();
        assert_eq!(err.0, 2);
        assert!(err.1.contains("cumulative"), "{}", err.1);
        assert_eq!(
            counts(&falling, Counts::Computed).unwrap(),
            [
                (0, Some(1_000_000_000), 5),
                (1_000_000_000, Some(2_000_000_000), 0),
                (2_000_000_000, None, 1)
            ]
        );
        let fractional = series(&[(1.0, 2.4), (f64::INFINITY, 3.6)], None);
        assert!(
            counts(&fractional, Counts::Exposed)
                .unwrap_err()
                .1
                .contains("whole")
        );
        assert_eq!(counts(&fractional, Counts::Computed).unwrap()[1].2, 2);
        let no_inf = series(&[(1.0, 2.0)], None);
        assert!(
            counts(&no_inf, Counts::Exposed)
                .unwrap_err()
                .1
                .contains("+Inf")
        );
    }

    #[test]
    fn several_histograms_need_a_name() {
        let mut families = Families::new();
        families.insert("a_seconds".into(), vec![Series::default()]);
        families.insert("b_seconds".into(), vec![Series::default()]);
        let err = pick(families.clone(), None).unwrap_err();
        assert!(err.contains("--metric: a_seconds, b_seconds"), "{err}");
        assert_eq!(
            pick(families.clone(), Some("b_seconds_bucket")).unwrap().0,
            "b_seconds"
        );
        assert!(
            pick(families, Some("c"))
                .unwrap_err()
                .contains("present: a_seconds, b_seconds")
        );
    }
}
