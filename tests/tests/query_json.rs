//! Query requests whose `Accept` asks for `application/json` get AWS's JSON rendering
//! of the same answer (envelope, member names, nulls, maps as pair lists, errors as
//! `{"Error": ..}`), over raw HTTP, POST and GET; without that header, XML as before.

use fifowin_e2e::TestServer;
use fifowin_e2e::query::xml_value;
use serde_json::{Value, json};

/// The request id the JSON body carries, checked against the header.
fn request_id(resp: &fifowin_e2e::RawResponse, root: &str) -> String {
    let id = resp.json()[root]["ResponseMetadata"]["RequestId"]
        .as_str()
        .unwrap_or_else(|| panic!("request id in {resp:?}"))
        .to_string();
    assert_eq!(resp.header("x-amzn-requestid"), Some(id.as_str()));
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_queues_and_queue_urls_render_as_json() {
    let server = TestServer::start().await;
    let url = server.standard_queue("jq", &[]).await;
    let resp = server.query_json("/", &[("Action", "ListQueues")]).await;
    assert_eq!(resp.status, 200, "{resp:?}");
    assert_eq!(resp.header("content-type"), Some("application/json"));
    let id = request_id(&resp, "ListQueuesResponse");
    assert_eq!(
        resp.json(),
        json!({ "ListQueuesResponse": {
            "ListQueuesResult": { "NextToken": null, "queueUrls": [url] },
            "ResponseMetadata": { "RequestId": id },
        }})
    );
    // GET with the parameters in the query string, and a browser-like Accept list.
    let resp = server
        .query_get_accepting(
            "/",
            &[("Action", "GetQueueUrl"), ("QueueName", "jq")],
            Some("application/json, text/plain, */*"),
        )
        .await;
    assert_eq!(resp.status, 200, "{resp:?}");
    assert_eq!(
        resp.json()["GetQueueUrlResponse"]["GetQueueUrlResult"],
        json!({ "QueueUrl": url })
    );
    // Without the header: XML, as before.
    let resp = server.query("/", &[("Action", "ListQueues")]).await;
    assert_eq!(resp.header("content-type"), Some("text/xml"));
    assert_eq!(xml_value(&resp.body, "QueueUrl"), url);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receive_and_attributes_render_as_aws_renders_them() {
    let server = TestServer::start().await;
    let url = server
        .standard_queue("jr", &[("VisibilityTimeout", "45")])
        .await;
    let resp = server
        .query_json(
            "/",
            &[
                ("Action", "SendMessage"),
                ("QueueUrl", &url),
                ("MessageBody", "héllo <json>"),
            ],
        )
        .await;
    assert_eq!(resp.status, 200, "{resp:?}");
    let sent = &resp.json()["SendMessageResponse"]["SendMessageResult"];
    assert_eq!(
        sent["MD5OfMessageBody"],
        fifowin_e2e::md5_hex("héllo <json>".as_bytes())
    );
    assert_eq!(sent["MD5OfMessageAttributes"], Value::Null);
    let message_id = sent["MessageId"].as_str().expect("MessageId").to_string();

    let resp = server
        .query_json(
            "/",
            &[
                ("Action", "ReceiveMessage"),
                ("QueueUrl", &url),
                ("AttributeName.1", "ApproximateReceiveCount"),
            ],
        )
        .await;
    assert_eq!(resp.status, 200, "{resp:?}");
    let messages = &resp.json()["ReceiveMessageResponse"]["ReceiveMessageResult"]["messages"];
    assert_eq!(messages[0]["Body"], "héllo <json>");
    assert_eq!(messages[0]["MessageId"], message_id.as_str());
    assert_eq!(
        messages[0]["Attributes"],
        json!([{ "Name": "ApproximateReceiveCount", "Value": "1" }])
    );
    assert_eq!(messages[0]["MessageAttributes"], Value::Null);
    assert!(messages[0]["ReceiptHandle"].is_string());

    // Nothing left: `messages` is null, not absent.
    let resp = server
        .query_json("/", &[("Action", "ReceiveMessage"), ("QueueUrl", &url)])
        .await;
    assert_eq!(
        resp.json()["ReceiveMessageResponse"]["ReceiveMessageResult"],
        json!({ "messages": null })
    );

    let resp = server
        .query_json(
            "/",
            &[
                ("Action", "GetQueueAttributes"),
                ("QueueUrl", &url),
                ("AttributeName.1", "VisibilityTimeout"),
                ("AttributeName.2", "DelaySeconds"),
            ],
        )
        .await;
    assert_eq!(
        resp.json()["GetQueueAttributesResponse"]["GetQueueAttributesResult"]["Attributes"],
        json!([
            { "Name": "DelaySeconds", "Value": "0" },
            { "Name": "VisibilityTimeout", "Value": "45" },
        ])
    );

    // An operation without output: only the metadata.
    let resp = server
        .query_json("/", &[("Action", "PurgeQueue"), ("QueueUrl", &url)])
        .await;
    let id = request_id(&resp, "PurgeQueueResponse");
    assert_eq!(
        resp.json(),
        json!({ "PurgeQueueResponse": { "ResponseMetadata": { "RequestId": id } } })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_render_as_json_and_a_bare_get_stays_xml() {
    let server = TestServer::start().await;
    let url = server.standard_queue("je", &[]).await;
    let path = url.trim_start_matches(&server.endpoint).to_string();
    // ListQueues addressed to a queue URL: InvalidAction in both renderings.
    let resp = server.query_json(&path, &[("Action", "ListQueues")]).await;
    assert_eq!(resp.status, 400);
    assert_eq!(resp.header("content-type"), Some("application/json"));
    assert_eq!(
        resp.json(),
        json!({ "Error": {
            "Code": "InvalidAction",
            "Message": "The action ListQueues is not valid for this endpoint.",
        }})
    );
    assert!(resp.header("x-amzn-requestid").is_some());
    let resp = server.query(&path, &[("Action", "ListQueues")]).await;
    fifowin_e2e::query::assert_query_error(
        &resp,
        400,
        "InvalidAction",
        "The action ListQueues is not valid for this endpoint.",
    );
    // A missing queue keeps the Query wording and code.
    let resp = server
        .query_json("/", &[("Action", "GetQueueUrl"), ("QueueName", "nope")])
        .await;
    assert_eq!(resp.status, 400);
    assert_eq!(
        resp.json()["Error"],
        json!({
            "Code": "AWS.SimpleQueueService.NonExistentQueue",
            "Message": "The specified queue does not exist for this wsdl version.",
        })
    );
    // A GET without Action on a queue URL: XML 404 whatever the client accepts.
    let resp = server
        .query_get_accepting(&path, &[], Some("application/json"))
        .await;
    assert_eq!(resp.status, 404);
    assert_eq!(resp.body, "<UnknownOperationException/>");
    assert_eq!(resp.header("content-type"), Some("text/xml"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_and_tags_render_as_json() {
    let server = TestServer::start().await;
    let url = server.standard_queue("jb", &[]).await;
    let resp = server
        .query_json(
            "/",
            &[
                ("Action", "SendMessageBatch"),
                ("QueueUrl", &url),
                ("SendMessageBatchRequestEntry.1.Id", "a"),
                ("SendMessageBatchRequestEntry.1.MessageBody", "one"),
                ("SendMessageBatchRequestEntry.2.Id", "b"),
                ("SendMessageBatchRequestEntry.2.MessageBody", "two"),
                ("SendMessageBatchRequestEntry.2.DelaySeconds", "901"),
            ],
        )
        .await;
    assert_eq!(resp.status, 200, "{resp:?}");
    let result = &resp.json()["SendMessageBatchResponse"]["SendMessageBatchResult"];
    assert_eq!(result["Successful"][0]["Id"], "a");
    assert_eq!(
        result["Successful"][0]["MD5OfMessageBody"],
        fifowin_e2e::md5_hex(b"one")
    );
    assert_eq!(result["Failed"][0]["Id"], "b");
    assert_eq!(result["Failed"][0]["SenderFault"], true);
    assert_eq!(result["Failed"][0]["Code"], "InvalidParameterValue");

    let resp = server
        .query_json(
            "/",
            &[
                ("Action", "TagQueue"),
                ("QueueUrl", &url),
                ("Tag.1.Key", "team"),
                ("Tag.1.Value", "payments"),
            ],
        )
        .await;
    assert_eq!(resp.status, 200, "{resp:?}");
    let resp = server
        .query_json("/", &[("Action", "ListQueueTags"), ("QueueUrl", &url)])
        .await;
    assert_eq!(
        resp.json()["ListQueueTagsResponse"]["ListQueueTagsResult"],
        json!({ "Tags": [{ "Key": "team", "Value": "payments" }] })
    );
}
