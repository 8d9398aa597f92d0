//! Connecting within a time limit to whatever a host name stands for: the name lookup
//! counts against the limit, and several addresses are tried the way browsers do
//! (RFC 8305, "Happy Eyeballs"): the next one starts when the one before has not
//! answered within [`ATTEMPT_DELAY`] (or at once when it fails), the first to connect
//! wins, and the others are closed.

use super::address::{resolve, AddressError, Host};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// How long an attempt has before the next address is tried too (RFC 8305 §5 suggests
/// 250 ms).
pub const ATTEMPT_DELAY: Duration = Duration::from_millis(250);

/// Looks a `.local` name up by multicast DNS within a time limit (addresses with port
/// 0; empty when nobody answered). See [`super::discovery`].
pub type MdnsLookup = std::sync::Arc<dyn Fn(&str, Duration) -> Vec<SocketAddr> + Send + Sync>;

/// Why no connection came about.
#[derive(Debug)]
pub enum DialError {
    /// The name could not be looked up (or not before the deadline: `timed_out`).
    Lookup {
        error: AddressError,
        timed_out: bool,
    },
    /// No address answered; the error of the most telling attempt.
    Connect(io::Error),
}

/// Looks `host` up and connects to one of its addresses on `port`, all before
/// `deadline`. A `.local` name is also looked up by `mdns` (when given), where the
/// system's resolver may not. Returns the stream and the address it reached.
pub fn dial(
    host: &Host,
    port: u16,
    deadline: Instant,
    mdns: Option<&MdnsLookup>,
) -> Result<(TcpStream, SocketAddr), DialError> {
    let addrs = lookup(host, port, deadline, mdns)?;
    connect_any(&interleave(addrs), deadline).map_err(DialError::Connect)
}

/// The system's resolver cannot be told to give up, and it may retry for far longer than
/// our limit when a name server does not answer: it runs on a thread of its own, which
/// is left to finish by itself when the deadline comes first.
///
/// A `.local` name is asked of the system's resolver and of multicast DNS at once, and
/// the first to find addresses wins.
fn lookup(
    host: &Host,
    port: u16,
    deadline: Instant,
    mdns: Option<&MdnsLookup>,
) -> Result<Vec<SocketAddr>, DialError> {
    let Host::Name(name) = host else {
        return resolve(host, port).map_err(|error| DialError::Lookup {
            error,
            timed_out: false,
        });
    };
    let (tx, rx) = mpsc::channel();
    let job = host.clone();
    let system = tx.clone();
    let mut asked = usize::from(
        thread::Builder::new()
            .name("tcp-chat-lookup".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                let _ = system.send(resolve(&job, port));
            })
            .is_ok(),
    );
    let is_local = name
        .trim_end_matches('.')
        .to_ascii_lowercase()
        .ends_with(".local");
    if let Some(mdns) = mdns.filter(|_| is_local) {
        let (mdns, name) = (mdns.clone(), name.clone());
        let wait = deadline.saturating_duration_since(Instant::now());
        let spawned = thread::Builder::new()
            .name("tcp-chat-mdns-lookup".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                let found: Vec<SocketAddr> = mdns(&name, wait)
                    .into_iter()
                    .map(|mut addr| {
                        addr.set_port(port);
                        addr
                    })
                    .collect();
                let _ = tx.send(if found.is_empty() {
                    Err(AddressError::NotResolved(name))
                } else {
                    Ok(found)
                });
            });
        asked += usize::from(spawned.is_ok());
    }
    let not_found = |timed_out| DialError::Lookup {
        error: AddressError::NotResolved(name.clone()),
        timed_out,
    };
    let mut failure = None;
    for _ in 0..asked {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(Ok(addrs)) if !addrs.is_empty() => return Ok(addrs),
            Ok(Ok(_)) => {}
            Ok(Err(error)) => failure = Some(error),
            Err(mpsc::RecvTimeoutError::Timeout) => return Err(not_found(true)),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    Err(failure.map_or_else(
        || not_found(false),
        |error| DialError::Lookup {
            error,
            timed_out: false,
        },
    ))
}

/// The addresses in the order to try them: the resolver's order (RFC 6724), with the
/// two families taking turns, starting with the family of the first (RFC 8305 §4).
pub fn interleave(addrs: Vec<SocketAddr>) -> Vec<SocketAddr> {
    let Some(first) = addrs.first().copied() else {
        return addrs;
    };
    let (mut same, mut other): (Vec<_>, Vec<_>) = addrs
        .into_iter()
        .partition(|a| a.is_ipv6() == first.is_ipv6());
    same.reverse();
    other.reverse();
    let mut ordered = Vec::with_capacity(same.len() + other.len());
    loop {
        match (same.pop(), other.pop()) {
            (None, None) => return ordered,
            (a, b) => ordered.extend(a.into_iter().chain(b)),
        }
    }
}

/// Connects to the first of `addrs` to answer, starting one attempt after another
/// [`ATTEMPT_DELAY`] apart, until one connects or `deadline` passes. Attempts that have
/// not connected when one does are closed.
pub fn connect_any(addrs: &[SocketAddr], deadline: Instant) -> io::Result<(TcpStream, SocketAddr)> {
    let mut pending: Vec<(Socket, SocketAddr)> = Vec::new();
    let mut next = 0;
    let mut next_start = Instant::now();
    // A refusal says more than a timeout, and a timeout more than nothing.
    let mut failure: Option<io::Error> = None;
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Err(io::Error::from(io::ErrorKind::TimedOut));
        }
        if next < addrs.len() && (now >= next_start || pending.is_empty()) {
            let addr = addrs[next];
            next += 1;
            next_start = now + ATTEMPT_DELAY;
            match start(addr) {
                Ok(socket) => pending.push((socket, addr)),
                Err(e) => failure = Some(e),
            }
            continue;
        }
        if pending.is_empty() {
            return Err(failure.unwrap_or_else(|| io::Error::from(io::ErrorKind::TimedOut)));
        }
        let until = if next < addrs.len() {
            next_start.min(deadline)
        } else {
            deadline
        };
        let mut fds: Vec<libc::pollfd> = pending
            .iter()
            .map(|(s, _)| libc::pollfd {
                fd: s.as_raw_fd(),
                events: libc::POLLOUT,
                revents: 0,
            })
            .collect();
        let wait = until
            .saturating_duration_since(now)
            .as_millis()
            .clamp(1, 60_000) as i32;
        // SAFETY: `fds` is a valid array of pollfd of the length given.
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, wait) };
        if ready < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        for i in (0..fds.len()).rev() {
            if fds[i].revents == 0 {
                continue;
            }
            let (socket, addr) = pending.remove(i);
            match socket.take_error() {
                Ok(None) if socket.peer_addr().is_ok() => {
                    socket.set_nonblocking(false)?;
                    return Ok((socket.into(), addr)); // the rest are dropped: closed
                }
                Ok(Some(e)) | Err(e) => failure = Some(e),
                Ok(None) => failure = Some(io::Error::from(io::ErrorKind::NotConnected)),
            }
            next_start = Instant::now(); // a failure starts the next attempt at once
        }
    }
}

/// Starts a non-blocking connect to `addr`.
fn start(addr: SocketAddr) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_cloexec(true)?;
    socket.set_nonblocking(true)?;
    match socket.connect(&SockAddr::from(addr)) {
        Ok(()) => Ok(socket),
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => Ok(socket),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn families_take_turns_starting_with_the_first() {
        let addrs = vec![
            a("[::1]:1"),
            a("[::2]:1"),
            a("[::3]:1"),
            a("10.0.0.1:1"),
            a("10.0.0.2:1"),
        ];
        assert_eq!(
            interleave(addrs),
            vec![
                a("[::1]:1"),
                a("10.0.0.1:1"),
                a("[::2]:1"),
                a("10.0.0.2:1"),
                a("[::3]:1")
            ]
        );
        assert_eq!(interleave(vec![a("10.0.0.1:1")]), vec![a("10.0.0.1:1")]);
    }

    #[test]
    fn a_refusal_is_reported_as_such() {
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = free.local_addr().unwrap();
        drop(free);
        let error = connect_any(&[addr], Instant::now() + Duration::from_secs(5)).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused);
    }
}
