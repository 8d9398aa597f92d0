//! The engine's typed errors: what went wrong, for code to match on, and a sentence a
//! student understands (with what to do about it) as their `Display`.

use super::address::AddressError;
use crate::tr;
use std::fmt;
use std::io;
use std::net::SocketAddr;

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
        detail: String,
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
        detail: String,
    },
    NotConnected,
    EmptyMessage,
    SendDropped {
        peer: String,
    },
    ListenerFull {
        peer: String,
        limit: usize,
    },
    AcceptFailed {
        detail: String,
    },
    SaveLog {
        path: String,
        detail: String,
    },
    Transcript {
        path: String,
        detail: String,
    },
    TranscriptFailed {
        path: String,
        detail: String,
    },
    NoThread {
        peer: String,
        detail: String,
    },
    /// Multicast DNS could not start: nothing is announced or found.
    Discovery {
        detail: String,
    },
    /// Saved settings that could not be used, already a sentence.
    Settings(String),
}

impl fmt::Display for Error {
    /// The sentence, in the language of the catalog (`src/i18n`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Error::Address(e) => return e.fmt(f),
            Error::PortInUse { port } => tr!("error-port-in-use", port = port.to_string()),
            Error::PortNeedsRights { port } => {
                tr!("error-port-needs-rights", port = port.to_string())
            }
            Error::ListenFailed { addr, detail } => {
                tr!(
                    "error-listen-failed",
                    addr = addr.to_string(),
                    detail = detail
                )
            }
            Error::AlreadyListening => tr!("error-already-listening"),
            Error::AlreadyConnected => tr!("error-already-connected"),
            Error::Refused { host, port } => {
                tr!("error-refused", host = host, port = port.to_string())
            }
            Error::TimedOut { host } => tr!("error-timed-out", host = host),
            Error::LookupTimedOut { host } => tr!("error-lookup-timed-out", host = host),
            Error::Unreachable { host } => tr!("error-unreachable", host = host),
            Error::ConnectFailed { host, port, detail } => tr!(
                "error-connect-failed",
                host = host,
                port = port.to_string(),
                detail = detail
            ),
            Error::NotConnected => tr!("error-not-connected"),
            Error::EmptyMessage => tr!("error-empty-message"),
            Error::SendDropped { peer } => tr!("error-send-dropped", peer = peer),
            Error::ListenerFull { peer, limit } => {
                tr!(
                    "error-listener-full",
                    peer = peer,
                    limit = limit.to_string()
                )
            }
            Error::AcceptFailed { detail } => tr!("error-accept-failed", detail = detail),
            Error::SaveLog { path, detail } => {
                tr!("error-save-log", path = path, detail = detail)
            }
            Error::Transcript { path, detail } => {
                tr!("error-transcript", path = path, detail = detail)
            }
            Error::TranscriptFailed { path, detail } => {
                tr!("error-transcript-failed", path = path, detail = detail)
            }
            Error::NoThread { peer, detail } => {
                tr!("error-no-thread", peer = peer, detail = detail)
            }
            Error::Discovery { detail } => tr!("error-discovery", detail = detail),
            Error::Settings(sentence) => return f.write_str(sentence),
        };
        f.write_str(&text)
    }
}

impl std::error::Error for Error {}

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
            tr!("error-no-more-threads")
        } else {
            tr!("error-thread-failed", detail = plain_io(err))
        };
        Error::NoThread {
            peer: format!("{} {}", peer.ip().to_canonical(), peer.port()),
            detail,
        }
    }
}

/// An I/O error as words in the language of the run (the system's own words, without
/// Rust's "(os error N)" tail, for the rarer ones).
pub fn plain_io(err: &io::Error) -> String {
    use io::ErrorKind::*;
    match err.kind() {
        NotFound => return tr!("io-not-found"),
        PermissionDenied => return tr!("io-permission-denied"),
        StorageFull => return tr!("io-storage-full"),
        ReadOnlyFilesystem => return tr!("io-read-only"),
        IsADirectory => return tr!("io-is-a-folder"),
        NetworkDown => return tr!("io-network-down"),
        ConnectionReset => return tr!("io-connection-reset"),
        _ => {}
    }
    let text = err.to_string();
    match text.find(" (os error") {
        Some(cut) => text[..cut].to_lowercase(),
        None => text.to_lowercase(),
    }
}
