//! HdrHistogram interval logs (`.hlog`): a line parser of our own, tolerant of
//! what Java, Python and Rust writers produce (missing trailing newline,
//! integer or negative timestamps, `\r\n`, comments anywhere), applying Java's
//! StartTime/BaseTime rules, and decoding V2 and V2+DEFLATE payloads with the
//! hdrhistogram crate. Each interval is merged as it is read, so memory does
//! not grow with the log.

use crate::config::Config;
use crate::error::AnalyzerError;
use crate::source::{DEFAULT_TAG, FileSummary, InputKind, IntervalSummary, SourceSet};
use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use hdrhistogram::Histogram;
use hdrhistogram::serialization::{DeserializeError, Deserializer};
use std::path::Path;

const YEAR_S: f64 = 365.0 * 24.0 * 3600.0;

/// Java writes padded base64; other writers sometimes drop the padding.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Reads an interval log into `set`, keeping only the tags `cfg` selects.
pub(crate) fn read_hlog(
    path: &Path,
    text: &str,
    cfg: &Config,
    set: &mut SourceSet,
) -> Result<FileSummary, AnalyzerError> {
    let mut summary = FileSummary::new(&path.display().to_string(), InputKind::Hlog);
    let mut deserializer = Deserializer::new();
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with("\"StartTimestamp\"") {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            if let Some(t) = header_time(comment, "StartTime:") {
                summary.start_time_s = Some(t.map_err(|p| AnalyzerError::parse(path, line_no, p))?);
            } else if let Some(t) = header_time(comment, "BaseTime:") {
                summary.base_time_s = Some(t.map_err(|p| AnalyzerError::parse(path, line_no, p))?);
            }
            continue;
        }
        let fail = |problem: String| AnalyzerError::parse(path, line_no, problem);
        let (tag, rest) = match line.strip_prefix("Tag=") {
            Some(rest) => {
                let (tag, rest) = rest
                    .split_once(',')
                    .ok_or_else(|| fail("a `Tag=` with nothing after it".into()))?;
                if tag.is_empty() || tag.contains(' ') {
                    return Err(fail(format!("invalid tag `{tag}`")));
                }
                (tag, rest)
            }
            None => (DEFAULT_TAG, line),
        };
        summary.saw_tag(tag);
        let fields: Vec<&str> = rest.split(',').map(str::trim).collect();
        if fields.len() != 4 {
            return Err(fail(format!(
                "expected `[Tag=T,]start,length,max,payload`, found {} fields",
                fields.len()
            )));
        }
        let number = |what: &str, s: &str| -> Result<f64, AnalyzerError> {
            s.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| fail(format!("{what} `{s}` is not a number")))
        };
        let start = number("interval start", fields[0])?;
        let length = number("interval length", fields[1])?;
        let logged_max = number("interval max", fields[2])?;
        if !cfg.selects(tag) {
            continue;
        }
        let hist = decode_payload(&mut deserializer, fields[3]).map_err(fail)?;
        let source = set.get(tag);
        let (escapes_lo, escapes_hi) = source.add_histogram(&hist, cfg.window_ns, cfg.boundary);
        source.intervals.push(IntervalSummary {
            start_s: absolute_start(start, summary.start_time_s, summary.base_time_s),
            length_s: length,
            n: hist.len(),
            max_ns: if hist.is_empty() { 0 } else { hist.max() },
            logged_max,
            escapes_lo,
            escapes_hi,
        });
        summary.intervals += 1;
        summary.samples += hist.len();
    }
    Ok(summary)
}

/// Parses `[StartTime: 1441812279.474 (seconds since epoch), Wed Sep ...]`.
fn header_time(comment: &str, key: &str) -> Option<Result<f64, String>> {
    let body = comment.strip_prefix('[')?.trim_start().strip_prefix(key)?;
    let number = body
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_end_matches([',', ']']);
    Some(
        number
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| {
                format!(
                    "{} `{number}` is not a number of seconds",
                    key.trim_end_matches(':')
                )
            }),
    )
}

/// Java `HistogramLogReader`'s rule: BaseTime + ts when a BaseTime was given;
/// else ts is a delta from StartTime when it is more than a year before it;
/// else ts is absolute.
fn absolute_start(ts: f64, start_time: Option<f64>, base_time: Option<f64>) -> f64 {
    match (base_time, start_time) {
        (Some(base), _) => base + ts,
        (None, Some(start)) if ts < start - YEAR_S => start + ts,
        _ => ts,
    }
}

/// Decodes one base64 payload, explaining unsupported encodings by name.
pub(crate) fn decode_payload(
    deserializer: &mut Deserializer,
    payload: &str,
) -> Result<Histogram<u64>, String> {
    let bytes = BASE64
        .decode(payload)
        .map_err(|e| format!("the histogram payload is not base64: {e}"))?;
    if bytes.len() < 4 {
        return Err("the histogram payload is shorter than its 4-byte cookie".into());
    }
    let cookie = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    // The low nibble's upper half carries the word size; the base cookie names the encoding.
    let encoding = match cookie & !0xf0 {
        0x1c84_9303 | 0x1c84_9304 => None,
        0x1c84_9301 | 0x1c84_9302 => Some("V1"),
        0x1c84_9308 | 0x1c84_9309 => Some("V0"),
        _ if matches!(cookie, 0x0c72_124e | 0x0c72_124f) => Some("DoubleHistogram"),
        _ => return Err(format!("unknown histogram cookie 0x{cookie:08x}")),
    };
    if let Some(encoding) = encoding {
        return Err(format!(
            "{encoding} histogram encoding is not supported (only V2 and V2+DEFLATE integer histograms); re-encode the log with a current HdrHistogram"
        ));
    }
    deserializer
        .deserialize::<u64, _>(&mut &bytes[..])
        .map_err(|e| match e {
            DeserializeError::UnsupportedFeature => {
                "the histogram uses a normalizing offset or a value ratio, which are not supported"
                    .to_string()
            }
            other => format!("cannot decode the histogram: {other}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_time_rules_match_java() {
        let start = Some(1_441_753_532.570);
        assert_eq!(
            absolute_start(0.126, start, None),
            1_441_753_532.570 + 0.126
        );
        assert_eq!(
            absolute_start(1_441_753_533.0, start, None),
            1_441_753_533.0
        );
        assert_eq!(absolute_start(5.0, start, Some(100.0)), 105.0);
        assert_eq!(absolute_start(5.0, None, None), 5.0);
    }

    #[test]
    fn parses_header_times() {
        let c = "[StartTime: 1441812279.474 (seconds since epoch), Wed Sep 09 08:24:39 PDT 2015]";
        assert_eq!(header_time(c, "StartTime:"), Some(Ok(1_441_812_279.474)));
        assert_eq!(
            header_time("[BaseTime: 0.000 (seconds since epoch)]", "BaseTime:"),
            Some(Ok(0.0))
        );
        assert_eq!(
            header_time("[Histogram log format version 1.2]", "StartTime:"),
            None
        );
        assert!(matches!(
            header_time("[StartTime: soon]", "StartTime:"),
            Some(Err(_))
        ));
    }

    #[test]
    fn names_unsupported_encodings() {
        let mut d = Deserializer::new();
        let v1 = BASE64.encode([0x1c, 0x84, 0x93, 0x12, 0, 0, 0, 0]);
        assert!(
            decode_payload(&mut d, &v1)
                .unwrap_err()
                .starts_with("V1 histogram encoding")
        );
        let dbl = BASE64.encode([0x0c, 0x72, 0x12, 0x4f, 0, 0, 0, 0]);
        assert!(
            decode_payload(&mut d, &dbl)
                .unwrap_err()
                .starts_with("DoubleHistogram")
        );
        assert!(
            decode_payload(&mut d, "!!!")
                .unwrap_err()
                .contains("not base64")
        );
    }
}
