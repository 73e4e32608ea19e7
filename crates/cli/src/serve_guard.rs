//! The protective options of `fifowin serve`: limits (queue count, memory cap,
//! header size, slow-client timeouts), SigV4 authentication, control-API access and
//! browser protection (allowed origins and host names).

use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use fifowin_server::config::{AccessKeys, AuthConfig, AuthMode, ControlAccess};
use fifowin_server::config::{Limits, MIN_HEADER_BYTES};

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum AuthArg {
    /// Accept any request (credentials are not checked).
    None,
    /// Verify AWS Signature Version 4 against the keys given with --auth-key.
    Sigv4,
}

/// Limits, access control and durability.
#[derive(Debug, Args)]
pub(crate) struct GuardArgs {
    /// Durable mode: keep every queue and message in DIR (a command log and snapshots,
    /// fsynced before each answer) and restore them at start-up. Default: in memory.
    #[arg(long, env = "FIFOWIN_DATA_DIR", value_name = "DIR")]
    data_dir: Option<std::path::PathBuf>,
    /// Durable mode: take a snapshot of the state once this many requests were
    /// logged since the last one (or 64 MiB of them; with a large state, not
    /// before the log since the last snapshot is as large as that snapshot);
    /// the records it covers are then deleted. 0 never takes one (the log keeps growing).
    #[arg(
        long,
        env = "FIFOWIN_SNAPSHOT_EVERY",
        value_name = "REQUESTS",
        default_value_t = fifowin_server::SnapshotPolicy::DEFAULT_EVERY_RECORDS
    )]
    snapshot_every: u64,
    /// Most queues at once; CreateQueue beyond answers OverLimit.
    #[arg(long, env = "FIFOWIN_MAX_QUEUES", default_value_t = 10_000)]
    max_queues: usize,
    /// Resident memory above which sends answer OverLimit, e.g. 512MiB, 2GiB (default: no cap).
    #[arg(long, env = "FIFOWIN_MAX_MEMORY", value_parser = parse_bytes)]
    max_memory: Option<u64>,
    /// Largest request line plus headers, e.g. 64KiB (at least 8KiB); larger heads get 431.
    #[arg(long, env = "FIFOWIN_MAX_HEADER_BYTES", value_parser = parse_bytes, default_value = "64KiB")]
    max_header_bytes: u64,
    /// Time a client has to send its request headers before the connection is closed
    /// (this also closes keep-alive connections idle this long).
    #[arg(long, env = "FIFOWIN_HEADER_TIMEOUT", value_parser = humantime::parse_duration, default_value = "60s")]
    header_timeout: Duration,
    /// Time a client has to send a request body before it gets RequestTimeout.
    #[arg(long, env = "FIFOWIN_BODY_TIMEOUT", value_parser = humantime::parse_duration, default_value = "60s")]
    body_timeout: Duration,
    /// Request authentication [default: none, or the config file's auth.mode].
    #[arg(long, env = "FIFOWIN_AUTH", value_enum)]
    auth: Option<AuthArg>,
    /// An access key for --auth sigv4, as ACCESS_KEY_ID:SECRET_ACCESS_KEY; repeatable
    /// (FIFOWIN_AUTH_KEYS takes a comma-separated list).
    #[arg(
        long = "auth-key",
        env = "FIFOWIN_AUTH_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    auth_keys: Vec<String>,
    /// Require `Authorization: Bearer <token>` on the control API (/_fifowin/*, /metrics).
    #[arg(
        long,
        env = "FIFOWIN_CONTROL_TOKEN",
        hide_env_values = true,
        conflicts_with = "no_control"
    )]
    control_token: Option<String>,
    /// Do not serve the control API (/_fifowin/*, /metrics) at all.
    #[arg(long, env = "FIFOWIN_NO_CONTROL")]
    no_control: bool,
    /// An origin whose web pages may call the server, with CORS headers, e.g.
    /// http://localhost:3000; repeatable (FIFOWIN_CORS_ALLOW_ORIGIN takes a
    /// comma-separated list). Pages of any other origin get 403.
    #[arg(
        long = "cors-allow-origin",
        env = "FIFOWIN_CORS_ALLOW_ORIGIN",
        value_delimiter = ',',
        value_name = "ORIGIN",
        value_parser = fifowin_server::config::parse_origin
    )]
    cors_allow_origin: Vec<String>,
    /// A host name a loopback server also answers to (the Host header), e.g.
    /// sqs.local; repeatable (FIFOWIN_ALLOW_HOST takes a comma-separated list).
    /// localhost, 127.0.0.1, [::1] and the --public-url host always are.
    #[arg(
        long = "allow-host",
        env = "FIFOWIN_ALLOW_HOST",
        value_delimiter = ',',
        value_name = "HOST",
        value_parser = fifowin_server::config::parse_host
    )]
    allow_host: Vec<String>,
}

/// `1048576`, `64KiB`, `512MiB`, `2GiB` (also KB/MB/GB, read as powers of 1024).
fn parse_bytes(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a size like 512MiB"))?;
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => return Err(format!("unknown size unit {other:?} (use KiB, MiB or GiB)")),
    };
    n.checked_mul(scale)
        .ok_or_else(|| format!("{text:?} is too large"))
}

impl GuardArgs {
    /// With --data-dir: the state replayed from the command log, with the config
    /// file's `startup_queues` and `startup_topics` created where absent; else `None`.
    pub(crate) fn durable_state(
        &self,
        config: &fifowin_server::ServerConfig,
        startup_queues: &[fifowin_server::config::file::QueueSpec],
        startup_topics: &[fifowin_server::config::file::TopicSpec],
    ) -> anyhow::Result<Option<fifowin_server::AppState>> {
        let Some(dir) = &self.data_dir else {
            return Ok(None);
        };
        // The replay calls the async service code; it needs a runtime of its own
        // because the server's is built later.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the replay runtime")?;
        let state = runtime
            .block_on(async {
                let policy = fifowin_server::SnapshotPolicy {
                    every_records: self.snapshot_every,
                    ..fifowin_server::SnapshotPolicy::default()
                };
                let state = fifowin_server::open_durable_with(config.clone(), dir, policy).await?;
                fifowin_server::provision_durable(
                    state,
                    startup_queues.to_vec(),
                    startup_topics.to_vec(),
                )
                .await
            })
            .with_context(|| format!("opening the data directory {}", dir.display()))?;
        Ok(Some(state))
    }

    pub(crate) fn limits(&self) -> anyhow::Result<Limits> {
        let max_header_bytes = usize::try_from(self.max_header_bytes).unwrap_or(usize::MAX);
        anyhow::ensure!(
            max_header_bytes >= MIN_HEADER_BYTES,
            "--max-header-bytes must be at least 8KiB"
        );
        anyhow::ensure!(self.max_queues > 0, "--max-queues must be at least 1");
        anyhow::ensure!(
            !self.header_timeout.is_zero() && !self.body_timeout.is_zero(),
            "--header-timeout and --body-timeout must be greater than zero"
        );
        Ok(Limits {
            max_queues: self.max_queues,
            max_memory_bytes: self.max_memory,
            max_header_bytes,
            header_read_timeout: self.header_timeout,
            body_read_timeout: self.body_timeout,
        })
    }

    /// Flags over the config file's `[auth]` table; keys from both are accepted.
    pub(crate) fn auth(
        &self,
        file: &fifowin_server::config::file::FileAuth,
    ) -> anyhow::Result<AuthConfig> {
        let mut keys = file.keys.clone();
        for pair in &self.auth_keys {
            // The value is never echoed: it holds a secret.
            let (id, secret) = AccessKeys::parse_pair(pair)
                .context("--auth-key takes ACCESS_KEY_ID:SECRET_ACCESS_KEY")?;
            keys.insert(id, secret);
        }
        let mode = match self.auth {
            None => file.mode.clone().unwrap_or_default(),
            Some(AuthArg::None) => AuthMode::None,
            Some(AuthArg::Sigv4) => AuthMode::SigV4,
        };
        let mode = match mode {
            AuthMode::None => AuthMode::None,
            AuthMode::SigV4 => {
                anyhow::ensure!(
                    !keys.is_empty(),
                    "--auth sigv4 needs at least one --auth-key ACCESS_KEY_ID:SECRET_ACCESS_KEY (or [[auth.keys]] in the config file)"
                );
                AuthMode::SigV4
            }
        };
        let control = match (&self.control_token, self.no_control) {
            (_, true) => ControlAccess::Disabled,
            (Some(token), false) => {
                anyhow::ensure!(!token.is_empty(), "--control-token must not be empty");
                ControlAccess::Token(token.clone())
            }
            (None, false) => file.control.clone().unwrap_or_default(),
        };
        Ok(AuthConfig {
            mode,
            keys,
            control,
        })
    }

    /// Flags (or their variables) over the config file's lists.
    pub(crate) fn browser(
        &self,
        file_origins: &Option<Vec<String>>,
        file_hosts: &Option<Vec<String>>,
    ) -> fifowin_server::config::BrowserConfig {
        let pick = |flags: &Vec<String>, file: &Option<Vec<String>>| {
            if flags.is_empty() {
                file.clone().unwrap_or_default()
            } else {
                flags.clone()
            }
        };
        fifowin_server::config::BrowserConfig {
            cors_allow_origins: pick(&self.cors_allow_origin, file_origins),
            allow_hosts: pick(&self.allow_host, file_hosts),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_bytes;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_bytes("1048576"), Ok(1_048_576));
        assert_eq!(parse_bytes("64KiB"), Ok(65_536));
        assert_eq!(parse_bytes("512MiB"), Ok(512 << 20));
        assert_eq!(parse_bytes("2g"), Ok(2 << 30));
        assert!(parse_bytes("12 parsecs").is_err());
        assert!(parse_bytes("MiB").is_err());
    }
}
