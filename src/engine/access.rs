//! Who may connect to the listener (`--allow`, `--deny`).

use std::net::IpAddr;

/// Who may connect to the listener: address ranges allowed and denied (as ncat's
/// `--allow` and `--deny`). A denied range wins over an allowed one; with no range
/// allowed, every address not denied is. An IPv4 peer that reaches an IPv6 socket
/// (`::ffff:a.b.c.d`) is judged by its IPv4 address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    pub allow: Vec<ipnet::IpNet>,
    pub deny: Vec<ipnet::IpNet>,
}

impl Access {
    /// Whether a peer at `ip` may connect.
    pub fn admits(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        let within = |ranges: &[ipnet::IpNet]| ranges.iter().any(|r| r.contains(&ip));
        !within(&self.deny) && (self.allow.is_empty() || within(&self.allow))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deny_wins_over_allow_and_a_mapped_ipv4_peer_is_judged_as_ipv4() {
        let range = |t: &str| t.parse::<ipnet::IpNet>().unwrap();
        let ip = |t: &str| t.parse::<IpAddr>().unwrap();
        let everyone = Access::default();
        assert!(everyone.admits(ip("203.0.113.9")));
        let room = Access {
            allow: vec![range("192.168.0.0/24"), range("fd00::/64")],
            deny: vec![range("192.168.0.66/32")],
        };
        assert!(room.admits(ip("192.168.0.5")));
        assert!(room.admits(ip("fd00::5")));
        assert!(
            !room.admits(ip("192.168.1.5")),
            "outside every allowed range"
        );
        assert!(
            !room.admits(ip("192.168.0.66")),
            "denied inside an allowed range"
        );
        assert!(room.admits(ip("::ffff:192.168.0.5")));
        assert!(!room.admits(ip("::ffff:192.168.0.66")));
        let deny_only = Access {
            allow: Vec::new(),
            deny: vec![range("10.0.0.0/8")],
        };
        assert!(!deny_only.admits(ip("10.1.2.3")));
        assert!(deny_only.admits(ip("192.168.0.5")));
    }
}
