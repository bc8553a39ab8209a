//! The engine against a real https receiver on 127.0.0.1 with a self-signed certificate made in
//! the test: `insecure` delivers to it; without `insecure` the certificate is rejected, each
//! attempt is a TLS failure, and it is retried; attempts in turn share one connection.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use awork_delivery::{
    AttemptOutcome, Event, HttpTransport, RetrySchedule, Transport, Webhook, WebhookConfig,
    WebhookState,
};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use rustls::ServerConfig;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

/// An https server answering 200 to every request, recording the bodies it received and counting
/// the connections it accepted.
struct HttpsReceiver {
    url: String,
    bodies: Arc<Mutex<Vec<Bytes>>>,
    connections: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Drop for HttpsReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn https_receiver() -> HttpsReceiver {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(tls));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}/hook", listener.local_addr().unwrap());
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let recorded = Arc::clone(&bodies);
    let connections = Arc::new(AtomicUsize::new(0));
    let accepted = Arc::clone(&connections);
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            accepted.fetch_add(1, Ordering::SeqCst);
            let (acceptor, recorded) = (acceptor.clone(), Arc::clone(&recorded));
            tokio::spawn(async move {
                // A client that rejects the certificate aborts the handshake: nothing to serve.
                let Ok(stream) = acceptor.accept(stream).await else {
                    return;
                };
                let service = service_fn(move |request: Request<hyper::body::Incoming>| {
                    let recorded = Arc::clone(&recorded);
                    async move {
                        let body = request.into_body().collect().await.unwrap().to_bytes();
                        recorded.lock().unwrap().push(body);
                        Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
                    }
                });
                let _closed = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    HttpsReceiver {
        url,
        bodies,
        connections,
        task,
    }
}

fn config(url: &str) -> WebhookConfig {
    WebhookConfig::new(url)
        .unwrap()
        .with_retry_schedule(RetrySchedule::Schedule(vec![Duration::from_millis(10)]))
        .with_timeout(Duration::from_secs(5))
        .with_max_retries(2)
}

#[tokio::test]
async fn insecure_delivers_to_a_self_signed_receiver() {
    let receiver = https_receiver().await;
    let mut webhook = Webhook::new(config(&receiver.url).with_insecure(true)).unwrap();
    let mut log = Vec::new();
    let body = r#"{"eventType":"task_created"}"#;
    let run = webhook
        .deliver([Event::new("task_created", body)], &mut log)
        .await;
    assert_eq!((run.report.delivered, run.report.attempts), (1, 1));
    assert!(log[0].outcome.is_success(), "{:?}", log[0].outcome);
    assert_eq!(*receiver.bodies.lock().unwrap(), [Bytes::from(body)]);
}

#[tokio::test]
async fn without_insecure_a_self_signed_certificate_is_a_tls_failure_and_is_retried() {
    let receiver = https_receiver().await;
    let mut webhook = Webhook::new(config(&receiver.url)).unwrap();
    let mut log = Vec::new();
    let run = webhook
        .deliver([Event::new("task_created", "{}")], &mut log)
        .await;
    assert_eq!((run.report.failed, run.report.attempts), (1, 3));
    assert_eq!(run.report.webhook, WebhookState::Active);
    for record in &log {
        assert!(
            matches!(&record.outcome, AttemptOutcome::Tls(message)
                if message.contains("certificate") && message.ends_with("with --insecure)")),
            "{:?}",
            record.outcome
        );
        assert!(record.to_json_line().contains(r#""error":"tls""#));
    }
    let decisions: Vec<&str> = log.iter().map(|record| record.decision.name()).collect();
    assert_eq!(decisions, ["retry", "retry", "give_up"]);
    assert!(receiver.bodies.lock().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attempts_in_turn_share_one_https_connection() {
    let receiver = https_receiver().await;
    let transport = HttpTransport::new(&config(&receiver.url).with_insecure(true)).unwrap();
    for sent in 1..=50 {
        let outcome = transport
            .send(Bytes::from_static(b"{}"), Duration::from_secs(10))
            .await;
        assert!(outcome.is_success(), "attempt {sent}: {outcome}");
    }
    assert_eq!(receiver.bodies.lock().unwrap().len(), 50);
    assert_eq!(receiver.connections.load(Ordering::SeqCst), 1);
}

#[test]
fn the_hint_to_trust_the_ca_goes_only_with_problems_a_ca_can_solve() {
    use rustls::CertificateError;
    let message = |problem: CertificateError| match awork_delivery::transport::classify(
        &rustls::Error::InvalidCertificate(problem),
    ) {
        AttemptOutcome::Tls(message) => message,
        other => panic!("{other:?}"),
    };
    for unknown in [
        CertificateError::UnknownIssuer,
        CertificateError::BadSignature,
    ] {
        let told = message(unknown);
        assert!(
            told.ends_with(
                "(a self-signed or private-CA certificate? trust its CA with \
                 SSL_CERT_FILE=its-ca.pem, or with send and check accept any certificate with \
                 --insecure)"
            ),
            "{told}"
        );
    }
    for beyond_a_ca in [
        CertificateError::Expired,
        CertificateError::NotValidYet,
        CertificateError::NotValidForName,
        CertificateError::Revoked,
    ] {
        let told = message(beyond_a_ca);
        assert!(!told.contains("SSL_CERT_FILE"), "{told}");
    }
}
