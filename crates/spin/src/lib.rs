//! Connections that keep checking their socket for a short while after each
//! exchange instead of going to sleep at once (busy polling): fifowin's
//! listener, and the bench's HTTP floor server built the same way.
//!
//! Why: a client that sends its next request a few tens of microseconds after the
//! last reply finds the server thread asleep in `epoll_wait`, and on a virtual
//! machine waking an idle core costs more than answering a SendMessage
//! (BENCHMARKS.md has the requests per second with and without). Spinning
//! is bounded by [`SpinStream`]'s window, measured from the connection's last
//! read or write, so an idle connection sleeps as before and costs nothing;
//! and a connection whose client usually takes longer than the window to send
//! its next request (a paced load, a test suite that works between calls) is
//! not spun for at all, since spinning in vain takes a core the client may need.
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
    last_active: Instant,
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
            last_active: Instant::now(),
            replied_at: None,
            typical_gap: Duration::ZERO,
        }
    }

    fn spinning(&self) -> bool {
        !self.window.is_zero()
            && self.typical_gap < self.window
            && self.last_active.elapsed() < self.window
    }

    fn read_done(&mut self) {
        let now = Instant::now();
        if let Some(replied_at) = self.replied_at.take() {
            let gap = now - replied_at;
            self.typical_gap = (self.typical_gap * 3 + gap) / 4;
        }
        self.last_active = now;
    }

    /// Notes a finished write (a reply going out) and passes its result on.
    fn wrote(&mut self, result: Poll<io::Result<usize>>) -> Poll<io::Result<usize>> {
        if result.is_ready() {
            let now = Instant::now();
            self.replied_at = Some(now);
            self.last_active = now;
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
