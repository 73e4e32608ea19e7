//! Durable mode through the binary: `fifowin serve --data-dir`, killed with
//! SIGKILL and restarted on the same directory, keeps queues, attributes, tags,
//! messages, in-flight messages with their receipt handles and receive counts,
//! and the dedup window (a re-send gets the original MessageId).

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
        let dir = dir.to_str().expect("a UTF-8 temp path");
        Durable {
            served: Served::start(&["--data-dir", dir], &[]),
        }
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
