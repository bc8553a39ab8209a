//! Integration tests of awork-tls over real sockets on 127.0.0.1: `tunnel` runs a tiny hyper
//! server that applies the proxy policy and the tunnel, and clients that speak to it as an
//! integration with `HTTPS_PROXY` would (api.awork.com is only ever a name in the requests and
//! the TLS handshake, never resolved).

mod tunnel;
