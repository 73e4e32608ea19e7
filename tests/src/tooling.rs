//! Harness pieces for fifowin's test tooling: fault rules, inspection and reset
//! calls, `/metrics` parsed into samples, SDK clients that retry (the default
//! client does not), and servers started from a TOML config file (queues and topics).

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_sqs::config::retry::RetryConfig;
use aws_sdk_sqs::config::timeout::TimeoutConfig;
use fifowin_server::config::file::{self as config_file, ConfigError};
use fifowin_server::{AppState, ServerConfig};
use serde_json::Value;

use crate::TestServer;

impl TestServer {
    /// A server started from config-file text, as `fifowin serve --config` does
    /// (server settings the file gives are applied over `base`).
    pub async fn from_toml(text: &str, base: ServerConfig) -> Result<TestServer, ConfigError> {
        let file = config_file::parse(text)?;
        let config = ServerConfig {
            dedup_window_ms: file.dedup_window_ms.unwrap_or(base.dedup_window_ms),
            clock_mode: file.clock.unwrap_or(base.clock_mode),
            account_id: file.account_id.clone().unwrap_or(base.account_id.clone()),
            region: file.region.clone().unwrap_or(base.region.clone()),
            public_url: file.public_url.clone().or(base.public_url.clone()),
            escape_horizon_ms: file.escape_horizon_ms.unwrap_or(base.escape_horizon_ms),
            ..base
        };
        let state = AppState::with_queues(config, file.queues)?.with_topics(file.topics)?;
        Ok(TestServer::start_with_state(state).await)
    }

    /// Sends a request with `method` to a control path; returns status and JSON body.
    pub async fn control(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.endpoint));
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("control request");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// `POST /_fifowin/faults`, expecting 201; returns the rule (or rules) as listed.
    pub async fn add_fault(&self, rule: Value) -> Value {
        let (status, body) = self
            .control(reqwest::Method::POST, "/_fifowin/faults", Some(rule))
            .await;
        assert_eq!(status, 201, "add fault rule: {body}");
        body
    }

    /// `GET /_fifowin/faults`: the rules with their hit counts.
    pub async fn faults(&self) -> Vec<Value> {
        self.fifowin()
            .faults()
            .await
            .unwrap_or_else(|e| panic!("fault rules: {e}"))
    }

    /// `GET /metrics`, parsed; also checks the content type.
    pub async fn metrics(&self) -> Metrics {
        let resp = self
            .http
            .get(format!("{}/metrics", self.endpoint))
            .send()
            .await
            .expect("metrics request");
        assert_eq!(resp.status().as_u16(), 200);
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(
            content_type.starts_with("text/plain; version=0.0.4"),
            "{content_type}"
        );
        Metrics::parse(&resp.text().await.expect("metrics body"))
    }
}

/// An SDK client with the standard retry policy (3 attempts), as applications
/// use it; the backoff is shortened so retried tests stay fast.
pub fn retrying_client(endpoint: &str) -> aws_sdk_sqs::Client {
    client(
        endpoint,
        RetryConfig::standard()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(10)),
        TimeoutConfig::disabled(),
    )
}

/// An SDK client whose every attempt gives up after `attempt_timeout`, retrying
/// with the standard policy when `retry` is set.
pub fn impatient_client(
    endpoint: &str,
    attempt_timeout: Duration,
    retry: bool,
) -> aws_sdk_sqs::Client {
    let retry_config = if retry {
        RetryConfig::standard()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(10))
    } else {
        RetryConfig::disabled()
    };
    let timeouts = TimeoutConfig::builder()
        .operation_attempt_timeout(attempt_timeout)
        .build();
    client(endpoint, retry_config, timeouts)
}

fn client(endpoint: &str, retry: RetryConfig, timeouts: TimeoutConfig) -> aws_sdk_sqs::Client {
    let config = fifowin_testing::sqs_config(endpoint)
        .retry_config(retry)
        .timeout_config(timeouts)
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

/// One sample of the Prometheus text format.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// A parsed `/metrics` page: every sample, and each family's declared type.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    pub samples: Vec<Sample>,
    pub types: BTreeMap<String, String>,
}

impl Metrics {
    /// Parses the text format strictly enough to catch malformed output: every
    /// sample belongs to a family declared by `# TYPE` before it.
    pub fn parse(text: &str) -> Metrics {
        let mut metrics = Metrics::default();
        for line in text.lines().filter(|l| !l.is_empty()) {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').expect("# TYPE name kind");
                metrics.types.insert(name.to_string(), kind.to_string());
                continue;
            }
            if line.starts_with("# HELP ") {
                continue;
            }
            let (series, value) = line.rsplit_once(' ').expect("sample: series value");
            let value: f64 = value.parse().unwrap_or_else(|_| panic!("value of {line}"));
            let (name, labels) = match series.split_once('{') {
                None => (series.to_string(), BTreeMap::new()),
                Some((name, rest)) => {
                    let body = rest.strip_suffix('}').expect("labels end with }");
                    (name.to_string(), parse_labels(body))
                }
            };
            let family = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| {
                    name.strip_suffix(s)
                        .filter(|f| metrics.types.contains_key(*f))
                })
                .unwrap_or(&name)
                .to_string();
            assert!(metrics.types.contains_key(&family), "no # TYPE for {name}");
            metrics.samples.push(Sample {
                name,
                labels,
                value,
            });
        }
        metrics
    }

    /// The value of `name` with exactly these labels.
    pub fn get(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let wanted: BTreeMap<String, String> = labels
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        self.samples
            .iter()
            .find(|s| s.name == name && s.labels == wanted)
            .map(|s| s.value)
    }

    /// A per-queue value (`{queue="<queue>"}`), 0 when absent.
    pub fn queue(&self, name: &str, queue: &str) -> f64 {
        self.get(name, &[("queue", queue)]).unwrap_or(0.0)
    }

    /// Every sample of `name`.
    pub fn all(&self, name: &str) -> Vec<&Sample> {
        self.samples.iter().filter(|s| s.name == name).collect()
    }
}

/// `a="x",b="y"` with `\\`, `\"` and `\n` escapes.
fn parse_labels(body: &str) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    let mut chars = body.chars().peekable();
    while chars.peek().is_some() {
        let name: String = chars.by_ref().take_while(|c| *c != '=').collect();
        assert_eq!(chars.next(), Some('"'), "label value opens with a quote");
        let mut value = String::new();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => match chars.next() {
                    Some('n') => value.push('\n'),
                    Some(other) => value.push(other),
                    None => panic!("dangling escape"),
                },
                c => value.push(c),
            }
        }
        labels.insert(name.trim_start_matches(',').to_string(), value);
        if chars.peek() == Some(&',') {
            chars.next();
        }
    }
    labels
}
