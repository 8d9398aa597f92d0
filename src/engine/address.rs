//! What a person types into the address and port fields, checked and turned into socket
//! addresses, with a typed error saying what is wrong (put in words by `i18n::say`).

use std::fmt;
use std::net::{IpAddr, Ipv6Addr, SocketAddr, SocketAddrV6, ToSocketAddrs};

/// Why an address or port that a person typed cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressError {
    EmptyPort,
    NotAPort(String),
    PortOutOfRange(String),
    EmptyHost,
    NotAnAddress(String),
    UnknownInterface(String),
    LinkLocalNeedsScope(Ipv6Addr),
    NotResolved(String),
    /// Not an address of this computer (for `--bind`).
    NotLocal(String),
}

/// A peer's address as typed: an IP address (with an IPv6 scope) or a host name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// `zone` is the scope as typed (`eth0` in `fe80::1%eth0`), `scope_id` its index.
    Ip {
        ip: IpAddr,
        scope_id: u32,
        zone: Option<String>,
    },
    Name(String),
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Ip {
                ip,
                zone: Some(zone),
                ..
            } => write!(f, "{ip}%{zone}"),
            Host::Ip { ip, .. } => write!(f, "{ip}"),
            Host::Name(name) => f.write_str(name),
        }
    }
}

/// Reads a port. `allow_zero` is for listening, where 0 asks the system for a free port.
pub fn parse_port(text: &str, allow_zero: bool) -> Result<u16, AddressError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AddressError::EmptyPort);
    }
    let digits = text.strip_prefix('+').unwrap_or(text);
    let is_number = digits.bytes().all(|b| b.is_ascii_digit())
        || (text.starts_with('-')
            && text[1..].bytes().all(|b| b.is_ascii_digit())
            && text.len() > 1);
    if !is_number || digits.is_empty() {
        return Err(AddressError::NotAPort(text.to_string()));
    }
    match digits.parse::<u32>() {
        Ok(0) if allow_zero => Ok(0),
        Ok(n @ 1..=65535) => Ok(n as u16),
        _ => Err(AddressError::PortOutOfRange(text.to_string())),
    }
}

/// Reads a host: `192.168.0.5`, `::1`, `[::1]`, `fe80::1%eth0`, `fe80::1%2` or a host name.
pub fn parse_host(text: &str) -> Result<Host, AddressError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AddressError::EmptyHost);
    }
    let bare = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    let (addr, scope) = match bare.split_once('%') {
        Some((addr, scope)) => (addr, Some(scope)),
        None => (bare, None),
    };
    if let Ok(ip) = addr.parse::<IpAddr>() {
        let scope_id = match (ip, scope) {
            (_, None) => 0,
            (IpAddr::V6(_), Some(scope)) => scope_index(scope)?,
            (IpAddr::V4(_), Some(_)) => return Err(AddressError::NotAnAddress(text.to_string())),
        };
        return Ok(Host::Ip {
            ip,
            scope_id,
            zone: scope.map(str::to_string),
        });
    }
    if scope.is_none() && is_host_name(bare) {
        return Ok(Host::Name(bare.to_string()));
    }
    Err(AddressError::NotAnAddress(text.to_string()))
}

/// Reads `--connect`'s `HOST[:PORT]`: `pi.local`, `pi.local:5000`, `[::1]:5000`, `::1`.
pub fn parse_host_port(text: &str) -> Result<(Host, Option<u16>), AddressError> {
    let text = text.trim();
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        match rest.split_once(']') {
            Some((host, "")) => (host, None),
            Some((host, port)) => match port.strip_prefix(':') {
                Some(port) => (host, Some(port)),
                None => return Err(AddressError::NotAnAddress(text.to_string())),
            },
            None => return Err(AddressError::NotAnAddress(text.to_string())),
        }
    } else if text.matches(':').count() == 1 {
        let (host, port) = text.split_once(':').unwrap_or((text, ""));
        (host, Some(port))
    } else {
        (text, None)
    };
    let host = parse_host(host)?;
    let port = port.map(|p| parse_port(p, false)).transpose()?;
    Ok((host, port))
}

/// The socket addresses to try for `host` and `port`, looking host names up with the
/// system's resolver. It can take seconds: call it off the Qt thread.
pub fn resolve(host: &Host, port: u16) -> Result<Vec<SocketAddr>, AddressError> {
    match host {
        Host::Ip {
            ip: IpAddr::V6(ip),
            scope_id,
            ..
        } => {
            if *scope_id == 0 && is_link_local(ip) {
                return Err(AddressError::LinkLocalNeedsScope(*ip));
            }
            Ok(vec![SocketAddr::V6(SocketAddrV6::new(
                *ip, port, 0, *scope_id,
            ))])
        }
        Host::Ip { ip, .. } => Ok(vec![SocketAddr::new(*ip, port)]),
        Host::Name(name) => match (name.as_str(), port).to_socket_addrs() {
            Ok(addrs) => {
                let addrs: Vec<SocketAddr> = addrs.collect();
                if addrs.is_empty() {
                    Err(AddressError::NotResolved(name.clone()))
                } else {
                    Ok(addrs)
                }
            }
            Err(_) => Err(AddressError::NotResolved(name.clone())),
        },
    }
}

/// An address to show a person: IPv4-mapped IPv6 addresses shown as the IPv4 they are.
pub fn canonical(addr: SocketAddr) -> SocketAddr {
    SocketAddr::new(addr.ip().to_canonical(), addr.port())
}

fn is_link_local(ip: &Ipv6Addr) -> bool {
    ip.segments()[0] & 0xffc0 == 0xfe80
}

/// The interface index for a scope written as a number or as an interface name.
fn scope_index(scope: &str) -> Result<u32, AddressError> {
    if let Ok(index) = scope.parse::<u32>() {
        return Ok(index);
    }
    nix::net::if_::if_nametoindex(scope)
        .map_err(|_| AddressError::UnknownInterface(scope.to_string()))
}

/// Whether `name` is spelled as a host name can be (RFC 1123), and is not an IPv4 address
/// gone wrong (`192.168.0.300`, `10.0.1`), which is better reported as not an address.
fn is_host_name(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || name.len() > 253 {
        return false;
    }
    if name.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return false;
    }
    name.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn ports_in_range_are_accepted() {
        assert_eq!(parse_port("12345", false), Ok(12345));
        assert_eq!(parse_port(" 1 ", false), Ok(1));
        assert_eq!(parse_port("65535", false), Ok(65535));
        assert_eq!(parse_port("0", true), Ok(0));
    }

    #[test]
    fn bad_ports_are_named_in_the_error() {
        assert_eq!(
            parse_port("abc", false),
            Err(AddressError::NotAPort("abc".into()))
        );
        assert_eq!(parse_port("", false), Err(AddressError::EmptyPort));
        assert_eq!(
            parse_port("-1", false),
            Err(AddressError::PortOutOfRange("-1".into()))
        );
        assert_eq!(
            parse_port("70000", false),
            Err(AddressError::PortOutOfRange("70000".into()))
        );
        assert_eq!(
            parse_port("0", false),
            Err(AddressError::PortOutOfRange("0".into()))
        );
        assert_eq!(
            parse_port("99999999999", false),
            Err(AddressError::PortOutOfRange("99999999999".into()))
        );
        assert_eq!(
            parse_port("12 34", false),
            Err(AddressError::NotAPort("12 34".into()))
        );
        assert_eq!(
            parse_port("70000", false),
            Err(AddressError::PortOutOfRange("70000".into()))
        );
    }

    #[test]
    fn ipv4_ipv6_bracketed_and_scoped_addresses_parse() {
        assert_eq!(
            parse_host("192.168.0.5"),
            Ok(Host::Ip {
                ip: IpAddr::V4(Ipv4Addr::new(192, 168, 0, 5)),
                scope_id: 0,
                zone: None,
            })
        );
        assert_eq!(
            parse_host("::1"),
            Ok(Host::Ip {
                ip: IpAddr::V6(Ipv6Addr::LOCALHOST),
                scope_id: 0,
                zone: None,
            })
        );
        assert_eq!(parse_host("[::1]"), parse_host("::1"));
        assert_eq!(
            parse_host("[fe80::1%lo]").unwrap().to_string(),
            "fe80::1%lo"
        );
        let Host::Ip { scope_id, .. } = parse_host("fe80::1%7").unwrap() else {
            panic!()
        };
        assert_eq!(scope_id, 7);
        let Host::Ip { scope_id, .. } = parse_host("fe80::1%lo").unwrap() else {
            panic!()
        };
        assert_ne!(scope_id, 0);
    }

    #[test]
    fn host_names_are_kept_for_lookup() {
        assert_eq!(
            parse_host("raspberrypi.local"),
            Ok(Host::Name("raspberrypi.local".into()))
        );
        assert_eq!(parse_host("localhost"), Ok(Host::Name("localhost".into())));
    }

    #[test]
    fn things_that_are_not_addresses_are_refused() {
        for bad in [
            "192.168.0.300",
            "10.0.1",
            "hello world",
            "a..b",
            "1.2.3.4%eth0",
            "::1%nosuchif0",
            "http://x",
        ] {
            assert!(parse_host(bad).is_err(), "{bad} was accepted");
        }
        assert_eq!(parse_host("  "), Err(AddressError::EmptyHost));
        assert_eq!(
            parse_host("::1%nosuchif0"),
            Err(AddressError::UnknownInterface("nosuchif0".into()))
        );
    }

    #[test]
    fn connect_target_takes_an_optional_port() {
        assert_eq!(
            parse_host_port("pi:5000"),
            Ok((Host::Name("pi".into()), Some(5000)))
        );
        assert_eq!(parse_host_port("pi"), Ok((Host::Name("pi".into()), None)));
        assert_eq!(parse_host_port("[::1]:7").unwrap().1, Some(7));
        assert_eq!(parse_host_port("::1").unwrap().1, None);
        assert!(parse_host_port("pi:abc").is_err());
        assert!(parse_host_port("[::1]x").is_err());
    }

    #[test]
    fn link_local_without_scope_says_to_add_one() {
        let host = parse_host("fe80::1").unwrap();
        assert_eq!(
            resolve(&host, 1),
            Err(AddressError::LinkLocalNeedsScope(
                "fe80::1".parse().unwrap()
            ))
        );
    }

    #[test]
    fn unresolvable_name_is_a_clear_error() {
        let host = parse_host("no-such-host.invalid").unwrap();
        assert_eq!(
            resolve(&host, 1),
            Err(AddressError::NotResolved("no-such-host.invalid".into()))
        );
    }

    #[test]
    fn mapped_ipv4_is_shown_as_ipv4() {
        let mapped: SocketAddr = "[::ffff:10.0.0.1]:5".parse().unwrap();
        assert_eq!(canonical(mapped).to_string(), "10.0.0.1:5");
    }
}
