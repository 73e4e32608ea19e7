//! Open-loop pacing for the send scenarios: each connection has a fixed
//! schedule, request `k` of connection `c` due at `start + (k * n + c) / rate`
//! for `n` connections, and waits for each due instant inside the generator's
//! own runtime: on a timer until the last millisecond or two (tokio's timer is
//! millisecond-grained), then by yielding to the other connections until the
//! instant. No separate pacing thread: a cross-thread wake-up per request would
//! sit inside every measured latency and be charged to the server.
//!
//! A request's latency counts from its due instant: if its connection is still
//! waiting for a slow reply, the time it spends overdue counts too
//! (coordinated omission is not hidden).

use std::time::{Duration, Instant};

/// How a connection learns when to send.
pub(crate) enum Pace {
    /// Closed loop: send again as soon as the reply is in.
    Closed,
    /// Open loop: the next request is due at `due`, then every `every`, until `deadline`.
    Open {
        due: Instant,
        every: Duration,
        deadline: Instant,
    },
}

/// Left to the timer: waits longer than this sleep, the rest is spun.
const SPIN_BELOW: Duration = Duration::from_millis(2);

impl Pace {
    /// The instant the next request's latency counts from, or `None` to stop.
    pub(crate) async fn next(&mut self) -> Option<Instant> {
        let Pace::Open {
            due,
            every,
            deadline,
        } = self
        else {
            return Some(Instant::now());
        };
        let at = *due;
        if at >= *deadline {
            return None;
        }
        *due += *every;
        loop {
            let now = Instant::now();
            if now >= at {
                return Some(at);
            }
            let wait = at - now;
            if wait > SPIN_BELOW {
                tokio::time::sleep(wait - SPIN_BELOW / 2).await;
            } else {
                // Lets the other connections (and the runtime's I/O) run meanwhile.
                tokio::task::yield_now().await;
            }
        }
    }
}

/// One [`Pace`] per connection: closed loop without a rate, else together
/// `rate` requests/s from `start` until `deadline`, spread evenly.
pub(crate) fn paces(
    rate: Option<f64>,
    connections: usize,
    start: Instant,
    deadline: Instant,
) -> Vec<Pace> {
    let Some(rate) = rate else {
        return (0..connections).map(|_| Pace::Closed).collect();
    };
    let gap = Duration::from_secs_f64(1.0 / rate);
    (0..connections)
        .map(|c| Pace::Open {
            due: start + gap * c as u32,
            every: gap * connections as u32,
            deadline,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn connections_share_the_rate_evenly_and_stop_at_the_deadline() {
        let start = Instant::now();
        let deadline = start + Duration::from_millis(50);
        let mut paces = paces(Some(2000.0), 4, start, deadline);
        // 2000 req/s over 4 connections: each every 2 ms, offset by 0.5 ms.
        let mut dues = Vec::new();
        for pace in &mut paces {
            while let Some(at) = pace.next().await {
                assert!(Instant::now() >= at, "released before its due instant");
                dues.push(at - start);
            }
        }
        assert_eq!(dues.len(), 100);
        dues.sort();
        for (k, due) in dues.iter().enumerate() {
            assert_eq!(*due, Duration::from_micros(500) * k as u32);
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn closed_loop_never_waits() {
        let now = Instant::now();
        let mut paces = paces(None, 2, now, now);
        for pace in &mut paces {
            assert!(pace.next().await.is_some());
        }
    }
}
