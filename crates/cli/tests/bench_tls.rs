//! `fifowin bench` against an `https://` endpoint: a TLS terminator in this test
//! (rustls, a certificate made for 127.0.0.1) forwards to `fifowin serve`. Runs
//! pass when the certificate is trusted through `--ca-bundle`, and fail on the
//! handshake when only the system's roots are trusted.

mod common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{BIN, Served, output_text as text};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A TLS terminator on 127.0.0.1 that forwards each connection to `backend`,
/// counting completed handshakes; it runs until the runtime is dropped.
struct Terminator {
    port: u16,
    handshakes: Arc<AtomicUsize>,
    ca_pem: PathBuf,
    _runtime: tokio::runtime::Runtime,
}

impl Terminator {
    fn start(backend: SocketAddr) -> Terminator {
        let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()]).unwrap();
        let ca_pem = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("bench-tls-{}.pem", std::process::id()));
        std::fs::write(&ca_pem, made.cert.pem()).unwrap();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
        let config = ServerConfig::builder_with_provider(Arc::new(
            tokio_rustls::rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(made.cert.der().to_vec())], key)
        .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let port = listener.local_addr().unwrap().port();
        let handshakes = Arc::new(AtomicUsize::new(0));
        let counted = handshakes.clone();
        runtime.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let counted = counted.clone();
                tokio::spawn(async move {
                    let _ = client.set_nodelay(true);
                    let Ok(mut tls) = acceptor.accept(client).await else {
                        return;
                    };
                    counted.fetch_add(1, Ordering::SeqCst);
                    let Ok(mut plain) = TcpStream::connect(backend).await else {
                        return;
                    };
                    let _ = plain.set_nodelay(true);
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                });
            }
        });
        Terminator {
            port,
            handshakes,
            ca_pem,
            _runtime: runtime,
        }
    }
}

impl Drop for Terminator {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.ca_pem);
    }
}

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
    let backend: SocketAddr = served
        .endpoint
        .strip_prefix("http://")
        .unwrap()
        .parse()
        .unwrap();
    let terminator = Terminator::start(backend);
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
