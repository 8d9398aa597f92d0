//! tcp-chat: a small Qt desktop TCP chat window for people learning networking.
//!
//! - [`engine`]: sockets, threads and the chat's rules, in plain Rust with no Qt.
//! - [`i18n`]: the sentences made in Rust, in English and Korean (`tr!`).
//! - [`bridge`]: the one cxx-qt QObject that the QML window binds to.
//! - [`cli`]: the command line.
//! - [`display`]: whether there is a display for the window, before Qt starts.
//! - [`render`]: which Qt Quick scene graph suits this machine.
//! - [`settings`]: what the window remembers between starts.
//! - [`signals`]: ending when told to (SIGTERM), the LAN announcement withdrawn first.
//! - [`startup`]: what a run starts with: the command line and the saved settings.
//! - [`terminal`]: the same chat in a terminal (`--terminal`), with no window and no Qt.

pub mod bridge;
pub mod cli;
pub mod display;
pub mod engine;
pub mod i18n;
pub mod render;
pub mod settings;
pub mod signals;
pub mod startup;
pub mod terminal;
