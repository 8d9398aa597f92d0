//! The chat engine: plain Rust, no Qt. Sockets, threads, line framing and the rules of
//! the chat live here, and everything that happens is reported as an [`event::Event`]
//! to an [`sink::EventSink`].

pub mod address;
pub mod chat;
pub mod client;
pub mod connection;
pub mod dial;
pub mod error;
pub mod event;
pub mod framing;
pub mod hostinfo;
pub mod listener;
pub mod sink;
pub mod transcript;

pub use chat::{Chat, LineEnding, Settings, Status};
pub use error::Error;
pub use event::{Event, LeaveReason, LineKind, Side};
pub use sink::{EventQueue, EventSink};
