//! Reads fifowin's Prometheus counters, e.g. how many duplicate sends the dedup
//! window suppressed and how many deliveries were redeliveries.

use crate::Error;

/// `GET <endpoint>/metrics`: the value of `name{queue="<queue>"}` (0 when absent).
pub async fn queue_counter(endpoint: &str, name: &str, queue: &str) -> Result<f64, Error> {
    let text = reqwest::get(format!("{endpoint}/metrics"))
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| Error::Metrics(e.to_string()))?
        .text()
        .await
        .map_err(|e| Error::Metrics(e.to_string()))?;
    Ok(value(&text, name, queue))
}

/// The value of `name{queue="<queue>"}` in a Prometheus text page.
pub fn value(text: &str, name: &str, queue: &str) -> f64 {
    let series = format!("{name}{{queue=\"{queue}\"}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&series))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_a_queue_series() {
        let text = "# TYPE x counter\nx{queue=\"a\"} 3\nx{queue=\"ab\"} 4\n";
        assert_eq!(super::value(text, "x", "a"), 3.0);
        assert_eq!(super::value(text, "x", "ab"), 4.0);
        assert_eq!(super::value(text, "x", "b"), 0.0);
    }
}
