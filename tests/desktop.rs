//! The real binary in a real X server, driven only by real keys and clicks (xdotool),
//! checked through its transcript: what a person does with two windows on one desktop.

mod common;

use common::app::{at, scratch, App, Xvfb};
use common::*;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::time::Duration;

#[test]
fn two_windows_pair_and_chat_by_real_input() {
    let x = Xvfb::start();
    let dir = scratch("pair");
    let a = App::start(&x, &[], &[], &dir.join("a.txt"));
    let b = App::start(&x, &[], &[], &dir.join("b.txt"));
    b.move_to(700, 0);
    let port = free_port().to_string();

    a.fill(at::PORT.0, at::PORT.1, &port);
    a.click(at::LISTEN.0, at::LISTEN.1);
    a.wait_for_log(&format!("Start Listening (port {port}"));

    b.fill(at::HOST.0, at::HOST.1, "127.0.0.1");
    b.fill(at::PORT.0, at::PORT.1, &port);
    b.click(at::CONNECT.0, at::CONNECT.1);
    b.wait_for_log(&format!("Connected to 127.0.0.1:{port}"));
    a.wait_for_log("Connect : 127.0.0.1 ");

    b.click(at::MESSAGE.0, at::MESSAGE.1);
    b.type_text("안녕하세요, 반갑습니다 from B");
    b.key("Return");
    b.wait_for_log("[send] 안녕하세요, 반갑습니다 from B");
    a.wait_for_log("[rcv] 안녕하세요, 반갑습니다 from B");
    b.wait_for_log("[rcv] Server OK");

    // A answers over the same connection (it has no outgoing one): Send goes to its peers.
    a.click(at::MESSAGE.0, at::MESSAGE.1);
    a.type_text("hello B");
    a.click(at::SEND.0, at::SEND.1);
    b.wait_for_log("[rcv] hello B");

    let shots = [
        a.screenshot("pair-listener.png"),
        b.screenshot("pair-connector.png"),
    ];
    println!("screenshots: {shots:?}");
}

#[test]
fn tab_moves_through_the_controls_and_enter_in_the_address_field_connects() {
    let x = Xvfb::start();
    let dir = scratch("keys");
    let port = free_port().to_string();
    let server = App::start(
        &x,
        &[],
        &["--listen", "--port", &port],
        &dir.join("server.txt"),
    );
    server.wait_for_log("Start Listening");
    let app = App::start(&x, &[], &["--port", &port], &dir.join("keys.txt"));
    app.move_to(700, 0);
    // Focus starts on Listen; Tab: Connect, then the message field.
    app.key("Tab");
    app.key("Tab");
    app.type_text("typed after two tabs");
    app.key("Return");
    app.wait_for_log("Error : not connected");
    // On: Send, Auto-reply, its text, Copy log, Save log, the address field. Enter there
    // connects.
    for _ in 0..6 {
        app.key("Tab");
    }
    app.key("Return");
    app.wait_for_log(&format!("Connected to 127.0.0.1:{port}"));
    server.wait_for_log("Connect : 127.0.0.1");
}

#[test]
fn escape_closes_the_window_and_ends_the_process_with_peers_connected() {
    let x = Xvfb::start();
    let dir = scratch("escape");
    let port = free_port();
    let server = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let out_port = server.local_addr().unwrap().port().to_string();
    let mut app = App::start(
        &x,
        &[],
        &[
            "--listen",
            "--port",
            &port.to_string(),
            "--connect",
            &format!("127.0.0.1:{out_port}"),
        ],
        &dir.join("escape.txt"),
    );
    app.wait_for_log("Start Listening");
    let mut peers: Vec<TcpStream> = (0..3).map(|_| peer(port)).collect();
    let (mut outgoing, _) = server.accept().unwrap();
    outgoing.set_read_timeout(Some(DEADLINE)).unwrap();
    app.wait_for_log("Connected to 127.0.0.1");
    let deadline = std::time::Instant::now() + DEADLINE;
    while app.log().matches("Connect : ").count() < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "peers not all connected:\n{}",
            app.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    app.key("Escape");
    let took = app.wait_exit(Duration::from_secs(1));
    println!("process ended {took:?} after Escape");
    let mut buf = [0u8; 64];
    for p in &mut peers {
        assert_eq!(
            p.read(&mut buf).unwrap_or(0),
            0,
            "a peer is still connected"
        );
    }
    assert_eq!(
        outgoing.read(&mut buf).unwrap_or(0),
        0,
        "the outgoing connection is still open"
    );
    // And nothing answers on the port any more.
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[test]
fn a_port_below_1024_without_rights_says_what_to_do() {
    let dir = scratch("low-port");
    let transcript = dir.join("low.txt");
    let binary = env!("CARGO_BIN_EXE_tcp-chat");
    let mut command = if is_root() {
        // Run as a user without the right, as a student would be.
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
            binary,
        ]);
        c
    } else {
        Command::new(binary)
    };
    let mut child = command
        .args([
            "-platform",
            "offscreen",
            "--listen",
            "--port",
            "80",
            "--transcript",
        ])
        .arg(&transcript)
        .env("QT_QUICK_BACKEND", "software")
        .env("HOME", &dir)
        .env("XDG_RUNTIME_DIR", &dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + DEADLINE;
    let line = loop {
        let log = std::fs::read_to_string(&transcript).unwrap_or_default();
        if let Some(line) = log.lines().find(|l| l.starts_with("Error : ")) {
            break line.to_string();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no error line; log:\n{log}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        line,
        "Error : port 80 needs administrator rights: use a port from 1024 to 65535"
    );
}
