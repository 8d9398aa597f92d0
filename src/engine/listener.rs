//! The listener: binds a port, accepts peers on a thread of its own, keeps each one as a
//! [`Connection`] that answers with the auto-reply, and stops with one call that
//! disconnects everyone and frees the port before it returns.

use super::access::{Door, Refusal};
use super::address::canonical;
use super::connection::{AutoReply, Connection, Link, Relay, Setup, Shared};
use super::error::{Error, IoCause};
use super::event::{Event, Side};
use super::sink::Room;
use socket2::{Domain, Protocol, Socket, Type};
use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// How many peers may be connected to the listener at once, unless set otherwise.
pub const DEFAULT_MAX_PEERS: usize = 64;

/// How many of the listener's places one address may hold, unless set otherwise: a
/// student's script that connects in a loop and never closes cannot lock the others out.
pub const DEFAULT_MAX_PER_HOST: usize = 8;

/// What a peer turned away because the listener is full is told before it is closed.
const FULL_MESSAGE: &[u8] = b"tcp-chat: the listener is full, try again later\n";

/// What a peer outside `--allow`, or inside `--deny`, is told (in English: it is for the
/// peer's program) before it is closed.
const NOT_ALLOWED_MESSAGE: &[u8] =
    b"tcp-chat: this listener does not take connections from your address\n";

/// What a peer is told (in English: it is for the peer's program) while the listener is
/// locked (`/lock on`), before it is closed.
const LOCKED_MESSAGE: &[u8] = b"tcp-chat: this listener takes no new peers now, try again later\n";

/// What a peer turned away because its address holds its share already is told (in
/// English: it is for the peer's program) before it is closed.
const HOST_FULL_MESSAGE: &[u8] =
    b"tcp-chat: too many connections from your address, close one and try again\n";

/// What a peer that cannot be served (no thread for it) is told before it is closed.
const BUSY_MESSAGE: &[u8] = b"tcp-chat: cannot serve you now, try again later\n";

/// Connections the kernel completes and keeps for the accept loop (capped by the
/// system's `net.core.somaxconn`, 4096 on Debian).
const LISTEN_BACKLOG: i32 = 1024;

/// Pause after an accept error (such as no file descriptors left) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// What a listener needs besides the port.
pub struct ListenConfig {
    /// Only this address, or every interface (IPv6 and IPv4) when `None`.
    pub bind: Option<IpAddr>,
    pub port: u16,
    pub max_peers: usize,
    /// How many places one address may hold.
    pub max_per_host: usize,
    /// Who may connect; shared with the chat, which changes it while running.
    pub door: Arc<Door>,
    /// Numbers the peers, across every listener of the run: none is used twice.
    pub numbers: Arc<AtomicU64>,
    pub auto_reply: AutoReply,
    /// Room mode (the Relay box), and what ends each relayed line.
    pub relay: Arc<std::sync::atomic::AtomicBool>,
    pub line_ending: &'static [u8],
}

/// A running listener.
pub struct Listener {
    addrs: Vec<SocketAddr>,
    sockets: Vec<Arc<TcpListener>>,
    acceptors: Vec<JoinHandle<()>>,
    state: Arc<PeerTable>,
}

/// The peers the listener has accepted and not yet lost.
struct PeerTable {
    peers: Mutex<BTreeMap<u64, Connection>>,
    /// Set by Close: the accept threads stop and new peers are turned away.
    stopping: std::sync::atomic::AtomicBool,
    /// Every peer's link, for Send and the peer count, which must not wait for the table:
    /// the accept thread holds it while a peer's threads start, which can take tens of
    /// milliseconds when many peers are flooding. A peer is here from the moment its
    /// Connect is reported.
    links: Mutex<Vec<Link>>,
}

impl Listener {
    /// Binds and starts accepting. The socket calls here return at once; none waits on
    /// the network, so this may run on the Qt thread.
    pub fn start(config: ListenConfig, shared: Shared) -> Result<Self, Error> {
        let sink = shared.sink.clone();
        let sockets = bind(config.bind, config.port)?;
        let addrs: Vec<SocketAddr> = sockets.iter().filter_map(|s| s.local_addr().ok()).collect();
        let sockets: Vec<Arc<TcpListener>> = sockets.into_iter().map(Arc::new).collect();
        let state = Arc::new(PeerTable {
            peers: Mutex::new(BTreeMap::new()),
            stopping: false.into(),
            links: Mutex::new(Vec::new()),
        });
        let reachable = reachable_at(&addrs);
        sink.emit(Event::Listening {
            addrs: addrs.clone(),
            reachable,
        });
        let mut acceptors = Vec::new();
        for socket in &sockets {
            let accept = Acceptor {
                socket: socket.clone(),
                state: state.clone(),
                shared: shared.clone(),
                max_peers: config.max_peers.max(1),
                max_per_host: config.max_per_host.max(1),
                door: config.door.clone(),
                numbers: config.numbers.clone(),
                auto_reply: config.auto_reply.clone(),
                relay: relay(&state, &config),
            };
            let spawned = thread::Builder::new()
                .name("tcp-chat-accept".into())
                .stack_size(256 * 1024)
                .spawn(move || accept.run());
            match spawned {
                Ok(handle) => acceptors.push(handle),
                Err(e) => {
                    let detail = IoCause::of(&e);
                    drop(Self {
                        addrs: addrs.clone(),
                        sockets,
                        acceptors,
                        state,
                    });
                    return Err(Error::ListenFailed {
                        addr: addrs[0],
                        detail,
                    });
                }
            }
        }
        Ok(Self {
            addrs,
            sockets,
            acceptors,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.addrs.first().map_or(0, |a| a.port())
    }

    /// How many peers are connected. Never waits for the table's lock.
    pub fn peer_count(&self) -> usize {
        self.state.links().len()
    }

    /// The links of every connected peer, oldest first, for Send. Never waits for the
    /// table's lock. Sending can end a peer that stopped reading, and its end takes the
    /// table's lock: send outside it, to these.
    pub fn links(&self) -> Vec<Link> {
        self.state.links().clone()
    }

    /// The link of peer `number` (of `/peers`), or `None` when no peer connected has
    /// that number.
    pub fn link(&self, number: u64) -> Option<Link> {
        self.links()
            .into_iter()
            .find(|l| l.number() == Some(number) && !l.is_ended())
    }

    /// The links of the peers connected from inside `range`.
    pub fn links_in(&self, range: &ipnet::IpNet) -> Vec<Link> {
        self.links()
            .into_iter()
            .filter(|l| range.contains(&l.peer().ip().to_canonical()) && !l.is_ended())
            .collect()
    }

    /// Stops accepting, frees the port, and disconnects every peer (each reported); the
    /// peers' threads end on their own right after.
    pub fn close(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.state.stopping.store(true, Ordering::SeqCst);
        // Shutting a listening socket down wakes its blocked accept() with an error.
        for socket in &self.sockets {
            let _ = socket2::SockRef::from(&**socket).shutdown(Shutdown::Both);
        }
        for handle in self.acceptors.drain(..) {
            let _ = handle.join();
        }
        // The accept threads held the other references: this closes the sockets.
        self.sockets.clear();
        let peers: Vec<Connection> = self
            .state
            .update(|t| std::mem::take(t).into_values().collect());
        for peer in &peers {
            peer.close();
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl PeerTable {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<u64, Connection>> {
        self.peers.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn links(&self) -> MutexGuard<'_, Vec<Link>> {
        self.links.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Changes the table and keeps `links` in step with it.
    fn update<R>(&self, change: impl FnOnce(&mut BTreeMap<u64, Connection>) -> R) -> R {
        let mut table = self.lock();
        let result = change(&mut table);
        self.changed(&table);
        result
    }

    /// After a change of `table` (held): the links follow it.
    fn changed(&self, table: &BTreeMap<u64, Connection>) {
        *self.links() = table.values().map(Connection::link).collect();
    }
}

/// The accept loop of one listening socket.
struct Acceptor {
    socket: Arc<TcpListener>,
    state: Arc<PeerTable>,
    shared: Shared,
    max_peers: usize,
    max_per_host: usize,
    door: Arc<Door>,
    numbers: Arc<AtomicU64>,
    auto_reply: AutoReply,
    relay: Relay,
}

/// Room mode for the listener's peers: a peer's lines go to every other peer.
fn relay(state: &Arc<PeerTable>, config: &ListenConfig) -> Relay {
    // Weak: each peer holds this, and the table holds each peer.
    let table = Arc::downgrade(state);
    Relay {
        on: config.relay.clone(),
        ending: config.line_ending,
        to_others: Arc::new(move |from, bytes| {
            let Some(table) = table.upgrade() else {
                return;
            };
            // Sending can end a peer that stopped reading, and its end takes the lock.
            let links: Vec<Link> = table.links().clone();
            for link in links.iter().filter(|l| l.peer() != from) {
                link.send(bytes);
            }
        }),
    }
}

impl Acceptor {
    fn run(self) {
        let mut reported_failure = false;
        loop {
            let accepted = self.socket.accept();
            if self.state.stopping.load(Ordering::SeqCst) {
                return;
            }
            match accepted {
                Ok((stream, peer)) => {
                    reported_failure = false;
                    self.admit(stream, canonical(peer));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if is_per_connection(&e) => {}
                Err(e) => {
                    if !reported_failure {
                        reported_failure = true;
                        self.shared.sink.emit(Event::Error(Error::AcceptFailed {
                            detail: IoCause::of(&e),
                        }));
                    }
                    thread::sleep(ACCEPT_BACKOFF);
                }
            }
        }
    }

    fn admit(&self, stream: std::net::TcpStream, peer: SocketAddr) {
        // Reporting a new peer takes room like a received line does: a peer connecting in
        // a loop is slowed down instead of piling up reports.
        let room = Room {
            events: 1,
            bytes: 0,
        };
        if !self.shared.sink.reserve(room) {
            return;
        }
        let report = |event: Event| self.shared.sink.emit_reserved(&mut vec![event], room);
        if let Err(refusal) = self.door.judge(peer.ip()) {
            let who = format!("{} {}", peer.ip(), peer.port());
            let (message, error) = match refusal {
                Refusal::NotAllowed => (NOT_ALLOWED_MESSAGE, Error::NotAllowed { peer: who }),
                Refusal::Blocked => (NOT_ALLOWED_MESSAGE, Error::Blocked { peer: who }),
                Refusal::Locked => (LOCKED_MESSAGE, Error::Locked { peer: who }),
            };
            super::connection::tell(&stream, message);
            report(Event::Error(error));
            return;
        }
        let mut table = self.state.lock();
        if table.len() >= self.max_peers {
            drop(table);
            super::connection::tell(&stream, FULL_MESSAGE);
            report(Event::Error(Error::ListenerFull {
                peer: format!("{} {}", peer.ip(), peer.port()),
                limit: self.max_peers,
            }));
            return;
        }
        // Connections the peer has closed, and that are not yet reaped (a busy
        // machine), hold no place.
        let from_there = table
            .values()
            .filter(|c| c.link().peer().ip() == peer.ip() && c.is_held())
            .count();
        if from_there >= self.max_per_host {
            drop(table);
            super::connection::tell(&stream, HOST_FULL_MESSAGE);
            report(Event::Error(Error::HostFull {
                peer: format!("{} {}", peer.ip(), peer.port()),
                limit: self.max_per_host,
            }));
            return;
        }
        let id = self.numbers.fetch_add(1, Ordering::SeqCst) + 1;
        let state = Arc::downgrade(&self.state);
        let setup = Setup {
            side: Side::Incoming,
            number: Some(id),
            auto_reply: Some(self.auto_reply.clone()),
            on_end: Box::new(move || {
                if let Some(state) = state.upgrade() {
                    state.update(|t| t.remove(&id));
                }
            }),
            leave_event: |peer, reason| Event::PeerLeft { peer, reason },
            refusal: BUSY_MESSAGE,
            relay: Some(self.relay.clone()),
        };
        let shared = self.shared.clone();
        // Send reaches the peer from the moment its Connect is reported.
        let announce = |link| {
            self.state.links().push(link);
            // Whoever sees the count move after this finds the link (the count moved once
            // already, before the link was in).
            self.shared.peers.touch();
            report(Event::PeerConnected { peer });
        };
        // The table stays locked while the connection starts: it cannot end (and look
        // itself up here) before it is in the table. Starting never ends it.
        match Connection::start(stream, peer, shared, setup, announce) {
            Ok(connection) => {
                // The connection may already have ended (and failed to find itself here).
                if !connection.is_ended() {
                    let link = connection.link();
                    table.insert(id, connection);
                    // Blocked while it was let in: `/block` closed those it found, and
                    // this one it may not have found yet.
                    if self.door.judge(peer.ip()) == Err(Refusal::Blocked) {
                        self.state.changed(&table);
                        drop(table);
                        link.close();
                        return;
                    }
                }
                self.state.changed(&table);
            }
            Err(e) => {
                drop(table);
                report(Event::Error(Error::no_thread(peer, &e)));
            }
        }
    }
}

/// This machine's addresses that a listener bound to `addrs` answers on, as a person
/// would type them.
fn reachable_at(addrs: &[SocketAddr]) -> Vec<String> {
    let all = super::hostinfo::local_addresses();
    let mut reachable = Vec::new();
    for addr in addrs {
        match addr.ip() {
            IpAddr::V6(ip) if ip.is_unspecified() => return all, // dual stack: everything
            IpAddr::V4(ip) if ip.is_unspecified() => {
                reachable.extend(all.iter().filter(|a| !a.contains(':')).cloned())
            }
            ip => reachable.push(ip.to_string()),
        }
    }
    reachable
}

/// Errors of one incoming connection (it was reset before we took it), not of the listener.
fn is_per_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::PermissionDenied
    )
}

/// Binds `bind:port`, or every interface: one IPv6 socket that takes IPv4 too, falling
/// back to IPv4 alone where IPv6 is off. Port 0 picks a free port.
fn bind(bind: Option<IpAddr>, port: u16) -> Result<Vec<TcpListener>, Error> {
    if let Some(ip) = bind {
        let addr = SocketAddr::new(ip, port);
        return Ok(vec![
            bind_one(addr, false).map_err(|e| Error::from_bind(addr, &e))?
        ]);
    }
    let any6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port);
    match bind_one(any6, true) {
        Ok(socket) => Ok(vec![socket]),
        Err(e) if is_ipv6_unavailable(&e) => {
            let any4 = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port);
            Ok(vec![
                bind_one(any4, false).map_err(|e| Error::from_bind(any4, &e))?
            ])
        }
        Err(e) => Err(Error::from_bind(any6, &e)),
    }
}

fn bind_one(addr: SocketAddr, dual_stack: bool) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    // A port left in TIME_WAIT by our own earlier peers can be bound again at once
    // (the original needed `sudo killall python3` and a minute's wait).
    socket.set_reuse_address(true)?;
    if addr.is_ipv6() {
        socket.set_only_v6(!dual_stack)?;
    }
    socket.set_cloexec(true)?;
    socket.bind(&addr.into())?;
    // Room for a burst of connects (a script in a loop) before the kernel drops the next
    // ones' SYNs, another student's among them, who would then wait a second for TCP's
    // retry: the fair share's benchmark row measures it.
    socket.listen(LISTEN_BACKLOG)?;
    Ok(socket.into())
}

fn is_ipv6_unavailable(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EAFNOSUPPORT) | Some(libc::EADDRNOTAVAIL) | Some(libc::EPROTONOSUPPORT)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::sink::EventQueue;
    use std::time::Instant;

    /// A listener on loopback with one peer connected and counted.
    fn listening_with_one_peer() -> (Arc<Listener>, std::net::TcpStream) {
        let sink = Arc::new(EventQueue::new(1024, || {}));
        let config = ListenConfig {
            bind: Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            port: 0,
            max_peers: 4,
            max_per_host: 4,
            door: Default::default(),
            numbers: Default::default(),
            auto_reply: Arc::new(std::sync::RwLock::new(None)),
            relay: Arc::default(),
            line_ending: b"\n",
        };
        let shared = Shared {
            sink,
            peers: Arc::default(),
            wire: Arc::default(),
            quiet: crate::engine::connection::QUIET,
        };
        let listener = Arc::new(Listener::start(config, shared).unwrap());
        let peer = std::net::TcpStream::connect(("127.0.0.1", listener.port())).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while listener.peer_count() != 1 {
            assert!(Instant::now() < deadline, "the peer was never counted");
            thread::sleep(Duration::from_millis(5));
        }
        (listener, peer)
    }

    #[test]
    fn peer_count_never_waits_for_the_peer_table() {
        let (listener, _peer) = listening_with_one_peer();
        // The accept thread holds the table while a new peer's threads start; the Qt
        // thread asks for the count meanwhile.
        let table = listener.state.lock();
        let (tx, rx) = std::sync::mpsc::channel();
        let asker = listener.clone();
        thread::spawn(move || tx.send(asker.peer_count()));
        let count = rx.recv_timeout(Duration::from_secs(2));
        drop(table);
        assert_eq!(count, Ok(1), "peer_count waited for the table's lock");
    }

    #[test]
    fn send_never_waits_for_the_peer_table() {
        let (listener, mut peer) = listening_with_one_peer();
        // The accept thread holds the table while a new peer's threads start; Send is
        // pressed meanwhile.
        let table = listener.state.lock();
        let (tx, rx) = std::sync::mpsc::channel();
        let sender = listener.clone();
        thread::spawn(move || {
            let bytes = Arc::from(&b"hello\n"[..]);
            tx.send(sender.links().iter().filter(|l| l.send(&bytes)).count())
        });
        let sent = rx.recv_timeout(Duration::from_secs(2));
        drop(table);
        assert_eq!(sent, Ok(1), "Send waited for the table's lock");
        peer.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut got = [0u8; 6];
        std::io::Read::read_exact(&mut peer, &mut got).unwrap();
        assert_eq!(&got, b"hello\n");
    }
}
