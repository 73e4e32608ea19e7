//! `fifowin serve`: flags, `FIFOWIN_*` variables and the `--config` file ->
//! `ServerConfig` and start-up queues, bind, serve until SIGINT or SIGTERM, then drain.

use std::io::IsTerminal as _;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use fifowin_server::config::DEFAULT_BUSY_POLL;
use fifowin_server::config::file::{self as config_file, ConfigError, FileConfig};
use fifowin_server::{AppState, ClockMode, ServerConfig};
use tracing_subscriber::EnvFilter;

#[derive(Copy, Clone, Debug, ValueEnum)]
enum ClockArg {
    /// Wall-clock time (advanceable through the control API).
    System,
    /// Time moves only through `POST /_fifowin/clock/advance`.
    Manual,
}

/// Options of `fifowin serve`. Each is `None` when not given, so that a config
/// file can fill it; precedence is flag > environment variable > file > default.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// TOML config file: server settings and queues to create at start-up
    /// (every key is documented in fifowin.example.toml).
    #[arg(long, env = "FIFOWIN_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1].
    #[arg(long, env = "FIFOWIN_HOST")]
    host: Option<IpAddr>,
    /// Port to listen on; 0 picks a free one [default: 9324].
    #[arg(long, env = "FIFOWIN_PORT")]
    port: Option<u16>,
    #[arg(
        long,
        env = "FIFOWIN_DEDUP_WINDOW",
        value_parser = humantime::parse_duration,
        help = with_default(
            "Deduplication window of FIFO queues, e.g. 5m, 90s, 1h",
            ServerConfig::default().dedup_window_ms
        )
    )]
    dedup_window: Option<Duration>,
    /// How time moves [default: system].
    #[arg(long, env = "FIFOWIN_CLOCK", value_enum)]
    clock: Option<ClockArg>,
    /// Account id in queue URLs and ARNs [default: 000000000000].
    #[arg(long, env = "FIFOWIN_ACCOUNT_ID")]
    account_id: Option<String>,
    /// Region of requests that name none (no SigV4 scope, no regional host) [default: us-east-1].
    #[arg(long, env = "FIFOWIN_REGION")]
    region: Option<String>,
    /// Base of returned queue URLs, e.g. http://sqs.local:9324 (default: the request's Host).
    #[arg(long, env = "FIFOWIN_PUBLIC_URL")]
    public_url: Option<String>,
    #[arg(
        long,
        env = "FIFOWIN_ESCAPE_HORIZON",
        value_parser = humantime::parse_duration,
        help = with_default(
            "How long expired dedup ids are remembered to detect escapes",
            ServerConfig::default().escape_horizon_ms
        )
    )]
    escape_horizon: Option<Duration>,
    /// Log filter: error, warn, info, debug, trace, or a tracing filter directive [default: info].
    #[arg(long, env = "FIFOWIN_LOG_LEVEL")]
    log_level: Option<String>,
    /// Server threads: 1 serves everything from one thread (fastest for a test
    /// suite's load); more spread busy connections over cores [default: 1].
    #[arg(long, env = "FIFOWIN_THREADS", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// How long each connection keeps polling its socket after a request before
    /// sleeping, e.g. 200us or 1ms; 0 turns it off, trading latency for idle CPU
    /// [default: 200us].
    #[arg(long, env = "FIFOWIN_BUSY_POLL", value_parser = humantime::parse_duration)]
    busy_poll: Option<Duration>,
    /// Refuse CreateQueue of a name deleted less than 60 s ago (server clock) with
    /// QueueDeletedRecently, as AWS does [default: off].
    #[arg(long, env = "FIFOWIN_DELETED_QUEUE_COOLDOWN")]
    deleted_queue_cooldown: bool,
    /// Once listening, write {"url","port","pid","version"} as JSON to this file
    /// (atomically: a temporary file renamed into place); removed at exit.
    #[arg(long, env = "FIFOWIN_READY_FILE")]
    ready_file: Option<PathBuf>,
    #[command(flatten)]
    guard: crate::serve_guard::GuardArgs,
}

/// Longer polling than this only burns CPU: a client that waits this long
/// between requests pays no noticeable wake-up on top.
const MAX_BUSY_POLL: Duration = Duration::from_millis(10);

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A flag's help line ending in its default, e.g. `[default: 5m]`, so the text
/// shows the value the server is built with.
fn with_default(help: &str, default_ms: u64) -> String {
    let default = humantime::format_duration(Duration::from_millis(default_ms));
    format!("{help} [default: {default}].")
}

/// The log filter: from the flag, else the file (whose errors name its key).
fn log_filter(args: &ServeArgs, file: &FileConfig) -> anyhow::Result<EnvFilter> {
    if let Some(level) = &args.log_level {
        return EnvFilter::try_new(level).with_context(|| format!("invalid --log-level {level:?}"));
    }
    let level = file.log_level.as_deref().unwrap_or("info");
    EnvFilter::try_new(level).map_err(|e| {
        let key = ConfigError::Invalid {
            key: "server.log_level".into(),
            problem: format!("{level:?} is not a log filter: {e}"),
        };
        in_file(args.config.as_deref(), key)
    })
}

/// A config-file error, prefixed with the file's path.
fn in_file(path: Option<&Path>, err: ConfigError) -> anyhow::Error {
    match path {
        Some(path) => anyhow::anyhow!("{}: {err}", path.display()),
        None => anyhow::anyhow!("{err}"),
    }
}

pub(crate) fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    no_huge_pages();
    let file = match &args.config {
        Some(path) => config_file::load(path).map_err(|e| in_file(Some(path), e))?,
        None => FileConfig::default(),
    };
    tracing_subscriber::fmt()
        .with_env_filter(log_filter(&args, &file)?)
        .with_writer(std::io::stderr)
        // Colour codes only for a terminal: not in files, pipes or `docker logs`.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    anyhow::ensure!(
        args.dedup_window.is_none_or(|w| !w.is_zero()),
        "--dedup-window must be greater than zero"
    );
    anyhow::ensure!(
        args.busy_poll.is_none_or(|d| d <= MAX_BUSY_POLL),
        "--busy-poll must be at most {}",
        humantime::format_duration(MAX_BUSY_POLL)
    );
    let account_id = args
        .account_id
        .or(file.account_id)
        .unwrap_or_else(|| "000000000000".into());
    anyhow::ensure!(
        account_id.len() == 12 && account_id.bytes().all(|b| b.is_ascii_digit()),
        "--account-id must be 12 digits, got {account_id:?}"
    );
    let dedup_window_ms = args
        .dedup_window
        .map(millis)
        .or(file.dedup_window_ms)
        .unwrap_or(ServerConfig::default().dedup_window_ms);
    let clock_mode = match args.clock {
        Some(ClockArg::System) => ClockMode::System,
        Some(ClockArg::Manual) => ClockMode::Manual,
        None => file.clock.unwrap_or(ClockMode::System),
    };
    let config = ServerConfig {
        account_id,
        region: args
            .region
            .or(file.region)
            .unwrap_or_else(|| "us-east-1".into()),
        public_url: args.public_url.or(file.public_url),
        dedup_window_ms,
        clock_mode,
        escape_horizon_ms: args
            .escape_horizon
            .map(millis)
            .or(file.escape_horizon_ms)
            .unwrap_or(ServerConfig::default().escape_horizon_ms),
        limits: args.guard.limits()?,
        auth: args.guard.auth(&file.auth)?,
        busy_poll: args.busy_poll.unwrap_or(DEFAULT_BUSY_POLL),
        deleted_queue_cooldown: args.deleted_queue_cooldown
            || file.deleted_queue_cooldown.unwrap_or(false),
        browser: args
            .guard
            .browser(&file.cors_allow_origins, &file.allow_hosts),
        ..ServerConfig::default()
    };
    let host = args
        .host
        .or(file.host)
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let addr = SocketAddr::new(host, args.port.or(file.port).unwrap_or(9324));
    let state = match args
        .guard
        .durable_state(&config, &file.queues, &file.topics)?
    {
        Some(state) => state,
        None => AppState::with_queues(config, file.queues)
            .and_then(|state| state.with_topics(file.topics))
            .map_err(|e| in_file(args.config.as_deref(), e))?,
    };
    let runtime = crate::runtime::build(usize::from(args.threads.unwrap_or(1)))
        .context("starting the async runtime")?;
    let ready_file = args.ready_file;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {addr}"))?;
        let local = listener.local_addr()?;
        if !host.is_loopback() && state.config.auth.mode == fifowin_server::config::AuthMode::None {
            tracing::warn!(
                "listening on {local}, reachable beyond this machine, with no authentication"
            );
        }
        tracing::info!(
            "fifowin listening on http://{local} (dedup window {}, clock {}, {} queues from the config file)",
            humantime::format_duration(Duration::from_millis(dedup_window_ms)),
            state.config.clock_mode.as_str(),
            state.startup_queues.len(),
        );
        let _ready = match &ready_file {
            Some(path) => Some(crate::ready_file::ReadyFile::write(path, local)?),
            None => None,
        };
        fifowin_server::run(listener, state, shutdown_signal())
            .await
            .context("serving")?;
        tracing::info!("fifowin stopped");
        Ok(ExitCode::SUCCESS)
    })
}

/// Turns transparent huge pages off for this process, as Redis and MongoDB
/// advise for latency. With them on, the first touch of each 2 MiB of new heap
/// zeroes the whole huge page inside whichever request asked for the memory, a
/// stall of milliseconds on a VM whose memory the host has not backed yet
/// (BENCHMARKS.md). 4 KiB pages spread the same work thinly over the requests.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    if let Err(err) = rustix::thread::disable_transparent_huge_pages(true) {
        tracing::debug!("transparent huge pages stay on: {err}");
    }
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
