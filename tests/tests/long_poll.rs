//! Long polling on the manual clock: a waiting ReceiveMessage returns as soon as
//! a message arrives (or becomes visible), and empty once the server clock passes
//! the wait. Each wait is bounded by a real-time timeout only to fail instead of
//! hanging; the assertions are about what came back.

use std::time::Duration;

use aws_sdk_sqs::operation::receive_message::ReceiveMessageOutput;
use fifowin_e2e::{TestServer, bodies, error_message};
use tokio::task::JoinHandle;

type Waiter = JoinHandle<ReceiveMessageOutput>;

/// Starts a ReceiveMessage in the background (`wait`: WaitTimeSeconds, or the
/// queue default when `None`).
fn start_receive(server: &TestServer, url: &str, wait: Option<i32>, max: i32) -> Waiter {
    let sqs = server.sqs.clone();
    let url = url.to_string();
    tokio::spawn(async move {
        sqs.receive_message()
            .queue_url(url)
            .set_wait_time_seconds(wait)
            .max_number_of_messages(max)
            .send()
            .await
            .expect("long poll")
    })
}

/// Gives the background receive time to reach the server and start waiting, and
/// checks it is indeed still waiting (nothing to return yet).
async fn settle(waiter: &Waiter) {
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !waiter.is_finished(),
        "the receive returned although no message was available"
    );
}

/// The receive's answer, or a failure if it does not come within a few seconds
/// (the server's own real-time bound is the 20 s wait).
async fn finish(waiter: Waiter) -> ReceiveMessageOutput {
    tokio::time::timeout(Duration::from_secs(5), waiter)
        .await
        .expect("the long poll returned before its wait time")
        .expect("receive task")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returns_early_when_a_message_arrives() {
    let server = TestServer::start().await;
    let url = server.standard_queue("early", &[]).await;
    let waiter = start_receive(&server, &url, Some(20), 10);
    settle(&waiter).await;
    server.send(&url, "hello").await;
    // It does not wait to fill MaxNumberOfMessages.
    assert_eq!(bodies(finish(waiter).await.messages()), ["hello"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returns_empty_once_the_clock_passes_the_wait() {
    let server = TestServer::start().await;
    let url = server.standard_queue("timeout", &[]).await;
    let mut waiter = start_receive(&server, &url, Some(20), 1);
    settle(&waiter).await;
    let mut out = None;
    for _ in 0..40 {
        server.advance(20_000).await;
        if let Ok(done) = tokio::time::timeout(Duration::from_millis(100), &mut waiter).await {
            out = Some(done.expect("receive task"));
            break;
        }
    }
    let out = out.expect("advancing the clock past the wait ends the long poll");
    assert!(out.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returns_when_a_delayed_message_becomes_visible() {
    let server = TestServer::start().await;
    let url = server
        .standard_queue("delayed", &[("DelaySeconds", "5")])
        .await;
    server.send(&url, "later").await;
    let waiter = start_receive(&server, &url, Some(20), 1);
    settle(&waiter).await;
    server.advance(5_000).await;
    assert_eq!(bodies(finish(waiter).await.messages()), ["later"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returns_when_a_fifo_group_is_unlocked() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("unlock", &[]).await;
    server.send_fifo(&url, "g", Some("1"), "head").await;
    server.send_fifo(&url, "g", Some("2"), "next").await;
    let head = server.receive(&url, 1).await;
    let waiter = start_receive(&server, &url, Some(20), 1);
    settle(&waiter).await;
    server.delete(&url, head[0].receipt_handle().unwrap()).await;
    assert_eq!(bodies(finish(waiter).await.messages()), ["next"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returns_when_a_visibility_change_releases_a_message() {
    let server = TestServer::start().await;
    let url = server.standard_queue("release", &[]).await;
    server.send(&url, "m").await;
    let got = server.receive(&url, 1).await;
    let waiter = start_receive(&server, &url, Some(20), 1);
    settle(&waiter).await;
    server
        .sqs
        .change_message_visibility()
        .queue_url(&url)
        .receipt_handle(got[0].receipt_handle().unwrap())
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    assert_eq!(bodies(finish(waiter).await.messages()), ["m"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_default_wait_applies_when_the_request_has_none() {
    let server = TestServer::start().await;
    let url = server
        .standard_queue("default", &[("ReceiveMessageWaitTimeSeconds", "20")])
        .await;
    // An explicit 0 overrides the default: a short poll.
    let short = start_receive(&server, &url, Some(0), 1);
    assert!(finish(short).await.messages().is_empty());
    let waiter = start_receive(&server, &url, None, 1);
    settle(&waiter).await;
    server.send(&url, "waited").await;
    assert_eq!(bodies(finish(waiter).await.messages()), ["waited"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returns_when_the_queue_is_deleted() {
    let server = TestServer::start().await;
    let url = server.standard_queue("vanish", &[]).await;
    let waiter = start_receive(&server, &url, Some(20), 1);
    settle(&waiter).await;
    server
        .sqs
        .delete_queue()
        .queue_url(&url)
        .send()
        .await
        .unwrap();
    assert!(finish(waiter).await.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_time_outside_0_to_20_is_an_error() {
    let server = TestServer::start().await;
    let url = server.standard_queue("bounds", &[]).await;
    for bad in [21, -1] {
        let err = server
            .sqs
            .receive_message()
            .queue_url(&url)
            .wait_time_seconds(bad)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            error_message(&err),
            format!(
                "Value {bad} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided."
            )
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_message_wakes_one_of_two_waiters() {
    let server = TestServer::start().await;
    let url = server.standard_queue("pair", &[]).await;
    let mut a = start_receive(&server, &url, Some(20), 1);
    let mut b = start_receive(&server, &url, Some(20), 1);
    settle(&a).await;
    settle(&b).await;
    server.send(&url, "first").await;
    // Exactly one waiter gets it; the other keeps waiting for the next message.
    let (got, other) = tokio::select! {
        out = &mut a => (out.expect("receive task"), b),
        out = &mut b => (out.expect("receive task"), a),
    };
    assert_eq!(bodies(got.messages()), ["first"]);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !other.is_finished(),
        "the second waiter returned without a message"
    );
    server.send(&url, "second").await;
    assert_eq!(bodies(finish(other).await.messages()), ["second"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_behind_a_locked_fifo_group_does_not_end_the_wait() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("locked", &[]).await;
    server.send_fifo(&url, "g", Some("1"), "head").await;
    let head = server
        .sqs
        .receive_message()
        .queue_url(&url)
        .visibility_timeout(600)
        .send()
        .await
        .unwrap();
    assert_eq!(bodies(head.messages()), ["head"]);
    let mut waiter = start_receive(&server, &url, Some(20), 1);
    settle(&waiter).await;
    server.send_fifo(&url, "g", Some("2"), "blocked").await;
    // The head stays in flight (600 s) past the whole 20 s wait.
    let mut out = None;
    for _ in 0..40 {
        server.advance(10_000).await;
        if let Ok(done) = tokio::time::timeout(Duration::from_millis(100), &mut waiter).await {
            out = Some(done.expect("receive task"));
            break;
        }
    }
    let out = out.expect("the wait ends when the clock passes it");
    assert!(out.messages().is_empty(), "{:?}", bodies(out.messages()));
}
