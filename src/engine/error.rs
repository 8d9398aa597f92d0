//! The engine's typed errors: what went wrong, for code to match on, with the I/O
//! error's kind kept. The sentence a student reads (with what to do about it) is a
//! front end's, made by `i18n::say` in its language with its own controls' words.

use super::address::AddressError;
use std::io;
use std::net::SocketAddr;

/// What a failed I/O call said: its kind, for code, and the system's own words (lower
/// case, without Rust's "(os error N)" tail) for the kinds with no words of our own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IoCause {
    pub kind: io::ErrorKind,
    pub system: String,
}

impl IoCause {
    pub fn of(err: &io::Error) -> Self {
        let text = err.to_string();
        let system = match text.find(" (os error") {
            Some(cut) => text[..cut].to_lowercase(),
            None => text.to_lowercase(),
        };
        Self {
            kind: err.kind(),
            system,
        }
    }
}

impl From<&io::Error> for IoCause {
    fn from(err: &io::Error) -> Self {
        Self::of(err)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    Address(AddressError),
    PortInUse {
        port: u16,
    },
    PortNeedsRights {
        port: u16,
    },
    ListenFailed {
        addr: SocketAddr,
        detail: IoCause,
    },
    AlreadyListening,
    AlreadyConnected,
    Refused {
        host: String,
        port: u16,
    },
    TimedOut {
        host: String,
    },
    LookupTimedOut {
        host: String,
    },
    Unreachable {
        host: String,
    },
    ConnectFailed {
        host: String,
        port: u16,
        detail: IoCause,
    },
    NotConnected,
    EmptyMessage,
    /// `part` of what was typed for `/hex` (the Hex box) is not hex pairs.
    NotHex {
        part: String,
    },
    SendDropped {
        peer: String,
    },
    ListenerFull {
        peer: String,
        limit: usize,
    },
    /// `peer` is outside `--allow`, or inside `--deny`.
    NotAllowed {
        peer: String,
    },
    /// `peer`'s address was blocked while running (`/block`).
    Blocked {
        peer: String,
    },
    /// `peer` came while the listener was locked (`/lock on`).
    Locked {
        peer: String,
    },
    /// No peer connected has `number` (`/kick`).
    NoSuchPeer {
        number: u64,
    },
    /// `text` is neither an address nor a range of them (`/block`, `/unblock`).
    NotARange {
        text: String,
    },
    /// `range` was not blocked (`/unblock`).
    NotBlocked {
        range: String,
    },
    /// `peer`'s address holds its `limit` of the listener's places already.
    HostFull {
        peer: String,
        limit: usize,
    },
    AcceptFailed {
        detail: IoCause,
    },
    SaveLog {
        path: String,
        detail: IoCause,
    },
    Transcript {
        path: String,
        detail: IoCause,
    },
    TranscriptFailed {
        path: String,
        detail: IoCause,
    },
    /// A thread for `peer` could not be started (`WouldBlock`: no more threads).
    NoThread {
        peer: String,
        detail: IoCause,
    },
    /// Multicast DNS could not start: nothing is announced or found (`detail`: the mDNS
    /// library's own words).
    Discovery {
        detail: String,
    },
}

impl From<AddressError> for Error {
    fn from(e: AddressError) -> Self {
        Error::Address(e)
    }
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
                detail: IoCause::of(err),
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
                detail: IoCause::of(err),
            },
        }
    }
}

impl Error {
    /// The error for a connection to `peer` that could not be served because a thread
    /// for it could not be started.
    pub fn no_thread(peer: SocketAddr, err: &io::Error) -> Self {
        Error::NoThread {
            peer: format!("{} {}", peer.ip().to_canonical(), peer.port()),
            detail: IoCause::of(err),
        }
    }
}
