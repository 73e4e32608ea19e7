//! Durable mode through the binary: `fifowin serve --data-dir`, killed with
//! SIGKILL and restarted on the same directory, keeps queues, attributes, tags,
//! messages, in-flight messages with their receipt handles and receive counts,
//! and the dedup window (a re-send gets the original MessageId), from the log
//! alone and from a snapshot plus the records after it (`--snapshot-every`).

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
        Self::start_with(dir, &[])
    }

    fn start_with(dir: &Path, flags: &[&str]) -> Durable {
        let dir = dir.to_str().expect("a UTF-8 temp path");
        let mut args = vec!["--data-dir", dir];
        args.extend_from_slice(flags);
        Durable {
            served: Served::start(&args, &[]),
        }
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
