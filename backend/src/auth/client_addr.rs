//! The client's address, for throttling: the peer address, or, when the peer is one of
//! `HUIMIN_TRUSTED_PROXIES` (addresses or CIDR ranges), the nearest hop of `X-Forwarded-For`
//! that is not a trusted proxy. It is kept as a throttling key: an IPv4 address as it is, an
//! IPv6 address as its /64 network, since one subscriber usually holds a whole /64.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use ipnet::IpNet;

use crate::state::AppState;

/// The client's throttling key (`unknown` when the server was not given peer addresses).
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let Some(peer) = peer else {
            return Ok(ClientAddr("unknown".into()));
        };
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok());
        let client = client_ip(peer, forwarded, &state.config.trusted_proxies);
        Ok(ClientAddr(throttle_key(client)))
    }
}

/// The client's address: `peer` unless it is a trusted proxy; then `X-Forwarded-For` walked
/// from the right (the hop the nearest proxy saw) past trusted proxies to the first address
/// that is not one. An entry that does not parse ends the walk with `peer`: what lies to its
/// left was written by nobody we trust.
pub fn client_ip<'a>(
    peer: IpAddr,
    forwarded: impl IntoIterator<Item = &'a str>,
    trusted: &[IpNet],
) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded.into_iter().flat_map(|v| v.split(',')).collect();
    for hop in hops.into_iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            return peer;
        };
        if !is_trusted(&ip) {
            return ip;
        }
    }
    peer
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:80`, `[::1]:80`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

/// The key failures are counted under: an IPv4 address (an IPv4-mapped IPv6 one included) as
/// it is, an IPv6 address as its /64 network.
pub fn throttle_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let network = Ipv6Addr::from(u128::from(v6) & !(u128::from(u64::MAX)));
            format!("{network}/64")
        }
    }
}

/// Parses one `HUIMIN_TRUSTED_PROXIES` entry: an address (one host) or a CIDR range.
pub fn parse_trusted(s: &str) -> Result<IpNet, String> {
    let s = s.trim();
    s.parse::<IpNet>()
        .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{s:?} is neither an IP address nor a CIDR range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|s| parse_trusted(s).unwrap()).collect()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let t = nets(&["10.0.0.0/8"]);
        assert_eq!(
            client_ip(ip("203.0.113.9"), ["198.51.100.1"], &t),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn a_trusted_proxys_forwarded_chain_is_walked_past_trusted_hops() {
        let t = nets(&["10.0.0.0/8", "192.0.2.7"]);
        let got = client_ip(
            ip("10.1.2.3"),
            ["198.51.100.1, 203.0.113.5", "192.0.2.7"],
            &t,
        );
        assert_eq!(got, ip("203.0.113.5"));
        assert_eq!(
            client_ip(ip("10.1.2.3"), ["[2001:db8::1]:443"], &t),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn an_entry_that_does_not_parse_ends_the_walk_at_the_peer() {
        let t = nets(&["10.0.0.0/8"]);
        assert_eq!(
            client_ip(ip("10.1.2.3"), ["203.0.113.5, garbage"], &t),
            ip("10.1.2.3")
        );
        // Whatever lies left of a garbled entry is never believed.
        assert_eq!(
            client_ip(ip("10.1.2.3"), ["203.0.113.5, garbage, 10.0.0.9"], &t),
            ip("10.1.2.3")
        );
        assert_eq!(
            client_ip(ip("10.1.2.3"), ["garbage, 203.0.113.5"], &t),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn ipv6_clients_count_by_their_64_network() {
        assert_eq!(
            throttle_key(ip("2001:db8:1:2:aaaa::1")),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            throttle_key(ip("2001:db8:1:2:ffff::9")),
            throttle_key(ip("2001:db8:1:2::1"))
        );
        assert_ne!(
            throttle_key(ip("2001:db8:1:3::1")),
            throttle_key(ip("2001:db8:1:2::1"))
        );
        assert_eq!(throttle_key(ip("::ffff:192.0.2.1")), "192.0.2.1");
        assert_eq!(throttle_key(ip("192.0.2.1")), "192.0.2.1");
    }

    #[test]
    fn trusted_proxies_are_addresses_or_ranges() {
        assert!(
            parse_trusted("10.0.0.0/8")
                .unwrap()
                .contains(&ip("10.9.9.9"))
        );
        assert!(
            parse_trusted("192.0.2.7")
                .unwrap()
                .contains(&ip("192.0.2.7"))
        );
        assert!(
            !parse_trusted("192.0.2.7")
                .unwrap()
                .contains(&ip("192.0.2.8"))
        );
        assert!(parse_trusted("2001:db8::/32").is_ok());
        assert!(parse_trusted("10.0.0.0/33").is_err());
        assert!(parse_trusted("proxy.local").is_err());
    }
}
