//! The fifowin HTTP server: one listener serving the SQS API (any path, protocol
//! detected per request) and the SNS API on the same port, the `/_fifowin/`
//! control API for tests, and long polling.
//!
//! # Layout
//! A request goes down one way and its answer comes back the same way:
//! - `transport`: listener, browser guard, router bypass,
//!   JSON / Query / STS handlers, SigV4;
//! - `pipeline`: dispatch (metrics, log line, faults, memory cap), long polls,
//!   durability;
//! - `sqs`: the SQS service, one file per family of operations, over the engine;
//! - `sns`: the SNS service (`fifowin-sns`), its publishes delivered through the engine.
//!
//! Beside them: `control` (the control API, inspection, the dashboard), `state`
//! (`AppState`, the clock, the queue registry) and [`config`] (settings, the
//! config file), which imports no other module of this crate.

pub mod config;
mod control;
mod pipeline;
mod sns;
mod sqs;
mod state;
mod transport;

use std::future::Future;

use axum::Router;
use tokio::net::TcpListener;

use config::ControlAccess;

pub use config::{ClockMode, ServerConfig};
pub use pipeline::durable::image::ImageError;
pub use pipeline::durable::replay::{
    DurableError, open_durable, open_durable_with, provision_durable,
};
pub use pipeline::durable::snapshot::SnapshotPolicy;
pub use state::AppState;

/// The router: control API routes and the dashboard (unless disabled; the API
/// behind a token if one is set), and every other request to the SQS handler. Every body has a deadline.
pub fn app(state: AppState) -> Router {
    let access = state.config.auth.control.clone();
    let routes = match access {
        ControlAccess::Disabled => Router::new(),
        ControlAccess::Open => control::routes().merge(control::ui::routes()),
        // The page loads without the token; its script asks for it.
        ControlAccess::Token(_) => control::routes()
            .route_layer(axum::middleware::from_fn_with_state(
                access,
                transport::auth::control_guard,
            ))
            .merge(control::ui::routes()),
    };
    let body_timeout = state.config.limits.body_read_timeout;
    routes
        .fallback(transport::sqs_route::handle_sqs)
        .layer(axum::extract::DefaultBodyLimit::max(
            transport::request::MAX_BODY_BYTES,
        ))
        .layer(axum::middleware::map_request_with_state(
            body_timeout,
            pipeline::limits::body_deadline,
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
    // Move tasks a durable start-up replayed resume on this runtime.
    pipeline::move_runner::spawn_unclaimed(&state);
    transport::listener::serve(listener, app(state.clone()), state, &limits, shutdown).await
}
