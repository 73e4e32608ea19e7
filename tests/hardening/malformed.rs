//! Hostile input: every malformed request gets a 4xx SQS error (JSON `__type` or
//! Query XML `<Code>`), never a 5xx, a panic or a hang; the server keeps serving.

use fifowin_e2e::TestServer;
use serde_json::json;

use crate::socket::{exchange, status};

/// (X-Amz-Target, body) pairs that are wrong in every way we could think of.
fn bad_json_requests(url: &str) -> Vec<(String, Vec<u8>)> {
    let t = |op: &str| format!("AmazonSQS.{op}");
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_obj = format!("{}1{}", "{\"a\":".repeat(5_000), "}".repeat(5_000));
    vec![
        (t("SendMessage"), b"".to_vec()),
        (t("SendMessage"), b"not json".to_vec()),
        (t("SendMessage"), b"\xff\xfe\x00garbage".to_vec()),
        (t("SendMessage"), b"[]".to_vec()),
        (t("SendMessage"), b"null".to_vec()),
        (t("SendMessage"), b"{\"QueueUrl\": 5}".to_vec()),
        (t("SendMessage"), format!("{{\"QueueUrl\":\"{url}\"}}").into_bytes()),
        (t("SendMessage"), format!("{{\"QueueUrl\":\"{url}\",\"MessageBody\":\"x\",\"DelaySeconds\":1e400}}").into_bytes()),
        (t("SendMessage"), format!("{{\"QueueUrl\":\"{url}\",\"MessageBody\":\"x\",\"DelaySeconds\":-99999999999999999999}}").into_bytes()),
        (t("SendMessage"), format!("{{\"QueueUrl\":\"{url}\",\"MessageBody\":\"\\ud800\"}}").into_bytes()),
        (t("SendMessage"), format!("{{\"QueueUrl\":\"{url}\",\"MessageBody\":\"x\",\"MessageAttributes\":{{\"a\":{{\"DataType\":\"Binary\",\"BinaryValue\":\"!!!not base64\"}}}}}}").into_bytes()),
        (t("SendMessage"), format!("{{\"QueueUrl\":\"{url}\",\"MessageBody\":\"x\",\"MessageAttributes\":{{\"a\":5}}}}").into_bytes()),
        (t("SendMessage"), deep.clone().into_bytes()),
        (t("SendMessage"), deep_obj.into_bytes()),
        (t("SendMessageBatch"), format!("{{\"QueueUrl\":\"{url}\",\"Entries\":{{}}}}").into_bytes()),
        (t("SendMessageBatch"), format!("{{\"QueueUrl\":\"{url}\",\"Entries\":[null,1,\"x\"]}}").into_bytes()),
        (t("ReceiveMessage"), format!("{{\"QueueUrl\":\"{url}\",\"MaxNumberOfMessages\":1000000}}").into_bytes()),
        (t("ReceiveMessage"), format!("{{\"QueueUrl\":\"{url}\",\"WaitTimeSeconds\":-1}}").into_bytes()),
        (t("ReceiveMessage"), format!("{{\"QueueUrl\":\"{url}\",\"VisibilityTimeout\":\"soon\"}}").into_bytes()),
        (t("DeleteMessage"), format!("{{\"QueueUrl\":\"{url}\",\"ReceiptHandle\":\"\\u0000\"}}").into_bytes()),
        (t("DeleteMessage"), format!("{{\"QueueUrl\":\"{url}\",\"ReceiptHandle\":\"{}\"}}", "A".repeat(100_000)).into_bytes()),
        (t("ChangeMessageVisibility"), format!("{{\"QueueUrl\":\"{url}\",\"ReceiptHandle\":\"x\",\"VisibilityTimeout\":99999999}}").into_bytes()),
        (t("CreateQueue"), b"{\"QueueName\":\"\"}".to_vec()),
        (t("CreateQueue"), format!("{{\"QueueName\":\"{}\"}}", "q".repeat(10_000)).into_bytes()),
        (t("CreateQueue"), b"{\"QueueName\":\"a b/c\"}".to_vec()),
        (t("CreateQueue"), b"{\"QueueName\":\"q.fifo\",\"Attributes\":{\"FifoQueue\":\"maybe\"}}".to_vec()),
        (t("SetQueueAttributes"), format!("{{\"QueueUrl\":\"{url}\",\"Attributes\":{{\"RedrivePolicy\":\"{{{{{{\"}}}}").into_bytes()),
        (t("SetQueueAttributes"), format!("{{\"QueueUrl\":\"{url}\",\"Attributes\":{{\"Policy\":\"[\"}}}}").into_bytes()),
        (t("ListQueues"), b"{\"NextToken\":\"%%%\"}".to_vec()),
        (t("ListQueues"), b"{\"MaxResults\":0}".to_vec()),
        (t("TagQueue"), format!("{{\"QueueUrl\":\"{url}\",\"Tags\":[1,2]}}").into_bytes()),
        (t("StartMessageMoveTask"), b"{\"SourceArn\":\"arn:nope\"}".to_vec()),
        (t("NoSuchOperation"), b"{}".to_vec()),
        ("AmazonSQS.".into(), b"{}".to_vec()),
        ("SomethingElse.SendMessage".into(), b"{}".to_vec()),
    ]
}

#[tokio::test]
async fn malformed_json_requests_get_sqs_errors_never_5xx() {
    let server = TestServer::start().await;
    let url = server.standard_queue("target", &[]).await;
    let http = reqwest::Client::new();
    for (target, body) in bad_json_requests(&url) {
        let resp = http
            .post(format!("{}/", server.endpoint))
            .header("x-amz-target", &target)
            .header("content-type", "application/x-amz-json-1.0")
            .body(body.clone())
            .send()
            .await
            .expect("an answer");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let shown = String::from_utf8_lossy(&body[..body.len().min(80)]).into_owned();
        assert!(
            (400..500).contains(&status),
            "{target} {shown}: {status} {text}"
        );
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        assert!(parsed["__type"].is_string(), "{target} {shown}: {text}");
    }
    assert!(server.sqs.list_queues().send().await.is_ok());
}

#[tokio::test]
async fn malformed_query_requests_get_xml_errors_never_5xx() {
    let server = TestServer::start().await;
    let url = server.standard_queue("target", &[]).await;
    let bodies = [
        "Action=SendMessage".to_string(),
        "Action=SendMessage&QueueUrl=%ZZ".to_string(),
        format!("Action=SendMessage&QueueUrl={url}&MessageBody=%FF%FE"),
        format!("Action=SendMessage&QueueUrl={url}&MessageBody=x&DelaySeconds=abc"),
        format!(
            "Action=SendMessage&QueueUrl={url}&MessageBody=x&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=Binary&MessageAttribute.1.Value.BinaryValue=***"
        ),
        format!(
            "Action=SendMessageBatch&QueueUrl={url}&SendMessageBatchRequestEntry.99999999999999999999.Id=a"
        ),
        format!("Action=SendMessageBatch&QueueUrl={url}&SendMessageBatchRequestEntry.0.Id=a"),
        format!(
            "Action=SendMessageBatch&QueueUrl={url}&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1000000.Id=b"
        ),
        format!("Action=DeleteMessageBatch&QueueUrl={url}&DeleteMessageBatchRequestEntry.-1.Id=a"),
        format!("Action=ReceiveMessage&QueueUrl={url}&MaxNumberOfMessages=1e9"),
        "Action=NoSuchAction".to_string(),
        "Action=".to_string(),
        "=&&&==&".to_string(),
        "Action=CreateQueue&QueueName=a&Attribute.1.Name=FifoQueue".to_string(),
        "%".to_string(),
        "\u{0}\u{1}\u{2}".to_string(),
    ];
    let http = reqwest::Client::new();
    for body in bodies {
        let resp = http
            .post(format!("{}/", server.endpoint))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .expect("an answer");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        assert!((400..500).contains(&status), "{body}: {status} {text}");
        assert!(text.contains("<Code>"), "{body}: {text}");
    }
    assert!(server.sqs.list_queues().send().await.is_ok());
}

#[tokio::test]
async fn broken_http_is_refused_without_a_5xx() {
    let server = TestServer::start().await;
    let cases: [&[u8]; 6] = [
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage-tls-hello\r\n\r\n",
        b"GARBAGE\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: banana\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
        b"POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n0\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AmazonSQS.ListQueues\r\nContent-Length: 99999999999999999999999\r\n\r\n{}",
    ];
    for bytes in cases {
        let answer = exchange(server.addr, bytes).await;
        let code = status(&answer);
        assert!(
            code == 0 || (400..500).contains(&code),
            "{bytes:?}: {answer}"
        );
    }
    assert!(server.sqs.list_queues().send().await.is_ok());
}

#[tokio::test]
async fn a_storm_of_random_bytes_never_gets_a_5xx() {
    let server = TestServer::start().await;
    let url = server.standard_queue("target", &[]).await;
    let http = reqwest::Client::new();
    // A fixed-seed xorshift: the same "random" requests on every run.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let template = json!({"QueueUrl": url, "MessageBody": "hello", "DelaySeconds": 0}).to_string();
    let ops = [
        "SendMessage",
        "ReceiveMessage",
        "DeleteMessage",
        "SendMessageBatch",
        "CreateQueue",
    ];
    for i in 0..300 {
        let mut body = template.clone().into_bytes();
        for _ in 0..(1 + next() % 6) {
            let at = (next() % body.len() as u64) as usize;
            body[at] = (next() % 256) as u8;
        }
        let op = ops[i % ops.len()];
        let resp = http
            .post(format!("{}/", server.endpoint))
            .header("x-amz-target", format!("AmazonSQS.{op}"))
            .header("content-type", "application/x-amz-json-1.0")
            .body(body)
            .send()
            .await
            .expect("an answer");
        assert!(resp.status().as_u16() < 500, "{op} #{i}: {}", resp.status());
    }
}
