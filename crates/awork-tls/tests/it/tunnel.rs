//! A tiny server with the policy and the tunnel, as `serve` uses them: CONNECT then TLS (trusting
//! only the local CA) then a request answered locally; an absolute-form request answered locally;
//! other proxy targets refused with nothing connected to them; the TLS port's connections.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use awork_tls::ca::LocalCa;
use awork_tls::proxy::{Decision, decide};
use awork_tls::tunnel::{serve_tls, tunnel};
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsConnector;

/// The workspace's answer: what it was asked, and the host it was asked of.
async fn answer(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let host = request
        .headers()
        .get(hyper::header::HOST)
        .and_then(|host| host.to_str().ok())
        .unwrap_or("")
        .to_owned();
    Ok(Response::new(Full::new(Bytes::from(format!(
        "answered {} {} (Host: {host})",
        request.method(),
        request.uri()
    )))))
}

/// The plain port's handler, as `serve`'s would be.
async fn plain_port(
    mut request: Request<Incoming>,
    config: Arc<ServerConfig>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    match decide(request.method(), request.uri()) {
        Decision::NotProxy => answer(request).await,
        Decision::AnswerLocally(uri) => {
            *request.uri_mut() = uri;
            answer(request).await
        }
        Decision::Tunnel => Ok(tunnel(request, config, service_fn(answer))),
        Decision::Refuse(refusal) => Ok(refusal.response()),
    }
}

struct Workspace {
    plain: SocketAddr,
    tls: SocketAddr,
    ca_certificate: PathBuf,
    data: PathBuf,
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

/// Starts the plain port (served `with_upgrades()`) and the TLS port on 127.0.0.1.
async fn start(name: &str) -> Workspace {
    let data = std::env::temp_dir().join(format!("awork-tls-it-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let ca = LocalCa::load_or_create(&data).unwrap();
    let plain = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let tls = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let workspace = Workspace {
        plain: plain.local_addr().unwrap(),
        tls: tls.local_addr().unwrap(),
        ca_certificate: ca.ca_certificate_path().to_owned(),
        data,
    };
    let config = ca.server_config();
    tokio::spawn(async move {
        while let Ok((stream, _)) = plain.accept().await {
            let config = Arc::clone(&config);
            let service = service_fn(move |request| plain_port(request, Arc::clone(&config)));
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .with_upgrades(),
            );
        }
    });
    let config = ca.server_config();
    tokio::spawn(async move {
        while let Ok((stream, _)) = tls.accept().await {
            tokio::spawn(serve_tls(stream, Arc::clone(&config), service_fn(answer)));
        }
    });
    workspace
}

/// A TLS client that trusts the local CA and nothing else.
fn trusting_only(ca_certificate: &PathBuf) -> TlsConnector {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(ca_certificate).unwrap())
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    TlsConnector::from(Arc::new(config))
}

/// Reads a response head byte by byte (nothing after it: TLS may follow).
async fn read_head(stream: &mut (impl AsyncRead + Unpin)) -> String {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(stream.read_u8().await.unwrap());
    }
    String::from_utf8(head).unwrap()
}

/// Sends `request` (which asks to close the connection) and reads the whole response.
async fn exchange(stream: &mut (impl AsyncRead + AsyncWrite + Unpin), request: &str) -> String {
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    String::from_utf8(response).unwrap()
}

#[tokio::test]
async fn connect_then_tls_reaches_the_workspace_as_api_awork_com() {
    let workspace = start("connect").await;
    let mut stream = TcpStream::connect(workspace.plain).await.unwrap();
    stream
        .write_all(b"CONNECT api.awork.com:443 HTTP/1.1\r\nHost: api.awork.com:443\r\n\r\n")
        .await
        .unwrap();
    let head = read_head(&mut stream).await;
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");

    let name = ServerName::try_from("api.awork.com").unwrap();
    let mut tls = trusting_only(&workspace.ca_certificate)
        .connect(name, stream)
        .await
        .unwrap();
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
    let response = exchange(
        &mut tls,
        "GET /api/v1/me HTTP/1.1\r\nHost: api.awork.com\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(
        response.ends_with("\r\n\r\nanswered GET /api/v1/me (Host: api.awork.com)"),
        "{response}"
    );
}

#[tokio::test]
async fn an_absolute_target_for_awork_is_answered_in_origin_form() {
    let workspace = start("absolute").await;
    let mut stream = TcpStream::connect(workspace.plain).await.unwrap();
    let response = exchange(
        &mut stream,
        "GET https://api.awork.com/api/v1/webhooks?page=2 HTTP/1.1\r\nHost: api.awork.com\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(
        response.ends_with("answered GET /api/v1/webhooks?page=2 (Host: api.awork.com)"),
        "{response}"
    );
}

#[tokio::test]
async fn other_proxy_targets_are_refused_and_never_connected_to() {
    let workspace = start("refused").await;
    let bystander = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = bystander.local_addr().unwrap().port();
    for (request, target) in [
        (
            format!("CONNECT 127.0.0.1:{port} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"),
            format!("127.0.0.1:{port}"),
        ),
        (
            format!("CONNECT localhost:{port} HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n"),
            format!("localhost:{port}"),
        ),
        (
            format!("GET http://127.0.0.1:{port}/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"),
            format!("http://127.0.0.1:{port}"),
        ),
        (
            "CONNECT api.awork.com:8443 HTTP/1.1\r\nHost: api.awork.com:8443\r\n\r\n".to_owned(),
            "api.awork.com:8443".to_owned(),
        ),
    ] {
        let mut stream = TcpStream::connect(workspace.plain).await.unwrap();
        let response = exchange(&mut stream, &request).await;
        if target.starts_with("api.awork.com") {
            // awork's host on another port: NO_PROXY would send the client to the real awork.
            assert!(
                response.starts_with(
                    "HTTP/1.1 403 Forbidden: awork-sim answers for api.awork.com:443 only\r\n"
                ),
                "{request}{response}"
            );
            assert!(
                response.contains(&format!(
                    "answers for api.awork.com:443 only, not {target}: awork's API is \
                     https://api.awork.com on port 443"
                )),
                "{response}"
            );
            continue;
        }
        assert!(
            response.starts_with(
                "HTTP/1.1 403 Forbidden: awork-sim answers for api.awork.com only; add this host \
                 to NO_PROXY\r\n"
            ),
            "{request}{response}"
        );
        assert!(
            response.contains(&format!(
                "not a proxy: it answers for api.awork.com:443 only, not {target};"
            )),
            "{response}"
        );
    }
    let connected = tokio::time::timeout(Duration::from_millis(300), bystander.accept()).await;
    assert!(connected.is_err(), "the workspace connected to {port}");
}

#[tokio::test]
async fn the_tls_port_serves_every_served_name() {
    let workspace = start("tls-port").await;
    for name in ["api.awork.com", "localhost", "127.0.0.1", "::1"] {
        let stream = TcpStream::connect(workspace.tls).await.unwrap();
        let server_name = ServerName::try_from(name).unwrap();
        let mut tls = trusting_only(&workspace.ca_certificate)
            .connect(server_name, stream)
            .await
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        let response = exchange(
            &mut tls,
            "GET /api/v1/me HTTP/1.1\r\nHost: api.awork.com\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(
            response.starts_with("HTTP/1.1 200 OK\r\n"),
            "{name}: {response}"
        );
    }
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_local_ca_fails_the_handshake() {
    let workspace = start("untrusted").await;
    let other = start("other-ca").await;
    let stream = TcpStream::connect(workspace.tls).await.unwrap();
    let name = ServerName::try_from("api.awork.com").unwrap();
    let error = trusting_only(&other.ca_certificate)
        .connect(name, stream)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("certificate"), "{error}");
}
