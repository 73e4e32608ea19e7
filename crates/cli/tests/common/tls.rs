//! A TLS terminator for binary tests of `https://` endpoints: rustls with a
//! certificate made for 127.0.0.1, forwarding each connection to a plain backend.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A TLS terminator on 127.0.0.1 that forwards each connection to `backend`,
/// counting completed handshakes; it runs until the runtime is dropped.
pub(crate) struct Terminator {
    pub(crate) port: u16,
    pub(crate) handshakes: Arc<AtomicUsize>,
    /// The certificate, to trust it.
    pub(crate) ca_pem: PathBuf,
    _runtime: tokio::runtime::Runtime,
}

impl Terminator {
    pub(crate) fn start(backend: SocketAddr) -> Terminator {
        let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()]).unwrap();
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
        let ca_pem = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("tls-{}-{port}.pem", std::process::id()));
        std::fs::write(&ca_pem, made.cert.pem()).unwrap();
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
