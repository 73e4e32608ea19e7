//! `fifowin health`: asks a running server's `/_fifowin/health` and exits 0 when it
//! answers `"status": "ok"`, 1 otherwise. The container healthcheck uses it, so the
//! runtime image needs no curl or shell.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;

/// Options of `fifowin health`.
#[derive(Debug, Args)]
pub(crate) struct HealthArgs {
    /// Base URL of the server [default: http://127.0.0.1:<FIFOWIN_PORT or 9324>].
    #[arg(long)]
    url: Option<String>,
    /// Give up after this long (e.g. 2s).
    #[arg(long, default_value = "3s", value_parser = humantime::parse_duration)]
    timeout: Duration,
}

pub(crate) fn run(args: HealthArgs) -> anyhow::Result<ExitCode> {
    // The same variable `fifowin serve` reads, so a container that moves the port
    // keeps a working healthcheck.
    let url = args.url.unwrap_or_else(|| {
        let port = std::env::var("FIFOWIN_PORT").unwrap_or_else(|_| "9324".into());
        format!("http://127.0.0.1:{port}")
    });
    let endpoint = format!("{}/_fifowin/health", url.trim_end_matches('/'));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let answer = runtime.block_on(async {
        let client = reqwest::Client::builder().timeout(args.timeout).build()?;
        let resp = client.get(&endpoint).send().await?.error_for_status()?;
        resp.json::<serde_json::Value>().await
    });
    match answer {
        Ok(body) if body["status"] == "ok" => {
            println!("{body}");
            Ok(ExitCode::SUCCESS)
        }
        Ok(body) => {
            eprintln!("fifowin: {endpoint} is not healthy: {body}");
            Ok(ExitCode::from(1))
        }
        Err(err) => {
            eprintln!("fifowin: {endpoint}: {err}");
            Ok(ExitCode::from(1))
        }
    }
}
