//! CSV attempt logs, through the `csv` crate: RFC 4180 quoting (commas,
//! quotes and newlines inside fields), `#` comment lines, a header row naming
//! the columns in any order, or, for the fixed layout only, no header and the
//! order `dedup_id,attempt,t_send_ns[,source]`.

use super::time::NumberUnit;
use super::{AttemptFields, Messages, Row, default_source, parse_attempt};
use crate::error::AnalyzerError;
use std::path::Path;

/// Where each field is, 0-based; the names are for errors.
struct Columns {
    id: usize,
    time: usize,
    attempt: Option<usize>,
    source: Option<usize>,
    names: Vec<String>,
}

impl Columns {
    fn positional(fields: &AttemptFields) -> Columns {
        Columns {
            id: 0,
            time: 2,
            attempt: Some(1),
            source: Some(3),
            names: [&fields.id, "attempt", &fields.time, "source"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }

    fn from_header(header: &csv::StringRecord, fields: &AttemptFields) -> Result<Columns, String> {
        let names: Vec<String> = header.iter().map(str::to_string).collect();
        let find = |name: &str| names.iter().position(|n| n == name);
        let need = |name: &str| {
            find(name).ok_or_else(|| {
                format!(
                    "the header has no `{name}` column (columns: {})",
                    names.join(", ")
                )
            })
        };
        let optional = |(name, required): (&str, bool)| -> Result<Option<usize>, String> {
            if required {
                need(name).map(Some)
            } else {
                Ok(find(name))
            }
        };
        Ok(Columns {
            id: need(&fields.id)?,
            time: need(&fields.time)?,
            attempt: optional(fields.attempt_field())?,
            source: optional(fields.source_field())?,
            names,
        })
    }

    /// Names column `i` for an error: `column 3 (`t_send_ns`)`.
    fn at(&self, i: usize) -> String {
        match self.names.get(i) {
            Some(name) => format!("column {} (`{name}`)", i + 1),
            None => format!("column {}", i + 1),
        }
    }

    fn field<'r>(&self, rec: &'r csv::StringRecord, i: usize) -> Result<&'r str, String> {
        rec.get(i).ok_or_else(|| {
            format!(
                "{} is missing: the row has {} fields",
                self.at(i),
                rec.len()
            )
        })
    }
}

/// Reads the rows into `messages`; returns whether they carried attempt numbers.
pub(super) fn read(
    path: &Path,
    text: &str,
    fields: &AttemptFields,
    unit: &mut NumberUnit,
    messages: &mut Messages,
) -> Result<bool, AnalyzerError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut columns: Option<Columns> = None;
    for record in reader.records() {
        let rec = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            AnalyzerError::parse(path, line, format!("not CSV: {e}"))
        })?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let fail = |problem: String| AnalyzerError::parse(path, line, problem);
        if rec.iter().all(str::is_empty) {
            continue;
        }
        let cols = match &columns {
            Some(cols) => cols,
            None => {
                let cols = if rec.iter().any(|f| f == fields.id) {
                    let cols = Columns::from_header(&rec, fields).map_err(fail)?;
                    columns = Some(cols);
                    continue;
                } else if fields.positional() {
                    Columns::positional(fields)
                } else {
                    return Err(fail(format!(
                        "the first row is not a header naming the `{}` column",
                        fields.id
                    )));
                };
                columns.insert(cols)
            }
        };
        let id = cols.field(&rec, cols.id).map_err(fail)?;
        if id.is_empty() {
            return Err(fail(format!("{} is empty", cols.at(cols.id))));
        }
        let t_ns = unit
            .parse(cols.field(&rec, cols.time).map_err(fail)?)
            .map_err(|p| fail(format!("{}: {p}", cols.at(cols.time))))?;
        let attempt = match cols.attempt {
            Some(i) => Some(
                parse_attempt(cols.field(&rec, i).map_err(fail)?)
                    .map_err(|p| fail(format!("{}: {p}", cols.at(i))))?,
            ),
            None => None,
        };
        let source = cols
            .source
            .and_then(|i| rec.get(i))
            .filter(|s| !s.is_empty())
            .map_or_else(default_source, str::to_string);
        messages
            .push(
                id.to_string(),
                Row {
                    attempt,
                    t_ns,
                    source,
                },
            )
            .map_err(fail)?;
    }
    Ok(columns.is_some_and(|c| c.attempt.is_some()))
}
