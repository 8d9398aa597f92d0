//! `tcp-chat --terminal`: the same chat with no window, for a Raspberry Pi over SSH and
//! for scripts. It runs the engine as the window does and never starts Qt.
//!
//! - [`command`]: what a typed line means (a message, or a `/command`).
//! - `console`: on a terminal, a line editor; the log is printed above it.
//! - `pipe`: with stdin or stdout not a terminal, plain lines in and out.

pub mod command;
mod console;
mod pipe;

use crate::engine::event::SHOWN_CHARS;
use crate::engine::session::Wake;
use crate::engine::{clock, Event, LineKind, Session, Stop};
use crate::i18n::Speech;
use crate::startup::Startup;
use std::io::IsTerminal;

/// Exit codes: done, a connection or listen error (a usage error is clap's 2).
pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;

/// Runs the chat in this terminal (or between pipes) until it is done, or `stop` is
/// requested (a signal: the process then ends once the session's transcript is written);
/// returns the exit code.
/// `speech` is the terminal's: sentences that name a control name its command.
pub fn run(startup: Startup, speech: Speech, stop: &Stop) -> i32 {
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        console::run(startup, speech, stop)
    } else {
        pipe::run(startup, speech, stop)
    }
}

/// The log lines of `events` as the window shows them: each cut as the window cuts it,
/// after the time it is printed when `times` is on.
fn log_lines(
    events: Vec<Event>,
    speech: Speech,
    times: bool,
) -> impl Iterator<Item = (LineKind, String)> {
    let time = clock::seconds_of_day(&clock::now());
    events.into_iter().map(move |event| {
        let (kind, line) = speech.log_line(&event.shortened(SHOWN_CHARS));
        (kind, clock::shown_line(&line, time, times))
    })
}

/// The session as the command line sets it up; nothing is started yet. `/nearby` reads
/// the Nearby list when asked, so nothing is told when it changes.
fn open_session(startup: &Startup, speech: Speech, stop: &Stop) -> Session {
    Session::open(&startup.config(speech), Wake::Never, || {}, stop)
}

/// Listens and connects as `--listen` and `--connect` ask; false when either failed at
/// once (the error is in the log).
fn start(session: &mut Session, startup: &Startup) -> bool {
    let mut ok = true;
    if startup.listen {
        ok &= session.chat().listen(&startup.listen_port).is_ok();
    }
    if startup.connect {
        ok &= session.chat().connect(&startup.host, &startup.port).is_ok();
    }
    ok
}
