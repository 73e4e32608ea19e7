//! Durations on the command line and in reports: parsing `5m`, `50ms`, `0.05`
//! into ns, and printing ns the way a person reads latencies.

use crate::error::AnalyzerError;

/// Parses humantime syntax (`5m`, `1h 30m`, `50ms`) or plain seconds (`0.05`).
pub(crate) fn parse_duration_ns(arg: &str, value: &str) -> Result<u64, AnalyzerError> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        if (0.0..1.8e10).contains(&secs) {
            return Ok((secs * 1e9).round() as u64);
        }
        return Err(AnalyzerError::usage(
            arg,
            format!("`{value}` is not a duration >= 0"),
        ));
    }
    humantime::parse_duration(value)
        .map_err(|e| AnalyzerError::usage(arg, format!("`{value}` is not a duration: {e}")))
        .and_then(|d| {
            u64::try_from(d.as_nanos())
                .map_err(|_| AnalyzerError::usage(arg, format!("`{value}` is too long")))
        })
}

/// Like [`parse_duration_ns`], but `none`, `unset`, `inf` and `off` mean "not set".
pub(crate) fn parse_optional_duration_ns(
    arg: &str,
    value: &str,
) -> Result<Option<u64>, AnalyzerError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "none" | "unset" | "inf" | "infinite" | "off" => Ok(None),
        _ => parse_duration_ns(arg, value).map(Some),
    }
}

/// Formats a lag with about three significant digits: `812ns`, `12.3µs`,
/// `4.56ms`, `1.23s`, `33.1s`, `4m59.8s`, `1h02m03s`.
pub fn fmt_ns(ns: u64) -> String {
    const US: u64 = 1_000;
    const MS: u64 = 1_000_000;
    const S: u64 = 1_000_000_000;
    let f = ns as f64;
    if ns < US {
        format!("{ns}ns")
    } else if ns < MS {
        three_digits(f / 1e3) + "µs"
    } else if ns < S {
        three_digits(f / 1e6) + "ms"
    } else if ns < 60 * S {
        format!("{:.2}s", f / 1e9)
    } else if ns < 3600 * S {
        // Rounding first keeps `59.96s` from printing as `4m60.0s`.
        let tenths = (f / 1e8).round() as u64;
        format!(
            "{}m{:02}.{}s",
            tenths / 600,
            (tenths % 600) / 10,
            tenths % 10
        )
    } else {
        let secs = (f / 1e9).round() as u64;
        format!(
            "{}h{:02}m{:02}s",
            secs / 3600,
            (secs % 3600) / 60,
            secs % 60
        )
    }
}

/// 1.23, 12.3, 123: three significant digits for a value in [1, 1000).
fn three_digits(v: f64) -> String {
    if v >= 99.95 {
        format!("{v:.0}")
    } else if v >= 9.995 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Formats a signed margin: `-1m10.0s` when the lag exceeds the window.
pub(crate) fn fmt_signed_ns(ns: i128) -> String {
    let mag = u64::try_from(ns.unsigned_abs()).unwrap_or(u64::MAX);
    if ns < 0 {
        format!("-{}", fmt_ns(mag))
    } else {
        fmt_ns(mag)
    }
}

/// Formats the window the way it was probably typed: `5m`, `1m 30s`.
pub fn fmt_window(ns: u64) -> String {
    humantime::format_duration(std::time::Duration::from_nanos(ns)).to_string()
}

/// Formats a probability compactly: `0`, `3.33e-3`, `1`.
pub(crate) fn fmt_prob(p: f64) -> String {
    if p == 0.0 {
        "0".to_string()
    } else if p >= 0.01 {
        format!("{p:.3}")
    } else {
        format!("{p:.2e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_humantime_and_seconds() {
        assert_eq!(
            parse_duration_ns("--window", "5m").unwrap(),
            300_000_000_000
        );
        assert_eq!(parse_duration_ns("--base", "50ms").unwrap(), 50_000_000);
        assert_eq!(parse_duration_ns("--base", "0.05").unwrap(), 50_000_000);
        assert_eq!(
            parse_optional_duration_ns("--max-backoff", "none").unwrap(),
            None
        );
        let err = parse_duration_ns("--window", "five")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("--window: `five` is not a duration"),
            "{err}"
        );
    }

    #[test]
    fn formats_lags_readably() {
        assert_eq!(fmt_ns(812), "812ns");
        assert_eq!(fmt_ns(12_300), "12.3µs");
        assert_eq!(fmt_ns(752_878_000), "753ms");
        assert_eq!(fmt_ns(1_000_000), "1.00ms");
        assert_eq!(fmt_ns(4_560_000), "4.56ms");
        assert_eq!(fmt_ns(33_208_286_990), "33.21s");
        assert_eq!(fmt_ns(299_800_000_000), "4m59.8s");
        assert_eq!(fmt_ns(299_960_000_000), "5m00.0s");
        assert_eq!(fmt_ns(3_723_000_000_000), "1h02m03s");
        assert_eq!(fmt_signed_ns(-70_000_000_000), "-1m10.0s");
        assert_eq!(fmt_window(300_000_000_000), "5m");
        assert_eq!(fmt_prob(0.0), "0");
        assert_eq!(fmt_prob(0.003333), "3.33e-3");
    }
}
