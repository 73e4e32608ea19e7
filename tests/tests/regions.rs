//! Queues per region, as on AWS: the same name in two regions is two queues. The
//! region comes from the request (the SigV4 credential scope, a regional endpoint
//! host, or a queue URL that names one), `--region` for requests that carry none.
//! Driven through two aws-sdk-sqs clients configured with different regions, and
//! raw Query requests signed for different regions.

use aws_sdk_sqs::config::Region;
use aws_sdk_sqs::types::QueueAttributeName;
use fifowin_e2e::query::{xml_value, xml_values};
use fifowin_e2e::{RawResponse, TestServer, assert_sqs_error, bodies};
use fifowin_server::config::BrowserConfig;
use fifowin_server::{ClockMode, ServerConfig};
use serde_json::json;

const WEST: &str = "us-west-1";
const NORTH: &str = "eu-north-1";

/// An SDK client of `server` configured with `region`.
fn client(server: &TestServer, region: &'static str) -> aws_sdk_sqs::Client {
    client_of(&server.endpoint, region)
}

/// An SDK client of the server at `endpoint` configured with `region`.
fn client_of(endpoint: &str, region: &'static str) -> aws_sdk_sqs::Client {
    let config = fifowin_testing::sqs_config(endpoint)
        .region(Region::new(region))
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

async fn create(sqs: &aws_sdk_sqs::Client, name: &str) -> String {
    sqs.create_queue()
        .queue_name(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create {name}: {e:?}"))
        .queue_url
        .unwrap()
}

async fn arn(sqs: &aws_sdk_sqs::Client, url: &str) -> String {
    sqs.get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap_or_else(|e| panic!("attributes of {url}: {e:?}"))
        .attributes
        .unwrap()
        .remove(&QueueAttributeName::QueueArn)
        .unwrap()
}

async fn send(sqs: &aws_sdk_sqs::Client, url: &str, body: &str) {
    sqs.send_message()
        .queue_url(url)
        .message_body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("send to {url}: {e:?}"));
}

async fn receive(sqs: &aws_sdk_sqs::Client, url: &str) -> Vec<String> {
    let out = sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap_or_else(|e| panic!("receive from {url}: {e:?}"));
    bodies(out.messages())
}

async fn list(sqs: &aws_sdk_sqs::Client) -> Vec<String> {
    let mut urls = sqs
        .list_queues()
        .send()
        .await
        .unwrap()
        .queue_urls
        .unwrap_or_default();
    urls.sort();
    urls
}

/// An `Authorization` header whose credential scope names `region` (fifowin
/// accepts any credentials by default; the scope is what names the region).
fn signed_for(region: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/{region}/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"
    )
}

/// A Query request (form body) to `/`, with `headers` besides the content type.
async fn query(
    server: &TestServer,
    headers: &[(&str, String)],
    params: &[(&str, &str)],
) -> RawResponse {
    let mut all = vec![(
        "content-type",
        "application/x-www-form-urlencoded; charset=utf-8".to_string(),
    )];
    all.extend(headers.iter().cloned());
    server
        .raw("/", &all, fifowin_e2e::query::form(params))
        .await
}

/// A Query request signed for `region`.
async fn query_in(server: &TestServer, region: &str, params: &[(&str, &str)]) -> RawResponse {
    query(server, &[("authorization", signed_for(region))], params).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_name_in_two_regions_is_two_queues_over_json() {
    let server = TestServer::start().await;
    let (west, north) = (client(&server, WEST), client(&server, NORTH));
    let west_url = create(&west, "orders").await;
    let north_url = create(&north, "orders").await;
    // Queue URLs carry no region (as moto's and ElasticMQ's): each client's
    // requests are signed for its region, which is where its URL resolves.
    assert_eq!(west_url, format!("{}/000000000000/orders", server.endpoint));
    assert_eq!(north_url, west_url);
    assert_eq!(
        arn(&west, &west_url).await,
        "arn:aws:sqs:us-west-1:000000000000:orders"
    );
    assert_eq!(
        arn(&north, &north_url).await,
        "arn:aws:sqs:eu-north-1:000000000000:orders"
    );

    send(&west, &west_url, "sent in us-west-1").await;
    assert_eq!(receive(&north, &north_url).await, Vec::<String>::new());
    assert_eq!(receive(&west, &west_url).await, ["sent in us-west-1"]);

    // ListQueues and GetQueueUrl see one region's queues.
    create(&north, "only-north").await;
    assert_eq!(list(&west).await, std::slice::from_ref(&west_url));
    assert_eq!(
        list(&north).await,
        [
            format!("{}/000000000000/only-north", server.endpoint),
            north_url.clone()
        ]
    );
    let missing = west.get_queue_url().queue_name("only-north").send().await;
    assert_sqs_error(
        &missing.unwrap_err(),
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist.",
    );
    let found = north.get_queue_url().queue_name("only-north").send().await;
    assert!(found.unwrap().queue_url.unwrap().ends_with("/only-north"));

    // The server's default region (us-east-1, the default client's) has neither.
    assert_eq!(list(&server.sqs).await, Vec::<String>::new());

    // Deleting one region's queue leaves the other's.
    west.delete_queue()
        .queue_url(&west_url)
        .send()
        .await
        .unwrap();
    assert_eq!(list(&west).await, Vec::<String>::new());
    send(&north, &north_url, "still here").await;
    assert_eq!(receive(&north, &north_url).await, ["still here"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_name_in_two_regions_is_two_queues_over_query() {
    let server = TestServer::start().await;
    let mut urls = Vec::new();
    for region in [WEST, NORTH] {
        let created = query_in(
            &server,
            region,
            &[("Action", "CreateQueue"), ("QueueName", "jobs")],
        )
        .await;
        assert_eq!(created.status, 200, "{created:?}");
        urls.push(xml_value(&created.body, "QueueUrl"));
    }
    let url = urls[0].clone();
    for region in [WEST, NORTH] {
        let attrs = query_in(
            &server,
            region,
            &[
                ("Action", "GetQueueAttributes"),
                ("QueueUrl", &url),
                ("AttributeName.1", "QueueArn"),
            ],
        )
        .await;
        assert_eq!(
            xml_value(&attrs.body, "Value"),
            format!("arn:aws:sqs:{region}:000000000000:jobs")
        );
    }
    let sent = query_in(
        &server,
        NORTH,
        &[
            ("Action", "SendMessage"),
            ("QueueUrl", &url),
            ("MessageBody", "north only"),
        ],
    )
    .await;
    assert_eq!(sent.status, 200, "{sent:?}");
    let receive_in = |region: &'static str| {
        let (server, url) = (&server, url.clone());
        async move {
            let got = query_in(
                server,
                region,
                &[
                    ("Action", "ReceiveMessage"),
                    ("QueueUrl", &url),
                    ("MaxNumberOfMessages", "10"),
                ],
            )
            .await;
            assert_eq!(got.status, 200, "{got:?}");
            xml_values(&got.body, "Body")
        }
    };
    assert_eq!(receive_in(WEST).await, Vec::<String>::new());
    assert_eq!(receive_in(NORTH).await, ["north only"]);

    // ListQueues per region; a region with no queues lists none.
    query_in(
        &server,
        WEST,
        &[("Action", "CreateQueue"), ("QueueName", "west-extra")],
    )
    .await;
    let listed = |region: &'static str| {
        let server = &server;
        async move {
            let resp = query_in(server, region, &[("Action", "ListQueues")]).await;
            xml_values(&resp.body, "QueueUrl")
        }
    };
    assert_eq!(listed(WEST).await.len(), 2);
    assert_eq!(listed(NORTH).await, std::slice::from_ref(&url));
    assert_eq!(listed("ap-south-1").await, Vec::<String>::new());
    // GetQueueUrl per region.
    let get = query_in(
        &server,
        NORTH,
        &[("Action", "GetQueueUrl"), ("QueueName", "west-extra")],
    )
    .await;
    assert_eq!(
        xml_value(&get.body, "Code"),
        "AWS.SimpleQueueService.NonExistentQueue"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queue_url_that_names_a_region_finds_that_regions_queue() {
    let server = TestServer::start().await;
    let north = client(&server, NORTH);
    let url = create(&north, "orders").await;
    create(&server.sqs, "orders").await; // us-east-1's own "orders"

    // Regional URL hosts and LocalStack's path layout name the region, with no
    // Authorization header at all.
    for queue_url in [
        "https://sqs.eu-north-1.amazonaws.com/000000000000/orders".to_string(),
        "https://eu-north-1.queue.amazonaws.com/000000000000/orders".to_string(),
        format!("{}/queue/eu-north-1/000000000000/orders", server.endpoint),
    ] {
        let sent = query(
            &server,
            &[],
            &[
                ("Action", "SendMessage"),
                ("QueueUrl", &queue_url),
                ("MessageBody", &queue_url),
            ],
        )
        .await;
        assert_eq!(sent.status, 200, "{sent:?}");
        assert_eq!(
            receive(&north, &url).await,
            std::slice::from_ref(&queue_url)
        );
    }
    // A client of another region (the default client, us-east-1) reaches the
    // eu-north-1 queue by a URL naming eu-north-1, over JSON too.
    let regional = "https://sqs.eu-north-1.amazonaws.com/000000000000/orders";
    send(&server.sqs, regional, "from us-east-1").await;
    assert_eq!(receive(&north, &url).await, ["from us-east-1"]);
    assert_eq!(receive(&server.sqs, &url).await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_that_name_no_region_use_the_servers() {
    let server = TestServer::start_with(ServerConfig {
        clock_mode: ClockMode::Manual,
        region: "ap-south-1".into(),
        ..ServerConfig::default()
    })
    .await;
    let created = query(
        &server,
        &[],
        &[("Action", "CreateQueue"), ("QueueName", "q")],
    )
    .await;
    let url = xml_value(&created.body, "QueueUrl");
    let attrs = query(
        &server,
        &[],
        &[
            ("Action", "GetQueueAttributes"),
            ("QueueUrl", &url),
            ("AttributeName.1", "QueueArn"),
        ],
    )
    .await;
    assert_eq!(
        xml_value(&attrs.body, "Value"),
        "arn:aws:sqs:ap-south-1:000000000000:q"
    );
    assert_eq!(list(&client(&server, "ap-south-1")).await, [url]);
    assert_eq!(list(&server.sqs).await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_endpoint_host_names_the_region_and_wins_over_the_signature() {
    let server = TestServer::start_with(ServerConfig {
        clock_mode: ClockMode::Manual,
        browser: BrowserConfig {
            allow_hosts: vec!["sqs.eu-north-1.amazonaws.com".into()],
            ..BrowserConfig::default()
        },
        ..ServerConfig::default()
    })
    .await;
    let created = query(
        &server,
        &[
            ("host", "sqs.eu-north-1.amazonaws.com".into()),
            ("authorization", signed_for(WEST)),
        ],
        &[("Action", "CreateQueue"), ("QueueName", "by-host")],
    )
    .await;
    assert_eq!(created.status, 200, "{created:?}");
    assert_eq!(
        xml_value(&created.body, "QueueUrl"),
        "http://sqs.eu-north-1.amazonaws.com/000000000000/by-host"
    );
    let north = client(&server, NORTH);
    assert_eq!(
        list(&north).await,
        [format!("{}/000000000000/by-host", server.endpoint)]
    );
    assert_eq!(list(&client(&server, WEST)).await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letter_queues_are_found_by_arn_in_their_region() {
    let server = TestServer::start().await;
    let (west, north) = (client(&server, WEST), client(&server, NORTH));
    let north_dlq = create(&north, "dlq").await;
    create(&west, "dlq").await;
    let north_arn = arn(&north, &north_dlq).await;
    let policy = json!({"deadLetterTargetArn": north_arn, "maxReceiveCount": 1}).to_string();
    let source = north
        .create_queue()
        .queue_name("work")
        .attributes(QueueAttributeName::RedrivePolicy, &policy)
        .attributes(QueueAttributeName::VisibilityTimeout, "0")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    send(&north, &source, "poison").await;
    assert_eq!(receive(&north, &source).await, ["poison"]);
    // The second receive moves it to eu-north-1's dlq, not us-west-1's.
    assert_eq!(receive(&north, &source).await, Vec::<String>::new());
    let in_dlq = |region: &str| format!("/_fifowin/queues/dlq/messages?region={region}");
    assert_eq!(server.control_get(&in_dlq(NORTH)).await["visible"], 1);
    assert_eq!(server.control_get(&in_dlq(WEST)).await["visible"], 0);

    // A move task started through a us-west-1 client finds the DLQ and the
    // source by ARN, in eu-north-1.
    west.start_message_move_task()
        .source_arn(&north_arn)
        .send()
        .await
        .unwrap();
    let mut back = Vec::new();
    for _ in 0..500 {
        back = receive(&north, &source).await;
        if !back.is_empty() {
            break;
        }
        server.advance(1_000).await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert_eq!(back, ["poison"]);
    assert_eq!(server.control_get(&in_dlq(NORTH)).await["visible"], 0);

    // A dead-letter queue must be in its source's region.
    let cross = west
        .create_queue()
        .queue_name("work")
        .attributes(QueueAttributeName::RedrivePolicy, &policy)
        .send()
        .await;
    assert_sqs_error(
        &cross.unwrap_err(),
        "InvalidParameterValue",
        format!(
            "Value {policy} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist."
        ),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_api_and_fault_rules_name_the_region() {
    let server = TestServer::start().await;
    let (west, north) = (client(&server, WEST), client(&server, NORTH));
    let url = create(&west, "orders").await;
    create(&north, "orders").await;
    send(&north, &url, "north").await;

    let summary = server.control_get("/_fifowin/queues").await;
    let regions: Vec<(&str, &str)> = summary["queues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| (q["name"].as_str().unwrap(), q["region"].as_str().unwrap()))
        .collect();
    assert_eq!(regions, [("orders", NORTH), ("orders", WEST)]);
    // A queue of the server's own region is named as before, with no region.
    create(&server.sqs, "home").await;
    let summary = server.control_get("/_fifowin/queues").await;
    assert!(
        summary["queues"][0]["name"] == "home" && summary["queues"][0].get("region").is_none(),
        "{summary}"
    );
    let north_view = server
        .control_get("/_fifowin/queues/orders/messages?region=eu-north-1")
        .await;
    assert_eq!(
        (
            north_view["region"].as_str(),
            north_view["visible"].as_u64()
        ),
        (Some(NORTH), Some(1))
    );
    let west_view = server
        .control_get("/_fifowin/queues/orders/messages?region=us-west-1")
        .await;
    assert_eq!(west_view["visible"], 0);
    // Without ?region=, the server's own region: no "orders" there.
    let (status, _) = server
        .control(
            reqwest::Method::GET,
            "/_fifowin/queues/orders/messages",
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, reset) = server
        .control_post("/_fifowin/queues/orders/reset?region=eu-north-1", json!({}))
        .await;
    assert_eq!((status, reset["region"].as_str()), (200, Some(NORTH)));
    assert_eq!(receive(&north, &url).await, Vec::<String>::new());

    // A fault rule limited to one region.
    server
        .add_fault(json!({"operation": "SendMessage", "region": NORTH, "action": "fail"}))
        .await;
    send(&west, &url, "west is fine").await;
    let failed = north
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .send()
        .await;
    assert!(failed.is_err(), "{failed:?}");
    assert_eq!(server.faults().await[0]["region"], NORTH);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_label_queues_outside_the_servers_region_only() {
    let server = TestServer::start().await;
    let north = client(&server, NORTH);
    let home = create(&server.sqs, "orders").await;
    create(&north, "orders").await;
    send(&server.sqs, &home, "a").await;
    send(&north, &home, "b").await;
    send(&north, &home, "c").await;
    let metrics = server.metrics().await;
    assert_eq!(
        metrics.get("fifowin_messages_sent_total", &[("queue", "orders")]),
        Some(1.0)
    );
    assert_eq!(
        metrics.get(
            "fifowin_messages_sent_total",
            &[("queue", "orders"), ("region", NORTH)]
        ),
        Some(2.0)
    );
    assert_eq!(metrics.get("fifowin_queues", &[]), Some(2.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_file_places_queues_in_regions() {
    let toml = r#"
[[queues]]
name = "jobs"

[[queues]]
name = "jobs"
region = "eu-north-1"
dead_letter = { queue = "jobs-dlq", max_receive_count = 1 }
attributes = { VisibilityTimeout = 0 }

[[queues]]
name = "jobs-dlq"
region = "eu-north-1"
"#;
    let manual = ServerConfig {
        clock_mode: ClockMode::Manual,
        ..ServerConfig::default()
    };
    let server = TestServer::from_toml(toml, manual).await.expect("starts");
    let north = client(&server, NORTH);
    let url = format!("{}/000000000000/jobs", server.endpoint);
    assert_eq!(list(&server.sqs).await, std::slice::from_ref(&url));
    assert_eq!(list(&north).await.len(), 2);
    assert_eq!(
        arn(&north, &url).await,
        "arn:aws:sqs:eu-north-1:000000000000:jobs"
    );
    let policy = north
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::RedrivePolicy)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap()
        .remove(&QueueAttributeName::RedrivePolicy)
        .unwrap();
    assert!(
        policy.contains("arn:aws:sqs:eu-north-1:000000000000:jobs-dlq"),
        "{policy}"
    );

    // A dead letter names a queue of its own region.
    let misplaced = r#"
[[queues]]
name = "dlq"

[[queues]]
name = "work"
region = "eu-north-1"
dead_letter = { queue = "dlq", max_receive_count = 3 }
"#;
    let err = TestServer::from_toml(misplaced, ServerConfig::default())
        .await
        .err()
        .expect("refused");
    assert_eq!(
        err.to_string(),
        "queues[1].dead_letter.queue: no queue named \"dlq\" in region \"eu-north-1\" of this file"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durable_mode_keeps_same_named_queues_in_their_regions_across_a_restart() {
    let dir = std::env::temp_dir().join(format!("fifowin-e2e-regions-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let start = || fifowin_e2e::start_durable(&dir);
    let server = start().await;
    let (west, north) = (
        client_of(server.endpoint_url(), WEST),
        client_of(server.endpoint_url(), NORTH),
    );
    let url = create(&west, "orders").await;
    create(&north, "orders").await;
    send(&west, &url, "west").await;
    send(&north, &url, "north").await;
    server.stop().await.expect("stops");

    let server = start().await;
    let url = format!("{}/000000000000/orders", server.endpoint_url());
    let (west, north) = (
        client_of(server.endpoint_url(), WEST),
        client_of(server.endpoint_url(), NORTH),
    );
    assert_eq!(
        arn(&north, &url).await,
        "arn:aws:sqs:eu-north-1:000000000000:orders"
    );
    assert_eq!(receive(&west, &url).await, ["west"]);
    assert_eq!(receive(&north, &url).await, ["north"]);
    assert_eq!(list(&server.sqs_client()).await, Vec::<String>::new());
    server.stop().await.expect("stops");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escapes_and_lag_logs_name_the_region_of_queues_outside_the_servers() {
    let server = TestServer::start().await;
    let north = client(&server, NORTH);
    let fifo = |sqs: aws_sdk_sqs::Client| async move {
        sqs.create_queue()
            .queue_name("pay.fifo")
            .attributes(QueueAttributeName::FifoQueue, "true")
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap()
    };
    let url = fifo(server.sqs.clone()).await;
    fifo(north.clone()).await;
    let send = |sqs: aws_sdk_sqs::Client, url: String| async move {
        sqs.send_message()
            .queue_url(url)
            .message_body("pay")
            .message_group_id("g")
            .message_deduplication_id("pay-1")
            .send()
            .await
            .unwrap();
    };
    for sqs in [&server.sqs, &north] {
        send(sqs.clone(), url.clone()).await;
    }
    // Past the 5-minute window: the resend in eu-north-1 escapes there only.
    server.advance(300_000).await;
    send(north.clone(), url.clone()).await;
    let escapes = server.escapes().await;
    assert_eq!(escapes["count"], 1, "{escapes}");
    assert_eq!(
        (
            &escapes["escapes"][0]["queue"],
            &escapes["escapes"][0]["region"]
        ),
        (&json!("pay.fifo"), &json!(NORTH))
    );

    let http = reqwest::Client::new();
    let get = |path: String| {
        let http = http.clone();
        async move {
            let resp = http.get(path).send().await.unwrap();
            (resp.status().as_u16(), resp.text().await.unwrap())
        }
    };
    let (status, all) = get(format!("{}/_fifowin/lags.hlog", server.endpoint)).await;
    assert_eq!(status, 200);
    assert!(all.contains("#queue pay.fifo window_ms=300000"), "{all}");
    assert!(
        all.contains("#queue eu-north-1/pay.fifo window_ms=300000"),
        "{all}"
    );
    let (status, one) = get(format!(
        "{}/_fifowin/queues/pay.fifo/lags.hlog?region=eu-north-1",
        server.endpoint
    ))
    .await;
    assert_eq!(status, 200);
    assert!(
        one.contains("#queue eu-north-1/pay.fifo window_ms"),
        "{one}"
    );
    assert!(!one.contains("#queue pay.fifo"), "{one}");
    let (status, _) = get(format!(
        "{}/_fifowin/queues/pay.fifo/lags.hlog?region=ap-south-1",
        server.endpoint
    ))
    .await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_presigned_query_names_its_region_in_the_credential() {
    let server = TestServer::start().await;
    let north = client(&server, NORTH);
    let url = create(&north, "presigned").await;
    let credential = "AKIDEXAMPLE/20260101/eu-north-1/sqs/aws4_request";
    let sent = server
        .query_get(
            "/",
            &[
                ("Action", "SendMessage"),
                ("QueueUrl", &url),
                ("MessageBody", "by a presigned URL"),
                ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
                ("X-Amz-Credential", credential),
                ("X-Amz-Date", "20260101T000000Z"),
            ],
        )
        .await;
    assert_eq!(sent.status, 200, "{sent:?}");
    assert_eq!(receive(&north, &url).await, ["by a presigned URL"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deleted_queue_cooldown_holds_a_name_in_its_region_only() {
    let server = TestServer::start_with(ServerConfig {
        clock_mode: ClockMode::Manual,
        deleted_queue_cooldown: true,
        ..ServerConfig::default()
    })
    .await;
    let (west, north) = (client(&server, WEST), client(&server, NORTH));
    let url = create(&west, "short-lived").await;
    west.delete_queue().queue_url(&url).send().await.unwrap();
    let again = west.create_queue().queue_name("short-lived").send().await;
    assert_sqs_error(
        &again.unwrap_err(),
        "AWS.SimpleQueueService.QueueDeletedRecently",
        "You must wait 60 seconds after deleting a queue before you can create another with the same name.",
    );
    create(&north, "short-lived").await;
}
