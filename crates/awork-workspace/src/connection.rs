//! How serve's connections are served. The plain port answers awork's API, the page and `/sim/`,
//! and is also a proxy for awork's host only: `CONNECT api.awork.com:443` is answered by serve
//! itself (TLS with the local certificate, then the same routes), an absolute-form request for
//! `api.awork.com` is answered as if addressed to serve, and every other proxy target is refused
//! with a 403 without opening any connection ([`awork_tls::proxy`]). The TLS port serves the same
//! routes over TLS. Inside TLS (the TLS port or a tunnel) a proxy request is refused the same way.

use std::convert::Infallible;
use std::sync::Arc;

use awork_tls::proxy::{self, Decision};
use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rustls::ServerConfig;
use tokio::net::TcpStream;

use crate::answer::Answer;
use crate::{Shared, router};

/// What every connection is served with.
#[derive(Clone)]
pub(crate) struct Front {
    pub(crate) shared: Arc<Shared>,
    pub(crate) routes: Router,
    pub(crate) tls: Arc<ServerConfig>,
}

/// The plain port's open connections, so that a stop lets them finish what they are answering:
/// each holds a receiver of `stopping` for as long as it is open, which tells it when serve
/// stops, and the sender sees when every one has closed.
#[derive(Clone)]
pub(crate) struct Open {
    stopping: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Default for Open {
    fn default() -> Self {
        Open {
            stopping: Arc::new(tokio::sync::watch::Sender::new(false)),
        }
    }
}

impl Open {
    /// A new connection's hold: it counts the connection open until it is dropped.
    pub(crate) fn opened(&self) -> tokio::sync::watch::Receiver<bool> {
        self.stopping.subscribe()
    }

    /// Tells every connection to close once it has answered what it is answering (an idle one
    /// closes at once), and waits until all have, for at most `grace`.
    pub(crate) async fn close_all(&self, grace: std::time::Duration) {
        self.stopping.send_replace(true);
        let _ = tokio::time::timeout(grace, self.stopping.closed()).await;
    }
}

/// Serves a connection of the plain port, tunnels included, until it closes or, once serve
/// stops, has answered what it was answering; `stopping` is its hold on [`Open`].
pub(crate) async fn plain(
    stream: TcpStream,
    front: Front,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) {
    let _nodelay = stream.set_nodelay(true);
    let service = service_fn(move |request: http::Request<Incoming>| {
        let front = front.clone();
        async move {
            let answer = match proxy::decide(request.method(), request.uri()) {
                Decision::Tunnel => {
                    let inner = front.clone();
                    awork_tls::tunnel::tunnel(
                        request,
                        Arc::clone(&front.tls),
                        service_fn(move |request| secure(request, inner.clone())),
                    )
                }
                _ => answer(request, &front).await,
            };
            Ok::<_, Infallible>(answer)
        }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    tokio::pin!(connection);
    // A client that goes away mid-request is its own business.
    tokio::select! {
        _ = connection.as_mut() => return,
        _ = stopping.wait_for(|stopping| *stopping) => {}
    }
    connection.as_mut().graceful_shutdown();
    let _ = connection.await;
    // Closed: the hold on `Open` goes.
    drop(stopping);
}

/// Serves a connection of the TLS port.
pub(crate) async fn tls(stream: TcpStream, front: Front) {
    let _nodelay = stream.set_nodelay(true);
    let config = Arc::clone(&front.tls);
    let service = service_fn(move |request| secure(request, front.clone()));
    // A failed handshake (a client that does not trust the local CA) concerns that client only.
    let _ = awork_tls::tunnel::serve_tls(stream, config, service).await;
}

/// Answers a request that arrived over TLS: no tunnel inside a tunnel.
async fn secure(request: http::Request<Incoming>, front: Front) -> Result<Answer, Infallible> {
    Ok(answer(request, &front).await)
}

/// Answers a request that is not a tunnel: with the routes, in origin form, or the proxy's 403.
async fn answer(mut request: http::Request<Incoming>, front: &Front) -> Answer {
    match proxy::decide(request.method(), request.uri()) {
        Decision::NotProxy => {}
        Decision::AnswerLocally(uri) => *request.uri_mut() = uri,
        Decision::Tunnel => {
            return crate::answer::error(
                http::StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "CONNECT is answered on serve's plain port only, not inside TLS.",
                &[],
            );
        }
        Decision::Refuse(refusal) => return refusal.response(),
    }
    router::answer(front.routes.clone(), &front.shared, request.map(Body::new)).await
}
