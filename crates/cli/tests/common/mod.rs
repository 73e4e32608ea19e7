//! What the binary tests share: a `fifowin serve` child on a free port, found by
//! the address line it prints, and killed with SIGKILL when dropped.

// Each test binary includes this module and uses a different part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

pub(crate) mod tls;

/// The binary under test.
pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_fifowin");

/// A finished command's stdout and stderr, for assertions and their messages.
pub(crate) fn output_text(out: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A `fifowin serve --port 0` child process.
pub(crate) struct Served {
    pub(crate) child: Child,
    /// `http://127.0.0.1:<port>`, read from the "listening on" line.
    pub(crate) endpoint: String,
}

impl Served {
    /// Starts `fifowin serve --port 0 <args>` with extra environment variables.
    pub(crate) fn start(args: &[&str], env: &[(&str, &str)]) -> Served {
        let mut cmd = Command::new(BIN);
        cmd.args(["serve", "--port", "0"]).args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn fifowin serve");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (tx, rx) = mpsc::channel();
        // Keeps reading stderr for the child's whole life, so it never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
                }
            }
        });
        // Durable mode replays its log before listening: allow for a slow machine.
        let endpoint = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("fifowin serve prints the address it listens on");
        Served { child, endpoint }
    }

    /// The address it listens on.
    pub(crate) fn addr(&self) -> std::net::SocketAddr {
        self.endpoint
            .strip_prefix("http://")
            .and_then(|a| a.parse().ok())
            .expect("the endpoint is http://<ip>:<port>")
    }

    /// GETs a path and parses the JSON answer (from a synchronous test).
    pub(crate) fn get(&self, path: &str) -> Value {
        let url = format!("{}{path}", self.endpoint);
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async { reqwest::get(url).await.unwrap().json().await.unwrap() })
    }

    /// Sends SIGTERM and waits for the exit status.
    pub(crate) fn terminate(mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(status.success(), "kill -TERM {pid}");
        self.child.wait().unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        // Child::kill is SIGKILL: no shutdown code runs. After `terminate` the child
        // has been reaped and both calls fail harmlessly.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
