//! OpenTelemetry traces in OTLP JSON, as the Collector's file exporter writes
//! them (one `{"resourceSpans": [...]}` document per line) or as one
//! document: camelCase fields, int64 times as decimal strings, attribute
//! values as `{"stringValue": ..}`/`{"intValue": ".."}`, span kinds as
//! numbers or enum names. Trace and span ids are compared as written, so hex
//! (OTLP/JSON) and base64 (protobuf's own JSON mapping) both work.
//!
//! Spans become the attempts of logical sends: with `--id-attribute`, the
//! spans sharing that attribute's value; by default, the client spans under
//! one parent with one name, where resends carry `http.request.resend_count`
//! (each span without it, in start order, begins a new send). A retry's lag
//! is its start minus its send's first start. Spans that lack what their
//! mode needs are counted and named in the report's notes.

use super::attempts::{Messages, Row};
use crate::config::Config;
use crate::error::AnalyzerError;
use crate::source::{DEFAULT_TAG, FileSummary, InputKind, SourceSet, Timeline};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// The semantic-conventions attribute of an HTTP resend.
pub(crate) const RESEND_COUNT: &str = "http.request.resend_count";
/// The resource attribute that names the service.
pub(crate) const SERVICE_NAME: &str = "service.name";
/// OTLP's `SPAN_KIND_CLIENT`.
const KIND_CLIENT: i64 = 3;

/// How spans are grouped and named (`--id-attribute`, `--source-attribute`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OtlpOptions {
    /// The span attribute whose value identifies a logical send.
    pub id_attribute: Option<String>,
    /// The attribute naming the source (span, then resource); default `service.name`.
    pub source_attribute: Option<String>,
}

/// One span, reduced to what grouping needs.
#[derive(Debug, Clone)]
struct Span {
    trace_id: String,
    parent: String,
    name: String,
    kind: i64,
    start_ns: Option<i128>,
    resend: Option<i64>,
    id: Option<String>,
    source: Option<String>,
}

/// What was left out, and why.
#[derive(Debug, Default)]
struct Skipped {
    no_id: u64,
    no_parent: u64,
    no_start: u64,
    no_source: u64,
    not_attempts: u64,
}

/// Reads an OTLP JSON file into `set`; returns its summary and timelines.
pub(crate) fn read_otlp(
    path: &Path,
    text: &str,
    cfg: &Config,
    set: &mut SourceSet,
) -> Result<(FileSummary, Vec<Timeline>), AnalyzerError> {
    let mut summary = FileSummary::new(&path.display().to_string(), InputKind::Otlp);
    let opts = &cfg.otlp;
    let source_key = opts.source_attribute.as_deref().unwrap_or(SERVICE_NAME);
    let mut spans = Vec::new();
    let stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    for doc in stream {
        let doc =
            doc.map_err(|e| AnalyzerError::parse(path, e.line(), format!("invalid JSON: {e}")))?;
        collect(&doc, opts, source_key, &mut spans).map_err(|p| AnalyzerError::input(path, p))?;
    }
    if spans.is_empty() {
        return Err(AnalyzerError::input(
            path,
            "no spans found (expected OTLP JSON with resourceSpans)",
        ));
    }
    let total = spans.len();
    let mut skipped = Skipped::default();
    let mut messages = Messages::default();
    let push = |messages: &mut Messages, id: String, span: &Span, attempt: Option<u32>| {
        let source = span
            .source
            .clone()
            .unwrap_or_else(|| DEFAULT_TAG.to_string());
        messages.push(
            id,
            Row {
                attempt,
                t_ns: span.start_ns.unwrap_or_default(),
                source,
            },
        )
    };
    match &opts.id_attribute {
        Some(_) => {
            for span in &spans {
                match (&span.id, span.start_ns) {
                    (None, _) => skipped.no_id += 1,
                    (Some(_), None) => skipped.no_start += 1,
                    (Some(id), Some(_)) => {
                        skipped.no_source += u64::from(span.source.is_none());
                        push(&mut messages, id.clone(), span, None)
                            .map_err(|p| AnalyzerError::input(path, p))?;
                    }
                }
            }
        }
        None => {
            let mut groups: BTreeMap<(String, String, String), Vec<&Span>> = BTreeMap::new();
            for span in &spans {
                if span.kind != KIND_CLIENT {
                    skipped.not_attempts += 1;
                } else if span.start_ns.is_none() {
                    skipped.no_start += 1;
                } else if span.parent.is_empty() {
                    // A resend is only recognisable beside its siblings.
                    if span.resend.is_some_and(|r| r > 0) {
                        skipped.no_parent += 1;
                    } else {
                        skipped.not_attempts += 1;
                    }
                } else {
                    groups
                        .entry((
                            span.trace_id.clone(),
                            span.parent.clone(),
                            span.name.clone(),
                        ))
                        .or_default()
                        .push(span);
                }
            }
            for ((trace, parent, name), mut group) in groups {
                if !group.iter().any(|s| s.resend.is_some_and(|r| r > 0)) {
                    // Client calls that were never resent: sends without retries.
                    skipped.not_attempts += group.len() as u64;
                    continue;
                }
                group.sort_by_key(|s| (s.start_ns, s.resend));
                let mut send = 0usize;
                let mut open = false;
                for span in group {
                    let resend = span.resend.unwrap_or(0);
                    if resend <= 0 || !open {
                        send += 1;
                        open = true;
                    }
                    skipped.no_source += u64::from(span.source.is_none());
                    let attempt = u32::try_from(resend.max(0) + 1).ok();
                    let id = format!("{trace}/{parent}/{name}#{send}");
                    push(&mut messages, id, span, attempt)
                        .map_err(|p| AnalyzerError::input(path, p))?;
                }
            }
        }
    }
    summary.notes.push(format!(
        "{total} spans read; {} grouped as attempts of {} sends",
        messages.sends,
        messages.len()
    ));
    let attribute = opts.id_attribute.as_deref().unwrap_or("");
    for (n, why) in [
        (skipped.no_id, format!("have no `{attribute}` attribute")),
        (
            skipped.no_parent,
            format!("carry `{RESEND_COUNT}` but no parent span to group by"),
        ),
        (skipped.no_start, "have no startTimeUnixNano".to_string()),
        (
            skipped.not_attempts,
            "are not client calls that were resent (other kinds, or never retried)".to_string(),
        ),
    ] {
        if n > 0 {
            summary
                .notes
                .push(format!("{n} spans left out: they {why}"));
        }
    }
    if skipped.no_source > 0 {
        summary.notes.push(format!(
            "{} spans have no `{source_key}`: their source is `{DEFAULT_TAG}`",
            skipped.no_source
        ));
    }
    if messages.sends == 0 {
        return Err(AnalyzerError::input(
            path,
            format!(
                "no retry attempts among the spans: {}",
                summary.notes.join("; ")
            ),
        ));
    }
    let timelines = messages.finish(cfg, set, &mut summary);
    Ok((summary, timelines))
}

/// Adds the spans of one `{"resourceSpans": [...]}` document.
fn collect(
    doc: &Value,
    opts: &OtlpOptions,
    source_key: &str,
    out: &mut Vec<Span>,
) -> Result<(), String> {
    let resources = doc
        .get("resourceSpans")
        .and_then(Value::as_array)
        .ok_or("a document without `resourceSpans`: not OTLP JSON traces")?;
    for (r, resource) in resources.iter().enumerate() {
        let resource_attrs = resource
            .get("resource")
            .and_then(|v| v.get("attributes"))
            .map(attributes)
            .unwrap_or_default();
        // `instrumentationLibrarySpans` is the name before OTLP 0.15.
        let scopes = resource
            .get("scopeSpans")
            .or_else(|| resource.get("instrumentationLibrarySpans"))
            .and_then(Value::as_array);
        for scope in scopes.into_iter().flatten() {
            let spans = scope.get("spans").and_then(Value::as_array);
            for (i, span) in spans.into_iter().flatten().enumerate() {
                let attrs = span.get("attributes").map(attributes).unwrap_or_default();
                let field = |k: &str| {
                    span.get(k)
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string()
                };
                let start_ns = match span.get("startTimeUnixNano") {
                    Some(Value::String(s)) => s.parse::<i128>().ok(),
                    Some(Value::Number(n)) => n.as_u64().map(i128::from),
                    _ => None,
                }
                .filter(|t| *t > 0);
                let kind = match span.get("kind") {
                    Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
                    Some(Value::String(s)) => kind_by_name(s),
                    _ => 0,
                };
                let resend = attrs.get(RESEND_COUNT).and_then(|v| v.parse::<i64>().ok());
                if attrs.contains_key(RESEND_COUNT) && resend.is_none() {
                    return Err(format!(
                        "resourceSpans[{r}] span {i}: `{RESEND_COUNT}` is not a whole number"
                    ));
                }
                out.push(Span {
                    trace_id: field("traceId"),
                    parent: field("parentSpanId"),
                    name: field("name"),
                    kind,
                    start_ns,
                    resend,
                    id: opts
                        .id_attribute
                        .as_ref()
                        .and_then(|a| attrs.get(a).cloned()),
                    source: attrs
                        .get(source_key)
                        .or_else(|| resource_attrs.get(source_key))
                        .cloned(),
                });
            }
        }
    }
    Ok(())
}

/// `[{"key": k, "value": {"stringValue": v}}, ...]` as text values by key.
fn attributes(list: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for kv in list.as_array().into_iter().flatten() {
        let (Some(key), Some(value)) = (kv.get("key").and_then(Value::as_str), kv.get("value"))
        else {
            continue;
        };
        if let Some(text) = value.as_object().and_then(any_value) {
            out.insert(key.to_string(), text);
        }
    }
    out
}

/// An OTLP `AnyValue` as text; arrays and maps are not ids or sources.
fn any_value(v: &Map<String, Value>) -> Option<String> {
    let (kind, value) = v.iter().next()?;
    match (kind.as_str(), value) {
        ("stringValue", Value::String(s)) => Some(s.clone()),
        ("intValue", Value::String(s)) => Some(s.clone()),
        ("intValue" | "doubleValue", Value::Number(n)) => Some(n.to_string()),
        ("boolValue", Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    }
}

fn kind_by_name(name: &str) -> i64 {
    match name {
        "SPAN_KIND_INTERNAL" => 1,
        "SPAN_KIND_SERVER" => 2,
        "SPAN_KIND_CLIENT" => KIND_CLIENT,
        "SPAN_KIND_PRODUCER" => 4,
        "SPAN_KIND_CONSUMER" => 5,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_values_of_every_scalar_kind() {
        let list: Value = serde_json::from_str(
            r#"[{"key":"a","value":{"stringValue":"x"}},{"key":"b","value":{"intValue":"7"}},
                {"key":"c","value":{"intValue":8}},{"key":"d","value":{"boolValue":true}},
                {"key":"e","value":{"arrayValue":{"values":[]}}}]"#,
        )
        .unwrap();
        let attrs = attributes(&list);
        assert_eq!(attrs["a"], "x");
        assert_eq!(attrs["b"], "7");
        assert_eq!(attrs["c"], "8");
        assert_eq!(attrs["d"], "true");
        assert!(!attrs.contains_key("e"));
        assert_eq!(kind_by_name("SPAN_KIND_CLIENT"), KIND_CLIENT);
    }
}
