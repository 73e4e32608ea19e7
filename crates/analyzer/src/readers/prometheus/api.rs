//! A saved answer of the Prometheus HTTP API's instant query
//! (`/api/v1/query`, `resultType` `vector`): one sample per `le`, e.g. of
//! `sum by (le, job) (increase(x_bucket[7d]))`. `__name__`, when the query
//! kept it, names the family; samples without it form one unnamed family.

use super::{Bucket, Families, Labels, Series};
use serde_json::Value;

/// The histogram series of a query answer, or what is wrong with it.
pub(super) fn families(text: &str) -> Result<Families, String> {
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| format!("not a Prometheus API answer: invalid JSON: {e}"))?;
    if let Some(status) = doc.get("status").and_then(Value::as_str)
        && status != "success"
    {
        let error = doc
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("no error message");
        return Err(format!("the query answer has status `{status}`: {error}"));
    }
    let data = doc
        .get("data")
        .ok_or("not a Prometheus API answer: no `data` object (expected /api/v1/query JSON)")?;
    match data.get("resultType").and_then(Value::as_str) {
        Some("vector") => {}
        Some(other) => {
            return Err(format!(
                "the query answer's resultType is `{other}`; save an instant query (/api/v1/query), whose result is a vector"
            ));
        }
        None => return Err("not a Prometheus API answer: `data` has no `resultType`".into()),
    }
    let results = data
        .get("result")
        .and_then(Value::as_array)
        .ok_or("`data.result` is not an array")?;
    let mut by_key: std::collections::BTreeMap<(String, Labels), Series> =
        std::collections::BTreeMap::new();
    for (i, result) in results.iter().enumerate() {
        let at = |problem: &str| format!("data.result[{i}]: {problem}");
        let metric = result
            .get("metric")
            .and_then(Value::as_object)
            .ok_or_else(|| at("no `metric` object"))?;
        if result.get("histogram").is_some() {
            return Err(at(
                "a native histogram; query the classic `_bucket` series, e.g. sum by (le) (increase(x_bucket[7d]))",
            ));
        }
        let mut le = None;
        let mut name = String::new();
        let mut labels = Vec::new();
        for (k, v) in metric {
            let v = v
                .as_str()
                .ok_or_else(|| at(&format!("label `{k}` is not a string")))?;
            match k.as_str() {
                "le" => le = Some(v),
                "__name__" => name = v.strip_suffix("_bucket").unwrap_or(v).to_string(),
                _ => labels.push((k.clone(), v.to_string())),
            }
        }
        let le =
            le.ok_or_else(|| at("no `le` label; keep it in the query, e.g. sum by (le) (...)"))?;
        let value = result
            .get("value")
            .and_then(Value::as_array)
            .filter(|pair| pair.len() == 2)
            .and_then(|pair| pair[1].as_str())
            .ok_or_else(|| at("`value` is not [timestamp, \"number\"]"))?;
        let cumulative = super::text_value(value)
            .ok_or_else(|| at(&format!("value `{value}` is not a number")))?;
        labels.sort();
        let series = by_key
            .entry((name, labels.clone()))
            .or_insert_with(|| Series {
                labels,
                line: i + 1,
                ..Series::default()
            });
        series.buckets.push(Bucket {
            le: super::parse_le(le).unwrap_or(f64::NAN),
            cumulative,
            line: i + 1,
        });
    }
    let mut families = Families::new();
    for ((name, _), series) in by_key {
        families.entry(name).or_default().push(series);
    }
    Ok(families)
}
