//! The Query protocol over raw HTTP: POST form bodies and GET query strings on the
//! same port, `QueueUrl` from the path (the parameter wins), flattened lists and
//! maps, XML answers with the 2012-11-05 namespace and a request id, escaping of
//! echoed text, and XML errors with Query codes.

use fifowin_e2e::query::{assert_query_error, xml_value, xml_values};
use fifowin_e2e::{TestServer, md5_hex};

const NS: &str = "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"";

async fn create_fifo(server: &TestServer, name: &str) -> String {
    let resp = server
        .query(
            "/",
            &[
                ("Action", "CreateQueue"),
                ("Version", "2012-11-05"),
                ("QueueName", name),
                ("Attribute.1.Name", "FifoQueue"),
                ("Attribute.1.Value", "true"),
                ("Attribute.2.Name", "ContentBasedDeduplication"),
                ("Attribute.2.Value", "true"),
                ("Tag.1.Key", "team"),
                ("Tag.1.Value", "a&b"),
            ],
        )
        .await;
    assert_eq!(resp.status, 200, "{resp:?}");
    xml_value(&resp.body, "QueueUrl")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_round_trip_over_post_forms() {
    let server = TestServer::start().await;
    let url = create_fifo(&server, "orders.fifo").await;
    assert_eq!(url, format!("{}/000000000000/orders.fifo", server.endpoint));
    let body = "order <1> & \"2\"\r\n✓";
    let sent = server
        .query(
            "/",
            &[
                ("Action", "SendMessage"),
                ("QueueUrl", &url),
                ("MessageBody", body),
                ("MessageGroupId", "g"),
                ("MessageAttribute.1.Name", "bin"),
                ("MessageAttribute.1.Value.DataType", "Binary"),
                ("MessageAttribute.1.Value.BinaryValue", "AAH/"),
                ("MessageAttribute.2.Name", "num"),
                ("MessageAttribute.2.Value.DataType", "Number"),
                ("MessageAttribute.2.Value.StringValue", "42"),
            ],
        )
        .await;
    assert_eq!(sent.status, 200, "{sent:?}");
    assert!(sent.body.starts_with(&format!(
        "<?xml version=\"1.0\"?><SendMessageResponse {NS}><SendMessageResult>"
    )));
    assert_eq!(
        xml_value(&sent.body, "MD5OfMessageBody"),
        md5_hex(body.as_bytes())
    );
    assert_eq!(xml_value(&sent.body, "MD5OfMessageAttributes").len(), 32);
    let request_id = xml_value(&sent.body, "RequestId");
    assert_eq!(sent.header("x-amzn-requestid"), Some(request_id.as_str()));
    let message_id = xml_value(&sent.body, "MessageId");

    // A duplicate inside the window: the original id and sequence number.
    let dup = server
        .query(
            "/",
            &[
                ("Action", "SendMessage"),
                ("QueueUrl", &url),
                ("MessageBody", body),
                ("MessageGroupId", "g"),
            ],
        )
        .await;
    assert_eq!(xml_value(&dup.body, "MessageId"), message_id);
    assert_eq!(
        xml_value(&dup.body, "SequenceNumber"),
        xml_value(&sent.body, "SequenceNumber")
    );

    let got = server
        .query(
            "/",
            &[
                ("Action", "ReceiveMessage"),
                ("QueueUrl", &url),
                ("AttributeName.1", "MessageGroupId"),
                ("AttributeName.2", "SequenceNumber"),
                ("MessageAttributeName.1", "bin"),
            ],
        )
        .await;
    assert_eq!(got.status, 200, "{got:?}");
    assert_eq!(
        xml_value(&got.body, "Body"),
        body,
        "escaped and unescaped intact"
    );
    assert_eq!(xml_value(&got.body, "MD5OfBody"), md5_hex(body.as_bytes()));
    assert_eq!(
        xml_values(&got.body, "Name"),
        ["MessageGroupId", "SequenceNumber", "bin"]
    );
    assert_eq!(xml_value(&got.body, "BinaryValue"), "AAH/");
    assert!(
        xml_values(&got.body, "StringValue").is_empty(),
        "num was not asked for"
    );
    let handle = xml_value(&got.body, "ReceiptHandle");

    let deleted = server
        .query(
            "/",
            &[
                ("Action", "DeleteMessage"),
                ("QueueUrl", &url),
                ("ReceiptHandle", &handle),
            ],
        )
        .await;
    assert_eq!(deleted.status, 200);
    assert!(
        deleted.body.contains(&format!(
            "<DeleteMessageResponse {NS}><ResponseMetadata><RequestId>"
        )),
        "no Result element: {}",
        deleted.body
    );
    let empty = server
        .query("/", &[("Action", "ReceiveMessage"), ("QueueUrl", &url)])
        .await;
    assert!(
        empty.body.contains("<ReceiveMessageResult/>"),
        "{}",
        empty.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_query_strings_and_queue_urls_from_the_path() {
    let server = TestServer::start().await;
    server.standard_queue("a", &[]).await;
    server.standard_queue("b", &[]).await;
    let sent = server
        .query_get(
            "/000000000000/a",
            &[("Action", "SendMessage"), ("MessageBody", "via GET")],
        )
        .await;
    assert_eq!(sent.status, 200, "{sent:?}");
    assert_eq!(
        server
            .receive_bodies(&format!("{}/000000000000/a", server.endpoint), 10)
            .await,
        ["via GET"]
    );

    // The path says a, the parameter says b: the parameter wins.
    let b = format!("{}/000000000000/b", server.endpoint);
    let sent = server
        .query(
            "/000000000000/a",
            &[
                ("Action", "SendMessage"),
                ("QueueUrl", &b),
                ("MessageBody", "to b"),
            ],
        )
        .await;
    assert_eq!(sent.status, 200, "{sent:?}");
    assert_eq!(server.receive_bodies(&b, 10).await, ["to b"]);

    let attrs = server
        .query(
            "/000000000000/b",
            &[("Action", "GetQueueAttributes"), ("AttributeName.1", "All")],
        )
        .await;
    let names = xml_values(&attrs.body, "Name");
    assert!(
        names.contains(&"QueueArn".to_string()) && names.contains(&"VisibilityTimeout".to_string()),
        "{names:?}"
    );

    // A bare GET on a queue URL is not an operation.
    let probe = server.query_get("/000000000000/b", &[]).await;
    assert_eq!(
        (probe.status, probe.body.as_str()),
        (404, "<UnknownOperationException/>")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_xml_with_query_codes() {
    let server = TestServer::start().await;
    let missing = server
        .query("/", &[("Action", "GetQueueUrl"), ("QueueName", "nope")])
        .await;
    assert_query_error(
        &missing,
        400,
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist for this wsdl version.",
    );
    let missing = server
        .query(
            "/000000000000/nope",
            &[("Action", "SendMessage"), ("MessageBody", "x")],
        )
        .await;
    assert_query_error(
        &missing,
        400,
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist for this wsdl version.",
    );
    let unknown = server.query("/", &[("Action", "Frobnicate")]).await;
    assert_query_error(
        &unknown,
        400,
        "InvalidAction",
        "The action Frobnicate is not valid for this endpoint.",
    );
    let misplaced = server
        .query(
            "/000000000000/q",
            &[("Action", "CreateQueue"), ("QueueName", "q")],
        )
        .await;
    assert_query_error(
        &misplaced,
        400,
        "InvalidAction",
        "The action CreateQueue is not valid for this endpoint.",
    );
    let no_action = server.query("/", &[("QueueName", "q")]).await;
    assert_query_error(
        &no_action,
        400,
        "MissingAction",
        "The request must contain the parameter Action.",
    );
    let url = server.standard_queue("q", &[]).await;
    let no_body = server
        .query("/", &[("Action", "SendMessage"), ("QueueUrl", &url)])
        .await;
    assert_query_error(
        &no_body,
        400,
        "MissingParameter",
        "The request must contain the parameter MessageBody.",
    );
    let purge = [("Action", "PurgeQueue"), ("QueueUrl", url.as_str())];
    assert_eq!(server.query("/", &purge).await.status, 200);
    assert_query_error(
        &server.query("/", &purge).await,
        403,
        "AWS.SimpleQueueService.PurgeQueueInProgress",
        "Only one PurgeQueue operation on q is allowed every 60 seconds.",
    );
    let bad_handle = server
        .query(
            "/",
            &[
                ("Action", "DeleteMessage"),
                ("QueueUrl", &url),
                ("ReceiptHandle", "garbage"),
            ],
        )
        .await;
    assert_query_error(
        &bad_handle,
        404,
        "ReceiptHandleIsInvalid",
        "The input receipt handle \"garbage\" is not a valid receipt handle.",
    );
    let broken = server
        .raw(
            "/",
            &[("content-type", "application/x-www-form-urlencoded".into())],
            "Action=SendMessage&MessageBody=%4".into(),
        )
        .await;
    assert_query_error(
        &broken,
        404,
        "MalformedQueryString",
        "The query string contains a syntax error.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echoed_text_is_escaped_even_where_xml_cannot_carry_it() {
    let server = TestServer::start().await;
    let url = create_fifo(&server, "echo.fifo").await;
    let resp = server
        .query(
            "/",
            &[
                ("Action", "SendMessage"),
                ("QueueUrl", &url),
                ("MessageBody", "x"),
                ("MessageGroupId", "g"),
                ("MessageDeduplicationId", "bad <id>\u{7}&"),
            ],
        )
        .await;
    assert_query_error(
        &resp,
        400,
        "InvalidParameterValue",
        "Value bad <id>\u{FFFD}& for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.",
    );
    assert!(
        !resp.body.contains('\u{7}') && resp.body.contains("bad &lt;id&gt;"),
        "{}",
        resp.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_flatten_entries_and_report_failures() {
    let server = TestServer::start().await;
    let url = server.standard_queue("batch", &[]).await;
    let entry = |i: usize, field: &str| format!("SendMessageBatchRequestEntry.{i}.{field}");
    let keys: Vec<(String, String)> = vec![
        (entry(1, "Id"), "ok".into()),
        (entry(1, "MessageBody"), "fine".into()),
        (entry(2, "Id"), "bad".into()),
        (entry(2, "MessageBody"), "bell \u{7}".into()),
        (entry(3, "Id"), "late".into()),
        (entry(3, "MessageBody"), "later".into()),
        (entry(3, "DelaySeconds"), "901".into()),
    ];
    let mut params: Vec<(&str, &str)> = vec![("Action", "SendMessageBatch"), ("QueueUrl", &url)];
    params.extend(keys.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let resp = server.query("/", &params).await;
    assert_eq!(resp.status, 200, "{resp:?}");
    assert_eq!(
        xml_values(&resp.body, "SendMessageBatchResultEntry").len(),
        1
    );
    assert_eq!(xml_values(&resp.body, "Id"), ["ok", "bad", "late"]);
    assert_eq!(
        xml_values(&resp.body, "Code"),
        ["InvalidMessageContents", "InvalidParameterValue"]
    );
    assert_eq!(xml_values(&resp.body, "SenderFault"), ["true", "true"]);

    let empty = server
        .query(
            "/",
            &[
                ("Action", "SendMessageBatch"),
                ("QueueUrl", &url),
                ("Entries", ""),
            ],
        )
        .await;
    assert_query_error(
        &empty,
        400,
        "AWS.SimpleQueueService.EmptyBatchRequest",
        "There should be at least one SendMessageBatchRequestEntry in the request.",
    );

    let many: Vec<(String, String)> = (1..=11)
        .flat_map(|i| {
            [
                (entry(i, "Id"), format!("e{i}")),
                (entry(i, "MessageBody"), "b".to_string()),
            ]
        })
        .collect();
    let mut params: Vec<(&str, &str)> = vec![("Action", "SendMessageBatch"), ("QueueUrl", &url)];
    params.extend(many.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let too_many = server.query("/", &params).await;
    assert_query_error(
        &too_many,
        400,
        "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        "Maximum number of entries per request are 10. You have sent 11.",
    );

    let zero = server
        .query(
            "/",
            &[
                ("Action", "SendMessageBatch"),
                ("QueueUrl", &url),
                ("SendMessageBatchRequestEntry.0.Id", "a"),
                ("SendMessageBatchRequestEntry.0.MessageBody", "b"),
            ],
        )
        .await;
    assert_query_error(
        &zero,
        400,
        "InvalidParameterValue",
        "Value 0 for parameter SendMessageBatchRequestEntry is invalid. Reason: List indices must be whole numbers starting at 1.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_permissions_and_fair_queues_over_query() {
    let server = TestServer::start().await;
    let url = server.standard_queue("fair", &[]).await;
    let tagged = server
        .query(
            "/",
            &[
                ("Action", "TagQueue"),
                ("QueueUrl", &url),
                ("Tags.1.Key", "k"),
                ("Tags.1.Value", "<v>"),
            ],
        )
        .await;
    assert_eq!(tagged.status, 200, "{tagged:?}");
    let tags = server
        .query("/", &[("Action", "ListQueueTags"), ("QueueUrl", &url)])
        .await;
    assert_eq!(
        (xml_value(&tags.body, "Key"), xml_value(&tags.body, "Value")),
        ("k".into(), "<v>".into())
    );

    let added = server
        .query(
            "/",
            &[
                ("Action", "AddPermission"),
                ("QueueUrl", &url),
                ("Label", "l1"),
                ("AWSAccountId.1", "111122223333"),
                ("ActionName.1", "SendMessage"),
                ("ActionName.2", "ReceiveMessage"),
            ],
        )
        .await;
    assert_eq!(added.status, 200, "{added:?}");
    let policy = server
        .queue_attribute(&url, "Policy")
        .await
        .expect("policy");
    let policy: serde_json::Value = serde_json::from_str(&policy).unwrap();
    assert_eq!(
        policy["Statement"][0]["Action"],
        serde_json::json!(["SQS:SendMessage", "SQS:ReceiveMessage"])
    );
    let removed = server
        .query(
            "/",
            &[
                ("Action", "RemovePermission"),
                ("QueueUrl", &url),
                ("Label", "l1"),
            ],
        )
        .await;
    assert_eq!(removed.status, 200);
    assert_eq!(server.queue_attribute(&url, "Policy").await, None);

    let sent = server
        .query(
            "/",
            &[
                ("Action", "SendMessage"),
                ("QueueUrl", &url),
                ("MessageBody", "t"),
                ("MessageGroupId", "tenant-1"),
            ],
        )
        .await;
    assert_eq!(sent.status, 200, "{sent:?}");
    assert!(
        xml_values(&sent.body, "SequenceNumber").is_empty(),
        "fair queues have no sequence numbers"
    );
    let got = server
        .query(
            "/",
            &[
                ("Action", "ReceiveMessage"),
                ("QueueUrl", &url),
                ("AttributeName.1", "MessageGroupId"),
            ],
        )
        .await;
    assert_eq!(xml_value(&got.body, "Value"), "tenant-1");
}
