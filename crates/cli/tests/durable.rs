//! Durable mode through the binary: `fifowin serve --data-dir`, killed with
//! SIGKILL and restarted on the same directory, keeps queues, attributes, tags,
//! messages, in-flight messages with their receipt handles and receive counts,
//! and the dedup window (a re-send gets the original MessageId), from the log
//! alone and from a snapshot plus the records after it (`--snapshot-every`); and
//! the state that does not come from SQS requests: a manual clock's time, the
//! config file's queues, move tasks (which resume), resets and fault-rule
//! redeliveries.

mod common;

use std::path::Path;

use common::Served;
use serde_json::{Value, json};

/// A `fifowin serve --data-dir` child on a free port; SIGKILLed on drop.
struct Durable {
    served: Served,
}

impl Durable {
    fn start(dir: &Path) -> Durable {
        Durable::start_with(dir, &[])
    }

    /// With more `fifowin serve` arguments.
    fn start_with(dir: &Path, args: &[&str]) -> Durable {
        let dir = dir.to_str().expect("a UTF-8 temp path");
        let mut all = vec!["--data-dir", dir];
        all.extend_from_slice(args);
        Durable {
            served: Served::start(&all, &[]),
        }
    }

    /// A control-API call: its status and JSON answer.
    async fn control(&self, path: &str, body: Option<Value>) -> (u16, Value) {
        let client = reqwest::Client::new();
        let url = format!("{}{path}", self.served.endpoint);
        let request = match body {
            Some(body) => client.post(url).json(&body),
            None => client.get(url),
        };
        let resp = request.send().await.expect("the server answers");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn now_ms(&self) -> u64 {
        let (_, clock) = self.control("/_fifowin/clock", None).await;
        clock["now_ms"].as_u64().expect("now_ms")
    }

    async fn advance(&self, ms: u64) {
        let (status, out) = self
            .control("/_fifowin/clock/advance", Some(json!({ "ms": ms })))
            .await;
        assert_eq!(status, 200, "{out}");
    }

    async fn attribute(&self, q: &str, name: &str) -> Value {
        let attrs = self
            .ok(
                "GetQueueAttributes",
                json!({"QueueUrl": q, "AttributeNames": ["All"]}),
            )
            .await;
        attrs["Attributes"][name].clone()
    }

    /// ApproximateNumberOfMessages of `q`.
    async fn visible(&self, q: &str) -> Value {
        self.attribute(q, "ApproximateNumberOfMessages").await
    }

    /// `POST /_fifowin/queues/{q}/reset`, which must succeed.
    async fn reset_queue(&self, q: &str) {
        let path = format!("/_fifowin/queues/{q}/reset");
        let (status, out) = self.control(&path, Some(json!({}))).await;
        assert_eq!(status, 200, "{out}");
    }

    /// The newest move task of `source_arn`, once its runner has moved `moved`
    /// messages and it has `status` (the runner works after the answers).
    async fn task_at(&self, source_arn: &str, moved: u64, status: &str) -> Value {
        for _ in 0..500 {
            let list = self
                .ok("ListMessageMoveTasks", json!({"SourceArn": source_arn}))
                .await;
            let task = list["Results"][0].clone();
            if task["ApproximateNumberOfMessagesMoved"] == moved && task["Status"] == status {
                return task;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the task never reached {moved} moved messages and {status}");
    }

    /// `fifowin_durable_snapshots_total` from /metrics.
    async fn snapshots(&self) -> u64 {
        let text = reqwest::get(format!("{}/metrics", self.served.endpoint))
            .await
            .expect("the server answers")
            .text()
            .await
            .expect("a body");
        text.lines()
            .find_map(|l| l.strip_prefix("fifowin_durable_snapshots_total "))
            .expect("the snapshot counter in durable mode")
            .parse()
            .expect("a count")
    }

    async fn call(&self, op: &str, body: Value) -> (u16, Value) {
        let resp = reqwest::Client::new()
            .post(format!("{}/", self.served.endpoint))
            .header("x-amz-target", format!("AmazonSQS.{op}"))
            .header("content-type", "application/x-amz-json-1.0")
            .body(body.to_string())
            .send()
            .await
            .expect("the server answers");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn ok(&self, op: &str, body: Value) -> Value {
        let (status, out) = self.call(op, body).await;
        assert_eq!(status, 200, "{op}: {out}");
        out
    }

    /// An SNS request (Query form parameters, already encoded) that must
    /// succeed; its XML answer.
    async fn sns(&self, params: &str) -> String {
        let resp = reqwest::Client::new()
            .post(format!("{}/", self.served.endpoint))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("{params}&Version=2010-03-31"))
            .send()
            .await
            .expect("the server answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("a body");
        assert_eq!(status, 200, "{params}: {text}");
        text
    }

    /// Waits for at least `count` snapshots.
    async fn snapshots_at_least(&self, count: u64) {
        for _ in 0..200 {
            if self.snapshots().await >= count {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("{count} snapshots were not written in 5 s");
    }
}

/// The endpoints subscribed to `topic`, sorted, and the ListSubscriptionsByTopic answer.
async fn subscribed(server: &Durable, topic: &str) -> (Vec<String>, String) {
    let listed = server
        .sns(&format!("Action=ListSubscriptionsByTopic&TopicArn={topic}"))
        .await;
    let mut endpoints = xml_texts(&listed, "Endpoint");
    endpoints.sort();
    (endpoints, listed)
}

/// Every `<tag>` text of an XML answer, in order.
fn xml_texts(xml: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    xml.split(open.as_str())
        .skip(1)
        .filter_map(|rest| {
            rest.split_once(close.as_str())
                .map(|(text, _)| text.to_string())
        })
        .collect()
}

#[tokio::test]
async fn state_survives_sigkill_and_restart() {
    let dir = std::env::temp_dir().join(format!("fifowin-durable-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let q = "orders.fifo";
    let (first_id, handle) = {
        let server = Durable::start(&dir);
        // A refused request changes nothing and is not logged; it must not shift
        // anything the replay depends on (such as message ids).
        let (status, _) = server
            .call(
                "CreateQueue",
                json!({"QueueName": "bad.fifo", "Attributes": {"FifoQueue": "maybe"}}),
            )
            .await;
        assert_eq!(status, 400);
        server
            .ok(
                "CreateQueue",
                json!({"QueueName": q, "Attributes": {"FifoQueue": "true", "VisibilityTimeout": "120"},
                       "tags": {"team": "payments"}}),
            )
            .await;
        // An empty receive changes state too (the receive serial in every later
        // receipt handle): the handle below is only valid if the replay has it.
        let empty = server.ok("ReceiveMessage", json!({"QueueUrl": q})).await;
        assert!(empty["Messages"].as_array().is_none_or(Vec::is_empty));
        let sent = server
            .ok(
                "SendMessage",
                json!({"QueueUrl": q, "MessageBody": "one", "MessageGroupId": "g", "MessageDeduplicationId": "d1"}),
            )
            .await;
        server
            .ok(
                "SendMessage",
                json!({"QueueUrl": q, "MessageBody": "two", "MessageGroupId": "g", "MessageDeduplicationId": "d2"}),
            )
            .await;
        let got = server
            .ok(
                "ReceiveMessage",
                json!({"QueueUrl": q, "MaxNumberOfMessages": 1}),
            )
            .await;
        let message = &got["Messages"][0];
        assert_eq!(message["Body"], "one");
        (
            sent["MessageId"].as_str().unwrap().to_string(),
            message["ReceiptHandle"].as_str().unwrap().to_string(),
        )
        // Dropped here: SIGKILL.
    };

    let server = Durable::start(&dir);
    let attrs = server
        .ok(
            "GetQueueAttributes",
            json!({"QueueUrl": q, "AttributeNames": ["All"]}),
        )
        .await;
    assert_eq!(attrs["Attributes"]["VisibilityTimeout"], "120");
    assert_eq!(attrs["Attributes"]["ApproximateNumberOfMessages"], "1");
    assert_eq!(
        attrs["Attributes"]["ApproximateNumberOfMessagesNotVisible"],
        "1"
    );
    let tags = server.ok("ListQueueTags", json!({"QueueUrl": q})).await;
    assert_eq!(tags["Tags"]["team"], "payments");
    // Inside the window, a re-send is a duplicate with the original id.
    let again = server
        .ok(
            "SendMessage",
            json!({"QueueUrl": q, "MessageBody": "one", "MessageGroupId": "g", "MessageDeduplicationId": "d1"}),
        )
        .await;
    assert_eq!(again["MessageId"], first_id.as_str());
    // The group is still blocked behind the in-flight message...
    let blocked = server.ok("ReceiveMessage", json!({"QueueUrl": q})).await;
    assert!(
        blocked["Messages"].as_array().is_none_or(Vec::is_empty),
        "{blocked}"
    );
    // ...whose receipt handle from before the crash still deletes it.
    server
        .ok(
            "DeleteMessage",
            json!({"QueueUrl": q, "ReceiptHandle": handle}),
        )
        .await;
    let next = server
        .ok(
            "ReceiveMessage",
            json!({"QueueUrl": q, "AttributeNames": ["ApproximateReceiveCount"]}),
        )
        .await;
    assert_eq!(next["Messages"][0]["Body"], "two");
    assert_eq!(
        next["Messages"][0]["Attributes"]["ApproximateReceiveCount"],
        "1"
    );
    drop(server);

    // The delete, too, survived.
    let server = Durable::start(&dir);
    let attrs = server
        .ok(
            "GetQueueAttributes",
            json!({"QueueUrl": q, "AttributeNames": ["All"]}),
        )
        .await;
    assert_eq!(attrs["Attributes"]["ApproximateNumberOfMessages"], "0");
    assert_eq!(
        attrs["Attributes"]["ApproximateNumberOfMessagesNotVisible"],
        "1"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("fifowin-durable-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn manual_clock_config_queues_move_tasks_and_resets_survive_restarts() {
    let dir = temp_dir("features");
    let data = dir.join("data");
    let config = dir.join("fifowin.toml");
    std::fs::write(
        &config,
        "[[queues]]\nname = \"jobs\"\ndead_letter = { queue = \"jobs-dlq\", max_receive_count = 1 }\n\n[[queues]]\nname = \"jobs-dlq\"\n",
    )
    .unwrap();
    let args = ["--clock", "manual", "--config", config.to_str().unwrap()];
    let dlq_arn = "arn:aws:sqs:us-east-1:000000000000:jobs-dlq";

    let (clock, started) = {
        let server = Durable::start_with(&data, &args);
        // A run-time change to a config-file queue.
        server
            .ok(
                "SetQueueAttributes",
                json!({"QueueUrl": "jobs", "Attributes": {"VisibilityTimeout": "5"}}),
            )
            .await;
        for body in ["a", "b", "c"] {
            server
                .ok(
                    "SendMessage",
                    json!({"QueueUrl": "jobs", "MessageBody": body}),
                )
                .await;
        }
        let got = server
            .ok(
                "ReceiveMessage",
                json!({"QueueUrl": "jobs", "MaxNumberOfMessages": 10}),
            )
            .await;
        assert_eq!(got["Messages"].as_array().map(Vec::len), Some(3), "{got}");
        server.advance(6_000).await;
        // The second receive moves all three to the dead-letter queue.
        server
            .ok(
                "ReceiveMessage",
                json!({"QueueUrl": "jobs", "MaxNumberOfMessages": 10}),
            )
            .await;
        assert_eq!(server.visible("jobs-dlq").await, "3");
        server
            .ok(
                "StartMessageMoveTask",
                json!({"SourceArn": dlq_arn, "MaxNumberOfMessagesPerSecond": 1}),
            )
            .await;
        // One message in the first second of server time, then it waits for the clock.
        let task = server.task_at(dlq_arn, 1, "RUNNING").await;
        assert_eq!(task["Status"], "RUNNING");
        (server.now_ms().await, task["StartedTimestamp"].clone())
        // Dropped here: SIGKILL, with the task running.
    };

    {
        let server = Durable::start_with(&data, &args);
        assert_eq!(server.now_ms().await, clock, "the manual clock's time");
        // The config file's queue was left alone: its attribute change stayed.
        assert_eq!(server.attribute("jobs", "VisibilityTimeout").await, "5");
        let task = server.task_at(dlq_arn, 1, "RUNNING").await;
        assert_eq!(task["Status"], "RUNNING");
        assert_eq!(task["StartedTimestamp"], started);
        // The task resumed: each second of server time moves one more.
        server.advance(1_000).await;
        server.task_at(dlq_arn, 2, "RUNNING").await;
        server.advance(1_000).await;
        let done = server.task_at(dlq_arn, 3, "COMPLETED").await;
        assert_eq!(done["Status"], "COMPLETED");
        assert_eq!(server.visible("jobs").await, "3");
        assert_eq!(server.visible("jobs-dlq").await, "0");
        server.reset_queue("jobs-dlq").await;
    }

    {
        let server = Durable::start_with(&data, &args);
        assert_eq!(server.now_ms().await, clock + 2_000);
        // Replay gives the same answers: the task, the moved messages.
        let done = server.task_at(dlq_arn, 3, "COMPLETED").await;
        assert_eq!(done["Status"], "COMPLETED");
        assert_eq!(server.visible("jobs").await, "3");
        // A per-queue reset of the queue that holds them survives too.
        server.reset_queue("jobs").await;
    }

    {
        let server = Durable::start_with(&data, &args);
        assert_eq!(server.visible("jobs").await, "0");
        // A global reset: back to the config file's queues, as at first start-up.
        let (status, out) = server.control("/_fifowin/reset", Some(json!({}))).await;
        assert_eq!(status, 200, "{out}");
        assert_eq!(out["queues_created"], 2, "{out}");
    }

    let server = Durable::start_with(&data, &args);
    assert_eq!(server.attribute("jobs", "VisibilityTimeout").await, "30");
    let list = server
        .ok("ListMessageMoveTasks", json!({"SourceArn": dlq_arn}))
        .await;
    assert!(
        list["Results"].as_array().is_none_or(Vec::is_empty),
        "{list}"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_fault_rule_redelivery_and_a_system_clock_advance_survive_a_restart() {
    let dir = temp_dir("redeliver");
    let clock = {
        let server = Durable::start(&dir);
        server.ok("CreateQueue", json!({"QueueName": "q"})).await;
        server
            .ok("SendMessage", json!({"QueueUrl": "q", "MessageBody": "m"}))
            .await;
        let (status, out) = server
            .control(
                "/_fifowin/faults",
                Some(json!({"operation": "ReceiveMessage", "action": "redeliver", "count": 1})),
            )
            .await;
        assert_eq!(status, 201, "{out}");
        let got = server.ok("ReceiveMessage", json!({"QueueUrl": "q"})).await;
        assert_eq!(got["Messages"][0]["Body"], "m");
        // Redelivered at once: visible again, not in flight for 30 s.
        assert_eq!(server.visible("q").await, "1");
        // An hour ahead of the wall clock: the offset is logged too.
        server.advance(3_600_000).await;
        server.now_ms().await
    };
    let server = Durable::start(&dir);
    assert_eq!(server.visible("q").await, "1");
    assert_eq!(
        server
            .attribute("q", "ApproximateNumberOfMessagesNotVisible")
            .await,
        "0"
    );
    assert!(server.now_ms().await >= clock, "the clock went back");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `fifowin store check` on a directory no server holds: "snapshot: covers
/// records 1 to N" and the records after it.
fn store_check(dir: &Path) -> (Option<u64>, u64) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fifowin"))
        .args(["store", "check", "--data-dir"])
        .arg(dir)
        .output()
        .expect("run fifowin");
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(out.status.success(), "{text}");
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .map(str::trim)
            .unwrap_or_else(|| panic!("{name} in {text}"))
            .to_string()
    };
    let covers = field("snapshot:")
        .strip_prefix("covers records 1 to ")
        .map(|rest| rest.split(',').next().unwrap().parse().unwrap());
    (covers, field("records after:").parse().unwrap())
}

#[tokio::test]
async fn state_survives_sigkill_after_a_snapshot_from_it_and_the_records_after_it() {
    let dir = std::env::temp_dir().join(format!("fifowin-durable-snap-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let q = "jobs.fifo";
    let send = |body: &str| json!({"QueueUrl": q, "MessageBody": body, "MessageGroupId": body, "MessageDeduplicationId": body});
    let (ids, handle) = {
        let server = Durable::start_with(&dir, &["--snapshot-every", "6"]);
        server
            .ok(
                "CreateQueue",
                json!({"QueueName": q, "Attributes": {"FifoQueue": "true", "VisibilityTimeout": "300"},
                       "tags": {"team": "ops"}}),
            )
            .await;
        let mut ids = Vec::new();
        for body in ["a", "b", "c", "d"] {
            ids.push(server.ok("SendMessage", send(body)).await["MessageId"].clone());
        }
        let got = server
            .ok(
                "ReceiveMessage",
                json!({"QueueUrl": q, "MaxNumberOfMessages": 1}),
            )
            .await;
        assert_eq!(got["Messages"][0]["Body"], "a");
        let handle = got["Messages"][0]["ReceiptHandle"].clone();
        // Six records: a snapshot covers them; wait for it to be written.
        let mut written = 0;
        for _ in 0..200 {
            written = server.snapshots().await;
            if written > 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        assert_eq!(written, 1);
        // Records after the snapshot.
        ids.push(server.ok("SendMessage", send("e")).await["MessageId"].clone());
        server
            .ok(
                "TagQueue",
                json!({"QueueUrl": q, "Tags": {"stage": "after"}}),
            )
            .await;
        (ids, handle)
        // Dropped here: SIGKILL.
    };
    assert_eq!(store_check(&dir), (Some(6), 2));

    let server = Durable::start_with(&dir, &["--snapshot-every", "6"]);
    let tags = server.ok("ListQueueTags", json!({"QueueUrl": q})).await;
    assert_eq!(tags["Tags"], json!({"team": "ops", "stage": "after"}));
    let attrs = server
        .ok(
            "GetQueueAttributes",
            json!({"QueueUrl": q, "AttributeNames": ["All"]}),
        )
        .await;
    assert_eq!(attrs["Attributes"]["VisibilityTimeout"], "300");
    assert_eq!(attrs["Attributes"]["ApproximateNumberOfMessages"], "4");
    assert_eq!(
        attrs["Attributes"]["ApproximateNumberOfMessagesNotVisible"],
        "1"
    );
    // Dedup entries from the snapshot and from the tail: the original ids.
    for (body, id) in ["a", "c", "e"].into_iter().zip([&ids[0], &ids[2], &ids[4]]) {
        let again = server.ok("SendMessage", send(body)).await;
        assert_eq!(&again["MessageId"], id, "re-send of {body}");
    }
    // The receipt handle of the message in flight at the snapshot deletes it.
    server
        .ok(
            "DeleteMessage",
            json!({"QueueUrl": q, "ReceiptHandle": handle}),
        )
        .await;
    let new = server.ok("SendMessage", send("f")).await["MessageId"].clone();
    assert!(!ids.contains(&new), "a new message got an old id");
    let got = server
        .ok(
            "ReceiveMessage",
            json!({"QueueUrl": q, "MaxNumberOfMessages": 10}),
        )
        .await;
    let mut bodies: Vec<&str> = got["Messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Body"].as_str().unwrap())
        .collect();
    bodies.sort_unstable();
    assert_eq!(bodies, ["b", "c", "d", "e", "f"]);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn config_file_topics_are_created_on_first_start_and_left_alone_on_the_next() {
    let dir = temp_dir("topics");
    let data = dir.join("data");
    let config = dir.join("fifowin.toml");
    std::fs::write(
        &config,
        "[[queues]]\nname = \"audit\"\n\n[[queues]]\nname = \"billing\"\n\n\
         [[topics]]\nname = \"events\"\nsubscriptions = [{ queue = \"audit\", raw = true }]\n",
    )
    .unwrap();
    let args = ["--config", config.to_str().unwrap()];
    let topic = "arn:aws:sns:us-east-1:000000000000:events";
    let billing = "arn:aws:sqs:us-east-1:000000000000:billing";
    let added = {
        let server = Durable::start_with(&data, &args);
        let (endpoints, listed) = subscribed(&server, topic).await;
        assert_eq!(
            endpoints,
            ["arn:aws:sqs:us-east-1:000000000000:audit"],
            "{listed}"
        );
        // A run-time subscription and attribute on the config file's topic.
        let subscribed = server
            .sns(&format!(
                "Action=Subscribe&TopicArn={topic}&Protocol=sqs&Endpoint={billing}"
            ))
            .await;
        server
            .sns(&format!(
                "Action=SetTopicAttributes&TopicArn={topic}&AttributeName=DisplayName&AttributeValue=Kept"
            ))
            .await;
        xml_texts(&subscribed, "SubscriptionArn")
        // Dropped here: SIGKILL.
    };

    let server = Durable::start_with(&data, &args);
    let (endpoints, listed) = subscribed(&server, topic).await;
    assert_eq!(
        endpoints,
        [
            "arn:aws:sqs:us-east-1:000000000000:audit",
            "arn:aws:sqs:us-east-1:000000000000:billing"
        ],
        "{listed}"
    );
    assert!(xml_texts(&listed, "SubscriptionArn").contains(&added[0]));
    let attributes = server
        .sns(&format!("Action=GetTopicAttributes&TopicArn={topic}"))
        .await;
    assert!(attributes.contains("<value>Kept</value>"), "{attributes}");
    // Both subscriptions deliver.
    server
        .sns(&format!("Action=Publish&TopicArn={topic}&Message=hello"))
        .await;
    assert_eq!(server.visible("audit").await, "1");
    assert_eq!(server.visible("billing").await, "1");
    // A global reset makes the file's topic again, with its one subscription.
    let (status, out) = server.control("/_fifowin/reset", Some(json!({}))).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["topics_created"], 1, "{out}");
    drop(server);
    let server = Durable::start_with(&data, &args);
    let (endpoints, listed) = subscribed(&server, topic).await;
    assert_eq!(
        endpoints,
        ["arn:aws:sqs:us-east-1:000000000000:audit"],
        "{listed}"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_move_task_in_a_snapshot_resumes_after_sigkill_and_moves_each_message_once() {
    let dir = temp_dir("move-snapshot");
    let args = ["--clock", "manual", "--snapshot-every", "4"];
    let dlq_arn = "arn:aws:sqs:us-east-1:000000000000:dlq";
    {
        let server = Durable::start_with(&dir, &args);
        server.ok("CreateQueue", json!({"QueueName": "dlq"})).await;
        server.ok("CreateQueue", json!({"QueueName": "dest"})).await;
        let redrive = json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1}).to_string();
        server
            .ok(
                "CreateQueue",
                json!({"QueueName": "src", "Attributes": {"RedrivePolicy": redrive}}),
            )
            .await;
        for n in 0..6 {
            let body = json!({"QueueUrl": "dlq", "MessageBody": format!("m{n}")});
            server.ok("SendMessage", body).await;
        }
        // Let the snapshot these nine records started finish; the task's
        // records (start, steps, advances) are then enough for another.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let before = server.snapshots().await;
        server
            .ok(
                "StartMessageMoveTask",
                json!({"SourceArn": dlq_arn, "MaxNumberOfMessagesPerSecond": 1,
                       "DestinationArn": "arn:aws:sqs:us-east-1:000000000000:dest"}),
            )
            .await;
        server.task_at(dlq_arn, 1, "RUNNING").await;
        for moved in 2..=4 {
            server.advance(1_000).await;
            server.task_at(dlq_arn, moved, "RUNNING").await;
        }
        // A snapshot taken while the task runs.
        server.snapshots_at_least(before + 1).await;
        // Dropped here: SIGKILL.
    }
    let (covers, _) = store_check(&dir);
    assert!(
        covers.is_some_and(|c| c >= 10),
        "{covers:?}: no snapshot after the task started"
    );

    let server = Durable::start_with(&dir, &args);
    server.task_at(dlq_arn, 4, "RUNNING").await;
    server.advance(10_000).await;
    server.task_at(dlq_arn, 6, "COMPLETED").await;
    assert_eq!(server.visible("dlq").await, "0");
    let mut bodies = Vec::new();
    for _ in 0..6 {
        let got = server
            .ok(
                "ReceiveMessage",
                json!({"QueueUrl": "dest", "MaxNumberOfMessages": 10}),
            )
            .await;
        for m in got["Messages"].as_array().into_iter().flatten() {
            bodies.push(m["Body"].as_str().unwrap().to_string());
        }
    }
    bodies.sort();
    assert_eq!(bodies, ["m0", "m1", "m2", "m3", "m4", "m5"]);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
