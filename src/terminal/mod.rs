//! `tcp-chat --terminal`: the same chat with no window, for a Raspberry Pi over SSH and
//! for scripts. It runs the engine as the window does and never starts Qt.
//!
//! - [`command`]: what a typed line means (a message, or a `/command`).
//! - `console`: on a terminal, a line editor; the log is printed above it.
//! - `pipe`: with stdin or stdout not a terminal, plain lines in and out.

pub mod command;
mod console;
mod pipe;

use crate::cli::Startup;
use crate::engine::event::SHOWN_CHARS;
use crate::engine::sink::DEFAULT_QUEUE_CAPACITY;
use crate::engine::transcript::Transcript;
use crate::engine::{clock, Chat, Event, EventQueue, LineKind};
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

/// Exit codes: done, a connection or listen error (a usage error is clap's 2).
pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;

/// Runs the chat in this terminal (or between pipes) until it is done; returns the exit
/// code.
pub fn run(startup: Startup) -> i32 {
    // Sentences that name a button name the command here.
    crate::i18n::set_front_end(crate::i18n::FrontEnd::Terminal);
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        console::run(startup)
    } else {
        pipe::run(startup)
    }
}

/// The log lines of `events` as the window shows them: each cut as the window cuts it,
/// after the time it is printed when `times` is on.
fn log_lines(events: Vec<Event>, times: bool) -> impl Iterator<Item = (LineKind, String)> {
    let time = times.then(|| clock::log_time(clock::seconds_of_day(&clock::now())));
    events.into_iter().map(move |event| {
        let (kind, line) = event.shortened(SHOWN_CHARS).log_line();
        match &time {
            Some(time) => (kind, format!("{time} {line}")),
            None => (kind, line),
        }
    })
}

/// The chat with its event queue and transcript, as the window has them. Dropping it
/// closes every connection and the listener, and writes the transcript's last lines.
struct Session {
    chat: Option<Chat>,
    queue: Arc<EventQueue>,
    transcript: Option<Transcript>,
}

impl Session {
    /// The chat as the command line sets it up; nothing is started yet.
    fn open(startup: &Startup) -> Self {
        // The consumer waits on the queue itself (`wait_drain`): nothing to wake.
        let queue = Arc::new(EventQueue::new(DEFAULT_QUEUE_CAPACITY, || {}));
        let transcript = Transcript::start_or_report(
            startup.transcript.as_deref(),
            startup.transcript_max,
            &queue,
        );
        let mut chat = Chat::new(startup.settings.clone(), queue.clone());
        if startup.discovery {
            // `/nearby` reads the list when asked.
            chat.start_discovery(|| {});
        }
        Self {
            chat: Some(chat),
            queue,
            transcript,
        }
    }

    /// Ends the process when it is told to (SIGTERM, SIGHUP, SIGINT): after the
    /// announcement is withdrawn and `first` has run, the transcript writes what it has
    /// (unless the disk hangs), and the process exits with 128 + the signal.
    fn end_on_signal(&self, first: impl FnOnce() + Send + 'static) {
        let (queue, transcript) = (self.queue.clone(), self.transcript.clone());
        crate::signals::watch(move |signal| {
            // The terminal may be gone (SIGHUP): nothing here may stop the exit.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(first));
            queue.close();
            if let Some(transcript) = &transcript {
                transcript.finish(Duration::from_secs(1));
            }
            std::process::exit(128 + signal);
        });
    }

    fn chat(&mut self) -> &mut Chat {
        self.chat
            .as_mut()
            .expect("the chat lives as long as the session")
    }

    /// Listens and connects as `--listen` and `--connect` ask; false when either failed
    /// at once (the error is in the log).
    fn start(&mut self, startup: &Startup) -> bool {
        let mut ok = true;
        if startup.listen {
            ok &= self.chat().listen(&startup.listen_port).is_ok();
        }
        if startup.connect {
            ok &= self.chat().connect(&startup.host, &startup.port).is_ok();
        }
        ok
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // As the window does: let readers waiting for room go, close every connection
        // and the listener, and let the transcript write what it has (unless the disk
        // hangs).
        self.queue.close();
        self.chat.take();
        if let Some(transcript) = &self.transcript {
            transcript.finish(Duration::from_secs(1));
        }
    }
}
