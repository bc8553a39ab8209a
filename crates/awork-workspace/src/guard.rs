//! Who may talk to the workspace, and where it may send: the checks that keep a web page the
//! developer opens, and the workspace's own webhooks, from turning `serve` against the machine.
//!
//! - **Host.** While serve listens on a loopback address, a request's `Host` must name a loopback
//!   address or `localhost` (or `api.awork.com`, or a name given with `--allow-host`) with one of
//!   serve's ports. A DNS-rebinding page (`evil.example` resolving to 127.0.0.1) sends its own
//!   name, and is refused with a 403 before anything is read or changed. Listening on another
//!   address the user chose to be reached under any name, so the check is off there.
//! - **Origin.** A request that carries an `Origin` (browsers send one with every cross-site
//!   request and every non-GET one) must come from serve's own origin, the one its `Host` names;
//!   otherwise it is refused with a 403 and changes nothing. Clients that are not browsers send no
//!   `Origin` and are not affected.
//! - **No delivery to itself.** A webhook URI that reaches serve's own listening address (any path)
//!   would make serve call itself, recursively for `/sim/webhooks/{id}/test`. A URI that names
//!   it (a loopback, unspecified or local address, or `localhost`, with serve's port) is refused
//!   when a webhook is created or updated, without asking DNS (a fuzzer's made-up host names cause
//!   no lookups); before delivering, the host is resolved, as the connection would resolve it,
//!   and a URI that resolves to serve is not delivered to.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use awork_delivery::WebhookUrl;
use http::header::{HOST, ORIGIN};
use http::request::Parts;
use http::uri::Authority;

/// Why a webhook URI that points at serve is refused (and a webhook found pointing there paused).
pub const SELF_LOOP: &str = "The URI points at this awork-sim serve itself: delivering there \
    would make it call itself, so it is refused";

/// The name awork's clients hard-code; serve answers for it (through a hosts entry or its proxy).
pub const AWORK_HOST: &str = "api.awork.com";

/// What the checks compare against: where serve listens and which names it answers to.
#[derive(Debug, Clone)]
pub struct Guard {
    /// The addresses serve listens on (the plain port, and the TLS port when there is one).
    listening: Vec<SocketAddr>,
    /// Extra names a `Host` may carry (`--allow-host`), lowercase.
    allowed_names: Vec<String>,
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The `Host` is not one of serve's names or ports.
    Host(String),
    /// The `Origin` is not serve's own.
    Origin(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Host(host) => write!(
                f,
                "The Host '{host}' is not this awork-sim serve's: it answers to localhost, \
                 loopback addresses and {AWORK_HOST} on its own ports (--allow-host adds a name). \
                 This protects it from DNS rebinding."
            ),
            Refusal::Origin(origin) => write!(
                f,
                "Requests from the web page at '{origin}' are refused: only serve's own page may \
                 call it from a browser."
            ),
        }
    }
}

impl Guard {
    /// The checks for serve listening on `listening`, answering also to `allowed_names`.
    pub fn new(listening: Vec<SocketAddr>, allowed_names: &[String]) -> Guard {
        Guard {
            listening,
            allowed_names: allowed_names
                .iter()
                .map(|name| name.trim().trim_end_matches('.').to_ascii_lowercase())
                .collect(),
        }
    }

    /// Whether the `Host` check is on: serve listens on loopback addresses only.
    fn checks_host(&self) -> bool {
        self.listening.iter().all(|addr| addr.ip().is_loopback())
    }

    /// `Ok` when the request may go on.
    pub fn admit(&self, parts: &Parts) -> Result<(), Refusal> {
        let host = parts
            .headers
            .get(HOST)
            .and_then(|value| value.to_str().ok())
            .or_else(|| parts.uri.authority().map(Authority::as_str))
            .unwrap_or("");
        if self.checks_host() && !self.is_own_host(host) {
            return Err(Refusal::Host(host.to_owned()));
        }
        if let Some(origin) = parts.headers.get(ORIGIN) {
            let origin = String::from_utf8_lossy(origin.as_bytes()).into_owned();
            let own = origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"))
                .is_some_and(|authority| authority.eq_ignore_ascii_case(host));
            if !own {
                return Err(Refusal::Origin(origin));
            }
        }
        Ok(())
    }

    /// Whether `host` (a `Host` header: a name or address and maybe a port) is one of serve's.
    fn is_own_host(&self, host: &str) -> bool {
        let Ok(authority) = host.parse::<Authority>() else {
            return false;
        };
        let name = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .trim_end_matches('.')
            .to_ascii_lowercase();
        let port_matches = match authority.port_u16() {
            Some(port) => self.listening.iter().any(|addr| addr.port() == port),
            // Without a port a client means the scheme's default.
            None => self
                .listening
                .iter()
                .any(|addr| matches!(addr.port(), 80 | 443)),
        };
        // awork's own name reaches serve only through its proxy or a hosts entry, on awork's
        // ports; no web page can make a browser send it here (that takes awork's DNS).
        if name == AWORK_HOST {
            return port_matches || matches!(authority.port_u16(), None | Some(80 | 443));
        }
        let name_matches = match name.parse::<IpAddr>() {
            Ok(ip) => ip.to_canonical().is_loopback(),
            Err(_) => {
                is_localhost(&name) || name == AWORK_HOST || self.allowed_names.contains(&name)
            }
        };
        port_matches && name_matches
    }

    /// Whether `uri` names an address serve listens on (whatever its path), without resolving
    /// names other than `localhost`: delivering there would make serve call itself.
    pub fn names_self(&self, uri: &WebhookUrl) -> bool {
        let Some((host, port)) = host_and_port(uri) else {
            return false;
        };
        let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![ip],
            Err(_) if is_localhost(&host) => vec![
                IpAddr::from(Ipv4Addr::LOCALHOST),
                IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
            ],
            Err(_) => match numeric_ipv4(&host) {
                Some(ip) => vec![IpAddr::from(ip)],
                None => return false,
            },
        };
        addresses
            .into_iter()
            .any(|ip| self.reached_by(SocketAddr::new(ip, port)))
    }

    /// Whether `uri` resolves to an address serve listens on, as a connection to it would
    /// resolve it. A name that does not resolve is not serve.
    pub async fn resolves_to_self(&self, uri: &WebhookUrl) -> bool {
        if self.names_self(uri) {
            return true;
        }
        let Some((host, port)) = host_and_port(uri) else {
            return false;
        };
        let Ok(resolved) = tokio::net::lookup_host((host.as_str(), port)).await else {
            return false;
        };
        resolved.into_iter().any(|target| self.reached_by(target))
    }

    fn reached_by(&self, target: SocketAddr) -> bool {
        self.listening.iter().any(|own| reaches(target, *own))
    }
}

/// The host (without brackets, lowercase) and port a URI connects to.
fn host_and_port(uri: &WebhookUrl) -> Option<(String, u16)> {
    let uri = uri.as_uri();
    let host = uri
        .host()?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let default = if uri.scheme_str() == Some("https") {
        443
    } else {
        80
    };
    Some((host, uri.port_u16().unwrap_or(default)))
}

/// An IPv4 address in one of the older numeric forms the resolver (`inet_aton`) and browsers
/// (WHATWG URL) take without DNS: one to four parts, each decimal, octal (a leading `0`) or hex
/// (`0x`), the last filling the bytes left (`127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1`).
fn numeric_ipv4(host: &str) -> Option<Ipv4Addr> {
    let parts: Vec<u32> = host
        .split('.')
        .map(|part| {
            let (digits, radix) =
                if let Some(hex) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
                    (hex, 16)
                } else if part.len() > 1 && part.starts_with('0') {
                    (&part[1..], 8)
                } else {
                    (part, 10)
                };
            if digits.is_empty() && radix != 16 {
                return None;
            }
            if digits.is_empty() {
                return Some(0);
            }
            u32::from_str_radix(digits, radix).ok()
        })
        .collect::<Option<_>>()?;
    let (last, leading) = parts.split_last()?;
    if leading.len() > 3 || leading.iter().any(|part| *part > 255) {
        return None;
    }
    let room = 32 - 8 * leading.len() as u32;
    if room < 32 && *last >> room != 0 {
        return None;
    }
    let high = leading
        .iter()
        .enumerate()
        .fold(0u32, |address, (index, part)| {
            address | part << (24 - 8 * index)
        });
    Some(Ipv4Addr::from(high | last))
}

/// `localhost` and its subdomains, which resolve to loopback (RFC 6761).
fn is_localhost(name: &str) -> bool {
    name == "localhost" || name.ends_with(".localhost")
}

/// Whether a connection to `target` reaches a listener bound to `listening`.
fn reaches(target: SocketAddr, listening: SocketAddr) -> bool {
    if target.port() != listening.port() {
        return false;
    }
    let target = target.ip().to_canonical();
    let bound = listening.ip().to_canonical();
    if target == bound || target.is_unspecified() {
        // Connecting to 0.0.0.0 or :: reaches the machine's own listeners.
        return true;
    }
    bound.is_unspecified() && is_this_machine(target)
}

/// Whether `ip` is one of this machine's addresses: loopback, or one a socket can be bound to.
fn is_this_machine(ip: IpAddr) -> bool {
    ip.is_loopback() || std::net::UdpSocket::bind((ip, 0)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(host: Option<&str>, origin: Option<&str>) -> Parts {
        let mut request = http::Request::builder().uri("/api/v1/webhooks");
        if let Some(host) = host {
            request = request.header(HOST, host);
        }
        if let Some(origin) = origin {
            request = request.header(ORIGIN, origin);
        }
        request.body(()).unwrap().into_parts().0
    }

    fn loopback_guard() -> Guard {
        Guard::new(
            vec!["127.0.0.1:8787".parse().unwrap()],
            &["dev.test".into()],
        )
    }

    #[test]
    fn loopback_names_with_serves_port_are_admitted() {
        let guard = loopback_guard();
        for host in [
            "127.0.0.1:8787",
            "localhost:8787",
            "LOCALHOST:8787",
            "[::1]:8787",
            "127.0.0.2:8787",
            "app.localhost:8787",
            "api.awork.com:8787",
            "api.awork.com",
            "api.awork.com:443",
            "dev.test:8787",
        ] {
            assert_eq!(guard.admit(&parts(Some(host), None)), Ok(()), "{host}");
        }
    }

    #[test]
    fn other_names_and_ports_are_refused() {
        let guard = loopback_guard();
        for host in [
            "evil.example:8787",
            "evil.example",
            "127.0.0.1:9999",
            "localhost",
            "10.0.0.1:8787",
            "",
            "localhost:8787@evil",
        ] {
            assert!(
                matches!(guard.admit(&parts(Some(host), None)), Err(Refusal::Host(_))),
                "{host}"
            );
        }
        assert!(guard.admit(&parts(None, None)).is_err());
    }

    #[test]
    fn the_host_check_is_off_when_listening_beyond_loopback() {
        let guard = Guard::new(vec!["0.0.0.0:8787".parse().unwrap()], &[]);
        assert_eq!(guard.admit(&parts(Some("my-laptop:8787"), None)), Ok(()));
    }

    #[test]
    fn only_serves_own_origin_is_admitted() {
        let guard = loopback_guard();
        let host = Some("127.0.0.1:8787");
        assert_eq!(
            guard.admit(&parts(host, Some("http://127.0.0.1:8787"))),
            Ok(())
        );
        for origin in [
            "http://evil.example",
            "null",
            "http://localhost:8787",
            "http://127.0.0.1:3000",
        ] {
            assert_eq!(
                guard.admit(&parts(host, Some(origin))),
                Err(Refusal::Origin(origin.into())),
                "{origin}"
            );
        }
    }

    #[test]
    fn a_connection_reaches_serve_on_its_port_only() {
        let loopback: SocketAddr = "127.0.0.1:8787".parse().unwrap();
        let any: SocketAddr = "0.0.0.0:8787".parse().unwrap();
        assert!(reaches("127.0.0.1:8787".parse().unwrap(), loopback));
        assert!(reaches("0.0.0.0:8787".parse().unwrap(), loopback));
        assert!(reaches(
            "[::ffff:127.0.0.1]:8787".parse().unwrap(),
            loopback
        ));
        assert!(!reaches("127.0.0.1:8788".parse().unwrap(), loopback));
        assert!(!reaches("127.0.0.2:8787".parse().unwrap(), loopback));
        assert!(reaches("127.0.0.2:8787".parse().unwrap(), any));
        assert!(reaches("[::1]:8787".parse().unwrap(), any));
        // TEST-NET-1 is nobody's address.
        assert!(!reaches("192.0.2.1:8787".parse().unwrap(), any));
    }

    #[test]
    fn a_uri_names_serve_by_address_or_localhost_without_dns() {
        let guard = loopback_guard();
        let names = |uri: &str| guard.names_self(&WebhookUrl::parse(uri).unwrap());
        assert!(names("http://localhost:8787/sim/webhooks/x/test"));
        assert!(names("http://app.localhost:8787/"));
        assert!(names("http://[::ffff:127.0.0.1]:8787/"));
        assert!(names("http://0.0.0.0:8787/"));
        // The numeric forms the resolver takes without DNS.
        assert!(names("http://127.1:8787/"));
        assert!(names("http://2130706433:8787/"));
        assert!(names("http://0x7f000001:8787/"));
        assert!(names("http://0177.0.0.01:8787/"));
        assert!(names("http://0x7f.1:8787/"));
        assert!(!names("http://127.1:8788/"));
        assert!(!names("http://128.1:8787/"));
        assert!(!names("http://localhost:8788/hooks"));
        assert!(!names("https://127.0.0.1/hooks"));
        // Other names are left to the check before delivering, which resolves them.
        assert!(!names("http://example.test:8787/"));
    }

    #[test]
    fn numeric_ipv4_reads_the_forms_inet_aton_reads() {
        let read = |host: &str| numeric_ipv4(host).map(|ip| ip.to_string());
        assert_eq!(read("127.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(read("10.1.2").as_deref(), Some("10.1.0.2"));
        assert_eq!(read("0xc0.0250.0x1.1").as_deref(), Some("192.168.1.1"));
        assert_eq!(read("4294967295").as_deref(), Some("255.255.255.255"));
        assert_eq!(read("0").as_deref(), Some("0.0.0.0"));
        for refused in [
            "4294967296",
            "256.1",
            "1.2.3.4.5",
            "1.256.3",
            "08",
            "1..2",
            "",
            "a.b",
        ] {
            assert_eq!(read(refused), None, "{refused}");
        }
    }

    #[tokio::test]
    async fn before_delivering_names_are_resolved() {
        let guard = loopback_guard();
        // `localhost` resolves through the hosts file; no name here needs DNS.
        let own = WebhookUrl::parse("http://localhost:8787/sim/events").unwrap();
        let other = WebhookUrl::parse("http://localhost:8788/hooks").unwrap();
        assert!(guard.resolves_to_self(&own).await);
        assert!(!guard.resolves_to_self(&other).await);
    }
}
