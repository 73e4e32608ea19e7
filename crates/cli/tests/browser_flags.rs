//! `fifowin serve`'s browser-protection flags and their variables reach the
//! server: `--allow-host` / `FIFOWIN_ALLOW_HOST` and `--cors-allow-origin` /
//! `FIFOWIN_CORS_ALLOW_ORIGIN`; bad values are refused at start-up.

mod common;

use std::process::Command;

use common::{BIN, Served, output_text};

/// Status and CORS header of a GET of `/_fifowin/health` with these headers.
fn health(served: &Served, headers: &[(&str, &str)]) -> (u16, Option<String>) {
    let url = format!("{}/_fifowin/health", served.endpoint);
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let mut req = reqwest::Client::new().get(url);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let resp = req.send().await.unwrap();
        let cors = resp
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_string());
        (resp.status().as_u16(), cors)
    })
}

#[test]
fn allowed_hosts_and_origins_come_from_flags_and_variables() {
    let served = Served::start(
        &["--allow-host", "sqs.local"],
        &[(
            "FIFOWIN_CORS_ALLOW_ORIGIN",
            "http://localhost:3000,http://localhost:4000",
        )],
    );
    assert_eq!(health(&served, &[("host", "sqs.local:9324")]).0, 200);
    assert_eq!(health(&served, &[("host", "other.local:9324")]).0, 403);
    assert_eq!(
        health(&served, &[("origin", "http://localhost:4000")]),
        (200, Some("http://localhost:4000".to_string()))
    );
    assert_eq!(
        health(&served, &[("origin", "http://localhost:5000")]),
        (403, None)
    );
}

#[test]
fn bad_origins_and_hosts_are_refused_at_start_up() {
    for (flag, value, expected) in [
        ("--cors-allow-origin", "localhost:3000", "is not an origin"),
        ("--allow-host", "sqs.local:9324", "is not a host name"),
    ] {
        let out = Command::new(BIN)
            .args(["serve", "--port", "0", flag, value])
            .output()
            .expect("run fifowin");
        assert!(!out.status.success());
        let text = output_text(&out);
        assert!(text.contains(expected) && text.contains(flag), "{text}");
    }
}
