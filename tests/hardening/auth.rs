//! `--auth sigv4` with real aws-sdk-sqs signing, hand-built bad requests, and
//! the control API's token and off switch.

use std::time::{Duration, SystemTime};

use aws_sdk_sqs::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sqs::error::ProvideErrorMetadata;
use fifowin_e2e::TestServer;
use fifowin_server::ServerConfig;
use fifowin_server::config::{AccessKeys, AuthConfig, AuthMode, ControlAccess};

const KEY_ID: &str = "AKIDHARDENING";
const SECRET: &str = "s3cr3t/with+special=chars";

fn sigv4_config(control: ControlAccess) -> ServerConfig {
    let mut keys = AccessKeys::default();
    keys.insert(KEY_ID, SECRET);
    ServerConfig {
        auth: AuthConfig {
            mode: AuthMode::SigV4,
            keys,
            control,
        },
        ..ServerConfig::default()
    }
}

fn client(endpoint: &str, id: &str, secret: &str, at: Option<SystemTime>) -> aws_sdk_sqs::Client {
    let mut config = aws_sdk_sqs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(id, secret, None, None, "test"));
    if let Some(at) = at {
        config = config.time_source(aws_smithy_async::time::StaticTimeSource::new(at));
    }
    aws_sdk_sqs::Client::from_conf(config.build())
}

async fn code_of(client: &aws_sdk_sqs::Client) -> Option<String> {
    match client.list_queues().send().await {
        Ok(_) => None,
        Err(err) => err.into_service_error().code().map(str::to_owned),
    }
}

#[tokio::test]
async fn the_sdk_with_the_right_key_works_end_to_end() {
    let server = TestServer::start_with(sigv4_config(ControlAccess::Open)).await;
    let sqs = client(&server.endpoint, KEY_ID, SECRET, None);
    let url = sqs
        .create_queue()
        .queue_name("signed.fifo")
        .attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true")
        .attributes(
            aws_sdk_sqs::types::QueueAttributeName::ContentBasedDeduplication,
            "true",
        )
        .send()
        .await
        .expect("a signed CreateQueue")
        .queue_url
        .unwrap();
    sqs.send_message()
        .queue_url(&url)
        .message_body("body with spaces & symbols / + = ?")
        .message_group_id("g")
        .send()
        .await
        .expect("a signed SendMessage");
    let got = sqs
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .expect("a signed ReceiveMessage");
    assert_eq!(got.messages().len(), 1);
}

#[tokio::test]
async fn wrong_unknown_and_expired_signatures_get_aws_errors() {
    let server = TestServer::start_with(sigv4_config(ControlAccess::Open)).await;
    let wrong = client(&server.endpoint, KEY_ID, "not-the-secret", None);
    assert_eq!(
        code_of(&wrong).await.as_deref(),
        Some("SignatureDoesNotMatch")
    );
    let unknown = client(&server.endpoint, "AKIDNOBODY", SECRET, None);
    assert_eq!(
        code_of(&unknown).await.as_deref(),
        Some("InvalidClientTokenId")
    );
    let old = SystemTime::now() - Duration::from_secs(20 * 60);
    let expired = client(&server.endpoint, KEY_ID, SECRET, Some(old));
    assert_eq!(code_of(&expired).await.as_deref(), Some("RequestExpired"));
    let future = SystemTime::now() + Duration::from_secs(20 * 60);
    let early = client(&server.endpoint, KEY_ID, SECRET, Some(future));
    assert_eq!(code_of(&early).await.as_deref(), Some("RequestExpired"));
    // The harness's own client signs with a key id this server does not know.
    assert_eq!(
        code_of(&server.sqs).await.as_deref(),
        Some("InvalidClientTokenId")
    );
}

#[tokio::test]
async fn unsigned_and_tampered_raw_requests_are_refused_with_their_statuses() {
    let server = TestServer::start_with(sigv4_config(ControlAccess::Open)).await;
    let unsigned = server.json("ListQueues", serde_json::json!({})).await;
    assert_eq!(unsigned.status, 403, "{}", unsigned.body);
    assert_eq!(
        unsigned.header("x-amzn-query-error"),
        Some("MissingAuthenticationToken;Sender")
    );
    let garbled = server
        .raw(
            "/",
            &[
                ("x-amz-target", "AmazonSQS.ListQueues".into()),
                (
                    "authorization",
                    "AWS4-HMAC-SHA256 Credential=AKIDFIFOWINTEST".into(),
                ),
            ],
            "{}".into(),
        )
        .await;
    assert_eq!(garbled.status, 400, "{}", garbled.body);
    assert_eq!(
        garbled.json()["__type"],
        "com.amazon.coral.service#IncompleteSignature"
    );
    let stale = server
        .raw(
            "/",
            &[
                ("x-amz-target", "AmazonSQS.ListQueues".into()),
                ("x-amz-date", "20200101T000000Z".into()),
                (
                    "authorization",
                    format!("AWS4-HMAC-SHA256 Credential={KEY_ID}/20200101/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"),
                ),
            ],
            "{}".into(),
        )
        .await;
    assert_eq!(stale.status, 400, "{}", stale.body);
    assert_eq!(
        stale.header("x-amzn-query-error"),
        Some("RequestExpired;Sender")
    );
    let query = server
        .raw(
            "/",
            &[("content-type", "application/x-www-form-urlencoded".into())],
            "Action=ListQueues".into(),
        )
        .await;
    assert_eq!(query.status, 403, "{}", query.body);
    assert!(
        query
            .body
            .contains("<Code>MissingAuthenticationToken</Code>"),
        "{}",
        query.body
    );
}

#[tokio::test]
async fn the_control_api_can_require_a_token_or_be_switched_off() {
    let server =
        TestServer::start_with(sigv4_config(ControlAccess::Token("let-me-in".into()))).await;
    let http = reqwest::Client::new();
    let health = format!("{}/_fifowin/health", server.endpoint);
    let refused = http.get(&health).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    let wrong = http.get(&health).bearer_auth("nope").send().await.unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    let allowed = http
        .get(&health)
        .bearer_auth("let-me-in")
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status().as_u16(), 200);
    let metrics = http
        .get(format!("{}/metrics", server.endpoint))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status().as_u16(), 401);

    let off = TestServer::start_with(ServerConfig {
        auth: AuthConfig {
            control: ControlAccess::Disabled,
            ..AuthConfig::default()
        },
        ..ServerConfig::default()
    })
    .await;
    let gone = http
        .get(format!("{}/_fifowin/health", off.endpoint))
        .send()
        .await
        .unwrap();
    assert_ne!(gone.status().as_u16(), 200);
    let reset = http
        .post(format!("{}/_fifowin/reset", off.endpoint))
        .send()
        .await
        .unwrap();
    assert!((400..500).contains(&reset.status().as_u16()));
    // The SQS API itself is unaffected.
    assert!(off.sqs.list_queues().send().await.is_ok());
}
