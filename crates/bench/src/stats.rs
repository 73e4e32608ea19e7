//! What a run measures: per-connection [`Recorder`]s (HdrHistogram latencies, counts,
//! a few error samples) merged into a [`Report`], and the open-loop [`Pacer`].

use std::fmt;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// Error samples kept per run: enough to see what went wrong, not a log.
const ERROR_SAMPLES: usize = 5;

/// Nanosecond histogram from 1 ns to 10 minutes, 3 significant digits.
fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 600_000_000_000, 3).expect("valid histogram bounds")
}

/// One connection's measurements.
pub(crate) struct Recorder {
    /// Requests issued before this instant are warm-up: sent, not measured.
    measure_from: Instant,
    pub latency: Histogram<u64>,
    /// Send-to-receive latency of delivered messages (long-poll).
    pub delivery: Histogram<u64>,
    pub requests: u64,
    pub messages: u64,
    pub errors: u64,
    pub error_samples: Vec<String>,
    /// When the last measured request completed.
    pub last_done: Option<Instant>,
}

impl Recorder {
    pub(crate) fn new(measure_from: Instant) -> Recorder {
        Recorder {
            measure_from,
            latency: histogram(),
            delivery: histogram(),
            requests: 0,
            messages: 0,
            errors: 0,
            error_samples: Vec::new(),
            last_done: None,
        }
    }

    /// Whether a request issued at `origin` counts.
    pub(crate) fn measured(&self, origin: Instant) -> bool {
        origin >= self.measure_from
    }

    /// A successful request issued at `origin` carrying `messages` messages.
    pub(crate) fn ok(&mut self, origin: Instant, messages: u64) {
        if !self.measured(origin) {
            return;
        }
        let done = Instant::now();
        let nanos = u64::try_from(done.duration_since(origin).as_nanos()).unwrap_or(u64::MAX);
        self.latency.saturating_record(nanos.max(1));
        self.requests += 1;
        self.messages += messages;
        self.last_done = Some(done);
    }

    /// A successful request counted but not timed (a long poll waits by design).
    pub(crate) fn add_requests(&mut self, origin: Instant, requests: u64) {
        if self.measured(origin) {
            self.requests += requests;
            self.last_done = Some(Instant::now());
        }
    }

    /// A message delivered `latency` after it was sent.
    pub(crate) fn delivered(&mut self, latency: Duration) {
        let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.delivery.saturating_record(nanos.max(1));
    }

    /// A failed request (transport error, non-200, unreadable reply, failed entry).
    pub(crate) fn error(&mut self, what: impl FnOnce() -> String) {
        self.errors += 1;
        if self.error_samples.len() < ERROR_SAMPLES {
            self.error_samples.push(what());
        }
    }

    pub(crate) fn merge(&mut self, other: Recorder) {
        self.latency.add(&other.latency).expect("same bounds");
        self.delivery.add(&other.delivery).expect("same bounds");
        self.requests += other.requests;
        self.messages += other.messages;
        self.errors += other.errors;
        for s in other.error_samples {
            if self.error_samples.len() < ERROR_SAMPLES {
                self.error_samples.push(s);
            }
        }
        self.last_done = self.last_done.max(other.last_done);
    }
}

/// Open-loop pacing of one connection: requests are due every `interval`, and a
/// request's latency counts from when it was due, so time spent queued behind a
/// slow reply is not hidden (coordinated omission). tokio's timer is
/// millisecond-grained, though: when the pacer itself wakes late, requests that
/// fell due while it slept count from the wake-up instead, so timer slack is not
/// blamed on the server. (Requests sent in such a burst still wait for each
/// other's replies on the one connection, which errs on the side of slower.)
pub(crate) struct Pacer {
    interval: Option<Duration>,
    next: Instant,
    /// When the pacer last woke from a sleep.
    woke: Instant,
}

impl Pacer {
    /// `rate` requests/s shared by `connections`; this is connection `index`.
    pub(crate) fn new(
        rate: Option<f64>,
        connections: usize,
        index: usize,
        start: Instant,
    ) -> Pacer {
        let interval = rate.map(|r| Duration::from_secs_f64(connections as f64 / r));
        let offset = interval.map_or(Duration::ZERO, |i| i * index as u32 / connections as u32);
        Pacer {
            interval,
            next: start + offset,
            woke: start,
        }
    }

    /// Waits until the next request is due; returns the instant its latency counts from.
    pub(crate) async fn wait(&mut self) -> Instant {
        let Some(interval) = self.interval else {
            return Instant::now();
        };
        let due = self.next;
        self.next += interval;
        if Instant::now() < due {
            tokio::time::sleep_until(due.into()).await;
            self.woke = Instant::now();
        }
        due.max(self.woke)
    }
}

/// The correctness verdict of one run.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Check {
    /// `None` when the check was skipped.
    pub passed: Option<bool>,
    /// One line per thing checked, with what was expected and found.
    pub details: Vec<String>,
}

impl Check {
    pub(crate) fn skipped() -> Check {
        Check {
            passed: None,
            details: vec!["skipped (--no-check)".into()],
        }
    }

    /// Records one check.
    pub(crate) fn expect(&mut self, ok: bool, detail: String) {
        self.passed = Some(self.passed.unwrap_or(true) && ok);
        self.details
            .push(format!("{} {detail}", if ok { "ok  " } else { "FAIL" }));
    }
}

/// One scenario's results, as printed and as stored in results files.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Report {
    pub label: String,
    pub scenario: String,
    pub endpoint: String,
    pub connections: usize,
    pub rate: Option<f64>,
    pub seconds: f64,
    pub requests: u64,
    pub messages: u64,
    pub errors: u64,
    pub req_per_s: f64,
    pub msg_per_s: f64,
    pub p50_us: f64,
    pub p99_us: f64,
    pub p999_us: f64,
    pub max_us: f64,
    /// Send-to-receive latency percentiles (long-poll only).
    pub delivery_p50_us: Option<f64>,
    pub delivery_p99_us: Option<f64>,
    /// How long the generator's threads were runnable but waiting for a core while
    /// measuring (Linux schedstat): stalls of the machine that count as latency.
    /// Absent from results files written before it was measured.
    #[serde(default)]
    pub generator_off_core_ms: Option<f64>,
    pub check: Check,
    pub error_samples: Vec<String>,
}

fn us(h: &Histogram<u64>, q: f64) -> f64 {
    h.value_at_quantile(q) as f64 / 1000.0
}

impl Report {
    pub(crate) fn new(
        label: &str,
        plan: &crate::args::Plan,
        measure_from: Instant,
        rec: &Recorder,
        off_core: Option<Duration>,
        check: Check,
    ) -> Report {
        let seconds = rec
            .last_done
            .map_or(0.0, |d| d.duration_since(measure_from).as_secs_f64());
        let per_s = |n: u64| {
            if seconds > 0.0 {
                n as f64 / seconds
            } else {
                0.0
            }
        };
        let delivered = !rec.delivery.is_empty();
        Report {
            label: label.to_string(),
            scenario: plan.scenario.name().to_string(),
            endpoint: format!(
                "{}://{}{}",
                if plan.endpoint.tls.is_some() {
                    "https"
                } else {
                    "http"
                },
                plan.endpoint.host,
                plan.endpoint.path
            ),
            connections: plan.connections,
            rate: plan.rate,
            seconds,
            requests: rec.requests,
            messages: rec.messages,
            errors: rec.errors,
            req_per_s: per_s(rec.requests),
            msg_per_s: per_s(rec.messages),
            p50_us: us(&rec.latency, 0.5),
            p99_us: us(&rec.latency, 0.99),
            p999_us: us(&rec.latency, 0.999),
            max_us: rec.latency.max() as f64 / 1000.0,
            delivery_p50_us: delivered.then(|| us(&rec.delivery, 0.5)),
            delivery_p99_us: delivered.then(|| us(&rec.delivery, 0.99)),
            generator_off_core_ms: off_core.map(|d| d.as_secs_f64() * 1000.0),
            check,
            error_samples: rec.error_samples.clone(),
        }
    }
}

/// Microseconds, as `87µs` or `1.24ms`.
pub(crate) struct Micros(pub f64);

impl fmt::Display for Micros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 >= 1000.0 {
            write!(f, "{:.2}ms", self.0 / 1000.0)
        } else {
            write!(f, "{:.0}µs", self.0)
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rate = self.rate.map_or("closed loop".to_string(), |r| {
            format!("open loop {r:.0} req/s")
        });
        writeln!(
            f,
            "{} {} on {} ({} connections, {rate}, {:.1}s measured)",
            self.label, self.scenario, self.endpoint, self.connections, self.seconds
        )?;
        writeln!(
            f,
            "  throughput  {:.0} req/s  {:.0} msg/s  ({} requests, {} errors)",
            self.req_per_s, self.msg_per_s, self.requests, self.errors
        )?;
        writeln!(
            f,
            "  latency     p50 {}  p99 {}  p99.9 {}  max {}",
            Micros(self.p50_us),
            Micros(self.p99_us),
            Micros(self.p999_us),
            Micros(self.max_us)
        )?;
        if let (Some(p50), Some(p99)) = (self.delivery_p50_us, self.delivery_p99_us) {
            writeln!(
                f,
                "  delivery    p50 {}  p99 {}  (send to receive)",
                Micros(p50),
                Micros(p99)
            )?;
        }
        if let Some(ms) = self.generator_off_core_ms {
            writeln!(
                f,
                "  off-core    {ms:.1} ms (generator runnable, waiting for a core; {:.2}% of the run)",
                if self.seconds > 0.0 {
                    100.0 * ms / (self.seconds * 1000.0)
                } else {
                    0.0
                }
            )?;
        }
        for e in &self.error_samples {
            writeln!(f, "  error       {e}")?;
        }
        let verdict = match self.check.passed {
            Some(true) => "PASS",
            Some(false) => "FAIL",
            None => "SKIPPED",
        };
        writeln!(f, "  check       {verdict}")?;
        for d in &self.check.details {
            writeln!(f, "    {d}")?;
        }
        Ok(())
    }
}
