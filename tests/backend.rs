//! The real ChatBackend QObject with a Qt event loop, against loopback peers: what the
//! window's buttons do, and what reaches the log model, in order.
//!
//! Runs without the test harness so that Qt lives on the main thread.

use cxx_qt_lib::{QCoreApplication, QString};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::pin::Pin;
use std::time::{Duration, Instant};
use tcp_chat::bridge::{new_backend, ChatBackend};

const DEADLINE: Duration = Duration::from_secs(10);

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
    ];
    let mut failed = 0;
    for (name, test) in tests {
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
        reader.read_line(&mut reply).unwrap();
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
    assert_eq!(p.read(&mut got).unwrap(), 0, "Close disconnects the peer");
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
    assert!(*chat.connecting() || *chat.connected());
    let (mut conn, _) = server.accept().unwrap();
    pump_until(app, "connected", || *chat.connected());
    assert!(!*chat.connecting());
    assert_eq!(*chat.peer_count(), 1);
    conn.write_all(b"OK").unwrap();
    pump_until(app, "the reply", || {
        lines(&chat).last().is_some_and(|l| l == "[rcv] OK")
    });
    chat.as_mut().toggle_connect(
        &QString::from("127.0.0.1"),
        &QString::from(port.to_string().as_str()),
    );
    assert!(!*chat.connected());
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
    p.write_all(&out).unwrap();
    pump_until(app, "5000 lines", || chat.line_count() >= 5002);
    assert!(
        chat.batches() < 1000,
        "{} batches for 5000 lines",
        chat.batches()
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
    assert!(!*chat.connecting() && !*chat.connected());
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
}
