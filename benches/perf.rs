//! tcp-chat's performance, each figure beside a baseline measured in the same run.
//!
//! `cargo bench --bench perf` (or `./dev.sh bench`) prints one table. Rows 1, 2 and 5 run
//! the real window (qml/main.qml with its ChatBackend, engine and all) inside this
//! process under Xvfb, so that its log model can be watched; rows 3, 4 and 6 run the
//! real binary as a person starts it. `--quick` runs fewer iterations (a smoke test).
//! A row that started a program is not met when that program did not live to the row's
//! end; rows 8a-8c need `../shared/original` and, without it, are printed as not run.

use cxx_qt::CxxQtThread;
use cxx_qt_lib::{QGuiApplication, QString};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};
mod common;

use common::limits::Throttling;
use common::open_window;
use common::ports::free_port;
use common::xvfb::Xvfb;
use tcp_chat::bridge::{new_backend, ChatBackend};
use tcp_chat::engine::Event;
use tcp_chat::startup::WindowStart;

struct Sizes {
    round_trips: usize,
    original_round_trips: usize,
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
    result: Verdict,
}

/// What a row came to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Met,
    NotMet,
    /// Not measured in this run, and why: counted apart, neither met nor not met.
    NotRun(&'static str),
}

impl From<bool> for Verdict {
    fn from(met: bool) -> Self {
        if met {
            Verdict::Met
        } else {
            Verdict::NotMet
        }
    }
}

impl Row {
    /// A row that cannot be measured in this run: printed in its place, counted apart.
    fn not_run(what: &'static str, target: &str, why: &'static str) -> Row {
        Row {
            what,
            ours: "-".into(),
            baseline: "-".into(),
            ratio: "-".into(),
            target: target.into(),
            result: Verdict::NotRun(why),
        }
    }

    /// The row, not met whatever its figures when a program it measured did not live to
    /// its end: `ours` for the tcp-chat measured, `baseline` for the baseline's program
    /// (`true` where the baseline is no program of its own).
    fn unless_died(mut self, ours: bool, baseline: bool) -> Row {
        if !ours {
            self.ours = format!("{} DIED", self.ours);
        }
        if !baseline {
            self.baseline = format!("{} DIED", self.baseline);
        }
        if !(ours && baseline) {
            self.result = Verdict::NotMet;
        }
        self
    }
}

fn main() {
    if serve_as_baseline() {
        return;
    }
    // As the binary does, so that the in-process window's memory behaves as it would.
    tcp_chat::engine::limit_heaps();
    let quick = std::env::args().any(|a| a == "--quick");
    let sizes = if quick {
        Sizes {
            round_trips: 2_000,
            original_round_trips: 500,
            flood_lines: 100_000,
            pair_messages: 200,
            startups: 2,
        }
    } else {
        Sizes {
            round_trips: 20_000,
            original_round_trips: 2_000,
            flood_lines: 1_000_000,
            pair_messages: 2_000,
            startups: 5,
        }
    };
    let xvfb = Xvfb::start();
    std::env::set_var("DISPLAY", &xvfb.display);
    let mut rows = Vec::new();

    // `--in-process`: only the rows of the window in this process (1, 2, 5, 7d);
    // `--binary`: only those of the binary started as a person starts it;
    // `--fair-share`: only row 10.
    let only = |option: &str| std::env::args().any(|a| a == option);
    if only("--fair-share") {
        rows.push(fair_share(if quick { 10 } else { 50 }));
        end_with(rows, quick, xvfb);
    }
    // `--small-pi`: the small Pi's table alone.
    if only("--small-pi") {
        let (rows, said) = small_pi_rows(&sizes, quick);
        println!("\nA small Pi, simulated: {said}");
        end_with(rows, quick, xvfb);
    }
    // `--request-reply`: row 1t alone.
    if only("--request-reply") {
        rows.push(transcript_request_reply(sizes.round_trips));
        end_with(rows, quick, xvfb);
    }
    // `--transcript-flood`: row 2t alone (the binary: `perf record -p` its pid).
    if only("--transcript-flood") {
        rows.extend(flood_transcript(sizes.flood_lines));
        end_with(rows, quick, xvfb);
    }
    if !only("--in-process") && !only("--pair") && !only("--flood") {
        binary_rows(&mut rows, &sizes, quick);
    }
    if only("--binary") {
        end_with(rows, quick, xvfb);
    }

    // The real window in this process; its idle memory is taken before any row runs.
    let common::Window {
        mut app,
        engine,
        mut backend,
        handle: window,
    } = open_window(one_machine_start());
    let app = app.as_mut().expect("QGuiApplication");
    let qt = Qt {
        app: &app,
        window: window.clone(),
    };
    qt.pump_for(Duration::from_millis(1500)); // first frames, then idle
    let idle_kb = resident_kb();

    // `--pair`: row 5 alone.
    if only("--pair") {
        rows.push(pair_latency(&qt, backend.pin_mut(), sizes.pair_messages));
        drop((engine, backend));
        end_with(rows, quick, xvfb);
    }
    // `--flood`: row 2 alone (for a profiler: `perf record` of this process).
    if only("--flood") {
        rows.extend(flood(&qt, sizes.flood_lines, idle_kb, false));
        drop((engine, backend));
        end_with(rows, quick, xvfb);
    }
    eprintln!("bench: request/reply...");
    rows.push(request_reply(&qt, sizes.round_trips));
    eprintln!("bench: flood...");
    rows.extend(flood(&qt, sizes.flood_lines, idle_kb, false));
    eprintln!("bench: flood with the wire view on...");
    rows.extend(flood(&qt, sizes.flood_lines, idle_kb, true));
    eprintln!("bench: 64 peers flooding the window...");
    rows.push(if quick {
        hostile_stall(&qt, 2_000, 1)
    } else {
        hostile_stall(&qt, 20_000, ROUNDS)
    });
    eprintln!("bench: pair latency...");
    rows.push(pair_latency(&qt, backend.pin_mut(), sizes.pair_messages));
    drop((engine, backend));
    end_with(rows, quick, xvfb);
}

/// The window's start for the in-process rows: 64 peers of row 7d come from this one
/// machine, so one address may hold every place (the fair share has a row of its own).
fn one_machine_start() -> WindowStart {
    let mut start = WindowStart::default();
    start.chat.settings.max_per_host = start.chat.settings.max_peers;
    start
}

/// Prints the table and ends the process, failing it when a target was not met; the X
/// server goes first (`exit` runs no destructors).
fn end_with(rows: Vec<Row>, quick: bool, xvfb: Xvfb) -> ! {
    let missed = finish(rows, quick);
    drop(xvfb);
    std::process::exit(i32::from(missed));
}

/// Prints the table; true when a target was missed.
fn finish(mut rows: Vec<Row>, quick: bool) -> bool {
    rows.sort_by_key(|r| r.what);
    print_table(&rows, quick);
    rows.iter().any(|r| r.result == Verdict::NotMet)
}

/// Rows 3, 4, 6, 7a-7c and 8: the binary as a person starts it.
fn binary_rows(rows: &mut Vec<Row>, sizes: &Sizes, quick: bool) {
    // The real binary, as a person starts it: auto renderer vs Qt's default OpenGL path.
    eprintln!("bench: start-up, idle memory and idle CPU of the binary...");
    let (ours, start_rows) = start_rows(sizes.startups, 0.3, "<= 0.300 s");
    rows.extend(start_rows);

    eprintln!("bench: --terminal beside the window...");
    rows.extend(terminal_rows(ours.idle_mb.0, sizes.round_trips));

    eprintln!("bench: the course's original dialog beside the binary...");
    rows.extend(against_the_original(
        sizes.original_round_trips,
        sizes.startups,
    ));
    eprintln!("bench: request/reply with the binary's transcript...");
    rows.push(transcript_request_reply(sizes.round_trips));
    eprintln!("bench: a flood into the binary's transcript...");
    rows.extend(flood_transcript(sizes.flood_lines));
    eprintln!("bench: hostile peers against the binary...");
    rows.extend(hostile_rows(quick));
    eprintln!("bench: one address hammering the listener...");
    rows.push(fair_share(if quick { 10 } else { 50 }));
}

/// What tcp-chat's window may hold above a bare Qt Quick window of the same controls
/// (row 3): its code, its QML, its threads and its log. 3.1-3.3 MB on 2026-12-04, when the
/// bound, set by hand at 53 MB in all on 2026-11-26, was reached by Qt's own 50.
const WINDOWS_OWN_MB: f64 = 6.0;

/// Rows 3, 4 and 6: the binary as started (`runs` starts) against Qt's default OpenGL
/// path; start-up must be at most `startup_most` seconds (`startup_target` says so).
fn start_rows(runs: usize, startup_most: f64, startup_target: &str) -> (BinaryFigures, [Row; 3]) {
    let ours = binary_figures(&[], runs);
    let gl = binary_figures(&[("QSG_RHI_BACKEND", "opengl")], runs);
    let bare = window_figures(Started::BareWindow, &[], runs);
    let gl_shown = |figure, places| format!("{} (Qt default GL)", shown(figure, places));
    let added = ours.idle_mb.0 - bare.idle_mb.0;
    let rows = [
        Row {
            what: "3. idle memory, window shown 3 s (MB, median)",
            ours: format!(
                "{}; {added:.1} above the bare window",
                shown(ours.idle_mb, 1)
            ),
            baseline: format!(
                "{} (a bare Qt Quick window of the same controls); {}",
                shown(bare.idle_mb, 1),
                gl_shown(gl.idle_mb, 1)
            ),
            ratio: format!("{:.2}", ours.idle_mb.0 / bare.idle_mb.0),
            target: format!("<= bare + {WINDOWS_OWN_MB:.0} MB"),
            result: (added <= WINDOWS_OWN_MB).into(),
        }
        .unless_died(ours.alive, gl.alive && bare.alive),
        Row {
            what: "4. start-up to first frame (s, median)",
            ours: shown(ours.startup_s, 3),
            baseline: gl_shown(gl.startup_s, 3),
            ratio: format!("{:.2}", ours.startup_s.0 / gl.startup_s.0),
            target: startup_target.into(),
            result: (ours.startup_s.0 <= startup_most).into(),
        }
        .unless_died(ours.alive, gl.alive),
        Row {
            what: "6. idle CPU, listening + 1 peer, 3 s (%, median of 3 starts)",
            ours: shown(ours.idle_cpu_pct, 2),
            baseline: gl_shown(gl.idle_cpu_pct, 2),
            ratio: "-".into(),
            target: "0 % (< 0.5)".into(),
            result: (ours.idle_cpu_pct.0 < 0.5).into(),
        }
        .unless_died(ours.alive, gl.alive),
    ];
    (ours, rows)
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
            let result = match r.result {
                Verdict::Met => "PASS".to_string(),
                Verdict::NotMet => "FAIL".to_string(),
                Verdict::NotRun(why) => format!("not run: {why}"),
            };
            [
                r.what.into(),
                r.ours.clone(),
                r.baseline.clone(),
                r.ratio.clone(),
                r.target.clone(),
                result,
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
    let met = rows.iter().filter(|r| r.result == Verdict::Met).count();
    let failed = rows.iter().filter(|r| r.result == Verdict::NotMet).count();
    // Rows not run are neither met nor not met: said apart, with why.
    let mut not_run: Vec<&str> = rows
        .iter()
        .filter_map(|r| match r.result {
            Verdict::NotRun(why) => Some(why),
            Verdict::Met | Verdict::NotMet => None,
        })
        .collect();
    let not_run_count = not_run.len();
    if not_run_count == 0 {
        println!("\n{met} targets met, {failed} not met");
    } else {
        not_run.sort_unstable();
        not_run.dedup();
        println!(
            "\n{met} targets met, {failed} not met, {not_run_count} not run ({})",
            not_run.join("; ")
        );
    }
}

/// A thread of the benchmark's own, named so that a profile tells it from tcp-chat's.
fn named<R: Send + 'static>(
    name: &str,
    work: impl FnOnce() -> R + Send + 'static,
) -> std::thread::JoinHandle<R> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(work)
        .expect("a thread for the benchmark")
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
        let worker = named("bench-work", work);
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
    let mut all_shown = true;
    let port = qt.listen();
    for _ in 0..ROUNDS {
        let (baseline_port, _) = echo_server();
        // Both run while this thread runs the Qt event loop: the same conditions.
        baseline_rounds.push(qt.run_while(move || round_trip_client(baseline_port, round_trips)));
        let rows = |qt: &Qt| qt.on_window(|w| (w.rows_inserted(), w.lines_passed_over()));
        let before = rows(qt);
        our_rounds.push(qt.run_while(move || round_trip_client(port, round_trips)));
        // The round counts once every line of it (and its Connect and Disconnect) was
        // inserted into the window's model as a row (none passed over)...
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let now = rows(qt);
            let (inserted, passed) = (now.0 - before.0, now.1 - before.1);
            if inserted == round_trips as u64 + 2 && passed == 0 {
                break;
            }
            if Instant::now() > deadline || inserted > round_trips as u64 + 2 || passed > 0 {
                eprintln!(
                    "bench: of a round of {round_trips} requests, {inserted} rows inserted \
                     and {passed} lines passed over (due: {} rows)",
                    round_trips + 2
                );
                all_shown = false;
                break;
            }
        }
        // ... and the model's newest rows are those lines, each in its place.
        let (held, due) = model_rows(qt, round_trips, request_text);
        all_shown &= held == due;
    }
    request_reply_row(
        "1. request/reply (msg/s; p50/p99 round trip)",
        our_rounds,
        baseline_rounds,
        all_shown,
    )
}

/// A request/reply row: the median of each side's rounds, against a 1-thread echo
/// server's, and whether every line reached the screen.
fn request_reply_row(
    what: &'static str,
    our_rounds: Vec<RoundTrips>,
    baseline_rounds: Vec<RoundTrips>,
    all_shown: bool,
) -> Row {
    let range = |rounds: &[RoundTrips]| {
        let (_, least, most) = spread(&rounds.iter().map(|r| r.per_second).collect::<Vec<_>>());
        format!("({least:.0}-{most:.0})")
    };
    let (our_range, base_range) = (range(&our_rounds), range(&baseline_rounds));
    let median = |mut rounds: Vec<RoundTrips>| {
        rounds.sort_by(|a, b| a.per_second.total_cmp(&b.per_second));
        rounds.swap_remove(rounds.len() / 2)
    };
    let (baseline, ours) = (median(baseline_rounds), median(our_rounds));
    let ratio = ours.per_second / baseline.per_second;
    Row {
        what,
        ours: format!(
            "{:.0} {our_range}; {:.3}/{:.3} ms{}",
            ours.per_second,
            ours.p50_ms,
            ours.p99_ms,
            if all_shown { "" } else { " NOT ALL SHOWN" }
        ),
        baseline: format!(
            "{:.0} {base_range}; {:.3}/{:.3} ms (1-thread echo server)",
            baseline.per_second, baseline.p50_ms, baseline.p99_ms
        ),
        ratio: format!("{ratio:.2}"),
        target: ">= 0.80 x baseline, all shown".into(),
        result: (ratio >= 0.8 && all_shown).into(),
    }
}

/// The text of request `i` of a request/reply round, as a peer sends it.
fn request_text(i: usize) -> String {
    format!("request {i}")
}

/// The text of a received line as the log shows it (`[rcv] text`, or `[rcv] (ip port)
/// text` while more than one peer is connected), after whatever comes before it (a time).
fn received_text(line: &str) -> Option<&str> {
    let (_, after) = line.split_once("[rcv] ")?;
    let text = match after.strip_prefix('(') {
        Some(peer) => peer.split_once(") ")?.1,
        None => after,
    };
    Some(text.trim_end())
}

/// Counts, in the window's log model, the rows of a round of `n` received lines
/// (`text(i)` each) that ended with its peer leaving: the newest row may be that peer's
/// Disconnect, and before it, row by row back, must come lines n-1, n-2, ... to line 0.
/// Returns (rows found in their place, rows due).
///
/// The model keeps its newest rows only (`DEFAULT_LOG_LINES`, which the window in this
/// process has), so of a round longer than that, the rows due are those it keeps.
/// Rows no longer kept were counted as they were inserted (`rows_inserted`, the watcher).
fn model_rows(qt: &Qt, n: usize, text: fn(usize) -> String) -> (usize, usize) {
    // The wire view's lines (row 2w) sit between the lines: left out here.
    let (newest, wire_rows): (Vec<String>, usize) = qt.on_window(move |w| {
        let rows = w.line_count();
        let all: Vec<String> = (rows.saturating_sub(2 * (n + 1))..rows)
            .map(|row| w.line(row).unwrap_or_default())
            .collect();
        let wire_rows = all.iter().filter(|row| row.starts_with("[wire]")).count();
        let mut newest: Vec<String> = all
            .into_iter()
            .filter(|row| !row.starts_with("[wire]"))
            .collect();
        newest.drain(..newest.len().saturating_sub(n + 1));
        (newest, wire_rows)
    });
    // The peer's Disconnect after its last line (and, with the wire view, that it
    // finished sending).
    let trailing = newest
        .iter()
        .rev()
        .take_while(|row| received_text(row).is_none())
        .count();
    // The log keeps its newest lines, the wire view's among them.
    let due = n.min(tcp_chat::cli::DEFAULT_LOG_LINES - trailing - wire_rows);
    let lines = &newest[..newest.len() - trailing];
    let held = lines
        .iter()
        .rev()
        .zip((0..n).rev())
        .take_while(|(row, i)| received_text(row) == Some(text(*i).as_str()))
        .count();
    if held < due {
        let at = lines.len().checked_sub(held + 1).map(|row| &lines[row]);
        eprintln!(
            "bench: the log model has {held} of the round's {due} newest lines in place; \
             then {at:?} where {:?} was due",
            text(n - 1 - held)
        );
    }
    (held, due)
}

/// Connects to our listener on 127.0.0.1 from an address of 127.0.0.0/8 not used before
/// in this run: each round is a computer of its own, so that the log shows each one's
/// Connect and Disconnect (an address coming and going more often is summarised, and its
/// lines would be missing from the rows checked).
fn from_a_fresh_address(port: u16) -> TcpStream {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let source = std::net::Ipv4Addr::new(127, 1 + (n / 250 % 250) as u8, 0, 2 + (n % 250) as u8);
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket
        .bind(&std::net::SocketAddr::from((source, 0)).into())
        .unwrap();
    socket
        .connect(&std::net::SocketAddr::from(([127, 0, 0, 1], port)).into())
        .unwrap();
    socket.into()
}

struct RoundTrips {
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn round_trip_client(port: u16, n: usize) -> RoundTrips {
    let stream = from_a_fresh_address(port);
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

/// Flood line `i` as the log shows it, after `[rcv] `.
fn flood_text(i: usize) -> String {
    flood_line(i).trim_end().to_string()
}

/// Row 2: a flood of 32-byte lines, timed until the last is in the window's log model;
/// with `wire`, row 2w: the same with the wire view on (each read and write a line too).
fn flood(qt: &Qt, lines: usize, idle_kb: usize, wire: bool) -> Vec<Row> {
    assert_eq!(flood_line(0).len(), 32);
    let port = qt.listen();
    qt.on_window(move |mut w| w.as_mut().set_wire_on(wire));
    let what: [&'static str; 4] = if wire {
        [
            "2wa. flood, wire view on: lines/s into the log model",
            "2wb. flood, wire view on: lines lost / out of order, extra or twice",
            "2wc. flood, wire view on: peak memory above idle (MB)",
            "2wd. flood, wire view on: longest Qt thread stall (ms)",
        ]
    } else {
        [
            "2a. flood, lines/s into the log model",
            "2b. flood, lines lost / out of order, extra or twice",
            "2c. flood, peak memory above idle (MB)",
            "2d. flood, longest Qt thread stall (ms)",
        ]
    };
    let probe = Probe::start(qt.window.clone());
    let mut base_rates = Vec::new();
    let mut our_rates = Vec::new();
    let mut lost = 0;
    let mut misplaced = 0;
    // CPU a line, nanoseconds: tcp-chat's and its peer's, the read+count loop's and its
    // peer's.
    let (mut our_cpu, mut peer_cpu) = (Vec::new(), Vec::new());
    let (mut base_cpu, mut base_peer_cpu) = (Vec::new(), Vec::new());
    let per_line = |seconds: f64| seconds * 1e9 / lines as f64;
    for _ in 0..ROUNDS {
        // The Qt thread keeps running meanwhile, so the stall probe measures tcp-chat alone.
        let (seconds, cpu, peer) = qt.run_while(move || count_lines_baseline(lines));
        base_rates.push(lines as f64 / seconds);
        base_cpu.push(per_line(cpu));
        base_peer_cpu.push(per_line(peer));
        let round = flood_once(qt, port, lines);
        our_rates.push(lines as f64 / round.seconds);
        our_cpu.push(per_line(round.ours_cpu));
        peer_cpu.push(per_line(round.peer_cpu));
        lost += round.lost;
        misplaced += round.misplaced;
    }
    let (max_late_ms, peak_kb) = probe.stop();
    let (ours_shown, base_shown) = (rate_with_spread(&our_rates), rate_with_spread(&base_rates));
    let base_pooled = pooled_rate(&base_rates);
    let (ours_rate, base_rate) = (spread(&our_rates).0, spread(&base_rates).0);
    let growth_mb = peak_kb.saturating_sub(idle_kb) as f64 / 1024.0;
    qt.on_window(|mut w| w.as_mut().set_wire_on(false));
    // Issue 23's 0.8 for row 2a; the wire view's row keeps the first target, 0.5.
    let target = if wire { 0.5 } else { 0.8 };
    vec![
        Row {
            what: what[0],
            ours: format!(
                "{ours_shown}; {:.0} ns CPU a line, the peer's {:.0}{}",
                mean(&our_cpu),
                mean(&peer_cpu),
                cores_at(
                    target,
                    base_pooled,
                    mean(&our_cpu),
                    Some(mean(&base_peer_cpu))
                )
            ),
            baseline: format!(
                "{base_shown} (read+count loop); {:.0} ns CPU a line, the peer's {:.0}",
                mean(&base_cpu),
                mean(&base_peer_cpu)
            ),
            ratio: format!("{:.2}", ours_rate / base_rate),
            target: format!(">= {target:.2} x baseline"),
            result: (ours_rate / base_rate >= target).into(),
        },
        Row {
            what: what[1],
            ours: format!("{lost} / {misplaced}"),
            baseline: "0 / 0".into(),
            ratio: "-".into(),
            target: "0 / 0 (every line checked)".into(),
            result: (lost == 0 && misplaced == 0).into(),
        },
        Row {
            what: what[2],
            ours: format!("{growth_mb:.1}"),
            baseline: format!("{:.1} idle", idle_kb as f64 / 1024.0),
            ratio: "-".into(),
            target: "<= 100 MB".into(),
            result: (growth_mb <= 100.0).into(),
        },
        Row {
            what: what[3],
            ours: format!("{max_late_ms:.1}"),
            baseline: "-".into(),
            ratio: "-".into(),
            target: "<= 50 ms".into(),
            result: (max_late_ms <= 50.0).into(),
        },
    ]
}

/// Seconds for a loop that reads the flood's bytes and counts the lines, the CPU seconds
/// it used, and the CPU seconds its peer used.
fn count_lines_baseline(lines: usize) -> (f64, f64, f64) {
    if small_pi().is_some() {
        let (port, mut child, mut out) = helper(&["--count-lines", &lines.to_string()]);
        let peer_cpu = write_flood(port, lines);
        let mut said = String::new();
        out.read_line(&mut said).unwrap();
        let _ = child.wait();
        let figures: Vec<f64> = said
            .split_whitespace()
            .filter_map(|f| f.parse().ok())
            .collect();
        let [seconds, cpu] = figures[..] else {
            panic!("the counter said {said:?}, not its seconds and CPU seconds");
        };
        return (seconds, cpu, peer_cpu);
    }
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    let counter = named("bench-count", move || {
        let (s, _) = server.accept().unwrap();
        count_lines(s, lines, cpu_seconds(libc::CLOCK_THREAD_CPUTIME_ID))
    });
    let peer_cpu = write_flood(port, lines);
    let (seconds, cpu) = counter.join().unwrap();
    (seconds, cpu, peer_cpu)
}

/// The read+count loop: reads `lines` lines from `s`; the seconds it took, and the CPU
/// seconds it used (`cpu` tells them).
fn count_lines(mut s: TcpStream, lines: usize, cpu: impl Fn() -> f64) -> (f64, f64) {
    let mut buf = vec![0u8; 64 * 1024];
    let mut count = 0;
    let (started, cpu_before) = (Instant::now(), cpu());
    while count < lines {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0);
        count += memchr::memchr_iter(b'\n', &buf[..n]).count();
    }
    (started.elapsed().as_secs_f64(), cpu() - cpu_before)
}

/// What a rate of `target` x `base_rate` items a second would take, at `ours_ns` of
/// tcp-chat's CPU an item and `peer_ns` of its peer's, against the cores there are: the
/// machine's, the peer's CPU counted (it runs on them too); a small Pi's share, tcp-chat's
/// alone (its peers are other machines). `; at 0.80 x: 2.62 cores of 2 (the peer's too)`.
fn cores_at(target: f64, base_rate: f64, ours_ns: f64, peer_ns: Option<f64>) -> String {
    let (cores, peer_ns) = match small_pi() {
        Some(_) => (
            common::limits::QUOTA_US as f64 / common::limits::PERIOD_US as f64,
            None,
        ),
        None => (
            std::thread::available_parallelism().map_or(1, |n| n.get()) as f64,
            peer_ns,
        ),
    };
    let needed = target * base_rate * (ours_ns + peer_ns.unwrap_or(0.0)) * 1e-9;
    format!(
        "; at {target:.2} x: {needed:.2} cores of {cores}{}",
        if peer_ns.is_some() {
            " (the peer's too)"
        } else {
            ""
        }
    )
}

/// A clock of CPU time in seconds: this thread's (`CLOCK_THREAD_CPUTIME_ID`) or this
/// process's (`CLOCK_PROCESS_CPUTIME_ID`), read with nanoseconds.
fn cpu_seconds(clock: libc::clockid_t) -> impl Fn() -> f64 {
    move || {
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `t` is a valid timespec for the call to fill.
        assert_eq!(unsafe { libc::clock_gettime(clock, &mut t) }, 0);
        t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
    }
}

struct FloodRound {
    seconds: f64,
    lost: u64,
    /// Flood lines that came out of order, twice, or that were never sent.
    misplaced: u64,
    /// CPU seconds of this process until the last line was in the model, less the
    /// peer's and the watcher's: tcp-chat's threads, with what the benchmark runs on its
    /// Qt thread (the row check, the stall probe's calls) and the probe's thread.
    ours_cpu: f64,
    /// CPU seconds the peer used.
    peer_cpu: f64,
}

/// Checks each flood line as it becomes a row of the log's model: a later line than the
/// last, the gaps being lines the log passed over (newer ones taken in the same turn
/// filled its bounds alone).
#[derive(Default)]
struct Sequence {
    /// The line due next if none is passed over.
    next: usize,
    /// Lines skipped between rows.
    skipped: u64,
    misplaced: u64,
}

/// One flood into the window: from the first byte written to the last line in the model.
fn flood_once(qt: &Qt, port: u16, lines: usize) -> FloodRound {
    // The window's counts: lines taken, rows inserted into the model, lines passed over.
    let idle = |qt: &Qt| {
        qt.on_window(|w| {
            (
                *w.peer_count(),
                (w.total_lines(), w.rows_inserted(), w.lines_passed_over()),
            )
        })
    };
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
    let sequence = Arc::new(std::sync::Mutex::new(Sequence::default()));
    let seen = sequence.clone();
    // Every row as it is inserted into the model, in order.
    qt.on_window(move |w| {
        w.watch_rows(Some(Box::new(move |events| {
            let mut seq = seen.lock().unwrap();
            for event in events {
                let Event::Received { text, .. } = event else {
                    continue;
                };
                let Some(n) = text.strip_prefix("flood line ") else {
                    continue;
                };
                match n.trim_start_matches(' ').parse::<usize>() {
                    Ok(n) if n >= seq.next => {
                        seq.skipped += (n - seq.next) as u64;
                        seq.next = n + 1;
                    }
                    _ => seq.misplaced += 1,
                }
            }
        })))
    });
    let last = format!("[rcv] {}", flood_line(lines - 1).trim_end());
    let process_cpu = cpu_seconds(libc::CLOCK_PROCESS_CPUTIME_ID);
    let cpu_before = process_cpu();
    let started = Instant::now();
    let writer = named("bench-peer", move || write_flood(port, lines));
    let window = qt.window.clone();
    let done = Arc::new(AtomicBool::new(false));
    let finished = done.clone();
    // Look at the model from the Qt thread every millisecond, as the view would, for up
    // to a minute: a round whose last line never comes ends there, its lines counted lost.
    let give_up = started + Duration::from_secs(60);
    let watcher = named("bench-watch", move || {
        let cpu = cpu_seconds(libc::CLOCK_THREAD_CPUTIME_ID);
        while !finished.load(Ordering::SeqCst) && Instant::now() < give_up {
            let flag = finished.clone();
            let last = last.clone();
            let _ = window.queue(move |w| {
                // All of this round's lines counted, the last one among the newest rows
                // (possibly followed by its Disconnect).
                let n = w.line_count();
                if w.total_lines() > before.0 + lines as u64
                    && (n.saturating_sub(8)..n).any(|i| w.line(i).as_deref() == Some(last.as_str()))
                {
                    flag.store(true, Ordering::SeqCst);
                }
            });
            std::thread::sleep(Duration::from_millis(1));
        }
        cpu()
    });
    let watching_cpu = qt.run_while(move || watcher.join().unwrap());
    let seconds = started.elapsed().as_secs_f64();
    let round_cpu = process_cpu() - cpu_before;
    let peer_cpu = qt.run_while(move || writer.join().unwrap());
    // Every line taken (Connect, the flood, Disconnect), and every one of them a row
    // inserted into the model or passed over for newer ones taken with it.
    let after = settled(qt);
    let due = lines as u64 + 2;
    let taken = after.0 - before.0;
    let (inserted, passed) = (after.1 - before.1, after.2 - before.2);
    // The model's newest rows: the round's newest lines, each in its place.
    let (held, kept) = model_rows(qt, lines, flood_text);
    qt.on_window(|w| w.watch_rows(None));
    let seq = sequence.lock().unwrap();
    // A row missing or out of place counts as a line lost, and so does a gap between
    // flood rows that the log did not pass over.
    let lost = due.saturating_sub(taken)
        + due.saturating_sub(inserted + passed)
        + seq.skipped.saturating_sub(passed)
        + (lines - seq.next.min(lines)) as u64
        + kept.saturating_sub(held) as u64;
    if lost > 0 {
        eprintln!(
            "bench: of {due} lines, {taken} taken, {inserted} rows inserted, {passed} passed \
             over; {} flood lines skipped between rows, the last row line {}",
            seq.skipped,
            seq.next as i64 - 1
        );
    }
    FloodRound {
        seconds,
        lost,
        misplaced: seq.misplaced + (seq.next as u64).saturating_sub(lines as u64),
        ours_cpu: round_cpu - peer_cpu - watching_cpu,
        peer_cpu,
    }
}

/// The flood's peer: `lines` 32-byte lines to `port`, its replies read and dropped;
/// returns the CPU seconds it used (making and writing the lines, reading the replies).
fn write_flood(port: u16, lines: usize) -> f64 {
    let cpu = cpu_seconds(libc::CLOCK_THREAD_CPUTIME_ID);
    let before = cpu();
    let mut s = from_a_fresh_address(port);
    // Read (and drop) the auto-replies, as a well-behaved peer does.
    let mut replies = s.try_clone().unwrap();
    // Bounded: a binary that never closes ends the reading after a minute of silence.
    replies
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let reply_reader = named("bench-replies", move || {
        let cpu = cpu_seconds(libc::CLOCK_THREAD_CPUTIME_ID);
        let mut buf = [0u8; 64 * 1024];
        while replies.read(&mut buf).map(|n| n > 0).unwrap_or(false) {}
        cpu()
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
    let written = cpu() - before;
    // Done: tcp-chat sees the end and closes, which ends the reply reader too.
    s.shutdown(std::net::Shutdown::Write).unwrap();
    written + reply_reader.join().unwrap()
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

/// The quiet time between two Sends of row 5: a person (or a script printing 100 lines a
/// second) sends into a window that has drawn the last line.
const PAIR_SPACING: Duration = Duration::from_millis(10);

/// Row 5: Send on another chat (a second backend in this process, without a window: its
/// Send is the Send button's call) to the line in this process's window's log model;
/// each Send after a quiet moment, timed from the call to the insert.
fn pair_latency(qt: &Qt, mut window: Pin<&mut ChatBackend>, messages: usize) -> Row {
    const WHAT: &str = "5. pair latency, Send to the other window's model (ms p50/p99)";
    let port = qt.on_window(|mut w| {
        if *w.listening() {
            w.as_mut().toggle_listen(&QString::from("0"));
        }
        w.as_mut().set_auto_reply_text(&QString::from(""), false);
        w.as_mut().toggle_listen(&QString::from("0"));
        *w.listen_port() as u16
    });
    let mut other = new_backend();
    let mut sender = other.pin_mut();
    sender.as_mut().toggle_connect(
        &QString::from("127.0.0.1"),
        &QString::from(port.to_string().as_str()),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !sender.is_connected() || *window.peer_count() == 0 {
        qt.app.process_events();
        if Instant::now() > deadline {
            return Row::not_run(WHAT, "p99 <= 1 ms", "the pair did not connect");
        }
    }
    // The moment each line is inserted into the model, seen from inside the insert: the
    // frame the Qt thread draws next is not counted.
    let (arrived_tx, arrived_rx) = mpsc::channel::<(usize, Instant)>();
    window.as_mut().watch_rows(Some(Box::new(move |events| {
        let now = Instant::now();
        for event in events {
            if let Event::Received { text, .. } = event {
                if let Some(n) = text.strip_prefix("pair ").and_then(|n| n.parse().ok()) {
                    let _ = arrived_tx.send((n, now));
                }
            }
        }
    })));
    // Sleeps of 20 µs, not the 50 µs more a thread's timer slack adds.
    // SAFETY: prctl with PR_SET_TIMERSLACK takes a number, no pointer.
    let slack = unsafe { libc::prctl(libc::PR_GET_TIMERSLACK) };
    // SAFETY: as above.
    unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1u64) };
    let mut times = Vec::with_capacity(messages);
    for i in 0..messages {
        qt.pump_for(PAIR_SPACING);
        let t0 = Instant::now();
        if !sender
            .as_mut()
            .send(&QString::from(format!("pair {i}").as_str()))
        {
            break;
        }
        let arrived = loop {
            // The Qt thread of a real window sleeps until it is woken; this one looks
            // every 20 µs, and sleeps in between (a thread spinning here would take the
            // CPU from the window's reader, which runs at the lowest priority).
            std::thread::sleep(Duration::from_micros(20));
            qt.app.process_events();
            match arrived_rx.try_recv() {
                Ok((n, at)) if n == i => break Some(at),
                Ok((n, _)) => panic!("pair {n} came when pair {i} was due"),
                Err(_) if t0.elapsed() > Duration::from_secs(5) => break None,
                Err(_) => {}
            }
        };
        let Some(at) = arrived else {
            eprintln!("bench: pair {i} never reached the window");
            break;
        };
        times.push(at - t0);
    }
    // SAFETY: as above.
    unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, slack as u64) };
    window.as_mut().watch_rows(None);
    sender
        .as_mut()
        .toggle_connect(&QString::from(""), &QString::from(""));
    drop(other);
    qt.on_window(|mut w| {
        if *w.listening() {
            w.as_mut().toggle_listen(&QString::from("0"));
        }
    });
    let arrived = times.len();
    if arrived == 0 {
        return Row::not_run(WHAT, "p99 <= 1 ms", "no line arrived");
    }
    // The run as three rounds, one after another: each one's p99, for the spread.
    let round_p99s: Vec<f64> = times
        .chunks(arrived.div_ceil(3))
        .map(|round| {
            let mut round = round.to_vec();
            round.sort_unstable();
            round[round.len() * 99 / 100].as_secs_f64() * 1e3
        })
        .collect();
    let (_, p99_least, p99_most) = spread(&round_p99s);
    times.sort_unstable();
    // Where the tail starts, for the note.
    let spread: Vec<String> = [10, 50, 90, 95, 98, 99]
        .iter()
        .map(|q| format!("p{q} {:.3}", times[arrived * q / 100].as_secs_f64() * 1e3))
        .collect();
    eprintln!(
        "bench: pair latency (ms): {}, max {:.3}",
        spread.join(", "),
        times[arrived - 1].as_secs_f64() * 1e3
    );
    let baseline = loopback_echo_latency(messages);
    let p50 = times[arrived / 2].as_secs_f64() * 1e3;
    let p99 = times[arrived * 99 / 100].as_secs_f64() * 1e3;
    Row {
        what: WHAT,
        ours: format!(
            "{p50:.3} / {p99:.3} (p99 of each third: {p99_least:.3}-{p99_most:.3}){}",
            if arrived < messages {
                ", NOT ALL ARRIVED"
            } else {
                ""
            }
        ),
        baseline: format!(
            "{:.3} / {:.3} (raw loopback one-way)",
            baseline.0, baseline.1
        ),
        ratio: format!("{:.1}", p99 / baseline.1.max(0.001)),
        target: "p99 <= 1 ms, every line".into(),
        result: (p99 <= 1.0 && arrived == messages).into(),
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

/// Each figure as the median, least and most of its starts ([`spread`]).
struct BinaryFigures {
    /// Every start's time to its first frame.
    startup_s: (f64, f64, f64),
    /// Every start's resident memory 3 s after its first frame.
    idle_mb: (f64, f64, f64),
    /// The last (up to) three starts' CPU while idle with a peer.
    idle_cpu_pct: (f64, f64, f64),
    /// Every program started lived until it was stopped.
    alive: bool,
}

/// Where the binary keeps its settings here: never the home folder's, so that a window
/// saved there does not change what is measured.
fn bench_config_home() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("tcp-chat-bench-config-{}", std::process::id()))
}

/// The limits of a small Pi, when `--small-pi` runs the rows under them: every program a
/// row measures, tcp-chat and its baseline alike, then runs inside them (the peers that
/// load them, other machines, do not).
static SMALL_PI: std::sync::Mutex<Option<common::limits::Joiner>> = std::sync::Mutex::new(None);

fn small_pi() -> Option<common::limits::Joiner> {
    SMALL_PI.lock().unwrap().clone()
}

/// `path` to run as a row's measured program: inside the small Pi's limits when they hold.
fn program(path: impl AsRef<std::ffi::OsStr>) -> Command {
    match small_pi() {
        Some(limits) => limits.command(path),
        None => Command::new(path),
    }
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
    window_figures(Started::TcpChat, env, runs)
}

/// Which window [`window_figures`] starts.
#[derive(Clone, Copy, PartialEq)]
enum Started {
    /// The binary, listening.
    TcpChat,
    /// This benchmark's [`bare_window`]: its idle CPU is taken with no peer (it has no
    /// listener).
    BareWindow,
}

fn window_figures(which: Started, env: &[(&str, &str)], runs: usize) -> BinaryFigures {
    let mut startups = Vec::new();
    let mut idle = Vec::new();
    let mut idle_cpu = Vec::new();
    let mut lived = true;
    for run in 0..runs {
        let port = free_port();
        let started = Instant::now();
        let mut command = match which {
            Started::TcpChat => {
                let mut command = program(binary());
                command.args(["--listen", "--no-discovery", "--port", &port.to_string()]);
                command
            }
            Started::BareWindow => {
                let mut command = program(std::env::current_exe().unwrap());
                command.arg(BARE_WINDOW);
                command
            }
        };
        let mut child = command
            .env("XDG_CONFIG_HOME", bench_config_home())
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
        // Every start's idle memory counts (a single one varies by a megabyte or two with
        // which pages of Qt's libraries the start happened to touch).
        std::thread::sleep(Duration::from_secs(3));
        lived &= still_running(&mut child, "the binary (idle memory)");
        idle.push(rss_kb(child.id()) as f64 / 1024.0);
        // The last three starts (or all, if fewer): idle CPU with a peer connected.
        if run + 3 >= runs {
            let pid = child.id();
            let _peer = (which == Started::TcpChat)
                .then(|| TcpStream::connect(("127.0.0.1", port)).unwrap());
            std::thread::sleep(Duration::from_secs(1));
            let cpu0 = cpu_ticks(pid);
            std::thread::sleep(Duration::from_secs(3));
            let cpu1 = cpu_ticks(pid);
            idle_cpu.push((cpu1 - cpu0) as f64 / ticks_a_second() / 3.0 * 100.0);
            // A program that died uses no CPU: its figures count only if it still runs.
            lived &= still_running(&mut child, "the binary (idle CPU)");
        }
        stop(child);
    }
    BinaryFigures {
        startup_s: spread(&startups),
        idle_mb: spread(&idle),
        idle_cpu_pct: spread(&idle_cpu),
        alive: lived,
    }
}

/// Asks `child` to end (SIGTERM) and waits up to 10 s for it, then kills it; whether it
/// ended when asked.
fn end_gently(mut child: Child) -> bool {
    // SAFETY: kill takes no pointers; the pid is our own child's, not yet waited for.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    stop(child);
    false
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Whether `child` still runs, at the end of a row that measured it: a program that died
/// during its row fails the row, whatever its figures. Says on stderr what ended it.
fn still_running(child: &mut Child, what: &str) -> bool {
    match child.try_wait() {
        Ok(None) => true,
        Ok(Some(status)) => {
            eprintln!(
                "bench: {what} (pid {}) died during its row: {status}",
                child.id()
            );
            false
        }
        Err(e) => panic!(
            "cannot tell whether {what} (pid {}) still runs: {e}",
            child.id()
        ),
    }
}

/// The same for a program that is not this process's child (tmux started it).
fn pid_running(pid: u32, what: &str) -> bool {
    let running = common::process::running(pid);
    if !running {
        eprintln!("bench: {what} (pid {pid}) died during its row");
    }
    running
}

fn rss_kb(pid: u32) -> usize {
    proc_field(pid, "status", "VmRSS:")
}

fn resident_kb() -> usize {
    proc_field(std::process::id(), "status", "VmRSS:")
}

/// A figure of /proc/<pid>/<file> (such as `VmRSS:` of `status`, in kB). A program that
/// died has none: then this fails, naming the pid and the field, rather than read 0 (a
/// dead program would pass a memory row).
fn proc_field(pid: u32, file: &str, field: &str) -> usize {
    let path = format!("/proc/{pid}/{file}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("cannot read {field} of pid {pid} ({path}: {e}): has the program died?")
    });
    text.lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|figure| figure.parse().ok())
        .unwrap_or_else(|| {
            panic!("cannot read {field} of pid {pid}: not in {path} (has the program died?)")
        })
}

/// How many of [`cpu_ticks`]'s ticks make a second.
fn ticks_a_second() -> f64 {
    // SAFETY: sysconf has no preconditions.
    unsafe { libc::sysconf(libc::_SC_CLK_TCK) as f64 }
}

/// The CPU time `pid` has used, all its threads (those ended too), in the kernel's ticks.
fn cpu_ticks(pid: u32) -> u64 {
    ticks_of(&format!("/proc/{pid}/stat"))
}

/// The CPU time of a program's main thread (the window's: Qt's event loop and drawing),
/// in the same ticks.
fn main_thread_ticks(pid: u32) -> u64 {
    ticks_of(&format!("/proc/{pid}/task/{pid}/stat"))
}

/// utime + stime of a /proc `stat` file.
fn ticks_of(path: &str) -> u64 {
    let stat = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read the CPU time in {path}: {e}"));
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

// ---------------------------------------------------------------- the original dialog

/// A program's window as a person sees it start: time until it is shown, and memory.
struct Shown {
    child: Child,
    window: String,
    startup_s: f64,
}

/// Starts `command` and waits until its window is shown on the X server. A start that
/// dies before it shows a window fails the run with what the program said on stderr.
// The child is handed over in `Shown`; its caller stops it.
#[allow(clippy::zombie_processes)]
fn start_shown(mut command: Command) -> Shown {
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the program");
    // What it says, read as it comes (a pipe left full would hold it up).
    let stderr = child.stderr.take().expect("stderr");
    let said = named("bench-stderr", move || {
        let mut text = String::new();
        let _ = BufReader::new(stderr).read_to_string(&mut text);
        text
    });
    let pid = child.id().to_string();
    loop {
        let out = Command::new("xdotool")
            .args(["search", "--onlyvisible", "--pid", &pid])
            .output()
            .expect("xdotool");
        let found = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if let Some(window) = found.lines().last().filter(|_| out.status.success()) {
            return Shown {
                window: window.to_string(),
                startup_s: started.elapsed().as_secs_f64(),
                child,
            };
        }
        if let Ok(Some(status)) = child.try_wait() {
            let said = said.join().unwrap_or_default();
            panic!("{command:?} ended ({status}) before its window showed:\n{said}");
        }
        if started.elapsed() > Duration::from_secs(30) {
            stop(child);
            panic!("no window within 30 s from {command:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn original_command() -> Option<Command> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/original");
    dir.join("tcp_chat.py").exists().then(|| {
        let mut c = Command::new("/usr/bin/python3");
        c.arg("tcp_chat.py").current_dir(dir);
        c
    })
}

/// Request/reply against a program listening on `port` whose answer is `reply`; stops
/// early (and says after how many) when the program dies, as the original often does.
fn request_reply_with(port: u16, reply: &[u8], n: usize) -> (RoundTrips, usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let stream = loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => break s,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("nothing listening on {port}: {e}"),
        }
    };
    stream.set_nodelay(true).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = stream;
    let mut buf = vec![0u8; reply.len()];
    let mut times = Vec::with_capacity(n);
    let started = Instant::now();
    // The rate is of the round trips answered, up to the last answer: when the program
    // stops answering, the wait that finds it out (up to the 5 s read timeout) is not
    // counted.
    let mut last_answer = started;
    for i in 0..n {
        let t0 = Instant::now();
        // One message per write, answered before the next: as the course's client does.
        if writer
            .write_all(format!("request {i}\n").as_bytes())
            .is_err()
            || reader.read_exact(&mut buf).is_err()
            || buf != reply
        {
            break;
        }
        times.push(t0.elapsed());
        last_answer = Instant::now();
    }
    let done = times.len();
    let total = last_answer.duration_since(started);
    times.sort_unstable();
    let at = |q: usize| times.get(q).map_or(0.0, |t| t.as_secs_f64() * 1e3);
    (
        RoundTrips {
            per_second: if done == 0 {
                0.0
            } else {
                done as f64 / total.as_secs_f64()
            },
            p50_ms: at(done / 2),
            p99_ms: at(done * 99 / 100),
        },
        done,
    )
}

/// Rows 9a-9b: `--terminal` in a real terminal (tmux), listening, as a person over SSH
/// starts it: its idle memory beside the window's (row 3), and row 1's request/reply
/// against it, every line printed on the terminal.
fn terminal_rows(window_idle_mb: f64, round_trips: usize) -> Vec<Row> {
    let port = free_port();
    let socket = format!("tcp-chat-bench-{}", std::process::id());
    // The scrollback keeps every line of every round (tmux keeps 2,000 unless told), so
    // that each can be checked there.
    let config = std::env::temp_dir().join(format!("{socket}.conf"));
    std::fs::write(
        &config,
        format!(
            "set -g history-limit {}\n",
            ROUNDS * (round_trips + 2) + 1_000
        ),
    )
    .expect("tmux's configuration file");
    let tmux = |args: &[&str]| {
        Command::new("tmux")
            .args(["-u", "-L", &socket, "-f"])
            .arg(&config)
            .args(args)
            .env("LANG", "C.UTF-8")
            .output()
            .expect("tmux (apt-get install tmux)")
    };
    let binary = binary();
    let started = tmux(&[
        "new-session",
        "-d",
        "-x",
        "100",
        "-y",
        "30",
        binary.to_str().unwrap(),
        "--terminal",
        "--no-discovery",
        "--listen",
        "--bind",
        "127.0.0.1",
        "--port",
        &port.to_string(),
    ]);
    assert!(started.status.success(), "tmux could not start --terminal");
    let pid: u32 = String::from_utf8_lossy(&tmux(&["display-message", "-p", "#{pane_pid}"]).stdout)
        .trim()
        .parse()
        .expect("the terminal's pid");
    std::thread::sleep(Duration::from_secs(3));
    let idle_mb = rss_kb(pid) as f64 / 1024.0;
    // Most of it is the pages of Qt's libraries (linked, loaded, never used here), which
    // are shared with every other Qt program; its own memory is the anonymous part.
    let own_mb = proc_field(pid, "smaps_rollup", "Anonymous:") as f64 / 1024.0;

    let mut baseline_rounds = Vec::new();
    let mut our_rounds = Vec::new();
    for _ in 0..ROUNDS {
        baseline_rounds.push(round_trip_client(echo_server().0, round_trips));
        our_rounds.push(round_trip_client(port, round_trips));
    }
    // Every line of every round reached the screen (its scrollback), in order.
    let deadline = Instant::now() + Duration::from_secs(10);
    let all_shown = loop {
        let screen = tmux(&["capture-pane", "-p", "-S", "-"]).stdout;
        if every_request_shown(&String::from_utf8_lossy(&screen), ROUNDS, round_trips) {
            break true;
        }
        if Instant::now() > deadline {
            break false;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let lived = pid_running(pid, "tcp-chat --terminal");
    tmux(&["kill-server"]);
    let _ = std::fs::remove_file(&config);
    vec![
        Row {
            what: "9a. idle memory of --terminal, listening (MB)",
            ours: format!("{idle_mb:.1} ({own_mb:.1} its own)"),
            baseline: format!("{window_idle_mb:.1} (the window, row 3)"),
            ratio: format!("{:.2}", idle_mb / window_idle_mb),
            target: "<= 0.5 x the window, own <= 8 MB".into(),
            result: (idle_mb <= 0.5 * window_idle_mb && own_mb <= 8.0).into(),
        }
        .unless_died(lived, true),
        request_reply_row(
            "9b. --terminal request/reply (msg/s; p50/p99)",
            our_rounds,
            baseline_rounds,
            all_shown,
        )
        .unless_died(lived, true),
    ]
}

/// Whether `screen` shows `rounds` rounds of requests 0 to n-1 received, every line of
/// each, in order, and no other received line.
fn every_request_shown(screen: &str, rounds: usize, n: usize) -> bool {
    let mut seen = 0;
    for text in screen.lines().filter_map(received_text) {
        if text != request_text(seen % n) {
            return false;
        }
        seen += 1;
    }
    seen == rounds * n
}

/// A minimal server on loopback for one client: reads a line, answers `Server OK`. Returns
/// its port, and where it says the CPU seconds it used once its client has gone.
fn echo_server() -> (u16, std::sync::mpsc::Receiver<f64>) {
    let (cpu_said, cpu) = std::sync::mpsc::channel();
    if small_pi().is_some() {
        let (port, mut child, mut out) = helper(&["--serve-echo"]);
        // It ends at its peer's end, saying its CPU seconds.
        std::thread::spawn(move || {
            let mut said = String::new();
            let _ = out.read_line(&mut said);
            let _ = child.wait();
            if let Ok(seconds) = said.trim().parse::<f64>() {
                let _ = cpu_said.send(seconds);
            }
        });
        return (port, cpu);
    }
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (stream, _) = server.accept().unwrap();
        let cpu = echo_lines(stream, cpu_seconds(libc::CLOCK_THREAD_CPUTIME_ID));
        let _ = cpu_said.send(cpu);
    });
    (port, cpu)
}

/// The 1-thread echo server's loop: answers each line with `Server OK` until the peer
/// ends; the CPU seconds it used meanwhile (`cpu` tells them).
fn echo_lines(stream: TcpStream, cpu: impl Fn() -> f64) -> f64 {
    let before = cpu();
    stream.set_nodelay(true).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
        writer.write_all(b"Server OK\n").unwrap();
        line.clear();
    }
    cpu() - before
}

/// Rows 8a-8c, each (what, target).
const ORIGINAL_ROWS: [(&str, &str); 3] = [
    (
        "8a. idle memory vs the original dialog (MB, median)",
        "<= original",
    ),
    (
        "8b. start-up to a shown window vs the original (s, median)",
        "<= original",
    ),
    (
        "8c. request/reply vs the original (msg/s; p50/p99)",
        ">= original, none lost",
    ),
];

/// Rows 8a-8c: the binary and the course's original dialog, started and used the same way.
/// Without `../shared/original` (a clone of this project alone) they are not run: said
/// in the table, in their place, and counted apart.
fn against_the_original(round_trips: usize, runs: usize) -> Vec<Row> {
    if original_command().is_none() {
        const WHY: &str = "../shared/original not found";
        eprintln!("bench: ../shared/original/tcp_chat.py not found: rows 8a-8c not run");
        return ORIGINAL_ROWS
            .iter()
            .map(|&(what, target)| Row::not_run(what, target, WHY))
            .collect();
    }
    // (median start-up, idle MB if it lived to be measured, request/reply and how many
    // answered, whether tcp-chat lived to the end of every run)
    let measure = |ours: bool| {
        let who = if ours { "tcp-chat" } else { "the original" };
        let mut startups = Vec::new();
        let mut idle_mbs = Vec::new();
        let mut rr = None;
        let mut lived = true;
        for run in 0..runs {
            let port = if ours { free_port() } else { 12345 };
            let command = if ours {
                let mut c = program(binary());
                c.env("XDG_CONFIG_HOME", bench_config_home());
                c.args(["--listen", "--no-discovery", "--port", &port.to_string()]);
                c
            } else {
                original_command().unwrap()
            };
            let mut shown = start_shown(command);
            startups.push(shown.startup_s);
            // Every start's idle memory; a program that died meanwhile has no memory to
            // read and answers nothing.
            std::thread::sleep(Duration::from_secs(3));
            let living = still_running(&mut shown.child, who);
            if living {
                idle_mbs.push(rss_kb(shown.child.id()) as f64 / 1024.0);
            }
            // Request/reply in the last start only: the original seldom lives through it.
            if run + 1 == runs && living {
                if !ours {
                    // Listen has the focus at start: a person presses Space.
                    let _ = Command::new("xdotool")
                        .args(["windowfocus", "--sync", &shown.window])
                        .status();
                    let _ = Command::new("xdotool")
                        .args(["key", "--window", &shown.window, "space"])
                        .status();
                }
                let reply: &[u8] = if ours { b"Server OK\n" } else { b"Server OK" };
                rr = Some(request_reply_with(port, reply, round_trips));
            }
            // tcp-chat lives through every run; the original often dies in request/reply,
            // which row 8c says.
            if ours {
                lived &= still_running(&mut shown.child, who);
            }
            stop(shown.child);
        }
        let none_answered = RoundTrips {
            per_second: 0.0,
            p50_ms: 0.0,
            p99_ms: 0.0,
        };
        (
            spread(&startups),
            (!idle_mbs.is_empty()).then(|| spread(&idle_mbs)),
            rr.unwrap_or((none_answered, 0)),
            lived,
        )
    };
    let (our_start, our_mb, (our_rr, our_done), our_lived) = measure(true);
    let (orig_start, orig_mb, (orig_rr, orig_done), _) = measure(false);
    let crashed = |done: usize| {
        if done < round_trips {
            format!(", died after {done} of {round_trips}")
        } else {
            String::new()
        }
    };
    let mb = |m: Option<(f64, f64, f64)>| m.map_or_else(|| "-".to_string(), |m| shown(m, 1));
    let (our_mb_median, orig_mb_median) = (our_mb.map(|m| m.0), orig_mb.map(|m| m.0));
    vec![
        Row {
            what: ORIGINAL_ROWS[0].0,
            ours: mb(our_mb),
            baseline: format!("{} (PyQt5 original)", mb(orig_mb)),
            ratio: match (our_mb_median, orig_mb_median) {
                (Some(ours), Some(original)) => format!("{:.2}", ours / original),
                _ => "-".into(),
            },
            target: ORIGINAL_ROWS[0].1.into(),
            result: matches!((our_mb_median, orig_mb_median), (Some(ours), Some(original)) if ours <= original)
                .into(),
        }
        .unless_died(our_lived, orig_mb.is_some()),
        Row {
            what: ORIGINAL_ROWS[1].0,
            ours: shown(our_start, 3),
            baseline: format!("{} (PyQt5 original)", shown(orig_start, 3)),
            ratio: format!("{:.2}", our_start.0 / orig_start.0),
            target: ORIGINAL_ROWS[1].1.into(),
            result: (our_start.0 <= orig_start.0).into(),
        }
        .unless_died(our_lived, true),
        Row {
            what: ORIGINAL_ROWS[2].0,
            ours: format!(
                "{:.0}; {:.3}/{:.3} ms{}",
                our_rr.per_second,
                our_rr.p50_ms,
                our_rr.p99_ms,
                crashed(our_done)
            ),
            baseline: format!(
                "{:.0}; {:.3}/{:.3} ms{} (PyQt5 original)",
                orig_rr.per_second,
                orig_rr.p50_ms,
                orig_rr.p99_ms,
                crashed(orig_done)
            ),
            ratio: format!("{:.2}", our_rr.per_second / orig_rr.per_second.max(1e-9)),
            target: ORIGINAL_ROWS[2].1.into(),
            result: (our_done == round_trips && our_rr.per_second >= orig_rr.per_second).into(),
        }
        .unless_died(our_lived, true),
    ]
}

// ---------------------------------------------------------------- baselines as processes

/// Starts this benchmark as a baseline process of its own (`--serve-echo`, `--count-lines
/// N`), inside the small Pi's limits; returns the port it listens on, and its output.
fn helper(args: &[&str]) -> (u16, Child, BufReader<std::process::ChildStdout>) {
    let mut child = program(std::env::current_exe().unwrap())
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("a baseline process");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut port = String::new();
    out.read_line(&mut port).unwrap();
    (
        port.trim().parse().expect("the baseline's port"),
        child,
        out,
    )
}

/// The baseline processes' side: `--serve-echo` answers each line of one peer with
/// `Server OK` (as the 1-thread echo server thread does) and prints the CPU seconds it
/// used at the peer's end; `--count-lines N` reads N lines and prints the seconds it took
/// and the CPU seconds it used (as the read+count loop does). Each prints its port first.
/// Returns whether this process was one.
fn serve_as_baseline() -> bool {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == BARE_WINDOW) {
        bare_window();
    }
    let Some(mode) = args
        .iter()
        .position(|a| a == "--serve-echo" || a == "--count-lines")
    else {
        return false;
    };
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    println!("{}", server.local_addr().unwrap().port());
    std::io::stdout().flush().unwrap();
    let (stream, _) = server.accept().unwrap();
    if args[mode] == "--serve-echo" {
        let cpu = echo_lines(stream, cpu_seconds(libc::CLOCK_PROCESS_CPUTIME_ID));
        println!("{cpu}");
    } else {
        let lines: usize = args[mode + 1].parse().unwrap();
        let cpu = cpu_seconds(libc::CLOCK_PROCESS_CPUTIME_ID);
        let (seconds, cpu) = count_lines(stream, lines, cpu);
        println!("{seconds} {cpu}");
    }
    true
}

/// The option that makes this benchmark row 3's floor: [`bare_window`].
const BARE_WINDOW: &str = "--bare-window";

/// A Qt Quick window of the kinds of controls tcp-chat's has, at its size and drawn the
/// same way (the same scene graph choice), and nothing of tcp-chat's: no chat, no log
/// model, no threads, no translations. What Qt itself takes for such a window, against
/// which row 3 measures what tcp-chat adds.
const BARE_QML: &str = r#"import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ApplicationWindow {
    width: 640
    height: 480
    visible: true
    title: "a bare window"
    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 6
        RowLayout {
            Label { text: "IP" }
            TextField { text: "127.0.0.1"; selectByMouse: true; Layout.fillWidth: true }
            Label { text: "Port" }
            TextField { text: "5000"; selectByMouse: true }
            Button { text: "Listen" }
            Button { text: "Connect" }
        }
        Frame {
            Layout.fillWidth: true
            Layout.fillHeight: true
            ListView {
                anchors.fill: parent
                clip: true
                model: 20
                delegate: TextEdit {
                    required property int index
                    width: ListView.view.width
                    text: "line " + index
                    readOnly: true
                    selectByMouse: true
                    font.family: "monospace"
                }
                ScrollBar.vertical: ScrollBar { policy: ScrollBar.AsNeeded }
            }
        }
        RowLayout {
            TextField { placeholderText: "message"; Layout.fillWidth: true }
            CheckBox { text: "Hex" }
            Button { text: "Send"; ToolTip.visible: hovered; ToolTip.text: "Send" }
        }
    }
}
"#;

/// `--bare-window`: shows [`BARE_QML`] until ended.
fn bare_window() -> ! {
    tcp_chat::render::choose_scene_graph();
    let file = std::env::temp_dir().join(format!("tcp-chat-bench-bare-{}.qml", std::process::id()));
    std::fs::write(&file, BARE_QML).expect("write the bare window's QML");
    let mut app = QGuiApplication::new();
    let mut engine = cxx_qt_lib::QQmlApplicationEngine::new();
    if let Some(engine) = engine.as_mut() {
        let url = format!("file://{}", file.display());
        engine.load(&cxx_qt_lib::QUrl::from(url.as_str()));
    }
    let code = app.as_mut().map_or(1, |app| app.exec());
    let _ = std::fs::remove_file(&file);
    std::process::exit(code)
}

// ---------------------------------------------------------------- a small Pi

/// The rows that `--small-pi` runs under a small Pi's limits (tcp-chat and each baseline
/// inside them, the peers outside): start-up, idle memory and CPU, request/reply, the
/// flood into the transcript on disk, and the hostile rows; and whether the kernel
/// killed anything for memory.
fn small_pi_rows(sizes: &Sizes, quick: bool) -> (Vec<Row>, String) {
    let limits = match common::limits::Limits::create() {
        Ok(limits) => limits,
        Err(why) => {
            eprintln!("bench: the small Pi's limits: {why}");
            return (
                vec![Row::not_run(
                    "P. a small Pi (cgroup limits)",
                    "-",
                    "no cgroup here (root, cpu and memory controllers)",
                )],
                String::new(),
            );
        }
    };
    let said = limits.said();
    // Every program from here on runs inside the limits, until this returns (the group
    // is removed when `limits` goes, a panic's unwinding included).
    struct Inside;
    impl Drop for Inside {
        fn drop(&mut self) {
            *SMALL_PI.lock().unwrap_or_else(|p| p.into_inner()) = None;
        }
    }
    *SMALL_PI.lock().unwrap() = Some(limits.joiner());
    let _inside = Inside;
    let mut rows = Vec::new();
    eprintln!("bench: small Pi: start-up, idle memory and idle CPU...");
    let (_, start_rows) = start_rows(sizes.startups, 2.4, "<= 2.4 s (8 x the full machine's)");
    rows.extend(start_rows);
    eprintln!("bench: small Pi: request/reply...");
    rows.push(binary_request_reply(
        "1. request/reply (msg/s; p50/p99 round trip)",
        sizes.round_trips / 4,
        false,
        0.8,
    ));
    eprintln!("bench: small Pi: a flood into the transcript...");
    rows.extend(flood_transcript(sizes.flood_lines / 4));
    eprintln!("bench: small Pi: hostile peers...");
    rows.extend(hostile_rows(quick));
    let kills = limits.oom_kills();
    rows.push(Row {
        what: "P. programs the kernel killed for memory (OOM)",
        ours: kills.to_string(),
        baseline: "-".into(),
        ratio: "-".into(),
        target: "0".into(),
        result: (kills == 0).into(),
    });
    (rows, said)
}

/// Row 1t: request/reply against the binary with `--transcript`, as a teacher who keeps the
/// lesson's log runs it.
fn transcript_request_reply(round_trips: usize) -> Row {
    binary_request_reply(
        "1t. request/reply, binary with --transcript (msg/s; p50/p99)",
        round_trips,
        true,
        1.0,
    )
}

/// Rounds of request/reply against the binary: the issue's own measure is the median of 5.
const BINARY_ROUNDS: usize = 5;

/// Request/reply against the binary (its window shown, as a person runs it), with
/// `--transcript` when `transcript`, and against the 1-thread echo server, rounds
/// alternating; under the small Pi's limits when they hold (both sides). With a
/// transcript, every request of every round must be in the file, in order.
fn binary_request_reply(
    what: &'static str,
    round_trips: usize,
    transcript: bool,
    target_ratio: f64,
) -> Row {
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("tcp-chat-bench-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("transcript.txt");
    let mut command = program(binary());
    command
        .env("XDG_CONFIG_HOME", bench_config_home())
        .args(["--listen", "--no-discovery", "--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if transcript {
        command.arg("--transcript").arg(&path);
    }
    let mut child = command.spawn().expect("start tcp-chat");
    // Listening, and its start-up's work (first frames) done, before the first round.
    let listening = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() && Instant::now() < listening {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_secs(1));
    let (mut ours, mut base) = (Vec::new(), Vec::new());
    // CPU seconds over all rounds: tcp-chat's (all its threads, in the kernel's ticks:
    // a round's own would be a few of them) and the echo server's.
    let (mut our_ticks, mut base_cpu, mut base_said) = (0, 0.0, 0);
    // Of tcp-chat's, its window's thread's (the rest: the reader that answers, the queue).
    let mut our_window_ticks = 0;
    // Under a small Pi's limits: how often each side ran out of its CPU slice (the
    // group's throttling during its own rounds).
    let (mut our_wait, mut base_wait) = (Some(Throttling::default()), Some(Throttling::default()));
    let throttling = || small_pi().and_then(|limits| limits.throttling());
    let count_wait = |total: &mut Option<Throttling>, before: Option<Throttling>| {
        *total = match (*total, before, throttling()) {
            (Some(total), Some(before), Some(after)) => Some(total.add(after.since(before))),
            _ => None,
        };
    };
    let mut all = true;
    for _ in 0..BINARY_ROUNDS {
        let (echo, echo_cpu) = echo_server();
        let before = throttling();
        base.push(request_reply_with(echo, b"Server OK\n", round_trips).0);
        count_wait(&mut base_wait, before);
        if let Ok(seconds) = echo_cpu.recv_timeout(Duration::from_secs(10)) {
            base_cpu += seconds;
            base_said += 1;
        }
        let (ticks, window_ticks) = (cpu_ticks(child.id()), main_thread_ticks(child.id()));
        let before = throttling();
        let (round, answered) = request_reply_with(port, b"Server OK\n", round_trips);
        count_wait(&mut our_wait, before);
        our_ticks += cpu_ticks(child.id()) - ticks;
        our_window_ticks += main_thread_ticks(child.id()) - window_ticks;
        all &= answered == round_trips;
        ours.push(round);
    }
    let alive = still_running(&mut child, "the binary (request/reply)");
    // Asked to end as a person ends it, it writes what its transcript still owes first.
    let ended = end_gently(child);
    if transcript && !ended {
        eprintln!("bench: tcp-chat did not end within 10 s of SIGTERM");
        all = false;
    }
    if transcript {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let (found, due) = (
            requests_in_order(&text, round_trips),
            round_trips * BINARY_ROUNDS,
        );
        if found != due {
            eprintln!("bench: the transcript holds {found} of {due} requests in their place");
            all = false;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let base_rate = pooled_rate(&base.iter().map(|r| r.per_second).collect::<Vec<_>>());
    let mut row = request_reply_row(what, ours, base, all);
    let per_round_trip = |seconds: f64, rounds: usize| {
        format!(
            "; {:.1} us CPU a round trip",
            seconds * 1e6 / (rounds * round_trips) as f64
        )
    };
    let our_seconds = our_ticks as f64 / ticks_a_second();
    row.ours
        .push_str(&per_round_trip(our_seconds, BINARY_ROUNDS));
    row.ours.push_str(&format!(
        " (the window's thread {:.1})",
        our_window_ticks as f64 / ticks_a_second() * 1e6 / (BINARY_ROUNDS * round_trips) as f64
    ));
    // What the target would take of tcp-chat's CPU alone (the client's is not measured),
    // at the echo server's rate over all its rounds.
    let ours_ns = our_seconds * 1e9 / (BINARY_ROUNDS * round_trips) as f64;
    row.ours
        .push_str(&cores_at(target_ratio, base_rate, ours_ns, None));
    row.baseline.push_str(&match base_said {
        0 => "; its CPU not said".to_string(),
        n => per_round_trip(base_cpu, n),
    });
    if small_pi().is_some() {
        row.ours.push_str(&slices_used_up(our_wait));
        row.baseline.push_str(&slices_used_up(base_wait));
    }
    row.target = format!(
        ">= {target_ratio:.2} x baseline, {}",
        if transcript {
            "all in the transcript"
        } else {
            "all answered"
        }
    );
    row.result = (all && row.ratio.parse::<f64>().is_ok_and(|r| r >= target_ratio)).into();
    row.unless_died(alive, true)
}

/// In how many of the periods a side ran in it used up its slice and waited for the next
/// (`None`: the kernel did not say): all of them means its rate is what its CPU allows.
fn slices_used_up(throttling: Option<Throttling>) -> String {
    match throttling {
        Some(t) => format!(
            "; out of CPU in {:.0} % of the {} periods it ran in",
            100.0 * t.throttled as f64 / t.periods.max(1) as f64,
            t.periods
        ),
        None => "; its slices not said".into(),
    }
}

/// How many `[rcv] request i` lines of a transcript come in their place: rounds of `n`
/// requests each, i counting 0 to n-1 in each.
fn requests_in_order(text: &str, n: usize) -> usize {
    let mut next = 0;
    let mut found = 0;
    for line in text.lines() {
        let Some(got) = received_text(line).and_then(|t| t.strip_prefix("request ")) else {
            continue;
        };
        if got.parse::<usize>().ok() == Some(next) {
            found += 1;
            next = (next + 1) % n;
        }
    }
    found
}

// ---------------------------------------------------------------- transcript flood

/// Median, least and most of `figures` (at least one).
fn spread(figures: &[f64]) -> (f64, f64, f64) {
    let mut sorted = figures.to_vec();
    sorted.sort_by(f64::total_cmp);
    (
        sorted[sorted.len() / 2],
        sorted[0],
        sorted[sorted.len() - 1],
    )
}

/// A rate's median with the spread of its rounds: `1234567 (1200000-1300000)`.
fn rate_with_spread(figures: &[f64]) -> String {
    shown(spread(figures), 0)
}

/// The rate of rounds of equal size taken together: their items over their time (the
/// harmonic mean), which with their mean CPU an item gives the CPU they used a second.
fn pooled_rate(rates: &[f64]) -> f64 {
    rates.len() as f64 / rates.iter().map(|r| 1.0 / r).sum::<f64>()
}

/// The mean of `figures` (at least one).
fn mean(figures: &[f64]) -> f64 {
    figures.iter().sum::<f64>() / figures.len() as f64
}

/// A [`spread`] as the tables show it, with `places` decimals: `52.8 (52.6-53.0)`.
fn shown((median, least, most): (f64, f64, f64), places: usize) -> String {
    format!("{median:.places$} ({least:.places$}-{most:.places$})")
}

/// Row 2t: the binary as a person starts it with `--transcript`, a peer flooding 32-byte
/// lines; timed from the first byte written until the last line is in the transcript
/// file, against the read+count loop, rounds alternating. Every line of every round is
/// then checked in the file, in order.
fn flood_transcript(lines: usize) -> Vec<Row> {
    const WHAT: [&str; 2] = [
        "2ta. flood into --transcript, lines/s in the file (median, spread)",
        "2tb. flood into --transcript, lines lost / out of order",
    ];
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("tcp-chat-bench-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("transcript.txt");
    let mut child = program(binary())
        .env("XDG_CONFIG_HOME", bench_config_home())
        .env("QT_QUICK_BACKEND", "software")
        .args(["-platform", "offscreen", "--listen", "--no-discovery"])
        .args(["--port", &port.to_string()])
        .arg("--transcript")
        .arg(&path)
        .args(["--transcript-max", "4G"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start tcp-chat");
    let listening = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > listening {
            stop(child);
            return vec![Row::not_run(
                WHAT[0],
                ">= 0.50 x baseline",
                "tcp-chat did not listen",
            )];
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut file = std::fs::File::open(&path).expect("the transcript");
    let mut ours = Vec::new();
    let mut base = Vec::new();
    let mut cpu_ns = Vec::new();
    let (mut lost, mut misplaced) = (0, 0);
    let last = format!("[rcv] {}", flood_line(lines - 1));
    let finder = memchr::memmem::Finder::new(last.as_bytes());
    let (mut base_cpu_ns, mut base_peer_cpu_ns, mut peer_cpu_ns) =
        (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let (seconds, cpu, peer) = count_lines_baseline(lines);
        base.push(lines as f64 / seconds);
        base_cpu_ns.push(cpu * 1e9 / lines as f64);
        base_peer_cpu_ns.push(peer * 1e9 / lines as f64);
        // The file is watched by its size, and its end read once it can hold the round
        // (each line takes more than its 32 bytes): reading all of it as it grows took
        // this process as much CPU as tcp-chat's own Qt thread, on the same two cores.
        let start = file.metadata().unwrap().len();
        let ticks = cpu_ticks(child.id());
        let started = Instant::now();
        let writer = named("bench-peer", move || write_flood(port, lines));
        let give_up = started + Duration::from_secs(120);
        let mut tail = vec![0u8; 4096];
        let seconds = loop {
            let len = file.metadata().unwrap().len();
            if len - start >= (lines * 32) as u64 {
                use std::os::unix::fs::FileExt;
                let from = len.saturating_sub(tail.len() as u64).max(start);
                let n = file.read_at(&mut tail, from).unwrap();
                if finder.find(&tail[..n]).is_some() {
                    break started.elapsed().as_secs_f64();
                }
            }
            if Instant::now() > give_up || !matches!(child.try_wait(), Ok(None)) {
                break f64::INFINITY;
            }
            std::thread::sleep(Duration::from_micros(500));
        };
        peer_cpu_ns.push(writer.join().unwrap() * 1e9 / lines as f64);
        ours.push(lines as f64 / seconds);
        // What the round cost tcp-chat, all its threads (in the kernel's ticks), a line.
        let used = (cpu_ticks(child.id()) - ticks) as f64 / ticks_a_second();
        cpu_ns.push(used * 1e9 / lines as f64);
        let mut round = Vec::new();
        std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(start)).unwrap();
        file.read_to_end(&mut round).unwrap();
        let mut chunk = vec![0u8; 64 * 1024];
        // Every line, in order: `... [rcv] flood line <i>`.
        let mut next = 0;
        for line in round.split(|&b| b == b'\n') {
            let Some(at) = memchr::memmem::find(line, b"[rcv] flood line ") else {
                continue;
            };
            let n = std::str::from_utf8(&line[at + 17..])
                .ok()
                .and_then(|n| n.trim_start_matches(' ').parse::<usize>().ok());
            match n {
                Some(n) if n == next => next += 1,
                Some(n) if n > next => {
                    lost += n - next;
                    next = n + 1;
                }
                _ => misplaced += 1,
            }
        }
        lost += lines - next.min(lines);
        // Its Disconnect too, before the next round starts.
        let settled = Instant::now() + Duration::from_secs(10);
        let mut rest = round.split_off(round.len().saturating_sub(64 * 1024));
        while memchr::memmem::find(&rest, b"Disconnect : ").is_none() && Instant::now() < settled {
            let n = file.read(&mut chunk).unwrap();
            rest.extend_from_slice(&chunk[..n]);
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    let alive = still_running(&mut child, "the binary with a transcript");
    stop(child);
    let _ = std::fs::remove_dir_all(&dir);
    let (ours_rate, _, _) = spread(&ours);
    let (base_rate, _, _) = spread(&base);
    vec![
        Row {
            what: WHAT[0],
            ours: format!(
                "{}; {:.0} ns CPU a line, the peer's {:.0}{}",
                rate_with_spread(&ours),
                mean(&cpu_ns),
                mean(&peer_cpu_ns),
                cores_at(
                    0.5,
                    pooled_rate(&base),
                    mean(&cpu_ns),
                    Some(mean(&base_peer_cpu_ns))
                )
            ),
            baseline: format!(
                "{} (read+count loop); {:.0} ns CPU a line, the peer's {:.0}",
                rate_with_spread(&base),
                mean(&base_cpu_ns),
                mean(&base_peer_cpu_ns)
            ),
            ratio: format!("{:.2}", ours_rate / base_rate),
            target: ">= 0.50 x baseline".into(),
            result: (ours_rate / base_rate >= 0.5).into(),
        }
        .unless_died(alive, true),
        Row {
            what: WHAT[1],
            ours: format!("{lost} / {misplaced}"),
            baseline: "0 / 0".into(),
            ratio: "-".into(),
            target: "0 / 0 (every line checked)".into(),
            result: (lost == 0 && misplaced == 0).into(),
        }
        .unless_died(alive, true),
    ]
}

// ---------------------------------------------------------------- fair share

/// Row 10: how long a peer from another address waits to be served (connect, a line, its
/// auto-reply) while one address hammers the listener (200 connections held open, and a
/// loop connecting and leaving), against the same with nobody hammering; `rounds` each.
fn fair_share(rounds: usize) -> Row {
    const WHAT: &str = "10. fair share: another address served while one hammers (ms p50/worst)";
    let port = free_port();
    let mut child = program(binary())
        .env("XDG_CONFIG_HOME", bench_config_home())
        .env("QT_QUICK_BACKEND", "software")
        .args(["-platform", "offscreen", "--listen", "--no-discovery"])
        .args(["--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start tcp-chat");
    let listening = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > listening {
            stop(child);
            return Row::not_run(WHAT, "worst <= 100 ms", "tcp-chat did not listen");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let served = |port: u16| -> Option<f64> {
        let started = Instant::now();
        let mut peer = TcpStream::connect(("127.0.0.1", port)).ok()?;
        peer.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
        peer.write_all(b"ping\n").ok()?;
        let mut reply = String::new();
        if let Err(e) = BufReader::new(peer).read_line(&mut reply) {
            eprintln!("bench: a peer got no answer: {e}");
            return None;
        }
        if reply != "Server OK\n" {
            eprintln!("bench: a peer was answered {reply:?}");
            return None;
        }
        Some(started.elapsed().as_secs_f64() * 1000.0)
    };
    let measure = |what: &str| -> (Vec<f64>, usize) {
        let times: Vec<f64> = (0..rounds).filter_map(|_| served(port)).collect();
        if times.len() < rounds {
            eprintln!(
                "bench: {} of {rounds} peers not served {what}",
                rounds - times.len()
            );
        }
        let lost = rounds - times.len().min(rounds);
        (times, lost)
    };
    let (quiet, quiet_lost) = measure("with nobody hammering");
    // The hammer: from 127.0.0.2, as a second computer's script would.
    let hammering = Arc::new(AtomicBool::new(true));
    let attempts = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let hammer = {
        let (hammering, attempts) = (hammering.clone(), attempts.clone());
        std::thread::spawn(move || {
            let from = |port: u16| {
                let socket =
                    socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
                        .ok()?;
                socket
                    .bind(&SocketAddr::from(([127, 0, 0, 2], 0)).into())
                    .ok()?;
                socket
                    .connect_timeout(
                        &SocketAddr::from(([127, 0, 0, 1], port)).into(),
                        Duration::from_secs(1),
                    )
                    .ok()?;
                Some(TcpStream::from(socket))
            };
            let held: Vec<TcpStream> = (0..200).filter_map(|_| from(port)).collect();
            attempts.fetch_add(held.len(), Ordering::SeqCst);
            while hammering.load(Ordering::SeqCst) {
                drop(from(port));
                attempts.fetch_add(1, Ordering::SeqCst);
            }
            drop(held);
        })
    };
    while attempts.load(Ordering::SeqCst) < 200 {
        std::thread::sleep(Duration::from_millis(10));
    }
    let (loud, loud_lost) = measure("while one address hammers");
    hammering.store(false, Ordering::SeqCst);
    let _ = hammer.join();
    let alive = still_running(&mut child, "tcp-chat under a hammering address");
    stop(child);
    let p50_worst = |times: &[f64]| {
        let mut sorted = times.to_vec();
        sorted.sort_by(f64::total_cmp);
        let p50 = sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN);
        (p50, sorted.last().copied().unwrap_or(f64::NAN))
    };
    let ((quiet_p50, quiet_worst), (loud_p50, loud_worst)) = (p50_worst(&quiet), p50_worst(&loud));
    Row {
        what: WHAT,
        ours: format!(
            "{loud_p50:.2} / {loud_worst:.2}; {} not served ({} attempts from the hammer)",
            loud_lost,
            attempts.load(Ordering::SeqCst)
        ),
        baseline: format!(
            "{quiet_p50:.2} / {quiet_worst:.2}; {quiet_lost} not served (nobody hammering)"
        ),
        ratio: format!("{:.2}", loud_worst / quiet_worst),
        // A SYN the kernel dropped costs a second (TCP's first retry): 100 ms tells it.
        target: "every one served, worst <= 100 ms".into(),
        result: (loud_lost == 0 && quiet_lost == 0 && loud_worst <= 100.0).into(),
    }
    .unless_died(alive, true)
}

// ---------------------------------------------------------------- hostile peers

/// Rows 7a-7c: the binary (offscreen, listening, no auto-reply) against peers that try
/// to fill its memory; peak resident memory above idle, against the 100 MB bound. Each
/// row also needs the binary to have taken everything every peer sent (and with the
/// transcript, every line of every peer in it, in order), and to be alive at its end.
fn hostile_rows(quick: bool) -> Vec<Row> {
    // A small Pi takes an eighth of each attack in its time (its bounds are the same).
    let eighth = if small_pi().is_some() { 8 } else { 1 };
    let mb = if quick { 64 } else { 300 } / eighth;
    let lines = if quick { 5_000 } else { 50_000 } / eighth;
    let no_newline = move |port| {
        let (peer, mut s) = AttackPeer::connect(port);
        let chunk = vec![b'x'; 1024 * 1024];
        for _ in 0..mb {
            s.write_all(&chunk)
                .expect("the peer's write failed: the binary closed it or died");
        }
        peer.done(s);
        vec![peer]
    };
    let floods = move |port| {
        let writers: Vec<_> = (0..FLOODING_PEERS)
            .map(|i| {
                let (peer, mut s) = AttackPeer::connect(port);
                std::thread::spawn(move || {
                    let mut batch = String::new();
                    for j in 0..lines {
                        batch.push_str(&format!("p{i} {j}\n"));
                        if batch.len() > 16 * 1024 {
                            s.write_all(batch.as_bytes())
                                .expect("a peer's write failed: the binary closed it or died");
                            batch.clear();
                        }
                    }
                    s.write_all(batch.as_bytes())
                        .expect("a peer's write failed: the binary closed it or died");
                    peer.done(s);
                    peer
                })
            })
            .collect();
        writers.into_iter().map(|w| w.join().unwrap()).collect()
    };
    // Each attack `rounds` times, each on a binary of its own; the bound holds for the
    // worst round.
    let rounds = if quick { 1 } else { ROUNDS };
    let again = |attack: &dyn Fn() -> Attack| (0..rounds).map(|_| attack()).collect::<Vec<_>>();
    let no_newline = again(&|| hostile(Answers::None, 0, no_newline));
    // Without a transcript, each peer counts the auto-replies to its lines: the binary
    // answers a line once its log has taken it, so every line of every peer is counted.
    let plain = again(&|| hostile(Answers::AutoReply, lines, floods));
    let transcript = again(&|| hostile(Answers::Transcript, lines, floods));
    let row = |what: &'static str, attacks: Vec<Attack>| {
        let above: Option<Vec<f64>> = attacks
            .iter()
            .map(|a| a.peak_mb.map(|peak| peak - a.idle_mb))
            .collect();
        let mut ours = above
            .as_ref()
            .map_or_else(|| "-".to_string(), |mb| with_range(mb, 1));
        for attack in &attacks {
            if let Err(missing) = &attack.taken {
                ours = format!("{ours} NOT ALL TAKEN: {missing}");
            }
        }
        let idle: Vec<f64> = attacks.iter().map(|a| a.idle_mb).collect();
        Row {
            what,
            ours,
            baseline: format!("{:.1} idle", spread(&idle).0),
            ratio: "-".into(),
            target: "<= 100 MB".into(),
            result: (above.is_some_and(|mb| worst_of(&mb) <= 100.0)
                && attacks.iter().all(|a| a.taken.is_ok()))
            .into(),
        }
        .unless_died(attacks.iter().all(|a| a.alive), true)
    };
    vec![
        row(
            // Made once a run: the size the attack sends (an eighth on a small Pi).
            Box::leak(
                format!(
                    "7a. one peer, {mb} MB with no newline: peak above idle (MB, worst of rounds)"
                )
                .into_boxed_str(),
            ),
            no_newline,
        ),
        row(
            "7b. 64 peers flooding lines, each answered (MB, worst of rounds)",
            plain,
        ),
        row(
            "7c. 64 peers flooding, with --transcript (MB, worst of rounds)",
            transcript,
        ),
    ]
}

/// The peers of rows 7b and 7c; peer `i` sends the lines `p<i> 0`, `p<i> 1`, ...
const FLOODING_PEERS: usize = 64;

/// How a hostile row counts the lines the binary took.
#[derive(Clone, Copy, PartialEq)]
enum Answers {
    /// It does not: the peer sends no line (row 7a).
    None,
    /// Each peer counts the binary's auto-replies, one for each line it took (row 7b).
    AutoReply,
    /// Every line of every peer must be in the transcript, in order (row 7c).
    Transcript,
}

/// The auto-reply the binary sends for each line in row 7b (its default).
const AUTO_REPLY: &[u8] = b"Server OK\n";

/// A hostile peer's end: what it was sent back, read from its first moment (so that the
/// auto-replies never fill its buffers), up to the binary's close.
struct AttackPeer {
    port: u16,
    reader: std::thread::JoinHandle<Ended>,
}

/// How a hostile peer's connection ended: whether the binary closed it in order (the read
/// ended: it had read every byte first), and the bytes it sent the peer.
struct Ended {
    orderly: bool,
    bytes: u64,
}

impl AttackPeer {
    /// Connects to the binary and starts reading; returns the stream to write the attack on.
    fn connect(port: u16) -> (Self, TcpStream) {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let reading = stream.try_clone().unwrap();
        let peer = Self {
            port: stream.local_addr().expect("a peer's address").port(),
            reader: std::thread::spawn(move || read_to_the_end(reading, Duration::from_secs(300))),
        };
        (peer, stream)
    }

    /// The attack is over: shuts the peer's side, so that the binary closes once it has
    /// read everything.
    fn done(&self, stream: TcpStream) {
        let _ = stream.shutdown(std::net::Shutdown::Write);
    }
}

/// What a hostile row saw of the binary.
struct Attack {
    idle_mb: f64,
    /// Peak resident memory (VmHWM); none when the binary died.
    peak_mb: Option<f64>,
    /// `Ok` when the binary took everything each peer sent (and, with a transcript, every
    /// line of every peer is in it, in order); else what is missing.
    taken: Result<(), String>,
    /// The binary still ran at the end.
    alive: bool,
}

/// Starts the binary, lets `attack` run against its port, waits until it has taken
/// everything, and returns what it cost. Each peer, done, shuts its side and waits for
/// the binary to close the connection: it does once it has read to the end and queued
/// every line before (its readers wait for room, they never drop a line), so an orderly
/// close means it took every byte. With a transcript, done is each peer's Disconnect in
/// it (known by its port), and every line of every peer (`p<i> <j>`, `lines_each` each)
/// must be in it, in order. Without, done is every peer closed and the binary quiet (no
/// CPU for half a second); with auto-replies, each peer must then have had one for each
/// of its `lines_each` lines.
fn hostile(
    answers: Answers,
    lines_each: usize,
    attack: impl FnOnce(u16) -> Vec<AttackPeer>,
) -> Attack {
    let keep_transcript = answers == Answers::Transcript;
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("tcp-chat-bench-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let transcript = dir.join("transcript.txt");
    let mut command = program(binary());
    command
        .env("XDG_CONFIG_HOME", bench_config_home())
        .args(["-platform", "offscreen", "--listen", "--no-discovery"])
        .args(["--port", &port.to_string()])
        // The attack's 64 peers come from this one machine: one address may hold every
        // place (the fair share has a row of its own).
        .args(["--max-per-host", "64"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if keep_transcript {
        // One file for the whole attack: it is read as it grows.
        command
            .arg("--transcript")
            .arg(&transcript)
            .args(["--transcript-max", "4G"]);
    }
    if answers != Answers::AutoReply {
        command.arg("--no-auto-reply");
    }
    let mut child = command.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the binary did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_secs(2));
    let pid = child.id();
    let idle = rss_kb(pid) as f64 / 1024.0;
    let peers = attack(port);
    let count = peers.len();
    // The peers as the binary's log names them, by their ports (not the connection that
    // found it listening, whose Disconnect is in the transcript too).
    let ports: Vec<u16> = peers.iter().map(|peer| peer.port).collect();
    let closes: Vec<_> = peers.into_iter().map(|peer| peer.reader).collect();
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut last_ticks = (cpu_ticks(pid), Instant::now());
    let mut closed_at: Option<Instant> = None;
    let mut reader =
        keep_transcript.then(|| BufReader::new(std::fs::File::open(&transcript).unwrap()));
    let mut seen = PeerLines::new(FLOODING_PEERS, ports);
    let mut line = Vec::new();
    loop {
        // A binary that died takes nothing more: its row says so below.
        if !matches!(child.try_wait(), Ok(None)) {
            break;
        }
        let done = if let Some(reader) = reader.as_mut() {
            // Each line, and each peer's Disconnect, read as the transcript grows.
            while reader.read_until(b'\n', &mut line).unwrap_or(0) > 0 {
                if line.ends_with(b"\n") {
                    seen.take(&line);
                    line.clear();
                }
            }
            seen.left >= count
        } else {
            let ticks = cpu_ticks(pid);
            if ticks != last_ticks.0 {
                last_ticks = (ticks, Instant::now());
            }
            // Every peer closed by the binary (it read each to its end and queued all it
            // sent), then quiet; or, still busy 5 s after the last close (a window that
            // keeps redrawing: see docs/performance.md, "A small Pi"), done all the same.
            let all_closed = closes.iter().all(|close| close.is_finished());
            if all_closed && closed_at.is_none() {
                closed_at = Some(Instant::now());
            }
            all_closed
                && (last_ticks.1.elapsed() > Duration::from_millis(500)
                    || closed_at.is_some_and(|t| t.elapsed() > Duration::from_secs(5)))
        };
        if done {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the binary never took everything: {} of {count} peers closed by it, its CPU \
             last moved {:.1} s ago",
            closes.iter().filter(|close| close.is_finished()).count(),
            last_ticks.1.elapsed().as_secs_f64()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let alive = still_running(&mut child, "the binary under attack");
    // Its peak, read while it still runs (a program that died has none).
    let peak_mb = alive.then(|| proc_field(pid, "status", "VmHWM:") as f64 / 1024.0);
    let mut missing = Vec::new();
    let ends: Vec<Ended> = closes
        .into_iter()
        .map(|close| close.join().unwrap())
        .collect();
    let unread = ends.iter().filter(|end| !end.orderly).count();
    if unread > 0 {
        missing.push(format!("{unread} of {count} peers not read to their end"));
    }
    if answers == Answers::AutoReply {
        let due = (lines_each * AUTO_REPLY.len()) as u64;
        let short: Vec<String> = ends
            .iter()
            .enumerate()
            .filter(|(_, end)| end.bytes != due)
            .map(|(i, end)| format!("p{i}: {}", end.bytes as f64 / AUTO_REPLY.len() as f64))
            .collect();
        if !short.is_empty() {
            missing.push(format!(
                "{} of {count} peers not answered {lines_each} times ({}{})",
                short.len(),
                short[..short.len().min(4)].join(", "),
                if short.len() > 4 { ", ..." } else { "" }
            ));
        }
    }
    if keep_transcript {
        if let Err(lines) = seen.every_line(lines_each) {
            missing.push(lines);
        }
    }
    stop(child);
    let _ = std::fs::remove_dir_all(&dir);
    Attack {
        idle_mb: idle,
        peak_mb,
        taken: if missing.is_empty() {
            Ok(())
        } else {
            Err(missing.join("; "))
        },
        alive,
    }
}

/// Reads what the binary sends a hostile peer, counting it, until the binary closes the
/// connection (the peer shuts its own side when its attack is over), for up to `limit`.
/// Orderly when the read ends (the binary read every byte first); not on a reset (it
/// closed with bytes unread), on any other error, or when it did not close in time.
fn read_to_the_end(mut peer: TcpStream, limit: Duration) -> Ended {
    let deadline = Instant::now() + limit;
    let mut buf = [0u8; 64 * 1024];
    let mut bytes = 0;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || peer.set_read_timeout(Some(left)).is_err() {
            return Ended {
                orderly: false,
                bytes,
            };
        }
        match peer.read(&mut buf) {
            Ok(0) => {
                return Ended {
                    orderly: true,
                    bytes,
                }
            }
            Ok(n) => bytes += n as u64,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::Interrupted
                        | std::io::ErrorKind::WouldBlock
                        | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => {
                return Ended {
                    orderly: false,
                    bytes,
                }
            }
        }
    }
}

/// The transcript of a flood by peers each sending `p<i> 0`, `p<i> 1`, ... : each peer's
/// line due next, lines out of place, and how many of the peers have left.
struct PeerLines {
    next: Vec<usize>,
    misplaced: usize,
    /// The ports of the peers whose Disconnect has not come yet.
    ports: Vec<u16>,
    left: usize,
}

impl PeerLines {
    fn new(peers: usize, ports: Vec<u16>) -> Self {
        Self {
            next: vec![0; peers],
            misplaced: 0,
            ports,
            left: 0,
        }
    }

    /// Takes one line of the transcript: `<time> <log line>\n`.
    fn take(&mut self, line: &[u8]) {
        let line = String::from_utf8_lossy(line);
        // After the line's time (`2026-11-26T14:05:09.123+09:00 `).
        let text = line.split_once(' ').map_or("", |(_, text)| text);
        if let Some(peer) = text.strip_prefix("Disconnect : ") {
            // `<ip> <port>`, then why when the peer did not simply close.
            let port = peer
                .split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u16>().ok());
            if let Some(at) = port.and_then(|port| self.ports.iter().position(|&p| p == port)) {
                self.ports.swap_remove(at);
                self.left += 1;
            }
            return;
        }
        // Peers of one address leaving together are summarised (`127.0.0.1: 3 connects,
        // 61 disconnects and 0 refusals in 1 s, ...`): those count, ports unknown.
        if let Some((_, after)) = text.split_once(" connects, ") {
            if let Some(n) = after
                .split_once(" disconnects and ")
                .and_then(|(n, _)| n.parse::<usize>().ok())
            {
                self.left += n;
                return;
            }
        }
        let Some(said) = received_text(text) else {
            return;
        };
        let Some((peer, n)) = said.strip_prefix('p').and_then(|s| s.split_once(' ')) else {
            self.misplaced += 1;
            return;
        };
        match (peer.parse::<usize>(), n.parse::<usize>()) {
            (Ok(i), Ok(j)) if self.next.get(i) == Some(&j) => self.next[i] += 1,
            _ => self.misplaced += 1,
        }
    }

    /// `Ok` when every peer's `lines` lines all came, in order, and no other.
    fn every_line(&self, lines: usize) -> Result<(), String> {
        let missing: usize = self.next.iter().map(|&n| lines.saturating_sub(n)).sum();
        if missing == 0 && self.misplaced == 0 {
            Ok(())
        } else {
            Err(format!(
                "{missing} lines missing, {} out of order or not sent",
                self.misplaced
            ))
        }
    }
}

/// Row 7d: 64 peers flood the in-process window at once (lines, and 64 KiB pieces with no
/// newline); the longest the Qt thread was late to a call queued every 5 ms. The peers
/// run in this process too, on the same 2 cores (a LAN's peers would not), at the lowest
/// CPU priority.
fn hostile_stall(qt: &Qt, lines: usize, rounds: usize) -> Row {
    let (mut ours, mut base) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let (late_ms, sleeper_ms) = hostile_stall_once(qt, lines);
        ours.push(late_ms);
        base.push(sleeper_ms);
    }
    let (late_ms, sleeper_ms) = (worst_of(&ours), worst_of(&base));
    Row {
        what: "7d. 64 peers flooding the window: longest Qt thread stall (ms, worst of rounds)",
        ours: with_range(&ours, 1),
        baseline: format!("{} (a plain thread's late wake-up)", with_range(&base, 1)),
        ratio: format!("{:.2}", late_ms / sleeper_ms.max(0.001)),
        target: "<= 50 ms".into(),
        result: (late_ms <= 50.0).into(),
    }
}

/// The worst (largest) of `figures`.
fn worst_of(figures: &[f64]) -> f64 {
    figures.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

/// A bound's figure over rounds: the worst, then every round's least and most, as in
/// `26.8 (19.0-26.8)`; one round alone is just its figure.
fn with_range(figures: &[f64], places: usize) -> String {
    let (_, least, most) = spread(figures);
    match figures.len() {
        1 => format!("{most:.places$}"),
        _ => format!("{most:.places$} ({least:.places$}-{most:.places$})"),
    }
}

/// One round of row 7d: the Qt thread's longest stall and the plain thread's latest
/// wake-up, in ms.
fn hostile_stall_once(qt: &Qt, lines: usize) -> (f64, f64) {
    let port = qt.listen();
    // No replies: the peers then only write, one big write each, and their threads
    // sleep in the kernel instead of taking the 2 cores from the window being measured.
    qt.on_window(|mut w| {
        w.as_mut()
            .set_auto_reply_text(&QString::from("Server OK"), false)
    });
    let before = qt.on_window(|w| w.total_lines());
    // What each peer sends, made before the attack: on a LAN, other machines make it, and
    // here making it would take malloc's locks that the window shares.
    let payloads: Vec<(Vec<u8>, usize)> = (0..64)
        .map(|i| {
            if i % 8 == 0 {
                // No newline: 64 KiB pieces, 1 MiB in all.
                return (vec![b'z'; 16 * 64 * 1024], 0);
            }
            let mut batch = String::new();
            for j in 0..lines {
                batch.push_str(&format!("p{i} {j}\n"));
            }
            (batch.into_bytes(), lines)
        })
        .collect();
    let probe = Probe::start(qt.window.clone());
    // The baseline: a plain thread of this process (no Qt, no tcp-chat) that sleeps 5 ms
    // at a time, and how late it wakes while the same attack runs.
    let sleeper_stop = Arc::new(AtomicBool::new(false));
    let sleeper = {
        let stop = sleeper_stop.clone();
        std::thread::spawn(move || {
            let mut worst = Duration::ZERO;
            while !stop.load(Ordering::SeqCst) {
                let t0 = Instant::now();
                std::thread::sleep(Duration::from_millis(5));
                worst = worst.max(t0.elapsed().saturating_sub(Duration::from_millis(5)));
            }
            worst
        })
    };
    let sent = qt.run_while(move || {
        let writers: Vec<_> = payloads
            .into_iter()
            .map(|(payload, lines)| {
                std::thread::spawn(move || {
                    // On a LAN the peers' work is done by other machines: here it runs at
                    // the lowest priority, so that it does not take the CPU from the
                    // window being measured.
                    tcp_chat::engine::priority::run_at_lowest_priority();
                    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
                    s.write_all(&payload).unwrap();
                    lines
                })
            })
            .collect();
        writers
            .into_iter()
            .map(|w| w.join().unwrap())
            .sum::<usize>()
    });
    // Every line (and each peer's Connect) in the log before the probe stops.
    let deadline = Instant::now() + Duration::from_secs(120);
    while qt.on_window(|w| w.total_lines()) - before < (sent + 64) as u64 {
        assert!(
            Instant::now() < deadline,
            "the 64 peers' lines never all arrived"
        );
    }
    let (late_ms, _) = probe.stop();
    sleeper_stop.store(true, Ordering::SeqCst);
    let sleeper_ms = sleeper.join().unwrap().as_secs_f64() * 1e3;
    qt.listen(); // Close and listen again: the 64 peers go.
    qt.on_window(|mut w| {
        w.as_mut()
            .set_auto_reply_text(&QString::from("Server OK"), true)
    });
    (late_ms, sleeper_ms)
}
