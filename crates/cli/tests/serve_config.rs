//! `fifowin serve --config`: the annotated example starts the binary with its
//! queues; flags and environment variables win over the file; and every kind of
//! bad file stops start-up with exit code 3 and a message naming the key. Also
//! `fifowin health`; the opt-in deleted-queue cooldown; the request log (one
//! debug line per request, a warn line with the request id per error, never a
//! body); and the Dockerfile and
//! docker-compose.yml checked against the binary's own subcommands, flags and
//! variables (no Docker engine needed).

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{BIN, Served};
use serde_json::Value;

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

fn example() -> PathBuf {
    repo("fifowin.example.toml")
}

/// Writes `text` to a fresh file named after the test case (it lasts as long
/// as the directory handed back).
fn config_file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn the_example_config_starts_the_server_with_its_queues() {
    let example = example();
    let served = Served::start(&["--config", example.to_str().unwrap()], &[]);
    let health = served.get("/_fifowin/health");
    assert_eq!(health["queues"], 3);
    assert_eq!(health["dedup_window_ms"], 300_000);
    let queues = served.get("/_fifowin/queues");
    let orders = &queues["queues"][2];
    assert_eq!(orders["name"], "orders.fifo");
    assert_eq!(orders["dedup_window_ms"], 600_000);
    let topics = served.get("/_fifowin/topics");
    let prices = &topics["topics"][0];
    assert_eq!(prices["name"], "prices.fifo");
    assert_eq!(prices["dedup_window_ms"], 90_000);
    assert_eq!(prices["subscriptions"].as_array().unwrap().len(), 2);
}

#[test]
fn flags_and_environment_variables_win_over_the_file() {
    let (_dir, path) = config_file(
        "precedence",
        "[server]\ndedup_window = \"2m\"\nclock = \"manual\"\nport = 1\n",
    );
    let path = path.to_str().unwrap();
    // The file alone (its port is overridden by the harness's --port 0).
    let served = Served::start(&["--config", path], &[]);
    let health = served.get("/_fifowin/health");
    assert_eq!(health["dedup_window_ms"], 120_000);
    assert_eq!(health["clock"], "manual");
    drop(served);
    // An environment variable beats the file; a flag beats both.
    let served = Served::start(
        &[],
        &[("FIFOWIN_CONFIG", path), ("FIFOWIN_DEDUP_WINDOW", "3m")],
    );
    assert_eq!(served.get("/_fifowin/health")["dedup_window_ms"], 180_000);
    drop(served);
    let served = Served::start(
        &[
            "--config",
            path,
            "--dedup-window",
            "90s",
            "--clock",
            "system",
        ],
        &[("FIFOWIN_DEDUP_WINDOW", "3m")],
    );
    let health = served.get("/_fifowin/health");
    assert_eq!(health["dedup_window_ms"], 90_000);
    assert_eq!(health["clock"], "system");
}

#[test]
fn every_bad_file_stops_start_up_naming_the_key() {
    let cases: &[(&str, &str, &str)] = &[
        ("syntax", "[server\nport = 1", "TOML parse error"),
        (
            "unknown-key",
            "[server]\nprot = 9324",
            "unknown field `prot`",
        ),
        ("wrong-type", "[server]\nport = \"high\"", "invalid type"),
        ("host", "[server]\nhost = \"localhost\"", "server.host: "),
        (
            "window",
            "[server]\ndedup_window = \"5 parsecs\"",
            "server.dedup_window: ",
        ),
        (
            "window-zero",
            "[server]\ndedup_window = \"0s\"",
            "server.dedup_window: must be greater than zero",
        ),
        ("clock", "[server]\nclock = \"sundial\"", "server.clock: "),
        (
            "account",
            "[server]\naccount_id = \"42\"",
            "server.account_id: must be 12 digits",
        ),
        (
            "region",
            "[server]\nregion = \"\"",
            "server.region: must not be empty",
        ),
        (
            "public-url",
            "[server]\npublic_url = \"example.com\"",
            "server.public_url: ",
        ),
        (
            "horizon",
            "[server]\nescape_horizon = \"later\"",
            "server.escape_horizon: ",
        ),
        (
            "log-level",
            "[server]\nlog_level = \"debug=loud\"",
            "server.log_level: ",
        ),
        (
            "queue-name",
            "[[queues]]\nname = \"no spaces\"",
            "queues[0].name: ",
        ),
        (
            "queue-twice",
            "[[queues]]\nname = \"q\"\n[[queues]]\nname = \"q\"",
            "queues[1].name: queue \"q\" is already defined by queues[0]",
        ),
        (
            "attribute-type",
            "[[queues]]\nname = \"q\"\nattributes = { DelaySeconds = [1] }",
            "queues[0].attributes.DelaySeconds: must be a string, integer or boolean",
        ),
        (
            "attribute-value",
            "[[queues]]\nname = \"q\"\nattributes = { DelaySeconds = 901 }",
            "queues[0].attributes: ",
        ),
        (
            "tags",
            "[[queues]]\nname = \"q\"\ntags = { \"\" = \"x\" }",
            "queues[0].tags: ",
        ),
        (
            "window-standard",
            "[[queues]]\nname = \"q\"\ndedup_window = \"1m\"",
            "queues[0].dedup_window: applies to FIFO queues only",
        ),
        (
            "dlq-missing",
            "[[queues]]\nname = \"q\"\ndead_letter = { queue = \"nowhere\", max_receive_count = 3 }",
            "queues[0].dead_letter.queue: no queue named \"nowhere\"",
        ),
        (
            "dlq-count",
            "[[queues]]\nname = \"q\"\ndead_letter = { queue = \"q\", max_receive_count = 1001 }",
            "queues[0].dead_letter.max_receive_count: must be from 1 to 1000",
        ),
        (
            "dlq-both",
            "[[queues]]\nname = \"q\"\ndead_letter = { queue = \"q\", max_receive_count = 1 }\nattributes = { RedrivePolicy = \"{}\" }",
            "queues[0].dead_letter: give either",
        ),
        (
            "dlq-kind",
            "[[queues]]\nname = \"q\"\ndead_letter = { queue = \"d.fifo\", max_receive_count = 1 }\n[[queues]]\nname = \"d.fifo\"",
            "queues[0].dead_letter: ",
        ),
    ];
    for (name, text, expected) in cases {
        let (_dir, path) = config_file(name, text);
        let (code, stderr) = refused(&path);
        assert_eq!(code, Some(3), "{name}: {stderr}");
        assert!(
            stderr.starts_with(&format!("fifowin: {}: ", path.display())),
            "{name}: the message starts with the file: {stderr}"
        );
        assert!(
            stderr.contains(expected),
            "{name}: {expected:?} not in {stderr}"
        );
    }
    let (code, stderr) = refused(std::path::Path::new("/nonexistent/fifowin.toml"));
    assert_eq!(code, Some(3));
    assert!(stderr.contains("/nonexistent/fifowin.toml: cannot read the file"));
}

/// Runs `fifowin serve --config <path>`, which must exit by itself: a file that
/// is wrongly accepted would serve forever, so it is killed and reported.
fn refused(path: &std::path::Path) -> (Option<i32>, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0", "--config"])
        .arg(path)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn fifowin serve");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        text
    });
    for _ in 0..300 {
        if let Some(status) = child.try_wait().expect("wait") {
            return (status.code(), reader.join().unwrap_or_default());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("{} was accepted: the server started", path.display());
}

#[test]
fn health_exits_0_for_a_running_server_and_1_otherwise() {
    let served = Served::start(&[], &[]);
    let out = Command::new(BIN)
        .args(["health", "--url", &served.endpoint])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"status\":\"ok\""));
    let port = served.endpoint.rsplit(':').next().unwrap().to_string();
    // Without --url it asks 127.0.0.1 on FIFOWIN_PORT, as the container healthcheck does.
    let out = Command::new(BIN)
        .arg("health")
        .env("FIFOWIN_PORT", &port)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    drop(served);
    let out = Command::new(BIN)
        .args(["health", "--url", &format!("http://127.0.0.1:{port}")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/_fifowin/health"));
}

/// Every `FIFOWIN_*` name in `text`.
fn variables(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("FIFOWIN_") {
        let name: String = rest[i..]
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || *c == '_')
            .collect();
        rest = &rest[i + name.len()..];
        found.push(name);
    }
    found
}

/// The JSON-style `command: [...]` lists of a compose file, in order.
fn compose_commands(compose: &str) -> Vec<Vec<String>> {
    compose
        .lines()
        .filter_map(|l| l.trim().strip_prefix("command: "))
        .map(|list| serde_json::from_str(list).expect("command is a flow list of strings"))
        .collect()
}

fn help(subcommand: &str) -> String {
    let out = Command::new(BIN)
        .args([subcommand, "--help"])
        .output()
        .unwrap();
    assert!(out.status.success(), "fifowin {subcommand} --help");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn dockerfile_and_compose_use_only_what_the_binary_knows() {
    let dockerfile = std::fs::read_to_string(repo("Dockerfile")).unwrap();
    let compose = std::fs::read_to_string(repo("docker-compose.yml")).unwrap();
    let serve_help = help("serve");
    for name in variables(&dockerfile)
        .into_iter()
        .chain(variables(&compose))
    {
        assert!(
            serve_help.contains(&format!("{name}=")),
            "{name} is not a serve variable"
        );
    }
    // Each command's subcommand exists and each of its flags is one it takes.
    let commands = compose_commands(&compose);
    assert_eq!(commands.len(), 2, "{commands:?}");
    for command in &commands {
        let text = help(&command[0]);
        for flag in command.iter().filter(|a| a.starts_with("--")) {
            assert!(
                text.contains(&format!("{flag} ")),
                "{} has no {flag}",
                command[0]
            );
        }
    }
    assert_eq!(commands[0][..2], ["serve", "--config"]);
    // The files the compose file mounts exist, and the healthchecks run `fifowin health`.
    for mounted in [
        "./fifowin.example.toml",
        "./crates/analyzer/tests/data/retry-latency",
    ] {
        assert!(compose.contains(mounted), "{mounted}");
        assert!(repo(mounted).exists(), "{mounted}");
    }
    assert!(repo("crates/analyzer/tests/data/retry-latency/sdk-healthy.hlog").exists());
    assert!(compose.contains(r#"test: ["CMD", "/usr/local/bin/fifowin", "health"]"#));
    assert!(dockerfile.contains(r#"CMD ["/usr/local/bin/fifowin", "health"]"#));
    assert!(dockerfile.contains("EXPOSE 9324") && compose.contains("\"9324:9324\""));
    assert!(
        dockerfile.contains("USER nonroot"),
        "the runtime image is non-root"
    );
    help("health");
}

#[test]
fn the_compose_command_serves_the_mounted_config() {
    // What the container runs, minus the container: the same arguments, the file
    // at the path the compose file mounts it from, loopback instead of 0.0.0.0.
    let compose = std::fs::read_to_string(repo("docker-compose.yml")).unwrap();
    let command = compose_commands(&compose).remove(0);
    let args: Vec<String> = command[1..]
        .iter()
        .map(|a| {
            if a == "/etc/fifowin/fifowin.toml" {
                example().to_string_lossy().into_owned()
            } else {
                a.clone()
            }
        })
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let served = Served::start(&args, &[("FIFOWIN_LOG_LEVEL", "info")]);
    assert_eq!(served.get("/_fifowin/health")["queues"], 3);
    let out = Command::new(BIN)
        .args(["health", "--url", &served.endpoint])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

/// POSTs an AWS JSON 1.0 request; returns the `x-amzn-requestid` it was answered with.
async fn sqs_json(endpoint: &str, operation: &str, body: Value) -> String {
    let resp = reqwest::Client::new()
        .post(endpoint)
        .header("x-amz-target", format!("AmazonSQS.{operation}"))
        .header("content-type", "application/x-amz-json-1.0")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    resp.headers()["x-amzn-requestid"]
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn request_logs_name_the_request_and_never_the_body() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("server.log");
    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0", "--log-level", "debug"])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let endpoint = (0..300)
        .find_map(|_| {
            std::thread::sleep(Duration::from_millis(100));
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            let rest = text.split("listening on ").nth(1)?;
            Some(rest.split_whitespace().next()?.to_string())
        })
        .expect("the server starts");
    let (sent_id, failed_id) = tokio::runtime::Runtime::new().unwrap().block_on(async {
        sqs_json(
            &endpoint,
            "CreateQueue",
            serde_json::json!({"QueueName": "logged"}),
        )
        .await;
        let url = format!("{endpoint}/000000000000/logged");
        let body = serde_json::json!({"QueueUrl": url, "MessageBody": "SECRET-BODY-7f3a"});
        let sent = sqs_json(&endpoint, "SendMessage", body).await;
        let failed = sqs_json(
            &endpoint,
            "GetQueueUrl",
            serde_json::json!({"QueueName": "nope"}),
        )
        .await;
        (sent, failed)
    });
    let _ = child.kill();
    let _ = child.wait();
    let text = std::fs::read_to_string(&log).unwrap();
    let line_with = |id: &str, level: &str| {
        text.lines()
            .find(|l| l.contains(id) && l.contains(level))
            .unwrap_or_else(|| panic!("no {level} line for {id} in:\n{text}"))
            .to_string()
    };
    let sent = line_with(&sent_id, "DEBUG");
    assert!(
        sent.contains("op=\"SendMessage\"") && sent.contains("queue=\"logged\""),
        "{sent}"
    );
    let failed = line_with(&failed_id, "WARN");
    assert!(failed.contains("request failed"), "{failed}");
    assert!(
        failed.contains("AWS.SimpleQueueService.NonExistentQueue"),
        "{failed}"
    );
    line_with(&failed_id, "DEBUG");
    assert!(
        !text.contains("SECRET-BODY-7f3a"),
        "a message body reached the log:\n{text}"
    );
}

/// Creates, deletes and re-creates queue `q` over Query; whether the re-creation
/// was refused with QueueDeletedRecently.
fn recreate_is_refused(served: &Served) -> bool {
    let endpoint = served.endpoint.clone();
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async move {
            let http = reqwest::Client::new();
            let call = |form: &'static str| {
                http.post(format!("{endpoint}/"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(form)
                    .send()
            };
            let created = call("Action=CreateQueue&QueueName=q").await.unwrap();
            assert_eq!(created.status(), 200);
            let deleted = call("Action=DeleteQueue&QueueUrl=q").await.unwrap();
            assert_eq!(deleted.status(), 200);
            let again = call("Action=CreateQueue&QueueName=q").await.unwrap();
            let status = again.status();
            let body = again.text().await.unwrap();
            let refused = body.contains("<Code>AWS.SimpleQueueService.QueueDeletedRecently</Code>");
            assert_eq!(status == 400, refused, "{status} {body}");
            refused
        })
}

#[test]
fn the_deleted_queue_cooldown_is_off_unless_a_flag_variable_or_file_turns_it_on() {
    assert!(!recreate_is_refused(&Served::start(&[], &[])));
    assert!(recreate_is_refused(&Served::start(
        &["--deleted-queue-cooldown"],
        &[]
    )));
    assert!(recreate_is_refused(&Served::start(
        &[],
        &[("FIFOWIN_DELETED_QUEUE_COOLDOWN", "true")]
    )));
    let (_dir, path) = config_file("cooldown", "[server]\ndeleted_queue_cooldown = true\n");
    assert!(recreate_is_refused(&Served::start(
        &["--config", path.to_str().unwrap()],
        &[]
    )));
}

/// The help text of `flag` in `fifowin <subcommand> --help`: its line and the
/// description under it, up to the next flag.
fn flag_help(subcommand: &str, flag: &str) -> String {
    let text = help(subcommand);
    let start = text
        .find(&format!("{flag} <"))
        .unwrap_or_else(|| panic!("{subcommand} has no {flag}"));
    let rest = &text[start + flag.len()..];
    let end = rest.find("\n  -").unwrap_or(rest.len());
    rest[..end].to_string()
}

#[test]
fn help_shows_the_default_windows_the_code_uses() {
    for (subcommand, flag) in [
        ("serve", "--dedup-window"),
        ("analyze", "--window"),
        ("policy", "--window"),
        ("replay", "--window"),
    ] {
        let text = flag_help(subcommand, flag);
        assert!(
            text.contains("[default: 5m]"),
            "{subcommand} {flag}: {text}"
        );
    }
    let text = flag_help("serve", "--escape-horizon");
    assert!(text.contains("[default: 1h]"), "{text}");
    // ... and the server started without the flags uses them.
    let served = Served::start(&[], &[]);
    let health = served.get("/_fifowin/health");
    assert_eq!(health["dedup_window_ms"], 300_000, "{health}");
    served.terminate();
}
