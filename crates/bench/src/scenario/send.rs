//! The send scenarios. Each connection sends its own dedup ids
//! (`<nonce>-<connection>-<n>`): send-unique never repeats one, send-dup50 sends
//! each twice in a row and checks that the repeat is answered with the original
//! MessageId (SQS's duplicate reply), send-batch10 sends ten new ones per request.

use std::fmt::Write as _;
use std::sync::Arc;

use tokio::task::JoinSet;

use super::{Ctx, Outcome};
use crate::args::Scenario;
use crate::client::Conn;
use crate::pace::{Pace, paces};
use crate::sqs::{self, BatchOut, Outgoing, SendOut};
use crate::stats::{Check, Recorder};

/// One connection's results.
struct Tally {
    rec: Recorder,
    /// New messages the server acknowledged.
    accepted: u64,
    /// Sends that failed: the server may or may not have stored them.
    uncertain: u64,
    /// Repeats compared with their original's MessageId, and how many differed.
    repeats: u64,
    mismatches: u64,
}

pub(super) async fn run(ctx: &Arc<Ctx>) -> Outcome {
    let mut tasks = JoinSet::new();
    let paces = paces(ctx.plan.rate, ctx.plan.connections, ctx.start, ctx.deadline);
    for (index, pace) in paces.into_iter().enumerate() {
        tasks.spawn(connection(Arc::clone(ctx), index, pace));
    }
    let mut rec = Recorder::new(ctx.measure_from);
    let (mut accepted, mut uncertain, mut repeats, mut mismatches) = (0, 0, 0, 0);
    while let Some(done) = tasks.join_next().await {
        let t = done.expect("a send task panicked");
        rec.merge(t.rec);
        accepted += t.accepted;
        uncertain += t.uncertain;
        repeats += t.repeats;
        mismatches += t.mismatches;
    }
    let mut check = Check::default();
    if ctx.plan.scenario == Scenario::SendDup50 {
        check.expect(
            mismatches == 0,
            format!("{repeats} repeats answered with the original MessageId, {mismatches} not"),
        );
    }
    Outcome {
        rec,
        expected_stored: accepted..=accepted + uncertain,
        check,
    }
}

async fn connection(ctx: Arc<Ctx>, index: usize, mut pace: Pace) -> Tally {
    let plan = &ctx.plan;
    let mut conn = Conn::new(plan.endpoint.clone());
    let mut t = Tally {
        rec: Recorder::new(ctx.measure_from),
        accepted: 0,
        uncertain: 0,
        repeats: 0,
        mismatches: 0,
    };
    let mut buf = Vec::with_capacity(1024);
    let mut body = String::new();
    ctx.body(&mut body, format_args!(""));
    let mut ids: Vec<String> = vec![String::new(); 10];
    // send-dup50: the MessageId the current id's first send got (None: it failed).
    let mut original: Option<String> = None;
    let mut n: u64 = 0;
    while ctx.more(t.rec.requests) {
        let Some(origin) = pace.next().await else {
            break;
        };
        if plan.scenario == Scenario::SendBatch10 {
            for (j, id) in ids.iter_mut().enumerate() {
                id.clear();
                let _ = write!(id, "{}-{index}-{}", ctx.nonce, n * 10 + j as u64);
            }
            let group = &ctx.group_names[(n as usize + index) % plan.groups];
            let entries = ids.iter().map(|id| Outgoing {
                group,
                dedup_id: id,
                body: &body,
            });
            sqs::send_batch(&mut buf, &ctx.queue_url, entries);
            let reply = conn.call("SendMessageBatch", &buf).await;
            match reply
                .map_err(|e| e.to_string())
                .and_then(|r| sqs::parse::<BatchOut>(&r))
            {
                Ok(out) => {
                    t.accepted += out.successful.len() as u64;
                    t.rec.ok(origin, out.successful.len() as u64);
                    if !out.failed.is_empty() {
                        t.rec
                            .error(|| format!("{} batch entries failed", out.failed.len()));
                    }
                }
                Err(e) => {
                    t.uncertain += 10;
                    t.rec.error(|| e);
                }
            }
        } else {
            let repeat = plan.scenario == Scenario::SendDup50 && n % 2 == 1;
            let seq = if plan.scenario == Scenario::SendDup50 {
                n / 2
            } else {
                n
            };
            let id = &mut ids[0];
            id.clear();
            let _ = write!(id, "{}-{index}-{seq}", ctx.nonce);
            let m = Outgoing {
                group: &ctx.group_names[(seq as usize + index) % plan.groups],
                dedup_id: id,
                body: &body,
            };
            sqs::send(&mut buf, &ctx.queue_url, &m);
            let reply = conn.call("SendMessage", &buf).await;
            match reply
                .map_err(|e| e.to_string())
                .and_then(|r| sqs::parse::<SendOut>(&r))
            {
                Ok(SendOut { message_id }) => {
                    t.rec.ok(origin, 1);
                    match (repeat, &original) {
                        (false, _) => {
                            t.accepted += 1;
                            // Only send-dup50 looks at the id again.
                            if plan.scenario == Scenario::SendDup50 {
                                original = message_id.map(|id| id.into_owned());
                            }
                        }
                        (true, Some(first)) => {
                            t.repeats += 1;
                            if message_id.as_deref() != Some(first.as_str()) {
                                t.mismatches += 1;
                            }
                        }
                        // The original failed: this one may have been stored as new.
                        (true, None) => t.uncertain += 1,
                    }
                }
                Err(e) => {
                    if !repeat {
                        t.uncertain += 1;
                        original = None;
                    }
                    t.rec.error(|| e);
                }
            }
        }
        n += 1;
    }
    t
}
