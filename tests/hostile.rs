//! Hostile peers against the real binary: whatever they send, however many at once, with
//! or without a transcript on a slow disk, the window's peak resident memory stays within
//! idle + 100 MB and every line they sent is kept whole and in order in the transcript.
//! (docs/architecture.md, "Memory"; the benchmark has the same attacks on the release build.)

mod common;

use common::app::scratch;
use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The promise: peak resident memory above idle.
const BOUND_MB: f64 = 100.0;

/// The longest an attack may take before the test fails.
const ATTACK_LIMIT: Duration = Duration::from_secs(240);

struct Window {
    child: Child,
    port: u16,
}

impl Window {
    /// The real binary, offscreen, listening with no auto-reply, its transcript at `path`.
    fn start(transcript: &Path) -> Self {
        Self::start_with(transcript, &[])
    }

    /// As [`Window::start`], with `extra` options.
    fn start_with(transcript: &Path, extra: &[&str]) -> Self {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_tcp-chat"))
            .env("XDG_CONFIG_HOME", test_config_home())
            .args(["-platform", "offscreen", "--listen", "--no-auto-reply"])
            // No mDNS on this machine's network: tests talk to loopback only.
            .arg("--no-discovery")
            .args(["--port", &port.to_string()])
            .arg("--transcript")
            .arg(transcript)
            // Every byte in one file (the 64 MiB default would move older ones to .1).
            .args(["--transcript-max", "4G"])
            // 64 peers from this one machine: these attacks are about memory with the
            // listener full, so one address may hold every place (the fair share is
            // tests/pipes.rs's).
            .args(["--max-per-host", "64"])
            .args(extra)
            .env("QT_QUICK_BACKEND", "software")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tcp-chat");
        let window = Self { child, port };
        eventually("tcp-chat to listen", || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        // Resident memory settles once the window is shown and the probe above has left.
        std::thread::sleep(Duration::from_millis(1500));
        window
    }

    fn status_kb(&self, field: &str) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("tcp-chat is running");
        let line = status
            .lines()
            .find(|l| l.starts_with(field))
            .expect("field in /proc status");
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    fn resident_mb(&self) -> f64 {
        self.status_kb("VmRSS:") / 1024.0
    }

    /// The most resident memory the process has had since it started.
    fn peak_mb(&self) -> f64 {
        self.status_kb("VmHWM:") / 1024.0
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to tcp-chat");
    stream.set_nodelay(true).unwrap();
    stream
}

/// Reads the transcript at `path` as it grows, handing each batch of new whole lines to
/// `take`, until it says every line is there. Only whole lines are decoded: the file is
/// still being written, and a read may end in the middle of a line or of a character
/// (the binary peers' U+FFFD). Each line is looked at once, however long the attack.
fn transcript_until(path: &Path, what: &str, mut take: impl FnMut(&str) -> bool) {
    let started = Instant::now();
    let mut pending = Vec::new();
    let mut file = std::fs::File::open(path).expect("the transcript");
    loop {
        file.read_to_end(&mut pending).expect("read the transcript");
        let mut done = false;
        if let Some(end) = pending.iter().rposition(|&b| b == b'\n') {
            let rest = pending.split_off(end + 1);
            let lines = std::mem::replace(&mut pending, rest);
            done = take(std::str::from_utf8(&lines).expect("the transcript's lines are UTF-8"));
        }
        if done {
            return;
        }
        assert!(
            started.elapsed() < ATTACK_LIMIT,
            "{what}: not all in the transcript within {ATTACK_LIMIT:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The `[rcv]` lines of a transcript's text with the port of the peer that sent each
/// (`[rcv] (127.0.0.1 50312) text`; `None` where only one peer was connected).
fn received_by_port(text: &str) -> impl Iterator<Item = (Option<u16>, &str)> {
    text.lines()
        .filter_map(|l| common::without_time(l).strip_prefix("[rcv] "))
        .map(|body| {
            let from = body.strip_prefix('(').and_then(|b| {
                let (who, text) = b.split_once(") ")?;
                Some((who.rsplit(' ').next()?.parse().ok()?, text))
            });
            match from {
                Some((port, text)) => (Some(port), text),
                None => (None, body),
            }
        })
}

fn check_bound(window: &Window, idle: f64, what: &str) {
    let peak = window.peak_mb();
    println!(
        "{what}: idle {idle:.1} MB, peak {peak:.1} MB, {:.1} MB above idle",
        peak - idle
    );
    assert!(
        peak - idle <= BOUND_MB,
        "{what}: peak {peak:.1} MB is {:.1} MB above idle {idle:.1} MB (bound {BOUND_MB} MB)",
        peak - idle
    );
}

/// Peer `i` sends `count` lines `p<i> <j>`; returns a checker that every one arrived,
/// in order, in a transcript's text.
fn flood(port: u16, i: usize, count: usize) -> std::thread::JoinHandle<()> {
    let mut stream = connect(port);
    std::thread::spawn(move || {
        let mut batch = String::new();
        for j in 0..count {
            batch.push_str(&format!("p{i} {j}\n"));
            if batch.len() > 16 * 1024 {
                stream.write_all(batch.as_bytes()).unwrap();
                batch.clear();
            }
        }
        stream.write_all(batch.as_bytes()).unwrap();
        // Stay connected until the window has read it all: the test ends us.
        let _ = stream.read(&mut [0u8; 1]);
    })
}

/// Every flooder's lines (`p<i> <j>`), whole and in order, in a transcript's `[rcv]`
/// lines, fed to it as they come.
struct InOrder {
    /// The number of the next line due from each peer.
    next: Vec<usize>,
    /// How many lines each peer sends.
    count: usize,
}

impl InOrder {
    fn new(peers: usize, count: usize) -> Self {
        Self {
            next: vec![0; peers],
            count,
        }
    }

    /// Takes the next lines of the transcript; fails the test on a line out of order.
    fn feed(&mut self, text: &str) {
        for line in text
            .lines()
            .map(common::without_time)
            .filter(|l| l.starts_with("[rcv] "))
        {
            // `[rcv] (127.0.0.1 50312) p3 17` when several peers are connected.
            let body = line
                .rsplit(") ")
                .next()
                .unwrap_or(line)
                .trim_start_matches("[rcv] ");
            let Some((who, n)) = body.split_once(' ') else {
                continue;
            };
            let (Some(i), Ok(n)) = (
                who.strip_prefix('p').and_then(|i| i.parse::<usize>().ok()),
                n.parse::<usize>(),
            ) else {
                continue;
            };
            assert!(
                i < self.next.len() && n == self.next[i],
                "peer {i}: line {n} where {} was due",
                self.next.get(i).copied().unwrap_or(0)
            );
            self.next[i] += 1;
        }
    }

    /// Whether every peer's every line has come.
    fn complete(&self) -> bool {
        self.next.iter().all(|&n| n == self.count)
    }
}

#[test]
fn a_peer_that_never_sends_a_newline_keeps_memory_bounded_and_every_byte_is_kept() {
    let dir = scratch("hostile-no-newline");
    let transcript = dir.join("transcript.txt");
    let window = Window::start(&transcript);
    let idle = window.resident_mb();
    const TOTAL: usize = 160 * 1024 * 1024;
    let mut stream = connect(window.port);
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'x'; 1024 * 1024];
        for _ in 0..TOTAL / chunk.len() {
            stream.write_all(&chunk).unwrap();
        }
        stream
    });
    let mut got = 0;
    transcript_until(&transcript, "160 MB with no newline", |text| {
        got += text
            .lines()
            .filter_map(|l| common::without_time(l).strip_prefix("[rcv] "))
            .map(str::len)
            .sum::<usize>();
        got >= TOTAL
    });
    drop(writer.join().unwrap());
    check_bound(&window, idle, "160 MB with no newline");
}

#[test]
fn sixty_four_peers_sending_lines_pieces_and_binary_at_once_keep_memory_bounded() {
    sixty_four_peers("hostile-64", &[]);
}

#[test]
fn with_the_wire_view_on_sixty_four_peers_keep_memory_bounded_and_lose_no_line() {
    let transcript = sixty_four_peers("hostile-64-wire", &["--wire"]);
    // The view was on: each read is in the transcript before its lines.
    let text = std::fs::read_to_string(transcript).unwrap();
    assert!(text.contains("[wire] <- 127.0.0.1 "), "no wire line");
}

/// 64 peers at once against a window started with `extra`; returns its transcript.
fn sixty_four_peers(name: &str, extra: &[&str]) -> PathBuf {
    let dir = scratch(name);
    let transcript = dir.join("transcript.txt");
    let window = Window::start_with(&transcript, extra);
    let idle = window.resident_mb();
    const LINES: usize = 20_000;
    // 48 short-line floods, 8 peers sending 64 KiB pieces with no newline, 8 sending binary.
    let floods: Vec<_> = (0..48).map(|i| flood(window.port, i, LINES)).collect();
    const BLOCKS: usize = 64;
    let binary_block: Vec<u8> = (0..64 * 1024u32).map(|i| (i * 7 % 256) as u8).collect();
    let mut piece_ports = Vec::new();
    let mut binary_ports = Vec::new();
    let others: Vec<_> = (0..16)
        .map(|k| {
            let mut stream = connect(window.port);
            let port = stream.local_addr().unwrap().port();
            let block = if k < 8 {
                piece_ports.push(port);
                vec![b'y'; 64 * 1024]
            } else {
                binary_ports.push(port);
                binary_block.clone()
            };
            std::thread::spawn(move || {
                for _ in 0..BLOCKS {
                    stream.write_all(&block).expect("tcp-chat took the block");
                }
                let _ = stream.read(&mut [0u8; 1]);
            })
        })
        .collect();
    // Each line-flooder's lines whole and in order; each piece-sender's 4 MiB of `y`, in
    // 64 KiB pieces; each binary peer's lines (one at least for each newline byte sent).
    let piece_bytes = BLOCKS * 64 * 1024;
    let binary_lines = BLOCKS * binary_block.iter().filter(|&&b| b == b'\n').count();
    let mut ys = std::collections::HashMap::<u16, usize>::new();
    let mut lines = std::collections::HashMap::<u16, usize>::new();
    let mut floods_in_order = InOrder::new(48, LINES);
    transcript_until(&transcript, "64 peers", |text| {
        for (port, body) in received_by_port(text) {
            let Some(port) = port else { continue };
            if piece_ports.contains(&port) {
                assert!(
                    body.bytes().all(|b| b == b'y'),
                    "a piece that is not all `y`"
                );
                *ys.entry(port).or_default() += body.len();
            } else if binary_ports.contains(&port) {
                *lines.entry(port).or_default() += 1;
            }
        }
        floods_in_order.feed(text);
        let pieces_done = piece_ports
            .iter()
            .all(|p| ys.get(p).copied().unwrap_or(0) >= piece_bytes);
        let binary_done = binary_ports
            .iter()
            .all(|p| lines.get(p).copied().unwrap_or(0) >= binary_lines);
        pieces_done && binary_done && floods_in_order.complete()
    });
    let checked = format!("{ys:?} {lines:?}");
    println!("pieces and binary lines by port: {checked}");
    check_bound(&window, idle, &format!("64 peers at once {extra:?}"));
    drop(window);
    for t in floods.into_iter().chain(others) {
        let _ = t.join();
    }
    transcript
}

#[test]
fn a_transcript_on_a_slow_disk_slows_the_peers_and_loses_nothing() {
    let dir = scratch("hostile-slow-disk");
    let fifo: PathBuf = dir.join("slow-disk");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    // The "disk": a reader that takes 2 MB a second, started before the window opens it.
    let reader_path = fifo.clone();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let disk = std::thread::spawn(move || {
        let mut file = BufReader::new(std::fs::File::open(reader_path).unwrap());
        let mut line = String::new();
        let mut taken = 0usize;
        let started = Instant::now();
        while file.read_line(&mut line).unwrap_or(0) > 0 {
            taken += line.len();
            if tx.send(std::mem::take(&mut line)).is_err() {
                return;
            }
            let due = Duration::from_secs_f64(taken as f64 / 2e6);
            if let Some(wait) = due.checked_sub(started.elapsed()) {
                std::thread::sleep(wait);
            }
        }
    });
    let window = Window::start(&fifo);
    let idle = window.resident_mb();
    const LINES: usize = 20_000;
    let floods: Vec<_> = (0..16).map(|i| flood(window.port, i, LINES)).collect();
    let started = Instant::now();
    let mut in_order = InOrder::new(16, LINES);
    while !in_order.complete() {
        assert!(
            started.elapsed() < ATTACK_LIMIT,
            "not all lines reached the slow disk: {:?} of {LINES} lines each",
            in_order.next
        );
        // Everything the disk took so far, then one check.
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            let mut text = line;
            while let Ok(line) = rx.try_recv() {
                text.push_str(&line);
            }
            in_order.feed(&text);
        }
    }
    check_bound(&window, idle, "16 floods, transcript on a slow disk");
    drop(window);
    drop(rx);
    for t in floods {
        let _ = t.join();
    }
    let _ = disk.join();
}
