//! Browser protection: the attacks a web page can make on a server on loopback
//! (a text/plain post with a foreign Origin, a cross-site form post, a
//! DNS-rebinding Host) get 403 and change nothing, on the router and on the
//! direct SQS JSON path alike; SDK-like requests, the server's own origin,
//! `--cors-allow-origin` and `--allow-host` still get through.

use fifowin_e2e::{RawResponse, TestServer};
use fifowin_server::config::BrowserConfig;
use fifowin_server::{ClockMode, ServerConfig};
use serde_json::json;

const EVIL: &str = "http://evil.example";

/// One request with exactly these headers (Host included, when given).
async fn request(
    server: &TestServer,
    method: reqwest::Method,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> RawResponse {
    let mut req = reqwest::Client::new()
        .request(method, format!("{}{path}", server.endpoint))
        .body(body.to_string());
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let resp = req.send().await.expect("request reaches the server");
    RawResponse {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        body: resp.text().await.expect("response body"),
    }
}

async fn queue_names(server: &TestServer) -> Vec<String> {
    let summary = server.control_get("/_fifowin/queues").await;
    summary["queues"]
        .as_array()
        .expect("queues")
        .iter()
        .map(|q| q["name"].as_str().expect("name").to_string())
        .collect()
}

fn with_browser(browser: BrowserConfig, public_url: Option<&str>) -> ServerConfig {
    ServerConfig {
        clock_mode: ClockMode::Manual,
        browser,
        public_url: public_url.map(str::to_string),
        ..ServerConfig::default()
    }
}

#[tokio::test]
async fn a_text_plain_reset_from_a_foreign_origin_is_refused_and_changes_nothing() {
    let server = TestServer::start().await;
    server.fifo_queue("keep", &[]).await;
    let resp = request(
        &server,
        reqwest::Method::POST,
        "/_fifowin/reset",
        &[("content-type", "text/plain"), ("origin", EVIL)],
        "{}",
    )
    .await;
    assert_eq!(resp.status, 403, "{}", resp.body);
    let error = resp.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        error.contains("\"http://evil.example\"") && error.contains("--cors-allow-origin"),
        "{error}"
    );
    assert_eq!(resp.header("access-control-allow-origin"), None);
    // Fault rules and the clock are refused the same way.
    let now = server.now_ms().await;
    for (path, body) in [
        ("/_fifowin/clock/advance", r#"{"ms": 60000}"#),
        (
            "/_fifowin/faults",
            r#"{"operation": "*", "action": "fail"}"#,
        ),
    ] {
        let resp = request(
            &server,
            reqwest::Method::POST,
            path,
            &[("content-type", "application/json"), ("origin", EVIL)],
            body,
        )
        .await;
        assert_eq!(resp.status, 403, "{path}: {}", resp.body);
    }
    assert_eq!(server.now_ms().await, now);
    assert_eq!(server.faults().await.len(), 0);
    assert_eq!(queue_names(&server).await, ["keep.fifo"]);
}

#[tokio::test]
async fn a_cross_site_form_post_cannot_create_a_queue() {
    let server = TestServer::start().await;
    let resp = request(
        &server,
        reqwest::Method::POST,
        "/",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("origin", EVIL),
        ],
        "Action=CreateQueue&QueueName=x",
    )
    .await;
    assert_eq!(resp.status, 403, "{}", resp.body);
    assert!(
        resp.body.contains("<Code>AccessDenied</Code>"),
        "{}",
        resp.body
    );
    // An <img> GET of a Query URL carries no Origin, but Sec-Fetch-Site says cross-site.
    let resp = request(
        &server,
        reqwest::Method::GET,
        "/?Action=CreateQueue&QueueName=y",
        &[("sec-fetch-site", "cross-site")],
        "",
    )
    .await;
    assert_eq!(resp.status, 403, "{}", resp.body);
    // The direct JSON path refuses a foreign origin too, with an SQS error.
    let resp = request(
        &server,
        reqwest::Method::POST,
        "/",
        &[
            ("x-amz-target", "AmazonSQS.CreateQueue"),
            ("content-type", "application/x-amz-json-1.0"),
            ("origin", EVIL),
        ],
        r#"{"QueueName": "z"}"#,
    )
    .await;
    assert_eq!(resp.status, 403, "{}", resp.body);
    assert_eq!(
        resp.json()["__type"],
        "com.amazon.coral.service#AccessDeniedException"
    );
    assert_eq!(
        resp.header("x-amzn-query-error"),
        Some("AccessDenied;Sender")
    );
    assert!(queue_names(&server).await.is_empty());
}

#[tokio::test]
async fn a_rebinding_host_cannot_read_message_bodies() {
    let server = TestServer::start().await;
    let url = server.standard_queue("secrets", &[]).await;
    server.send(&url, "the secret body").await;
    let port = server.addr.port();
    let evil_host = format!("evil.example:{port}");
    let resp = request(
        &server,
        reqwest::Method::GET,
        "/_fifowin/queues/secrets/messages?bodies=true",
        &[("host", &evil_host)],
        "",
    )
    .await;
    assert_eq!(resp.status, 403, "{}", resp.body);
    assert!(!resp.body.contains("the secret body"));
    assert!(
        resp.json()["error"]
            .as_str()
            .is_some_and(|e| e.contains("--allow-host")),
        "{}",
        resp.body
    );
    // Nor through ReceiveMessage on the direct path (which would also hide it).
    let resp = request(
        &server,
        reqwest::Method::POST,
        "/",
        &[
            ("host", &evil_host),
            ("x-amz-target", "AmazonSQS.ReceiveMessage"),
            ("content-type", "application/x-amz-json-1.0"),
        ],
        &json!({ "QueueUrl": url }).to_string(),
    )
    .await;
    assert_eq!(resp.status, 403, "{}", resp.body);
    assert!(!resp.body.contains("the secret body"));
    let messages = server
        .control_get("/_fifowin/queues/secrets/messages")
        .await;
    assert_eq!(messages["visible"], 1, "{messages}");
}

#[tokio::test]
async fn sdk_requests_the_own_origin_and_loopback_names_are_served() {
    let server = TestServer::start().await;
    // The SDK sends no Origin.
    let url = server.fifo_queue("ok", &[]).await;
    let port = server.addr.port();
    let own = format!("http://127.0.0.1:{port}");
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "LOCALHOST".to_string(),
    ] {
        let resp = request(
            &server,
            reqwest::Method::GET,
            "/_fifowin/health",
            &[("host", &host)],
            "",
        )
        .await;
        assert_eq!(resp.status, 200, "Host {host}: {}", resp.body);
    }
    // The dashboard's own calls: same origin, JSON.
    let resp = request(
        &server,
        reqwest::Method::POST,
        "/",
        &[
            ("origin", &own),
            ("sec-fetch-site", "same-origin"),
            ("x-amz-target", "AmazonSQS.SendMessage"),
            ("content-type", "application/x-amz-json-1.0"),
        ],
        &json!({ "QueueUrl": url, "MessageBody": "hi", "MessageGroupId": "g", "MessageDeduplicationId": "d" })
            .to_string(),
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    assert_eq!(resp.header("access-control-allow-origin"), None);
    let resp = request(
        &server,
        reqwest::Method::POST,
        "/_fifowin/queues/ok.fifo/reset",
        &[("origin", &own)],
        "",
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.body);
}

#[tokio::test]
async fn control_requests_with_a_body_must_be_json() {
    let server = TestServer::start().await;
    let now = server.now_ms().await;
    let resp = request(
        &server,
        reqwest::Method::POST,
        "/_fifowin/clock/advance",
        &[("content-type", "text/plain")],
        r#"{"ms": 1000}"#,
    )
    .await;
    assert_eq!(resp.status, 415, "{}", resp.body);
    assert!(
        resp.json()["error"]
            .as_str()
            .is_some_and(|e| e.contains("Content-Type: application/json")),
        "{}",
        resp.body
    );
    assert_eq!(server.now_ms().await, now);
    let resp = request(
        &server,
        reqwest::Method::POST,
        "/_fifowin/clock/advance",
        &[("content-type", "application/json; charset=utf-8")],
        r#"{"ms": 1000}"#,
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    // No body (moto's reset, per-queue reset): no content type needed.
    let resp = request(&server, reqwest::Method::POST, "/moto-api/reset", &[], "").await;
    assert_eq!(resp.status, 200, "{}", resp.body);
}

#[tokio::test]
async fn an_allowed_origin_gets_cors_headers_and_preflights() {
    let app = "http://localhost:3000";
    let server = TestServer::start_with(with_browser(
        BrowserConfig {
            cors_allow_origins: vec![app.to_string()],
            allow_hosts: vec![],
        },
        None,
    ))
    .await;
    let preflight = request(
        &server,
        reqwest::Method::OPTIONS,
        "/",
        &[
            ("origin", app),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                "content-type,x-amz-target,x-amz-date,authorization",
            ),
        ],
        "",
    )
    .await;
    assert_eq!(preflight.status, 204, "{}", preflight.body);
    assert_eq!(preflight.header("access-control-allow-origin"), Some(app));
    assert_eq!(
        preflight.header("access-control-allow-headers"),
        Some("content-type,x-amz-target,x-amz-date,authorization")
    );
    assert!(
        preflight
            .header("access-control-allow-methods")
            .is_some_and(|m| m.contains("POST"))
    );
    let resp = request(
        &server,
        reqwest::Method::POST,
        "/",
        &[
            ("origin", app),
            ("x-amz-target", "AmazonSQS.CreateQueue"),
            ("content-type", "application/x-amz-json-1.0"),
        ],
        r#"{"QueueName": "from-the-app"}"#,
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    assert_eq!(resp.header("access-control-allow-origin"), Some(app));
    assert!(
        resp.header("access-control-expose-headers")
            .is_some_and(|h| h.contains("x-amzn-requestid"))
    );
    // Other origins are still refused, preflight included, with no CORS headers.
    let resp = request(
        &server,
        reqwest::Method::OPTIONS,
        "/",
        &[
            ("origin", "http://localhost:3001"),
            ("access-control-request-method", "POST"),
        ],
        "",
    )
    .await;
    assert_eq!(resp.status, 403);
    assert_eq!(resp.header("access-control-allow-origin"), None);
    assert_eq!(queue_names(&server).await, ["from-the-app"]);
}

#[tokio::test]
async fn allowed_hosts_and_the_public_url_host_are_answered() {
    let server = TestServer::start_with(with_browser(
        BrowserConfig {
            cors_allow_origins: vec![],
            allow_hosts: vec!["sqs.local".to_string()],
        },
        Some("http://queues.internal:9324"),
    ))
    .await;
    for (host, status) in [
        ("sqs.local:9324", 200),
        ("sqs.local", 200),
        ("queues.internal:9324", 200),
        ("other.local:9324", 403),
    ] {
        let resp = request(
            &server,
            reqwest::Method::GET,
            "/_fifowin/health",
            &[("host", host)],
            "",
        )
        .await;
        assert_eq!(resp.status, status, "Host {host}: {}", resp.body);
    }
    // The public URL's origin is the server's own.
    let resp = request(
        &server,
        reqwest::Method::POST,
        "/_fifowin/reset",
        &[
            ("host", "queues.internal:9324"),
            ("origin", "http://queues.internal:9324"),
        ],
        "",
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.body);
}

#[tokio::test]
async fn the_dashboard_is_served_with_a_strict_policy_unless_the_control_api_is_off() {
    let server = TestServer::start().await;
    let resp = request(&server, reqwest::Method::GET, "/_fifowin/ui", &[], "").await;
    assert_eq!(resp.status, 200);
    assert!(resp.body.contains("<script src=\"/_fifowin/ui/app.js\""));
    assert!(!resp.body.contains("<script>"), "no inline script");
    let csp = resp.header("content-security-policy").unwrap_or_default();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    for (path, kind) in [
        ("/_fifowin/ui/app.js", "text/javascript"),
        ("/_fifowin/ui/style.css", "text/css"),
    ] {
        let resp = request(&server, reqwest::Method::GET, path, &[], "").await;
        assert_eq!(resp.status, 200, "{path}");
        assert!(
            resp.header("content-type")
                .is_some_and(|c| c.starts_with(kind))
        );
    }
    let off = TestServer::start_with(ServerConfig {
        auth: fifowin_server::config::AuthConfig {
            control: fifowin_server::config::ControlAccess::Disabled,
            ..Default::default()
        },
        ..ServerConfig::default()
    })
    .await;
    let resp = request(&off, reqwest::Method::GET, "/_fifowin/ui", &[], "").await;
    assert_ne!(resp.status, 200, "{}", resp.body);
    assert!(!resp.body.contains("<html"));
    // With a token the page loads (it asks for the token), the API does not.
    let locked = TestServer::start_with(ServerConfig {
        auth: fifowin_server::config::AuthConfig {
            control: fifowin_server::config::ControlAccess::Token("t".into()),
            ..Default::default()
        },
        ..ServerConfig::default()
    })
    .await;
    let page = request(&locked, reqwest::Method::GET, "/_fifowin/ui", &[], "").await;
    assert_eq!(page.status, 200);
    let api = request(&locked, reqwest::Method::GET, "/_fifowin/queues", &[], "").await;
    assert_eq!(api.status, 401);
}
