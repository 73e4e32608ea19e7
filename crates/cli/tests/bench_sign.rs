//! `fifowin bench --sign` against `fifowin serve --auth sigv4`: the server's
//! verifier, which is tested against aws-sdk-sqs's own signatures
//! (auth_config.rs), accepts the generator's signatures, and refuses them under
//! a wrong secret or without `--sign`.

mod common;

use std::process::{Command, Output};

use common::{BIN, Served, output_text as text};

const KEY_ID: &str = "AKIDBENCH";
const SECRET: &str = "bench/secret+1";

fn bench(endpoint: &str, secret: Option<&str>, sign: bool) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(["bench", "--endpoint", endpoint])
        .args(["--scenario", "send-unique,send-batch10"])
        .args(["--requests", "40", "--warmup", "0s"])
        .env("AWS_REGION", "eu-west-1")
        .env_remove("AWS_SESSION_TOKEN");
    if sign {
        cmd.arg("--sign");
    }
    match secret {
        Some(secret) => cmd
            .env("AWS_ACCESS_KEY_ID", KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", secret),
        None => cmd
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY"),
    };
    cmd.output().expect("run fifowin bench")
}

#[test]
fn signed_runs_pass_a_server_that_verifies_signatures() {
    let served = Served::start(
        &[
            "--auth",
            "sigv4",
            "--auth-key",
            &format!("{KEY_ID}:{SECRET}"),
        ],
        &[],
    );

    let signed = bench(&served.endpoint, Some(SECRET), true);
    let out = text(&signed);
    assert!(signed.status.success(), "{out}");
    assert_eq!(out.matches("check       PASS").count(), 2, "{out}");
    assert_eq!(out.matches(", 0 errors)").count(), 2, "{out}");

    let wrong = bench(&served.endpoint, Some("not-the-secret"), true);
    assert!(!wrong.status.success(), "{}", text(&wrong));
    assert!(
        text(&wrong).contains("SignatureDoesNotMatch"),
        "{}",
        text(&wrong)
    );

    let unsigned = bench(&served.endpoint, Some(SECRET), false);
    assert!(!unsigned.status.success(), "{}", text(&unsigned));

    let no_key = bench(&served.endpoint, None, true);
    assert!(!no_key.status.success());
    assert!(
        text(&no_key).contains("--sign needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
        "{}",
        text(&no_key)
    );
}
