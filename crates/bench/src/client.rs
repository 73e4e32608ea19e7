//! A minimal keep-alive HTTP/1.1 client for AWS JSON 1.0 calls: one request in flight
//! per connection, the request written with one `write_all`, the response parsed in
//! place with `httparse`. The generator shares two cores with the server it measures,
//! so every microsecond it spends is taken from the server: no per-request
//! allocation once the buffers have grown, no header maps, no body streams.
//! `https://` endpoints run the same exchange over TLS (`crate::tls`).

use std::io::{self, Write as _};
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;
use std::time::SystemTime;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::error::BenchError;
use crate::sigv4::Signer;
use crate::tls::{Stream, Tls};

/// Where requests go: `http[s]://host[:port][/path]`.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// The resolved socket address.
    pub addr: SocketAddr,
    /// The `Host` header value.
    pub host: String,
    /// Set for `https://` endpoints.
    pub tls: Option<Tls>,
    /// The request path (`/` unless the URL had one).
    pub path: String,
    /// Signs each request (`--sign`); without it requests carry a SigV4-shaped,
    /// unsigned `Authorization` header.
    pub signer: Option<Signer>,
}

impl Endpoint {
    /// Parses `http[s]://host[:port][/path]`. An `https://` endpoint trusts the
    /// certificates in `ca_bundle` when given, else the system's roots.
    pub fn parse(url: &str, ca_bundle: Option<&Path>) -> Result<Endpoint, BenchError> {
        let bad = |why: &str| BenchError::Endpoint(format!("{url}: {why}"));
        let (rest, secure) = if let Some(rest) = url.strip_prefix("http://") {
            (rest, false)
        } else if let Some(rest) = url.strip_prefix("https://") {
            (rest, true)
        } else {
            return Err(bad("only http:// and https:// endpoints are supported"));
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if authority.is_empty() {
            return Err(bad("no host"));
        }
        let port_given = authority.rsplit_once(':').is_some_and(|(_, p)| {
            !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && !authority.ends_with(']')
        });
        let (with_port, bare_host) = if port_given {
            let (h, _) = authority.rsplit_once(':').expect("checked above");
            (authority.to_string(), h)
        } else {
            let default = if secure { 443 } else { 80 };
            (format!("{authority}:{default}"), authority)
        };
        let tls = if secure {
            let name = bare_host.trim_start_matches('[').trim_end_matches(']');
            Some(Tls::new(name, ca_bundle)?)
        } else {
            None
        };
        let addr = with_port
            .to_socket_addrs()
            .map_err(|e| bad(&e.to_string()))?
            .next()
            .ok_or_else(|| bad("the host resolves to no address"))?;
        Ok(Endpoint {
            addr,
            host: authority.to_string(),
            tls,
            path: path.to_string(),
            signer: None,
        })
    }
}

/// The SigV4-shaped headers every SDK request carries, when `--sign` is not
/// given. The signature is not computed (servers that verify it refuse these
/// requests), but some emulators route on the credential scope: moto sends
/// unsigned-looking requests to S3.
const AUTHORIZATION: &str = "Authorization: AWS4-HMAC-SHA256 Credential=AKIDFIFOWINBENCH/20260101/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000\r\nX-Amz-Date: 20260101T000000Z\r\n";

/// One answer: the status and the body, borrowed from the connection's buffer.
#[derive(Debug)]
pub struct Reply<'a> {
    pub status: u16,
    pub body: &'a [u8],
}

/// A keep-alive connection that reconnects after the server closes it.
pub struct Conn {
    endpoint: Endpoint,
    stream: Option<Stream>,
    /// The request being written (head and body), reused.
    out: Vec<u8>,
    /// Response bytes; the body of the last reply lives at `body_at..body_end`.
    buf: Vec<u8>,
    /// Decoded chunked bodies, when a server sends them.
    dechunked: Vec<u8>,
    /// The last reply: status, chunked, body range in `buf`.
    last: (u16, bool, usize, usize),
}

/// How the response body ends.
enum Framing {
    Length(usize),
    Chunked,
    Close,
}

impl Conn {
    /// A connection that opens its socket on first use.
    pub fn new(endpoint: Endpoint) -> Conn {
        Conn {
            endpoint,
            stream: None,
            out: Vec::with_capacity(4096),
            buf: Vec::with_capacity(16 * 1024),
            dechunked: Vec::new(),
            last: (0, false, 0, 0),
        }
    }

    /// Sends `AmazonSQS.<op>` with `body` and waits for the whole response.
    /// On an I/O error the socket is dropped, so the next call reconnects.
    pub async fn call(&mut self, op: &str, body: &[u8]) -> io::Result<Reply<'_>> {
        self.out.clear();
        let e = &self.endpoint;
        // One buffer, one write: the head and the body leave in one segment.
        write!(
            self.out,
            "POST {} HTTP/1.1\r\nHost: {}\r\nX-Amz-Target: AmazonSQS.{op}\r\nContent-Type: application/x-amz-json-1.0\r\n",
            e.path, e.host,
        )?;
        match &e.signer {
            Some(signer) => {
                signer.write_headers(&mut self.out, &e.host, &e.path, op, body, SystemTime::now());
            }
            None => self.out.extend_from_slice(AUTHORIZATION.as_bytes()),
        }
        write!(self.out, "Content-Length: {}\r\n\r\n", body.len())?;
        self.out.extend_from_slice(body);
        match self.exchange().await {
            Ok((status, close, chunked, start, end)) => {
                if close {
                    self.stream = None;
                }
                self.last = (status, chunked, start, end);
                Ok(self.last_reply())
            }
            Err(err) => {
                self.stream = None;
                Err(err)
            }
        }
    }

    /// [`Self::call`] for unmeasured set-up and check calls, retried once on a
    /// fresh connection when a kept-alive one fails (Node's servers close idle
    /// connections after 5 s, shorter than a run).
    pub async fn call_fresh(&mut self, op: &str, body: &[u8]) -> io::Result<Reply<'_>> {
        let reused = self.stream.is_some();
        let failed = match self.call(op, body).await {
            Ok(_) => false,
            Err(err) if !reused => return Err(err),
            Err(_) => true,
        };
        if failed {
            return self.call(op, body).await;
        }
        Ok(self.last_reply())
    }

    /// The reply [`Self::call`] last returned.
    fn last_reply(&self) -> Reply<'_> {
        let (status, chunked, start, end) = self.last;
        let body = if chunked {
            &self.dechunked[..]
        } else {
            &self.buf[start..end]
        };
        Reply { status, body }
    }

    async fn stream(&mut self) -> io::Result<&mut Stream> {
        if self.stream.is_none() {
            let tcp = TcpStream::connect(self.endpoint.addr).await?;
            // The request leaves in one write; never hold it back for an ACK.
            tcp.set_nodelay(true)?;
            let stream = match &self.endpoint.tls {
                Some(tls) => tls.connect(tcp).await?,
                None => Stream::Plain(tcp),
            };
            self.stream = Some(stream);
        }
        Ok(self.stream.as_mut().expect("connected above"))
    }

    /// Writes `out`, reads one response into `buf`: (status, close, chunked, body range).
    async fn exchange(&mut self) -> io::Result<(u16, bool, bool, usize, usize)> {
        let out = std::mem::take(&mut self.out);
        let stream = self.stream().await?;
        // TLS may hold records back until flushed; plain TCP's flush does nothing.
        let written = match stream.write_all(&out).await {
            Ok(()) => stream.flush().await,
            Err(err) => Err(err),
        };
        self.out = out;
        written?;
        self.buf.clear();
        let (status, close, framing, head_len) = loop {
            if self.read_more().await? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed before a response",
                ));
            }
            if let Some(head) = parse_head(&self.buf)? {
                break head;
            }
        };
        match framing {
            Framing::Length(n) => {
                while self.buf.len() < head_len + n {
                    if self.read_more().await? == 0 {
                        return Err(eof("body"));
                    }
                }
                Ok((status, close, false, head_len, head_len + n))
            }
            Framing::Close => {
                while self.read_more().await? != 0 {}
                Ok((status, true, false, head_len, self.buf.len()))
            }
            Framing::Chunked => {
                // Re-decoded from the start after each read: bodies here are small.
                while !dechunk(&self.buf[head_len..], &mut self.dechunked)? {
                    if self.read_more().await? == 0 {
                        return Err(eof("chunked body"));
                    }
                }
                Ok((status, close, true, 0, 0))
            }
        }
    }

    async fn read_more(&mut self) -> io::Result<usize> {
        let len = self.buf.len();
        if self.buf.capacity() - len < 4096 {
            self.buf.reserve(self.buf.capacity().max(8192));
        }
        let cap = self.buf.capacity();
        self.buf.resize(cap, 0);
        let stream = self.stream.as_mut().ok_or_else(|| eof("socket"))?;
        let n = stream.read(&mut self.buf[len..]).await;
        self.buf.truncate(len + *n.as_ref().unwrap_or(&0));
        n
    }
}

fn eof(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("connection closed inside the {what}"),
    )
}

/// Parses a complete response head: (status, close after, framing, head length).
fn parse_head(buf: &[u8]) -> io::Result<Option<(u16, bool, Framing, usize)>> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    let head_len = match response.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(err) => return Err(io::Error::new(io::ErrorKind::InvalidData, err)),
    };
    let status = response.code.unwrap_or(0);
    // HTTP/1.0 closes unless it says keep-alive; HTTP/1.1 keeps unless it says close.
    let mut close = response.version == Some(0);
    let mut framing = Framing::Close;
    for h in response.headers.iter() {
        if h.name.eq_ignore_ascii_case("content-length") {
            let n = std::str::from_utf8(h.value)
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "bad Content-Length"))?;
            framing = Framing::Length(n);
        } else if h.name.eq_ignore_ascii_case("transfer-encoding")
            && h.value.eq_ignore_ascii_case(b"chunked")
        {
            framing = Framing::Chunked;
        } else if h.name.eq_ignore_ascii_case("connection") {
            if h.value.eq_ignore_ascii_case(b"close") {
                close = true;
            } else if h.value.eq_ignore_ascii_case(b"keep-alive") {
                close = false;
            }
        }
    }
    Ok(Some((status, close, framing, head_len)))
}

/// Decodes a whole chunked body into `out`; false while more bytes are needed.
fn dechunk(mut input: &[u8], out: &mut Vec<u8>) -> io::Result<bool> {
    out.clear();
    loop {
        let Some(line_end) = input.windows(2).position(|w| w == b"\r\n") else {
            return Ok(false);
        };
        let size_text = std::str::from_utf8(&input[..line_end])
            .ok()
            .map(|l| l.split(';').next().unwrap_or("").trim());
        let size = size_text
            .and_then(|t| usize::from_str_radix(t, 16).ok())
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "bad chunk size"))?;
        input = &input[line_end + 2..];
        if size == 0 {
            // Trailers (none expected) end with an empty line.
            return Ok(input.windows(2).any(|w| w == b"\r\n"));
        }
        if input.len() < size + 2 {
            return Ok(false);
        }
        out.extend_from_slice(&input[..size]);
        input = &input[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse_with_and_without_port_and_path() {
        let e = Endpoint::parse("http://127.0.0.1:9324", None).unwrap();
        assert_eq!(
            (e.addr.port(), e.host.as_str(), e.path.as_str()),
            (9324, "127.0.0.1:9324", "/")
        );
        assert!(e.tls.is_none());
        let e = Endpoint::parse("http://127.0.0.1/x", None).unwrap();
        assert_eq!((e.addr.port(), e.path.as_str()), (80, "/x"));
        assert!(Endpoint::parse("ftp://127.0.0.1", None).is_err());
        assert!(Endpoint::parse("http:///x", None).is_err());
    }

    #[test]
    fn https_endpoints_default_to_port_443_and_name_the_bare_host() {
        // A bundle that holds no certificate is refused before any connection.
        let empty = std::env::temp_dir().join(format!("fifowin-empty-{}.pem", std::process::id()));
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let refused = Endpoint::parse("https://127.0.0.1", Some(&empty)).unwrap_err();
        std::fs::remove_file(&empty).unwrap();
        assert!(
            refused.to_string().contains("no PEM certificate"),
            "{refused}"
        );

        let missing = Path::new("/nonexistent/fifowin-ca.pem");
        let refused = Endpoint::parse("https://127.0.0.1:8443/p", Some(missing)).unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("--ca-bundle /nonexistent/fifowin-ca.pem"),
            "{refused}"
        );

        let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "::1".into()])
            .unwrap()
            .cert
            .pem();
        let bundle =
            std::env::temp_dir().join(format!("fifowin-bundle-{}.pem", std::process::id()));
        std::fs::write(&bundle, cert).unwrap();
        let plain = Endpoint::parse("https://127.0.0.1/q", Some(&bundle));
        let v6 = Endpoint::parse("https://[::1]:8443", Some(&bundle));
        std::fs::remove_file(&bundle).unwrap();
        let e = plain.unwrap();
        assert_eq!(
            (e.addr.port(), e.host.as_str(), e.path.as_str()),
            (443, "127.0.0.1", "/q")
        );
        let name = |e: &Endpoint| e.tls.as_ref().unwrap().server_name().to_str().into_owned();
        assert_eq!(name(&e), "127.0.0.1");
        let e = v6.unwrap();
        assert_eq!((e.addr.port(), e.host.as_str()), (8443, "[::1]:8443"));
        assert_eq!(name(&e), "::1");
    }

    #[test]
    fn heads_give_status_framing_and_keep_alive() {
        let (status, close, framing, len) =
            parse_head(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
                .unwrap()
                .unwrap();
        assert_eq!((status, close, len), (200, false, 38));
        assert!(matches!(framing, Framing::Length(2)));
        let (_, close, _, _) = parse_head(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")
            .unwrap()
            .unwrap();
        assert!(close);
        assert!(
            parse_head(b"HTTP/1.1 200 OK\r\nContent-")
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn chunked_bodies_decode_once_complete() {
        let mut out = Vec::new();
        assert!(!dechunk(b"4\r\nabcd\r\n", &mut out).unwrap());
        assert!(dechunk(b"4\r\nabcd\r\n2;x=y\r\nef\r\n0\r\n\r\n", &mut out).unwrap());
        assert_eq!(out, b"abcdef");
        assert!(dechunk(b"zz\r\n", &mut out).is_err());
    }
}
