//! fifowin inside a Rust test: a builder that starts the server in this process on
//! `127.0.0.1:0`, and a handle with the endpoint, an SDK client, and the control
//! API's test calls (clock advance, escaped duplicates, fault rules, reset).
//!
//! ```no_run
//! # async fn demo() -> Result<(), fifowin_testing::Error> {
//! use std::time::Duration;
//! let fw = fifowin_testing::Fifowin::builder()
//!     .window(Duration::from_secs(90))
//!     .start()
//!     .await?;
//! let sqs = fw.sqs_client();
//! // ... create a FIFO queue, send, then let the window close:
//! fw.advance(Duration::from_secs(91)).await?;
//! let escapes = fw.escapes().await?;
//! # let _ = (sqs, escapes);
//! # Ok(()) }
//! ```
//!
//! The server stops when the handle is dropped; [`Fifowin::stop`] also waits for it.

mod control;

use std::net::SocketAddr;
use std::time::Duration;

use aws_sdk_sqs::config::{BehaviorVersion, Credentials, Region};
pub use control::{Escape, TopicEscape};
pub use fifowin_server::{AppState, ClockMode, ServerConfig};
pub use reqwest::Method;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// What can go wrong starting the server or calling its control API.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Binding `127.0.0.1:0` failed.
    #[error("binding 127.0.0.1:0: {0}")]
    Bind(#[source] std::io::Error),
    /// The control request did not get an answer.
    #[error("{method} {path}: {source}")]
    Request {
        method: String,
        path: String,
        #[source]
        source: reqwest::Error,
    },
    /// The control API answered with an error status.
    #[error("{method} {path}: HTTP {status}: {body}")]
    Status {
        method: String,
        path: String,
        status: u16,
        body: String,
    },
    /// The control API's answer was not the JSON expected.
    #[error("{method} {path}: unexpected answer: {body}")]
    Answer {
        method: String,
        path: String,
        body: String,
    },
}

/// How the server is started; see [`Fifowin::builder`].
#[derive(Default)]
pub struct Builder {
    config: ServerConfig,
    state: Option<AppState>,
}

impl Builder {
    /// The FIFO deduplication window (default 5 minutes, as in SQS).
    pub fn window(mut self, window: Duration) -> Self {
        self.config.dedup_window_ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX);
        self
    }

    /// How time moves (default [`ClockMode::System`]; both advance through [`Fifowin::advance`]).
    pub fn clock(mut self, mode: ClockMode) -> Self {
        self.config.clock_mode = mode;
        self
    }

    /// Starts from exactly this configuration (replaces `window` and `clock` given before).
    pub fn config(mut self, config: ServerConfig) -> Self {
        self.config = config;
        self
    }

    /// Serves prepared state (e.g. with a config file's queues); the configuration
    /// is the state's own.
    pub fn state(mut self, state: AppState) -> Self {
        self.state = Some(state);
        self
    }

    /// Binds `127.0.0.1:0` and serves on the current tokio runtime.
    pub async fn start(self) -> Result<Fifowin, Error> {
        let state = self.state.unwrap_or_else(|| AppState::new(self.config));
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .map_err(Error::Bind)?;
        let addr = listener.local_addr().map_err(Error::Bind)?;
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(fifowin_server::run(listener, state.clone(), async {
            let _ = stopped.await;
        }));
        Ok(Fifowin {
            addr,
            endpoint: format!("http://{addr}"),
            state,
            http: reqwest::Client::new(),
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }
}

/// The SDK configuration [`Fifowin::sqs_client`] uses, for `endpoint`: static test
/// credentials and region `us-east-1`; add retry or timeout settings before `build()`.
pub fn sqs_config(endpoint: &str) -> aws_sdk_sqs::config::Builder {
    aws_sdk_sqs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIDFIFOWINTEST",
            "secret",
            None,
            None,
            "fifowin-testing",
        ))
}

/// The SDK configuration [`Fifowin::sns_client`] uses: the same endpoint,
/// credentials and region as [`sqs_config`] (SNS is served on the same port).
pub fn sns_config(endpoint: &str) -> aws_sdk_sns::config::Builder {
    aws_sdk_sns::Config::builder()
        .behavior_version(aws_sdk_sns::config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_sdk_sns::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_sns::config::Credentials::new(
            "AKIDFIFOWINTEST",
            "secret",
            None,
            None,
            "fifowin-testing",
        ))
}

/// A running server; dropping it shuts the server down.
pub struct Fifowin {
    addr: SocketAddr,
    endpoint: String,
    state: AppState,
    http: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Fifowin {
    /// A builder: `Fifowin::builder().window(Duration::from_secs(90)).start().await?`.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// A server with the default configuration.
    pub async fn start() -> Result<Fifowin, Error> {
        Builder::default().start().await
    }

    /// `http://127.0.0.1:<port>`: the endpoint URL for any AWS SDK.
    pub fn endpoint_url(&self) -> &str {
        &self.endpoint
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's state, shared with the running server.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// An aws-sdk-sqs client pointed at the server: static test credentials,
    /// region `us-east-1`, and the SDK's standard retries (so a fault that loses an
    /// acknowledgement is retried as it would be against SQS).
    pub fn sqs_client(&self) -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::from_conf(sqs_config(&self.endpoint).build())
    }

    /// An aws-sdk-sns client pointed at the server (same port as SQS), with the
    /// SDK's standard retries, like [`Fifowin::sqs_client`].
    pub fn sns_client(&self) -> aws_sdk_sns::Client {
        aws_sdk_sns::Client::from_conf(sns_config(&self.endpoint).build())
    }

    /// Stops the server and waits until it has finished its open requests.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.task.take() {
            Some(task) => task.await.unwrap_or_else(|e| Err(std::io::Error::other(e))),
            None => Ok(()),
        }
    }
}

impl Drop for Fifowin {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
