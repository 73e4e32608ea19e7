//! `fifowin serve --config` with an `[auth]` table: keys from the file verify real
//! aws-sdk-sqs signatures, unsigned requests are refused, and the control API
//! wants the file's bearer token.

mod common;

use std::process::Command;

use aws_sdk_sqs::config::{BehaviorVersion, Credentials, Region};
use common::{BIN, Served};

fn sdk(endpoint: &str, id: &str, secret: &str) -> aws_sdk_sqs::Client {
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("eu-west-1"))
        .credentials_provider(Credentials::new(id, secret, None, None, "test"))
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

#[tokio::test]
async fn auth_from_the_config_file() {
    let dir = std::env::temp_dir().join(format!("fifowin-auth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("fifowin.toml");
    std::fs::write(
        &file,
        "[auth]\nmode = \"sigv4\"\ncontrol_token = \"ops-token\"\n\n[[auth.keys]]\naccess_key_id = \"AKIDFILE\"\nsecret_access_key = \"file/secret+1\"\n",
    )
    .unwrap();
    let served = Served::start(&["--config", file.to_str().unwrap()], &[]);

    let good = sdk(&served.endpoint, "AKIDFILE", "file/secret+1");
    let created = good.create_queue().queue_name("signed").send().await;
    assert!(created.is_ok(), "{created:?}");
    let bad = sdk(&served.endpoint, "AKIDFILE", "wrong");
    let err = bad.list_queues().send().await.unwrap_err();
    let code = aws_sdk_sqs::error::ProvideErrorMetadata::code(&err.into_service_error())
        .map(str::to_owned);
    assert_eq!(code.as_deref(), Some("SignatureDoesNotMatch"));

    let http = reqwest::Client::new();
    let unsigned = http
        .post(format!("{}/", served.endpoint))
        .header("x-amz-target", "AmazonSQS.ListQueues")
        .header("content-type", "application/x-amz-json-1.0")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status().as_u16(), 403);
    let health = format!("{}/_fifowin/health", served.endpoint);
    assert_eq!(
        http.get(&health).send().await.unwrap().status().as_u16(),
        401
    );
    let with_token = http
        .get(&health)
        .bearer_auth("ops-token")
        .send()
        .await
        .unwrap();
    assert_eq!(with_token.status().as_u16(), 200);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sigv4_without_keys_is_refused_at_start_up() {
    let out = Command::new(BIN)
        .args(["serve", "--port", "0", "--auth", "sigv4"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--auth sigv4 needs at least one"),
        "{stderr}"
    );
}
