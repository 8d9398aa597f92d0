//! The real ChatBackend QObject with a Qt event loop, against loopback peers: what the
//! window's buttons do, and what reaches the log model, in order.
//!
//! Runs without the test harness so that Qt lives on the main thread.

mod common;

use cxx_qt_lib::{QCoreApplication, QString};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::pin::Pin;
use std::time::{Duration, Instant};
use tcp_chat::bridge::{new_backend, new_window, ChatBackend};
use tcp_chat::engine::Stop;
use tcp_chat::startup::WindowStart;

const DEADLINE: Duration = Duration::from_secs(10);

/// The longest one test may run: past it, the watchdog names the test and ends the run
/// (a wait with no deadline, in the test or in Qt, must not hang CI).
const TEST_LIMIT: Duration = Duration::from_secs(120);

/// One test: a name and what it runs with the application.
type QtTest = (&'static str, fn(&QCoreApplication));

/// The tests, each with its name.
macro_rules! qt_tests {
    ($($test:ident),* $(,)?) => {
        &[$((stringify!($test), $test as fn(&QCoreApplication))),*]
    };
}

fn main() {
    let mut app = QCoreApplication::new();
    let app = app.as_mut().expect("a QCoreApplication");
    let tests: &[QtTest] = qt_tests![
        listen_lines_reach_the_log_in_order_and_are_answered,
        send_and_close_update_the_log_and_the_properties,
        connect_shows_connected_and_the_peers_reply,
        a_flood_reaches_the_qt_thread_in_batches,
        bad_input_gives_one_error_line_and_changes_nothing,
        the_log_keeps_the_newest_10000_lines,
        the_log_keeps_at_most_4_mib_of_text,
        connecting_to_a_silent_host_and_saving_to_a_stalled_file_never_block_the_qt_thread,
        a_transcript_on_a_slow_disk_never_blocks_the_qt_thread,
        an_mdns_flood_from_another_host_never_stalls_the_qt_thread,
    ];
    let running = watchdog();
    let mut failed = 0;
    for (name, test) in tests {
        *running.lock().unwrap() = Some((name, Instant::now()));
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| test(&app)));
        match outcome {
            Ok(()) => println!("test {name} ... ok"),
            Err(_) => {
                println!("test {name} ... FAILED");
                failed += 1;
            }
        }
    }
    println!("\n{} passed, {failed} failed", tests.len() - failed);
    std::process::exit(i32::from(failed > 0));
}

/// Runs the Qt event loop until `done` holds, or fails at the deadline.
fn pump_until(app: &QCoreApplication, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    loop {
        app.process_events();
        if done() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within {DEADLINE:?}"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Starts a thread that ends the process, naming the test, when one test runs longer than
/// [`TEST_LIMIT`]; returns where the running test's name and start are put.
fn watchdog() -> std::sync::Arc<std::sync::Mutex<Option<(&'static str, Instant)>>> {
    let running = std::sync::Arc::new(std::sync::Mutex::new(None::<(&'static str, Instant)>));
    let watched = running.clone();
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(100));
        if let Some((name, started)) = *watched.lock().unwrap() {
            if started.elapsed() > TEST_LIMIT {
                println!("test {name} ... FAILED (still running after {TEST_LIMIT:?})");
                std::process::exit(1);
            }
        }
    });
    running
}

fn lines(chat: &ChatBackend) -> Vec<String> {
    (0..chat.line_count())
        .filter_map(|i| chat.line(i))
        .collect()
}

fn listen(app: &QCoreApplication, mut chat: Pin<&mut ChatBackend>) -> u16 {
    chat.as_mut().toggle_listen(&QString::from("0"));
    pump_until(app, "Start Listening in the log", || chat.line_count() >= 1);
    assert!(*chat.listening());
    let port = *chat.listen_port();
    assert!(port > 0);
    assert!(chat.line(0).unwrap().starts_with("Start Listening"));
    port as u16
}

fn peer(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(DEADLINE)).unwrap();
    s
}

fn listen_lines_reach_the_log_in_order_and_are_answered(app: &QCoreApplication) {
    let mut backend = new_backend();
    let mut chat = backend.pin_mut();
    let port = listen(app, chat.as_mut());
    let mut p = peer(port);
    let mut out = String::new();
    for i in 0..200 {
        out.push_str(&format!("line {i} 한국어\n"));
    }
    p.write_all(out.as_bytes()).unwrap();
    pump_until(app, "200 lines in the log", || chat.line_count() >= 202);
    let log = lines(&chat);
    assert!(log[1].starts_with("Connect : 127.0.0.1 "), "{log:?}");
    for i in 0..200 {
        assert_eq!(log[2 + i], format!("[rcv] line {i} 한국어"));
    }
    assert_eq!(*chat.peer_count(), 1);
    let mut reader = BufReader::new(p);
    for _ in 0..200 {
        let mut reply = String::new();
        reader
            .read_line(&mut reply)
            .expect("a reply within the deadline");
        assert_eq!(reply, "Server OK\n");
    }
}

fn send_and_close_update_the_log_and_the_properties(app: &QCoreApplication) {
    let mut backend = new_backend();
    let mut chat = backend.pin_mut();
    let port = listen(app, chat.as_mut());
    let mut p = peer(port);
    pump_until(app, "the peer counted", || *chat.peer_count() == 1);
    assert!(chat.as_mut().send(&QString::from("안녕하세요")));
    let mut got = [0u8; 16];
    let n = p.read(&mut got).unwrap();
    assert_eq!(&got[..n], "안녕하세요\n".as_bytes());
    pump_until(app, "[send] in the log", || {
        lines(&chat).iter().any(|l| l == "[send] 안녕하세요")
    });

    chat.as_mut().toggle_listen(&QString::from("0"));
    assert!(!*chat.listening());
    let (rest, _) = common::read_until_closed(&mut p, DEADLINE);
    assert_eq!(rest, b"", "Close disconnects the peer");
    pump_until(app, "Stop Listening", || {
        lines(&chat).last().is_some_and(|l| l == "Stop Listening")
    });
    assert_eq!(*chat.peer_count(), 0);
    let log = lines(&chat);
    assert!(
        log[log.len() - 2].starts_with("Disconnect : 127.0.0.1 "),
        "{log:?}"
    );
}

fn connect_shows_connected_and_the_peers_reply(app: &QCoreApplication) {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    let mut backend = new_backend();
    let mut chat = backend.pin_mut();
    chat.as_mut().toggle_connect(
        &QString::from("127.0.0.1"),
        &QString::from(port.to_string().as_str()),
    );
    assert!(chat.is_connecting() || chat.is_connected());
    let mut conn = common::accept_within(&server);
    pump_until(app, "connected", || chat.is_connected());
    assert!(!chat.is_connecting());
    assert_eq!(*chat.peer_count(), 1);
    conn.write_all(b"OK").unwrap();
    pump_until(app, "the reply", || {
        lines(&chat).last().is_some_and(|l| l == "[rcv] OK")
    });
    chat.as_mut().toggle_connect(
        &QString::from("127.0.0.1"),
        &QString::from(port.to_string().as_str()),
    );
    assert!(!chat.is_connected());
    pump_until(app, "Disconnect", || {
        lines(&chat)
            .last()
            .is_some_and(|l| l.starts_with("Disconnect : "))
    });
}

fn a_flood_reaches_the_qt_thread_in_batches(app: &QCoreApplication) {
    let mut backend = new_backend();
    let mut chat = backend.pin_mut();
    let port = listen(app, chat.as_mut());
    let mut p = peer(port);
    let mut out = Vec::new();
    for i in 0..5000 {
        out.extend_from_slice(format!("{i}\n").as_bytes());
    }
    // Each insert into the model.
    let inserts = std::rc::Rc::new(std::cell::Cell::new(0u32));
    let counted = inserts.clone();
    chat.as_mut()
        .watch_rows(Some(Box::new(move |_| counted.set(counted.get() + 1))));
    p.write_all(&out).unwrap();
    pump_until(app, "5000 lines", || chat.line_count() >= 5002);
    assert!(inserts.get() > 0, "the inserts were seen");
    assert!(
        inserts.get() < 1000,
        "{} inserts for 5000 lines",
        inserts.get()
    );
    assert_eq!(chat.line(5001).as_deref(), Some("[rcv] 4999"));
}

fn bad_input_gives_one_error_line_and_changes_nothing(app: &QCoreApplication) {
    let mut backend = new_backend();
    let mut chat = backend.pin_mut();
    chat.as_mut().toggle_listen(&QString::from("70000"));
    pump_until(app, "an error line", || chat.line_count() == 1);
    assert_eq!(
        chat.line(0).unwrap(),
        "Error : 70000 is not a port: a port is a number from 1 to 65535"
    );
    assert!(!*chat.listening());
    assert!(!chat.as_mut().send(&QString::from("anyone?")));
    pump_until(app, "a second error line", || chat.line_count() == 2);
    assert!(chat.line(1).unwrap().starts_with("Error : not connected"));
    chat.as_mut()
        .toggle_connect(&QString::from("not an address!"), &QString::from("12345"));
    pump_until(app, "a third error line", || chat.line_count() == 3);
    assert!(chat
        .line(2)
        .unwrap()
        .contains("is not an IP address or a host name"));
    assert!(!chat.is_connecting() && !chat.is_connected());
}

fn the_log_keeps_the_newest_10000_lines(app: &QCoreApplication) {
    let mut backend = new_backend();
    let mut chat = backend.pin_mut();
    let port = listen(app, chat.as_mut());
    let mut p = peer(port);
    let mut out = Vec::new();
    for i in 0..12_000 {
        out.extend_from_slice(format!("{i}\n").as_bytes());
    }
    p.write_all(&out).unwrap();
    let last = "[rcv] 11999";
    pump_until(app, "the last line", || {
        chat.line(chat.line_count() - 1).as_deref() == Some(last)
    });
    assert_eq!(chat.line_count(), tcp_chat::cli::DEFAULT_LOG_LINES);
    assert_eq!(
        chat.total_lines(),
        12_002,
        "Start Listening, Connect and 12,000 lines"
    );
    // The oldest kept is exactly 10,000 lines before the end.
    assert_eq!(chat.line(0).as_deref(), Some("[rcv] 2000"));
    // Every line was a row of the model once, or was passed over for newer ones taken
    // in the same turn.
    assert!(chat.rows_inserted() >= 10_000);
    assert_eq!(chat.rows_inserted() + chat.lines_passed_over(), 12_002);
}

fn the_log_keeps_at_most_4_mib_of_text(app: &QCoreApplication) {
    use tcp_chat::bridge::LOG_TEXT_LIMIT;
    let mut backend = new_backend();
    let mut chat = backend.pin_mut();
    let port = listen(app, chat.as_mut());
    let mut p = peer(port);
    // 1,500 lines of 1,500 Korean syllables (4,500 bytes each): 6.7 MB, far fewer lines
    // than the 10,000-line bound, more text than the 4 MiB one.
    const LINES: usize = 1500;
    let line = |i: usize| format!("{i:04} {}\n", "가".repeat(1500));
    let writer = std::thread::spawn(move || {
        for i in 0..LINES {
            p.write_all(line(i).as_bytes()).unwrap();
        }
        p
    });
    let last = format!("[rcv] {}", line(LINES - 1).trim_end());
    pump_until(app, "the last line", || {
        chat.line(chat.line_count() - 1).as_deref() == Some(last.as_str())
    });
    drop(writer.join().unwrap());
    assert_eq!(chat.total_lines(), LINES as u64 + 2);
    let kept = lines(&chat);
    let text: usize = kept.iter().map(String::len).sum();
    assert!(
        text <= LOG_TEXT_LIMIT,
        "the log keeps {text} bytes of text in {} lines (bound {LOG_TEXT_LIMIT})",
        kept.len()
    );
    // Bounded by its text, not its line count: it keeps the newest lines up to the bound.
    assert!(kept.len() < LINES, "{} lines kept", kept.len());
    // Each row also counts 64 bytes against the bound (what a row costs besides its text).
    let counted = text + 64 * kept.len();
    assert!(
        counted + 2 * 4600 > LOG_TEXT_LIMIT,
        "only {counted} bytes kept, far below {LOG_TEXT_LIMIT}"
    );
    let first = kept[0]
        .strip_prefix("[rcv] ")
        .expect("a received line first");
    let first: usize = first[..4].parse().unwrap();
    assert_eq!(first + kept.len(), LINES, "the newest lines, none missing");
}

/// The longest the Qt thread may be busy with one thing (docs/architecture.md: "Nothing on the
/// Qt thread waits"; the benchmark's stall rows use the same bound).
const STALL_LIMIT: Duration = Duration::from_millis(50);

/// A FIFO called `name` (a "disk" whose reader the test controls) in a new folder;
/// returns the folder and the FIFO.
fn fifo_in_a_folder_of_its_own(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("tcp-chat-backend-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join(name);
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    (dir, fifo)
}

/// Runs the event loop for `time`, and returns the longest one turn of it took.
fn longest_turn(app: &QCoreApplication, time: Duration) -> Duration {
    let end = Instant::now() + time;
    let mut longest = Duration::ZERO;
    while Instant::now() < end {
        let turn = Instant::now();
        app.process_events();
        longest = longest.max(turn.elapsed());
        std::thread::sleep(Duration::from_millis(1));
    }
    longest
}

fn connecting_to_a_silent_host_and_saving_to_a_stalled_file_never_block_the_qt_thread(
    app: &QCoreApplication,
) {
    let mut backend = new_backend();
    let mut chat = backend.pin_mut();
    let port = listen(app, chat.as_mut());
    let mut p = peer(port);
    p.write_all("a line to save 저장\n".as_bytes()).unwrap();
    pump_until(app, "the line in the log", || {
        lines(&chat)
            .iter()
            .any(|l| l == "[rcv] a line to save 저장")
    });

    // A listener that never accepts, its backlog filled: a connect to it hangs (5 s).
    let silent = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    silent
        .bind(&std::net::SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .unwrap();
    silent.listen(0).unwrap();
    let silent_addr = silent.local_addr().unwrap().as_socket().unwrap();
    let _fillers: Vec<TcpStream> = (0..4)
        .filter_map(|_| TcpStream::connect_timeout(&silent_addr, Duration::from_millis(300)).ok())
        .collect();
    let pressed = Instant::now();
    chat.as_mut().toggle_connect(
        &QString::from("127.0.0.1"),
        &QString::from(silent_addr.port().to_string().as_str()),
    );
    let call = pressed.elapsed();
    assert!(call < STALL_LIMIT, "Connect took {call:?} on the Qt thread");
    let turn = longest_turn(app, Duration::from_secs(1));
    assert!(chat.is_connecting(), "still connecting to the silent host");
    assert!(
        turn < STALL_LIMIT,
        "a turn of the event loop took {turn:?} while connecting"
    );
    chat.as_mut()
        .toggle_connect(&QString::from(""), &QString::from(""));
    assert!(!chat.is_connecting(), "Close gave the attempt up");

    // Save log to a file that takes nothing for 2 s (a FIFO whose reader comes late).
    let (dir, fifo) = fifo_in_a_folder_of_its_own("stalled");
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(2));
            std::fs::read_to_string(fifo).unwrap()
        })
    };
    let pressed = Instant::now();
    chat.save_log(&cxx_qt_lib::QUrl::from(fifo.to_str().unwrap()));
    let call = pressed.elapsed();
    assert!(
        call < STALL_LIMIT,
        "Save log took {call:?} on the Qt thread"
    );
    let turn = longest_turn(app, Duration::from_millis(1500));
    let early = lines(&chat);
    assert!(
        !early.iter().any(|l| l.starts_with("Saved ")),
        "saved before the file took anything: {early:?}"
    );
    assert!(
        turn < STALL_LIMIT,
        "a turn of the event loop took {turn:?} while saving"
    );
    pump_until(app, "Saved", || {
        lines(&chat).last().is_some_and(|l| l.starts_with("Saved "))
    });
    let saved = reader.join().unwrap();
    assert!(saved.contains("[rcv] a line to save 저장"), "{saved}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn a_transcript_on_a_slow_disk_never_blocks_the_qt_thread(app: &QCoreApplication) {
    let (dir, fifo) = fifo_in_a_folder_of_its_own("slow-disk");
    // The "disk": takes 100 KB a second, opened for reading before the window opens it.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let disk = {
        let (fifo, stop) = (fifo.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut file = std::fs::File::open(fifo).unwrap();
            let mut buf = [0u8; 10 * 1024];
            let mut taken = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                match file.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => taken += n,
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            taken
        })
    };
    let mut start = WindowStart::default();
    start.chat.transcript = Some(fifo.clone());
    let mut backend = new_window(start, &Stop::new());
    let mut chat = backend.pin_mut();
    let port = listen(app, chat.as_mut());
    let mut p = peer(port);
    // 100,000 lines (2.4 MB, 24 s of this disk): the disk, not the window, is the limit.
    let writer = std::thread::spawn(move || {
        let text: String = (0..100_000)
            .map(|i| format!("slow disk line {i:06}\n"))
            .collect();
        let _ = p.write_all(text.as_bytes());
        p
    });
    let turn = longest_turn(app, Duration::from_secs(3));
    assert!(
        turn < STALL_LIMIT,
        "a turn of the event loop took {turn:?} while the transcript's disk was slow"
    );
    assert!(chat.total_lines() > 1, "the flood reached the window");
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    drop(backend);
    let taken = common::within("the slow disk to stop", DEADLINE, move || {
        disk.join().unwrap()
    });
    assert!(taken > 0, "the transcript reached the slow disk");
    drop(writer);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Moves the calling thread into the network namespace `ns` (an open /proc or /run/netns
/// file); threads it starts from now on are born there.
fn enter_network(ns: &std::fs::File) {
    use std::os::fd::AsRawFd;
    // SAFETY: setns takes a file descriptor that `ns` keeps open for the call.
    let entered = unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) };
    assert_eq!(entered, 0, "setns: {}", std::io::Error::last_os_error());
}

fn an_mdns_flood_from_another_host_never_stalls_the_qt_thread(app: &QCoreApplication) {
    let Some(lan) = common::netns::lan_or_say_why() else {
        return;
    };
    // The window's discovery on host A: its mDNS sockets and thread are made there,
    // then this (the Qt) thread comes home.
    let home = std::fs::File::open("/proc/thread-self/ns/net").unwrap();
    let host_a = std::fs::File::open(format!("/run/netns/{}", lan.a)).unwrap();
    enter_network(&host_a);
    let mut start = WindowStart::default();
    start.chat.discovery = true;
    let backend = new_window(start, &Stop::new());
    enter_network(&home);
    // 100,000 made-up services in 10 s, then one changing every millisecond for 5 s.
    let floods = [
        vec!["many", "100000", "10.213.0.66", "10.213.0.2", "10000"],
        vec!["changing", "5000", "10.213.0.67", "10.213.0.2"],
    ];
    let mut longest = Duration::ZERO;
    for args in floods {
        let flood = common::mdns::hostile(&lan.b, &args);
        let deadline = Instant::now() + Duration::from_secs(60);
        while !flood.output().contains("sent ") {
            assert!(Instant::now() < deadline, "the flood did not end");
            longest = longest.max(longest_turn(app, Duration::from_millis(100)));
        }
    }
    // It reached the window: Nearby holds the flood's share.
    assert!(
        *backend.nearby_found() > 0,
        "no announcement of the flood reached the window"
    );
    assert!(
        longest <= STALL_LIMIT,
        "the Qt thread was busy {longest:?} at once during the flood"
    );
    println!("  longest Qt thread turn during the flood: {longest:?}");
}
