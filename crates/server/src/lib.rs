//! The fifowin HTTP server: one listener serving the SQS API (any path, protocol
//! detected per request), the `/_fifowin/` control API for tests, and long polling.
//!
//! # Layout
//! - [`config`]: `ServerConfig`, what `fifowin serve` decides.
//! - [`clock`]: `ServerClock`, system or manual time, advanceable in both modes.
//! - [`registry`]: queues by name, each behind its own mutex with a wake-up `Notify`.
//! - [`service`]: decoded request -> engine call -> response; the one place where
//!   engine errors become SQS error codes.
//! - [`long_poll`]: ReceiveMessage with `WaitTimeSeconds`.
//! - [`http`]: the axum handler that detects the protocol, decodes and encodes.
//! - [`move_tasks`]: message move tasks (DLQ redrive), advancing on the server clock.
//! - `query_http`: the Query/XML side of that handler (form or query string in, XML out).
//! - [`control`]: `/_fifowin/health`, clock and escapes.

pub mod clock;
pub mod config;
pub mod control;
mod convert;
pub mod http;
pub mod long_poll;
pub mod move_tasks;
mod query_http;
pub mod registry;
pub mod service;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

pub use clock::{ClockMode, ServerClock};
pub use config::ServerConfig;
pub use registry::Registry;

/// Everything a request handler needs; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    pub config: Arc<ServerConfig>,
    pub clock: Arc<ServerClock>,
    pub registry: Arc<Registry>,
    /// Message move tasks, across queues.
    pub move_tasks: Arc<move_tasks::MoveTasks>,
}

impl AppState {
    /// Fresh state with no queues.
    pub fn new(config: ServerConfig) -> Self {
        let clock = Arc::new(ServerClock::new(config.clock_mode));
        Self {
            config: Arc::new(config),
            clock,
            registry: Arc::new(Registry::default()),
            move_tasks: Arc::default(),
        }
    }
}

/// The router: control API routes, and every other request to the SQS handler.
pub fn app(state: AppState) -> Router {
    control::routes()
        .fallback(http::handle_sqs)
        .layer(axum::extract::DefaultBodyLimit::max(http::MAX_BODY_BYTES))
        .with_state(state)
}

/// Serves `state` on `listener` until `shutdown` completes, then drains open requests.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}
