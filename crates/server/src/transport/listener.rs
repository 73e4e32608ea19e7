//! The accept loop: hyper's HTTP/1.1 connection builder with the header-size and
//! header-timeout limits that `axum::serve` does not expose, and a graceful
//! shutdown that stops accepting and lets open requests (long polls) finish.
//! Every request passes the browser guard first (`browser.rs`). Connections
//! busy-poll for `ServerConfig::busy_poll` after each request ([`fifowin_spin`]).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use fifowin_spin::SpinStream;

use super::browser::Guard;
use super::router_bypass;
use crate::config::limits::{Limits, MIN_HEADER_BYTES};
use crate::state::AppState;

/// Serves `router` on `listener` until `shutdown` completes, then drains. SQS JSON
/// calls skip the router and go to the handler directly (`router_bypass`).
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    state: AppState,
    limits: &Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits.max_header_bytes.max(MIN_HEADER_BYTES))
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    let busy_poll = state.config.busy_poll;
    // Only a loopback listener checks Host: others are reached under any name.
    let loopback = listener
        .local_addr()
        .map_or(true, |addr| addr.ip().is_loopback());
    let guard = Arc::new(Guard::new(&state.config, loopback));
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(err) => {
                        // Out of file descriptors, say: wait instead of spinning.
                        tracing::warn!("accept failed: {err}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let service = router_bypass::Service::new(state.clone(), router.clone(), guard.clone());
                let connection = builder.serve_connection(
                    TokioIo::new(SpinStream::new(stream, busy_poll)),
                    service,
                );
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    // A client that goes away, or breaks a limit, ends its own connection only.
                    if let Err(err) = connection.await {
                        tracing::debug!("connection ended: {err}");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
