//! tcp-chat: a small Qt desktop TCP chat window for people learning networking.
//!
//! - [`engine`]: sockets, threads and the chat's rules, in plain Rust with no Qt.
//! - [`bridge`]: the one cxx-qt QObject that the QML window binds to.
//! - [`cli`]: the command line.
//! - [`render`]: which Qt Quick scene graph suits this machine.

pub mod bridge;
pub mod cli;
pub mod engine;
pub mod render;
