//! `fifowin replay`: replays recorded retry lags against an SQS endpoint and counts
//! the duplicates that get delivered. Against fifowin it moves the server clock, so
//! hours of lag replay in seconds and the observed escapes must equal the analytic
//! count exactly; against any other endpoint it runs in real time. The schedule,
//! the tally and the report are the analyzer's (`fifowin_analyzer::replay`); this
//! module drives the SDK, the clock and the progress bar between them.

mod progress;

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
use fifowin_analyzer::replay::{Mode, ReplayReport, RunFacts, Schedule, Tally};
use fifowin_analyzer::{Config, DEFAULT_WINDOW_NS, PlanOptions, load_inputs, replay_plan};
use serde_json::json;

use progress::Progress;

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

async fn send_all(
    client: &Client,
    queue_url: &str,
    schedule: &Schedule,
    pace: &mut Pace,
    progress: &mut Progress,
) -> anyhow::Result<()> {
    let mut current_ms = 0;
    for batch in schedule.batches(10) {
        let at = batch[0].at_ms;
        pace.reach(&mut current_ms, at).await?;
        let entries = batch
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
        progress.sent(batch.len(), at);
    }
    Ok(())
}

async fn drain(
    client: &Client,
    queue_url: &str,
    tally: &mut Tally,
    real_time: bool,
) -> anyhow::Result<()> {
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
            let id = m
                .attributes()
                .and_then(|a| a.get(&MessageSystemAttributeName::MessageDeduplicationId));
            tally.delivered(id.map_or("", String::as_str));
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
    Ok(())
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
    let schedule = Schedule::from_plan(&plan);
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(replay(args, plan.window_ns / 1_000_000, schedule))
}

async fn replay(args: ReplayArgs, window_ms: u64, schedule: Schedule) -> anyhow::Result<ExitCode> {
    let endpoint = args.endpoint.trim_end_matches('/').to_string();
    let http = reqwest::Client::new();
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
    let span_ms = schedule.span_ms();
    if !virtual_time {
        eprintln!(
            "replaying {} sends in real time against {endpoint}: this takes about {}",
            schedule.sends.len(),
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
        schedule.sends.len(),
        span_ms,
        !virtual_time,
        std::io::stderr().is_terminal(),
    );
    let sent = send_all(&client, &queue_url, &schedule, &mut pace, &mut progress).await;
    progress.finish();
    sent?;
    let send_seconds = started.elapsed().as_secs_f64();
    let mut tally = Tally::new(&schedule);
    drain(&client, &queue_url, &mut tally, !virtual_time).await?;
    let seconds = started.elapsed().as_secs_f64();
    let server_escapes = if fifowin {
        queue_escapes(&http, &endpoint, &queue_name).await
    } else {
        None
    };
    if !args.keep_queue {
        let _ = client.delete_queue().queue_url(&queue_url).send().await;
    }

    let report = ReplayReport::new(
        &schedule,
        tally.outcome(),
        RunFacts {
            endpoint,
            queue: queue_name,
            mode: if virtual_time {
                Mode::ServerClock
            } else {
                Mode::RealTime
            },
            window_ms,
            server_reported_escapes: server_escapes,
            send_seconds,
            seconds,
        },
    );
    let mut out = std::io::stdout().lock();
    match args.format {
        ReplayFormat::Json => report.write_json(&mut out)?,
        ReplayFormat::Table => report.write_table(&mut out)?,
    }
    Ok(if report.matches {
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
