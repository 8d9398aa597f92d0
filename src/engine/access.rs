//! Who may connect to the listener: the teacher's rules given at start (`--allow`,
//! `--deny`) and those changed while it runs (`/block`, `/unblock`, `/lock`).

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;

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

/// Why a peer is turned away at the door.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Outside `--allow`, or inside `--deny`.
    NotAllowed,
    /// Inside a range blocked while running (`/block`).
    Blocked,
    /// The listener is locked (`/lock on`): no new peers.
    Locked,
}

/// The listener's door, shared by the chat (which changes it) and the accept threads
/// (which ask it). It outlives a listener: a block holds for the rest of the run.
#[derive(Debug, Default)]
pub struct Door {
    access: Access,
    blocked: RwLock<Vec<ipnet::IpNet>>,
    locked: AtomicBool,
}

impl Door {
    pub fn new(access: Access) -> Self {
        Self {
            access,
            ..Self::default()
        }
    }

    /// Whether a peer at `ip` may come in now, or why not.
    pub fn judge(&self, ip: IpAddr) -> Result<(), Refusal> {
        let ip = ip.to_canonical();
        if !self.access.admits(ip) {
            Err(Refusal::NotAllowed)
        } else if self.read_blocked().iter().any(|r| r.contains(&ip)) {
            Err(Refusal::Blocked)
        } else if self.locked.load(Ordering::SeqCst) {
            Err(Refusal::Locked)
        } else {
            Ok(())
        }
    }

    /// Refuses `range` from now on; false when it was blocked already.
    pub fn block(&self, range: ipnet::IpNet) -> bool {
        let mut blocked = self.blocked.write().unwrap_or_else(|p| p.into_inner());
        if blocked.contains(&range) {
            return false;
        }
        blocked.push(range);
        true
    }

    /// Lifts a [`Door::block`] of exactly `range` (never a `--deny`); false when there
    /// was none.
    pub fn unblock(&self, range: ipnet::IpNet) -> bool {
        let mut blocked = self.blocked.write().unwrap_or_else(|p| p.into_inner());
        let before = blocked.len();
        blocked.retain(|r| *r != range);
        blocked.len() != before
    }

    /// The ranges blocked while running, oldest first.
    pub fn blocked(&self) -> Vec<ipnet::IpNet> {
        self.read_blocked().clone()
    }

    /// Takes no new peers (those connected stay) while `on`.
    pub fn set_locked(&self, on: bool) {
        self.locked.store(on, Ordering::SeqCst);
    }

    pub fn is_locked(&self) -> bool {
        self.locked.load(Ordering::SeqCst)
    }

    fn read_blocked(&self) -> std::sync::RwLockReadGuard<'_, Vec<ipnet::IpNet>> {
        self.blocked.read().unwrap_or_else(|p| p.into_inner())
    }
}

/// `text` (`192.168.0.5`, `::ffff:192.168.0.5`, `192.168.0.0/24`) as the range to block;
/// one address is a range of one. `None` when it is neither.
pub fn parse_range(text: &str) -> Option<ipnet::IpNet> {
    let text = text.trim();
    if let Ok(range) = text.parse::<ipnet::IpNet>() {
        return Some(match range.addr().to_canonical() {
            // `::ffff:10.0.0.0/104` is `10.0.0.0/8`.
            IpAddr::V4(v4) if range.addr().is_ipv6() => {
                ipnet::IpNet::new(IpAddr::V4(v4), range.prefix_len().saturating_sub(96))
                    .ok()?
                    .trunc()
            }
            _ => range.trunc(),
        });
    }
    text.parse::<IpAddr>()
        .ok()
        .map(|ip| ipnet::IpNet::from(ip.to_canonical()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_refuses_its_range_until_lifted_and_never_lifts_a_deny() {
        let range = |t: &str| parse_range(t).unwrap();
        let ip = |t: &str| t.parse::<IpAddr>().unwrap();
        let door = Door::new(Access {
            allow: Vec::new(),
            deny: vec![range("10.0.0.66")],
        });
        assert_eq!(door.judge(ip("10.0.0.5")), Ok(()));
        assert!(door.block(range("10.0.0.5")));
        assert!(!door.block(range("10.0.0.5")), "blocked twice");
        assert_eq!(door.judge(ip("10.0.0.5")), Err(Refusal::Blocked));
        assert_eq!(door.judge(ip("::ffff:10.0.0.5")), Err(Refusal::Blocked));
        assert_eq!(door.judge(ip("10.0.0.6")), Ok(()));
        assert!(door.unblock(range("::ffff:10.0.0.5")));
        assert_eq!(door.judge(ip("10.0.0.5")), Ok(()));
        assert!(!door.unblock(range("10.0.0.66")), "a --deny is not a block");
        assert_eq!(door.judge(ip("10.0.0.66")), Err(Refusal::NotAllowed));
        door.set_locked(true);
        assert_eq!(door.judge(ip("10.0.0.5")), Err(Refusal::Locked));
        door.set_locked(false);
        assert_eq!(door.judge(ip("10.0.0.5")), Ok(()));
        assert_eq!(range("192.168.0.7/24").to_string(), "192.168.0.0/24");
        assert_eq!(range("::ffff:10.1.2.3/104").to_string(), "10.0.0.0/8");
        assert_eq!(parse_range("pi.local"), None);
    }

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
