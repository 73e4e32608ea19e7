//! Open-loop pacing for the send scenarios: a dedicated thread releases requests
//! at the target rate, round-robin over the connections, every ~0.1 ms. tokio's
//! timer is millisecond-grained, so pacing from the runtime sends bursts (at 18k
//! req/s, ~20 requests per millisecond tick), and the queueing inside those
//! bursts would be charged to the server.
//!
//! A released request's latency counts from its release: if its connection is
//! still waiting for a slow reply, the time it spends queued counts too
//! (coordinated omission is not hidden); the pacer's own tick slack does not.

use std::time::{Duration, Instant};

use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

/// How a connection learns when to send.
pub(crate) enum Pace {
    /// Closed loop: send again as soon as the reply is in.
    Closed,
    /// Open loop: one release instant per request; `None` once the run is over.
    Open(UnboundedReceiver<Instant>),
}

impl Pace {
    /// The instant the next request's latency counts from, or `None` to stop.
    pub(crate) async fn next(&mut self) -> Option<Instant> {
        match self {
            Pace::Closed => Some(Instant::now()),
            Pace::Open(releases) => releases.recv().await,
        }
    }
}

/// How often the pacing thread wakes.
const TICK: Duration = Duration::from_micros(100);

/// One [`Pace`] per connection: closed loop without a rate, else released by a
/// pacing thread at `rate` requests/s in total until `deadline`.
pub(crate) fn paces(
    rate: Option<f64>,
    connections: usize,
    start: Instant,
    deadline: Instant,
) -> Vec<Pace> {
    let Some(rate) = rate else {
        return (0..connections).map(|_| Pace::Closed).collect();
    };
    let (senders, receivers): (Vec<_>, Vec<_>) =
        (0..connections).map(|_| unbounded_channel()).unzip();
    std::thread::spawn(move || {
        let mut released: u64 = 0;
        loop {
            let now = Instant::now();
            if now >= deadline {
                return;
            }
            // Every request due by now goes out, stamped with this instant.
            let due = (now.saturating_duration_since(start).as_secs_f64() * rate) as u64;
            while released < due {
                let connection = (released % connections as u64) as usize;
                released += 1;
                // A connection that has stopped (request budget spent) drops its end.
                let _ = senders[connection].send(now);
            }
            if senders.iter().all(|s| s.is_closed()) {
                return;
            }
            std::thread::sleep(TICK);
        }
    });
    receivers.into_iter().map(Pace::Open).collect()
}
