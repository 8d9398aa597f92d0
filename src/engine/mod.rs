//! The chat engine: plain Rust, no Qt. Sockets, threads, line framing and the rules of
//! the chat live here, and everything that happens is reported as an [`event::Event`]
//! to an [`sink::EventSink`].

pub mod access;
pub mod address;
pub mod chat;
pub mod client;
pub mod clock;
pub mod coalesce;
pub mod connection;
pub mod dial;
pub mod discovery;
pub mod error;
pub mod event;
pub mod framing;
pub mod hex;
pub mod hostinfo;
pub mod listener;
pub mod priority;
pub mod session;
pub mod sink;
pub mod stop;
pub mod transcript;

pub use chat::{Chat, LineEnding, Settings, Status};
pub use error::Error;
pub use event::{Event, LeaveReason, LineKind, Side};
pub use session::Session;
pub use sink::{EventQueue, EventSink};
pub use stop::Stop;

/// Keeps the C library's allocator from giving each of many threads (a reader per peer)
/// a heap of its own: with 64 peers flooding, per-thread heaps cost tens of MB that are
/// never given back. Two heaps serve the Qt thread and the readers. Call once, first
/// thing in `main`.
pub fn limit_heaps() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes the allocator's tuning; called before other threads run.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
