//! Input loading: reads each file (decompressing `.gz`), decides its format
//! from the extension or, failing that, from its first lines, and hands it to
//! the matching reader.

mod attempts;
mod hgrm;
mod hlog;

use crate::config::Config;
use crate::error::AnalyzerError;
use crate::source::{Inputs, SourceSet};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Inputs the caller already holds the bytes of (a URL's body, fetched by the
/// binary), by the input as it was given. The readers never do I/O beyond files.
pub type Fetched = BTreeMap<PathBuf, Vec<u8>>;

/// Reads every input, keeping the sources `cfg` selects. Fails on the first
/// bad file, naming the file and the line; fails too when a `--tag` matches
/// no source, listing the ones present.
pub fn load_inputs(paths: &[PathBuf], cfg: &Config) -> Result<Inputs, AnalyzerError> {
    load_fetched_inputs(paths, &Fetched::new(), cfg)
}

/// [`load_inputs`], taking the bytes of the inputs in `fetched` from there
/// instead of from files.
pub fn load_fetched_inputs(
    paths: &[PathBuf],
    fetched: &Fetched,
    cfg: &Config,
) -> Result<Inputs, AnalyzerError> {
    let mut set = SourceSet::default();
    let mut inputs = Inputs::default();
    for path in paths {
        let text = read_text(path, fetched.get(path))?;
        let detected = detect(path, &text);
        let summary = match detected {
            Detected::Hlog => hlog::read_hlog(path, &text, cfg, &mut set)?,
            Detected::Hgrm => hgrm::read_hgrm(path, &text, cfg, &mut set)?,
            Detected::Csv | Detected::Jsonl => {
                let jsonl = detected == Detected::Jsonl;
                let (summary, timelines) =
                    attempts::read_attempts(path, &text, jsonl, cfg, &mut set)?;
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

/// Which reader a file goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detected {
    Hlog,
    Hgrm,
    Csv,
    Jsonl,
}

fn detect(path: &Path, text: &str) -> Detected {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "hlog" => return Detected::Hlog,
        "hgrm" => return Detected::Hgrm,
        "jsonl" | "ndjson" => return Detected::Jsonl,
        _ => {}
    }
    // Sniff: the first line that is neither blank nor a comment decides.
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    if first.starts_with('{') {
        Detected::Jsonl
    } else if first.starts_with("\"StartTimestamp\"")
        || first.starts_with("Tag=")
        || first.contains(",HISTF")
    {
        Detected::Hlog
    } else if first.trim_start_matches('"').starts_with("Value") {
        Detected::Hgrm
    } else if ext == "csv" || first.contains("dedup_id") {
        Detected::Csv
    } else if text.contains("#[StartTime") || text.contains("HISTF") {
        Detected::Hlog
    } else {
        Detected::Csv
    }
}

fn read_text(path: &Path, fetched: Option<&Vec<u8>>) -> Result<String, AnalyzerError> {
    let read_err = |source| AnalyzerError::Read {
        path: path.display().to_string(),
        source,
    };
    let bytes = match fetched {
        Some(bytes) => bytes.clone(),
        None => std::fs::read(path).map_err(read_err)?,
    };
    let bytes = if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .map_err(|e| AnalyzerError::input(path, format!("not valid gzip: {e}")))?;
        out
    } else {
        bytes
    };
    String::from_utf8(bytes).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = upto.iter().filter(|b| **b == b'\n').count() + 1;
        AnalyzerError::parse(path, line, "not UTF-8 text")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats() {
        let p = Path::new;
        assert_eq!(detect(p("a.hlog"), ""), Detected::Hlog);
        assert_eq!(detect(p("a.hlog.gz"), ""), Detected::Hlog);
        assert_eq!(
            detect(p("a.log"), "#[StartTime: 1.0]\n0.1,1.0,1.0,HISTFAAA\n"),
            Detected::Hlog
        );
        assert_eq!(
            detect(
                p("a.txt"),
                "       Value     Percentile TotalCount 1/(1-Percentile)\n"
            ),
            Detected::Hgrm
        );
        assert_eq!(
            detect(p("a.txt"), "\"Value\",\"Percentile\"\n"),
            Detected::Hgrm
        );
        assert_eq!(
            detect(p("a.csv"), "dedup_id,attempt,t_send_ns\n"),
            Detected::Csv
        );
        assert_eq!(
            detect(p("a.log"), "{\"dedup_id\":\"x\"}\n"),
            Detected::Jsonl
        );
    }
}
