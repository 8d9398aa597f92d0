//! Ports for a program under test to listen on.
//!
//! A port found free by binding port 0 is an ephemeral port: between that check and the
//! program's own bind, the kernel may give the same port to any connection as its source
//! port (another test's client), and the program then fails with "already in use". So the
//! ports handed out here lie below the ephemeral range (`ip_local_port_range`), which the
//! kernel never picks on its own. They are taken one after another in this process, from a
//! start drawn from the process id so that two test binaries at once rarely meet, and each
//! is checked free on every address before it is handed out.
#![allow(dead_code)]

use std::io::ErrorKind;
use std::net::{Ipv4Addr, Ipv6Addr, TcpListener};
use std::sync::atomic::{AtomicU32, Ordering};

/// How many ports the pool holds, just below the ephemeral range.
const POOL: u16 = 12_000;

/// A port nothing listens on now, that no connection will take as its source port.
pub fn free_port() -> u16 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let (low, high) = pool();
    let span = u32::from(high - low) + 1;
    let start = std::process::id().wrapping_mul(2_654_435_761) % span;
    for _ in 0..span {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = low + ((start + n) % span) as u16;
        if bindable(port) {
            return port;
        }
    }
    panic!("no free port in {low}..={high}");
}

/// Whether a listener could be made on `port` on every IPv4 and every IPv6 address.
fn bindable(port: u16) -> bool {
    let free = |result: std::io::Result<TcpListener>| match result {
        Ok(_) => true,
        // A machine without IPv6 cannot clash there.
        Err(e) => e.kind() != ErrorKind::AddrInUse && e.kind() != ErrorKind::PermissionDenied,
    };
    free(TcpListener::bind((Ipv4Addr::UNSPECIFIED, port)))
        && free(TcpListener::bind((Ipv6Addr::UNSPECIFIED, port)))
}

/// The ports below this machine's ephemeral range (or above it, if it starts low).
fn pool() -> (u16, u16) {
    let text =
        std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap_or_default();
    let mut bounds = text
        .split_whitespace()
        .filter_map(|w| w.parse::<u16>().ok());
    let (low, high) = (
        bounds.next().unwrap_or(32768),
        bounds.next().unwrap_or(60999),
    );
    if low > POOL + 1024 {
        (low - POOL, low - 1)
    } else if high < u16::MAX - POOL {
        (high + 1, high + POOL)
    } else {
        panic!("the ephemeral range {low}-{high} leaves no room for fixed test ports");
    }
}
