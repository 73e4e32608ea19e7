//! Attempt logs: one row per send, naming its dedup id, its send time and,
//! optionally, its attempt number and source, in CSV ([`csv_rows`]) or JSONL
//! ([`jsonl_rows`]) under any column or field names. Rows become exact
//! per-message timelines, replayed against a window anchored at the first
//! accepted send: duplicates do not extend the window; a send that escapes it
//! is accepted, delivered as a duplicate, and becomes the new anchor. Without
//! an attempt number, a message's sends are taken in time order.

mod csv_rows;
mod jsonl_rows;
mod time;

use crate::config::Config;
use crate::error::AnalyzerError;
use crate::source::{DEFAULT_TAG, FileSummary, InputKind, SourceSet, Timeline, TimelineSend};
use crate::units::TimeUnit;
use std::collections::HashMap;
use std::path::Path;
use time::NumberUnit;

/// The names of the fields an attempt log is read by (`--id-field`...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptFields {
    pub id: String,
    pub time: String,
    /// `None`: the `attempt` field when there is one, else time order.
    pub attempt: Option<String>,
    /// `None`: the `source` field when there is one, else one source.
    pub source: Option<String>,
    /// The unit of numeric times; `None`: from the time field's name, else
    /// by the first number's magnitude.
    pub time_unit: Option<TimeUnit>,
}

/// The fixed layout's names: `dedup_id,attempt,t_send_ns[,source]`.
pub(crate) const DEFAULT_ID_FIELD: &str = "dedup_id";
pub(crate) const DEFAULT_TIME_FIELD: &str = "t_send_ns";
pub(crate) const DEFAULT_ATTEMPT_FIELD: &str = "attempt";
pub(crate) const DEFAULT_SOURCE_FIELD: &str = "source";

impl Default for AttemptFields {
    fn default() -> Self {
        AttemptFields {
            id: DEFAULT_ID_FIELD.to_string(),
            time: DEFAULT_TIME_FIELD.to_string(),
            attempt: None,
            source: None,
            time_unit: None,
        }
    }
}

impl AttemptFields {
    /// Whether rows may come without a header, in the fixed layout's order.
    fn positional(&self) -> bool {
        self.id == DEFAULT_ID_FIELD
            && self.time == DEFAULT_TIME_FIELD
            && self
                .attempt
                .as_deref()
                .is_none_or(|a| a == DEFAULT_ATTEMPT_FIELD)
            && self
                .source
                .as_deref()
                .is_none_or(|s| s == DEFAULT_SOURCE_FIELD)
    }

    /// The attempt field to read, and whether it must be there.
    fn attempt_field(&self) -> (&str, bool) {
        match &self.attempt {
            Some(name) => (name, true),
            None => (DEFAULT_ATTEMPT_FIELD, false),
        }
    }

    /// The source field to read, and whether it must be there.
    fn source_field(&self) -> (&str, bool) {
        match &self.source {
            Some(name) => (name, true),
            None => (DEFAULT_SOURCE_FIELD, false),
        }
    }
}

/// One send, as read.
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) attempt: Option<u32>,
    /// ns since the epoch, or since whatever origin the log's numbers have.
    pub(crate) t_ns: i128,
    pub(crate) source: String,
}

/// Sends grouped by dedup id, in first-seen order.
#[derive(Debug, Default)]
pub(crate) struct Messages {
    order: Vec<String>,
    rows: HashMap<String, Vec<Row>>,
    pub(crate) sends: u64,
}

impl Messages {
    /// Adds a send; an attempt number seen twice for one id is an error.
    pub(crate) fn push(&mut self, id: String, row: Row) -> Result<(), String> {
        let sends = match self.rows.get_mut(&id) {
            Some(sends) => sends,
            None => {
                self.order.push(id.clone());
                self.rows.entry(id.clone()).or_default()
            }
        };
        if let Some(a) = row.attempt
            && sends.iter().any(|s| s.attempt == Some(a))
        {
            return Err(format!("attempt {a} of `{id}` appears twice"));
        }
        sends.push(row);
        self.sends += 1;
        Ok(())
    }

    /// The number of distinct dedup ids.
    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }

    /// Replays each message against the window into `set`; returns the timelines.
    pub(crate) fn finish(
        mut self,
        cfg: &Config,
        set: &mut SourceSet,
        summary: &mut FileSummary,
    ) -> Vec<Timeline> {
        summary.messages = self.order.len() as u64;
        summary.sends = self.sends;
        let mut timelines = Vec::new();
        for id in std::mem::take(&mut self.order) {
            let mut rows = self.rows.remove(&id).unwrap_or_default();
            rows.sort_by_key(|r| (r.t_ns, r.attempt));
            for r in &rows {
                summary.saw_tag(&r.source);
            }
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
        timelines
    }
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
    let fields = &cfg.attempt_fields;
    let mut unit = NumberUnit::new(fields.time_unit, &fields.time);
    let mut messages = Messages::default();
    let attempts_numbered = if jsonl {
        jsonl_rows::read(path, text, fields, &mut unit, &mut messages)?
    } else {
        csv_rows::read(path, text, fields, &mut unit, &mut messages)?
    };
    if messages.sends == 0 {
        return Err(AnalyzerError::input(path, "no attempt rows found"));
    }
    if let Some((unit, true)) = unit.decided() {
        summary.notes.push(format!(
            "numeric times in `{}` read as {} by the size of the first (--time-unit says otherwise)",
            fields.time,
            unit.epoch_words()
        ));
    }
    if !attempts_numbered {
        summary.notes.push(format!(
            "no `{}` field: each message's sends are numbered in time order",
            fields.attempt_field().0
        ));
    }
    let timelines = messages.finish(cfg, set, &mut summary);
    Ok((summary, timelines))
}

/// The fixed-anchor window: a send escapes iff its lag from the current anchor
/// escapes under the boundary rule, and then it is the anchor.
fn simulate(dedup_id: String, rows: Vec<Row>, cfg: &Config) -> Timeline {
    let first = rows.first().map_or(0, |r| r.t_ns);
    let mut anchor = first;
    let sends = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let lag_ns = u64::try_from(r.t_ns - anchor).unwrap_or(u64::MAX);
            let delivered_duplicate = i > 0 && cfg.boundary.escapes(lag_ns, cfg.window_ns);
            if delivered_duplicate {
                anchor = r.t_ns;
            }
            TimelineSend {
                attempt: r.attempt.unwrap_or(i as u32 + 1),
                // Times before the log's origin are clamped; only differences matter here.
                t_send_ns: u64::try_from(r.t_ns).unwrap_or(0),
                source: r.source,
                lag_ns,
                delivered_duplicate,
            }
        })
        .collect();
    Timeline { dedup_id, sends }
}

/// Parses an attempt number (a whole number >= 1).
pub(crate) fn parse_attempt(s: &str) -> Result<u32, String> {
    s.trim()
        .parse::<u32>()
        .ok()
        .filter(|a| *a >= 1)
        .ok_or_else(|| format!("attempt `{s}` is not a whole number >= 1"))
}

/// The source of a row whose source field is empty or absent.
pub(crate) fn default_source() -> String {
    DEFAULT_TAG.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeline(sends_s: &[u64]) -> Timeline {
        let rows = sends_s
            .iter()
            .enumerate()
            .map(|(i, s)| Row {
                attempt: Some(i as u32 + 1),
                t_ns: i128::from(s * 1_000_000_000),
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
}
