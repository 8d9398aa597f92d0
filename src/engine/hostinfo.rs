//! This machine's name and addresses, so a person knows what to tell the other side.

use std::net::IpAddr;

/// The host name, as `socket.gethostname()` gives it in the course.
pub fn host_name() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

/// Every address a peer could reach this machine on, as a person would type them:
/// LAN addresses first, then link-local ones with their interface (`fe80::1%eth0`),
/// loopback last.
pub fn local_addresses() -> Vec<String> {
    let Ok(interfaces) = nix::ifaddrs::getifaddrs() else {
        return Vec::new();
    };
    let mut found: Vec<(u8, String)> = interfaces
        .filter_map(|iface| {
            let address = iface.address?;
            let ip: IpAddr = if let Some(v4) = address.as_sockaddr_in() {
                IpAddr::V4(v4.ip())
            } else {
                IpAddr::V6(address.as_sockaddr_in6()?.ip())
            };
            Some(match ip {
                IpAddr::V6(v6) if v6.segments()[0] & 0xffc0 == 0xfe80 => {
                    (1, format!("{v6}%{}", iface.interface_name))
                }
                _ if ip.is_loopback() => (2, ip.to_string()),
                _ => (0, ip.to_string()),
            })
        })
        .collect();
    // IPv4 before IPv6 within each rank: the shorter one to read out across a room.
    found.sort_by_key(|(rank, text)| (*rank, text.contains(':')));
    found.dedup_by(|a, b| a.1 == b.1);
    found.into_iter().map(|(_, text)| text).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_comes_last() {
        let addrs = local_addresses();
        let first_loopback = addrs.iter().position(|a| a == "127.0.0.1" || a == "::1");
        if let Some(i) = first_loopback {
            assert!(
                addrs[i..].iter().all(|a| a == "127.0.0.1" || a == "::1"),
                "{addrs:?}"
            );
        }
    }

    #[test]
    fn host_name_is_not_empty() {
        assert!(!host_name().is_empty());
    }
}
