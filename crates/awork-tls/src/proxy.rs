//! The proxy policy of the plain port: which requests are proxy requests for awork's host (answered
//! by the workspace itself), which are ordinary requests, and which are refused.
//!
//! A client with `HTTPS_PROXY` pointing at the workspace sends it `CONNECT api.awork.com:443`
//! (then TLS inside the tunnel), or, as some do (axios), the request itself with an absolute
//! target: `GET https://api.awork.com/api/v1/...`. Both are answered locally. Every other proxy
//! target (another host, the workspace's own address, awork's host on another port) is refused
//! with a reason for the 403, and nothing is ever connected to: the workspace is not a proxy, it
//! only plays awork's host.
//!
//! The decision reads the method and the request target only. The `Host` header is not
//! consulted: for a proxy request the target's authority is the one that counts (RFC 9112,
//! section 3.2.2), and an origin-form request is answered locally whatever its `Host` says, since
//! nothing is forwarded.

use std::fmt;

use http::uri::{Authority, PathAndQuery, Scheme};
use http::{Method, Response, StatusCode, Uri, header};

use crate::AWORK_HOST;

/// The port awork's API listens on, the only one a `CONNECT` may name.
const HTTPS_PORT: u16 = 443;
/// The default port of `http://` targets.
const HTTP_PORT: u16 = 80;

/// What to do with a request that arrived on the plain port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Not a proxy request (origin-form `/path`, or `*`): answer it as usual.
    NotProxy,
    /// `CONNECT api.awork.com:443`: answer `200` and run the tunnel ([`crate::tunnel::tunnel`]).
    Tunnel,
    /// An absolute-form request for awork's host (`https://api.awork.com/api/v1/...`): answer it
    /// locally, with its target rewritten to this origin-form one (`/api/v1/...`).
    AnswerLocally(Uri),
    /// A proxy request for anything else: answer `403` with the reason.
    Refuse(Refusal),
}

/// Why a proxy request was refused: the text of the `403`'s body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    target: String,
    /// Whether the target is awork's host on another port: NO_PROXY would send the client to
    /// the real awork, so the advice is the port.
    awork_elsewhere: bool,
}

impl Refusal {
    /// The `403 Forbidden` answer, with the reason as plain text and the connection closed.
    pub fn response<B: From<String>>(&self) -> Response<B> {
        let mut response = Response::new(B::from(format!("{self}\n")));
        *response.status_mut() = StatusCode::FORBIDDEN;
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        headers.insert(
            header::CONNECTION,
            header::HeaderValue::from_static("close"),
        );
        // The advice in the status line too: curl, Python and Go show a refused CONNECT's status
        // line (`Tunnel connection failed: 403 …`) and never its body.
        response.extensions_mut().insert(if self.awork_elsewhere {
            AWORK_PORT_REASON
        } else {
            REFUSAL_REASON
        });
        response
    }
}

/// The reason phrase of the refusal's `403`, in place of `Forbidden`.
const REFUSAL_REASON: hyper::ext::ReasonPhrase = hyper::ext::ReasonPhrase::from_static(
    b"Forbidden: awork-sim answers for api.awork.com only; add this host to NO_PROXY",
);

/// The reason phrase of the `403` to awork's host on a port it does not serve.
const AWORK_PORT_REASON: hyper::ext::ReasonPhrase = hyper::ext::ReasonPhrase::from_static(
    b"Forbidden: awork-sim answers for api.awork.com:443 only",
);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.awork_elsewhere {
            return write!(
                f,
                "awork-sim answers for {AWORK_HOST}:{HTTPS_PORT} only, not {}: awork's API is \
                 https://{AWORK_HOST} on port {HTTPS_PORT}",
                self.target
            );
        }
        write!(
            f,
            "awork-sim is not a proxy: it answers for {AWORK_HOST}:{HTTPS_PORT} only, not {}; \
             add that host to NO_PROXY so the client connects to it directly",
            self.target
        )
    }
}

/// Decides what to do with a request of `method` for `target` (the request line's target, as
/// hyper gives it in `Request::uri`).
pub fn decide(method: &Method, target: &Uri) -> Decision {
    if method == Method::CONNECT {
        return match target.authority() {
            Some(authority) if is_awork_host(authority, None) => Decision::Tunnel,
            _ => refuse(target.to_string()),
        };
    }
    let (Some(scheme), Some(authority)) = (target.scheme(), target.authority()) else {
        return Decision::NotProxy;
    };
    let default_port = if *scheme == Scheme::HTTPS {
        HTTPS_PORT
    } else if *scheme == Scheme::HTTP {
        HTTP_PORT
    } else {
        return refuse(format!("{scheme}://{authority}"));
    };
    if !is_awork_host(authority, Some(default_port)) {
        return refuse(format!("{scheme}://{authority}"));
    }
    let path_and_query = target
        .path_and_query()
        .cloned()
        .unwrap_or_else(|| PathAndQuery::from_static("/"));
    Decision::AnswerLocally(Uri::from(path_and_query))
}

fn refuse(target: String) -> Decision {
    // `api.awork.com:8443`, `https://api.awork.com:444`: awork's host, another port.
    let awork_elsewhere = target
        .rsplit_once("//")
        .map_or(target.as_str(), |(_, authority)| authority)
        .parse::<Authority>()
        .is_ok_and(|authority| {
            let host = authority.host();
            !authority.as_str().contains('@')
                && host
                    .strip_suffix('.')
                    .unwrap_or(host)
                    .eq_ignore_ascii_case(AWORK_HOST)
        });
    Decision::Refuse(Refusal {
        target,
        awork_elsewhere,
    })
}

/// Whether `authority` is awork's host (in any case, with or without the root's trailing dot) on
/// the port awork serves: 443 for a `CONNECT`, whose authority must name its port
/// (`default_port` is `None`), or the scheme's default port of an absolute target, named or not.
/// User information (`user@host`) is never awork's host.
fn is_awork_host(authority: &Authority, default_port: Option<u16>) -> bool {
    if authority.as_str().contains('@') {
        return false;
    }
    let host = authority.host();
    let host = host.strip_suffix('.').unwrap_or(host);
    let port_is_served = match (authority.port_u16(), default_port) {
        (Some(port), Some(default_port)) => port == default_port,
        (Some(port), None) => port == HTTPS_PORT,
        (None, Some(_)) => true,
        (None, None) => false,
    };
    host.eq_ignore_ascii_case(AWORK_HOST) && port_is_served
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(method: &str, target: &str) -> Decision {
        decide(&method.parse().unwrap(), &target.parse().unwrap())
    }

    #[test]
    fn origin_form_is_not_a_proxy_request() {
        for (method, target) in [
            ("GET", "/api/v1/webhooks"),
            ("POST", "/sim/events?count=3"),
            ("GET", "/"),
            ("OPTIONS", "*"),
        ] {
            assert_eq!(decision(method, target), Decision::NotProxy, "{target}");
        }
    }

    #[test]
    fn connect_to_awork_on_443_is_tunnelled() {
        for target in [
            "api.awork.com:443",
            "API.Awork.COM:443",
            "api.awork.com.:443",
        ] {
            assert_eq!(decision("CONNECT", target), Decision::Tunnel, "{target}");
        }
    }

    #[test]
    fn absolute_targets_on_awork_are_answered_locally_in_origin_form() {
        for (target, local) in [
            (
                "https://api.awork.com/api/v1/webhooks?page=2",
                "/api/v1/webhooks?page=2",
            ),
            ("https://api.awork.com:443/api/v1/users", "/api/v1/users"),
            ("http://api.awork.com/api/v1/me", "/api/v1/me"),
            ("http://API.awork.com:80/", "/"),
            ("https://api.awork.com", "/"),
        ] {
            assert_eq!(
                decision("GET", target),
                Decision::AnswerLocally(local.parse().unwrap()),
                "{target}"
            );
        }
        assert_eq!(
            decision("POST", "https://api.awork.com/api/v1/webhooks"),
            Decision::AnswerLocally("/api/v1/webhooks".parse().unwrap())
        );
    }

    #[test]
    fn every_other_proxy_target_is_refused_with_a_reason() {
        // `true`: awork's host on another port or scheme, told its port (NO_PROXY would send
        // the client to the real awork); any other host is told NO_PROXY.
        for (method, target, awork_elsewhere) in [
            ("CONNECT", "example.com:443", false),
            ("CONNECT", "localhost:8787", false),
            ("CONNECT", "127.0.0.1:22", false),
            ("CONNECT", "[::1]:443", false),
            ("CONNECT", "api.awork.com:80", true),
            ("CONNECT", "api.awork.com:8443", true),
            ("CONNECT", "api.awork.com", true),
            ("CONNECT", "api.awork.com.evil.test:443", false),
            ("CONNECT", "evilapi.awork.com:443", false),
            ("GET", "https://example.com/", false),
            ("GET", "http://127.0.0.1:8787/api/v1/webhooks", false),
            ("GET", "http://localhost:8787/", false),
            ("GET", "https://api.awork.com:8443/api/v1/webhooks", true),
            ("GET", "http://api.awork.com:443/", true),
            ("GET", "https://user@api.awork.com/", false),
            ("GET", "ftp://api.awork.com/", true),
            ("GET", "ws://api.awork.com/", true),
        ] {
            let Decision::Refuse(refusal) = decision(method, target) else {
                panic!("{method} {target} is not refused");
            };
            let reason = refusal.to_string();
            if awork_elsewhere {
                assert!(
                    reason.contains("awork's API is https://api.awork.com on port 443"),
                    "{target}: {reason}"
                );
            } else {
                assert!(
                    reason.contains("not a proxy") && reason.contains("NO_PROXY"),
                    "{target}: {reason}"
                );
            }
        }
    }

    #[test]
    fn the_refusal_is_a_403_naming_the_target() {
        let Decision::Refuse(refusal) = decision("CONNECT", "example.com:443") else {
            panic!("not refused");
        };
        let response: Response<String> = refusal.response();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(response.headers()[header::CONNECTION], "close");
        assert_eq!(
            response.extensions().get::<hyper::ext::ReasonPhrase>(),
            Some(&REFUSAL_REASON)
        );
        assert_eq!(
            response.body(),
            "awork-sim is not a proxy: it answers for api.awork.com:443 only, not \
             example.com:443; add that host to NO_PROXY so the client connects to it directly\n"
        );
    }
}
