//! `fifowin bench` options (clap derive) and the validated [`Plan`] a run follows.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::client::Endpoint;
use crate::error::BenchError;
use crate::sigv4::Signer;

/// What the generator does on its connections.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Scenario {
    /// SendMessage to a FIFO queue, every dedup id new.
    SendUnique,
    /// SendMessage, every id sent twice: the second must get the first's MessageId.
    SendDup50,
    /// SendMessageBatch of 10 new messages.
    SendBatch10,
    /// ReceiveMessage (10) + DeleteMessageBatch on a pre-filled queue.
    ReceiveDelete,
    /// Half the connections send, half receive and delete, on N groups; FIFO order checked.
    Mixed,
    /// Producers at a fixed rate fan in to consumers parked in long polls; send-to-receive latency.
    LongPoll,
}

impl Scenario {
    /// The name used on the command line and in results files.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::SendUnique => "send-unique",
            Scenario::SendDup50 => "send-dup50",
            Scenario::SendBatch10 => "send-batch10",
            Scenario::ReceiveDelete => "receive-delete",
            Scenario::Mixed => "mixed",
            Scenario::LongPoll => "long-poll",
        }
    }
}

/// Options of `fifowin bench`.
#[derive(Clone, Debug, Args)]
pub struct BenchArgs {
    /// SQS endpoint speaking AWS JSON 1.0 over HTTP or HTTPS (fifowin, an emulator, or
    /// SQS itself, such as https://sqs.us-east-1.amazonaws.com with --sign).
    #[arg(
        long,
        env = "FIFOWIN_BENCH_ENDPOINT",
        default_value = "http://127.0.0.1:9324"
    )]
    pub endpoint: String,
    /// Scenarios to run, one after another (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "send-unique")]
    pub scenario: Vec<Scenario>,
    /// Keep-alive connections, each with one request in flight.
    #[arg(long, default_value_t = 2)]
    pub connections: usize,
    /// Measured time per scenario (after the warm-up).
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
    pub duration: Duration,
    /// Stop after this many measured requests instead of after --duration.
    #[arg(long)]
    pub requests: Option<u64>,
    /// Requests in this first stretch are sent but not measured.
    #[arg(long, default_value = "1s", value_parser = humantime::parse_duration)]
    pub warmup: Duration,
    /// Open loop: this many requests per second in total (latency counted from each
    /// request's scheduled time when the server falls behind). Long-poll: producer rate.
    #[arg(long)]
    pub rate: Option<f64>,
    /// Message groups.
    #[arg(long, default_value_t = 16)]
    pub groups: usize,
    /// Message body size in bytes (at least the generator's own header).
    #[arg(long, default_value_t = 64)]
    pub body_bytes: usize,
    /// receive-delete: messages sent (in batches of 10, unmeasured) before the run.
    #[arg(long, default_value_t = 200_000)]
    pub prefill: u64,
    /// receive-delete: stop pre-filling after this long, with what was sent.
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration)]
    pub prefill_timeout: Duration,
    /// long-poll: WaitTimeSeconds of the consumers.
    #[arg(long, default_value_t = 1)]
    pub wait_seconds: u32,
    /// Use this queue (created if absent) instead of a fresh one per scenario.
    #[arg(long)]
    pub queue_name: Option<String>,
    /// Leave the queue in place after the run.
    #[arg(long)]
    pub keep_queue: bool,
    /// After the check, receive and delete every message left (unmeasured), so only
    /// the dedup ids stay behind (with --keep-queue: the scale benchmark's fill step).
    #[arg(long)]
    pub drain: bool,
    /// Skip the correctness check (for the HTTP floor, which stores nothing).
    #[arg(long)]
    pub no_check: bool,
    /// Name of the system under test in results files (fifowin, fauxqs, floor...).
    #[arg(long, default_value = "fifowin")]
    pub label: String,
    /// Append one JSON line per scenario to this file.
    #[arg(long)]
    pub json_out: Option<PathBuf>,
    /// Print the comparison table of a results file and exit (no load is sent).
    #[arg(long)]
    pub table: Option<PathBuf>,
    /// In --table: the label the ratio columns divide (subject / other).
    #[arg(long, default_value = "fifowin")]
    pub subject: String,
    /// Generator threads (1 = one core, as `wrk -t1`).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Sign every request with SigV4, with the access key in AWS_ACCESS_KEY_ID and
    /// AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN, if set), for endpoints that check
    /// signatures (SQS itself, `fifowin serve --auth sigv4`). Costs the generator a
    /// few microseconds per request.
    #[arg(long)]
    pub sign: bool,
    /// The region signatures are scoped to (--sign).
    #[arg(long, env = "AWS_REGION", default_value = "us-east-1")]
    pub region: String,
    /// PEM file of the certificates an https:// endpoint's chain must lead to,
    /// instead of the system's trusted roots (as the AWS CLI's --ca-bundle).
    #[arg(long, env = "AWS_CA_BUNDLE")]
    pub ca_bundle: Option<PathBuf>,
}

/// The signer `--sign` asks for, with the standard environment's access key.
fn signer(args: &BenchArgs) -> Result<Option<Signer>, BenchError> {
    if !args.sign {
        return Ok(None);
    }
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let (Some(id), Some(secret)) = (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) else {
        return Err(BenchError::Usage(
            "--sign needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment".into(),
        ));
    };
    Ok(Some(Signer::new(
        id,
        secret,
        var("AWS_SESSION_TOKEN"),
        args.region.clone(),
    )))
}

/// What one scenario run follows.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub endpoint: Endpoint,
    pub scenario: Scenario,
    pub connections: usize,
    pub duration: Duration,
    pub requests: Option<u64>,
    pub warmup: Duration,
    pub rate: Option<f64>,
    pub groups: usize,
    pub body_bytes: usize,
    pub prefill: u64,
    pub prefill_timeout: Duration,
    pub wait_seconds: u32,
}

impl Plan {
    pub(crate) fn new(args: &BenchArgs, scenario: Scenario) -> Result<Plan, BenchError> {
        let usage = |m: &str| Err(BenchError::Usage(m.to_string()));
        if args.connections == 0 {
            return usage("--connections must be at least 1");
        }
        if matches!(scenario, Scenario::Mixed | Scenario::LongPoll) && args.connections < 2 {
            return usage(
                "mixed and long-poll need at least 2 connections (producers and consumers)",
            );
        }
        if args.groups == 0 {
            return usage("--groups must be at least 1");
        }
        if args.rate.is_some_and(|r| !(r > 0.0 && r.is_finite())) {
            return usage("--rate must be a positive number");
        }
        if args.requests == Some(0) || args.duration.is_zero() {
            return usage("--requests and --duration must be positive");
        }
        let mut endpoint = Endpoint::parse(&args.endpoint, args.ca_bundle.as_deref())?;
        endpoint.signer = signer(args)?;
        Ok(Plan {
            endpoint,
            scenario,
            connections: args.connections,
            duration: args.duration,
            requests: args.requests,
            warmup: args.warmup,
            rate: args.rate,
            groups: args.groups,
            body_bytes: args.body_bytes,
            prefill: args.prefill,
            prefill_timeout: args.prefill_timeout,
            wait_seconds: args.wait_seconds,
        })
    }
}
