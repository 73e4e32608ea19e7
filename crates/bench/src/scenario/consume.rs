//! Scenarios that receive: receive-delete (pre-filled queue), mixed (producers and
//! consumers at once) and long-poll (paced producers, consumers parked in long polls).
//!
//! Every message body starts `group:seq:sent_us:`. Group `g` is produced by one
//! connection only, so its messages are sent in `seq` order, and a FIFO queue must
//! deliver them in that order, each once: the shared [`OrderBook`] checks this as
//! messages arrive (a group's next message can only be delivered after its previous
//! one was deleted, so arrivals at the book are in delivery order).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use super::{Ctx, Outcome};
use crate::args::Scenario;
use crate::client::Conn;
use crate::error::BenchError;
use crate::sqs::{self, BatchOut, Outgoing, ReceiveOut, SendOut};
use crate::stats::{Check, Pacer, Recorder};

/// In-flight messages stay invisible far longer than any run.
const VISIBILITY_SECONDS: u32 = 120;
/// long-poll: the producers' total rate when --rate is not given.
const DEFAULT_LONG_POLL_RATE: f64 = 1000.0;

/// Delivery order per group, as seen by all consumers.
#[derive(Default)]
struct OrderBook {
    /// Next expected `seq` per group.
    next: Vec<u64>,
    delivered: u64,
    duplicates: u64,
    out_of_order: u64,
    unreadable: u64,
}

impl OrderBook {
    fn new(groups: usize) -> Self {
        OrderBook {
            next: vec![0; groups],
            ..OrderBook::default()
        }
    }

    fn see(&mut self, group: usize, seq: u64) {
        self.delivered += 1;
        let Some(next) = self.next.get_mut(group) else {
            self.unreadable += 1;
            return;
        };
        if seq < *next {
            self.duplicates += 1;
        } else {
            if seq > *next {
                self.out_of_order += 1;
            }
            *next = seq + 1;
        }
    }

    fn check(&self, check: &mut Check) {
        check.expect(
            self.duplicates == 0 && self.unreadable == 0,
            format!(
                "{} delivered, {} delivered twice, {} unreadable",
                self.delivered, self.duplicates, self.unreadable
            ),
        );
        check.expect(
            self.out_of_order == 0,
            format!("FIFO order per group: {} out of order", self.out_of_order),
        );
    }
}

/// `group:seq:sent_us:` -> (group, seq, sent_us).
fn parse_head(body: &str) -> Option<(usize, u64, u64)> {
    let mut parts = body.splitn(4, ':');
    let group = parts.next()?.parse().ok()?;
    let seq = parts.next()?.parse().ok()?;
    let sent = parts.next()?.parse().ok()?;
    Some((group, seq, sent))
}

fn micros_since(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// Groups owned by producer `index` of `producers`.
fn owned(groups: usize, producers: usize, index: usize) -> Vec<usize> {
    (index..groups).step_by(producers).collect()
}

/// receive-delete: sends --prefill messages in batches of 10 (unmeasured). Returns
/// how many were stored; any failure aborts, since the order check needs every seq.
pub(super) async fn prefill(ctx: &Ctx) -> Result<u64, BenchError> {
    let plan = &ctx.plan;
    let give_up = Instant::now() + plan.prefill_timeout;
    let mut tasks = JoinSet::new();
    for index in 0..plan.connections {
        let groups = owned(plan.groups, plan.connections, index);
        // Group g gets prefill/groups messages, the first groups one more.
        let quota = |g: usize| {
            plan.prefill / plan.groups as u64
                + u64::from((g as u64) < plan.prefill % plan.groups as u64)
        };
        let mut plan_for: Vec<(usize, u64)> = groups.iter().map(|&g| (g, quota(g))).collect();
        let (endpoint, url, pad, names) = (
            plan.endpoint.clone(),
            ctx.queue_url.clone(),
            ctx.pad.clone(),
            ctx.group_names.clone(),
        );
        let body_bytes = plan.body_bytes;
        let nonce = ctx.nonce.clone();
        tasks.spawn(async move {
            let mut conn = Conn::new(endpoint);
            let mut sent = 0u64;
            let mut next_seq = vec![0u64; names.len()];
            let mut buf = Vec::new();
            let mut batch: Vec<(usize, String, String)> = Vec::new();
            while Instant::now() < give_up {
                batch.clear();
                for (g, left) in plan_for.iter_mut().filter(|(_, left)| *left > 0) {
                    if batch.len() == 10 {
                        break;
                    }
                    let seq = next_seq[*g];
                    next_seq[*g] += 1;
                    *left -= 1;
                    let mut body = format!("{g}:{seq}:0:");
                    body.push_str(&pad[..body_bytes.saturating_sub(body.len()).min(pad.len())]);
                    batch.push((*g, format!("{nonce}-p-{g}-{seq}"), body));
                }
                if batch.is_empty() {
                    break;
                }
                let entries = batch.iter().map(|(g, id, body)| Outgoing {
                    group: &names[*g],
                    dedup_id: id,
                    body,
                });
                sqs::send_batch(&mut buf, &url, entries);
                let reply = conn.call("SendMessageBatch", &buf).await;
                let out = reply
                    .map_err(|e| e.to_string())
                    .and_then(|r| sqs::parse::<BatchOut>(&r))
                    .map_err(|e| BenchError::Setup(format!("prefill: {e}")))?;
                if !out.failed.is_empty() {
                    return Err(BenchError::Setup(format!(
                        "prefill: {} batch entries failed",
                        out.failed.len()
                    )));
                }
                sent += out.successful.len() as u64;
            }
            Ok(sent)
        });
    }
    let mut total = 0;
    while let Some(done) = tasks.join_next().await {
        total += done.expect("a prefill task panicked")?;
    }
    Ok(total)
}

/// What consumers and producers share during a run.
struct Shared {
    book: Mutex<OrderBook>,
    /// Messages acknowledged by SendMessage (mixed, long-poll).
    sent: AtomicU64,
    /// Sends that failed: stored or not, unknown.
    uncertain: AtomicU64,
    /// Messages whose DeleteMessageBatch entry succeeded.
    deleted: AtomicU64,
    producers_done: AtomicBool,
}

impl Shared {
    fn new(groups: usize) -> Arc<Shared> {
        Arc::new(Shared {
            book: Mutex::new(OrderBook::new(groups)),
            sent: AtomicU64::new(0),
            uncertain: AtomicU64::new(0),
            deleted: AtomicU64::new(0),
            producers_done: AtomicBool::new(false),
        })
    }

    fn book(&self) -> std::sync::MutexGuard<'_, OrderBook> {
        self.book.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// When a consumer stops.
#[derive(Copy, Clone)]
enum Until {
    /// receive-delete: the deadline, or every pre-filled message deleted.
    Drained(u64),
    /// mixed: the deadline.
    Deadline,
    /// long-poll: producers done and everything sent deleted, or this instant.
    Delivered(Instant),
}

async fn consumer(ctx: Arc<Ctx>, shared: Arc<Shared>, until: Until, wait: u32) -> Recorder {
    let mut rec = Recorder::new(ctx.measure_from);
    let mut conn = Conn::new(ctx.plan.endpoint.clone());
    let receive = sqs::receive(&ctx.queue_url, 10, VISIBILITY_SECONDS, wait);
    let mut buf = Vec::new();
    let long_poll = matches!(until, Until::Delivered(_));
    loop {
        let go_on = match until {
            Until::Drained(total) => {
                ctx.more(rec.requests) && shared.deleted.load(Ordering::Relaxed) < total
            }
            Until::Deadline => ctx.more(rec.requests),
            Until::Delivered(limit) => {
                Instant::now() < limit
                    && !(shared.producers_done.load(Ordering::Relaxed)
                        && shared.deleted.load(Ordering::Relaxed)
                            >= shared.sent.load(Ordering::Relaxed))
            }
        };
        if !go_on {
            break;
        }
        let origin = Instant::now();
        let reply = conn.call("ReceiveMessage", &receive).await;
        let out = match reply
            .map_err(|e| e.to_string())
            .and_then(|r| sqs::parse::<ReceiveOut>(&r))
        {
            Ok(out) => out,
            Err(e) => {
                rec.error(|| e);
                continue;
            }
        };
        // A long poll's latency is mostly waiting by design: count it, don't time it.
        if long_poll {
            rec.add_requests(origin, 1);
        } else {
            rec.ok(origin, 0);
        }
        if out.messages.is_empty() {
            continue;
        }
        {
            let now_us = micros_since(ctx.start);
            let mut book = shared.book();
            for m in &out.messages {
                match parse_head(&m.body) {
                    Some((group, seq, sent_us)) => {
                        book.see(group, seq);
                        if long_poll {
                            rec.delivered(Duration::from_micros(now_us.saturating_sub(sent_us)));
                        }
                    }
                    None => book.unreadable += 1,
                }
            }
        }
        let origin = Instant::now();
        sqs::delete_batch(
            &mut buf,
            &ctx.queue_url,
            out.messages.iter().map(|m| m.receipt_handle.as_str()),
        );
        let reply = conn.call("DeleteMessageBatch", &buf).await;
        match reply
            .map_err(|e| e.to_string())
            .and_then(|r| sqs::parse::<BatchOut>(&r))
        {
            Ok(done) => {
                let n = done.successful.len() as u64;
                shared.deleted.fetch_add(n, Ordering::Relaxed);
                rec.ok(origin, n);
                if !done.failed.is_empty() {
                    rec.error(|| format!("{} delete entries failed", done.failed.len()));
                }
            }
            Err(e) => rec.error(|| e),
        }
    }
    rec
}

/// Sends single messages on the groups it owns, in `seq` order per group.
async fn producer(
    ctx: Arc<Ctx>,
    shared: Arc<Shared>,
    index: usize,
    producers: usize,
    rate: Option<f64>,
) -> Recorder {
    let plan = &ctx.plan;
    let mut rec = Recorder::new(ctx.measure_from);
    let mut conn = Conn::new(plan.endpoint.clone());
    let mut pacer = Pacer::new(rate, producers, index, ctx.start);
    let groups = owned(plan.groups, producers, index);
    let mut next_seq = vec![0u64; plan.groups];
    let (mut buf, mut body, mut id) = (Vec::new(), String::new(), String::new());
    let mut n = 0usize;
    while !groups.is_empty() && ctx.more(rec.requests) {
        let g = groups[n % groups.len()];
        n += 1;
        let seq = next_seq[g];
        next_seq[g] += 1;
        let origin = pacer.wait().await;
        ctx.body(
            &mut body,
            format_args!("{g}:{seq}:{}:", micros_since(ctx.start)),
        );
        id.clear();
        let _ = write!(id, "{}-{g}-{seq}", ctx.nonce);
        let m = Outgoing {
            group: &ctx.group_names[g],
            dedup_id: &id,
            body: &body,
        };
        sqs::send(&mut buf, &ctx.queue_url, &m);
        let reply = conn.call("SendMessage", &buf).await;
        match reply
            .map_err(|e| e.to_string())
            .and_then(|r| sqs::parse::<SendOut>(&r))
        {
            Ok(_) => {
                shared.sent.fetch_add(1, Ordering::Relaxed);
                rec.ok(origin, 0);
            }
            Err(e) => {
                shared.uncertain.fetch_add(1, Ordering::Relaxed);
                rec.error(|| e);
            }
        }
    }
    rec
}

/// Receives and deletes until every connection has seen a few empty receives in a
/// row (FIFO groups in flight on another connection also answer empty). Unmeasured.
pub(super) async fn drain(ctx: &Arc<Ctx>) -> Result<u64, BenchError> {
    const EMPTY_IN_A_ROW: u32 = 3;
    let mut tasks = JoinSet::new();
    for _ in 0..ctx.plan.connections {
        let ctx = Arc::clone(ctx);
        tasks.spawn(async move {
            let mut conn = Conn::new(ctx.plan.endpoint.clone());
            let receive = sqs::receive(&ctx.queue_url, 10, VISIBILITY_SECONDS, 0);
            let (mut buf, mut drained, mut empty) = (Vec::new(), 0u64, 0);
            while empty < EMPTY_IN_A_ROW {
                let reply = conn.call("ReceiveMessage", &receive).await;
                let out = reply
                    .map_err(|e| e.to_string())
                    .and_then(|r| sqs::parse::<ReceiveOut>(&r))
                    .map_err(|e| BenchError::Setup(format!("drain: {e}")))?;
                if out.messages.is_empty() {
                    empty += 1;
                    continue;
                }
                empty = 0;
                let handles = out.messages.iter().map(|m| m.receipt_handle.as_str());
                sqs::delete_batch(&mut buf, &ctx.queue_url, handles);
                let reply = conn.call("DeleteMessageBatch", &buf).await;
                let done = reply
                    .map_err(|e| e.to_string())
                    .and_then(|r| sqs::parse::<BatchOut>(&r))
                    .map_err(|e| BenchError::Setup(format!("drain: {e}")))?;
                drained += done.successful.len() as u64;
            }
            Ok::<u64, BenchError>(drained)
        });
    }
    let mut total = 0;
    while let Some(done) = tasks.join_next().await {
        total += done.expect("a drain task panicked")?;
    }
    Ok(total)
}

async fn collect(ctx: &Ctx, mut tasks: JoinSet<Recorder>) -> Recorder {
    let mut rec = Recorder::new(ctx.measure_from);
    while let Some(done) = tasks.join_next().await {
        rec.merge(done.expect("a connection task panicked"));
    }
    rec
}

pub(super) async fn receive_delete(ctx: &Arc<Ctx>, prefilled: u64) -> Outcome {
    let shared = Shared::new(ctx.plan.groups);
    let mut tasks = JoinSet::new();
    for _ in 0..ctx.plan.connections {
        tasks.spawn(consumer(
            Arc::clone(ctx),
            Arc::clone(&shared),
            Until::Drained(prefilled),
            0,
        ));
    }
    let rec = collect(ctx, tasks).await;
    let mut check = Check::default();
    shared.book().check(&mut check);
    let left = prefilled - shared.deleted.load(Ordering::Relaxed).min(prefilled);
    check.expect(true, format!("{prefilled} pre-filled"));
    Outcome {
        rec,
        expected_stored: left..=left,
        check,
    }
}

/// mixed and long-poll: producers on half the connections, consumers on the rest.
async fn produce_and_consume(
    ctx: &Arc<Ctx>,
    rate: Option<f64>,
    until: Until,
    wait: u32,
) -> Outcome {
    let shared = Shared::new(ctx.plan.groups);
    let producers = ctx.plan.connections / 2;
    let mut sending = JoinSet::new();
    for index in 0..producers {
        sending.spawn(producer(
            Arc::clone(ctx),
            Arc::clone(&shared),
            index,
            producers,
            rate,
        ));
    }
    let mut receiving = JoinSet::new();
    for _ in producers..ctx.plan.connections {
        receiving.spawn(consumer(Arc::clone(ctx), Arc::clone(&shared), until, wait));
    }
    let mut rec = collect(ctx, sending).await;
    shared.producers_done.store(true, Ordering::Relaxed);
    rec.merge(collect(ctx, receiving).await);
    let mut check = Check::default();
    shared.book().check(&mut check);
    let sent = shared.sent.load(Ordering::Relaxed);
    let left = sent.saturating_sub(shared.deleted.load(Ordering::Relaxed));
    let uncertain = shared.uncertain.load(Ordering::Relaxed);
    Outcome {
        rec,
        expected_stored: left..=left + uncertain,
        check,
    }
}

pub(super) async fn mixed(ctx: &Arc<Ctx>) -> Outcome {
    produce_and_consume(ctx, ctx.plan.rate, Until::Deadline, 0).await
}

pub(super) async fn long_poll(ctx: &Arc<Ctx>) -> Outcome {
    debug_assert_eq!(ctx.plan.scenario, Scenario::LongPoll);
    let wait = ctx.plan.wait_seconds;
    // Consumers may still be parked in a poll when the producers stop.
    let limit = ctx.deadline + Duration::from_secs(u64::from(wait) + 2);
    let rate = Some(ctx.plan.rate.unwrap_or(DEFAULT_LONG_POLL_RATE));
    produce_and_consume(ctx, rate, Until::Delivered(limit), wait).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_book_counts_duplicates_and_gaps() {
        let mut book = OrderBook::new(2);
        for (g, s) in [(0, 0), (1, 0), (0, 1), (0, 1), (1, 2), (5, 0)] {
            book.see(g, s);
        }
        assert_eq!(
            (
                book.delivered,
                book.duplicates,
                book.out_of_order,
                book.unreadable
            ),
            (6, 1, 1, 1)
        );
    }

    #[test]
    fn heads_parse_and_groups_split() {
        assert_eq!(parse_head("3:17:99:abc"), Some((3, 17, 99)));
        assert_eq!(parse_head("x"), None);
        assert_eq!(owned(5, 2, 0), vec![0, 2, 4]);
        assert_eq!(owned(5, 2, 1), vec![1, 3]);
    }
}
