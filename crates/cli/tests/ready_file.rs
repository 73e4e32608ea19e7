//! `fifowin serve --ready-file`: written once the server listens (port 0 resolved
//! to the real port), never written when the bind fails, and a path that cannot be
//! written stops the server with a clear error.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{BIN, output_text};
use serde_json::Value;

/// A fresh directory for one test's ready file.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("ready-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn serve(port: &str, ready: &std::path::Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--port", port, "--ready-file"])
        .arg(ready)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// Waits for the child to exit (it must, within 30 s) and returns its output.
fn finished(mut child: Child) -> std::process::Output {
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("fifowin serve did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn port_zero_writes_the_real_port_url_pid_and_version_then_removes_the_file_at_exit() {
    let dir = scratch("port0");
    let ready = dir.join("ready.json");
    let mut child = serve("0", &ready).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ready.exists() {
        assert!(child.try_wait().unwrap().is_none(), "server exited early");
        assert!(Instant::now() < deadline, "no ready file within 60 s");
        std::thread::sleep(Duration::from_millis(10));
    }
    let info: Value = serde_json::from_str(&std::fs::read_to_string(&ready).unwrap()).unwrap();
    let port = info["port"].as_u64().unwrap();
    assert_ne!(port, 0);
    assert_eq!(info["url"], format!("http://127.0.0.1:{port}"));
    assert_eq!(info["pid"], child.id());
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    // Nothing else is left in the directory: the temporary file was renamed.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    // The URL is served.
    let health: Value = tokio::runtime::Runtime::new().unwrap().block_on(async {
        reqwest::get(format!("http://127.0.0.1:{port}/_fifowin/health"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(health["status"], "ok");
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let out = finished(child);
    assert!(out.status.success(), "{}", output_text(&out));
    assert!(!ready.exists(), "the ready file outlived the server");
}

#[test]
fn a_taken_port_exits_non_zero_with_the_address_and_writes_no_file() {
    let dir = scratch("taken");
    let ready = dir.join("ready.json");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = finished(serve(&port, &ready).spawn().unwrap());
    let text = output_text(&out);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains(&format!("binding 127.0.0.1:{port}")) && text.contains("in use"),
        "{text}"
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "a file was written"
    );
}

#[test]
fn an_unwritable_path_exits_non_zero_naming_the_path() {
    let dir = scratch("unwritable");
    // A directory that does not exist (root writes anywhere else).
    let ready = dir.join("missing").join("ready.json");
    let out = finished(serve("0", &ready).spawn().unwrap());
    let text = output_text(&out);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains(&format!("writing the ready file {}", ready.display())),
        "{text}"
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "a file was left behind"
    );
}
