//! Java `.hgrm` percentile files (`outputPercentileDistribution`, text or CSV
//! layout). They are lossy: each row's new samples, the difference of the
//! cumulative TotalCount, are placed at the row's value, which is the top of
//! their range, so every statistic read back is conservative. The source is
//! named after the file (`sdk.hgrm` is source `sdk`).

use crate::config::Config;
use crate::error::AnalyzerError;
use crate::source::{FileSummary, InputKind, SourceSet, new_hist};
use std::path::Path;

/// Reads one `.hgrm` file into `set` under the file's stem.
pub(crate) fn read_hgrm(
    path: &Path,
    text: &str,
    cfg: &Config,
    set: &mut SourceSet,
) -> Result<FileSummary, AnalyzerError> {
    let tag = source_name(path);
    let mut summary = FileSummary::new(&path.display().to_string(), InputKind::Hgrm);
    summary.saw_tag(&tag);
    let ratio = cfg.hgrm_unit.ns_per_unit();
    let mut hist = new_hist();
    let mut previous_total = 0u64;
    let mut rows = 0usize;
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || is_header(line) {
            continue;
        }
        let fail = |problem: String| AnalyzerError::parse(path, line_no, problem);
        let fields: Vec<&str> = if line.contains(',') {
            line.split(',').map(str::trim).collect()
        } else {
            line.split_whitespace().collect()
        };
        if !(3..=4).contains(&fields.len()) {
            return Err(fail(format!(
                "expected `Value Percentile TotalCount [1/(1-Percentile)]`, found {} columns",
                fields.len()
            )));
        }
        let value = fields[0]
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| fail(format!("value `{}` is not a number >= 0", fields[0])))?;
        fields[1]
            .parse::<f64>()
            .ok()
            .filter(|p| (0.0..=1.0).contains(p))
            .ok_or_else(|| {
                fail(format!(
                    "percentile `{}` is not a fraction between 0 and 1",
                    fields[1]
                ))
            })?;
        let total = fields[2]
            .parse::<u64>()
            .map_err(|_| fail(format!("total count `{}` is not a whole number", fields[2])))?;
        if total < previous_total {
            return Err(fail(format!(
                "total count {total} is below the previous row's {previous_total}; TotalCount is cumulative"
            )));
        }
        let ns = (value * ratio).round();
        if ns >= u64::MAX as f64 {
            return Err(fail(format!("value `{}` is too large", fields[0])));
        }
        if total > previous_total {
            hist.record_n(ns as u64, total - previous_total)
                .map_err(|e| fail(format!("cannot record value {value}: {e:?}")))?;
        }
        previous_total = total;
        rows += 1;
    }
    if rows == 0 {
        return Err(AnalyzerError::input(
            path,
            "no percentile rows found; is this an .hgrm file?",
        ));
    }
    if cfg.selects(&tag) {
        set.get(&tag)
            .add_histogram(&hist, cfg.window_ns, cfg.boundary);
        summary.samples = hist.len();
    }
    Ok(summary)
}

fn is_header(line: &str) -> bool {
    let first = line.split([',', ' ']).next().unwrap_or("");
    first.trim_matches('"') == "Value"
}

/// `sdk.hgrm`, `sdk.hgrm.gz` and `sdk.csv.hgrm`... become `sdk`.
fn source_name(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let name = name.strip_suffix(".hgrm").unwrap_or(name);
    if name.is_empty() {
        crate::source::DEFAULT_TAG.to_string()
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sources_after_the_file() {
        assert_eq!(source_name(Path::new("/x/sdk.hgrm")), "sdk");
        assert_eq!(source_name(Path::new("outbox.hgrm.gz")), "outbox");
    }
}
