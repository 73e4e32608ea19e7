//! Connections that keep checking their socket for a short while after each
//! exchange instead of going to sleep at once (busy polling): fifowin's
//! listener, and the bench's HTTP floor server built the same way.
//!
//! Why: a client that sends its next request a few tens of microseconds after the
//! last reply finds the server thread asleep in `epoll_wait`, and on a virtual
//! machine waking an idle core costs more than answering a SendMessage
//! (BENCHMARKS.md has the requests per second with and without). Spinning
//! is bounded by [`SpinStream`]'s window, measured from the connection's last
//! reply, so an idle connection sleeps as before and costs nothing. Only the
//! time between a reply and the next request is spun: while a request is
//! still being answered (a durable mode commit, a long poll) its client sends
//! nothing, and spinning then would take CPU from the threads producing the
//! answer and from the clients. A connection whose client usually takes
//! longer than the window to send its next request (a paced load, a test
//! suite that works between calls) is not spun for at all, since spinning in
//! vain takes a core the client may need.
//! While a connection spins it is rescheduled behind every other ready task of
//! its runtime, so it delays no other connection's work.

use std::io::{self, Read};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use socket2::SockRef;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// Most bytes a direct read asks for: the buffer is zeroed before every attempt
/// (safe code cannot hand the kernel uninitialised memory), so keep it small;
/// a SendMessage fits, and hyper simply reads again for a larger request.
const DIRECT_READ_BYTES: usize = 4 * 1024;

/// A TCP stream whose reads, for `window` after the last activity, poll the
/// socket directly and reschedule the task rather than wait for readiness, as
/// long as this client's requests usually follow its replies within `window`.
pub struct SpinStream {
    inner: TcpStream,
    window: Duration,
    /// When the latest reply was written, until the next request's first bytes.
    replied_at: Option<Instant>,
    /// Moving average of the time from a reply to the client's next request.
    typical_gap: Duration,
}

impl SpinStream {
    pub fn new(inner: TcpStream, window: Duration) -> Self {
        Self {
            inner,
            window,
            replied_at: None,
            typical_gap: Duration::ZERO,
        }
    }

    fn spinning(&self) -> bool {
        !self.window.is_zero()
            && self.typical_gap < self.window
            && self
                .replied_at
                .is_some_and(|replied_at| replied_at.elapsed() < self.window)
    }

    fn read_done(&mut self) {
        if let Some(replied_at) = self.replied_at.take() {
            let gap = replied_at.elapsed();
            self.typical_gap = (self.typical_gap * 3 + gap) / 4;
        }
    }

    /// Notes a finished write (a reply going out) and passes its result on.
    fn wrote(&mut self, result: Poll<io::Result<usize>>) -> Poll<io::Result<usize>> {
        if result.is_ready() {
            self.replied_at = Some(Instant::now());
        }
        result
    }
}

impl AsyncRead for SpinStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Poll::Ready(result) = Pin::new(&mut this.inner).poll_read(cx, buf) {
            this.read_done();
            return Poll::Ready(result);
        }
        // tokio answers Pending from its cached readiness without asking the
        // kernel; while spinning, ask the kernel ourselves.
        if !this.spinning() || buf.remaining() == 0 {
            return Poll::Pending;
        }
        let want = buf.remaining().min(DIRECT_READ_BYTES);
        let target = buf.initialize_unfilled_to(want);
        match (&*SockRef::from(&this.inner)).read(target) {
            Ok(n) => {
                buf.advance(n);
                this.read_done();
                Poll::Ready(Ok(()))
            }
            Err(err)
                if matches!(
                    err.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                ) =>
            {
                // Run again after the other ready tasks; the readiness waker stays
                // registered, so a late request still wakes the task after the window.
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Err(err) => Poll::Ready(Err(err)),
        }
    }
}

impl AsyncWrite for SpinStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write(cx, data);
        this.wrote(result)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write_vectored(cx, data);
        this.wrote(result)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    async fn pair(window: Duration) -> (TcpStream, SpinStream) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        (client, SpinStream::new(server, window))
    }

    async fn exchange(client: &mut TcpStream, server: &mut SpinStream) {
        client.write_all(b"request").await.unwrap();
        let mut request = [0u8; 7];
        server.read_exact(&mut request).await.unwrap();
        assert!(
            !server.spinning(),
            "a request being answered is not spun for: its client waits for the reply"
        );
        server.write_all(b"reply").await.unwrap();
        let mut reply = [0u8; 5];
        client.read_exact(&mut reply).await.unwrap();
    }

    #[tokio::test]
    async fn spins_between_a_reply_and_the_next_request_only() {
        let (mut client, mut server) = pair(Duration::from_secs(60)).await;
        assert!(!server.spinning(), "nothing was answered yet");
        exchange(&mut client, &mut server).await;
        assert!(
            server.spinning(),
            "after a reply the next request may follow at once"
        );
        exchange(&mut client, &mut server).await;
        assert!(server.spinning());
    }

    #[tokio::test]
    async fn a_window_of_zero_never_spins() {
        let (mut client, mut server) = pair(Duration::ZERO).await;
        exchange(&mut client, &mut server).await;
        assert!(!server.spinning());
    }

    #[tokio::test]
    async fn a_client_slower_than_the_window_is_not_spun_for() {
        let window = Duration::from_millis(5);
        let (mut client, mut server) = pair(window).await;
        for _ in 0..8 {
            exchange(&mut client, &mut server).await;
            tokio::time::sleep(window * 2).await;
        }
        // The typical gap is now past the window, so even right after a reply
        // the connection waits for readiness instead of spinning.
        exchange(&mut client, &mut server).await;
        assert!(server.typical_gap >= window);
        assert!(!server.spinning());
    }
}
