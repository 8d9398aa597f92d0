//! `--terminal` with stdin or stdout not a terminal: for scripts. Each line of stdin is a
//! message (sent as typed: no commands here), at the peers' pace; the log goes to
//! stdout as plain lines, its `Error :` lines to stderr. At the end of stdin, everything
//! queued is sent, replies are printed until the peers have been quiet for a second,
//! and it exits: 0 when all went, 1 after a connection or listen error.

use super::{EXIT_FAILED, EXIT_OK};
use crate::engine::{Event, EventQueue, LineKind, Session, Stop};
use crate::i18n::Speech;
use crate::startup::Startup;
use std::io::{BufRead, Read, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long the peers must be quiet after the end of stdin before leaving.
pub const QUIET_AT_END: Duration = Duration::from_secs(1);

/// The longest message read from stdin; a longer line goes as several messages, so that
/// a file with no newline at all cannot fill memory.
pub const MAX_MESSAGE: usize = 1024 * 1024;

pub fn run(startup: Startup, speech: Speech, stop: &Stop) -> i32 {
    let mut session = super::open_session(&startup, speech, stop);
    let progress = Arc::new(Progress::default());
    let printer = match spawn_printer(
        session.queue().clone(),
        progress.clone(),
        speech,
        startup.timestamps,
    ) {
        Ok(printer) => printer,
        Err(e) => {
            eprintln!("{}", crate::tr!("pipe-no-printer", detail = e.to_string()));
            return EXIT_FAILED;
        }
    };
    let code = chat(&mut session, &startup, &progress);
    // Everything reported so far is printed before leaving.
    progress.lock().stop = true;
    let _ = printer.join();
    drop(session);
    code
}

/// Sends stdin's lines; returns the exit code.
fn chat(session: &mut Session, startup: &Startup, progress: &Progress) -> i32 {
    if !super::start(session, startup) {
        return EXIT_FAILED;
    }
    if startup.connect && !progress.wait(|p| p.connected || p.failed) {
        return EXIT_FAILED;
    }
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut line = Vec::new();
    loop {
        line.clear();
        let mut limited = Read::take(&mut input, MAX_MESSAGE as u64);
        match limited.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                eprintln!(
                    "{}",
                    crate::tr!("pipe-stdin-unreadable", detail = e.to_string())
                );
                return EXIT_FAILED;
            }
        }
        let text = message(&line);
        if text.is_empty() {
            continue;
        }
        // With only a listener, the first message waits for a peer, as `nc -l` does.
        if startup.listen && !startup.connect && session.chat().peers().is_empty() {
            progress.wait(|p| p.peers > 0 || p.failed);
        }
        let chat = session.chat();
        chat.wait_for_room(text.len());
        if chat.send(&text).is_err() {
            return EXIT_FAILED;
        }
    }
    session.chat().wait_until_written();
    // Replies, until the peers are quiet.
    let mut guard = progress.lock();
    loop {
        let quiet_for = guard.last_heard.elapsed();
        if quiet_for >= QUIET_AT_END {
            break;
        }
        guard = progress
            .changed
            .wait_timeout(guard, QUIET_AT_END - quiet_for)
            .unwrap_or_else(|p| p.into_inner())
            .0;
    }
    if guard.failed {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

/// A line of stdin as a message: without its line ending, invalid UTF-8 replaced.
fn message(line: &[u8]) -> String {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    String::from_utf8_lossy(line).into_owned()
}

/// What the log has said so far, for the sender to wait on.
struct Progress {
    state: Mutex<ProgressState>,
    changed: Condvar,
}

struct ProgressState {
    /// The outgoing connection came up.
    connected: bool,
    /// An error was reported (the exit code is then 1).
    failed: bool,
    /// Peers connected to the listener.
    peers: usize,
    /// When the log last said something.
    last_heard: Instant,
    /// The printer prints what is left and ends.
    stop: bool,
}

impl Default for Progress {
    fn default() -> Self {
        Self {
            state: Mutex::new(ProgressState {
                connected: false,
                failed: false,
                peers: 0,
                last_heard: Instant::now(),
                stop: false,
            }),
            changed: Condvar::new(),
        }
    }
}

impl Progress {
    fn lock(&self) -> MutexGuard<'_, ProgressState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until `done` holds; returns false if a failure came first.
    fn wait(&self, done: impl Fn(&ProgressState) -> bool) -> bool {
        let state = self
            .changed
            .wait_while(self.lock(), |p| !done(p) && !p.failed)
            .unwrap_or_else(|p| p.into_inner());
        !state.failed
    }

    fn heard(&self, events: &[Event]) {
        if events.is_empty() {
            return;
        }
        let mut state = self.lock();
        state.last_heard = Instant::now();
        for event in events {
            match event {
                Event::Connected { .. } => state.connected = true,
                Event::Error(_) => state.failed = true,
                Event::PeerConnected { .. } => state.peers += 1,
                Event::PeerLeft { .. } => state.peers = state.peers.saturating_sub(1),
                _ => {}
            }
        }
        drop(state);
        self.changed.notify_all();
    }
}

/// Prints the log as it comes until told to stop, then what was reported before that.
fn spawn_printer(
    queue: Arc<EventQueue>,
    progress: Arc<Progress>,
    speech: Speech,
    times: bool,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("tcp-chat-printer".into())
        .spawn(move || loop {
            let events = queue.wait_drain(Duration::from_millis(100));
            progress.heard(&events);
            print(events, speech, times);
            if progress.lock().stop {
                // Everything reported before the stop is in the queue by now.
                print(queue.drain(), speech, times);
                return;
            }
        })
}

/// Prints log lines: `Error :` lines on stderr, the rest on stdout.
fn print(events: Vec<Event>, speech: Speech, times: bool) {
    if events.is_empty() {
        return;
    }
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    for (kind, line) in super::log_lines(events, speech, times) {
        // A reader that has gone away (`| head`) is no reason to stop the chat.
        let _ = if kind == LineKind::Error {
            writeln!(err, "{line}")
        } else {
            writeln!(out, "{line}")
        };
    }
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_of_stdin_loses_its_line_ending_and_nothing_else() {
        assert_eq!(message(b"hello\n"), "hello");
        assert_eq!(message(b"hello\r\n"), "hello");
        assert_eq!(message(b" two  words "), " two  words ");
        assert_eq!(message("안녕\n".as_bytes()), "안녕");
        assert_eq!(message(b"bad \xff byte\n"), "bad \u{fffd} byte");
    }
}
