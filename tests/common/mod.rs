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
                    Event::Received { text, .. } => text,
                    _ => unreachable!(),
                }
            })
            .collect()
    }

    /// Waits for an error event and returns its sentence.
    pub fn error(&mut self) -> String {
        match self.wait_for("an error", |e| matches!(e, Event::Error(_))) {
            Event::Error(e) => e.to_string(),
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
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .expect("a line before the deadline");
    line.trim_end_matches('\n').to_string()
}

/// Reads until the peer closes, within the deadline; returns what came.
pub fn read_to_end(stream: &mut TcpStream) -> Vec<u8> {
    let mut all = Vec::new();
    let _ = stream.read_to_end(&mut all);
    all
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

/// A port that was free a moment ago (for a peer program that must be told its port).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
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

pub mod app;
pub mod mdns;
pub mod netns;
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
