//! Java `.hgrm` output: the exact layout of HdrHistogram's
//! `outputPercentileDistribution(out, 5, ratio, csv)`, so the HdrHistogram
//! web plotter and the Java tools read it. TotalCount is cumulative and the
//! percentile is printed as a fraction, as Java does.

use super::Report;
use hdrhistogram::Histogram;
use std::io::{self, Write};

/// Java's default `percentileTicksPerHalfDistance`.
const TICKS_PER_HALF: u32 = 5;

/// The merged lags of the report (the only source, or `all`) in Java layout.
pub(super) fn render_report(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    match report.histograms.last() {
        Some((_, h)) => write_hgrm(h, report.hgrm_ratio, false, out),
        None => Ok(()),
    }
}

/// Writes `h` (values in ns) divided by `ratio` (1e6 prints ms).
pub fn write_hgrm(
    h: &Histogram<u64>,
    ratio: f64,
    csv: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let d = usize::from(h.sigfig());
    if csv {
        writeln!(
            out,
            "\"Value\",\"Percentile\",\"TotalCount\",\"1/(1-Percentile)\""
        )?;
    } else {
        writeln!(
            out,
            "{:>12} {:>14} {:>10} {:>14}\n",
            "Value", "Percentile", "TotalCount", "1/(1-Percentile)"
        )?;
    }
    if !h.is_empty() {
        let mut total = 0u64;
        for v in h.iter_quantiles(TICKS_PER_HALF) {
            total += v.count_since_last_iteration();
            let value = v.value_iterated_to() as f64 / ratio;
            let q = v.quantile_iterated_to();
            match (csv, q < 1.0) {
                (false, true) => writeln!(
                    out,
                    "{value:12.d$} {q:2.12} {total:10} {:14.2}",
                    1.0 / (1.0 - q)
                )?,
                (false, false) => writeln!(out, "{value:12.d$} {q:2.12} {total:10}")?,
                (true, true) => {
                    writeln!(out, "{value:.d$},{q:.12},{total},{:.2}", 1.0 / (1.0 - q))?
                }
                (true, false) => writeln!(out, "{value:.d$},{q:.12},{total},Infinity")?,
            }
        }
    }
    if !csv {
        let max = if h.is_empty() {
            0.0
        } else {
            h.max() as f64 / ratio
        };
        writeln!(
            out,
            "#[Mean    = {:12.d$}, StdDeviation   = {:12.d$}]",
            h.mean() / ratio,
            h.stdev() / ratio
        )?;
        writeln!(
            out,
            "#[Max     = {max:12.d$}, Total count    = {:12}]",
            h.len()
        )?;
        writeln!(
            out,
            "#[Buckets = {:12}, SubBuckets     = {:12}]",
            h.buckets(),
            sub_bucket_count(h.sigfig())
        )?;
    }
    Ok(())
}

/// Java's `subBucketCount`: 2^ceil(log2(2·10^digits)).
fn sub_bucket_count(sigfig: u8) -> u64 {
    let largest = 2 * 10u64.pow(u32::from(sigfig));
    largest.next_power_of_two()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_java_layout() {
        let mut h = crate::source::new_hist();
        for v in 1..=1000u64 {
            h.record(v * 1_000_000).unwrap();
        }
        let mut out = Vec::new();
        write_hgrm(&h, 1e6, false, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "       Value     Percentile TotalCount 1/(1-Percentile)"
        );
        assert_eq!(lines[1], "");
        assert_eq!(
            lines[2],
            "       1.000 0.000000000000          1           1.00"
        );
        let last_row = lines.iter().rev().find(|l| !l.starts_with('#')).unwrap();
        assert!(
            last_row.ends_with(" 1.000000000000       1000"),
            "{last_row}"
        );
        assert!(
            text.contains("#[Max     =     1000.342, Total count    =         1000]"),
            "{text}"
        );
        assert!(text.contains("SubBuckets     =         2048]"));
        let mut csv = Vec::new();
        write_hgrm(&h, 1e6, true, &mut csv).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.starts_with("\"Value\",\"Percentile\",\"TotalCount\",\"1/(1-Percentile)\"\n1.000,0.000000000000,1,1.00\n"));
        assert!(csv.trim_end().ends_with(",1.000000000000,1000,Infinity"));
        assert_eq!(sub_bucket_count(2), 256);
    }
}
