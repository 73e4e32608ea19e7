//! Attempt logs, CSV or JSONL rows of `dedup_id,attempt,t_send_ns[,source]`:
//! exact per-message timelines, replayed against a window anchored at the
//! first accepted send. Duplicates do not extend the window; a send that
//! escapes it is accepted, delivered as a duplicate, and becomes the new anchor.

use crate::config::Config;
use crate::error::AnalyzerError;
use crate::source::{DEFAULT_TAG, FileSummary, InputKind, SourceSet, Timeline, TimelineSend};
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug)]
struct Row {
    attempt: u32,
    t_send_ns: u64,
    source: String,
}

/// Reads an attempt log into `set` and returns its summary and timelines.
pub(crate) fn read_attempts(
    path: &Path,
    text: &str,
    jsonl: bool,
    cfg: &Config,
    set: &mut SourceSet,
) -> Result<(FileSummary, Vec<Timeline>), AnalyzerError> {
    let mut summary = FileSummary::new(&path.display().to_string(), InputKind::Attempts);
    let mut order: Vec<String> = Vec::new();
    let mut messages: HashMap<String, Vec<Row>> = HashMap::new();
    let mut columns: Option<Columns> = None;
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fail = |problem: String| AnalyzerError::parse(path, line_no, problem);
        let (id, row) = if jsonl {
            parse_json_row(line).map_err(fail)?
        } else {
            let fields = split_csv(line).map_err(fail)?;
            if columns.is_none() && fields.iter().any(|f| f == "dedup_id") {
                columns = Some(Columns::from_header(&fields).map_err(fail)?);
                continue;
            }
            let cols = columns.get_or_insert(Columns::POSITIONAL);
            cols.row(&fields).map_err(fail)?
        };
        summary.saw_tag(&row.source);
        summary.sends += 1;
        let sends = match messages.get_mut(&id) {
            Some(sends) => sends,
            None => {
                order.push(id.clone());
                messages.entry(id.clone()).or_default()
            }
        };
        if sends.iter().any(|s| s.attempt == row.attempt) {
            return Err(fail(format!(
                "attempt {} of `{id}` appears twice",
                row.attempt
            )));
        }
        sends.push(row);
    }
    if summary.sends == 0 {
        return Err(AnalyzerError::input(path, "no attempt rows found"));
    }
    summary.messages = order.len() as u64;
    let mut timelines = Vec::new();
    for id in order {
        let mut rows = messages.remove(&id).unwrap_or_default();
        rows.sort_by_key(|r| (r.t_send_ns, r.attempt));
        let timeline = simulate(id, rows, cfg);
        let mut selected = false;
        for send in timeline.sends.iter().skip(1) {
            if cfg.selects(&send.source) {
                set.get(&send.source)
                    .add_exact(send.lag_ns, send.delivered_duplicate);
                summary.samples += 1;
                selected = true;
            }
        }
        if selected || cfg.selects(&timeline.sends[0].source) {
            timelines.push(timeline);
        }
    }
    Ok((summary, timelines))
}

/// The fixed-anchor window: a send escapes iff its lag from the current anchor
/// escapes under the boundary rule, and then it is the anchor.
fn simulate(dedup_id: String, rows: Vec<Row>, cfg: &Config) -> Timeline {
    let mut anchor = rows.first().map_or(0, |r| r.t_send_ns);
    let sends = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let lag_ns = r.t_send_ns.saturating_sub(anchor);
            let delivered_duplicate = i > 0 && cfg.boundary.escapes(lag_ns, cfg.window_ns);
            if delivered_duplicate {
                anchor = r.t_send_ns;
            }
            TimelineSend {
                attempt: r.attempt,
                t_send_ns: r.t_send_ns,
                source: r.source,
                lag_ns,
                delivered_duplicate,
            }
        })
        .collect();
    Timeline { dedup_id, sends }
}

/// Column positions, from the header or the documented order.
#[derive(Clone, Copy)]
struct Columns {
    id: usize,
    attempt: usize,
    t: usize,
    source: Option<usize>,
}

impl Columns {
    const POSITIONAL: Columns = Columns {
        id: 0,
        attempt: 1,
        t: 2,
        source: Some(3),
    };

    fn from_header(fields: &[String]) -> Result<Columns, String> {
        let find = |name: &str| fields.iter().position(|f| f == name);
        let need =
            |name: &str| find(name).ok_or_else(|| format!("the header has no `{name}` column"));
        Ok(Columns {
            id: need("dedup_id")?,
            attempt: need("attempt")?,
            t: need("t_send_ns")?,
            source: find("source"),
        })
    }

    fn row(&self, fields: &[String]) -> Result<(String, Row), String> {
        let min = self.id.max(self.attempt).max(self.t) + 1;
        if fields.len() < min {
            return Err(format!(
                "expected `dedup_id,attempt,t_send_ns[,source]`, found {} fields",
                fields.len()
            ));
        }
        let source = self
            .source
            .and_then(|i| fields.get(i))
            .filter(|s| !s.is_empty())
            .map_or(DEFAULT_TAG, |s| s.as_str());
        let row = Row {
            attempt: parse_attempt(&fields[self.attempt])?,
            t_send_ns: parse_t(&fields[self.t])?,
            source: source.to_string(),
        };
        if fields[self.id].is_empty() {
            return Err("empty dedup_id".into());
        }
        Ok((fields[self.id].clone(), row))
    }
}

fn parse_attempt(s: &str) -> Result<u32, String> {
    s.parse::<u32>()
        .ok()
        .filter(|a| *a >= 1)
        .ok_or_else(|| format!("attempt `{s}` is not a whole number >= 1"))
}

fn parse_t(s: &str) -> Result<u64, String> {
    s.parse::<u64>()
        .map_err(|_| format!("t_send_ns `{s}` is not a whole number of nanoseconds"))
}

fn parse_json_row(line: &str) -> Result<(String, Row), String> {
    let v: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
    let obj = v.as_object().ok_or("expected a JSON object per line")?;
    let id = match obj.get("dedup_id") {
        Some(serde_json::Value::String(s)) if !s.is_empty() => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => return Err("missing string field `dedup_id`".into()),
    };
    let int = |name: &str| -> Result<String, String> {
        match obj.get(name) {
            Some(serde_json::Value::Number(n)) => Ok(n.to_string()),
            Some(serde_json::Value::String(s)) => Ok(s.clone()),
            _ => Err(format!("missing integer field `{name}`")),
        }
    };
    let source = match obj.get("source") {
        Some(serde_json::Value::String(s)) if !s.is_empty() => s.clone(),
        None | Some(serde_json::Value::Null) => DEFAULT_TAG.to_string(),
        Some(_) => return Err("field `source` is not a string".into()),
    };
    let row = Row {
        attempt: parse_attempt(&int("attempt")?)?,
        t_send_ns: parse_t(&int("t_send_ns")?)?,
        source,
    };
    Ok((id, row))
}

/// Splits one CSV line (RFC 4180 quoting, no embedded newlines).
fn split_csv(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => fields.push(std::mem::take(&mut field).trim().to_string()),
            (_, c) => field.push(c),
        }
    }
    if quoted {
        return Err("unterminated quoted field".into());
    }
    fields.push(field.trim().to_string());
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeline(sends_s: &[u64]) -> Timeline {
        let rows = sends_s
            .iter()
            .enumerate()
            .map(|(i, s)| Row {
                attempt: i as u32 + 1,
                t_send_ns: s * 1_000_000_000,
                source: "sdk".into(),
            })
            .collect();
        simulate("m".into(), rows, &Config::with_window(300_000_000_000))
    }

    #[test]
    fn duplicates_do_not_extend_the_window_and_escapes_reanchor() {
        let delivered = |t: &Timeline| {
            t.sends
                .iter()
                .map(|s| s.delivered_duplicate)
                .collect::<Vec<_>>()
        };
        // 299 s is suppressed and does not move the anchor, so 300 s escapes.
        assert_eq!(delivered(&timeline(&[0, 299, 300])), [false, false, true]);
        // 300 s escapes and re-anchors: 599 s is within its window, 600 s is not.
        assert_eq!(
            delivered(&timeline(&[0, 300, 599, 600])),
            [false, true, false, true]
        );
        assert_eq!(timeline(&[0, 300, 599]).sends[2].lag_ns, 299_000_000_000);
    }

    #[test]
    fn splits_quoted_csv() {
        assert_eq!(
            split_csv(r#""a,b",1, 2 ,"x""y""#).unwrap(),
            ["a,b", "1", "2", "x\"y"]
        );
        assert!(split_csv(r#""open,1"#).is_err());
    }

    #[test]
    fn reads_json_rows() {
        let (id, row) =
            parse_json_row(r#"{"dedup_id":"m1","attempt":2,"t_send_ns":17,"source":"outbox"}"#)
                .unwrap();
        assert_eq!(
            (id.as_str(), row.attempt, row.t_send_ns, row.source.as_str()),
            ("m1", 2, 17, "outbox")
        );
        assert!(
            parse_json_row(r#"{"dedup_id":"m1","attempt":0,"t_send_ns":17}"#)
                .unwrap_err()
                .contains("attempt")
        );
    }
}
