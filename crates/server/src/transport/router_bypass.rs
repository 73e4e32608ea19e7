//! The per-connection service of the accept loop: the browser guard first, then
//! AWS JSON requests straight from hyper to the JSON handler, past
//! axum's router, layers and extractors. For a small SendMessage those cost more
//! than the SQS work itself (callgrind: routing, the body-limit and deadline
//! layers, header-map clones and an 8 KiB handler future boxed per request), and
//! SDKs send every call this way. The same rules apply: the body is read with the
//! same size cap and deadline, and answered by the same handler. Everything else
//! (the control API, `/metrics`, the Query protocol) goes through the router.

use std::convert::Infallible;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::response::Response;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::service::Service as HyperService;
use hyper_util::service::TowerToHyperService;

use super::browser::{self, Guard, Verdict};
use super::json::handle_json;
use super::request::{BodyError, MAX_BODY_BYTES};
use crate::state::AppState;

type Request = hyper::Request<Incoming>;
type Reply = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

/// The per-connection service: the direct path for SQS JSON calls, the router
/// for the rest.
#[derive(Clone)]
pub(crate) struct Service {
    state: AppState,
    router: TowerToHyperService<Router>,
    /// Browser protection, applied to both paths.
    guard: Arc<Guard>,
}

impl Service {
    pub(crate) fn new(state: AppState, router: Router, guard: Arc<Guard>) -> Self {
        Self {
            state,
            router: TowerToHyperService::new(router),
            guard,
        }
    }
}

/// An SQS JSON call (`X-Amz-Target: AmazonSQS.*`) to any path the router does not
/// serve itself.
fn is_direct<B>(request: &hyper::Request<B>) -> bool {
    let path = request.uri().path();
    request
        .headers()
        .get("x-amz-target")
        .is_some_and(|t| t.as_bytes().starts_with(b"AmazonSQS."))
        && !path.starts_with("/_fifowin")
        && path != "/metrics"
}

impl HyperService<Request> for Service {
    type Response = Response;
    type Error = Infallible;
    type Future = Reply;

    fn call(&self, request: Request) -> Reply {
        match self.guard.check(&request) {
            Verdict::Pass => {}
            Verdict::Answer(response) => return Box::pin(std::future::ready(Ok(response))),
            Verdict::Cors(origin) => {
                // Rare (an allowed page's request): the extra box does not matter.
                let reply = self.serve(request);
                return Box::pin(async move {
                    let mut response = reply.await?;
                    browser::add_cors(&mut response, origin);
                    Ok(response)
                });
            }
        }
        self.serve(request)
    }
}

impl Service {
    /// The direct path for SQS JSON calls, the router for the rest.
    fn serve(&self, request: Request) -> Reply {
        if !is_direct(&request) {
            return Box::pin(self.router.call(request));
        }
        let state = self.state.clone();
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let body = read_body(body, state.config.limits.body_read_timeout).await;
            Ok(handle_json(&state, &parts.method, &parts.uri, &parts.headers, body).await)
        })
    }
}

/// Bytes of an oversized body read and thrown away before answering: closing a
/// socket that still holds unread data makes the kernel send RST, and a client
/// still writing would then see a connection reset instead of our SQS error.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// The whole body, at most [`MAX_BODY_BYTES`], within `deadline`.
async fn read_body(body: Incoming, deadline: Duration) -> Result<Bytes, BodyError> {
    let mut body = body;
    let read = async {
        let collected = Limited::new(&mut body, MAX_BODY_BYTES).collect().await;
        if let Err(err) = &collected
            && err.downcast_ref::<LengthLimitError>().is_some()
        {
            drain(&mut body).await;
        }
        collected
    };
    let mut read = pin!(read);
    // Small bodies arrive with their headers, so the first poll usually finishes;
    // only a body still on its way gets a deadline timer.
    let first = std::future::poll_fn(|cx| Poll::Ready(read.as_mut().poll(cx))).await;
    let collected = match first {
        Poll::Ready(collected) => collected,
        Poll::Pending => match tokio::time::timeout(deadline, read).await {
            Ok(collected) => collected,
            Err(_) => return Err(BodyError::TimedOut),
        },
    };
    match collected {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.downcast_ref::<LengthLimitError>().is_some() => Err(BodyError::TooLarge),
        // axum's wording, so both paths describe a broken body alike.
        Err(err) => Err(BodyError::Failed(format!(
            "Failed to buffer the request body: {err}"
        ))),
    }
}

/// Reads and discards what is left of `body`, up to [`DRAIN_LIMIT`] bytes.
async fn drain(body: &mut Incoming) {
    let mut discarded = 0usize;
    while discarded < DRAIN_LIMIT {
        match body.frame().await {
            Some(Ok(frame)) => discarded += frame.data_ref().map_or(0, Bytes::len),
            Some(Err(_)) | None => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str, target: Option<&str>) -> hyper::Request<()> {
        let mut builder = hyper::Request::post(path);
        if let Some(t) = target {
            builder = builder.header("x-amz-target", t);
        }
        builder.body(()).unwrap()
    }

    fn direct(path: &str, target: Option<&str>) -> bool {
        is_direct(&request(path, target))
    }

    #[test]
    fn only_sqs_json_calls_outside_the_control_api_go_direct() {
        assert!(direct("/", Some("AmazonSQS.SendMessage")));
        assert!(direct(
            "/000000000000/q.fifo",
            Some("AmazonSQS.ReceiveMessage")
        ));
        assert!(!direct("/", None));
        assert!(!direct(
            "/",
            Some("AWSSecurityTokenServiceV20110615.GetCallerIdentity")
        ));
        assert!(!direct("/_fifowin/health", Some("AmazonSQS.SendMessage")));
        assert!(!direct("/metrics", Some("AmazonSQS.SendMessage")));
    }
}
