//! The outgoing connection: connects in the background (name lookup included) with a
//! 5 second limit, then shows what the peer sends back, like any other connection.

use super::address::{canonical, Host};
use super::connection::{Connection, Link, Setup, Shared};
use super::dial::{dial, DialError, MdnsLookup};
use super::error::{Error, IoCause};
use super::event::{Event, LeaveReason, Side};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

/// How long Connect tries before it gives up.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the outgoing connection stands.
pub enum ClientState {
    Idle,
    Connecting {
        attempt: u64,
    },
    Connected {
        attempt: u64,
        connection: Connection,
    },
}

/// The outgoing side of the chat: at most one connection at a time.
pub struct Client {
    state: Arc<Mutex<ClientState>>,
    shared: Shared,
    attempts: u64,
    /// Looks `.local` names up by multicast DNS too.
    mdns: Option<MdnsLookup>,
}

impl Client {
    pub fn new(shared: Shared) -> Self {
        Self {
            state: Arc::new(Mutex::new(ClientState::Idle)),
            shared,
            attempts: 0,
            mdns: None,
        }
    }

    /// Looks `.local` names up with `mdns` too (as well as the system's resolver).
    pub fn set_mdns(&mut self, mdns: MdnsLookup) {
        self.mdns = Some(mdns);
    }

    /// Starts connecting to `host` on `port` and returns at once; the outcome is reported
    /// as `Connected`, or as an error.
    pub fn connect(&mut self, host: Host, port: u16) -> Result<(), Error> {
        let mut state = lock(&self.state);
        if !matches!(*state, ClientState::Idle) {
            return Err(Error::AlreadyConnected);
        }
        self.attempts += 1;
        let attempt = self.attempts;
        *state = ClientState::Connecting { attempt };
        let host_text = host.to_string();
        self.shared.sink.emit(Event::Connecting {
            host: host_text.clone(),
            port,
        });
        drop(state);

        let job = Attempt {
            attempt,
            host,
            host_text,
            port,
            state: self.state.clone(),
            shared: self.shared.clone(),
            mdns: self.mdns.clone(),
        };
        let spawned = thread::Builder::new()
            .name("tcp-chat-connect".into())
            .stack_size(256 * 1024)
            .spawn(move || job.run());
        if let Err(e) = spawned {
            *lock(&self.state) = ClientState::Idle;
            return Err(Error::ConnectFailed {
                host: String::new(),
                port,
                detail: IoCause::of(&e),
            });
        }
        Ok(())
    }

    /// Closes the connection, or gives up the attempt under way. Returns whether there was
    /// one.
    pub fn disconnect(&mut self) -> bool {
        let previous = std::mem::replace(&mut *lock(&self.state), ClientState::Idle);
        match previous {
            ClientState::Idle => false,
            ClientState::Connecting { .. } => {
                self.shared.sink.emit(Event::Disconnected {
                    peer: None,
                    reason: LeaveReason::ByUs,
                });
                true
            }
            ClientState::Connected { connection, .. } => {
                connection.close();
                true
            }
        }
    }

    /// The connection's link, when connected.
    pub fn link(&self) -> Option<Link> {
        match &*lock(&self.state) {
            ClientState::Connected { connection, .. } => Some(connection.link()),
            _ => None,
        }
    }

    pub fn is_connecting(&self) -> bool {
        matches!(*lock(&self.state), ClientState::Connecting { .. })
    }

    pub fn is_connected(&self) -> bool {
        matches!(*lock(&self.state), ClientState::Connected { .. })
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let ClientState::Connected { connection, .. } =
            std::mem::replace(&mut *lock(&self.state), ClientState::Idle)
        {
            connection.close();
        }
    }
}

fn lock(state: &Mutex<ClientState>) -> MutexGuard<'_, ClientState> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

/// One connection attempt, on its own thread.
struct Attempt {
    attempt: u64,
    host: Host,
    host_text: String,
    port: u16,
    state: Arc<Mutex<ClientState>>,
    shared: Shared,
    mdns: Option<MdnsLookup>,
}

impl Attempt {
    fn run(self) {
        let outcome = self.dial();
        let mut state = lock(&self.state);
        if !matches!(*state, ClientState::Connecting { attempt } if attempt == self.attempt) {
            return; // given up meanwhile: the stream, if any, is dropped (closed) here
        }
        let (stream, peer) = match outcome {
            Ok(connected) => connected,
            Err(error) => {
                *state = ClientState::Idle;
                self.shared.sink.emit(Event::Error(error));
                return;
            }
        };
        let attempt = self.attempt;
        let client_state = Arc::downgrade(&self.state);
        let setup = Setup {
            side: Side::Outgoing,
            number: None,
            auto_reply: None,
            on_end: Box::new(move || {
                if let Some(state) = client_state.upgrade() {
                    let mut state = lock(&state);
                    if matches!(*state, ClientState::Connected { attempt: a, .. } if a == attempt) {
                        *state = ClientState::Idle;
                    }
                }
            }),
            leave_event: |peer, reason| Event::Disconnected {
                peer: Some(peer),
                reason,
            },
            refusal: b"",
            relay: None,
        };
        let shared = self.shared.clone();
        let announce = |_link| {
            self.shared.sink.emit(Event::Connected {
                host: self.host_text.clone(),
                port: self.port,
                peer,
            })
        };
        // The state stays locked while the connection starts: it cannot end (and look
        // itself up in the state) before it is there. Starting never ends it.
        match Connection::start(stream, peer, shared, setup, announce) {
            Ok(connection) if !connection.is_ended() => {
                *state = ClientState::Connected {
                    attempt,
                    connection,
                };
            }
            Ok(_) => *state = ClientState::Idle,
            Err(e) => {
                *state = ClientState::Idle;
                self.shared
                    .sink
                    .emit(Event::Error(Error::no_thread(peer, &e)));
            }
        }
    }

    /// Looks the host up and connects to one of its addresses, within the time limit.
    fn dial(&self) -> Result<(TcpStream, SocketAddr), Error> {
        let deadline = Instant::now() + CONNECT_TIMEOUT;
        match dial(&self.host, self.port, deadline, self.mdns.as_ref()) {
            Ok((stream, addr)) => {
                let peer = stream.peer_addr().map(canonical).unwrap_or(canonical(addr));
                Ok((stream, peer))
            }
            Err(DialError::Lookup {
                timed_out: true, ..
            }) => Err(Error::LookupTimedOut {
                host: self.host_text.clone(),
            }),
            Err(DialError::Lookup { error, .. }) => Err(Error::Address(error)),
            Err(DialError::Connect(e)) => Err(Error::from_connect(&self.host_text, self.port, &e)),
        }
    }
}
