//! `fifowin analyze` inputs given as `http://` or `https://` URLs: fetched here,
//! in the binary, so the analyzer stays a synchronous library that reads bytes.
//! A `/metrics` URL without `--metric` is read as fifowin's: the retry-lag
//! histogram, one source per queue. When the server's control API wants a
//! bearer token, `--control-token` (`FIFOWIN_CONTROL_TOKEN`, the variable
//! `fifowin serve` reads) carries it.

use std::path::Path;
use std::time::Duration;

use fifowin_analyzer::{AnalyzeOptions, AnalyzerError, InputText, Verdict};

use crate::analyzer_args::AnalyzeArgs;

/// How long one input may take, connection included.
const FETCH_TIMEOUT: Duration = Duration::from_secs(30);

/// The histogram a fifowin server exports its retry lags as, and its label.
const FIFOWIN_LAG_METRIC: &str = "fifowin_retry_lag_seconds";
const FIFOWIN_LAG_LABEL: &str = "queue";

/// `fifowin analyze`: the analyzer's arguments, and what fetching URLs needs.
#[derive(Debug, clap::Args)]
pub(crate) struct AnalyzeCommand {
    #[command(flatten)]
    analyze: AnalyzeArgs,
    /// Bearer token for URL inputs served by a fifowin control API that wants one.
    #[arg(
        long,
        env = "FIFOWIN_CONTROL_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    control_token: Option<String>,
}

/// Whether an input names a URL rather than a file.
pub(crate) fn is_url(input: &Path) -> bool {
    input
        .to_str()
        .is_some_and(|s| s.starts_with("http://") || s.starts_with("https://"))
}

/// Whether a URL is a fifowin server's (or any) Prometheus `/metrics` endpoint.
fn is_metrics_url(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.trim_end_matches('/').ends_with("/metrics")
}

/// `fifowin analyze`: URL inputs are fetched, files read; a `/metrics` URL
/// defaults the histogram and source label to fifowin's retry lags.
pub(crate) fn run_analyze(
    command: AnalyzeCommand,
    out: &mut dyn std::io::Write,
) -> Result<Verdict, AnalyzerError> {
    let AnalyzeCommand {
        analyze,
        control_token,
    } = command;
    let mut options = AnalyzeOptions::from(analyze);
    let token = control_token.filter(|t| !t.is_empty());
    if options
        .inputs
        .iter()
        .any(|p| is_url(p) && p.to_str().is_some_and(is_metrics_url))
    {
        default_to_fifowin_lags(&mut options);
    }
    let mut fetcher: Option<Fetcher> = None;
    let mut read = |path: &Path| -> Result<InputText, AnalyzerError> {
        let Some(url) = path.to_str().filter(|_| is_url(path)) else {
            return InputText::read(path);
        };
        let fetcher = match &mut fetcher {
            Some(f) => f,
            None => fetcher.insert(Fetcher::new(token.clone())?),
        };
        let bytes = fetcher.get(url)?;
        InputText::from_bytes(url, bytes)
    };
    fifowin_analyzer::run_analyze_with(&options, &mut read, out)
}

/// Without `--metric`, a `/metrics` URL is read as fifowin's: its retry-lag
/// histogram, one source per queue as in the interval log (unless
/// `--source-label` names another label). A `--metric` of the user's own is
/// taken as given, labels summed unless `--source-label` says otherwise.
fn default_to_fifowin_lags(options: &mut AnalyzeOptions) {
    if options.metric.is_none() {
        options.metric = Some(FIFOWIN_LAG_METRIC.to_string());
        options
            .source_label
            .get_or_insert_with(|| FIFOWIN_LAG_LABEL.to_string());
    }
}

/// An HTTP client and the runtime it runs on, made at the first URL.
struct Fetcher {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
    token: Option<String>,
}

impl Fetcher {
    fn new(token: Option<String>) -> Result<Self, AnalyzerError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| input_error("starting the async runtime", e.to_string()))?;
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .build()
            .map_err(|e| input_error("building the HTTP client", why(&e)))?;
        Ok(Self {
            runtime,
            client,
            token,
        })
    }

    fn get(&self, url: &str) -> Result<Vec<u8>, AnalyzerError> {
        self.runtime
            .block_on(fetch(&self.client, url, self.token.as_deref()))
    }
}

/// One GET: the body of a 200 answer, else an error naming the URL and what went wrong.
async fn fetch(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
) -> Result<Vec<u8>, AnalyzerError> {
    let fail = |problem: String| input_error(url, problem);
    let request = match token {
        Some(token) => client.get(url).bearer_auth(token),
        None => client.get(url),
    };
    let response = request.send().await.map_err(|e| fail(why(&e)))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| fail(format!("reading the answer: {}", why(&e))))?;
    if status != reqwest::StatusCode::OK {
        let text = String::from_utf8_lossy(&body);
        let text = text.trim();
        let excerpt: String = text.chars().take(300).collect();
        let mut problem = format!("the server answered {status}");
        if !excerpt.is_empty() {
            problem.push_str(&format!(": {excerpt}"));
        }
        if status == reqwest::StatusCode::UNAUTHORIZED && token.is_none() {
            problem.push_str(" (pass the control API's token with --control-token)");
        }
        return Err(fail(problem));
    }
    Ok(body.to_vec())
}

fn input_error(what: &str, problem: String) -> AnalyzerError {
    AnalyzerError::Input {
        path: what.to_string(),
        problem,
    }
}

/// reqwest's error with its causes (the top level alone says only "error sending request").
fn why(err: &reqwest::Error) -> String {
    let mut text = if err.is_timeout() {
        format!("no answer within {}s", FETCH_TIMEOUT.as_secs())
    } else if err.is_connect() {
        "cannot connect".to_string()
    } else {
        err.to_string()
    };
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_urls_from_files() {
        assert!(is_url(Path::new(
            "http://127.0.0.1:9324/_fifowin/lags.hlog"
        )));
        assert!(is_url(Path::new("https://example.test/metrics")));
        assert!(!is_url(Path::new("lags.hlog")));
        assert!(!is_url(Path::new("./http:/x.hlog")));
    }

    #[test]
    fn recognises_metrics_urls() {
        assert!(is_metrics_url("http://127.0.0.1:9324/metrics"));
        assert!(is_metrics_url("http://h/metrics/?x=1"));
        assert!(!is_metrics_url("http://h/_fifowin/lags.hlog"));
        assert!(!is_metrics_url("http://h/metrics.prom"));
    }
}
