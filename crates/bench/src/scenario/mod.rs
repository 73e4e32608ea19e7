//! Running one scenario: create its queue, drive the connections, check what the
//! server stored against what the generator expects, delete the queue.
//!
//! - [`send`]: send-unique, send-dup50, send-batch10.
//! - [`consume`]: receive-delete, mixed and long-poll, which share the consumer loop
//!   and the per-group order book.

mod consume;
mod send;

use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::args::{BenchArgs, Plan, Scenario};
use crate::client::Conn;
use crate::error::BenchError;
use crate::offcore;
use crate::sqs;
use crate::stats::{Check, Recorder, Report};

/// With --requests, a run still ends after this long.
const REQUESTS_MODE_CAP: Duration = Duration::from_secs(3600);

/// What every connection task of a run shares (read-only).
pub(crate) struct Ctx {
    pub plan: Plan,
    pub queue_url: String,
    /// Makes this run's dedup ids unique on a server that keeps old ones.
    pub nonce: String,
    pub start: Instant,
    pub measure_from: Instant,
    pub deadline: Instant,
    /// `g0`, `g1`, ...
    pub group_names: Vec<String>,
    /// Filler that brings bodies up to --body-bytes.
    pub pad: String,
}

impl Ctx {
    /// Whether a connection that has made `measured` measured requests goes on.
    pub(crate) fn more(&self, measured: u64) -> bool {
        let per_conn = self
            .plan
            .requests
            .map(|n| n.div_ceil(self.plan.connections as u64));
        Instant::now() < self.deadline && per_conn.is_none_or(|n| measured < n)
    }

    /// A body `head` padded to --body-bytes.
    pub(crate) fn body(&self, out: &mut String, head: std::fmt::Arguments<'_>) {
        use std::fmt::Write as _;
        out.clear();
        let _ = out.write_fmt(head);
        let missing = self.plan.body_bytes.saturating_sub(out.len());
        out.push_str(&self.pad[..missing.min(self.pad.len())]);
    }
}

/// What a scenario found, before the stored-count check.
pub(crate) struct Outcome {
    pub rec: Recorder,
    /// Messages the queue should hold afterwards (a range when requests failed in
    /// ways that leave it unknown whether the server stored them).
    pub expected_stored: RangeInclusive<u64>,
    /// Checks made during the run (duplicate ids, delivery order).
    pub check: Check,
}

fn nonce() -> String {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!("{ms:x}{:x}", std::process::id())
}

/// Runs one scenario against the plan's endpoint.
pub(crate) async fn run(args: &BenchArgs, plan: Plan) -> Result<Report, BenchError> {
    let mut setup = Conn::new(plan.endpoint.clone());
    let nonce = nonce();
    let name = args
        .queue_name
        .clone()
        .unwrap_or_else(|| format!("fwbench-{}-{nonce}.fifo", plan.scenario.name()));
    let queue_url = sqs::create_fifo_queue(&mut setup, &name).await?;
    // A queue named by --queue-name may hold messages from an earlier run: the check
    // counts this run's messages on top of them. A queue of the bench's own naming is new.
    let held_before = if args.no_check || args.queue_name.is_none() {
        0
    } else {
        sqs::stored(&mut setup, &queue_url).await?
    };
    let mut ctx = Ctx {
        queue_url: queue_url.clone(),
        nonce,
        start: Instant::now(),
        measure_from: Instant::now(),
        deadline: Instant::now(),
        group_names: (0..plan.groups).map(|g| format!("g{g}")).collect(),
        pad: "abcdefghijklmnopqrstuvwxyz".repeat(plan.body_bytes / 26 + 1),
        plan,
    };
    let prefilled = if ctx.plan.scenario == Scenario::ReceiveDelete {
        consume::prefill(&ctx).await?
    } else {
        0
    };
    ctx.start = Instant::now();
    ctx.measure_from = ctx.start + ctx.plan.warmup;
    ctx.deadline = ctx.measure_from
        + match ctx.plan.requests {
            Some(_) => REQUESTS_MODE_CAP,
            None => ctx.plan.duration,
        };
    let ctx = Arc::new(ctx);
    let measure_from = ctx.measure_from;
    let at_measure_start = tokio::spawn(async move {
        tokio::time::sleep_until(measure_from.into()).await;
        offcore::Snapshot::take()
    });
    let outcome = match ctx.plan.scenario {
        Scenario::SendUnique | Scenario::SendDup50 | Scenario::SendBatch10 => send::run(&ctx).await,
        Scenario::ReceiveDelete => consume::receive_delete(&ctx, prefilled).await,
        Scenario::Mixed => consume::mixed(&ctx).await,
        Scenario::LongPoll => consume::long_poll(&ctx).await,
    };
    let off_core = off_core_since(measure_from, at_measure_start).await;
    let mut check = outcome.check;
    if args.no_check {
        check = Check::skipped();
    } else {
        let stored = sqs::stored(&mut setup, &queue_url).await?;
        let range = (outcome.expected_stored.start() + held_before)
            ..=(outcome.expected_stored.end() + held_before);
        let mut expected = if range.start() == range.end() {
            range.start().to_string()
        } else {
            format!("{}..={}", range.start(), range.end())
        };
        if held_before > 0 {
            expected.push_str(&format!(" ({held_before} held before the run)"));
        }
        check.expect(
            range.contains(&stored),
            format!("stored {stored}, expected {expected}"),
        );
    }
    if args.drain {
        let drained = consume::drain(&ctx).await?;
        let left = sqs::stored(&mut setup, &queue_url).await?;
        check.expect(left == 0, format!("drained {drained}, {left} left"));
    }
    if !args.keep_queue
        && let Err(err) = sqs::delete_queue(&mut setup, &queue_url).await
    {
        // Only leaves the queue behind; the run itself is measured and checked.
        eprintln!("warning: {err}");
    }
    Ok(Report::new(
        &args.label,
        &ctx.plan,
        ctx.measure_from,
        &outcome.rec,
        off_core,
        check,
    ))
}

/// The generator's wait for a core from the start of measurement until now; `None`
/// when the run ended before measuring began or schedstat cannot be read.
async fn off_core_since(
    measure_from: Instant,
    at_measure_start: tokio::task::JoinHandle<Option<offcore::Snapshot>>,
) -> Option<Duration> {
    if Instant::now() < measure_from {
        at_measure_start.abort();
        return None;
    }
    let start = at_measure_start.await.ok()??;
    Some(start.waited_until(&offcore::Snapshot::take()?))
}
