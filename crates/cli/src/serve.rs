//! `fifowin serve`: flags and `FIFOWIN_*` variables -> `ServerConfig`, bind, serve
//! until SIGINT or SIGTERM, then drain.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use fifowin_server::{AppState, ClockMode, ServerConfig};

#[derive(Copy, Clone, Debug, ValueEnum)]
enum ClockArg {
    /// Wall-clock time (advanceable through the control API).
    System,
    /// Time moves only through `POST /_fifowin/clock/advance`.
    Manual,
}

/// Options of `fifowin serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "FIFOWIN_HOST", default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "FIFOWIN_PORT", default_value_t = 9324)]
    port: u16,
    /// Deduplication window of FIFO queues (e.g. 5m, 90s, 1h).
    #[arg(long, env = "FIFOWIN_DEDUP_WINDOW", default_value = "5m", value_parser = humantime::parse_duration)]
    dedup_window: Duration,
    /// How time moves.
    #[arg(long, env = "FIFOWIN_CLOCK", value_enum, default_value = "system")]
    clock: ClockArg,
    /// Account id in queue URLs and ARNs.
    #[arg(long, env = "FIFOWIN_ACCOUNT_ID", default_value = "000000000000")]
    account_id: String,
    /// Region in queue ARNs.
    #[arg(long, env = "FIFOWIN_REGION", default_value = "us-east-1")]
    region: String,
    /// Base of returned queue URLs, e.g. http://sqs.local:9324 (default: the request's Host).
    #[arg(long, env = "FIFOWIN_PUBLIC_URL")]
    public_url: Option<String>,
    /// How long expired dedup ids are remembered to detect escapes.
    #[arg(long, env = "FIFOWIN_ESCAPE_HORIZON", default_value = "1h", value_parser = humantime::parse_duration)]
    escape_horizon: Duration,
    /// Log filter: error, warn, info, debug, trace (or a tracing filter directive).
    #[arg(long, env = "FIFOWIN_LOG_LEVEL", default_value = "info")]
    log_level: String,
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

pub(crate) fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let filter = tracing_subscriber::EnvFilter::try_new(&args.log_level)
        .with_context(|| format!("invalid --log-level {:?}", args.log_level))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    anyhow::ensure!(
        !args.dedup_window.is_zero(),
        "--dedup-window must be greater than zero"
    );
    anyhow::ensure!(
        args.account_id.len() == 12 && args.account_id.bytes().all(|b| b.is_ascii_digit()),
        "--account-id must be 12 digits, got {:?}",
        args.account_id
    );
    let config = ServerConfig {
        account_id: args.account_id,
        region: args.region,
        public_url: args.public_url,
        dedup_window_ms: millis(args.dedup_window),
        clock_mode: match args.clock {
            ClockArg::System => ClockMode::System,
            ClockArg::Manual => ClockMode::Manual,
        },
        escape_horizon_ms: millis(args.escape_horizon),
        ..ServerConfig::default()
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let addr = SocketAddr::new(args.host, args.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {addr}"))?;
        let local = listener.local_addr()?;
        if !args.host.is_loopback() {
            tracing::warn!(
                "listening on {local}, reachable beyond this machine, with no authentication"
            );
        }
        tracing::info!(
            "fifowin listening on http://{local} (dedup window {}, clock {})",
            humantime::format_duration(args.dedup_window),
            config.clock_mode.as_str()
        );
        fifowin_server::run(listener, AppState::new(config), shutdown_signal())
            .await
            .context("serving")?;
        tracing::info!("fifowin stopped");
        Ok(ExitCode::SUCCESS)
    })
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(err) => {
            tracing::error!("cannot listen for SIGTERM: {err}");
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    tracing::info!("shutting down: finishing open requests");
}
