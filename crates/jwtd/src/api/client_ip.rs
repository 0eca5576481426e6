//! The client's IP: the TCP peer, or, when the peer is a trusted proxy, the nearest
//! untrusted address in `X-Forwarded-For` (walked right to left, so a client cannot
//! smuggle an address in front of what the proxy appended).

use std::net::{IpAddr, SocketAddr};

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

use super::observe::Observation;
use crate::state::AppState;

/// The request's client IP, resolved once per request by the `Observed` service (which logs
/// it) and read from the request's extensions by handlers and the auth extractor.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// Resolves the client IP of a request from its peer address and headers.
    pub fn resolve(peer: Option<SocketAddr>, headers: &HeaderMap, app: &AppState) -> Self {
        let peer = peer.unwrap_or(SocketAddr::from(([0, 0, 0, 0], 0)));
        ClientIp(client_ip(peer, headers, &app.settings.trusted_proxies))
    }

    /// The IP stored by `Observed`, or resolved now when it did not run.
    pub fn of(parts: &Parts, app: &AppState) -> Self {
        Observation::of(parts)
            .map(|seen| seen.client_ip)
            .unwrap_or_else(|| ClientIp::resolve(None, &parts.headers, app))
    }
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp::of(parts, app))
    }
}

/// Whether `ip` is one of `trusted_proxies`, whose forwarding headers are believed.
pub fn is_trusted_proxy(ip: &IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|net| net.contains(ip))
}

pub fn client_ip(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| is_trusted_proxy(ip, trusted);
    let mut client = peer.ip().to_canonical();
    if !is_trusted(&client) {
        return client;
    }
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in hops.into_iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>().map(|ip| ip.to_canonical()) else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: SocketAddr = "10.0.0.1:5000".parse().unwrap();
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        assert_eq!(
            client_ip(proxy, &headers("1.2.3.4"), &trusted).to_string(),
            "1.2.3.4"
        );
        assert_eq!(
            client_ip(proxy, &headers("6.6.6.6, 1.2.3.4, 10.0.0.7"), &trusted).to_string(),
            "1.2.3.4"
        );
        assert_eq!(
            client_ip(proxy, &headers("1.2.3.4"), &[]).to_string(),
            "10.0.0.1"
        );
        let stranger: SocketAddr = "9.9.9.9:1".parse().unwrap();
        assert_eq!(
            client_ip(stranger, &headers("1.2.3.4"), &trusted).to_string(),
            "9.9.9.9"
        );
        assert_eq!(
            client_ip(proxy, &headers("junk"), &trusted).to_string(),
            "10.0.0.1"
        );
        let mapped: SocketAddr = "[::ffff:1.2.3.4]:1".parse().unwrap();
        assert_eq!(
            client_ip(mapped, &HeaderMap::new(), &[]).to_string(),
            "1.2.3.4"
        );
    }
}
