//! Who the client is: the socket peer, or, when the peer is a trusted proxy
//! (`--trusted-proxy CIDR`), the rightmost untrusted hop of `X-Forwarded-For` (SPEC §13).

use std::net::IpAddr;

use axum::http::HeaderMap;

/// The request's client address as the edge decided it (a request extension).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// An address block such as `10.0.0.0/8` or `2001:db8::/32`; a bare address is one host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `ADDR/PREFIX` or a bare `ADDR`.
    pub fn parse(text: &str) -> Result<Cidr, String> {
        let text = text.trim();
        let refuse =
            || format!("--trusted-proxy: {text:?} is not a CIDR like 10.0.0.0/8 or ::1/128");
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = address.parse().map_err(|_| refuse())?;
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix.parse::<u8>().map_err(|_| refuse())?,
            None => bits,
        };
        if prefix > bits {
            return Err(refuse());
        }
        Ok(Cidr { network, prefix })
    }

    /// Whether `address` is inside the block (IPv4-mapped IPv6 counts as IPv4).
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.network, canonical(address)) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(network) & mask == u32::from(address) & mask
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(network) & mask == u128::from(address) & mask
            }
            _ => false,
        }
    }
}

/// `::ffff:a.b.c.d` as `a.b.c.d`, so one client has one address.
pub fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        IpAddr::V4(_) => address,
    }
}

/// The client address of a request that arrived from `peer`.
///
/// `X-Forwarded-For` is read only when `peer` is trusted, and right to left: every proxy
/// appends the address it received from, so the first untrusted entry is the one no trusted
/// proxy could have been lied to about. An entry that is not an address stops the walk at
/// the last trusted hop.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[Cidr]) -> IpAddr {
    let is_trusted = |address: IpAddr| trusted.iter().any(|cidr| cidr.contains(address));
    let mut client = canonical(peer);
    if !is_trusted(client) {
        return client;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    for hop in hops.iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(address) => {
                client = canonical(address);
                if !is_trusted(client) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(forwarded: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in forwarded {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn cidrs_parse_and_match() {
        let private = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(private.contains(ip("10.1.2.3")));
        assert!(private.contains(ip("::ffff:10.1.2.3")));
        assert!(!private.contains(ip("11.0.0.1")));
        let host = Cidr::parse("::1").unwrap();
        assert!(host.contains(ip("::1")) && !host.contains(ip("::2")));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(Cidr::parse("2001:db8::/32")
            .unwrap()
            .contains(ip("2001:db8:ffff::1")));
        for bad in ["10.0.0.0/33", "::/129", "example.com", "10.0.0.0/x", ""] {
            assert!(Cidr::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_for_from_an_untrusted_peer_is_ignored() {
        let trusted = [Cidr::parse("10.0.0.0/8").unwrap()];
        let forged = headers(&["1.2.3.4"]);
        assert_eq!(
            client_address(ip("203.0.113.9"), &forged, &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(client_address(ip("10.0.0.1"), &forged, &[]), ip("10.0.0.1"));
    }

    #[test]
    fn rightmost_untrusted_hop_is_the_client() {
        let trusted = [Cidr::parse("10.0.0.0/8").unwrap()];
        // The client forged "6.6.6.6"; the proxies appended what they saw.
        let chain = headers(&["6.6.6.6, 198.51.100.7", "10.0.0.5"]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &chain, &trusted),
            ip("198.51.100.7")
        );
        let garbage = headers(&["198.51.100.7, not-an-ip, 10.0.0.5"]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &garbage, &trusted),
            ip("10.0.0.5")
        );
        assert_eq!(
            client_address(ip("10.0.0.1"), &headers(&[]), &trusted),
            ip("10.0.0.1")
        );
    }
}
