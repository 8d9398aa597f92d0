//! The chat as the window's buttons drive it: Listen/Close, Connect/Close and Send, with
//! the rules that tie them together (where Send goes, what the auto-reply is). Every
//! error is both returned and reported, so it reaches the log.

use super::access::{parse_range, Access, Door};
use super::address::{parse_host, parse_port};
use super::client::Client;
use super::connection::{AutoReply, Link, PeerCount, Shared, TcpDetails};
use super::discovery::{Discovery, Nearby};
use super::error::Error;
use super::event::{DoorChange, Event, Side};
use super::listener::{ListenConfig, Listener, DEFAULT_MAX_PEERS, DEFAULT_MAX_PER_HOST};
use super::sink::EventSink;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, RwLock};

/// What ends each line we send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineEnding {
    #[default]
    Lf,
    CrLf,
    None,
}

impl LineEnding {
    pub fn as_bytes(self) -> &'static [u8] {
        match self {
            LineEnding::Lf => b"\n",
            LineEnding::CrLf => b"\r\n",
            LineEnding::None => b"",
        }
    }
}

/// The default auto-reply, as the original sends it.
pub const DEFAULT_AUTO_REPLY: &str = "Server OK";

/// Why a name cannot be announced as ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    Empty,
    /// Longer than one DNS label: `bytes` of UTF-8, of at most 63.
    TooLong {
        bytes: usize,
    },
    /// A dot would end the label.
    Dot,
    Control,
}

/// The most bytes of UTF-8 a name may have (one DNS label: 21 Korean syllables).
pub const NAME_MAX_BYTES: usize = 63;

/// `text` as a name to announce (spaces at either end left out), or why it cannot be.
pub fn check_name(text: &str) -> Result<String, NameError> {
    let name = text.trim();
    if name.is_empty() {
        Err(NameError::Empty)
    } else if name.len() > NAME_MAX_BYTES {
        Err(NameError::TooLong { bytes: name.len() })
    } else if name.contains('.') {
        Err(NameError::Dot)
    } else if name.chars().any(char::is_control) {
        Err(NameError::Control)
    } else {
        Ok(name.to_string())
    }
}

/// How the chat is set up; the command line fills it in.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Listen on this address only, instead of every interface.
    pub bind: Option<IpAddr>,
    /// What each line received by the listener is answered with; `None` for no answer.
    pub auto_reply: Option<String>,
    pub line_ending: LineEnding,
    pub max_peers: usize,
    /// How many of the listener's places one address may hold (`--max-per-host`).
    pub max_per_host: usize,
    /// Who may connect to the listener (`--allow`, `--deny`).
    pub access: Access,
    /// The name the listener is announced by on the LAN (`--name`, checked by
    /// [`check_name`]); `None`: this machine's host name.
    pub name: Option<String>,
    /// Room mode: each line a peer sends to the listener goes on to every other peer.
    pub relay: bool,
    /// The wire view (`--wire`): every read and every write the kernel took, as bytes.
    pub wire: bool,
    /// How long a peer must be quiet before a partial line is shown (tests set it long,
    /// to see a line split across reads for certain).
    pub quiet: std::time::Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: None,
            auto_reply: Some(DEFAULT_AUTO_REPLY.to_string()),
            line_ending: LineEnding::Lf,
            max_peers: DEFAULT_MAX_PEERS,
            max_per_host: DEFAULT_MAX_PER_HOST,
            access: Access::default(),
            name: None,
            relay: false,
            wire: false,
            quiet: super::connection::QUIET,
        }
    }
}

/// Where things stand, for the window's buttons and counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Status {
    pub listening: bool,
    /// The port listened on (the real one when 0 was asked for).
    pub port: u16,
    pub connecting: bool,
    pub connected: bool,
    /// Peers connected to our listener.
    pub incoming: usize,
}

/// A connected peer, as `/peers` and the window's Peers list show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// The listener's number for it (`/kick N`); `None` for the connection we made.
    pub number: Option<u64>,
    pub side: Side,
    pub remote: SocketAddr,
    /// Our end (for the connection we made, the port the system chose).
    pub local: Option<SocketAddr>,
    /// As TCP has it, when asked for (a system call) and known.
    pub tcp: Option<TcpDetails>,
}

impl Peer {
    /// `link`'s peer, with its TCP details when `tcp` (a system call each).
    pub fn of(link: &Link, tcp: bool) -> Self {
        Self {
            number: link.number(),
            side: link.side(),
            remote: link.peer(),
            local: link.local(),
            tcp: if tcp { link.tcp() } else { None },
        }
    }

    /// Whether `other` is the same connection (its details aside).
    pub fn same(&self, other: &Peer) -> bool {
        (self.number, self.remote) == (other.number, other.remote)
    }
}

/// The engine as one object.
pub struct Chat {
    settings: Settings,
    sink: Arc<dyn EventSink>,
    auto_reply: AutoReply,
    /// Room mode, shared with the listener's peers.
    relay: Arc<AtomicBool>,
    /// Peers connected, both sides: a received line names its peer when it is over 1.
    peers: Arc<PeerCount>,
    /// What every connection shares: the sink, the peer count, the wire view.
    shared: Shared,
    /// Who may come in, for every listener of the run (a block outlives Close).
    door: Arc<Door>,
    /// The last number given to a peer of a listener: none is used twice in a run.
    numbers: Arc<AtomicU64>,
    listener: Option<Listener>,
    client: Client,
    /// Announces the listener and finds others on the LAN (`None`: `--no-discovery`).
    discovery: Option<Arc<Discovery>>,
}

impl Chat {
    pub fn new(settings: Settings, sink: Arc<dyn EventSink>) -> Self {
        let peers: Arc<PeerCount> = Arc::default();
        let auto_reply: AutoReply = Arc::new(RwLock::new(None));
        let shared = Shared {
            sink: sink.clone(),
            peers: peers.clone(),
            wire: Arc::new(AtomicBool::new(settings.wire)),
            quiet: settings.quiet,
        };
        let chat = Self {
            client: Client::new(shared.clone()),
            shared,
            relay: Arc::new(AtomicBool::new(settings.relay)),
            door: Arc::new(Door::new(settings.access.clone())),
            numbers: Arc::default(),
            settings,
            sink,
            auto_reply,
            peers,
            listener: None,
            discovery: None,
        };
        chat.set_auto_reply(chat.settings.auto_reply.clone());
        chat
    }

    /// Listens on the port typed in `port_text` (0 for any free port); returns the port.
    pub fn listen(&mut self, port_text: &str) -> Result<u16, Error> {
        let result = self.try_listen(port_text);
        self.report(result)
    }

    fn try_listen(&mut self, port_text: &str) -> Result<u16, Error> {
        if self.listener.is_some() {
            return Err(Error::AlreadyListening);
        }
        let port = parse_port(port_text, true)?;
        let config = ListenConfig {
            bind: self.settings.bind,
            port,
            max_peers: self.settings.max_peers,
            max_per_host: self.settings.max_per_host,
            door: self.door.clone(),
            numbers: self.numbers.clone(),
            auto_reply: self.auto_reply.clone(),
            relay: self.relay.clone(),
            line_ending: self.settings.line_ending.as_bytes(),
        };
        let listener = Listener::start(config, self.shared.clone())?;
        let port = listener.port();
        self.listener = Some(listener);
        if let Some(discovery) = &self.discovery {
            discovery.announce(port, self.settings.bind, self.settings.name.as_deref());
        }
        Ok(port)
    }

    /// Starts announcing the listener on the LAN while it listens, finding the others
    /// ([`Chat::nearby`]; `on_change` is called, on the mDNS thread, when they may have
    /// changed), and looking `.local` names up by multicast DNS. A failure is reported.
    pub fn start_discovery(&mut self, on_change: impl Fn() + Send + 'static) {
        match Discovery::start(on_change) {
            Ok(discovery) => self.set_discovery(discovery),
            Err(error) => self.sink.emit(Event::Error(error)),
        }
    }

    fn set_discovery(&mut self, discovery: Arc<Discovery>) {
        let lookup = Arc::downgrade(&discovery);
        self.client.set_mdns(Arc::new(move |host, timeout| {
            lookup
                .upgrade()
                .map(|d| d.resolve(host, timeout))
                .unwrap_or_default()
        }));
        if let Some(port) = self.listener.as_ref().map(|l| l.port()) {
            discovery.announce(port, self.settings.bind, self.settings.name.as_deref());
        }
        self.discovery = Some(discovery);
    }

    /// The chat's discovery, if it was started and could start.
    pub fn discovery(&self) -> Option<&Arc<Discovery>> {
        self.discovery.as_ref()
    }

    /// Whether the chat announces itself and finds others (not with `--no-discovery`).
    pub fn discovers(&self) -> bool {
        self.discovery.is_some()
    }

    /// The tcp-chat listeners found on the LAN (none without discovery).
    pub fn nearby(&self) -> Vec<Nearby> {
        self.discovery
            .as_ref()
            .map(|d| d.nearby())
            .unwrap_or_default()
    }

    /// Stops listening: the port is free when this returns, every peer is disconnected.
    /// Returns whether it was listening.
    pub fn stop_listening(&mut self) -> bool {
        let Some(listener) = self.listener.take() else {
            return false;
        };
        // Nobody is sent here any more: the goodbye goes out first.
        if let Some(discovery) = &self.discovery {
            discovery.withdraw();
        }
        listener.close();
        self.sink.emit(Event::ListenStopped);
        true
    }

    /// Starts connecting to `host_text` on `port_text`; the outcome is reported later.
    pub fn connect(&mut self, host_text: &str, port_text: &str) -> Result<(), Error> {
        let result = parse_host(host_text)
            .map_err(Error::from)
            .and_then(|host| Ok((host, parse_port(port_text, false)?)))
            .and_then(|(host, port)| self.client.connect(host, port));
        self.report(result)
    }

    /// Closes the outgoing connection or gives up connecting. Returns whether there was one.
    pub fn disconnect(&mut self) -> bool {
        self.client.disconnect()
    }

    /// Sends `text` over the outgoing connection if there is one, else to every peer of
    /// the listener. Returns how many peers it went to.
    pub fn send(&mut self, text: &str) -> Result<usize, Error> {
        let result = self.try_send(text);
        self.report(result)
    }

    /// Sends exactly the bytes that `text`'s hex pairs spell (`48 65 6c 6c 6f 0a`, with
    /// or without spaces), no line ending added, where [`Chat::send`] sends. A part that
    /// is not hex pairs is an error, and nothing is sent.
    pub fn send_hex(&mut self, text: &str) -> Result<usize, Error> {
        let result = match super::hex::parse(text) {
            Ok(bytes) if bytes.is_empty() => Err(Error::EmptyMessage),
            Ok(bytes) => self.send_bytes(&super::hex::shown(&bytes), bytes),
            Err(part) => Err(Error::NotHex { part }),
        };
        self.report(result)
    }

    fn try_send(&mut self, text: &str) -> Result<usize, Error> {
        if text.is_empty() {
            return Err(Error::EmptyMessage);
        }
        let mut bytes = Vec::with_capacity(text.len() + 2);
        bytes.extend_from_slice(text.as_bytes());
        bytes.extend_from_slice(self.settings.line_ending.as_bytes());
        self.send_bytes(text, bytes)
    }

    /// Sends `bytes` where Send sends, shown in the log as `text`.
    fn send_bytes(&mut self, text: &str, bytes: Vec<u8>) -> Result<usize, Error> {
        let bytes: Arc<[u8]> = bytes.into();
        let targets: Vec<Link> = self
            .targets()
            .into_iter()
            .filter(|l| !l.is_ended())
            .collect();
        if targets.is_empty() {
            return Err(Error::NotConnected);
        }
        // The line first, then what the wire view shows of each write for it.
        self.sink.emit(Event::Sent {
            text: text.into(),
            peers: targets.len(),
            cut: 0,
        });
        // Sending can end a peer that stopped reading (its end is reported): each link
        // is sent to on its own.
        match targets.iter().filter(|l| l.send(&bytes)).count() {
            0 => Err(Error::NotConnected),
            sent => Ok(sent),
        }
    }

    /// Where Send goes now: the outgoing connection if there is one, else every peer of
    /// the listener.
    fn targets(&self) -> Vec<Link> {
        match (self.client.link(), &self.listener) {
            (Some(link), _) => vec![link],
            (None, Some(listener)) => listener.links(),
            (None, None) => Vec::new(),
        }
    }

    /// Waits until a message of `len` bytes can go where Send would send it without
    /// counting any peer as not reading (see [`Link::wait_for_room`]). For a sender with
    /// more to say than a peer's outbox holds: a file piped in goes at the peers' pace.
    pub fn wait_for_room(&self, len: usize) {
        for link in self.targets() {
            link.wait_for_room(len + self.settings.line_ending.as_bytes().len());
        }
    }

    /// Waits until everything sent so far was handed to the system, for every peer.
    pub fn wait_until_written(&self) {
        for link in self.targets() {
            link.wait_until_written();
        }
    }

    /// Every connected peer with its TCP details: the one we connected to first, then
    /// the listener's by number (oldest first). Asks the kernel of each: not for the
    /// Qt thread, which takes [`Chat::peer_links`] and asks elsewhere.
    pub fn peers(&self) -> Vec<Peer> {
        self.peer_links()
            .iter()
            .map(|l| Peer::of(l, true))
            .collect()
    }

    /// The links of every connected peer, in the order of [`Chat::peers`]; never waits.
    pub fn peer_links(&self) -> Vec<Link> {
        let incoming = self.listener.iter().flat_map(|l| l.links());
        self.client
            .link()
            .into_iter()
            .chain(incoming)
            .filter(|l| !l.is_ended())
            .collect()
    }

    /// Disconnects the listener's peer `number` (of [`Chat::peers`]); its address.
    pub fn kick(&self, number: u64) -> Result<SocketAddr, Error> {
        let result = self.numbered(number).map(|link| {
            link.close();
            link.peer()
        });
        self.report(result)
    }

    /// The listener's peer `number`, if connected.
    fn numbered(&self, number: u64) -> Result<Link, Error> {
        self.listener
            .as_ref()
            .and_then(|l| l.link(number))
            .ok_or(Error::NoSuchPeer { number })
    }

    /// Ends a connection with RST instead of FIN (SO_LINGER 0): the listener's peer
    /// `number`, or with `None` the connection we made.
    pub fn reset(&self, number: Option<u64>) -> Result<SocketAddr, Error> {
        let link = match number {
            None => self.client.link().ok_or(Error::NotConnected),
            Some(n) => self.numbered(n),
        };
        let result = link.map(|link| {
            link.reset();
            link.peer()
        });
        self.report(result)
    }

    /// Disconnects every peer of the listener inside `text` (an address, or a range such
    /// as `192.168.0.0/24`) and refuses it for the rest of the run, across Close and
    /// Listen; reported in the log. Returns how many peers were disconnected.
    pub fn block(&self, text: &str) -> Result<usize, Error> {
        let result = self.parse_range(text).map(|range| {
            // Turned away from now on, then those in: none can slip in between.
            self.door.block(range);
            let inside = self
                .listener
                .as_ref()
                .map_or_else(Vec::new, |l| l.links_in(&range));
            // The log says why before it says who left.
            self.sink.emit(Event::Door(DoorChange::Blocked {
                range,
                disconnected: inside.len(),
            }));
            for link in &inside {
                link.close();
            }
            inside.len()
        });
        self.report(result)
    }

    /// Lifts a [`Chat::block`] of `text` (never a `--deny`); reported in the log.
    pub fn unblock(&self, text: &str) -> Result<(), Error> {
        let result = self.parse_range(text).and_then(|range| {
            if !self.door.unblock(range) {
                return Err(Error::NotBlocked {
                    range: range.to_string(),
                });
            }
            self.sink.emit(Event::Door(DoorChange::Unblocked { range }));
            Ok(())
        });
        self.report(result)
    }

    /// The ranges blocked while running, oldest first.
    pub fn blocked(&self) -> Vec<ipnet::IpNet> {
        self.door.blocked()
    }

    /// Locked, the listener takes no new peers; those connected stay. Reported in the
    /// log when it changes.
    pub fn set_locked(&self, on: bool) {
        if self.door.is_locked() != on {
            self.door.set_locked(on);
            self.sink.emit(Event::Door(DoorChange::Locked(on)));
        }
    }

    /// Goes up each time a peer comes or goes: the list of [`Chat::peers`] may differ.
    pub fn peer_changes(&self) -> u64 {
        self.peers.changes()
    }

    pub fn is_locked(&self) -> bool {
        self.door.is_locked()
    }

    fn parse_range(&self, text: &str) -> Result<ipnet::IpNet, Error> {
        parse_range(text).ok_or_else(|| Error::NotARange {
            text: text.trim().to_string(),
        })
    }

    /// Announces the listener by `name` from now on (`None`: the host name), at once if
    /// it is listening.
    pub fn set_name(&mut self, name: Option<String>) {
        if self.settings.name == name {
            return;
        }
        self.settings.name = name;
        if let (Some(discovery), Some(port)) =
            (&self.discovery, self.listener.as_ref().map(|l| l.port()))
        {
            discovery.announce(port, self.settings.bind, self.settings.name.as_deref());
        }
    }

    /// Turns room mode on or off for every peer, those connected included: each line a
    /// peer sends to the listener also goes to every other peer of it, as
    /// `(<ip> <port>) <text>`. The auto-reply still goes to the sender alone.
    /// Turns the wire view on or off, for every connection, those up included.
    pub fn set_wire(&self, on: bool) {
        self.shared
            .wire
            .store(on, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn wire(&self) -> bool {
        self.shared.wire.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn set_relay(&self, on: bool) {
        self.relay.store(on, std::sync::atomic::Ordering::SeqCst);
    }

    /// Changes the auto-reply for every peer, those connected included.
    pub fn set_auto_reply(&self, reply: Option<String>) {
        let bytes = reply.as_ref().map(|text| {
            let mut bytes = text.as_bytes().to_vec();
            bytes.extend_from_slice(self.settings.line_ending.as_bytes());
            Arc::<[u8]>::from(bytes)
        });
        *self.auto_reply.write().unwrap_or_else(|p| p.into_inner()) = bytes;
    }

    pub fn status(&self) -> Status {
        Status {
            listening: self.listener.is_some(),
            port: self.listener.as_ref().map_or(0, Listener::port),
            connecting: self.client.is_connecting(),
            connected: self.client.is_connected(),
            incoming: self.listener.as_ref().map_or(0, Listener::peer_count),
        }
    }

    fn report<T>(&self, result: Result<T, Error>) -> Result<T, Error> {
        if let Err(e) = &result {
            self.sink.emit(Event::Error(e.clone()));
        }
        result
    }
}

impl Drop for Chat {
    fn drop(&mut self) {
        if let Some(discovery) = &self.discovery {
            discovery.withdraw();
        }
        self.client.disconnect();
        if let Some(listener) = self.listener.take() {
            listener.close();
        }
    }
}
