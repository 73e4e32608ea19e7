//! FIFO delivery: per group the deliverable set is the longest visible prefix; a
//! receive fills from one group before the next; sequence numbers increase; and
//! ReceiveRequestAttemptId replays and invalidation (sqs-spec.md §3.4–§3.6).

use fifowin_e2e::query::xml_values;
use fifowin_e2e::{TestServer, bodies, error_code, error_message, sys_attr};

async fn receive_attempt(
    server: &TestServer,
    url: &str,
    attempt: &str,
    max: i32,
) -> Result<Vec<aws_sdk_sqs::types::Message>, String> {
    server
        .sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(max)
        .receive_request_attempt_id(attempt)
        .send()
        .await
        .map(|out| out.messages.unwrap_or_default())
        .map_err(|err| format!("{}: {}", error_code(&err), error_message(&err)))
}

fn handles(messages: &[aws_sdk_sqs::types::Message]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m.receipt_handle().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_in_flight_head_blocks_its_group_only() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("block", &[]).await;
    server.send_fifo(&url, "g1", Some("1"), "g1-m1").await;
    server.send_fifo(&url, "g1", Some("2"), "g1-m2").await;
    assert_eq!(server.receive_bodies(&url, 1).await, ["g1-m1"]);
    assert!(server.receive(&url, 10).await.is_empty());
    // A message sent to the locked group waits too; another group does not.
    server.send_fifo(&url, "g1", Some("3"), "g1-m3").await;
    server.send_fifo(&url, "g2", Some("4"), "g2-m1").await;
    assert_eq!(server.receive_bodies(&url, 10).await, ["g2-m1"]);
    // Visible messages of a locked group still count as available.
    let attrs = server.queue_attributes(&url).await;
    assert_eq!(attrs["ApproximateNumberOfMessages"], "2");
    assert_eq!(attrs["ApproximateNumberOfMessagesNotVisible"], "2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_the_head_unlocks_the_next_message_immediately() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("unlock", &[]).await;
    for (i, body) in ["m1", "m2", "m3"].iter().enumerate() {
        server
            .send_fifo(&url, "g", Some(&i.to_string()), body)
            .await;
    }
    for expected in ["m1", "m2", "m3"] {
        let got = server.receive(&url, 1).await;
        assert_eq!(bodies(&got), [expected]);
        assert!(server.receive(&url, 1).await.is_empty());
        server.delete(&url, got[0].receipt_handle().unwrap()).await;
    }
    assert!(server.receive(&url, 10).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_made_visible_again_is_returned_without_its_in_flight_successor() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("terminate", &[]).await;
    server.send_fifo(&url, "g", Some("1"), "m1").await;
    server.send_fifo(&url, "g", Some("2"), "m2").await;
    let got = server.receive(&url, 2).await;
    assert_eq!(bodies(&got), ["m1", "m2"]);
    server
        .sqs
        .change_message_visibility()
        .queue_url(&url)
        .receipt_handle(got[0].receipt_handle().unwrap())
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    assert_eq!(server.receive_bodies(&url, 10).await, ["m1"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extending_one_message_hides_it_and_everything_after_it() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("extend", &[]).await;
    for i in 1..=3 {
        server
            .send_fifo(&url, "g", Some(&i.to_string()), &format!("m{i}"))
            .await;
    }
    let got = server.receive(&url, 3).await;
    assert_eq!(bodies(&got), ["m1", "m2", "m3"]);
    server
        .sqs
        .change_message_visibility()
        .queue_url(&url)
        .receipt_handle(got[1].receipt_handle().unwrap())
        .visibility_timeout(100)
        .send()
        .await
        .unwrap();
    server.advance(30_000).await;
    assert_eq!(server.receive_bodies(&url, 10).await, ["m1"]);
    // Just before m2's extension ends, m1 (visible again) is still all there is.
    server.advance(69_999).await;
    assert_eq!(server.receive_bodies(&url, 10).await, ["m1"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receive_fills_from_one_group_before_the_next() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("fill", &[]).await;
    server.send_fifo(&url, "g1", Some("1"), "g1-m1").await;
    server.send_fifo(&url, "g2", Some("2"), "g2-m1").await;
    server.send_fifo(&url, "g1", Some("3"), "g1-m2").await;
    server.send_fifo(&url, "g1", Some("4"), "g1-m3").await;
    server.send_fifo(&url, "g2", Some("5"), "g2-m2").await;
    let got = server.receive_bodies(&url, 4).await;
    assert_eq!(got, ["g1-m1", "g1-m2", "g1-m3", "g2-m1"]);
    // g2-m2 sits behind the in-flight g2-m1.
    assert!(server.receive(&url, 10).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sequence_numbers_increase_and_match_on_receive() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("seq", &[]).await;
    let mut sent = Vec::new();
    for i in 0..6 {
        let group = if i % 2 == 0 { "a" } else { "b" };
        let out = server
            .send_fifo(&url, group, Some(&i.to_string()), &format!("m{i}"))
            .await;
        let seq = out.sequence_number().unwrap().to_string();
        assert!(seq.bytes().all(|b| b.is_ascii_digit()), "{seq}");
        sent.push((out.message_id().unwrap().to_string(), seq));
    }
    // A duplicate answers the original number and does not consume one.
    let dup = server.send_fifo(&url, "a", Some("0"), "dup").await;
    assert_eq!(dup.sequence_number(), Some(sent[0].1.as_str()));
    let numbers: Vec<u128> = sent.iter().map(|(_, s)| s.parse().unwrap()).collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
    let got = server.receive(&url, 10).await;
    assert_eq!(got.len(), 6);
    for m in &got {
        let id = m.message_id().unwrap();
        let (_, seq) = sent.iter().find(|(i, _)| i == id).unwrap();
        assert_eq!(sys_attr(m, "SequenceNumber").as_deref(), Some(seq.as_str()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_attempt_id_returns_the_same_messages_and_handles() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("attempt", &[]).await;
    server.send_fifo(&url, "g", Some("1"), "m1").await;
    server.send_fifo(&url, "g", Some("2"), "m2").await;
    let first = receive_attempt(&server, &url, "try-1", 10).await.unwrap();
    assert_eq!(bodies(&first), ["m1", "m2"]);
    server.advance(20_000).await;
    let retry = receive_attempt(&server, &url, "try-1", 10).await.unwrap();
    assert_eq!(bodies(&retry), ["m1", "m2"]);
    assert_eq!(handles(&retry), handles(&first));
    // The retry reset the 30 s visibility: still hidden 29.999 s after it.
    server.advance(29_999).await;
    assert!(server.receive(&url, 10).await.is_empty());
    server.advance(1).await;
    // Another attempt id is a new receive with new handles.
    let other = receive_attempt(&server, &url, "try-2", 10).await.unwrap();
    assert_eq!(bodies(&other), ["m1", "m2"]);
    assert_ne!(handles(&other), handles(&first));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_or_changing_a_message_invalidates_its_attempt_id() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("invalid", &[]).await;
    server.send_fifo(&url, "g1", Some("1"), "a").await;
    server.send_fifo(&url, "g2", Some("2"), "b").await;
    let by_delete = receive_attempt(&server, &url, "del", 1).await.unwrap();
    let by_change = receive_attempt(&server, &url, "chg", 1).await.unwrap();
    server
        .delete(&url, by_delete[0].receipt_handle().unwrap())
        .await;
    server
        .sqs
        .change_message_visibility()
        .queue_url(&url)
        .receipt_handle(by_change[0].receipt_handle().unwrap())
        .visibility_timeout(60)
        .send()
        .await
        .unwrap();
    for attempt in ["del", "chg"] {
        let err = receive_attempt(&server, &url, attempt, 1)
            .await
            .unwrap_err();
        assert_eq!(
            err,
            format!(
                "InvalidParameterValue: Value {attempt} for parameter ReceiveRequestAttemptId is invalid. Reason: The receiveRequestAttemptId is not valid anymore since the receive call is not retryable."
            )
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attempt_ids_expire_with_the_window_and_are_ignored_on_standard_queues() {
    let server = TestServer::start().await;
    let url = server
        .fifo_queue("expire", &[("VisibilityTimeout", "600")])
        .await;
    server.send_fifo(&url, "g", Some("1"), "m1").await;
    let first = receive_attempt(&server, &url, "t", 1).await.unwrap();
    server
        .delete(&url, first[0].receipt_handle().unwrap())
        .await;
    server.send_fifo(&url, "g", Some("2"), "m2").await;
    // Five minutes later the id is a fresh attempt, not an invalidated one.
    server.advance(300_000).await;
    let fresh = receive_attempt(&server, &url, "t", 1).await.unwrap();
    assert_eq!(bodies(&fresh), ["m2"]);

    let std_url = server.standard_queue("plain", &[]).await;
    server.send(&std_url, "s1").await;
    server.send(&std_url, "s2").await;
    let one = receive_attempt(&server, &std_url, "same", 1).await.unwrap();
    let two = receive_attempt(&server, &std_url, "same", 1).await.unwrap();
    assert_eq!(bodies(&one), ["s1"]);
    assert_eq!(bodies(&two), ["s2"]);
    // Invalid attempt ids are rejected on FIFO queues.
    let err = receive_attempt(&server, &url, "has space", 1)
        .await
        .unwrap_err();
    assert!(err.starts_with("InvalidParameterValue: "), "{err}");
}

/// One client of a FIFO queue, over either protocol, for the group-rotation cases.
struct Client<'a> {
    server: &'a TestServer,
    url: String,
    query: bool,
}

impl Client<'_> {
    /// Sends `body` to the group its name starts with (`g1-m2` -> `g1`).
    async fn send(&self, body: &str) {
        let group = body.split('-').next().expect("group prefix");
        if self.query {
            let resp = self
                .server
                .query(
                    "/",
                    &[
                        ("Action", "SendMessage"),
                        ("QueueUrl", &self.url),
                        ("MessageBody", body),
                        ("MessageGroupId", group),
                    ],
                )
                .await;
            assert_eq!(resp.status, 200, "{resp:?}");
        } else {
            self.server.send_fifo(&self.url, group, None, body).await;
        }
    }

    /// Receives up to `max` (receive visibility `vis`, else the queue's): (body, handle).
    async fn receive(&self, max: i32, vis: Option<i32>) -> Vec<(String, String)> {
        if self.query {
            let max = max.to_string();
            let vis = vis.map(|v| v.to_string());
            let mut params = vec![
                ("Action", "ReceiveMessage"),
                ("QueueUrl", self.url.as_str()),
                ("MaxNumberOfMessages", max.as_str()),
            ];
            if let Some(vis) = &vis {
                params.push(("VisibilityTimeout", vis));
            }
            let resp = self.server.query("/", &params).await;
            assert_eq!(resp.status, 200, "{resp:?}");
            let bodies = xml_values(&resp.body, "Body");
            let handles = xml_values(&resp.body, "ReceiptHandle");
            bodies.into_iter().zip(handles).collect()
        } else {
            self.server
                .sqs
                .receive_message()
                .queue_url(&self.url)
                .max_number_of_messages(max)
                .set_visibility_timeout(vis)
                .send()
                .await
                .expect("receive")
                .messages
                .unwrap_or_default()
                .into_iter()
                .map(|m| (m.body.unwrap(), m.receipt_handle.unwrap()))
                .collect()
        }
    }

    async fn bodies(&self, max: i32, vis: Option<i32>) -> Vec<String> {
        self.receive(max, vis)
            .await
            .into_iter()
            .map(|(b, _)| b)
            .collect()
    }

    async fn delete(&self, handle: &str) {
        if self.query {
            let resp = self
                .server
                .query(
                    "/",
                    &[
                        ("Action", "DeleteMessage"),
                        ("QueueUrl", &self.url),
                        ("ReceiptHandle", handle),
                    ],
                )
                .await;
            assert_eq!(resp.status, 200, "{resp:?}");
        } else {
            self.server.delete(&self.url, handle).await;
        }
    }

    async fn change_visibility(&self, handle: &str, vis: i32) {
        if self.query {
            let vis = vis.to_string();
            let resp = self
                .server
                .query(
                    "/",
                    &[
                        ("Action", "ChangeMessageVisibility"),
                        ("QueueUrl", &self.url),
                        ("ReceiptHandle", handle),
                        ("VisibilityTimeout", &vis),
                    ],
                )
                .await;
            assert_eq!(resp.status, 200, "{resp:?}");
        } else {
            self.server
                .sqs
                .change_message_visibility()
                .queue_url(&self.url)
                .receipt_handle(handle)
                .visibility_timeout(vis)
                .send()
                .await
                .expect("change visibility");
        }
    }
}

/// A FIFO queue with content-based dedup and this VisibilityTimeout, with a client
/// per protocol.
async fn rotation_clients<'a>(
    server: &'a TestServer,
    name: &str,
    visibility: &str,
) -> [Client<'a>; 2] {
    let mut clients = Vec::new();
    for query in [false, true] {
        let url = server
            .fifo_queue(
                &format!("{name}-{query}"),
                &[
                    ("ContentBasedDeduplication", "true"),
                    ("VisibilityTimeout", visibility),
                ],
            )
            .await;
        clients.push(Client { server, url, query });
    }
    clients.try_into().ok().expect("two clients")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_received_from_go_behind_the_groups_waiting_their_turn() {
    let server = TestServer::start().await;
    for c in rotation_clients(&server, "turns", "30").await {
        for body in ["g1-m1", "g2-m1", "g2-m2", "g3-m1", "g1-m2"] {
            c.send(body).await;
        }
        assert_eq!(c.bodies(3, Some(0)).await, ["g1-m1", "g1-m2", "g2-m1"]);
        assert_eq!(
            c.bodies(10, Some(0)).await,
            ["g3-m1", "g1-m1", "g1-m2", "g2-m1", "g2-m2"],
            "query protocol: {}",
            c.query
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_group_keeps_its_turn_until_its_visibility_expires() {
    let server = TestServer::start().await;
    let clients = rotation_clients(&server, "locked", "1").await;
    for c in &clients {
        for body in ["g1-m1", "g1-m2", "g1-m3", "g1-m4", "g2-m1", "g3-m1"] {
            c.send(body).await;
        }
        assert_eq!(c.bodies(2, None).await, ["g1-m1", "g1-m2"]);
        assert_eq!(c.bodies(1, None).await, ["g2-m1"]);
    }
    server.advance(1_000).await;
    for c in &clients {
        assert_eq!(
            c.bodies(10, Some(0)).await,
            ["g3-m1", "g1-m1", "g1-m2", "g1-m3", "g1-m4", "g2-m1"],
            "query protocol: {}",
            c.query
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_made_visible_again_waits_for_its_groups_turn() {
    let server = TestServer::start().await;
    for (change_to, wait) in [(0, 0), (1, 1_000)] {
        for c in rotation_clients(&server, &format!("again{change_to}"), "30").await {
            for body in ["g1-m1", "g1-m2", "g2-m1"] {
                c.send(body).await;
            }
            let got = c.receive(2, None).await;
            assert_eq!(
                got.iter().map(|(b, _)| b.as_str()).collect::<Vec<_>>(),
                ["g1-m1", "g1-m2"]
            );
            c.change_visibility(&got[0].1, change_to).await;
            if wait > 0 {
                server.advance(wait).await;
            }
            assert_eq!(
                c.bodies(3, None).await,
                ["g2-m1", "g1-m1"],
                "g1-m2 is still in flight (query protocol: {})",
                c.query
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_groups_in_flight_head_gives_it_its_next_messages_turn() {
    let server = TestServer::start().await;
    for c in rotation_clients(&server, "deleted", "30").await {
        for body in [
            "g1-m1", "g2-m1", "g1-m2", "g2-m2", "g1-m3", "g1-m4", "g3-m1",
        ] {
            c.send(body).await;
        }
        let got = c.receive(2, None).await;
        for (_, handle) in &got {
            c.delete(handle).await;
        }
        assert_eq!(
            c.bodies(10, None).await,
            ["g2-m1", "g2-m2", "g1-m3", "g1-m4", "g3-m1"],
            "query protocol: {}",
            c.query
        );
    }
}
