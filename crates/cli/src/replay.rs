//! `fifowin replay`: replays recorded retry lags against an SQS endpoint and counts
//! the duplicates that get delivered. Against fifowin it moves the server clock, so
//! hours of lag replay in seconds and the observed escapes must equal the analytic
//! count exactly; against any other endpoint it runs in real time.

use std::collections::{HashMap, HashSet};
use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{
    MessageSystemAttributeName, QueueAttributeName, SendMessageBatchRequestEntry,
};
use clap::{Args, ValueEnum};
use fifowin_analyzer::{
    Config, DEFAULT_WINDOW_NS, PlanOptions, ReplayPlan, load_inputs, replay_plan,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

/// Options of `fifowin replay`.
#[derive(Debug, Args)]
pub(crate) struct ReplayArgs {
    /// Inputs, as for `fifowin analyze` (.hlog, .hgrm, CSV/JSONL attempt logs).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// The SQS endpoint, e.g. http://127.0.0.1:9324.
    #[arg(
        long,
        env = "FIFOWIN_ENDPOINT",
        default_value = "http://127.0.0.1:9324"
    )]
    endpoint: String,
    /// Deduplication window the analytic count assumes; must equal the server's.
    #[arg(long, default_value_t = Duration::from_nanos(DEFAULT_WINDOW_NS).into())]
    window: humantime::Duration,
    /// Replay only these sources (repeatable).
    #[arg(long)]
    tag: Vec<String>,
    /// Lags drawn from each source's body (every lag near or past the window is replayed).
    #[arg(long, default_value_t = 1000)]
    body_samples: usize,
    /// Seed of the lag sample.
    #[arg(long, default_value_t = 0x5eed)]
    seed: u64,
    /// Name of the FIFO queue to create (default: fifowin-replay-<ms>.fifo).
    #[arg(long)]
    queue_name: Option<String>,
    /// Keep the queue afterwards instead of deleting it.
    #[arg(long)]
    keep_queue: bool,
    /// Run in real time even against fifowin.
    #[arg(long)]
    real_time: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: ReplayFormat,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum ReplayFormat {
    Table,
    Json,
}

/// One send the replay makes: `at_ms` after the start, with this dedup id.
#[derive(Clone, Debug)]
struct Send {
    at_ms: u64,
    dedup_id: String,
    body: String,
}

/// What the drain found, in Jepsen's words.
#[derive(Debug, Default)]
struct Outcome {
    delivered: u64,
    /// Extra deliveries of an id beyond the first: the duplicates that escaped.
    duplicated: u64,
    /// Ids sent but never delivered.
    lost: u64,
    /// Deliveries of ids this run never sent.
    unexpected: u64,
}

/// Turns the plan into a schedule: every lag pair shares a dedup id, the original
/// at 0 and the duplicate at the lag (in whole ms, floored: with a window of whole
/// ms, `lag >= window` holds exactly when `floor(lag) >= window`); attempt-log
/// sends keep their own ids and offsets from the first send.
fn schedule(plan: &ReplayPlan) -> (Vec<Send>, usize) {
    let mut sends = Vec::new();
    let mut lags: Vec<_> = plan.lags.iter().collect();
    lags.sort_by_key(|l| l.lag_ns);
    for (i, lag) in lags.iter().enumerate() {
        let id = format!("lag-{i}");
        sends.push(Send {
            at_ms: 0,
            dedup_id: id.clone(),
            body: format!("original {id} ({})", lag.tag),
        });
        sends.push(Send {
            at_ms: lag.lag_ns / 1_000_000,
            dedup_id: id.clone(),
            body: format!("retry {id} ({}) lag_ns={}", lag.tag, lag.lag_ns),
        });
    }
    let start = plan
        .timelines
        .iter()
        .flat_map(|t| t.sends.iter().map(|s| s.t_send_ns))
        .min()
        .unwrap_or(0);
    for timeline in &plan.timelines {
        for s in &timeline.sends {
            sends.push(Send {
                at_ms: (s.t_send_ns - start) / 1_000_000,
                dedup_id: format!("att-{}", timeline.dedup_id),
                body: format!(
                    "attempt {} of {} ({})",
                    s.attempt, timeline.dedup_id, s.source
                ),
            });
        }
    }
    // Stable: at equal times an original precedes its retry.
    sends.sort_by_key(|s| s.at_ms);
    (sends, lags.len())
}

/// How time is moved during the replay.
enum Pace {
    /// fifowin: `POST /_fifowin/clock/advance`.
    ServerClock {
        http: reqwest::Client,
        endpoint: String,
    },
    /// Anything else: wait for real.
    RealTime { start: Instant },
}

impl Pace {
    async fn reach(&mut self, current_ms: &mut u64, target_ms: u64) -> anyhow::Result<()> {
        if target_ms <= *current_ms {
            return Ok(());
        }
        match self {
            Pace::ServerClock { http, endpoint } => {
                let resp = http
                    .post(format!("{endpoint}/_fifowin/clock/advance"))
                    .json(&json!({ "ms": target_ms - *current_ms }))
                    .send()
                    .await
                    .context("advancing the fifowin clock")?;
                if !resp.status().is_success() {
                    bail!("advancing the fifowin clock: HTTP {}", resp.status());
                }
            }
            Pace::RealTime { start } => {
                tokio::time::sleep_until((*start + Duration::from_millis(target_ms)).into()).await;
            }
        }
        *current_ms = target_ms;
        Ok(())
    }
}

/// The fifowin server's dedup window, or `None` if the endpoint is not fifowin.
async fn fifowin_window_ms(http: &reqwest::Client, endpoint: &str) -> Option<u64> {
    let resp = http
        .get(format!("{endpoint}/_fifowin/health"))
        .send()
        .await
        .ok()?;
    let body: serde_json::Value = resp.json().await.ok()?;
    body["dedup_window_ms"].as_u64()
}

async fn client_for(endpoint: &str, fifowin: bool) -> Client {
    if fifowin {
        let config = aws_sdk_sqs::Config::builder()
            .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .region(aws_sdk_sqs::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_sqs::config::Credentials::new(
                "fifowin",
                "fifowin",
                None,
                None,
                "fifowin-replay",
            ))
            .build();
        Client::from_conf(config)
    } else {
        let shared = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .load()
            .await;
        Client::new(&shared)
    }
}

/// What replay shows while it sends: on a terminal, a bar with the send rate
/// and the time left; anywhere else (pipes, CI logs) nothing at all, so the
/// output is the report alone.
struct Progress {
    bar: ProgressBar,
    /// Real time: the bar runs over schedule time, so the time left is the
    /// schedule's rest rather than a guess from a rate that bursts at each lag.
    real_time: bool,
    sent: u64,
    total: u64,
    started: Instant,
}

impl Progress {
    fn new(total: usize, span_ms: u64, real_time: bool, terminal: bool) -> Self {
        let total = total as u64;
        let target = if terminal {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let (length, template) = if real_time {
            (span_ms, REAL_TIME_TEMPLATE)
        } else {
            (total, SERVER_CLOCK_TEMPLATE)
        };
        let bar = ProgressBar::with_draw_target(Some(length), target).with_style(style(template));
        Self {
            bar,
            real_time,
            sent: 0,
            total,
            started: Instant::now(),
        }
    }

    /// `n` more sends went out, at `schedule_ms` into the schedule.
    fn sent(&mut self, n: usize, schedule_ms: u64) {
        self.sent += n as u64;
        let secs = self.started.elapsed().as_secs_f64();
        let rate = if secs > 0.0 {
            self.sent as f64 / secs
        } else {
            0.0
        };
        // The message first: a position change redraws the bar.
        if self.real_time {
            self.bar
                .set_message(format!("{}/{} sends, {rate:.1}/s", self.sent, self.total));
            self.bar.set_position(schedule_ms);
        } else {
            self.bar.set_message(format!("{rate:.0}/s"));
            self.bar.set_position(self.sent);
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Against fifowin's clock: sends are the work, so the rate says the time left.
const SERVER_CLOCK_TEMPLATE: &str = "[{bar:30}] {pos}/{len} sends, {msg}, {eta} left";
/// In real time: the bar is schedule time; the message counts sends.
const REAL_TIME_TEMPLATE: &str = "[{bar:30}] {msg}, {eta} left";

/// A bar style from a template of ours (fixed, so it always parses).
fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("#>.")
}

async fn send_all(
    client: &Client,
    queue_url: &str,
    sends: &[Send],
    pace: &mut Pace,
    progress: &mut Progress,
) -> anyhow::Result<()> {
    let mut current_ms = 0;
    let mut i = 0;
    while i < sends.len() {
        let at = sends[i].at_ms;
        pace.reach(&mut current_ms, at).await?;
        // Sends due at the same instant go out in batches of 10, in order.
        let end = sends[i..]
            .iter()
            .position(|s| s.at_ms != at)
            .map_or(sends.len(), |n| i + n);
        for chunk in sends[i..end].chunks(10) {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(n, s)| {
                    SendMessageBatchRequestEntry::builder()
                        .id(format!("e{n}"))
                        .message_body(&s.body)
                        .message_group_id("replay")
                        .message_deduplication_id(&s.dedup_id)
                        .build()
                        .expect("id and body are set")
                })
                .collect::<Vec<_>>();
            let out = client
                .send_message_batch()
                .queue_url(queue_url)
                .set_entries(Some(entries))
                .send()
                .await
                .context("SendMessageBatch")?;
            if let Some(failed) = out.failed().first() {
                bail!(
                    "SendMessageBatch entry failed: {} {}",
                    failed.code(),
                    failed.message().unwrap_or("")
                );
            }
            progress.sent(chunk.len(), at);
        }
        i = end;
    }
    Ok(())
}

async fn drain(
    client: &Client,
    queue_url: &str,
    sent_ids: &HashSet<String>,
    real_time: bool,
) -> anyhow::Result<Outcome> {
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut outcome = Outcome::default();
    let mut empty_polls = 0;
    loop {
        let out = client
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .visibility_timeout(600)
            .wait_time_seconds(if real_time { 2 } else { 0 })
            .message_system_attribute_names(MessageSystemAttributeName::MessageDeduplicationId)
            .send()
            .await
            .context("ReceiveMessage")?;
        let messages = out.messages();
        if messages.is_empty() {
            empty_polls += 1;
            // Real SQS samples servers on short polls; ask a few times before concluding.
            if !real_time || empty_polls >= 3 {
                break;
            }
            continue;
        }
        empty_polls = 0;
        let mut deletes = Vec::new();
        for (n, m) in messages.iter().enumerate() {
            outcome.delivered += 1;
            let id = m
                .attributes()
                .and_then(|a| a.get(&MessageSystemAttributeName::MessageDeduplicationId))
                .cloned()
                .unwrap_or_default();
            *seen.entry(id).or_default() += 1;
            if let Some(handle) = m.receipt_handle() {
                deletes.push(
                    aws_sdk_sqs::types::DeleteMessageBatchRequestEntry::builder()
                        .id(format!("d{n}"))
                        .receipt_handle(handle)
                        .build()
                        .expect("id and handle are set"),
                );
            }
        }
        client
            .delete_message_batch()
            .queue_url(queue_url)
            .set_entries(Some(deletes))
            .send()
            .await
            .context("DeleteMessageBatch")?;
    }
    for (id, count) in &seen {
        if sent_ids.contains(id) {
            outcome.duplicated += count - 1;
        } else {
            outcome.unexpected += count;
        }
    }
    outcome.lost = sent_ids.iter().filter(|id| !seen.contains_key(*id)).count() as u64;
    Ok(outcome)
}

pub(crate) fn run(args: ReplayArgs) -> anyhow::Result<ExitCode> {
    let window_ns = u64::try_from(args.window.as_nanos()).unwrap_or(u64::MAX);
    let mut cfg = Config::with_window(window_ns);
    cfg.inputs = args.inputs.clone();
    cfg.tags = args.tag.clone();
    let inputs = load_inputs(&cfg.inputs, &cfg)?;
    let options = PlanOptions {
        body_samples: args.body_samples,
        seed: args.seed,
        ..PlanOptions::default()
    };
    let plan = replay_plan(&cfg, &inputs, &options);
    let (sends, pairs) = schedule(&plan);
    let expected = plan.expected_escapes + plan.expected_delivered_duplicates;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(replay(args, plan, sends, pairs, expected))
}

async fn replay(
    args: ReplayArgs,
    plan: ReplayPlan,
    sends: Vec<Send>,
    pairs: usize,
    expected: u64,
) -> anyhow::Result<ExitCode> {
    let endpoint = args.endpoint.trim_end_matches('/').to_string();
    let http = reqwest::Client::new();
    let window_ms = plan.window_ns / 1_000_000;
    let server_window = fifowin_window_ms(&http, &endpoint).await;
    if let Some(server_ms) = server_window
        && server_ms != window_ms
    {
        bail!(
            "the fifowin server's dedup window is {} but --window is {}: pass --window {0}",
            humantime::format_duration(Duration::from_millis(server_ms)),
            humantime::format_duration(Duration::from_millis(window_ms))
        );
    }
    let fifowin = server_window.is_some();
    let virtual_time = fifowin && !args.real_time;
    let span_ms = sends.last().map_or(0, |s| s.at_ms);
    if !virtual_time {
        eprintln!(
            "replaying {} sends in real time against {endpoint}: this takes about {}",
            sends.len(),
            humantime::format_duration(Duration::from_secs(span_ms.div_ceil(1000)))
        );
    }
    let client = client_for(&endpoint, fifowin).await;
    let queue_name = args.queue_name.clone().unwrap_or_else(|| {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        format!("fifowin-replay-{ms}.fifo")
    });
    let queue_url = client
        .create_queue()
        .queue_name(&queue_name)
        .attributes(QueueAttributeName::FifoQueue, "true")
        .attributes(QueueAttributeName::MessageRetentionPeriod, "1209600")
        .send()
        .await
        .with_context(|| format!("creating queue {queue_name}"))?
        .queue_url
        .context("CreateQueue returned no QueueUrl")?;

    let started = Instant::now();
    let mut pace = if virtual_time {
        Pace::ServerClock {
            http: http.clone(),
            endpoint: endpoint.clone(),
        }
    } else {
        Pace::RealTime {
            start: Instant::now(),
        }
    };
    let mut progress = Progress::new(
        sends.len(),
        span_ms,
        !virtual_time,
        std::io::stderr().is_terminal(),
    );
    let sent = send_all(&client, &queue_url, &sends, &mut pace, &mut progress).await;
    progress.finish();
    sent?;
    let send_secs = started.elapsed().as_secs_f64();
    let sent_ids: HashSet<String> = sends.iter().map(|s| s.dedup_id.clone()).collect();
    let outcome = drain(&client, &queue_url, &sent_ids, !virtual_time).await?;
    let elapsed = started.elapsed().as_secs_f64();
    let server_escapes = if fifowin {
        queue_escapes(&http, &endpoint, &queue_name).await
    } else {
        None
    };
    if !args.keep_queue {
        let _ = client.delete_queue().queue_url(&queue_url).send().await;
    }

    let ok = outcome.duplicated == expected && outcome.lost == 0 && outcome.unexpected == 0;
    let per_sec = |n: usize| {
        if send_secs > 0.0 {
            n as f64 / send_secs
        } else {
            0.0
        }
    };
    let report = json!({
        "endpoint": endpoint,
        "queue": queue_name,
        "mode": if virtual_time { "server-clock" } else { "real-time" },
        "window_ms": window_ms,
        "sends": sends.len(),
        "lag_pairs": pairs,
        "attempt_messages": plan.timelines.len(),
        "expected_escapes": expected,
        "delivered": outcome.delivered,
        "duplicated": outcome.duplicated,
        "lost": outcome.lost,
        "unexpected": outcome.unexpected,
        "server_reported_escapes": server_escapes,
        "match": ok,
        "seconds": elapsed,
        "pairs_per_second": per_sec(pairs),
        "sends_per_second": per_sec(sends.len()),
    });
    match args.format {
        ReplayFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        ReplayFormat::Table => print_table(&report),
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

async fn queue_escapes(http: &reqwest::Client, endpoint: &str, queue: &str) -> Option<u64> {
    let body: serde_json::Value = http
        .get(format!("{endpoint}/_fifowin/escapes"))
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let count = body["escapes"]
        .as_array()?
        .iter()
        .filter(|e| e["queue"] == queue)
        .count();
    Some(count as u64)
}

fn print_table(report: &serde_json::Value) {
    let text = |key: &str| report[key].to_string().trim_matches('"').to_string();
    let rows = [
        ("endpoint", text("endpoint")),
        ("mode", text("mode")),
        ("window", format!("{} ms", text("window_ms"))),
        ("sends", text("sends")),
        ("lag pairs", text("lag_pairs")),
        ("attempt-log messages", text("attempt_messages")),
        ("expected escapes", text("expected_escapes")),
        ("delivered", text("delivered")),
        ("duplicated (observed escapes)", text("duplicated")),
        ("lost", text("lost")),
        ("unexpected", text("unexpected")),
        ("server-reported escapes", text("server_reported_escapes")),
        (
            "time",
            format!("{:.2} s", report["seconds"].as_f64().unwrap_or(0.0)),
        ),
        (
            "sends/s",
            format!("{:.0}", report["sends_per_second"].as_f64().unwrap_or(0.0)),
        ),
        (
            "lag pairs/s",
            format!("{:.0}", report["pairs_per_second"].as_f64().unwrap_or(0.0)),
        ),
    ];
    for (name, value) in rows {
        println!("{name:<30} {value}");
    }
    if report["match"] == true {
        println!("MATCH: observed escapes equal the analytic count");
    } else {
        println!(
            "MISMATCH: observed escapes differ from the analytic count, or messages were lost"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_templates_parse() {
        for template in [SERVER_CLOCK_TEMPLATE, REAL_TIME_TEMPLATE] {
            assert!(ProgressStyle::with_template(template).is_ok(), "{template}");
        }
    }

    #[test]
    fn progress_draws_nothing_off_a_terminal() {
        let mut progress = Progress::new(20, 60_000, false, false);
        assert!(progress.bar.is_hidden());
        progress.sent(10, 0);
        progress.sent(10, 60_000);
        assert_eq!(progress.bar.position(), 20);
        assert!(progress.bar.message().ends_with("/s"));
    }

    #[test]
    fn real_time_progress_runs_over_schedule_time() {
        let mut progress = Progress::new(20, 60_000, true, false);
        progress.sent(10, 30_000);
        assert_eq!(progress.bar.position(), 30_000);
        assert_eq!(progress.bar.length(), Some(60_000));
        assert!(progress.bar.message().starts_with("10/20 sends"));
    }
}
