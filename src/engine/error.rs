//! The engine's typed errors: what went wrong, for code to match on, and a sentence a
//! student understands (with what to do about it) as their `Display`.

use super::address::AddressError;
use std::io;
use std::net::SocketAddr;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Address(#[from] AddressError),
    #[error("port {port} is already in use: close the program using it, or choose another port")]
    PortInUse { port: u16 },
    #[error("port {port} needs administrator rights: use a port from 1024 to 65535")]
    PortNeedsRights { port: u16 },
    #[error("cannot listen on {addr}: {detail}")]
    ListenFailed { addr: SocketAddr, detail: String },
    #[error("already listening: press Close first to listen on another port")]
    AlreadyListening,
    #[error("already connected or connecting: press Close first to connect elsewhere")]
    AlreadyConnected,
    #[error("nothing is listening on {host} port {port}: press Listen on the other side first, or check the port")]
    Refused { host: String, port: u16 },
    #[error("{host} did not answer within 5 seconds: check the address, and that both computers are on the same network")]
    TimedOut { host: String },
    #[error("looking up {host} took over 5 seconds, so the name server is not answering: type an IP address instead, or check the network")]
    LookupTimedOut { host: String },
    #[error(
        "{host} cannot be reached from this computer: check the address and the network connection"
    )]
    Unreachable { host: String },
    #[error("cannot connect to {host} port {port}: {detail}")]
    ConnectFailed {
        host: String,
        port: u16,
        detail: String,
    },
    #[error(
        "not connected: press Connect, or wait for a peer to connect to your listener, then send"
    )]
    NotConnected,
    #[error("the message is empty: type something to send")]
    EmptyMessage,
    #[error("{peer} is not reading what we send, so a message to it was dropped")]
    SendDropped { peer: String },
    #[error("the listener is full ({limit} peers): {peer} was turned away")]
    ListenerFull { peer: String, limit: usize },
    #[error("cannot accept more connections: {detail}")]
    AcceptFailed { detail: String },
    #[error("cannot save the log to {path}: {detail}")]
    SaveLog { path: String, detail: String },
    #[error("cannot write the transcript {path}: {detail}")]
    Transcript { path: String, detail: String },
    #[error("cannot write the transcript {path} any more ({detail}): the chat goes on without it")]
    TranscriptFailed { path: String, detail: String },
    #[error("{peer} was disconnected at once: {detail}")]
    NoThread { peer: String, detail: String },
    /// Saved settings that could not be used, already a sentence.
    #[error("{0}")]
    Settings(String),
}

impl Error {
    /// The error for a failed bind of `addr`.
    pub fn from_bind(addr: SocketAddr, err: &io::Error) -> Self {
        match err.kind() {
            io::ErrorKind::AddrInUse => Error::PortInUse { port: addr.port() },
            io::ErrorKind::PermissionDenied => Error::PortNeedsRights { port: addr.port() },
            io::ErrorKind::AddrNotAvailable => {
                Error::Address(AddressError::NotLocal(addr.ip().to_string()))
            }
            _ => Error::ListenFailed {
                addr,
                detail: plain_io(err),
            },
        }
    }

    /// The error for a failed connect to `host` (as typed) on `port`.
    pub fn from_connect(host: &str, port: u16, err: &io::Error) -> Self {
        let host = host.to_string();
        match err.kind() {
            io::ErrorKind::ConnectionRefused => Error::Refused { host, port },
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Error::TimedOut { host },
            io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable => {
                Error::Unreachable { host }
            }
            _ if err.raw_os_error() == Some(113) || err.raw_os_error() == Some(101) => {
                Error::Unreachable { host } // EHOSTUNREACH, ENETUNREACH
            }
            _ => Error::ConnectFailed {
                host,
                port,
                detail: plain_io(err),
            },
        }
    }
}

impl Error {
    /// The error for a connection to `peer` that could not be served because a thread
    /// for it could not be started.
    pub fn no_thread(peer: SocketAddr, err: &io::Error) -> Self {
        let detail = if err.kind() == io::ErrorKind::WouldBlock {
            "the system lets tcp-chat start no more threads (close other programs, or let fewer peers connect)".to_string()
        } else {
            format!("cannot start a thread for it ({})", plain_io(err))
        };
        Error::NoThread {
            peer: format!("{} {}", peer.ip().to_canonical(), peer.port()),
            detail,
        }
    }
}

/// An I/O error as words, without Rust's "(os error N)" tail.
pub fn plain_io(err: &io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error") {
        Some(cut) => text[..cut].to_lowercase(),
        None => text.to_lowercase(),
    }
}
