//! `fifowin bench` against an `https://` endpoint: a TLS terminator in this test
//! (rustls, a certificate made for 127.0.0.1) forwards to `fifowin serve`. Runs
//! pass when the certificate is trusted through `--ca-bundle`, and fail on the
//! handshake when only the system's roots are trusted.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::Ordering;

use common::tls::Terminator;
use common::{BIN, Served, output_text as text};

fn bench(endpoint: &str, ca_bundle: Option<&PathBuf>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(["bench", "--endpoint", endpoint])
        .args(["--scenario", "send-unique,send-batch10,receive-delete"])
        .args(["--requests", "40", "--prefill", "200", "--warmup", "0s"])
        .env_remove("AWS_CA_BUNDLE");
    if let Some(path) = ca_bundle {
        cmd.arg("--ca-bundle").arg(path);
    }
    cmd.output().expect("run fifowin bench")
}

#[test]
fn https_runs_pass_through_a_trusted_terminator_and_fail_an_untrusted_one() {
    let served = Served::start(&[], &[]);
    let terminator = Terminator::start(served.addr());
    let endpoint = format!("https://127.0.0.1:{}", terminator.port);

    let trusted = bench(&endpoint, Some(&terminator.ca_pem));
    let out = text(&trusted);
    assert!(trusted.status.success(), "{out}");
    assert_eq!(out.matches("check       PASS").count(), 3, "{out}");
    assert_eq!(out.matches(", 0 errors)").count(), 3, "{out}");
    assert!(out.contains(&endpoint), "{out}");
    let after_trusted = terminator.handshakes.load(Ordering::SeqCst);
    assert!(after_trusted >= 3, "{after_trusted} TLS handshakes");

    let untrusted = bench(&endpoint, None);
    let out = text(&untrusted);
    assert!(!untrusted.status.success(), "{out}");
    assert!(out.contains("certificate"), "{out}");
    assert_eq!(
        terminator.handshakes.load(Ordering::SeqCst),
        after_trusted,
        "no handshake completes without trust"
    );

    // Plain HTTP to the TLS port is not a response: the run fails instead of hanging.
    let plain = bench(&format!("http://127.0.0.1:{}", terminator.port), None);
    assert!(!plain.status.success(), "{}", text(&plain));
}
