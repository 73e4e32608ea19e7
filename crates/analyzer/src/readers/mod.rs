//! Input loading: takes each input's bytes (a file's, decompressing `.gz`,
//! or whatever a caller fetched), decides its format from `--input-format`,
//! the name's extension or, failing those, its first lines, and hands it to
//! the matching reader.

pub(crate) mod attempts;
mod hgrm;
mod hlog;
pub(crate) mod otlp;
pub(crate) mod prometheus;

use crate::config::Config;
use crate::error::AnalyzerError;
use crate::source::{Inputs, SourceSet};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The input formats, as `--input-format` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// HdrHistogram interval log.
    Hlog,
    /// Java HdrHistogram percentile output.
    Hgrm,
    /// Attempt log, CSV.
    Csv,
    /// Attempt log, one JSON object per line.
    Jsonl,
    /// Prometheus or OpenMetrics text exposition, or a saved `/api/v1/query` answer.
    Prometheus,
    /// OpenTelemetry traces, OTLP JSON.
    Otlp,
}

impl InputFormat {
    /// Parses `--input-format`; `auto` is `None` (decide per input).
    pub fn parse(value: &str) -> Result<Option<InputFormat>, AnalyzerError> {
        Ok(Some(match value.trim().to_ascii_lowercase().as_str() {
            "auto" => return Ok(None),
            "hlog" => InputFormat::Hlog,
            "hgrm" => InputFormat::Hgrm,
            "csv" => InputFormat::Csv,
            "jsonl" | "ndjson" => InputFormat::Jsonl,
            "prometheus" | "openmetrics" | "prom" | "om" => InputFormat::Prometheus,
            "otlp" | "otlp-json" => InputFormat::Otlp,
            _ => {
                return Err(AnalyzerError::usage(
                    "--input-format",
                    format!(
                        "`{value}` is not one of auto, hlog, hgrm, csv, jsonl, prometheus, otlp"
                    ),
                ));
            }
        }))
    }
}

/// One input's text and the name it is reported under: a path, or the URL
/// it was fetched from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputText {
    pub name: String,
    pub text: String,
}

impl InputText {
    /// Decodes an input's bytes: gunzips them when the name ends in `.gz` or
    /// they start with gzip's magic number, and checks they are UTF-8.
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<InputText, AnalyzerError> {
        let path = Path::new(name);
        let bytes = if name.ends_with(".gz") || bytes.starts_with(&[0x1f, 0x8b]) {
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(&bytes[..])
                .read_to_end(&mut out)
                .map_err(|e| AnalyzerError::input(path, format!("not valid gzip: {e}")))?;
            out
        } else {
            bytes
        };
        let text = String::from_utf8(bytes).map_err(|e| {
            let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = upto.iter().filter(|b| **b == b'\n').count() + 1;
            AnalyzerError::parse(path, line, "not UTF-8 text")
        })?;
        // Spreadsheet programs start their CSV with a byte-order mark.
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        };
        Ok(InputText {
            name: name.to_string(),
            text,
        })
    }

    /// Reads a file.
    pub fn read(path: &Path) -> Result<InputText, AnalyzerError> {
        let bytes = std::fs::read(path).map_err(|source| AnalyzerError::Read {
            path: path.display().to_string(),
            source,
        })?;
        InputText::from_bytes(&path.display().to_string(), bytes)
    }
}

/// Reads every input file, keeping the sources `cfg` selects: see [`load_texts`].
pub fn load_inputs(paths: &[PathBuf], cfg: &Config) -> Result<Inputs, AnalyzerError> {
    let texts = paths
        .iter()
        .map(|p| InputText::read(p))
        .collect::<Result<Vec<_>, _>>()?;
    load_texts(&texts, cfg)
}

/// Reads every input, keeping the sources `cfg` selects. Fails on the first
/// bad input, naming it and the line; fails too when a `--tag` matches no
/// source, listing the ones present.
pub fn load_texts(texts: &[InputText], cfg: &Config) -> Result<Inputs, AnalyzerError> {
    let mut set = SourceSet::default();
    let mut inputs = Inputs::default();
    for input in texts {
        let path = Path::new(&input.name);
        let text = input.text.as_str();
        let format = cfg
            .input_format
            .unwrap_or_else(|| detect(&input.name, text));
        let summary = match format {
            InputFormat::Hlog => hlog::read_hlog(path, text, cfg, &mut set)?,
            InputFormat::Hgrm => hgrm::read_hgrm(path, text, cfg, &mut set)?,
            InputFormat::Prometheus => prometheus::read_prometheus(path, text, cfg, &mut set)?,
            InputFormat::Otlp => {
                let (summary, timelines) = otlp::read_otlp(path, text, cfg, &mut set)?;
                inputs.timelines.extend(timelines);
                summary
            }
            InputFormat::Csv | InputFormat::Jsonl => {
                let jsonl = format == InputFormat::Jsonl;
                let (summary, timelines) =
                    attempts::read_attempts(path, text, jsonl, cfg, &mut set)?;
                inputs.timelines.extend(timelines);
                summary
            }
        };
        inputs.files.push(summary);
    }
    let present: Vec<&String> = {
        let mut all: Vec<&String> = inputs.files.iter().flat_map(|f| &f.tags).collect();
        all.sort();
        all.dedup();
        all
    };
    for tag in &cfg.tags {
        if !present.contains(&tag) {
            let list: Vec<&str> = present.iter().map(|s| s.as_str()).collect();
            return Err(AnalyzerError::usage(
                "--tag",
                format!(
                    "no source `{tag}` in the inputs (present: {})",
                    list.join(", ")
                ),
            ));
        }
    }
    inputs.sources = set.sources.into_values().collect();
    for source in &mut inputs.sources {
        source.finish();
    }
    if inputs.sources.is_empty() {
        return Err(AnalyzerError::usage(
            "INPUT",
            "the inputs hold no retry lags",
        ));
    }
    Ok(inputs)
}

/// The format of an input without `--input-format`: by extension, by a URL's
/// `/metrics` path, else by its first lines.
fn detect(name: &str, text: &str) -> InputFormat {
    let lower = name.to_ascii_lowercase();
    let file = lower.rsplit('/').next().unwrap_or(&lower);
    let file = file.strip_suffix(".gz").unwrap_or(file);
    let ext = file.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "hlog" => return InputFormat::Hlog,
        "hgrm" => return InputFormat::Hgrm,
        "prom" | "om" => return InputFormat::Prometheus,
        _ => {}
    }
    let path_part = lower.split(['?', '#']).next().unwrap_or(&lower);
    if path_part.ends_with("/metrics") {
        return InputFormat::Prometheus;
    }
    let mut end = text.len().min(4096);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    if head.trim_start().starts_with('{') && head.contains("\"resourceSpans\"") {
        return InputFormat::Otlp;
    }
    if matches!(ext, "jsonl" | "ndjson") {
        return InputFormat::Jsonl;
    }
    if head.trim_start().starts_with('{') {
        if head.contains("\"resultType\"") || head.starts_with("{\"status\"") {
            return InputFormat::Prometheus;
        }
        return InputFormat::Jsonl;
    }
    if head
        .lines()
        .any(|l| l.starts_with("# TYPE ") || l.starts_with("# HELP "))
    {
        return InputFormat::Prometheus;
    }
    // Sniff: the first line that is neither blank nor a comment decides.
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    if first.starts_with('{') {
        InputFormat::Jsonl
    } else if first.starts_with("\"StartTimestamp\"")
        || first.starts_with("Tag=")
        || first.contains(",HISTF")
    {
        InputFormat::Hlog
    } else if first.trim_start_matches('"').starts_with("Value") {
        InputFormat::Hgrm
    } else if first.contains("_bucket{") || first.contains("le=\"") {
        InputFormat::Prometheus
    } else if ext == "csv" || first.contains("dedup_id") {
        InputFormat::Csv
    } else if text.contains("#[StartTime") || text.contains("HISTF") {
        InputFormat::Hlog
    } else {
        InputFormat::Csv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats() {
        let p = |s: &'static str| s;
        assert_eq!(detect(p("a.hlog"), ""), InputFormat::Hlog);
        assert_eq!(detect(p("a.hlog.gz"), ""), InputFormat::Hlog);
        assert_eq!(
            detect(p("a.log"), "#[StartTime: 1.0]\n0.1,1.0,1.0,HISTFAAA\n"),
            InputFormat::Hlog
        );
        assert_eq!(
            detect(
                p("a.txt"),
                "       Value     Percentile TotalCount 1/(1-Percentile)\n"
            ),
            InputFormat::Hgrm
        );
        assert_eq!(
            detect(p("a.txt"), "\"Value\",\"Percentile\"\n"),
            InputFormat::Hgrm
        );
        assert_eq!(
            detect(p("a.csv"), "dedup_id,attempt,t_send_ns\n"),
            InputFormat::Csv
        );
        assert_eq!(
            detect(p("a.log"), "{\"dedup_id\":\"x\"}\n"),
            InputFormat::Jsonl
        );
        let prom =
            "# HELP x_seconds lag\n# TYPE x_seconds histogram\nx_seconds_bucket{le=\"1.0\"} 0\n";
        assert_eq!(detect(p("scrape.txt"), prom), InputFormat::Prometheus);
        assert_eq!(detect(p("a.prom"), ""), InputFormat::Prometheus);
        assert_eq!(detect(p("a.om.gz"), ""), InputFormat::Prometheus);
        assert_eq!(
            detect(p("http://127.0.0.1:9324/metrics"), "x 1\n"),
            InputFormat::Prometheus
        );
        assert_eq!(
            detect(p("x.txt"), "x_bucket{le=\"+Inf\"} 3\n"),
            InputFormat::Prometheus
        );
        assert_eq!(
            detect(
                p("q.json"),
                "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}"
            ),
            InputFormat::Prometheus
        );
        assert_eq!(
            detect(p("traces.jsonl"), "{\"resourceSpans\":[]}\n"),
            InputFormat::Otlp
        );
        assert_eq!(InputFormat::parse("auto").unwrap(), None);
        assert_eq!(
            InputFormat::parse("OpenMetrics").unwrap(),
            Some(InputFormat::Prometheus)
        );
        assert!(InputFormat::parse("xml").is_err());
    }

    #[test]
    fn bytes_are_gunzipped_by_magic_and_lose_a_byte_order_mark() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all("\u{feff}id,t\n".as_bytes()).unwrap();
        let input = InputText::from_bytes("http://h/export", gz.finish().unwrap()).unwrap();
        assert_eq!(input.text, "id,t\n");
        let err = InputText::from_bytes("x.csv", b"ok\n\xff".to_vec()).unwrap_err();
        assert_eq!(err.to_string(), "x.csv:2: not UTF-8 text");
    }
}
