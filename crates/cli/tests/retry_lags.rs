//! The server records what producers do: aws-sdk-sqs producers resend dedup ids
//! at known lags (inside and after the window, single sends and batches) against
//! `fifowin serve --clock manual`; then `fifowin analyze` of the server's
//! `lags.hlog` URLs and of its `/metrics` finds exactly the escapes those lags
//! make, per queue. Plus https:// through rustls, and the errors a URL input can meet.

mod common;

use std::collections::BTreeMap;
use std::process::{Command, Output};
use std::sync::atomic::Ordering;

use aws_sdk_sqs::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use common::tls::Terminator;
use common::{BIN, Served, output_text};
use serde_json::{Value, json};

const WINDOW_MS: u64 = 300_000;

/// One dedup id: its queue, when it is first sent, and the lags of its resends.
struct Key {
    queue: &'static str,
    id: &'static str,
    first_ms: u64,
    lags_ms: &'static [u64],
}

/// The producers' plan. `orders.fifo` sends one message per request,
/// `payments.fifo` only through SendMessageBatch. No resend follows an escape,
/// so every lag is measured from the send that first opened the window.
const KEYS: [Key; 8] = [
    Key {
        queue: "orders.fifo",
        id: "a",
        first_ms: 0,
        lags_ms: &[1_000, 2_000, 30_000],
    },
    Key {
        queue: "orders.fifo",
        id: "b",
        first_ms: 500,
        lags_ms: &[299_000],
    },
    Key {
        queue: "orders.fifo",
        id: "c",
        first_ms: 1_000,
        lags_ms: &[301_000],
    },
    Key {
        queue: "orders.fifo",
        id: "d",
        first_ms: 1_000,
        lags_ms: &[600_000],
    },
    Key {
        queue: "orders.fifo",
        id: "e",
        first_ms: 2_500,
        lags_ms: &[120_000, 450_000],
    },
    Key {
        queue: "payments.fifo",
        id: "p",
        first_ms: 0,
        lags_ms: &[5_000],
    },
    Key {
        queue: "payments.fifo",
        id: "q",
        first_ms: 0,
        lags_ms: &[350_000],
    },
    Key {
        queue: "payments.fifo",
        id: "r",
        first_ms: 5_000,
        lags_ms: &[3_500_000],
    },
];

/// `(n, escapes)` per queue, counted from the plan alone: a resend escapes iff
/// its lag reaches the window.
fn truth() -> BTreeMap<&'static str, (u64, u64)> {
    let mut out = BTreeMap::new();
    for key in &KEYS {
        let entry = out.entry(key.queue).or_insert((0, 0));
        for lag in key.lags_ms {
            entry.0 += 1;
            entry.1 += u64::from(*lag >= WINDOW_MS);
        }
    }
    out
}

fn sdk(endpoint: &str) -> aws_sdk_sqs::Client {
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

/// Creates the queues and runs the plan on the manual clock.
async fn produce(endpoint: &str) {
    let client = sdk(endpoint);
    let http = reqwest::Client::new();
    let mut urls = BTreeMap::new();
    for queue in ["orders.fifo", "payments.fifo"] {
        let url = client
            .create_queue()
            .queue_name(queue)
            .attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true")
            .send()
            .await
            .expect("CreateQueue")
            .queue_url
            .expect("a queue URL");
        urls.insert(queue, url);
    }
    // A standard queue deduplicates nothing, so it has no lags and no series.
    let plain = client
        .create_queue()
        .queue_name("plain")
        .send()
        .await
        .unwrap();
    let plain = plain.queue_url.unwrap();
    for _ in 0..2 {
        client
            .send_message()
            .queue_url(&plain)
            .message_body("same")
            .send()
            .await
            .unwrap();
    }
    // Every send, by time: (ms, queue, dedup id).
    let mut sends: Vec<(u64, &str, &str)> = Vec::new();
    for key in &KEYS {
        sends.push((key.first_ms, key.queue, key.id));
        for lag in key.lags_ms {
            sends.push((key.first_ms + lag, key.queue, key.id));
        }
    }
    sends.sort();
    let mut clock = 0;
    let mut unique = 0;
    let mut i = 0;
    while i < sends.len() {
        let (at, queue, _) = sends[i];
        if at > clock {
            let answer = http
                .post(format!("{endpoint}/_fifowin/clock/advance"))
                .json(&json!({ "ms": at - clock }))
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status().as_u16(), 200);
            clock = at;
        }
        // The sends of one queue at one instant.
        let mut j = i;
        while j < sends.len() && sends[j].0 == at && sends[j].1 == queue {
            j += 1;
        }
        let url = &urls[queue];
        if queue == "payments.fifo" {
            // Each batch also carries a fresh id: unique sends record no lag.
            unique += 1;
            let fresh = format!("fresh-{unique}");
            let ids = sends[i..j].iter().map(|s| s.2).chain([fresh.as_str()]);
            let entries: Vec<SendMessageBatchRequestEntry> = ids
                .enumerate()
                .map(|(n, id)| {
                    SendMessageBatchRequestEntry::builder()
                        .id(format!("e{n}"))
                        .message_body(format!("payment {id}"))
                        .message_group_id("g")
                        .message_deduplication_id(id)
                        .build()
                        .unwrap()
                })
                .collect();
            let out = client
                .send_message_batch()
                .queue_url(url)
                .set_entries(Some(entries))
                .send()
                .await
                .expect("SendMessageBatch");
            assert!(out.failed.is_empty(), "{:?}", out.failed);
        } else {
            for (_, _, id) in &sends[i..j] {
                client
                    .send_message()
                    .queue_url(url)
                    .message_body(format!("order {id}"))
                    .message_group_id("g")
                    .message_deduplication_id(*id)
                    .send()
                    .await
                    .expect("SendMessage");
            }
        }
        i = j;
    }
}

fn analyze(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("analyze")
        .args(args)
        .env_remove("FIFOWIN_CONTROL_TOKEN");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run fifowin analyze")
}

/// `(n, escapes_lo, escapes_hi)` per source of a JSON report.
fn per_source(out: &Output) -> BTreeMap<String, (u64, u64, u64)> {
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("a JSON report ({e}): {}", output_text(out)));
    report["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|s| {
            let n = |k: &str| s[k].as_u64().unwrap_or_else(|| panic!("{k} in {s}"));
            (
                s["tag"].as_str().unwrap().to_string(),
                (n("n"), n("escapes_lo"), n("escapes_hi")),
            )
        })
        .collect()
}

fn expected(queues: &[&str]) -> BTreeMap<String, (u64, u64, u64)> {
    truth()
        .into_iter()
        .filter(|(q, _)| queues.contains(q))
        .map(|(q, (n, escapes))| (q.to_string(), (n, escapes, escapes)))
        .collect()
}

/// `fifowin analyze URL` says ESCAPING and finds exactly the plan's escapes in each queue.
fn assert_escapes_per_queue(url: &str) {
    let out = analyze(&[url, "--window", "5m", "--format", "json"], &[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "ESCAPING: {}",
        output_text(&out)
    );
    assert_eq!(
        per_source(&out),
        expected(&["orders.fifo", "payments.fifo"])
    );
}

#[tokio::test]
async fn analyze_of_the_servers_urls_finds_exactly_the_producers_escapes() {
    let served = Served::start(&["--clock", "manual"], &[]);
    produce(&served.endpoint).await;
    let truth = truth();
    assert_eq!(truth["orders.fifo"], (8, 3));
    assert_eq!(truth["payments.fifo"], (3, 2));

    // The exposition itself: exact counts at the window's last millisecond and at the window.
    let metrics = reqwest::get(format!("{}/metrics", served.endpoint))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "# TYPE fifowin_retry_lag_seconds histogram",
        "fifowin_retry_lag_seconds_bucket{queue=\"orders.fifo\",le=\"299.999\"} 5",
        "fifowin_retry_lag_seconds_bucket{queue=\"orders.fifo\",le=\"300\"} 5",
        "fifowin_retry_lag_seconds_bucket{queue=\"orders.fifo\",le=\"+Inf\"} 8",
        "fifowin_retry_lag_seconds_count{queue=\"orders.fifo\"} 8",
        "fifowin_retry_lag_seconds_sum{queue=\"orders.fifo\"} 1803",
        "fifowin_retry_lag_seconds_bucket{queue=\"payments.fifo\",le=\"300\"} 1",
        "fifowin_retry_lag_seconds_count{queue=\"payments.fifo\"} 3",
    ] {
        assert!(
            metrics.lines().any(|l| l == line),
            "no `{line}` in\n{metrics}"
        );
    }
    assert!(!metrics.contains("fifowin_retry_lag_seconds_count{queue=\"plain\"}"));

    let all = format!("{}/_fifowin/lags.hlog", served.endpoint);
    assert_escapes_per_queue(&all);

    // /metrics holds several histograms: a fifowin /metrics URL picks the
    // retry lags, one source per queue, without --metric or --source-label.
    let metrics_url = format!("{}/metrics", served.endpoint);
    assert_escapes_per_queue(&metrics_url);
    // Without the per-queue label the whole histogram is one source.
    let out = analyze(
        &[
            &metrics_url,
            "--metric",
            "fifowin_retry_lag_seconds",
            "--format",
            "json",
        ],
        &[],
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["sources"].as_array().map(Vec::len), Some(1));
    assert_eq!(report["overall"]["n"], 11);
    assert_eq!(report["overall"]["escapes_lo"], 5);
    assert_eq!(report["overall"]["escapes_hi"], 5);

    let one = format!(
        "{}/_fifowin/queues/payments.fifo/lags.hlog",
        served.endpoint
    );
    let out = analyze(&[&one, "--format", "json"], &[]);
    assert_eq!(per_source(&out), expected(&["payments.fifo"]));

    // Resetting one queue forgets its lags (its tag stays, empty); the other keeps them.
    let reset = reqwest::Client::new()
        .post(format!(
            "{}/_fifowin/queues/orders.fifo/reset",
            served.endpoint
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status().as_u16(), 200);
    let out = analyze(&[&all, "--format", "json"], &[]);
    let mut after = expected(&["payments.fifo"]);
    after.insert("orders.fifo".into(), (0, 0, 0));
    assert_eq!(per_source(&out), after);
}

#[test]
fn url_inputs_fail_clearly() {
    // Nothing listens on port 1 of the loopback address.
    let out = analyze(&["http://127.0.0.1:1/_fifowin/lags.hlog"], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", output_text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("http://127.0.0.1:1/_fifowin/lags.hlog: cannot connect"),
        "{stderr}"
    );

    let served = Served::start(&[], &[]);
    let missing = format!("{}/_fifowin/queues/nope.fifo/lags.hlog", served.endpoint);
    let out = analyze(&[&missing], &[]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{missing}: the server answered 404 Not Found"))
            && stderr.contains("queue nope.fifo does not exist"),
        "{stderr}"
    );
}

#[test]
fn a_control_token_is_sent_from_the_flag_or_the_environment() {
    let dir = std::env::temp_dir().join(format!("fifowin-lags-token-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("fifowin.toml");
    std::fs::write(
        &file,
        "[auth]\ncontrol_token = \"ops-token\"\n\n[[queues]]\nname = \"q.fifo\"\n",
    )
    .unwrap();
    let served = Served::start(&["--config", file.to_str().unwrap()], &[]);
    let url = format!("{}/_fifowin/lags.hlog", served.endpoint);
    let out = analyze(&[&url], &[]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("401 Unauthorized") && stderr.contains("--control-token"),
        "{stderr}"
    );
    // With the token, from the flag or the variable `fifowin serve` reads, the
    // log is read: the queue's tag, with no lags yet.
    let mut empty = BTreeMap::new();
    empty.insert("q.fifo".to_string(), (0, 0, 0));
    let out = analyze(
        &[&url, "--format", "json", "--control-token", "ops-token"],
        &[],
    );
    assert_eq!(per_source(&out), empty);
    let out = analyze(
        &[&url, "--format", "json"],
        &[("FIFOWIN_CONTROL_TOKEN", "ops-token")],
    );
    assert_eq!(per_source(&out), empty);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn https_urls_are_read_through_rustls_with_the_systems_trust_settings() {
    let served = Served::start(&[], &[]);
    let terminator = Terminator::start(served.addr());
    let url = format!("https://127.0.0.1:{}/_fifowin/lags.hlog", terminator.port);
    // Trusted through SSL_CERT_FILE, which the system's certificate loading honours.
    let ca = terminator.ca_pem.to_str().unwrap();
    let out = Command::new(BIN)
        .args(["analyze", &url, "--format", "json"])
        .env("SSL_CERT_FILE", ca)
        .env_remove("SSL_CERT_DIR")
        .output()
        .unwrap();
    // The server has no queues: a valid, empty log.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the inputs hold no retry lags"), "{stderr}");
    assert_eq!(terminator.handshakes.load(Ordering::SeqCst), 1);
    // Trusting only another certificate: the handshake fails and the error says why.
    let other = terminator.ca_pem.with_extension("other.pem");
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()]).unwrap();
    std::fs::write(&other, made.cert.pem()).unwrap();
    let out = Command::new(BIN)
        .args(["analyze", &url])
        .env("SSL_CERT_FILE", &other)
        .env_remove("SSL_CERT_DIR")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&url) && stderr.contains("certificate"),
        "{stderr}"
    );
}
