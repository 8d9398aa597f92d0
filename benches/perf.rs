//! tcp-chat's performance, each figure beside a baseline measured in the same run.
//!
//! `cargo bench --bench perf` (or `./dev.sh bench`) prints one table. Rows 1, 2 and 5 run
//! the real window (qml/main.qml with its ChatBackend, engine and all) inside this
//! process under Xvfb, so that its log model can be watched; rows 3, 4 and 6 run the
//! real binary as a person starts it. `--quick` runs fewer iterations (a smoke test).

use cxx_qt::CxxQtThread;
use cxx_qt_lib::{QGuiApplication, QString};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};
mod common;

use common::open_window;
use common::xvfb::Xvfb;
use tcp_chat::bridge::{new_backend, ChatBackend};

struct Sizes {
    round_trips: usize,
    flood_lines: usize,
    pair_messages: usize,
    startups: usize,
}

struct Row {
    what: &'static str,
    ours: String,
    baseline: String,
    ratio: String,
    target: String,
    pass: bool,
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let sizes = if quick {
        Sizes {
            round_trips: 2_000,
            flood_lines: 100_000,
            pair_messages: 200,
            startups: 2,
        }
    } else {
        Sizes {
            round_trips: 20_000,
            flood_lines: 1_000_000,
            pair_messages: 2_000,
            startups: 5,
        }
    };
    let xvfb = Xvfb::start();
    std::env::set_var("DISPLAY", &xvfb.display);
    let mut rows = Vec::new();

    // The real binary, as a person starts it: auto renderer vs Qt's default OpenGL path.
    eprintln!("bench: start-up, idle memory and idle CPU of the binary...");
    let ours = binary_figures(&[], sizes.startups);
    let gl = binary_figures(&[("QSG_RHI_BACKEND", "opengl")], sizes.startups);
    rows.push(Row {
        what: "3. idle memory, window shown 3 s (MB)",
        ours: format!("{:.1}", ours.idle_mb),
        baseline: format!("{:.1} (Qt default GL)", gl.idle_mb),
        ratio: format!("{:.2}", ours.idle_mb / gl.idle_mb),
        target: "<= 53 MB".into(),
        pass: ours.idle_mb <= 53.0,
    });
    rows.push(Row {
        what: "4. start-up to first frame (s, median)",
        ours: format!("{:.3}", ours.startup_s),
        baseline: format!("{:.3} (Qt default GL)", gl.startup_s),
        ratio: format!("{:.2}", ours.startup_s / gl.startup_s),
        target: "<= 0.300 s".into(),
        pass: ours.startup_s <= 0.3,
    });
    rows.push(Row {
        what: "6. idle CPU, listening + 1 peer, 3 s (%)",
        ours: format!("{:.2}", ours.idle_cpu_pct),
        baseline: format!("{:.2} (Qt default GL)", gl.idle_cpu_pct),
        ratio: "-".into(),
        target: "0 % (< 0.5)".into(),
        pass: ours.idle_cpu_pct < 0.5,
    });

    // The real window in this process.
    let (mut app, engine, window) = open_window();
    let app = app.as_mut().expect("QGuiApplication");
    let qt = Qt {
        app: &app,
        window: window.clone(),
    };
    qt.pump_for(Duration::from_millis(500)); // first frames

    eprintln!("bench: request/reply...");
    rows.push(request_reply(&qt, sizes.round_trips));
    eprintln!("bench: flood...");
    rows.extend(flood(&qt, sizes.flood_lines));
    eprintln!("bench: pair latency...");
    rows.push(pair_latency(&qt, sizes.pair_messages));
    drop(engine);

    rows.sort_by_key(|r| r.what);
    print_table(&rows, quick);
}

fn print_table(rows: &[Row], quick: bool) {
    let header = [
        "measure",
        "tcp-chat",
        "baseline (same run)",
        "ratio",
        "target",
        "result",
    ];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            let result = if r.pass { "PASS" } else { "FAIL" };
            [
                r.what.into(),
                r.ours.clone(),
                r.baseline.clone(),
                r.ratio.clone(),
                r.target.clone(),
                result.into(),
            ]
        })
        .collect();
    let width = |i: usize| {
        cells
            .iter()
            .map(|c| c[i].chars().count())
            .chain([header[i].len()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..6).map(width).collect();
    let line = |c: &[String]| {
        let padded: Vec<String> = c
            .iter()
            .zip(&widths)
            .map(|(s, w)| format!("{s:<w$}"))
            .collect();
        println!("| {} |", padded.join(" | "));
    };
    println!();
    if quick {
        println!("(--quick: fewer iterations; figures are indicative only)");
    }
    line(&header.map(String::from));
    println!(
        "|{}|",
        widths
            .iter()
            .map(|w| "-".repeat(w + 2))
            .collect::<Vec<_>>()
            .join("|")
    );
    for c in &cells {
        line(c);
    }
    let failed = rows.iter().filter(|r| !r.pass).count();
    println!("\n{} targets met, {failed} not met", rows.len() - failed);
}

// ---------------------------------------------------------------- the app in-process

/// The Qt thread (this thread) and the window's backend on it.
struct Qt<'a> {
    app: &'a Pin<&'a mut QGuiApplication>,
    window: CxxQtThread<ChatBackend>,
}

impl Qt<'_> {
    /// Runs the event loop while `work` runs on another thread; returns its result.
    fn run_while<R: Send + 'static>(&self, work: impl FnOnce() -> R + Send + 'static) -> R {
        let worker = std::thread::spawn(work);
        while !worker.is_finished() {
            self.app.process_events();
            std::thread::sleep(Duration::from_micros(100));
        }
        worker.join().expect("bench worker")
    }

    fn pump_for(&self, time: Duration) {
        let end = Instant::now() + time;
        while Instant::now() < end {
            self.app.process_events();
            std::thread::sleep(Duration::from_micros(100));
        }
    }

    /// Runs `f` on the window's backend (queued to the Qt thread, which is this one).
    fn on_window<R: Send + 'static>(
        &self,
        f: impl FnOnce(Pin<&mut ChatBackend>) -> R + Send + 'static,
    ) -> R {
        let (tx, rx) = mpsc::channel();
        self.window
            .queue(move |this| {
                let _ = tx.send(f(this));
            })
            .expect("window alive");
        loop {
            self.app.process_events();
            if let Ok(r) = rx.try_recv() {
                return r;
            }
            std::thread::sleep(Duration::from_micros(50));
        }
    }

    fn listen(&self) -> u16 {
        self.on_window(|mut w| {
            if *w.listening() {
                w.as_mut().toggle_listen(&QString::from("0"));
            }
            w.as_mut().toggle_listen(&QString::from("0"));
            *w.listen_port() as u16
        })
    }
}

/// Rounds of each measurement, alternating tcp-chat and its baseline; the median counts.
const ROUNDS: usize = 3;

/// Row 1: request/reply against the window's listener and against a minimal server.
fn request_reply(qt: &Qt, round_trips: usize) -> Row {
    let mut baseline_rounds = Vec::new();
    let mut our_rounds = Vec::new();
    let port = qt.listen();
    for _ in 0..ROUNDS {
        let server = TcpListener::bind("127.0.0.1:0").unwrap();
        let baseline_port = server.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (stream, _) = server.accept().unwrap();
            stream.set_nodelay(true).unwrap();
            let mut writer = stream.try_clone().unwrap();
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                writer.write_all(b"Server OK\n").unwrap();
                line.clear();
            }
        });
        baseline_rounds.push(round_trip_client(baseline_port, round_trips));
        our_rounds.push(qt.run_while(move || round_trip_client(port, round_trips)));
    }
    let median = |mut rounds: Vec<RoundTrips>| {
        rounds.sort_by(|a, b| a.per_second.total_cmp(&b.per_second));
        rounds.swap_remove(rounds.len() / 2)
    };
    let (baseline, ours) = (median(baseline_rounds), median(our_rounds));
    let ratio = ours.per_second / baseline.per_second;
    Row {
        what: "1. request/reply (msg/s; p50/p99 round trip)",
        ours: format!(
            "{:.0}; {:.3}/{:.3} ms",
            ours.per_second, ours.p50_ms, ours.p99_ms
        ),
        baseline: format!(
            "{:.0}; {:.3}/{:.3} ms (1-thread echo server)",
            baseline.per_second, baseline.p50_ms, baseline.p99_ms
        ),
        ratio: format!("{ratio:.2}"),
        target: ">= 0.80 x baseline".into(),
        pass: ratio >= 0.8,
    }
}

struct RoundTrips {
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn round_trip_client(port: u16, n: usize) -> RoundTrips {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_nodelay(true).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut reply = Vec::new();
    let mut times = Vec::with_capacity(n);
    let started = Instant::now();
    for i in 0..n {
        let t0 = Instant::now();
        writer
            .write_all(format!("request {i}\n").as_bytes())
            .unwrap();
        reply.clear();
        reader.read_until(b'\n', &mut reply).unwrap();
        assert_eq!(reply, b"Server OK\n");
        times.push(t0.elapsed());
    }
    let total = started.elapsed();
    times.sort_unstable();
    RoundTrips {
        per_second: n as f64 / total.as_secs_f64(),
        p50_ms: times[n / 2].as_secs_f64() * 1e3,
        p99_ms: times[n * 99 / 100].as_secs_f64() * 1e3,
    }
}

/// One flood line: 32 bytes with its newline.
fn flood_line(i: usize) -> String {
    format!("flood line {i:>20}\n")
}

/// Row 2: a flood of 32-byte lines, timed until the last is in the window's log model.
fn flood(qt: &Qt, lines: usize) -> Vec<Row> {
    assert_eq!(flood_line(0).len(), 32);
    let port = qt.listen();
    let idle_kb = resident_kb();
    let probe = Probe::start(qt.window.clone());
    let mut base_rates = Vec::new();
    let mut our_rates = Vec::new();
    let mut lost = 0;
    let mut in_order = true;
    for _ in 0..ROUNDS {
        // The Qt thread keeps running meanwhile, so the stall probe measures tcp-chat alone.
        base_rates.push(lines as f64 / qt.run_while(move || count_lines_baseline(lines)));
        let round = flood_once(qt, port, lines);
        our_rates.push(lines as f64 / round.seconds);
        lost += round.lost;
        in_order &= round.tail_in_order;
    }
    let (max_late_ms, peak_kb) = probe.stop();
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (ours_rate, base_rate) = (median(our_rates), median(base_rates));
    let growth_mb = peak_kb.saturating_sub(idle_kb) as f64 / 1024.0;
    vec![
        Row {
            what: "2a. flood, lines/s into the log model",
            ours: format!("{ours_rate:.0}"),
            baseline: format!("{base_rate:.0} (read+count loop)"),
            ratio: format!("{:.2}", ours_rate / base_rate),
            target: ">= 0.50 x baseline".into(),
            pass: ours_rate / base_rate >= 0.5,
        },
        Row {
            what: "2b. flood, lines lost / out of order",
            ours: format!(
                "{lost} / {}",
                if in_order { "in order" } else { "OUT OF ORDER" }
            ),
            baseline: "0".into(),
            ratio: "-".into(),
            target: "0, in order".into(),
            pass: lost == 0 && in_order,
        },
        Row {
            what: "2c. flood, peak memory above idle (MB)",
            ours: format!("{growth_mb:.1}"),
            baseline: format!("{:.1} idle", idle_kb as f64 / 1024.0),
            ratio: "-".into(),
            target: "<= 64 MB".into(),
            pass: growth_mb <= 64.0,
        },
        Row {
            what: "2d. flood, longest Qt thread stall (ms)",
            ours: format!("{max_late_ms:.1}"),
            baseline: "-".into(),
            ratio: "-".into(),
            target: "<= 50 ms".into(),
            pass: max_late_ms <= 50.0,
        },
    ]
}

/// Seconds for a loop that reads the flood's bytes and counts the lines.
fn count_lines_baseline(lines: usize) -> f64 {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    let counter = std::thread::spawn(move || {
        let (mut s, _) = server.accept().unwrap();
        let mut buf = vec![0u8; 64 * 1024];
        let mut count = 0;
        let started = Instant::now();
        while count < lines {
            let n = s.read(&mut buf).unwrap();
            assert!(n > 0);
            count += memchr::memchr_iter(b'\n', &buf[..n]).count();
        }
        started.elapsed()
    });
    write_flood(port, lines);
    counter.join().unwrap().as_secs_f64()
}

struct FloodRound {
    seconds: f64,
    lost: u64,
    tail_in_order: bool,
}

/// One flood into the window: from the first byte written to the last line in the model.
fn flood_once(qt: &Qt, port: u16, lines: usize) -> FloodRound {
    let idle = |qt: &Qt| qt.on_window(|w| (*w.peer_count(), w.total_lines()));
    let settled = |qt: &Qt| {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let (peers, total) = idle(qt);
            if peers == 0 {
                return total;
            }
            assert!(Instant::now() < deadline, "the flood's peer never left");
        }
    };
    let before = settled(qt);
    let last = format!("[rcv] {}", flood_line(lines - 1).trim_end());
    let started = Instant::now();
    let writer = std::thread::spawn(move || write_flood(port, lines));
    let window = qt.window.clone();
    let done = Arc::new(AtomicBool::new(false));
    let finished = done.clone();
    // Look at the model from the Qt thread every millisecond, as the view would.
    let watcher = std::thread::spawn(move || {
        while !finished.load(Ordering::SeqCst) {
            let flag = finished.clone();
            let last = last.clone();
            let _ = window.queue(move |w| {
                // All of this round's lines counted, the last one among the newest rows
                // (possibly followed by its Disconnect).
                let n = w.line_count();
                if w.total_lines() > before + lines as u64
                    && (n.saturating_sub(2)..n).any(|i| w.line(i).as_deref() == Some(last.as_str()))
                {
                    flag.store(true, Ordering::SeqCst);
                }
            });
            std::thread::sleep(Duration::from_millis(1));
        }
    });
    qt.run_while(move || watcher.join().unwrap());
    let seconds = started.elapsed().as_secs_f64();
    qt.run_while(move || writer.join().unwrap());
    let tail_in_order = qt.on_window(move |w| {
        let n = w.line_count();
        // The newest rows are the flood's last lines, in order (before its Disconnect).
        let rcv: Vec<String> = (0..n)
            .rev()
            .filter_map(|i| w.line(i))
            .filter(|l| l.starts_with("[rcv] "))
            .take(1000)
            .collect();
        rcv.iter()
            .enumerate()
            .all(|(k, l)| *l == format!("[rcv] {}", flood_line(lines - 1 - k).trim_end()))
    });
    // Every line counted: Connect, the flood, Disconnect.
    let after = settled(qt);
    let lost = (before + lines as u64 + 2).saturating_sub(after);
    FloodRound {
        seconds,
        lost,
        tail_in_order,
    }
}

fn write_flood(port: u16, lines: usize) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    // Read (and drop) the auto-replies, as a well-behaved peer does.
    let mut replies = s.try_clone().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 64 * 1024];
        while replies.read(&mut buf).map(|n| n > 0).unwrap_or(false) {}
    });
    let mut chunk = Vec::with_capacity(64 * 1024);
    for i in 0..lines {
        chunk.extend_from_slice(flood_line(i).as_bytes());
        if chunk.len() >= 60 * 1024 {
            s.write_all(&chunk).unwrap();
            chunk.clear();
        }
    }
    s.write_all(&chunk).unwrap();
    // Done: tcp-chat sees the end and closes, which ends the reply reader too.
    s.shutdown(std::net::Shutdown::Write).unwrap();
}

/// Measures how late the Qt thread runs a call queued every 5 ms, and samples memory.
struct Probe {
    stop: Arc<AtomicBool>,
    max_late_us: Arc<AtomicU64>,
    thread: std::thread::JoinHandle<usize>,
}

impl Probe {
    fn start(window: CxxQtThread<ChatBackend>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let max_late_us = Arc::new(AtomicU64::new(0));
        let (s, m) = (stop.clone(), max_late_us.clone());
        let thread = std::thread::spawn(move || {
            let mut peak_kb = 0;
            while !s.load(Ordering::SeqCst) {
                let queued = Instant::now();
                let m = m.clone();
                let _ = window.queue(move |_| {
                    m.fetch_max(queued.elapsed().as_micros() as u64, Ordering::SeqCst);
                });
                peak_kb = peak_kb.max(resident_kb());
                std::thread::sleep(Duration::from_millis(5));
            }
            peak_kb
        });
        Self {
            stop,
            max_late_us,
            thread,
        }
    }

    /// (longest lateness in ms, peak resident memory in kB)
    fn stop(self) -> (f64, usize) {
        self.stop.store(true, Ordering::SeqCst);
        let peak = self.thread.join().unwrap();
        (
            self.max_late_us.load(Ordering::SeqCst) as f64 / 1000.0,
            peak,
        )
    }
}

/// Row 5: two chats paired on loopback; Send on one to the line in the other's model.
fn pair_latency(qt: &Qt, messages: usize) -> Row {
    let mut other = new_backend();
    let mut b = other.pin_mut();
    b.as_mut().toggle_listen(&QString::from("0"));
    let port = b.listen_port().to_string();
    b.as_mut().set_auto_reply_text(&QString::from(""), false);
    qt.on_window(move |mut w| {
        if *w.listening() {
            w.as_mut().toggle_listen(&QString::from("0"));
        }
        w.as_mut()
            .toggle_connect(&QString::from("127.0.0.1"), &QString::from(port.as_str()));
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while !qt.on_window(|w| *w.connected()) {
        assert!(Instant::now() < deadline, "pairing failed");
    }
    let mut times = Vec::with_capacity(messages);
    for i in 0..messages {
        let text = format!("pair {i}");
        let want = format!("[rcv] {text}");
        let t0 = Instant::now();
        let _ = qt.window.queue(move |w| {
            w.send(&QString::from(text.as_str()));
        });
        loop {
            qt.app.process_events();
            if b.line(b.line_count() - 1).as_deref() == Some(want.as_str()) {
                break;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(5),
                "{want} never arrived"
            );
        }
        times.push(t0.elapsed());
    }
    times.sort_unstable();
    let baseline = loopback_echo_latency(messages);
    let p50 = times[messages / 2].as_secs_f64() * 1e3;
    let p99 = times[messages * 99 / 100].as_secs_f64() * 1e3;
    Row {
        what: "5. pair latency, Send to other's model (ms p50/p99)",
        ours: format!("{p50:.3} / {p99:.3}"),
        baseline: format!(
            "{:.3} / {:.3} (raw loopback one-way)",
            baseline.0, baseline.1
        ),
        ratio: format!("{:.1}", p99 / baseline.1.max(0.001)),
        target: "p99 < 5 ms".into(),
        pass: p99 < 5.0,
    }
}

/// p50/p99 of half a plain loopback round trip: the floor for row 5.
fn loopback_echo_latency(n: usize) -> (f64, f64) {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (mut s, _) = server.accept().unwrap();
        s.set_nodelay(true).unwrap();
        let mut buf = [0u8; 64];
        while let Ok(n) = s.read(&mut buf) {
            if n == 0 || s.write_all(&buf[..n]).is_err() {
                break;
            }
        }
    });
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.set_nodelay(true).unwrap();
    let mut times = Vec::with_capacity(n);
    let mut buf = [0u8; 64];
    for _ in 0..n {
        let t0 = Instant::now();
        c.write_all(b"x").unwrap();
        c.read_exact(&mut buf[..1]).unwrap();
        times.push(t0.elapsed() / 2);
    }
    times.sort_unstable();
    (
        times[n / 2].as_secs_f64() * 1e3,
        times[n * 99 / 100].as_secs_f64() * 1e3,
    )
}

// ---------------------------------------------------------------- the binary

struct BinaryFigures {
    startup_s: f64,
    idle_mb: f64,
    idle_cpu_pct: f64,
}

fn binary() -> std::path::PathBuf {
    // The bench profile builds the binary beside this benchmark.
    let me = std::env::current_exe().unwrap();
    let dir = me.parent().unwrap().parent().unwrap();
    let path = dir.join("tcp-chat");
    assert!(
        path.exists(),
        "build the binary first: cargo build --release ({})",
        path.display()
    );
    path
}

fn binary_figures(env: &[(&str, &str)], runs: usize) -> BinaryFigures {
    let mut startups = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let started = Instant::now();
        let mut child = Command::new(binary())
            .args(["--listen", "--port", &port.to_string()])
            .envs(env.iter().copied())
            .env("QT_LOGGING_RULES", "qt.scenegraph.time.renderloop=true")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                if line.to_lowercase().contains("frame rendered") {
                    let _ = tx.send(());
                }
            }
        });
        rx.recv_timeout(Duration::from_secs(20))
            .expect("no frame within 20 s");
        startups.push(started.elapsed().as_secs_f64());
        if let Some(previous) = last.replace((child, port)) {
            stop(previous.0);
        }
    }
    let (child, port) = last.expect("at least one run");
    let pid = child.id();
    std::thread::sleep(Duration::from_secs(3));
    let idle_mb = rss_kb(pid) as f64 / 1024.0;
    let _peer = TcpStream::connect(("127.0.0.1", port)).unwrap();
    std::thread::sleep(Duration::from_secs(1));
    let cpu0 = cpu_ticks(pid);
    std::thread::sleep(Duration::from_secs(3));
    let cpu1 = cpu_ticks(pid);
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    let idle_cpu_pct = (cpu1 - cpu0) as f64 / hz / 3.0 * 100.0;
    stop(child);
    startups.sort_by(f64::total_cmp);
    BinaryFigures {
        startup_s: startups[startups.len() / 2],
        idle_mb,
        idle_cpu_pct,
    }
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn rss_kb(pid: u32) -> usize {
    status_field(&format!("/proc/{pid}/status"), "VmRSS:")
}

fn resident_kb() -> usize {
    status_field("/proc/self/status", "VmRSS:")
}

fn status_field(path: &str, field: &str) -> usize {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}
