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
//! - `fast_path`: the accept loop's direct route for SQS JSON calls, past the
//!   router (its layers and extractors cost more than a small SendMessage).
//! - [`move_tasks`]: message move tasks (DLQ redrive), advancing on the server clock.
//! - `sts`: STS GetCallerIdentity on the same port, for emulator test suites.
//! - `query_http`: the Query/XML side of that handler (form or query string in, XML out).
//! - [`dispatch`]: one decoded request through fault rules, the service, the
//!   request log and metrics; both protocol handlers call it.
//! - [`faults`]: fault-injection rules and their control routes.
//! - [`metrics`]: Prometheus text at `/metrics`.
//! - [`lags`]: retry lags as a `/metrics` histogram and as interval logs.
//! - [`inspect`]: `/_fifowin/queues/...`: dedup entries, messages, per-queue reset.
//! - [`config_file`] and [`provision`]: the TOML config file and its start-up queues.
//! - [`control`]: `/_fifowin/health`, clock, escapes and reset.
//! - [`durable`]: durable mode, a command log replayed at start-up (`fifowin-store`).
//! - [`browser`]: browser protection (Origin, Host, control API content type, CORS).
//! - [`ui`]: the dashboard at `/_fifowin/ui`, embedded files from `crates/server/ui/`.
//! - [`auth`]: SigV4 verification (`--auth sigv4`) and control-API access.
//! - [`limits`]: queue count, memory cap, body deadline; [`listener`]: the accept
//!   loop with header-size and header-timeout limits.
//! - [`recently_deleted`]: the opt-in 60 s cooldown on re-creating a deleted queue.

pub mod auth;
pub mod browser;
pub mod clock;
pub mod config;
pub mod config_file;
pub mod control;
mod convert;
pub mod dispatch;
pub mod durable;
mod fast_path;
pub mod faults;
pub mod http;
mod ids;
pub mod inspect;
pub mod lags;
pub mod limits;
pub mod listener;
pub mod long_poll;
pub mod metrics;
pub mod move_tasks;
pub mod provision;
mod query_http;
pub mod recently_deleted;
pub mod registry;
pub mod service;
mod sts;
pub mod ui;

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
    /// Fault-injection rules.
    pub faults: Arc<faults::Faults>,
    /// Request latency and error counts.
    pub metrics: Arc<metrics::Metrics>,
    /// The config file's queues: created at start-up and again by a global reset.
    pub startup_queues: Arc<Vec<config_file::QueueSpec>>,
    /// Durable mode (`--data-dir`): the command log and its ordering lock.
    pub durable: Option<Arc<durable::Durable>>,
    /// Names deleted within the last minute (`--deleted-queue-cooldown`).
    pub recently_deleted: Arc<recently_deleted::RecentlyDeleted>,
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
            faults: Arc::default(),
            metrics: Arc::default(),
            startup_queues: Arc::default(),
            durable: None,
            recently_deleted: Arc::default(),
        }
    }

    /// State with the config file's queues created (in any order; dead letters by name).
    pub fn with_queues(
        config: ServerConfig,
        queues: Vec<config_file::QueueSpec>,
    ) -> Result<Self, config_file::ConfigError> {
        let state = Self {
            startup_queues: Arc::new(queues),
            ..Self::new(config)
        };
        provision::provision(&state, &state.startup_queues)?;
        Ok(state)
    }
}

/// The router: control API routes and the dashboard (unless disabled; the API
/// behind a token if one is set), and every other request to the SQS handler. Every body has a deadline.
pub fn app(state: AppState) -> Router {
    let access = state.config.auth.control.clone();
    let routes = match access {
        auth::ControlAccess::Disabled => Router::new(),
        auth::ControlAccess::Open => control::routes().merge(ui::routes()),
        // The page loads without the token; its script asks for it.
        auth::ControlAccess::Token(_) => control::routes()
            .route_layer(axum::middleware::from_fn_with_state(
                access,
                auth::control_guard,
            ))
            .merge(ui::routes()),
    };
    // Durable mode: control actions that would change state outside the log are refused.
    let routes = match state.durable {
        Some(_) => routes.route_layer(axum::middleware::from_fn(durable::control_guard)),
        None => routes,
    };
    let body_timeout = state.config.limits.body_read_timeout;
    routes
        .fallback(http::handle_sqs)
        .layer(axum::extract::DefaultBodyLimit::max(http::MAX_BODY_BYTES))
        .layer(axum::middleware::map_request_with_state(
            body_timeout,
            limits::body_deadline,
        ))
        .with_state(state)
}

/// Serves `state` on `listener` until `shutdown` completes, then drains open requests.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.config.limits.clone();
    listener::serve(listener, app(state.clone()), state, &limits, shutdown).await
}
