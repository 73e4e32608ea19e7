//! The HTTP floor: a bare hyper HTTP/1.1 server on the same tokio runtime as
//! `fifowin serve` that reads each request body and answers with a canned
//! SendMessage reply. No routing, no decoding, no queue: what any Rust server on
//! this stack pays per request before doing any work. `fifowin bench` measures
//! fifowin against it (`tools/bench/run.sh`).
//!
//! Usage: `http-floor [PORT] [WORKERS] [BUSY_POLL_MICROSECONDS]` (default 9330,
//! 1 as `fifowin serve --threads`, and 0: no busy polling; `fifowin serve
//! --busy-poll` polls 200 µs by default), on 127.0.0.1 only.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use fifowin_spin::SpinStream;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

/// The allocator `fifowin` uses, so the two differ only in what they do per request.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SEND_REPLY: &str = r#"{"MD5OfMessageBody":"c4ca4238a0b923820dcc509a6f75849b","MessageId":"5fea7756-0ea4-451a-a703-a558b933e274","SequenceNumber":"18849496460467696128"}"#;
const REQUEST_ID: &str = "8e8f1d7b-6a3c-4bb5-9a0f-2f3c1d0b7e41";

async fn answer(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let create = req
        .headers()
        .get("x-amz-target")
        .is_some_and(|t| t.as_bytes().ends_with(b".CreateQueue"));
    // A server must read what it is sent; dropping the body unread would close
    // the connection instead of keeping it alive.
    let _ = req.into_body().collect().await;
    let body = if create {
        Bytes::from_static(br#"{"QueueUrl":"http://127.0.0.1/000000000000/floor.fifo"}"#)
    } else {
        Bytes::from_static(SEND_REPLY.as_bytes())
    };
    let mut response = Response::new(Full::new(body));
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.0"),
    );
    headers.insert("x-amzn-requestid", HeaderValue::from_static(REQUEST_ID));
    Ok(response)
}

fn main() -> std::io::Result<()> {
    let usage = || {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "usage: http-floor [PORT] [WORKERS] [BUSY_POLL_MICROSECONDS]",
        )
    };
    let port: u16 = match std::env::args().nth(1) {
        Some(p) => p.parse().map_err(|_| usage())?,
        None => 9330,
    };
    let workers: usize = match std::env::args().nth(2) {
        Some(w) => w.parse().map_err(|_| usage())?,
        None => 1,
    };
    // The runtime `fifowin serve --threads WORKERS` builds (default 1), so the two
    // differ only in what they do per request.
    let runtime = if workers <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .build()?
    };
    let spin = match std::env::args().nth(3) {
        Some(us) => Duration::from_micros(us.parse().map_err(|_| usage())?),
        None => Duration::ZERO,
    };
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
        eprintln!("http-floor listening on http://{}", listener.local_addr()?);
        loop {
            let (stream, _) = listener.accept().await?;
            stream.set_nodelay(true)?;
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(
                        TokioIo::new(SpinStream::new(stream, spin)),
                        service_fn(answer),
                    )
                    .await;
            });
        }
    })
}
