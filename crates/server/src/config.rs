//! Server settings: identity (account, region), URLs, the default dedup window and
//! the escape-detection budget, and the settings of the other layers (limits,
//! authentication, browsers), which `fifowin serve`, the config file and tests fill in.
//! The bottom of the server's modules: it imports none of them.

use fifowin_engine::QueueSettings;

pub mod auth;
pub mod browser;
pub mod file;
pub mod limits;

pub use auth::{AccessKeys, AuthConfig, AuthMode, ControlAccess};
pub use browser::{BrowserConfig, parse_host, parse_origin};
pub use limits::{Limits, MIN_HEADER_BYTES};

/// How time moves.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ClockMode {
    /// Wall-clock time, plus whatever was advanced.
    System,
    /// Starts at the wall-clock time of start-up and moves only when advanced.
    Manual,
}

impl ClockMode {
    /// `system` or `manual`.
    pub fn as_str(self) -> &'static str {
        match self {
            ClockMode::System => "system",
            ClockMode::Manual => "manual",
        }
    }
}

/// What `fifowin serve` decides for the whole server.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// 12-digit account id in queue URLs and ARNs.
    pub account_id: String,
    /// The region of requests that name none (`--region`); see `transport/region`.
    pub region: String,
    /// Base for returned queue URLs (`http://host:port`); `None` uses the request's Host.
    pub public_url: Option<String>,
    /// Dedup window for new FIFO queues, ms.
    pub dedup_window_ms: u64,
    /// System or manual time.
    pub clock_mode: ClockMode,
    /// How long expired dedup keys are remembered to detect escapes, ms.
    pub escape_horizon_ms: u64,
    /// Most tombstones per queue.
    pub escape_tombstone_cap: usize,
    /// Most escape records kept per queue.
    pub escape_record_cap: usize,
    /// Queue count, memory, header and timeout limits.
    pub limits: Limits,
    /// SigV4 verification and control-API access.
    pub auth: AuthConfig,
    /// How long a connection keeps polling its socket after a request before
    /// sleeping ([`fifowin_spin`]); zero turns busy polling off.
    pub busy_poll: std::time::Duration,
    /// CreateQueue refuses a name deleted less than 60 s ago (QueueDeletedRecently),
    /// as AWS does; off by default because test suites re-create queues at once.
    pub deleted_queue_cooldown: bool,
    /// Origins and host names browsers may use ([`browser`]).
    pub browser: BrowserConfig,
}

/// Busy polling after each request: longer than the gap between a reply and
/// the next request of a client in a loop (tens of microseconds), short enough
/// that a connection that goes quiet costs a fifth of a millisecond of CPU.
pub const DEFAULT_BUSY_POLL: std::time::Duration = std::time::Duration::from_micros(200);

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            account_id: "000000000000".into(),
            region: "us-east-1".into(),
            public_url: None,
            dedup_window_ms: QueueSettings::DEFAULT_DEDUP_WINDOW_MS,
            clock_mode: ClockMode::System,
            escape_horizon_ms: QueueSettings::DEFAULT_ESCAPE_HORIZON_MS,
            escape_tombstone_cap: QueueSettings::DEFAULT_ESCAPE_TOMBSTONE_CAP,
            escape_record_cap: QueueSettings::DEFAULT_ESCAPE_RECORD_CAP,
            limits: Limits::default(),
            auth: AuthConfig::default(),
            busy_poll: DEFAULT_BUSY_POLL,
            deleted_queue_cooldown: false,
            browser: BrowserConfig::default(),
        }
    }
}

impl ServerConfig {
    /// Engine settings of a new queue called `name` in `region` (server-wide dedup window).
    pub fn queue_settings(&self, region: &str, name: &str) -> fifowin_engine::QueueSettings {
        fifowin_engine::QueueSettings {
            arn: self.queue_arn(region, name),
            name: name.to_string(),
            dedup_window_ms: self.dedup_window_ms,
            escape_horizon_ms: self.escape_horizon_ms,
            escape_tombstone_cap: self.escape_tombstone_cap,
            escape_record_cap: self.escape_record_cap,
        }
    }

    /// `arn:aws:sqs:<region>:<account>:<name>`.
    pub fn queue_arn(&self, region: &str, name: &str) -> String {
        format!("arn:aws:sqs:{region}:{}:{name}", self.account_id)
    }

    /// The URL returned for `name`, from the configured base or the request's Host.
    pub fn queue_url(&self, host: Option<&str>, name: &str) -> String {
        let base = match (&self.public_url, host) {
            (Some(base), _) => base.trim_end_matches('/').to_string(),
            (None, Some(host)) => format!("http://{host}"),
            (None, None) => "http://localhost:9324".to_string(),
        };
        format!("{base}/{}/{name}", self.account_id)
    }
}
