//! Soak: two tcp-chat chats paired on loopback for a long time (10 minutes unless
//! `--minutes N`), 100 lines a second each way, reconnecting every 10 seconds. Reports
//! lines lost or out of order, and resident memory, threads and descriptors at the
//! start and the end. Not part of CI: `cargo bench --bench soak -- --minutes 10`.
//!
//! One chat is the real window (qml/main.qml, under Xvfb); the other is a second
//! ChatBackend in the same process, connecting to the window's listener. Lines from the
//! window go to its listener's peer; lines from the other go over its connection.

use cxx_qt_lib::{QGuiApplication, QString};

use std::pin::Pin;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
mod common;

use common::open_window;
use common::xvfb::Xvfb;
use tcp_chat::bridge::{new_backend, ChatBackend};
use tcp_chat::startup::WindowStart;

const RATE_PER_SECOND: u64 = 100;
const RECONNECT_EVERY: Duration = Duration::from_secs(10);

/// What one direction has sent and what arrived.
#[derive(Default)]
struct Direction {
    accepted: u64,
    refused: u64,
    /// The next sequence number expected at the other side.
    next_expected: u64,
    out_of_order: u64,
    seen_total: u64,
}

/// How far resident memory may move after the first minute and still count as flat.
const FLAT_MB: f64 = 3.0;

fn main() {
    let minutes: f64 = std::env::args()
        .skip_while(|a| a != "--minutes")
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(10.0);
    let xvfb = Xvfb::start();
    std::env::set_var("DISPLAY", &xvfb.display);
    // The real window in this process.
    let common::Window {
        mut app,
        engine,
        backend,
        handle: window,
    } = open_window(WindowStart::default());
    let app = app.as_mut().expect("QGuiApplication");
    let mut other = new_backend();
    let mut b = other.pin_mut();

    let port = Arc::new(Mutex::new(0));
    {
        let port = port.clone();
        window
            .queue(move |mut w| {
                w.as_mut().toggle_listen(&QString::from("0"));
                *port.lock().unwrap() = *w.listen_port();
            })
            .unwrap();
    }
    pump(&app, Duration::from_millis(300));
    let port = QString::from(port.lock().unwrap().to_string().as_str());
    let host = QString::from("127.0.0.1");
    connect(&app, b.as_mut(), &host, &port);

    let a_to_b = Arc::new(Mutex::new(Direction::default()));
    let mut b_to_a = Direction::default();
    let a_seen = Arc::new(Mutex::new((0u64, 0u64, 0u64))); // (total seen, next expected, out of order)
    let mut b_total = b.total_lines();
    let start_figures = Figures::now();
    let started = Instant::now();
    let end = started + Duration::from_secs_f64(minutes * 60.0);
    let tick = Duration::from_micros(1_000_000 / RATE_PER_SECOND);
    let mut next_send = Instant::now();
    let mut next_reconnect = Instant::now() + RECONNECT_EVERY;
    let mut reconnects = 0;
    let mut samples = vec![start_figures.rss_mb];
    let mut next_sample = Instant::now() + Duration::from_secs(60);
    while Instant::now() < end {
        if Instant::now() >= next_sample {
            samples.push(Figures::now().rss_mb);
            next_sample += Duration::from_secs(60);
        }
        if Instant::now() >= next_reconnect {
            // Let what was sent arrive, then close and connect again.
            pump(&app, Duration::from_millis(300));
            check_b(&b, &mut b_total, &a_to_b);
            b.as_mut().toggle_connect(&host, &port);
            pump_until(&app, "disconnected", || !b.is_connected());
            connect(&app, b.as_mut(), &host, &port);
            reconnects += 1;
            next_reconnect = Instant::now() + RECONNECT_EVERY;
        }
        if Instant::now() >= next_send {
            let n = b_to_a.accepted;
            if b.as_mut()
                .send(&QString::from(format!("soak B {n}").as_str()))
            {
                b_to_a.accepted += 1;
            } else {
                b_to_a.refused += 1;
            }
            let direction = a_to_b.clone();
            let _ = window.queue(move |mut w| {
                let mut d = direction.lock().unwrap();
                let text = format!("soak A {}", d.accepted);
                if w.as_mut().send(&QString::from(text.as_str())) {
                    d.accepted += 1;
                } else {
                    d.refused += 1;
                }
            });
            scan_window(&window, &a_seen);
            next_send += tick;
        }
        app.process_events();
        check_b(&b, &mut b_total, &a_to_b);
        std::thread::sleep(Duration::from_micros(500));
    }
    pump(&app, Duration::from_millis(500));
    check_b(&b, &mut b_total, &a_to_b);
    scan_window(&window, &a_seen);
    pump(&app, Duration::from_millis(100));
    let end_figures = Figures::now();
    let a = a_to_b.lock().unwrap();
    let (_, b_arrived, b_disorder) = *a_seen.lock().unwrap();
    let lost_ab = a.accepted - a.next_expected;
    let lost_ba = b_to_a.accepted - b_arrived;
    println!(
        "soak: {:.1} minutes, {reconnects} reconnects",
        started.elapsed().as_secs_f64() / 60.0
    );
    println!("  window -> other: {} sent, {} arrived, {lost_ab} lost, {} out of order, {} refused while reconnecting",
        a.accepted, a.next_expected, a.out_of_order, a.refused);
    println!("  other -> window: {} sent, {b_arrived} arrived, {lost_ba} lost, {b_disorder} out of order, {} refused while reconnecting",
        b_to_a.accepted, b_to_a.refused);
    println!(
        "  resident memory: {:.1} MB at start, {:.1} MB at end",
        start_figures.rss_mb, end_figures.rss_mb
    );
    let minutes: Vec<String> = samples.iter().map(|mb| format!("{mb:.1}")).collect();
    println!("  resident memory each minute (MB): {}", minutes.join(", "));
    println!(
        "  threads: {} at start, {} at end",
        start_figures.threads, end_figures.threads
    );
    println!(
        "  open descriptors: {} at start, {} at end",
        start_figures.fds, end_figures.fds
    );
    // Memory may rise in the first minute while both logs fill; after it, it stays flat:
    // within FLAT_MB of the first minute's figure every minute after.
    let flat = match samples.get(1) {
        Some(&first) => samples[1..]
            .iter()
            .chain([&end_figures.rss_mb])
            .all(|mb| (mb - first).abs() <= FLAT_MB),
        None => true, // under a minute: nothing after the first minute to compare
    };
    println!(
        "  memory flat after the first minute (within {FLAT_MB} MB): {}",
        if flat { "yes" } else { "NO" }
    );
    let pass = flat
        && lost_ab == 0
        && lost_ba == 0
        && a.out_of_order == 0
        && b_disorder == 0
        && end_figures.threads <= start_figures.threads
        && end_figures.fds <= start_figures.fds;
    println!("soak: {}", if pass { "PASS" } else { "FAIL" });
    drop(engine);
    drop(backend);
    std::process::exit(i32::from(!pass));
}

/// Has the window's Qt thread read what the window received since last time and check
/// the sequence: (lines seen in all, next number expected, numbers out of order).
fn scan_window(window: &cxx_qt::CxxQtThread<ChatBackend>, seen: &Arc<Mutex<(u64, u64, u64)>>) {
    let seen = seen.clone();
    let _ = window.queue(move |w| {
        let mut s = seen.lock().unwrap();
        let new = (w.total_lines() - s.0) as usize;
        let count = w.line_count();
        for i in count.saturating_sub(new)..count {
            if let Some(n) = w
                .line(i)
                .and_then(|l| l.strip_prefix("[rcv] soak B ").map(str::to_string))
            {
                if n.parse::<u64>().ok() == Some(s.1) {
                    s.1 += 1;
                } else {
                    s.2 += 1;
                }
            }
        }
        s.0 = w.total_lines();
    });
}

/// Reads what the other chat received since last time and checks the sequence.
fn check_b(b: &Pin<&mut ChatBackend>, seen_total: &mut u64, direction: &Arc<Mutex<Direction>>) {
    let total = b.total_lines();
    let new = (total - *seen_total) as usize;
    let count = b.line_count();
    let mut d = direction.lock().unwrap();
    for i in count.saturating_sub(new)..count {
        if let Some(n) = b
            .line(i)
            .and_then(|l| l.strip_prefix("[rcv] soak A ").map(str::to_string))
        {
            if n.parse::<u64>().ok() == Some(d.next_expected) {
                d.next_expected += 1;
            } else {
                d.out_of_order += 1;
            }
        }
    }
    d.seen_total = total;
    *seen_total = total;
}

fn connect(
    app: &Pin<&mut QGuiApplication>,
    mut b: Pin<&mut ChatBackend>,
    host: &QString,
    port: &QString,
) {
    b.as_mut().toggle_connect(host, port);
    pump_until(app, "connected", || b.is_connected());
}

fn pump(app: &Pin<&mut QGuiApplication>, time: Duration) {
    let end = Instant::now() + time;
    while Instant::now() < end {
        app.process_events();
        std::thread::sleep(Duration::from_micros(500));
    }
}

fn pump_until(app: &Pin<&mut QGuiApplication>, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "soak: not {what} within 10 s");
        app.process_events();
        std::thread::sleep(Duration::from_micros(500));
    }
}

struct Figures {
    rss_mb: f64,
    threads: usize,
    fds: usize,
}

impl Figures {
    fn now() -> Self {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let rss_kb: f64 = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0.0);
        Self {
            rss_mb: rss_kb / 1024.0,
            threads: std::fs::read_dir("/proc/self/task")
                .map(|d| d.count())
                .unwrap_or(0),
            fds: std::fs::read_dir("/proc/self/fd")
                .map(|d| d.count())
                .unwrap_or(0),
        }
    }
}
