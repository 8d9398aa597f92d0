//! Helpers shared by the engine tests: a chat wired to a real event queue, and waits
//! that end at a deadline instead of sleeping and hoping.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tcp_chat::engine::{Chat, Event, EventQueue, Settings};

/// The longest any single wait in a test may take before it fails.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// The window's words in English, for the sentences tests read.
#[allow(dead_code)]
pub const ENGLISH: tcp_chat::i18n::Speech = tcp_chat::i18n::Speech {
    lang: tcp_chat::i18n::Lang::En,
    ui: tcp_chat::i18n::FrontEnd::Window,
};

/// A chat engine with the queue its events go to, and every event seen so far.
pub struct Harness {
    pub chat: Chat,
    pub queue: Arc<EventQueue>,
    pub seen: Vec<Event>,
}

impl Harness {
    pub fn new() -> Self {
        Self::with(Settings::default())
    }

    pub fn with(settings: Settings) -> Self {
        let queue = Arc::new(EventQueue::new(
            tcp_chat::engine::sink::DEFAULT_QUEUE_CAPACITY,
            || {},
        ));
        let chat = Chat::new(settings, queue.clone());
        Self {
            chat,
            queue,
            seen: Vec::new(),
        }
    }

    /// Listens on a free loopback-reachable port and returns it.
    pub fn listen(&mut self) -> u16 {
        self.chat.listen("0").expect("listen on a free port")
    }

    /// Waits until an event matching `what` arrives (or has arrived since the last wait)
    /// and returns it; fails with everything seen when the deadline passes.
    pub fn wait_for(&mut self, name: &str, what: impl Fn(&Event) -> bool) -> Event {
        let deadline = Instant::now() + DEADLINE;
        let mut from = 0;
        loop {
            if let Some(i) = self.seen[from..].iter().position(&what) {
                let found = self.seen.remove(from + i);
                return found;
            }
            from = self.seen.len();
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no {name} within {DEADLINE:?}; seen: {:#?}",
                self.seen
            );
            self.seen
                .extend(self.queue.wait_drain(left.min(Duration::from_millis(200))));
        }
    }

    /// Waits for `n` received lines and returns their texts, in order.
    pub fn received(&mut self, n: usize) -> Vec<String> {
        (0..n)
            .map(|_| {
                match self.wait_for("a received line", |e| matches!(e, Event::Received { .. })) {
                    Event::Received { text, .. } => text.to_string(),
                    _ => unreachable!(),
                }
            })
            .collect()
    }

    /// Waits for an error event and returns its sentence.
    pub fn error(&mut self) -> String {
        match self.wait_for("an error", |e| matches!(e, Event::Error(_))) {
            Event::Error(e) => ENGLISH.error(&e),
            _ => unreachable!(),
        }
    }

    /// Takes what has arrived so far without waiting.
    pub fn settle(&mut self) {
        self.seen.extend(self.queue.drain());
    }
}

/// Connects to our listener on loopback.
pub fn peer(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the listener");
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream
}

/// Reads one `\n`-terminated line (without it) from `stream`, within the deadline.
pub fn read_line(reader: &mut BufReader<TcpStream>) -> String {
    reader
        .get_ref()
        .set_read_timeout(Some(DEADLINE))
        .expect("a read timeout");
    let mut line = String::new();
    let n = reader
        .read_line(&mut line)
        .expect("a line before the deadline");
    assert!(n > 0, "the peer closed before sending a line");
    line.trim_end_matches('\n').to_string()
}

/// Reads until the peer closes (EOF, or a reset), within the deadline; returns what came.
/// A peer still open at the deadline fails the test: a timeout is not a close.
pub fn read_to_end(stream: &mut TcpStream) -> Vec<u8> {
    read_until_closed(stream, DEADLINE).0
}

/// How a peer's side of a connection ended, as its reader saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// An orderly close: the read returned 0 (FIN).
    Eof,
    /// The connection was reset (RST).
    Reset,
}

/// Reads until the other side closes, within `limit`; returns what came and how it ended.
/// Fails if the connection is still open at the deadline, or on any other read error.
pub fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (Vec<u8>, Closed) {
    let deadline = Instant::now() + limit;
    let mut all = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "the connection is still open after {limit:?} (got {} bytes)",
            all.len()
        );
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut buf) {
            Ok(0) => return (all, Closed::Eof),
            Ok(n) => all.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return (all, Closed::Reset)
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => panic!("reading until the peer closes: {e}"),
        }
    }
}

/// What a peer that the listener turns away (or closes) reads: its one sentence, if any,
/// then the end of the connection, within [`DEADLINE`].
pub fn told_and_closed(mut stream: TcpStream) -> String {
    let (said, _) = read_until_closed(&mut stream, DEADLINE);
    String::from_utf8_lossy(&said).into_owned()
}

/// Runs `f` on a thread of its own and returns what it returns, or fails the test, naming
/// `what` was awaited, when it has not returned within `limit`. For a call that has no
/// deadline of its own (`accept`, a pipe's `read_line`, a child's output).
pub fn within<T: Send + 'static>(
    what: &str,
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(value) => value,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what} did not happen within {limit:?}")
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            panic!("waiting for {what}: the waiting thread failed")
        }
    }
}

/// Runs `command` to its end and returns what it printed; a program still running after
/// `limit` is killed and fails the test, naming `what` it was.
pub fn output_within(
    what: &str,
    command: &mut std::process::Command,
    limit: Duration,
) -> std::process::Output {
    let child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => out.unwrap_or_else(|e| panic!("waiting for {what}: {e}")),
        Err(_) => {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("{what} was still running after {limit:?}")
        }
    }
}

/// Accepts one connection on `server` within the deadline, or fails saying nobody came.
pub fn accept_within(server: &std::net::TcpListener) -> TcpStream {
    let server = server.try_clone().expect("a second handle on the listener");
    let stream = within("a connection to accept", DEADLINE, move || server.accept())
        .expect("accept")
        .0;
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream
}

/// Reads one line from a pipe (a child's output) within the deadline; `None` at its end.
pub fn pipe_line<R: BufRead + Send + 'static>(reader: R, what: &str) -> (R, Option<String>) {
    within(what, DEADLINE, move || {
        let mut reader = reader;
        let mut line = String::new();
        let n = reader
            .read_line(&mut line)
            .expect("read a line from the pipe");
        (reader, (n > 0).then_some(line))
    })
}

/// Connects to our listener on 127.0.0.1 from `source` (any 127.x.y.z: all of 127.0.0.0/8
/// is this machine), as a second computer would from an address of its own.
#[allow(dead_code)]
pub fn connect_from(source: std::net::Ipv4Addr, port: u16) -> TcpStream {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a socket");
    socket
        .bind(&std::net::SocketAddr::from((source, 0)).into())
        .expect("bind the source address");
    socket
        .connect_timeout(
            &std::net::SocketAddr::from(([127, 0, 0, 1], port)).into(),
            DEADLINE,
        )
        .expect("connect to the listener");
    let stream: TcpStream = socket.into();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream
}

pub fn send(stream: &mut TcpStream, bytes: &[u8]) {
    stream.write_all(bytes).expect("write to tcp-chat");
}

/// Waits until `check` holds, polling briefly, or fails at the deadline.
pub fn eventually(name: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !check() {
        assert!(
            Instant::now() < deadline,
            "{name} did not happen within {DEADLINE:?}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Whether the tests run as root (network namespaces, dropping rights with setpriv).
pub fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n")
}

pub fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}
/// One of the course's console scripts (`TCP_ChatClient.py`, `TCP_ChatServer.py`, as
/// written again in tests/peers), run with Python through `prefix` (such as `ip netns exec
/// B`, or nothing) against `host` and `port`.
pub fn course_peer(prefix: &[&str], name: &str, host: &str, port: u16) -> std::process::Command {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/");
    let mut command = match prefix.split_first() {
        Some((first, rest)) => {
            let mut c = std::process::Command::new(first);
            c.args(rest).arg("python3");
            c
        }
        None => std::process::Command::new("python3"),
    };
    command
        .arg("-u")
        .arg(format!("{script}{name}"))
        .arg(host)
        .arg(port.to_string());
    command
}

/// A transcript line without the time in front of it (`2026-11-26T14:05:09.123+09:00 `).
pub fn without_time(line: &str) -> &str {
    let b = line.as_bytes();
    let stamped = b.len() > 30
        && b[4] == b'-'
        && b[10] == b'T'
        && b[19] == b'.'
        && (b[23] == b'+' || b[23] == b'-')
        && b[29] == b' ';
    if stamped {
        &line[30..]
    } else {
        line
    }
}

/// The complete lines of a file that may still be being written (a transcript): its bytes
/// up to the last newline, decoded; empty while the file does not exist. A read that ends
/// inside a line, or inside a character, never reads as text that was not written.
pub fn complete_lines(path: &std::path::Path) -> String {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return String::new(),
        Err(e) => panic!("reading {}: {e}", path.display()),
    };
    let end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    String::from_utf8(bytes[..end].to_vec())
        .unwrap_or_else(|e| panic!("{} has a line that is not UTF-8: {e}", path.display()))
}

/// A transcript's text without the times in front of its lines.
pub fn without_times(text: &str) -> String {
    text.lines()
        .map(|l| format!("{}\n", without_time(l)))
        .collect()
}

/// A folder for settings that no test shares with the home folder (a window that closes
/// saves its fields).
pub fn test_config_home() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("tcp-chat-test-config-{}", std::process::id()))
}

/// A port for a program under test to listen on (see `ports`).
pub fn free_port() -> u16 {
    ports::free_port()
}

pub mod app;
pub mod mdns;
pub mod netns;
pub mod ports;
pub mod process;
pub mod program;
pub mod tmux;
pub mod xvfb;

/// A test that needs what this machine cannot give (root, namespaces, cgroups) says why
/// and passes, except under CI (`CI=true`), where it fails: CI must run every test.
pub fn cannot_run(why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("this test cannot run here, and CI must run it: {why}");
    }
    println!("skipped: {why}");
}
